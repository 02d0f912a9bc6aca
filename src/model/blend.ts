// A weighted blend of two servable models, still one dot product: the user
// vector is [α·u_a, β·u_b], the item vector [i_a, i_b] and the item bias
// α·bias_a + β·bias_b. α and β put both models' scores on one scale (each
// divided by the spread of its scores over sampled users) before the weight w.
//
// Signals: whatever its parts use (see each model); the blend adds none.
import type { Dataset } from '../domain/dataset';
import type { EpochHook, Recommender, ServingFactors } from './recommender';
import { rng } from './rng';

export class Blend implements Recommender {
  readonly kind: string;
  /** Ratings come from the first part. */
  readonly predictsRatings: boolean;
  private alpha = 1;
  private beta = 0;

  /** `w` is the share of b: 0 serves a alone, 1 serves b alone. */
  constructor(
    readonly a: Recommender,
    readonly b: Recommender,
    readonly w: number,
  ) {
    this.kind = `${a.kind}+${b.kind}`;
    this.predictsRatings = a.predictsRatings !== false;
  }

  /** Fits both parts, then calibrates. */
  fit(ds: Dataset, onEpoch?: EpochHook): void {
    this.a.fit(ds, onEpoch);
    this.b.fit(ds, onEpoch);
    this.calibrate(ds.userIds.length, ds.itemIds.length);
  }

  /** Sets α, β from the score spread of already fitted parts. */
  calibrate(nUsers: number, nItems: number): this {
    this.alpha = (1 - this.w) / scoreSpread(this.a, nUsers, nItems);
    this.beta = this.w / scoreSpread(this.b, nUsers, nItems);
    return this;
  }

  predict(u: number, i: number): number {
    return this.a.predict(u, i);
  }

  scoreAll(u: number, out: Float32Array): void {
    const tmp = new Float32Array(out.length);
    this.a.scoreAll(u, out);
    this.b.scoreAll(u, tmp);
    for (let i = 0; i < out.length; i++) out[i] = this.alpha * out[i]! + this.beta * tmp[i]!;
  }

  serving(): ServingFactors | null {
    const sa = this.a.serving();
    const sb = this.b.serving();
    if (!sa || !sb) return null;
    const ka = sa.factors;
    const kb = sb.factors;
    const k = ka + kb;
    const nU = sa.userBias.length;
    const nI = sa.itemBias.length;
    const userFactors = new Float32Array(nU * k);
    const itemFactors = new Float32Array(nI * k);
    for (let u = 0; u < nU; u++) {
      for (let f = 0; f < ka; f++) userFactors[u * k + f] = this.alpha * sa.userFactors[u * ka + f]!;
      for (let f = 0; f < kb; f++) userFactors[u * k + ka + f] = this.beta * sb.userFactors[u * kb + f]!;
    }
    for (let i = 0; i < nI; i++) {
      itemFactors.set(sa.itemFactors.subarray(i * ka, i * ka + ka), i * k);
      itemFactors.set(sb.itemFactors.subarray(i * kb, i * kb + kb), i * k + ka);
    }
    const itemBias = Float32Array.from(sa.itemBias, (x, i) => this.alpha * x + this.beta * sb.itemBias[i]!);
    return { factors: k, globalMean: sa.globalMean, userFactors, userBias: sa.userBias, itemFactors, itemBias };
  }

  hyperparameters(): Record<string, number | string | boolean> {
    const prefix = (p: string, h: Record<string, number | string | boolean>) =>
      Object.fromEntries(Object.entries(h).map(([k, v]) => [`${p}.${k}`, v]));
    return {
      a: this.a.kind,
      b: this.b.kind,
      w: this.w,
      ...prefix(this.a.kind, this.a.hyperparameters()),
      ...prefix(this.b.kind, this.b.hyperparameters()),
    };
  }
}

/** Standard deviation of a fitted model's scores over 50 seeded users (1 when they do not vary). */
export function scoreSpread(m: Recommender, nUsers: number, nItems: number): number {
  const next = rng(17);
  const out = new Float32Array(nItems);
  let s = 0;
  let s2 = 0;
  let n = 0;
  for (let j = 0; j < Math.min(50, nUsers); j++) {
    m.scoreAll(Math.floor(next() * nUsers), out);
    for (let i = 0; i < nItems; i++) (s += out[i]!), (s2 += out[i]! * out[i]!), n++;
  }
  const sd = n ? Math.sqrt(Math.max(0, s2 / n - (s / n) ** 2)) : 0;
  return sd > 0 ? sd : 1;
}
