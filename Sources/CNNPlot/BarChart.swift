// Bar charts of one value per category, with value labels and an annotation (such as depth) above each bar.

/// A chart of one bar per category.
public struct BarChart: Sendable, Equatable {
    /// Category names under the bars; long names wrap onto several lines.
    public var categories: [String]
    /// One value per category.
    public var values: [Double]
    /// Text written above each bar's value label (for example "8 layers"); nil or "" for none.
    public var annotations: [String]?
    /// Value labels; nil formats the values, an empty array shows none.
    public var valueLabels: [String]?
    /// One colour per bar; nil uses the first palette colour for all.
    public var colors: [RGBColor]?
    /// Text above the plot.
    public var title: String?
    /// Label under the category names.
    public var xLabel: String?
    /// Y-axis label, with its unit.
    public var yLabel: String?
    /// Fixed y range; nil starts at zero and leaves room for the labels above the tallest bar.
    public var yRange: ClosedRange<Double>?
    /// Bar width as a fraction of the space per category.
    public var barFraction: Double

    /// Creates a bar chart.
    public init(categories: [String], values: [Double], annotations: [String]? = nil, valueLabels: [String]? = nil,
                colors: [RGBColor]? = nil, title: String? = nil, xLabel: String? = nil, yLabel: String? = nil,
                yRange: ClosedRange<Double>? = nil, barFraction: Double = 0.68) {
        precondition(categories.count == values.count,
                     "BarChart: \(categories.count) categories but \(values.count) values")
        precondition(annotations.map { $0.count == values.count } ?? true,
                     "BarChart: expected \(values.count) annotations, got \(annotations?.count ?? 0)")
        precondition(valueLabels.map { $0.isEmpty || $0.count == values.count } ?? true,
                     "BarChart: expected \(values.count) value labels, got \(valueLabels?.count ?? 0)")
        precondition(colors.map { $0.count == values.count } ?? true,
                     "BarChart: expected \(values.count) colours, got \(colors?.count ?? 0)")
        self.categories = categories
        self.values = values
        self.annotations = annotations
        self.valueLabels = valueLabels
        self.colors = colors
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.yRange = yRange
        self.barFraction = barFraction
    }

    /// Draws the chart inside `rect`.
    public func draw(on canvas: Canvas, in rect: Rect) {
        let style = canvas.style
        let outer = rect.insetBy(dx: style.margin, dy: style.margin)
        let count = max(values.count, 1)
        let labels = valueLabels ?? values.map { formatNumber($0) }
        let valueFont = style.tickFont.withSize(style.tickFont.size + 0.5)
        let annotationFont = Font(size: style.tickFont.size, italic: true)

        // Category names wrap to the width of their slot; a first guess at the left margin suffices for that.
        let guessAxis = ChartAxis(dataLower: min(0, values.min() ?? 0), dataUpper: max(values.max() ?? 1, 0),
                                  scale: .linear, fixed: yRange)
        let slotGuess = (outer.width - canvas.leftAxisWidth(guessAxis, label: yLabel)) / Double(count)
        let wrapped = categories.map { canvas.balancedWrapped($0, width: slotGuess * 0.96, font: style.tickFont) }
        let tickLines = wrapped.map(\.count).max() ?? 1
        let top = canvas.titleHeight(title) + canvas.measure("0", font: style.tickFont).capHeight / 2 + 1
        let bottom = canvas.bottomAxisHeight(tickLines: tickLines, label: xLabel)
        let plotHeight = outer.height - top - bottom

        // Room above the tallest bar for its value label and annotation.
        let valueHeight = labels.isEmpty ? 0 : canvas.measure("0", font: valueFont).height + 2
        let annotationHeight = (annotations?.contains { !$0.isEmpty } ?? false)
            ? canvas.measure("0", font: annotationFont).height + 1 : 0
        let headroom = valueHeight + annotationHeight + 2
        let yAxis: ChartAxis
        if let yRange {
            yAxis = ChartAxis(dataLower: yRange.lowerBound, dataUpper: yRange.upperBound, scale: .linear, fixed: yRange)
        } else {
            let highest = max(values.filter(\.isFinite).max() ?? 1, 0)
            let lowest = min(values.filter(\.isFinite).min() ?? 0, 0)
            let needed = plotHeight > headroom ? highest + (highest - lowest) * headroom / (plotHeight - headroom) : highest
            yAxis = ChartAxis(dataLower: lowest, dataUpper: needed, scale: .linear, fixed: nil)
        }
        let plot = outer.inset(top: top, left: canvas.leftAxisWidth(yAxis, label: yLabel), bottom: bottom)
        let slot = plot.width / Double(count)
        func y(_ value: Double) -> Double { plot.maxY - yAxis.fraction(value) * plot.height }

        canvas.drawYAxis(yAxis, plot: plot, label: yLabel, grid: true)
        let base = y(max(yAxis.lower, min(0, yAxis.upper)))
        for (index, value) in values.enumerated() where value.isFinite {
            let center = plot.minX + slot * (Double(index) + 0.5)
            let width = slot * barFraction
            let end = min(max(y(value), plot.minY), plot.maxY)
            let bar = Rect(x: center - width / 2, y: min(base, end), width: width, height: abs(base - end))
            canvas.fill(bar, color: colors?[index] ?? style.seriesColor(0))
            var labelY = value >= 0 ? bar.minY - 2 : bar.maxY + 2
            if !labels.isEmpty {
                canvas.text(labels[index], at: Point(x: center, y: labelY), font: valueFont,
                            horizontal: .center, vertical: value >= 0 ? .bottom : .top)
                labelY += value >= 0 ? -valueHeight : valueHeight
            }
            if let annotation = annotations?[index], !annotation.isEmpty {
                canvas.text(annotation, at: Point(x: center, y: labelY), font: annotationFont,
                            color: style.mutedForeground, horizontal: .center, vertical: value >= 0 ? .bottom : .top)
            }
        }
        for (index, lines) in wrapped.enumerated() {
            let center = plot.minX + slot * (Double(index) + 0.5)
            canvas.text(lines.joined(separator: "\n"),
                        at: Point(x: center, y: plot.maxY + style.tickLength + style.labelGap * 0.6),
                        font: style.tickFont, horizontal: .center, vertical: .top)
        }
        canvas.drawAxisLines(plot: plot)
        canvas.drawXAxisLabel(xLabel, plot: plot, tickLines: tickLines)
        canvas.drawTitle(title, over: plot, top: outer.minY)
    }
}
