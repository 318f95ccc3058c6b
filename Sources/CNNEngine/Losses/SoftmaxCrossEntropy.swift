#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Softmax followed by cross-entropy, fused and numerically stable (log-sum-exp with the max subtracted).
///
/// L = mean over the batch of -Σ_k q_k log softmax(z)_k, where q is the one-hot target, smoothed
/// to (1 - ε) one-hot + ε / K with label smoothing ε. dL/dz = (softmax(z) - q) / N.
public final class SoftmaxCrossEntropy {
    public let labelSmoothing: Float
    /// Softmax probabilities of the last call, [N, K].
    public let probabilities = Tensor(shape: [0])
    /// dL/dlogits of the last call, [N, K].
    public let gradient = Tensor(shape: [0])

    public init(labelSmoothing: Float = 0) throws {
        guard labelSmoothing >= 0, labelSmoothing < 1 else {
            throw ConfigurationError("SoftmaxCrossEntropy: label smoothing must be in [0, 1), got \(labelSmoothing)")
        }
        self.labelSmoothing = labelSmoothing
    }

    /// The mean loss over the batch; also fills `probabilities` and `gradient`.
    /// - Throws: `ShapeError` when logits are not [N, K] or a target is outside 0..<K.
    public func loss(logits: Tensor, targets: [Int32]) throws -> Float {
        guard logits.shape.count == 2, logits.shape[0] == targets.count else {
            throw ShapeError("SoftmaxCrossEntropy: expected logits [\(targets.count), K] for \(targets.count) targets, got \(logits.shape.shapeDescription)")
        }
        let n = logits.shape[0], k = logits.shape[1]
        if let bad = targets.first(where: { $0 < 0 || Int($0) >= k }) {
            throw ShapeError("SoftmaxCrossEntropy: target \(bad) is outside 0..<\(k)")
        }
        probabilities.resize(to: logits.shape)
        gradient.resize(to: logits.shape)
        let eps = labelSmoothing, off = eps / Float(k), on = 1 - eps + off
        var total = 0.0
        for i in 0..<n {
            let z = logits.pointer + i * k, p = probabilities.pointer + i * k, g = gradient.pointer + i * k
            var m = -Float.infinity
            for j in 0..<k { m = max(m, z[j]) }
            var s: Double = 0
            for j in 0..<k { let e = expf(z[j] - m); p[j] = e; s += Double(e) }
            let logSum = Double(m) + log(s)
            let t = Int(targets[i])
            var rowLoss = 0.0
            for j in 0..<k {
                p[j] = Float(Double(p[j]) / s)
                let q = j == t ? on : off
                if q > 0 { rowLoss -= Double(q) * (Double(z[j]) - logSum) }
                g[j] = (p[j] - q) / Float(n)
            }
            total += rowLoss
        }
        return Float(total / Double(n))
    }
}
