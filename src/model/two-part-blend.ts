// What Blend and PriorBlend share: two parts fitted on the same data, calibrated
// on their fitted scores, ratings from the first part, and both parts'
// hyperparameters reported under their kinds. Each blend keeps its own
// arithmetic (scoreAll, serving); the calibration it computes is its own too.
import type { Dataset } from '../domain/dataset';
import type { EpochHook, Recommender, ServingFactors } from './recommender';
import { rng } from './rng';

type Hyperparameters = Record<string, number | string | boolean>;

export abstract class TwoPartBlend<B extends Recommender = Recommender> implements Recommender {
  readonly kind: string;
  /** Ratings come from the first part. */
  readonly predictsRatings: boolean;

  /** `join` stands between the parts' kinds in the blend's kind: `+` for a sum, `*` for a prior. */
  constructor(
    readonly a: Recommender,
    readonly b: B,
    join: '+' | '*',
  ) {
    this.kind = `${a.kind}${join}${b.kind}`;
    this.predictsRatings = a.predictsRatings !== false;
  }

  /** Fits both parts, then calibrates. */
  fit(ds: Dataset, onEpoch?: EpochHook): void {
    this.a.fit(ds, onEpoch);
    this.b.fit(ds, onEpoch);
    this.calibrate(ds.userIds.length, ds.itemIds.length);
  }

  /** Sets the blend's scales from already fitted parts (training calibrates each weight on parts fitted once). */
  abstract calibrate(nUsers: number, nItems: number): this;

  abstract scoreAll(u: number, out: Float32Array): void;

  abstract serving(): ServingFactors | null;

  /** The blend's own settings, reported after the parts' kinds and before the parts' settings. */
  protected abstract ownHyperparameters(): Hyperparameters;

  predict(u: number, i: number): number {
    return this.a.predict(u, i);
  }

  hyperparameters(): Hyperparameters {
    const prefix = (p: string, h: Hyperparameters) =>
      Object.fromEntries(Object.entries(h).map(([k, v]) => [`${p}.${k}`, v]));
    return {
      a: this.a.kind,
      b: this.b.kind,
      ...this.ownHyperparameters(),
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
