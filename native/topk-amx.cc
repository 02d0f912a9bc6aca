// The int8 backend on the AMX tile unit: one tile instruction covers all 64
// factors of 16 items x 16 users. Compiled only when built for AMX (see topk-scan.h);
// the parts shared with the VNNI backend are in topk-int8.h.
#include "topk-scan.h"
#if defined(MOVREC_AMX)
#include <sys/syscall.h>
#include <unistd.h>

#include "topk-int8.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
namespace {
constexpr int kArchReqXcompPerm = 0x1023;
constexpr int kXfeatureXtiledata = 18;
// -1 not asked yet, 0 refused by the kernel, 1 granted.
std::atomic<int> amxGranted{-1};

/** Where factor j of item l of block q goes: per block and k-step 16 rows of 64 bytes, row l item l's factors. */
struct Layout {
  static size_t at(size_t q, size_t steps, size_t l, size_t j) {
    return (q * steps + j / kStep) * kRows * kStep + l * kStep + j % kStep;
  }
  /** Writes a block's int8 factors, factor by factor (each the 16 items' steps, one per dword). */
  struct Writer {
    Prepared* p;
    size_t q;
    alignas(64) int32_t qv[kBlock];
    Writer(Prepared* p_, size_t q_) : p(p_), q(q_) {}
    void put(size_t j, __m512i qj, size_t) {
      _mm512_store_si512(qv, qj);
      for (size_t l = 0; l < kBlock; l++) p->tiles[at(q, p->steps, l, j)] = static_cast<int8_t>(qv[l]);
    }
  };
};

struct alignas(64) TileConfig {
  uint8_t palette = 1;
  uint8_t startRow = 0;
  uint8_t reserved[14] = {};
  uint16_t colsb[16] = {};
  uint8_t rows[16] = {};
};

/** Pass 1's and pass 2's sums on the tile unit; holds the tile state from construction to destruction. */
struct Backend : Int8Call {
  alignas(64) int32_t out[4][kBlock * kRows];

  explicit Backend(const Int8Call& c) : Int8Call(c) {
    TileConfig cfg;
    for (int t = 0; t < 8; t++) {
      cfg.rows[t] = kRows;
      cfg.colsb[t] = 64;
    }
    _tile_loadconfig(&cfg);
  }
  ~Backend() { _tile_release(); }
  Backend(const Backend&) = delete;
  Backend& operator=(const Backend&) = delete;

  // Sums of blocks qs[0 .. nq-1] (nq <= 4) for a group's users into out[0..]: accumulators in
  // tiles 0-3, item tiles in 6 and 7, the user tiles in 4 and 5 (kept loaded when steps <= 2).
  void products(const int8_t* ug, const size_t* qs, size_t nq) {
    const size_t stride = steps * kRows * kStep;
    const int8_t* a = pr.tiles.data();
    if (steps == 1) {
      // Four independent chains: the tile unit overlaps them.
      _tile_loadd(6, a + qs[0] * stride, 64);
      _tile_zero(0);
      _tile_dpbssd(0, 6, 4);
      if (nq > 1) { _tile_loadd(7, a + qs[1] * stride, 64); _tile_zero(1); _tile_dpbssd(1, 7, 4); }
      if (nq > 2) { _tile_loadd(6, a + qs[2] * stride, 64); _tile_zero(2); _tile_dpbssd(2, 6, 4); }
      if (nq > 3) { _tile_loadd(7, a + qs[3] * stride, 64); _tile_zero(3); _tile_dpbssd(3, 7, 4); }
    } else {
      for (size_t x = 0; x < nq; x++) {
        const int8_t* ax = a + qs[x] * stride;
        switch (x) {
          case 0: _tile_zero(0); break;
          case 1: _tile_zero(1); break;
          case 2: _tile_zero(2); break;
          default: _tile_zero(3); break;
        }
        for (size_t st = 0; st < steps; st++) {
          if (steps > 2) _tile_loadd(4, ug + st * kRows * kStep, 64);
          _tile_loadd(6, ax + st * kRows * kStep, 64);
          const bool second = steps == 2 && st == 1;
          switch (x) {
            case 0: if (second) _tile_dpbssd(0, 6, 5); else _tile_dpbssd(0, 6, 4); break;
            case 1: if (second) _tile_dpbssd(1, 6, 5); else _tile_dpbssd(1, 6, 4); break;
            case 2: if (second) _tile_dpbssd(2, 6, 5); else _tile_dpbssd(2, 6, 4); break;
            default: if (second) _tile_dpbssd(3, 6, 5); else _tile_dpbssd(3, 6, 4); break;
          }
        }
      }
    }
    _tile_stored(0, out[0], 64);
    if (nq > 1) _tile_stored(1, out[1], 64);
    if (nq > 2) _tile_stored(2, out[2], 64);
    if (nq > 3) _tile_stored(3, out[3], 64);
  }
  void userTiles(const int8_t* ug) {
    if (steps <= 2) _tile_loadd(4, ug, 64);
    if (steps == 2) _tile_loadd(5, ug + kRows * kStep, 64);
  }
  // Pass 1, chunk by chunk so a chunk of item tiles meets every group while in cache.

