// A/B statistics with trained models on a simulator world: K A/A experiments
// give the false positive rate (target <= alpha), K A/B experiments between a
// model trained on the whole history and one trained on a tenth of it give the
// power and the users to a decision, for the fixed-horizon Welch test
// (experiments) and the mSPRT (canary guard).
//
// Where the per-user outcomes come from: a world from src/sim, its history
// written to a file and ingested into LMDB by the ingest loop (the catalog API
// running, as for `movrec ingest`), and two models trained by trainAndRegister,
// the code `movrec train` runs (every servable kind, blends, the chosen one
// refitted): arm "full" on the whole history's snapshot, arm "tenth" on the
// snapshot of a store fed the history's first tenth of lines (the model an
// operator would have had a tenth of the way in). Each world user's list from
// each arm is ranked by rankUsers over the prepared artifact, as the scoring
// worker does (native top-K, cold-start lists, seen titles and user info read
// from the full store). A user's chance of watching from a list is the
// simulator's pickProbability (the function its sessions choose with), at the
// history's end. An experiment's users are drawn at random from the world's
// (with replacement: the arms' true means are taken over that population);
// each gets 1 to 6 answers (uniform), each a hit with that chance. The true
// effect is the mean chance over all users, full minus tenth: what the
// experiments estimate. The fixed horizon is planned for release.minEffect
// (as `experiment start` plans it), so the power predicted at the true effect
// is printed beside the measured one; a second row plans for the true effect.
// Run: npm run build && node dist/scripts/bench/ab-sim.js [--k 400] [--users 10000] [--movies 2000]
//      [--history 10000000] [--share 0.1] [--seed 7]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../src/config/load';
import { startIngest } from '../../src/ingest/loop';
import { fileSource } from '../../src/ingest/source-file';
import { nativeStatus } from '../../src/model/kernels';
import { artifactPath, type Manifest } from '../../src/model/registry';
import { rng } from '../../src/model/rng';
import { decide, msprt, powerAt, summarise, usersPerArm, type Summary, type UserCounts } from '../../src/release/stats';
import { prepareModel, type PreparedModel } from '../../src/scoring/prepared-model';
import { rankUsers, type UserFacts } from '../../src/scoring/rank';
import { createWorld, pickProbability, startCatalogApi, writeHistory } from '../../src/sim';
import { oracleIndices } from '../../src/sim/truth';
import { openStore } from '../../src/store/store';
import { DAY_MS } from '../../src/store/tables';
import { trainAndRegister } from '../../src/train/train';

const { values } = parseArgs({
  options: {
    k: { type: 'string', default: '400' },
    users: { type: 'string', default: '10000' },
    movies: { type: 'string', default: '2000' },
    history: { type: 'string', default: '10000000' },
    share: { type: 'string', default: '0.1' },
    seed: { type: 'string', default: '7' },
  },
});
const K = Number(values.k);
const seed = Number(values.seed);
const LIST = 20;

/** Wilson 95% interval of a binomial proportion. */
function wilson(x: number, n: number): [number, number] {
  const z = 1.959963985;
  const p = x / n;
  const d = 1 + (z * z) / n;
  const c = p + (z * z) / (2 * n);
  const h = z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return [(c - h) / d, (c + h) / d];
}
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const pp = (x: number): string => `${(100 * x).toFixed(2)} pp`;
const ci = (x: number, n: number): string => {
  const [lo, hi] = wilson(x, n);
  return `[${pct(lo)}, ${pct(hi)}]`;
};
const seconds = (t: number): string => `${((performance.now() - t) / 1000).toFixed(1)} s`;

