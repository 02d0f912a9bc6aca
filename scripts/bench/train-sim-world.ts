// Benchmark: every model and baseline on a simulator world's history (ingested
// into LMDB), on the time split: RMSE beside the world's noise floor on the
// same test pairs, Recall@20 beside the oracle's (true utility, same users,
// same filters), in the same run. Then the online figure: what `movrec train`
// serves on the whole snapshot, ranked by the serving ranker, scored by the
// simulator's own choice model (the chance the user watches from the list, as
// the driver's scoreboard samples it) beside the oracle's and popularity's lists.
// Run: movrec sim --seed 3 --users 5000 --movies 3000 --world W --history 10000000 --out H
//      movrec ingest --from-file H --data-dir D
//      npx tsc -p tsconfig.build.json && node dist/scripts/bench/train-sim-world.js --world W --data-dir D
import { parseArgs } from 'node:util';
import { defaults } from '../../config/defaults';
import { evaluate, type EvalResult } from '../../src/eval/evaluate';
import { timeSplit } from '../../src/eval/split';
import type { Dataset } from '../../src/domain/dataset';
import { Blend } from '../../src/model/blend';
import type { Recommender } from '../../src/model/recommender';
import { loadWorld, noiseFloorRmse, trueRating, utility5, type World } from '../../src/sim';
import { pickProbability } from '../../src/sim/behaviour';
import { oracleIndices } from '../../src/sim/truth';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { interactions } from '../../src/model/interactions';
import { Popularity } from '../../src/model/popularity';
import { artifactPath } from '../../src/model/registry';
import { rng, shuffle } from '../../src/model/rng';
import { prepareModel } from '../../src/scoring/prepared-model';
import { rankUsers } from '../../src/scoring/rank';
import { trainAndRegister } from '../../src/train/train';
import { openStore } from '../../src/store/store';
import { ALL_KINDS, makeModel } from '../../src/model/candidates';
import { nativeStatus } from '../../src/model/kernels';
import { ratioCi } from './ratio-ci';

/** Resamples of the users for the interval of ours ÷ oracle. */
const BOOTSTRAP_REPS = 2000;

const { values } = parseArgs({
  options: {
    world: { type: 'string' },
    'data-dir': { type: 'string' },
    'eval-users': { type: 'string', default: '2000' },
    'online-users': { type: 'string', default: '2000' },
  },
});
if (!values.world || !values['data-dir']) {
  process.stderr.write('usage: train-sim-world --world DIR --data-dir DIR [--eval-users N]\n');
  process.exit(2);
}
const world = loadWorld(values.world);
const store = openStore(values['data-dir'], { readOnly: true });
const ds = store.readSnapshot({ ratingMax: world.params.ratingMax });

// Demographics from the world where the catalog cache has none (no catalog API was running).
const GENDER = ['M', 'F'] as const;
ds.users = ds.users.map((u, i) => {
  if (u) return u;
  const w = ds.userIds[i]! - 1;
  return w < world.params.users
    ? { age: world.userAge[w]!, gender: GENDER[world.userGender[w]!] ?? null, occupation: `occ${world.userOcc[w]}` }
    : null;
});

/** The oracle as a model: ranks by true utility, predicts the true expected rating. */
function oracle(w: World, d: Dataset): Recommender {
  const movie = d.itemIds.map((id) => w.movieIndex.get(id) ?? -1);
  return {
    kind: 'oracle (true utility)',
    fit() {},
    predict: (u, i) => trueRating(w, d.userIds[u]!, d.itemIds[i]!),
    scoreAll(u, out) {
      for (let i = 0; i < out.length; i++)
        out[i] = movie[i]! < 0 ? -Infinity : utility5(w, d.userIds[u]! - 1, movie[i]!);
    },
    serving: () => null,
    hyperparameters: () => ({}),
  };
}

