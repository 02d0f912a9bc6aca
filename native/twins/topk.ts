// TypeScript twin of native/topk.cc: the same packed item layout, the same
// scores in the same order (a fused multiply-add chain over the factors from 0,
// then the bias), the same exclusions and the same tie rule, so both return the
// same ids.

/** Items per packed block: the native kernel holds one block's scores in one 16-lane register. */
export const BLOCK = 16;

/** Floats in the packed form of `items` x `factors`: whole blocks, the last padded with zeros. */
export function packedLength(items: number, factors: number): number {
  return Math.ceil(items / BLOCK) * BLOCK * factors;
}

/**
 * The kernels' item layout, from row-major item factors: blocks of 16 items,
 * factor-major inside a block (block q, factor j, lane l at (q*factors + j)*16 + l),
 * so one load reads factor j of 16 items. Done once per model.
 */
export function packItems(itemFactors: Float32Array, items: number, factors: number): Float32Array {
  const out = new Float32Array(packedLength(items, factors));
  packBlocks(itemFactors, items, factors, out, 0, Math.ceil(items / BLOCK));
  return out;
}

/**
 * Packs blocks [fromBlock, toBlock) of `itemFactors` into `out` (packedLength
 * floats, zero where the last block is padded): lets a caller pack a large
 * matrix a slice at a time, or into shared memory.
 */
export function packBlocks(
  itemFactors: Float32Array,
  items: number,
  factors: number,
  out: Float32Array,
  fromBlock: number,
  toBlock: number,
): void {
  if (!Number.isInteger(items) || items < 0 || !Number.isInteger(factors) || factors < 1)
    throw new RangeError(`packItems needs whole items and factors >= 1, got ${items} x ${factors}`);
  if (itemFactors.length !== items * factors)
    throw new RangeError(`itemFactors has ${itemFactors.length} floats, expected ${items} items x ${factors} factors`);
  if (out.length !== packedLength(items, factors))
    throw new RangeError(`the packed array has ${out.length} floats, expected ${packedLength(items, factors)}`);
  const last = Math.min(items, toBlock * BLOCK);
  for (let i = fromBlock * BLOCK; i < last; i++) {
    const at = (i - (i % BLOCK)) * factors + (i % BLOCK);
    const row = i * factors;
    for (let j = 0; j < factors; j++) out[at + j * BLOCK] = itemFactors[row + j]!;
  }
}

/**
 * The `count` best items for one user, best first (ties: lower index first).
 * score(i) = item i's factors · userVec (+ itemBias[i] when given), the item
 * factors given packed (packItems);
 * items with exclude[i] !== 0, or adult (itemFlags bit 0) when excludeAdult,
 * are skipped, and so are NaN scores.
 */
export function topK(
  packedItems: Float32Array,
  itemBias: Float32Array | null,
  userVec: Float32Array,
  exclude: Uint8Array,
  itemFlags: Uint8Array,
  excludeAdult: boolean,
  count: number,
  // The native AMX path rescores from the unpacked matrix when given one; the twin needs only the packed one.
  _itemRows?: Float32Array | null,
): Int32Array {
  const k = userVec.length;
  const n = exclude.length;
  checkShapes(packedItems, itemBias, k, n, itemFlags, count);
  const heap = newHeap(count);
  scan(packedItems, itemBias, userVec, 0, exclude, 0, itemFlags, excludeAdult, 0, n, k, heap);
  const out = new Int32Array(heap.size);
  writeBestFirst(heap, out, 0);
  return out;
}

/** Rows per block: every user of a batch meets a block of rows while it is in cache. */
const BLOCK_ROWS = 64;

/**
 * The users' exclusions as B masks of n bytes, from either form topKBatch
 * takes: the masks themselves, or lists (per user its count, then that many
 * item indices; repeats allowed).
 */
export function exclusionMasks(exclude: Uint8Array | Int32Array, users: number, n: number): Uint8Array {
  if (exclude instanceof Uint8Array) {
    if (exclude.length !== users * n)
      throw new RangeError(`exclude has ${exclude.length} bytes, expected ${users} users x ${n} items`);
    return exclude;
  }
  const masks = new Uint8Array(users * n);
  let at = 0;
  for (let b = 0; b < users; b++) {
    const len = at < exclude.length ? exclude[at++]! : -1;
    if (len < 0 || at + len > exclude.length)
      throw new RangeError(`exclude lists: user ${b}'s count runs past the end (${exclude.length} values)`);
    for (const end = at + len; at < end; at++) {
      const i = exclude[at]!;
      if (i < 0 || i >= n) throw new RangeError(`exclude lists: item ${i} of user ${b} is not in 0..${n - 1}`);
      masks[b * n + i] = 1;
    }
  }
  if (at !== exclude.length)
    throw new RangeError(`exclude lists: ${exclude.length - at} values past the last user's list`);
  return masks;
}

/**
 * topK for B users in one pass over the item matrix: userVecs holds B vectors
 * of k factors, exclude the users' exclusions (B masks of n bytes, or lists:
 * see exclusionMasks), excludeAdult one byte per user.
 * Returns B rows of `count` ids (row b = topK for user b alone), padded with -1.
 */
