import ArgumentParser
import CNNFigures
import Foundation

/// `cnnviz gabor`: B2, a Gabor bank beside a trained model's first-layer filters.
struct GaborCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gabor",
        abstract: "B2: a bank of Gabor filters (orientations x wavelengths) beside a trained model's first-layer filters.",
        discussion: """
            With no model file, the Gabor bank alone.
            Example: cnnviz gabor runs/lecture/v1net-fashion-mnist/model.h5 runs/lecture/sparse-filters/model.h5 --out figures/B2-gabor.png
            """)

    @Argument(help: "Model files (model.h5) whose first convolutions' filters are shown, top to bottom (at most 3).")
    var models: [String] = []

    @Option(parsing: .unconditional, help: "Orientations in the bank.")
    var orientations: Int = 8

    @Option(help: "Wavelengths in pixels, comma-separated.")
    var wavelengths: String = "4,6,9"

    @Option(parsing: .unconditional, help: "Side of each Gabor filter in pixels (odd).")
    var size: Int = 25

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if models.count > 3 { throw ValidationError("give at most 3 model files, got \(models.count)") }
        if orientations < 1 || orientations > 24 { throw ValidationError("--orientations must be between 1 and 24, got \(orientations)") }
        if size < 3 || size % 2 == 0 || size > 101 { throw ValidationError("--size must be odd, between 3 and 101, got \(size)") }
        _ = try parsedWavelengths()
    }

    func parsedWavelengths() throws -> [Double] {
        let values = wavelengths.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.count <= 8, values.allSatisfy({ ($0 ?? 0) > 0 }) else {
            throw ValidationError("--wavelengths must be 1 to 8 positive numbers separated by commas, got \"\(wavelengths)\"")
        }
        return values.map { $0! }
    }

    func run() throws {
        let bank = try GaborBank(size: size, orientationCount: orientations, wavelengths: try parsedWavelengths())
        let learned = try models.map { try FirstLayerFilters(modelFile: $0) }
        try output.write(GaborFigure(bank: bank, learned: learned), defaultName: "B2-gabor")
    }
}
