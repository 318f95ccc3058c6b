// A matrix of numbers in cells, for convolution and pooling worked by hand.

/// A rectangle drawn over a block of grid cells, such as the current 3 x 3 window.
public struct GridHighlight: Sendable, Equatable {
    /// The rows covered (0-based, end excluded).
    public var rows: Range<Int>
    /// The columns covered (0-based, end excluded).
    public var columns: Range<Int>
    /// Outline colour; nil uses the style's highlight colour.
    public var color: RGBColor?
    /// A translucent fill under the numbers, or nil for none.
    public var fill: RGBColor?
    /// Outline width; nil uses the style's highlight width.
    public var lineWidth: Double?

    /// Creates a highlight over `rows` x `columns`.
    public init(rows: Range<Int>, columns: Range<Int>, color: RGBColor? = nil, fill: RGBColor? = nil,
                lineWidth: Double? = nil) {
        self.rows = rows
        self.columns = columns
        self.color = color
        self.fill = fill
        self.lineWidth = lineWidth
    }

    /// A highlight of one cell.
    public static func cell(row: Int, column: Int, color: RGBColor? = nil, fill: RGBColor? = nil) -> GridHighlight {
        GridHighlight(rows: row..<(row + 1), columns: column..<(column + 1), color: color, fill: fill)
    }
}

extension Canvas {
    /// Draws a row-major matrix of numbers in square cells, centred in `rect`, and returns the cell layout.
    ///
    /// All numbers share one font size, the largest (up to `maximumFontSize`) at which the widest fits its cell.
    /// - Parameters:
    ///   - labels: Texts to show instead of the formatted values (same count), e.g. "" for empty cells.
    ///   - cellColors: A background per cell (nil entries stay white), e.g. grey for padding.
    ///   - highlights: Outlined blocks, drawn on top.
    ///   - maximumFontSize: Largest font size; nil uses the style's cell font.
    ///   - fractionDigits: Most decimals shown when formatting values.
    @discardableResult
    public func numberGrid(_ values: [Double], rows: Int, columns: Int, in rect: Rect,
                           labels: [String]? = nil, cellColors: [RGBColor?]? = nil,
                           highlights: [GridHighlight] = [], maximumFontSize: Double? = nil,
                           fractionDigits: Int = 2) -> GridLayout {
        precondition(values.count == rows * columns,
                     "numberGrid: expected \(rows) x \(columns) = \(rows * columns) values, got \(values.count)")
        precondition(labels == nil || labels!.count == values.count,
                     "numberGrid: expected \(values.count) labels, got \(labels!.count)")
        precondition(cellColors == nil || cellColors!.count == values.count,
                     "numberGrid: expected \(values.count) cell colours, got \(cellColors!.count)")
        let texts = labels ?? values.map { formatNumber($0, maximumFractionDigits: fractionDigits) }
        // Highlight outlines straddle cell edges; keep them inside `rect`.
        let outline = highlights.map { $0.lineWidth ?? style.highlightLineWidth }.max() ?? style.cellLineWidth
        let layout = GridLayout(rows: rows, columns: columns, in: rect.insetBy(dx: outline / 2, dy: outline / 2))

        for index in 0..<values.count {
            fill(layout.cellRect(index: index), color: cellColors?[index] ?? style.background)
        }
        for highlight in highlights {
            if let fill = highlight.fill { self.fill(layout.rect(rows: highlight.rows, columns: highlight.columns), color: fill) }
        }
        let frame = layout.frame
        for r in 0...rows {
            let y = frame.minY + Double(r) * layout.cellSize.height
            line(from: Point(x: frame.minX, y: y), to: Point(x: frame.maxX, y: y),
                 color: style.cellLineColor, lineWidth: style.cellLineWidth)
        }
        for c in 0...columns {
            let x = frame.minX + Double(c) * layout.cellSize.width
            line(from: Point(x: x, y: frame.minY), to: Point(x: x, y: frame.maxY),
                 color: style.cellLineColor, lineWidth: style.cellLineWidth)
        }

        let inner = Size(width: layout.cellSize.width * 0.76, height: layout.cellSize.height * 0.6)
        let size = fittedFontSize(for: texts, in: inner, font: style.cellFont.withSize(maximumFontSize ?? style.cellFont.size))
        for (index, text) in texts.enumerated() {
            let cell = layout.cellRect(index: index)
            let background = cellColors?[index] ?? style.background
            self.text(text, at: cell.center, font: style.cellFont.withSize(size),
                      color: background == style.background ? style.foreground : background.contrastingText,
                      horizontal: .center, vertical: .middle)
        }
        for highlight in highlights {
            box(layout.rect(rows: highlight.rows, columns: highlight.columns),
                stroke: highlight.color ?? style.highlightColor,
                lineWidth: highlight.lineWidth ?? style.highlightLineWidth)
        }
        return layout
    }
}
