import CNNBench
import Foundation
import Testing
import _TestSupport

/// Corrupted suite files, seeded: each ends in a `SuiteError` naming the file (with its line where
/// there is one), or in a suite whose every run passed validation; never a crash or a hang.
@Suite("Fuzzing: suite files")
struct SuiteFuzzTests {
    @Test func corruptedSuites() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let original = try String(contentsOf: repositoryRoot().appendingPathComponent("suites/lecture.yaml"), encoding: .utf8)
        var cases = fuzzCases(of: Array(original.utf8), count: 1500, seed: 31, headerBytes: original.utf8.count)
        // Wrong types and huge values for keys the parser reads as numbers, lists and names.
        let edits = [("epochs: 10", "epochs: 99999999999999999999999"), ("epochs: 10", "epochs: [1, 2]"), ("epochs: 10", "epochs: -1"),
                     ("model: lenet5", "model: {a: b}"), ("model: lenet5", "model: \"\""), ("runs:", "runs: 7\nx:"),
                     ("model: lenet5", "model: lenet5\n    name: ../../escape"), ("model: lenet5", "model: lenet5\n    seeds: [0, -1]"),
                     ("model: lenet5", "model: lenet5\n    lr: .nan"), ("model: lenet5", "model: lenet5\n    batch_size: 1e400")]
        for (from, to) in edits {
            cases.append(FuzzCase(bytes: Array(original.replacingOccurrences(of: from, with: to).utf8), what: "\(from) -> \(to)"))
        }
        let path = folder.appendingPathComponent("suite.yaml").path
        var refused = 0
        let done = try forEachFuzzCase(cases, seconds: 6) { c in
            try Data(c.bytes).write(to: URL(fileURLWithPath: path))
            do {
                let suite = try Suite.load(from: path)
                for entry in suite.entries {
                    #expect(!entry.name.contains("/") && entry.name != ".." && !entry.name.isEmpty, "\(c.what): run name \(entry.name)")
                    #expect(throws: Never.self, "\(c.what)") { try entry.recipe.validate() }
                }
            } catch let error as SuiteError {
                #expect(error.file == path, "\(c.what): the error names \(error.file)")
                refused += 1
            } catch {
                Issue.record("\(c.what): \(type(of: error)): \(error)")
            }
        }
        #expect(done >= 100 && refused > 0, "\(done) cases, \(refused) refused")
    }
}
