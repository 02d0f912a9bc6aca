// The implicit view of a dataset: one entry per (user, item) that was watched
// or rated, with a signal in [0, 1], as CSR by user and by item; and the rating, if any, of each watch.
import type { Dataset } from '../domain/dataset';

export interface Csr {
  indptr: Uint32Array;
  indices: Uint32Array;
  values: Float32Array;
}

export interface Interactions {
  byUser: Csr;
  byItem: Csr;
  nUsers: number;
  nItems: number;
  /** With `userHalfLifeDays`: byUser's entries decayed from each user's own latest entry instead (same layout). */
  userRecent: Float32Array | null;
}

export interface InteractionOptions {
  /**
   * Days for an entry's signal to halve with its age before the snapshot's end
   * (0: no decay), so what a user watched lately outweighs what they watched long ago.
   */
  halfLifeDays: number;
  /** Share of the signal kept however old the entry (the decay runs from 1 down to this). */
  floor: number;
  /**
   * Also weigh each user's entries by a half-life counted from that user's own
   * latest entry (0: not computed), into `userRecent`: built in the same pass.
   */
  userHalfLifeDays: number;
}

/**
 * Signal of an entry: the watched fraction for a watch; for a rating r,
 * r / ratingMax (rating a movie means it was watched, a low rating says it was
 * not liked). Where both exist the larger counts. With a half-life, each is
 * scaled by floor + (1 − floor)·2^(−age/halfLife).
 */
export function interactions(ds: Dataset, opts: Partial<InteractionOptions> = {}): Interactions {
  const lambda = opts.halfLifeDays ? Math.LN2 / (opts.halfLifeDays * 86_400_000) : 0;
  const floor = opts.floor ?? 0;
  const nU = ds.userIds.length;
  const r = ds.ratings;
  const w = ds.watches;
  const end = ds.meta.to;
  const decay = (t: number): number =>
    lambda > 0 && Number.isFinite(t) ? floor + (1 - floor) * Math.exp(-lambda * Math.max(0, end - t)) : 1;
  const lambdaU = opts.userHalfLifeDays ? Math.LN2 / (opts.userHalfLifeDays * 86_400_000) : 0;
  const latest = new Float64Array(lambdaU > 0 ? nU : 0).fill(-Infinity);
  if (lambdaU > 0) {
    for (let n = 0; n < r.user.length; n++) latest[r.user[n]!] = Math.max(latest[r.user[n]!]!, r.time[n]!);
    for (let n = 0; n < w.user.length; n++) latest[w.user[n]!] = Math.max(latest[w.user[n]!]!, w.time[n]!);
  }
  const decayU = (u: number, t: number): number =>
    Number.isFinite(t) ? floor + (1 - floor) * Math.exp(-lambdaU * Math.max(0, latest[u]! - t)) : 1;
  const nI = ds.itemIds.length;
  const total = r.user.length + w.user.length;
  const count = new Uint32Array(nU + 1);
  for (let n = 0; n < r.user.length; n++) count[r.user[n]! + 1]!++;
  for (let n = 0; n < w.user.length; n++) count[w.user[n]! + 1]!++;
  for (let u = 0; u < nU; u++) count[u + 1]! += count[u]!;
  const fillPos = count.slice(0, nU);
  const items = new Uint32Array(total);
  const raw = new Float32Array(total);
  // Times only when something decays: at 20M entries they are 160 MB.
  const timed = lambda > 0 || lambdaU > 0;
  const times = new Float64Array(timed ? total : 0);
  for (let n = 0; n < r.user.length; n++) {
    const p = fillPos[r.user[n]!]!++;
    items[p] = r.item[n]!;
    raw[p] = r.value[n]! / ds.ratingMax;
    if (timed) times[p] = r.time[n]!;
  }
  for (let n = 0; n < w.user.length; n++) {
    const p = fillPos[w.user[n]!]!++;
    items[p] = w.item[n]!;
    raw[p] = Math.min(1, Math.max(0, w.fraction[n]!));
    if (timed) times[p] = w.time[n]!;
  }
  // Sort each row by item and merge duplicates (max signal).
  const indptr = new Uint32Array(nU + 1);
  const outI: number[] = [];
  const outV: number[] = [];
  const outU: number[] = [];
  for (let u = 0; u < nU; u++) {
    const s = count[u]!;
    const e = count[u + 1]!;
    const idx = Array.from({ length: e - s }, (_, j) => s + j).sort((a, b) => items[a]! - items[b]!);
    let last = -1;
    for (const p of idx) {
      const v = timed ? raw[p]! * decay(times[p]!) : raw[p]!;
      const vu = lambdaU > 0 ? raw[p]! * decayU(u, times[p]!) : 0;
      if (items[p] === last) {
        outV[outV.length - 1] = Math.max(outV[outV.length - 1]!, v);
        if (lambdaU > 0) outU[outU.length - 1] = Math.max(outU[outU.length - 1]!, vu);
        continue;
      }
      last = items[p]!;
      outI.push(last);
      outV.push(v);
      if (lambdaU > 0) outU.push(vu);
    }
    indptr[u + 1] = outI.length;
  }
  const byUser: Csr = { indptr, indices: Uint32Array.from(outI), values: Float32Array.from(outV) };
  return {
    byUser,
    byItem: transpose(byUser, nI),
    nUsers: nU,
    nItems: nI,
    userRecent: lambdaU > 0 ? Float32Array.from(outU) : null,
  };
}

