// Rating models whose user vector is composed of an own part and group parts (segment, occupation):
// r̂ = μ + b_u + b_i + u·q once composed. What they share after fitting: prediction, scoring, the
// serving form, and the grouping of users by key.
import { clampRating, type ServingFactors } from './recommender';

export abstract class ComposedFactors {
  protected mu = 0;
  protected ratingMax = 5;
  protected k = 0;
  /** Per user: own + segment + occupation part, composed once the fit ends. */
  protected U: Float32Array = new Float32Array(0);
  protected Q: Float32Array = new Float32Array(0);
  protected bu: Float32Array = new Float32Array(0);
  protected bi: Float32Array = new Float32Array(0);

  predict(u: number, i: number): number {
    const k = this.k;
    const bi = i >= 0 && i < this.bi.length ? this.bi[i]! : 0;
    if (u < 0 || u >= this.bu.length || i < 0 || i >= this.bi.length) return clampRating(this.mu + bi, this.ratingMax);
    let dot = 0;
    for (let f = 0; f < k; f++) dot += this.U[u * k + f]! * this.Q[i * k + f]!;
    return clampRating(this.mu + this.bu[u]! + bi + dot, this.ratingMax);
  }

  scoreAll(u: number, out: Float32Array): void {
    const k = this.k;
    for (let i = 0; i < this.bi.length; i++) {
      let dot = 0;
      for (let f = 0; f < k; f++) dot += this.U[u * k + f]! * this.Q[i * k + f]!;
      out[i] = dot + this.bi[i]!;
    }
  }

  serving(): ServingFactors {
    return {
      factors: this.k,
      globalMean: this.mu,
      userFactors: this.U,
      userBias: this.bu,
      itemFactors: this.Q,
      itemBias: this.bi,
    };
  }
}

/** Each key's group index, in order of first appearance, and the number of groups. */
export function groupsOf(keys: readonly string[]): { index: Uint32Array; groups: number } {
  const ids = new Map<string, number>();
  const index = Uint32Array.from(keys, (key) => ids.get(key) ?? ids.set(key, ids.size).get(key)!);
  return { index, groups: ids.size };
}
