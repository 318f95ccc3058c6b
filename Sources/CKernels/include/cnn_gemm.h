// A GEMM at the machine's peak, loaded at run time: oneDNN's `dnnl_sgemm` (JIT code chosen from the
// CPU's features) when its shared library is installed, held to one OpenMP thread so that it runs
// under the engine's own threads. Where it is absent the engine keeps to the BLAS (OpenBLAS, or
// Accelerate on macOS). Only the matrix multiply is used: convolutions stay the engine's own.
#ifndef CNN_GEMM_H
#define CNN_GEMM_H

#ifdef __cplusplus
extern "C" {
#endif

/// Loads oneDNN once (later calls return the first answer), capping its code at `max_isa`
/// (a CNN_ISA_* value). Returns 1 when `cnn_fast_sgemm` is usable, 0 when oneDNN is missing.
int cnn_fast_gemm_load(int max_isa);

/// The library's version ("oneDNN 2.6.3"), or "" before a successful load.
const char *cnn_fast_gemm_name(void);

/// Row-major C = alpha op(A) op(B) + beta C; returns 0 on success (oneDNN's status otherwise).
/// - Precondition: `cnn_fast_gemm_load` returned 1.
int cnn_fast_sgemm(int transpose_a, int transpose_b, long m, long n, long k, float alpha, const float *a,
                   long lda, const float *b, long ldb, float beta, float *c, long ldc);

#ifdef __cplusplus
}
#endif
#endif
