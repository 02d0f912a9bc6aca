// The int8 path's shared parts, for its two backends (topk-amx.cc on the AMX
// tile unit, topk-vnni.cc with AVX-512 VNNI): the same answers as the plain scan, found faster.
//
// int8 dot products run at several times the fp32 FMA rate: on the AMX tile
// unit (all 64 factors of 16 items x 16 users per instruction), or with
// AVX-512 VNNI (vpdpbusd: 4 factors of 16 users, or of 4 users x 4 items, per
// instruction) where a CPU has no AMX. Each item's factors are stored as int8 steps of its own scale
// (max |v| / 127), each user's are quantized the same way per call, so an
// exact int32 sum times the two scales is an estimate of the fp32 score, and
// each estimate comes with a bound on its distance to the exact score the
// plain scan computes (see Group). Both backends produce the same int32 sums,
// so everything past them is shared. That is enough for an exact top-K:
//   1. pass 1 estimates every item and keeps, per user and per 4 blocks (64
//      items), a LOWER bound of the best allowed item's score; a value F with
//      `count` of those at or above it is at most the user's exact count-th
//      best score, since they belong to count distinct allowed items;
//   2. pass 2 revisits only the blocks whose best upper bound reaches F and
//      keeps every allowed item whose upper bound does: each item of the
//      exact top-K has exact >= F, so none is missed;
//   3. the kept items (tens per user) are rescored with the plain scan's FMA
//      chain and offered, in ascending index order, to the same Heap: it ends
//      holding exactly what the plain scan's would (same scores, same tie rule).
// int8, not bf16: at 64 factors an item is one 64-byte row, so a 27,000
// item matrix is 1.7 MiB (half the bf16 bytes to stream, and it fits a 2 MiB L2).
// The int8 rows are built once per packed matrix and hung on that JS array
// with napi_wrap, so they live and die with it: a model's packed matrix is
// written once, before its first query, and never changed. The rescoring
// reads a candidate's factors from the item-major matrix when the caller
// passes it (4 cache lines per item at 64 factors), else from the packed one
// (one line per factor).
//
// A backend supplies only what differs: the byte layout of the int8 rows
// (Layout::at, Layout::Writer) and the int32 sums of pass 1 and pass 2
// (Backend::pass1, Backend::pass2). Everything else is here, once.
#pragma once
#include <immintrin.h>

#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "topk-scan.h"

// GCC 12's AVX-512 intrinsics start from _mm512_undefined_*() values and trip
// -Wmaybe-uninitialized once inlined here: a false alarm, silenced for this file.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace {
using namespace movrec::topk;

constexpr size_t kStep = 64;  // factors per k-step: one tile row holds 64 int8
constexpr size_t kRows = 16;  // items per item tile, users per user tile
// Rounding allowance, relative to |estimate| and |bias|: covers the float
// conversions and products of the estimate, the plain scan's bias add and the
// rounding of the bounds themselves (each 2^-24 or less) several times over.
constexpr float kRel = 1.0f / 262144;       // 2^-18, per item
constexpr float kRelBlock = 1.0f / 65536;   // 2^-16: a block's bound stays above each of its items' after rounding
constexpr float kTiny = 1e-30f;             // products flushed below the normal range

std::atomic<bool> int8Wanted{true};


/** x / scale rounded to the nearest int8 step; |x| <= 127 scale. */
inline int8_t quantize(float x, float scale) {
  if (scale == 0) return 0;
  const double q = std::nearbyint(static_cast<double>(x) / static_cast<double>(scale));
  return static_cast<int8_t>(std::max(-127.0, std::min(127.0, q)));
}


/**
 * The int8 copy of a packed matrix: per block and k-step 16 rows x 64 bytes
 * (the backend's Layout::at), and per item its scale and L1 norm (per block: their maxima).
 */
struct Prepared {
  size_t n, k, nb, steps;
  bool usable;
  std::vector<int8_t> tiles;  // nb x steps x 16 rows x 64 bytes, laid out by Layout::at
  std::vector<float> scale;   // nb x 16: max |v| / 127; 0 on padding
  std::vector<float> l1;      // nb x 16: sum |v|, rounded up; 0 on padding
  std::vector<float> blockScale, blockL1;
};


