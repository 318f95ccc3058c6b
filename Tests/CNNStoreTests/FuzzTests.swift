import CHDF5
import CNNEngine
import CNNStore
import Foundation
import Testing
import _TestSupport

/// Corrupted model and Keras files, seeded: each load ends in an error naming the file, or in a
/// model whose every value passed validation; never a crash, a hang or a huge allocation.
@Suite("Fuzzing: model and Keras files")
struct StoreFuzzTests {
    static let budget = 5.0

    /// Loads `url` as a model; a success must be a model that validated, a failure one error naming the file.
    /// - Returns: Whether it loaded.
    @discardableResult
    func expectLoadOrError(_ url: URL, _ what: String) -> Bool {
        do {
            let (spec, network, contents) = try ModelFile.loadModel(from: url)
            #expect(spec.classes == contents.classes && spec.classes >= 1, "\(what)")
            #expect(network.namedParameters.allSatisfy { p in p.parameter.value.values.allSatisfy(\.isFinite) }, "\(what)")
            return true
        } catch let error as StoreError {
            #expect(error.file == url.path, "\(what): the error names \(error.file)")
        } catch let error as ConfigurationError {
            // An architecture that decodes but cannot be built (a kernel of 0): still one sentence.
            #expect(!error.description.isEmpty, "\(what)")
        } catch {
            Issue.record("\(what): \(type(of: error)): \(error)")
        }
        return false
    }

    /// The byte ranges of the contiguous datasets' values in a model file.
    func rawDataRanges(of url: URL) throws -> [Range<Int>] {
        let fileID = H5Fopen(url.path, cnn_h5f_acc_rdonly(), hid_t(H5P_DEFAULT))
        try #require(fileID >= 0)
        defer { H5Fclose(fileID) }
        return ["/weights/D/weight", "/weights/D/bias", "/history/train_loss"].compactMap { path -> Range<Int>? in
            let dataset = H5Dopen2(fileID, path, hid_t(H5P_DEFAULT))
            guard dataset >= 0 else { return nil }
            defer { H5Dclose(dataset) }
            let offset = H5Dget_offset(dataset), size = H5Dget_storage_size(dataset)
            guard offset != haddr_t.max, size > 0 else { return nil }
            return Int(offset)..<(Int(offset) + Int(size))
        }
    }

