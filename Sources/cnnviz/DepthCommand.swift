import ArgumentParser
import CNNFigures
import CNNFiles
import CNNRuns
import Foundation

struct DepthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "depth",
        abstract: "E2: ImageNet top-5 error by year with depth (--table); E3: plain vs residual error against depth (--runs); E5: their gradient norms per layer (--runs --gradients).",
        discussion: """
        --table reads an editable CSV (year,entry,top5_error_percent,layers); the default is the toolkit's
        data/imagenet_history.csv. Shipped files (data/...) are found from any folder inside the toolkit. --runs reads every */model.h5 under a folder whose model is plainN or
        resnetN (train them with `cnnbench train plain20 ... --out DIR/plain20`); several seeds of one model
        are drawn as min-max bands.
        Examples: cnnviz depth
                  cnnviz depth --table my_history.csv --out figures/E2.pdf
                  cnnviz depth --runs runs/depth --out figures/E3.png
                  cnnviz depth --runs runs/depth --gradients --out figures/E5.png
                  cnnviz depth --runs runs/depth --export data/depth-study.json
                  cnnviz depth --runs data/depth-study.json --out figures/E3.png
        --gradients draws E5 instead: the norm of each weight layer's gradient, input to output, of the deepest
        plain and residual pair, at the start and middle of training (recorded by `cnnbench train`/`run`).
        """)

    @Option(help: "The table of ImageNet results (default: data/imagenet_history.csv).")
    var table: String?

    @Option(help: "A folder of plainN / resnetN runs (every */model.h5 below it), or a study file written by --export: draws E3 instead of E2.")
    var runs: String?

    @Option(help: "With --runs: write the runs' histories and gradient norms (no weights) to this JSON file instead of drawing.")
    var export: String?

    @Flag(help: "With --runs: draw E5, the gradient norm of each layer of the deepest plain and residual nets.")
    var gradients = false

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if table != nil && runs != nil { throw ValidationError("give --table (E2) or --runs (E3), not both") }
        if gradients && runs == nil { throw ValidationError("--gradients needs --runs DIR") }
        if export != nil && runs == nil { throw ValidationError("--export needs --runs DIR") }
    }

    func run() throws {
        if let runs {
            // A shipped study (data/depth-study.json) is found from any folder inside the toolkit.
            let study = try DepthStudy(location: FileManager.default.fileExists(atPath: runs) ? runs : ShippedFiles.locate(runs))
            for skipped in study.skipped {
                FileHandle.standardError.write(Data("note: skipped \(skipped)\n".utf8))
            }
            if let export {
                try AtomicFile.write(try study.exportJSON(source: runs), to: export)
                print("\(export): \(study.groups.flatMap(\.runs).count) run(s), \(study.depths.count) depth(s)")
            } else if gradients {
                let figure: GradientNormFigure
                do { figure = try GradientNormFigure(study: study) } catch { throw ValidationError("\(runs): \(error)") }
                try output.write(figure, defaultName: "E5-gradient-norms")
            } else {
                try output.write(DepthFigure(study: study), defaultName: "E3-depth")
            }
        } else {
            let path = ShippedFiles.locate(table ?? ImageNetResult.defaultFile)
            try output.write(try ImageNetHistoryFigure(file: path), defaultName: "E2-imagenet-depth")
        }
    }
}