/**
 * Block q's 16 items at once (lane l: item l; the packed matrix holds factor j
 * of the 16 as one row): scales, L1 norms and int8 factors, the same values a
 * scalar loop gives (the same float max, the same double sum in factor order,
 * the same double division rounded to nearest even). False when a factor is
 * not finite or a norm too large: the plain scan serves that matrix.
 */
template <class Layout>
bool prepareBlock(const Items& it, Prepared* p, size_t q) {
  const float* blk = it.packed + q * it.k * kBlock;
  const auto lo = [](__m512 v) { return _mm512_cvtps_pd(_mm512_castps512_ps256(v)); };
  const auto hi = [](__m512 v) { return _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1))); };
  const __m512 inf = _mm512_set1_ps(std::numeric_limits<float>::infinity());
  __m512 top = _mm512_setzero_ps();
  __m512d sumLo = _mm512_setzero_pd(), sumHi = _mm512_setzero_pd();
  __mmask16 bad = 0;
  for (size_t j = 0; j < it.k; j++) {
    const __m512 a = _mm512_abs_ps(_mm512_loadu_ps(blk + j * kBlock));
    bad |= _mm512_cmp_ps_mask(a, inf, _CMP_NLT_UQ);  // infinite or NaN
    top = _mm512_max_ps(top, a);
    sumLo = _mm512_add_pd(sumLo, lo(a));
    sumHi = _mm512_add_pd(sumHi, hi(a));
  }
  // Sums under 1e15 keep every product, estimate and bound far inside fp32's range.
  const __m512d limit = _mm512_set1_pd(1e15);
  if (bad != 0 || _mm512_cmp_pd_mask(sumLo, limit, _CMP_NLT_UQ) != 0 || _mm512_cmp_pd_mask(sumHi, limit, _CMP_NLT_UQ) != 0) return false;
  const __m512 scale = _mm512_div_ps(top, _mm512_set1_ps(127.f));
  // A zero scale (an all-zero item, or padding) quantizes to zeros (the division would give NaN).
  const __mmask16 nonzero = _mm512_cmp_ps_mask(scale, _mm512_setzero_ps(), _CMP_NEQ_UQ);
  const __m512d scaleLo = lo(scale), scaleHi = hi(scale);
  const __m512d maxQ = _mm512_set1_pd(127.0), minQ = _mm512_set1_pd(-127.0);
  const auto steps = [&](__m512d x, __m512d sc) {
    const __m512d r = _mm512_roundscale_pd(_mm512_div_pd(x, sc), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    return _mm512_cvtpd_epi32(_mm512_max_pd(minQ, _mm512_min_pd(maxQ, r)));
  };
  typename Layout::Writer writer(p, q);
  for (size_t j = 0; j < it.k; j++) {
    const __m512 v = _mm512_loadu_ps(blk + j * kBlock);
    const __m512i qj = _mm512_maskz_mov_epi32(nonzero, _mm512_inserti64x4(_mm512_castsi256_si512(steps(lo(v), scaleLo)), steps(hi(v), scaleHi), 1));
    writer.put(j, qj, it.k);
  }
  _mm512_storeu_ps(p->scale.data() + q * kBlock, scale);
  // Rounded up a little: the bounds take it as at least the exact sum.
  const __m512d up = _mm512_set1_pd(1 + 1e-6);
  const __m256 l1Lo = _mm512_cvtpd_ps(_mm512_mul_pd(sumLo, up)), l1Hi = _mm512_cvtpd_ps(_mm512_mul_pd(sumHi, up));
  const __m512 l1 = _mm512_castpd_ps(_mm512_insertf64x4(_mm512_castps_pd(_mm512_castps256_ps512(l1Lo)), _mm256_castps_pd(l1Hi), 1));
  _mm512_storeu_ps(p->l1.data() + q * kBlock, l1);
  p->blockScale[q] = _mm512_reduce_max_ps(scale);
  p->blockL1[q] = _mm512_reduce_max_ps(l1);
  return true;
}

template <class Layout>
Prepared* prepare(const Items& it) {
  auto* p = new Prepared{it.n, it.k, (it.n + kBlock - 1) / kBlock, (it.k + kStep - 1) / kStep, true, {}, {}, {}, {}, {}};
  // Gather offsets are int32 lanes, and int32 sums stay exact up to 2^31 / 127^2 factors (VNNI: 2^31 / (255 x 127)): refuse (plain scan) beyond.
  if (p->nb * kBlock * it.k >= (size_t{1} << 31) || it.k > 65536) p->usable = false;
  p->tiles.assign(p->usable ? p->nb * p->steps * kRows * kStep : 0, 0);
  p->scale.assign(p->nb * kBlock, 0.f);
  p->l1.assign(p->nb * kBlock, 0.f);
  p->blockScale.assign(p->nb, 0.f);
  p->blockL1.assign(p->nb, 0.f);
  for (size_t q = 0; q < p->nb && p->usable; q++) p->usable = prepareBlock<Layout>(it, p, q);
  return p;
}

