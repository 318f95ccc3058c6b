// Shared by the charts: mapping data to the plot rectangle, and drawing frame, grid, ticks and axis labels.

import Foundation

/// How values are spaced along an axis.
public enum AxisScale: Sendable, Equatable {
    case linear
    /// Base-10 logarithmic; every value on it must be positive.
    case logarithmic
}

/// One axis's range and ticks, after choosing them from the data.
struct ChartAxis {
    var lower: Double
    var upper: Double
    var scale: AxisScale
    var ticks: [Double]
    var labels: [String]

    /// Picks nice ticks for data in `dataLower...dataUpper`, or inside `fixed` when given.
    init(dataLower: Double, dataUpper: Double, scale: AxisScale, fixed: ClosedRange<Double>?, targetCount: Int = 6) {
        self.scale = scale
        switch (scale, fixed) {
        case (.linear, let fixed?):
            ticks = Ticks.linear(within: fixed.lowerBound, fixed.upperBound, targetCount: targetCount)
            (lower, upper) = (fixed.lowerBound, fixed.upperBound)
        case (.linear, nil):
            ticks = Ticks.linear(covering: dataLower, dataUpper, targetCount: targetCount)
            (lower, upper) = (ticks.first ?? dataLower, ticks.last ?? dataUpper)
        case (.logarithmic, let fixed?):
            let inside = { (t: Double) in t >= fixed.lowerBound * 0.999999 && t <= fixed.upperBound * 1.000001 }
            ticks = Ticks.logarithmic(covering: fixed.lowerBound, fixed.upperBound).filter(inside)
            if ticks.count < 3 {
                // A fixed range of a decade or two can hold one power of ten or none: label 1-2-5 steps instead.
                let first = Int((log10(fixed.lowerBound)).rounded(.down)), last = Int((log10(fixed.upperBound)).rounded(.up))
                ticks = (first...max(first, last)).flatMap { e in [1.0, 2, 5].map { $0 * pow(10, Double(e)) } }.filter(inside)
            }
            (lower, upper) = (fixed.lowerBound, fixed.upperBound)
        case (.logarithmic, nil):
            ticks = Ticks.logarithmic(covering: dataLower, dataUpper)
            (lower, upper) = (ticks.first ?? dataLower, ticks.last ?? dataUpper)
        }
        labels = formatTickLabels(ticks, logarithmic: scale == .logarithmic)
    }

    /// Where `value` falls along the axis, 0 at `lower` and 1 at `upper` (not clamped).
    func fraction(_ value: Double) -> Double {
        switch scale {
        case .linear:
            return upper > lower ? (value - lower) / (upper - lower) : 0.5
        case .logarithmic:
            guard value > 0 else { return -.infinity }
            return upper > lower ? (log10(value) - log10(lower)) / (log10(upper) - log10(lower)) : 0.5
        }
    }
}

extension Canvas {
    /// Space needed left of the plot for y tick labels and the y-axis label.
    func leftAxisWidth(_ axis: ChartAxis, label: String?) -> Double {
        let widest = axis.labels.map { measure($0, font: style.tickFont).width }.max() ?? 0
        let title = label.map { measure($0, font: style.labelFont).height + style.labelGap } ?? 0
        return style.tickLength + style.labelGap * 0.6 + widest + title
    }

    /// Space needed under the plot for x tick labels (of `tickLines` lines) and the x-axis label.
    func bottomAxisHeight(tickLines: Int, label: String?) -> Double {
        let tick = measure(Array(repeating: "0", count: max(tickLines, 1)).joined(separator: "\n"), font: style.tickFont)
        let title = label.map { measure($0, font: style.labelFont).height + style.labelGap } ?? 0
        return style.tickLength + style.labelGap * 0.6 + tick.height + title
    }

    /// Draws horizontal grid lines, the left and bottom axis lines, y ticks with labels, and the y-axis label.
    func drawYAxis(_ axis: ChartAxis, plot: Rect, label: String?, grid: Bool) {
        for (value, text) in zip(axis.ticks, axis.labels) {
            let y = plot.maxY - axis.fraction(value) * plot.height
            guard y >= plot.minY - 0.5, y <= plot.maxY + 0.5 else { continue }
            if grid, abs(y - plot.maxY) > 0.5 {
                line(from: Point(x: plot.minX, y: y), to: Point(x: plot.maxX, y: y),
                     color: style.gridColor, lineWidth: style.gridLineWidth)
            }
            line(from: Point(x: plot.minX - style.tickLength, y: y), to: Point(x: plot.minX, y: y),
                 color: style.foreground, lineWidth: style.axisLineWidth)
            self.text(text, at: Point(x: plot.minX - style.tickLength - style.labelGap * 0.6, y: y),
                      font: style.tickFont, horizontal: .right, vertical: .middle)
        }
        if let label {
            let x = plot.minX - leftAxisWidth(axis, label: label)
            self.text(label, at: Point(x: x, y: plot.center.y), font: style.labelFont,
                      horizontal: .center, vertical: .top, angle: .pi / 2)
        }
    }

    /// Draws vertical grid lines, x ticks with labels, and the x-axis label.
    func drawXAxis(_ axis: ChartAxis, plot: Rect, label: String?, grid: Bool) {
        for (value, text) in zip(axis.ticks, axis.labels) {
            let x = plot.minX + axis.fraction(value) * plot.width
            guard x >= plot.minX - 0.5, x <= plot.maxX + 0.5 else { continue }
            if grid, abs(x - plot.minX) > 0.5 {
                line(from: Point(x: x, y: plot.minY), to: Point(x: x, y: plot.maxY),
                     color: style.gridColor, lineWidth: style.gridLineWidth)
            }
            line(from: Point(x: x, y: plot.maxY), to: Point(x: x, y: plot.maxY + style.tickLength),
                 color: style.foreground, lineWidth: style.axisLineWidth)
            self.text(text, at: Point(x: x, y: plot.maxY + style.tickLength + style.labelGap * 0.6),
                      font: style.tickFont, horizontal: .center, vertical: .top)
        }
        drawXAxisLabel(label, plot: plot, tickLines: 1)
    }

    /// Writes the x-axis label centred under the tick labels.
    func drawXAxisLabel(_ label: String?, plot: Rect, tickLines: Int) {
        guard let label else { return }
        let y = plot.maxY + bottomAxisHeight(tickLines: tickLines, label: label)
        self.text(label, at: Point(x: plot.center.x, y: y), font: style.labelFont,
                  horizontal: .center, vertical: .bottom)
    }

    /// Draws the left and bottom axis lines (the top and right ones are left off, to keep the chart light).
    func drawAxisLines(plot: Rect) {
        line(from: Point(x: plot.minX, y: plot.minY), to: Point(x: plot.minX, y: plot.maxY),
             color: style.foreground, lineWidth: style.axisLineWidth)
        line(from: Point(x: plot.minX, y: plot.maxY), to: Point(x: plot.maxX, y: plot.maxY),
             color: style.foreground, lineWidth: style.axisLineWidth)
    }

    /// Height a title takes above a chart or panel, gap included (0 without one).
    public func titleHeight(_ title: String?) -> Double {
        title.map { measure($0, font: style.titleFont).height + style.labelGap * 1.5 } ?? 0
    }

    /// Writes a title in the style's title font, centred over `area` with its top at `top`, shrunk to fit the width.
    public func drawTitle(_ title: String?, over area: Rect, top: Double) {
        guard let title else { return }
        let height = measure(title, font: style.titleFont).height
        fittedText(title, in: Rect(x: area.minX, y: top, width: area.width, height: height),
                   font: style.titleFont, vertical: .top)
    }
}
