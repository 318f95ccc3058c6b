#include <cblas.h>
// OpenBLAS runs single-threaded under the engine's own threads (see TOOLCHAIN.md).
static inline void cnn_blas_set_single_threaded(void) { openblas_set_num_threads(1); }

// Denormal floats cost ~100 cycles an operation on x86; deep-learning engines flush them to zero.
#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
static inline void cnn_flush_denormals(void) { _mm_setcsr(_mm_getcsr() | 0x8040); }
#elif defined(__aarch64__)
static inline void cnn_flush_denormals(void) {
    unsigned long fpcr; __asm__ volatile("mrs %0, fpcr" : "=r"(fpcr)); fpcr |= (1UL << 24);
    __asm__ volatile("msr fpcr, %0" : : "r"(fpcr));
}
#else
static inline void cnn_flush_denormals(void) { }
#endif
