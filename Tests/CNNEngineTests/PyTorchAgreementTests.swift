import CNNEngine
import Foundation
import Testing
import _TestSupport

/// Forward outputs and every gradient against PyTorch (float64 results rounded to float32), to 1e-4 relative;
/// and one step of each optimizer (SGD, Nesterov SGD, Adam, AdamW) from a stored state.
///
/// The fixture is made once by Fixtures/make_reference.py (PyTorch's reference kit); the tests need no Python.
@Suite("Agreement with PyTorch")
struct PyTorchAgreementTests {
    static let cases: [ReferenceCase] = {
        let url = repositoryRoot().appendingPathComponent("Tests/CNNEngineTests/Fixtures/layer_reference.h5")
        return try! loadReferenceCases(from: url)
    }()
    static let tolerance: Float = 1e-4

    func expectClose(_ actual: Tensor, _ expected: Tensor, _ what: String, _ c: ReferenceCase) {
        #expect(actual.shape == expected.shape, "\(c.name) \(what): shape \(actual.shape) vs \(expected.shape)")
        guard actual.shape == expected.shape else { return }
        let error = maxRelativeError(actual.values, expected.values)
        #expect(error < Self.tolerance, "\(c.name) \(what): max relative error \(error)")
    }

    /// A batch norm (1-D or 2-D) with the case's parameters, running statistics and mode.
    func stored<BN: BatchNormBase>(_ bn: BN, _ c: ReferenceCase) -> BN {
        bn.gamma.value.assign(c.tensor("w")); bn.beta.value.assign(c.tensor("b"))
        bn.runningMean.value.assign(c.tensor("running_mean")); bn.runningVar.value.assign(c.tensor("running_var"))
        bn.isTraining = c.integer("training") == 1
        return bn
    }

