// Epochs of biased-MF SGD (Surprise's SVD update) over ratings in a given
// order; the TypeScript twin is native/twins/train-sgd.ts. The dot product
// (simd-dot.h) and the factor update run 8 lanes at a time with AVX2/FMA when built for it
// (16 with AVX-512 at 16, 32, 48 or 64 factors), so results agree with the twin to rounding,
// not bit for bit.
#include "kernels.h"
#include "simd-dot.h"
#include "train-args.h"

#include <cstdint>
#include <cstring>
#include <sys/mman.h>
#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#endif

namespace {
using movrec::train::number;
using movrec::train::typed;

// Rows of a large model live in DRAM and ratings arrive in random order:
// fetch the rows a few ratings ahead so the misses overlap with work.
constexpr size_t kAhead = 8;
constexpr size_t kLine = 64;

// Forced inline: GCC left it a call in the general loop, which took 1.6 s to 2.3 s CPU for 20 epochs of 1.3M
// ratings at 200,000 users (scripts/bench/train-speed.ts).
__attribute__((always_inline)) inline void prefetchRows(const uint32_t* user, const uint32_t* item, const uint32_t* order, size_t x,
                                                        size_t n, const float* P, const float* Q, size_t k) {
  if (x + kAhead >= n) return;
  const uint32_t ra = order[x + kAhead];
  const float* pa = P + static_cast<size_t>(user[ra]) * k;
  const float* qa = Q + static_cast<size_t>(item[ra]) * k;
  for (size_t off = 0; off < k; off += 16) {
    __builtin_prefetch(pa + off, 1);
    __builtin_prefetch(qa + off, 1);
  }
}

#if defined(__AVX512F__)
// The sum of 16 lanes. Halves by memcpy, which compiles to register moves: GCC 12's
// 512-to-256-bit extractions (and so _mm512_reduce_add_ps) warn about an undefined register.
inline float sum16(__m512 v) {
  __m256 lo;
  __m256 hi;
  std::memcpy(&lo, &v, sizeof lo);
  std::memcpy(&hi, reinterpret_cast<const char*>(&v) + sizeof lo, sizeof hi);
  const __m256 s8 = _mm256_add_ps(lo, hi);
  __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps(s8, 1));
  s4 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
  s4 = _mm_add_ss(s4, _mm_shuffle_ps(s4, s4, 1));
  return _mm_cvtss_f32(s4);
}

// How a pair of rows is multiplied and updated: visit(p, q, stepOf) takes the product of the
// rows, asks stepOf(product) for lr·err, and applies p (1 - lr reg) + (lr err) q and the same
// for q, both from the values the product read. p += lr (err q - reg p) taken that way is two
// vector operations per row, not three.

// k = 16 V (16 to 64 factors): both rows stay in 2 V registers from the product to the update,
// so each update loads them once; about a fifth faster than the 8-lane loop at 64 factors.
template <size_t V>
struct RowsInRegisters {
  static constexpr size_t k = 16 * V;
  float keep;
  size_t factors() const { return k; }
  template <class StepOf>
  void visit(float* p, float* q, StepOf stepOf) const {
    __m512 pv[V];
    __m512 qv[V];
    __m512 acc = _mm512_setzero_ps();
    for (size_t v = 0; v < V; v++) {
      pv[v] = _mm512_loadu_ps(p + 16 * v);
      qv[v] = _mm512_loadu_ps(q + 16 * v);
      acc = _mm512_fmadd_ps(pv[v], qv[v], acc);
    }
    const __m512 s = _mm512_set1_ps(stepOf(sum16(acc)));
    const __m512 decay = _mm512_set1_ps(keep);
    for (size_t v = 0; v < V; v++) {
      _mm512_storeu_ps(p + 16 * v, _mm512_fmadd_ps(s, qv[v], _mm512_mul_ps(decay, pv[v])));
      _mm512_storeu_ps(q + 16 * v, _mm512_fmadd_ps(s, pv[v], _mm512_mul_ps(decay, qv[v])));
    }
  }
};
#endif

