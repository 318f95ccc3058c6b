// Drawing A1-A5: the slide's three panels (input with the window, kernel, output with the current
// cell) and the sum written out under them; a question frame for a quiz, one frame per output cell,
// then a summary frame. A4 adds a fourth panel, the output max-pooled to one cell.
import CNNPlot
import Foundation

extension ConvolutionWalkthrough: Figure {
    public var catalogueID: String {
        let prefix = title.prefix { $0 != "." }
        return prefix.count <= 3 && prefix.first == "A" ? String(prefix) : "A1"
    }

    public var preferredSize: Size { .inches(10, 6) }

    /// The question (when asked first), one frame per output cell, then one with the whole output.
    public var frameCount: Int { (opensWithQuestion ? 1 : 0) + steps.count + 1 }

    /// What a frame shows.
    enum Stage: Equatable {
        /// The input and an empty output, with the question.
        case question
        /// Output cell `steps[index]` and its sum.
        case step(index: Int)
        /// The whole output.
        case summary
    }

    func stage(of frame: Int) -> Stage {
        let index = frame - (opensWithQuestion ? 1 : 0)
        if index < 0 { return .question }
        return index < steps.count ? .step(index: index) : .summary
    }

    /// The question of the opening frame, e.g. "2×2 average pooling, stride 2: what is the output?".
    public var question: String {
        "\(operationName)\(padding > 0 ? ", padding \(padding)" : ""), stride \(stride): what is the output?"
    }

    public var caption: String {
        let how: String
        switch operation {
        case .convolution: how = "the engine's Conv2D (cross-correlation, no kernel flip, no bias)"
        case .maxPool: how = "the engine's MaxPool2D"
        case .averagePool: how = "the engine's AvgPool2D (padding counted in the mean, as in PyTorch)"
        }
        // The geometry (size, padding, stride) is in the figure's subtitle; the caption says where the numbers come from.
        return (opensWithQuestion ? "A first frame asks for the output; then " : "")
            + "\(opensWithQuestion ? "every" : "Every") output value is computed by \(how), one frame per output cell, "
            + "from the \(input.count)×\(input[0].count) input drawn"
            + (pooledOutput == nil ? "." : "; the last frame max-pools the output to one cell (the engine's MaxPool2D) "
                + "and outlines the output cell it keeps.")
    }

    /// The name of A4's last step, e.g. "2×2 max pooling": the window covers the whole output.
    var outputPoolingName: String { "\(output.count)×\(output[0].count) max pooling" }

    var operationName: String {
        let k = windowSize
        switch operation {
        case .convolution: return "\(k.height)×\(k.width) kernel"
        case .maxPool: return "\(k.height)×\(k.width) max pooling"
        case .averagePool: return "\(k.height)×\(k.width) average pooling"
        }
    }

