// Top-K scoring kernel: scores = itemFactors (n x k, row-major) . userVec
// (+ itemBias), skipping excluded and (for minors) adult items inside the
// loop, keeping the best `count` in a small heap. The summation order (8 lanes,
// fused multiply-add, fixed horizontal sum) is mirrored by native/twins/topk.ts.
#include "kernels.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>
#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#endif

namespace {
constexpr int kLanes = 8;

struct Heap {
  std::vector<float> score;
  std::vector<int32_t> index;
  size_t size = 0;
  size_t cap;
  explicit Heap(size_t count) : score(count), index(count), cap(count) {}

  // The root is the worst item kept: lower score, or higher index on a tie.
  bool worse(size_t a, size_t b) const { return score[a] < score[b] || (score[a] == score[b] && index[a] > index[b]); }
  void swap(size_t a, size_t b) {
    std::swap(score[a], score[b]);
    std::swap(index[a], index[b]);
  }
  void offer(float s, int32_t i) {
    if (s != s) return;
    if (size < cap) {
      score[size] = s;
      index[size] = i;
      for (size_t at = size++; at > 0;) {
        size_t parent = (at - 1) / 2;
        if (!worse(at, parent)) break;
        swap(at, parent);
        at = parent;
      }
      return;
    }
    // Equal to the worst kept loses: the kept item has the lower index.
    if (cap == 0 || !(s > score[0])) return;
    score[0] = s;
    index[0] = i;
    for (size_t at = 0;;) {
      size_t l = 2 * at + 1, r = l + 1, m = at;
      if (l < size && worse(l, m)) m = l;
      if (r < size && worse(r, m)) m = r;
      if (m == at) break;
      swap(at, m);
      at = m;
    }
  }
};

inline bool skipped(const uint8_t* exclude, const uint8_t* flags, bool adult, size_t i) {
  return exclude[i] != 0 || (adult && (flags[i] & 1) != 0);
}

// Without FMA hardware std::fma is a slow library call: the fallback rounds the
// product separately, so its scores may differ from the twin's in the last bit.
inline float madd(float a, float b, float c) {
#if defined(__FMA__)
  return std::fma(a, b, c);
#else
  return a * b + c;
#endif
}

inline float tail(const float* row, const float* u, size_t body, size_t k, float s) {
  for (size_t j = body; j < k; j++) s = madd(row[j], u[j], s);
  return s;
}

#if defined(__AVX2__) && defined(__FMA__)
inline float hsum(__m256 v) {
  __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  __m128 s2 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
  return _mm_cvtss_f32(_mm_add_ss(s2, _mm_shuffle_ps(s2, s2, 1)));
}

void scan(const float* f, const float* bias, const float* u, const uint8_t* ex, const uint8_t* flags, bool adult, size_t n, size_t k, Heap& heap) {
  const size_t body = k - k % kLanes;
  size_t i = 0;
  // Four rows at a time: four independent FMA chains hide the FMA latency.
  for (; i + 4 <= n; i += 4) {
    if (skipped(ex, flags, adult, i) && skipped(ex, flags, adult, i + 1) && skipped(ex, flags, adult, i + 2) && skipped(ex, flags, adult, i + 3)) continue;
    const float* r0 = f + i * k;
    const float* r1 = r0 + k;
    const float* r2 = r1 + k;
    const float* r3 = r2 + k;
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    for (size_t j = 0; j < body; j += kLanes) {
      __m256 uv = _mm256_loadu_ps(u + j);
      a0 = _mm256_fmadd_ps(_mm256_loadu_ps(r0 + j), uv, a0);
      a1 = _mm256_fmadd_ps(_mm256_loadu_ps(r1 + j), uv, a1);
      a2 = _mm256_fmadd_ps(_mm256_loadu_ps(r2 + j), uv, a2);
      a3 = _mm256_fmadd_ps(_mm256_loadu_ps(r3 + j), uv, a3);
    }
    float s[4] = {tail(r0, u, body, k, hsum(a0)), tail(r1, u, body, k, hsum(a1)), tail(r2, u, body, k, hsum(a2)), tail(r3, u, body, k, hsum(a3))};
    for (size_t d = 0; d < 4; d++) {
      if (skipped(ex, flags, adult, i + d)) continue;
      heap.offer(bias ? s[d] + bias[i + d] : s[d], static_cast<int32_t>(i + d));
    }
  }
  for (; i < n; i++) {
    if (skipped(ex, flags, adult, i)) continue;
    const float* r = f + i * k;
    __m256 a = _mm256_setzero_ps();
    for (size_t j = 0; j < body; j += kLanes) a = _mm256_fmadd_ps(_mm256_loadu_ps(r + j), _mm256_loadu_ps(u + j), a);
    float s = tail(r, u, body, k, hsum(a));
    heap.offer(bias ? s + bias[i] : s, static_cast<int32_t>(i));
  }
}
#else
void scan(const float* f, const float* bias, const float* u, const uint8_t* ex, const uint8_t* flags, bool adult, size_t n, size_t k, Heap& heap) {
  const size_t body = k - k % kLanes;
  for (size_t i = 0; i < n; i++) {
    if (skipped(ex, flags, adult, i)) continue;
    const float* r = f + i * k;
    float l[kLanes] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (size_t j = 0; j < body; j += kLanes)
      for (int d = 0; d < kLanes; d++) l[d] = madd(r[j + d], u[j + d], l[d]);
    float s = ((l[0] + l[4]) + (l[2] + l[6])) + ((l[1] + l[5]) + (l[3] + l[7]));
    s = tail(r, u, body, k, s);
    heap.offer(bias ? s + bias[i] : s, static_cast<int32_t>(i));
  }
}
#endif

bool typed(napi_env env, napi_value v, napi_typedarray_type want, void** data, size_t* length) {
  bool is = false;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return false;
  napi_typedarray_type type;
  if (napi_get_typedarray_info(env, v, &type, length, data, nullptr, nullptr) != napi_ok) return false;
  return type == want;
}

// topK(itemFactors, itemBias | null, userVec, exclude, itemFlags, excludeAdult, count): Int32Array
napi_value TopK(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 7) return movrec::fail(env, "topK expects 7 arguments");
  void *f, *bias = nullptr, *u, *ex, *flags;
  size_t nf, nb = 0, k, n, nflags;
  if (!typed(env, argv[0], napi_float32_array, &f, &nf)) return movrec::fail(env, "itemFactors must be a Float32Array");
  napi_valuetype bt;
  napi_typeof(env, argv[1], &bt);
  if (bt != napi_null && !typed(env, argv[1], napi_float32_array, &bias, &nb)) return movrec::fail(env, "itemBias must be a Float32Array or null");
  if (!typed(env, argv[2], napi_float32_array, &u, &k)) return movrec::fail(env, "userVec must be a Float32Array");
  if (!typed(env, argv[3], napi_uint8_array, &ex, &n)) return movrec::fail(env, "exclude must be a Uint8Array");
  if (!typed(env, argv[4], napi_uint8_array, &flags, &nflags)) return movrec::fail(env, "itemFlags must be a Uint8Array");
  bool adult = false;
  if (napi_get_value_bool(env, argv[5], &adult) != napi_ok) return movrec::fail(env, "excludeAdult must be a boolean");
  double countD = 0;
  if (napi_get_value_double(env, argv[6], &countD) != napi_ok || countD < 0 || countD != std::floor(countD))
    return movrec::fail(env, "count must be a non-negative integer", true);
  if (nf != n * k) return movrec::fail(env, "itemFactors length must equal items x factors", true);
  if (bias && nb != n) return movrec::fail(env, "itemBias length must equal the item count", true);
  if (nflags != n) return movrec::fail(env, "itemFlags length must equal the item count", true);

  Heap heap(static_cast<size_t>(countD));
  scan(static_cast<const float*>(f), static_cast<const float*>(bias), static_cast<const float*>(u), static_cast<const uint8_t*>(ex),
       static_cast<const uint8_t*>(flags), adult, n, k, heap);

  std::vector<size_t> order(heap.size);
  for (size_t x = 0; x < heap.size; x++) order[x] = x;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return heap.worse(b, a); });
  napi_value buffer, out;
  void* outData;
  if (napi_create_arraybuffer(env, heap.size * sizeof(int32_t), &outData, &buffer) != napi_ok) return nullptr;
  for (size_t x = 0; x < heap.size; x++) static_cast<int32_t*>(outData)[x] = heap.index[order[x]];
  if (napi_create_typedarray(env, napi_int32_array, heap.size, buffer, 0, &out) != napi_ok) return nullptr;
  return out;
}
}  // namespace

MOVREC_KERNEL(topK, TopK);
