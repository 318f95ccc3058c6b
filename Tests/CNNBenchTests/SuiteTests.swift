import CNNBench
import CNNRuns
import CNNStore
import Foundation
import Testing
import _TestSupport

@Suite("Suites: parsing, validation, running, resuming", .serialized)
struct SuiteTests {
    func write(_ yaml: String, in folder: URL, name: String = "s.yaml") throws -> String {
        let url = folder.appendingPathComponent(name)
        try yaml.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test func shippedSuitesParse() throws {
        let root = repositoryRoot()
        for name in ["quick", "lecture", "depth", "speed"] {
            let suite = try Suite.load(from: root.appendingPathComponent("suites/\(name).yaml").path)
            #expect(suite.name == name)
        }
        let depth = try Suite.load(from: root.appendingPathComponent("suites/depth.yaml").path)
        #expect(depth.entries.count == 20)
        #expect(Set(depth.entries.map(\.model)) == Set([8, 20, 32, 44, 56].flatMap { ["plain\($0)", "resnet\($0)"] }))
        #expect(depth.entries.allSatisfy {
            $0.recipe.epochs == 24 && $0.recipe.schedule.warmupEpochs == 1 && $0.recipe.trainLimit == 10000 && $0.recipe.batchSize == 128 && $0.recipe.downsample == 2 && !$0.recipe.augment
        })
        #expect(Set(depth.entries.map(\.recipe.seed)) == [0, 1])
        // Zero-initialised residual branches: recorded for the residual nets only (a plain net has none).
        #expect(depth.entries.allSatisfy { $0.recipe.zeroInitResidual == $0.model.hasPrefix("resnet") })
        let lecture = try Suite.load(from: root.appendingPathComponent("suites/lecture.yaml").path)
        #expect(lecture.figures == Suite.allFigures)
        #expect(lecture.report == "reports/lecture.pdf")
        // B2 and C2's filters: v1net on Fashion-MNIST, kept short, and the sparse colour filters.
        let v1net = try #require(lecture.entries.first { $0.model == "v1net" })
        #expect(v1net.source.name == .fashionMNIST && v1net.recipe.epochs == 10 && v1net.recipe.weightDecay == 0.01 && v1net.recipe.trainLimit == 20000)
        #expect(lecture.sparseFilters == SparseFilterRecipe())
    }

    @Test func errorsNameTheFileLineAndKey() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let typo = try write("""
        name: t
        runs:
          - model: lenet5
            epoch: 3
        """, in: folder)
        let e1 = #expect(throws: SuiteError.self) { try Suite.load(from: typo) }
        #expect(e1?.line == 4)
        #expect(e1?.description.contains("s.yaml, line 4: unknown key \"epoch\" in run 1 (did you mean \"epochs\"?)") == true)

        let model = try write("runs:\n  - model: lenet6\n", in: folder)
        let e2 = #expect(throws: SuiteError.self) { try Suite.load(from: model) }
        #expect(e2?.line == 2 && e2?.description.contains("unknown model \"lenet6\"") == true)

        let value = try write("runs:\n  - model: lenet5\n    epochs: -2\n", in: folder)
        let e3 = #expect(throws: SuiteError.self) { try Suite.load(from: value) }
        #expect(e3?.line == 3 && e3?.description.contains("epochs must be a whole number of at least 1") == true)

        let figure = try write("runs:\n  - model: lenet5\nfigures: [A1, Z9]\n", in: folder)
        let e4 = #expect(throws: SuiteError.self) { try Suite.load(from: figure) }
        #expect(e4?.description.contains("unknown catalogue id \"Z9\"") == true)

        let broken = try write("runs: [model: lenet5\n", in: folder)
        let e5 = #expect(throws: SuiteError.self) { try Suite.load(from: broken) }
        #expect(e5?.description.contains("not valid YAML") == true)

        let json = try write(#"{"runs": [{"model": "logreg", "epochs": 1}]}"#, in: folder, name: "s.json")
        #expect(try Suite.load(from: json).entries.first?.recipe.epochs == 1)

        // Run names are folder names under the suite's folder: nothing may write outside it.
        for bad in ["../x", "a/b", "..", ".hidden"] {
            let escape = try write("runs:\n  - model: logreg\n    name: \"\(bad)\"\n", in: folder)
            let e6 = #expect(throws: SuiteError.self) { try Suite.load(from: escape) }
            #expect(e6?.line == 3 && e6?.description.contains("name must be a plain folder name") == true, "\(bad)")
        }

        // An unknown data set is found when the suite is read, before any run trains.
        let dataset = try write("runs:\n  - model: logreg\n  - model: lenet5\n    dataset: mnsit\n", in: folder)
        let e7 = #expect(throws: SuiteError.self) { try Suite.load(from: dataset) }
        #expect(e7?.line == 4 && e7?.description.contains("unknown data set \"mnsit\"") == true)

        let missing = #expect(throws: SuiteError.self) { try Suite.load(from: folder.appendingPathComponent("nope.yaml").path) }
        #expect(missing?.description.contains("no such suite file") == true)
    }

    @Test func failedEntryIsReportedAndResumeRecomputesNothing() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let mnist = repositoryRoot().appendingPathComponent("datasets/mnist").path
        let path = try write("""
        name: tiny
        defaults:
          dataset: mnist
          data_dir: \(mnist)
          train_limit: 300
          validation: 100
          batch_size: 50
        runs:
          - model: logreg
            epochs: 2
          - model: mlp
            dataset: cifar10
            data_dir: /nonexistent
          - model: lenet5
            epochs: 1
        """, in: folder)
        let suite = try Suite.load(from: path)
        let out = folder.appendingPathComponent("out")
        let (results, finished) = try SuiteRunner(suite: suite, folder: out, resume: false, commandLine: "test").run(progress: nil, log: { _ in })
        #expect(finished)
        #expect(results.runs.map(\.status).map { $0.hasPrefix("failed") } == [false, true, false])
        #expect(results.runs[1].status.contains("nonexistent"))
        let stored = try SuiteResults.read(from: out)
        #expect(stored.runs.count == 3)
        let csv = try String(contentsOf: out.appendingPathComponent("results.csv"), encoding: .utf8)
        #expect(csv.split(separator: "\n").count == 4)

        // Resume: finished runs are skipped, their model files untouched.
        let logreg = out.appendingPathComponent("logreg-mnist/model.h5")
        let before = try FileManager.default.attributesOfItem(atPath: logreg.path)[.modificationDate] as? Date
        var lines: [String] = []
        let (again, _) = try SuiteRunner(suite: suite, folder: out, resume: true, commandLine: "test --resume").run(progress: nil, log: { lines.append($0) })
        let after = try FileManager.default.attributesOfItem(atPath: logreg.path)[.modificationDate] as? Date
        #expect(before == after)
        #expect(lines.filter { $0.contains("already finished: skipped") }.count == 2)
        #expect(again.runs.first { $0.name == "logreg-mnist" }?.testError == results.runs[0].testError)
        #expect(again.commands == ["test", "test --resume"])
    }
}