void dropPrepared(napi_env, void* data, void*) { delete static_cast<Prepared*>(data); }

template <class Layout>
const Prepared* preparedFor(napi_env env, napi_value packed, const Items& it) {
  void* got = nullptr;
  if (napi_unwrap(env, packed, &got) != napi_ok || got == nullptr) {
    // Not wrapped yet: napi_unwrap left an exception-free failure, nothing to clear.
    auto* p = prepare<Layout>(it);
    if (napi_wrap(env, packed, p, dropPrepared, nullptr, nullptr) != napi_ok) {
      delete p;
      bool pending = false;
      napi_is_exception_pending(env, &pending);
      if (pending) {
        napi_value ignored;
        napi_get_and_clear_last_exception(env, &ignored);
      }
      return nullptr;
    }
    got = p;
  }
  const auto* p = static_cast<const Prepared*>(got);
  return p->usable && p->n == it.n && p->k == it.k ? p : nullptr;
}


/**
 * Up to 16 users scanned together (one user tile), one lane each. The bound
 * on |estimate - exact| for user u and item i (the plain scan's fp32 score,
 * bias included) is
 *   p_u l1_i + w_u scale_i + rel (|estimate| + |bias|) + tiny,
 * from the two quantizations (|u - u'| <= su/2 per factor against |v|, and
 * |v - v'| <= sv/2 against |u'|) and the plain scan's own FMA rounding
 * (at most 1.01 k 2^-24 sum |u v| <= 1.01 k 2^-24 |u|_1 128 sv), each
 * raised by 0.1%.
 */
struct Group {
  size_t size;
  __m512 su;     // per lane: the user's scale (0 on lanes without a user)
  __m512 p, w;   // per lane: the bound's coefficients of l1_i and scale_i
  uint16_t absent = 0;  // lanes without a user
  uint16_t minors = 0;  // lanes of users for whom adult items are skipped
  // Per item, the lanes of users who may not get it (excluded, or adult for a minor): one load per row.
  std::vector<uint16_t> banned;
  std::vector<float> loB;    // per 4 blocks x 16: per lane a lower bound of the best allowed item among them (-inf: none)
  std::vector<float> hiB;    // nb x 16: per block and lane the largest upper bound of an allowed item
  __m512 floor;              // per lane F (+inf on lanes without a user)
  // The same per-lane values one by one, for pass 2's work on one user of a block.
  alignas(64) float suL[kRows], pL[kRows], wL[kRows], floorL[kRows];
  // VNNI: per lane -128 x the sum of the user's int8 factors, where its sums start (the items' bytes are stored + 128).
  alignas(64) int32_t c[kRows];

  /** Fills `banned` from the users' lists when the caller sent them, else from their byte masks, 64 items per compare. */
  void ban(const Items& it, const User* users) {
    banned.assign(it.n, 0);
    banned.reserve((it.n + kBlock - 1) / kBlock * kBlock);
    minors = 0;
    for (size_t m = 0; m < size; m++) {
      const uint16_t bit = static_cast<uint16_t>(1u << m);
      if (users[m].adult) minors |= bit;
      if (users[m].list) {
        for (size_t x = 0; x < users[m].listLen; x++) banned[static_cast<size_t>(users[m].list[x])] |= bit;
        continue;
      }
      const uint8_t* ex = users[m].exclude;
      for (size_t i0 = 0; i0 < it.n; i0 += 64) {
        const size_t left = it.n - i0;
        const __mmask64 in = left >= 64 ? ~__mmask64{0} : (__mmask64{1} << left) - 1;
        const __m512i v = _mm512_maskz_loadu_epi8(in, ex + i0);
        for (uint64_t set = _mm512_test_epi8_mask(v, v); set != 0; set &= set - 1) banned[i0 + static_cast<size_t>(__builtin_ctzll(set))] |= bit;
      }
    }
    // Padding items (past n, up to whole blocks) are banned for every lane.
    banned.resize((it.n + kBlock - 1) / kBlock * kBlock, 0xFFFF);
    // Adult items for the minors, and every item for the lanes without a user: 32 items per step.
    const __m512i minorLanes = _mm512_set1_epi16(static_cast<short>(minors)), absentLanes = _mm512_set1_epi16(static_cast<short>(absent));
    const __m256i adult = _mm256_set1_epi8(1);
    for (size_t i0 = 0; i0 < it.n; i0 += 32) {
      const size_t left = it.n - i0;
      const __mmask32 in = left >= 32 ? ~__mmask32{0} : (__mmask32{1} << left) - 1;
      const __mmask32 isAdult = _mm256_mask_test_epi8_mask(in, _mm256_maskz_loadu_epi8(in, it.flags + i0), adult);
      __m512i b = _mm512_maskz_loadu_epi16(in, &banned[i0]);
      b = _mm512_or_si512(_mm512_or_si512(b, absentLanes), _mm512_maskz_mov_epi16(isAdult, minorLanes));
      _mm512_mask_storeu_epi16(&banned[i0], in, b);
    }
  }

