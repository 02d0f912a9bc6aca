// Implicit ALS ranker ("will they watch it"), Hu-Koren-Volinsky with
// conjugate-gradient solves.
//
// Signals: IMPLICIT first. Every watched or rated (user, item) is a positive
// with confidence c = 1 + alpha·signal, where signal is the watched fraction of
// the runtime, or rating / ratingMax for a rated movie (src/model/interactions.ts);
// everything else is a zero-preference with confidence 1. Ratings therefore
// only say "seen, and how much it held them"; this model predicts no rating
// (predict() maps its score onto the scale only for reports).
// As `ials-recent`, signals also fade with age: confidences from the
// snapshot's end (what is watched together lately shapes the item factors),
// and user vectors are re-solved from each user's own latest event.
import type { Dataset } from '../domain/dataset';
import { interactions, type Csr } from './interactions';
import type { EpochHook, Recommender, ServingFactors } from './recommender';
import { fillNormal, rng } from './rng';
import { alsHalf, gram } from './kernels';

export interface IalsOptions {
  factors: number;
  epochs: number;
  reg: number;
  alpha: number;
  cgSteps: number;
  seed: number;
  /** Days for an interaction's confidence to halve with age (0: no decay); see interactions(). */
  halfLifeDays: number;
  /** Share of an interaction's signal kept however old. */
  recencyFloor: number;
  /**
   * Days for a title's weight in its user's vector to halve with its age
   * before that user's latest event (0: off): after the sweeps, user vectors
   * are solved once more with these confidences, so a user's latest titles
   * speak loudest.
   */
  userHalfLifeDays: number;
}

export const IALS_DEFAULTS: IalsOptions = {
  factors: 64,
  epochs: 10,
  reg: 0.1,
  alpha: 10,
  cgSteps: 3,
  seed: 1,
  halfLifeDays: 0,
  recencyFloor: 0,
  userHalfLifeDays: 0,
};

export class Ials implements Recommender {
  readonly kind: string;
  readonly predictsRatings = false;
  readonly opts: IalsOptions;
  private X: Float32Array = new Float32Array(0);
  private Y: Float32Array = new Float32Array(0);
  private mu = 0;
  private ratingMax = 5;
  private nItems = 0;

  constructor(opts: Partial<IalsOptions> = {}) {
    this.opts = { ...IALS_DEFAULTS, ...opts };
    this.kind = this.opts.halfLifeDays > 0 || this.opts.userHalfLifeDays > 0 ? 'ials-recent' : 'ials';
  }

  fit(ds: Dataset, onEpoch?: EpochHook): void {
    const { factors: k, epochs, reg, alpha, cgSteps, seed } = this.opts;
    const m = interactions(ds, {
      halfLifeDays: this.opts.halfLifeDays,
      floor: this.opts.recencyFloor,
      userHalfLifeDays: this.opts.userHalfLifeDays,
    });
    this.nItems = m.nItems;
    this.ratingMax = ds.ratingMax;
    let sum = 0;
    for (let n = 0; n < ds.ratings.value.length; n++) sum += ds.ratings.value[n]!;
    this.mu = ds.ratings.value.length ? sum / ds.ratings.value.length : (1 + ds.ratingMax) / 2;
    const next = rng(seed);
    this.X = fillNormal(new Float32Array(m.nUsers * k), 0.01, next);
    this.Y = fillNormal(new Float32Array(m.nItems * k), 0.01, next);
    const cu = conf(m.byUser, alpha);
    const ci = conf(m.byItem, alpha);
    for (let e = 0; e < epochs; e++) {
      alsHalf({
        indptr: m.byUser.indptr,
        indices: m.byUser.indices,
        confMinusOne: cu,
        x: this.X,
        y: this.Y,
        yty: gram(this.Y, m.nItems, k),
        k,
        reg,
        cgSteps,
      });
      alsHalf({
        indptr: m.byItem.indptr,
        indices: m.byItem.indices,
        confMinusOne: ci,
        x: this.Y,
        y: this.X,
        yty: gram(this.X, m.nUsers, k),
        k,
        reg,
        cgSteps,
      });
      onEpoch?.({ model: this.kind, epoch: e + 1, epochs, loss: positiveLoss(m.byUser, cu, this.X, this.Y, k) });
    }
    if (m.userRecent) {
      alsHalf({
        indptr: m.byUser.indptr,
        indices: m.byUser.indices,
        confMinusOne: m.userRecent.map((v) => alpha * v),
        x: this.X,
        y: this.Y,
        yty: gram(this.Y, m.nItems, k),
        k,
        reg,
        cgSteps: cgSteps * 2,
      });
    }
  }

  predict(u: number, i: number): number {
    // A preference near 1 reads as the top of the scale, near 0 as the mean.
    const k = this.opts.factors;
    if (u < 0 || u * k >= this.X.length) return this.mu;
    let dot = 0;
    for (let f = 0; f < k; f++) dot += this.X[u * k + f]! * this.Y[i * k + f]!;
    const x = this.mu + dot * (this.ratingMax - this.mu);
    return x < 1 ? 1 : Math.min(x, this.ratingMax);
  }

  scoreAll(u: number, out: Float32Array): void {
    const k = this.opts.factors;
    for (let i = 0; i < this.nItems; i++) {
      let dot = 0;
      for (let f = 0; f < k; f++) dot += this.X[u * k + f]! * this.Y[i * k + f]!;
      out[i] = dot;
    }
  }

  serving(): ServingFactors {
    return {
      factors: this.opts.factors,
      globalMean: this.mu,
      userFactors: this.X,
      userBias: new Float32Array(this.X.length / this.opts.factors),
      itemFactors: this.Y,
      itemBias: new Float32Array(this.nItems),
    };
  }

  hyperparameters(): Record<string, number | string | boolean> {
    return { ...this.opts };
  }
}

function conf(m: Csr, alpha: number): Float32Array {
  const out = new Float32Array(m.values.length);
  for (let n = 0; n < out.length; n++) out[n] = alpha * m.values[n]!;
  return out;
}

/** Confidence-weighted squared error on the positives: cheap, and it falls as the fit improves. */
function positiveLoss(m: Csr, cm: Float32Array, X: Float32Array, Y: Float32Array, k: number): number {
  let loss = 0;
  let wsum = 0;
  for (let u = 0; u < m.indptr.length - 1; u++) {
    for (let n = m.indptr[u]!; n < m.indptr[u + 1]!; n++) {
      const i = m.indices[n]!;
      let dot = 0;
      for (let f = 0; f < k; f++) dot += X[u * k + f]! * Y[i * k + f]!;
      const c = 1 + cm[n]!;
      loss += c * (1 - dot) * (1 - dot);
      wsum += c;
    }
  }
  return wsum > 0 ? loss / wsum : 0;
}
