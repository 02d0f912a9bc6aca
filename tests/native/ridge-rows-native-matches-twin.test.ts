// The liking head's kernels (one weighted ridge regression per row, and dot products of pairs) agree with
// their TypeScript twins for the factor counts with a vector path (16) and without (13, 32), and the twin
// is right on its own: its solution satisfies the normal equations.
import t from 'tap';
import {
  nativeAvailable,
  nativeStatus,
  pairDots,
  pairDotsNative,
  pairDotsTs,
  ridgeRows,
  ridgeRowsNative,
  ridgeRowsTs,
} from '../../native/index';
import type { RidgeRowsArgs } from '../../native/twins/ridge-rows';
import { fillNormal, rng } from '../../src/model/rng';

function ridgeCase(seed: number, k: number, withPrior: boolean): RidgeRowsArgs {
  const next = rng(seed);
  const rows = 30;
  const cols = 25;
  const indptr = new Uint32Array(rows + 1);
  // Row 4 has no entries: it must come back as its prior (or zero).
  for (let r = 0; r < rows; r++) indptr[r + 1] = indptr[r]! + (r === 4 ? 0 : 1 + Math.floor(next() * 40));
  const n = indptr[rows]!;
  return {
    indptr,
    indices: Uint32Array.from({ length: n }, () => Math.floor(next() * cols)),
    target: Float32Array.from({ length: n }, () => next() * 4 - 2),
    weight: Float32Array.from({ length: n }, () => 0.5 + next() * 2),
    y: fillNormal(new Float32Array(cols * k), 0.5, next),
    prior: withPrior ? fillNormal(new Float32Array(rows * k), 0.3, next) : null,
    x: new Float32Array(rows * k),
    k,
    reg: 0.7,
  };
}

t.test('the twin solves the normal equations of every row', async (t) => {
  const a = ridgeCase(5, 6, true);
  ridgeRowsTs(a);
  const { k } = a;
  for (let r = 0; r < a.indptr.length - 1; r++) {
    for (let p = 0; p < k; p++) {
      // (Σ w y yᵀ + reg I) x = Σ w t y + reg prior, row p of it.
      let lhs = a.reg * a.x[r * k + p]!;
      let rhs = a.reg * a.prior![r * k + p]!;
      for (let e = a.indptr[r]!; e < a.indptr[r + 1]!; e++) {
        const y = a.y.subarray(a.indices[e]! * k, a.indices[e]! * k + k);
        let yx = 0;
        for (let q = 0; q < k; q++) yx += y[q]! * a.x[r * k + q]!;
        lhs += a.weight[e]! * y[p]! * yx;
        rhs += a.weight[e]! * a.target[e]! * y[p]!;
      }
      t.ok(Math.abs(lhs - rhs) < 1e-3 * Math.max(1, Math.abs(rhs)), `row ${r} equation ${p}`);
    }
  }
  t.same(
    Array.from(a.x.subarray(4 * k, 5 * k)),
    Array.from(a.prior!.subarray(4 * k, 5 * k)),
    'an empty row is its prior',
  );
});

t.test('the native kernels agree with their twins', async (t) => {
  if (!ridgeRowsNative || !pairDotsNative) {
    t.not(process.env.MOVREC_EXPECT_NATIVE, '1', 'npm test built the native addon, so it must load here');
    t.notOk(nativeAvailable && ridgeRowsNative && pairDotsNative, nativeStatus);
    t.equal(ridgeRows, ridgeRowsTs, 'without the addon the twin solves');
    t.equal(pairDots, pairDotsTs);
    return;
  }
  for (const k of [13, 16, 32]) {
    for (const withPrior of [false, true]) {
      const a = ridgeCase(11 + k, k, withPrior);
      const b = { ...a, x: new Float32Array(a.x.length) };
      ridgeRowsNative(a);
      ridgeRowsTs(b);
      const diff = a.x.reduce((m, v, i) => Math.max(m, Math.abs(v - b.x[i]!) / Math.max(1, Math.abs(b.x[i]!))), 0);
      t.ok(diff < 1e-4, `k=${k}${withPrior ? ' with a prior' : ''}: relative difference ${diff.toExponential(2)}`);
    }
    const next = rng(k);
    const n = 200;
    const users = Uint32Array.from({ length: n }, () => Math.floor(next() * 20));
    const items = Uint32Array.from({ length: n }, () => Math.floor(next() * 30));
    const u = fillNormal(new Float32Array(20 * k), 1, next);
    const q = fillNormal(new Float32Array(30 * k), 1, next);
    const x = new Float32Array(n);
    const y = new Float32Array(n);
    pairDotsNative(users, items, u, q, k, x);
    pairDotsTs(users, items, u, q, k, y);
    t.ok(
      x.every((v, m) => Math.abs(v - y[m]!) < 1e-4 * Math.max(1, Math.abs(y[m]!))),
      `k=${k}: pair dot products agree`,
    );
  }
  const native = ridgeRowsNative;
  t.throws(
    () => native({ ...ridgeCase(1, 4, false), indices: Uint32Array.of(99) }),
    /lengths disagree|out of range/,
    'a bad index is refused, not read out of bounds',
  );
});
