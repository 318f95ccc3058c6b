// Line charts of training curves: several labelled series, optional min-max bands, legend in the emptiest corner.

/// A shaded band around a series, such as the min and max over several runs.
public struct Band: Sendable, Equatable {
    /// Lower edge, one value per x.
    public var lower: [Double]
    /// Upper edge, one value per x.
    public var upper: [Double]

    /// Creates a band from its lower and upper edges.
    public init(lower: [Double], upper: [Double]) {
        self.lower = lower
        self.upper = upper
    }
}

/// One labelled curve of a line chart.
public struct LineSeries: Sendable, Equatable {
    /// Legend text.
    public var label: String
    /// X values, in increasing order.
    public var x: [Double]
    /// Y values, one per x; NaN leaves a gap.
    public var y: [Double]
    /// Line colour; nil takes the next palette colour.
    public var color: RGBColor?
    /// Dash pattern (for example dashed for training, solid for test).
    public var dash: LineDash
    /// Whether each data point gets a dot.
    public var showsMarkers: Bool
    /// An optional shaded band drawn behind the line.
    public var band: Band?

    /// Creates a series; `x`, `y` and the band edges must have equal lengths.
    public init(label: String, x: [Double], y: [Double], color: RGBColor? = nil, dash: LineDash = .solid,
                showsMarkers: Bool = false, band: Band? = nil) {
        precondition(x.count == y.count, "LineSeries \"\(label)\": \(x.count) x values but \(y.count) y values")
        precondition(band.map { $0.lower.count == x.count && $0.upper.count == x.count } ?? true,
                     "LineSeries \"\(label)\": band edges must have \(x.count) values each")
        self.label = label
        self.x = x
        self.y = y
        self.color = color
        self.dash = dash
        self.showsMarkers = showsMarkers
        self.band = band
    }

    /// A series over x = 1, 2, ..., n (epochs).
    public init(label: String, y: [Double], color: RGBColor? = nil, dash: LineDash = .solid,
                showsMarkers: Bool = false, band: Band? = nil) {
        self.init(label: label, x: (1...max(y.count, 1)).prefix(y.count).map(Double.init), y: y, color: color,
                  dash: dash, showsMarkers: showsMarkers, band: band)
    }
}

/// A chart of one or more series against a shared x axis.
public struct LineChart: Sendable, Equatable {
    /// The curves, drawn in order.
    public var series: [LineSeries]
    /// Text above the plot.
    public var title: String?
    /// X-axis label, with its unit (for example "epoch").
    public var xLabel: String?
    /// Y-axis label, with its unit (for example "error (%)").
    public var yLabel: String?
    /// Linear or logarithmic y axis.
    public var yScale: AxisScale
    /// Fixed x range; nil extends the data range to nice ticks.
    public var xRange: ClosedRange<Double>?
    /// Fixed y range; nil extends the data range to nice ticks.
    public var yRange: ClosedRange<Double>?
    /// Where the legend goes.
    public var legend: LegendPosition
    /// Whether light grid lines mark the ticks.
    public var showsGrid: Bool
    /// Ticks at exactly these x values (the depths trained, say) instead of nice ones; nil for nice ones.
    public var xTicks: [Double]? = nil

    /// Creates a line chart.
    public init(series: [LineSeries], title: String? = nil, xLabel: String? = nil, yLabel: String? = nil,
                yScale: AxisScale = .linear, xRange: ClosedRange<Double>? = nil, yRange: ClosedRange<Double>? = nil,
                legend: LegendPosition = .automatic, showsGrid: Bool = true) {
        self.series = series
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.yScale = yScale
        self.xRange = xRange
        self.yRange = yRange
        self.legend = legend
        self.showsGrid = showsGrid
    }

    /// The colour series `index` is drawn in.
    public func color(ofSeries index: Int, style: Style) -> RGBColor {
        series[index].color ?? style.seriesColor(index)
    }