async function main(): Promise<void> {
  const t0 = performance.now();
  const world = createWorld({ seed, users: Number(values.users), movies: Number(values.movies) });
  const U = world.params.users;
  const work = mkdtempSync(join(tmpdir(), 'movrec-ab-sim-'));
  const catalog = await startCatalogApi(world, { port: 0, host: '127.0.0.1', ratePerSecond: 100_000 });
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir: work,
      'catalog.baseUrl': `http://127.0.0.1:${catalog.port}`,
      'catalog.ratePerSecond': 50_000,
      'catalog.bulkSize': 100,
    },
  });
  const alpha = config.release.alpha;
  const power = config.release.power;
  const mde = config.release.minEffect;

  let phase = performance.now();
  const lines = Number(values.history);
  const partLines = Math.round(lines * Number(values.share));
  const historyFile = join(work, 'history.log');
  const hist = await writeHistory(world, { lines, out: historyFile });
  /** The history (its first maxLines, when given) ingested into a store under dir, as `movrec ingest` does. */
  const ingested = async (dir: string, maxLines?: number) => {
    const s = openStore(dir);
    await startIngest({
      config: { ...config, dataDir: dir },
      store: s,
      source: fileSource({ path: historyFile, batchLines: config.ingest.batchLines }),
      waitForCatalog: true,
      ...(maxLines === undefined ? {} : { maxLines }),
    }).done;
    return s;
  };
  const store = await ingested(work);
  const partStore = await ingested(join(work, 'tenth'), partLines);
  await catalog.close();
  rmSync(historyFile);
  const ingestTime = seconds(phase);

  phase = performance.now();
  const ratingMax = config.ingest.ratingMax;
  const full = store.readSnapshot({ ratingMax });
  const part = partStore.readSnapshot({ ratingMax });
  await partStore.close();
  const spanDays = (full.meta.to - full.meta.from) / DAY_MS;
  const rows = (d: typeof full): number => d.ratings.value.length + d.watches.fraction.length;
  const train = (dataset: typeof full): Manifest =>
    trainAndRegister({ dataDir: work, config, dataset, root: store.root }).manifest;
  const fullModel = train(full);
  const partModel = train(part);
  const trainTime = seconds(phase);

  phase = performance.now();
  const prepared = (m: Manifest): PreparedModel =>
    prepareModel(readFileSync(artifactPath(work, m.id)), { verify: true, label: m.id });
  const armModels = [prepared(fullModel), prepared(partModel)];
  const at = full.meta.to;
  const movieOf = (id: string): number => world.movieIndex.get(id) ?? -1;
  /** Per world user, per arm: the chance an answer from that arm's list is watched from; and the share warm. */
  const chance = [new Float64Array(U), new Float64Array(U)];
  const warm = [0, 0];
  let oracleSum = 0;
  const BATCH = 256;
  for (let first = 0; first < U; first += BATCH) {
    const facts: UserFacts[] = [];
    for (let w = first; w < Math.min(U, first + BATCH); w++)
      facts.push({ userId: w + 1, seen: store.seenMovies(w + 1), info: store.userInfo(w + 1) });
    const seenSets = facts.map((f) => new Set((f.seen as string[]).map(movieOf)));
    armModels.forEach((m, arm) => {
      const lists = rankUsers(m, facts, {
        listSize: config.serve.listSize,
        unknownAgeIsMinor: config.serve.unknownAgeIsMinor,
      });
      lists.forEach((r, j) => {
        if (r.source === 'model') warm[arm]!++;
        const items = Array.from(r.items, (i) => movieOf(m.view.itemIds[i]!));
        chance[arm]![first + j] = pickProbability(world, first + j, items, seenSets[j], at);
      });
    });
    facts.forEach((_, j) => {
      const w = first + j;
      const best = oracleIndices(world, w, LIST, (m) => seenSets[j]!.has(m), at);
      oracleSum += pickProbability(world, w, best, seenSets[j], at);
    });
  }
  await store.close();
  rmSync(work, { recursive: true, force: true });
  const scoreTime = seconds(phase);
  const mean = (a: Float64Array): number => a.reduce((s, x) => s + x, 0) / a.length;
  const [pFull, pPart] = chance as [Float64Array, Float64Array];
  const effect = mean(pFull) - mean(pPart);

  const r = rng(seed + 1);
  type Arm = 'full' | 'tenth';
  function user(arm: Arm): UserCounts {
    const u = Math.floor(r() * U);
    const p = arm === 'full' ? pFull[u]! : pPart[u]!;
    const answers = 1 + Math.floor(r() * 6);
    let hits = 0;
    for (let i = 0; i < answers; i++) if (r() < p) hits++;
    return { answers, hits };
  }
  const sample = (arm: Arm, n: number): UserCounts[] => Array.from({ length: n }, () => user(arm));

  // The horizon is planned from a pilot of the serving model's users, as before an experiment; the A/B predictions
  // use both arms' spread (the power formula takes one sd for both).
  const pilot = summarise(sample('full', 20000));
  const pilotPart = summarise(sample('tenth', 20000));
  const sd = Math.sqrt(pilot.variance);
  const sdAB = Math.sqrt((pilot.variance + pilotPart.variance) / 2);
  const horizon = usersPerArm({ alpha, power, mde, sd });
  const bound = Math.sqrt(config.release.baselineRate * (1 - config.release.baselineRate));

  console.log(
    `ab-sim: world seed ${seed}, ${U} users, ${world.params.movies} movies, ${hist.lines} history lines ` +
      `(${spanDays.toFixed(1)} days); K = ${K} experiments per row; alpha ${alpha}, planned power ${power}, ` +
      `minimum effect ${pp(mde)} (release defaults); kernels ${nativeStatus}`,
  );
  console.log(
    `arm full:  ${fullModel.id} (${fullModel.metrics.rankingModel}) trained on ${rows(full)} events, ` +
      `NDCG@20 ${Number(fullModel.metrics.ndcg20).toFixed(4)}; ranked by the model for ${pct(warm[0]! / U)} of users`,
  );
  console.log(
    `arm tenth: ${partModel.id} (${partModel.metrics.rankingModel}) trained on the first ${partLines} lines ` +
      `(until ${new Date(part.meta.to).toISOString()}), ${rows(part)} events (${pct(rows(part) / rows(full))}), ` +
      `NDCG@20 ${Number(partModel.metrics.ndcg20).toFixed(4)}; ` +
      `ranked by the model for ${pct(warm[1]! / U)} of users`,
  );
  console.log(
    `per-answer watch chance over all ${U} users (simulator choice model): full ${pct(mean(pFull))}, ` +
      `tenth ${pct(mean(pPart))}; reference: oracle top-20 ${pct(oracleSum / U)}; ` +
      `true effect full - tenth = ${pp(effect)} (planned minimum ${pp(mde)})`,
  );
  const predicted = powerAt({ alpha, n: horizon, mde: effect, sd: sdAB });
  console.log(
    `per-user rate sd full ${sd.toFixed(3)}, tenth ${Math.sqrt(pilotPart.variance).toFixed(3)} (pilots of 20000 ` +
      `users) -> fixed horizon ${horizon} users per arm (the serve-time bound sqrt(p(1-p)) at p = ` +
      `${config.release.baselineRate} gives ${usersPerArm({ alpha, power, mde, sd: bound })}); the power formula ` +
      `at the true effect and that horizon predicts ${pct(predicted)}`,
  );

  function fixed(a: Arm, b: Arm, n = horizon): { rejected: number; verdicts: Map<string, number> } {
    const verdicts = new Map<string, number>();
    let rejected = 0;
    for (let k = 0; k < K; k++) {
      const d = decide(summarise(sample(a, n)), summarise(sample(b, n)), { alpha, horizon: n });
      verdicts.set(d.verdict, (verdicts.get(d.verdict) ?? 0) + 1);
      if (d.verdict !== 'no difference') rejected++;
    }
    return { rejected, verdicts };
  }

  const aa = fixed('full', 'full');
  console.log(
    `fixed horizon A/A (full vs full):  false positives ${aa.rejected}/${K} = ${pct(aa.rejected / K)} ` +
      `${ci(aa.rejected, K)}   target <= ${pct(alpha)}`,
  );
  const ab = fixed('full', 'tenth');
  const aWins = ab.verdicts.get('a wins') ?? 0;
  console.log(
    `fixed horizon A/B (full vs tenth): power ${aWins}/${K} = ${pct(aWins / K)} ${ci(aWins, K)}   ` +
      `predicted ${pct(predicted)}; users to decision ${horizon} per arm (fixed); ` +
      `wrong-way verdicts ${ab.verdicts.get('b wins') ?? 0}`,
  );
  // Planned for the measured effect, the power should be the planned one (a model that helps not at all has none).
  if (effect > 0) {
    const planned = usersPerArm({ alpha, power, mde: effect, sd: sdAB });
    const abTrue = fixed('full', 'tenth', planned);
    const aWinsTrue = abTrue.verdicts.get('a wins') ?? 0;
    console.log(
      `fixed horizon A/B planned for the true effect: power ${aWinsTrue}/${K} = ${pct(aWinsTrue / K)} ` +
        `${ci(aWinsTrue, K)}   target ${pct(power)}; users to decision ${planned} per arm (fixed); ` +
        `wrong-way verdicts ${abTrue.verdicts.get('b wins') ?? 0}`,
    );
  } else console.log(`fixed horizon A/B planned for the true effect: none (the full model is not better)`);

  /** mSPRT checked after every `step` users per arm, up to `max`: users per arm at the first rejection (or null). */
  function sequential(a: Arm, b: Arm, step: number, max: number): { rejectedAt: (number | null)[]; wrongWay: number } {
    const rejectedAt: (number | null)[] = [];
    let wrongWay = 0;
    for (let k = 0; k < K; k++) {
      const xs = sample(a, max);
      const ys = sample(b, max);
      let when: number | null = null;
      let sx: Summary | undefined;
      let sy: Summary | undefined;
      for (let n = step; n <= max; n += step) {
        sx = summarise(xs.slice(n - step, n), sx);
        sy = summarise(ys.slice(n - step, n), sy);
        const m = msprt(sx, sy, alpha, mde);
        if (m.reject) {
          when = n;
          if (m.diff > 0 && a !== b) wrongWay++;
          break;
        }
      }
      rejectedAt.push(when);
    }
    return { rejectedAt, wrongWay };
  }
  const median = (xs: number[]): number => {
    const s = [...xs].sort((x, y) => x - y);
    return s.length === 0 ? Number.NaN : s[Math.floor((s.length - 1) / 2)]!;
  };
  const step = 50;
  const max = 3 * horizon;
  const saa = sequential('full', 'full', step, max);
  const alarms = saa.rejectedAt.filter((x) => x !== null).length;
  console.log(
    `mSPRT A/A (full vs full), checked every ${step} users up to ${max}: alarms ${alarms}/${K} = ` +
      `${pct(alarms / K)} ${ci(alarms, K)}   target <= ${pct(alpha)}`,
  );
  const sab = sequential('full', 'tenth', step, max);
  const found = sab.rejectedAt.filter((x): x is number => x !== null);
  console.log(
    `mSPRT A/B (full vs tenth): power ${found.length}/${K} = ${pct(found.length / K)} ${ci(found.length, K)} ` +
      `within ${max} users per arm; median users to decision ${median(found)} per arm ` +
      `(fixed horizon: ${horizon}); wrong-way rejections ${sab.wrongWay}`,
  );
  console.log(
    `(wall: history + ingest ${ingestTime}, training both arms ${trainTime}, ranking and choice chances ` +
      `${scoreTime}, total ${seconds(t0)}; machine shared with other jobs: timings only, no figure above ` +
      `depends on speed)`,
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
