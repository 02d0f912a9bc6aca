// Item-kNN, the classic baseline: cosine similarity between items over the
// implicit matrix, shrunk toward zero for items with few co-occurrences, top
// `neighbors` kept per item.
//
// Signals: IMPLICIT for the neighbourhoods and the ranking (watched fraction
// or rating / ratingMax as the entry value, src/model/interactions.ts);
// EXPLICIT ratings for predict(): the user's ratings of the neighbours,
// similarity-weighted, around the item's mean. It is evaluated offline only:
// a score Σ_j sim(i, j) over the user's history is not a fixed dot product,
// so serving() returns null.
import type { Dataset } from '../domain/dataset';
import { interactions, type Csr } from './interactions';
import { clampRating, type EpochHook, type Recommender } from './recommender';

export interface KnnOptions {
  neighbors: number;
  shrinkage: number;
}

export const KNN_DEFAULTS: KnnOptions = { neighbors: 50, shrinkage: 10 };

export class ItemKnn implements Recommender {
  readonly kind = 'item-knn';
  readonly opts: KnnOptions;
  private byUser: Csr = { indptr: new Uint32Array(1), indices: new Uint32Array(0), values: new Float32Array(0) };
  /** Per item: neighbour indices and similarities, `neighbors` slots each (-1 unused). */
  private nbr: Int32Array = new Int32Array(0);
  private sim: Float32Array = new Float32Array(0);
  private nItems = 0;
  private itemMean: Float32Array = new Float32Array(0);
  private ratings = new Map<number, number>();
  private ratingMax = 5;

  constructor(opts: Partial<KnnOptions> = {}) {
    this.opts = { ...KNN_DEFAULTS, ...opts };
  }

  fit(ds: Dataset, onEpoch?: EpochHook): void {
    const m = interactions(ds);
    const nI = m.nItems;
    this.nItems = nI;
    this.byUser = m.byUser;
    this.ratingMax = ds.ratingMax;
    const norm = new Float64Array(nI);
    for (let n = 0; n < m.byUser.indices.length; n++) norm[m.byUser.indices[n]!]! += m.byUser.values[n]! ** 2;
    const K = this.opts.neighbors;
    this.nbr = new Int32Array(nI * K).fill(-1);
    this.sim = new Float32Array(nI * K);
    const dot = new Float64Array(nI);
    const co = new Uint32Array(nI);
    const touched: number[] = [];
    const { byItem } = m;
    for (let i = 0; i < nI; i++) {
      // Co-occurrences of i with every j through the users who have i.
      for (let a = byItem.indptr[i]!; a < byItem.indptr[i + 1]!; a++) {
        const u = byItem.indices[a]!;
        const vi = byItem.values[a]!;
        for (let b = m.byUser.indptr[u]!; b < m.byUser.indptr[u + 1]!; b++) {
          const j = m.byUser.indices[b]!;
          if (j === i) continue;
          if (co[j] === 0) touched.push(j);
          co[j]!++;
          dot[j]! += vi * m.byUser.values[b]!;
        }
      }
      const cand = touched.map((j) => {
        const cos = dot[j]! / Math.sqrt(norm[i]! * norm[j]! || 1);
        return [j, (cos * co[j]!) / (co[j]! + this.opts.shrinkage)] as const;
      });
      cand.sort((a, b) => b[1] - a[1]);
      for (let s = 0; s < Math.min(K, cand.length); s++) {
        this.nbr[i * K + s] = cand[s]![0];
        this.sim[i * K + s] = cand[s]![1];
      }
      for (const j of touched) {
        co[j] = 0;
        dot[j] = 0;
      }
      touched.length = 0;
    }
    const sums = new Float64Array(nI);
    const counts = new Uint32Array(nI);
    let total = 0;
    for (let n = 0; n < ds.ratings.value.length; n++) {
      sums[ds.ratings.item[n]!]! += ds.ratings.value[n]!;
      counts[ds.ratings.item[n]!]!++;
      total += ds.ratings.value[n]!;
      this.ratings.set(ds.ratings.user[n]! * nI + ds.ratings.item[n]!, ds.ratings.value[n]!);
    }
    const mu = ds.ratings.value.length ? total / ds.ratings.value.length : (1 + ds.ratingMax) / 2;
    // Item means shrunk toward the global mean (5 pseudo-ratings).
    this.itemMean = Float32Array.from(sums, (s, i) => (s + 5 * mu) / (counts[i]! + 5));
    onEpoch?.({ model: this.kind, epoch: 1, epochs: 1, loss: 0 });
  }

  predict(u: number, i: number): number {
    const K = this.opts.neighbors;
    let num = 0;
    let den = 0;
    for (let s = 0; s < K; s++) {
      const j = this.nbr[i * K + s]!;
      if (j < 0) break;
      const r = this.ratings.get(u * this.nItems + j);
      if (r === undefined) continue;
      const w = this.sim[i * K + s]!;
      num += w * (r - this.itemMean[j]!);
      den += Math.abs(w);
    }
    return clampRating(this.itemMean[i]! + (den > 0 ? num / den : 0), this.ratingMax);
  }

  scoreAll(u: number, out: Float32Array): void {
    out.fill(0);
    const K = this.opts.neighbors;
    for (let n = this.byUser.indptr[u]!; n < this.byUser.indptr[u + 1]!; n++) {
      const j = this.byUser.indices[n]!;
      const v = this.byUser.values[n]!;
      // Similarity is symmetric: j's neighbours are the items j votes for.
      for (let s = 0; s < K; s++) {
        const i = this.nbr[j * K + s]!;
        if (i < 0) break;
        out[i] = out[i]! + v * this.sim[j * K + s]!;
      }
    }
  }

  serving(): null {
    return null;
  }

  hyperparameters(): Record<string, number | string | boolean> {
    return { ...this.opts };
  }
}
