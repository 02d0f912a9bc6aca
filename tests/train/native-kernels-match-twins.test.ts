// The native training kernels (SGD epoch, ALS half-step, Gram matrix) agree
// with their TypeScript twins from the same seed, and the twins are right on
// their own: SGD lowers the loss, CG solves the implicit-ALS normal equations.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import {
  alsHalf,
  alsHalfNative,
  alsHalfTs,
  gram,
  gramNative,
  gramTs,
  nativeAvailable,
  nativeStatus,
  sgdEpochs,
  sgdEpochsNative,
  sgdEpochsTs,
  sgdEpochTs,
} from '../../native/index';
import type { SgdEpochArgs } from '../../native/twins/train-sgd';
import { fillNormal, identity, rng, shuffle } from '../../src/model/rng';

const maxDiff = (a: Float32Array, b: Float32Array): number =>
  a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0);

function sgdCase(seed: number, k: number): SgdEpochArgs {
  const next = rng(seed);
  const nU = 40;
  const nI = 30;
  const n = 500;
  const user = Uint32Array.from({ length: n }, () => Math.floor(next() * nU));
  const item = Uint32Array.from({ length: n }, () => Math.floor(next() * nI));
  const value = Float32Array.from({ length: n }, () => 1 + Math.floor(next() * 5));
  return {
    user,
    item,
    value,
    order: shuffle(identity(n), next),
    userFactors: fillNormal(new Float32Array(nU * k), 0.1, next),
    itemFactors: fillNormal(new Float32Array(nI * k), 0.1, next),
    userBias: new Float32Array(nU),
    itemBias: new Float32Array(nI),
    k,
    globalMean: 3,
    lr: 0.01,
    reg: 0.02,
  };
}

const copy = (a: SgdEpochArgs): SgdEpochArgs => ({
  ...a,
  userFactors: a.userFactors.slice(),
  itemFactors: a.itemFactors.slice(),
  userBias: a.userBias.slice(),
  itemBias: a.itemBias.slice(),
});

function alsCase(seed: number, k: number) {
  const next = rng(seed);
  const rows = 25;
  const cols = 20;
  const indptr = new Uint32Array(rows + 1);
  const indices: number[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) if (next() < 0.3) indices.push(c);
    indptr[r + 1] = indices.length;
  }
  return {
    indptr,
    indices: Uint32Array.from(indices),
    confMinusOne: Float32Array.from(indices, () => 10 * next()),
    x: fillNormal(new Float32Array(rows * k), 0.1, next),
    y: fillNormal(new Float32Array(cols * k), 0.5, next),
    rows,
    cols,
    k,
    reg: 0.1,
  };
}

t.test('the biases take their own step and penalty when given', async (t) => {
  const frozen = { ...sgdCase(2, 8), biasLr: 0 };
  sgdEpochTs(frozen);
  t.ok(
    frozen.userBias.every((x) => x === 0) && frozen.itemBias.every((x) => x === 0),
    'a zero bias step leaves them at 0',
  );
  t.ok(
    frozen.userFactors.some((x, i) => x !== sgdCase(2, 8).userFactors[i]),
    'while the factors still move',
  );
  if (sgdEpochsNative) {
    const n = { ...sgdCase(2, 8), biasLr: 0, epochs: 2, lrDecay: 1 };
    sgdEpochsNative(n);
    t.ok(n.userBias.every((x) => x === 0) && n.itemBias.every((x) => x === 0), 'native: the same');
  }
});

t.test('an SGD epoch lowers the training loss (twin)', async (t) => {
  const a = sgdCase(1, 8);
  const first = sgdEpochTs(a);
  let last = first;
  for (let e = 0; e < 20; e++) last = sgdEpochTs(a);
  t.ok(last < first * 0.85, `sse ${first.toFixed(1)} -> ${last.toFixed(1)}`);
});

t.test('CG with k steps solves the implicit-ALS normal equations exactly (twin)', async (t) => {
  const c = alsCase(2, 4);
  const yty = gramTs(c.y, c.cols, c.k);
  alsHalfTs({ ...c, yty, cgSteps: 20 });
  // Check A x = b for row 0 in double precision.
  const k = c.k;
  for (const r of [0, 7]) {
    const A = Array.from({ length: k }, (_, a) =>
      Array.from({ length: k }, (_, b) => yty[a * k + b]! + (a === b ? c.reg : 0)),
    );
    const b = new Array<number>(k).fill(0);
    for (let n = c.indptr[r]!; n < c.indptr[r + 1]!; n++) {
      const y = c.y.subarray(c.indices[n]! * k, c.indices[n]! * k + k);
      const cm = c.confMinusOne[n]!;
      for (let i = 0; i < k; i++) {
        b[i]! += (cm + 1) * y[i]!;
        for (let j = 0; j < k; j++) A[i]![j]! += cm * y[i]! * y[j]!;
      }
    }
    const x = c.x.subarray(r * k, r * k + k);
    for (let i = 0; i < k; i++) {
      const ax = A[i]!.reduce((s, v, j) => s + v * x[j]!, 0);
      t.ok(
        Math.abs(ax - b[i]!) < 1e-3 * Math.max(1, Math.abs(b[i]!)),
        `row ${r} equation ${i}: ${ax.toFixed(5)} = ${b[i]!.toFixed(5)}`,
      );
    }
  }
});

