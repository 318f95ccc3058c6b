// Bad files and missing objects: each gives a StoreError whose message names the file and the problem.
import CNNStore
import Foundation
import Testing

@Test func missingFileSaysSo() throws {
    let scratch = try ScratchDirectory()
    let url = scratch.file("no_such_model.h5")
    let error = try #require(throws: StoreError.self) { try HDF5File(opening: url) }
    #expect(error.problem == .fileNotFound)
    #expect(error.description == "\(url.path): the file does not exist")
}

@Test func textFileIsNotHDF5() throws {
    let scratch = try ScratchDirectory()
    let url = scratch.file("notes.h5")
    try "epoch,loss\n1,2.30\n".write(to: url, atomically: false, encoding: .utf8)
    let error = try #require(throws: StoreError.self) { try HDF5File(opening: url) }
    #expect(error.problem == .notHDF5)
    #expect(error.description == "\(url.path): not an HDF5 file (no HDF5 signature found)")

    let empty = scratch.file("empty.h5")
    #expect(FileManager.default.createFile(atPath: empty.path, contents: Data()))
    let emptyError = try #require(throws: StoreError.self) { try HDF5File(opening: empty) }
    #expect(emptyError.problem == .notHDF5)
    #expect(emptyError.description.hasPrefix(empty.path))

    let directoryError = try #require(throws: StoreError.self) { try HDF5File(opening: scratch.url) }
    #expect(directoryError.problem == .notHDF5)
    #expect(directoryError.description.contains("is a directory"))
}

@Test(arguments: [0.5, 0.1, 0.99])
func truncatedFileIsReportedAsTruncatedOrCorrupt(keptFraction: Double) throws {
    let scratch = try ScratchDirectory()
    let url = scratch.file("truncated.h5")
    let original = try Data(contentsOf: layerReferenceURL)
    try original.prefix(Int(Double(original.count) * keptFraction)).write(to: url)
    let error = try #require(throws: StoreError.self) { try HDF5File(opening: url) }
    #expect(error.problem == .corrupt)
    #expect(error.description.hasPrefix("\(url.path): the HDF5 file is truncated or corrupt (HDF5: "))
    #expect(error.description.contains("truncated file"), "HDF5's own detail is kept: \(error.description)")
}

@Test func overwrittenBytesNeverCrashAndEndInAStoreError() throws {
    let scratch = try ScratchDirectory()
    let original = try Data(contentsOf: layerReferenceURL)
    var outcomes: [StoreError.Problem] = []
    // Scribble over the superblock, the root group's header, and some object headers further in.
    for (index, start) in [0, 48, 96, 800, 4000, 20_000].enumerated() {
        var damaged = original
        for offset in start..<min(start + 64, damaged.count) { damaged[offset] = UInt8(truncatingIfNeeded: offset &* 31 &+ 7) }
        let url = scratch.file("damaged_\(index).h5")
        try damaged.write(to: url)
        do {
            let file = try HDF5File(opening: url)
            // Opening may succeed; then walking the whole file must either work or throw.
            try walk(file)
        } catch let error as StoreError {
            #expect(error.description.hasPrefix(url.path))
            outcomes.append(error.problem)
        }
    }
    #expect(outcomes.first == .notHDF5, "the signature was overwritten")
    #expect(outcomes.count >= 4, "at least the damage to the superblock and root headers is detected: \(outcomes)")
}

/// Reads every group, dataset and attribute below `location`.
private func walk(_ location: any HDF5Location) throws {
    for name in try location.attributeNames() {
        _ = try? location.stringArrayAttribute(name)
        _ = try? location.doubleArrayAttribute(name)
    }
    for name in try location.childNames() {
        switch try location.kind(at: name) {
        case .group: try walk(location.group(name))
        case .dataset:
            let dataset = try location.dataset(name)
            switch try dataset.elementType {
            case .float16, .float32, .float64: _ = try dataset.read(Double.self)
            default: _ = try dataset.read(Int64.self)
            }
        default: break
        }
    }
}

@Test func missingObjectsAreNamedWithTheirPaths() throws {
    let scratch = try ScratchDirectory()
    let url = scratch.file("model.h5")
    let file = try HDF5File(creating: url)
    try file.write([Float]([1]), shape: [1], to: "model/C1/weight")

    let dataset = try #require(throws: StoreError.self) { try file.read(Float.self, at: "model/C1/bias") }
    #expect(dataset.problem == .notFound)
    #expect(dataset.objectPath == "/model/C1/bias")
    #expect(dataset.description == "\(url.path): no dataset at \"/model/C1/bias\"")
    let group = try #require(throws: StoreError.self) { try file.group("model/C3") }
    #expect(group.description == "\(url.path): no group at \"/model/C3\"")
    let groupAsDataset = try #require(throws: StoreError.self) { try file.dataset("model/C1") }
    #expect(groupAsDataset.problem == .wrongKind)
    #expect(groupAsDataset.description == "\(url.path): \"/model/C1\" is a group, not a dataset")
    let datasetAsGroup = try #require(throws: StoreError.self) { try file.group("model/C1/weight").childNames() }
    #expect(datasetAsGroup.description.contains("\"/model/C1/weight\" is a dataset, not a group"))

    // A handle whose object was removed reports the object as gone, not a C failure.
    let weight = try file.dataset("model/C1/weight")
    try file.remove("model/C1/weight")
    let gone = try #require(throws: StoreError.self) { try weight.shape }
    #expect(gone.problem == .notFound)
    let goneAttribute = try #require(throws: StoreError.self) { try weight.setAttribute("unit", to: "none") }
    #expect(goneAttribute.description == "\(url.path): no group or dataset at \"/model/C1/weight\"")
}

@Test func creatingInAMissingDirectoryFails() throws {
    let scratch = try ScratchDirectory()
    let url = scratch.url.appendingPathComponent("missing/dir/model.h5")
    let error = try #require(throws: StoreError.self) { try HDF5File(creating: url) }
    #expect(error.problem == .operationFailed)
    #expect(error.description.hasPrefix("\(url.path): cannot create the file (HDF5: "))
}
