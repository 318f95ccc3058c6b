import ArgumentParser
import CNNFigures
import CNNRuns

struct CurvesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "curves",
        abstract: "E1: training and test loss and error per epoch, from the histories of model files.",
        discussion: """
        Several files draw several runs on one chart (training dashed, test solid). MNIST runs get
        LeCun et al.'s 1998 errors as reference lines.
        Examples: cnnviz curves runs/lenet5-mnist/model.h5
                  cnnviz curves runs/lenet5-mnist/model.h5 runs/logreg-mnist/model.h5 --labels LeNet-5,logistic
        """)

    @Argument(help: "Model files (.h5) written by `cnnbench train`.")
    var files: [String]

    @Option(help: "Legend labels, comma-separated, one per file (default: model / data set).")
    var labels: String?

    @OptionGroup var referenceOptions: ReferenceOptions
    @OptionGroup var output: OutputOptions

    var labelList: [String]? { labels.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) } }

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one model file") }
        if let labelList, labelList.count != files.count {
            throw ValidationError("--labels has \(labelList.count) labels for \(files.count) files")
        }
    }

    func run() throws {
        let runs = try files.enumerated().map { index, file in try TrainingHistory(file: file, label: labelList?[index]) }
        let mnist = runs.first { $0.dataset?.name == .mnist }?.dataset?.name
        let figure = TrainingCurvesFigure(runs: runs, references: try referenceOptions.load(for: mnist))
        try output.write(figure, defaultName: "E1-curves")
    }
}
