// The native top-K kernel and its TypeScript twin return the same ids, and
// both honour exclusions, the adult mask and the tie rule.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { nativeAvailable, nativeStatus, packItems, topK, topKNative, topKTwin } from '../../native/index';
import { rng } from '../helpers/scoring';

interface Case {
  n: number;
  k: number;
  count: number;
  bias: boolean;
  adult: boolean;
  seed: number;
}

function data(c: Case) {
  const r = rng(c.seed);
  const f = Float32Array.from({ length: c.n * c.k }, () => r() * 2 - 1);
  const bias = c.bias ? Float32Array.from({ length: c.n }, () => (r() - 0.5) / 5) : null;
  const u = Float32Array.from({ length: c.k }, () => r() * 2 - 1);
  const exclude = Uint8Array.from({ length: c.n }, () => (r() < 0.1 ? 1 : 0));
  const flags = Uint8Array.from({ length: c.n }, () => (r() < 0.2 ? 1 : 0));
  return { f, p: packItems(f, c.n, c.k), bias, u, exclude, flags };
}

/** Best-first by exact double-precision scores: the reference both kernels must agree with on random data. */
function reference(d: ReturnType<typeof data>, c: Case): number[] {
  const scored: [number, number][] = [];
  for (let i = 0; i < c.n; i++) {
    if (d.exclude[i] || (c.adult && d.flags[i])) continue;
    let s = d.bias ? d.bias[i]! : 0;
    for (let j = 0; j < c.k; j++) s += d.f[i * c.k + j]! * d.u[j]!;
    scored.push([s, i]);
  }
  return scored
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
    .slice(0, c.count)
    .map((x) => x[1]);
}

const cases: Case[] = [
  { n: 27000, k: 64, count: 20, bias: true, adult: true, seed: 1 },
  { n: 5003, k: 64, count: 50, bias: false, adult: false, seed: 2 },
  { n: 1001, k: 13, count: 20, bias: true, adult: true, seed: 3 },
  { n: 37, k: 8, count: 40, bias: true, adult: false, seed: 4 },
  { n: 100, k: 5, count: 0, bias: true, adult: true, seed: 5 },
];

t.test('the TypeScript twin ranks like an exact reference', async (t) => {
  for (const c of cases) {
    const d = data(c);
    t.same(
      Array.from(topKTwin(d.p, d.bias, d.u, d.exclude, d.flags, c.adult, c.count)),
      reference(d, c),
      `n=${c.n} k=${c.k} count=${c.count}`,
    );
  }
});

t.test('the native kernel returns the same ids as the twin', async (t) => {
  if (!topKNative) {
    t.not(process.env.MOVREC_EXPECT_NATIVE, '1', 'npm test built the native addon, so it must load here');
    t.notOk(nativeAvailable, nativeStatus);
    t.equal(topK, topKTwin, 'without the addon the twin serves');
    return;
  }
  t.match(nativeStatus, /^native/);
  for (const c of cases) {
    const d = data(c);
    const native = Array.from(topKNative(d.p, d.bias, d.u, d.exclude, d.flags, c.adult, c.count));
    t.same(
      native,
      Array.from(topKTwin(d.p, d.bias, d.u, d.exclude, d.flags, c.adult, c.count)),
      `n=${c.n} k=${c.k} count=${c.count}`,
    );
    for (const i of native) {
      t.equal(d.exclude[i], 0, 'no excluded item');
      if (c.adult) t.equal(d.flags[i], 0, 'no adult item for a minor');
    }
  }
});

t.test('ties go to the lower index in both kernels', async (t) => {
  const k = 16;
  const n = 64;
  const row = Float32Array.from({ length: k }, (_, j) => (j % 3) - 1);
  const f = new Float32Array(n * k);
  for (let i = 0; i < n; i++) f.set(row, i * k);
  const u = Float32Array.from({ length: k }, (_, j) => j / k);
  const exclude = new Uint8Array(n);
  exclude[2] = 1;
  const flags = new Uint8Array(n);
  flags[0] = 1;
  const want = [1, 3, 4, 5, 6];
  const p = packItems(f, n, k);
  t.same(Array.from(topKTwin(p, null, u, exclude, flags, true, 5)), want);
  if (topKNative) t.same(Array.from(topKNative(p, null, u, exclude, flags, true, 5)), want);
});

t.test('shape errors are refused by both kernels', async (t) => {
  const f = new Float32Array(10);
  const u = new Float32Array(4);
  const ex = new Uint8Array(3);
  t.throws(
    () => topKTwin(f, null, u, ex, new Uint8Array(3), false, 2),
    /packedItems has 10 floats, expected 64 \(3 items x 4 factors, packed by packItems\)/,
  );
  t.throws(() => packItems(f, 3, 4), /itemFactors has 10 floats, expected 3 items x 4 factors/);
  const p = packItems(new Float32Array(12), 3, 4);
  t.throws(
    () => topKTwin(p, null, u, new Uint8Array(2), new Uint8Array(3), false, 2),
    /itemFlags has 3 entries, expected 2/,
  );
  const native = topKNative;
  if (native) {
    t.throws(
      () => native(f, null, u, ex, new Uint8Array(3), false, 2),
      /packedItems length must equal ceil\(items \/ 16\) x 16 x factors/,
    );
    t.throws(
      () => native(p, null, u, new Uint8Array(2), new Uint8Array(3), false, 2),
      /exclude length must equal the item count/,
    );
  }
});

t.test('MOVREC_NATIVE=0 forces the twin and scoring still works', async (t) => {
  const index = join(__dirname, '..', '..', 'dist', 'native', 'index.js');
  const code = `const n = require(${JSON.stringify(index)});
const packed = n.packItems(new Float32Array([1, 0, 0, 1, 2, 2]), 3, 2);
const ids = n.topK(packed, null, new Float32Array([1, 1]), new Uint8Array(3), new Uint8Array(3), false, 2);
process.stdout.write(JSON.stringify({ available: n.nativeAvailable, status: n.nativeStatus, ids: Array.from(ids) }));`;
  const r = spawnSync(process.execPath, ['-e', code], {
    env: { ...process.env, MOVREC_NATIVE: '0' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  t.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { available: boolean; status: string; ids: number[] };
  t.equal(out.available, false);
  t.match(out.status, /disabled by MOVREC_NATIVE=0/);
  t.same(out.ids, [2, 0]);
});
