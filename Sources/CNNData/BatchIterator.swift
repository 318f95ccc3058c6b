// Batches for training and evaluation: a seeded shuffle per epoch, optional seeded augmentation,
// and bytes turned into a reused float tensor [B, C, H, W] with one multiply-add per pixel.
//
// Epoch e's order depends only on (seed, e), so any epoch can be re-created; augmentation draws come
// from one generator that runs on across epochs and whose state is part of `BatchIteratorState`.

import CNNEngine

/// Where a batch iterator stands, enough to resume a training run exactly.
public struct BatchIteratorState: Sendable, Equatable, Codable {
    /// The seed the iterator was made with (checked on restore).
    public var seed: UInt64
    /// The epoch, counted from 0.
    public var epoch: Int
    /// The batch `next` fills next, counted from 0 within the epoch.
    public var batchIndex: Int
    /// The augmentation generator's four state words.
    public var generatorState: [UInt64]
}

/// Fills reused input tensors and label arrays, batch by batch, epoch by epoch, in a seeded order.
public struct BatchIterator: Sendable {
    /// The images and labels batched.
    public let dataset: Dataset
    /// Images per batch (the last batch of an epoch may hold fewer).
    public let batchSize: Int
    /// The statistics the bytes are normalised with.
    public let normalization: Normalization
    /// The random transforms applied to each image.
    public let augmentation: Augmentation
    /// Whether each epoch visits the images in a seeded random order (else in stored order).
    public let shuffles: Bool
    /// Whether an epoch's last batch is dropped when it holds fewer than `batchSize` images.
    public let dropsLastPartialBatch: Bool
    /// The seed of the shuffles and of the augmentation draws.
    public let seed: UInt64

    /// The current epoch, counted from 0.
    public private(set) var epoch = 0
    /// The batch `next` fills next, counted from 0 within the epoch.
    public private(set) var batchIndex = 0
    private var generator: SeededGenerator
    private var order: [Int]
    private let scale: [Float]
    private let offset: [Float]

    /// Creates an iterator positioned at the start of epoch 0.
    /// - Parameters:
    ///   - shuffle: visit each epoch in a seeded random order; false for evaluation, in stored order.
    ///   - dropLastPartialBatch: skip an epoch's last batch when it is short; by default it is kept.
    /// - Throws: `ConfigurationError` when `batchSize` is not positive; `ShapeError` when the
    ///   normalisation's channels differ from the images'.
    public init(dataset: Dataset, batchSize: Int, normalization: Normalization = .unitRange,
                augmentation: Augmentation = .none, shuffle: Bool = true, seed: UInt64 = 0,
                dropLastPartialBatch: Bool = false) throws {
        guard batchSize > 0 else {
            throw ConfigurationError("BatchIterator: batch size must be positive, got \(batchSize)")
        }
        self.dataset = dataset
        self.batchSize = batchSize
        self.normalization = normalization
        self.augmentation = augmentation
        self.shuffles = shuffle
        self.dropsLastPartialBatch = dropLastPartialBatch
        self.seed = seed
        self.scale = try normalization.scale(channels: dataset.channels)
        self.offset = try normalization.offset(channels: dataset.channels)
        self.generator = SeededGenerator(seed: seed ^ 0xA5A5_5A5A_C3C3_3C3C)
        self.order = []
        self.order = order(forEpoch: 0)
    }

    /// The number of batches in one epoch.
    public var batchesPerEpoch: Int {
        dropsLastPartialBatch ? dataset.count / batchSize : (dataset.count + batchSize - 1) / batchSize
    }

    /// The order in which epoch `epoch` visits the images: a Fisher-Yates shuffle seeded by (seed, epoch).
    public func order(forEpoch epoch: Int) -> [Int] {
        var indices = Array(0..<dataset.count)
        guard shuffles else { return indices }
        var shuffler = SeededGenerator(seed: seed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(truncatingIfNeeded: epoch + 1))
        for i in stride(from: indices.count - 1, to: 0, by: -1) {
            indices.swapAt(i, shuffler.nextInt(below: i + 1))
        }
        return indices
    }

