import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createWorld, loadWorld, noiseFloorRmse, oracleTopK, saveWorld, trueRating, writeHistory } from '../../src/sim';
import { movrec } from '../helpers/cli';
import { parseLine } from './spec-lines';

t.test('a saved world reloads with the same ground truth', async (t) => {
  const dir = t.testdir();
  const world = createWorld({ seed: 91, users: 300, movies: 700, drift: { at: '2022-02-02T00:00:00', share: 0.4 } });
  saveWorld(world, dir);
  const back = loadWorld(dir);
  t.same(back.params, world.params);
  t.same(back.movieIds, world.movieIds);
  for (const u of [1, 50, 300]) {
    t.same(oracleTopK(back, u, 20), oracleTopK(world, u, 20));
    t.equal(trueRating(back, u, world.movieIds[3]!), trueRating(world, u, world.movieIds[3]!));
  }
  t.equal(noiseFloorRmse(back), noiseFloorRmse(world));
});

t.test('the oracle ranks by true rating and leaves out what the user watched', async (t) => {
  const world = createWorld({ seed: 92, users: 300, movies: 700 });
  const top = oracleTopK(world, 12, 20);
  t.equal(top.length, 20);
  const r = top.map((m) => trueRating(world, 12, m));
  for (let i = 1; i < r.length; i++) t.ok(r[i - 1]! >= r[i]! - 1e-9, 'non-increasing true rating');
  const others = world.movieIds.filter((m) => !top.includes(m));
  t.ok(
    others.every((m) => trueRating(world, 12, m) <= r[19]! + 1e-9),
    'nothing outside beats the 20th',
  );
  const without = oracleTopK(world, 12, 20, new Set(top.slice(0, 5)));
  t.same(without.slice(0, 15), top.slice(5), 'excluded movies are skipped, the rest move up');
});

t.test('ratings in the stream scatter around the true rating by the noise floor', async (t) => {
  const world = createWorld({ seed: 93, users: 300, movies: 700 });
  const file = join(t.testdir(), 'h.log');
  await writeHistory(world, { lines: 400000, out: file, sessions: 500 });
  let sq = 0;
  let n = 0;
  const pairs: [number, string, number][] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const p = parseLine(line);
    if (p?.kind !== 'rate') continue;
    const at = Date.parse(`${p.time}Z`);
    pairs.push([p.user, p.movie!, at]);
    const e = p.rating! - trueRating(world, p.user, p.movie!, at);
    sq += e * e;
    n++;
  }
  const empirical = Math.sqrt(sq / n);
  const floor = noiseFloorRmse(world, pairs);
  const overall = noiseFloorRmse(world);
  t.comment(
    `${n} ratings: RMSE against the truth ${empirical.toFixed(3)}, their noise floor ` +
      `${floor.toFixed(3)}, the world's ${overall.toFixed(3)}`,
  );
  t.ok(n > 1000);
  t.ok(overall > 0.4 && overall < 0.8, 'the floor reflects the planted noise (sd 0.6 plus rounding)');
  t.ok(Math.abs(empirical - floor) < 0.04, 'predicting by the truth scores the floor of those very pairs');
});

t.test('--world saves on first use, reloads after, and the CLI answers ground-truth queries', async (t) => {
  const dir = join(t.testdir(), 'world');
  const base = ['sim', '--seed', '94', '--users', '300', '--movies', '600', '--world', dir];
  const first = movrec([...base, '--oracle', '5']);
  t.equal(first.status, 0, first.stderr);
  t.notMatch(first.stderr, /saved settings are used/, 'a new world: nothing to warn about');
  const same = movrec([...base, '--oracle', '5']);
  t.notMatch(same.stderr, /saved settings are used/, 'the same flags again: no warning');
  const ids = first.stdout.trim().split(',');
  t.equal(ids.length, 20);
  // A different --seed is ignored once the world is saved: the directory is the truth.
  const again = movrec([
    'sim',
    '--seed',
    '999',
    '--users',
    '300',
    '--movies',
    '600',
    '--world',
    dir,
    '--oracle',
    '5',
    '--true-rating',
    `5:${ids[0]}`,
    '--noise-floor',
    '--json',
  ]);
  t.equal(again.status, 0, again.stderr);
  t.match(again.stderr, /world .* exists: its saved settings are used, not these flags/, 'but not silently');
  t.match(again.stderr, /"seed":\{"saved":94,"asked":999\}/, 'naming what differs');
  const res = JSON.parse(again.stdout) as { oracle: string[]; trueRating: number; noiseFloorRmse: number };
  t.same(res.oracle, ids);
  t.ok(res.trueRating > 3 && res.trueRating <= 5);
  t.ok(res.noiseFloorRmse > 0.4 && res.noiseFloorRmse < 0.8);
});

t.test('--oracle --seen-from leaves out what the user watched or rated in a stream file', async (t) => {
  const root = t.testdir();
  const dir = join(root, 'world');
  const hist = join(root, 'history.lines');
  const base = ['sim', '--seed', '95', '--users', '200', '--movies', '300', '--world', dir];
  const h = movrec([...base, '--history', '40000', '--out', hist]);
  t.equal(h.status, 0, h.stderr);
  // Users' seen sets, read with the spec's own patterns rather than the code under test.
  const seen = new Map<number, Set<string>>();
  for (const line of readFileSync(hist, 'utf8').split('\n')) {
    const m = /^[^,]+,(\d+),GET \/(?:data\/m\/([^/]+)\/\d+\.mpg|rate\/([^=]+)=\d+)$/.exec(line);
    if (!m) continue;
    const user = Number(m[1]);
    if (!seen.has(user)) seen.set(user, new Set());
    seen.get(user)!.add(m[2] ?? m[3]!);
  }
  let checked = 0;
  for (const [user, movies] of [...seen].sort((a, b) => b[1].size - a[1].size).slice(0, 5)) {
    const plain = movrec([...base, '--oracle', String(user)])
      .stdout.trim()
      .split(',');
    const r = movrec([...base, '--oracle', String(user), '--seen-from', hist]);
    t.equal(r.status, 0, r.stderr);
    const filtered = r.stdout.trim().split(',');
    t.equal(filtered.length, 20);
    t.same(
      filtered.filter((m) => movies.has(m)),
      [],
      `user ${user}: none of the ${movies.size} seen titles`,
    );
    if (plain.some((m) => movies.has(m))) {
      checked++;
      t.notSame(filtered, plain, `user ${user}: the unfiltered list held a seen title, the filtered one does not`);
    }
  }
  t.ok(checked > 0, 'at least one user had seen titles among their unfiltered oracle list');
});
