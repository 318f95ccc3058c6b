import CNNEngine
import Testing
import _TestSupport

@Suite("Optimizers and schedules")
struct OptimizerTests {
    func parameter(_ values: [Float], gradient: [Float]) throws -> Parameter {
        let p = Parameter(name: "w", shape: [values.count])
        try p.value.assign(Tensor(shape: [values.count], values: values))
        try p.gradient.assign(Tensor(shape: [values.count], values: gradient))
        return p
    }

    @Test func sgdMomentumAndWeightDecayFollowPyTorch() throws {
        // Two steps with g = 1, w0 = 2, lr 0.1, momentum 0.9, wd 0.5, worked by hand:
        // step 1: d = 1 + 0.5·2 = 2, v = 2, w = 2 - 0.2 = 1.8
        // step 2: d = 1 + 0.9 = 1.9, v = 0.9·2 + 1.9 = 3.7, w = 1.8 - 0.37 = 1.43
        let p = try parameter([2], gradient: [1])
        let sgd = try SGD(parameters: [p], learningRate: 0.1, momentum: 0.9, weightDecay: 0.5)
        sgd.step()
        #expect(abs(p.value[0] - 1.8) < 1e-6)
        sgd.step()
        #expect(abs(p.value[0] - 1.43) < 1e-6)
        #expect(sgd.stepCount == 2)
    }

    @Test func nesterovLooksAhead() throws {
        // g = 1, lr 1, momentum 0.5: step 1 v = 1, d = 1 + 0.5 = 1.5; step 2 v = 1.5, d = 1 + 0.75 = 1.75.
        let p = try parameter([0], gradient: [1])
        let sgd = try SGD(parameters: [p], learningRate: 1, momentum: 0.5, nesterov: true)
        sgd.step(); sgd.step()
        #expect(abs(p.value[0] - -3.25) < 1e-6)
    }

    @Test func adamFirstStepMovesByTheLearningRate() throws {
        // Bias correction makes Adam's first step lr · sign(g) (up to ε).
        let p = try parameter([1, -1], gradient: [0.3, -5])
        let adam = try Adam(parameters: [p], learningRate: 0.01)
        adam.step()
        #expect(abs(p.value[0] - 0.99) < 1e-6 && abs(p.value[1] - -0.99) < 1e-6)
    }

    @Test func adamWDecouplesWeightDecay() throws {
        // With zero gradient, AdamW only shrinks w by (1 - lr·λ); Adam with L2 moves it by lr.
        let p = try parameter([2], gradient: [0])
        let adamW = try Adam.adamW(parameters: [p], learningRate: 0.1, weightDecay: 0.5)
        adamW.step()
        #expect(abs(p.value[0] - 1.9) < 1e-6)
    }

    @Test func optimizerStateRoundTrips() throws {
        let p = try parameter([1, 2, 3], gradient: [0.1, 0.2, 0.3])
        let q = try parameter([1, 2, 3], gradient: [0.1, 0.2, 0.3])
        let a = try Adam(parameters: [p]), b = try Adam(parameters: [q])
        a.step()
        try b.restore(state: a.state, stepCount: a.stepCount)
        q.value.assign(p.value)
        a.step(); b.step()
        let same = bitIdentical(p.value.values, q.value.values)
        #expect(same)
        #expect(throws: ShapeError.self) { try b.restore(state: ["exp_avg.0": [1]], stepCount: 1) }
    }

    @Test func schedules() {
        let base = 0.1
        #expect(LearningRateSchedule(.step(stepSize: 10, gamma: 0.1)).rate(base: base, epoch: 25) == base * 0.1 * 0.1)
        #expect(abs(LearningRateSchedule(.multiStep(milestones: [100, 150], gamma: 0.1)).rate(base: base, epoch: 120) - 0.01) < 1e-12)
        #expect(LearningRateSchedule(.cosine(epochs: 10, minimum: 0)).rate(base: base, epoch: 0) == base)
        #expect(abs(LearningRateSchedule(.cosine(epochs: 10, minimum: 0)).rate(base: base, epoch: 5) - 0.05) < 1e-12)
        #expect(abs(LearningRateSchedule(.cosine(epochs: 10, minimum: 0.001)).rate(base: base, epoch: 10) - 0.001) < 1e-12)
        #expect(abs(LearningRateSchedule(.constant, warmupEpochs: 2).rate(base: base, epoch: 0.5) - 0.025) < 1e-12)
        #expect(LearningRateSchedule(.constant, warmupEpochs: 2).rate(base: base, epoch: 3) == base)
    }
}

@Suite("Errors as users see them")
struct EngineErrorTests {
    @Test func convolutionNamesLayerAndBothShapes() throws {
        let c1 = try Conv2D("C1", inChannels: 1, outChannels: 6, kernelSize: 5)
        let error = #expect(throws: ShapeError.self) { try c1.forward(Tensor(shape: [64, 3, 32, 32])) }
        #expect(error?.description == "Conv2D \"C1\": expected input [N, 1, H, W], got [64, 3, 32, 32]")
    }

    @Test func denseAndConfigurationErrors() throws {
        let fc = try Dense("F6", inFeatures: 120, outFeatures: 84)
        let error = #expect(throws: ShapeError.self) { try fc.forward(Tensor(shape: [8, 400])) }
        #expect(error?.description == "Dense \"F6\": expected input [N, 120], got [8, 400]")
        let groups = #expect(throws: ConfigurationError.self) { try Conv2D("g", inChannels: 4, outChannels: 6, kernelSize: 3, groups: 4) }
        #expect(groups?.description.contains("groups 4 must divide") == true)
        let small = try Conv2D("big", inChannels: 1, outChannels: 1, kernelSize: 7)
        let tooSmall = #expect(throws: ShapeError.self) { try small.forward(Tensor(shape: [1, 1, 5, 5])) }
        #expect(tooSmall?.description.contains("smaller than the kernel") == true)
        #expect(throws: ShapeError.self) { try Tensor(shape: [2, 3], values: [1, 2]) }
    }

    @Test func crossEntropyRejectsBadTargets() throws {
        let loss = try SoftmaxCrossEntropy()
        let error = #expect(throws: ShapeError.self) { try loss.loss(logits: Tensor(shape: [2, 3]), targets: [0, 3]) }
        #expect(error?.description == "SoftmaxCrossEntropy: target 3 is outside 0..<3")
    }

    @Test func crossEntropyIsStableForHugeLogits() throws {
        let loss = try SoftmaxCrossEntropy()
        let value = try loss.loss(logits: try Tensor(shape: [1, 3], values: [1000, 0, -1000]), targets: [1])
        #expect(abs(value - 1000) < 1e-3)
        #expect(loss.gradient.values.allSatisfy { $0.isFinite })
    }
}
