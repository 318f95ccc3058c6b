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

    /// Loads every case with `ModelFile.loadModel`; returns how many loaded and how many were refused.
    func fuzz(_ cases: [FuzzCase], in folder: URL) throws -> (loaded: Int, refused: Int) {
        let url = folder.appendingPathComponent("model.h5")
        var outcome = (loaded: 0, refused: 0)
        try forEachFuzzCase(cases, seconds: Self.budget) { c in
            try Data(c.bytes).write(to: url)
            do {
                let (spec, network, contents) = try ModelFile.loadModel(from: url)
                // A success is a model that validated: finite weights, classes and input as declared.
                #expect(spec.classes == contents.classes && spec.classes >= 1, "\(c.what)")
                #expect(network.namedParameters.allSatisfy { p in p.parameter.value.values.allSatisfy(\.isFinite) }, "\(c.what)")
                outcome.loaded += 1
            } catch let error as StoreError {
                #expect(error.file == url.path, "\(c.what): the error names \(error.file)")
                outcome.refused += 1
            } catch let error as ConfigurationError {
                // An architecture that decodes but cannot be built (a kernel of 0): still one sentence.
                #expect(!error.description.isEmpty, "\(c.what)")
                outcome.refused += 1
            } catch {
                Issue.record("\(c.what): \(type(of: error)): \(error)")
            }
        }
        return outcome
    }

    @Test func corruptedModelFiles() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("original.h5")
        try ModelFile.write(try ModelValidationTests.contents(), to: url)
        let original = [UInt8](try Data(contentsOf: url))
        let outcome = try fuzz(fuzzCases(of: original, count: 1200, seed: 21, headerBytes: original.count), in: folder)
        #expect(outcome.refused > 0)
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
