// Dataset: labelled images kept compactly as bytes, channels-first [N, C, H, W].

import CNNEngine

/// Labelled images stored as bytes [N, C, H, W], with their class names and a name.
public struct Dataset: Sendable, Equatable {
    /// A name for reports: "MNIST train", "CIFAR-10 test".
    public var name: String
    /// The pixels, channels-first, N x C x H x W bytes.
    public private(set) var images: [UInt8]
    /// One label per image, each in `0..<classNames.count`.
    public private(set) var labels: [Int32]
    /// The name of each class, indexed by label.
    public let classNames: [String]
    /// Channels per image (1 grey, 3 colour).
    public let channels: Int
    /// Image height in pixels.
    public let height: Int
    /// Image width in pixels.
    public let width: Int

    /// Creates a data set from bytes [N, C, H, W] and labels.
    /// - Throws: `ShapeError` when the byte count is not N x C x H x W;
    ///   `ConfigurationError` when a label is outside `0..<classNames.count`.
    public init(name: String, images: [UInt8], labels: [Int32], channels: Int, height: Int, width: Int,
                classNames: [String]) throws {
        let expected = labels.count * channels * height * width
        guard images.count == expected else {
            throw ShapeError("Dataset \"\(name)\": \(labels.count) labels and images \([channels, height, width].shapeDescription) "
                             + "need \(expected) bytes, got \(images.count)")
        }
        if let bad = labels.firstIndex(where: { $0 < 0 || Int($0) >= classNames.count }) {
            throw ConfigurationError("Dataset \"\(name)\": label \(labels[bad]) of image \(bad) is outside 0..<\(classNames.count)")
        }
        self.name = name
        self.images = images
        self.labels = labels
        self.channels = channels
        self.height = height
        self.width = width
        self.classNames = classNames
    }

    /// The number of images.
    /// The data set's name without its split: "MNIST" for "MNIST train".
    public var collectionName: String {
        for suffix in [" train", " test"] where name.hasSuffix(suffix) { return String(name.dropLast(suffix.count)) }
        return name
    }

    public var count: Int { labels.count }

    /// The shape of one image, [C, H, W].
    public var imageShape: [Int] { [channels, height, width] }

    /// The bytes of one image, C x H x W.
    public var imageByteCount: Int { channels * height * width }

    /// The bytes of image `index`, channels-first.
    public func image(at index: Int) -> ArraySlice<UInt8> {
        precondition(index >= 0 && index < count, "Dataset \"\(name)\": image \(index) outside 0..<\(count)")
        return images[index * imageByteCount ..< (index + 1) * imageByteCount]
    }

    /// The number of images of each class, indexed by label.
    public var classCounts: [Int] {
        var counts = [Int](repeating: 0, count: classNames.count)
        for label in labels { counts[Int(label)] += 1 }
        return counts
    }

    /// The images at `indices`, in that order, as a new data set with the same classes.
    public func subset(_ indices: [Int], name: String? = nil) -> Dataset {
        let size = imageByteCount
        var bytes = [UInt8](repeating: 0, count: indices.count * size)
        bytes.withUnsafeMutableBufferPointer { target in
            images.withUnsafeBufferPointer { source in
                for (k, i) in indices.enumerated() {
                    precondition(i >= 0 && i < count, "Dataset \"\(self.name)\": image \(i) outside 0..<\(count)")
                    (target.baseAddress! + k * size).update(from: source.baseAddress! + i * size, count: size)
                }
            }
        }
        return Dataset(unchecked: name ?? self.name, images: bytes, labels: indices.map { labels[$0] },
                       channels: channels, height: height, width: width, classNames: classNames)
    }

    /// Holds out a seeded random `validationCount` images: the same seed always holds out the same images.
    ///
    /// Both parts keep the original order of their images; the validation part's name ends in "(validation)".
    /// - Throws: `ConfigurationError` when `validationCount` is negative or larger than the data set.
    public func split(validationCount: Int, seed: UInt64) throws -> (training: Dataset, validation: Dataset) {
        guard validationCount >= 0 && validationCount <= count else {
            throw ConfigurationError("Dataset \"\(name)\": cannot hold out \(validationCount) of its \(count) images for validation")
        }
        var generator = SeededGenerator(seed: seed)
        var order = Array(0..<count)
        // A partial Fisher-Yates shuffle: the first `validationCount` places are a uniform random subset.
        for i in 0..<validationCount {
            order.swapAt(i, i + generator.nextInt(below: count - i))
        }
        let validation = order[..<validationCount].sorted()
        let training = order[validationCount...].sorted()
        return (subset(training), subset(validation, name: "\(name) (validation)"))
    }

