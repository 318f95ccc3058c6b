// Files and groups: create, reopen, nested groups, listing in both orders, kinds, removal, closing.
import CNNStore
import Foundation
import Testing

@Test func createdFileReopensWithItsGroups() throws {
    let scratch = try ScratchDirectory()
    let url = scratch.file("groups.h5")
    let file = try HDF5File(creating: url)
    let c1 = try file.createGroup("model/C1")
    #expect(c1.objectPath == "/model/C1")
    try file.createGroup("/model/S2")
    try file.createGroup("history")
    #expect(try file.kind(at: "model") == .group)
    #expect(try file.kind(at: "model/C1") == .group)
    try file.close()
    #expect(!file.isOpen)

    let reopened = try HDF5File(opening: url)
    #expect(reopened.mode == .readOnly)
    #expect(try reopened.childNames() == ["history", "model"])
    let model = try reopened.group("model")
    #expect(try model.childNames() == ["C1", "S2"])
    #expect(try model.group("C1") != c1, "the same path in another open file is another group")
    #expect(try model.group("C1").objectPath == "/model/C1")
}

@Test func childNamesFollowCreationOrderWhenAsked() throws {
    let scratch = try ScratchDirectory()
    let file = try HDF5File(creating: scratch.file("order.h5"))
    let names = ["C1", "S2", "C3", "S4", "F5", "F6", "output"]
    for name in names { try file.createGroup("lenet/\(name)") }
    try file.write([Float](repeating: 1, count: 3), shape: [3], to: "lenet/a_dataset")
    let lenet = try file.group("lenet")
    #expect(try lenet.childNames(order: .creation) == names + ["a_dataset"])
    #expect(try lenet.childNames(order: .name) == ["C1", "C3", "F5", "F6", "S2", "S4", "a_dataset", "output"])
    #expect(try file.childNames(order: .creation) == ["lenet"])
}

@Test func createGroupIsIdempotentAndRefusesToGoThroughADataset() throws {
    let scratch = try ScratchDirectory()
    let file = try HDF5File(creating: scratch.file("idempotent.h5"))
    let first = try file.createGroup("a/b")
    let second = try file.createGroup("a/b")
    #expect(first == second)
    try file.write([Int64(1)], shape: [1], to: "a/data")
    let error = try #require(throws: StoreError.self) { try file.createGroup("a/data/c") }
    #expect(error.problem == .wrongKind)
    #expect(error.description.contains("\"/a/data\" is a dataset"))
}

@Test func kindsAndContainsDescribeEachPath() throws {
    let scratch = try ScratchDirectory()
    let file = try HDF5File(creating: scratch.file("kinds.h5"))
    let group = try file.createGroup("g")
    try group.write([Double]([1, 2]), shape: [2], to: "d")
    #expect(try file.kind(at: "/") == .group)
    #expect(try file.kind(at: "g") == .group)
    #expect(try file.kind(at: "g/d") == .dataset)
    #expect(try group.kind(at: "d") == .dataset)
    #expect(try file.kind(at: "g/missing") == nil)
    #expect(try file.kind(at: "g/d/below_a_dataset") == nil)
    #expect(try file.kind(at: "missing/deeper") == nil)
    #expect(try file.contains("g/d"))
    #expect(try !file.contains("g/e"))
    #expect(group.absolutePath("../x") == "/g/../x", "HDF5 has no parent links; the path is kept as written")
    #expect(group.absolutePath("/abs//path/") == "/abs/path")
}

@Test func removeDeletesTheLinkAndComplainsAboutNothing() throws {
    let scratch = try ScratchDirectory()
    let file = try HDF5File(creating: scratch.file("remove.h5"))
    try file.write([UInt8]([1, 2, 3]), shape: [3], to: "g/bytes")
    try file.remove("g/bytes")
    #expect(try file.kind(at: "g/bytes") == nil)
    #expect(try file.group("g").childNames() == [])
    let error = try #require(throws: StoreError.self) { try file.remove("g/bytes") }
    #expect(error.problem == .notFound)
}

@Test func closedFileThrowsAndClosingTwiceIsHarmless() throws {
    let scratch = try ScratchDirectory()
    let url = scratch.file("closed.h5")
    let file = try HDF5File(creating: url)
    let group = try file.createGroup("g")
    try file.close()
    try file.close()
    let error = try #require(throws: StoreError.self) { try group.childNames() }
    #expect(error.problem == .closed)
    #expect(error.description == "\(url.path): the file is closed")
}

@Test func readOnlyFileRefusesWritesAndReadWriteAcceptsThem() throws {
    let scratch = try ScratchDirectory()
    let url = scratch.file("modes.h5")
    try HDF5File(creating: url).close()

    let readOnly = try HDF5File(opening: url)
    let error = try #require(throws: StoreError.self) { try readOnly.createGroup("g") }
    #expect(error.problem == .readOnly)
    #expect(error.description.contains("modes.h5"))
    #expect(error.description.contains("read-only"))
    let attributeError = try #require(throws: StoreError.self) { try readOnly.setAttribute("a", to: 1) }
    #expect(attributeError.problem == .readOnly)
    try readOnly.close()

    let readWrite = try HDF5File(opening: url, mode: .readWrite)
    try readWrite.write([Int32]([7, 8]), shape: [2], to: "g/v")
    try readWrite.close()
    #expect(try HDF5File(opening: url).read(Int32.self, at: "g/v").values == [7, 8])
}

@Test func deinitClosesTheFileSoItCanBeReopenedForWriting() throws {
    let scratch = try ScratchDirectory()
    let url = scratch.file("deinit.h5")
    do {
        let file = try HDF5File(creating: url)
        try file.write([Float]([1.5]), shape: [], to: "x")
    }
    let again = try HDF5File(opening: url, mode: .readWrite)
    #expect(try again.read(Float.self, at: "x").values == [1.5])
}
