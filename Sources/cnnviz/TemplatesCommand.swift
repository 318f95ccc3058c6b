import ArgumentParser
import CNNFigures
import CNNRuns

/// `cnnviz templates MODEL_FILE`: a logistic regression's class templates or an MLP's first-layer weights (C1).
struct TemplatesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "templates",
        abstract: "The first dense layer's weights as images: logreg's 10 class templates, an MLP's hidden units (C1).")

    @Argument(help: "A model file of a logreg or mlp model.")
    var modelFile: String

    @Option(parsing: .unconditional, help: "Hidden units shown for an MLP.")
    var count = 50

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if count < 1 { throw ValidationError("--count must be at least 1, got \(count)") }
    }

    func run() throws {
        let model = try TrainedModel(contentsOf: modelFile)
        let figure = try TemplateWeights(model, count: count)
        try output.write(figure, defaultName: "C1-templates-\(model.contents.model)")
    }
}