  /** The lanes that may get item i. */
  __mmask16 allowed(size_t i) const { return static_cast<__mmask16>(~banned[i]); }
};

/** Estimates of row l of a stored tile of int32 sums (16 users), bias added. */
inline __m512 estimate(const int32_t* res, size_t l, const Group& g, float scale, float bias) {
  const __m512 raw = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_load_si512(res + l * kRows)), g.su);
  return _mm512_fmadd_ps(raw, _mm512_set1_ps(scale), _mm512_set1_ps(bias));
}

/**
 * A block's bounds from the best estimate per lane among its allowed items
 * (with the block's largest l1 and scale): the upper one kept for pass 2, the
 * lower one returned for floorOf. -inf on a lane with no allowed item: its
 * upper bound is NaN (never >= F) and its lower one -inf (never kept).
 */
inline __m512 boundFromBest(const Prepared& pr, size_t q, Group& g, __m512 best, const __m512 relBias) {
  const __m512 err = _mm512_fmadd_ps(g.p, _mm512_set1_ps(pr.blockL1[q]), _mm512_fmadd_ps(g.w, _mm512_set1_ps(pr.blockScale[q]), _mm512_fmadd_ps(_mm512_abs_ps(best), _mm512_set1_ps(kRelBlock), relBias)));
  _mm512_storeu_ps(&g.hiB[q * kRows], _mm512_add_ps(best, err));
  return _mm512_sub_ps(best, err);
}

/** Pass 1 over one block's stored sums (row l: item l's for the 16 users): its bounds (boundFromBest). */
inline __m512 boundBlock(const Items& it, const Prepared& pr, const int32_t* res, size_t q, Group& g, const __m512 relBias) {
  const size_t rows = std::min(kBlock, it.n - q * kBlock);
  const float* bias = it.bias ? it.bias + q * kBlock : nullptr;
  const float* scale = pr.scale.data() + q * kBlock;
  __m512 best = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
  for (size_t l = 0; l < rows; l++) {
    const __m512 s = estimate(res, l, g, scale[l], bias ? bias[l] : 0.f);
    best = _mm512_mask_max_ps(best, g.allowed(q * kBlock + l), best, s);
  }
  return boundFromBest(pr, q, g, best, relBias);
}

/**
 * Per lane a value F with at least `count` groups of 4 blocks whose lower
 * bound is >= F (-inf when fewer than `count` of them hold an allowed item),
 * found by halving [smallest finite, largest] lower bound 16 times (a slightly
 * low F costs a few more candidates, never an answer): each of those groups'
 * best item is distinct and has an exact score >= F.
 */
