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
// Users scored together per pass over a row, and rows per block: a block
// (64 rows x 64 factors = 16 KiB) stays in L1 while every user of a batch meets it.
constexpr size_t kTile = 8;
constexpr size_t kBlockRows = 64;
constexpr size_t kMinPaddedTile = 3;

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

// Rows [from, to) for one user: the batched kernel feeds a user's heap block by block.
void scan(const float* f, const float* bias, const float* u, const uint8_t* ex, const uint8_t* flags, bool adult, size_t from, size_t to, size_t k, Heap& heap) {
  const size_t body = k - k % kLanes;
  size_t i = from;
  // Four rows at a time: four independent FMA chains hide the FMA latency.
  for (; i + 4 <= to; i += 4) {
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
  for (; i < to; i++) {
    if (skipped(ex, flags, adult, i)) continue;
    const float* r = f + i * k;
    __m256 a = _mm256_setzero_ps();
    for (size_t j = 0; j < body; j += kLanes) a = _mm256_fmadd_ps(_mm256_loadu_ps(r + j), _mm256_loadu_ps(u + j), a);
    float s = tail(r, u, body, k, hsum(a));
    heap.offer(bias ? s + bias[i] : s, static_cast<int32_t>(i));
  }
}
// Eight users' horizontal sums at once, each in hsum's order ((0+4)+(2+6)) +
// ((1+5)+(3+7)), so a batched score equals the single-user score bit for bit.
inline __m256 hsum8(const __m256* a) {
  __m256 s04 = _mm256_add_ps(_mm256_permute2f128_ps(a[0], a[4], 0x20), _mm256_permute2f128_ps(a[0], a[4], 0x31));
  __m256 s15 = _mm256_add_ps(_mm256_permute2f128_ps(a[1], a[5], 0x20), _mm256_permute2f128_ps(a[1], a[5], 0x31));
  __m256 s26 = _mm256_add_ps(_mm256_permute2f128_ps(a[2], a[6], 0x20), _mm256_permute2f128_ps(a[2], a[6], 0x31));
  __m256 s37 = _mm256_add_ps(_mm256_permute2f128_ps(a[3], a[7], 0x20), _mm256_permute2f128_ps(a[3], a[7], 0x31));
  __m256 t01 = _mm256_add_ps(_mm256_shuffle_ps(s04, s15, _MM_SHUFFLE(1, 0, 1, 0)), _mm256_shuffle_ps(s04, s15, _MM_SHUFFLE(3, 2, 3, 2)));
  __m256 t23 = _mm256_add_ps(_mm256_shuffle_ps(s26, s37, _MM_SHUFFLE(1, 0, 1, 0)), _mm256_shuffle_ps(s26, s37, _MM_SHUFFLE(3, 2, 3, 2)));
  return _mm256_add_ps(_mm256_shuffle_ps(t01, t23, _MM_SHUFFLE(2, 0, 2, 0)), _mm256_shuffle_ps(t01, t23, _MM_SHUFFLE(3, 1, 3, 1)));
}

// Rows [from, to) for eight users: each row is loaded once and meets all eight
// user vectors (eight independent FMA chains); a user's exclusions are checked
// only for the rare score that would enter its heap. `users` holds eight
// vectors; only the first `valid` are real (the rest pad a short tile).
void scanTile(const float* f, const float* bias, const float* users, const uint8_t* ex, size_t n, const uint8_t* flags, const uint8_t* adult, size_t from, size_t to,
              size_t k, Heap* heaps, size_t valid) {
  constexpr size_t T = kTile;
  const size_t body = k - k % kLanes;
  alignas(32) float thr[T];
  unsigned notFull = 0;
  auto refresh = [&](size_t b) {
    if (b >= valid) {
      thr[b] = INFINITY;
      return;
    }
    const Heap& h = heaps[b];
    if (h.size < h.cap) {
      thr[b] = -INFINITY;
      notFull |= 1u << b;
    } else {
      thr[b] = h.score[0];
      notFull &= ~(1u << b);
    }
  };
  for (size_t b = 0; b < T; b++) refresh(b);
  __m256 thrv = _mm256_load_ps(thr);
  for (size_t i = from; i < to; i++) {
    const float* r = f + i * k;
    __m256 acc[T];
    for (size_t b = 0; b < T; b++) acc[b] = _mm256_setzero_ps();
    for (size_t j = 0; j < body; j += kLanes) {
      __m256 rv = _mm256_loadu_ps(r + j);
      for (size_t b = 0; b < T; b++) acc[b] = _mm256_fmadd_ps(rv, _mm256_loadu_ps(users + b * k + j), acc[b]);
    }
    alignas(32) float s[T];
    __m256 sv = hsum8(acc);
    if (body < k) {
      _mm256_store_ps(s, sv);
      for (size_t b = 0; b < T; b++) s[b] = tail(r, users + b * k, body, k, s[b]);
      sv = _mm256_load_ps(s);
    }
    if (bias) sv = _mm256_add_ps(sv, _mm256_set1_ps(bias[i]));
    unsigned hit = static_cast<unsigned>(_mm256_movemask_ps(_mm256_cmp_ps(sv, thrv, _CMP_GT_OQ)));
    hit |= notFull & static_cast<unsigned>(_mm256_movemask_ps(_mm256_cmp_ps(sv, sv, _CMP_ORD_Q)));
    hit &= (1u << valid) - 1;
    if (hit == 0) continue;
    _mm256_store_ps(s, sv);
    for (; hit != 0; hit &= hit - 1) {
      size_t b = static_cast<size_t>(__builtin_ctz(hit));
      if (skipped(ex + b * n, flags, adult[b] != 0, i)) continue;
      heaps[b].offer(s[b], static_cast<int32_t>(i));
      refresh(b);
    }
    thrv = _mm256_load_ps(thr);
  }
}
#else
void scan(const float* f, const float* bias, const float* u, const uint8_t* ex, const uint8_t* flags, bool adult, size_t from, size_t to, size_t k, Heap& heap) {
  const size_t body = k - k % kLanes;
  for (size_t i = from; i < to; i++) {
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

// The heap's items, best first (ties: lower index first).
void writeBestFirst(const Heap& heap, int32_t* out) {
  std::vector<size_t> order(heap.size);
  for (size_t x = 0; x < heap.size; x++) order[x] = x;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return heap.worse(b, a); });
  for (size_t x = 0; x < heap.size; x++) out[x] = heap.index[order[x]];
}

napi_value int32Array(napi_env env, size_t length, int32_t** data) {
  napi_value buffer, out;
  void* raw;
  if (napi_create_arraybuffer(env, length * sizeof(int32_t), &raw, &buffer) != napi_ok) return nullptr;
  if (napi_create_typedarray(env, napi_int32_array, length, buffer, 0, &out) != napi_ok) return nullptr;
  *data = static_cast<int32_t*>(raw);
  return out;
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
       static_cast<const uint8_t*>(flags), adult, 0, n, k, heap);
  int32_t* outData = nullptr;
  napi_value out = int32Array(env, heap.size, &outData);
  if (out) writeBestFirst(heap, outData);
  return out;
}