    public func draw(on canvas: Canvas, in rect: Rect, frame: Int) throws {
        let style = canvas.style
        let stage = stage(of: frame)
        let stepIndex: Int? = if case .step(let index) = stage { index } else { nil }
        let step = stepIndex.map { steps[$0] }
        let area = rect.insetBy(dx: style.margin, dy: style.margin)
        let scale = min(1.4, max(0.6, min(area.width / 700, area.height / 400)))

        // Title and the line saying which cell this frame computes.
        let titleFont = style.titleFont.withSize(style.titleFont.size * scale * 1.15)
        let titleHeight = canvas.measure(title, font: titleFont).height
        canvas.fittedText(title, in: Rect(x: area.minX, y: area.minY, width: area.width, height: titleHeight),
                          font: titleFont, horizontal: .center, vertical: .top)
        let outputRows = output.count, outputColumns = output[0].count
        let subtitle: String
        switch stage {
        case .question:
            subtitle = "Work it out first: the answer follows"
        case .step(let index):
            let step = steps[index]
            subtitle = "Output cell (row \(step.row + 1), column \(step.column + 1)) of \(outputRows)×\(outputColumns): step \(index + 1) of \(steps.count)"
        case .summary:
            subtitle = "The whole output, \(outputRows)×\(outputColumns): \(operationName), padding \(padding), stride \(stride)"
        }
        let subtitleFont = style.labelFont.withSize(style.labelFont.size * scale)
        let subtitleHeight = canvas.measure(subtitle, font: subtitleFont).height
        canvas.fittedText(subtitle, in: Rect(x: area.minX, y: area.minY + titleHeight + 3, width: area.width, height: subtitleHeight),
                          font: subtitleFont, color: style.mutedForeground, horizontal: .center, vertical: .top)
        var top = area.minY + titleHeight + subtitleHeight + 10 * scale

        // Footnote at the bottom.
        var bottom = area.maxY
        if let footnote {
            let font = style.tickFont.withSize(style.tickFont.size * scale).italicized
            let lines = canvas.balancedWrapped(footnote, width: area.width, font: font)
            let height = canvas.measure(lines.joined(separator: "\n"), font: font).height
            canvas.text(lines.joined(separator: "\n"), at: Point(x: area.minX, y: area.maxY), font: font,
                        color: style.mutedForeground, horizontal: .left, vertical: .bottom)
            bottom -= height + 8 * scale
        }

        // The equation block: as many lines as the longest sum, so panels stay put between frames.
        let equationFont = style.labelFont.withSize(15 * scale)
        let allLines = steps.map(equationLines(for:))
        let lineCount = max(2, allLines.map(\.count).max() ?? 1)
        let lineHeight = equationFont.size * 1.35
        let equationHeight = Double(lineCount) * lineHeight
        let equationRect = Rect(x: area.minX, y: bottom - equationHeight, width: area.width, height: equationHeight)
        bottom = equationRect.minY - 12 * scale
        let questionLines = opensWithQuestion ? [question] : []
        drawEquation(on: canvas, lines: step.map(equationLines(for:)) ?? (stage == .question ? questionLines : summaryLines),
                     widest: allLines.flatMap { $0 } + summaryLines + questionLines, in: equationRect, font: equationFont,
                     indentsContinuation: step != nil)

        // The three panels, all with cells of one size.
        let labelFont = style.labelFont.withSize(style.labelFont.size * scale).bolded
        let labelHeight = canvas.measure("Input", font: labelFont).height + 6 * scale
        top += labelHeight
        let padded = paddedInput
        let k = windowSize
        let operatorCells = kernel == nil ? 3.2 : 1.3
        // A4's pooled cell, drawn in every frame (empty until the last) so that the panels stay put.
        let poolingCells = 3.2
        let pooled = pooledOutput?.first?.first
        let columnsNeeded = Double(padded[0].count + outputColumns) + (kernel == nil ? operatorCells : Double(k.width) + 2 * operatorCells)
            + (pooled == nil ? 0 : poolingCells + 1)
        let rowsNeeded = Double(max(padded.count, k.height, outputRows))
        let cell = max(4, min(area.width / columnsNeeded, (bottom - top) / rowsNeeded, 52 * scale))
        let totalWidth = columnsNeeded * cell
        var x = area.center.x - totalWidth / 2
        let middle = top + (bottom - top) / 2

        // One font size for every grid.
        let gridTexts = padded.flatMap { $0 }.map { formatNumber($0) } + outputValues.map { formatNumber($0) }
            + (pooled.map { [formatNumber($0)] } ?? [])
            + (kernel?.flatMap { $0 }.map { formatNumber($0) } ?? [])
        let cellFontSize = canvas.fittedFontSize(for: gridTexts, in: Size(width: cell * 0.8, height: cell * 0.55),
                                                 font: style.cellFont.withSize(min(cell * 0.42, 24)))
        let highlightColor = style.highlightColor
        let windowHighlight = step.map {
            GridHighlight(rows: $0.windowRows, columns: $0.windowColumns, color: highlightColor, fill: highlightColor.withAlpha(0.13))
        }

        // Input, padding cells in grey and the image's edge outlined.
        let inputRect = Rect(x: x, y: middle - Double(padded.count) * cell / 2, width: Double(padded[0].count) * cell,
                             height: Double(padded.count) * cell)
        let h = input.count, w = input[0].count
        let paddingColors: [RGBColor?] = padded.indices.flatMap { r in
            padded[r].indices.map { c -> RGBColor? in
                (r < padding || r >= padding + h || c < padding || c >= padding + w) ? Self.paddingColor : nil
            }
        }
        let inputLayout = canvas.numberGrid(padded.flatMap { $0 }, rows: padded.count, columns: padded[0].count, in: inputRect,
                                            cellColors: padding > 0 ? paddingColors : nil,
                                            highlights: windowHighlight.map { [$0] } ?? [], maximumFontSize: cellFontSize)
        if padding > 0 {
            canvas.box(inputLayout.rect(rows: padding..<(padding + h), columns: padding..<(padding + w)),
                       stroke: style.foreground, lineWidth: 1.4 * scale)
            if let windowHighlight {
                canvas.box(inputLayout.rect(rows: windowHighlight.rows, columns: windowHighlight.columns),
                           stroke: highlightColor, lineWidth: style.highlightLineWidth)
            }
        }
        panelLabel(padding > 0 ? "Input (zero-padded)" : "Input", over: inputRect, on: canvas, font: labelFont, height: labelHeight)
        x = inputRect.maxX

        // Kernel (or the pooling operator), then "=".
        let symbolFont = Font(size: min(cell * 0.7, 30 * scale), bold: true)
        if let kernel {
            canvas.text("⋆", at: Point(x: x + operatorCells * cell / 2, y: middle), font: symbolFont,
                        horizontal: .center, vertical: .middle)
            x += operatorCells * cell
            let kernelRect = Rect(x: x, y: middle - Double(k.height) * cell / 2, width: Double(k.width) * cell, height: Double(k.height) * cell)
            canvas.numberGrid(kernel.flatMap { $0 }, rows: k.height, columns: k.width, in: kernelRect,
                              cellColors: Array(repeating: Self.kernelColor, count: k.height * k.width),
                              highlights: step == nil ? [] : [GridHighlight(rows: 0..<k.height, columns: 0..<k.width, color: highlightColor)],
                              maximumFontSize: cellFontSize)
            panelLabel("Kernel", over: kernelRect, on: canvas, font: labelFont, height: labelHeight)
            x = kernelRect.maxX
            canvas.text("=", at: Point(x: x + operatorCells * cell / 2, y: middle), font: symbolFont,
                        horizontal: .center, vertical: .middle)
            x += operatorCells * cell
        } else {
            let name = { if case .maxPool = operation { return "max" } else { return "average" } }()
            arrow(labelled: "\(k.height)×\(k.width) \(name)\nstride \(stride)", from: x, width: operatorCells * cell, at: middle,
                  cell: cell, scale: scale, on: canvas)
            x += operatorCells * cell
        }

        // Output: the cells computed so far, the current one highlighted.
        let outputRect = Rect(x: x, y: middle - Double(outputRows) * cell / 2, width: Double(outputColumns) * cell,
                              height: Double(outputRows) * cell)
        let shown: Int
        switch stage {
        case .question: shown = 0
        case .step(let index): shown = index + 1
        case .summary: shown = steps.count
        }
        let labels = outputValues.enumerated().map { $0.offset < shown ? formatNumber($0.element) : "" }
        // The current cell, or in the last frame the cell the pooling keeps, outlined on white.
        let outlined = step.map { ($0.row, $0.column) } ?? (stage == .summary ? pooledSource : nil)
        let outlinedIndex = outlined.map { $0.0 * outputColumns + $0.1 }
        let outline = { (row: Int, column: Int) in
            GridHighlight.cell(row: row, column: column, color: highlightColor, fill: highlightColor.withAlpha(0.13))
        }
        canvas.numberGrid(outputValues, rows: outputRows, columns: outputColumns, in: outputRect, labels: labels,
                          cellColors: outputValues.indices.map { $0 < shown && $0 != outlinedIndex ? Self.outputColor : nil },
                          highlights: outlined.map { [outline($0.0, $0.1)] } ?? [], maximumFontSize: cellFontSize)
        panelLabel(kernel == nil ? "Output" : "Output (hidden activation)", over: outputRect, on: canvas, font: labelFont, height: labelHeight)

        // A4: the output max-pooled to one cell, filled in the last frame.
        if let pooled {
            x = outputRect.maxX
            arrow(labelled: "\(output.count)×\(output[0].count) max pool", from: x, width: poolingCells * cell, at: middle, cell: cell, scale: scale, on: canvas)
            x += poolingCells * cell
            let pooledRect = Rect(x: x, y: middle - cell / 2, width: cell, height: cell)
            let isShown = stage == .summary
            canvas.numberGrid([pooled], rows: 1, columns: 1, in: pooledRect, labels: [isShown ? formatNumber(pooled) : ""],
                              highlights: isShown ? [outline(0, 0)] : [], maximumFontSize: cellFontSize)
            panelLabel("Pooled", over: pooledRect, on: canvas, font: labelFont, height: labelHeight)
        }
    }

