// A weighted blend of two servable models, still one dot product: the user
// vector is [α·u_a, β·u_b], the item vector [i_a, i_b] and the item bias
// α·bias_a + β·bias_b. α and β put both models' scores on one scale (each
// divided by the spread of its scores over sampled users) before the weight w.
//
// Signals: whatever its parts use (see each model); the blend adds none.
import type { Recommender, ServingFactors } from './recommender';
import { scoreSpread, TwoPartBlend } from './two-part-blend';

export class Blend extends TwoPartBlend {
  private alpha = 1;
  private beta = 0;

  /** `w` is the share of b: 0 serves a alone, 1 serves b alone. */
  constructor(
    a: Recommender,
    b: Recommender,
    readonly w: number,
  ) {
    super(a, b, '+');
  }

  /** Sets α, β from the score spread of already fitted parts. */
  calibrate(nUsers: number, nItems: number): this {
    this.alpha = (1 - this.w) / scoreSpread(this.a, nUsers, nItems);
    this.beta = this.w / scoreSpread(this.b, nUsers, nItems);
    return this;
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

  protected ownHyperparameters(): Record<string, number> {
    return { w: this.w };
  }
}
