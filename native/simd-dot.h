// The AVX2/FMA dot product of the training kernels (train-sgd.cc, train-als.cc), in one place:
// 8 lanes at a time when built for it, two accumulators to halve the chain of dependent FMAs.
#pragma once
#include <cstddef>
#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#endif

namespace movrec::simd {
inline float dot(const float* a, const float* b, size_t k) {
  size_t f = 0;
  float s = 0;
#if defined(__AVX2__) && defined(__FMA__)
  __m256 acc = _mm256_setzero_ps();
  __m256 acc2 = _mm256_setzero_ps();
  for (; f + 16 <= k; f += 16) {
    acc = _mm256_fmadd_ps(_mm256_loadu_ps(a + f), _mm256_loadu_ps(b + f), acc);
    acc2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + f + 8), _mm256_loadu_ps(b + f + 8), acc2);
  }
  for (; f + 8 <= k; f += 8) acc = _mm256_fmadd_ps(_mm256_loadu_ps(a + f), _mm256_loadu_ps(b + f), acc);
  acc = _mm256_add_ps(acc, acc2);
  __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
  s4 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
  s4 = _mm_add_ss(s4, _mm_shuffle_ps(s4, s4, 1));
  s = _mm_cvtss_f32(s4);
#endif
  for (; f < k; f++) s += a[f] * b[f];
  return s;
}
}  // namespace movrec::simd
