// Writes a generated directory of the MovieLens-100k format and size (943 users,
// 1,682 movies, about 100,000 ratings, the five u<N>.base/.test folds) for
// scripts/bench/movielens-vs-surprise.py, where the real data cannot be fetched.
//   node dist/scripts/bench/movielens-like-dir.js --dir DIR [--users 943 --items 1682 --per-user 106 --seed 3]
import { mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { writeMovieLensDir } from '../../src/eval/movielens-like';

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    users: { type: 'string', default: '943' },
    items: { type: 'string', default: '1682' },
    'per-user': { type: 'string', default: '106' },
    seed: { type: 'string', default: '3' },
  },
});
if (!values.dir) {
  process.stderr.write('movielens-like-dir: --dir DIR is required\n');
  process.exit(2);
}
mkdirSync(values.dir, { recursive: true });
const { ratings } = writeMovieLensDir(values.dir, {
  users: Number(values.users),
  items: Number(values.items),
  perUser: Number(values['per-user']),
  seed: Number(values.seed),
});
process.stdout.write(
  `wrote ${ratings} ratings (${values.users} users, ${values.items} movies, GENERATED, not ` +
    `MovieLens) and folds u1..u5 to ${values.dir}\n`,
);
