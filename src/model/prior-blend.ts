// A personal model on a popularity prior, multiplied rather than added: the
// score is log(popularity + floor) + β·(personal score ÷ its spread), which
// ranks as popularity × exp(β·personal). Still one dot product: the item bias
// carries the log prior, the user vector the scaled personal factors.
//
// Why: an additive blend lets a title nobody watches now win on taste alone,
// or a chart title win on its size alone; in log space the personal score
// reorders titles by how much more likely this user is to watch them than
// anyone, so a returning user's lists follow what is watched now and still
// differ from user to user (more of the catalogue is served).
//
// Signals: whatever its parts use; the blend adds none.
import type { Dataset } from '../domain/dataset';
import { scoreSpread } from './blend';
import type { Popularity } from './popularity';
import type { EpochHook, Recommender, ServingFactors } from './recommender';

/**
 * Share of the most popular title's weight added before the log, so that a
 * title with no recent interaction is far down but still ranked by taste.
 * 0.01 was chosen on the real-data bench's validation windows (0.001 gave
 * within 1% of it).
 */
export const PRIOR_FLOOR = 0.01;

export class PriorBlend implements Recommender {
  readonly kind: string;
  readonly predictsRatings: boolean;
  private scale = 0;
  private prior: Float32Array = new Float32Array(0);

  /**
   * `beta` weighs the personal model against the log prior: 0 serves the popularity order alone.
   * The prior is b's global popularity (for a segment model too: one prior for everyone).
   */
  constructor(
    readonly a: Recommender,
    readonly b: Popularity,
    readonly beta: number,
  ) {
    this.kind = `${a.kind}*${b.kind}`;
    this.predictsRatings = a.predictsRatings !== false;
  }

  fit(ds: Dataset, onEpoch?: EpochHook): void {
    this.a.fit(ds, onEpoch);
    this.b.fit(ds, onEpoch);
    this.calibrate(ds.userIds.length, ds.itemIds.length);
  }

  /** Sets the personal scale and the log prior from already fitted parts. */
  calibrate(nUsers: number, nItems: number): this {
    this.scale = this.beta / scoreSpread(this.a, nUsers, nItems);
    this.prior = Float32Array.from(this.b.popularity(), (p) => Math.log(p + PRIOR_FLOOR));
    return this;
  }

  predict(u: number, i: number): number {
    return this.a.predict(u, i);
  }

  scoreAll(u: number, out: Float32Array): void {
    this.a.scoreAll(u, out);
    for (let i = 0; i < out.length; i++) out[i] = this.scale * out[i]! + this.prior[i]!;
  }

  serving(): ServingFactors | null {
    const sa = this.a.serving();
    if (!sa) return null;
    return {
      factors: sa.factors,
      globalMean: sa.globalMean,
      userFactors: Float32Array.from(sa.userFactors, (x) => this.scale * x),
      userBias: sa.userBias,
      itemFactors: sa.itemFactors,
      itemBias: Float32Array.from(sa.itemBias, (x, i) => this.scale * x + this.prior[i]!),
    };
  }

  hyperparameters(): Record<string, number | string | boolean> {
    const prefix = (p: string, h: Record<string, number | string | boolean>) =>
      Object.fromEntries(Object.entries(h).map(([k, v]) => [`${p}.${k}`, v]));
    return {
      a: this.a.kind,
      b: this.b.kind,
      beta: this.beta,
      priorFloor: PRIOR_FLOOR,
      ...prefix(this.a.kind, this.a.hyperparameters()),
      ...prefix(this.b.kind, this.b.hyperparameters()),
    };
  }
}
