// The one look shared by every figure: fonts, colours, margins and line widths.

/// A font size and weight for one kind of text.
public struct Font: Sendable, Equatable, Hashable {
    /// Size in points.
    public var size: Double
    /// Whether the bold face is used.
    public var bold: Bool
    /// Whether the oblique face is used.
    public var italic: Bool

    /// Creates a font description; the family always comes from the style.
    public init(size: Double, bold: Bool = false, italic: Bool = false) {
        self.size = size
        self.bold = bold
        self.italic = italic
    }

    /// The same face at another size.
    public func withSize(_ size: Double) -> Font {
        Font(size: size, bold: bold, italic: italic)
    }
}

/// Fonts, colours, margins and line widths used by every drawer, so all figures look alike.
public struct Style: Sendable, Equatable {
    /// Font family selected through Cairo's font API.
    public var fontFamily = "DejaVu Sans"
    /// Figure and panel titles.
    public var titleFont = Font(size: 13, bold: true)
    /// Axis labels, legend entries and captions.
    public var labelFont = Font(size: 11)
    /// Tick labels and small annotations.
    public var tickFont = Font(size: 9.5)
    /// Numbers inside grid cells, before fitting to the cell.
    public var cellFont = Font(size: 14)

    /// Page background.
    public var background = RGBColor.white
    /// Text and axis lines.
    public var foreground = RGBColor(hex: 0x222222)
    /// Secondary text such as annotations.
    public var mutedForeground = RGBColor(hex: 0x555555)
    /// Background grid lines of charts.
    public var gridColor = RGBColor(hex: 0xE3E3E3)
    /// Lines between grid cells.
    public var cellLineColor = RGBColor(hex: 0x8A8A8A)
    /// The default highlight (current window, current output cell).
    public var highlightColor = RGBColor(hex: 0xD62728)
    /// Series colours, used in order (matplotlib's "tab10", chosen to stay distinct when printed).
    public var palette: [RGBColor] = [
        0x1F77B4, 0xFF7F0E, 0x2CA02C, 0xD62728, 0x9467BD,
        0x8C564B, 0xE377C2, 0x7F7F7F, 0xBCBD22, 0x17BECF,
    ].map { RGBColor(hex: $0) }

    /// Space left empty around the edge of a figure.
    public var margin: Double = 10
    /// Space between a label and what it labels.
    public var labelGap: Double = 5
    /// Length of axis tick marks.
    public var tickLength: Double = 4
    /// Width of data lines.
    public var lineWidth: Double = 1.8
    /// Width of axis lines and tick marks.
    public var axisLineWidth: Double = 0.8
    /// Width of background grid lines.
    public var gridLineWidth: Double = 0.6
    /// Width of lines between grid cells.
    public var cellLineWidth: Double = 0.8
    /// Width of highlight rectangles.
    public var highlightLineWidth: Double = 2.5

    /// The standard lecture style.
    public init() {}

    /// The standard lecture style.
    public static let standard = Style()

    /// The palette colour for series number `index`, wrapping around.
    public func seriesColor(_ index: Int) -> RGBColor {
        palette[((index % palette.count) + palette.count) % palette.count]
    }
}
