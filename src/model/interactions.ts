// The implicit view of a dataset: one entry per (user, item) that was watched
// or rated, with a signal in [0, 1], as CSR by user and by item.
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
}

export interface InteractionOptions {
  /**
   * Days for an entry's signal to halve with its age before the snapshot's end
   * (0: no decay), so what a user watched lately outweighs what they watched long ago.
   */
  halfLifeDays: number;
  /** Share of the signal kept however old the entry (the decay runs from 1 down to this). */
  floor: number;
  /** Age measured from the snapshot's end ('end'), or from the user's own latest entry ('user'). */
  ageFrom: 'end' | 'user';
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
  const end = new Float64Array(nU).fill(ds.meta.to);
  if (opts.ageFrom === 'user') {
    end.fill(-Infinity);
    for (let n = 0; n < r.user.length; n++) end[r.user[n]!] = Math.max(end[r.user[n]!]!, r.time[n]!);
    for (let n = 0; n < w.user.length; n++) end[w.user[n]!] = Math.max(end[w.user[n]!]!, w.time[n]!);
  }
  const decay = (u: number, t: number): number =>
    lambda > 0 && Number.isFinite(t) ? floor + (1 - floor) * Math.exp(-lambda * Math.max(0, end[u]! - t)) : 1;
  const nI = ds.itemIds.length;
  const total = r.user.length + w.user.length;
  const count = new Uint32Array(nU + 1);
  for (let n = 0; n < r.user.length; n++) count[r.user[n]! + 1]!++;
  for (let n = 0; n < w.user.length; n++) count[w.user[n]! + 1]!++;
  for (let u = 0; u < nU; u++) count[u + 1]! += count[u]!;
  const fillPos = count.slice(0, nU);
  const items = new Uint32Array(total);
  const vals = new Float32Array(total);
  for (let n = 0; n < r.user.length; n++) {
    const p = fillPos[r.user[n]!]!++;
    items[p] = r.item[n]!;
    vals[p] = (r.value[n]! / ds.ratingMax) * decay(r.user[n]!, r.time[n]!);
  }
  for (let n = 0; n < w.user.length; n++) {
    const p = fillPos[w.user[n]!]!++;
    items[p] = w.item[n]!;
    vals[p] = Math.min(1, Math.max(0, w.fraction[n]!)) * decay(w.user[n]!, w.time[n]!);
  }
  // Sort each row by item and merge duplicates (max signal).
  const indptr = new Uint32Array(nU + 1);
  const outI: number[] = [];
  const outV: number[] = [];
  for (let u = 0; u < nU; u++) {
    const s = count[u]!;
    const e = count[u + 1]!;
    const idx = Array.from({ length: e - s }, (_, j) => s + j).sort((a, b) => items[a]! - items[b]!);
    let last = -1;
    for (const p of idx) {
      if (items[p] === last) {
        outV[outV.length - 1] = Math.max(outV[outV.length - 1]!, vals[p]!);
        continue;
      }
      last = items[p]!;
      outI.push(last);
      outV.push(vals[p]!);
    }
    indptr[u + 1] = outI.length;
  }
  const byUser: Csr = { indptr, indices: Uint32Array.from(outI), values: Float32Array.from(outV) };
  return { byUser, byItem: transpose(byUser, nI), nUsers: nU, nItems: nI };
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
