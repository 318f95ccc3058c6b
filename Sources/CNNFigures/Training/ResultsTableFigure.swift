// E4: the lecture's error-rate tables (CIS 522: MNIST and CIFAR-10), read from editable CSV files,
// with this toolkit's measured rows (model, final test error from its model file) added and marked.

import CNNEngine
import CNNModels
import CNNPlot
import CNNRuns
import CNNStore
import Foundation

/// One of this toolkit's results: a model, the data set it was tested on and its final test error.
public struct MeasuredResult: Sendable, Equatable {
    public var model: String
    public var dataset: DataSource?
    public var epochs: Int
    /// Test error in percent, after the last epoch.
    public var testErrorPercent: Double

    public init(model: String, dataset: DataSource?, epochs: Int, testErrorPercent: Double) {
        self.model = model; self.dataset = dataset; self.epochs = epochs; self.testErrorPercent = testErrorPercent
    }

    /// The row's name: "LeNet-5 (ReLU, max-pool), 10 epochs", "Logistic regression, 5 epochs".
    public var tableName: String {
        // A described model starts the cell with a capital; a model's own name ("v1net") is kept as written.
        let name = ModelZoo.displayName(model)
        let written = name == model ? name : name.prefix(1).uppercased() + name.dropFirst()
        return written + ", \(epochs) epochs"
    }

    /// The last epoch's test error of the model file at `path`.
    /// - Throws: errors naming the file when it has no history or no test error.
    public init(file path: String) throws {
        let contents = try ModelFile.read(from: URL(fileURLWithPath: path))
        let history = try TrainingHistory(contents: contents, file: path)
        guard history.heldOutName == "test", let error = history.finalTestError, error.isFinite else {
            throw ConfigurationError("\(path): the history has no test error")
        }
        self.init(model: contents.model, dataset: history.dataset, epochs: history.epochs.count, testErrorPercent: error)
    }
}

/// A results table: its title, columns and rows, the rows measured by this toolkit marked.
public struct ResultsTable: Sendable, Equatable {
    public var title: String
    /// The data set whose results it holds, from its `# dataset:` line.
    public var dataset: DatasetName?
    public var header: [String]
    public var rows: [[String]]
    /// Which rows are this toolkit's measurements.
    public var measured: [Bool]
    /// The column holding the error rate.
    public var errorColumn: Int

    public init(title: String, dataset: DatasetName?, header: [String], rows: [[String]], measured: [Bool], errorColumn: Int) {
        self.title = title; self.dataset = dataset; self.header = header; self.rows = rows
        self.measured = measured; self.errorColumn = errorColumn
    }

    /// Reads a lecture table: a CSV with a header, `# title:` and `# dataset:` lines, and an error column.
    /// - Throws: `ConfigurationError` naming the file for a missing file, no error column, or a bad number.
    public init(file path: String) throws {
        let table = try CSVTable(contentsOf: path)
        let error = try table.requireColumn(containing: "error")
        for row in table.rows.indices { _ = try table.number(row: row, column: error) }
        self.init(title: table.metadata["title"] ?? URL(fileURLWithPath: path).lastPathComponent,
                  dataset: table.metadata["dataset"].map(DatasetName.init), header: table.header,
                  rows: table.rows, measured: table.rows.map { _ in false }, errorColumn: error)
    }

    /// Appends `result` as a marked row: who and what in the first columns, the error in the error column.
    public mutating func append(_ result: MeasuredResult) {
        var row = [String](repeating: "", count: header.count)
        let what = result.tableName
        let textColumns = header.indices.filter { $0 != errorColumn }
        if textColumns.count >= 3 {
            row[textColumns[0]] = "This toolkit (measured)"
            row[textColumns[1]] = what
        } else if let first = textColumns.first {
            row[first] = "This toolkit: " + what
        }
        row[errorColumn] = String(format: "%.2f", result.testErrorPercent)
        rows.append(row)
        measured.append(true)
    }

