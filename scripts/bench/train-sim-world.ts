// Benchmark: every model and baseline on a simulator world's history (ingested
// into LMDB), on the time split: RMSE beside the world's noise floor on the
// same test pairs, Recall@20 beside the oracle's (true utility, same users,
// same filters), in the same run. Then the online figure: what `movrec train`
// serves on the whole snapshot, ranked by the serving ranker, scored by the
// simulator's own choice model (the chance the user watches from the list, as
// the driver's scoreboard samples it) beside the oracle's and popularity's lists.
// Run: movrec sim --seed 3 --users 20000 --movies 3000 --world W --history 4000000 --out H
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
  const m = makeModel(kind, defaults.train);
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

// The online figure, at the snapshot's end: each sampled user's list from the
// served model, the oracle (true utility) and recency-weighted popularity, all
// leaving out what the user watched, scored by the world's choice model.
const work = mkdtempSync(join(tmpdir(), 'movrec-sim-online-'));
const config = { ...defaults, dataDir: work };
const { manifest } = trainAndRegister({ dataDir: work, config, dataset: ds });
const served = prepareModel(readFileSync(artifactPath(work, manifest.id)), { verify: true, label: manifest.id });
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
const online = (label: string, userIds: number[]) => {
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
  let ours = 0;
  let best = 0;
  let popular = 0;
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
    ours += pickProbability(world, w, mine, seenSet, at);
    best += pickProbability(world, w, oracle, seenSet, at);
    popular += pickProbability(world, w, popList, seenSet, at);
  });
  const n = Math.max(1, facts.length);
  process.stdout.write(
    `  ${label.padEnd(34)} ${String(facts.length).padStart(6)} ${(ours / n).toFixed(4).padStart(9)} ` +
      `${(best / n).toFixed(4).padStart(9)} ${(popular / n).toFixed(4).padStart(11)} ` +
      `${(ours / best).toFixed(3).padStart(13)} ${(popular / best).toFixed(3).padStart(13)}\n`,
  );
};
process.stdout.write(
  `\nonline: expected watch-from-list at ${new Date(at).toISOString()} (choice model), served model ` +
    `${manifest.metrics.rankingModel}\n`,
);
process.stdout.write(
  `  ${'users'.padEnd(34)} ${'n'.padStart(6)} ${'ours'.padStart(9)} ${'oracle'.padStart(9)} ` +
    `${'popularity'.padStart(11)} ${'ours/oracle'.padStart(13)} ${'pop/oracle'.padStart(13)}\n`,
);
online('with history in the snapshot', warm);
online('any user of the world', everyone);
rmSync(work, { recursive: true, force: true });
void store.close();
