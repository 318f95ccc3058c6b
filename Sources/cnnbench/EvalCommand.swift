import ArgumentParser
import CNNBench
import CNNData
import CNNStore
import CNNEngine
import Foundation

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a model file on a data set's test split: loss, error and the confusion matrix.",
        discussion: "Example: cnnbench eval runs/lenet5-mnist/model.h5 --dataset mnist")

    @Argument(help: "A model file written by `cnnbench train` (or a Keras or ONNX file).")
    var modelFile: String

    @Option(help: "mnist, fashion-mnist, cifar10 or a folder (default: the data set the model was trained on).")
    var dataset: String?

    @Option(help: "Where the data set's files are.")
    var dataDir: String?

    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var threads: ThreadOptions

    func run() throws {
        threads.apply()
        let url = URL(fileURLWithPath: modelFile)
        let (spec, network, contents) = try ModelFile.loadModel(from: url)
        var source = DataSource(name: dataset ?? "mnist", directory: dataDir)
        if dataset == nil, let stored = contents.metadata["data_source"],
           let decoded = try? JSONDecoder().decode(DataSource.self, from: Data(stored.utf8)) {
            source = decoded
        }
        var recipe = TrainingRecipe()
        recipe.validationCount = 0
        // The images prepared as training prepared them: shrunk by the stored recipe's factor, if any.
        if let json = contents.training?.recipeJSON,
           let stored = try? JSONDecoder().decode(TrainingRecipe.self, from: Data(json.utf8)) {
            recipe.downsample = stored.downsample
        }
        let data = try PreparedData(source: source, modelInput: spec.inputShape, recipe: recipe)
        guard data.inputShape == spec.inputShape else {
            throw ValidationError("\(modelFile) expects \(spec.inputShape.shapeDescription) images; \(source.name) has \(data.inputShape.shapeDescription)")
        }
        guard data.test.classNames.count == spec.classes else {
            throw ValidationError("\(modelFile) has \(spec.classes) classes, but \(source.name) has \(data.test.classNames.count) "
                                  + "(\(data.test.classNames.prefix(10).joined(separator: ", "))): give the data set the model was trained on")
        }
        var normalization = data.normalization
        if let stored = contents.dataset {
            normalization = Normalization(mean: stored.normalizationMean.map(Float.init), standardDeviation: stored.normalizationStd.map(Float.init))
        }
        let result = try Evaluator.evaluate(network, on: data.test, normalization: normalization, classes: spec.classes)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
            return
        }
        print(String(format: "%@ on %@ (%d images): loss %.4f, error %.2f%%%@", spec.name, data.test.name, result.count,
                     result.loss, result.error * 100, result.top5Error.map { String(format: ", top-5 error %.2f%%", $0 * 100) } ?? ""))
        let names = data.test.classNames
        print("confusion matrix (rows: true class, columns: predicted)")
        var rows = [[""] + names.map { String($0.prefix(8)) }]
        for (i, row) in result.confusion.enumerated() { rows.append([String(names[i].prefix(12))] + row.map(String.init)) }
        print(alignedTable(rows, rightAligned: 1...names.count))
    }
}
