import CNNData
import CNNEngine
import Foundation
import Testing

/// `n` one-pixel-per-channel images whose bytes are their index: image i is [i, i, ...], label i % 10.
private func indexedDataset(_ n: Int, channels: Int = 1, height: Int = 1, width: Int = 1) throws -> Dataset {
    let size = channels * height * width
    return try Dataset(name: "indexed", images: (0..<n).flatMap { [UInt8](repeating: UInt8($0), count: size) },
                       labels: (0..<n).map { Int32($0 % 10) }, channels: channels, height: height, width: width,
                       classNames: (0...9).map(String.init))
}

/// The image indices of every batch of one epoch, read back from unit-range inputs (byte = value x 255).
private func epochIndices(_ iterator: inout BatchIterator) -> [[Int]] {
    let inputs = Tensor(shape: [0])
    var labels: [Int32] = []
    var batches: [[Int]] = []
    while iterator.next(into: inputs, labels: &labels) {
        let size = inputs.count / inputs.shape[0]
        batches.append((0..<inputs.shape[0]).map { Int((inputs[flat: $0 * size] * 255).rounded()) })
    }
    return batches
}

@Suite("Batch iterator")
struct BatchIteratorTests {
    @Test("batches of 4 from 10 images: 4, 4, then a kept partial batch of 2; labels follow the images")
    func partialBatch() throws {
        var iterator = try BatchIterator(dataset: indexedDataset(10), batchSize: 4, shuffle: false)
        #expect(iterator.batchesPerEpoch == 3)
        let inputs = Tensor(shape: [0])
        var labels: [Int32] = []
        var shapes: [[Int]] = [], allLabels: [[Int32]] = []
        while iterator.next(into: inputs, labels: &labels) {
            shapes.append(inputs.shape)
            allLabels.append(labels)
        }
        #expect(shapes == [[4, 1, 1, 1], [4, 1, 1, 1], [2, 1, 1, 1]])
        #expect(allLabels == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]])
        #expect(inputs.values.map { ($0 * 255).rounded() } == [8, 9])
        #expect(iterator.epoch == 1 && iterator.batchIndex == 0)

        var dropping = try BatchIterator(dataset: indexedDataset(10), batchSize: 4, shuffle: false, dropLastPartialBatch: true)
        #expect(epochIndices(&dropping) == [[0, 1, 2, 3], [4, 5, 6, 7]])
    }

    @Test("a seeded shuffle: each index once per epoch, same seed and epoch same order, others differ")
    func shuffling() throws {
        let data = try indexedDataset(50)
        var a = try BatchIterator(dataset: data, batchSize: 8, seed: 3)
        var b = try BatchIterator(dataset: data, batchSize: 8, seed: 3)
        var c = try BatchIterator(dataset: data, batchSize: 8, seed: 4)
        let a0 = epochIndices(&a), a1 = epochIndices(&a)
        #expect(a0.flatMap { $0 }.sorted() == Array(0..<50))
        #expect(a1.flatMap { $0 }.sorted() == Array(0..<50))
        #expect(a0 != a1)
        #expect(a0.map(\.count) == [8, 8, 8, 8, 8, 8, 2])
        #expect(epochIndices(&b) == a0)
        #expect(epochIndices(&c) != a0)
        #expect(a0.flatMap { $0 } == a.order(forEpoch: 0))
        #expect(a0.flatMap { $0 } != Array(0..<50))
    }

    @Test("buffers are reused: no new tensor storage or label array once a full batch has been filled")
    func reuse() throws {
        var iterator = try BatchIterator(dataset: indexedDataset(10, channels: 3, height: 4, width: 4), batchSize: 4,
                                         augmentation: .cifar10, seed: 1)
        let inputs = Tensor(shape: [0])
        var labels: [Int32] = []
        #expect(iterator.next(into: inputs, labels: &labels))
        let storage = inputs.pointer, labelStorage = labels.withUnsafeBufferPointer { $0.baseAddress }
        for _ in 0..<10 {
            _ = iterator.next(into: inputs, labels: &labels)
            #expect(inputs.pointer == storage)
            #expect(labels.withUnsafeBufferPointer { $0.baseAddress } == labelStorage)
        }
    }

