// Between networks and model files: weights in and out, histories as records, Keras files as specs.
import CNNEngine
import CNNModels
import CNNStore
import Foundation

/// Loading stored weights into networks and rebuilding networks from model files.
public enum Checkpoint {
    /// Copies every parameter and buffer of `contents` into `network`, matched by path.
    /// - Throws: `StoreError` naming the file and the path of a missing or misshapen array.
    public static func load(_ contents: ModelFileContents, into network: Sequential, file: String) throws {
        let stored = Dictionary(contents.weights + contents.buffers, uniquingKeysWith: { first, _ in first })
        for (path, parameter) in network.namedParameters + network.namedBuffers {
            guard let tensor = stored[path] else {
                throw StoreError(.notFound, file: file, objectPath: path, reason: "the model file has no array for \(path), which the architecture needs")
            }
            guard tensor.shape == parameter.value.shape else {
                throw StoreError(.wrongShape, file: file, objectPath: path,
                                 reason: "\(path) has shape \(tensor.shape.shapeDescription), the architecture needs \(parameter.value.shape.shapeDescription)")
            }
            parameter.value.assign(tensor)
        }
    }

    /// Reads a model file and rebuilds its network with the stored weights, in evaluation mode.
    public static func loadModel(from url: URL) throws -> (spec: ModelSpec, network: Sequential, contents: ModelFileContents) {
        let contents = try ModelFile.read(from: url)
        let spec: ModelSpec
        do {
            spec = try JSONDecoder().decode(ModelSpec.self, from: Data(contents.architectureJSON.utf8))
        } catch {
            throw StoreError(.corrupt, file: url.path, objectPath: "/", reason: "the architecture attribute is not a valid model description: \(error)")
        }
        let network = try spec.build()
        try load(contents, into: network, file: url.path)
        network.setTraining(false)
        return (spec, network, contents)
    }

    /// The stored history as epoch records.
    public static func records(from history: [String: [Double]]) -> [EpochRecord] {
        let n = history["epoch"]?.count ?? 0
        func value(_ key: String, _ i: Int) -> Double? {
            guard let column = history[key], i < column.count, !column[i].isNaN else { return nil }
            return column[i]
        }
        return (0..<n).map { i in
            EpochRecord(epoch: Int(value("epoch", i) ?? Double(i + 1)), trainLoss: value("train_loss", i) ?? .nan,
                        trainError: value("train_error", i) ?? .nan, validationLoss: value("val_loss", i),
                        validationError: value("val_error", i), testLoss: value("test_loss", i) ?? .nan,
                        testError: value("test_error", i) ?? .nan, testTop5Error: value("test_top5_error", i),
                        learningRate: value("learning_rate", i) ?? .nan, seconds: value("seconds", i) ?? .nan,
                        imagesPerSecond: value("images_per_second", i) ?? .nan)
        }
    }
}
