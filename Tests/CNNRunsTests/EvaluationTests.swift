// The one evaluation: a tiny network whose scores are its input pixels, over images whose predictions are known,
// against a confusion matrix, loss and mistakes computed here by hand.
import CNNData
import CNNEngine
import CNNModels
import CNNRuns
import Foundation
import Testing

@Suite("Evaluation")
struct EvaluationTests {
    /// Logistic regression on 3 pixels of 3 classes with identity weights: class k's score is pixel k / 255.
    func identityNetwork() throws -> Sequential {
        let network = try ModelZoo.spec("logreg", classes: 3, input: [3, 1, 1]).build()
        for (path, parameter) in network.namedParameters {
            let value = parameter.value
            for i in 0..<value.count { value.pointer[i] = 0 }
            if path.hasSuffix("weight") { for k in 0..<3 { value.pointer[k * 3 + k] = 1 } }
        }
        return network
    }

    /// (pixels, label): the prediction is the brightest pixel, the first on ties.
    let images: [([UInt8], Int32)] = [
        ([255, 0, 0], 0), ([0, 255, 0], 1), ([0, 0, 255], 2), ([255, 0, 0], 1),
        ([0, 0, 255], 1), ([0, 255, 0], 2), ([100, 100, 0], 0), ([0, 51, 204], 2),
    ]

    @Test("the confusion matrix, error, mistakes, per-class accuracy and loss are the hand-computed ones")
    func handComputed() throws {
        let data = try Dataset(name: "eight", images: images.flatMap(\.0), labels: images.map(\.1), channels: 3, height: 1, width: 1,
                               classNames: ["red", "green", "blue"])
        let evaluation = try Evaluation(network: try identityNetwork(), dataset: data, normalization: .unitRange, classes: 3, batchSize: 3)
        #expect(evaluation.count == 8)
        #expect(evaluation.confusion == [[2, 0, 0], [1, 1, 1], [0, 1, 2]])
        #expect(evaluation.mistakes == [.init(index: 3, label: 1, predicted: 0), .init(index: 4, label: 1, predicted: 2),
                                        .init(index: 5, label: 2, predicted: 1)])
        #expect(evaluation.error == 0.375)
        #expect(evaluation.mistakeCount == 3 && evaluation.top5Error == nil)
        let perClass: [Double?] = [1, 1.0 / 3, 2.0 / 3]
        #expect(evaluation.perClassAccuracy == perClass)
        #expect(evaluation.classNames == ["red", "green", "blue"])
        // Softmax cross-entropy of scores pixel / 255, averaged.
        var loss = 0.0
        for (pixels, label) in images {
            let scores: [Double] = pixels.map { Double($0) / 255 }
            let logSum: Double = log(scores.map { exp($0) }.reduce(0, +))
            loss += (logSum - scores[Int(label)]) / 8
        }
        #expect(abs(evaluation.loss - loss) < 1e-6)

        // Keeping fewer mistakes changes no number; `cnnbench eval --json` writes the numbers, not the class names.
        let fewer = try Evaluation(network: try identityNetwork(), dataset: data, normalization: .unitRange, classes: 3, keepMistakes: 2)
        #expect(fewer.mistakes.count == 2 && fewer.mistakeCount == 3 && fewer.error == evaluation.error && fewer.confusion == evaluation.confusion)
        let json = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(fewer)) as? [String: Any]
        #expect(json.map { Set($0.keys) } == ["count", "loss", "error", "confusion", "mistakes"])
    }

    @Test func argmaxTakesTheFirstLargest() {
        #expect(argmax([0.5, 2, 2, -1] as [Float]) == 1)
        #expect(argmax([3] as [Float]) == 0)
        let values: [Float] = [1, 4, 4, 0]
        #expect(values.withUnsafeBufferPointer { argmax($0.baseAddress!, count: 4) } == 1)
        let logits = Tensor(shape: [2, 3])
        for (i, v) in [0, 1, 0, 5, 5, 1].enumerated() { logits.pointer[i] = Float(v) }
        #expect(countWrong(logits: logits, labels: [1, 1]) == 1)
    }

    @Test("labels beyond the model's classes are a sentence, not a trap")
    func otherClasses() throws {
        let data = try Dataset(name: "four", images: [UInt8](repeating: 1, count: 12), labels: [0, 1, 2, 3], channels: 3, height: 1,
                               width: 1, classNames: ["a", "b", "c", "d"])
        let error = try #require(throws: ConfigurationError.self) {
            try Evaluation(network: try identityNetwork(), dataset: data, normalization: .unitRange, classes: 3)
        }
        #expect(error.description.contains("the model has 3 classes, but four has 4"))
    }
}
