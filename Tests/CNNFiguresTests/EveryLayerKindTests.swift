import CNNEngine
import CNNFigures
import CNNStore
import Foundation
import Testing
import _TestSupport

/// Every layer kind, from one example of each: it builds from its spec, goes through a model file and
/// back to the same spec, weights and outputs, is drawn by the architecture diagram (D1), and its
/// gradients agree with central differences element by element. A new kind is a compile error in
/// `example(of:)` until it has an example (docs/adding-a-layer.md).
@Suite("Every layer kind")
struct EveryLayerKindTests {
    /// One example of `kind` and the shape of one sample it takes.
    static func example(of kind: LayerKind) -> (spec: LayerSpec, input: [Int]) {
        let conv = LayerSpec.conv2D(name: "conv", inChannels: 2, outChannels: 3, kernelSize: 3, padding: .same)
        switch kind {
        case .conv2D:
            return (.conv2D(name: "conv", inChannels: 2, outChannels: 4, kernelSize: Pair(3, 2), stride: 2, padding: .uniform(1)), [2, 6, 6])
        case .dense: return (.dense(name: "fc", inFeatures: 6, outFeatures: 4), [6])
        case .relu: return (.relu(name: "relu"), [2, 4, 4])
        case .leakyReLU: return (.leakyReLU(name: "leaky", slope: 0.1), [2, 4, 4])
        case .tanh: return (.tanh(name: "tanh"), [2, 4, 4])
        case .sigmoid: return (.sigmoid(name: "sigmoid"), [2, 4, 4])
        case .flatten: return (.flatten(name: "flatten"), [2, 3, 3])
        case .dropout: return (.dropout(name: "drop", probability: 0.5), [2, 4, 4])
        case .maxPool2D: return (.maxPool2D(name: "max", kernelSize: 3, stride: 2, padding: 1), [2, 6, 6])
        case .avgPool2D: return (.avgPool2D(name: "avg", kernelSize: 2, stride: 2), [2, 6, 6])
        case .adaptiveAvgPool2D: return (.adaptiveAvgPool2D(name: "adaptive", outputSize: Pair(2, 3)), [2, 5, 6])
        case .batchNorm2D: return (.batchNorm2D(name: "bn", features: 2), [2, 4, 4])
        case .batchNorm1D: return (.batchNorm1D(name: "bn1d", features: 6), [6])
        case .localResponseNorm: return (.localResponseNorm(name: "lrn", size: 3, alpha: 0.1, beta: 0.75, k: 2), [5, 3, 3])
        case .sequential:
            return (.sequential(name: "block", layers: [conv, .tanh(name: "tanh"), .flatten(name: "flatten"),
                                                        .dense(name: "fc", inFeatures: 48, outFeatures: 3)]), [2, 4, 4])
        case .residual:
            return (.residual(name: "residual", body: [
                .conv2D(name: "conv1", inChannels: 2, outChannels: 4, kernelSize: 3, stride: 2, padding: .uniform(1), bias: false),
                .batchNorm2D(name: "bn1", features: 4), .tanh(name: "tanh"),
                .conv2D(name: "conv2", inChannels: 4, outChannels: 4, kernelSize: 3, padding: .uniform(1)),
            ], shortcut: .projection([.conv2D(name: "proj", inChannels: 2, outChannels: 4, kernelSize: 1, stride: 2, bias: false),
                                      .batchNorm2D(name: "bnp", features: 4)]),
            activation: .tanh(name: "post")), [2, 6, 6])
        case .channelConcat: return (.channelConcat(name: "concat", body: [conv, .tanh(name: "tanh")]), [2, 4, 4])
        }
    }

    /// Distinct values 0.03 apart, none within 0.015 of 0: no finite difference crosses a ReLU's kink or a pooling tie.
    static func awayFromKinks(_ shape: [Int], seed: UInt64) -> Tensor {
        let t = Tensor(shape: shape)
        var generator = SeededGenerator(seed: seed)
        for (i, v) in Array(0..<t.count).shuffled(using: &generator).enumerated() { t[flat: i] = Float(v - t.count / 2) * 0.03 + 0.015 }
        return t
    }

