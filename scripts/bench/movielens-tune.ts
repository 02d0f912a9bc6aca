// Benchmark: the MovieLens MF settings chosen on validation data only. Holds out
// 20% of u1.base and of u3.base (seed 9), fits each setting of a small grid
// (epochs × learning rate × per-epoch decay) on the rest, and prints the mean
// validation RMSE and fit CPU time beside the shipped MOVIELENS_MF's in the same
// run; then names the cheapest setting whose validation RMSE is no worse than
// the shipped one's. The test folds are never read.
// Run: npx tsc -p tsconfig.build.json && node dist/scripts/bench/movielens-tune.js [--dir DIR]
// (DIR holds u1.base..u5.test; scripts/bench/movielens-vs-surprise.py writes one from recbole's wheel
// into ~/.cache/movrec/recbole/u-format, the default).
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Dataset } from '../../src/domain/dataset';
import { median, MOVIELENS_MF } from '../../src/eval/movielens-bench';
import { readMovieLens } from '../../src/eval/movielens';
import { MfSgd, type MfOptions } from '../../src/model/mf-sgd';
import { rng } from '../../src/model/rng';

const { values } = parseArgs({
  options: { dir: { type: 'string', default: join(homedir(), '.cache', 'movrec', 'recbole', 'u-format') } },
});
const VALIDATION_SHARE = 0.2;
const VALIDATION_SEED = 9;
/** Repeated fits per setting; the CPU figure is their median. */
const REPEATS = 5;

/** A fold's training set split in two: the fit rows and the held-out validation rows. */
function holdOut(train: Dataset): { fit: Dataset; validation: Dataset } {
  const r = train.ratings;
  const next = rng(VALIDATION_SEED);
  const held = new Uint8Array(r.value.length).map(() => (next() < VALIDATION_SHARE ? 1 : 0));
  const rows = (keep: number): Dataset['ratings'] => {
    const idx: number[] = [];
    for (let n = 0; n < held.length; n++) if (held[n] === keep) idx.push(n);
    return {
      user: Uint32Array.from(idx, (n) => r.user[n]!),
      item: Uint32Array.from(idx, (n) => r.item[n]!),
      value: Float32Array.from(idx, (n) => r.value[n]!),
      time: Float64Array.from(idx, (n) => r.time[n]!),
    };
  };
  return { fit: { ...train, ratings: rows(0) }, validation: { ...train, ratings: rows(1) } };
}

const ml = readMovieLens(values.dir);
const splits = [1, 3].map((n) => holdOut(ml.fold(n).train));

function measure(opts: Partial<MfOptions>): { rmse: number; cpuMs: number } {
  let rmse = 0;
  const cpu: number[] = [];
  for (const { fit, validation } of splits) {
    let model = new MfSgd(opts);
    for (let rep = 0; rep < REPEATS; rep++) {
      model = new MfSgd(opts);
      const c0 = process.cpuUsage();
      model.fit(fit);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
    }
    const v = validation.ratings;
    let se = 0;
    for (let n = 0; n < v.value.length; n++) se += (model.predict(v.user[n]!, v.item[n]!) - v.value[n]!) ** 2;
    rmse += Math.sqrt(se / v.value.length) / splits.length;
  }
  return { rmse, cpuMs: median(cpu) };
}

// Warm the JIT and the addon before anything is timed.
for (let n = 0; n < 3; n++) new MfSgd(MOVIELENS_MF).fit(splits[0]!.fit);
const shipped = measure(MOVIELENS_MF);
process.stdout.write(
  `validation: ${VALIDATION_SHARE * 100}% of u1.base and u3.base held out (seed ${VALIDATION_SEED}); ` +
    `fit CPU is the median of ${REPEATS * splits.length} fits\n` +
    `shipped MOVIELENS_MF ${JSON.stringify(MOVIELENS_MF)}: validation RMSE ${shipped.rmse.toFixed(4)}, ` +
    `fit ${shipped.cpuMs.toFixed(1)} ms CPU\n\n` +
    `${['epochs', 'lr', 'decay'].map((h) => h.padStart(6)).join(' ')} ${'RMSE'.padStart(7)} ${'CPU ms'.padStart(7)}\n`,
);
let best: { opts: Partial<MfOptions>; rmse: number; cpuMs: number } | null = null;
for (const epochs of [8, 10, 12, 15, 20])
  for (const lr of [0.025, 0.035, 0.05])
    for (const lrDecay of [1, 0.92]) {
      const opts = { ...MOVIELENS_MF, epochs, lr, lrDecay };
      const m = measure(opts);
      const ok = m.rmse <= shipped.rmse;
      process.stdout.write(
        `${String(epochs).padStart(6)} ${lr.toFixed(3).padStart(6)} ${lrDecay.toFixed(2).padStart(6)} ` +
          `${m.rmse.toFixed(4).padStart(7)} ${m.cpuMs.toFixed(1).padStart(7)}${ok ? '  <= shipped' : ''}\n`,
      );
      if (ok && (!best || epochs < best.opts.epochs! || (epochs === best.opts.epochs && m.rmse < best.rmse)))
        best = { opts, ...m };
    }
process.stdout.write(
  best
    ? `\ncheapest setting no worse than shipped on validation: epochs ${best.opts.epochs}, lr ${best.opts.lr}, ` +
        `decay ${best.opts.lrDecay}: RMSE ${best.rmse.toFixed(4)} (shipped ${shipped.rmse.toFixed(4)}), ` +
        `fit ${best.cpuMs.toFixed(1)} ms CPU (shipped ${shipped.cpuMs.toFixed(1)})\n`
    : '\nno setting in the grid is as good as the shipped one on validation\n',
);
