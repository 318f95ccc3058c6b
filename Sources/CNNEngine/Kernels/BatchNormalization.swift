// Batch normalisation kernels (Ioffe and Szegedy 2015) over data laid out [N, C, S]
// (S = H·W for images, 1 for features). One task per channel, sums in a fixed order:
// per (image, channel) run with `vectorSum`, then over images in Double.
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// The sizes of a batch-norm call: N samples, C channels, S positions per channel.
public struct NormShape: Equatable, Sendable {
    public var batch: Int, channels: Int, spatial: Int
    public init(batch: Int, channels: Int, spatial: Int) { self.batch = batch; self.channels = channels; self.spatial = spatial }
    var count: Int { batch * spatial }
}

/// Training-mode forward: y = γ x̂ + β with x̂ = (x - μ_B) / sqrt(σ²_B + ε); updates running statistics
/// r ← (1 - m) r + m s, with the unbiased variance for `runningVar`; stores x̂ and 1/sqrt(σ²_B + ε).
public func batchNormTrainingForward(y: UnsafeMutablePointer<Float>, normalized: UnsafeMutablePointer<Float>,
                                     inverseStd: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>,
                                     gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
                                     runningMean: UnsafeMutablePointer<Float>, runningVar: UnsafeMutablePointer<Float>,
                                     shape s: NormShape, momentum: Float, epsilon: Float) {
    let out = UncheckedSendable((y, normalized, inverseStd, runningMean, runningVar))
    let m = Double(s.count)
    Parallel.forEach(s.channels) { c, _ in
        let (y, xhat, invStd, rm, rv) = out.value
        var sum = 0.0
        for n in 0..<s.batch { sum += Double(vectorSum(x + (n * s.channels + c) * s.spatial, s.spatial)) }
        let mean = Float(sum / m)
        var squares = 0.0
        for n in 0..<s.batch {
            squares += Double(vectorSquaredDeviation(x + (n * s.channels + c) * s.spatial, s.spatial, mean: mean))
        }
        let variance = squares / m
        let inv = Float(1 / (variance + Double(epsilon)).squareRoot())
        invStd[c] = inv
        let g = gamma[c], b = beta[c]
        for n in 0..<s.batch {
            let o = (n * s.channels + c) * s.spatial
            vectorAffine(xhat + o, x + o, s.spatial, scale: inv, shift: -mean * inv)
            vectorAffine(y + o, xhat + o, s.spatial, scale: g, shift: b)
        }
        let unbiased = s.count > 1 ? variance * m / (m - 1) : variance
        rm[c] = (1 - momentum) * rm[c] + momentum * mean
        rv[c] = (1 - momentum) * rv[c] + momentum * Float(unbiased)
    }
}

/// Evaluation-mode forward with running statistics: y = γ (x - r_μ) / sqrt(r_σ² + ε) + β; stores x̂ and 1/sqrt(r_σ² + ε).
public func batchNormInferenceForward(y: UnsafeMutablePointer<Float>, normalized: UnsafeMutablePointer<Float>,
                                      inverseStd: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>,
                                      gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
                                      runningMean: UnsafePointer<Float>, runningVar: UnsafePointer<Float>,
                                      shape s: NormShape, epsilon: Float) {
    let out = UncheckedSendable((y, normalized, inverseStd))
    Parallel.forEach(s.channels) { c, _ in
        let (y, xhat, invStd) = out.value
        let inv = 1 / (runningVar[c] + epsilon).squareRoot()
        invStd[c] = inv
        let mean = runningMean[c], g = gamma[c], b = beta[c]
        for n in 0..<s.batch {
            let o = (n * s.channels + c) * s.spatial
            vectorAffine(xhat + o, x + o, s.spatial, scale: inv, shift: -mean * inv)
            vectorAffine(y + o, xhat + o, s.spatial, scale: g, shift: b)
        }
    }
}

/// Backward: dγ += Σ dy x̂, dβ += Σ dy, and dx = γ/σ (dy - mean(dy) - x̂ mean(dy x̂)) in training mode,
/// dx = γ/σ dy in evaluation mode.
public func batchNormBackward(dx: UnsafeMutablePointer<Float>?, dgamma: UnsafeMutablePointer<Float>,
                              dbeta: UnsafeMutablePointer<Float>, dy: UnsafePointer<Float>,
                              normalized xhat: UnsafePointer<Float>, inverseStd: UnsafePointer<Float>,
                              gamma: UnsafePointer<Float>, shape s: NormShape, training: Bool) {
    let out = UncheckedSendable((dx, dgamma, dbeta))
    let m = Float(s.count)
    Parallel.forEach(s.channels) { c, _ in
        let (dx, dgamma, dbeta) = out.value
        var sumDy = 0.0, sumDyX = 0.0
        for n in 0..<s.batch {
            let o = (n * s.channels + c) * s.spatial
            sumDy += Double(vectorSum(dy + o, s.spatial))
            sumDyX += Double(vectorDot(dy + o, xhat + o, s.spatial))
        }
        dgamma[c] += Float(sumDyX)
        dbeta[c] += Float(sumDy)
        guard let dx else { return }
        let k = gamma[c] * inverseStd[c]
        let meanDy = Float(sumDy) / m, meanDyX = Float(sumDyX) / m
        for n in 0..<s.batch {
            let o = (n * s.channels + c) * s.spatial
            if training {
                // dx = k·dy - k·meanDy - k·meanDyX·x̂, as two vector passes.
                vectorAffine(dx + o, xhat + o, s.spatial, scale: -k * meanDyX, shift: -k * meanDy)
                let kv = SIMD8<Float>(repeating: k)
                var i = 0
                let rdy = UnsafeRawPointer(dy + o), rdx = UnsafeMutableRawPointer(dx + o)
                while i + 8 <= s.spatial {
                    let v = rdx.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                        + kv * rdy.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                    rdx.storeBytes(of: v, toByteOffset: i * 4, as: SIMD8<Float>.self)
                    i += 8
                }
                while i < s.spatial { dx[o + i] += k * dy[o + i]; i += 1 }
            } else {
                vectorAffine(dx + o, dy + o, s.spatial, scale: k, shift: 0)
            }
        }
    }
}
