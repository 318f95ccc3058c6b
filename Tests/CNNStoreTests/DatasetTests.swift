// Datasets: round trips of every element type and shape, conversions, storage, tensors, type and shape checks.
import CNNEngine
import CNNStore
import Foundation
import Testing

/// Writes `values` with `shape`, reopens the file, and reads them back as the same type.
private func roundTrip<Element: HDF5Element & Equatable>(
    _ values: [Element], shape: [Int], storage: HDF5Storage = .automatic
) throws -> HDF5Array<Element> {
    let scratch = try ScratchDirectory()
    let url = scratch.file("round_trip.h5")
    try HDF5File.writeAtomically(to: url) { file in
        try file.write(values, shape: shape, to: "group/values", storage: storage)
    }
    return try HDF5File(opening: url).read(Element.self, at: "group/values")
}

@Test(arguments: [[], [0], [5], [2, 3], [2, 3, 4, 5], [3, 0, 2]])
func everyElementTypeRoundTripsInEveryShape(shape: [Int]) throws {
    let count = shape.reduce(1, *)
    let floats = (0..<count).map { Float($0) * 0.25 - 3 }
    let floatArray = try roundTrip(floats, shape: shape)
    #expect(floatArray == HDF5Array(shape: shape, values: floats, storedType: .float32))

    let doubles = (0..<count).map { 1.0 / Double($0 + 3) }
    #expect(try roundTrip(doubles, shape: shape) == HDF5Array(shape: shape, values: doubles, storedType: .float64))

    let longs = (0..<count).map { Int64($0) * 1_000_000_007 - (1 << 40) }
    #expect(try roundTrip(longs, shape: shape) == HDF5Array(shape: shape, values: longs, storedType: .int64))

    let ints = (0..<count).map { Int32($0) * -7 + Int32.max / 2 }
    #expect(try roundTrip(ints, shape: shape) == HDF5Array(shape: shape, values: ints, storedType: .int32))

    let bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0 * 37) }
    #expect(try roundTrip(bytes, shape: shape) == HDF5Array(shape: shape, values: bytes, storedType: .uint8))
}

@Test func extremeValuesSurviveTheRoundTrip() throws {
    let floats: [Float] = [.greatestFiniteMagnitude, -.leastNonzeroMagnitude, .infinity, -0.0, 1e-38]
    #expect(try roundTrip(floats, shape: [5]).values == floats)
    let nan = try roundTrip([Float.nan], shape: [1]).values[0]
    #expect(nan.isNaN)
    #expect(try roundTrip([Int64.min, Int64.max], shape: [2]).values == [Int64.min, Int64.max])
    #expect(try roundTrip([UInt8.min, UInt8.max], shape: [2]).values == [0, 255])
}

@Test func largeDatasetsAreChunkedAndCompressedAndReadBackEqual() throws {
    let scratch = try ScratchDirectory()
    let url = scratch.file("compressed.h5")
    let shape = [64, 16, 32, 32]  // 1 Mi floats, 4 MiB
    let values = (0..<shape.reduce(1, *)).map { Float(($0 * 7919) % 1000) / 100 }
    let file = try HDF5File(creating: url)
    let large = try file.write(values, shape: shape, to: "activations/C1")
    let small = try file.write([Float](repeating: 2, count: 1024), shape: [1024], to: "small")
    let forced = try file.write([Double]([1, 2, 3]), shape: [3], to: "forced", storage: .compressed(level: 9))
    let plain = try file.write([Float](repeating: 0, count: 5000), shape: [50, 100], to: "plain", storage: .contiguous)

    // 256 KiB chunks: the batch dimension halved until 4 images of 16 x 32 x 32 floats remain.
    #expect(try large.storageLayout() == HDF5StorageLayout(chunkShape: [4, 16, 32, 32], filters: [.shuffle, .deflate(level: 4)]))
    #expect(try small.storageLayout() == HDF5StorageLayout(chunkShape: nil, filters: []))
    #expect(try forced.storageLayout() == HDF5StorageLayout(chunkShape: [3], filters: [.shuffle, .deflate(level: 9)]))
    #expect(try plain.storageLayout().filters.isEmpty)
    try file.close()

    let fileSize = try #require(try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int)
    #expect(fileSize < 2 * 1024 * 1024, "4 MiB of repetitive floats plus 20 KiB uncompressed should shrink to under 2 MiB, got \(fileSize)")
    let read = try HDF5File(opening: url).read(Float.self, at: "activations/C1", expectedShape: shape)
    #expect(read.values == values)
}

@Test func chunksKeepInnerDimensionsWhole() throws {
    let scratch = try ScratchDirectory()
    let file = try HDF5File(creating: scratch.file("chunks.h5"))
    let vector = try file.write([UInt8](repeating: 1, count: 1_000_000), shape: [1_000_000], to: "vector")
    #expect(try vector.storageLayout().chunkShape == [250_000])
    let wide = try file.write([Double](repeating: 1, count: 2 * 40_000), shape: [2, 40_000], to: "wide")
    #expect(try wide.storageLayout().chunkShape == [1, 20_000])
}