// Any k: the product from simd-dot.h, the update 8 lanes at a time where built for it.
struct RowsAnyK {
  size_t k;
  float keep;
  size_t factors() const { return k; }
  template <class StepOf>
  void visit(float* p, float* q, StepOf stepOf) const {
    const float step = stepOf(movrec::simd::dot(p, q, k));
    size_t f = 0;
#if defined(__AVX2__) && defined(__FMA__)
    const __m256 decay = _mm256_set1_ps(keep);
    const __m256 s = _mm256_set1_ps(step);
    for (; f + 8 <= k; f += 8) {
      const __m256 pf = _mm256_loadu_ps(p + f);
      const __m256 qf = _mm256_loadu_ps(q + f);
      _mm256_storeu_ps(p + f, _mm256_fmadd_ps(s, qf, _mm256_mul_ps(decay, pf)));
      _mm256_storeu_ps(q + f, _mm256_fmadd_ps(s, pf, _mm256_mul_ps(decay, qf)));
    }
#endif
    for (; f < k; f++) {
      const float pf = p[f];
      const float qf = q[f];
      p[f] = keep * pf + step * qf;
      q[f] = keep * qf + step * pf;
    }
  }
};

// One pass over the ratings in `order`.
template <class Rows>
double sweep(const uint32_t* user, const uint32_t* item, const float* value, const uint32_t* order, size_t n, float* P, float* Q, float* bu,
             float* bi, const Rows& rows, float mu, float lr, float blr, float breg) {
  const size_t k = rows.factors();
  double sse = 0;
  for (size_t x = 0; x < n; x++) {
    prefetchRows(user, item, order, x, n, P, Q, k);
    const uint32_t r = order[x];
    const uint32_t u = user[r];
    const uint32_t i = item[r];
    rows.visit(P + static_cast<size_t>(u) * k, Q + static_cast<size_t>(i) * k, [&](float dot) {
      const float err = value[r] - (mu + bu[u] + bi[i] + dot);
      sse += static_cast<double>(err) * err;
      bu[u] += blr * (err - breg * bu[u]);
      bi[i] += blr * (err - breg * bi[i]);
      return lr * err;
    });
  }
  return sse;
}

double epoch(const uint32_t* user, const uint32_t* item, const float* value, const uint32_t* order, size_t n, float* P, float* Q, float* bu,
             float* bi, size_t k, float mu, float lr, float reg, float blr, float breg) {
#if defined(__AVX512F__)
  // Only on rows that start on a cache line: a misaligned 64-byte load always straddles two.
  const bool aligned = reinterpret_cast<uintptr_t>(P) % kLine == 0 && reinterpret_cast<uintptr_t>(Q) % kLine == 0;
  switch (aligned ? k : 0) {
    case 16:
      return sweep(user, item, value, order, n, P, Q, bu, bi, RowsInRegisters<1>{1 - lr * reg}, mu, lr, blr, breg);
    case 32:
      return sweep(user, item, value, order, n, P, Q, bu, bi, RowsInRegisters<2>{1 - lr * reg}, mu, lr, blr, breg);
    case 48:
      return sweep(user, item, value, order, n, P, Q, bu, bi, RowsInRegisters<3>{1 - lr * reg}, mu, lr, blr, breg);
    case 64:
      return sweep(user, item, value, order, n, P, Q, bu, bi, RowsInRegisters<4>{1 - lr * reg}, mu, lr, blr, breg);
    default:
      break;
  }
#endif
  return sweep(user, item, value, order, n, P, Q, bu, bi, RowsAnyK{k, 1 - lr * reg}, mu, lr, blr, breg);
}

// Rows of 64 floats start on a cache line only when the array does: V8's large
// typed arrays start 16 bytes past a page, so every other 32-byte load would
// straddle two lines. Train on 64-byte aligned copies when the arrays are not,
// as long as they are small enough to live in cache, where straddling is what
// costs (about a fifth of an epoch at 64 factors on MovieLens-100k, timed apart
// from node); larger ones train in place, where memory latency dominates and a
// copy would double their memory.
constexpr size_t kCopyBelow = size_t{8} << 20;  // floats (32 MiB)

// The copy is mapped fresh and unmapped after: malloc would keep each freed
// aligned block and grow the heap by one copy per call.
struct Aligned {
  float* data = nullptr;
  float* source = nullptr;
  size_t n = 0;
  size_t bytes = 0;
  Aligned(float* src, size_t count) : source(src), n(count) {
    if (reinterpret_cast<uintptr_t>(src) % kLine == 0 || n >= kCopyBelow) {
      data = src;
      return;
    }
    bytes = n * sizeof(float);
    void* m = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return;
    data = static_cast<float*>(m);
    std::memcpy(data, src, bytes);
  }
  Aligned(const Aligned&) = delete;
  Aligned& operator=(const Aligned&) = delete;
  ~Aligned() {
    if (data && data != source) {
      std::memcpy(source, data, bytes);
      munmap(data, bytes);
    }
  }
};

