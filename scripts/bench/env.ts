// The benches' environment knobs, read one way: a number, a list, or a word, with a clear error for a bad value.

/** A numeric knob: `name` from the environment, else `fallback`; anything that is not a finite number is refused. */
export function numberKnob(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new Error(`${name} must be a number, got ${JSON.stringify(raw)}`);
  return n;
}

/** A list knob split on `sep` (empty items dropped), else `fallback`. */
export function listKnob(name: string, fallback: string[], sep = ','): string[] {
  const raw = process.env[name];
  if (raw === undefined) return fallback;
  return raw.split(sep).filter(Boolean);
}

/** A list of numbers, comma-separated. */
export function numberListKnob(name: string, fallback: number[]): number[] {
  return listKnob(name, fallback.map(String)).map((x) => {
    const n = Number(x);
    if (!Number.isFinite(n)) throw new Error(`${name} must be numbers separated by commas, got ${JSON.stringify(x)}`);
    return n;
  });
}

/** A word knob (a path, a host:port), else `fallback`. */
export function textKnob(name: string, fallback?: string): string | undefined {
  const raw = process.env[name];
  return raw === undefined || raw === '' ? fallback : raw;
}

/**
 * The knobs both serving benches share, with each bench's own defaults: the world (USERS), the offered rate
 * (RATE, lines or requests a second), the measured seconds per run (SECONDS), the unmeasured warm-up (WARMUP)
 * and the scoring threads (THREADS).
 */
export function servingKnobs(d: { users: number; rate: number; seconds: number; warmup: number; threads: number }) {
  return {
    USERS: numberKnob('USERS', d.users),
    RATE: numberKnob('RATE', d.rate),
    SECONDS: numberKnob('SECONDS', d.seconds),
    WARMUP: numberKnob('WARMUP', d.warmup),
    THREADS: numberKnob('THREADS', d.threads),
  };
}
