// A6: output-shape arithmetic in the style of Dumoulin and Visin's "A guide to convolution
// arithmetic for deep learning" (2016): the padded input, the kernel's footprint with its
// dilation gaps, the output, and the formula with the numbers filled in.
import CNNEngine
import CNNPlot

/// One convolution's sizes: a square n x n input, a k x k kernel, stride, padding and dilation.
public struct ShapeCase: Sendable, Equatable {
    public var inputSize: Int
    public var kernelSize: Int
    public var stride: Int
    /// Zero padding on each side (the formula's p is twice this).
    public var padding: Int
    public var dilation: Int
    /// The output size, from the engine's `Conv2D.outputShape`.
    public let outputSize: Int

    /// Works out the output size with the engine.
    /// - Throws: `ConfigurationError` or `ShapeError` from `Conv2D` for impossible sizes (a kernel
    ///   larger than the padded input, a non-positive stride).
    public init(inputSize: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0, dilation: Int = 1) throws {
        guard inputSize > 0 else { throw ConfigurationError("input size must be at least 1, got \(inputSize)") }
        self.inputSize = inputSize; self.kernelSize = kernelSize; self.stride = stride
        self.padding = padding; self.dilation = dilation
        let conv = try Conv2D("conv", inChannels: 1, outChannels: 1, kernelSize: Pair(kernelSize, kernelSize),
                              stride: Pair(stride, stride), padding: .uniform(padding), dilation: Pair(dilation, dilation))
        outputSize = try conv.outputShape(for: [1, inputSize, inputSize])[1]
    }

    /// The kernel's effective size, d(k - 1) + 1.
    public var effectiveKernelSize: Int { dilation * (kernelSize - 1) + 1 }

    /// The padded input's size, n + p.
    public var paddedSize: Int { inputSize + 2 * padding }

    /// `k_eff = d(k − 1) + 1 = 2·(3 − 1) + 1 = 5`.
    public var effectiveKernelFormula: String {
        "k_eff = d(k − 1) + 1 = \(dilation)·(\(kernelSize) − 1) + 1 = \(effectiveKernelSize)"
    }

    /// `n = 7, k = 3, s = 2, p = 2·0 = 0, d = 1`: the symbols' values (p is the padding of both sides).
    public var symbols: String {
        "n = \(inputSize), k = \(kernelSize), s = \(stride), p = 2·\(padding) = \(2 * padding), d = \(dilation)"
    }

    /// `o = ⌊(n − k_eff + p + s) / s⌋ = ⌊(7 − 3 + 0 + 2) / 2⌋ = 3`.
    public var outputFormula: String {
        "o = ⌊(n − k_eff + p + s) / s⌋ = " + outputFormulaFilledIn
    }

    /// `⌊(7 − 3 + 0 + 2) / 2⌋ = 3`.
    public var outputFormulaFilledIn: String {
        "⌊(\(inputSize) − \(effectiveKernelSize) + \(2 * padding) + \(stride)) / \(stride)⌋ = \(outputSize)"
    }

    /// The formula's value, computed from the numbers (it must equal the engine's `outputSize`).
    public var formulaValue: Int { (inputSize - effectiveKernelSize + 2 * padding + stride) / stride }

    /// A short description: "7×7 input, 3×3 kernel, stride 2".
    public var label: String {
        var parts = ["\(inputSize)×\(inputSize) input", "\(kernelSize)×\(kernelSize) kernel"]
        if stride != 1 { parts.append("stride \(stride)") }
        if padding != 0 { parts.append("padding \(padding)") }
        if dilation != 1 { parts.append("dilation \(dilation)") }
        if parts.count == 2 { parts.append("stride 1, no padding") }
        return parts.joined(separator: ", ")
    }

    /// The lecture's three cases: the stride-2 quiz, "same" padding, and dilation 2.
    public static func lectureCases() throws -> [ShapeCase] {
        [try ShapeCase(inputSize: 7, kernelSize: 3, stride: 2),
         try ShapeCase(inputSize: 5, kernelSize: 3, padding: 1),
         try ShapeCase(inputSize: 7, kernelSize: 3, dilation: 2)]
    }
}

