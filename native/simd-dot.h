// The AVX2/FMA dot product of the training kernels (train-sgd.cc, train-als.cc), in one place:
// 8 lanes at a time when built for it, four accumulators to shorten the chain of dependent FMAs.
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
  // Four accumulators: at 64 factors the whole product is one round of independent FMAs.
  __m256 a0 = _mm256_setzero_ps();
  __m256 a1 = _mm256_setzero_ps();
  __m256 a2 = _mm256_setzero_ps();
  __m256 a3 = _mm256_setzero_ps();
  for (; f + 32 <= k; f += 32) {
    a0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + f), _mm256_loadu_ps(b + f), a0);
    a1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + f + 8), _mm256_loadu_ps(b + f + 8), a1);
    a2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + f + 16), _mm256_loadu_ps(b + f + 16), a2);
    a3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + f + 24), _mm256_loadu_ps(b + f + 24), a3);
  }
  for (; f + 8 <= k; f += 8) a0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + f), _mm256_loadu_ps(b + f), a0);
  const __m256 acc = _mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3));
  __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
  s4 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
  s4 = _mm_add_ss(s4, _mm_shuffle_ps(s4, s4, 1));
  s = _mm_cvtss_f32(s4);
#endif
  for (; f < k; f++) s += a[f] * b[f];
  return s;
}
}  // namespace movrec::simd
