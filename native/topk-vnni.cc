// The int8 backend with AVX-512 VNNI, for CPUs without AMX: vpdpbusd covers 4
// factors of 16 users, or of 4 users x 4 items, per instruction. Compiled only
// when built for VNNI (see topk-scan.h); the parts shared with the AMX backend
// are in topk-int8.h.
#include "topk-scan.h"
#if defined(MOVREC_VNNI)
#include "topk-int8.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
namespace {
/**
 * Where factor j of item l of block q goes: per block and k-step 16 rows of 64
 * bytes, row r factors 4r..4r+3 of the 16 items, 4 bytes each, so one load
 * gives 16 items' 4 factors for one user's broadcast (pass 2), 4 bytes at l*4
 * one item's for 16 users' (pass 1) and 16 bytes at 16x four items' for a
 * quad of users (pass 1 in quads); each byte + 128 (Writer).
 */
struct Layout {
  static size_t at(size_t q, size_t steps, size_t l, size_t j) {
    return (q * steps + j / kStep) * kRows * kStep + (j % kStep) / 4 * kStep + l * 4 + j % 4;
  }
  /** Writes a block's int8 factors 4 at a time: 4 factors of the 16 items, item l's in dword l. */
  struct Writer {
    Prepared* p;
    size_t q;
    __m512i row = _mm512_setzero_si512();
    Writer(Prepared* p_, size_t q_) : p(p_), q(q_) {}
    void put(size_t j, __m512i qj, size_t k) {
      const unsigned c = static_cast<unsigned>(j % 4);
      row = _mm512_or_si512(row, _mm512_slli_epi32(_mm512_and_si512(qj, _mm512_set1_epi32(0xFF)), c * 8));
      if (c == 3 || j + 1 == k) {
        // Stored + 128 (vpdpbusd's unsigned operand): a user's sums start 128 x its own factor sum below (Group::c).
        const __m512i biased = _mm512_xor_si512(row, _mm512_set1_epi32(static_cast<int>(0x80808080u)));
        _mm512_storeu_si512(p->tiles.data() + at(q, p->steps, 0, j - c), biased);
        row = _mm512_setzero_si512();
      }
    }
  };
};

// VNNI: groups of up to this many users take pass 1 in quads (vnniPass1), larger ones 16 users per instruction.
// (Measured at 27,000 x 64 on an AMD EPYC core, per call: 1 quad ~100 us, 2 ~200, 3 ~300, the 16-lane pass ~300.)
constexpr size_t kQuadUsers = 8;
// VNNI pass 1: blocks per chunk (16 KiB of int8 rows, in L1 while each quad of users passes over it).
constexpr size_t kVnniChunk = 16;

/**
 * VNNI pass 1 for one group over blocks q0..q1-1, 4 users at a time (so a
 * group costs in proportion to its users, in quads): lane 4u + j of a sum is
 * user u of the quad against item j of 4 items, 4 factors per vpdpbusd (the
 * 4 items' bytes repeated for each user, the quad's user bytes from `quadRows`,
 * per row of 4 factors lane 4u + j: user u's). Writes each user's best
 * estimate among the block's allowed items to best[(q - q0) x 16 + user]
 * (users past the quads are left alone). Full: k = 64 (the quad's 16 rows in registers).
 */
template <bool Full>
void vnniPass1(const Items& it, const Prepared& pr, const Group& g, const int8_t* quadRows, size_t q0, size_t q1, float* best) {
  const size_t k = it.k, steps = pr.steps, stride = steps * kRows * kStep, quads = (g.size + 3) / 4;
  const __m512i userOfLane = _mm512_set_epi32(3, 3, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0);
  const __m512i one = _mm512_set1_epi32(1);
  const __m512i firstLanes = _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 12, 8, 4, 0);
  const __m512 low = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
  const __m512 cs = _mm512_load_ps(g.suL);
  const __m512i cc = _mm512_load_si512(g.c);
  for (size_t gq = 0; gq < quads; gq++) {
    const int8_t* A = quadRows + gq * steps * kRows * kStep;
    const __m512i users = _mm512_add_epi32(userOfLane, _mm512_set1_epi32(static_cast<int>(4 * gq)));  // lane -> user of the group
    const __m512i start = _mm512_permutexvar_epi32(users, cc);
    const __m512 su = _mm512_permutexvar_ps(users, cs);
    __m512i ar[kRows];
    if constexpr (Full)
      for (size_t r = 0; r < kRows; r++) ar[r] = _mm512_loadu_si512(A + r * kStep);
    for (size_t q = q0; q < q1; q++) {
      const int8_t* ax = pr.tiles.data() + q * stride;
      __m512i a0 = start, a1 = start, a2 = start, a3 = start;
      const auto step = [&](const int8_t* row, __m512i u) {
        a0 = _mm512_dpbusd_epi32(a0, _mm512_broadcast_i32x4(_mm_loadu_si128(reinterpret_cast<const __m128i*>(row))), u);
        a1 = _mm512_dpbusd_epi32(a1, _mm512_broadcast_i32x4(_mm_loadu_si128(reinterpret_cast<const __m128i*>(row + 16))), u);
        a2 = _mm512_dpbusd_epi32(a2, _mm512_broadcast_i32x4(_mm_loadu_si128(reinterpret_cast<const __m128i*>(row + 32))), u);
        a3 = _mm512_dpbusd_epi32(a3, _mm512_broadcast_i32x4(_mm_loadu_si128(reinterpret_cast<const __m128i*>(row + 48))), u);
      };
      if constexpr (Full) {
        for (size_t r = 0; r < kRows; r++) step(ax + r * kStep, ar[r]);
      } else {
        for (size_t st = 0; st < steps; st++) {
          // Rows past k are zero for users: skipped.
          const size_t rows = (std::min(kStep, k - st * kStep) + 3) / 4;
          for (size_t r = 0; r < rows; r++) step(ax + (st * kRows + r) * kStep, _mm512_loadu_si512(A + (st * kRows + r) * kStep));
        }
      }
      const size_t i0 = q * kBlock, left = std::min(kBlock, it.n - i0);
      __m512 b = low;
      const __m512i sums[4] = {a0, a1, a2, a3};
      for (size_t x = 0; x < 4 && 4 * x < left; x++) {
        const size_t i = i0 + 4 * x;
        const __mmask8 in = static_cast<__mmask8>(left - 4 * x >= 4 ? 0xF : (1u << (left - 4 * x)) - 1);
        // The same products as estimate(): sum x su, then x scale + bias.
        const __m512 scale = _mm512_broadcast_f32x4(_mm_loadu_ps(pr.scale.data() + i));
        const __m512 bias = it.bias ? _mm512_broadcast_f32x4(_mm_maskz_loadu_ps(in, it.bias + i)) : _mm512_setzero_ps();
        const __m512 s = _mm512_fmadd_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(sums[x]), su), scale, bias);
        // Lane 4u + j: bit (4 gq + u) of item j's banned lanes (padding items are banned for all).
        const __m512i ban = _mm512_srlv_epi32(_mm512_broadcast_i32x4(_mm_cvtepu16_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(&g.banned[i])))), users);
        b = _mm512_mask_max_ps(b, _mm512_testn_epi32_mask(ban, one), b, s);
      }
      // Each user's best of its 4 lanes, then lanes 0, 4, 8, 12 to the users' places.
      b = _mm512_max_ps(b, _mm512_permute_ps(b, 0xB1));
      b = _mm512_max_ps(b, _mm512_permute_ps(b, 0x4E));
      _mm_storeu_ps(best + (q - q0) * kRows + 4 * gq, _mm512_castps512_ps128(_mm512_permutexvar_ps(firstLanes, b)));
    }
  }
}