export function transpose(m: Csr, cols: number): Csr {
  const rows = m.indptr.length - 1;
  const indptr = new Uint32Array(cols + 1);
  for (let n = 0; n < m.indices.length; n++) indptr[m.indices[n]! + 1]!++;
  for (let c = 0; c < cols; c++) indptr[c + 1]! += indptr[c]!;
  const pos = indptr.slice(0, cols);
  const indices = new Uint32Array(m.indices.length);
  const values = new Float32Array(m.indices.length);
  for (let r = 0; r < rows; r++) {
    for (let n = m.indptr[r]!; n < m.indptr[r + 1]!; n++) {
      const p = pos[m.indices[n]!]!++;
      indices[p] = r;
      values[p] = m.values[n]!;
    }
  }
  return { indptr, indices, values };
}

/** Per watch, the rating of the same (user, title), or NaN when it was not rated. */
export function ratingsOfWatches(ds: Dataset): Float32Array {
  const r = ds.ratings;
  const w = ds.watches;
  const nU = ds.userIds.length;
  const indptr = new Uint32Array(nU + 1);
  for (let n = 0; n < r.user.length; n++) indptr[r.user[n]! + 1]!++;
  for (let u = 0; u < nU; u++) indptr[u + 1]! += indptr[u]!;
  const fill = indptr.slice(0, nU);
  const items = new Uint32Array(r.user.length);
  const values = new Float32Array(r.user.length);
  for (let n = 0; n < r.user.length; n++) {
    const e = fill[r.user[n]!]!++;
    items[e] = r.item[n]!;
    values[e] = r.value[n]!;
  }
  // A scan of the user's ratings; a map for the few who rated many.
  const big = new Map<number, Map<number, number>>();
  const out = new Float32Array(w.user.length).fill(Number.NaN);
  for (let n = 0; n < w.user.length; n++) {
    const u = w.user[n]!;
    const i = w.item[n]!;
    const from = indptr[u]!;
    const to = indptr[u + 1]!;
    if (to - from <= 64) {
      for (let e = from; e < to; e++)
        if (items[e] === i) {
          out[n] = values[e]!;
          break;
        }
      continue;
    }
    let m = big.get(u);
    if (!m) {
      m = new Map();
      for (let e = from; e < to; e++) m.set(items[e]!, values[e]!);
      big.set(u, m);
    }
    out[n] = m.get(i) ?? Number.NaN;
  }
  return out;
}

/** Pairs of the global mean mixed into each bin's mean rating by ratingByFractionBin. */
const BIN_PRIOR = 20;

/**
 * The rating each bin of the watched fraction stands for, learned from the pairs both watched and rated:
 * the bin's mean rating shrunk toward μ by BIN_PRIOR pairs. A fraction that carries nothing maps to μ.
 */
export function ratingByFractionBin(
  ds: Dataset,
  mu: number,
  bins: number,
  binOf: (fraction: number) => number,
  rated = ratingsOfWatches(ds),
): Float64Array {
  const sum = new Float64Array(bins);
  const count = new Float64Array(bins);
  const w = ds.watches;
  for (let n = 0; n < w.user.length; n++) {
    const r = rated[n]!;
    if (Number.isNaN(r)) continue;
    const b = binOf(w.fraction[n]!);
    sum[b]! += r;
    count[b]!++;
  }
  return sum.map((s, b) => (s + BIN_PRIOR * mu) / (count[b]! + BIN_PRIOR));
}
