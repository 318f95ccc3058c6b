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

/// Training-mode forward in two passes over x, storing x̂: the slow twin of `batchNormTrainingForwardFused`,
/// which the layers use. y = γ x̂ + β with x̂ = (x - μ_B) / sqrt(σ²_B + ε); updates running statistics
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

// MARK: - Training with the ReLU fused, and no stored x̂
//
// Three passes over memory in the forward (statistics, then y written once) instead of seven with a
// separate ReLU, and two in the backward, each reading x to recompute x̂ = (x - μ)/σ instead of
// storing it. The mask of the fused ReLU is y > 0 (y = max(0, γx̂ + β)): it propagates NaN like
// PyTorch's, since NaN > 0 is false only for the mask and y keeps the NaN.

/// Training-mode forward, statistics in one pass: the sums of x - K and (x - K)², with K the channel's
/// first value (the shifted-data algorithm, exact when K is near the mean), per row in Float and
/// over rows in Double. y = γ x̂ + β, or max(0, γ x̂ + β) with `relu`; stores μ_B and 1/sqrt(σ²_B + ε)
/// and updates the running statistics as `batchNormTrainingForward` does.
public func batchNormTrainingForwardFused(y: UnsafeMutablePointer<Float>, mean meanOut: UnsafeMutablePointer<Float>,
                                          inverseStd: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>,
                                          gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
                                          runningMean: UnsafeMutablePointer<Float>, runningVar: UnsafeMutablePointer<Float>,
                                          shape s: NormShape, momentum: Float, epsilon: Float, relu: Bool) {
    let out = UncheckedSendable((y, meanOut, inverseStd, runningMean, runningVar))
    let m = Double(s.count)
    Parallel.forEach(s.channels) { c, _ in
        let (y, meanOut, invStd, rm, rv) = out.value
        let k = x[c * s.spatial]
        var sum = 0.0, squares = 0.0
        for n in 0..<s.batch {
            let (a, b) = shiftedSums(x + (n * s.channels + c) * s.spatial, s.spatial, shift: k)
            sum += Double(a); squares += Double(b)
        }
        let shiftedMean = sum / m
        let variance = max(0, squares / m - shiftedMean * shiftedMean)
        let mean = Float(Double(k) + shiftedMean)
        let inv = Float(1 / (variance + Double(epsilon)).squareRoot())
        meanOut[c] = mean
        invStd[c] = inv
        let scale = gamma[c] * inv, shift = beta[c] - mean * gamma[c] * inv
        for n in 0..<s.batch {
            let o = (n * s.channels + c) * s.spatial
            vectorAffine(y + o, x + o, s.spatial, scale: scale, shift: shift, relu: relu)
        }
        let unbiased = s.count > 1 ? variance * m / (m - 1) : variance
        rm[c] = (1 - momentum) * rm[c] + momentum * mean
        rv[c] = (1 - momentum) * rv[c] + momentum * Float(unbiased)
    }
}