// Pass 1's user rows, per group, quad of 4 users, k-step and row of 4 factors (kept per thread).
thread_local std::vector<int8_t> quadRows;

/** Pass 1's and pass 2's sums with vpdpbusd. */
struct Backend : Int8Call {
  explicit Backend(const Int8Call& c) : Int8Call(c) {
  // VNNI pass 1's user rows, per group, quad of 4 users, k-step and row of 4 factors: lane 4u + j holds user u's 4 bytes.
  quadRows.resize(groups * 4 * steps * kRows * kStep);
  for (size_t g = 0; g < groups; g++)
    for (size_t gq = 0; gq < 4; gq++) {
      const __m512i pick = _mm512_add_epi32(_mm512_set_epi32(3, 3, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0), _mm512_set1_epi32(static_cast<int>(4 * gq)));
      for (size_t row = 0; row < steps * kRows; row++)
        _mm512_storeu_si512(quadRows.data() + ((g * 4 + gq) * steps * kRows + row) * kStep, _mm512_permutexvar_epi32(pick, _mm512_loadu_si512(ut.data() + (g * steps * kRows + row) * kStep)));
    }
  }

  // The rows of 4 factors k-step st holds (rows past k are zero for items and users alike: skipped).
  size_t groupsIn(size_t st) const { return (std::min(kStep, k - st * kStep) + 3) / 4; }

