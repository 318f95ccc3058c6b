import CNNPlot
import Foundation
import Testing
import _TestSupport

@Suite("Text measuring and fitting, grid layout")
struct TextAndLayoutTests {
    private func canvas() throws -> Canvas {
        try Canvas(path: try temporaryFolder("CNNPlotTests").appendingPathComponent("t.pdf").path, size: Size(width: 200, height: 200))
    }

    @Test("text width grows with the font size, and lines add height")
    func measuring() throws {
        let c = try canvas()
        let small = c.measure("convolution", font: Font(size: 10))
        let large = c.measure("convolution", font: Font(size: 20))
        #expect(small.width > 0)
        #expect(abs(large.width - 2 * small.width) < 0.01 * large.width)
        #expect(c.measure("a\nb", font: Font(size: 10)).lineCount == 2)
        #expect(c.measure("a\nb", font: Font(size: 10)).height > small.height)
        #expect(small.capHeight > 0 && small.capHeight < small.ascent)
        #expect(c.measure("W", font: Font(size: 10, bold: true)).width > c.measure("W", font: Font(size: 10)).width)
    }

    @Test("a fitted size makes every text fit its box, and never grows past the maximum")
    func fitting() throws {
        let c = try canvas()
        let texts = ["300", "−1000", "12.5"]
        let box = Size(width: 30, height: 20)
        let size = c.fittedFontSize(for: texts, in: box, font: Font(size: 40))
        #expect(size < 40)
        for text in texts {
            let m = c.measure(text, font: Font(size: size))
            #expect(m.width <= box.width && m.height <= box.height)
        }
        #expect(c.fittedFontSize(for: ["1"], in: Size(width: 500, height: 500), font: Font(size: 12)) == 12)
    }

    @Test("wrapped lines stay within the width")
    func wrapping() throws {
        let c = try canvas()
        let font = Font(size: 10)
        let lines = c.wrapped("hand-designed descriptors with a linear support vector machine", width: 80, font: font)
        #expect(lines.count > 1)
        #expect(lines.allSatisfy { c.measure($0, font: font).width <= 80 })
        #expect(lines.joined(separator: " ") == "hand-designed descriptors with a linear support vector machine")
        // Balanced: the same number of lines, none wider than the greedy widest, no orphan last word.
        let text = "each filter scaled by its own largest weight, mid-grey zero, orphan"
        let greedy = c.wrapped(text, width: 300, font: font)
        #expect(greedy.count == 2 && greedy.last == "orphan", "\(greedy)")
        let balanced = c.balancedWrapped(text, width: 300, font: font)
        #expect(balanced.count == 2 && balanced.joined(separator: " ") == text)
        #expect(balanced.allSatisfy { c.measure($0, font: font).width <= 300 })
        #expect(balanced.last!.split(separator: " ").count > 1, "\(balanced)")
        #expect(c.balancedWrapped("short", width: 300, font: font) == ["short"])
    }

    @Test("grid cells keep their aspect ratio and stay inside the rectangle")
    func gridLayout() {
        let rect = Rect(x: 10, y: 20, width: 300, height: 200)
        let layout = GridLayout(rows: 2, columns: 3, cellAspectRatio: 1, in: rect, gap: 6, captionHeight: 12)
        let frame = layout.frame
        #expect(frame.minX >= rect.minX - 1e-9 && frame.maxX <= rect.maxX + 1e-9)
        #expect(frame.minY >= rect.minY - 1e-9 && frame.maxY <= rect.maxY + 1e-9)
        #expect(layout.cellSize.width == layout.cellSize.height)
        let a = layout.cellRect(row: 0, column: 0), b = layout.cellRect(row: 0, column: 1)
        #expect(abs(b.minX - a.maxX - 6) < 1e-9)
        let caption = layout.captionRect(row: 0, column: 0)
        #expect(caption.minY == a.maxY && caption.height == 12)
        #expect(!layout.cellRect(row: 1, column: 0).intersects(caption))
        #expect(layout.rect(rows: 0..<2, columns: 1..<3).width == 2 * layout.cellSize.width + 6)
    }
}
