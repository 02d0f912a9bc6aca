// TypeScript twin of native/topk.cc: the same scores in the same summation
// order (8 float32 lanes, fused multiply-add, the same horizontal sum), the
// same exclusions and the same tie rule, so both return the same ids.

export const LANES = 8;

/**
 * The `count` best items for one user, best first (ties: lower index first).
 * score(i) = itemFactors[i*k .. i*k+k) · userVec (+ itemBias[i] when given);
 * items with exclude[i] !== 0, or adult (itemFlags bit 0) when excludeAdult,
 * are skipped, and so are NaN scores.
 */
export function topK(
  itemFactors: Float32Array,
  itemBias: Float32Array | null,
  userVec: Float32Array,
  exclude: Uint8Array,
  itemFlags: Uint8Array,
  excludeAdult: boolean,
  count: number,
): Int32Array {
  const k = userVec.length;
  const n = exclude.length;
  checkShapes(itemFactors, itemBias, k, n, itemFlags, count);
  const fr = Math.fround;
  const heapScore = new Float32Array(count);
  const heapIdx = new Int32Array(count);
  let size = 0;
  const body = k - (k % LANES);
  for (let i = 0; i < n; i++) {
    if (exclude[i] !== 0 || (excludeAdult && (itemFlags[i]! & 1) !== 0)) continue;
    const row = i * k;
    // Eight named lanes rather than an array: V8 keeps them in registers.
    let l0 = 0, l1 = 0, l2 = 0, l3 = 0, l4 = 0, l5 = 0, l6 = 0, l7 = 0;
    for (let j = 0; j < body; j += LANES) {
      const r = row + j;
      l0 = fr(itemFactors[r]! * userVec[j]! + l0);
      l1 = fr(itemFactors[r + 1]! * userVec[j + 1]! + l1);
      l2 = fr(itemFactors[r + 2]! * userVec[j + 2]! + l2);
      l3 = fr(itemFactors[r + 3]! * userVec[j + 3]! + l3);
      l4 = fr(itemFactors[r + 4]! * userVec[j + 4]! + l4);
      l5 = fr(itemFactors[r + 5]! * userVec[j + 5]! + l5);
      l6 = fr(itemFactors[r + 6]! * userVec[j + 6]! + l6);
      l7 = fr(itemFactors[r + 7]! * userVec[j + 7]! + l7);
    }
    let s = fr(fr(fr(l0 + l4) + fr(l2 + l6)) + fr(fr(l1 + l5) + fr(l3 + l7)));
    for (let j = body; j < k; j++) s = fr(itemFactors[row + j]! * userVec[j]! + s);
    if (itemBias !== null) s = fr(s + itemBias[i]!);
    if (s !== s) continue;
    if (size < count) {
      heapScore[size] = s;
      heapIdx[size] = i;
      siftUp(heapScore, heapIdx, size++);
    } else if (count > 0 && s > heapScore[0]!) {
      // Equal to the worst kept: the kept one has the lower index and wins the tie.
      heapScore[0] = s;
      heapIdx[0] = i;
      siftDown(heapScore, heapIdx, size);
    }
  }
  const order = Array.from({ length: size }, (_, x) => x).sort((a, b) => heapScore[b]! - heapScore[a]! || heapIdx[a]! - heapIdx[b]!);
  return Int32Array.from(order, (x) => heapIdx[x]!);
}

export function checkShapes(itemFactors: Float32Array, itemBias: Float32Array | null, k: number, n: number, itemFlags: Uint8Array, count: number): void {
  if (itemFactors.length !== n * k) throw new RangeError(`itemFactors has ${itemFactors.length} floats, expected ${n} items x ${k} factors`);
  if (itemBias !== null && itemBias.length !== n) throw new RangeError(`itemBias has ${itemBias.length} entries, expected ${n}`);
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
