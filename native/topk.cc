// Top-K scoring kernel over a packed item matrix (packItems in
// native/twins/topk.ts): blocks of 16 items, factor-major inside a block, so
// one 16-lane register accumulates 16 items' scores and no horizontal sum is
// needed. score(i) = a fused multiply-add chain over the factors in order,
// starting from 0 (+ itemBias[i], one rounded add), exactly as the twin
// computes it. Excluded and (for minors) adult items are skipped inside the
// loop, and the best `count` are kept in a small heap per user. Built for
// AMX or AVX-512 VNNI, scan() first tries that int8 backend (topk-amx.cc or
// topk-vnni.cc, shared parts in topk-int8.h), which fills the same heaps with
// the same items from int8 estimates and an exact rescoring.
#include "kernels.h"
#include "topk-scan.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>
#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#endif

namespace {
using namespace movrec::topk;

// Without FMA hardware std::fma is a slow library call: the fallback rounds the
// product separately, so its scores may differ from the twin's in the last bit.
inline float madd(float a, float b, float c) {
#if defined(__FMA__)
  return std::fma(a, b, c);
#else
  return a * b + c;
#endif
}

// Block q for one user, lane by lane: the reference order every path keeps
// (the scan itself without SIMD tiles).
[[maybe_unused]] void blockScalar(const Items& it, const float* uv, const User& u, size_t q) {
  alignas(64) float s[kBlock] = {0};
  const float* p = it.packed + q * it.k * kBlock;
  for (size_t j = 0; j < it.k; j++)
    for (size_t l = 0; l < kBlock; l++) s[l] = madd(p[j * kBlock + l], uv[j], s[l]);
  const unsigned valid = validLanes(it, q);
  unsigned hit = 0;
  for (size_t l = 0; l < kBlock; l++) {
    if (!((valid >> l) & 1)) continue;
    if (it.bias) s[l] = s[l] + it.bias[q * kBlock + l];
    if (s[l] == s[l] && (!u.heap->full() || s[l] > u.heap->score[0])) hit |= 1u << l;
  }
  offerLanes(it, u, q, s, hit);
}

#if defined(__AVX512F__)
// U users x two blocks per step: 2U accumulators of 16 lanes, each block row
// loaded once for U users, each user factor broadcast once for two blocks.
template <size_t U>
void tile(const Items& it, const float* uvs, const User* users, size_t q0, size_t q1) {
  const size_t k = it.k;
  for (size_t q = q0; q < q1; q += 2) {
    const bool two = q + 1 < q1;
    const float* p0 = it.packed + q * k * kBlock;
    const float* p1 = two ? p0 + k * kBlock : p0;
    __m512 a0[U], a1[U];
    for (size_t b = 0; b < U; b++) a0[b] = a1[b] = _mm512_setzero_ps();
    for (size_t j = 0; j < k; j++) {
      const __m512 v0 = _mm512_loadu_ps(p0 + j * kBlock);
      const __m512 v1 = _mm512_loadu_ps(p1 + j * kBlock);
      for (size_t b = 0; b < U; b++) {
        const __m512 x = _mm512_set1_ps(uvs[b * k + j]);
        a0[b] = _mm512_fmadd_ps(v0, x, a0[b]);
        a1[b] = _mm512_fmadd_ps(v1, x, a1[b]);
      }
    }
    for (size_t h = 0; h < (two ? 2u : 1u); h++) {
      const size_t qq = q + h;
      const __mmask16 valid = static_cast<__mmask16>(validLanes(it, qq));
      const __m512 bias = it.bias ? _mm512_maskz_loadu_ps(valid, it.bias + qq * kBlock) : _mm512_setzero_ps();
      for (size_t b = 0; b < U; b++) {
        __m512 s = h == 0 ? a0[b] : a1[b];
        if (it.bias) s = _mm512_add_ps(s, bias);
        const Heap& heap = *users[b].heap;
        unsigned hit = heap.full() ? _mm512_cmp_ps_mask(s, _mm512_set1_ps(heap.score[0]), _CMP_GT_OQ) : _mm512_cmp_ps_mask(s, s, _CMP_ORD_Q);
        hit &= valid;
        if (hit == 0) continue;
        alignas(64) float out[kBlock];
        _mm512_store_ps(out, s);
        offerLanes(it, users[b], qq, out, hit);
      }
    }
  }
}
#elif defined(__AVX2__) && defined(__FMA__)
// U users x one block per step: a block is two 8-lane halves, 2U accumulators.
template <size_t U>
void tile(const Items& it, const float* uvs, const User* users, size_t q0, size_t q1) {
  const size_t k = it.k;
  for (size_t q = q0; q < q1; q++) {
    const float* p = it.packed + q * k * kBlock;
    __m256 lo[U], hi[U];
    for (size_t b = 0; b < U; b++) lo[b] = hi[b] = _mm256_setzero_ps();
    for (size_t j = 0; j < k; j++) {
      const __m256 v0 = _mm256_loadu_ps(p + j * kBlock);
      const __m256 v1 = _mm256_loadu_ps(p + j * kBlock + 8);
      for (size_t b = 0; b < U; b++) {
        const __m256 x = _mm256_broadcast_ss(uvs + b * k + j);
        lo[b] = _mm256_fmadd_ps(v0, x, lo[b]);
        hi[b] = _mm256_fmadd_ps(v1, x, hi[b]);
      }
    }
    const unsigned valid = validLanes(it, q);
    alignas(32) float bias[kBlock] = {0};
    if (it.bias)
      for (size_t l = 0; l < kBlock; l++)
        if ((valid >> l) & 1) bias[l] = it.bias[q * kBlock + l];
    const __m256 b0 = _mm256_load_ps(bias), b1 = _mm256_load_ps(bias + 8);
    for (size_t b = 0; b < U; b++) {
      __m256 s0 = lo[b], s1 = hi[b];
      if (it.bias) {
        s0 = _mm256_add_ps(s0, b0);
        s1 = _mm256_add_ps(s1, b1);
      }
      const Heap& heap = *users[b].heap;
      unsigned hit;
      if (heap.full()) {
        const __m256 thr = _mm256_set1_ps(heap.score[0]);
        hit = static_cast<unsigned>(_mm256_movemask_ps(_mm256_cmp_ps(s0, thr, _CMP_GT_OQ))) |
              static_cast<unsigned>(_mm256_movemask_ps(_mm256_cmp_ps(s1, thr, _CMP_GT_OQ))) << 8;
      } else {
        hit = static_cast<unsigned>(_mm256_movemask_ps(_mm256_cmp_ps(s0, s0, _CMP_ORD_Q))) |
              static_cast<unsigned>(_mm256_movemask_ps(_mm256_cmp_ps(s1, s1, _CMP_ORD_Q))) << 8;
      }
      hit &= valid;
      if (hit == 0) continue;
      alignas(32) float out[kBlock];
      _mm256_store_ps(out, s0);
      _mm256_store_ps(out + 8, s1);
      offerLanes(it, users[b], q, out, hit);
    }
  }
}
#endif

#if defined(__AVX512F__)
// 32 vector registers: 2U accumulators + two block rows + one broadcast.
constexpr size_t kMaxTile = 12;
#elif defined(__AVX2__) && defined(__FMA__)
// 16 vector registers: 2U accumulators (two halves of a block) + two half rows + one broadcast.
constexpr size_t kMaxTile = 6;
#else
constexpr size_t kMaxTile = 1;
#endif

#if defined(__AVX512F__) || (defined(__AVX2__) && defined(__FMA__))
template <size_t U>
void tileOf(size_t u, const Items& it, const float* uvs, const User* users, size_t q0, size_t q1) {
  if constexpr (U > 1) {
    if (u < U) return tileOf<U - 1>(u, it, uvs, users, q0, q1);
  }
  tile<U>(it, uvs, users, q0, q1);
}
#endif

// Every user's heap over every item: chunk by chunk, each chunk meeting all
// users while it is in cache, in as few tiles as the registers allow (sizes
// as even as possible: 10 users are one tile, 16 are two of 8), since every
// tile is one more pass over the chunk. Each user sees its items in ascending
// order, so a batch answers exactly as each user alone.
void scanAll(const Items& it, const float* uvs, std::vector<User>& users) {
  const size_t nb = (it.n + kBlock - 1) / kBlock;
  const size_t k = it.k;
  const size_t tiles = (users.size() + kMaxTile - 1) / kMaxTile;
  for (size_t q0 = 0; q0 < nb; q0 += kChunkBlocks) {
    const size_t q1 = std::min(nb, q0 + kChunkBlocks);
    for (size_t t = 0, b = 0; t < tiles; t++) {
      const size_t u = (users.size() - b + (tiles - t) - 1) / (tiles - t);
#if defined(__AVX512F__) || (defined(__AVX2__) && defined(__FMA__))
      tileOf<kMaxTile>(u, it, uvs + b * k, &users[b], q0, q1);
#else
      for (size_t q = q0; q < q1; q++) blockScalar(it, uvs + b * k, users[b], q);
#endif
      b += u;
    }
  }
}

// The plain scan, or the int8 one where this build (and for AMX the kernel) allows it (same answers).
void scan(napi_env env, napi_value packed, const Items& it, const float* uvs, std::vector<User>& users) {
#if defined(MOVREC_INT8)
  if (int8Usable() && scanInt8(env, packed, it, uvs, users)) return;
#else
  (void)env;
  (void)packed;
#endif
  scanAll(it, uvs, users);
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

// The item side shared by both entry points: packed factors, bias, flags,
// checked against each other, and the optional 8th argument, the unpacked
// item-major matrix (null or absent: none). False (with a JS exception
// pending) when refused.
bool readItems(napi_env env, napi_value* argv, size_t argc, size_t k, Items* it) {
  void *p, *bias = nullptr, *flags;
  size_t np, nb = 0, n;
  auto refuse = [&](const char* why, bool range) {
    movrec::fail(env, why, range);
    return false;
  };
  if (!movrec::typed(env, argv[0], napi_float32_array, &p, &np)) return refuse("packedItems must be a Float32Array", false);
  napi_valuetype bt;
  napi_typeof(env, argv[1], &bt);
  if (bt != napi_null && !movrec::typed(env, argv[1], napi_float32_array, &bias, &nb)) return refuse("itemBias must be a Float32Array or null", false);
  if (!movrec::typed(env, argv[4], napi_uint8_array, &flags, &n)) return refuse("itemFlags must be a Uint8Array", false);
  if (k == 0) return refuse("factors must be at least 1", true);
  if (np != (n + kBlock - 1) / kBlock * kBlock * k) return refuse("packedItems length must equal ceil(items / 16) x 16 x factors (see packItems)", true);
  if (bias && nb != n) return refuse("itemBias length must equal the item count", true);
  *it = Items{static_cast<const float*>(p), static_cast<const float*>(bias), static_cast<const uint8_t*>(flags), n, k};
  if (argc > 7) {
    napi_valuetype rt;
    napi_typeof(env, argv[7], &rt);
    if (rt != napi_null && rt != napi_undefined) {
      void* rows;
      size_t nr;
      if (!movrec::typed(env, argv[7], napi_float32_array, &rows, &nr)) return refuse("itemRows must be a Float32Array, null or absent", false);
      if (nr != n * k) return refuse("itemRows length must equal items x factors", true);
      it->rows = static_cast<const float*>(rows);
    }
  }
  return true;
}

bool readCount(napi_env env, napi_value v, size_t* count) {
  double d = 0;
  if (napi_get_value_double(env, v, &d) != napi_ok || d < 0 || d != std::floor(d)) return false;
  *count = static_cast<size_t>(d);
  return true;
}

// topK(packedItems, itemBias | null, userVec, exclude, itemFlags, excludeAdult, count, itemRows?): Int32Array
napi_value TopK(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 7) return movrec::fail(env, "topK expects 7 arguments (an 8th, itemRows, is optional)");
  void *u, *ex;
  size_t k, nex;
  if (!movrec::typed(env, argv[2], napi_float32_array, &u, &k)) return movrec::fail(env, "userVec must be a Float32Array");
  if (!movrec::typed(env, argv[3], napi_uint8_array, &ex, &nex)) return movrec::fail(env, "exclude must be a Uint8Array");
  Items it;
  if (!readItems(env, argv, argc, k, &it)) return nullptr;
  bool adult = false;
  if (napi_get_value_bool(env, argv[5], &adult) != napi_ok) return movrec::fail(env, "excludeAdult must be a boolean");
  size_t count;
  if (!readCount(env, argv[6], &count)) return movrec::fail(env, "count must be a non-negative integer", true);
  if (nex != it.n) return movrec::fail(env, "exclude length must equal the item count", true);

  Heap heap(count);
  std::vector<User> users{User{&heap, static_cast<const uint8_t*>(ex), adult}};
  if (count > 0) scan(env, argv[0], it, static_cast<const float*>(u), users);
  int32_t* outData = nullptr;
  napi_value out = int32Array(env, heap.size, &outData);
  if (out) writeBestFirst(heap, outData);
  return out;
}

// Per-thread masks for callers that send exclusion lists: all zero between
// calls (each call clears what it set), kept for batches up to this many bytes.
constexpr size_t kKeptMaskBytes = size_t{4} << 20;

// topKBatch(packedItems, itemBias | null, userVecs (B x k), exclude, itemFlags, excludeAdult (B bytes), count, itemRows?): Int32Array (B x count)
// exclude: B masks of n bytes (Uint8Array), or lists (Int32Array: per user its count, then that many item indices).
// Row b holds user b's ids best first, padded with -1; each row equals topK for that user alone.
napi_value TopKBatch(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 7) return movrec::fail(env, "topKBatch expects 7 arguments (an 8th, itemRows, is optional)");
  void *u, *ex, *adult;
  size_t nu, nex, nusers;
  if (!movrec::typed(env, argv[2], napi_float32_array, &u, &nu)) return movrec::fail(env, "userVecs must be a Float32Array");
  const bool lists = movrec::typed(env, argv[3], napi_int32_array, &ex, &nex);
  if (!lists && !movrec::typed(env, argv[3], napi_uint8_array, &ex, &nex)) return movrec::fail(env, "exclude must be a Uint8Array (users x items masks) or an Int32Array (lists)");
  if (!movrec::typed(env, argv[5], napi_uint8_array, &adult, &nusers)) return movrec::fail(env, "excludeAdult must be a Uint8Array (one byte per user)");
  if (nusers == 0 || nu % nusers != 0) return movrec::fail(env, "userVecs length must be users x factors", true);
  Items it;
  if (!readItems(env, argv, argc, nu / nusers, &it)) return nullptr;
  size_t count;
  if (!readCount(env, argv[6], &count)) return movrec::fail(env, "count must be a non-negative integer", true);
  if (!lists && nex != nusers * it.n) return movrec::fail(env, "exclude length must equal users x items", true);

