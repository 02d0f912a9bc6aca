// topKBatch takes a batch's exclusions as byte masks (users x items) or as
// lists (per user its count, then its item indices). Both forms must give the
// same ids on every path (int8, plain SIMD scan, TypeScript twin), a malformed
// list must be refused with a clear error, and the masks the native kernel
// builds from lists must not leak into the next call.
import t from 'tap';
import { packItems, topKBatchNative, topKBatchTwin, useInt8 } from '../../native/index';
import { rng } from '../helpers/scoring';

function batch(seed: number, n: number, k: number, users: number, excluded: number) {
  const r = rng(seed);
  const f = Float32Array.from({ length: n * k }, () => r() - 0.5);
  const bias = Float32Array.from({ length: n }, () => (r() - 0.5) / 10);
  const u = Float32Array.from({ length: users * k }, () => r() - 0.5);
  const flags = Uint8Array.from({ length: n }, () => (r() < 0.1 ? 1 : 0));
  const adult = Uint8Array.from({ length: users }, () => (r() < 0.5 ? 1 : 0));
  const masks = new Uint8Array(users * n);
  const lists: number[] = [];
  for (let b = 0; b < users; b++) {
    const mine: number[] = [];
    for (let i = 0; i < n; i++) if (r() < excluded) mine.push(i);
    // Repeats are allowed in a list: the first one twice (the last stays one of a kind).
    if (mine.length > 0) mine.splice(1, 0, mine[0]!);
    for (const i of mine) masks[b * n + i] = 1;
    lists.push(mine.length, ...mine);
  }
  return { packed: packItems(f, n, k), rows: f, bias, u, flags, adult, masks, lists: Int32Array.from(lists) };
}

const shapes = [
  { n: 27000, k: 64, users: 32, excluded: 0.002 },
  { n: 5003, k: 64, users: 17, excluded: 0.1 },
  { n: 1001, k: 13, users: 9, excluded: 0.3 },
  { n: 37, k: 8, users: 3, excluded: 0.5 },
];

t.test('lists and masks give the same ids, natively (with and without the int8 path) and in the twin', async (t) => {
  shapes.forEach((s, x) => {
    const d = batch(100 + x, s.n, s.k, s.users, s.excluded);
    const want = topKBatchTwin(d.packed, d.bias, d.u, d.masks, d.flags, d.adult, 20);
    t.same(
      Array.from(topKBatchTwin(d.packed, d.bias, d.u, d.lists, d.flags, d.adult, 20)),
      Array.from(want),
      `twin, ${s.n} items x ${s.users} users`,
    );
    if (!topKBatchNative) return;
    for (const int8 of [true, false]) {
      useInt8(int8);
      const viaMasks = topKBatchNative(d.packed, d.bias, d.u, d.masks, d.flags, d.adult, 20, d.rows);
      const viaLists = topKBatchNative(d.packed, d.bias, d.u, d.lists, d.flags, d.adult, 20, d.rows);
      t.same(
        Array.from(viaLists),
        Array.from(viaMasks),
        `native (int8 ${int8 ? 'asked' : 'off'}), ${s.n} items x ${s.users} users: lists = masks`,
      );
      t.same(Array.from(viaMasks), Array.from(want), 'and = the twin');
    }
    useInt8(true);
  });
});

t.test('the masks built from one call lists do not exclude anything in the next call', async (t) => {
  const d = batch(7, 3000, 32, 5, 0.2);
  const none = Int32Array.from([0, 0, 0, 0, 0]);
  const free = topKBatchTwin(d.packed, d.bias, d.u, new Uint8Array(5 * 3000), d.flags, d.adult, 30);
  t.same(
    Array.from(topKBatchTwin(d.packed, d.bias, d.u, none, d.flags, d.adult, 30)),
    Array.from(free),
    'twin: empty lists exclude nothing',
  );
  if (!topKBatchNative) return;
  for (const int8 of [true, false]) {
    useInt8(int8);
    const first = topKBatchNative(d.packed, d.bias, d.u, d.lists, d.flags, d.adult, 30);
    t.not(Array.from(first).join(), Array.from(free).join(), 'the first call excluded something');
    t.same(
      Array.from(topKBatchNative(d.packed, d.bias, d.u, none, d.flags, d.adult, 30)),
      Array.from(free),
      `int8 ${int8 ? 'asked' : 'off'}: the next call with empty lists excludes nothing`,
    );
  }
  useInt8(true);
});

t.test('a malformed list is refused, and the refusal leaves nothing set', async (t) => {
  const d = batch(9, 200, 8, 2, 0.1);
  const bad: [string, Int32Array, RegExp][] = [
    ['a count past the end', Int32Array.from([1, 5, 3, 1]), /count runs past the end/],
    ['a negative count', Int32Array.from([-1, 0]), /count runs past the end/],
    ['an index outside the items', Int32Array.from([1, 200, 0]), /(item index is outside|item 200 of user 0)/],
    ['a negative index', Int32Array.from([0, 1, -3]), /(item index is outside|item -3 of user 1)/],
    ['values past the last list', Int32Array.from([0, 0, 4]), /past the last user's list/],
    ['too few lists', Int32Array.from([0]), /count runs past the end/],
  ];
  const free = topKBatchTwin(d.packed, d.bias, d.u, new Uint8Array(2 * 200), d.flags, d.adult, 10);
  for (const [name, lists, msg] of bad) {
    t.throws(
      () => topKBatchTwin(d.packed, d.bias, d.u, lists, d.flags, d.adult, 10),
      { name: 'RangeError', message: msg },
      `twin refuses ${name}`,
    );
    if (topKBatchNative)
      t.throws(
        () => topKBatchNative!(d.packed, d.bias, d.u, lists, d.flags, d.adult, 10),
        { name: 'RangeError', message: msg },
        `native refuses ${name}`,
      );
  }
  if (topKBatchNative)
    t.same(
      Array.from(topKBatchNative(d.packed, d.bias, d.u, Int32Array.from([0, 0]), d.flags, d.adult, 10)),
      Array.from(free),
      'after the refusals, nothing is excluded',
    );
});
