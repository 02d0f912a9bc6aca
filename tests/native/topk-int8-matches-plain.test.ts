// The int8 path of the top-K kernels scores in int8 and rescues exactness with
// error bounds and an exact rescoring of the candidates. It must return the
// very ids of the plain AVX-512 scan (and so of the TypeScript twin), also
// where int8 cannot tell scores apart: near-ties, exact ties, zero users, and
// inputs it must hand back to the plain scan (non-finite values).
import t from 'tap';
import {
  nativeStatus,
  packItems,
  topKBatchNative,
  topKBatchTwin,
  topKNative,
  topKTwin,
  useInt8,
} from '../../native/index';
import { rng } from '../helpers/scoring';

interface Case {
  name: string;
  n: number;
  k: number;
  users: number;
  count: number;
  /** Item factors: independent, or every item a tiny step from one direction, or only three distinct rows. */
  items: 'random' | 'near' | 'ties';
  bias: 'none' | 'small' | 'inf';
  /** Share of (user, item) pairs excluded. */
  excluded: number;
  /** A NaN planted in the item matrix or in the first user's vector. */
  nan?: 'item' | 'user';
  zeroUser?: boolean;
  seed: number;
}

function data(c: Case) {
  const r = rng(c.seed);
  const base = Float32Array.from({ length: c.k }, () => r() - 0.5);
  const rowsOf = [0, 1, 2].map(() => Float32Array.from({ length: c.k }, () => r() - 0.5));
  const f = new Float32Array(c.n * c.k);
  for (let i = 0; i < c.n; i++)
    for (let j = 0; j < c.k; j++) {
      // 'near': differences far below int8's resolution of the shared direction.
      f[i * c.k + j] =
        c.items === 'random'
          ? (r() - 0.5) / 2
          : c.items === 'near'
            ? base[j]! + (r() - 0.5) * 1e-5
            : rowsOf[i % 3]![j]!;
    }
  if (c.nan === 'item') f[Math.floor(c.n / 2) * c.k + 1] = Number.NaN;
  const bias = c.bias === 'none' ? null : Float32Array.from({ length: c.n }, () => (r() - 0.5) / 10);
  if (bias && c.bias === 'inf') bias[7 % c.n] = Number.POSITIVE_INFINITY;
  const u = Float32Array.from({ length: c.users * c.k }, () => (c.zeroUser ? 0 : r() - 0.5));
  if (c.nan === 'user') u[3 % u.length] = Number.NaN;
  const exclude = Uint8Array.from({ length: c.users * c.n }, () => (r() < c.excluded ? 1 : 0));
  const flags = Uint8Array.from({ length: c.n }, () => (r() < 0.1 ? 1 : 0));
  const adult = Uint8Array.from({ length: c.users }, () => (r() < 0.5 ? 1 : 0));
  return { f, bias, u, exclude, flags, adult };
}

const cases: Case[] = [
  {
    name: 'serving shape',
    n: 27000,
    k: 64,
    users: 32,
    count: 20,
    items: 'random',
    bias: 'small',
    excluded: 0.005,
    seed: 1,
  },
  {
    name: 'one user (on VNNI: one quad)',
    n: 27000,
    k: 64,
    users: 1,
    count: 20,
    items: 'random',
    bias: 'small',
    excluded: 0.005,
    seed: 2,
  },
  {
    name: 'groups of 16 plus a remainder, no bias',
    n: 5003,
    k: 64,
    users: 17,
    count: 50,
    items: 'random',
    bias: 'none',
    excluded: 0.1,
    seed: 3,
  },
  {
    name: 'a group of 16 and one of 6 (on VNNI: 16 lanes, then two quads)',
    n: 4001,
    k: 64,
    users: 22,
    count: 20,
    items: 'random',
    bias: 'small',
    excluded: 0.05,
    seed: 16,
  },
  {
    name: 'one k-step (k <= 64)',
    n: 1001,
    k: 13,
    users: 9,
    count: 20,
    items: 'random',
    bias: 'small',
    excluded: 0.1,
    seed: 4,
  },
  {
    name: 'two k-steps (64 < k <= 128)',
    n: 3001,
    k: 100,
    users: 7,
    count: 200,
    items: 'random',
    bias: 'small',
    excluded: 0.05,
    seed: 5,
  },
  {
    name: 'k-steps reloaded (k > 128)',
    n: 2003,
    k: 150,
    users: 18,
    count: 25,
    items: 'random',
    bias: 'small',
    excluded: 0.05,
    seed: 15,
  },
  {
    name: 'fewer allowed items than count',
    n: 37,
    k: 8,
    users: 3,
    count: 40,
    items: 'random',
    bias: 'small',
    excluded: 0.3,
    seed: 6,
  },
  {
    name: 'most items excluded',
    n: 2000,
    k: 32,
    users: 20,
    count: 20,
    items: 'random',
    bias: 'small',
    excluded: 0.97,
    seed: 7,
  },
  {
    name: 'near-ties below int8 resolution',
    n: 3000,
    k: 64,
    users: 20,
    count: 20,
    items: 'near',
    bias: 'none',
    excluded: 0.01,
    seed: 8,
  },
  {
    name: 'near-ties with a bias',
    n: 3000,
    k: 64,
    users: 20,
    count: 20,
    items: 'near',
    bias: 'small',
    excluded: 0.01,
    seed: 9,
  },
  {
    name: 'exact ties (three distinct rows)',
    n: 2000,
    k: 40,
    users: 17,
    count: 30,
    items: 'ties',
    bias: 'none',
    excluded: 0.05,
    seed: 10,
  },
  {
    name: 'zero user vectors (every score ties)',
    n: 500,
    k: 16,
    users: 6,
    count: 20,
    items: 'random',
    bias: 'none',
    excluded: 0.05,
    zeroUser: true,
    seed: 11,
  },
  {
    name: 'NaN in the item matrix (plain scan)',
    n: 900,
    k: 24,
    users: 6,
    count: 20,
    items: 'random',
    bias: 'small',
    excluded: 0.05,
    nan: 'item',
    seed: 12,
  },
  {
    name: 'NaN in a user vector (plain scan)',
    n: 900,
    k: 24,
    users: 6,
    count: 20,
    items: 'random',
    bias: 'small',
    excluded: 0.05,
    nan: 'user',
    seed: 13,
  },
  {
    name: 'an infinite bias (plain scan)',
    n: 900,
    k: 24,
    users: 6,
    count: 20,
    items: 'random',
    bias: 'inf',
    excluded: 0.05,
    seed: 14,
  },
];

