// A vertical colour bar with tick labels, to read values off a colour-mapped image.

import Foundation

extension Canvas {
    /// Draws a vertical colour bar filling the height of `rect`: the bar at the left, ticks and labels to its right.
    ///
    /// Use `colorBarWidth(for:label:barWidth:)` to size `rect` so the labels are not clipped.
    /// - Parameters:
    ///   - range: The values at the bottom and top of the bar.
    ///   - label: An optional quantity name, written rotated along the right side.
    ///   - ticks: Tick values; nil picks 1-2-5 values inside the range.
    public func colorBar(_ colorMap: ColorMap, range: ValueRange, in rect: Rect, label: String? = nil,
                         ticks: [Double]? = nil, barWidth: Double = 12) {
        let font = style.tickFont
        let metrics = measure("0", font: font)
        // Keep the end labels, centred on their ticks, inside the rectangle.
        let bar = Rect(x: rect.minX, y: rect.minY + metrics.capHeight / 2 + 1,
                       width: min(barWidth, rect.width), height: max(1, rect.height - metrics.capHeight - 2))
        let steps = 256
        let values = (0..<steps).map { Float(steps - 1 - $0) / Float(steps - 1) }
        image(values, width: 1, height: steps, in: bar, colorMap: colorMap, range: ValueRange(0, 1))
        box(bar, stroke: style.foreground, lineWidth: style.axisLineWidth)

        let tickValues = ticks ?? Ticks.linear(within: range.lower, range.upper, targetCount: 5)
        let labels = formatTickLabels(tickValues)
        for (value, text) in zip(tickValues, labels) {
            let y = bar.maxY - range.normalized(value) * bar.height
            line(from: Point(x: bar.maxX, y: y), to: Point(x: bar.maxX + style.tickLength, y: y),
                 color: style.foreground, lineWidth: style.axisLineWidth)
            self.text(text, at: Point(x: bar.maxX + style.tickLength + style.labelGap * 0.6, y: y), font: font,
                      horizontal: .left, vertical: .middle)
        }
        if let label {
            self.text(label, at: Point(x: rect.maxX, y: bar.center.y), font: style.labelFont,
                      horizontal: .center, vertical: .bottom, angle: .pi / 2)
        }
    }

    /// The width a colour bar needs for its bar, ticks, labels and optional title.
    public func colorBarWidth(for range: ValueRange, label: String? = nil, ticks: [Double]? = nil,
                              barWidth: Double = 12) -> Double {
        let tickValues = ticks ?? Ticks.linear(within: range.lower, range.upper, targetCount: 5)
        let widest = formatTickLabels(tickValues).map { measure($0, font: style.tickFont).width }.max() ?? 0
        let title = label.map { measure($0, font: style.labelFont).height + style.labelGap } ?? 0
        return barWidth + style.tickLength + style.labelGap * 0.6 + widest + title
    }
}
