#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Adam (Kingma and Ba 2015) and AdamW (Loshchilov and Hutter 2019), as PyTorch's `Adam` and `AdamW`:
/// m ← β1 m + (1-β1) g; v ← β2 v + (1-β2) g²; w ← w - η m̂ / (sqrt(v̂) + ε), with m̂, v̂ bias-corrected.
/// Adam adds λ w to g (L2); AdamW first shrinks w ← w (1 - η λ) (decoupled weight decay).
public final class Adam: Optimizer {
    public let parameters: [Parameter]
    public var learningRate: Float
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    public let weightDecay: Float
    /// Decoupled weight decay (AdamW) rather than L2 added to the gradient.
    public let decoupled: Bool
    public private(set) var stepCount = 0
    private let first: SlotSet
    private let second: SlotSet

    public init(parameters: [Parameter], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0, decoupled: Bool = false) throws {
        guard learningRate >= 0, (0..<1).contains(beta1), (0..<1).contains(beta2), epsilon > 0, weightDecay >= 0 else {
            throw ConfigurationError("Adam: need lr >= 0, betas in [0, 1), epsilon > 0, weight decay >= 0; got \(learningRate), \(beta1), \(beta2), \(epsilon), \(weightDecay)")
        }
        self.parameters = parameters
        self.learningRate = learningRate; self.beta1 = beta1; self.beta2 = beta2
        self.epsilon = epsilon; self.weightDecay = weightDecay; self.decoupled = decoupled
        first = SlotSet(name: "exp_avg", parameters: parameters)
        second = SlotSet(name: "exp_avg_sq", parameters: parameters)
    }

    /// AdamW: Adam with decoupled weight decay (default λ = 0.01, as PyTorch).
    public static func adamW(parameters: [Parameter], learningRate: Float = 1e-3, weightDecay: Float = 0.01) throws -> Adam {
        try Adam(parameters: parameters, learningRate: learningRate, weightDecay: weightDecay, decoupled: true)
    }

    public func step() {
        stepCount += 1
        let t = Float(stepCount)
        let c1 = 1 - powf(beta1, t), c2 = 1 - powf(beta2, t)
        let lr = learningRate, b1 = beta1, b2 = beta2, eps = epsilon
        for (i, p) in parameters.enumerated() {
            let w = p.value.pointer, g = p.gradient.pointer
            let m = first.slots[i].pointer, v = second.slots[i].pointer
            let wd = p.decays ? weightDecay : 0
            for j in 0..<p.value.count {
                var grad = g[j]
                if decoupled { w[j] *= 1 - lr * wd } else { grad += wd * w[j] }
                m[j] = b1 * m[j] + (1 - b1) * grad
                v[j] = b2 * v[j] + (1 - b2) * grad * grad
                w[j] -= lr * (m[j] / c1) / ((v[j] / c2).squareRoot() + eps)
            }
        }
    }

    public var state: [String: [Float]] {
        var s: [String: [Float]] = [:]
        first.export(into: &s)
        second.export(into: &s)
        return s
    }

    public func restore(state: [String: [Float]], stepCount: Int) throws {
        try first.restore(from: state)
        try second.restore(from: state)
        self.stepCount = stepCount
    }
}