    /// A model holding the example: the layer alone on images, after a Flatten of [F, 1, 1] for a vector layer.
    static func model(of kind: LayerKind) throws -> ModelSpec {
        let (spec, input) = example(of: kind)
        let layers = input.count == 3 ? [spec] : [.flatten(name: "to_vector"), spec]
        let image = input.count == 3 ? input : [input[0], 1, 1]
        let output = try spec.build().outputShape(for: input)
        return ModelSpec(name: "every-kind-\(kind.rawValue)", inputShape: image, classes: output.reduce(1, *), layers: layers)
    }

    @Test("builds from its spec, as that kind", arguments: LayerKind.allCases)
    func builds(_ kind: LayerKind) throws {
        let (spec, input) = Self.example(of: kind)
        #expect(spec.kind == kind)
        let layer = try spec.build()
        #expect(layer.kind == kind)
        #expect(layer.name == spec.name)
        #expect(try layer.outputShape(for: input).allSatisfy { $0 > 0 })
        // The stored name is the kind's raw value: {"conv2D": {...}}.
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(spec)) as? [String: Any]
        #expect(json.map { Array($0.keys) } == [kind.rawValue])
    }

    @Test("round-trips through a model file: same spec, weights and outputs", arguments: LayerKind.allCases)
    func modelFileRoundTrip(_ kind: LayerKind) throws {
        let model = try Self.model(of: kind)
        let url = try temporaryFolder("EveryLayerKind").appendingPathComponent("\(kind.rawValue).h5")
        let written = try ModelFile.initialContents(of: model, seed: 3)
        try ModelFile.write(written, to: url)
        let (spec, network, contents) = try ModelFile.loadModel(from: url)
        #expect(spec == model)
        let stored = Dictionary(written.weights + written.buffers, uniquingKeysWith: { a, _ in a })
        #expect(contents.weights.count + contents.buffers.count == stored.count)
        for (path, parameter) in network.namedParameters + network.namedBuffers {
            #expect(bitIdentical(parameter.value.values, stored[path]?.values ?? []), "\(path)")
        }
        let original = try model.build()
        original.initialize(seed: 3)
        original.setTraining(false)
        let x = Self.awayFromKinks([2] + model.inputShape, seed: 4)
        #expect(bitIdentical(try network.forward(x).values, try original.forward(x).values))
    }

    @Test("is drawn by the architecture diagram", arguments: LayerKind.allCases)
    func drawnByTheArchitectureDiagram(_ kind: LayerKind) throws {
        let model = try Self.model(of: kind)
        let spec = Self.example(of: kind).spec
        let diagram = try ArchitectureDiagram(spec: model)
        let stage = diagram.stages.contains { $0.name == spec.name }
        let note = !diagram.stages[0].details.isEmpty
        switch kind.role {
        case .activation, .normalization, .regularization: #expect(note && !stage, "a note under the maps before it")
        case .reshape: #expect(diagram.stages.count == 1, "Flatten only reshapes: nothing drawn")
        case .convolution, .fullyConnected, .pooling, .adaptivePooling, .container: #expect(stage, "a stage of its own")
        }
        let png = try temporaryFolder("EveryLayerKind").appendingPathComponent("\(kind.rawValue).png").path
        try ArchitectureFigure(diagram: diagram).write(to: png, size: .inches(6, 3), dpi: 50)
        #expect(pngSize(atPath: png) == PixelSize(300, 150))
    }

    @Test("gradients agree with central differences, element by element", arguments: LayerKind.allCases)
    func gradientCheck(_ kind: LayerKind) throws {
        let (spec, input) = Self.example(of: kind)
        let layer = try spec.build()
        layer.initialize(seed: 11)
        layer.setTraining(true)
        // Every element of every tensor (the examples are small): one wrong derivative fails.
        let results = try _TestSupport.gradientCheck(layer, input: Self.awayFromKinks([4] + input, seed: 5), points: 400)
        #expect(results.count == 1 + layer.namedParameters.count)
        for result in results { #expect(result.passed, "\(result)") }
    }
}
