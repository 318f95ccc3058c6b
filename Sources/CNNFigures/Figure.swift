// The figures of the catalogue (docs/figures/README.md). Each catalogue figure is computed from the engine, stored
// model files or results into a plain value (the numbers it shows, testable on their own), then
// drawn by a function that draws onto any canvas rectangle, so the same code writes a PNG, PDF or
// SVG file and a page of a course report. Nothing here trains a model.
import CNNPlot
import Foundation

/// A figure that can draw itself into a rectangle of a canvas.
public protocol Figure {
    /// The catalogue entry (`A1`, `C2`, ...).
    var catalogueID: String { get }
    /// A title for the figure, as a slide would show it.
    var title: String { get }
    /// The size it looks best at, in points.
    var preferredSize: Size { get }
    /// A sentence for a report caption: what is shown and where it comes from.
    var caption: String { get }
    /// Draws the figure into `rect` of `canvas` (one page; multi-frame figures draw `frame`).
    func draw(on canvas: Canvas, in rect: Rect, frame: Int) throws
    /// Frames (pages of a PDF, numbered PNGs): 1 for most figures, one per output cell for A1.
    var frameCount: Int { get }
}

extension Figure {
    public var frameCount: Int { 1 }

    /// The layout problems of every frame as drawn at `size` (default: the preferred size): text off
    /// the page, overlapping, or too small for a slide (see `Canvas.layoutProblems`). Nothing is written.
    public func layoutProblems(size: Size? = nil) throws -> [String] {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("layout-\(UUID().uuidString).png").path
        var problems: [String] = []
        for frame in 0..<frameCount {
            let canvas = try Canvas(path: scratch, size: size ?? preferredSize, dpi: 10)
            try draw(on: canvas, in: canvas.bounds, frame: frame)
            problems += canvas.layoutProblems().map { frameCount > 1 ? "frame \(frame + 1): \($0)" : $0 }
        }
        return Array(NSOrderedSet(array: problems).array as! [String])
    }

    /// Every text the figure writes in `frame` (default: the first) as drawn at `size` (default: the preferred
    /// size), in drawing order (a wrapped text is one entry, its lines joined by newlines). Nothing is written.
    public func drawnTexts(size: Size? = nil, frame: Int = 0) throws -> [String] {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("texts-\(UUID().uuidString).png").path
        let canvas = try Canvas(path: scratch, size: size ?? preferredSize, dpi: 10)
        try draw(on: canvas, in: canvas.bounds, frame: frame)
        return canvas.textBoxes.map(\.text)
    }

    /// Writes the figure to `path` (PNG, PDF or SVG by extension). A multi-frame figure becomes a
    /// multi-page PDF, or numbered files `name-01.png`, `name-02.png`, ... for PNG and SVG.
    /// - Returns: the paths written.
    @discardableResult
    public func write(to path: String, size: Size? = nil, dpi: Double = 150, frames: Range<Int>? = nil) throws -> [String] {
        let size = size ?? preferredSize
        let chosen = frames ?? 0..<frameCount
        let url = URL(fileURLWithPath: path)
        if chosen.count <= 1 || url.pathExtension.lowercased() == "pdf" {
            try Canvas.write(to: path, size: size, dpi: dpi) { canvas in
                for (i, frame) in chosen.enumerated() {
                    if i > 0 { try canvas.newPage() }
                    try draw(on: canvas, in: canvas.bounds, frame: frame)
                }
            }
            return [path]
        }
        let stem = url.deletingPathExtension().path, ext = url.pathExtension
        return try chosen.map { frame in
            let numbered = String(format: "%@-%02d.%@", stem, frame + 1, ext)
            try Canvas.write(to: numbered, size: size, dpi: dpi) { canvas in
                try draw(on: canvas, in: canvas.bounds, frame: frame)
            }
            return numbered
        }
    }
}

/// A shape as figures write sizes: `6×1×5×5` (× for sizes everywhere, never `[6, 1, 5, 5]` or `6x1x5x5`).
func sizeText(_ shape: [Int]) -> String { shape.map(String.init).joined(separator: "×") }
