import CNNPlot
import Foundation
import Testing
import _TestSupport

@Suite("Canvas writes PNG, PDF and SVG files")
struct CanvasTests {
    private func drawSomething(_ canvas: Canvas) {
        canvas.box(Rect(x: 10, y: 10, width: 100, height: 50), fill: .gray(0.8), stroke: .black, cornerRadius: 4)
        canvas.text("Hello", at: canvas.bounds.center, font: Font(size: 12), horizontal: .center, vertical: .middle)
    }

    @Test("a 6 x 4 in PNG at 150 dpi is 900 x 600 pixels")
    func pngPixelSize() throws {
        let dir = try temporaryFolder("CNNPlotTests")
        let path = dir.appendingPathComponent("figure.png").path
        try Canvas.write(to: path, size: .inches(6, 4), dpi: 150) { drawSomething($0) }
        let size = try #require(pngSize(try Data(contentsOf: URL(fileURLWithPath: path))))
        #expect(size.width == 900 && size.height == 600)
    }

    @Test("PNG pixel size is points x dpi / 72", arguments: [(432.0, 288.0, 72.0), (200.0, 100.0, 300.0), (100.5, 50.0, 96.0)])
    func pngSizeFollowsDPI(width: Double, height: Double, dpi: Double) throws {
        let dir = try temporaryFolder("CNNPlotTests")
        let path = dir.appendingPathComponent("f.PNG").path
        let canvas = try Canvas(path: path, size: Size(width: width, height: height), dpi: dpi)
        drawSomething(canvas)
        try canvas.finish()
        let size = try #require(pngSize(try Data(contentsOf: URL(fileURLWithPath: path))))
        #expect(size.width == Int((width * dpi / 72).rounded()))
        #expect(size.height == Int((height * dpi / 72).rounded()))
        #expect(canvas.pixelSize?.width == size.width)
    }

    @Test("PDF starts with %PDF and has a MediaBox of the size in points")
    func pdfHeaderAndMediaBox() throws {
        let dir = try temporaryFolder("CNNPlotTests")
        let path = dir.appendingPathComponent("figure.pdf").path
        try Canvas.write(to: path, size: Size(width: 432, height: 288)) { drawSomething($0) }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(data.starts(with: Array("%PDF-".utf8)))
        let text = pdfText(data)
        #expect(pdfPageCount(text) == 1)
        let boxes = pdfMediaBoxes(text)
        #expect(!boxes.isEmpty)
        #expect(boxes.allSatisfy { $0 == [0, 0, 432, 288] })
    }

    @Test("a PDF gets one page per frame")
    func multiPagePDF() throws {
        let dir = try temporaryFolder("CNNPlotTests")
        let path = dir.appendingPathComponent("walkthrough.pdf").path
        let canvas = try Canvas(path: path, size: Size(width: 300, height: 200))
        for frame in 0..<5 {
            if frame > 0 { try canvas.newPage() }
            canvas.text("frame \(frame)", at: Point(x: 20, y: 20), font: Font(size: 12))
        }
        #expect(canvas.pageCount == 5)
        try canvas.finish()
        let text = pdfText(try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(pdfPageCount(text) == 5)
        #expect(pdfMediaBoxes(text).count >= 5)
    }

    @Test("SVG is XML with the size in points")
    func svgHeader() throws {
        let dir = try temporaryFolder("CNNPlotTests")
        let path = dir.appendingPathComponent("figure.svg").path
        try Canvas.write(to: path, size: Size(width: 432, height: 288)) { drawSomething($0) }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasPrefix("<?xml"))
        let size = try #require(svgSize(text))
        #expect(size.width == "432pt" || size.width == "432")
        #expect(size.height == "288pt" || size.height == "288")
        #expect(text.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("</svg>"))
        #expect(text.contains("image-rendering:pixelated"))
    }

    @Test("PNG and SVG refuse a second page, naming the file")
    func singlePageFormats() throws {
        let dir = try temporaryFolder("CNNPlotTests")
        for name in ["a.png", "a.svg"] {
            let path = dir.appendingPathComponent(name).path
            let canvas = try Canvas(path: path, size: Size(width: 100, height: 100))
            #expect(throws: PlotError.singlePageFormat(path: path)) { try canvas.newPage() }
        }
    }

    @Test("the file appears only when finished, and no temporary file is left")
    func atomicWrite() throws {
        let dir = try temporaryFolder("CNNPlotTests")
        for name in ["atomic.png", "atomic.pdf", "atomic.svg"] {
            let path = dir.appendingPathComponent(name).path
            let canvas = try Canvas(path: path, size: Size(width: 100, height: 80))
            drawSomething(canvas)
            #expect(!FileManager.default.fileExists(atPath: path))
            try canvas.finish()
            #expect(FileManager.default.fileExists(atPath: path))
        }
        // Overwriting an existing file goes through a temporary name too.
        try Canvas.write(to: dir.appendingPathComponent("atomic.png").path, size: Size(width: 50, height: 50)) { _ in }
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(names == ["atomic.pdf", "atomic.png", "atomic.svg"])
    }

    @Test("an unknown extension is an error that names the file")
    func unknownExtension() throws {
        let dir = try temporaryFolder("CNNPlotTests")
        for name in ["figure.jpg", "figure", "archive.tar.gz"] {
            let path = dir.appendingPathComponent(name).path
            let error = #expect(throws: PlotError.self) { try Canvas(path: path, size: Size(width: 10, height: 10)) }
            #expect(error == .unknownExtension(path: path))
            #expect(error?.description.contains(path) == true)
        }
    }

    @Test("a missing directory is an error that names the file and the directory")
    func missingDirectory() throws {
        let dir = try temporaryFolder("CNNPlotTests")
        let path = dir.appendingPathComponent("no/such/dir/figure.pdf").path
        let error = #expect(throws: PlotError.self) { try Canvas(path: path, size: Size(width: 10, height: 10)) }
        #expect(error?.description.contains(path) == true)
        #expect(error?.description.contains("no/such/dir") == true)
    }

    @Test("a non-positive size is refused")
    func invalidSize() throws {
        let dir = try temporaryFolder("CNNPlotTests")
        #expect(throws: PlotError.self) {
            try Canvas(path: dir.appendingPathComponent("a.png").path, size: Size(width: 0, height: 10))
        }
    }

    @Test("a finished canvas cannot be finished again")
    func finishTwice() throws {
        let dir = try temporaryFolder("CNNPlotTests")
        let path = dir.appendingPathComponent("twice.pdf").path
        let canvas = try Canvas(path: path, size: Size(width: 10, height: 10))
        try canvas.finish()
        #expect(throws: PlotError.alreadyFinished(path: path)) { try canvas.finish() }
    }

    @Test("nothing thrown by the drawing leaves a file behind")
    func failedDrawingWritesNothing() throws {
        struct Stop: Error {}
        let dir = try temporaryFolder("CNNPlotTests")
        let path = dir.appendingPathComponent("never.png").path
        #expect(throws: Stop.self) { try Canvas.write(to: path, size: Size(width: 10, height: 10)) { _ in throw Stop() } }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }
}
