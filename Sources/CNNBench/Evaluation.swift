import CNNData
import CNNEngine

/// Loss, error rates and confusion matrix of a model on a data set.
public struct EvaluationResult: Codable, Sendable, Equatable {
    public var count: Int
    public var loss: Double
    /// Top-1 error, a fraction.
    public var error: Double
    /// Top-5 error where the model has more than 10 classes.
    public var top5Error: Double?
    /// confusion[true][predicted] counts.
    public var confusion: [[Int]]
    /// Indices of misclassified images, in data set order, with their predictions.
    public var mistakes: [Mistake]

    public struct Mistake: Codable, Sendable, Equatable {
        public var index: Int
        public var label: Int
        public var predicted: Int
    }
}

/// Runs a network over a data set in evaluation mode.
public enum Evaluator {
    /// Evaluates `network` on `dataset` (in stored order, `batchSize` images a forward pass); keeps
    /// up to `keepMistakes` misclassified indices.
    public static func evaluate(_ network: Sequential, on dataset: Dataset, normalization: Normalization,
                                classes: Int, batchSize: Int = 256, keepMistakes: Int = 100) throws -> EvaluationResult {
        let wasTraining = network.isTraining
        network.setTraining(false)
        defer { network.setTraining(wasTraining) }
        var iterator = try BatchIterator(dataset: dataset, batchSize: batchSize, normalization: normalization, shuffle: false)
        let inputs = Tensor(shape: [0]), loss = try SoftmaxCrossEntropy()
        var labels: [Int32] = []
        var totalLoss = 0.0, wrong = 0, wrongTop5 = 0, seen = 0
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
        var mistakes: [EvaluationResult.Mistake] = []
        try checkClasses(classes, of: dataset)
        while iterator.next(into: inputs, labels: &labels) {
            let logits = try network.forward(inputs)
            guard logits.shape == [labels.count, classes] else {
                throw ConfigurationError("the network gives outputs of shape \(logits.shape.shapeDescription), not \(classes) scores per image")
            }
            totalLoss += Double(try loss.loss(logits: logits, targets: labels)) * Double(labels.count)
            for (row, label) in labels.enumerated() {
                let scores = logits.pointer + row * classes
                var best = 0
                for k in 1..<classes where scores[k] > scores[best] { best = k }
                confusion[Int(label)][best] += 1
                if best != Int(label) {
                    wrong += 1
                    if mistakes.count < keepMistakes { mistakes.append(.init(index: seen + row, label: Int(label), predicted: best)) }
                }
                if classes > 10 {
                    let target = scores[Int(label)]
                    var higher = 0
                    for k in 0..<classes where scores[k] > target { higher += 1 }
                    if higher >= 5 { wrongTop5 += 1 }
                }
            }
            seen += labels.count
        }
        let n = Double(max(seen, 1))
        return EvaluationResult(count: seen, loss: totalLoss / n, error: Double(wrong) / n,
                                top5Error: classes > 10 ? Double(wrongTop5) / n : nil, confusion: confusion, mistakes: mistakes)
    }
}
