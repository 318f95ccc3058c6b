import ArgumentParser
import CNNFigures
import CNNRuns

/// `cnnviz saliency MODEL_FILE`: occlusion maps of chosen test images over the inputs (C6).
struct SaliencyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "saliency",
        abstract: "Where the network looks: occlusion maps of chosen test images, with true and predicted classes (C6).",
        discussion: """
            A square patch is slid over each input; at each position the network's softmax probability of the true class \
            (the predicted class for a PNG) is computed again, and each pixel is coloured by the mean drop over the patches \
            that cover it. Forward passes of the stored network only.
            """)

    @Argument(help: "A model file (model.h5 from `cnnbench train`, or an ONNX file).")
    var modelFile: String

    @Option(help: "Test images by index, separated by commas (default 0,1,2,3,4,5, and the first mistakes, see --mistakes).")
    var indices: String?

    @Option(parsing: .unconditional, help: "Also show the first N test images the model gets wrong.")
    var mistakes = 2

    @Option(help: "A PNG to occlude instead of test images (may be repeated), of the model's input size.")
    var image: [String] = []

    @Option(help: "Data set: mnist, fashion-mnist, cifar10 or a folder (default: the one the model was trained on).")
    var dataset: String?

    @Option(help: "Where the data set's files are (default: where the model's training read them).")
    var dataDir: String?

    @Option(parsing: .unconditional, help: "The patch's side in pixels.")
    var patch = 8

    @Option(parsing: .unconditional, help: "Pixels between patch positions.")
    var stride = 2

    @Option(help: "What the patch holds: black (byte 0, MNIST's background) or grey (byte 128).")
    var fill = "black"

    @OptionGroup var output: OutputOptions

    func validate() throws {
        _ = try parseChannels(indices, option: "--indices")
        if mistakes < 0 || mistakes > 12 { throw ValidationError("--mistakes must be between 0 and 12, got \(mistakes)") }
        if patch < 1 { throw ValidationError("--patch must be at least 1, got \(patch)") }
        if stride < 1 || stride > patch { throw ValidationError("--stride must be between 1 and --patch (\(patch)), got \(stride)") }
        if OcclusionSaliency.Fill(rawValue: fill) == nil { throw ValidationError("--fill must be black or grey, got \"\(fill)\"") }
        if !image.isEmpty && (indices != nil || dataset != nil) { throw ValidationError("give --image or --indices/--dataset, not both") }
        let count = image.isEmpty ? ((try? parseChannels(indices, option: "--indices"))??.count ?? 6) + mistakes : image.count
        if count > 12 { throw ValidationError("at most 12 images fit on one figure, got \(count)") }
    }

    func run() throws {
        let model = try TrainedModel(contentsOf: modelFile)
        var inputs: [(image: InputImage, label: Int?)] = []
        if image.isEmpty {
            let test = try model.testSet(name: dataset, directory: dataDir)
            var chosen = try parseChannels(indices, option: "--indices") ?? Array(0..<6)
            if let bad = chosen.first(where: { $0 >= test.count }) {
                throw ValidationError("--indices: image \(bad) is outside the \(test.count) test images of \(test.name)")
            }
            if mistakes > 0 { chosen += try OcclusionSaliency.firstMistakes(model, dataset: test, count: mistakes, excluding: chosen) }
            for index in chosen {
                inputs.append((try InputImage.testImage(index, of: test, for: model), Int(test.labels[index])))
            }
        } else {
            inputs = try image.map { (try InputImage.png($0, for: model), nil) }
        }
        let figure = try OcclusionSaliency(model, inputs: inputs, patch: patch, stride: stride, fill: OcclusionSaliency.Fill(rawValue: fill)!)
        try output.write(figure, defaultName: "C6-saliency-\(model.contents.model)")
    }
}
