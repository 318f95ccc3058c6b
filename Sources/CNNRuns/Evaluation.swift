// A network run over a data set in evaluation mode, in stored order: the loss, the error, the confusion matrix
// and the misclassified images. The one evaluation of the toolkit (training's epochs, `cnnbench eval`, figure E1),
// and its one argmax.

import CNNData
import CNNEngine

/// The index of the largest of `count` scores; the first one on ties.
public func argmax(_ scores: UnsafePointer<Float>, count: Int) -> Int {
    precondition(count > 0, "argmax: no scores")
    var best = 0
    for k in 1..<count where scores[k] > scores[best] { best = k }
    return best
}

/// The index of the largest value, counted from the collection's start; the first one on ties.
public func argmax<C: Collection<Float>>(_ values: C) -> Int {
    precondition(!values.isEmpty, "argmax: no values")
    var best = 0, bestValue = values.first!
    for (k, value) in values.enumerated() where value > bestValue { best = k; bestValue = value }
    return best
}

/// Loss, error, confusion matrix and mistakes of a network on a data set.
public struct Evaluation: Encodable, Sendable, Equatable {
    /// One misclassified image.
    public struct Mistake: Codable, Sendable, Equatable {
        /// Its index in the data set.
        public var index: Int
        public var label: Int
        public var predicted: Int

        public init(index: Int, label: Int, predicted: Int) { self.index = index; self.label = label; self.predicted = predicted }
    }

    /// Images evaluated.
    public var count: Int
    /// The mean softmax cross-entropy.
    public var loss: Double
    /// Top-1 error, a fraction.
    public var error: Double
    /// Top-5 error where the model has more than 10 classes.
    public var top5Error: Double?
    /// `confusion[true][predicted]` counts; they sum to `count`.
    public var confusion: [[Int]]
    /// The misclassified images in data-set order (the first `keepMistakes` of them).
    public var mistakes: [Mistake]
    /// The class names, indexed by label: the data set's, or the class numbers.
    public var classNames: [String]

    /// The share of each class's images classified correctly, confusion[c][c] / Σ confusion[c]; nil for a class with no images.
    public var perClassAccuracy: [Double?] {
        confusion.indices.map { c in
            let total = confusion[c].reduce(0, +)
            return total == 0 ? nil : Double(confusion[c][c]) / Double(total)
        }
    }

    /// Runs `network` over `dataset` in evaluation mode (restoring its mode after), `batchSize` images a forward pass.
    /// - Parameter keepMistakes: how many mistakes to keep, the first in data-set order (all by default).
    /// - Throws: `ConfigurationError` when the data set has labels beyond `classes` or the network gives another
    ///   number of scores; the engine's shape errors when the images do not fit the network.
    public init(network: Sequential, dataset: Dataset, normalization: Normalization, classes: Int, batchSize: Int = 256,
                keepMistakes: Int = .max) throws {
        try checkClasses(classes, of: dataset)
        let wasTraining = network.isTraining
        network.setTraining(false)
        defer { network.setTraining(wasTraining) }
        var iterator = try BatchIterator(dataset: dataset, batchSize: batchSize, normalization: normalization, shuffle: false)
        let inputs = Tensor(shape: [0]), loss = try SoftmaxCrossEntropy()
        var labels: [Int32] = []
        var totalLoss = 0.0, wrong = 0, wrongTop5 = 0, seen = 0
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
        var mistakes: [Mistake] = []
        while iterator.next(into: inputs, labels: &labels) {
            let logits = try network.forward(inputs)
            guard logits.shape == [labels.count, classes] else {
                throw ConfigurationError("the network gives outputs of shape \(logits.shape.shapeDescription), not \(classes) scores per image")
            }
            totalLoss += Double(try loss.loss(logits: logits, targets: labels)) * Double(labels.count)
            for (row, label) in labels.enumerated() {
                let scores = logits.pointer + row * classes
                let best = argmax(scores, count: classes)
                confusion[Int(label)][best] += 1
                if best != Int(label) {
                    wrong += 1
                    if mistakes.count < keepMistakes { mistakes.append(Mistake(index: seen + row, label: Int(label), predicted: best)) }
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
        count = seen
        self.loss = totalLoss / n
        error = Double(wrong) / n
        top5Error = classes > 10 ? Double(wrongTop5) / n : nil
        self.confusion = confusion
        self.mistakes = mistakes
        classNames = dataset.classNames.count == classes ? dataset.classNames : (0..<classes).map(String.init)
    }

    /// The number of misclassified images (all of them, kept or not).
    public var mistakeCount: Int { count - confusion.indices.reduce(0) { $0 + confusion[$1][$1] } }

    // `cnnbench eval --json` writes these; the class names are the data set's, not the evaluation's.
    private enum CodingKeys: String, CodingKey { case count, loss, error, top5Error, confusion, mistakes }
}

/// The number of rows of `logits` [N, K] whose largest score is not at their label (training's running error).
public func countWrong(logits: Tensor, labels: [Int32]) -> Int {
    let k = logits.shape[1]
    var wrong = 0
    for (row, label) in labels.enumerated() where argmax(logits.pointer + row * k, count: k) != Int(label) { wrong += 1 }
    return wrong
}