__m512 floorOf(const Group& g, size_t nb, size_t count) {
  nb = (nb + 3) / 4;
  const __m512 ninf = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
  __m512 lo = _mm512_set1_ps(std::numeric_limits<float>::infinity()), hi = ninf;
  __m512i finite = _mm512_setzero_si512();
  const __m512i one = _mm512_set1_epi32(1);
  for (size_t q = 0; q < nb; q++) {
    const __m512 v = _mm512_loadu_ps(&g.loB[q * kRows]);
    const __mmask16 f = _mm512_cmp_ps_mask(v, ninf, _CMP_GT_OQ);
    lo = _mm512_mask_min_ps(lo, f, lo, v);
    hi = _mm512_max_ps(hi, v);
    finite = _mm512_mask_add_epi32(finite, f, finite, one);
  }
  const __m512i want = _mm512_set1_epi32(static_cast<int>(count));
  const __mmask16 enough = _mm512_cmp_epi32_mask(finite, want, _MM_CMPINT_NLT);
  for (int round = 0; round < 16; round++) {
    const __m512 mid = _mm512_add_ps(lo, _mm512_mul_ps(_mm512_sub_ps(hi, lo), _mm512_set1_ps(0.5f)));
    __m512i c = _mm512_setzero_si512();
    for (size_t q = 0; q < nb; q++) c = _mm512_mask_add_epi32(c, _mm512_cmp_ps_mask(_mm512_loadu_ps(&g.loB[q * kRows]), mid, _CMP_GE_OQ), c, one);
    const __mmask16 ok = _mm512_cmp_epi32_mask(c, want, _MM_CMPINT_NLT);
    lo = _mm512_mask_mov_ps(lo, ok, mid);
    hi = _mm512_mask_mov_ps(hi, static_cast<__mmask16>(~ok), mid);
  }
  return _mm512_mask_mov_ps(ninf, enough, lo);
}

/**
 * Pass 2 over one block, for the users (`lanes`) whose F the block's best
 * upper bound reaches (mostly one): that user's sums for the 16 items
 * (sumsOf(m), lane l item l) give their estimates and bounds at once, and each
 * allowed item whose upper bound reaches F joins the user's candidates (in ascending order).
 */
template <typename Sums>
inline void keepBlock(const Items& it, const Prepared& pr, const Sums& sumsOf, size_t q, const Group& g, unsigned lanes, std::vector<int32_t>* keep, const float relBias) {
  const __mmask16 valid = static_cast<__mmask16>(validLanes(it, q));
  const __m512 scale = _mm512_loadu_ps(pr.scale.data() + q * kBlock);
  const __m512 l1 = _mm512_loadu_ps(pr.l1.data() + q * kBlock);
  const __m512 bias = it.bias ? _mm512_maskz_loadu_ps(valid, it.bias + q * kBlock) : _mm512_setzero_ps();
  // Per item: the rounding allowance for its bias and for the largest bias.
  const __m512 t = _mm512_add_ps(_mm512_mul_ps(_mm512_abs_ps(bias), _mm512_set1_ps(kRel)), _mm512_set1_ps(relBias));
  const __m256i banned = _mm256_maskz_loadu_epi16(valid, &g.banned[q * kBlock]);
  for (; lanes != 0; lanes &= lanes - 1) {
    const unsigned m = static_cast<unsigned>(__builtin_ctz(lanes));
    const __m512i sums = sumsOf(m);
    const __m512 s = _mm512_fmadd_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(sums), _mm512_set1_ps(g.suL[m])), scale, bias);
    const __m512 err = _mm512_fmadd_ps(_mm512_set1_ps(g.pL[m]), l1, _mm512_fmadd_ps(_mm512_set1_ps(g.wL[m]), scale, _mm512_fmadd_ps(_mm512_abs_ps(s), _mm512_set1_ps(kRel), t)));
    const __mmask16 allowed = static_cast<__mmask16>(valid & ~_mm256_test_epi16_mask(banned, _mm256_set1_epi16(static_cast<short>(1u << m))));
    unsigned hits = _mm512_mask_cmp_ps_mask(allowed, _mm512_add_ps(s, err), _mm512_set1_ps(g.floorL[m]), _CMP_GE_OQ);
    for (; hits != 0; hits &= hits - 1) {
      const size_t i = q * kBlock + static_cast<size_t>(__builtin_ctz(hits));
      // The rescoring reads the item's factors soon: start fetching them now.
      if (it.rows)
        for (size_t j = 0; j < it.k; j += 16) _mm_prefetch(reinterpret_cast<const char*>(it.rows + i * it.k + j), _MM_HINT_T0);
      keep[m].push_back(static_cast<int32_t>(i));
    }
  }
}

/** What one int8 call shares with its backend's passes: the items, the prepared rows, the users' groups. */
struct Int8Call {
  const Items& it;
  const Prepared& pr;
  const std::vector<int8_t>& ut;  // user tiles: per group and k-step, 16 rows of 4 factors x 16 users
  std::vector<Group>& group;
  std::vector<std::vector<int32_t>>& keep;  // per user, pass 2's candidates
  size_t groups, steps, k;
  float relBias;
  __m512 relBiasV;
};


