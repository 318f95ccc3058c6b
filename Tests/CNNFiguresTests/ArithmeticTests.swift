// A1-A7: the numbers the arithmetic figures are drawn from, and the files they write.
import CNNEngine
import CNNFigures
import CNNPlot
import Foundation
import Testing
import _TestSupport

@Suite("Arithmetic figures (A1-A7)")
struct ArithmeticTests {
    @Test("A1 Sobel walkthrough: frames carry 300, 300, 100, 0, 400, ... (the slide's last 300 is a typo for 400)")
    func a1Frames() throws {
        let w = try LectureExample.a1.walkthrough()
        #expect(w.steps.map(\.value) == [300, 300, 100, 0, 400, 400, 400, 400, 100, 100, 300, 400])
        #expect(w.frameCount == 13)
        #expect(w.catalogueID == "A1")
        #expect(w.steps[2].windowRows == 0..<3 && w.steps[2].windowColumns == 2..<5)
        // The slide's second and third frames, as written there.
        #expect(w.equationLines(for: w.steps[1]) == [
            "300 = 100×1 + 100×2 + 100×1 +", "100×0 + 100×0 + 100×0 +", "0×(−1) + 0×(−2) + 100×(−1)",
        ])
        #expect(w.equationLines(for: w.steps[2]) == [
            "100 = 100×1 + 100×2 + 100×1 +", "100×0 + 100×0 + 100×0 +", "0×(−1) + 100×(−2) + 100×(−1)",
        ])
        // The written-out sum adds up to the engine's value in every frame.
        for step in w.steps {
            #expect(step.terms.reduce(0) { $0 + $1.input * $1.weight! } == step.value)
        }
    }

    @Test("A2 3x3 * 2x2, without and with zero padding 1")
    func a2() throws {
        #expect(try LectureExample.a2.walkthrough().output == [[19, 25], [37, 43]])
        let padded = try LectureExample.a2Padded.walkthrough()
        #expect(padded.output == [[0, 3, 8, 4], [9, 19, 25, 10], [21, 37, 43, 16], [6, 7, 8, 0]])
        #expect(padded.paddedInput.count == 5 && padded.paddedInput[0] == [0, 0, 0, 0, 0])
        #expect(padded.steps[0].terms.filter(\.isPadding).count == 3)
    }

    @Test("A3 blur on a padded 7x7 image: first row 20 28 36 69 111 114 75 (the slide's 21 is a typo)")
    func a3() throws {
        let w = try LectureExample.a3.walkthrough()
        #expect(w.output[0] == [20, 28, 36, 69, 111, 114, 75])
        #expect(w.paddedInput.count == 9 && w.paddedInput[0].count == 9)
        #expect(w.frameCount == 50)
        #expect(w.footnote?.contains("typo") == true)
    }

    @Test("A4 Cartesian axes: line filters, then 2x2 max pooling gives 2 and 4")
    func a4() throws {
        let v = try LectureExample.a4Vertical.walkthrough(), h = try LectureExample.a4Horizontal.walkthrough()
        #expect(v.output == [[2, -2], [-1, 1]])
        #expect(h.output == [[-1, -0.5], [3.5, 4]])
        #expect(v.pooledOutput == [[2]] && h.pooledOutput == [[4]])
        #expect(v.equationLines(for: v.steps[0]).first == "2 = 0×(−0.5) + 1×1 + 0×(−0.5) +")
    }

    @Test("A4 draws the pooled cell: the max of the output (2 and 4) in the last frame, the cell it keeps outlined")
    func a4PooledCell() throws {
        for (example, expected) in [(LectureExample.a4Vertical, 2.0), (.a4Horizontal, 4.0)] {
            let w = try example.walkthrough()
            let pooled = try #require(w.pooledOutput?.first?.first)
            #expect(pooled == w.outputValues.max() && pooled == expected, "\(example)")
            let source = try #require(w.pooledSource)
            #expect(w.output[source.row][source.column] == pooled)
            // The grids' own copies of the value, then one more in the pooled cell of the last frame only.
            let value = formatNumber(pooled)
            let inGrids = (w.paddedInput.flatMap { $0 } + (w.kernel?.flatMap { $0 } ?? []) + w.outputValues)
                .filter { formatNumber($0) == value }.count
            let last = try w.drawnTexts(frame: w.frameCount - 1)
            #expect(last.filter { $0 == value }.count == inGrids + 1, "\(example)")
            #expect(last.contains("Pooled") && last.contains("2×2 max pool"))
            #expect(last.contains { $0.hasPrefix("2×2 max pooling: \(value) = max(") })
            let first = try w.drawnTexts(frame: 0)
            #expect(first.contains("Pooled") && !first.contains { $0.hasPrefix("2×2 max pooling:") })
            #expect(first.filter { $0 == value }.count <= inGrids)
        }
        #expect(try LectureExample.a3.walkthrough().pooledSource == nil)
    }

    @Test("A4 and A7 notes wrap into balanced lines: no last line of one lone word")
    func notesEndWithoutOrphans() throws {
        let figures: [any Figure] = [try LectureExample.a4Vertical.walkthrough(), try LectureExample.a4Horizontal.walkthrough(),
                                     CountingExamplesFigure(examples: try CountingExample.lectureExamples()),
                                     try ParameterTable(model: "lenet5"), try ParameterTable(model: "alexnet")]
        for figure in figures {
            for text in try figure.drawnTexts(frame: figure.frameCount - 1) where text.contains("\n") {
                let last = text.split(separator: "\n").last ?? ""
                #expect(last.contains(" "), "\(figure.title): \"\(text)\" ends with a lone word")
            }
        }
    }

    @Test("A5 pooling: max and average with stride 1, and the stride-2 quiz")
    func a5() throws {
        let max = try LectureExample.a5Max.walkthrough(), avg = try LectureExample.a5Average.walkthrough()
        #expect(max.output == [[4, 5], [7, 8]])
        #expect(avg.output == [[2, 3], [5, 6]])
        #expect(max.equationLines(for: max.steps[0]) == ["4 = max(0, 1, 3, 4)"])
        #expect(avg.equationLines(for: avg.steps[0]) == ["2 = (0 + 1 + 3 + 4) / 4"])
        let quiz = try LectureExample.a5Quiz.walkthrough()
        #expect(quiz.output == [[16, 8], [20, 25]])
        #expect(quiz.steps[3].windowRows == 2..<4 && quiz.steps[3].windowColumns == 2..<4)
    }

    @Test("A5 quiz: a first frame asks the question over the input and an empty output, no answer drawn; then one frame per cell")
    func a5QuizAsksFirst() throws {
        let quiz = try LectureExample.a5Quiz.walkthrough()
        #expect(quiz.frameCount == 1 + 4 + 1)
        #expect(quiz.question == "2×2 average pooling, stride 2: what is the output?")
        // The numbers drawn in a frame, as sorted texts (the input's 20 is also an answer, so count them).
        func numbers(_ texts: [String]) -> [String] { texts.filter { Double($0.replacingOccurrences(of: "−", with: "-")) != nil }.sorted() }
        let inputNumbers = quiz.input.flatMap { $0 }.map { formatNumber($0) }.sorted()

        let question = try quiz.drawnTexts(frame: 0)
        #expect(question.contains(quiz.question))
        #expect(numbers(question) == inputNumbers)
        #expect(!question.contains { $0.contains(" = ") })
        let firstStep = try quiz.drawnTexts(frame: 1)
        #expect(numbers(firstStep) == (inputNumbers + ["16"]).sorted())
        #expect(firstStep.contains("16 = (12 + 20 + 20 + 12) / 4") && !firstStep.contains(quiz.question))
        let summary = try quiz.drawnTexts(frame: quiz.frameCount - 1)
        #expect(numbers(summary) == (inputNumbers + ["16", "8", "20", "25"]).sorted())
        // The other walkthroughs show their first cell at once.
        #expect(try LectureExample.a5Max.walkthrough().drawnTexts().contains("4 = max(0, 1, 3, 4)"))
    }

    @Test("Matrices from the command line and from files; errors name the option and the problem")
    func matrixParsing() throws {
        #expect(try NumberMatrix.parse("1,2,3;4,5,6", what: "--input") == [[1, 2, 3], [4, 5, 6]])
        #expect(try NumberMatrix.parse("1 2\n# a comment line\n-3\t4.5\n\n", what: "in.txt") == [[1, 2], [-3, 4.5]])
        #expect(throws: ConfigurationError("--input: row 2 has 1 numbers, row 1 has 2; rows must be equally long")) {
            try NumberMatrix.parse("1,2;3", what: "--input")
        }
        #expect(throws: ConfigurationError("k.txt: \"x\" in row 1 is not a number")) { try NumberMatrix.parse("1 x", what: "k.txt") }
        #expect(throws: ConfigurationError("--kernel: no numbers found")) { try NumberMatrix.parse(" ; ", what: "--kernel") }
        #expect(throws: ConfigurationError("the 3x3 window is larger than the 2x2 padded input")) {
            try ConvolutionWalkthrough(title: "t", input: [[1, 2], [3, 4]], operation: .convolution(kernel: [[1, 1, 1], [1, 1, 1], [1, 1, 1]]))
        }
    }

    @Test("Custom input with padding and stride: the engine's output and the window positions")
    func customWalkthrough() throws {
        let w = try ConvolutionWalkthrough(title: "A1. custom", input: [[1, 2, 3], [4, 5, 6], [7, 8, 9]],
                                           operation: .convolution(kernel: [[0, 1], [2, 3]]), padding: 1, stride: 2)
        // Windows of the padded input at rows/columns 0 and 2: [0 0; 0 1], [0 0; 2 3], [0 4; 0 7], [5 6; 8 9].
        #expect(w.output == [[3, 13], [25, 49]])
        #expect(w.steps[3].windowRows == 2..<4 && w.steps[3].windowColumns == 2..<4)
    }

    @Test("A6 output shapes: the lecture's three cases from Conv2D.outputShape, and the formula filled in")
    func a6() throws {
        let cases = try ShapeCase.lectureCases()
        #expect(cases.map(\.outputSize) == [3, 5, 3])
        #expect(cases.map(\.effectiveKernelSize) == [3, 3, 5])
        for c in cases { #expect(c.formulaValue == c.outputSize) }
        #expect(cases[0].outputFormula == "o = ⌊(n − k_eff + p + s) / s⌋ = ⌊(7 − 3 + 0 + 2) / 2⌋ = 3")
        #expect(cases[1].outputFormulaFilledIn == "⌊(5 − 3 + 2 + 1) / 1⌋ = 5")
        #expect(cases[2].effectiveKernelFormula == "k_eff = d(k − 1) + 1 = 2·(3 − 1) + 1 = 5")
        let alexConv1 = try ShapeCase(inputSize: 224, kernelSize: 11, stride: 4, padding: 2)
        #expect(alexConv1.outputSize == 55 && alexConv1.formulaValue == 55)
    }

    @Test("A7 counting examples: 20,000,500; 1,820 vs 767; 3x5x5+1; 10x(3x5x5+1), counted by the engine")
    func a7Counting() throws {
        let examples = try CountingExample.lectureExamples()
        #expect(examples.map(\.parameters) == [20_000_500, 1_820, 767, 76, 760])
        for e in examples { #expect(e.formulaValue == e.parameters) }
        #expect(examples.map(\.formula) == ["200×200×500 + 500", "9×9×20 + 20×10", "3×3×3 + 27×20 + 20×10",
                                            "3×5×5 + 1", "10×(3×5×5 + 1)"])
    }

    @Test("A7 tables: totals as torchvision's; ResNet-18's blocks fold to fit a page")
    func a7Tables() throws {
        let expected = ["lenet5": 61_706, "alexnet": 61_100_840, "vgg16": 138_357_544, "resnet18": 11_689_512]
        for (model, total) in expected {
            let table = try ParameterTable(model: model)
            #expect(table.summary.parameters == total, "\(model)")
            #expect(table.rows.count <= 48, "\(model)")
        }
        let resnet = try ParameterTable(model: "resnet18")
        #expect(resnet.depth == 0 && resnet.isFolded)
        #expect(resnet.rows.filter { $0.kind == "Residual" }.count == 8)
        #expect(resnet.rows.reduce(0) { $0 + $1.parameters } == 11_689_512)
        let unfolded = try ParameterTable(model: "resnet18", depth: 2)
        #expect(!unfolded.isFolded && unfolded.rows.count > 48)
        #expect(throws: ConfigurationError.self) { try ParameterTable(model: "lenet6") }
    }

    @Test("Files: A1 as a 13-page PDF and numbered PNGs; A6 and A7 PNGs of the requested size")
    func files() throws {
        let dir = try temporaryFolder("ArithmeticTests")
        let a1 = try LectureExample.a1.walkthrough()
        let pdf = dir.appendingPathComponent("a1.pdf").path
        #expect(try a1.write(to: pdf) == [pdf])
        let data = try Data(contentsOf: URL(fileURLWithPath: pdf))
        #expect(data.starts(with: Array("%PDF".utf8)))
        #expect(pdfPageCount(pdfText(data)) == 13)
        let pngs = try a1.write(to: dir.appendingPathComponent("a1.png").path, size: Size(width: 400, height: 240), dpi: 72, frames: 11..<13)
        #expect(pngs.map { URL(fileURLWithPath: $0).lastPathComponent } == ["a1-12.png", "a1-13.png"])
        for path in pngs { #expect(pngSize(atPath: path) == PixelSize(400, 240)) }

        let shapes = dir.appendingPathComponent("a6.png").path
        try OutputShapeDiagram(cases: try ShapeCase.lectureCases()).write(to: shapes, size: Size(width: 600, height: 300), dpi: 144)
        #expect(pngSize(atPath: shapes) == PixelSize(1200, 600))
        let table = dir.appendingPathComponent("a7.png").path
        try ParameterTable(model: "resnet18").write(to: table, size: Size(width: 500, height: 400), dpi: 72)
        #expect(pngSize(atPath: table) == PixelSize(500, 400))
        let counting = dir.appendingPathComponent("a7.svg").path
        try CountingExamplesFigure(examples: try CountingExample.lectureExamples()).write(to: counting)
        #expect(try String(contentsOfFile: counting, encoding: .utf8).contains("<svg"))
        let book = dir.appendingPathComponent("book.pdf").path
        try FigureSequence([try ParameterTable(model: "lenet5"), try ParameterTable(model: "vgg16")]).write(to: book)
        #expect(pdfPageCount(pdfText(try Data(contentsOf: URL(fileURLWithPath: book)))) == 2)
    }
}

@Suite("A7 table notes")
struct ParameterTableNoteTests {
    @Test func provenanceIsTrueForEachModel() {
        #expect(ParameterTable.provenance("vgg16").contains("torchvision"))
        #expect(ParameterTable.provenance("alexnet").contains("64-192-384-256-256"))
        // torchvision has no LeNet-5 and no CIFAR ResNets: those are checked against the reference kit's models.
        #expect(!ParameterTable.provenance("lenet5").contains("torchvision"))
        #expect(!ParameterTable.provenance("resnet20").contains("torchvision"))
    }
}
