import CNNEngine
import CNNModels
import Foundation
import Testing
import _TestSupport

@Suite("Model zoo")
struct ZooTests {
    struct Reference: Decodable { var input: [Int]; var parameters: Int; var macs: Int }

    /// Counts made by torchvision and the PyTorch reference kit (scripts/reference/zoo_counts.py).
    static let references: [String: Reference] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/zoo_counts.json")
        return try! JSONDecoder().decode([String: Reference].self, from: Data(contentsOf: url))
    }()

    @Test("parameter and multiply-add totals equal PyTorch's", arguments: references.keys.sorted())
    func countsMatchPyTorch(_ name: String) throws {
        let reference = try #require(Self.references[name])
        let summary = try ModelSummary(try ModelZoo.spec(name, input: reference.input))
        #expect(summary.parameters == reference.parameters)
        #expect(summary.macs == reference.macs)
    }

    @Test("every zoo model gives [N, classes] on its default input", arguments: ModelZoo.entries.map(\.name))
    func outputShape(_ name: String) throws {
        let entry = try ModelZoo.entry(named: name)
        let spec = try entry.spec(classes: 7)
        let network = try spec.build()
        #expect(try network.outputShape(for: entry.defaultInput) == [7])
        // Run the small models forward for real (ImageNet ones are shape-checked only: too slow for tests).
        if entry.defaultInput[1] <= 32 && !name.hasPrefix("resnet110") && !name.hasPrefix("plain110") && !name.hasPrefix("vgg") {
            network.initialize(seed: 1)
            let y = try network.forward(randomTensor([2] + entry.defaultInput, seed: 2))
            #expect(y.shape == [2, 7])
            #expect(y.values.allSatisfy { $0.isFinite })
        }
    }

    @Test("LeNet-5's layer names and shapes follow the paper (D1: 6@28x28, 16@10x10, ...)")
    func lenetTable() throws {
        let summary = try ModelSummary(try ModelZoo.spec("lenet5"))
        let shapes = Dictionary(uniqueKeysWithValues: summary.rows.map { ($0.name, $0.outputShape) })
        #expect(shapes["C1"] == [6, 28, 28] && shapes["S2"] == [6, 14, 14] && shapes["C3"] == [16, 10, 10])
        #expect(shapes["S4"] == [16, 5, 5] && shapes["C5"] == [120] && shapes["F6"] == [84] && shapes["OUTPUT"] == [10])
        let paper = try ModelSummary(try ModelZoo.spec("lenet5-1998"))
        #expect(paper.rows.first { $0.name == "C5" }?.outputShape == [120, 1, 1])
        #expect(paper.inputShape == [1, 32, 32])
    }

    @Test("plain nets differ from ResNets only in the shortcuts")
    func plainTwins() throws {
        let resnet = try ModelSummary(try ModelZoo.spec("resnet20")), plain = try ModelSummary(try ModelZoo.spec("plain20"))
        #expect(resnet.parameters == plain.parameters)  // option A shortcuts have no parameters
        #expect(resnet.rows.map(\.name) == plain.rows.map(\.name))
        #expect(resnet.rows.filter { $0.kind == "Residual" }.count == 9)
        #expect(plain.rows.filter { $0.kind == "PlainBlock" }.count == 9)
        #expect(try ModelZoo.entry(named: "resnet14").spec().layers.count > 0)
    }

    @Test func unknownModelListsTheKnownOnes() {
        let error = #expect(throws: ConfigurationError.self) { try ModelZoo.entry(named: "lenet6") }
        #expect(error?.description.hasPrefix("unknown model \"lenet6\"; known models: logreg, mlp, lenet5") == true)
    }

    @Test func specRoundTripsThroughJSON() throws {
        for name in ["lenet5", "resnet20", "resnet50", "alexnet-small", "vgg11_bn_cifar"] {
            let spec = try ModelZoo.spec(name)
            let decoded = try JSONDecoder().decode(ModelSpec.self, from: try JSONEncoder().encode(spec))
            #expect(decoded == spec)
        }
    }
}

@Suite("v1net: a wide first layer")
struct WideFirstLayerTests {
    @Test("v1net builds on Fashion-MNIST's 28x28 and on 3-channel 8x8 images, and one SGD step lowers the loss on its batch")
    func buildsAndTrainsAStep() throws {
        let spec = try ModelZoo.spec("v1net")
        let network = try spec.build()
        let c1 = try #require(network.layer(named: "C1") as? Conv2D)
        #expect(c1.weight.value.shape[0] >= 32 && c1.weight.value.shape[2] >= 7)
        #expect(try network.outputShape(for: [1, 28, 28]) == [10])
        #expect(try ModelZoo.spec("v1net", input: [3, 8, 8]).build().outputShape(for: [3, 8, 8]) == [10])

        network.initialize(seed: 1)
        let x = randomTensor([8, 1, 28, 28], seed: 2)
        let labels: [Int32] = [0, 1, 2, 3, 4, 5, 6, 7]
        let loss = try SoftmaxCrossEntropy()
        let optimizer = try SGD(parameters: network.namedParameters.map(\.parameter), learningRate: 0.05, momentum: 0.9)
        network.zeroGradients()
        let before = try loss.loss(logits: try network.forward(x), targets: labels)
        _ = try network.backward(loss.gradient)
        #expect(c1.weight.gradient.values.contains { $0 != 0 })
        optimizer.step()
        let after = try loss.loss(logits: try network.forward(x), targets: labels)
        #expect(before.isFinite && after < before)
    }
}
