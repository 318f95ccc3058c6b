import ArgumentParser
import CNNBench
import CNNRuns
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
        let model = try TrainedModel(contentsOf: modelFile)
        let test = try model.testSet(name: dataset, directory: dataDir)
        let result = try model.evaluate(on: test, keepMistakes: 100)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
            return
        }
        print(String(format: "%@ on %@ (%d images): loss %.4f, error %.2f%%%@", model.spec.name, test.name, result.count,
                     result.loss, result.error * 100, result.top5Error.map { String(format: ", top-5 error %.2f%%", $0 * 100) } ?? ""))
        let names = result.classNames
        print("confusion matrix (rows: true class, columns: predicted)")
        var rows = [[""] + names.map { String($0.prefix(8)) }]
        for (i, row) in result.confusion.enumerated() { rows.append([String(names[i].prefix(12))] + row.map(String.init)) }
        print(alignedTable(rows, rightAligned: 1...names.count))
    }
}
