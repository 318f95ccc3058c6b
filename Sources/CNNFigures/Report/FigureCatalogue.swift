// Which figure each catalogue id stands for in a suite's report, drawn from the suite's own files.
import CNNRuns
import CNNStore
import Foundation

/// Finds the model files of a suite's runs and makes each catalogue figure from them.
public enum FigureCatalogue {
    /// The model file of the first finished run of `model` (or of any model passing `matches`).
    static func modelFile(_ results: SuiteResults, folder: URL, where matches: (String) -> Bool) -> URL? {
        results.runs.first { $0.status == "finished" && matches($0.model) }
            .map { folder.appendingPathComponent($0.modelFile) }
    }

    /// The figures for catalogue id `id`, or an explanation of why none can be drawn from this suite.
    public static func figures(for id: String, results: SuiteResults, folder: URL) throws -> Result<[ReportFigure], Unavailable> {
        let lenet = modelFile(results, folder: folder) { $0.hasPrefix("lenet5") }
        // The first layers that make B2's and C2's point: the wide first layer (v1net) and the sparse colour
        // filters learned from the photographs; LeNet-5's where the suite has neither.
        let sparseFile = folder.appendingPathComponent("sparse-filters/model.h5")
        let filterModels = [modelFile(results, folder: folder) { $0.hasPrefix("v1net") },
                            FileManager.default.fileExists(atPath: sparseFile.path) ? sparseFile : nil].compactMap { $0 }
        func needs(_ url: URL?, _ what: String) -> Result<URL, Unavailable> {
            url.map { .success($0) } ?? .failure(Unavailable(reason: "the suite trained no \(what)"))
        }
        func walkthrough(_ example: LectureExample, frames: [Int]? = nil) throws -> [ReportFigure] {
            let w = try example.walkthrough()
            let shown = (frames ?? [w.frameCount - 1]).map { $0 < 0 ? w.frameCount + $0 : $0 }
            return shown.map { frame in
                // Which of the figure's frames this page is (its subtitle says what the frame holds), so that
                // two pages of one figure (A1's first step and its whole output) have different captions.
                var caption = w.caption
                if frame == w.frameCount - 1 {
                    caption += " Shown here: the last of its \(w.frameCount) frames."
                } else if frame == 0 && w.opensWithQuestion {
                    caption += " Shown here: the first frame, the question, with no answer; the next page gives it."
                } else {
                    caption += " Shown here: frame \(frame + 1) of \(w.frameCount)."
                }
                return ReportFigure(figure: w, frame: frame, caption: caption,
                                    command: "cnnviz conv --example \(example.rawValue) --out figures/\(example.fileStem).pdf")
            }
        }
        let relative = { (url: URL) in url.path.hasPrefix(folder.path + "/") ? String(url.path.dropFirst(folder.path.count + 1)) : url.path }
        switch id {
        case "A1": return .success(try walkthrough(.a1, frames: [0, -1]))
        case "A2": return .success(try walkthrough(.a2) + walkthrough(.a2Padded))
        case "A3": return .success(try walkthrough(.a3))
        case "A4": return .success(try walkthrough(.a4Vertical) + walkthrough(.a4Horizontal))
        case "A5": return .success(try walkthrough(.a5Max) + walkthrough(.a5Average) + walkthrough(.a5Quiz, frames: [0, -1]))
        case "A6":
            let figure = OutputShapeDiagram(cases: try ShapeCase.lectureCases())
            return .success([ReportFigure(figure: figure, caption: figure.caption, command: "cnnviz shapes --out figures/A6-shapes.pdf")])
        case "A7":
            let counting = CountingExamplesFigure(examples: try CountingExample.lectureExamples())
            var list = [ReportFigure(figure: counting, caption: counting.caption, command: "cnnviz params counting --out figures/A7-counting.pdf")]
            for model in ["lenet5", "alexnet", "vgg16", "resnet18"] {
                let table = try ParameterTable(model: model)
                list.append(ReportFigure(figure: table, caption: table.caption, command: "cnnviz params \(model) --out figures/A7-\(model).pdf"))
            }
            return .success(list)
        case "B1":
            let images = ClassicKernelsFigure.shippedImages.map(ShippedFiles.locate)
            guard images.allSatisfy({ FileManager.default.fileExists(atPath: $0) }) else {
                return .failure(Unavailable(reason: "the shipped photographs (datasets/images/) are not found from the working directory"))
            }
            let figure = try ClassicKernelsFigure(imagePaths: images)
            return .success([ReportFigure(figure: figure, caption: figure.caption, command: "cnnviz kernels --out figures/B1-kernels.pdf")])
        case "B2":
            let files = filterModels.isEmpty ? (lenet.map { [$0] } ?? []) : filterModels
            let figure = GaborFigure(bank: try GaborBank(), learned: try files.map { try FirstLayerFilters(modelFile: $0.path) })
            return .success([ReportFigure(figure: figure, caption: figure.caption,
                                          command: "cnnviz gabor \(files.map(relative).joined(separator: " ")) --out figures/B2-gabor.pdf")])
        case "C1":
            var list: [ReportFigure] = []
            for kind in ["logreg", "mlp"] {
                guard let url = modelFile(results, folder: folder, where: { $0 == kind }) else { continue }
                let figure = try TemplateWeights(try TrainedModel(contentsOf: url.path))
                list.append(ReportFigure(figure: figure, caption: figure.caption, command: "cnnviz templates \(relative(url)) --out figures/C1-\(kind).pdf"))
            }
            return list.isEmpty ? .failure(Unavailable(reason: "the suite trained no logreg or mlp")) : .success(list)
        case "C2" where !filterModels.isEmpty:
            return .success(try filterModels.map { url in
                let convolutions = try ModelConvolutions.read(url.path)
                let weights = try convolutions.layer(nil, file: url.path)
                let figure = try FilterGrid(model: convolutions.model, weights: weights, isFirstLayer: true, provenance: convolutions.provenance)
                let stem = url.deletingLastPathComponent().lastPathComponent
                return ReportFigure(figure: figure, caption: figure.caption,
                                    command: "cnnviz filters \(relative(url)) --out figures/C2-\(stem).pdf")
            })
        case "C2":
            switch needs(lenet, "LeNet-5") {
            case .failure(let why): return .failure(why)
            case .success(let url):
                let convolutions = try ModelConvolutions.read(url.path)
                var list: [ReportFigure] = []
                // One naming scheme for C2: the run's folder (C2-v1net-fashion-mnist), and a layer other than the first after it.
                let run = url.deletingLastPathComponent().lastPathComponent
                for (i, weights) in convolutions.layers.prefix(2).enumerated() {
                    let figure = try FilterGrid(model: convolutions.model, weights: weights, isFirstLayer: i == 0, provenance: convolutions.provenance)
                    let stem = i == 0 ? "C2-\(run)" : "C2-\(run)-\(weights.layer)"
                    list.append(ReportFigure(figure: figure, caption: figure.caption,
                                             command: "cnnviz filters \(relative(url))\(i == 0 ? "" : " --layer \(weights.layer)") --out figures/\(stem).pdf"))
                }
                return .success(list)
            }
        case "C6", "C7":
            switch needs(lenet, "LeNet-5") {
            case .failure(let why): return .failure(why)
            case .success(let url):
                let model = try TrainedModel(contentsOf: url.path)
                let test = try model.testSet()
                let figure: any Figure, command: String
                if id == "C6" {
                    // Six test images and the first two the model gets wrong, as `cnnviz saliency` chooses by default.
                    var chosen = Array(0..<6)
                    chosen += try OcclusionSaliency.firstMistakes(model, dataset: test, count: 2, excluding: chosen)
                    let inputs = try chosen.map { (image: try InputImage.testImage($0, of: test, for: model), label: Optional(Int(test.labels[$0]))) }
                    figure = try OcclusionSaliency(model, inputs: inputs)
                    command = "cnnviz saliency \(relative(url)) --out figures/C6-saliency.pdf"
                } else {
                    figure = try FeatureEmbedding(model, dataset: test, limit: 2000)
                    command = "cnnviz embedding \(relative(url)) --limit 2000 --out figures/C7-embedding.pdf"
                }
                return .success([ReportFigure(figure: figure, caption: figure.caption, command: command)])
            }
        case "E6":
            switch needs(lenet, "LeNet-5") {
            case .failure(let why): return .failure(why)
            case .success(let url):
                let model = try TrainedModel(contentsOf: url.path)
                let figure = try NetworkHealth(model, dataset: try model.testSet(), limit: 1000)
                return .success([ReportFigure(figure: figure, caption: figure.caption,
                                              command: "cnnviz health \(relative(url)) --limit 1000 --out figures/E6-health.pdf")])
            }
        case "C3", "C4", "C5":
            switch needs(lenet, "LeNet-5") {
            case .failure(let why): return .failure(why)
            case .success(let url):
                let model = try TrainedModel(contentsOf: url.path)
                let test = try model.testSet()
                let input = try InputImage.testImage(0, of: test, for: model)
                let figure: any Figure, command: String
                switch id {
                case "C3":
                    figure = try FeatureMapsFigure(model, input: input)
                    command = "cnnviz maps \(relative(url)) --index 0 --out figures/C3-feature-maps.pdf"
                case "C4":
                    figure = try TopActivations(model, dataset: test, limit: 2000)
                    command = "cnnviz top \(relative(url)) --limit 2000 --out figures/C4-top-patches.pdf"
                default:
                    figure = try EquivarianceFigure(model, input: input)
                    command = "cnnviz equivariance \(relative(url)) --index 0 --out figures/C5-equivariance.pdf"
                }
                return .success([ReportFigure(figure: figure, caption: figure.caption, command: command)])
            }
        case "D1":
            var list: [ReportFigure] = []
            for model in ["lenet5-1998", "resnet20"] {
                let figure = try ArchitectureFigure(spec: try ModelReference.spec(model))
                list.append(ReportFigure(figure: figure, caption: figure.caption, command: "cnnviz arch \(model) --out figures/D1-\(model).pdf"))
            }
            return .success(list)
        case "D2":
            let figure = BlockComparisonFigure(residual: try BlockDiagram.residual(model: "resnet20", block: nil),
                                               dense: try DenseBlockDiagram.denseNetBC(layers: 3, inputChannels: 24, growthRate: 12))
            return .success([ReportFigure(figure: figure, caption: figure.caption, command: "cnnviz blocks --out figures/D2-blocks.pdf")])
        case "E1":
            switch needs(lenet, "LeNet-5") {
            case .failure(let why): return .failure(why)
            case .success(let url):
                let references = referenceErrors()
                let history = try TrainingHistory(file: url.path)
                let curves = TrainingCurvesFigure(runs: [history], references: references)
                let model = try TrainedModel(contentsOf: url.path)
                let source = model.dataSource(), test = try model.testSet()
                let evaluation = try model.evaluate(on: test)
                let confusion = ConfusionFigure(model: model.spec.name, datasetName: source.displayName,
                                                evaluation: evaluation, references: references)
                let mistakes = MistakesFigure(model: model.spec.name, datasetName: source.displayName,
                                              evaluation: evaluation, testSet: test, count: 40)
                let file = relative(url)
                return .success([
                    ReportFigure(figure: curves, caption: curves.caption, command: "cnnviz curves \(file) --out figures/E1-curves.pdf"),
                    ReportFigure(figure: confusion, caption: confusion.caption, command: "cnnviz confusion \(file) --out figures/E1-confusion.pdf"),
                    ReportFigure(figure: mistakes, caption: mistakes.caption, command: "cnnviz mistakes \(file) --out figures/E1-mistakes.pdf"),
                ])
            }
        case "E2":
            let figure = try ImageNetHistoryFigure(file: ShippedFiles.locate(ImageNetResult.defaultFile))
            return .success([ReportFigure(figure: figure, caption: figure.caption, command: "cnnviz depth --out figures/E2-imagenet-depth.pdf")])
        case "E3":
            // The suite's own plain/residual runs, else those of a depth suite run beside it (runs/depth, runs/depth-small).
            let hasDepthRuns = { (r: SuiteResults) in
                r.runs.contains { $0.status == "finished" && ($0.model.hasPrefix("plain") || $0.model.hasPrefix("resnet")) }
            }
            var source = hasDepthRuns(results) ? folder : nil
            if source == nil {
                let siblings = ["depth", "depth-small"].map { folder.deletingLastPathComponent().appendingPathComponent($0) }
                source = siblings.first { (try? SuiteResults.read(from: $0)).map(hasDepthRuns) ?? false }
            }
            // Else the committed histories of the shipped depth experiment (data/depth-study.json).
            let shipped = ShippedFiles.locate(DepthStudy.shippedFile)
            let study: DepthStudy, from: String, runs: String
            if let depthFolder = source {
                study = try DepthStudy(directory: depthFolder.path)
                let shown = displayPath(depthFolder)
                from = depthFolder == folder ? "" : " From the runs of \(shown) (cnnbench run \(depthFolder.lastPathComponent))."
                // Commands in the report run from the suite's folder, like the others.
                runs = depthFolder == folder ? "." : "../\(depthFolder.lastPathComponent)"
            } else if FileManager.default.fileExists(atPath: shipped) {
                study = try DepthStudy(studyFile: shipped)
                from = " From the histories of the depth suite's runs committed in \(DepthStudy.shippedFile) (cnnbench run depth, then cnnviz depth --runs runs/depth --export \(DepthStudy.shippedFile))."
                runs = DepthStudy.shippedFile  // cnnviz finds shipped files from any folder inside the toolkit
            } else {
                return .failure(Unavailable(reason: "the suite trained no plain or residual networks, no depth suite was run beside it (cnnbench run depth-small), and \(DepthStudy.shippedFile) is missing"))
            }
            let figure = DepthFigure(study: study)
            var figures = [ReportFigure(figure: figure, caption: figure.caption + from,
                                        command: "cnnviz depth --runs \(runs) --out figures/E3-depth.pdf")]
            // E5, the gradient norms that explain E3, where the runs recorded them.
            if let gradients = try? GradientNormFigure(study: study) {
                figures.append(ReportFigure(figure: gradients, caption: gradients.caption + from,
                                            command: "cnnviz depth --runs \(runs) --gradients --out figures/E5-gradient-norms.pdf"))
            }
            return .success(figures)
        case "E4":
            let lecture = try ["data/results_mnist.csv", "data/results_cifar10.csv"].map { try ResultsTable(file: ShippedFiles.locate($0)) }
            let files = results.runs.filter { $0.status == "finished" }.map { folder.appendingPathComponent($0.modelFile) }
            let measured = try files.map { try MeasuredResult(file: $0.path) }
            let figure = ResultsTableFigure(tables: ResultsTable.combining(lecture, with: measured))
            return .success([ReportFigure(figure: figure, caption: figure.caption,
                                          command: "cnnviz results \(files.map(relative).joined(separator: " ")) --out figures/E4-results.pdf")])
        case "F1":
            let dataset = DataSource(name: results.runs.first { $0.status == "finished" }?.dataset ?? "mnist")
            let samples = try SamplesFigure(dataset: dataset)
            let augment = try AugmentationFigure(dataset: dataset, index: 0, cropPadding: 4, horizontalFlip: dataset.name != .mnist)
            return .success([
                ReportFigure(figure: samples, caption: samples.caption, command: "cnnviz samples --dataset \(dataset.name) --out figures/F1-samples.pdf"),
                ReportFigure(figure: augment, caption: augment.caption, command: "cnnviz augment --dataset \(dataset.name) --out figures/F1-augment.pdf"),
            ])
        default:
            return .failure(Unavailable(reason: "figure \(id) is not in the catalogue"))
        }
    }