// topKBatch(itemFactors, itemBias | null, userVecs (B x k), exclude (B x n), itemFlags, excludeAdult (B bytes), count): Int32Array (B x count)
// Row b holds user b's ids best first, padded with -1; each row equals topK for that user alone.
napi_value TopKBatch(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 7) return movrec::fail(env, "topKBatch expects 7 arguments");
  void *f, *bias = nullptr, *u, *ex, *flags, *adult;
  size_t nf, nb = 0, nu, nex, n, users;
  if (!typed(env, argv[0], napi_float32_array, &f, &nf)) return movrec::fail(env, "itemFactors must be a Float32Array");
  napi_valuetype bt;
  napi_typeof(env, argv[1], &bt);
  if (bt != napi_null && !typed(env, argv[1], napi_float32_array, &bias, &nb)) return movrec::fail(env, "itemBias must be a Float32Array or null");
  if (!typed(env, argv[2], napi_float32_array, &u, &nu)) return movrec::fail(env, "userVecs must be a Float32Array");
  if (!typed(env, argv[3], napi_uint8_array, &ex, &nex)) return movrec::fail(env, "exclude must be a Uint8Array");
  if (!typed(env, argv[4], napi_uint8_array, &flags, &n)) return movrec::fail(env, "itemFlags must be a Uint8Array");
  if (!typed(env, argv[5], napi_uint8_array, &adult, &users)) return movrec::fail(env, "excludeAdult must be a Uint8Array (one byte per user)");
  double countD = 0;
  if (napi_get_value_double(env, argv[6], &countD) != napi_ok || countD < 0 || countD != std::floor(countD))
    return movrec::fail(env, "count must be a non-negative integer", true);
  if (users == 0 || nu % users != 0) return movrec::fail(env, "userVecs length must be users x factors", true);
  const size_t k = nu / users;
  if (nf != n * k) return movrec::fail(env, "itemFactors length must equal items x factors", true);
  if (bias && nb != n) return movrec::fail(env, "itemBias length must equal the item count", true);
  if (nex != users * n) return movrec::fail(env, "exclude length must equal users x items", true);

  const size_t count = static_cast<size_t>(countD);
  std::vector<Heap> heaps(users, Heap(count));
  const float* F = static_cast<const float*>(f);
  const float* B = static_cast<const float*>(bias);
  const float* U = static_cast<const float*>(u);
  const uint8_t* EX = static_cast<const uint8_t*>(ex);
  const uint8_t* FL = static_cast<const uint8_t*>(flags);
  const uint8_t* AD = static_cast<const uint8_t*>(adult);
  if (count > 0) {
    size_t tiled = 0;
#if defined(__AVX2__) && defined(__FMA__)
    // A tile costs about as much as three users scanned one by one: a short
    // remainder of three or more goes through a tile padded with zero vectors.
    const size_t rest = users % kTile;
    tiled = users - rest + (rest >= kMinPaddedTile ? rest : 0);
    std::vector<float> padded(kTile * k, 0.0f);
    if (tiled % kTile != 0) std::copy(U + (users - rest) * k, U + users * k, padded.begin());
#endif
    for (size_t lo = 0; lo < n; lo += kBlockRows) {
      const size_t hi = std::min(n, lo + kBlockRows);
      size_t b = 0;
#if defined(__AVX2__) && defined(__FMA__)
      for (; b < tiled; b += kTile) {
        const size_t valid = std::min(kTile, tiled - b);
        scanTile(F, B, valid == kTile ? U + b * k : padded.data(), EX + b * n, n, FL, AD + b, lo, hi, k, heaps.data() + b, valid);
      }
#endif
      for (; b < users; b++) scan(F, B, U + b * k, EX + b * n, FL, AD[b] != 0, lo, hi, k, heaps[b]);
    }
  }
  int32_t* outData = nullptr;
  napi_value out = int32Array(env, users * count, &outData);
  if (!out) return nullptr;
  std::fill(outData, outData + users * count, -1);
  for (size_t b = 0; b < users; b++) writeBestFirst(heaps[b], outData + b * count);
  return out;
}
}  // namespace

MOVREC_KERNEL(topK, TopK);
MOVREC_KERNEL(topKBatch, TopKBatch);
