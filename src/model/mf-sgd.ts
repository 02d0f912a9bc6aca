// Biased matrix factorization trained by SGD: what Surprise calls SVD.
//
// Signals: EXPLICIT ratings only drive the loss (r̂ = μ + b_u + b_i + p_u·q_i).
// With `implicitWeight > 0` the watch signal is folded in as extra training
// rows: a watch with no rating becomes a pseudo-rating, the mean rating of
// watches of that fraction that were rated (fractionCalibration), trained with the learning rate scaled by
// `implicitWeight`. Measured on the time split (see
// `movrec eval`), it is kept only where it helps; the default is off.
import type { Dataset } from '../domain/dataset';
import { clampRating, type EpochHook, type Recommender, type ServingFactors } from './recommender';
import { fillUniform, identity, rng, shuffle } from './rng';
import { ratingByFractionBin, ratingsOfWatches } from './interactions';
import { sgdEpochs } from './kernels';

export interface MfOptions {
  factors: number;
  epochs: number;
  lr: number;
  reg: number;
  initStd: number;
  seed: number;
  /**
   * Visit ratings in one random order, drawn once and applied by copying the
   * rows, so every epoch reads memory sequentially (a per-epoch permutation
   * costs three cache misses per update on a large snapshot). Surprise visits
   * them by user.
   */
  shuffle: boolean;
  /** Learning-rate multiplier for watch-derived pseudo-ratings; 0 leaves the implicit signal out. */
  implicitWeight: number;
  /** The learning rate is multiplied by this after every epoch (1: constant). */
  lrDecay: number;
  /** Step and penalty of the biases; null: lr and reg, as Surprise's SVD. */
  biasLr: number | null;
  biasReg: number | null;
}

/** Updates per native call of several epochs (about 50 ms at 64 factors): how often training reports progress. */
const EPOCH_CALL_UPDATES = 4_000_000;

/** Surprise's SVD defaults. */
export const SURPRISE_DEFAULTS: MfOptions = {
  factors: 100,
  epochs: 20,
  lr: 0.005,
  reg: 0.02,
  initStd: 0.1,
  seed: 1,
  shuffle: false,
  implicitWeight: 0,
  lrDecay: 1,
  biasLr: null,
  biasReg: null,
};

export class MfSgd implements Recommender {
  readonly kind: string;
  readonly opts: MfOptions;
  private mu = 0;
  private ratingMax = 5;
  private P: Float32Array = new Float32Array(0);
  private Q: Float32Array = new Float32Array(0);
  private bu: Float32Array = new Float32Array(0);
  private bi: Float32Array = new Float32Array(0);

  constructor(opts: Partial<MfOptions> = {}) {
    this.opts = { ...SURPRISE_DEFAULTS, shuffle: true, ...opts };
    this.kind = this.opts.implicitWeight > 0 ? 'mf-implicit' : 'mf';
  }

  fit(ds: Dataset, onEpoch?: EpochHook): void {
    const { factors: k, epochs, lr, reg, initStd, seed } = this.opts;
    const nU = ds.userIds.length;
    const nI = ds.itemIds.length;
    const next = rng(seed);
    this.ratingMax = ds.ratingMax;
    const r = ds.ratings;
    let sum = 0;
    for (let n = 0; n < r.value.length; n++) sum += r.value[n]!;
    this.mu = r.value.length > 0 ? sum / r.value.length : (1 + ds.ratingMax) / 2;
    this.P = fillUniform(new Float32Array(nU * k), initStd, next);
    this.Q = fillUniform(new Float32Array(nI * k), initStd, next);
    this.bu = new Float32Array(nU);
    this.bi = new Float32Array(nI);
    const rows = this.opts.shuffle ? permuted(r, next) : r;
    const pseudoRows = this.opts.implicitWeight > 0 ? pseudoRatings(ds, this.mu) : null;
    const pseudo = pseudoRows && this.opts.shuffle ? permuted(pseudoRows, next) : pseudoRows;
    const order = identity(r.value.length);
    const pOrder = pseudo ? identity(pseudo.value.length) : null;
    const common = {
      userFactors: this.P,
      itemFactors: this.Q,
      userBias: this.bu,
      itemBias: this.bi,
      k,
      globalMean: this.mu,
      reg,
      biasReg: this.opts.biasReg ?? reg,
      lrDecay: this.opts.lrDecay,
    };
    const biasLr = this.opts.biasLr ?? lr;
    // Several epochs per native call where the pseudo-ratings need no interleaving, but
    // few enough that progress still reaches `onEpoch` about every EPOCH_CALL_UPDATES updates.
    const perCall = pseudo ? 1 : Math.max(1, Math.floor(EPOCH_CALL_UPDATES / Math.max(1, r.value.length)));
    for (let e = 0; e < epochs; ) {
      const n = Math.min(perCall, epochs - e);
      const scale = this.opts.lrDecay ** e;
      if (pseudo && pOrder) {
        const w = this.opts.implicitWeight;
        sgdEpochs({ ...pseudo, ...common, order: pOrder, epochs: 1, lr: lr * scale * w, biasLr: biasLr * scale * w });
      }
      const sse = sgdEpochs({ ...rows, ...common, order, epochs: n, lr: lr * scale, biasLr: biasLr * scale });
      for (const s of sse) {
        e++;
        onEpoch?.({ model: this.kind, epoch: e, epochs, loss: Math.sqrt(s / Math.max(1, r.value.length)) });
      }
    }
    // Rows never updated still hold their random start: zero them so an
    // unrated user or movie scores by biases alone instead of by noise.
    zeroUntrained(this.P, nU, k, r.user, pseudo?.user);
    zeroUntrained(this.Q, nI, k, r.item, pseudo?.item);
  }

