// Weighted ridge regressions, one per row, on fixed factors of the other side, and the per-pair dot
// products their residuals need (the liking head of ials-liking); the TypeScript twins are in
// native/twins/ridge-rows.ts. Normal equations are accumulated in float for the common factor counts
// (the twin accumulates in double) and solved by Cholesky in double: the two agree to rounding.
#include "kernels.h"
#include "train-args.h"

#include <cmath>
#include <cstdint>
#include <vector>
#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace {
using movrec::train::number;
using movrec::train::typed;

#if defined(__AVX512F__)
// Σ w·y·yᵀ and Σ w·t·y over entries [from, to) for 16 factors: the 16 rows of the matrix stay in
// AVX-512 registers, one FMA each per entry (8x faster than the compiler's code for the generic loop).
void accumulate16(uint32_t from, uint32_t to, const uint32_t* indices, const float* target, const float* weight,
                  const float* Y, float* accA, float* accB) {
  __m512 a[16];
  for (int p = 0; p < 16; p++) a[p] = _mm512_setzero_ps();
  __m512 b = _mm512_setzero_ps();
  for (uint32_t n = from; n < to; n++) {
    const float* y = Y + static_cast<size_t>(indices[n]) * 16;
    const __m512 wy = _mm512_mul_ps(_mm512_set1_ps(weight[n]), _mm512_loadu_ps(y));
    b = _mm512_fmadd_ps(_mm512_set1_ps(target[n]), wy, b);
    for (int p = 0; p < 16; p++) a[p] = _mm512_fmadd_ps(_mm512_set1_ps(y[p]), wy, a[p]);
  }
  for (int p = 0; p < 16; p++) _mm512_storeu_ps(accA + p * 16, a[p]);
  _mm512_storeu_ps(accB, b);
}
#endif

void accumulate(uint32_t from, uint32_t to, const uint32_t* indices, const float* target, const float* weight,
                const float* Y, size_t k, float* __restrict accA, float* __restrict accB) {
  std::fill(accA, accA + k * k, 0.0f);
  std::fill(accB, accB + k, 0.0f);
  for (uint32_t n = from; n < to; n++) {
    const float* __restrict y = Y + static_cast<size_t>(indices[n]) * k;
    const float w = weight[n];
    const float wt = w * target[n];
    for (size_t p = 0; p < k; p++) {
      const float wy = w * y[p];
      accB[p] += wt * y[p];
      float* __restrict a = accA + p * k;
      for (size_t q = 0; q < k; q++) a[q] += wy * y[q];
    }
  }
}

// K > 0: the factor count known at compile time (fixed-size loops the compiler unrolls and vectorises);
// K == 0: any k.
// K > 0: the factor count known at compile time (16 has a vector kernel); K == 0: any k.
template <size_t K>
void solveRows(const uint32_t* indptr, size_t rows, const uint32_t* indices, const float* target, const float* weight,
               const float* Y, const float* prior, float* X, size_t kRun, double reg) {
  const size_t k = K > 0 ? K : kRun;
  std::vector<float> acc(k * k), accB(k);
  std::vector<double> A(k * k), b(k);
  for (size_t r = 0; r < rows; r++) {
#if defined(__AVX512F__)
    if constexpr (K == 16) accumulate16(indptr[r], indptr[r + 1], indices, target, weight, Y, acc.data(), accB.data());
    else
#endif
      accumulate(indptr[r], indptr[r + 1], indices, target, weight, Y, k, acc.data(), accB.data());
    for (size_t f = 0; f < k * k; f++) A[f] = acc[f];
    for (size_t f = 0; f < k; f++) b[f] = accB[f] + (prior ? reg * prior[r * k + f] : 0.0);
    for (size_t p = 0; p < k; p++) A[p * k + p] += reg;
    for (size_t j = 0; j < k; j++) {
      double s = A[j * k + j];
      for (size_t m = 0; m < j; m++) s -= A[j * k + m] * A[j * k + m];
      const double d = std::sqrt(s > 1e-12 ? s : 1e-12);
      A[j * k + j] = d;
      for (size_t i = j + 1; i < k; i++) {
        double t = A[i * k + j];
        for (size_t m = 0; m < j; m++) t -= A[i * k + m] * A[j * k + m];
        A[i * k + j] = t / d;
      }
    }
    for (size_t i = 0; i < k; i++) {
      double t = b[i];
      for (size_t m = 0; m < i; m++) t -= A[i * k + m] * b[m];
      b[i] = t / A[i * k + i];
    }
    for (size_t i = k; i-- > 0;) {
      double t = b[i];
      for (size_t m = i + 1; m < k; m++) t -= A[m * k + i] * b[m];
      b[i] = t / A[i * k + i];
    }
    for (size_t f = 0; f < k; f++) X[r * k + f] = static_cast<float>(b[f]);
  }
}

template <size_t K>
void dots(const uint32_t* users, const uint32_t* items, size_t n, const float* U, const float* Q, size_t kRun, float* out) {
  const size_t k = K > 0 ? K : kRun;
  for (size_t m = 0; m < n; m++) {
    const float* __restrict u = U + static_cast<size_t>(users[m]) * k;
    const float* __restrict q = Q + static_cast<size_t>(items[m]) * k;
    float d = 0;
    for (size_t f = 0; f < k; f++) d += u[f] * q[f];
    out[m] = d;
  }
}

