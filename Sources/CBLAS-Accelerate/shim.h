#define ACCELERATE_NEW_LAPACK 1
#include <Accelerate/Accelerate.h>
// Accelerate needs no thread setting here: the engine calls it from its own threads.
static inline void cnn_blas_set_single_threaded(void) { }

#if defined(__aarch64__)
static inline void cnn_flush_denormals(void) {
    unsigned long fpcr; __asm__ volatile("mrs %0, fpcr" : "=r"(fpcr)); fpcr |= (1UL << 24);
    __asm__ volatile("msr fpcr, %0" : : "r"(fpcr));
}
#else
#include <xmmintrin.h>
static inline void cnn_flush_denormals(void) { _mm_setcsr(_mm_getcsr() | 0x8040); }
#endif