const split = timeSplit(ds);
const movieOfItem = ds.itemIds.map((id) => world.movieIndex.get(id) ?? -1);
const sampleIds = (ids: number[], n: number): number[] =>
  Array.from(shuffle(Uint32Array.from(ids), rng(5)).subarray(0, Math.min(n, ids.length)));
const opts = { maxUsers: Number(values['eval-users']), unknownAgeIsMinor: true, groups: false };
const tr = split.test.ratings;
const floor = noiseFloorRmse(
  world,
  Array.from(
    { length: tr.value.length },
    (_, n) => [ds.userIds[tr.user[n]!]!, ds.itemIds[tr.item[n]!]!, tr.time[n]!] as const,
  ),
);
const ref = evaluate(oracle(world, ds), split.train, split.test, opts);
process.stdout.write(`kernels: ${nativeStatus}\n`);
process.stdout.write(
  `data: ${ds.userIds.length} users, ${ds.itemIds.length} items, ${ds.ratings.value.length} ratings, ` +
    `${ds.watches.fraction.length} watches; ${split.label}; ${tr.value.length} test ratings\n`,
);
process.stdout.write(
  `noise floor RMSE on the test ratings: ${floor.toFixed(4)}   oracle: RMSE ${ref.rmse?.toFixed(4)} ` +
    `Recall@20 ${ref.recall.toFixed(4)} NDCG@20 ${ref.ndcg.toFixed(4)} (${ref.users} users)\n\n`,
);
process.stdout.write(
  `${'model'.padEnd(28)}${['RMSE', 'floor', 'Recall@20', 'oracle', 'NDCG@20', 'oracle', 'fit s']
    .map((h) => h.padStart(11))
    .join('')}\n`,
);
const f = (x: number | null) => (x === null ? '-' : x.toFixed(4));
const row = (label: string, r: EvalResult, fit: number) =>
  process.stdout.write(
    `${label.padEnd(28)}${[f(r.rmse), f(floor), f(r.recall), f(ref.recall), f(r.ndcg), f(ref.ndcg), fit.toFixed(2)]
      .map((x) => x.padStart(11))
      .join('')}\n`,
  );
const fitted = new Map<string, Recommender>();
for (const kind of ALL_KINDS) {
  const m = makeModel(kind, defaults.train, fitted);
  const t0 = process.hrtime.bigint();
  m.fit(split.train);
  fitted.set(kind, m);
  row(kind, evaluate(m, split.train, split.test, opts), Number(process.hrtime.bigint() - t0) / 1e9);
}
// The blends `movrec train` considers: a personalised model with segment popularity.
for (const a of ['mf', 'ials'] as const) {
  for (const w of [0.5, 0.75]) {
    const b = new Blend(fitted.get(a)!, fitted.get('segment-popularity')!, w).calibrate(
      ds.userIds.length,
      ds.itemIds.length,
    );
    row(`${a}+segment-popularity@${w}`, evaluate(b, split.train, split.test, opts), 0);
  }
}

