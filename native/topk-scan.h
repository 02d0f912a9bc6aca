// Internal to the top-K kernels (topk.cc and the int8 backends topk-amx.cc,
// topk-vnni.cc): the packed layout's constants, the per-user heap, the scan's
// view of the items, and the one call the plain scan makes into an int8 backend.
#pragma once
#include <node_api.h>

#include <algorithm>
#include <cstdint>
#include <vector>

// Which int8 backend this build has: AMX tiles, else AVX-512 VNNI, else none (the plain scan only).
#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__)
#if defined(__AMX_TILE__) && defined(__AMX_INT8__)
#define MOVREC_AMX 1
#define MOVREC_INT8 1
#elif defined(__AVX512VNNI__)
#define MOVREC_VNNI 1
#define MOVREC_INT8 1
#endif
#endif

namespace movrec::topk {
constexpr size_t kBlock = 16;
// Blocks per chunk: 64 blocks x 16 items x 64 factors x 4 bytes = 256 KiB
// stays in L2 while every user tile of a batch passes over it.
constexpr size_t kChunkBlocks = 64;

struct Heap {
  std::vector<float> score;
  std::vector<int32_t> index;
  size_t size = 0;
  size_t cap;
  explicit Heap(size_t count) : score(count), index(count), cap(count) {}

  // The root is the worst item kept: lower score, or higher index on a tie.
  bool worse(size_t a, size_t b) const { return score[a] < score[b] || (score[a] == score[b] && index[a] > index[b]); }
  bool full() const { return size == cap; }
  void swap(size_t a, size_t b) {
    std::swap(score[a], score[b]);
    std::swap(index[a], index[b]);
  }
  // Items are offered in ascending index order, so an equal score loses to the kept one.
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

/**
 * One user of a scan: its heap, its exclusion mask (n bytes) and whether
 * adult items are skipped; when the caller sent lists, also the user's list
 * of excluded items (the int8 path bans from it instead of reading the mask).
 */
struct User {
  Heap* heap;
  const uint8_t* exclude;
  bool adult;
  const int32_t* list = nullptr;
  size_t listLen = 0;
};

struct Items {
  const float* packed;
  const float* bias;  // null: no item bias
  const uint8_t* flags;
  size_t n;
  size_t k;
  const float* rows = nullptr;  // the same factors item by item (the artifact's own matrix), when the caller has them
};

// Lanes of block q that are real items (the last block is padded with zero rows).
inline unsigned validLanes(const Items& it, size_t q) {
  const size_t left = it.n - q * kBlock;
  return left >= kBlock ? 0xFFFFu : (1u << left) - 1;
}

// Offers the lanes in `hit` of block q's scores `s` (bias added) to the user, lowest lane first.
inline void offerLanes(const Items& it, const User& u, size_t q, const float* s, unsigned hit) {
  for (; hit != 0; hit &= hit - 1) {
    const size_t l = static_cast<size_t>(__builtin_ctz(hit));
    const size_t i = q * kBlock + l;
    if (u.exclude[i] != 0 || (u.adult && (it.flags[i] & 1) != 0)) continue;
    u.heap->offer(s[l], static_cast<int32_t>(i));
  }
}

#if defined(MOVREC_INT8)
// The int8 backend's side, defined by whichever of topk-amx.cc / topk-vnni.cc this build compiles.

/** Whether the int8 path may run: switched on and (AMX) granted by Linux. */
bool int8Usable();
/** Switches the int8 path on or off for this process. */
void int8Want(bool on);
/**
 * Fills every user's heap exactly as the plain scan would, from int8 estimates and an exact rescoring;
 * false (nothing written) when the path cannot serve this call: the caller runs the plain scan.
 */
bool scanInt8(napi_env env, napi_value packed, const Items& it, const float* uvs, std::vector<User>& users);
#endif
}  // namespace movrec::topk