t.test('the native SGD, ALS and Gram kernels agree with their twins from the same seed', async (t) => {
  if (!sgdEpochsNative || !alsHalfNative || !gramNative) {
    t.not(process.env.MOVREC_EXPECT_NATIVE, '1', 'npm test built the native addon, so it must load here');
    t.notOk(nativeAvailable && sgdEpochsNative && alsHalfNative && gramNative, nativeStatus);
    t.equal(sgdEpochs, sgdEpochsTs, 'without the addon the SGD twin trains');
    t.equal(alsHalf, alsHalfTs);
    t.equal(gram, gramTs);
    return;
  }
  // 16, 48 and 64 take the AVX-512 path that keeps rows in registers, where built; 8 and 13 the general one.
  for (const k of [8, 13, 16, 48, 64]) {
    // k=13 also gives the biases a step and penalty of their own.
    const a = { ...sgdCase(3 + k, k), ...(k === 13 ? { biasLr: 0.003, biasReg: 0.2 } : {}) };
    const b = copy(a);
    // Three epochs in one call, the step shrinking by lrDecay each epoch.
    const sn = sgdEpochsNative({ ...a, epochs: 3, lrDecay: 0.9 });
    const st = sgdEpochsTs({ ...b, epochs: 3, lrDecay: 0.9 });
    t.equal(sn.length, 3, 'one sum of squared errors per epoch');
    for (let e = 0; e < 3; e++)
      t.ok(
        Math.abs(sn[e]! - st[e]!) < 1e-3 * st[e]!,
        `k=${k} epoch ${e}: sse ${sn[e]!.toFixed(4)} vs ${st[e]!.toFixed(4)}`,
      );
    t.ok(maxDiff(a.userFactors, b.userFactors) < 1e-4, `k=${k}: user factors agree`);
    t.ok(maxDiff(a.itemFactors, b.itemFactors) < 1e-4, `k=${k}: item factors agree`);
    t.ok(maxDiff(a.userBias, b.userBias) < 1e-4 && maxDiff(a.itemBias, b.itemBias) < 1e-4, `k=${k}: biases agree`);

    const c = alsCase(4 + k, k);
    const gN = gramNative(c.y, c.cols, k);
    const gT = gramTs(c.y, c.cols, k);
    t.ok(maxDiff(gN, gT) < 1e-5, `k=${k}: Gram matrices agree`);
    const xn = c.x.slice();
    const xt = c.x.slice();
    alsHalfNative({ ...c, x: xn, yty: gT, cgSteps: 3 });
    alsHalfTs({ ...c, x: xt, yty: gT, cgSteps: 3 });
    t.ok(maxDiff(xn, xt) < 1e-3, `k=${k}: ALS factors agree (max diff ${maxDiff(xn, xt).toExponential(2)})`);
  }
  const native = sgdEpochsNative;
  t.throws(
    () => native({ ...sgdCase(9, 8), order: Uint32Array.from([100000]), epochs: 1, lrDecay: 1 }),
    /out of range/,
  );
});

t.test('native SGD trains factor arrays at any alignment and writes them back', async (t) => {
  const native = sgdEpochsNative;
  if (!native) {
    t.not(process.env.MOVREC_EXPECT_NATIVE, '1', 'npm test built the native addon, so it must load here');
    t.pass(`no addon (${nativeStatus}): nothing native to align`);
    return;
  }
  const want = copy(sgdCase(11, 64));
  sgdEpochsTs({ ...want, epochs: 2, lrDecay: 1 });
  // Views 0..15 floats into a buffer cover every offset from a 64-byte line, so both the
  // in-place path and the aligned-copy path run; each must hand back the trained factors.
  for (let shift = 0; shift < 16; shift++) {
    const a = copy(sgdCase(11, 64));
    const view = (x: Float32Array): Float32Array => {
      const v = new Float32Array(new ArrayBuffer((x.length + 16) * 4), shift * 4, x.length);
      v.set(x);
      return v;
    };
    const got = { ...a, userFactors: view(a.userFactors), itemFactors: view(a.itemFactors) };
    native({ ...got, epochs: 2, lrDecay: 1 });
    t.ok(
      maxDiff(got.userFactors, want.userFactors) < 1e-4 && maxDiff(got.itemFactors, want.itemFactors) < 1e-4,
      `offset ${shift * 4} bytes: trained factors written back`,
    );
  }
});

t.test('MOVREC_NATIVE=0: MF trains with the twins and lands on the same factors', async (t) => {
  const dist = join(__dirname, '..', '..', 'dist');
  const code = `const { MfSgd } = require(${JSON.stringify(join(dist, 'src', 'model', 'mf-sgd.js'))});
const { syntheticDataset } = require(${JSON.stringify(join(dist, 'src', 'model', 'synthetic.js'))});
const { nativeStatus } = require(${JSON.stringify(join(dist, 'native', 'index.js'))});
const m = new MfSgd({ factors: 8, epochs: 3, seed: 5 });
m.fit(syntheticDataset({ users: 60, items: 40 }));
process.stdout.write(JSON.stringify({ status: nativeStatus, q: Array.from(m.serving().itemFactors.slice(0, 16)) }));`;
  const run = (env: NodeJS.ProcessEnv) => {
    const r = spawnSync(process.execPath, ['-e', code], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });
    t.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as { status: string; q: number[] };
  };
  const twin = run({ MOVREC_NATIVE: '0' });
  t.match(twin.status, /disabled by MOVREC_NATIVE=0/);
  const either = run({});
  const diff = twin.q.reduce((m, x, i) => Math.max(m, Math.abs(x - either.q[i]!)), 0);
  t.ok(diff < 1e-3, `factors agree across ${either.status} and the twins (max diff ${diff.toExponential(2)})`);
});
