// PyTorch's training trace of LeNet-5 (Tests/CNNModelsTests/Fixtures/lenet5_trace.h5, made by make_lenet5_trace.py).
import CNNEngine
import CNNStore
import Foundation

/// Ten SGD steps computed by PyTorch: the batches fed, the loss of each step, and the weights before and after.
public struct TrainingTrace: Sendable {
    /// The digits in the order they are fed, `steps * batchSize` images of 28x28 bytes.
    public var images: [UInt8]
    public var labels: [Int32]
    /// The mean loss of each step's batch, before its update.
    public var losses: [Double]
    /// PyTorch's initial weights by path (`C1/weight`, ..., `OUTPUT/bias`).
    public var initial: [String: Tensor]
    /// The weights after the last step, by path.
    public var after: [String: Tensor]
    public var steps: Int
    public var batchSize: Int
    public var learningRate: Double
    public var momentum: Double
    public var weightDecay: Double
    public var normalizationMean: Double
    public var normalizationStd: Double
    /// How far PyTorch's own float32 run lands from the float64 one, for losses and weights.
    public var torchFloat32Error: (loss: Double, weight: Double)

    /// Step `step`'s batch as the engine takes it, [batchSize, 1, 28, 28], and its labels.
    ///
    /// x = (byte / 255 - mean) / std, each operation rounded to float32, as the script computes it.
    public func batch(_ step: Int) -> (inputs: Tensor, labels: [Int32]) {
        let pixels = 28 * 28, range = (step * batchSize)..<((step + 1) * batchSize)
        let inputs = Tensor(shape: [batchSize, 1, 28, 28])
        let mean = Float(normalizationMean), std = Float(normalizationStd)
        for (i, byte) in images[(range.lowerBound * pixels)..<(range.upperBound * pixels)].enumerated() {
            inputs[flat: i] = (Float(byte) / 255 - mean) / std
        }
        return (inputs, Array(labels[range]))
    }
}

/// Reads the training trace at `url`.
public func loadTrainingTrace(from url: URL) throws -> TrainingTrace {
    let file = try HDF5File(opening: url)
    defer { try? file.close() }
    func weights(_ group: String) throws -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for layer in try file.group(group).childNames() {
            for parameter in try file.group("\(group)/\(layer)").childNames() {
                result["\(layer)/\(parameter)"] = try file.readTensor(at: "\(group)/\(layer)/\(parameter)")
            }
        }
        return result
    }
    return TrainingTrace(
        images: try file.read(UInt8.self, at: "images").values,
        labels: try file.read(Int64.self, at: "labels").values.map { Int32($0) },
        losses: try file.read(Double.self, at: "losses").values,
        initial: try weights("initial"), after: try weights("after"),
        steps: Int(try file.int64Attribute("steps")), batchSize: Int(try file.int64Attribute("batch_size")),
        learningRate: try file.doubleAttribute("learning_rate"), momentum: try file.doubleAttribute("momentum"),
        weightDecay: try file.doubleAttribute("weight_decay"),
        normalizationMean: try file.doubleAttribute("normalization_mean"),
        normalizationStd: try file.doubleAttribute("normalization_std"),
        torchFloat32Error: (try file.doubleAttribute("torch_f32_loss_max_abs_err"), try file.doubleAttribute("torch_f32_weight_max_abs_err")))
}
