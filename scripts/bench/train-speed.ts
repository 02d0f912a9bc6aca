// Benchmark: training speed at full size (default 1M users, 27,000 movies,
// 20M ratings + watches, synthetic with planted rank-8 taste and Zipf
// popularity): per model, wall time, SGD updates per second on one core (MF),
// and peak RSS. Each model runs in its own child process so that peak memory
// is that model's. The reference beside each figure: the same kernel's
// TypeScript twin on a 1M-update slice, in the same run.
// Run: npx tsc -p tsconfig.build.json && node native/build.js && node dist/scripts/bench/train-speed.js [--users N
// --movies N --events N --models mf,mf-demographic,ials,ials-recent,ials-liking,segment-popularity,trend-popularity,
// item-knn]
// The machine may be shared with other work: figures are noisy.
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import type { Dataset } from '../../src/domain/dataset';
import { Ials } from '../../src/model/ials';
import { ImplicitLiking } from '../../src/model/ials-liking';
import { ItemKnn } from '../../src/model/item-knn';
import { DemographicMf } from '../../src/model/mf-demographic';
import { MfSgd } from '../../src/model/mf-sgd';
import { Popularity } from '../../src/model/popularity';
import { IALS_RECENT, TREND_POPULARITY } from '../../src/model/candidates';
import type { Recommender } from '../../src/model/recommender';
import { fillNormal, identity, rng } from '../../src/model/rng';
import { nativeStatus } from '../../src/model/kernels';
import { sgdEpochTs } from '../../native/twins/train-sgd';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '1000000' },
    movies: { type: 'string', default: '27000' },
    events: { type: 'string', default: '20000000' },
    models: { type: 'string', default: 'mf,ials,segment-popularity' },
    factors: { type: 'string', default: '64' },
    'mf-epochs': { type: 'string', default: '20' },
    'ials-epochs': { type: 'string', default: '3' },
    child: { type: 'string' },
  },
});
const USERS = Number(values.users);
const MOVIES = Number(values.movies);
const EVENTS = Number(values.events);
const K = Number(values.factors);

/** ~1/3 of events are ratings (which also count as watched), the rest watches; typed arrays throughout. */
function generate(): Dataset {
  const next = rng(11);
  const rank = 8;
  const U = fillNormal(new Float32Array(USERS * rank), 1 / Math.sqrt(rank), next);
  const V = fillNormal(new Float32Array(MOVIES * rank), 1, next);
  const cum = new Float64Array(MOVIES);
  let total = 0;
  for (let i = 0; i < MOVIES; i++) cum[i] = total += 1 / (i + 1) ** 0.9;
  const nR = Math.floor(EVENTS / 3);
  const nW = EVENTS - nR;
  const mk = (n: number) => ({
    user: new Uint32Array(n),
    item: new Uint32Array(n),
    v: new Float32Array(n),
    time: new Float64Array(n),
  });
  const r = mk(nR);
  const w = mk(nW);
  const start = Date.UTC(2026, 0, 1);
  const fill = (t: ReturnType<typeof mk>, rating: boolean) => {
    for (let n = 0; n < t.user.length; n++) {
      const u = Math.floor(next() * USERS);
      const x = next() * total;
      let lo = 0;
      let hi = MOVIES - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (cum[mid]! < x) lo = mid + 1;
        else hi = mid;
      }
      let dot = 0;
      for (let f = 0; f < rank; f++) dot += U[u * rank + f]! * V[lo * rank + f]!;
      t.user[n] = u;
      t.item[n] = lo;
      t.v[n] = rating
        ? Math.min(5, Math.max(1, Math.round(3.5 + dot + 0.5 * (next() - 0.5))))
        : Math.min(1, Math.max(0.05, 0.5 + 0.3 * dot));
      t.time[n] = start + next() * 30 * 86400_000;
    }
  };
  fill(r, true);
  fill(w, false);
  return {
    userIds: identity(USERS).map((u) => u + 1),
    itemIds: Array.from({ length: MOVIES }, (_, i) => `m${i}`),
    ratings: { user: r.user, item: r.item, value: r.v, time: r.time },
    watches: { user: w.user, item: w.item, fraction: w.v, time: w.time },
    users: new Array(USERS).fill(null),
    adult: new Uint8Array(MOVIES),
    ratingMax: 5,
    meta: { source: 'synthetic full size', from: start, to: start + 30 * 86400_000, hash: 'bench' },
  };
}