const int8 = useInt8();
t.test(
  "the int8 path returns the plain scan's ids and the twin's",
  { skip: int8 ? false : `the int8 path (AMX or VNNI) is not in use here (${nativeStatus})` },
  async (t) => {
    t.match(nativeStatus, /amx|vnni/, 'the addon in use was built with AMX or VNNI');
    for (const c of cases) {
      const d = data(c);
      // A fresh packed array per path: the int8 copy is hung on the array it was built for.
      // Rescoring from the item-major matrix (batch, as the scorer calls it) and from the packed one (single).
      const run = (on: boolean) => {
        t.equal(useInt8(on), on, on ? 'int8 switched on' : 'int8 switched off');
        const p = packItems(d.f, c.n, c.k);
        const batch = Array.from(topKBatchNative!(p, d.bias, d.u, d.exclude, d.flags, d.adult, c.count, d.f));
        const single = Array.from(
          topKNative!(p, d.bias, d.u.subarray(0, c.k), d.exclude.subarray(0, c.n), d.flags, d.adult[0] === 1, c.count),
        );
        const packedOnly = Array.from(topKBatchNative!(p, d.bias, d.u, d.exclude, d.flags, d.adult, c.count));
        return { batch, single, packedOnly };
      };
      const withInt8 = run(true);
      const plain = run(false);
      useInt8(true);
      t.same(withInt8.batch, plain.batch, `${c.name}: batched ids equal the plain scan's`);
      t.same(withInt8.packedOnly, plain.batch, `${c.name}: also when rescoring from the packed matrix`);
      t.same(withInt8.single, plain.single, `${c.name}: single-user ids equal the plain scan's`);
      t.ok(
        withInt8.batch.some((i) => i >= 0),
        `${c.name}: the answer is not empty`,
      );
      if (c.n * c.k * c.users <= 2_000_000) {
        const p = packItems(d.f, c.n, c.k);
        t.same(
          withInt8.batch,
          Array.from(topKBatchTwin(p, d.bias, d.u, d.exclude, d.flags, d.adult, c.count)),
          `${c.name}: and the twin's`,
        );
        t.same(
          withInt8.single,
          Array.from(
            topKTwin(p, d.bias, d.u.subarray(0, c.k), d.exclude.subarray(0, c.n), d.flags, d.adult[0] === 1, c.count),
          ),
          `${c.name}: single, the twin's`,
        );
      }
    }
  },
);

t.test(
  'the int8 copy built for a packed matrix serves later queries on it',
  { skip: int8 ? false : 'the int8 path (AMX or VNNI) is not in use here' },
  async (t) => {
    const c: Case = {
      name: 'reuse',
      n: 4000,
      k: 64,
      users: 8,
      count: 20,
      items: 'random',
      bias: 'small',
      excluded: 0.01,
      seed: 21,
    };
    const d = data(c);
    const p = packItems(d.f, c.n, c.k);
    const plainP = packItems(d.f, c.n, c.k);
    for (let round = 0; round < 3; round++) {
      const r = rng(100 + round);
      const u = Float32Array.from({ length: c.users * c.k }, () => r() - 0.5);
      useInt8(true);
      const got = Array.from(topKBatchNative!(p, d.bias, u, d.exclude, d.flags, d.adult, c.count));
      useInt8(false);
      const want = Array.from(topKBatchNative!(plainP, d.bias, u, d.exclude, d.flags, d.adult, c.count));
      useInt8(true);
      t.same(got, want, `round ${round}: new users over the same matrix`);
    }
  },
);

