// A paginated PDF document: text pages on A4 (headings, wrapped paragraphs, tables that fit the page
// width, with smaller type and then page breaks with the header repeated) and figure pages, each the
// size of its figure so that it can be projected as it is; page numbers on every page.
import CNNPlot
import Foundation

/// Writes a multi-page report, flowing content down the page and breaking pages where needed.
public final class ReportDocument {
    public static let a4 = Size(width: 595.3, height: 841.9)
    let canvas: Canvas
    /// The current page's size (A4 for text, the figure's own on a figure page).
    var page: Size { canvas.size }
    let margin = 56.0
    var y: Double
    var pageNumber = 1
    /// Set on a figure page: its footer sits this far from the page's edges, not in the text pages' margin.
    var figureMargin: Double?
    let footer: String
    let body = Font(size: 10)
    let small = Font(size: 8.5)

    /// Starts a PDF at `path`; `footer` is printed on every page beside the page number.
    public init(path: String, footer: String) throws {
        canvas = try Canvas(path: path, size: Self.a4, dpi: 72)
        self.footer = footer
        y = margin
    }

    var width: Double { page.width - 2 * margin }
    var bottom: Double { page.height - margin - 18 }

    /// Finishes the last page and writes the file.
    public func finish() throws {
        drawFooter()
        try canvas.finish()
    }

    /// Starts a new A4 text page.
    public func newPage() throws {
        drawFooter()
        figureMargin = nil
        try canvas.newPage(size: Self.a4)
        pageNumber += 1
        y = margin
    }

    /// The current page's footer: in the text margin of an A4 page, or `figureMargin` from a figure page's edges.
    private func drawFooter() {
        let f = Font(size: max(8, canvas.smallestLegibleFontSize))
        let side = figureMargin ?? margin
        let base = figureMargin.map { page.height - $0 } ?? page.height - margin + 16
        if figureMargin == nil {
            canvas.line(from: Point(x: side, y: page.height - margin + 4), to: Point(x: page.width - side, y: page.height - margin + 4),
                        color: canvas.style.gridColor, lineWidth: 0.6)
        }
        canvas.text(footer, at: Point(x: side, y: base), font: f, color: canvas.style.mutedForeground)
        canvas.text("\(pageNumber)", at: Point(x: page.width - side, y: base), font: f,
                    color: canvas.style.mutedForeground, horizontal: .right)
    }

    /// Moves to a new page unless `height` points still fit on this one.
    func ensure(_ height: Double) throws {
        if y + height > bottom && y > margin { try newPage() }
    }

    /// A centred title block for the first page.
    public func titlePage(title: String, subtitle: String, facts: [(String, String)]) throws {
        y = page.height * 0.28
        for line in canvas.balancedWrapped(title, width: width, font: Font(size: 26, bold: true)) {
            canvas.text(line, at: Point(x: page.width / 2, y: y), font: Font(size: 26, bold: true), horizontal: .center, vertical: .top)
            y += 34
        }
        y += 10
        for line in canvas.balancedWrapped(subtitle, width: width * 0.85, font: Font(size: 12)) {
            canvas.text(line, at: Point(x: page.width / 2, y: y), font: Font(size: 12), color: canvas.style.mutedForeground,
                        horizontal: .center, vertical: .top)
            y += 17
        }
        y += 30
        let keyWidth = facts.map { canvas.measure($0.0, font: Font(size: 10, bold: true)).width }.max() ?? 0
        let left = margin + width * 0.12
        for (key, value) in facts {
            canvas.text(key, at: Point(x: left, y: y), font: Font(size: 10, bold: true), vertical: .top)
            let lines = canvas.balancedWrapped(value, width: width * 0.76 - keyWidth - 12, font: body)
            for line in lines {
                canvas.text(line, at: Point(x: left + keyWidth + 12, y: y), font: body, vertical: .top)
                y += 14
            }
            y += 3
        }
        try newPage()
    }

    /// A section heading; starts a new page when less than a quarter page is left.
    public func heading(_ text: String, level: Int = 1) throws {
        let font = Font(size: level == 1 ? 16 : 12.5, bold: true)
        try ensure(level == 1 ? page.height * 0.25 : 80)
        y += level == 1 ? 6 : 4
        canvas.text(text, at: Point(x: margin, y: y), font: font, vertical: .top)
        y += font.size * 1.5
    }

    /// A paragraph wrapped to the text width.
    public func paragraph(_ text: String, font: Font? = nil, color: RGBColor? = nil) throws {
        let f = font ?? body
        for line in canvas.balancedWrapped(text, width: width, font: f) {
            try ensure(f.size * 1.4)
            canvas.text(line, at: Point(x: margin, y: y), font: f, color: color, vertical: .top)
            y += f.size * 1.4
        }
        y += f.size * 0.6
    }

