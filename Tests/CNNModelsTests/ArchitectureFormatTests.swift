import CNNEngine
import CNNModels
import Foundation
import Testing

/// The architecture JSON that model files hold must not change: files written by earlier versions
/// must read back to the same specs, and a spec must encode to the same bytes.
@Suite("Architecture JSON format")
struct ArchitectureFormatTests {
    /// One spec with every layer kind, every shortcut and padding, defaults and non-defaults.
    static let everyKind = ModelSpec(name: "every-kind", inputShape: [3, 16, 16], classes: 4, layers: [
        .conv2D(name: "c1", inChannels: 3, outChannels: 4, kernelSize: 3, padding: .same),
        .conv2D(name: "c2", inChannels: 4, outChannels: 4, kernelSize: Pair(3, 1), stride: Pair(2, 1),
                padding: .explicit(top: 1, bottom: 0, left: 0, right: 2), dilation: 2, groups: 2, bias: false,
                initializer: .alexNetGaussian),
        .batchNorm2D(name: "bn", features: 4),
        .batchNorm2D(name: "bn2", features: 4, momentum: 0.2, epsilon: 1e-3),
        .relu(name: "relu"), .leakyReLU(name: "leaky", slope: 0.1), .tanh(name: "tanh"), .sigmoid(name: "sigmoid"),
        .localResponseNorm(name: "lrn", size: 5, alpha: 1e-4, beta: 0.75, k: 2),
        .maxPool2D(name: "max", kernelSize: 2, stride: 2),
        .maxPool2D(name: "max2", kernelSize: 3, stride: 1, padding: 1, ceilMode: true),
        .avgPool2D(name: "avg", kernelSize: 3, stride: 1, padding: 1, ceilMode: true, countIncludePad: false),
        .avgPool2D(name: "avg2", kernelSize: 1, stride: 1),
        .residual(name: "identity", body: [.conv2D(name: "conv", inChannels: 4, outChannels: 4, kernelSize: 3, padding: .uniform(1))],
                  shortcut: .identity, activation: .relu(name: "relu")),
        .residual(name: "optionA", body: [.conv2D(name: "conv", inChannels: 4, outChannels: 8, kernelSize: 3, stride: 2, padding: .uniform(1))],
                  shortcut: .zeroPadded(stride: 2), activation: nil),
        .residual(name: "projection", body: [.conv2D(name: "conv", inChannels: 8, outChannels: 8, kernelSize: 3, padding: .uniform(1))],
                  shortcut: .projection([.conv2D(name: "proj", inChannels: 8, outChannels: 8, kernelSize: 1, bias: false)]),
                  activation: .tanh(name: "post")),
        .residual(name: "plain", body: [.relu(name: "relu")], shortcut: .none, activation: nil),
        .channelConcat(name: "concat", body: [.conv2D(name: "conv", inChannels: 8, outChannels: 2, kernelSize: 1)]),
        .sequential(name: "inner", layers: [.dropout(name: "drop", probability: 0.5)]),
        .adaptiveAvgPool2D(name: "gap", outputSize: 1),
        .flatten(name: "flatten"),
        .dense(name: "fc", inFeatures: 10, outFeatures: 6),
        .batchNorm1D(name: "bn1d", features: 6),
        .dense(name: "out", inFeatures: 6, outFeatures: 4, bias: false, initializer: .glorotUniform),
    ])

    /// The specs checked: the one above and zoo models with every container and shortcut the zoo uses.
    static func specs() throws -> [ModelSpec] {
        try [everyKind] + ["lenet5-1998", "alexnet-small", "resnet20", "plain20", "resnet18", "vgg11_bn_cifar"].map { try ModelZoo.spec($0) }
    }

    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/architectures.jsonl")

    /// Each spec's JSON as `cnnbench train` writes it (sorted keys; unsorted keys come in no fixed order).
    static func lines() throws -> [String] {
        let sorted = JSONEncoder()
        sorted.outputFormatting = [.sortedKeys]
        return try specs().map { String(decoding: try sorted.encode($0), as: UTF8.self) }
    }

    @Test("specs encode to the bytes earlier versions wrote (Fixtures/architectures.jsonl)")
    func encodingIsUnchanged() throws {
        // The fixture was written by this test from the layer specs of 85042cb (positional payloads);
        // rewrite it only when the format changes on purpose (and say so in docs/model-file.md).
        if ProcessInfo.processInfo.environment["CNNBENCH_WRITE_ARCHITECTURE_FIXTURE"] == "1" {
            try (Self.lines().joined(separator: "\n") + "\n").write(to: Self.fixture, atomically: true, encoding: .utf8)
        }
        let stored = try String(contentsOf: Self.fixture, encoding: .utf8).split(separator: "\n").map(String.init)
        let now = try Self.lines()
        #expect(stored.count == now.count)
        for (old, new) in zip(stored, now) { #expect(old == new) }
    }

    @Test("stored architectures decode to the same specs, in any key order")
    func storedArchitecturesReadBack() throws {
        let stored = try String(contentsOf: Self.fixture, encoding: .utf8).split(separator: "\n").map(String.init)
        let specs = try Self.specs()
        #expect(stored.count == specs.count)
        for (line, spec) in zip(stored, specs) {
            #expect(try JSONDecoder().decode(ModelSpec.self, from: Data(line.utf8)) == spec)
            // As the importers write it: keys in the encoder's own order.
            #expect(try JSONDecoder().decode(ModelSpec.self, from: JSONEncoder().encode(spec)) == spec)
        }
    }
}