    /// Draws the chart, titles and labels included, inside `rect`.
    public func draw(on canvas: Canvas, in rect: Rect) {
        let style = canvas.style
        let (xAxis, yAxis) = axes()
        let outer = rect.insetBy(dx: style.margin, dy: style.margin)
        let entries = series.enumerated().map { index, s in
            LegendEntry(label: s.label, color: color(ofSeries: index, style: style), dash: s.dash,
                        showsMarker: s.showsMarkers, showsBand: s.band != nil)
        }
        let legendSize = canvas.legendSize(entries)
        let hasLegend = legend != .none && !entries.isEmpty

        func plotArea(legendOutside: Bool) -> Rect {
            let tick = canvas.measure("0", font: style.tickFont)
            let lastLabel = xAxis.labels.last.map { canvas.measure($0, font: style.tickFont).width } ?? 0
            let right = legendOutside ? legendSize.width + style.labelGap * 2 : lastLabel / 2
            return outer.inset(top: canvas.titleHeight(title) + tick.capHeight / 2 + 1,
                               left: canvas.leftAxisWidth(yAxis, label: yLabel),
                               bottom: canvas.bottomAxisHeight(tickLines: 1, label: xLabel),
                               right: right)
        }

        var plot = plotArea(legendOutside: legend == .outsideRight)
        var legendOrigin: Point?
        if hasLegend {
            switch legend {
            case .automatic:
                let samples = samplePoints(xAxis: xAxis, yAxis: yAxis, plot: plot)
                let best = emptiestCorner(for: legendSize, in: plot, avoiding: samples)
                if best.covered == 0 {
                    legendOrigin = legendRect(size: legendSize, corner: best.corner, in: plot).origin
                } else {
                    plot = plotArea(legendOutside: true)
                    legendOrigin = Point(x: plot.maxX + style.labelGap * 2, y: plot.minY)
                }
            case .inside(let corner):
                legendOrigin = legendRect(size: legendSize, corner: corner, in: plot).origin
            case .outsideRight:
                legendOrigin = Point(x: plot.maxX + style.labelGap * 2, y: plot.minY)
            case .none:
                break
            }
        }

        canvas.drawYAxis(yAxis, plot: plot, label: yLabel, grid: showsGrid)
        canvas.drawXAxis(xAxis, plot: plot, label: xLabel, grid: showsGrid)
        canvas.withClip(to: plot.insetBy(dx: -style.lineWidth, dy: -style.lineWidth)) {
            for (index, s) in series.enumerated() {
                let color = color(ofSeries: index, style: style)
                if let band = s.band {
                    let upper = points(x: s.x, y: band.upper, xAxis: xAxis, yAxis: yAxis, plot: plot)
                    let lower = points(x: s.x, y: band.lower, xAxis: xAxis, yAxis: yAxis, plot: plot)
                    let outline = (upper + lower.reversed()).filter { $0.x.isFinite && $0.y.isFinite }
                    canvas.polygon(outline, fill: color.withAlpha(0.18))
                }
            }
            for (index, s) in series.enumerated() {
                let color = color(ofSeries: index, style: style)
                let line = points(x: s.x, y: s.y, xAxis: xAxis, yAxis: yAxis, plot: plot)
                canvas.polyline(line, color: color, lineWidth: style.lineWidth, dash: s.dash)
                if s.showsMarkers {
                    for p in line where p.x.isFinite && p.y.isFinite {
                        canvas.circle(center: p, radius: 2.8, fill: color, stroke: style.background, lineWidth: 0.8)
                    }
                }
            }
        }
        canvas.drawAxisLines(plot: plot)
        if let legendOrigin { canvas.legend(entries, at: legendOrigin) }
        canvas.drawTitle(title, over: plot, top: outer.minY)
    }

    // MARK: - Layout helpers

    /// The x and y axes chosen from all series (bands included) or the fixed ranges.
    func axes() -> (x: ChartAxis, y: ChartAxis) {
        let xs = series.flatMap(\.x).filter(\.isFinite)
        var ys = series.flatMap { $0.y + ($0.band?.lower ?? []) + ($0.band?.upper ?? []) }.filter(\.isFinite)
        if yScale == .logarithmic { ys = ys.filter { $0 > 0 } }
        var x = ChartAxis(dataLower: xs.min() ?? 0, dataUpper: xs.max() ?? 1, scale: .linear, fixed: xRange)
        if let xTicks {
            x.ticks = xTicks.filter { $0 >= x.lower && $0 <= x.upper }
            x.labels = formatTickLabels(x.ticks, logarithmic: false)
        }
        let y = ChartAxis(dataLower: ys.min() ?? (yScale == .logarithmic ? 0.1 : 0),
                          dataUpper: ys.max() ?? 1, scale: yScale, fixed: yRange)
        return (x, y)
    }

    /// Page positions of the data points; points off a logarithmic axis become NaN (a gap).
    func points(x: [Double], y: [Double], xAxis: ChartAxis, yAxis: ChartAxis, plot: Rect) -> [Point] {
        zip(x, y).map { xv, yv in
            guard xv.isFinite, yv.isFinite, yScale == .linear || yv > 0 else { return Point(x: .nan, y: .nan) }
            return Point(x: plot.minX + xAxis.fraction(xv) * plot.width,
                         y: plot.maxY - yAxis.fraction(yv) * plot.height)
        }
    }

    /// Points every 2 pt along every line and band edge, for choosing where the legend hides nothing.
    func samplePoints(xAxis: ChartAxis, yAxis: ChartAxis, plot: Rect) -> [Point] {
        var samples: [Point] = []
        for s in series {
            let curves = [s.y] + (s.band.map { [$0.lower, $0.upper] } ?? [])
            for curve in curves {
                let line = points(x: s.x, y: curve, xAxis: xAxis, yAxis: yAxis, plot: plot)
                samples.append(contentsOf: line.filter { $0.x.isFinite && $0.y.isFinite })
                for (a, b) in zip(line, line.dropFirst()) where a.x.isFinite && b.x.isFinite {
                    let length = ((b.x - a.x) * (b.x - a.x) + (b.y - a.y) * (b.y - a.y)).squareRoot()
                    let steps = Int(length / 2)
                    guard steps > 1 else { continue }
                    for k in 1..<steps {
                        let t = Double(k) / Double(steps)
                        samples.append(Point(x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t))
                    }
                }
            }
        }
        return samples
    }
}
