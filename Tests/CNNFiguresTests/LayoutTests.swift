// The slide rules every figure keeps, checked on the text boxes the drawing layer reports: nothing
// off the page, no two texts overlapping, nothing smaller than 18 px when the figure is shown 1500 px
// wide. Figures drawn from shipped files and the engine (no trained model needed) are checked here;
// the report builder logs the same check for every figure of a suite (`layout:` lines).
import CNNFigures
import CNNPlot
import CNNStore
import Foundation
import Testing
import _TestSupport

@Suite("Figure layout: legible on a slide")
struct LayoutTests {
    @Test("the canvas reports each text's box, rotated ones as their bounds, clipped ones cut to the clip")
    func textBoxesAreReported() throws {
        let folder = try temporaryFolder("LayoutTests")
        let canvas = try Canvas(path: folder.appendingPathComponent("t.png").path, size: Size(width: 1000, height: 100), dpi: 72)
        canvas.text("left", at: Point(x: 10, y: 10), font: Font(size: 13), vertical: .top)
        canvas.text("up", at: Point(x: 100, y: 90), font: Font(size: 13), angle: .pi / 2)
        canvas.text("off", at: Point(x: 995, y: 50), font: Font(size: 13))
        canvas.text("lef2", at: Point(x: 12, y: 12), font: Font(size: 13), vertical: .top)
        canvas.text("tiny", at: Point(x: 10, y: 60), font: Font(size: 4))
        #expect(canvas.textBoxes.count == 5)
        let left = canvas.textBoxes[0].rect, up = canvas.textBoxes[1].rect
        #expect(abs(left.minX - 10) < 0.01 && abs(left.minY - 10) < 0.01 && left.width > 15)
        #expect(up.height > up.width)  // read bottom to top: taller than wide
        let problems = canvas.layoutProblems()
        #expect(problems.contains { $0.hasPrefix("\"off\" runs off the page") })
        #expect(problems.contains { $0 == "\"left\" overlaps \"lef2\"" })
        #expect(problems.contains { $0.hasPrefix("\"tiny\" is 4.0 pt") })
        #expect(!problems.contains { $0.hasPrefix("\"up\"") })
    }

    @Test("figures drawn from shipped files and the engine keep the slide rules", arguments: [
        "A1", "A2", "A3", "A4", "A5", "A6", "A7-counting", "A7-lenet5", "A7-alexnet", "B1", "D1-lenet5-1998", "D1-resnet20", "D2", "E2", "E4",
    ])
    func shippedFigures(_ name: String) throws {
        // Absolute paths: the working directory is shared by tests running in parallel.
        let root = repositoryRoot()
        func shipped(_ path: String) -> String { root.appendingPathComponent(path).path }
        let figures: [any Figure]
        switch name {
        case "A1": figures = [try LectureExample.a1.walkthrough()]
        case "A2": figures = [try LectureExample.a2.walkthrough(), try LectureExample.a2Padded.walkthrough()]
        case "A3": figures = [try LectureExample.a3.walkthrough()]
        case "A4": figures = [try LectureExample.a4Vertical.walkthrough(), try LectureExample.a4Horizontal.walkthrough()]
        case "A5": figures = try [LectureExample.a5Max, .a5Average, .a5Quiz].map { try $0.walkthrough() }
        case "A6": figures = [OutputShapeDiagram(cases: try ShapeCase.lectureCases())]
        case "A7-counting": figures = [CountingExamplesFigure(examples: try CountingExample.lectureExamples())]
        case "A7-lenet5": figures = [try ParameterTable(model: "lenet5")]
        case "A7-alexnet": figures = [try ParameterTable(model: "alexnet")]
        case "B1": figures = [try ClassicKernelsFigure(imagePaths: [shipped("datasets/images/camera.png"), shipped("datasets/images/chelsea.png")])]
        case "D1-lenet5-1998": figures = [try ArchitectureFigure(spec: try ModelReference.spec("lenet5-1998"))]
        case "D1-resnet20": figures = [try ArchitectureFigure(spec: try ModelReference.spec("resnet20"))]
        case "D2": figures = [BlockComparisonFigure(residual: try BlockDiagram.residual(model: "resnet20"),
                                                    dense: try DenseBlockDiagram.denseNetBC(layers: 3, inputChannels: 24, growthRate: 12))]
        case "E2": figures = [try ImageNetHistoryFigure(file: shipped(ImageNetResult.defaultFile))]
        default:
            let tables = try ["data/results_mnist.csv", "data/results_cifar10.csv"].map { try ResultsTable(file: shipped($0)) }
            figures = [ResultsTableFigure(tables: tables)]
        }
        for figure in figures {
            let problems = try figure.layoutProblems()
            #expect(problems.isEmpty, "\(name): \(problems.prefix(5).joined(separator: "; "))")
        }
    }
}

@Suite("The catalogue: one list")
struct CatalogueListTests {
    @Test("the report's catalogue knows every id a suite can ask for, and no other")
    func everyIDIsDrawnOrExplained() throws {
        // Run from wherever the tests run: figures needing files of the working directory explain why they are missing.
        let folder = try temporaryFolder("CatalogueListTests")
        let empty = SuiteResults(suite: "none", description: "", created: "", machine: "", toolkitVersion: "")
        for id in CatalogueIDs.all {
            // With no trained models, a figure that needs one explains why; none may be unknown.
            switch try FigureCatalogue.figures(for: id, results: empty, folder: folder) {
            case .success(let list):
                #expect(!list.isEmpty, "\(id)")
                #expect(list.allSatisfy { $0.figure.catalogueID == id || CatalogueIDs.drawnWith[$0.figure.catalogueID] == id }, "\(id)")
                #expect(list.allSatisfy { $0.fileStem?.hasPrefix(id) == true || $0.fileStem?.hasPrefix("E5") == true }, "\(id)")
            case .failure(let why):
                #expect(!why.reason.contains("not in the catalogue"), "\(id): \(why.reason)")
            }
        }
        guard case .failure(let why) = try FigureCatalogue.figures(for: "Z9", results: empty, folder: folder) else {
            Issue.record("Z9 drawn"); return
        }
        #expect(why.reason.contains("not in the catalogue"))
    }
}

@Suite("Heatmap column labels")
struct HeatmapLabelTests {
    @Test("class names wider than their cells turn to read bottom to top instead of running into each other")
    func longColumnLabelsDoNotOverlap() throws {
        let folder = try temporaryFolder("HeatmapLabelTests")
        let names = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
        for (labels, rotated) in [(names, true), ((0...9).map { "cls \($0)" }, false)] {
            let canvas = try Canvas(path: folder.appendingPathComponent("h.png").path, size: .inches(7, 6.4), dpi: 30)
            Heatmap(values: (0..<100).map(Double.init), rows: 10, columns: 10, rowLabels: labels, columnLabels: labels)
                .draw(on: canvas, in: canvas.bounds)
            #expect(!canvas.layoutProblems().contains { $0.contains("overlaps") }, "\(canvas.layoutProblems().prefix(3))")
            let label = try #require(canvas.textBoxes.last { $0.text == labels[0] })
            #expect((label.rect.height > label.rect.width) == rotated)
        }
    }
}
