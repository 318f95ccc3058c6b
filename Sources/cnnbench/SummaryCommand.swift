import ArgumentParser
import CNNModels
import Foundation

struct SummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Print a model's per-layer table: output shape, parameters, multiply-adds.",
        discussion: "Example: cnnbench summary resnet20 --input 3x32x32 --classes 10 --json")

    @Argument(help: "A zoo model (see `cnnbench models`).")
    var model: String

    @Option(help: "Input shape CxHxW (default: the model's own).")
    var input: String?

    @Option(parsing: .unconditional, help: "Number of classes (default: the model's own).")
    var classes: Int?

    @Flag(help: "Print JSON with top-level \"parameters\" and \"macs\".")
    var json = false

    func validate() throws {
        if let classes, classes < 1 { throw ValidationError("--classes must be at least 1, got \(classes)") }
        if let input { _ = try parseShape(input, option: "--input") }
    }

    func run() throws {
        let spec = try ModelZoo.spec(model, classes: classes, input: try input.map { try parseShape($0, option: "--input") })
        let summary = try ModelSummary(spec)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(summary), as: UTF8.self))
        } else {
            print(summary.table, terminator: "")
        }
    }
}