  predict(u: number, i: number): number {
    const k = this.opts.factors;
    if (u < 0 || u * k >= this.P.length)
      return clampRating(this.mu + (i >= 0 && i < this.bi.length ? this.bi[i]! : 0), this.ratingMax);
    let dot = 0;
    for (let f = 0; f < k; f++) dot += this.P[u * k + f]! * this.Q[i * k + f]!;
    return clampRating(this.mu + this.bu[u]! + this.bi[i]! + dot, this.ratingMax);
  }

  scoreAll(u: number, out: Float32Array): void {
    const k = this.opts.factors;
    const nI = this.bi.length;
    for (let i = 0; i < nI; i++) {
      let dot = 0;
      for (let f = 0; f < k; f++) dot += this.P[u * k + f]! * this.Q[i * k + f]!;
      out[i] = dot + this.bi[i]!;
    }
  }

  serving(): ServingFactors {
    return {
      factors: this.opts.factors,
      globalMean: this.mu,
      userFactors: this.P,
      userBias: this.bu,
      itemFactors: this.Q,
      itemBias: this.bi,
    };
  }

  hyperparameters(): Record<string, number | string | boolean> {
    return Object.fromEntries(Object.entries(this.opts).filter(([, v]) => v !== null)) as Record<
      string,
      number | string | boolean
    >;
  }
}

interface Rows {
  user: Uint32Array;
  item: Uint32Array;
  value: Float32Array;
}

function permuted(r: Rows, next: () => number): Rows {
  const p = shuffle(identity(r.value.length), next);
  const out = { user: new Uint32Array(p.length), item: new Uint32Array(p.length), value: new Float32Array(p.length) };
  for (let j = 0; j < p.length; j++) {
    const n = p[j]!;
    out.user[j] = r.user[n]!;
    out.item[j] = r.item[n]!;
    out.value[j] = r.value[n]!;
  }
  return out;
}

function zeroUntrained(m: Float32Array, rows: number, k: number, a: Uint32Array, b: Uint32Array | undefined): void {
  const seen = new Uint8Array(rows);
  for (let n = 0; n < a.length; n++) seen[a[n]!] = 1;
  if (b) for (let n = 0; n < b.length; n++) seen[b[n]!] = 1;
  for (let r = 0; r < rows; r++) if (!seen[r]) m.fill(0, r * k, r * k + k);
}

/** Fraction bins of the calibration from watched fraction to rating. */
const CALIBRATION_BINS = 10;

/**
 * The rating a watched fraction stands for, learned from the pairs that were
 * both watched and rated: the mean rating per fraction bin, shrunk toward the
 * global mean. A fixed linear map would assume how fraction and rating relate;
 * this reads it off the data (and a fraction that carries nothing maps to μ).
 */
export function fractionCalibration(ds: Dataset, mu: number): Float64Array {
  return ratingByFractionBin(ds, mu, CALIBRATION_BINS, binOf);
}

const binOf = (f: number): number => Math.min(CALIBRATION_BINS - 1, Math.max(0, Math.floor(f * CALIBRATION_BINS)));

/** Watches without a rating, as pseudo-ratings: the calibrated rating of their watched fraction. */
function pseudoRatings(ds: Dataset, mu: number): { user: Uint32Array; item: Uint32Array; value: Float32Array } {
  const rated = ratingsOfWatches(ds);
  const w = ds.watches;
  const keep: number[] = [];
  for (let n = 0; n < w.user.length; n++) if (Number.isNaN(rated[n]!)) keep.push(n);
  const calibrated = fractionCalibration(ds, mu);
  const user = new Uint32Array(keep.length);
  const item = new Uint32Array(keep.length);
  const value = new Float32Array(keep.length);
  keep.forEach((n, j) => {
    user[j] = w.user[n]!;
    item[j] = w.item[n]!;
    value[j] = calibrated[binOf(w.fraction[n]!)]!;
  });
  return { user, item, value };
}