// sgdEpochs(user u32, item u32, value f32, order u32, P f32, Q f32, bu f32, bi f32, k, mu, lr, reg, biasLr, biasReg,
//           epochs, lrDecay, sse f64) -> undefined; sse[e] = epoch e's sum of squared errors
// Epoch e steps with lr·lrDecay^e and biasLr·lrDecay^e. One call for many epochs checks the indices once.
napi_value SgdEpochs(napi_env env, napi_callback_info info) {
  size_t argc = 17;
  napi_value argv[17];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 17) return movrec::fail(env, "sgdEpochs: 17 arguments expected");
  void *user, *item, *value, *order, *P, *Q, *bu, *bi, *sse;
  size_t nUser, nItem, nValue, nOrder, nP, nQ, nBu, nBi, nSse;
  if (!typed(env, argv[0], napi_uint32_array, &user, &nUser) || !typed(env, argv[1], napi_uint32_array, &item, &nItem) ||
      !typed(env, argv[2], napi_float32_array, &value, &nValue) || !typed(env, argv[3], napi_uint32_array, &order, &nOrder) ||
      !typed(env, argv[4], napi_float32_array, &P, &nP) || !typed(env, argv[5], napi_float32_array, &Q, &nQ) ||
      !typed(env, argv[6], napi_float32_array, &bu, &nBu) || !typed(env, argv[7], napi_float32_array, &bi, &nBi) ||
      !typed(env, argv[16], napi_float64_array, &sse, &nSse)) {
    return movrec::fail(env, "sgdEpochs: user, item, order must be Uint32Array; value, factors and biases Float32Array; sse Float64Array");
  }
  double k, mu, lr, reg, blr, breg, epochs, decay;
  if (!number(env, argv[8], &k) || !number(env, argv[9], &mu) || !number(env, argv[10], &lr) || !number(env, argv[11], &reg) ||
      !number(env, argv[12], &blr) || !number(env, argv[13], &breg) || !number(env, argv[14], &epochs) || !number(env, argv[15], &decay) ||
      k < 1 || epochs < 0) {
    return movrec::fail(env, "sgdEpochs: k, mu, lr, reg, biasLr, biasReg, epochs, lrDecay must be numbers (k >= 1, epochs >= 0)");
  }
  const size_t kk = static_cast<size_t>(k);
  const size_t ne = static_cast<size_t>(epochs);
  if (nUser != nItem || nUser != nValue || nP != nBu * kk || nQ != nBi * kk || nSse < ne) return movrec::fail(env, "sgdEpochs: array lengths disagree", true);
  const uint32_t* o = static_cast<const uint32_t*>(order);
  const uint32_t* us = static_cast<const uint32_t*>(user);
  const uint32_t* is = static_cast<const uint32_t*>(item);
  // Bounds once up front, so the hot loop has no checks.
  for (size_t x = 0; x < nOrder; x++) {
    if (o[x] >= nUser || us[o[x]] >= nBu || is[o[x]] >= nBi) return movrec::fail(env, "sgdEpochs: an index is out of range", true);
  }
  Aligned p(static_cast<float*>(P), nP);
  Aligned q(static_cast<float*>(Q), nQ);
  if (!p.data || !q.data) return movrec::fail(env, "sgdEpochs: out of memory for aligned factors", true);
  double* out = static_cast<double*>(sse);
  double scale = 1;
  for (size_t e = 0; e < ne; e++, scale *= decay) {
    out[e] = epoch(us, is, static_cast<const float*>(value), o, nOrder, p.data, q.data, static_cast<float*>(bu), static_cast<float*>(bi), kk,
                   static_cast<float>(mu), static_cast<float>(lr * scale), static_cast<float>(reg), static_cast<float>(blr * scale),
                   static_cast<float>(breg));
  }
  return nullptr;
}
}  // namespace

MOVREC_KERNEL(sgdEpochs, SgdEpochs);
