// TypeScript twin of native/train-als.cc: one half-step of implicit ALS
// (Hu, Koren, Volinsky) solved per row by conjugate gradient (Takács et al.),
// warm-started from the current factors.

export interface AlsHalfArgs {
  /** CSR rows of the side being solved: row r owns indices[indptr[r]..indptr[r+1]). */
  indptr: Uint32Array;
  indices: Uint32Array;
  /** Confidence minus one, (c - 1) = alpha * signal, per stored entry. */
  confMinusOne: Float32Array;
  /** Factors being solved, rows × k, updated in place. */
  x: Float32Array;
  /** The other side's factors, fixed during this half-step. */
  y: Float32Array;
  /** Yᵀ Y (k × k), computed by the caller once per half-step. */
  yty: Float32Array;
  k: number;
  reg: number;
  cgSteps: number;
}

/** Yᵀ Y of a rows × k matrix. */
export function gramTs(y: Float32Array, rows: number, k: number): Float32Array {
  const g = new Float64Array(k * k);
  for (let r = 0; r < rows; r++) {
    const o = r * k;
    for (let a = 0; a < k; a++) {
      const ya = y[o + a]!;
      if (ya === 0) continue;
      for (let b = a; b < k; b++) g[a * k + b] = g[a * k + b]! + ya * y[o + b]!;
    }
  }
  const out = new Float32Array(k * k);
  for (let a = 0; a < k; a++) for (let b = a; b < k; b++) out[a * k + b] = out[b * k + a] = g[a * k + b]!;
  return out;
}

export function alsHalfTs(a: AlsHalfArgs): void {
  const { indptr, indices, confMinusOne: cm, x, y, yty, k, reg, cgSteps } = a;
  const rows = indptr.length - 1;
  const r = new Float32Array(k);
  const p = new Float32Array(k);
  const ap = new Float32Array(k);
  for (let u = 0; u < rows; u++) {
    const xo = u * k;
    const start = indptr[u]!;
    const end = indptr[u + 1]!;
    // r = b - A x, with b = Σ c y_i and A = YᵀY + Σ (c-1) y_i y_iᵀ + reg I
    for (let f = 0; f < k; f++) {
      let s = 0;
      for (let g = 0; g < k; g++) s += yty[f * k + g]! * x[xo + g]!;
      r[f] = -s - reg * x[xo + f]!;
    }
    for (let n = start; n < end; n++) {
      const yo = indices[n]! * k;
      let yx = 0;
      for (let f = 0; f < k; f++) yx += y[yo + f]! * x[xo + f]!;
      const c1 = cm[n]!;
      const w = c1 + 1 - c1 * yx;
      for (let f = 0; f < k; f++) r[f] = r[f]! + w * y[yo + f]!;
    }
    let rs = 0;
    for (let f = 0; f < k; f++) {
      p[f] = r[f]!;
      rs += r[f]! * r[f]!;
    }
    for (let step = 0; step < cgSteps && rs > 1e-10; step++) {
      for (let f = 0; f < k; f++) {
        let s = 0;
        for (let g = 0; g < k; g++) s += yty[f * k + g]! * p[g]!;
        ap[f] = s + reg * p[f]!;
      }
      for (let n = start; n < end; n++) {
        const yo = indices[n]! * k;
        let yp = 0;
        for (let f = 0; f < k; f++) yp += y[yo + f]! * p[f]!;
        const w = cm[n]! * yp;
        for (let f = 0; f < k; f++) ap[f] = ap[f]! + w * y[yo + f]!;
      }
      let pap = 0;
      for (let f = 0; f < k; f++) pap += p[f]! * ap[f]!;
      const alpha = rs / pap;
      let rsNew = 0;
      for (let f = 0; f < k; f++) {
        x[xo + f] = x[xo + f]! + alpha * p[f]!;
        r[f] = r[f]! - alpha * ap[f]!;
        rsNew += r[f]! * r[f]!;
      }
      const beta = rsNew / rs;
      for (let f = 0; f < k; f++) p[f] = r[f]! + beta * p[f]!;
      rs = rsNew;
    }
  }
}