// ridgeRows(indptr u32, indices u32, target f32, weight f32, y f32, prior f32 | null, x f32, k, reg)
napi_value RidgeRows(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 9) return movrec::fail(env, "ridgeRows: 9 arguments expected");
  void *indptr, *indices, *target, *weight, *y, *x, *prior = nullptr;
  size_t nPtr, nIdx, nT, nW, nY, nX, nPrior = 0;
  napi_valuetype priorType;
  if (napi_typeof(env, argv[5], &priorType) != napi_ok) return movrec::fail(env, "ridgeRows: prior unreadable");
  const bool hasPrior = priorType != napi_null && priorType != napi_undefined;
  if (!typed(env, argv[0], napi_uint32_array, &indptr, &nPtr) || !typed(env, argv[1], napi_uint32_array, &indices, &nIdx) ||
      !typed(env, argv[2], napi_float32_array, &target, &nT) || !typed(env, argv[3], napi_float32_array, &weight, &nW) ||
      !typed(env, argv[4], napi_float32_array, &y, &nY) || !typed(env, argv[6], napi_float32_array, &x, &nX) ||
      (hasPrior && !typed(env, argv[5], napi_float32_array, &prior, &nPrior))) {
    return movrec::fail(env, "ridgeRows: indptr, indices must be Uint32Array; target, weight, factors, prior Float32Array");
  }
  double k, reg;
  if (!number(env, argv[7], &k) || !number(env, argv[8], &reg) || k < 1) return movrec::fail(env, "ridgeRows: k, reg must be numbers");
  const size_t kk = static_cast<size_t>(k);
  if (nPtr < 1) return movrec::fail(env, "ridgeRows: indptr is empty", true);
  const size_t rows = nPtr - 1;
  const uint32_t* ptr = static_cast<const uint32_t*>(indptr);
  const uint32_t* idx = static_cast<const uint32_t*>(indices);
  if (nIdx != nT || nIdx != nW || ptr[rows] > nIdx || nX < rows * kk || nY % kk != 0 || (hasPrior && nPrior < rows * kk))
    return movrec::fail(env, "ridgeRows: array lengths disagree", true);
  for (size_t r = 0; r < rows; r++) if (ptr[r] > ptr[r + 1]) return movrec::fail(env, "ridgeRows: indptr is not ordered", true);
  const size_t yRows = nY / kk;
  for (size_t n = 0; n < ptr[rows]; n++) if (idx[n] >= yRows) return movrec::fail(env, "ridgeRows: an index is out of range", true);
  const auto* t = static_cast<const float*>(target);
  const auto* w = static_cast<const float*>(weight);
  const auto* yy = static_cast<const float*>(y);
  const auto* pr = static_cast<const float*>(prior);
  auto* xx = static_cast<float*>(x);
  if (kk == 16) solveRows<16>(ptr, rows, idx, t, w, yy, pr, xx, kk, reg);
  else if (kk == 32) solveRows<32>(ptr, rows, idx, t, w, yy, pr, xx, kk, reg);
  else if (kk == 64) solveRows<64>(ptr, rows, idx, t, w, yy, pr, xx, kk, reg);
  else solveRows<0>(ptr, rows, idx, t, w, yy, pr, xx, kk, reg);
  return nullptr;
}
// pairDots(users u32, items u32, u f32, q f32, k, out f32): out[m] = u[users[m]] · q[items[m]]
napi_value PairDots(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 6) return movrec::fail(env, "pairDots: 6 arguments expected");
  void *users, *items, *u, *q, *out;
  size_t nU, nI, nUf, nQf, nOut;
  if (!typed(env, argv[0], napi_uint32_array, &users, &nU) || !typed(env, argv[1], napi_uint32_array, &items, &nI) ||
      !typed(env, argv[2], napi_float32_array, &u, &nUf) || !typed(env, argv[3], napi_float32_array, &q, &nQf) ||
      !typed(env, argv[5], napi_float32_array, &out, &nOut)) {
    return movrec::fail(env, "pairDots: users, items must be Uint32Array; factors and out Float32Array");
  }
  double k;
  if (!number(env, argv[4], &k) || k < 1) return movrec::fail(env, "pairDots: k must be a positive number");
  const size_t kk = static_cast<size_t>(k);
  if (nU != nI || nOut < nU || nUf % kk != 0 || nQf % kk != 0) return movrec::fail(env, "pairDots: array lengths disagree", true);
  const auto* us = static_cast<const uint32_t*>(users);
  const auto* is = static_cast<const uint32_t*>(items);
  for (size_t m = 0; m < nU; m++)
    if (us[m] >= nUf / kk || is[m] >= nQf / kk) return movrec::fail(env, "pairDots: an index is out of range", true);
  const auto* uf = static_cast<const float*>(u);
  const auto* qf = static_cast<const float*>(q);
  auto* o = static_cast<float*>(out);
  if (kk == 16) dots<16>(us, is, nU, uf, qf, kk, o);
  else if (kk == 32) dots<32>(us, is, nU, uf, qf, kk, o);
  else if (kk == 64) dots<64>(us, is, nU, uf, qf, kk, o);
  else dots<0>(us, is, nU, uf, qf, kk, o);
  return nullptr;
}
}  // namespace

MOVREC_KERNEL(ridgeRows, RidgeRows);
MOVREC_KERNEL(pairDots, PairDots);
