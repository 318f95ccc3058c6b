import ArgumentParser
import CNNFigures
import CNNRuns

struct ResultsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "results",
        abstract: "E4: the lecture's MNIST and CIFAR-10 error-rate tables with this toolkit's measured rows added.",
        discussion: """
        Each model file adds a highlighted row (model, final test error) to the table of its data set;
        data sets without a lecture table get a table of their own. The tables are editable CSV files
        (data/results_mnist.csv, data/results_cifar10.csv: a header, `# title:` and `# dataset:` lines).
        Examples: cnnviz results runs/lenet5-mnist/model.h5 runs/logreg-mnist/model.h5
                  cnnviz results runs/*/model.h5 --table data/results_mnist.csv --out figures/E4.pdf
        """)

    @Argument(help: "Model files (.h5) whose final test errors are added.")
    var files: [String] = []

    @Option(name: .customLong("table"), help: "A results table (CSV); repeat for several (default: the shipped MNIST and CIFAR-10 tables).")
    var tables: [String] = []

    @OptionGroup var output: OutputOptions

    func run() throws {
        let paths = tables.isEmpty ? ["data/results_mnist.csv", "data/results_cifar10.csv"].map(ShippedFiles.locate) : tables
        let lecture = try paths.map { try ResultsTable(file: $0) }
        let measured = try files.map { try MeasuredResult(file: $0) }
        try output.write(ResultsTableFigure(tables: ResultsTable.combining(lecture, with: measured)), defaultName: "E4-results")
    }
}
