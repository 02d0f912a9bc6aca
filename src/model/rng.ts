// Seeded random numbers: the same seed gives the same factors in the native
// kernels and their TypeScript twins, because both receive arrays drawn here.

/** mulberry32: small, fast, good enough for initialisation and shuffles. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fills `out` with N(0, std²) draws (Box-Muller). */
export function fillNormal(out: Float32Array, std: number, next: () => number): Float32Array {
  for (let i = 0; i < out.length; i += 2) {
    const u = Math.max(next(), 1e-12);
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u)) * std;
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

/**
 * Fills `out` with uniform draws of mean 0 and standard deviation `std`: a quarter
 * of Box-Muller's cost (no logarithm or sine), for starts whose shape does not matter.
 */
export function fillUniform(out: Float32Array, std: number, next: () => number): Float32Array {
  const half = std * Math.sqrt(3);
  for (let i = 0; i < out.length; i++) out[i] = (2 * next() - 1) * half;
  return out;
}

/** Fisher-Yates in place. */
export function shuffle(a: Uint32Array, next: () => number): Uint32Array {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
  return a;
}

export function identity(n: number): Uint32Array {
  const a = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}
