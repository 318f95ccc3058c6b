// GEMM: C = alpha * op(A) * op(B) + beta * C, row-major, float32.
// M rows of C, N columns of C, K the shared dimension. `gemm` calls oneDNN's sgemm where it is
// installed (`GEMMBackend.current`, about twice OpenBLAS's speed with AVX-512), else the BLAS;
// both single-threaded under the engine's own threads. `naiveGEMM` is its slow, obvious twin for tests.
import CBLAS
import CKernels

/// Row-major matrix multiply `c = alpha * op(a) * op(b) + beta * c` through the BLAS.
///
/// `op(a)` is M x K, `op(b)` is K x N, `c` is M x N with row stride `ldc`.
@inline(__always)
public func gemm(
    c: UnsafeMutablePointer<Float>, ldc: Int,
    a: UnsafePointer<Float>, lda: Int, transposeA: Bool,
    b: UnsafePointer<Float>, ldb: Int, transposeB: Bool,
    m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0
) {
    if m == 0 || n == 0 { return }
    if k == 0 {
        if beta == 0 { for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) } }
        return
    }
    if GEMMBackend.usesOneDNN {
        let status = cnn_fast_sgemm(transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
        precondition(status == 0, "oneDNN sgemm failed with status \(status) for \(m)x\(n)x\(k)")
        return
    }
    blasGEMM(c: c, ldc: ldc, a: a, lda: lda, transposeA: transposeA, b: b, ldb: ldb, transposeB: transposeB,
             m: m, n: n, k: k, alpha: alpha, beta: beta)
}

/// `gemm` through the system BLAS, whatever `GEMMBackend.current` is (to compare the two).
public func blasGEMM(
    c: UnsafeMutablePointer<Float>, ldc: Int,
    a: UnsafePointer<Float>, lda: Int, transposeA: Bool,
    b: UnsafePointer<Float>, ldb: Int, transposeB: Bool,
    m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0
) {
    cblas_sgemm(CblasRowMajor,
                transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

/// The slow twin of `gemm`: three loops, accumulating in Double.
public func naiveGEMM(
    c: UnsafeMutablePointer<Float>, ldc: Int,
    a: UnsafePointer<Float>, lda: Int, transposeA: Bool,
    b: UnsafePointer<Float>, ldb: Int, transposeB: Bool,
    m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0
) {
    for i in 0..<m {
        for j in 0..<n {
            var sum = 0.0
            for p in 0..<k {
                let av = transposeA ? a[p * lda + i] : a[i * lda + p]
                let bv = transposeB ? b[j * ldb + p] : b[p * ldb + j]
                sum += Double(av) * Double(bv)
            }
            let old = beta == 0 ? 0 : Double(beta) * Double(c[i * ldc + j])
            c[i * ldc + j] = Float(Double(alpha) * sum + old)
        }
    }
}
