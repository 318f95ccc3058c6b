// Between networks and model files: weights in and out, histories as records, Keras files as specs.
import CNNEngine
import CNNModels
import CNNStore
import Foundation

/// Histories of model files as epoch records.
public enum Checkpoint {
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
