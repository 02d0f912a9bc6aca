// The batched top-K kernel (many users in one pass over the item matrix)
// returns, for each user, exactly the ids the single-user kernel returns,
// natively and in the TypeScript twin, with per-user exclusions and adult masks.
import t from 'tap';
import { packItems, topKBatch, topKBatchNative, topKBatchTwin, topKNative, topKTwin } from '../../native/index';
import { rng } from '../helpers/scoring';

interface Case {
  n: number;
  k: number;
  users: number;
  count: number;
  bias: boolean;
  seed: number;
}

function data(c: Case) {
  const r = rng(c.seed);
  const f = Float32Array.from({ length: c.n * c.k }, () => r() * 2 - 1);
  const bias = c.bias ? Float32Array.from({ length: c.n }, () => (r() - 0.5) / 5) : null;
  const u = Float32Array.from({ length: c.users * c.k }, () => r() * 2 - 1);
  const exclude = Uint8Array.from({ length: c.users * c.n }, () => (r() < 0.1 ? 1 : 0));
  const flags = Uint8Array.from({ length: c.n }, () => (r() < 0.2 ? 1 : 0));
  const adult = Uint8Array.from({ length: c.users }, () => (r() < 0.5 ? 1 : 0));
  return { p: packItems(f, c.n, c.k), bias, u, exclude, flags, adult };
}

type Single = typeof topKTwin;

/** Each user's row from the single-user kernel, padded with -1 to `count` like the batched answer. */
function oneByOne(single: Single, d: ReturnType<typeof data>, c: Case): number[][] {
  return Array.from({ length: c.users }, (_, b) => {
    const ids = Array.from(
      single(
        d.p,
        d.bias,
        d.u.subarray(b * c.k, (b + 1) * c.k),
        d.exclude.subarray(b * c.n, (b + 1) * c.n),
        d.flags,
        d.adult[b] === 1,
        c.count,
      ),
    );
    return [...ids, ...new Array<number>(c.count - ids.length).fill(-1)];
  });
}

function rows(out: Int32Array, c: Case): number[][] {
  return Array.from({ length: c.users }, (_, b) => Array.from(out.subarray(b * c.count, (b + 1) * c.count)));
}

// Tiles of eight users plus remainders of 4, 2 and 1, item counts that end
// inside a 16-item block, odd block counts (the two-block step's last single
// block), a chunk boundary inside the item range, and fewer allowed items than `count`.
const cases: Case[] = [
  { n: 27000, k: 64, users: 32, count: 20, bias: true, seed: 11 },
  { n: 5003, k: 64, users: 13, count: 50, bias: false, seed: 12 },
  { n: 1001, k: 13, users: 9, count: 20, bias: true, seed: 13 },
  { n: 130, k: 5, users: 8, count: 20, bias: true, seed: 14 },
  { n: 37, k: 8, users: 3, count: 40, bias: true, seed: 15 },
  { n: 200, k: 16, users: 1, count: 20, bias: false, seed: 16 },
  { n: 100, k: 5, users: 4, count: 0, bias: true, seed: 17 },
];

t.test('the twin batch equals the twin one user at a time', async (t) => {
  for (const c of cases) {
    const d = data(c);
    t.same(
      rows(topKBatchTwin(d.p, d.bias, d.u, d.exclude, d.flags, d.adult, c.count), c),
      oneByOne(topKTwin, d, c),
      `n=${c.n} k=${c.k} users=${c.users}`,
    );
  }
});

t.test('the native batch equals the native single kernel and the twin', async (t) => {
  if (!topKBatchNative || !topKNative) {
    t.not(process.env.MOVREC_EXPECT_NATIVE, '1', 'npm test built the native addon, so it must load here');
    t.equal(topKBatch, topKBatchTwin, 'without the addon the twin serves');
    return;
  }
  for (const c of cases) {
    const d = data(c);
    const batch = rows(topKBatchNative(d.p, d.bias, d.u, d.exclude, d.flags, d.adult, c.count), c);
    t.same(batch, oneByOne(topKNative, d, c), `native batch = native single, n=${c.n} k=${c.k} users=${c.users}`);
    t.same(batch, oneByOne(topKTwin, d, c), `native batch = twin, n=${c.n} k=${c.k} users=${c.users}`);
    for (let b = 0; b < c.users; b++) {
      for (const i of batch[b]!.filter((x) => x >= 0)) {
        t.equal(d.exclude[b * c.n + i], 0, 'no item excluded for this user');
        if (d.adult[b]) t.equal(d.flags[i], 0, 'no adult item for a minor');
      }
    }
  }
});

t.test('ties go to the lower index for every user of a batch', async (t) => {
  const k = 16;
  const n = 70;
  const users = 9;
  const row = Float32Array.from({ length: k }, (_, j) => (j % 3) - 1);
  const f = new Float32Array(n * k);
  for (let i = 0; i < n; i++) f.set(row, i * k);
  const u = new Float32Array(users * k);
  for (let b = 0; b < users; b++)
    u.set(
      Float32Array.from({ length: k }, (_, j) => j / k),
      b * k,
    );
  const exclude = new Uint8Array(users * n);
  for (let b = 0; b < users; b++) exclude[b * n + b] = 1;
  const flags = new Uint8Array(n);
  flags[0] = 1;
  const adult = Uint8Array.from({ length: users }, (_, b) => b % 2);
  const want = (b: number) =>
    Array.from({ length: n }, (_, i) => i)
      .filter((i) => i !== b && !(adult[b] && i === 0))
      .slice(0, 5);
  const expected = Array.from({ length: users }, (_, b) => want(b));
  const c = { n, k, users, count: 5, bias: false, seed: 0 };
  const p = packItems(f, n, k);
  t.same(rows(topKBatchTwin(p, null, u, exclude, flags, adult, 5), c), expected);
  if (topKBatchNative) t.same(rows(topKBatchNative(p, null, u, exclude, flags, adult, 5), c), expected);
});

t.test('shape errors are refused by both batched kernels', async (t) => {
  const f = packItems(new Float32Array(12), 3, 4);
  const u = new Float32Array(8);
  const adult = new Uint8Array(2);
  t.throws(
    () => topKBatchTwin(f, null, u, new Uint8Array(5), new Uint8Array(3), adult, 2),
    /exclude has 5 bytes, expected 2 users x 3 items/,
  );
  t.throws(
    () => topKBatchTwin(f, null, new Float32Array(7), new Uint8Array(6), new Uint8Array(3), adult, 2),
    /not a multiple of 2 users/,
  );
  const native = topKBatchNative;
  if (native) {
    t.throws(
      () => native(f, null, u, new Uint8Array(5), new Uint8Array(3), adult, 2),
      /exclude length must equal users x items/,
    );
    t.throws(
      () => native(f, null, new Float32Array(7), new Uint8Array(6), new Uint8Array(3), adult, 2),
      /userVecs length must be users x factors/,
    );
  }
});