/**
 * Scores every user of `users` (vectors `uvs`, B x k) over the prepared
 * matrix and fills each user's Heap exactly as scanAll would. False (nothing
 * written) when a user vector or the bias is not finite: the caller then runs
 * scanAll.
 */
template <class Backend>
bool scanAllInt8(const Items& it, const Prepared& pr, const float* uvs, std::vector<User>& users) {
  // The bias comes with each call: every value finite, or the plain scan.
  float maxBias = 0;
  if (it.bias) {
    __mmask16 bad = 0;
    __m512 top = _mm512_setzero_ps();
    const __m512 inf = _mm512_set1_ps(std::numeric_limits<float>::infinity());
    for (size_t i0 = 0; i0 < it.n; i0 += kBlock) {
      const __mmask16 in = static_cast<__mmask16>(it.n - i0 >= kBlock ? 0xFFFFu : (1u << (it.n - i0)) - 1);
      const __m512 b = _mm512_abs_ps(_mm512_maskz_loadu_ps(in, it.bias + i0));
      // |b| < inf is false for infinities and NaN alike.
      bad |= _mm512_mask_cmp_ps_mask(in, b, inf, _CMP_NLT_UQ);
      top = _mm512_max_ps(top, b);
    }
    if (bad != 0) return false;
    maxBias = _mm512_reduce_max_ps(top);
    if (!(maxBias < 1e15f)) return false;
  }
  const float relBias = maxBias * kRelBlock + kTiny;  // a block's allowance for |bias| (and tiny)
  const size_t k = it.k, B = users.size(), groups = (B + kRows - 1) / kRows, steps = pr.steps;
  const size_t count = users[0].heap->cap;
  // User tiles: per group and k-step, 16 rows of 4 factors x 16 users (zeros past k and past the last user).
  // Scratch kept per thread: no allocation (and no page faults on fresh pages) per call.
  static thread_local std::vector<int8_t> ut;
  static thread_local std::vector<Group> group;
  static thread_local std::vector<std::vector<int32_t>> keep;
  ut.assign(groups * steps * kRows * kStep, 0);
  if (group.size() < groups) group.resize(groups);
  if (keep.size() < B) keep.resize(B);
  // A rarely large batch does not keep its scratch: up to 4 groups (64 users, the largest batch movrec sends) stay.
  struct Trim {
    ~Trim() {
      constexpr size_t kept = 4;
      if (group.size() > kept) {
        group.resize(kept);
        group.shrink_to_fit();
      }
      if (keep.size() > kept * kRows) {
        keep.resize(kept * kRows);
        keep.shrink_to_fit();
      }
    }
  } trim;
  for (size_t b = 0; b < B; b++) keep[b].clear();
  const double gamma = 1.01 * static_cast<double>(k) * std::ldexp(1.0, -24);
  for (size_t g = 0; g < groups; g++) {
    Group& grp = group[g];
    grp.size = std::min(kRows, B - g * kRows);
    alignas(64) float su[kRows] = {0}, p[kRows] = {0}, w[kRows] = {0};
    alignas(64) int32_t c[kRows] = {0};
    for (size_t m = 0; m < grp.size; m++) {
      const float* uv = uvs + (g * kRows + m) * k;
      float top = 0;
      double sum = 0;
      for (size_t j = 0; j < k; j++) {
        if (!std::isfinite(uv[j])) return false;
        top = std::max(top, std::fabs(uv[j]));
        sum += std::fabs(static_cast<double>(uv[j]));
      }
      if (!(sum < 1e15)) return false;
      const float scale = top / 127;
      double qsum = 0;  // |u'|_1 / scale
      int32_t plain = 0;  // the steps' own sum
      for (size_t j = 0; j < k; j++) {
        const int8_t v = quantize(uv[j], scale);
        qsum += std::abs(static_cast<int>(v));
        plain += v;
        ut[((g * steps + j / kStep) * kRows + (j % kStep) / 4) * kStep + m * 4 + j % 4] = v;
      }
      su[m] = scale;
      p[m] = static_cast<float>(0.5 * scale * 1.001);
      w[m] = static_cast<float>((0.5 * qsum * scale + 128 * gamma * sum) * 1.001);
      c[m] = -128 * plain;
    }
    std::memcpy(grp.c, c, sizeof c);
    std::memcpy(grp.suL, su, sizeof su);
    std::memcpy(grp.pL, p, sizeof p);
    std::memcpy(grp.wL, w, sizeof w);
    grp.su = _mm512_load_ps(su);
    grp.p = _mm512_load_ps(p);
    grp.w = _mm512_load_ps(w);
    grp.absent = static_cast<uint16_t>(grp.size == kRows ? 0 : ~((1u << grp.size) - 1));
    grp.ban(it, &users[g * kRows]);
    // Every entry is written in pass 1 before it is read.
    grp.loB.resize((pr.nb + 3) / 4 * kRows);
    grp.hiB.resize(pr.nb * kRows);
  }
  const __m512 relBiasV = _mm512_set1_ps(relBias);
  {
    // The backend holds its unit (AMX: the tile state) for the two passes only.
    Backend backend(Int8Call{it, pr, ut, group, keep, groups, steps, k, relBias, relBiasV});
    backend.pass1();
    // Pass 2, group by group: only the blocks whose best upper bound reaches a user's floor.
    static thread_local std::vector<size_t> visit;
    static thread_local std::vector<uint16_t> lanesOf;
    for (size_t g = 0; g < groups; g++) {
      Group& grp = group[g];
      const uint16_t present = static_cast<uint16_t>(~grp.absent);
      grp.floor = _mm512_mask_blend_ps(present, _mm512_set1_ps(std::numeric_limits<float>::infinity()), floorOf(grp, pr.nb, count));
      _mm512_store_ps(grp.floorL, grp.floor);
      visit.clear();
      lanesOf.clear();
      for (size_t q = 0; q < pr.nb; q++) {
        const unsigned lanes = _mm512_cmp_ps_mask(_mm512_loadu_ps(&grp.hiB[q * kRows]), grp.floor, _CMP_GE_OQ);
        if (lanes == 0) continue;
        visit.push_back(q);
        lanesOf.push_back(static_cast<uint16_t>(lanes));
      }
      backend.pass2(g, visit, lanesOf);
    }
  }

  // Exact rescoring, 16 candidates per step, each lane the plain scan's chain for its item.
  for (size_t b = 0; b < B; b++) {
    const float* uv = uvs + b * k;
    const std::vector<int32_t>& kept = keep[b];
    for (size_t r0 = 0; r0 < kept.size(); r0 += kBlock) {
      const size_t lanes = std::min(kBlock, kept.size() - r0);
      const __mmask16 m = static_cast<__mmask16>((1u << lanes) - 1);
      // Factor j of item i: rows[i k + j], or packed[(i / 16) 16 k + 16 j + i % 16].
      alignas(64) int32_t base[kBlock] = {0};
      for (size_t l = 0; l < lanes; l++) {
        const size_t i = static_cast<size_t>(kept[r0 + l]);
        base[l] = static_cast<int32_t>(it.rows ? i * k : (i / kBlock) * k * kBlock + i % kBlock);
      }
      const float* src = it.rows ? it.rows : it.packed;
      __m512i idx = _mm512_load_si512(base);
      const __m512i stride = _mm512_set1_epi32(it.rows ? 1 : static_cast<int>(kBlock));
      __m512 s = _mm512_setzero_ps();
      for (size_t j = 0; j < k; j++) {
        const __m512 v = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), m, idx, src, 4);
        s = _mm512_fmadd_ps(v, _mm512_set1_ps(uv[j]), s);
        idx = _mm512_add_epi32(idx, stride);
      }
      alignas(64) float sc[kBlock];
      _mm512_store_ps(sc, s);
      for (size_t l = 0; l < lanes; l++) {
        const int32_t i = kept[r0 + l];
        const float score = it.bias ? sc[l] + it.bias[i] : sc[l];
        users[b].heap->offer(score, i);
      }
    }
  }
  return true;
}

/** The entry each backend exports: its packed layout looked up (or built), then its int8 scan. */
template <class Layout, class Backend>
bool scanInt8With(napi_env env, napi_value packed, const Items& it, const float* uvs, std::vector<User>& users) {
  const Prepared* pr = preparedFor<Layout>(env, packed, it);
  return pr && scanAllInt8<Backend>(it, *pr, uvs, users);
}
}  // namespace
#pragma GCC diagnostic pop
