// The report pipeline as a user runs it: `cnnbench run` trains a suite and writes its figures and report
// (SuiteRunner, ReportBuilder, FigureCatalogue, CourseReport), and every "regenerate" command the report
// prints runs with the real `cnnviz`, from the suite's folder, and writes the file the report drew.
import CNNData
import CNNFigures
import CNNStore
import Foundation
import Testing
import _TestSupport

@Suite("The report pipeline")
struct ReportPipelineTests {
    /// MNIST's first `train` training and `test` test digits as plain IDX files in `folder`: the same data set,
    /// small enough that each epoch's test-set evaluation takes a moment in a debug build.
    static func writeSmallMNIST(to folder: URL, train: Int, test: Int) throws {
        let mnist = try Dataset.mnist(directory: repositoryRoot().appendingPathComponent("datasets/mnist").path)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        func bigEndian(_ values: [Int]) -> [UInt8] { values.flatMap { v in (0..<4).reversed().map { UInt8((v >> (8 * $0)) & 0xFF) } } }
        for (prefix, split, count) in [("train", mnist.train, train), ("t10k", mnist.test, test)] {
            let pixels = split.imageByteCount
            let images = bigEndian([0x0803, count, split.height, split.width]) + split.images.prefix(count * pixels)
            let labels = bigEndian([0x0801, count]) + split.labels.prefix(count).map { UInt8($0) }
            try Data(images).write(to: folder.appendingPathComponent("\(prefix)-images-idx3-ubyte"))
            try Data(labels).write(to: folder.appendingPathComponent("\(prefix)-labels-idx1-ubyte"))
        }
    }

    @Test("the quick suite on a small MNIST: its report, and every regenerate command it prints run by cnnviz")
    func quickSuiteReportAndItsRegenerateCommands() throws {
        let folder = try temporaryFolder("ReportPipelineTests")
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("mnist-small")
        // quick holds out 500 digits for validation and trains on up to 1,000 others: here on 200.
        try Self.writeSmallMNIST(to: data, train: 700, test: 300)
        let suite = repositoryRoot().appendingPathComponent("suites/quick.yaml")
        let out = folder.appendingPathComponent("runs/quick")

        // From `folder`, so that the suite's `report: reports/quick.pdf` lands there.
        let run = try runTool("cnnbench", ["run", suite.path, "--out", out.path, "--data-dir", data.path], in: folder)
        try #require(run.status == 0, "cnnbench run quick: \(run.output)")
        let report = folder.appendingPathComponent("reports/quick.pdf")
        #expect(run.output.contains("report: reports/quick.pdf"), "\(run.output)")
        #expect(isPDF(atPath: report.path))
        #expect(pdfPageCount(pdfText(try Data(contentsOf: report))) >= 3)

        let results = try SuiteResults.read(from: out)
        #expect(results.runs.map(\.status) == ["finished", "finished"])
        #expect(results.figures == ["A1", "A6", "C2", "E1"], "the quick suite's figures changed: update this test's expectations")
        #expect(!run.output.contains("skipped"), "a figure of the quick suite was left out of its report: \(run.output)")
        // The slide rules hold for the figures drawn from these trained models too (the builder prints `layout:` lines).
        #expect(!run.output.contains("layout:"), "\(run.output)")

        try expectEachRuns(try regenerateCommands(results, folder: out), from: out)
    }

    /// Slow (a minute and a half in a debug build on two busy cores): run with CNNBENCH_SLOW_TESTS=1.
    @Test("every catalogue figure a LeNet-5 and a logreg run can show: each regenerate command runs with cnnviz",
          .enabled(if: ProcessInfo.processInfo.environment["CNNBENCH_SLOW_TESTS"] == "1", "slow: set CNNBENCH_SLOW_TESTS=1"))
    func everyFigureOfTheCatalogue() throws {
        let folder = try temporaryFolder("ReportPipelineTests")
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("mnist-small")
        try Self.writeSmallMNIST(to: data, train: 700, test: 300)
        let suite = folder.appendingPathComponent("every-figure.yaml")
        try """
        name: every-figure
        defaults:
          dataset: mnist
          data_dir: \(data.path)
          train_limit: 600
          validation: 100
        runs:
          - model: lenet5
            epochs: 1
          - model: logreg
            epochs: 1
        figures: all
        report: \(folder.appendingPathComponent("every-figure.pdf").path)
        """.write(to: suite, atomically: true, encoding: .utf8)
        let out = folder.appendingPathComponent("runs/every-figure")
        // From the repository's root: run elsewhere, B1 is skipped and F1 stops the report (it reads datasets/mnist there).
        let run = try runTool("cnnbench", ["run", suite.path, "--out", out.path])
        try #require(run.status == 0, "cnnbench run: \(run.output)")
        #expect(!run.output.contains("skipped"), "\(run.output)")
        // Every catalogue figure, trained models' included, keeps the slide rules: no `layout:` line.
        #expect(!run.output.contains("layout:"), "\(run.output)")
        let results = try SuiteResults.read(from: out)
        #expect(results.figures == CatalogueIDs.all)
        try expectEachRuns(try regenerateCommands(results, folder: out), from: out)
    }

    /// The commands the report prints under "Regenerating this report", made as ReportBuilder makes them.
    func regenerateCommands(_ results: SuiteResults, folder: URL) throws -> [(id: String, command: String)] {
        var commands: [(id: String, command: String)] = []
        for id in results.figures {
            switch try FigureCatalogue.figures(for: id, results: results, folder: folder) {
            case .success(let list): commands += list.map { (id, $0.command) }
            case .failure(let why): Issue.record("\(id) is not in the report: \(why.reason)")
            }
        }
        #expect(commands.count >= results.figures.count)
        return commands
    }

    /// Runs each command with cnnviz in `folder` (as the report says, from the suite's folder) and checks that it
    /// writes the file its `--out` names, which the report has already written under that name.
    func expectEachRuns(_ commands: [(id: String, command: String)], from folder: URL) throws {
        var seen = Set<String>()
        for (id, command) in commands where seen.insert(command).inserted {
            let words = command.split(separator: " ").map(String.init)
            #expect(words.first == "cnnviz", "\(id): \(command)")
            guard let at = words.firstIndex(of: "--out"), at + 1 < words.count else {
                Issue.record("\(id): \(command) names no --out file"); continue
            }
            // The report's own copy of the figure has the name the command writes; the command makes it again.
            let written = folder.appendingPathComponent(words[at + 1])
            #expect(FileManager.default.fileExists(atPath: written.path), "\(id): the report wrote no \(words[at + 1])")
            try? FileManager.default.removeItem(at: written)
            let result = try runTool("cnnviz", Array(words.dropFirst()), in: folder)
            #expect(result.status == 0, "\(id): `\(command)` failed: \(result.output)")
            #expect(isPDF(atPath: written.path), "\(id): `\(command)` wrote no PDF at \(written.path)")
        }
    }
}
