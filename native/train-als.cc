// Implicit ALS half-step (conjugate gradient per row, warm-started) and the
// Gram matrix YᵀY; the TypeScript twin is native/twins/train-als.ts. Vector
// operations run 8 lanes at a time with AVX2/FMA when built for it, so results
// agree with the twin to rounding.
#include "kernels.h"
#include "simd-dot.h"
#include "train-args.h"

#include <cstdint>
#include <vector>
#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#endif

namespace {
using movrec::train::number;
using movrec::train::typed;

using movrec::simd::dot;

// y += w x
inline void axpy(float w, const float* x, float* y, size_t k) {
  size_t f = 0;
#if defined(__AVX2__) && defined(__FMA__)
  const __m256 vw = _mm256_set1_ps(w);
  for (; f + 8 <= k; f += 8) _mm256_storeu_ps(y + f, _mm256_fmadd_ps(vw, _mm256_loadu_ps(x + f), _mm256_loadu_ps(y + f)));
#endif
  for (; f < k; f++) y[f] += w * x[f];
}

void half(const uint32_t* indptr, size_t rows, const uint32_t* indices, const float* cm, float* X, const float* Y, const float* yty, size_t k,
          float reg, int cgSteps) {
  std::vector<float> r(k), p(k), ap(k);
  for (size_t u = 0; u < rows; u++) {
    float* x = X + u * k;
    const uint32_t start = indptr[u], end = indptr[u + 1];
    for (size_t f = 0; f < k; f++) r[f] = -dot(yty + f * k, x, k) - reg * x[f];
    for (uint32_t n = start; n < end; n++) {
      const float* y = Y + static_cast<size_t>(indices[n]) * k;
      const float c1 = cm[n];
      axpy(c1 + 1 - c1 * dot(y, x, k), y, r.data(), k);
    }
    float rs = dot(r.data(), r.data(), k);
    for (size_t f = 0; f < k; f++) p[f] = r[f];
    for (int step = 0; step < cgSteps && rs > 1e-10f; step++) {
      for (size_t f = 0; f < k; f++) ap[f] = dot(yty + f * k, p.data(), k) + reg * p[f];
      for (uint32_t n = start; n < end; n++) {
        const float* y = Y + static_cast<size_t>(indices[n]) * k;
        axpy(cm[n] * dot(y, p.data(), k), y, ap.data(), k);
      }
      const float alpha = rs / dot(p.data(), ap.data(), k);
      axpy(alpha, p.data(), x, k);
      axpy(-alpha, ap.data(), r.data(), k);
      const float rsNew = dot(r.data(), r.data(), k);
      const float beta = rsNew / rs;
      for (size_t f = 0; f < k; f++) p[f] = r[f] + beta * p[f];
      rs = rsNew;
    }
  }
}

// alsHalf(indptr u32, indices u32, confMinusOne f32, x f32, y f32, yty f32, k, reg, cgSteps)
napi_value AlsHalf(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 9) return movrec::fail(env, "alsHalf: 9 arguments expected");
  void *indptr, *indices, *cm, *x, *y, *yty;
  size_t nPtr, nIdx, nCm, nX, nY, nG;
  if (!typed(env, argv[0], napi_uint32_array, &indptr, &nPtr) || !typed(env, argv[1], napi_uint32_array, &indices, &nIdx) ||
      !typed(env, argv[2], napi_float32_array, &cm, &nCm) || !typed(env, argv[3], napi_float32_array, &x, &nX) ||
      !typed(env, argv[4], napi_float32_array, &y, &nY) || !typed(env, argv[5], napi_float32_array, &yty, &nG)) {
    return movrec::fail(env, "alsHalf: indptr, indices must be Uint32Array; confidences and factors Float32Array");
  }
  double k, reg, steps;
  if (!number(env, argv[6], &k) || !number(env, argv[7], &reg) || !number(env, argv[8], &steps) || k < 1) return movrec::fail(env, "alsHalf: k, reg, cgSteps must be numbers");
  const size_t kk = static_cast<size_t>(k);
  const size_t rows = nPtr - 1;
  const uint32_t* ptr = static_cast<const uint32_t*>(indptr);
  const uint32_t* idx = static_cast<const uint32_t*>(indices);
  if (nPtr < 1 || nIdx != nCm || nX < rows * kk || nG != kk * kk || nY % kk != 0 || ptr[rows] > nIdx) return movrec::fail(env, "alsHalf: array lengths disagree", true);
  const size_t yRows = nY / kk;
  for (size_t n = 0; n < ptr[rows]; n++) if (idx[n] >= yRows) return movrec::fail(env, "alsHalf: an index is out of range", true);
  half(ptr, rows, idx, static_cast<const float*>(cm), static_cast<float*>(x), static_cast<const float*>(y), static_cast<const float*>(yty), kk,
       static_cast<float>(reg), static_cast<int>(steps));
  return nullptr;
}

// gram(y f32, rows, k) -> Float32Array k*k: YᵀY accumulated in double, like the twin.
napi_value Gram(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 3) return movrec::fail(env, "gram: 3 arguments expected");
  void* y;
  size_t nY;
  double rowsD, kD;
  if (!typed(env, argv[0], napi_float32_array, &y, &nY) || !number(env, argv[1], &rowsD) || !number(env, argv[2], &kD) || kD < 1) return movrec::fail(env, "gram: (Float32Array, rows, k) expected");
  const size_t rows = static_cast<size_t>(rowsD), k = static_cast<size_t>(kD);
  if (nY < rows * k) return movrec::fail(env, "gram: y is shorter than rows * k", true);
  const float* Y = static_cast<const float*>(y);
  std::vector<double> g(k * k, 0.0);
  for (size_t r = 0; r < rows; r++) {
    const float* row = Y + r * k;
    for (size_t a = 0; a < k; a++) {
      const double ya = row[a];
      if (ya == 0) continue;
      double* ga = g.data() + a * k;
      for (size_t b = a; b < k; b++) ga[b] += ya * row[b];
    }
  }
  napi_value buffer, out;
  void* data;
  if (napi_create_arraybuffer(env, k * k * sizeof(float), &data, &buffer) != napi_ok) return nullptr;
  float* o = static_cast<float*>(data);
  for (size_t a = 0; a < k; a++)
    for (size_t b = a; b < k; b++) o[a * k + b] = o[b * k + a] = static_cast<float>(g[a * k + b]);
  napi_create_typedarray(env, napi_float32_array, k * k, buffer, 0, &out);
  return out;
}
}  // namespace

MOVREC_KERNEL(alsHalf, AlsHalf);
MOVREC_KERNEL(gram, Gram);
