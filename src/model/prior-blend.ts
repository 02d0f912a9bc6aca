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
import type { Popularity } from './popularity';
import type { Recommender, ServingFactors } from './recommender';
import { scoreSpread, TwoPartBlend } from './two-part-blend';

/**
 * Share of the most popular title's weight added before the log, so that a
 * title with no recent interaction is far down but still ranked by taste.
 * 0.01 was chosen on the real-data bench's validation windows (0.001 gave
 * within 1% of it).
 */
export const PRIOR_FLOOR = 0.01;

export class PriorBlend extends TwoPartBlend<Popularity> {
  private scale = 0;
  private prior: Float32Array = new Float32Array(0);

  /**
   * `beta` weighs the personal model against the log prior: 0 serves the popularity order alone.
   * The prior is b's global popularity (for a segment model too: one prior for everyone).
   */
  constructor(
    a: Recommender,
    b: Popularity,
    readonly beta: number,
  ) {
    super(a, b, '*');
  }

  /** Sets the personal scale and the log prior from already fitted parts. */
  calibrate(nUsers: number, nItems: number): this {
    this.scale = this.beta / scoreSpread(this.a, nUsers, nItems);
    this.prior = Float32Array.from(this.b.popularity(), (p) => Math.log(p + PRIOR_FLOOR));
    return this;
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

  protected ownHyperparameters(): Record<string, number> {
    return { beta: this.beta, priorFloor: PRIOR_FLOOR };
  }
}
