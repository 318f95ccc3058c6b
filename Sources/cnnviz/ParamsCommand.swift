import ArgumentParser
import CNNFigures

/// `cnnviz params`: A7, parameter tables of zoo models and the lecture's counting examples.
struct ParamsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "params",
        abstract: "A7: per-layer parameter and multiply-add tables of zoo models, and the lecture's counting examples.",
        discussion: """
            MODEL is a zoo model (lenet5, alexnet, vgg16, resnet18, ...; `cnnbench models` lists them) or \
            `counting` for the lecture's small examples. With no MODEL: counting lenet5 alexnet vgg16 resnet18. \
            Several models go to one multi-page PDF, or to one PNG/SVG each, named after the model.
            Example: cnnviz params resnet18 --depth 1 --out figures/A7-resnet18.pdf
            """)

    @Argument(help: "Models to tabulate, or `counting`.")
    var models: [String] = []

    @Option(parsing: .unconditional, help: "Nesting shown in tables (0: whole residual blocks; default: as much as fits a page).")
    var depth: Int?

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if let depth, depth < 0 { throw ValidationError("--depth must be 0 or more, got \(depth)") }
    }

    func run() throws {
        let names = models.isEmpty ? ["counting", "lenet5", "alexnet", "vgg16", "resnet18"] : models
        var figures: [(name: String, figure: any Figure)] = []
        for name in names {
            if name.lowercased() == "counting" {
                figures.append(("counting", CountingExamplesFigure(examples: try CountingExample.lectureExamples())))
            } else {
                do {
                    figures.append((name.lowercased(), try ParameterTable(model: name, depth: depth)))
                } catch {
                    throw CommandFailure("\(error) (or `counting` for the lecture's examples)")
                }
            }
        }
        if figures.count == 1 {
            try output.write(figures[0].figure, defaultName: "A7-params-\(figures[0].name)")
        } else if let out = output.out, out.lowercased().hasSuffix(".pdf") {
            try output.write(FigureSequence(figures.map(\.figure)), defaultName: "A7-params")
        } else {
            let base = output.out ?? "figures/A7-params.png"
            let dot = base.lastIndex(of: ".")!
            for (name, figure) in figures {
                var options = output
                options.out = String(base[..<dot]) + "-\(name)" + String(base[dot...])
                try options.write(figure, defaultName: "A7-params-\(name)")
            }
        }
    }
}

/// A failure found while running, reported as one sentence without the usage line.
fileprivate struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
