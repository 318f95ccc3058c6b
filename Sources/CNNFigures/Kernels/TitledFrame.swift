import CNNPlot

extension Canvas {
    /// Draws a figure's title at the top of `area` and its note (wrapped, muted italics) at the bottom,
    /// both sized by `scale`, and returns the rectangle left between them with `spacing` around it.
    func titledFrame(title: String, note: String, in area: Rect, scale: Double, spacing: Double) -> Rect {
        let titleFont = Font(size: style.titleFont.size * 1.1 * scale, bold: true)
        let titleHeight = measure(title, font: titleFont).height
        fittedText(title, in: Rect(x: area.minX, y: area.minY, width: area.width, height: titleHeight), font: titleFont,
                   horizontal: .center, vertical: .top)
        // Wrapped, never below 18 px on a page shown 1500 px wide.
        let noteFont = Font(size: max(style.tickFont.size * scale, smallestLegibleFontSize), italic: true)
        let noteText = balancedWrapped(note, width: area.width, font: noteFont).joined(separator: "\n")
        let noteHeight = measure(noteText, font: noteFont).height
        text(noteText, at: Point(x: area.minX, y: area.maxY), font: noteFont, color: style.mutedForeground, vertical: .bottom)
        return area.inset(top: titleHeight + spacing * scale, bottom: noteHeight + spacing * scale)
    }
}