    /// Fills `inputs` ([B, C, H, W], resized in place) and `labels` with the next batch and returns true,
    /// or, at the end of an epoch, moves to the next epoch and returns false.
    ///
    /// Neither buffer is reallocated once it has held a full batch.
    public mutating func next(into inputs: Tensor, labels: inout [Int32]) -> Bool {
        guard batchIndex < batchesPerEpoch else {
            epoch += 1
            batchIndex = 0
            order = order(forEpoch: epoch)
            return false
        }
        let start = batchIndex * batchSize
        let indices = order[start ..< min(start + batchSize, dataset.count)]
        batchIndex += 1
        fill(inputs: inputs, labels: &labels, indices: indices)
        return true
    }

    /// The position and generator state, to save with a checkpoint.
    public var state: BatchIteratorState {
        BatchIteratorState(seed: seed, epoch: epoch, batchIndex: batchIndex, generatorState: generator.state)
    }

    /// Returns to a saved position, so that the batches that follow are the ones that followed when it was saved.
    /// - Throws: `ConfigurationError` when the state was saved with another seed or lies outside this data set's epochs.
    public mutating func restore(_ state: BatchIteratorState) throws {
        guard state.seed == seed else {
            throw ConfigurationError("BatchIterator: state saved with seed \(state.seed), this iterator has seed \(seed)")
        }
        guard state.epoch >= 0, state.batchIndex >= 0, state.batchIndex <= batchesPerEpoch else {
            throw ConfigurationError("BatchIterator: position epoch \(state.epoch), batch \(state.batchIndex) "
                                     + "is outside 0...\(batchesPerEpoch) batches per epoch")
        }
        guard state.generatorState.count == 4, state.generatorState.contains(where: { $0 != 0 }) else {
            throw ConfigurationError("BatchIterator: generator state must be 4 words, not all zero, got \(state.generatorState)")
        }
        if state.epoch != epoch { order = order(forEpoch: state.epoch) }
        epoch = state.epoch
        batchIndex = state.batchIndex
        generator = SeededGenerator(state: state.generatorState)
    }

    private mutating func fill(inputs: Tensor, labels: inout [Int32], indices: ArraySlice<Int>) {
        let augmentation = augmentation
        var generator = generator
        let transforms = { () -> ImageTransform in
            augmentation.isIdentity ? .identity : augmentation.randomTransform(using: &generator)
        }
        dataset.fill(inputs: inputs, labels: &labels, indices: indices, scale: scale, offset: offset, transform: transforms)
        self.generator = generator
    }
}

extension Dataset {
    /// The images at `indices` as a float tensor [B, C, H, W], normalised, and their labels.
    /// - Throws: `ShapeError` when the normalisation's channels differ from the images'.
    public func batch(_ indices: [Int], normalization: Normalization = .unitRange) throws -> (inputs: Tensor, labels: [Int32]) {
        let inputs = Tensor(shape: [indices.count] + imageShape)
        var labels: [Int32] = []
        fill(inputs: inputs, labels: &labels, indices: indices[...], scale: try normalization.scale(channels: channels),
             offset: try normalization.offset(channels: channels), transform: { .identity })
        return (inputs, labels)
    }

    /// Resizes `inputs` to [B, C, H, W] and writes the images at `indices` into it, each through `transform()`.
    func fill(inputs: Tensor, labels: inout [Int32], indices: ArraySlice<Int>, scale: [Float], offset: [Float],
              transform: () -> ImageTransform) {
        inputs.resize(to: [indices.count, channels, height, width])
        labels.removeAll(keepingCapacity: true)
        let size = imageByteCount
        images.withUnsafeBufferPointer { bytes in
            scale.withUnsafeBufferPointer { scale in
                offset.withUnsafeBufferPointer { offset in
                    for (k, i) in indices.enumerated() {
                        precondition(i >= 0 && i < count, "Dataset \"\(name)\": image \(i) outside 0..<\(count)")
                        transformImage(output: inputs.pointer + k * size, image: bytes.baseAddress! + i * size,
                                       C: channels, H: height, W: width, transform: transform(),
                                       scale: scale.baseAddress!, offset: offset.baseAddress!)
                        labels.append(self.labels[i])
                    }
                }
            }
        }
    }
}
