import CNNEngine
import Testing
import _TestSupport

/// Every layer and container, checked against central differences for its input and every parameter,
/// element by element (`gradientCheck`: within 1e-3 + 2% of the larger of the two).
@Suite("Numerical gradient checks")
struct GradientCheckTests {
    func expectGradients(_ layer: any Layer, input: Tensor, training: Bool = true, points: Int = 24,
                         h: Float = 1e-2, sourceLocation: SourceLocation = #_sourceLocation) throws {
        layer.initialize(seed: 11)
        layer.setTraining(training)
        for result in try gradientCheck(layer, input: input, points: points, h: h) {
            #expect(result.passed, "\(result)", sourceLocation: sourceLocation)
        }
    }

    /// Inputs away from the kinks of ReLU and max pooling: |x| >= 0.1 and distinct.
    func awayFromKinks(_ shape: [Int], seed: UInt64) -> Tensor {
        let t = randomTensor(shape, seed: seed)
        for i in 0..<t.count { t[flat: i] = (t[flat: i] >= 0 ? 0.1 : -0.1) + t[flat: i] + Float(i % 97) * 1e-3 }
        return t
    }

    @Test("Conv2D", arguments: [
        ("plain 3x3", 3, 4, Pair(3, 3), Pair(1, 1), Padding.valid, Pair(1, 1), 1, true),
        ("stride 2 pad 1", 2, 4, Pair(3, 3), Pair(2, 2), Padding.uniform(1), Pair(1, 1), 1, true),
        ("dilation 2", 2, 3, Pair(3, 3), Pair(1, 1), Padding.uniform(2), Pair(2, 2), 1, false),
        ("groups 2, non-square", 4, 6, Pair(3, 1), Pair(2, 1), Padding.explicit(top: 1, bottom: 0, left: 0, right: 2), Pair(1, 1), 2, true),
        ("depthwise", 4, 4, Pair(3, 3), Pair(1, 1), Padding.same, Pair(1, 1), 4, true),
        ("pointwise", 5, 3, Pair(1, 1), Pair(1, 1), Padding.valid, Pair(1, 1), 1, true),
    ])
    func conv2D(_ c: (String, Int, Int, Pair, Pair, Padding, Pair, Int, Bool)) throws {
        let layer = try Conv2D("conv", inChannels: c.1, outChannels: c.2, kernelSize: c.3, stride: c.4,
                               padding: c.5, dilation: c.6, groups: c.7, bias: c.8)
        try expectGradients(layer, input: randomTensor([2, c.1, 7, 6], seed: 3))
    }

    @Test func dense() throws {
        try expectGradients(try Dense("fc", inFeatures: 7, outFeatures: 5), input: randomTensor([3, 7], seed: 4))
    }

    @Test func activations() throws {
        let x = awayFromKinks([2, 3, 4, 4], seed: 5)
        try expectGradients(ReLU("relu"), input: x)
        try expectGradients(LeakyReLU("leaky", slope: 0.1), input: x)
        try expectGradients(Tanh("tanh"), input: x)
        try expectGradients(Sigmoid("sigmoid"), input: x)
        try expectGradients(Flatten(), input: x)
    }

    @Test func dropoutInTrainingAndEvaluation() throws {
        // The check resets the mask's generator before every forward pass, so training draws one mask throughout.
        try expectGradients(try Dropout("drop", probability: 0), input: randomTensor([2, 5], seed: 6))
        try expectGradients(try Dropout("drop", probability: 0.5), input: randomTensor([2, 5], seed: 6))
        try expectGradients(try Dropout("drop", probability: 0.5), input: randomTensor([2, 5], seed: 6), training: false)
    }

    /// Distinct values at least 0.03 apart (a seeded permutation), so no finite difference crosses a tie.
    func wellSeparated(_ shape: [Int], seed: UInt64) -> Tensor {
        let t = Tensor(shape: shape)
        var g = SeededGenerator(seed: seed)
        let order = Array(0..<t.count).shuffled(using: &g)
        for (i, v) in order.enumerated() { t[flat: i] = Float(v - t.count / 2) * 0.03 }
        return t
    }

    @Test func pooling() throws {
        let x = wellSeparated([2, 2, 7, 7], seed: 8)
        try expectGradients(try MaxPool2D("max", kernelSize: 3, stride: 2, padding: 1), input: x)
        try expectGradients(try MaxPool2D("max ceil", kernelSize: 2, stride: 2, ceilMode: true), input: x)
        try expectGradients(try AvgPool2D("avg", kernelSize: 3, stride: 2, padding: 1, countIncludePad: false), input: x)
        try expectGradients(try AvgPool2D("avg pad", kernelSize: 3, stride: 2, padding: 1, ceilMode: true), input: x)
        try expectGradients(try AdaptiveAvgPool2D("adaptive", outputSize: Pair(3, 2)), input: x)
        try expectGradients(AdaptiveAvgPool2D.global(), input: x)
    }

