// Biased MF whose user vector has shared demographic parts: what a user likes is
// their own vector plus their segment's (gender × age band) and their occupation's.
//
// Signals: EXPLICIT ratings drive the loss, r̂ = μ + b_u + b_i + (p_u + s_seg + o_occ)·q_i.
// A user with a dozen ratings cannot pin down a vector of their own, but their
// segment's and occupation's parts are learned from thousands of ratings and carry
// most of the taste that can be known of them. Biases are shrunk by pseudo-counts
// (penalty biasPrior / n per update, n the ratings of that user or item), as a
// posterior mean is: an item rated twice keeps a small bias, one rated 500 times its
// own mean. A per-update penalty, as in `mf`, shrinks every bias by the same
// factor instead, and a title rated once 5 stars then tops every list.
import { segmentKey, type Dataset } from '../domain/dataset';
import { ComposedFactors, groupsOf } from './composed-factors';
import type { EpochHook, Recommender } from './recommender';
import { fillNormal, identity, rng, shuffle } from './rng';

export interface DemographicMfOptions {
  factors: number;
  epochs: number;
  /** Step of the own user vectors, the item vectors and the biases. */
  lr: number;
  /** Penalty on item vectors and on the shared parts. */
  reg: number;
  /** Penalty on a user's own vector: it is learned from that user's ratings alone. */
  ownReg: number;
  /** Step of the segment and occupation parts (small: every rating of the group moves them). */
  sharedLr: number;
  /** Pseudo-ratings of zero bias mixed into every user's and item's bias. */
  biasPrior: number;
  initStd: number;
  seed: number;
}

/**
 * Chosen on the simulator bench's validation cut (scripts/bench/train-sim-world.ts:
 * fitted on the history before the last 20% of event time, scored at that cut by
 * the world's choice model), never at the snapshot's end where the bench's test lies.
 */
export const DEMOGRAPHIC_MF_DEFAULTS: DemographicMfOptions = {
  factors: 16,
  epochs: 30,
  lr: 0.01,
  reg: 0.05,
  ownReg: 0.1,
  sharedLr: 0.005,
  biasPrior: 30,
  initStd: 0.05,
  seed: 1,
};

export class DemographicMf extends ComposedFactors implements Recommender {
  readonly kind = 'mf-demographic';
  readonly opts: DemographicMfOptions;

  constructor(opts: Partial<DemographicMfOptions> = {}) {
    super();
    this.opts = { ...DEMOGRAPHIC_MF_DEFAULTS, ...opts };
  }

  fit(ds: Dataset, onEpoch?: EpochHook): void {
    const { factors: k, epochs, lr, reg, ownReg, sharedLr, biasPrior, initStd, seed } = this.opts;
    const nU = ds.userIds.length;
    const nI = ds.itemIds.length;
    const next = rng(seed);
    this.ratingMax = ds.ratingMax;
    this.k = k;
    const seg = groupsOf(ds.users.map((u) => segmentKey(u)));
    const occ = groupsOf(ds.users.map((u) => u?.occupation ?? 'unknown'));
    const r = ds.ratings;
    const n = r.value.length;
    let sum = 0;
    for (let j = 0; j < n; j++) sum += r.value[j]!;
    const mu = n > 0 ? sum / n : (1 + ds.ratingMax) / 2;
    const perUser = new Float32Array(nU);
    const perItem = new Float32Array(nI);
    for (let j = 0; j < n; j++) perUser[r.user[j]!]!++, perItem[r.item[j]!]!++;
    const P = fillNormal(new Float32Array(nU * k), initStd / 5, next);
    const Q = fillNormal(new Float32Array(nI * k), initStd, next);
    const S = new Float32Array(seg.groups * k);
    const O = new Float32Array(occ.groups * k);
    const bu = new Float32Array(nU);
    const bi = new Float32Array(nI);
    const order = shuffle(identity(n), next);
    // Per rating, in the order visited: sequential reads instead of three lookups each.
    const users = new Uint32Array(n);
    const items = new Uint32Array(n);
    const values = new Float32Array(n);
    const segRow = new Uint32Array(n);
    const occRow = new Uint32Array(n);
    for (let x = 0; x < n; x++) {
      const j = order[x]!;
      users[x] = r.user[j]!;
      items[x] = r.item[j]!;
      values[x] = r.value[j]!;
      segRow[x] = seg.index[r.user[j]!]! * k;
      occRow[x] = occ.index[r.user[j]!]! * k;
    }
    const userShrink = Float32Array.from(perUser, (c) => biasPrior / Math.max(1, c));
    const itemShrink = Float32Array.from(perItem, (c) => biasPrior / Math.max(1, c));
    const uv = new Float64Array(k);
    const qShrink = lr * reg;
    const pKeep = 1 - lr * ownReg;
    const sKeep = 1 - sharedLr * reg;
    for (let e = 0; e < epochs; e++) {
      let sse = 0;
      for (let x = 0; x < n; x++) {
        const u = users[x]!;
        const i = items[x]!;
        const pu = u * k;
        const qi = i * k;
        const ss = segRow[x]!;
        const os = occRow[x]!;
        let dot = 0;
        for (let f = 0; f < k; f++) {
          uv[f] = P[pu + f]! + S[ss + f]! + O[os + f]!;
          dot += uv[f]! * Q[qi + f]!;
        }
        const err = values[x]! - (mu + bu[u]! + bi[i]! + dot);
        sse += err * err;
        bu[u]! += lr * (err - userShrink[u]! * bu[u]!);
        bi[i]! += lr * (err - itemShrink[i]! * bi[i]!);
        const le = lr * err;
        const se = sharedLr * err;
        for (let f = 0; f < k; f++) {
          const q = Q[qi + f]!;
          Q[qi + f] = q + le * uv[f]! - qShrink * q;
          P[pu + f] = P[pu + f]! * pKeep + le * q;
          S[ss + f] = S[ss + f]! * sKeep + se * q;
          O[os + f] = O[os + f]! * sKeep + se * q;
        }
      }
      onEpoch?.({ model: this.kind, epoch: e + 1, epochs, loss: Math.sqrt(sse / Math.max(1, n)) });
    }
    // A user with no rating has no own part: zero it, keep the shared ones.
    for (let u = 0; u < nU; u++) if (perUser[u] === 0) P.fill(0, u * k, u * k + k);
    for (let i = 0; i < nI; i++) if (perItem[i] === 0) Q.fill(0, i * k, i * k + k);
    for (let u = 0; u < nU; u++)
      for (let f = 0; f < k; f++) P[u * k + f]! += S[seg.index[u]! * k + f]! + O[occ.index[u]! * k + f]!;
    this.mu = mu;
    this.U = P;
    this.Q = Q;
    this.bu = bu;
    this.bi = bi;
  }

  hyperparameters(): Record<string, number | string | boolean> {
    return { ...this.opts };
  }
}
