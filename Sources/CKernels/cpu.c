// Instruction-set detection and the peak probe: see include/cnn_cpu.h.
#include "cnn_cpu.h"
#include <time.h>

static double now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

#if defined(__x86_64__)
#include <immintrin.h>

int cnn_cpu_best_isa(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq"))
        return CNN_ISA_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return CNN_ISA_AVX2;
    return CNN_ISA_GENERIC;
}

// 12 independent accumulators cover the FMA latency (4 cycles) times 2 pipes with room to spare.
// Returns the flops done; the sum goes to `sink` so the loop is not removed.
#define PEAK_LOOP(VEC, SET1, FMA, ADD, LANES)                                                    \
    VEC a[12];                                                                                   \
    for (int k = 0; k < 12; k++) a[k] = SET1(1.0f + (float)k * 1e-3f);                           \
    VEC m = SET1(0.999999f), c = SET1(1e-7f);                                                    \
    for (long r = 0; r < rounds; r++) {                                                          \
        for (int k = 0; k < 12; k++) a[k] = FMA(a[k], m, c);                                     \
    }                                                                                            \
    VEC s = a[0];                                                                                \
    for (int k = 1; k < 12; k++) s = ADD(s, a[k]);                                               \
    float out[LANES];                                                                            \
    memcpy(out, &s, sizeof out);                                                                 \
    *sink = out[0];                                                                              \
    return (double)rounds * 12 * LANES * 2;

#include <string.h>
__attribute__((target("avx2,fma"))) static double peak_avx2(long rounds, float *sink) {
    PEAK_LOOP(__m256, _mm256_set1_ps, _mm256_fmadd_ps, _mm256_add_ps, 8)
}
// The generic path has no FMA: a multiply and an add per lane, 4 lanes (SSE2, the x86-64 baseline).
static inline __m128 mul_add_sse(__m128 a, __m128 b, __m128 c) { return _mm_add_ps(_mm_mul_ps(a, b), c); }
static double peak_sse(long rounds, float *sink) {
    PEAK_LOOP(__m128, _mm_set1_ps, mul_add_sse, _mm_add_ps, 4)
}
__attribute__((target("avx512f"))) static double peak_avx512(long rounds, float *sink) {
    PEAK_LOOP(__m512, _mm512_set1_ps, _mm512_fmadd_ps, _mm512_add_ps, 16)
}

double cnn_cpu_peak_gflops(int isa, double seconds) {
    if (isa > cnn_cpu_best_isa()) return 0;
    float sink = 0;
    double best = 0, start = now_seconds();
    // Several short bursts, keeping the best: a burst that shares the core with another process is slower.
    while (now_seconds() - start < seconds) {
        double t0 = now_seconds(), flops;
        if (isa == CNN_ISA_AVX512) flops = peak_avx512(2000000, &sink);
        else if (isa == CNN_ISA_AVX2) flops = peak_avx2(2000000, &sink);
        else flops = peak_sse(2000000, &sink);
        double t = now_seconds() - t0;
        if (t > 0 && flops / t > best) best = flops / t;
    }
    return sink == 12345.0f ? 0 : best * 1e-9;
}

#else

int cnn_cpu_best_isa(void) { return CNN_ISA_GENERIC; }

double cnn_cpu_peak_gflops(int isa, double seconds) {
    if (isa != CNN_ISA_GENERIC) return 0;
    float a = 1.0f, best = 0;
    double start = now_seconds();
    while (now_seconds() - start < seconds) {
        double t0 = now_seconds();
        for (long r = 0; r < 20000000; r++) a = a * 0.999999f + 1e-7f;
        double t = now_seconds() - t0;
        if (t > 0 && 2.0 * 20000000 / t > best) best = 2.0 * 20000000 / t;
    }
    return a == 12345.0f ? 0 : best * 1e-9;
}

#endif
