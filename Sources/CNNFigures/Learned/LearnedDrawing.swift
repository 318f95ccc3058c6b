// Drawing pieces shared by the C figures: a page with a title and a note, and grids of small
// images whose every cell has its own value range.
import CNNPlot
import Foundation

/// One small image of a grid: its values (1 plane, or 3 for RGB), the range mapped onto the colour map, a caption.
public struct ImageCell: Sendable, Equatable {
    public var values: [Float]
    public var channels: Int
    public var range: ValueRange
    public var caption: String?

    public init(values: [Float], channels: Int = 1, range: ValueRange, caption: String? = nil) {
        self.values = values; self.channels = channels; self.range = range; self.caption = caption
    }
}

extension Canvas {
    /// A grey data-set image (values in 0...1, 1 the stroke) drawn as every figure draws one: inverted, dark
    /// strokes on a light ground, like the samples (F1) and the mistakes (E1).
    func greyDatasetImage(_ values: [Float], width: Int, height: Int, in rect: Rect, border: RGBColor? = nil) {
        image(values.map { $0.isNaN ? 0.5 : 1 - $0 }, width: width, height: height, in: rect, colorMap: .greys,
              range: ValueRange(0, 1), border: border)
    }

    /// Writes `title` and a muted `note` at the top of `rect`, and `footer` at its bottom, both wrapped onto
    /// as many lines as they need (never shrunk); returns the area left between them.
    func learnedPage(_ rect: Rect, title: String, note: String? = nil, footer: String? = nil) -> Rect {
        let area = rect.insetBy(dx: style.margin, dy: style.margin)
        var top = area.minY
        drawTitle(title, over: area, top: top)
        top += titleHeight(title)
        let noteFont = style.labelFont.withSize(style.labelFont.size * 0.9)
        // Wrapped rather than shrunk (only a single word wider than the page would shrink): the note is the colour
        // key, the footer what the model is, and both are read at report size.
        func block(_ text: String) -> (lines: String, height: Double) {
            let lines = balancedWrapped(text, width: area.width, font: noteFont).joined(separator: "\n")
            return (lines, measure(lines, font: noteFont).height)
        }
        func write(_ lines: String, top y: Double, height: Double) {
            fittedText(lines, in: Rect(x: area.minX, y: y, width: area.width, height: height), font: noteFont,
                       color: style.mutedForeground, vertical: .top)
        }
        if let note {
            let (lines, height) = block(note)
            write(lines, top: top, height: height)
            top += height + style.labelGap
        }
        var bottom = area.maxY
        if let footer {
            let (lines, height) = block(footer)
            write(lines, top: bottom - height, height: height)
            bottom -= height + style.labelGap
        }
        return Rect(x: area.minX, y: top, width: area.width, height: max(0, bottom - top))
    }

    /// Draws `cells` of `width` x `height` pixels in `columns` columns inside `rect`, each through its own
    /// range, captions under them at one fitted size; returns the layout.
    @discardableResult
    func cellGrid(_ cells: [ImageCell], width: Int, height: Int, columns: Int, in rect: Rect,
                  colorMap: ColorMap, gap: Double? = nil, border: RGBColor? = RGBColor(hex: 0x9A9A9A)) -> GridLayout {
        let count = max(cells.count, 1)
        let columns = max(1, min(columns, count)), rows = (count + columns - 1) / columns
        let hasCaptions = cells.contains { $0.caption != nil }
        let captionFont = style.tickFont
        let captionHeight = hasCaptions ? measure("Hg", font: captionFont).height + 2 : 0
        let spacing = gap ?? max(2, min(8, min(rect.width / Double(columns), rect.height / Double(rows)) * 0.06))
        let layout = GridLayout(rows: rows, columns: columns, cellAspectRatio: Double(width) / Double(height), in: rect,
                                gap: spacing, captionHeight: captionHeight)
        let plane = width * height
        for (index, cell) in cells.enumerated() {
            let r = layout.cellRect(index: index)
            if cell.channels == 3 {
                rgbImage(red: Array(cell.values[0..<plane]), green: Array(cell.values[plane..<2 * plane]),
                         blue: Array(cell.values[2 * plane..<3 * plane]), width: width, height: height, in: r,
                         range: cell.range, border: border)
            } else {
                image(cell.values, width: width, height: height, in: r, colorMap: colorMap, range: cell.range, border: border)
            }
        }
        if hasCaptions {
            let captions = cells.map { $0.caption ?? "" }
            let box = Size(width: layout.cellSize.width + spacing * 0.8, height: captionHeight)
            let size = fittedFontSize(for: captions, in: box, font: captionFont)
            for (index, caption) in captions.enumerated() {
                let strip = layout.captionRect(row: index / columns, column: index % columns)
                text(caption, at: Point(x: strip.center.x, y: strip.minY + 1), font: captionFont.withSize(size),
                     horizontal: .center, vertical: .top)
            }
        }
        return layout
    }
}

/// Columns for `count` cells that make a grid about `aspect` times as wide as tall (in cells).
func gridColumns(_ count: Int, aspect: Double = 1.6, maximumSingleRow: Int = 10) -> Int {
    if count <= maximumSingleRow { return max(count, 1) }
    return max(1, Int((Double(count) * aspect).squareRoot().rounded(.up)))
}

/// How far an image's content moved, in words a slide can use: "3 px right, 2 px down", "1 px up", "not moved";
/// with `arrows`, as short labels: "→ 3, ↓ 2". `right` and `down` are in pixels (negative: left, up).
func movedText(right: Int, down: Int, arrows: Bool = false) -> String {
    var parts: [String] = []
    if right != 0 { parts.append(arrows ? "\(right > 0 ? "→" : "←") \(abs(right))" : "\(abs(right)) px \(right > 0 ? "right" : "left")") }
    if down != 0 { parts.append(arrows ? "\(down > 0 ? "↓" : "↑") \(abs(down))" : "\(abs(down)) px \(down > 0 ? "down" : "up")") }
    return parts.isEmpty ? "not moved" : parts.joined(separator: ", ")
}

/// A softmax probability as the figures write it: "61.3%", or "> 99.9%" rather than a rounded "100%".
func probabilityText(_ probability: Double) -> String {
    probability > 0.999 ? "> 99.9%" : formatNumber(probability * 100, maximumFractionDigits: 1) + "%"
}