  void pass1() {
    // Pass 1 on VNNI, chunk by chunk so a chunk of item rows meets every group while in L1. A group
    // of more than kQuadUsers: 4 factors of its 16 users per vpdpbusd (one item's 4 bytes + 128
    // broadcast, signed user bytes one lane each; its sums start at the users' corrections), the
    // same sums as the tiles in the same layout (row l: item l's for the 16 users).
    alignas(64) int32_t out[4][kBlock * kRows];
    alignas(64) float best[kVnniChunk * kRows];
    for (size_t q0 = 0; q0 < pr.nb; q0 += kVnniChunk) {
      const size_t q1 = std::min(pr.nb, q0 + kVnniChunk);
      for (size_t g = 0; g < groups; g++) {
        Group& grp = group[g];
        if (grp.size > kQuadUsers) {
          const int8_t* ug = ut.data() + g * steps * kRows * kStep;
          const size_t stride = steps * kRows * kStep;
          const __m512i start = _mm512_load_si512(grp.c);
          for (size_t q = q0; q < q1; q += 4) {
            const size_t nq = std::min<size_t>(4, q1 - q);
            for (size_t x = 0; x < nq; x++) {
              const int8_t* ax = pr.tiles.data() + (q + x) * stride;
              __m512i acc[kRows];
              for (size_t l = 0; l < kRows; l++) acc[l] = start;
              for (size_t st = 0; st < steps; st++) {
                const size_t rows = groupsIn(st);
                for (size_t r = 0; r < rows; r++) {
                  const __m512i u = _mm512_loadu_si512(ug + (st * kRows + r) * kStep);
                  const int8_t* row = ax + (st * kRows + r) * kStep;
                  for (size_t l = 0; l < kRows; l++) {
                    int32_t four;
                    std::memcpy(&four, row + l * 4, sizeof four);
                    acc[l] = _mm512_dpbusd_epi32(acc[l], _mm512_set1_epi32(four), u);
                  }
                }
              }
              for (size_t l = 0; l < kRows; l++) _mm512_store_si512(out[x] + l * kRows, acc[l]);
            }
            // One lower bound per 4 blocks (q is a multiple of 4): a quarter of the values for floorOf to sort through.
            __m512 lo = boundBlock(it, pr, out[0], q, grp, relBiasV);
            for (size_t x = 1; x < nq; x++) lo = _mm512_max_ps(lo, boundBlock(it, pr, out[x], q + x, grp, relBiasV));
            _mm512_storeu_ps(&grp.loB[q / 4 * kRows], lo);
          }
          continue;
        }
        // Users past the group's quads stay at -inf (absent lanes: no allowed item).
        std::fill(best, best + kVnniChunk * kRows, -std::numeric_limits<float>::infinity());
        const int8_t* rows = quadRows.data() + g * 4 * steps * kRows * kStep;
        if (steps == 1 && k == kStep) vnniPass1<true>(it, pr, grp, rows, q0, q1, best);
        else vnniPass1<false>(it, pr, grp, rows, q0, q1, best);
        // One lower bound per 4 blocks (q is a multiple of 4): a quarter of the values for floorOf to sort through.
        for (size_t q = q0; q < q1; q += 4) {
          __m512 lo = boundFromBest(pr, q, grp, _mm512_load_ps(best + (q - q0) * kRows), relBiasV);
          for (size_t x = 1; x < 4 && q + x < q1; x++) lo = _mm512_max_ps(lo, boundFromBest(pr, q + x, grp, _mm512_load_ps(best + (q + x - q0) * kRows), relBiasV));
          _mm512_storeu_ps(&grp.loB[q / 4 * kRows], lo);
        }
      }
    }
  }

  // Pass 2 for group g: the blocks in `visit`, for only the users each can serve.
  void pass2(size_t g, const std::vector<size_t>& visit, const std::vector<uint16_t>& lanesOf) {
    Group& grp = group[g];
    const int8_t* ug = ut.data() + g * steps * kRows * kStep;
    const size_t stride = steps * kRows * kStep;
    // Only the users a block can serve (mostly one): 16 items' sums for one user are one vpdpbusd
    // per 4 factors (the user's 4 bytes broadcast, the row of 16 items' 4 as loaded), where all
    // 16 users' would take 16 (the tile unit does all 16 users in one instruction, VNNI does not).
    for (size_t v = 0; v < visit.size(); v++) {
      const size_t q = visit[v];
      if (v + 2 < visit.size()) {
        const char* t = reinterpret_cast<const char*>(pr.tiles.data() + visit[v + 2] * stride);
        for (size_t o = 0; o < stride; o += 64) _mm_prefetch(t + o, _MM_HINT_T0);
      }
      const int8_t* ax = pr.tiles.data() + q * stride;
      const auto userSums = [&](unsigned m) {
        // The items' bytes + 128 (unsigned) against the user's 4: the sums start at the user's correction.
        __m512i acc = _mm512_set1_epi32(grp.c[m]);
        for (size_t st = 0; st < steps; st++) {
          const size_t rows = groupsIn(st);
          for (size_t r = 0; r < rows; r++) {
            int32_t four;
            std::memcpy(&four, ug + (st * kRows + r) * kStep + m * 4, sizeof four);
            acc = _mm512_dpbusd_epi32(acc, _mm512_loadu_si512(ax + (st * kRows + r) * kStep), _mm512_set1_epi32(four));
          }
        }
        return acc;
      };
      keepBlock(it, pr, userSums, q, grp, lanesOf[v], &keep[g * kRows], relBias);
    }
  }
};
}  // namespace

namespace movrec::topk {
// VNNI needs no grant from the kernel.
bool int8Usable() { return int8Wanted.load(std::memory_order_relaxed); }

void int8Want(bool on) { int8Wanted.store(on); }

bool scanInt8(napi_env env, napi_value packed, const Items& it, const float* uvs, std::vector<User>& users) {
  return scanInt8With<Layout, Backend>(env, packed, it, uvs, users);
}
}  // namespace movrec::topk
#pragma GCC diagnostic pop
#endif
