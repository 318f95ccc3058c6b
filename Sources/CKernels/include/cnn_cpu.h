// What the CPU can run, and how fast: the instruction-set paths of the engine's kernels and a
// register-only FMA probe that measures a path's peak on the machine at hand.
#ifndef CNN_CPU_H
#define CNN_CPU_H

#ifdef __cplusplus
extern "C" {
#endif

/// The engine's instruction-set paths, best last.
enum {
    CNN_ISA_GENERIC = 0,  ///< plain C and Swift loops (auto-vectorised for the build's baseline)
    CNN_ISA_AVX2 = 1,     ///< AVX2 + FMA, 256-bit vectors, 16 registers
    CNN_ISA_AVX512 = 2,   ///< AVX-512 F/BW/VL/DQ, 512-bit vectors, 32 registers
};

/// The best path this CPU supports.
int cnn_cpu_best_isa(void);

/// Single-thread peak of `isa` in GFLOP/s (2 flops per FMA lane), measured by a loop of independent
/// FMAs on registers for about `seconds`. 0 when the CPU cannot run `isa`.
double cnn_cpu_peak_gflops(int isa, double seconds);

#ifdef __cplusplus
}
#endif
#endif
