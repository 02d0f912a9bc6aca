// TypeScript twins of native/ridge-rows.cc: one weighted ridge regression per
// row on fixed factors of the other side, solved exactly (Cholesky, in double),
// and the dot products of (user, item) pairs.

export interface RidgeRowsArgs {
  /** CSR rows of the side being solved: row r owns entries indptr[r]..indptr[r+1]. */
  indptr: Uint32Array;
  /** Per entry: the row of `y` it is regressed on. */
  indices: Uint32Array;
  /** Per entry: the value to explain. */
  target: Float32Array;
  /** Per entry: its weight (an inverse noise variance, relative). */
  weight: Float32Array;
  /** The other side's factors, fixed: rows × k. */
  y: Float32Array;
  /** Per row, the mean it is shrunk toward (rows × k); null shrinks toward zero. */
  prior: Float32Array | null;
  /** Solved rows × k, written in place; a row without entries gets its prior. */
  x: Float32Array;
  k: number;
  /** Penalty on the distance from the prior. */
  reg: number;
}

/** x_r = argmin Σ w (t − y·x)² + reg‖x − prior_r‖², for every row r. */
export function ridgeRowsTs(a: RidgeRowsArgs): void {
  const { indptr, indices, target, weight, y, prior, x, k, reg } = a;
  const A = new Float64Array(k * k);
  const b = new Float64Array(k);
  for (let r = 0; r + 1 < indptr.length; r++) {
    const o = r * k;
    A.fill(0);
    for (let f = 0; f < k; f++) b[f] = prior ? reg * prior[o + f]! : 0;
    for (let n = indptr[r]!; n < indptr[r + 1]!; n++) {
      const yo = indices[n]! * k;
      const w = weight[n]!;
      const wt = w * target[n]!;
      for (let p = 0; p < k; p++) {
        const wy = w * y[yo + p]!;
        b[p] = b[p]! + wt * y[yo + p]!;
        for (let q = 0; q <= p; q++) A[p * k + q] = A[p * k + q]! + wy * y[yo + q]!;
      }
    }
    for (let p = 0; p < k; p++) A[p * k + p] = A[p * k + p]! + reg;
    choleskySolve(A, b, k);
    for (let f = 0; f < k; f++) x[o + f] = b[f]!;
  }
}

/** Solves A z = b in place (A symmetric positive definite, lower triangle read); z is left in b. */
function choleskySolve(A: Float64Array, b: Float64Array, k: number): void {
  for (let j = 0; j < k; j++) {
    let s = A[j * k + j]!;
    for (let m = 0; m < j; m++) s -= A[j * k + m]! * A[j * k + m]!;
    const d = Math.sqrt(Math.max(s, 1e-12));
    A[j * k + j] = d;
    for (let r = j + 1; r < k; r++) {
      let t = A[r * k + j]!;
      for (let m = 0; m < j; m++) t -= A[r * k + m]! * A[j * k + m]!;
      A[r * k + j] = t / d;
    }
  }
  for (let r = 0; r < k; r++) {
    let t = b[r]!;
    for (let m = 0; m < r; m++) t -= A[r * k + m]! * b[m]!;
    b[r] = t / A[r * k + r]!;
  }
  for (let r = k - 1; r >= 0; r--) {
    let t = b[r]!;
    for (let m = r + 1; m < k; m++) t -= A[m * k + r]! * b[m]!;
    b[r] = t / A[r * k + r]!;
  }
}

/** out[m] = u[users[m]] · q[items[m]] for every pair m. */
export function pairDotsTs(
  users: Uint32Array,
  items: Uint32Array,
  u: Float32Array,
  q: Float32Array,
  k: number,
  out: Float32Array,
): void {
  for (let m = 0; m < users.length; m++) {
    const uo = users[m]! * k;
    const io = items[m]! * k;
    let d = 0;
    for (let f = 0; f < k; f++) d += u[uo + f]! * q[io + f]!;
    out[m] = d;
  }
}