    /// Byte-level corruption where HDF5 is designed to catch it: truncation anywhere (the stored end of
    /// file no longer matches) and any change to the stored values (which validation must catch or accept).
    /// Random bytes in HDF5's own metadata are not fuzzed: libhdf5 1.10 itself can crash on those.
    @Test func truncatedModelFilesAndCorruptedValues() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("original.h5")
        var contents = try ModelValidationTests.contents()
        contents.history = ["train_loss": [0.5, 0.25], "epoch": [1, 2]]
        try ModelFile.write(contents, to: url)
        let original = [UInt8](try Data(contentsOf: url))
        #expect(expectLoadOrError(url, "the original"))
        let ranges = try rawDataRanges(of: url)
        try #require(ranges.count == 3)
        var g = SeededGenerator(seed: 21)
        var cases: [FuzzCase] = (0..<400).map { _ in
            let length = Int(g.next() % UInt64(original.count))
            return FuzzCase(bytes: Array(original.prefix(length)), what: "truncated to \(length) bytes")
        }
        for i in 0..<800 {
            var bytes = original
            let range = ranges[i % ranges.count]
            let at = range.lowerBound + Int(g.next() % UInt64(range.count))
            let value: UInt8 = i % 3 == 0 ? 0xFF : (i % 3 == 1 ? 0x7F : UInt8(truncatingIfNeeded: g.next()))
            for k in at..<min(at + 1 + i % 4, range.upperBound) { bytes[k] = value }
            cases.append(FuzzCase(bytes: bytes, what: "values at \(at) set to \(value)"))
        }
        let corrupted = folder.appendingPathComponent("model.h5")
        var refused = 0
        try forEachFuzzCase(cases, seconds: Self.budget) { c in
            try Data(c.bytes).write(to: corrupted)
            if !expectLoadOrError(corrupted, c.what) { refused += 1 }
        }
        #expect(refused > 0)
    }

    /// Attributes and datasets with bad values, wrong types and huge declared sizes, written through HDF5.
    @Test func modelFilesWithBadValuesAndTypes() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("model.h5")
        let edits: [(String, (HDF5File) throws -> Void)] = [
            ("classes a string", { try $0.setAttribute("classes", to: "ten") }),
            ("classes -3", { try $0.setAttribute("classes", to: -3) }),
            ("classes huge", { try $0.setAttribute("classes", to: Int.max) }),
            ("input_shape empty", { try $0.setAttribute("input_shape", to: [Int]()) }),
            ("input_shape huge", { try $0.setAttribute("input_shape", to: [1, Int.max, 2]) }),
            ("format_version a string", { try $0.setAttribute("format_version", to: "1") }),
            ("format a number", { try $0.setAttribute("format", to: 1) }),
            ("architecture not JSON", { try $0.setAttribute("architecture", to: "{\"name\": ") }),
            ("architecture a number", { try $0.setAttribute("architecture", to: 7) }),
            ("weight as int64", { f in try f.remove("weights/D/weight"); _ = try f.write([Int64](repeating: 1, count: 12), shape: [3, 4], to: "weights/D/weight") }),
            ("weight as strings", { f in try f.remove("weights/D/weight"); try f.group("weights/D").setAttribute("weight", to: "x") }),
            ("weight transposed", { f in try f.remove("weights/D/weight"); _ = try f.write([Float](repeating: 1, count: 12), shape: [4, 3], to: "weights/D/weight") }),
            ("weight a group", { f in try f.remove("weights/D/weight"); _ = try f.createGroup("weights/D/weight") }),
            ("bias missing", { try $0.remove("weights/D/bias") }),
            ("normalisation std strings", { try $0.group("dataset").setAttribute("normalization_std", to: ["a"]) }),
            ("normalisation std empty", { try $0.group("dataset").setAttribute("normalization_std", to: [Double]()) }),
            ("class names a number", { try $0.group("dataset").setAttribute("class_names", to: 3) }),
            ("history of unequal columns", { f in _ = try f.write([1.0, 2.0, 3.0], shape: [3], to: "history/epoch") }),
        ]
        let architecture = try ModelValidationTests.contents().architectureJSON
        // The architecture's JSON, corrupted: every result must still be refused or validated.
        let json = fuzzCases(of: Array(architecture.utf8), count: 400, seed: 24, headerBytes: architecture.utf8.count).map { c in
            (c.what + " in the architecture", { (f: HDF5File) throws in try f.setAttribute("architecture", to: String(decoding: c.bytes, as: UTF8.self)) })
        }
        var refused = 0
        try forEachFuzzCase((edits + json).map { FuzzCase(bytes: [], what: $0.0) }, seconds: Self.budget) { c in
            let edit = (edits + json).first { $0.0 == c.what }!.1
            try? FileManager.default.removeItem(at: url)
            try ModelFile.write(try ModelValidationTests.contents(), to: url)
            let file = try HDF5File(opening: url, mode: .readWrite)
            try edit(file)
            try file.close()
            if !expectLoadOrError(url, c.what) { refused += 1 }
        }
        #expect(refused >= edits.count)
    }

    /// A Keras file's model_config (JSON) truncated, flipped, with huge numbers and wrong types.
    @Test func corruptedKerasModelConfigs() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fixture = repositoryRoot().appendingPathComponent("Tests/CNNStoreTests/Fixtures/keras2_sequential.h5")
        let config = try HDF5File(opening: fixture).stringAttribute("model_config")
        var cases = fuzzCases(of: Array(config.utf8), count: 600, seed: 22, headerBytes: config.utf8.count)
        // Wrong types and huge values where numbers belong.
        for (from, to) in [("\"filters\": 3", "\"filters\": \"three\""), ("\"filters\": 3", "\"filters\": 99999999999"),
                           ("\"units\": 4", "\"units\": -4"), ("\"units\": 4", "\"units\": 4000000000000"),
                           ("\"kernel_size\": [3, 3]", "\"kernel_size\": [0, 3]"), ("\"kernel_size\": [3, 3]", "\"kernel_size\": 3.5"),
                           ("\"layers\": [", "\"layers\": {"), ("Sequential", "Functional")] {
            cases.append(FuzzCase(bytes: Array(config.replacingOccurrences(of: from, with: to).utf8), what: "\(from) -> \(to)"))
        }
        let url = folder.appendingPathComponent("keras.h5")
        _ = try ModelFile.loadModel(from: fixture)  // the uncorrupted file loads
        var refused = 0
        try forEachFuzzCase(cases, seconds: Self.budget) { c in
            try? FileManager.default.removeItem(at: url)
            try FileManager.default.copyItem(at: fixture, to: url)
            let file = try HDF5File(opening: url, mode: .readWrite)
            try file.setAttribute("model_config", to: String(decoding: c.bytes, as: UTF8.self))
            try file.close()
            do {
                let (spec, _, _) = try ModelFile.loadModel(from: url)
                #expect(spec.classes >= 1, "\(c.what)")
            } catch let error as StoreError {
                #expect(error.file == url.path, "\(c.what): the error names \(error.file)")
                refused += 1
            } catch let error as ConfigurationError {
                #expect(!error.description.isEmpty)
                refused += 1
            } catch {
                Issue.record("\(c.what): \(type(of: error)): \(error)")
            }
        }
        #expect(refused > 0)
    }
}
