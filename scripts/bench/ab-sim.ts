// A/B statistics on the simulator's world: K A/A experiments give the false
// positive rate (target <= alpha), K A/B experiments with a planted worse arm
// give the power (target: the planned power) and the users to a decision,
// for the fixed-horizon Welch test (experiments) and the mSPRT (canary guard).
//
// Where the per-user outcomes come from: a world from src/sim (createWorld),
// two real list makers over it, and the simulator's own choice model. Arm
// "model" answers each user with the oracle's top-20 (true utility: what a
// perfect model would list); arm "popularity" with the 20 most popular titles
// (adult ones removed for minors), the popularity-only baseline. A user's
// chance of watching from a list is the simulator's pickProbability (the same
// function its sessions use to choose); each simulated user gets 1 to 6
// answers (uniform), each a hit with that chance. The "planted" arm b gives
// a share s of its users the popularity list and the rest the oracle's, s
// chosen so that b is worse by exactly release.minEffect: the effect the
// experiments' power calculation plans for.
// Run: npx tsc -p tsconfig.build.json && node dist/scripts/bench/ab-sim.js [--k 400] [--users 20000] [--movies 2000]
import { parseArgs } from 'node:util';
import { defaults } from '../../config/defaults';
import { createWorld, pickProbability } from '../../src/sim';
import { isMinorUser, oracleIndices } from '../../src/sim/truth';
import { decide, msprt, summarise, usersPerArm, type UserCounts } from '../../src/release/stats';

const { values } = parseArgs({
  options: {
    k: { type: 'string', default: '400' },
    users: { type: 'string', default: '20000' },
    movies: { type: 'string', default: '2000' },
    seed: { type: 'string', default: '7' },
  },
});
const K = Number(values.k);
const alpha = defaults.release.alpha;
const power = defaults.release.power;
const mde = defaults.release.minEffect;
const LIST = 20;

/** mulberry32: the bench's own seeded draws. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = Math.imul(s ^ (s >>> 15), 1 | s);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** Wilson 95% interval of a binomial proportion. */
function wilson(x: number, n: number): [number, number] {
  const z = 1.959963985;
  const p = x / n;
  const d = 1 + (z * z) / n;
  const c = p + (z * z) / (2 * n);
  const h = z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return [(c - h) / d, (c + h) / d];
}

const t0 = performance.now();
const world = createWorld({ seed: Number(values.seed), users: Number(values.users), movies: Number(values.movies) });
const at = world.params.start;
const U = world.params.users;
const byPop = Array.from({ length: world.params.movies }, (_, m) => m).sort(
  (a, b) => world.moviePopularity[b]! - world.moviePopularity[a]!,
);
const pModel = new Float64Array(U);
const pPop = new Float64Array(U);
for (let u = 0; u < U; u++) {
  pModel[u] = pickProbability(world, u, oracleIndices(world, u, LIST, undefined, at), undefined, at);
  const minor = isMinorUser(world, u);
  const pop: number[] = [];
  for (const m of byPop) {
    if (minor && world.movieAdult[m]) continue;
    pop.push(m);
    if (pop.length === LIST) break;
  }
  pPop[u] = pickProbability(world, u, pop, undefined, at);
}
const mean = (a: Float64Array): number => a.reduce((s, x) => s + x, 0) / a.length;
const gap = mean(pModel) - mean(pPop);
const share = Math.min(1, mde / gap);

const r = rng(Number(values.seed) + 1);
type Arm = 'model' | 'popularity' | 'planted';
function user(arm: Arm): UserCounts {
  const u = Math.floor(r() * U);
  const p = arm === 'model' ? pModel[u]! : arm === 'popularity' ? pPop[u]! : r() < share ? pPop[u]! : pModel[u]!;
  const answers = 1 + Math.floor(r() * 6);
  let hits = 0;
  for (let i = 0; i < answers; i++) if (r() < p) hits++;
  return { answers, hits };
}
const sample = (arm: Arm, n: number): UserCounts[] => Array.from({ length: n }, () => user(arm));

