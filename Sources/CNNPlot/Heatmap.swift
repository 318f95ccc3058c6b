// Heatmaps with numbers in their cells, such as confusion matrices.

/// A matrix drawn as coloured square cells with their values written in, row and column labels, and a colour bar.
public struct Heatmap: Sendable, Equatable {
    /// Row-major values, `rows * columns` of them.
    public var values: [Double]
    /// Number of rows (true classes in a confusion matrix).
    public var rows: Int
    /// Number of columns (predicted classes).
    public var columns: Int
    /// Labels at the left of the rows; nil numbers them from 0.
    public var rowLabels: [String]?
    /// Labels under the columns; nil numbers them from 0.
    public var columnLabels: [String]?
    /// Text above the matrix.
    public var title: String?
    /// Label under the column labels (for example "predicted digit").
    public var xLabel: String?
    /// Label left of the row labels (for example "true digit").
    public var yLabel: String?
    /// Colour map of the cells.
    public var colorMap: ColorMap
    /// Values at the ends of the map; nil uses the data's min-max.
    public var range: ValueRange?
    /// Texts in the cells; nil formats the values, an empty array writes none.
    public var cellLabels: [String]?
    /// Whether a colour bar is drawn at the right.
    public var showsColorBar: Bool
    /// Cells drawn in a neutral grey and left out of the colour range (a confusion matrix's diagonal, so
    /// that its off-diagonal counts get the whole colour scale).
    public var maskedCells: Set<Int> = []
    public var maskColor = RGBColor(hex: 0xD9D9D9)

    /// Creates a heatmap.
    public init(values: [Double], rows: Int, columns: Int, rowLabels: [String]? = nil, columnLabels: [String]? = nil,
                title: String? = nil, xLabel: String? = nil, yLabel: String? = nil, colorMap: ColorMap = .blues,
                range: ValueRange? = nil, cellLabels: [String]? = nil, showsColorBar: Bool = true) {
        precondition(values.count == rows * columns,
                     "Heatmap: expected \(rows) x \(columns) = \(rows * columns) values, got \(values.count)")
        precondition(rowLabels.map { $0.count == rows } ?? true, "Heatmap: expected \(rows) row labels")
        precondition(columnLabels.map { $0.count == columns } ?? true, "Heatmap: expected \(columns) column labels")
        precondition(cellLabels.map { $0.isEmpty || $0.count == values.count } ?? true,
                     "Heatmap: expected \(values.count) cell labels")
        self.values = values
        self.rows = rows
        self.columns = columns
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.colorMap = colorMap
        self.range = range
        self.cellLabels = cellLabels
        self.showsColorBar = showsColorBar
    }

    /// Draws the heatmap inside `rect` and returns the layout of its cells.
    @discardableResult
    public func draw(on canvas: Canvas, in rect: Rect) -> GridLayout {
        let style = canvas.style
        let outer = rect.insetBy(dx: style.margin, dy: style.margin)
        let range = self.range ?? .minMax(of: values.indices.filter { !maskedCells.contains($0) }.map { values[$0] })
        let rowTexts = rowLabels ?? (0..<rows).map(String.init)
        let columnTexts = columnLabels ?? (0..<columns).map(String.init)
        let tickFont = style.tickFont

        let rowLabelWidth = rowTexts.map { canvas.measure($0, font: tickFont).width }.max() ?? 0
        let yTitle = yLabel.map { canvas.measure($0, font: style.labelFont).height + style.labelGap } ?? 0
        let left = yTitle + rowLabelWidth + style.labelGap
        let top = canvas.titleHeight(title)
        let xTitle = xLabel.map { canvas.measure($0, font: style.labelFont).height + style.labelGap } ?? 0
        let barWidth = showsColorBar ? canvas.colorBarWidth(for: range) + style.labelGap * 2 : 0
        func cellSize(bottom: Double) -> Double {
            let area = outer.inset(top: top, left: left, bottom: bottom, right: barWidth)
            return max(0, min(area.width / Double(columns), area.height / Double(rows)))
        }
        // Column labels read across when they fit their cells, else bottom to top (Fashion-MNIST's class names).
        let widestColumnLabel = columnTexts.map { canvas.measure($0, font: tickFont).width }.max() ?? 0
        var bottom = canvas.measure("0", font: tickFont).height + style.labelGap + xTitle
        let rotatedColumnLabels = widestColumnLabel > cellSize(bottom: bottom) - style.labelGap
        if rotatedColumnLabels { bottom = widestColumnLabel + style.labelGap + xTitle }
        let available = outer.inset(top: top, left: left, bottom: bottom, right: barWidth)
        let cell = cellSize(bottom: bottom)
        let matrixSize = Size(width: cell * Double(columns), height: cell * Double(rows))
        // Centre the whole composition (labels, matrix, colour bar) horizontally.
        let spare = available.width - matrixSize.width
        let matrix = Rect(x: available.minX + spare / 2, y: available.minY, width: matrixSize.width,
                          height: matrixSize.height)
        let layout = GridLayout(rows: rows, columns: columns, cellSize: Size(width: cell, height: cell), gap: 0,
                                captionHeight: 0, origin: matrix.origin)

        let colors = values.indices.map { maskedCells.contains($0) ? maskColor : colorMap.color(at: range.normalized(values[$0])) }
        for index in values.indices { canvas.fill(layout.cellRect(index: index), color: colors[index]) }
        canvas.box(matrix, stroke: style.cellLineColor, lineWidth: style.axisLineWidth)

        let texts = cellLabels ?? values.map { formatNumber($0) }
        if !texts.isEmpty {
            let size = canvas.fittedFontSize(for: texts, in: Size(width: cell * 0.85, height: cell * 0.5),
                                             font: tickFont.withSize(tickFont.size + 1), minimumSize: 3)
            for (index, text) in texts.enumerated() {
                canvas.text(text, at: layout.cellRect(index: index).center, font: tickFont.withSize(size),
                            color: colors[index].contrastingText, horizontal: .center, vertical: .middle)
            }
        }
        for (row, text) in rowTexts.enumerated() {
            let cellRect = layout.cellRect(row: row, column: 0)
            canvas.text(text, at: Point(x: matrix.minX - style.labelGap, y: cellRect.center.y), font: tickFont,
                        horizontal: .right, vertical: .middle)
        }
        for (column, text) in columnTexts.enumerated() {
            let cellRect = layout.cellRect(row: 0, column: column)
            if rotatedColumnLabels {
                canvas.text(text, at: Point(x: cellRect.center.x, y: matrix.maxY + style.labelGap), font: tickFont,
                            horizontal: .right, vertical: .middle, angle: .pi / 2)
            } else {
                canvas.text(text, at: Point(x: cellRect.center.x, y: matrix.maxY + style.labelGap), font: tickFont,
                            horizontal: .center, vertical: .top)
            }
        }
        if let xLabel {
            canvas.text(xLabel, at: Point(x: matrix.center.x, y: matrix.maxY + bottom), font: style.labelFont,
                        horizontal: .center, vertical: .bottom)
        }
        if let yLabel {
            canvas.text(yLabel, at: Point(x: matrix.minX - left, y: matrix.center.y), font: style.labelFont,
                        horizontal: .center, vertical: .top, angle: .pi / 2)
        }
        if showsColorBar {
            canvas.colorBar(colorMap, range: range,
                            in: Rect(x: matrix.maxX + style.labelGap * 2, y: matrix.minY,
                                     width: barWidth - style.labelGap * 2, height: matrix.height))
        }
        canvas.drawTitle(title, over: matrix, top: outer.minY)
        return layout
    }
}