    /// A table for measured results of data sets the lecture's tables do not cover.
    public static func other(_ results: [MeasuredResult]) -> ResultsTable {
        var table = ResultsTable(title: "Other data sets (this toolkit)", dataset: nil, header: ["Model", "Data set", "Error rate (%)"],
                                 rows: [], measured: [], errorColumn: 2)
        for result in results {
            table.rows.append([result.tableName, result.dataset?.displayName ?? "unknown",
                               String(format: "%.2f", result.testErrorPercent)])
            table.measured.append(true)
        }
        return table
    }

    /// The lecture's tables with `results` added to the table of their data set (others in a table of their own).
    public static func combining(_ tables: [ResultsTable], with results: [MeasuredResult]) -> [ResultsTable] {
        var tables = tables
        var others: [MeasuredResult] = []
        for result in results {
            if let index = tables.firstIndex(where: { $0.dataset != nil && $0.dataset == result.dataset?.name }) {
                tables[index].append(result)
            } else {
                others.append(result)
            }
        }
        return others.isEmpty ? tables : tables + [other(others)]
    }
}

/// E4: the lecture's results tables with this toolkit's rows, marked.
public struct ResultsTableFigure: Figure {
    public var tables: [ResultsTable]

    public init(tables: [ResultsTable]) { self.tables = tables }

    public var catalogueID: String { "E4" }
    public var title: String { "E4. Error rates: the lecture's tables and this toolkit's measurements" }
    public var caption: String {
        "The MNIST and CIFAR-10 error-rate tables of CIS 522, with this toolkit's own final test errors (highlighted rows) read from its model files."
    }
    public var preferredSize: Size {
        .inches(11, max(4, 1.2 + 0.31 * tables.reduce(0.0) { $0 + Double($1.rows.count) + 3.5 }))
    }

    static let highlight = RGBColor(hex: 0xFFF0B3)

    public func draw(on canvas: Canvas, in rect: Rect, frame: Int) throws {
        let style = canvas.style
        let outer = rect.insetBy(dx: style.margin, dy: style.margin)
        canvas.drawTitle(title, over: outer, top: outer.minY)
        let body = outer.inset(top: canvas.titleHeight(title) + style.labelGap)
        // One font for every table: the largest at which the widest fits, never below the slide's 18 px at 1500 px;
        // where even that is too wide, the widest text column wraps its cells.
        let natural = style.labelFont.size * 1.1
        let fitted = tables.map { table in
            let padding = 2 * ResultsTableFigure.padding * Double(table.header.count)
            let text = naturalWidth(of: table, fontSize: natural, canvas: canvas) - padding
            return natural * max(body.width - padding, 1) / max(text, 1)
        }.min() ?? natural
        let fontSize = max(canvas.smallestLegibleFontSize, min(natural, fitted))
        let laidOut = tables.map { TableLayout(table: $0, width: body.width, fontSize: fontSize, canvas: canvas) }
        let lines = Double(laidOut.reduce(0) { $0 + $1.lineCount + 2 }) + Double(tables.count - 1) * 0.6
        let rowHeight = min(max(22, fontSize * 1.9), body.height / max(lines, 1))
        var y = body.minY
        for layout in laidOut {
            let height = rowHeight * Double(layout.lineCount + 2)
            drawTable(layout, on: canvas, in: Rect(x: body.minX, y: y, width: body.width, height: height), lineHeight: rowHeight,
                      fontSize: fontSize)
            y += height + rowHeight * 0.6
        }
    }

    static let padding = 8.0

    /// A table's cells as drawn: each column's width, and each cell broken into the lines that fit it.
    struct TableLayout {
        var table: ResultsTable
        var columnWidths: [Double]
        /// rows[r][c]: the lines of the cell.
        var cells: [[[String]]]
        /// How many text lines each row takes.
        var rowLines: [Int] { cells.map { $0.map(\.count).max() ?? 1 } }
        var lineCount: Int { rowLines.reduce(0, +) }

