/// Stochastic gradient descent with momentum, Nesterov momentum and L2 weight decay, as PyTorch's `SGD`:
/// g ← g + λ w; v ← μ v + g; w ← w - η (g + μ v if Nesterov else v).
public final class SGD: Optimizer {
    public let parameters: [Parameter]
    public var learningRate: Float
    public let momentum: Float
    public let nesterov: Bool
    public let weightDecay: Float
    public private(set) var stepCount = 0
    private let velocity: SlotSet

    public init(parameters: [Parameter], learningRate: Float, momentum: Float = 0, nesterov: Bool = false,
                weightDecay: Float = 0) throws {
        guard learningRate >= 0, momentum >= 0, weightDecay >= 0 else {
            throw ConfigurationError("SGD: learning rate, momentum and weight decay must not be negative, got \(learningRate), \(momentum), \(weightDecay)")
        }
        guard !nesterov || momentum > 0 else { throw ConfigurationError("SGD: Nesterov momentum needs momentum > 0") }
        self.parameters = parameters
        self.learningRate = learningRate; self.momentum = momentum
        self.nesterov = nesterov; self.weightDecay = weightDecay
        velocity = SlotSet(name: "momentum", parameters: parameters)
    }

    public func step() {
        let lr = learningRate, mu = momentum, first = stepCount == 0
        for (p, v) in zip(parameters, velocity.slots) {
            let w = p.value.pointer, g = p.gradient.pointer, vel = v.pointer
            let wd = p.decays ? weightDecay : 0
            for i in 0..<p.value.count {
                var d = g[i] + wd * w[i]
                if mu != 0 {
                    vel[i] = first ? d : mu * vel[i] + d
                    d = nesterov ? d + mu * vel[i] : vel[i]
                }
                w[i] -= lr * d
            }
        }
        stepCount += 1
    }

    public var state: [String: [Float]] {
        var s: [String: [Float]] = [:]
        velocity.export(into: &s)
        return s
    }

    public func restore(state: [String: [Float]], stepCount: Int) throws {
        try velocity.restore(from: state)
        self.stepCount = stepCount
    }
}