    func layer(for c: ReferenceCase) throws -> (any Layer)? {
        switch c.op {
        case "conv2d":
            let conv = try Conv2D(c.name, inChannels: c.integer("in_channels"), outChannels: c.integer("out_channels"),
                                  kernelSize: c.pair("kernel_size"), stride: c.pair("stride"), padding: .symmetric(c.pair("padding")),
                                  dilation: c.pair("dilation"), groups: c.integer("groups"), bias: c.integer("bias") == 1)
            conv.weight.value.assign(c.tensor("w"))
            if let b = conv.bias { b.value.assign(c.tensor("b")) }
            return conv
        case "max_pool2d":
            return try MaxPool2D(c.name, kernelSize: c.pair("kernel_size"), stride: c.pair("stride"), padding: c.pair("padding"),
                                 ceilMode: c.integer("ceil_mode") == 1)
        case "avg_pool2d":
            return try AvgPool2D(c.name, kernelSize: c.pair("kernel_size"), stride: c.pair("stride"), padding: c.pair("padding"),
                                 ceilMode: c.integer("ceil_mode") == 1, countIncludePad: c.integer("count_include_pad") == 1)
        case "adaptive_avg_pool2d":
            return try AdaptiveAvgPool2D(c.name, outputSize: c.pair("output_size"))
        case "batch_norm2d":
            return try stored(BatchNorm2D(c.name, features: c.integer("num_features"), momentum: Float(c.reals["momentum"] ?? 0.1),
                                          epsilon: Float(c.reals["eps"] ?? 1e-5)), c)
        case "linear":
            let fc = try Dense(c.name, inFeatures: c.integer("in_features"), outFeatures: c.integer("out_features"))
            fc.weight.value.assign(c.tensor("w")); fc.bias!.value.assign(c.tensor("b"))
            return fc
        case "relu":
            return ReLU(c.name)
        case "leaky_relu":
            return LeakyReLU(c.name, slope: Float(try #require(c.reals["negative_slope"])))
        case "tanh":
            return Tanh(c.name)
        case "sigmoid":
            return Sigmoid(c.name)
        case "local_response_norm":
            return try LocalResponseNorm(c.name, size: c.integer("size"), alpha: Float(try #require(c.reals["alpha"])),
                                         beta: Float(try #require(c.reals["beta"])), k: Float(try #require(c.reals["k"])))
        case "batch_norm1d":
            return try stored(BatchNorm1D(c.name, features: c.integer("num_features"), momentum: Float(c.reals["momentum"] ?? 0.1),
                                          epsilon: Float(c.reals["eps"] ?? 1e-5)), c)
        case "dropout":
            let dropout = try Dropout(c.name, probability: Float(try #require(c.reals["p"])), seed: 1)
            dropout.isTraining = c.integer("training") == 1
            return dropout
        default:
            return nil
        }
    }

    static let optimizers: Set<String> = ["sgd", "adam", "adamw"]

    @Test func fixtureHoldsEveryCase() {
        #expect(Self.cases.count == 35)
        #expect(Set(Self.cases.map(\.op)) == ["conv2d", "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "batch_norm2d", "linear", "relu", "cross_entropy",
                                               "leaky_relu", "tanh", "sigmoid", "local_response_norm", "batch_norm1d", "dropout",
                                               "sgd", "adam", "adamw"])
    }

    @Test("layer forward and gradients, on every path this CPU has",
          arguments: InstructionSet.supported, cases.filter { $0.op != "cross_entropy" && !optimizers.contains($0.op) }.map(\.name))
    func layerAgrees(_ isa: InstructionSet, _ name: String) throws {
        try InstructionSet.withActive(isa) { try checkLayer(name) }
    }

    func checkLayer(_ name: String) throws {
        let c = try #require(Self.cases.first { $0.name == name })
        let layer = try #require(try layer(for: c), "no engine layer for op \(c.op)")
        let y = try layer.forward(c.tensor("x"))
        expectClose(y, c.tensor("y"), "y", c)
        let dx = try layer.backward(c.tensor("dy"))
        expectClose(dx, c.tensor("dx"), "dx", c)
        let gradients = Dictionary(uniqueKeysWithValues: layer.parameters.map { ($0.name, $0.gradient) })
        if let dw = c.tensors["dw"] { expectClose(try #require(gradients["weight"]), dw, "dw", c) }
        if let db = c.tensors["db"] { expectClose(try #require(gradients["bias"]), db, "db", c) }
        if let bn = layer as? BatchNormBase, let after = c.tensors["running_mean_after"] {
            expectClose(bn.runningMean.value, after, "running_mean after the step", c)
            expectClose(bn.runningVar.value, c.tensor("running_var_after"), "running_var after the step", c)
        }
    }

    @Test("softmax cross-entropy loss and gradient", arguments: cases.filter { $0.op == "cross_entropy" }.map(\.name))
    func crossEntropyAgrees(_ name: String) throws {
        let c = try #require(Self.cases.first { $0.name == name })
        let loss = try SoftmaxCrossEntropy()
        let value = try loss.loss(logits: c.tensor("x"), targets: c.targets)
        let expected = c.tensor("y")[flat: 0]
        #expect(abs(value - expected) / max(1, abs(expected)) < Self.tolerance)
        expectClose(loss.gradient, c.tensor("dx"), "dx", c)
    }

    /// One optimizer step from the state PyTorch's optimizer held (a momentum buffer, or Adam's moments after
    /// `step` steps): the parameter and the state after it.
    @Test("one SGD, Adam and AdamW step from a stored state", arguments: cases.filter { optimizers.contains($0.op) }.map(\.name))
    func optimizerStepAgrees(_ name: String) throws {
        let c = try #require(Self.cases.first { $0.name == name })
        let parameter = Parameter(name: "weight", shape: c.tensor("w").shape)
        parameter.value.assign(c.tensor("w"))
        parameter.gradient.assign(c.tensor("g"))
        let lr = Float(try #require(c.reals["lr"])), weightDecay = Float(try #require(c.reals["weight_decay"]))
        let optimizer: any Optimizer
        let state: [(engine: String, fixture: String)]
        if c.op == "sgd" {
            optimizer = try SGD(parameters: [parameter], learningRate: lr, momentum: Float(try #require(c.reals["momentum"])),
                                nesterov: c.integer("nesterov") == 1, weightDecay: weightDecay)
            state = [("momentum.0", "momentum_buffer")]
        } else {
            optimizer = try Adam(parameters: [parameter], learningRate: lr, beta1: Float(try #require(c.reals["beta1"])),
                                 beta2: Float(try #require(c.reals["beta2"])), epsilon: Float(try #require(c.reals["eps"])),
                                 weightDecay: weightDecay, decoupled: c.op == "adamw")
            state = [("exp_avg.0", "exp_avg"), ("exp_avg_sq.0", "exp_avg_sq")]
        }
        try optimizer.restore(state: Dictionary(uniqueKeysWithValues: state.map { ($0.engine, c.tensor($0.fixture).values) }),
                              stepCount: c.integer("step"))
        optimizer.step()
        #expect(optimizer.stepCount == c.integer("step") + 1)
        expectClose(parameter.value, c.tensor("w_after"), "w after the step", c)
        for (engine, fixture) in state {
            let after = c.tensor(fixture + "_after")
            let values = try #require(optimizer.state[engine])
            expectClose(try Tensor(shape: after.shape, values: values), after, "\(fixture) after the step", c)
        }
    }
}