function child(kind: string): void {
  const t0 = process.hrtime.bigint();
  const ds = generate();
  const genSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const base = process.memoryUsage().rss;
  let model: Recommender;
  if (kind === 'mf') model = new MfSgd({ factors: K, epochs: Number(values['mf-epochs']), lr: 0.007, reg: 0.05 });
  else if (kind === 'ials') model = new Ials({ factors: K, epochs: Number(values['ials-epochs']) });
  else if (kind === 'ials-recent') model = new Ials({ epochs: Number(values['ials-epochs']), ...IALS_RECENT });
  else if (kind === 'mf-demographic') model = new DemographicMf();
  else if (kind === 'ials-liking')
    model = new ImplicitLiking({ base: { epochs: Number(values['ials-epochs']), ...IALS_RECENT } });
  else if (kind === 'item-knn') model = new ItemKnn();
  else if (kind === 'segment-popularity') model = new Popularity({ bySegment: true });
  else if (kind === 'trend-popularity') model = new Popularity(TREND_POPULARITY);
  else
    throw new Error(
      `unknown model ${kind} (mf, mf-demographic, ials, ials-recent, ials-liking, item-knn, segment-popularity, ` +
        'trend-popularity)',
    );
  const epochs: number[] = [];
  let last = process.hrtime.bigint();
  const f0 = last;
  const c0 = process.cpuUsage();
  model.fit(ds, () => {
    const now = process.hrtime.bigint();
    epochs.push(Number(now - last) / 1e9);
    last = now;
  });
  const fit = Number(process.hrtime.bigint() - f0) / 1e9;
  const cpu = process.cpuUsage(c0);
  const updates = kind === 'mf' ? ds.ratings.value.length * epochs.length : 0;
  process.stdout.write(
    `${JSON.stringify({
      kind,
      genSeconds,
      fitSeconds: fit,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      epochs: epochs.length,
      meanEpochSeconds: epochs.reduce((a, b) => a + b, 0) / Math.max(1, epochs.length),
      updates,
      baseRss: base,
      peakRss: process.resourceUsage().maxRSS * 1024,
    })}\n`,
  );
}

/**
 * The TypeScript twin's SGD rate (per CPU second, like the model's) on a 1M-update slice of the same shape, as the
 * reference.
 */
function twinRate(): number {
  const next = rng(3);
  const n = 1_000_000;
  const users = Math.min(USERS, 100_000);
  const a = {
    user: Uint32Array.from({ length: n }, () => Math.floor(next() * users)),
    item: Uint32Array.from({ length: n }, () => Math.floor(next() * MOVIES)),
    value: Float32Array.from({ length: n }, () => 1 + Math.floor(next() * 5)),
    order: identity(n),
    userFactors: fillNormal(new Float32Array(users * K), 0.1, next),
    itemFactors: fillNormal(new Float32Array(MOVIES * K), 0.1, next),
    userBias: new Float32Array(users),
    itemBias: new Float32Array(MOVIES),
    k: K,
    globalMean: 3.5,
    lr: 0.007,
    reg: 0.05,
  };
  sgdEpochTs(a);
  const c0 = process.cpuUsage();
  sgdEpochTs(a);
  const c = process.cpuUsage(c0);
  return n / ((c.user + c.system) / 1e6);
}

if (values.child) child(values.child);
else {
  process.stdout.write(
    `train speed: ${USERS} users, ${MOVIES} movies, ${EVENTS} events (1/3 ratings), ${K} factors; ` +
      `kernels: ${nativeStatus}\n`,
  );
  process.stdout.write('(each model in its own process; the machine may be shared, so figures are noisy)\n');
  for (const kind of values.models!.split(',')) {
    const args = [
      __filename,
      '--child',
      kind,
      '--users',
      values.users!,
      '--movies',
      values.movies!,
      '--events',
      values.events!,
      '--factors',
      values.factors!,
      '--mf-epochs',
      values['mf-epochs']!,
      '--ials-epochs',
      values['ials-epochs']!,
    ];
    const r = spawnSync(process.execPath, ['--max-old-space-size=16384', ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (r.status !== 0) {
      process.stdout.write(`${kind}: failed (exit ${r.status})\n`);
      continue;
    }
    const s = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
      fitSeconds: number;
      cpuSeconds: number;
      epochs: number;
      meanEpochSeconds: number;
      updates: number;
      peakRss: number;
      baseRss: number;
      genSeconds: number;
    };
    const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
    let line =
      `${kind.padEnd(12)} fit ${s.fitSeconds.toFixed(1)} s wall (${s.cpuSeconds.toFixed(1)} ` +
      `s CPU), ${s.epochs} epoch(s), ${s.meanEpochSeconds.toFixed(2)} s/epoch, peak RSS ` +
      `${mib(s.peakRss)} (data alone ${mib(s.baseRss)}; generated in ${s.genSeconds.toFixed(1)} s)`;
    if (s.updates > 0)
      line +=
        `\n${''.padEnd(12)} SGD ${(s.updates / s.cpuSeconds / 1e6).toFixed(2)} M updates/s per ` +
        `core   beside the TypeScript twin: ${(twinRate() / 1e6).toFixed(2)} M updates/s`;
    process.stdout.write(`${line}\n`);
  }
}