export function topKBatch(
  packedItems: Float32Array,
  itemBias: Float32Array | null,
  userVecs: Float32Array,
  excludeMasksOrLists: Uint8Array | Int32Array,
  itemFlags: Uint8Array,
  excludeAdult: Uint8Array,
  count: number,
  _itemRows?: Float32Array | null,
): Int32Array {
  const users = excludeAdult.length;
  const n = itemFlags.length;
  if (users === 0 || userVecs.length % users !== 0)
    throw new RangeError(`userVecs has ${userVecs.length} floats, not a multiple of ${users} users`);
  const k = userVecs.length / users;
  checkShapes(packedItems, itemBias, k, n, itemFlags, count);
  const exclude = exclusionMasks(excludeMasksOrLists, users, n);
  const heaps = Array.from({ length: users }, () => newHeap(count));
  if (count > 0) {
    for (let lo = 0; lo < n; lo += BLOCK_ROWS) {
      const hi = Math.min(n, lo + BLOCK_ROWS);
      for (let b = 0; b < users; b++)
        scan(
          packedItems,
          itemBias,
          userVecs,
          b * k,
          exclude,
          b * n,
          itemFlags,
          excludeAdult[b] !== 0,
          lo,
          hi,
          k,
          heaps[b]!,
        );
    }
  }
  const out = new Int32Array(users * count).fill(-1);
  for (let b = 0; b < users; b++) writeBestFirst(heaps[b]!, out, b * count);
  return out;
}

interface Heap {
  score: Float32Array;
  index: Int32Array;
  size: number;
}

function newHeap(count: number): Heap {
  return { score: new Float32Array(count), index: new Int32Array(count), size: 0 };
}

/** Offers items [from, to) to one user's heap; the user's vector and mask start at uAt and exAt. */
function scan(
  packed: Float32Array,
  itemBias: Float32Array | null,
  u: Float32Array,
  uAt: number,
  exclude: Uint8Array,
  exAt: number,
  itemFlags: Uint8Array,
  excludeAdult: boolean,
  from: number,
  to: number,
  k: number,
  heap: Heap,
): void {
  const fr = Math.fround;
  const heapScore = heap.score;
  const heapIdx = heap.index;
  const count = heapScore.length;
  for (let i = from; i < to; i++) {
    if (exclude[exAt + i] !== 0 || (excludeAdult && (itemFlags[i]! & 1) !== 0)) continue;
    // A float32 product is exact in a double; rounding the double sum to float32 gives the
    // fused multiply-add's result but for rare double-rounding cases (the agreement tests would show one).
    const at = (i - (i % BLOCK)) * k + (i % BLOCK);
    let s = 0;
    for (let j = 0; j < k; j++) s = fr(packed[at + j * BLOCK]! * u[uAt + j]! + s);
    if (itemBias !== null) s = fr(s + itemBias[i]!);
    if (Number.isNaN(s)) continue;
    if (heap.size < count) {
      heapScore[heap.size] = s;
      heapIdx[heap.size] = i;
      siftUp(heapScore, heapIdx, heap.size++);
    } else if (count > 0 && s > heapScore[0]!) {
      // Equal to the worst kept: the kept one has the lower index and wins the tie.
      heapScore[0] = s;
      heapIdx[0] = i;
      siftDown(heapScore, heapIdx, heap.size);
    }
  }
}

function writeBestFirst(heap: Heap, out: Int32Array, at: number): void {
  const { score, index } = heap;
  const order = Array.from({ length: heap.size }, (_, x) => x).sort(
    (a, b) => score[b]! - score[a]! || index[a]! - index[b]!,
  );
  for (let x = 0; x < order.length; x++) out[at + x] = index[order[x]!]!;
}

export function checkShapes(
  packedItems: Float32Array,
  itemBias: Float32Array | null,
  k: number,
  n: number,
  itemFlags: Uint8Array,
  count: number,
): void {
  if (k < 1) throw new RangeError('factors must be at least 1');
  if (packedItems.length !== packedLength(n, k))
    throw new RangeError(
      `packedItems has ${packedItems.length} floats, expected ${packedLength(n, k)} (${n} items x ` +
        `${k} factors, packed by packItems)`,
    );
  if (itemBias !== null && itemBias.length !== n)
    throw new RangeError(`itemBias has ${itemBias.length} entries, expected ${n}`);
  if (itemFlags.length !== n) throw new RangeError(`itemFlags has ${itemFlags.length} entries, expected ${n}`);
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`);
}

// Min-heap on (score, then higher index = worse): the root is the worst item kept.
function worse(s: Float32Array, ix: Int32Array, a: number, b: number): boolean {
  return s[a]! < s[b]! || (s[a] === s[b] && ix[a]! > ix[b]!);
}

function swap(s: Float32Array, ix: Int32Array, a: number, b: number): void {
  const ts = s[a]!;
  s[a] = s[b]!;
  s[b] = ts;
  const ti = ix[a]!;
  ix[a] = ix[b]!;
  ix[b] = ti;
}

function siftUp(s: Float32Array, ix: Int32Array, at: number): void {
  while (at > 0) {
    const parent = (at - 1) >> 1;
    if (!worse(s, ix, at, parent)) return;
    swap(s, ix, at, parent);
    at = parent;
  }
}

function siftDown(s: Float32Array, ix: Int32Array, size: number): void {
  let at = 0;
  for (;;) {
    const l = 2 * at + 1;
    const r = l + 1;
    let m = at;
    if (l < size && worse(s, ix, l, m)) m = l;
    if (r < size && worse(s, ix, r, m)) m = r;
    if (m === at) return;
    swap(s, ix, at, m);
    at = m;
  }
}
