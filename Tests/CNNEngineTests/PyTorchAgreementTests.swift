import CNNEngine
import Foundation
import Testing
import _TestSupport

/// Forward outputs and every gradient against PyTorch (float64 results rounded to float32), to 1e-4 relative.
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
            let bn = try BatchNorm2D(c.name, features: c.integer("num_features"), momentum: Float(c.reals["momentum"] ?? 0.1),
                                     epsilon: Float(c.reals["eps"] ?? 1e-5))
            bn.gamma.value.assign(c.tensor("w")); bn.beta.value.assign(c.tensor("b"))
            bn.runningMean.value.assign(c.tensor("running_mean")); bn.runningVar.value.assign(c.tensor("running_var"))
            bn.isTraining = c.integer("training") == 1
            return bn
        case "linear":
            let fc = try Dense(c.name, inFeatures: c.integer("in_features"), outFeatures: c.integer("out_features"))
            fc.weight.value.assign(c.tensor("w")); fc.bias!.value.assign(c.tensor("b"))
            return fc
        case "relu":
            return ReLU(c.name)
        default:
            return nil
        }
    }

    @Test func fixtureHoldsEveryCase() {
        #expect(Self.cases.count == 23)
        #expect(Set(Self.cases.map(\.op)) == ["conv2d", "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "batch_norm2d", "linear", "relu", "cross_entropy"])
    }

    @Test("layer forward and gradients, on every path this CPU has",
          arguments: InstructionSet.supported, cases.filter { $0.op != "cross_entropy" }.map(\.name))
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
        if let bn = layer as? BatchNorm2D, let after = c.tensors["running_mean_after"] {
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
}