    /// The images centred on a larger canvas of zeros, as LeNet-5 (1998) takes MNIST's 28x28 digits at 32x32.
    /// - Throws: `ShapeError` when the new size is smaller than the images.
    public func padded(toHeight newHeight: Int, width newWidth: Int) throws -> Dataset {
        guard newHeight >= height, newWidth >= width else {
            throw ShapeError("Dataset \"\(name)\": cannot pad \(imageShape.shapeDescription) images "
                             + "to \(newHeight)x\(newWidth), which is smaller")
        }
        let top = (newHeight - height) / 2, left = (newWidth - width) / 2
        var bytes = [UInt8](repeating: 0, count: count * channels * newHeight * newWidth)
        bytes.withUnsafeMutableBufferPointer { target in
            images.withUnsafeBufferPointer { source in
                for plane in 0..<count * channels {
                    for y in 0..<height {
                        let from = source.baseAddress! + (plane * height + y) * width
                        let to = target.baseAddress! + (plane * newHeight + top + y) * newWidth + left
                        to.update(from: from, count: width)
                    }
                }
            }
        }
        return Dataset(unchecked: name, images: bytes, labels: labels,
                       channels: channels, height: newHeight, width: newWidth, classNames: classNames)
    }

    /// The images shrunk by `factor`: each output pixel is the rounded mean of a factor x factor block
    /// (rows and columns that do not fill a block are dropped).
    /// - Throws: `ShapeError` when the images are smaller than one block.
    public func downsampled(by factor: Int) throws -> Dataset {
        guard factor >= 1 else { throw ShapeError("Dataset \"\(name)\": downsampling factor must be at least 1, got \(factor)") }
        guard factor > 1 else { return self }
        let newHeight = height / factor, newWidth = width / factor
        guard newHeight >= 1, newWidth >= 1 else {
            throw ShapeError("Dataset \"\(name)\": cannot shrink \(imageShape.shapeDescription) images by \(factor)")
        }
        let area = factor * factor
        var bytes = [UInt8](repeating: 0, count: count * channels * newHeight * newWidth)
        bytes.withUnsafeMutableBufferPointer { target in
            images.withUnsafeBufferPointer { source in
                for plane in 0..<count * channels {
                    let from = source.baseAddress! + plane * height * width
                    let to = target.baseAddress! + plane * newHeight * newWidth
                    for y in 0..<newHeight {
                        for x in 0..<newWidth {
                            var sum = 0
                            for dy in 0..<factor {
                                for dx in 0..<factor { sum += Int(from[(y * factor + dy) * width + x * factor + dx]) }
                            }
                            to[y * newWidth + x] = UInt8((sum + area / 2) / area)
                        }
                    }
                }
            }
        }
        return Dataset(unchecked: name, images: bytes, labels: labels,
                       channels: channels, height: newHeight, width: newWidth, classNames: classNames)
    }

    /// A data set from parts known to be consistent, without the checks of the public initializer.
    init(unchecked name: String, images: [UInt8], labels: [Int32], channels: Int, height: Int, width: Int,
         classNames: [String]) {
        self.name = name
        self.images = images
        self.labels = labels
        self.classNames = classNames
        self.channels = channels
        self.height = height
        self.width = width
    }
}

/// Throws unless a model of `classes` classes can be scored on `dataset`: every label below `classes`.
/// - Throws: `ConfigurationError` naming both class counts.
public func checkClasses(_ classes: Int, of dataset: Dataset) throws {
    guard classes >= 1, dataset.classNames.count <= classes else {
        throw ConfigurationError("the model has \(classes) classes, but \(dataset.name) has \(dataset.classNames.count) "
                                 + "(\(dataset.classNames.prefix(10).joined(separator: ", "))\(dataset.classNames.count > 10 ? ", ..." : "")): "
                                 + "evaluate it on a data set of its own classes")
    }
}
