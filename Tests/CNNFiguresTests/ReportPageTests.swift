// The report's pages keep the slide rule: a figure page is as wide as its figure at its own size, so
// no text of the figure, its heading or its caption is smaller than 18 px when the page is shown
// 1500 px wide; text pages (A4) keep the same rule for their tables and footers.
import CNNModels
import CNNPlot
import Foundation
import Testing
import _TestSupport
@testable import CNNFigures

@Suite("Report pages: each one projectable")
struct ReportPageTests {
    @Test("a figure page is its figure's width, and every text on it is legible at that width")
    func figurePagesKeepTheirFiguresText() throws {
        let folder = try temporaryFolder("ReportPageTests")
        let doc = try ReportDocument(path: folder.appendingPathComponent("r.pdf").path, footer: "CNNBench test")
        try doc.paragraph("A text page first.")
        try doc.table(["model", "img/s"], [["resnet20", "265,819"]], numeric: [1])
        let wide = try ArchitectureFigure(spec: try ModelZoo.spec("resnet20"))
        let narrow = ResultsTableFigure(tables: [ResultsTable(title: "t", dataset: nil, header: ["a", "Error rate (%)"],
                                                               rows: [["x", "1.0"]], measured: [false], errorColumn: 1)])
        for (figure, heading) in [(wide as any Figure, "D. Architectures"), (narrow as any Figure, nil)] {
            try doc.figurePage(figure, caption: "\(figure.catalogueID). \(figure.caption)", heading: heading,
                               source: heading.map { "From: \($0)." })
            #expect(doc.page.width == figure.preferredSize.width)
            #expect(doc.page.height > figure.preferredSize.height)
        }
        try doc.newPage()
        #expect(doc.page == ReportDocument.a4)
        try doc.finish()

        // Each text against its own page's width (pages 2 and 3 are the figures; the footers of 1-4 too).
        let widths = [1: ReportDocument.a4.width, 2: wide.preferredSize.width, 3: narrow.preferredSize.width, 4: ReportDocument.a4.width]
        for box in doc.canvas.textBoxes {
            let width = try #require(widths[box.page])
            let smallest = Canvas.slideTextPixels / Canvas.slideWidthPixels * width
            #expect(box.fontSize >= smallest * 0.98, "page \(box.page): \"\(box.text)\" is \(box.fontSize) pt, below \(smallest)")
        }
        #expect(doc.canvas.pageCount == 4)
    }
}
