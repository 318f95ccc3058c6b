import CNNEngine
import CNNModels
import CNNStore
import Foundation
import Testing
import _TestSupport

/// `cnnbench export --format keras-h5`: Keras 2's layout, read back by the Keras importer.
@Suite("Keras export")
struct KerasExportTests {
    /// Batch norm in both kinds, "same" padding, dropout between Flatten and Dense, a sigmoid.
    static let batchNormSpec = ModelSpec(name: "bn", inputShape: [3, 8, 8], classes: 4, layers: [
        .conv2D(name: "conv1", inChannels: 3, outChannels: 5, kernelSize: 3, padding: .uniform(1)),
        .batchNorm2D(name: "bn1", features: 5), .relu(name: "relu1"), .maxPool2D(name: "pool1", kernelSize: 2, stride: 2),
        .flatten(name: "flatten"), .dropout(name: "drop", probability: 0.2), .dense(name: "fc1", inFeatures: 80, outFeatures: 6),
        .batchNorm1D(name: "bn2", features: 6), .sigmoid(name: "sigmoid"), .dense(name: "fc2", inFeatures: 6, outFeatures: 4),
    ])

    @Test(arguments: ["lenet5", "lenet5-1998", "mlp", "bn"])
    func roundTripGivesTheSameOutputs(model name: String) throws {
        let spec = name == "bn" ? Self.batchNormSpec : try ModelZoo.spec(name)
        var contents = try ModelFile.initialContents(of: spec, seed: 4)
        contents.buffers = contents.buffers.enumerated().map { k, entry in
            let t = randomTensor(entry.tensor.shape, seed: UInt64(200 + k), scale: 0.3)
            if entry.path.hasSuffix("running_var") { for i in 0..<t.count { t[flat: i] = 1 + t[flat: i] } }
            return (entry.path, t)
        }
        let folder = try temporaryFolder("keras-export")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("\(name).h5")
        try KerasFile.write(contents, to: url)
        #expect(KerasFile.isKerasFile(url) && !ModelFile.isModelFile(url))

        let original = try spec.build()
        try ModelFile.load(contents, into: original, file: "memory")
        original.setTraining(false)
        let (imported, network, _) = try ModelFile.loadModel(from: url)
        #expect(imported.inputShape == spec.inputShape && imported.classes == spec.classes)
        #expect(network.namedParameters.map(\.path) == original.namedParameters.map(\.path))
        let x = randomTensor([2] + spec.inputShape, seed: 3)
        let want = try original.forward(x).values, got = try network.forward(x).values
        #expect(maxRelativeError(got, want) < 1e-6)
    }

    @Test func blocksAreRefusedWithTheLayerAndTheWayOut() throws {
        let contents = try ModelFile.initialContents(of: try ModelZoo.spec("resnet8"), seed: 1)
        let error = try #require(throws: StoreError.self) { try KerasFile.write(contents, to: URL(fileURLWithPath: "/tmp/r.h5")) }
        #expect(error.description == "/tmp/r.h5: layer stage1_block1 cannot be written as a Keras layer: a Keras Sequential has no blocks with shortcuts; export the model as ONNX instead")
    }
}
