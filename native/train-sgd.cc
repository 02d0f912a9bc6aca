// One epoch of biased-MF SGD (Surprise's SVD update) over ratings in a given
// order; the TypeScript twin is native/twins/train-sgd.ts. The dot product
// (simd-dot.h) and the factor update run 8 lanes at a time with AVX2/FMA when built for it, so
// results agree with the twin to rounding, not bit for bit.
#include "kernels.h"
#include "simd-dot.h"
#include "train-args.h"

#include <cstdint>
#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#endif

namespace {
using movrec::train::number;
using movrec::train::typed;

double epoch(const uint32_t* user, const uint32_t* item, const float* value, const uint32_t* order, size_t n, float* P, float* Q, float* bu,
             float* bi, size_t k, float mu, float lr, float reg, float blr, float breg) {
  double sse = 0;
  // Rows of a large model live in DRAM and ratings arrive in random order:
  // fetch the rows a few ratings ahead so the misses overlap with work.
  constexpr size_t kAhead = 8;
  for (size_t x = 0; x < n; x++) {
    if (x + kAhead < n) {
      const uint32_t ra = order[x + kAhead];
      const float* pa = P + static_cast<size_t>(user[ra]) * k;
      const float* qa = Q + static_cast<size_t>(item[ra]) * k;
      for (size_t off = 0; off < k; off += 16) {
        __builtin_prefetch(pa + off, 1);
        __builtin_prefetch(qa + off, 1);
      }
    }
    const uint32_t r = order[x];
    const uint32_t u = user[r];
    const uint32_t i = item[r];
    float* p = P + static_cast<size_t>(u) * k;
    float* q = Q + static_cast<size_t>(i) * k;
    const float dot = movrec::simd::dot(p, q, k);
    const float err = value[r] - (mu + bu[u] + bi[i] + dot);
    sse += static_cast<double>(err) * err;
    bu[u] += blr * (err - breg * bu[u]);
    bi[i] += blr * (err - breg * bi[i]);
    size_t f = 0;
#if defined(__AVX2__) && defined(__FMA__)
    const __m256 vErr = _mm256_set1_ps(err);
    const __m256 vReg = _mm256_set1_ps(reg);
    const __m256 vLr = _mm256_set1_ps(lr);
    for (; f + 8 <= k; f += 8) {
      const __m256 pf = _mm256_loadu_ps(p + f);
      const __m256 qf = _mm256_loadu_ps(q + f);
      // p += lr (err q - reg p); q += lr (err p - reg q), both from the old values
      const __m256 gp = _mm256_fnmadd_ps(vReg, pf, _mm256_mul_ps(vErr, qf));
      const __m256 gq = _mm256_fnmadd_ps(vReg, qf, _mm256_mul_ps(vErr, pf));
      _mm256_storeu_ps(p + f, _mm256_fmadd_ps(vLr, gp, pf));
      _mm256_storeu_ps(q + f, _mm256_fmadd_ps(vLr, gq, qf));
    }
#endif
    for (; f < k; f++) {
      const float pf = p[f];
      const float qf = q[f];
      p[f] = pf + lr * (err * qf - reg * pf);
      q[f] = qf + lr * (err * pf - reg * qf);
    }
  }
  return sse;
}

// sgdEpoch(user u32, item u32, value f32, order u32, P f32, Q f32, bu f32, bi f32, k, mu, lr, reg[, biasLr, biasReg]) -> sse
napi_value SgdEpoch(napi_env env, napi_callback_info info) {
  size_t argc = 14;
  napi_value argv[14];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 12) return movrec::fail(env, "sgdEpoch: 12 arguments expected");
  void *user, *item, *value, *order, *P, *Q, *bu, *bi;
  size_t nUser, nItem, nValue, nOrder, nP, nQ, nBu, nBi;
  if (!typed(env, argv[0], napi_uint32_array, &user, &nUser) || !typed(env, argv[1], napi_uint32_array, &item, &nItem) ||
      !typed(env, argv[2], napi_float32_array, &value, &nValue) || !typed(env, argv[3], napi_uint32_array, &order, &nOrder) ||
      !typed(env, argv[4], napi_float32_array, &P, &nP) || !typed(env, argv[5], napi_float32_array, &Q, &nQ) ||
      !typed(env, argv[6], napi_float32_array, &bu, &nBu) || !typed(env, argv[7], napi_float32_array, &bi, &nBi)) {
    return movrec::fail(env, "sgdEpoch: user, item, order must be Uint32Array; value, factors and biases Float32Array");
  }
  double k, mu, lr, reg;
  if (!number(env, argv[8], &k) || !number(env, argv[9], &mu) || !number(env, argv[10], &lr) || !number(env, argv[11], &reg) || k < 1) {
    return movrec::fail(env, "sgdEpoch: k, mu, lr, reg must be numbers (k >= 1)");
  }
  double blr = lr;
  double breg = reg;
  if (argc >= 14 && (!number(env, argv[12], &blr) || !number(env, argv[13], &breg))) {
    return movrec::fail(env, "sgdEpoch: biasLr, biasReg must be numbers");
  }
  const size_t kk = static_cast<size_t>(k);
  if (nUser != nItem || nUser != nValue || nP != nBu * kk || nQ != nBi * kk) return movrec::fail(env, "sgdEpoch: array lengths disagree", true);
  const uint32_t* o = static_cast<const uint32_t*>(order);
  const uint32_t* us = static_cast<const uint32_t*>(user);
  const uint32_t* is = static_cast<const uint32_t*>(item);
  // Bounds once up front, so the hot loop has no checks.
  for (size_t x = 0; x < nOrder; x++) {
    if (o[x] >= nUser || us[o[x]] >= nBu || is[o[x]] >= nBi) return movrec::fail(env, "sgdEpoch: an index is out of range", true);
  }
  const double sse = epoch(us, is, static_cast<const float*>(value), o, nOrder, static_cast<float*>(P), static_cast<float*>(Q),
                           static_cast<float*>(bu), static_cast<float*>(bi), kk, static_cast<float>(mu), static_cast<float>(lr), static_cast<float>(reg),
                           static_cast<float>(blr), static_cast<float>(breg));
  napi_value out;
  napi_create_double(env, sse, &out);
  return out;
}
}  // namespace

MOVREC_KERNEL(sgdEpoch, SgdEpoch);
