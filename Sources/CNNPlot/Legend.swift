// Legends: their size, drawing, and placement in the corner that hides the least data.

/// A corner of a plot area.
public enum Corner: Sendable, CaseIterable, Equatable {
    case topRight, topLeft, bottomLeft, bottomRight
}

/// Where a chart puts its legend.
public enum LegendPosition: Sendable, Equatable {
    /// In the corner of the plot that covers no data; outside to the right if every corner would.
    case automatic
    /// In the given corner, whatever it covers.
    case inside(Corner)
    /// To the right of the plot area.
    case outsideRight
    /// No legend.
    case none
}

/// One row of a legend: a line sample and its label.
public struct LegendEntry: Sendable, Equatable {
    public var label: String
    public var color: RGBColor
    public var dash: LineDash
    public var showsMarker: Bool
    public var showsBand: Bool

    /// Creates a legend row.
    public init(label: String, color: RGBColor, dash: LineDash = .solid, showsMarker: Bool = false,
                showsBand: Bool = false) {
        self.label = label
        self.color = color
        self.dash = dash
        self.showsMarker = showsMarker
        self.showsBand = showsBand
    }
}

/// The rectangle a legend of `size` occupies in `corner` of `plotArea`, `padding` in from its edges.
public func legendRect(size: Size, corner: Corner, in plotArea: Rect, padding: Double = 6) -> Rect {
    let left = plotArea.minX + padding, right = plotArea.maxX - padding - size.width
    let top = plotArea.minY + padding, bottom = plotArea.maxY - padding - size.height
    switch corner {
    case .topRight: return Rect(x: right, y: top, width: size.width, height: size.height)
    case .topLeft: return Rect(x: left, y: top, width: size.width, height: size.height)
    case .bottomLeft: return Rect(x: left, y: bottom, width: size.width, height: size.height)
    case .bottomRight: return Rect(x: right, y: bottom, width: size.width, height: size.height)
    }
}

/// The corner of `plotArea` where a legend of `size` covers the fewest `points`, and how many it covers.
///
/// Ties go to the earlier corner in `Corner.allCases` (top right first, as most readers look there).
/// Points are in page coordinates; pass samples along each drawn line, not only its data points.
public func emptiestCorner(for size: Size, in plotArea: Rect, avoiding points: [Point],
                           padding: Double = 6) -> (corner: Corner, covered: Int) {
    var best: (corner: Corner, covered: Int) = (.topRight, Int.max)
    for corner in Corner.allCases {
        // A small margin around the box keeps lines from grazing its border.
        let area = legendRect(size: size, corner: corner, in: plotArea, padding: padding).insetBy(dx: -3, dy: -3)
        let covered = points.reduce(0) { $0 + (area.contains($1) ? 1 : 0) }
        if covered < best.covered { best = (corner, covered) }
    }
    return best
}

extension Canvas {
    private var legendFont: Font { style.labelFont.withSize(style.labelFont.size * 0.9) }
    private var legendPadding: Double { 6 }
    private var legendSampleLength: Double { 24 }

    /// The size of a legend box for `entries`.
    public func legendSize(_ entries: [LegendEntry]) -> Size {
        guard !entries.isEmpty else { return Size(width: 0, height: 0) }
        let metrics = entries.map { measure($0.label, font: legendFont) }
        let width = (metrics.map(\.width).max() ?? 0) + legendSampleLength + 6 + 2 * legendPadding
        let row = legendFont.size * 1.45
        return Size(width: width, height: row * Double(entries.count) + 2 * legendPadding - (row - legendFont.size * 1.2))
    }

    /// Draws a legend box with its top-left corner at `origin`.
    public func legend(_ entries: [LegendEntry], at origin: Point) {
        let size = legendSize(entries)
        guard size.width > 0 else { return }
        box(Rect(origin: origin, size: size), fill: style.background.withAlpha(0.92),
            stroke: RGBColor(hex: 0xCCCCCC), lineWidth: 0.6, cornerRadius: 3)
        let row = legendFont.size * 1.45
        for (index, entry) in entries.enumerated() {
            let y = origin.y + legendPadding + legendFont.size * 0.6 + Double(index) * row
            let x0 = origin.x + legendPadding, x1 = x0 + legendSampleLength
            if entry.showsBand {
                fill(Rect(x: x0, y: y - legendFont.size * 0.4, width: legendSampleLength, height: legendFont.size * 0.8),
                     color: entry.color.withAlpha(0.2))
            }
            line(from: Point(x: x0, y: y), to: Point(x: x1, y: y), color: entry.color,
                 lineWidth: style.lineWidth, dash: entry.dash)
            if entry.showsMarker {
                circle(center: Point(x: (x0 + x1) / 2, y: y), radius: 2.8, fill: entry.color, stroke: style.background,
                       lineWidth: 0.8)
            }
            text(entry.label, at: Point(x: x1 + 6, y: y), font: legendFont, horizontal: .left, vertical: .middle)
        }
    }
}