  std::vector<Heap> heaps(nusers, Heap(count));
  std::vector<User> users;
  users.reserve(nusers);
  const uint8_t* AD = static_cast<const uint8_t*>(adult);
  static thread_local std::vector<uint8_t> keptMasks;
  std::vector<uint8_t> ownMasks;
  if (lists) {
    // Checked whole before any mask byte is set: a refusal leaves the kept masks all zero.
    const int32_t* L = static_cast<const int32_t*>(ex);
    size_t at = 0;
    for (size_t b = 0; b < nusers; b++) {
      if (at >= nex || L[at] < 0 || static_cast<size_t>(L[at]) > nex - at - 1) return movrec::fail(env, "exclude lists: a user's count runs past the end", true);
      const size_t len = static_cast<size_t>(L[at++]);
      for (size_t x = at; x < at + len; x++)
        if (L[x] < 0 || static_cast<size_t>(L[x]) >= it.n) return movrec::fail(env, "exclude lists: an item index is outside 0..items-1", true);
      at += len;
    }
    if (at != nex) return movrec::fail(env, "exclude lists: values past the last user's list", true);
    std::vector<uint8_t>& masks = nusers * it.n <= kKeptMaskBytes ? keptMasks : ownMasks;
    if (masks.size() < nusers * it.n) masks.resize(nusers * it.n, 0);
    at = 0;
    for (size_t b = 0; b < nusers; b++) {
      const size_t len = static_cast<size_t>(L[at++]);
      uint8_t* mask = masks.data() + b * it.n;
      for (size_t x = at; x < at + len; x++) mask[L[x]] = 1;
      users.push_back(User{&heaps[b], mask, AD[b] != 0, L + at, len});
      at += len;
    }
  } else {
    const uint8_t* EX = static_cast<const uint8_t*>(ex);
    for (size_t b = 0; b < nusers; b++) users.push_back(User{&heaps[b], EX + b * it.n, AD[b] != 0});
  }
  if (count > 0) scan(env, argv[0], it, static_cast<const float*>(u), users);
  if (lists)
    for (const User& x : users)
      for (size_t y = 0; y < x.listLen; y++) const_cast<uint8_t*>(x.exclude)[x.list[y]] = 0;
  int32_t* outData = nullptr;
  napi_value out = int32Array(env, nusers * count, &outData);
  if (!out) return nullptr;
  std::fill(outData, outData + nusers * count, -1);
  for (size_t b = 0; b < nusers; b++) writeBestFirst(heaps[b], outData + b * count);
  return out;
}
// useInt8(on?: boolean): boolean. Switches the int8 path (AMX or VNNI) on or off for this
// process (benchmarks compare both) and says whether it is in use: built in,
// granted by the kernel and switched on.
napi_value UseInt8(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  bool inUse = false;
#if defined(MOVREC_INT8)
  napi_valuetype t = napi_undefined;
  if (argc >= 1) napi_typeof(env, argv[0], &t);
  if (t == napi_boolean) {
    bool on = true;
    napi_get_value_bool(env, argv[0], &on);
    int8Want(on);
  } else if (t != napi_undefined) {
    return movrec::fail(env, "useInt8 expects a boolean or nothing");
  }
  inUse = int8Usable();
#else
  (void)argv;
#endif
  napi_value out;
  napi_get_boolean(env, inUse, &out);
  return out;
}
}  // namespace

MOVREC_KERNEL(topK, TopK);
MOVREC_KERNEL(topKBatch, TopKBatch);
MOVREC_KERNEL(useInt8, UseInt8);