        init(table: ResultsTable, width: Double, fontSize: Double, canvas: Canvas) {
            self.table = table
            let regular = Font(size: fontSize), heavy = Font(size: fontSize, bold: true)
            let padding = 2 * ResultsTableFigure.padding
            var widths = ResultsTableFigure.columnWidths(of: table, fontSize: fontSize, canvas: canvas)
            var cells = table.rows.map { $0.map { [$0] } }
            let overflow = widths.reduce(0, +) - width
            if overflow > 0, let widest = widths.indices.filter({ $0 != table.errorColumn }).max(by: { widths[$0] < widths[$1] }) {
                let header = canvas.measure(table.header[widest], font: heavy).width + padding
                widths[widest] = max(widths[widest] - overflow, header)
                for row in table.rows.indices {
                    let font = table.measured[row] ? heavy : regular
                    cells[row][widest] = canvas.balancedWrapped(table.rows[row][widest], width: widths[widest] - padding, font: font)
                }
            }
            let spare = max(0, width - widths.reduce(0, +))
            columnWidths = widths.map { $0 + spare / Double(widths.count) }
            self.cells = cells
        }
    }

    /// Each column's width: its widest cell (bold for the header and measured rows) and padding.
    static func columnWidths(of table: ResultsTable, fontSize: Double, canvas: Canvas) -> [Double] {
        let regular = Font(size: fontSize), heavy = Font(size: fontSize, bold: true)
        return table.header.indices.map { column in
            let cells = table.rows.enumerated().map { canvas.measure($0.element[column], font: table.measured[$0.offset] ? heavy : regular).width }
            return max(canvas.measure(table.header[column], font: heavy).width, cells.max() ?? 0) + 2 * ResultsTableFigure.padding
        }
    }

    private func naturalWidth(of table: ResultsTable, fontSize: Double, canvas: Canvas) -> Double {
        ResultsTableFigure.columnWidths(of: table, fontSize: fontSize, canvas: canvas).reduce(0, +)
    }

    private func drawTable(_ layout: TableLayout, on canvas: Canvas, in rect: Rect, lineHeight: Double, fontSize: Double) {
        let style = canvas.style
        let table = layout.table
        let font = Font(size: fontSize), bold = Font(size: fontSize, bold: true)
        let padding = ResultsTableFigure.padding
        let columnWidths = layout.columnWidths
        canvas.text(table.title, at: Point(x: rect.minX, y: rect.minY + lineHeight / 2),
                    font: Font(size: max(style.titleFont.size * 0.9, fontSize * 1.15), bold: true), horizontal: .left, vertical: .middle)
        var y = rect.minY + lineHeight
        func drawRow(_ cells: [[String]], heavy: Bool, fill: RGBColor?) {
            let lines = cells.map(\.count).max() ?? 1
            let height = lineHeight * Double(lines)
            if let fill { canvas.fill(Rect(x: rect.minX, y: y, width: rect.width, height: height), color: fill) }
            var x = rect.minX
            for (column, cell) in cells.enumerated() {
                let isError = column == table.errorColumn
                for (k, text) in cell.enumerated() {
                    canvas.text(text, at: Point(x: isError ? x + columnWidths[column] - padding : x + padding,
                                                y: y + lineHeight * (Double(k) + 0.5)),
                                font: heavy ? bold : font, horizontal: isError ? .right : .left, vertical: .middle)
                }
                x += columnWidths[column]
            }
            y += height
        }
        drawRow(table.header.map { [$0] }, heavy: true, fill: RGBColor(hex: 0xE8E8E8))
        canvas.line(from: Point(x: rect.minX, y: y), to: Point(x: rect.maxX, y: y), color: style.foreground, lineWidth: style.axisLineWidth)
        for (index, row) in layout.cells.enumerated() {
            drawRow(row, heavy: table.measured[index], fill: table.measured[index] ? ResultsTableFigure.highlight : nil)
        }
        canvas.line(from: Point(x: rect.minX, y: y), to: Point(x: rect.maxX, y: y), color: style.foreground, lineWidth: style.axisLineWidth)
    }
}