/// Backward of `batchNormTrainingForwardFused`: with dy' = dy where y > 0 (with `relu`) else dy,
/// dγ += Σ dy' x̂, dβ += Σ dy', dx = γ/σ (dy' - mean(dy') - x̂ mean(dy' x̂)), x̂ recomputed from x.
public func batchNormBackwardFused(dx: UnsafeMutablePointer<Float>?, dgamma: UnsafeMutablePointer<Float>,
                                   dbeta: UnsafeMutablePointer<Float>, dy: UnsafePointer<Float>,
                                   x: UnsafePointer<Float>, y: UnsafePointer<Float>, mean: UnsafePointer<Float>,
                                   inverseStd: UnsafePointer<Float>, gamma: UnsafePointer<Float>, shape s: NormShape, relu: Bool) {
    let out = UncheckedSendable((dx, dgamma, dbeta))
    let m = Float(s.count)
    Parallel.forEach(s.channels) { c, _ in
        let (dx, dgamma, dbeta) = out.value
        let mu = mean[c], inv = inverseStd[c]
        var sumDy = 0.0, sumDyX = 0.0
        for n in 0..<s.batch {
            let o = (n * s.channels + c) * s.spatial
            let (a, b) = maskedGradientSums(dy + o, x + o, y + o, s.spatial, mean: mu, relu: relu)
            sumDy += Double(a); sumDyX += Double(b) * Double(inv)
        }
        dgamma[c] += Float(sumDyX)
        dbeta[c] += Float(sumDy)
        guard let dx else { return }
        let k = gamma[c] * inv
        let meanDy = Float(sumDy) / m, meanDyX = Float(sumDyX) / m
        // dx = k·dy' - k·meanDy - k·meanDyX·inv·(x - μ) = k·dy' + a·x + b
        let a = -k * meanDyX * inv, b = -k * meanDy + k * meanDyX * inv * mu
        for n in 0..<s.batch {
            let o = (n * s.channels + c) * s.spatial
            maskedGradient(dx + o, dy + o, x + o, y + o, s.spatial, k: k, a: a, b: b, relu: relu)
        }
    }
}

/// (Σ (x - K), Σ (x - K)²) over `count` floats, in 8 lanes.
@inline(__always)
func shiftedSums(_ x: UnsafePointer<Float>, _ count: Int, shift: Float) -> (Float, Float) {
    var s = SIMD8<Float>(), q = SIMD8<Float>()
    let kv = SIMD8<Float>(repeating: shift), raw = UnsafeRawPointer(x)
    var i = 0
    while i + 8 <= count {
        let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) - kv
        s += v; q += v * v
        i += 8
    }
    var sum = s.sum(), squares = q.sum()
    while i < count { let v = x[i] - shift; sum += v; squares += v * v; i += 1 }
    return (sum, squares)
}

/// (Σ dy', Σ dy'·(x - μ)) with dy' = dy masked by y > 0 when `relu`.
@inline(__always)
func maskedGradientSums(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ count: Int,
                        mean: Float, relu: Bool) -> (Float, Float) {
    var s = SIMD8<Float>(), p = SIMD8<Float>()
    let mv = SIMD8<Float>(repeating: mean), zero = SIMD8<Float>()
    let rdy = UnsafeRawPointer(dy), rx = UnsafeRawPointer(x), ry = UnsafeRawPointer(y)
    var i = 0
    while i + 8 <= count {
        var g = rdy.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
        if relu { g.replace(with: zero, where: ry.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) .<= zero) }
        s += g
        p += g * (rx.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) - mv)
        i += 8
    }
    var sum = s.sum(), product = p.sum()
    while i < count {
        let g = relu && !(y[i] > 0) ? 0 : dy[i]
        sum += g; product += g * (x[i] - mean)
        i += 1
    }
    return (sum, product)
}

/// dx = k·dy' + a·x + b, with dy' = dy masked by y > 0 when `relu`.
@inline(__always)
func maskedGradient(_ dx: UnsafeMutablePointer<Float>, _ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
                    _ y: UnsafePointer<Float>, _ count: Int, k: Float, a: Float, b: Float, relu: Bool) {
    let kv = SIMD8<Float>(repeating: k), av = SIMD8<Float>(repeating: a), bv = SIMD8<Float>(repeating: b), zero = SIMD8<Float>()
    let rdy = UnsafeRawPointer(dy), rx = UnsafeRawPointer(x), ry = UnsafeRawPointer(y), rdx = UnsafeMutableRawPointer(dx)
    var i = 0
    while i + 8 <= count {
        var g = rdy.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
        if relu { g.replace(with: zero, where: ry.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) .<= zero) }
        let v = kv * g + av * rx.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) + bv
        rdx.storeBytes(of: v, toByteOffset: i * 4, as: SIMD8<Float>.self)
        i += 8
    }
    while i < count {
        let g = relu && !(y[i] > 0) ? 0 : dy[i]
        dx[i] = k * g + a * x[i] + b
        i += 1
    }
}
