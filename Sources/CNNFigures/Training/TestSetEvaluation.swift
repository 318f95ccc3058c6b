// E1's numbers: a trained network run over a test set (evaluation mode, stored order): the confusion
// matrix, the error and the misclassified images. Forward passes only; nothing is trained.

import CNNData
import CNNEngine
import CNNStore
import Foundation

/// A network's predictions on a test set, tallied.
public struct TestSetEvaluation: Sendable, Equatable {
    /// One misclassified image.
    public struct Mistake: Sendable, Equatable {
        /// Its index in the test set.
        public var index: Int
        public var label: Int
        public var predicted: Int
    }

    /// Images evaluated.
    public var count: Int
    /// `confusion[true][predicted]` counts; they sum to `count`.
    public var confusion: [[Int]]
    /// Every misclassified image, in test-set order.
    public var mistakes: [Mistake]
    /// The class names, indexed by label.
    public var classNames: [String]

    /// Top-1 error, a fraction.
    public var error: Double { count == 0 ? 0 : Double(mistakes.count) / Double(count) }

    /// Runs `network` over `dataset` in evaluation mode, `batchSize` images a forward pass.
    /// - Throws: the engine's shape errors when the images do not fit the network.
    public init(network: Sequential, dataset: Dataset, normalization: Normalization, classes: Int, batchSize: Int = 250) throws {
        network.setTraining(false)
        var iterator = try BatchIterator(dataset: dataset, batchSize: batchSize, normalization: normalization, shuffle: false)
        let inputs = Tensor(shape: [0])
        var labels: [Int32] = []
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
        var mistakes: [Mistake] = []
        try checkClasses(classes, of: dataset)
        var seen = 0
        while iterator.next(into: inputs, labels: &labels) {
            let logits = try network.forward(inputs)
            guard logits.shape == [labels.count, classes] else {
                throw ConfigurationError("the network gives outputs of shape \(logits.shape.shapeDescription), not \(classes) scores per image")
            }
            for (row, label) in labels.enumerated() {
                let scores = logits.pointer + row * classes
                var best = 0
                for k in 1..<classes where scores[k] > scores[best] { best = k }
                confusion[Int(label)][best] += 1
                if best != Int(label) { mistakes.append(Mistake(index: seen + row, label: Int(label), predicted: best)) }
            }
            seen += labels.count
        }
        count = seen
        self.confusion = confusion
        self.mistakes = mistakes
        classNames = dataset.classNames.count == classes ? dataset.classNames : (0..<classes).map(String.init)
    }
}

/// A model file evaluated on the test set of the data it was trained on (or another one).
public struct EvaluatedModel {
    /// The model's name.
    public var model: String
    /// The data set evaluated on.
    public var dataset: NamedDataset
    /// The test images (padded to the model's input).
    public var testSet: Dataset
    public var evaluation: TestSetEvaluation

    /// Loads `path`, its test set (`dataset` overrides the one it was trained on) and evaluates it.
    /// - Throws: errors naming the file when it cannot be read or its data set cannot be found.
    public init(file path: String, dataset: NamedDataset? = nil) throws {
        let (spec, network, contents) = try ModelFile.loadModel(from: URL(fileURLWithPath: path))
        guard let chosen = dataset ?? NamedDataset.trainedOn(contents) else {
            throw ConfigurationError("\(path): the file does not say which data set it was trained on; give --dataset")
        }
        let normalization = contents.dataset.map {
            Normalization(mean: $0.normalizationMean.map(Float.init), standardDeviation: $0.normalizationStd.map(Float.init))
        } ?? .unitRange
        model = spec.name
        self.dataset = chosen
        testSet = try chosen.testSet(for: spec.inputShape, file: path, downsample: NamedDataset.downsampleFactor(contents))
        evaluation = try TestSetEvaluation(network: network, dataset: testSet, normalization: normalization, classes: spec.classes)
    }
}
