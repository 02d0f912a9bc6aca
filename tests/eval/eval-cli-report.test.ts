// `movrec eval` reports every model beside the baselines on a time split and a
// k-fold, with the per-group table; --json carries the same numbers.
import t from 'tap';
import { join } from 'node:path';
import { writeMovieLensDir } from '../../src/eval/movielens-like';
import { movrec } from '../helpers/cli';
import type { EvalReport } from '../../src/eval/run';

t.test('eval on a generated MovieLens directory', async (t) => {
  const dir = t.testdir({ ml: {}, data: {} });
  writeMovieLensDir(join(dir, 'ml'), { users: 100, items: 60 });
  const args = [
    'eval',
    '--data-dir',
    join(dir, 'data'),
    '--movielens',
    join(dir, 'ml'),
    '--folds',
    '2',
    '--kinds',
    'global-mean,popularity,mf,item-knn',
  ];
  const text = movrec(args);
  t.equal(text.status, 0, text.stderr);
  t.match(text.stdout, /time split at \d{4}-/);
  t.match(text.stdout, /random 2-fold/);
  for (const m of ['global-mean', 'popularity', 'mf', 'item-knn'])
    t.match(text.stdout, new RegExp(`\\n  ${m}\\s+\\d\\.\\d{4}`), `${m} has a row`);
  t.match(text.stdout, /per group, .* on the time split/);
  t.match(text.stdout, /gender=F&age=/);
  const rep = JSON.parse(movrec([...args, '--json']).stdout) as EvalReport;
  const byKind = Object.fromEntries(rep.timeSplit.results.map((r) => [r.model, r]));
  t.ok(
    byKind.mf!.rmse! < byKind['global-mean']!.rmse!,
    `MF RMSE ${byKind.mf!.rmse} beats the global mean's ${byKind['global-mean']!.rmse}`,
  );
  t.ok(byKind.popularity!.ndcg > byKind['global-mean']!.ndcg, 'popularity ranks better than no ranking at all');
  t.equal(rep.kFold!.results.length, 4);
  for (const r of rep.timeSplit.results) t.equal(r.adultToMinors, 0);
  const groups = Object.values(byKind.mf!.groups);
  t.ok(
    groups.length > 0 && groups.some((g) => g.users > 0) && groups.some((g) => g.ratings > 0),
    'groups carry counts of users and ratings',
  );
  const users = (key: string) => byKind.mf!.groups[key]?.users ?? 0;
  const genders = Object.keys(byKind.mf!.groups).filter((k) => /^gender=[^&]+$/.test(k));
  t.equal(
    genders.reduce((s, k) => s + users(k), 0),
    byKind.mf!.users,
    'the gender groups partition the evaluated users',
  );
  t.ok(
    Object.keys(byKind.mf!.groups).some((k) => k.split('&').length === 3),
    'gender x age x occupation groups are reported',
  );
});