    @Test("augmented batches: every image is a crop-and-flip of its source, the same for the same seed")
    func augmentedBatches() throws {
        let (c, h, w) = (2, 3, 4)
        let images = (0..<6 * c * h * w).map { UInt8(1 + $0 % 200) }
        let data = try Dataset(name: "six", images: images, labels: [0, 1, 2, 3, 4, 5], channels: c, height: h, width: w,
                               classNames: (0...5).map(String.init))
        let augmentation = Augmentation(cropPadding: 1, horizontalFlip: true)
        var first = try BatchIterator(dataset: data, batchSize: 6, augmentation: augmentation, seed: 9)
        var second = try BatchIterator(dataset: data, batchSize: 6, augmentation: augmentation, seed: 9)
        let x1 = Tensor(shape: [0]), x2 = Tensor(shape: [0])
        var y1: [Int32] = [], y2: [Int32] = []
        var used = Set<[Int]>()
        for _ in 0..<5 {
            _ = first.next(into: x1, labels: &y1)
            _ = second.next(into: x2, labels: &y2)
            #expect(x1.values == x2.values && y1 == y2)
            for k in 0..<6 {
                let source = Array(data.image(at: Int(y1[k])))
                let got = Array(x1.values[k * c * h * w ..< (k + 1) * c * h * w])
                let matches = [-1, 0, 1].flatMap { dy in [-1, 0, 1].flatMap { dx in [false, true].map { (dy, dx, $0) } } }
                    .filter { dy, dx, flip in
                        ImageTransform(shiftY: dy, shiftX: dx, flipped: flip).apply(to: source, channels: c, height: h, width: w)
                            .map { Float($0) / 255 }.elementsEqual(got) { abs($0 - $1) < 1e-6 }
                    }
                #expect(matches.count == 1, "image \(k): \(matches.count) transforms match")
                if let m = matches.first { used.insert([m.0, m.1, m.2 ? 1 : 0]) }
            }
            _ = first.next(into: x1, labels: &y1)   // the end of the epoch
            _ = second.next(into: x2, labels: &y2)
        }
        #expect(used.count > 10)   // 30 draws among 18 transforms
    }

    @Test("resuming mid-epoch, also through JSON, gives the same remaining batches")
    func resume() throws {
        let data = try indexedDataset(23, channels: 1, height: 3, width: 3)
        func make() throws -> BatchIterator {
            try BatchIterator(dataset: data, batchSize: 5, normalization: .mnist,
                              augmentation: Augmentation(cropPadding: 1, horizontalFlip: true), seed: 11)
        }
        func rest(_ iterator: inout BatchIterator, epochs: Int) -> [([Float], [Int32])] {
            let inputs = Tensor(shape: [0])
            var labels: [Int32] = []
            var out: [([Float], [Int32])] = []
            var remaining = epochs
            while remaining > 0 {
                if iterator.next(into: inputs, labels: &labels) { out.append((inputs.values, labels)) } else { remaining -= 1 }
            }
            return out
        }
        var original = try make()
        _ = rest(&original, epochs: 1)
        let x = Tensor(shape: [0])
        var y: [Int32] = []
        _ = original.next(into: x, labels: &y)
        _ = original.next(into: x, labels: &y)
        let saved = original.state
        #expect(saved.epoch == 1 && saved.batchIndex == 2)
        let expected = rest(&original, epochs: 2)
        #expect(expected.count == 3 + 5)

        var resumed = try make()
        let decoded = try JSONDecoder().decode(BatchIteratorState.self, from: JSONEncoder().encode(saved))
        try resumed.restore(decoded)
        let got = rest(&resumed, epochs: 2)
        #expect(got.count == expected.count)
        #expect(zip(got, expected).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 })

        var fresh = try make()
        let notResumed = rest(&fresh, epochs: 2)
        #expect(!zip(notResumed, expected).allSatisfy { $0.0 == $1.0 })
    }

    @Test("bad configurations and states are refused with a sentence")
    func errors() throws {
        let data = try indexedDataset(10)
        let zero = #expect(throws: ConfigurationError.self) { try BatchIterator(dataset: data, batchSize: 0) }
        #expect(zero?.description == "BatchIterator: batch size must be positive, got 0")
        var iterator = try BatchIterator(dataset: data, batchSize: 4, seed: 1)
        var state = iterator.state
        state.seed = 2
        let seed = #expect(throws: ConfigurationError.self) { try iterator.restore(state) }
        #expect(seed?.description == "BatchIterator: state saved with seed 2, this iterator has seed 1")
        state.seed = 1
        state.batchIndex = 4
        let position = #expect(throws: ConfigurationError.self) { try iterator.restore(state) }
        #expect(position?.description == "BatchIterator: position epoch 0, batch 4 is outside 0...3 batches per epoch")
    }
}