    @Test func batchNorm() throws {
        try expectGradients(try BatchNorm2D("bn", features: 3), input: randomTensor([4, 3, 3, 3], seed: 9), h: 1e-2)
        try expectGradients(try BatchNorm2D("bn eval", features: 3), input: randomTensor([4, 3, 3, 3], seed: 9), training: false)
        try expectGradients(try BatchNorm1D("bn1d", features: 5), input: randomTensor([6, 5], seed: 10))
    }

    @Test func localResponseNorm() throws {
        let x = randomTensor([2, 7, 3, 3], seed: 12, scale: 3)
        try expectGradients(try LocalResponseNorm("lrn", size: 5, alpha: 0.1, beta: 0.75, k: 2), input: x)
        try expectGradients(try LocalResponseNorm("lrn even", size: 4, alpha: 0.5, beta: 0.6, k: 1), input: x)
    }

    func block(_ name: String, inC: Int, outC: Int, stride: Int) throws -> Sequential {
        try Sequential(name, [
            try Conv2D("conv1", inChannels: inC, outChannels: outC, kernelSize: 3, stride: Pair(stride, stride), padding: .uniform(1), bias: false),
            try BatchNorm2D("bn1", features: outC),
            Tanh("act1"),
            try Conv2D("conv2", inChannels: outC, outChannels: outC, kernelSize: 3, padding: .uniform(1), bias: false),
        ])
    }

    @Test func containers() throws {
        let x = randomTensor([2, 2, 6, 6], seed: 13)
        try expectGradients(try Sequential("seq", [
            try Conv2D("c1", inChannels: 2, outChannels: 3, kernelSize: 3), Tanh("t"), Flatten(), try Dense("fc", inFeatures: 48, outFeatures: 4),
        ]), input: x)
        try expectGradients(Residual("identity", body: try block("body", inC: 2, outC: 2, stride: 1), shortcut: .identity, activation: Tanh("post")), input: x)
        try expectGradients(Residual("optionA", body: try block("body", inC: 2, outC: 4, stride: 2), shortcut: .zeroPadded(stride: 2), activation: Tanh("post")), input: x)
        let projection = try Sequential("shortcut", [
            try Conv2D("proj", inChannels: 2, outChannels: 4, kernelSize: 1, stride: 2, bias: false), try BatchNorm2D("bnp", features: 4),
        ])
        try expectGradients(Residual("projection", body: try block("body", inC: 2, outC: 4, stride: 2), shortcut: .projection(projection)), input: x)
        try expectGradients(Residual("plain", body: try block("body", inC: 2, outC: 4, stride: 2), shortcut: .none, activation: Tanh("post")), input: x)
        try expectGradients(ChannelConcat("dense", body: try block("body", inC: 2, outC: 3, stride: 1)), input: x)
    }

    @Test func softmaxCrossEntropyGradient() throws {
        for smoothing: Float in [0, 0.1] {
            let loss = try SoftmaxCrossEntropy(labelSmoothing: smoothing)
            let logits = randomTensor([4, 5], seed: 14, scale: 3)
            let targets: [Int32] = [0, 3, 4, 1]
            _ = try loss.loss(logits: logits, targets: targets)
            let analytic = loss.gradient.values
            for i in 0..<logits.count {
                let saved = logits[flat: i]
                logits[flat: i] = saved + 1e-2
                let plus = try loss.loss(logits: logits, targets: targets)
                logits[flat: i] = saved - 1e-2
                let minus = try loss.loss(logits: logits, targets: targets)
                logits[flat: i] = saved
                #expect(abs((plus - minus) / 2e-2 - analytic[i]) < 1e-3)
            }
        }
    }

    @Test func meanSquaredErrorGradient() throws {
        let mse = MeanSquaredError()
        let p = randomTensor([3, 4], seed: 15), t = randomTensor([3, 4], seed: 16)
        let value = try mse.loss(predictions: p, targets: t)
        let expected = zip(p.values, t.values).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / 12
        #expect(abs(value - expected) < 1e-6)
        for i in 0..<12 { #expect(abs(mse.gradient[flat: i] - 2 * (p[flat: i] - t[flat: i]) / 12) < 1e-7) }
    }
}