/// A6: a row of output-shape diagrams, one per case.
public struct OutputShapeDiagram: Figure, Sendable {
    public var cases: [ShapeCase]

    public init(cases: [ShapeCase]) {
        precondition(!cases.isEmpty, "OutputShapeDiagram: needs at least one case")
        self.cases = cases
    }

    public var catalogueID: String { "A6" }
    public var title: String { "A6. Output size from input, kernel, padding, stride and dilation" }
    public var preferredSize: Size { .inches(max(4.5, 3.7 * Double(cases.count)), 6.2) }
    public var caption: String {
        "Convolution arithmetic after Dumoulin and Visin (2016): grey cells are zero padding, dark cells the kernel's "
            + "first footprint (dashed: its next position), green the output. Each output size is the engine's Conv2D.outputShape "
            + "for that case, and the formula under it reaches the same number."
    }

    static let inputColor = RGBColor(hex: 0x9CC3E4)
    static let paddingColor = RGBColor(hex: 0xE8E8E8)
    static let tapColor = RGBColor(hex: 0x1F4E79)
    static let outputColor = RGBColor(hex: 0x7FCDBB)

    public func draw(on canvas: Canvas, in rect: Rect, frame: Int) throws {
        let style = canvas.style
        let area = rect.insetBy(dx: style.margin, dy: style.margin)
        let scale = min(1.3, max(0.6, min(area.width / (260 * Double(cases.count)), area.height / 430)))
        let titleFont = Font(size: style.titleFont.size * scale * 1.1, bold: true)
        let titleHeight = canvas.measure(title, font: titleFont).height
        canvas.fittedText(title, in: Rect(x: area.minX, y: area.minY, width: area.width, height: titleHeight),
                          font: titleFont, horizontal: .center, vertical: .top)
        let body = area.inset(top: titleHeight + 10 * scale)
        let gap = 16 * scale
        let columnWidth = (body.width - gap * Double(cases.count - 1)) / Double(cases.count)
        // One cell size for every case, so the grids compare.
        let labelFont = Font(size: style.labelFont.size * scale, bold: true)
        let formulaFont = Font(size: style.labelFont.size * scale)
        let textHeight = canvas.measure("Hg", font: labelFont).height
        let formulaHeight = 4 * formulaFont.size * 1.45 + 6 * scale
        let largest = cases.map(\.paddedSize).max()!
        let largestOutput = cases.map(\.outputSize).max()!
        let gridHeight = body.height - 3 * textHeight - formulaHeight - 50 * scale
        let cell = max(2, min(columnWidth * 0.92 / Double(largest), gridHeight / Double(largest + largestOutput), 30 * scale))
        let formulaSize = canvas.fittedFontSize(
            for: cases.flatMap { [$0.symbols, $0.effectiveKernelFormula, "o = ⌊(n − k_eff + p + s) / s⌋"] },
            in: Size(width: columnWidth, height: formulaFont.size * 1.3), font: formulaFont)
        let boldSize = canvas.fittedFontSize(for: cases.map { "= " + $0.outputFormulaFilledIn },
                                             in: Size(width: columnWidth, height: formulaFont.size * 1.3),
                                             font: Font(size: formulaSize, bold: true))

        for (index, shape) in cases.enumerated() {
            let column = Rect(x: body.minX + Double(index) * (columnWidth + gap), y: body.minY, width: columnWidth, height: body.height)
            var y = column.minY
            canvas.fittedText(shape.label, in: Rect(x: column.minX, y: y, width: column.width, height: textHeight),
                              font: labelFont, horizontal: .center, vertical: .top)
            y += textHeight + 4 * scale
            canvas.fittedText("input \(shape.inputSize)×\(shape.inputSize)" + (shape.padding > 0 ? " + padding" : ""),
                              in: Rect(x: column.minX, y: y, width: column.width, height: textHeight),
                              font: formulaFont, color: style.mutedForeground, horizontal: .center, vertical: .top)
            y += textHeight + 2 * scale
            let n = shape.paddedSize
            let inputRect = Rect(x: column.center.x - Double(n) * cell / 2, y: y, width: Double(n) * cell, height: Double(n) * cell)
            drawInput(shape, in: inputRect, cell: cell, on: canvas)
            y = inputRect.maxY + 8 * scale
            canvas.arrow(from: Point(x: column.center.x, y: y), to: Point(x: column.center.x, y: y + 14 * scale),
                         color: style.foreground, lineWidth: 1.2 * scale)
            y += 16 * scale
            canvas.fittedText("output \(shape.outputSize)×\(shape.outputSize)",
                              in: Rect(x: column.minX, y: y, width: column.width, height: textHeight),
                              font: formulaFont, color: style.mutedForeground, horizontal: .center, vertical: .top)
            y += textHeight + 2 * scale
            let o = shape.outputSize
            let outputRect = Rect(x: column.center.x - Double(o) * cell / 2, y: y, width: Double(o) * cell, height: Double(o) * cell)
            let colors: [RGBColor?] = (0..<(o * o)).map { _ in Self.outputColor }
            canvas.numberGrid(Array(repeating: 0, count: o * o), rows: o, columns: o, in: outputRect,
                              labels: Array(repeating: "", count: o * o), cellColors: colors,
                              highlights: [GridHighlight.cell(row: 0, column: 0, color: Self.tapColor, fill: Self.tapColor.withAlpha(0.55))]
                                + (o > 1 ? [GridHighlight(rows: 0..<1, columns: 1..<2, color: Self.tapColor, lineWidth: 1.4 * scale)] : []))
            let formulaTop = column.maxY - formulaHeight
            let lines = [shape.symbols, shape.effectiveKernelFormula, "o = ⌊(n − k_eff + p + s) / s⌋"]
            for (i, line) in lines.enumerated() {
                canvas.text(line, at: Point(x: column.center.x, y: formulaTop + Double(i) * formulaSize * 1.45),
                            font: formulaFont.withSize(formulaSize), color: i == 0 ? style.mutedForeground : nil,
                            horizontal: .center, vertical: .top)
            }
            canvas.text("= " + shape.outputFormulaFilledIn, at: Point(x: column.center.x, y: formulaTop + 3 * formulaSize * 1.45),
                        font: Font(size: boldSize, bold: true), horizontal: .center, vertical: .top)
        }
    }