t.test(
  "random shapes, magnitudes and masks (seeded): the int8 path still returns the plain scan's ids",
  { skip: int8 ? false : 'the int8 path (AMX or VNNI) is not in use here' },
  async (t) => {
    const r = rng(2026);
    const pick = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
    let differ = 0;
    for (let x = 0; x < 150; x++) {
      const n = pick(1, 700);
      const k = pick(1, 160);
      const users = pick(1, 90); // past 64 users the scratch is trimmed after the call
      const count = pick(1, 60);
      // Scales far apart per item and per user (1e-12 to 1e6), some all-zero rows: the int8 steps are per vector.
      const itemScale = Float32Array.from({ length: n }, () => (r() < 0.05 ? 0 : 10 ** (r() * 18 - 12)));
      const f = Float32Array.from({ length: n * k }, (_, at) => (r() - 0.5) * itemScale[Math.floor(at / k)]!);
      const userScale = Float32Array.from({ length: users }, () => (r() < 0.05 ? 0 : 10 ** (r() * 8 - 4)));
      const u = Float32Array.from({ length: users * k }, (_, at) => (r() - 0.5) * userScale[Math.floor(at / k)]!);
      const bias = r() < 0.5 ? null : Float32Array.from({ length: n }, () => (r() - 0.5) * 10 ** (r() * 6 - 3));
      const excluded = r() * r();
      const exclude = Uint8Array.from({ length: users * n }, () => (r() < excluded ? 1 : 0));
      const flags = Uint8Array.from({ length: n }, () => (r() < 0.2 ? 1 : 0));
      const adult = Uint8Array.from({ length: users }, () => (r() < 0.5 ? 1 : 0));
      useInt8(true);
      const got = Array.from(topKBatchNative!(packItems(f, n, k), bias, u, exclude, flags, adult, count, f));
      useInt8(false);
      const want = Array.from(topKBatchNative!(packItems(f, n, k), bias, u, exclude, flags, adult, count, f));
      useInt8(true);
      if (got.join() !== want.join()) {
        differ++;
        t.same(got, want, `case ${x}: n ${n}, k ${k}, ${users} users, count ${count}`);
      }
    }
    t.equal(differ, 0, "150 random cases, every one the plain scan's answer");
  },
);

t.test(
  'an item whose int8 estimate falls the furthest below its score is still found',
  { skip: int8 ? false : 'the int8 path (AMX or VNNI) is not in use here' },
  async (t) => {
    // Item 0: one factor at 127 steps of its scale (0.01), 63 at 10.49 steps, which round down to 10: its
    // estimate, 7.57, is 0.31 below its score, 7.8787, almost the whole of the bound the path allows (0.35).
    // Item 70 (a block of small items, so its bounds are tight): zero factors and a bias of 7.87, an
    // estimate with no error, just below item 0's score; the others score far less. With any bound under
    // about 85% of the path's, item 0 would look out of reach of item 70's lower bound.
    const n = 100;
    const k = 64;
    const f = new Float32Array(n * k);
    f[0] = 1.27;
    for (let j = 1; j < k; j++) f[j] = 0.1049;
    const r = rng(77);
    for (let i = 1; i < n; i++) for (let j = 0; j < k; j++) f[i * k + j] = i === 70 ? 0 : (r() - 0.5) * 0.1;
    const bias = new Float32Array(n);
    bias[70] = 7.87;
    // The same user once (on VNNI: a quad) and 16 times (16 lanes): each pass 1 must find it.
    for (const users of [1, 16]) {
      for (const count of [1, 2, 5]) {
        const u = new Float32Array(k * users).fill(1);
        const exclude = new Uint8Array(n * users);
        const adult = new Uint8Array(users);
        useInt8(true);
        const got = Array.from(
          topKBatchNative!(packItems(f, n, k), bias, u, exclude, new Uint8Array(n), adult, count, f),
        );
        useInt8(false);
        const want = Array.from(
          topKBatchNative!(packItems(f, n, k), bias, u, exclude, new Uint8Array(n), adult, count, f),
        );
        useInt8(true);
        t.equal(want[0], 0, `${users} users, count ${count}: the plain scan ranks item 0 first`);
        t.same(got, want, `${users} users, count ${count}: so does the int8 path`);
      }
    }
  },
);

t.test(
  'useInt8 refuses an argument that is not a boolean',
  { skip: int8 ? false : 'the int8 path (AMX or VNNI) is not in use here' },
  async (t) => {
    t.throws(() => useInt8('yes' as unknown as boolean), /useInt8 expects a boolean or nothing/);
    t.equal(useInt8(), true, 'still on');
  },
);