  void pass1() {
    for (size_t q0 = 0; q0 < pr.nb; q0 += kChunkBlocks) {
      const size_t q1 = std::min(pr.nb, q0 + kChunkBlocks);
      for (size_t g = 0; g < groups; g++) {
        const int8_t* ug = ut.data() + g * steps * kRows * kStep;
        userTiles(ug);
        for (size_t q = q0; q < q1; q += 4) {
          const size_t nq = std::min<size_t>(4, q1 - q);
          const size_t qs[4] = {q, q + 1, q + 2, q + 3};
          products(ug, qs, nq);
          // One lower bound per 4 blocks (q is a multiple of 4): a quarter of the values for floorOf to sort through.
          __m512 lo = boundBlock(it, pr, out[0], q, group[g], relBiasV);
          for (size_t x = 1; x < nq; x++) lo = _mm512_max_ps(lo, boundBlock(it, pr, out[x], q + x, group[g], relBiasV));
          _mm512_storeu_ps(&group[g].loB[q / 4 * kRows], lo);
        }
      }
    }
  }

  // Pass 2 for group g: the blocks in `visit`, four at a time (their tile chains overlap), the next four's fetched meanwhile.
  void pass2(size_t g, const std::vector<size_t>& visit, const std::vector<uint16_t>& lanesOf) {
    Group& grp = group[g];
    const int8_t* ug = ut.data() + g * steps * kRows * kStep;
    const size_t stride = steps * kRows * kStep;
    userTiles(ug);
    // Row l of a stored tile holds item l's sums for the 16 users: user m's are res[l * 16 + m].
    const __m512i rowStarts = _mm512_mullo_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0), _mm512_set1_epi32(kRows));
    for (size_t v0 = 0; v0 < visit.size(); v0 += 4) {
      const size_t nq = std::min<size_t>(4, visit.size() - v0);
      for (size_t x = v0 + 4; x < std::min(visit.size(), v0 + 8); x++) {
        const char* t = reinterpret_cast<const char*>(pr.tiles.data() + visit[x] * stride);
        for (size_t o = 0; o < stride; o += 64) _mm_prefetch(t + o, _MM_HINT_T0);
      }
      products(ug, &visit[v0], nq);
      for (size_t x = 0; x < nq; x++) {
        const int32_t* res = out[x];
        const auto column = [&](unsigned m) { return _mm512_i32gather_epi32(_mm512_add_epi32(rowStarts, _mm512_set1_epi32(static_cast<int>(m))), res, 4); };
        keepBlock(it, pr, column, visit[v0 + x], grp, lanesOf[v0 + x], &keep[g * kRows], relBias);
      }
    }
  }
};
}  // namespace

namespace movrec::topk {
bool int8Usable() {
  if (!int8Wanted.load(std::memory_order_relaxed)) return false;
  int s = amxGranted.load(std::memory_order_acquire);
  if (s < 0) {
    // Linux hands the tile state only to a process that asks for it (once, for all its threads).
    s = syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) == 0 ? 1 : 0;
    amxGranted.store(s, std::memory_order_release);
  }
  return s == 1;
}

void int8Want(bool on) { int8Wanted.store(on); }

bool scanInt8(napi_env env, napi_value packed, const Items& it, const float* uvs, std::vector<User>& users) {
  return scanInt8With<Layout, Backend>(env, packed, it, uvs, users);
}
}  // namespace movrec::topk
#pragma GCC diagnostic pop
#endif