// The online figure of every candidate at the validation cut: fitted on the history before
// the split, each warm user's list (nothing they watched before the cut, no adult titles for
// minors) scored by the world's choice model at the cut, beside the oracle's. Settings of
// mf-demographic were chosen on these figures; the snapshot's end below is the test.
{
  const cut = [split.train.ratings.time, split.train.watches.time].reduce(
    (m, a) => a.reduce((x, t) => Math.max(x, t), m),
    0,
  );
  const before = interactions(split.train).byUser;
  const users = sampleIds(
    Array.from({ length: ds.userIds.length }, (_, u) => u).filter(
      (u) => ds.userIds[u]! <= world.params.users && before.indptr[u + 1]! > before.indptr[u]!,
    ),
    Number(values['online-users']),
  );
  const scores = new Float32Array(ds.itemIds.length);
  const facts = users.map((u) => {
    const w = ds.userIds[u]! - 1;
    const seen = new Set<number>();
    for (let n = before.indptr[u]!; n < before.indptr[u + 1]!; n++) seen.add(movieOfItem[before.indices[n]!]!);
    return {
      u,
      w,
      seen,
      best: pickProbability(
        world,
        w,
        oracleIndices(world, w, 20, (m) => seen.has(m), cut),
        seen,
        cut,
      ),
    };
  });
  const best = facts.reduce((a, f) => a + f.best, 0) / Math.max(1, facts.length);
  process.stdout.write(
    `\nvalidation: expected watch-from-list at the split (${new Date(cut).toISOString()}), ` +
      `${facts.length} warm users, each candidate fitted before it; oracle ${best.toFixed(4)}\n`,
  );
  const candidates: [string, Recommender][] = [...fitted];
  for (const a of ['mf-demographic', 'ials'] as const)
    candidates.push([
      `${a}+segment-popularity@0.5`,
      new Blend(fitted.get(a)!, fitted.get('segment-popularity')!, 0.5).calibrate(ds.userIds.length, ds.itemIds.length),
    ]);
  for (const [label, m] of candidates) {
    if (m.serving() === null && !(m instanceof Blend)) continue;
    let sum = 0;
    for (const f of facts) {
      m.scoreAll(f.u, scores);
      const minor = world.userAge[f.w]! < 18;
      const order = Array.from(scores.keys()).sort((x, y) => scores[y]! - scores[x]!);
      const list: number[] = [];
      for (const i of order) {
        if (list.length === 20) break;
        const mv = movieOfItem[i]!;
        if (mv >= 0 && !f.seen.has(mv) && !(minor && world.movieAdult[mv])) list.push(mv);
      }
      sum += pickProbability(world, f.w, list, f.seen, cut);
    }
    const mean = sum / Math.max(1, facts.length);
    process.stdout.write(
      `  ${label.padEnd(34)} ${mean.toFixed(4).padStart(9)} ${(mean / best).toFixed(3).padStart(13)}\n`,
    );
  }
}

// The online figure, at the snapshot's end: each sampled user's list from the
// served model, the oracle (true utility) and recency-weighted popularity, all
// leaving out what the user watched, scored by the world's choice model.
// What `movrec train` serves is picked on its own time split, by train.selectBy among the candidates that
// cover train.minCoverage of the titles: every rule runs, each with and without a coverage floor.
type Selection = Pick<typeof defaults.train, 'selectBy' | 'minCoverage'>;
const trained = (selection: Selection) => {
  const work = mkdtempSync(join(tmpdir(), 'movrec-sim-online-'));
  const config = { ...defaults, dataDir: work, train: { ...defaults.train, ...selection } };
  const { manifest } = trainAndRegister({ dataDir: work, config, dataset: ds });
  const served = prepareModel(readFileSync(artifactPath(work, manifest.id)), { verify: true, label: manifest.id });
  rmSync(work, { recursive: true, force: true });
  return { manifest, served };
};
const hist = interactions(ds).byUser;
const userIndex = new Map(Array.from(ds.userIds, (id, u) => [id, u]));
const pop = new Popularity();
pop.fit(ds);
const popScores = pop.popularity();
const popOrder = Array.from(popScores.keys()).sort((a, b) => popScores[b]! - popScores[a]!);
const movieOf = ds.itemIds.map((id) => world.movieIndex.get(id) ?? -1);
const at = ds.meta.to;
const sampleOf = (ids: number[], n: number) =>
  Array.from(shuffle(Uint32Array.from(ids), rng(5)).subarray(0, Math.min(n, ids.length)));
