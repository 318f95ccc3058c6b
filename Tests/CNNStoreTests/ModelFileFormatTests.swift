// Model files written by earlier toolkits (Fixtures/model-format-N, made once per format version by
// Fixtures/make_model_file_fixture.py and never regenerated): every one keeps loading and gives the same outputs.
import CNNEngine
import CNNStore
import Foundation
import Testing
import _TestSupport

@Suite("Model files of every format version")
struct ModelFileFormatTests {
    /// The format versions with a committed file: one folder per version, kept when the version goes up.
    static let versions: [Int64] = [1]
    static let tolerance: Float = 1e-4

    static func folder(_ version: Int64) -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/model-format-\(version)")
    }

    @Test("today's format version has a committed file (make one with make_model_file_fixture.py when it goes up)")
    func todaysVersionIsCommitted() {
        #expect(Self.versions.last == ModelFile.version)
        for version in Self.versions {
            #expect(FileManager.default.fileExists(atPath: Self.folder(version).appendingPathComponent("model.h5").path), "model-format-\(version)")
        }
    }

    @Test("a committed LeNet-5 from cnnbench train loads and gives PyTorch's outputs", arguments: versions)
    func loadsAndGivesTheSameOutputs(_ version: Int64) throws {
        let url = Self.folder(version).appendingPathComponent("model.h5")
        #expect(try HDF5File(opening: url).int64Attribute("format_version") == version)
        let (spec, network, contents) = try ModelFile.loadModel(from: url)
        #expect(spec.name == "lenet5" && contents.model == "lenet5")
        #expect(spec.classes == 10 && spec.inputShape == [1, 28, 28])
        let shapes = Dictionary(uniqueKeysWithValues: network.namedParameters.map { ($0.path, $0.parameter.value.shape) })
        #expect(shapes == ["C1/weight": [6, 1, 5, 5], "C1/bias": [6], "C3/weight": [16, 6, 5, 5], "C3/bias": [16],
                           "C5/weight": [120, 400], "C5/bias": [120], "F6/weight": [84, 120], "F6/bias": [84],
                           "OUTPUT/weight": [10, 84], "OUTPUT/bias": [10]])
        #expect(!network.isTraining)

        // What training left in the file: the data set, two epochs of history, the optimizer and the recipe.
        let dataset = try #require(contents.dataset)
        #expect(dataset.name == "MNIST" && dataset.classNames == (0...9).map(String.init))
        #expect(dataset.normalizationMean == [Double(Float(0.1307))] && dataset.normalizationStd == [Double(Float(0.3081))])
        #expect(contents.history["epoch"] == [1, 2])
        #expect(contents.history["test_error"]?.allSatisfy { $0 > 0 && $0 < 1 } == true)
        let optimizer = try #require(contents.optimizer)
        #expect(optimizer.kind == "sgd" && optimizer.stepCount == 32 && optimizer.hyperparameters["momentum"] == 0.9)
        #expect(optimizer.state.values.reduce(0) { $0 + $1.count } == network.parameterCount)
        let training = try #require(contents.training)
        #expect(training.epochsCompleted == 2 && training.generatorState.count == 4)
        let recipe = try #require(try JSONSerialization.jsonObject(with: Data(training.recipeJSON.utf8)) as? [String: Any])
        #expect(recipe["batchSize"] as? Int == 64 && recipe["optimizer"] as? String == "sgd")
        #expect(contents.metadata["seed"] == "7")

        // The same logits as PyTorch's reference LeNet-5 given the file's weights.
        let expected = try HDF5File(opening: Self.folder(version).appendingPathComponent("expected.h5"))
        let images = try expected.read(UInt8.self, at: "images", expectedShape: [16, 28, 28]).values
        let logits = try expected.readTensor(at: "logits", expectedShape: [16, 10])
        let mean = Float(dataset.normalizationMean[0]), std = Float(dataset.normalizationStd[0])
        let x = Tensor(shape: [16, 1, 28, 28])
        for (i, byte) in images.enumerated() { x[flat: i] = (Float(byte) / 255 - mean) / std }
        let y = try network.forward(x)
        #expect(y.shape == logits.shape)
        let error = maxRelativeError(y.values, logits.values)
        #expect(error < Self.tolerance, "format \(version): largest difference from PyTorch's logits \(error)")
    }
}
