// The recommendation service of the past, for --history: answers requests without HTTP so that history is reproducible.
import { Rng, searchCumulative } from './rng';
import { popularityCumulative, utility5 } from './truth';
import type { Outcome } from './lines';
import type { World } from './world';

const LIST = 20;

/** A middling recommender (popular candidates ranked by a blurred taste) with a realistic mix of failures. */
export class PastService {
  private readonly rng: Rng;
  private readonly popCum: Float64Array;
  private readonly total: number;

  constructor(
    private readonly world: World,
    seed: number,
    private readonly deadlineMs = 600,
  ) {
    this.rng = new Rng(seed, 11);
    this.popCum = popularityCumulative(world);
    this.total = this.popCum[this.popCum.length - 1]!;
  }

  answer(userId: number, t: number): Outcome {
    const r = this.rng;
    const k = r.next();
    if (k < 0.02)
      return { kind: 'timeout', status: 0, ms: this.deadlineMs + 5 + r.exp(20), deadlineMs: this.deadlineMs };
    if (k < 0.028) return { kind: 'refused', status: 0, ms: 1 + r.exp(300) };
    if (k < 0.032) return { kind: 'http', status: 500, ms: 2 + r.exp(30) };
    const picked = new Set<number>();
    const scored: { m: number; s: number }[] = [];
    for (let tries = 0; scored.length < 3 * LIST && tries < 12 * LIST; tries++) {
      const m = searchCumulative(this.popCum, r.next() * this.total);
      if (picked.has(m)) continue;
      picked.add(m);
      scored.push({ m, s: utility5(this.world, userId - 1, m, t) + r.normal() * 0.8 });
    }
    scored.sort((a, b) => b.s - a.s);
    const items = scored.slice(0, LIST).map((x) => this.world.movieIds[x.m]!);
    return { kind: 'ok', status: 200, items, ms: 5 + Math.exp(3.5 + r.normal() * 0.7) };
  }
}
