import ArgumentParser
import CNNFigures
import CNNRuns

/// `--image`, `--index`, `--dataset`, `--data-dir`: the one input a figure runs through a model.
struct InputOptions: ParsableArguments {
    @Option(help: "A PNG to run through the model, of the model's input size (grey or colour, converted to the model's channels).")
    var image: String?

    @Option(parsing: .unconditional, help: "A test image of the data set, by index (default 0 when --image is not given).")
    var index: Int?

    @Option(help: "Data set for --index: mnist, fashion-mnist, cifar10 or a folder (default: the one the model was trained on).")
    var dataset: String?

    @Option(help: "Where the data set's files are (default: where the model's training read them).")
    var dataDir: String?

    func validate() throws {
        if image != nil && index != nil { throw ValidationError("give --image or --index, not both") }
        if let index, index < 0 { throw ValidationError("--index must be 0 or more, got \(index)") }
        if image != nil && dataset != nil { throw ValidationError("--dataset goes with --index, not --image") }
    }

    /// The input image, fitted to `model`.
    func load(for model: TrainedModel) throws -> InputImage {
        if let image { return try InputImage.png(image, for: model) }
        let test = try model.testSet(name: dataset, directory: dataDir)
        return try InputImage.testImage(index ?? 0, of: test, for: model)
    }
}

/// Parses "0,1,2" into channel (or image) numbers.
func parseChannels(_ text: String?, option: String = "--channels") throws -> [Int]? {
    guard let text else { return nil }
    let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    let numbers = parts.compactMap { Int($0) }
    guard !parts.isEmpty, numbers.count == parts.count, numbers.allSatisfy({ $0 >= 0 }) else {
        throw ValidationError("\(option) must be numbers separated by commas, such as 0,1,2; got \"\(text)\"")
    }
    return numbers
}
