// Atomic writes: the destination appears only complete, and a failed write leaves no trace.
import CNNStore
import Foundation
import Testing

private struct Interrupted: Error {}

@Test func atomicWriteCreatesTheFileAndLeavesNoTemporary() throws {
    let scratch = try ScratchDirectory()
    let url = scratch.file("model.h5")
    let epochs = try HDF5File.writeAtomically(to: url) { file in
        try file.write([Float]([1, 2, 3]), shape: [3], to: "model/C1/bias")
        try file.setAttribute("epochs", to: 12)
        return 12
    }
    #expect(epochs == 12)
    #expect(try scratch.contents() == ["model.h5"])
    let file = try HDF5File(opening: url)
    #expect(try file.read(Float.self, at: "model/C1/bias").values == [1, 2, 3])
    #expect(try file.int64Attribute("epochs") == 12)
}

@Test func atomicWriteReplacesAnExistingFileOnSuccess() throws {
    let scratch = try ScratchDirectory()
    let url = scratch.file("checkpoint.h5")
    try HDF5File.writeAtomically(to: url) { try $0.setAttribute("epoch", to: 1) }
    try HDF5File.writeAtomically(to: url) { try $0.setAttribute("epoch", to: 2) }
    #expect(try HDF5File(opening: url).int64Attribute("epoch") == 2)
    #expect(try scratch.contents() == ["checkpoint.h5"])
}

@Test func failedAtomicWriteKeepsTheOldFileAndRemovesTheTemporary() throws {
    let scratch = try ScratchDirectory()
    let url = scratch.file("checkpoint.h5")
    try HDF5File.writeAtomically(to: url) { try $0.setAttribute("epoch", to: 1) }
    let before = try Data(contentsOf: url)

    #expect(throws: Interrupted.self) {
        try HDF5File.writeAtomically(to: url) { file in
            try file.setAttribute("epoch", to: 2)
            try file.write([Float](repeating: 0, count: 10_000), shape: [100, 100], to: "half_written")
            throw Interrupted()
        }
    }
    #expect(try scratch.contents() == ["checkpoint.h5"])
    #expect(try Data(contentsOf: url) == before)
    #expect(try HDF5File(opening: url).int64Attribute("epoch") == 1)

    // A StoreError inside the closure propagates the same way, and no destination is made.
    let fresh = scratch.file("never.h5")
    let error = try #require(throws: StoreError.self) {
        try HDF5File.writeAtomically(to: fresh) { file in _ = try file.read(Float.self, at: "missing") }
    }
    #expect(error.problem == .notFound)
    #expect(try scratch.contents() == ["checkpoint.h5"])
}

@Test func atomicWriteIntoAMissingDirectoryFailsCleanly() throws {
    let scratch = try ScratchDirectory()
    let url = scratch.url.appendingPathComponent("missing/model.h5")
    let error = try #require(throws: StoreError.self) {
        try HDF5File.writeAtomically(to: url) { try $0.setAttribute("x", to: 1) }
    }
    #expect(error.description.contains("cannot create the file"))
    #expect(try scratch.contents() == [])
}

@Test func aTemporaryLeftByAKilledWriteIsRemovedByTheNextWrite() throws {
    let scratch = try ScratchDirectory()
    let url = scratch.file("model.h5")
    // A killed write leaves its hidden temporary; nobody holds its lock any more.
    let stale = scratch.file(".model.h5.\(UUID().uuidString).tmp")
    try Data("half a model".utf8).write(to: stale)
    // A live writer's temporary is locked and must survive.
    let live = scratch.file(".model.h5.\(UUID().uuidString).tmp")
    try Data("being written".utf8).write(to: live)
    let descriptor = open(live.path, O_RDONLY)
    defer { close(descriptor) }
    #expect(flock(descriptor, LOCK_EX) == 0)
    // Other files that merely look alike are not ours.
    let other = scratch.file(".model.h5.notes.tmp")
    try Data("mine".utf8).write(to: other)

    try HDF5File.writeAtomically(to: url) { try $0.setAttribute("epoch", to: 1) }
    #expect(try scratch.contents().sorted() == [".model.h5.notes.tmp", live.lastPathComponent, "model.h5"].sorted())
}

/// Written files open in any HDF5 reader: the superblock checksum of the in-memory image is right.
@Test func writtenFilesPassHDF5sOwnChecksums() throws {
    let scratch = try ScratchDirectory()
    let url = scratch.file("model.h5")
    try HDF5File.writeAtomically(to: url) { file in
        try file.setAttribute("epoch", to: 1)
        // Groups, a chunked and compressed dataset and a contiguous one: every kind of metadata.
        try file.write((0..<5000).map { Float($0) }, shape: [50, 100], to: "weights/C1/weight")
        try file.write([1.0, 2.0], shape: [2], to: "history/epoch")
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/h5dump")
    guard FileManager.default.isExecutableFile(atPath: process.executableURL!.path) else { return }
    process.arguments = [url.path]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "h5dump cannot open the written file")
    #expect(try HDF5File(opening: url).int64Attribute("epoch") == 1)
    #expect(try HDF5File(opening: url).read(Float.self, at: "weights/C1/weight").values.last == 4999)
}

@Test func resultsWritesGiveTheSystemsReason() throws {
    let scratch = try ScratchDirectory()
    let blocker = scratch.file("results")
    try Data("a file".utf8).write(to: blocker)
    let url = blocker.appendingPathComponent("results.json")
    let error = try #require(throws: StoreError.self) { try SuiteResults.atomicWrite(Data("{}".utf8), to: url) }
    #expect(error.description == url.path + ": cannot create the file: Not a directory")
    try SuiteResults.atomicWrite(Data("{}".utf8), to: scratch.file("results.json"))
    #expect(try scratch.contents().sorted() == ["results", "results.json"])
}
