import ArgumentParser
import CNNData
import CNNFigures
import CNNStore
import Foundation

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a suite's PDF course report (and its figures) from the suite's folder; nothing is retrained.",
        discussion: "Example: cnnbench report runs/lecture -o reports/lecture.pdf")

    @Argument(help: "A suite's output folder (holding results.json).")
    var runsDirectory: String

    @Option(name: [.short, .long], help: "The PDF to write (default: reports/SUITE.pdf).")
    var output: String?

    func run() throws {
        let folder = URL(fileURLWithPath: runsDirectory)
        let results = try SuiteResults.read(from: folder)
        let path = output ?? "reports/\(results.suite).pdf"
        do { try checkNotAnInput(path, option: "--output", arguments: CommandLine.arguments, explicit: output != nil) } catch {
            throw ValidationError("\(error)")
        }
        try ReportMaker.make(results: results, folder: folder, reportPath: output ?? "reports/\(results.suite).pdf")
    }
}

/// The figures and report at the end of `cnnbench run` and in `cnnbench report`.
enum ReportMaker {
    static func make(results: SuiteResults, folder: URL, reportPath: String?) throws {
        try ReportBuilder.make(results: results, folder: folder, reportPath: reportPath)
    }
}
