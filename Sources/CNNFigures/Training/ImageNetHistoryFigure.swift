// E2: ImageNet top-5 error by year with each entry's depth, from the editable table
// `data/imagenet_history.csv` (the one figure whose numbers are data, not measurements).

import CNNEngine
import CNNPlot
import Foundation

/// One ILSVRC result: year, entry, top-5 error and depth.
public struct ImageNetResult: Sendable, Equatable {
    public var year: Int
    public var entry: String
    /// Top-5 error in percent.
    public var top5ErrorPercent: Double
    /// Weight layers, or nil for methods that are not deep networks.
    public var layers: Int?

    public init(year: Int, entry: String, top5ErrorPercent: Double, layers: Int?) {
        self.year = year; self.entry = entry; self.top5ErrorPercent = top5ErrorPercent; self.layers = layers
    }

    /// The table shipped with the toolkit.
    public static let defaultFile = "data/imagenet_history.csv"

    /// Reads a table with columns `year`, `entry`, `top5_error_percent` and `layers` (empty for none).
    /// - Throws: `ConfigurationError` naming the file, line and column of a bad value.
    public static func read(from path: String) throws -> (title: String?, results: [ImageNetResult]) {
        let table = try CSVTable(contentsOf: path)
        let year = try table.requireColumn(containing: "year"), entry = try table.requireColumn(containing: "entry")
        let error = try table.requireColumn(containing: "error"), layers = try table.requireColumn(containing: "layer")
        let results = try table.rows.indices.map { row -> ImageNetResult in
            let depth = table.rows[row][layers]
            return ImageNetResult(year: Int(try table.number(row: row, column: year)), entry: table.rows[row][entry],
                                  top5ErrorPercent: try table.number(row: row, column: error),
                                  layers: depth.isEmpty ? nil : Int(try table.number(row: row, column: layers)))
        }
        guard !results.isEmpty else { throw ConfigurationError("\(path): the table has no rows") }
        return (table.metadata["title"], results)
    }
}

/// E2: bars of top-5 error by year, each annotated with the entry's depth.
public struct ImageNetHistoryFigure: Figure {
    public var results: [ImageNetResult]
    public var tableTitle: String?

    public init(results: [ImageNetResult], title: String? = nil) {
        self.results = results
        tableTitle = title
    }

    /// Reads the figure's table.
    public init(file path: String) throws {
        let (title, results) = try ImageNetResult.read(from: path)
        self.init(results: results, title: title)
    }

    /// The depth annotation over each bar: `8 layers`, or `not deep` for entries without layers.
    public var annotations: [String] { results.map { $0.layers.map { "\($0) layers" } ?? "not deep" } }

    public var catalogueID: String { "E2" }
    public var title: String { "\(catalogueID). \(titleText)" }
    /// The title without its catalogue id.
    var titleText: String { tableTitle ?? "ImageNet top-5 error by year, with depth" }
    public var caption: String {
        "ILSVRC top-5 error of the winning (and notable) entries by year, as the lectures' table gives them (data/imagenet_history.csv); over each bar, the entry's number of weight layers, "
            + "or \"not deep\" for methods without a deep network: errors fell as networks grew deeper."
    }
    public var preferredSize: Size { .inches(max(8, 1.2 * Double(results.count)), 5) }

    public func draw(on canvas: Canvas, in rect: Rect, frame: Int) throws {
        let style = canvas.style
        let deep = style.seriesColor(0), shallow = RGBColor(hex: 0xA0A0A0)
        let chart = BarChart(categories: results.map { "\($0.year)\n\($0.entry)" }, values: results.map(\.top5ErrorPercent),
                             annotations: annotations,
                             valueLabels: results.map { String(format: "%.1f%%", $0.top5ErrorPercent) },
                             colors: results.map { $0.layers == nil ? shallow : deep },
                             title: title, yLabel: "top-5 error (%)")
        chart.draw(on: canvas, in: rect)
    }
}