    /// The padded input with the kernel's first footprint (taps dark, dilation gaps left open) and
    /// the outline of its next position along the row.
    private func drawInput(_ shape: ShapeCase, in rect: Rect, cell: Double, on canvas: Canvas) {
        let n = shape.paddedSize, p = shape.padding
        let colors: [RGBColor?] = (0..<(n * n)).map { i in
            let r = i / n, c = i % n
            return (r < p || r >= n - p || c < p || c >= n - p) ? Self.paddingColor : Self.inputColor
        }
        let k = shape.kernelSize, d = shape.dilation
        var taps: [GridHighlight] = []
        for i in 0..<k { for j in 0..<k {
            taps.append(GridHighlight(rows: (i * d)..<(i * d + 1), columns: (j * d)..<(j * d + 1), color: Self.tapColor,
                                      fill: Self.tapColor.withAlpha(0.6), lineWidth: 0.8))
        } }
        let layout = canvas.numberGrid(Array(repeating: 0, count: n * n), rows: n, columns: n, in: rect,
                                       labels: Array(repeating: "", count: n * n), cellColors: colors, highlights: taps)
        let footprint = shape.effectiveKernelSize
        canvas.box(layout.rect(rows: 0..<footprint, columns: 0..<footprint), stroke: Self.tapColor, lineWidth: 2)
        if footprint + shape.stride <= n {
            let next = layout.rect(rows: 0..<footprint, columns: shape.stride..<(shape.stride + footprint))
            canvas.box(next.insetBy(dx: 2, dy: 2), stroke: Self.tapColor, lineWidth: 1.4, dash: .dashed)
        }
        if p > 0 {
            canvas.box(layout.rect(rows: p..<(n - p), columns: p..<(n - p)), stroke: canvas.style.foreground, lineWidth: 1)
        }
    }
}