    /// A table: type shrinks (down to the page's legible size) until it fits the width (header cells may
    /// break into lines at "\n"); long tables continue on the
    /// next page with the header repeated. Columns in `numeric` are right-aligned.
    public func table(_ header: [String], _ rows: [[String]], numeric: Set<Int> = []) throws {
        var size = 9.0
        func widths(_ f: Font) -> [Double] {
            let bold = Font(size: f.size, bold: true)
            return (0..<header.count).map { c in
                max(canvas.measure(header[c], font: bold).width + 1,
                    rows.map { c < $0.count ? canvas.measure($0[c], font: f).width + 1 : 0 }.max() ?? 0)
            }
        }
        var w = widths(Font(size: size))
        let gap = 8.0
        // Never below 18 px on the page shown 1500 px wide.
        let smallest = (canvas.smallestLegibleFontSize * 2).rounded(.up) / 2
        while w.reduce(0, +) + gap * Double(header.count - 1) > width && size > smallest {
            size -= 0.5
            w = widths(Font(size: size))
        }
        let total = w.reduce(0, +) + gap * Double(header.count - 1)
        if total > width {
            // Still too wide: squeeze the widest column and let its cells be clipped with an ellipsis.
            let widest = w.indices.max { w[$0] < w[$1] }!
            w[widest] -= total - width
        }
        let font = Font(size: size), bold = Font(size: size, bold: true)
        let rowHeight = size * 1.55
        // A cell may hold several lines ("at best val.\n(epoch)"): its row grows to hold them.
        func drawRow(_ cells: [String], font: Font, shade: Bool) {
            let lines = cells.map { $0.split(separator: "\n", omittingEmptySubsequences: false).count }.max() ?? 1
            let rowHeight = rowHeight + Double(lines - 1) * size * 1.2
            if shade { canvas.fill(Rect(x: margin - 3, y: y - 1, width: width + 6, height: rowHeight), color: RGBColor(hex: 0xF3F5F8)) }
            var x = margin
            for (c, cell) in cells.enumerated() where c < w.count {
                var text = cell
                while canvas.measure(text, font: font).width > w[c] && text.count > 1 { text = String(text.dropLast(2)) + "…" }
                let right = numeric.contains(c)
                canvas.text(text, at: Point(x: right ? x + w[c] : x, y: y + rowHeight / 2), font: font,
                            horizontal: right ? .right : .left, vertical: .middle)
                x += w[c] + gap
            }
            y += rowHeight
        }
        func drawHeader() {
            drawRow(header, font: bold, shade: false)
            canvas.line(from: Point(x: margin, y: y - 1), to: Point(x: margin + width, y: y - 1), color: canvas.style.foreground, lineWidth: 0.7)
            y += 2
        }
        try ensure(rowHeight * 3)
        drawHeader()
        for (i, row) in rows.enumerated() {
            if y + rowHeight > bottom {
                try newPage()
                drawHeader()
            }
            drawRow(row, font: font, shade: i % 2 == 1)
        }
        y += size
    }

    /// A figure on a page of its own, as wide as the figure at its own size: the figure's text keeps
    /// its size relative to the page (18 px or more when the page is shown 1500 px wide), so the page
    /// can be projected as it is. Above it, the section's `heading` and `source` where given; below it,
    /// its caption, in type just as legible.
    public func figurePage(_ figure: some Figure, frame: Int = 0, caption: String, heading: String? = nil,
                           source: String? = nil) throws {
        let size = figure.preferredSize
        let legible = Canvas.smallestLegibleFontSize(pageWidth: size.width)
        let side = 2 * legible
        let captionFont = Font(size: max(small.size, legible * 1.1))
        let headingFont = Font(size: max(16, legible * 2), bold: true)
        let sourceFont = Font(size: max(small.size, legible * 1.1), italic: true)
        let textWidth = size.width - 2 * side
        let headingLines = heading.map { canvas.balancedWrapped($0, width: textWidth, font: headingFont) } ?? []
        let sourceLines = source.map { canvas.balancedWrapped($0, width: textWidth, font: sourceFont) } ?? []
        let captionLines = canvas.balancedWrapped(caption, width: textWidth, font: captionFont)
        let headingHeight = Double(headingLines.count) * headingFont.size * 1.3 + Double(sourceLines.count) * sourceFont.size * 1.35
        let top = heading == nil && source == nil ? 0 : side + headingHeight
        let captionHeight = Double(captionLines.count) * captionFont.size * 1.35
        let footerHeight = max(8, legible) * 2.5
        let pageSize = Size(width: size.width, height: top + size.height + captionHeight + side * 0.5 + footerHeight)

        drawFooter()
        try canvas.newPage(size: pageSize)
        pageNumber += 1
        var y = side
        for line in headingLines {
            canvas.text(line, at: Point(x: side, y: y), font: headingFont, vertical: .top)
            y += headingFont.size * 1.3
        }
        for line in sourceLines {
            canvas.text(line, at: Point(x: side, y: y), font: sourceFont, color: canvas.style.mutedForeground, vertical: .top)
            y += sourceFont.size * 1.35
        }
        try canvas.withFitted(size, in: Rect(x: 0, y: top, width: size.width, height: size.height)) { rect in
            try figure.draw(on: canvas, in: rect, frame: frame)
        }
        y = top + size.height
        for line in captionLines {
            canvas.text(line, at: Point(x: side, y: y), font: captionFont, color: canvas.style.mutedForeground, vertical: .top)
            y += captionFont.size * 1.35
        }
        // The footer of this page is drawn by whatever starts the next one (or `finish`), in its own place.
        figureMargin = side * 0.75
        self.y = page.height
    }

    /// Monospaced-looking command lines, one per line.
    public func commands(_ lines: [String]) throws {
        let f = Font(size: 8)
        for line in lines {
            for part in canvas.wrapped(line, width: width - 10, font: f) {
                try ensure(12)
                canvas.text(part, at: Point(x: margin + 10, y: y), font: f, vertical: .top)
                y += 11
            }
        }
        y += 8
    }
}
