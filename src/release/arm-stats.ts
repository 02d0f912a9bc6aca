// Per-arm health as the front sees it: answers, errors and a latency histogram
// per arm since the arm (or the canary) started. Kept on the main thread with
// plain increments; the canary guard reads it to compare canary with stable.

/** Log-spaced bucket bounds from 50 µs to 10 s, 8 per doubling (a p99 read within ~9%). */
const BOUNDS: Float64Array = (() => {
  const out: number[] = [];
  for (let ms = 0.05; ms < 10_000; ms *= 2 ** (1 / 8)) out.push(ms);
  out.push(Number.POSITIVE_INFINITY);
  return Float64Array.from(out);
})();

export class ArmHealth {
  answers = 0;
  errors = 0;
  private readonly hist = new Uint32Array(BOUNDS.length);

  observe(ms: number, error: boolean): void {
    this.answers++;
    if (error) this.errors++;
    // Binary search: ~7 comparisons.
    let lo = 0;
    let hi = BOUNDS.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ms <= BOUNDS[mid]!) hi = mid;
      else lo = mid + 1;
    }
    this.hist[lo]!++;
  }

  /** The q-quantile's bucket upper bound in ms (0 with no answers). */
  quantileMs(q: number): number {
    if (this.answers === 0) return 0;
    const want = Math.ceil(q * this.answers);
    let seen = 0;
    for (let i = 0; i < this.hist.length; i++) {
      seen += this.hist[i]!;
      if (seen >= want) return Number.isFinite(BOUNDS[i]!) ? BOUNDS[i]! : BOUNDS[i - 1]!;
    }
    return BOUNDS[BOUNDS.length - 2]!;
  }

  errorRate(): number {
    return this.answers === 0 ? 0 : this.errors / this.answers;
  }
}

export class ArmStats {
  private readonly arms = new Map<string, ArmHealth>();

  of(arm: string): ArmHealth {
    let h = this.arms.get(arm);
    if (!h) this.arms.set(arm, (h = new ArmHealth()));
    return h;
  }

  /** Starts `arm` afresh (a new canary is judged on its own answers). */
  reset(arm: string): void {
    this.arms.set(arm, new ArmHealth());
  }

  snapshot(): Record<string, { answers: number; errors: number; p99Ms: number }> {
    const out: Record<string, { answers: number; errors: number; p99Ms: number }> = {};
    for (const [arm, h] of this.arms) out[arm] = { answers: h.answers, errors: h.errors, p99Ms: h.quantileMs(0.99) };
    return out;
  }
}
