// What C6, C7 and E6 share besides the model's test images (prepared by CNNRuns' `TrainedModel`):
// number formats, a softmax, and a plain pair of axes for their charts.
import CNNData
import CNNEngine
import CNNModels
import CNNPlot
import Foundation

/// A whole-number label of four or more digits with thousands separators ("15000" -> "15,000"); others unchanged.
func separatedThousands(_ label: String) -> String {
    let negative = label.hasPrefix("\u{2212}")
    let digits = negative ? String(label.dropFirst()) : label
    guard digits.count >= 4, digits.allSatisfy(\.isASCII), let n = Int(digits) else { return label }
    return (negative ? "\u{2212}" : "") + groupedThousands(n)
}

/// Softmax of one row of logits, in double precision.
func softmax(_ logits: ArraySlice<Float>) -> [Double] {
    let m = Double(logits.max() ?? 0)
    let e = logits.map { exp(Double($0) - m) }
    let total = e.reduce(0, +)
    return e.map { $0 / total }
}

// MARK: - Axes

/// A chart's plot rectangle and the data ranges mapped onto it.
struct PlotAxes {
    var plot: Rect
    var x: ClosedRange<Double>
    var y: ClosedRange<Double>
    var yLogarithmic: Bool

    /// The point of data (`x`, `y`); a logarithmic y axis takes log10 of `y`.
    func point(_ px: Double, _ py: Double) -> Point {
        let fx = x.upperBound > x.lowerBound ? (px - x.lowerBound) / (x.upperBound - x.lowerBound) : 0.5
        let vy = yLogarithmic ? log10(max(py, 1e-300)) : py
        let (ly, uy) = yLogarithmic ? (log10(y.lowerBound), log10(y.upperBound)) : (y.lowerBound, y.upperBound)
        let fy = uy > ly ? (vy - ly) / (uy - ly) : 0.5
        return Point(x: plot.minX + fx * plot.width, y: plot.maxY - fy * plot.height)
    }
}

extension Canvas {
    /// Draws a panel title, left and bottom axes with nice ticks covering `x` and `y`, light grid lines and the
    /// axis labels inside `rect`; returns where the data goes. A logarithmic y axis needs a positive range.
    func plotAxes(in rect: Rect, title: String?, x: ClosedRange<Double>, y: ClosedRange<Double>, xLabel: String?,
                  yLabel: String?, yLogarithmic: Bool = false, tickCount: Int = 5, showsXTickLabels: Bool = true,
                  exactX: Bool = false) -> PlotAxes {
        // An exact x axis spans `x` itself with ticks inside it (histograms, units); else it is widened to nice ticks.
        let xTicks = exactX ? Ticks.linear(within: x.lowerBound, x.upperBound, targetCount: tickCount)
            : Ticks.linear(covering: x.lowerBound, x.upperBound, targetCount: tickCount)
        let yTicks = yLogarithmic ? Ticks.logarithmic(covering: y.lowerBound, y.upperBound)
            : Ticks.linear(covering: y.lowerBound, y.upperBound, targetCount: tickCount)
        let xRange = exactX ? x : (xTicks.first ?? x.lowerBound)...(xTicks.last ?? x.upperBound)
        let yRange = (yTicks.first ?? y.lowerBound)...(yTicks.last ?? y.upperBound)
        let xLabels = formatTickLabels(xTicks).map(separatedThousands)
        // One format per axis (formatTickLabels decides for all its ticks), thousands grouped.
        let yLabels = formatTickLabels(yTicks, logarithmic: yLogarithmic).map(separatedThousands)
        let tick = style.tickFont, label = style.labelFont
        let tickHeight = measure("0", font: tick).height
        let labelHeight = measure("Hg", font: label).height
        let titleHeight = title.map { measure($0, font: label.bolded).height + style.labelGap } ?? 0
        let left = (yLabels.map { measure($0, font: tick).width }.max() ?? 0) + style.tickLength + style.labelGap
            + (yLabel == nil ? 0 : labelHeight + style.labelGap)
        let bottom = (showsXTickLabels ? tickHeight + style.tickLength + style.labelGap * 0.6 : style.tickLength)
            + (xLabel == nil ? 0 : labelHeight + style.labelGap * 0.6)
        // Half a tick label of room on the right, so the last one is not clipped.
        let right = measure(xLabels.last ?? "", font: tick).width / 2 + 2
        let plot = rect.inset(top: titleHeight + tickHeight / 2, left: left, bottom: bottom, right: right)
        if let title {
            fittedText(title, in: Rect(x: rect.minX, y: rect.minY, width: rect.width, height: titleHeight),
                       font: label.bolded, horizontal: .center, vertical: .top)
        }
        let axes = PlotAxes(plot: plot, x: xRange, y: yRange, yLogarithmic: yLogarithmic)
        for (value, text) in zip(yTicks, yLabels) {
            let p = axes.point(xRange.lowerBound, value)
            line(from: Point(x: plot.minX, y: p.y), to: Point(x: plot.maxX, y: p.y), color: style.gridColor, lineWidth: style.gridLineWidth)
            line(from: Point(x: plot.minX - style.tickLength, y: p.y), to: Point(x: plot.minX, y: p.y),
                 color: style.foreground, lineWidth: style.axisLineWidth)
            self.text(text, at: Point(x: plot.minX - style.tickLength - style.labelGap * 0.6, y: p.y), font: tick,
                      horizontal: .right, vertical: .middle)
        }
        for (value, text) in zip(xTicks, xLabels) {
            let p = axes.point(value, yRange.lowerBound)
            line(from: Point(x: p.x, y: plot.minY), to: Point(x: p.x, y: plot.maxY), color: style.gridColor, lineWidth: style.gridLineWidth)
            line(from: Point(x: p.x, y: plot.maxY), to: Point(x: p.x, y: plot.maxY + style.tickLength),
                 color: style.foreground, lineWidth: style.axisLineWidth)
            if showsXTickLabels {
                self.text(text, at: Point(x: p.x, y: plot.maxY + style.tickLength + style.labelGap * 0.6), font: tick,
                          horizontal: .center, vertical: .top)
            }
        }
        line(from: Point(x: plot.minX, y: plot.minY), to: Point(x: plot.minX, y: plot.maxY), color: style.foreground, lineWidth: style.axisLineWidth)
        line(from: Point(x: plot.minX, y: plot.maxY), to: Point(x: plot.maxX, y: plot.maxY), color: style.foreground, lineWidth: style.axisLineWidth)
        if let xLabel {
            self.text(xLabel, at: Point(x: plot.center.x, y: rect.maxY), font: label, horizontal: .center, vertical: .bottom)
        }
        if let yLabel {
            self.text(yLabel, at: Point(x: rect.minX, y: plot.center.y), font: label, horizontal: .center, vertical: .top, angle: .pi / 2)
        }
        return axes
    }
}
