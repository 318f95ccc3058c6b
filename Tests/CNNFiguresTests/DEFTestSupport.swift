// Helpers for the tests of figure groups D, E and F: temporary folders, file headers, tiny model files.

import CNNData
import CNNEngine
import CNNModels
import CNNStore
import Foundation

enum DEFTestSupport {
    

    

    

    /// Writes a model file of zoo model `model`, initialised from `seed`, with the given history columns.
    @discardableResult
    static func writeModelFile(model: String, to url: URL, history: [String: [Double]], dataset: String = "mnist",
                               seed: UInt64 = 1, training: TrainingRecord? = nil) throws -> (spec: ModelSpec, network: Sequential) {
        let spec = try ModelZoo.spec(model)
        let network = try spec.build()
        network.initialize(seed: seed)
        let encoder = JSONEncoder()
        let contents = ModelFileContents(
            model: spec.name, architectureJSON: String(decoding: try encoder.encode(spec), as: UTF8.self),
            inputShape: spec.inputShape, classes: spec.classes,
            weights: network.namedParameters.map { ($0.path, $0.parameter.value) },
            buffers: network.namedBuffers.map { ($0.path, $0.parameter.value) },
            history: history,
            dataset: DatasetRecord(name: "\(dataset) train", classNames: (0..<spec.classes).map(String.init),
                                   normalizationMean: [0.5], normalizationStd: [0.25]),
            metadata: ["data_source": "{\"name\":\"\(dataset)\"}", "seed": String(seed)])
        var stored = contents
        stored.training = training
        try ModelFile.write(stored, to: url)
        return (spec, network)
    }

    /// A history of `epochs` epochs whose errors fall from `start` (fractions, as model files store them).
    static func history(epochs: Int, trainStart: Double = 0.5, testStart: Double = 0.4) -> [String: [Double]] {
        let e = (1...epochs).map(Double.init)
        return ["epoch": e, "train_loss": e.map { 2 / $0 }, "test_loss": e.map { 1.5 / $0 },
                "train_error": e.map { trainStart / $0 }, "test_error": e.map { testStart / $0 },
                "val_loss": e.map { _ in .nan }, "val_error": e.map { _ in .nan }]
    }

    /// `count` grey images of `side` x `side` with labels 0, 1, 2, ... cycling through `classes`.
    static func dataset(count: Int, side: Int, classes: Int = 10) throws -> Dataset {
        var generator = SeededGenerator(seed: 5)
        let images = (0..<count * side * side).map { _ in UInt8(generator.nextInt(below: 256)) }
        return try Dataset(name: "synthetic", images: images, labels: (0..<count).map { Int32($0 % classes) },
                           channels: 1, height: side, width: side, classNames: (0..<classes).map { "class \($0)" })
    }
}