    /// An arrow across `width` from `x` at height `middle`, its label above it (a pooling step), no wider than the arrow.
    private func arrow(labelled label: String, from x: Double, width: Double, at middle: Double, cell: Double, scale: Double,
                       on canvas: Canvas) {
        let largest = canvas.style.labelFont.withSize(min(cell * 0.36, 15 * scale))
        let size = canvas.fittedFontSize(for: label.components(separatedBy: "\n"), in: Size(width: width - 0.5 * cell, height: cell),
                                         font: largest)
        canvas.text(label, at: Point(x: x + width / 2, y: middle - 4), font: largest.withSize(size), horizontal: .center, vertical: .bottom)
        canvas.arrow(from: Point(x: x + 0.25 * cell, y: middle + 4), to: Point(x: x + width - 0.25 * cell, y: middle + 4),
                     color: canvas.style.foreground, lineWidth: 1.5 * scale)
    }

    /// The text of the summary frame.
    var summaryLines: [String] {
        let engine: String
        switch operation {
        case .convolution: engine = "Conv2D"
        case .maxPool: engine = "MaxPool2D"
        case .averagePool: engine = "AvgPool2D"
        }
        var lines = ["\(output.count)×\(output[0].count) output = \(engine)(\(input.count)×\(input[0].count) input), computed by the engine"]
        if let pooled = pooledOutput?.first?.first {
            let values = outputValues.map { formatNumber($0, maximumFractionDigits: 3) }.joined(separator: ", ")
            lines.append("\(outputPoolingName): \(formatNumber(pooled, maximumFractionDigits: 3)) = max(\(values))")
        }
        return lines
    }

