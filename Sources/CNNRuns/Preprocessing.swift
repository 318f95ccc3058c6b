// How a model's images are made from a data set's bytes, as its training made them: shrunk by the recipe's
// factor, centred on the model's input when a little smaller (MNIST's 28x28 on a 32x32 LeNet-5), normalised.

import CNNData
import CNNEngine

/// How a model's images are prepared from a data set's bytes.
public struct Preprocessing: Sendable, Equatable {
    /// The factor images are shrunk by (each pixel the rounded mean of a block), or nil for full size.
    public var downsample: Int?
    /// How bytes become the network's inputs: (byte / 255 - mean[c]) / std[c].
    public var normalization: Normalization

    public init(downsample: Int? = nil, normalization: Normalization) {
        self.downsample = downsample.flatMap { $0 > 1 ? $0 : nil }
        self.normalization = normalization
    }

    /// Whether images of `imageShape` [C, H, W] are centred on a black canvas of a model's `inputShape`: the same
    /// channels, and at most 8 pixels smaller each way (LeCun et al. 1998 put MNIST's 28x28 digits on 32x32).
    public static func pads(_ imageShape: [Int], to inputShape: [Int]) -> Bool {
        guard imageShape.count == 3, inputShape.count == 3, imageShape[0] == inputShape[0] else { return false }
        let rows = inputShape[1] - imageShape[1], columns = inputShape[2] - imageShape[2]
        return (0...8).contains(rows) && (0...8).contains(columns) && rows + columns > 0
    }

    /// `dataset` padded to `inputShape` where `pads` says so, else unchanged.
    public static func padded(_ dataset: Dataset, to inputShape: [Int]) throws -> Dataset {
        guard pads(dataset.imageShape, to: inputShape) else { return dataset }
        return try dataset.padded(toHeight: inputShape[1], width: inputShape[2])
    }

    /// The images of `dataset` as a model of `inputShape` takes them: shrunk by `downsample` (the shrunk size is
    /// then the model's input: a model is built for the data it trains on), else padded.
    /// The result may still differ from `inputShape`; callers say how.
    public static func fitted(_ dataset: Dataset, downsample: Int?, to inputShape: [Int]) throws -> Dataset {
        if let downsample, downsample > 1 { return try dataset.downsampled(by: downsample) }
        return try padded(dataset, to: inputShape)
    }

    /// The images of `dataset` as a model of `inputShape` takes them, shrunk by this preprocessing's factor or padded.
    public func fitted(_ dataset: Dataset, to inputShape: [Int]) throws -> Dataset {
        try Self.fitted(dataset, downsample: downsample, to: inputShape)
    }

    /// Images `range` of `data` as the normalised batch [n, C, H, W] a network takes, computed as the training
    /// batches are (byte * scale[c] + offset[c]), so the values are the same bits.
    /// - Throws: `ShapeError` when the normalisation is for other channels than the images'.
    public func batch(_ data: Dataset, range: Range<Int>) throws -> Tensor {
        try data.batch(Array(range), normalization: normalization).inputs
    }
}