const pilot = summarise(sample('model', 20000));
const sd = Math.sqrt(pilot.variance);
const horizon = usersPerArm({ alpha, power, mde, sd });
const boundHorizon = usersPerArm({
  alpha,
  power,
  mde,
  sd: Math.sqrt(defaults.release.baselineRate * (1 - defaults.release.baselineRate)),
});

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const ci = (x: number, n: number): string => {
  const [lo, hi] = wilson(x, n);
  return `[${pct(lo)}, ${pct(hi)}]`;
};
console.log(
  `ab-sim: world seed ${values.seed}, ${U} users, ${values.movies} movies; K = ${K} experiments per row; ` +
    `alpha ${alpha}, planned power ${power}, minimum effect ${mde * 100} pp (release defaults)`,
);
console.log(
  `per-answer watch chance (simulator choice model): oracle top-20 ${pct(mean(pModel))}, popularity top-20 ` +
    `${pct(mean(pPop))}; ` +
    `planted arm: popularity for ${pct(share)} of its users (b - a = -${mde * 100} pp)`,
);
console.log(
  `per-user rate sd ${sd.toFixed(3)} (pilot of 20000 users) -> fixed horizon ${horizon} users per arm ` +
    `(the serve-time bound sqrt(p(1-p)) at p = ${defaults.release.baselineRate} gives ${boundHorizon})`,
);

function fixed(a: Arm, b: Arm): { rejected: number; verdicts: Map<string, number> } {
  const verdicts = new Map<string, number>();
  let rejected = 0;
  for (let k = 0; k < K; k++) {
    const d = decide(summarise(sample(a, horizon)), summarise(sample(b, horizon)), { alpha, horizon });
    verdicts.set(d.verdict, (verdicts.get(d.verdict) ?? 0) + 1);
    if (d.verdict !== 'no difference') rejected++;
  }
  return { rejected, verdicts };
}

const aa = fixed('model', 'model');
console.log(
  `fixed horizon A/A (model vs model):          false positives ${aa.rejected}/${K} = ${pct(aa.rejected / K)} ` +
    `${ci(aa.rejected, K)}   target <= ${pct(alpha)}`,
);
const ab = fixed('model', 'planted');
const aWins = ab.verdicts.get('a wins') ?? 0;
console.log(
  `fixed horizon A/B (model vs planted -${mde * 100} pp):  power ${aWins}/${K} = ${pct(aWins / K)} ` +
    `${ci(aWins, K)}   target ${pct(power)}; ` +
    `users to decision ${horizon} per arm (fixed); wrong-way verdicts ${ab.verdicts.get('b wins') ?? 0}`,
);
const big = fixed('model', 'popularity');
console.log(
  `fixed horizon A/B (model vs popularity):      power ${big.verdicts.get('a wins') ?? 0}/${K} = ` +
    `${pct((big.verdicts.get('a wins') ?? 0) / K)}   at ${horizon} users per arm`,
);

/** mSPRT checked after every `step` users per arm, up to `max`: users per arm at the first rejection (or null). */
function sequential(a: Arm, b: Arm, step: number, max: number): { rejectedAt: (number | null)[]; wrongWay: number } {
  const rejectedAt: (number | null)[] = [];
  let wrongWay = 0;
  for (let k = 0; k < K; k++) {
    const xs = sample(a, max);
    const ys = sample(b, max);
    let when: number | null = null;
    for (let n = step; n <= max; n += step) {
      const m = msprt(summarise(xs.slice(0, n)), summarise(ys.slice(0, n)), alpha, mde);
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
const kSeq = K;
const saa = sequential('model', 'model', step, max);
const alarms = saa.rejectedAt.filter((x) => x !== null).length;
console.log(
  `mSPRT A/A, checked every ${step} users up to ${max}: alarms ${alarms}/${kSeq} = ${pct(alarms / kSeq)} ` +
    `${ci(alarms, kSeq)}   target <= ${pct(alpha)}`,
);
const sab = sequential('model', 'planted', step, max);
const found = sab.rejectedAt.filter((x): x is number => x !== null);
console.log(
  `mSPRT A/B (model vs planted -${mde * 100} pp): power ${found.length}/${kSeq} = ${pct(found.length / kSeq)} ` +
    `within ${max} users per arm; ` +
    `median users to decision ${median(found)} per arm (fixed horizon: ${horizon})`,
);
const spop = sequential('model', 'popularity', step, max);
const foundPop = spop.rejectedAt.filter((x): x is number => x !== null);
console.log(
  `mSPRT A/B (model vs popularity):      power ${foundPop.length}/${kSeq} = ${pct(foundPop.length / kSeq)}; ` +
    `median users to decision ${median(foundPop)} per arm`,
);
console.log(
  `(${((performance.now() - t0) / 1000).toFixed(1)} s; machine shared with other jobs: timings only, no figure ` +
    `above depends on speed)`,
);