    /// A folder as a user typed it: relative to the working directory when inside it.
    static func displayPath(_ url: URL) -> String {
        let cwd = FileManager.default.currentDirectoryPath + "/"
        return url.path.hasPrefix(cwd) ? String(url.path.dropFirst(cwd.count)) : url.path
    }

    /// LeCun et al. 1998's errors from the shipped table (none if the table is missing).
    static func referenceErrors() -> [ReferenceError] {
        (try? ReferenceError.read(from: ShippedFiles.locate(ReferenceError.defaultFile))) ?? []
    }

    /// Why a figure is missing from a report.
    public struct Unavailable: Error, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }
}

/// Makes a suite's figures (PNG and PDF under FOLDER/figures/) and its report.
public enum ReportBuilder {
    /// Draws every figure the suite asks for and writes the report to `reportPath` (if any).
    /// - Returns: the paths written.
    @discardableResult
    public static func make(results: SuiteResults, folder: URL, reportPath: String?, log: (String) -> Void = { print($0) }) throws -> [String] {
        var figures: [String: [ReportFigure]] = [:]
        var notes: [String] = []
        var written: [String] = []
        let figureFolder = folder.appendingPathComponent("figures")
        try FileManager.default.createDirectory(at: figureFolder, withIntermediateDirectories: true)
        for id in results.figures {
            switch try FigureCatalogue.figures(for: id, results: results, folder: folder) {
            case .success(let list):
                figures[id] = list
                // One file name per figure, the one its regenerate command writes (A7-alexnet.pdf); a figure
                // shown at two frames (A1) is written once.
                var stems = Set<String>()
                for (i, item) in list.enumerated() {
                    let name = item.fileStem ?? (list.count > 1 ? "\(id)-\(i + 1)" : id)
                    guard stems.insert(name).inserted else { continue }
                    for problem in try item.figure.layoutProblems() { log("layout: \(name): \(problem)") }
                    let stem = figureFolder.appendingPathComponent(name).path
                    written += try item.figure.write(to: stem + ".png")
                    written += try item.figure.write(to: stem + ".pdf")
                }
            case .failure(let why):
                notes.append("Figure \(id) is not in this report: \(why.reason).")
                log("figure \(id) skipped: \(why.reason)")
            }
        }
        if let reportPath {
            try FileManagerShim.createParent(of: reportPath)
            // Models the suite trained outside its runs (the sparse filters of B2 and C2) are named on the cover too.
            let sparse = FileManager.default.fileExists(atPath: folder.appendingPathComponent("sparse-filters/model.h5").path)
            let pages = try CourseReport.write(results: results, figures: figures, notes: notes,
                                               otherModels: sparse ? ["a sparse autoencoder (sparse-filters)"] : [], to: reportPath)
            log("report: \(reportPath) (\(pages) pages)")
            written.append(reportPath)
        }
        return written
    }
}
