// Laying out rows x columns of equal cells (with optional captions) inside a rectangle.

/// The positions of rows x columns of equal cells, each with an optional caption strip below it.
public struct GridLayout: Sendable, Equatable {
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let columns: Int
    /// Size of one cell (not counting its caption).
    public let cellSize: Size
    /// Space between neighbouring cells, horizontally and vertically (below the caption).
    public let gap: Double
    /// Height of the caption strip under each cell (0 for none).
    public let captionHeight: Double
    /// Top-left corner of the first cell.
    public let origin: Point

    /// Lays out the largest cells of the given aspect ratio (width / height) that fit in `rect`, centred.
    public init(rows: Int, columns: Int, cellAspectRatio: Double = 1, in rect: Rect, gap: Double = 0,
                captionHeight: Double = 0) {
        precondition(rows > 0 && columns > 0, "GridLayout: needs at least one row and column, got \(rows) x \(columns)")
        let widthLimit = (rect.width - Double(columns - 1) * gap) / Double(columns)
        let heightLimit = ((rect.height - Double(rows - 1) * gap) / Double(rows) - captionHeight) * cellAspectRatio
        let cellWidth = max(0, min(widthLimit, heightLimit))
        let cell = Size(width: cellWidth, height: cellWidth / cellAspectRatio)
        let totalWidth = Double(columns) * cell.width + Double(columns - 1) * gap
        let totalHeight = Double(rows) * (cell.height + captionHeight) + Double(rows - 1) * gap
        self.init(rows: rows, columns: columns, cellSize: cell, gap: gap, captionHeight: captionHeight,
                  origin: Point(x: rect.minX + (rect.width - totalWidth) / 2,
                                y: rect.minY + (rect.height - totalHeight) / 2))
    }

    /// Creates a layout from explicit cell size, gap and origin.
    public init(rows: Int, columns: Int, cellSize: Size, gap: Double, captionHeight: Double, origin: Point) {
        self.rows = rows
        self.columns = columns
        self.cellSize = cellSize
        self.gap = gap
        self.captionHeight = captionHeight
        self.origin = origin
    }

    /// The rectangle of the cell at `row`, `column` (0-based).
    public func cellRect(row: Int, column: Int) -> Rect {
        Rect(x: origin.x + Double(column) * (cellSize.width + gap),
             y: origin.y + Double(row) * (cellSize.height + captionHeight + gap),
             width: cellSize.width, height: cellSize.height)
    }

    /// The rectangle of cell number `index`, counting along rows.
    public func cellRect(index: Int) -> Rect {
        cellRect(row: index / columns, column: index % columns)
    }

    /// The caption strip under the cell at `row`, `column`.
    public func captionRect(row: Int, column: Int) -> Rect {
        let cell = cellRect(row: row, column: column)
        return Rect(x: cell.minX, y: cell.maxY, width: cell.width, height: captionHeight)
    }

    /// The rectangle covering cells `rows` x `columns`, for highlighting a window.
    public func rect(rows: Range<Int>, columns: Range<Int>) -> Rect {
        let first = cellRect(row: rows.lowerBound, column: columns.lowerBound)
        let last = cellRect(row: rows.upperBound - 1, column: columns.upperBound - 1)
        return Rect(x: first.minX, y: first.minY, width: last.maxX - first.minX, height: last.maxY - first.minY)
    }

    /// The rectangle covering all cells and captions.
    public var frame: Rect {
        Rect(x: origin.x, y: origin.y,
             width: Double(columns) * cellSize.width + Double(columns - 1) * gap,
             height: Double(rows) * (cellSize.height + captionHeight) + Double(rows - 1) * gap)
    }
}
