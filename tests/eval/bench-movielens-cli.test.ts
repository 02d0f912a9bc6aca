// `movrec bench movielens` on a generated MovieLens-100k-format directory:
// per-fold lines, averages, and the JSON fields rmse and fit_seconds.
import t from 'tap';
import { writeMovieLensDir } from '../../src/eval/movielens-like';
import { movrec } from '../helpers/cli';
import { readMovieLens } from '../../src/eval/movielens';

t.test('the loader reads u.data, u.user and the fold files in one index space', async (t) => {
  const dir = t.testdir();
  const { ratings } = writeMovieLensDir(dir);
  const ml = readMovieLens(dir);
  t.equal(ml.all.ratings.value.length, ratings);
  const f1 = ml.fold(1);
  t.equal(f1.train.ratings.value.length + f1.test.ratings.value.length, ratings, 'base + test = all');
  t.equal(f1.train.itemIds.length, ml.all.itemIds.length);
  t.ok(
    ml.all.users.every((u) => u !== null && (u.gender === 'M' || u.gender === 'F')),
    'demographics from u.user',
  );
  t.throws(() => ml.fold(9), { code: 'MOVREC_ERR_USAGE', message: /u9\.base does not exist/ });
});

t.test('movrec bench movielens prints per-fold and average RMSE and fit seconds', async (t) => {
  const dir = t.testdir();
  writeMovieLensDir(dir);
  const text = movrec(['bench', 'movielens', '--dir', dir, '--folds', '1,2']);
  t.equal(text.status, 0, text.stderr);
  t.match(text.stdout, /fold 1: RMSE \d\.\d{4} {2}MAE \d\.\d{4} {2}fit \d+\.\d{3} s/);
  t.match(text.stdout, /fold 2: RMSE/);
  t.match(text.stdout, /average over 2 fold\(s\): RMSE \d\.\d{4}/);
  const json = movrec(['bench', 'movielens', '--dir', dir, '--folds', '3', '--json']);
  t.equal(json.status, 0, json.stderr);
  const res = JSON.parse(json.stdout) as { rmse: number; fit_seconds: number; folds: { fold: number }[] };
  t.ok(res.rmse > 0 && res.rmse < 1.5, `rmse ${res.rmse} is a plausible rating error`);
  t.ok(res.fit_seconds > 0);
  t.same(
    res.folds.map((f) => f.fold),
    [3],
  );
  // Repeated fits start from the same seed: the same model, so the same RMSE; only the time is a median.
  const again = movrec(['bench', 'movielens', '--dir', dir, '--folds', '3', '--repeats', '3', '--json']);
  t.equal(again.status, 0, again.stderr);
  const rep = JSON.parse(again.stdout) as { rmse: number; fit_seconds: number; fit_cpu_seconds: number };
  t.equal(rep.rmse, res.rmse, 'three fits per fold give the one-fit RMSE');
  t.ok(rep.fit_seconds > 0 && rep.fit_cpu_seconds > 0);
});

t.test('bad arguments are usage errors', async (t) => {
  const dir = t.testdir();
  t.match(movrec(['bench', 'movielens']).stderr, /--dir DIR is required/);
  t.equal(movrec(['bench', 'movielens', '--dir', dir, '--folds', '0,7']).status, 2);
  t.match(movrec(['bench', 'movielens', '--dir', dir]).stderr, /u\.data does not exist/);
  t.match(movrec(['bench', 'nope']).stderr, /unknown benchmark "nope"/);
  const zero = movrec(['bench', 'movielens', '--dir', dir, '--repeats', '0']);
  t.equal(zero.status, 2);
  t.match(zero.stderr, /--repeats must be a whole number from 1 to 100, got "0"/);
});