    private func panelLabel(_ text: String, over grid: Rect, on canvas: Canvas, font: Font, height: Double) {
        let width = max(grid.width, canvas.measure(text, font: font).width)
        canvas.fittedText(text, in: Rect(x: grid.center.x - width / 2, y: grid.minY - height, width: width, height: height - 4),
                          font: font, horizontal: .center, vertical: .bottom)
    }

    /// Draws the sum, the continuation lines indented under the first term, as on the slides.
    private func drawEquation(on canvas: Canvas, lines: [String], widest: [String], in rect: Rect, font: Font,
                              indentsContinuation: Bool) {
        guard let first = lines.first else { return }
        let indentText = indentsContinuation ? first.range(of: " = ").map { String(first[..<$0.upperBound]) } ?? "" : ""
        // One size for every frame: the widest line of any frame must fit.
        let maxIndent = widest.compactMap { l in l.range(of: " = ").map { String(l[..<$0.upperBound]) } }
            .map { canvas.measure($0, font: font).width }.max() ?? 0
        let widestWidth = widest.map { canvas.measure($0, font: font).width }.max() ?? 1
        let size = min(font.size, font.size * rect.width / max(widestWidth + maxIndent, 1))
        let sized = font.withSize(size)
        let indent = canvas.measure(indentText, font: sized).width
        let blockWidth = lines.enumerated().map { canvas.measure($0.element, font: sized).width + ($0.offset > 0 ? indent : 0) }.max() ?? 0
        let left = rect.center.x - blockWidth / 2
        for (i, line) in lines.enumerated() {
            canvas.text(line, at: Point(x: left + (i > 0 ? indent : 0), y: rect.minY + Double(i) * size * 1.35),
                        font: sized, horizontal: .left, vertical: .top)
        }
    }

    static let paddingColor = RGBColor(hex: 0xE4E4E4)
    static let kernelColor = RGBColor(hex: 0xFCE8CF)
    static let outputColor = RGBColor(hex: 0xE2F0DC)
}

extension Font {
    var bolded: Font { Font(size: size, bold: true, italic: italic) }
    fileprivate var italicized: Font { Font(size: size, bold: bold, italic: true) }
}
