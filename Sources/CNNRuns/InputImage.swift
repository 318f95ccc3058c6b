// One input image prepared for a model as its training data was: a PNG or a test image, fitted to the model's
// input (centred on a black canvas when a little smaller) and normalised with the model's statistics.

import CNNData
import CNNEngine
import Foundation

/// One input image at the model's input size, as bytes, and where it came from.
public struct InputImage: Sendable, Equatable {
    /// Channels-first bytes, C x H x W.
    public var bytes: [UInt8]
    public var channels: Int
    public var height: Int
    public var width: Int
    /// Where it came from: "MNIST test image 0 (label 7)", "digit.png".
    public var source: String
    /// What was done to fit it to the model ("centred on a 32x32 black canvas"), or nil.
    public var adjustment: String?

    public init(bytes: [UInt8], channels: Int, height: Int, width: Int, source: String, adjustment: String? = nil) {
        precondition(bytes.count == channels * height * width, "InputImage: \(bytes.count) bytes for \(channels)x\(height)x\(width)")
        self.bytes = bytes; self.channels = channels; self.height = height; self.width = width
        self.source = source; self.adjustment = adjustment
    }

    /// The normalised tensor [1, C, H, W] the network takes, computed as the training batches are
    /// (byte * scale[c] + offset[c]), so the values are the same bits; byte / 255 when `normalization` is for other channels.
    public func tensor(_ normalization: Normalization) -> Tensor {
        let image = Self.dataset(bytes, channels: channels, height: height, width: width, source: source)
        let batch = (try? image.batch([0], normalization: normalization)) ?? (try? image.batch([0], normalization: .unitRange))
        return batch!.inputs
    }

    /// One image as a data set of one, for the data set's batching and padding.
    private static func dataset(_ bytes: [UInt8], channels: Int, height: Int, width: Int, source: String) -> Dataset {
        // Cannot throw: the byte count is checked by the caller, and label 0 is inside the one class.
        try! Dataset(name: source, images: bytes, labels: [0], channels: channels, height: height, width: width, classNames: ["?"])
    }

    /// The image moved right by `dx` and down by `dy` pixels, the uncovered border filled with 0 (black, as MNIST's background).
    public func shifted(dx: Int, dy: Int) -> InputImage {
        var out = [UInt8](repeating: 0, count: bytes.count)
        for c in 0..<channels {
            for y in 0..<height where y - dy >= 0 && y - dy < height {
                for x in 0..<width where x - dx >= 0 && x - dx < width {
                    out[(c * height + y) * width + x] = bytes[(c * height + y - dy) * width + x - dx]
                }
            }
        }
        return InputImage(bytes: out, channels: channels, height: height, width: width,
                          source: "\(source) shifted by (\(dx), \(dy))", adjustment: adjustment)
    }

    /// Pixel values in [0, 1] for drawing, channel planes one after another.
    public var unitValues: [Float] { bytes.map { Float($0) / 255 } }

    /// Fits `bytes` of `height` x `width` to the model's [C, H, W]: used as is, or centred on a black canvas where
    /// `Preprocessing.pads` says (as `cnnbench train` pads MNIST's 28x28 for a 32x32 LeNet-5).
    /// - Throws: `ShapeError` naming `source` and both sizes otherwise.
    static func fitted(bytes: [UInt8], channels: Int, height: Int, width: Int, to shape: [Int], source: String) throws -> InputImage {
        let (h, w) = (shape[1], shape[2])
        if height == h && width == w { return InputImage(bytes: bytes, channels: channels, height: h, width: w, source: source) }
        guard Preprocessing.pads([channels, height, width], to: [channels, h, w]) else {
            throw ShapeError("\(source) is \(width)x\(height) pixels; the model takes \(w)x\(h) images (no resizing: crop or scale it first)")
        }
        let image = dataset(bytes, channels: channels, height: height, width: width, source: source)
        return InputImage(bytes: try image.padded(toHeight: h, width: w).images, channels: channels, height: h, width: w, source: source,
                          adjustment: "\(width)x\(height) centred on a \(w)x\(h) black canvas, as in training")
    }

    /// Reads a PNG for `model`: grey or colour converted to the model's channels, fitted to its input size.
    /// - Throws: `ConfigurationError`, `ShapeError` or `DataError` naming the file.
    public static func png(_ path: String, for model: TrainedModel) throws -> InputImage {
        let image = try PNGImage(contentsOf: path)
        let channels = model.inputShape[0]
        guard channels == 1 || channels == 3 else {
            throw ConfigurationError("\(model.path): the model takes \(channels)-channel inputs; PNG inputs work for 1 or 3 channels")
        }
        // Errors name the file as given; titles name it without its folder.
        var input = try fitted(bytes: image.pixels(channels: channels), channels: channels, height: image.height,
                               width: image.width, to: model.inputShape, source: path)
        input.source = (path as NSString).lastPathComponent
        return input
    }

    /// Test image `index` of a data set, fitted to `model`'s input.
    /// - Throws: `ConfigurationError` for an index outside the data set; `ShapeError` for images of other channels or size.
    public static func testImage(_ index: Int, of dataset: Dataset, for model: TrainedModel) throws -> InputImage {
        guard index >= 0 && index < dataset.count else {
            throw ConfigurationError("--index \(index) is outside the \(dataset.count) images of \(dataset.name)")
        }
        guard dataset.channels == model.inputShape[0] else {
            throw ShapeError("\(dataset.name) has \(dataset.channels)-channel images; \(model.path) takes \(model.inputShape[0]) channels")
        }
        let label = dataset.classNames[Int(dataset.labels[index])]
        return try fitted(bytes: Array(dataset.image(at: index)), channels: dataset.channels, height: dataset.height,
                          width: dataset.width, to: model.inputShape, source: "\(dataset.name) image \(index) (\(label))")
    }
}