@Test func floatsConvertToFloatAndIntegersWidenToInt64() throws {
    let scratch = try ScratchDirectory()
    let file = try HDF5File(creating: scratch.file("convert.h5"))
    try file.write([Double]([0.1, -2.5, 1e300]), shape: [3], to: "doubles")
    try file.write([Float]([0.5, 0.1]), shape: [2], to: "floats")
    try file.write([Int32]([-3, 4]), shape: [2], to: "ints")
    try file.write([UInt8]([200, 7]), shape: [2], to: "bytes")

    let asFloat = try file.read(Float.self, at: "doubles")
    #expect(asFloat.values == [Float(0.1), -2.5, .infinity])
    #expect(asFloat.storedType == .float64)
    #expect(try file.read(Double.self, at: "floats").values == [0.5, Double(Float(0.1))])
    #expect(try file.read(Int64.self, at: "ints").values == [-3, 4])
    #expect(try file.read(Int64.self, at: "bytes").values == [200, 7])
    #expect(try file.read(Int32.self, at: "bytes").values == [200, 7])
    #expect(try file.dataset("ints").elementType == .int32)
    #expect(try file.dataset("doubles").shape == [3])
}

@Test func narrowingAndCrossKindReadsAreRefused() throws {
    let scratch = try ScratchDirectory()
    let url = scratch.file("dtype.h5")
    let file = try HDF5File(creating: url)
    try file.write([Int64]([1, 2]), shape: [2], to: "labels")
    try file.write([Float]([1, 2]), shape: [2], to: "weights")

    let floatFromInt = try #require(throws: StoreError.self) { try file.read(Float.self, at: "labels") }
    #expect(floatFromInt.problem == .wrongType)
    #expect(floatFromInt.objectPath == "/labels")
    #expect(floatFromInt.description == "\(url.path): dataset \"/labels\" holds int64 values, which cannot be read as Float")
    let narrowing = try #require(throws: StoreError.self) { try file.read(Int32.self, at: "labels") }
    #expect(narrowing.problem == .wrongType)
    let intFromFloat = try #require(throws: StoreError.self) { try file.read(Int64.self, at: "weights") }
    #expect(intFromFloat.description.contains("holds float32 values, which cannot be read as Int64"))
    let tensorFromInt = try #require(throws: StoreError.self) { try file.readTensor(at: "labels") }
    #expect(tensorFromInt.problem == .wrongType)
}

@Test func expectedShapeIsChecked() throws {
    let scratch = try ScratchDirectory()
    let url = scratch.file("weights.h5")
    let file = try HDF5File(creating: url)
    try file.write([Float](repeating: 0, count: 54), shape: [6, 1, 3, 3], to: "model/C1/weight")
    #expect(try file.read(Float.self, at: "model/C1/weight", expectedShape: [6, 1, 3, 3]).values.count == 54)
    let error = try #require(throws: StoreError.self) {
        try file.read(Float.self, at: "model/C1/weight", expectedShape: [6, 1, 5, 5])
    }
    #expect(error.problem == .wrongShape)
    #expect(error.description == "\(url.path): dataset \"/model/C1/weight\" has shape [6, 1, 3, 3], expected [6, 1, 5, 5]")
}

@Test func writingReplacesADatasetButNotAGroup() throws {
    let scratch = try ScratchDirectory()
    let file = try HDF5File(creating: scratch.file("replace.h5"))
    try file.write([Float]([1, 2, 3]), shape: [3], to: "x")
    try file.write([Int64]([9, 8]), shape: [1, 2], to: "x")
    let replaced = try file.read(Int64.self, at: "x")
    #expect(replaced.values == [9, 8])
    #expect(replaced.shape == [1, 2])
    try file.createGroup("g")
    let error = try #require(throws: StoreError.self) { try file.write([Float]([1]), shape: [1], to: "g") }
    #expect(error.problem == .wrongKind)
    #expect(try file.kind(at: "g") == .group)
}

@Test func valuesThatDoNotFillTheShapeAreRefused() throws {
    let scratch = try ScratchDirectory()
    let file = try HDF5File(creating: scratch.file("mismatch.h5"))
    let error = try #require(throws: StoreError.self) { try file.write([Float]([1, 2, 3]), shape: [2, 2], to: "x") }
    #expect(error.problem == .invalidArgument)
    #expect(error.description.contains("shape [2, 2] holds 4 values, got 3"))
    #expect(try !file.contains("x"))
}

@Test func tensorsRoundTripAsFloat32() throws {
    let scratch = try ScratchDirectory()
    let url = scratch.file("tensor.h5")
    let tensor = try Tensor(shape: [2, 3, 4, 5], values: (0..<120).map { Float($0) / 8 - 4 })
    let file = try HDF5File(creating: url)
    let dataset = try file.createGroup("model/C1").write(tensor, to: "weight")
    #expect(dataset.objectPath == "/model/C1/weight")
    try file.write(Tensor(shape: [], repeating: 2.5), to: "scalar")
    try file.write([Double]([1.25, -2]), shape: [2], to: "doubles")
    try file.close()

    let reopened = try HDF5File(opening: url)
    #expect(try reopened.dataset("model/C1/weight").elementType == .float32)
    let read = try reopened.readTensor(at: "/model/C1/weight", expectedShape: [2, 3, 4, 5])
    #expect(read.shape == [2, 3, 4, 5])
    #expect(read.values == tensor.values)
    let scalar = try reopened.readTensor(at: "scalar")
    #expect(scalar.shape == [])
    #expect(scalar.values == [2.5])
    #expect(try reopened.readTensor(at: "doubles").values == [1.25, -2])
}