const warm = sampleOf(
  Array.from(ds.userIds).filter((id) => id <= world.params.users),
  Number(values['online-users']),
);
const everyone = sampleOf(
  Array.from({ length: world.params.users }, (_, w) => w + 1),
  Number(values['online-users']),
);
const online = (label: string, userIds: number[], served: ReturnType<typeof trained>['served']) => {
  const facts = userIds.map((userId) => {
    const u = userIndex.get(userId);
    const seen: string[] = [];
    if (u !== undefined)
      for (let n = hist.indptr[u]!; n < hist.indptr[u + 1]!; n++) seen.push(ds.itemIds[hist.indices[n]!]!);
    const w = userId - 1;
    const info = {
      age: world.userAge[w]!,
      gender: GENDER[world.userGender[w]!] ?? null,
      occupation: `occ${world.userOcc[w]}`,
    };
    return { userId, seen, info };
  });
  const lists = rankUsers(served, facts, { listSize: 20, unknownAgeIsMinor: true });
  const ours: number[] = [];
  const best: number[] = [];
  const popular: number[] = [];
  facts.forEach((f, j) => {
    const w = f.userId - 1;
    const seenSet = new Set(f.seen.map((id) => world.movieIndex.get(id) ?? -1));
    const mine = Array.from(lists[j]!.items, (i) => world.movieIndex.get(served.view.itemIds[i]!) ?? -1);
    const oracle = oracleIndices(world, w, 20, (m) => seenSet.has(m), at);
    const seenItems = new Set(f.seen);
    const popList: number[] = [];
    for (const i of popOrder) {
      if (popList.length === 20) break;
      if (!seenItems.has(ds.itemIds[i]!) && !(f.info.age < 18 && ds.adult[i])) popList.push(movieOf[i]!);
    }
    ours.push(pickProbability(world, w, mine, seenSet, at));
    best.push(pickProbability(world, w, oracle, seenSet, at));
    popular.push(pickProbability(world, w, popList, seenSet, at));
  });
  const n = Math.max(1, facts.length);
  const sum = (xs: number[]): number => xs.reduce((s, x) => s + x, 0);
  // The users are a sample of the world's: the ratio's 95% interval is a paired bootstrap over them.
  const [ratio, lo, hi] = ratioCi(ours, best, BOOTSTRAP_REPS);
  process.stdout.write(
    `  ${label.padEnd(34)} ${String(facts.length).padStart(6)} ${(sum(ours) / n).toFixed(4).padStart(9)} ` +
      `${(sum(best) / n).toFixed(4).padStart(9)} ${(sum(popular) / n).toFixed(4).padStart(11)} ` +
      `${ratio.toFixed(3).padStart(13)} ${`[${lo.toFixed(3)}, ${hi.toFixed(3)}]`.padStart(16)} ` +
      `${(sum(popular) / sum(best)).toFixed(3).padStart(13)}\n`,
  );
};
// The default first, then each other rule, each with and without a coverage floor of 0.2 (the real-data
// coverage target).
const floors = [...new Set([defaults.train.minCoverage, 0.2])];
const rules = [...new Set([defaults.train.selectBy, 'choices', 'ndcg', 'rated-order'] as const)];
const selections: Selection[] = rules.flatMap((selectBy) => floors.map((minCoverage) => ({ selectBy, minCoverage })));
for (const selection of selections) {
  const { manifest, served } = trained(selection);
  process.stdout.write(
    `\nonline: expected watch-from-list at ${new Date(at).toISOString()} (choice model), ` +
      `train.selectBy ${selection.selectBy}, minCoverage ${selection.minCoverage}: ` +
      `served model ${manifest.metrics.rankingModel}\n`,
  );
  process.stdout.write(
    `  ${'users'.padEnd(34)} ${'n'.padStart(6)} ${'ours'.padStart(9)} ${'oracle'.padStart(9)} ` +
      `${'popularity'.padStart(11)} ${'ours/oracle'.padStart(13)} ${'95% CI'.padStart(16)} ` +
      `${'pop/oracle'.padStart(13)}\n`,
  );
  online('with history in the snapshot', warm, served);
  online('any user of the world', everyone, served);
}
void store.close();
