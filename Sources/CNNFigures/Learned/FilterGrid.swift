// C2. Learned filters (Krizhevsky et al. 2012, figure 3, as two lectures show it): every filter of a
// convolution as a small image. RGB for filters over three input channels; one diverging image per
// filter (blue < 0 < red, zero white) for one input channel; deeper layers one image per
// (output, input-channel) slice, or the mean over input channels.
import CNNPlot
import Foundation

/// Every filter of one convolution as a grid of small images.
public struct FilterGrid: Figure {
    /// How the filters are drawn.
    public enum Mode: String, Sendable, CaseIterable {
        /// One colour image per filter over three input channels (each channel's weights drive red, green, blue).
        case rgb
        /// One diverging image per filter over one input channel.
        case single
        /// One diverging image per (output, input-channel) slice: rows are filters, columns input channels.
        case slices
        /// One diverging image per filter: the mean over its input channels.
        case mean
    }

    /// The model's name, for the title.
    public let model: String
    /// The weights drawn.
    public let weights: ConvolutionWeights
    public let mode: Mode
    /// Whether every image shares one scale (else each filter is scaled by its own largest |weight| or min-max).
    public let commonScale: Bool
    /// The images as drawn, row by row.
    public let cells: [ImageCell]
    /// Columns of the grid.
    public let columns: Int
    /// Filters shown (slices mode shows at most `maximumSliceFilters` filters and `maximumSliceInputs` input channels).
    public let shownFilters: Int
    public let shownInputs: Int
    /// The range of the colour bar (weights, or weight / max |weight| of its filter), nil for RGB.
    public let colorBarRange: ValueRange?
    /// Whether the layer is the network's first convolution (the title says "first-layer").
    public let isFirstLayer: Bool
    /// What the model is and what it learned from, from its file (`ModelConvolutions.provenance`).
    public let provenance: String?

    public static let maximumSliceFilters = 32, maximumSliceInputs = 32

    /// Lays out `weights`.
    /// - Parameters:
    ///   - mode: nil picks RGB for 3 input channels, single for 1, slices up to 32 x 32 slices' worth, else mean.
    ///   - commonScale: one scale for every image, so filters compare directly.
    /// - Throws: `LearnedFigureError` when RGB is asked of filters that do not have 3 input channels.
    ///   - isFirstLayer: whether `weights` is the network's first convolution.
    ///   - provenance: what the model is and learned from, for the caption and the line under the grid.
    public init(model: String, weights: ConvolutionWeights, mode: Mode? = nil, commonScale: Bool = false,
                isFirstLayer: Bool = false, provenance: String? = nil) throws {
        let inC = weights.inChannels
        let chosen = mode ?? (inC == 3 ? .rgb : inC == 1 ? .single : (weights.outChannels * inC <= 32 * 32 ? .slices : .mean))
        if chosen == .rgb && inC != 3 {
            throw LearnedFigureError("layer \(weights.layer) has \(inC) input channels; RGB filters need 3 (use --slices or --mean)")
        }
        if chosen == .single && inC != 1 {
            throw LearnedFigureError("layer \(weights.layer) has \(inC) input channels, not 1 (use --slices or --mean)")
        }
        self.model = model; self.weights = weights; self.mode = chosen; self.commonScale = commonScale
        self.isFirstLayer = isFirstLayer; self.provenance = provenance
        let outC = weights.outChannels
        switch chosen {
        case .rgb:
            let filters = (0..<outC).map { weights.filter($0) }
            // Mid-grey is 0 in every channel: a filter's colours show which channels it weighs up and down.
            let shared = ValueRange.symmetricCommon(filters)
            cells = filters.enumerated().map { o, f in
                ImageCell(values: f, channels: 3, range: commonScale ? shared : .symmetric(of: f), caption: "\(o)")
            }
            columns = gridColumns(outC, maximumSingleRow: 12)
            shownFilters = outC; shownInputs = 3
            colorBarRange = nil
        case .single, .mean:
            let images = (0..<outC).map { chosen == .mean ? weights.meanOverInputs($0) : weights.filter($0) }
            let shared = ValueRange.symmetricCommon(images)
            cells = images.enumerated().map { o, f in
                ImageCell(values: commonScale ? f : Self.unitScaled(f), range: commonScale ? shared : ValueRange(-1, 1), caption: "\(o)")
            }
            columns = gridColumns(outC, maximumSingleRow: 12)
            shownFilters = outC; shownInputs = chosen == .mean ? inC : 1
            colorBarRange = commonScale ? shared : ValueRange(-1, 1)
        case .slices:
            // Filters across (columns), input channels down (rows): most layers have more filters than inputs.
            let filters = min(outC, Self.maximumSliceFilters), inputs = min(inC, Self.maximumSliceInputs)
            let shared = ValueRange.symmetricCommon((0..<filters).map { weights.filter($0) })
            // Each filter is scaled by its own largest |weight| over all its slices, so slices of a filter compare.
            let scales = (0..<filters).map { Float(ValueRange.symmetric(of: weights.filter($0)).upper) }
            var cells: [ImageCell] = []
            for i in 0..<inputs {
                for o in 0..<filters {
                    let s = weights.slice(o, i)
                    cells.append(ImageCell(values: commonScale ? s : s.map { $0 / scales[o] },
                                           range: commonScale ? shared : ValueRange(-1, 1)))
                }
            }
            self.cells = cells
            columns = filters
            shownFilters = filters; shownInputs = inputs
            colorBarRange = commonScale ? shared : ValueRange(-1, 1)
        }
    }

    /// The values divided by their largest magnitude, so they span at most -1...1 with zero kept at zero.
    static func unitScaled(_ values: [Float]) -> [Float] {
        let m = Float(ValueRange.symmetric(of: values).upper)
        return values.map { $0 / m }
    }

    public var catalogueID: String { "C2" }

    /// The convolution named and shaped ("C1 32×1×7×7"), for the note.
    var layerLabel: String { "\(weights.layer) \(sizeText(weights.shape))" }

    public var title: String { "\(catalogueID). \(titleText)" }
    /// The title without its catalogue id.
    var titleText: String {
        let k = "\(weights.kernelHeight)×\(weights.kernelWidth)"
        if isFirstLayer && (mode == .rgb || mode == .single) { return "Learned first-layer filters of \(model)" }
        let shape = sizeText(weights.shape)
        switch mode {
        case .rgb, .single:
            return "\(model): the \(weights.outChannels) learned \(k) filters of \(weights.layer) (\(shape))"
        case .slices:
            return "\(model): filters of \(weights.layer) (\(shape)), one \(k) slice per filter and input channel"
        case .mean:
            return "\(model): filters of \(weights.layer) (\(shape)), each the mean over its \(weights.inChannels) input channels"
        }
    }

    /// A line under the title saying how colours map to weights.
    var note: String {
        let scale = commonScale ? "one common scale for all filters" : "each filter scaled by its own largest |weight|"
        switch mode {
        case .rgb:
            let prefix = isFirstLayer ? "\(layerLabel): " : ""
            // Non-breaking spaces keep "red, green, blue" on one line when the note wraps.
            return prefix + "input channels 0, 1, 2 drive red,\u{00A0}green,\u{00A0}blue; mid-grey is 0; "
                + (commonScale ? "one common scale" : "each filter scaled by its own largest |weight|")
        case .single, .mean: return (isFirstLayer ? "\(layerLabel): " : "") + "blue negative, white zero, red positive; \(scale)"
        case .slices:
            var text = "columns: filters, rows: input channels; blue < 0 < red; \(scale)"
            if shownFilters < weights.outChannels || shownInputs < weights.inChannels {
                text += "; first \(shownFilters) of \(weights.outChannels) filters, \(shownInputs) of \(weights.inChannels) inputs"
            }
            return text
        }
    }

    public var caption: String {
        // The colour key is written in the figure (its note line), not repeated here.
        var text = "Learned convolution filters of \(layerLabel) in \(model), read from the model file; "
            + "the line under the title gives the colour key and scaling."
        // The figure itself says what the model is and learned from (the line under the grid).
        if provenance != nil { text += " The line under the grid says what the model is and what it learned from." }
        return text
    }

    public var preferredSize: Size {
        let rows = (cells.count + columns - 1) / columns
        // About 7 inches for the grid, its cells square, plus title, captions and colour bar.
        let cell = min(1.1, 6.6 / Double(columns))
        let footer = provenance == nil ? 0 : 0.6
        return .inches(8, min(9, max(2.6, 1.3 + footer + Double(rows) * cell * (mode == .slices ? 1.05 : 1.25))))
    }

    public func draw(on canvas: Canvas, in rect: Rect, frame: Int) throws {
        let style = canvas.style
        var body = canvas.learnedPage(rect, title: title, note: note, footer: provenance.map { "The model: \($0)." })
        let barLabel = commonScale ? "weight" : "relative weight"
        var barWidth = 0.0
        if let range = colorBarRange {
            barWidth = canvas.colorBarWidth(for: range, label: barLabel) + style.labelGap * 3
            body = body.inset(right: barWidth)
        }
        var gridArea = body
        let labelFont = style.tickFont
        if mode == .slices {
            // Room for the input-channel numbers at the left and filter numbers at the top.
            let labelWidth = canvas.measure("\(shownInputs - 1)", font: labelFont).width + style.labelGap
            let labelHeight = canvas.measure("0", font: labelFont).height + style.labelGap
            gridArea = body.inset(top: labelHeight + canvas.measure("filter", font: labelFont).height,
                                  left: labelWidth + canvas.measure("input channel", font: labelFont).height + style.labelGap)
        }
        let layout = canvas.cellGrid(cells, width: weights.kernelWidth, height: weights.kernelHeight, columns: columns,
                                     in: gridArea, colorMap: .diverging, gap: mode == .slices ? 1.5 : nil)
        let frameRect = layout.frame
        if mode == .slices {
            let labelSize = max(4, min(labelFont.size, layout.cellSize.width * 0.6))
            let small = labelFont.withSize(labelSize)
            for i in 0..<shownInputs {
                let cell = layout.cellRect(row: i, column: 0)
                canvas.text("\(i)", at: Point(x: cell.minX - style.labelGap * 0.6, y: cell.center.y), font: small,
                            horizontal: .right, vertical: .middle)
            }
            for o in 0..<shownFilters {
                let cell = layout.cellRect(row: 0, column: o)
                canvas.text("\(o)", at: Point(x: cell.center.x, y: cell.minY - style.labelGap * 0.6), font: small,
                            horizontal: .center, vertical: .bottom)
            }
            let labelTop = frameRect.minY - style.labelGap * 0.6 - canvas.measure("0", font: small).height
            canvas.text("filter", at: Point(x: frameRect.center.x, y: labelTop), font: labelFont,
                        horizontal: .center, vertical: .bottom)
            let labelLeft = frameRect.minX - style.labelGap - canvas.measure("\(shownInputs - 1)", font: small).width
            canvas.text("input channel", at: Point(x: labelLeft - style.labelGap, y: frameRect.center.y), font: labelFont,
                        horizontal: .center, vertical: .bottom, angle: .pi / 2)
        }
        if let range = colorBarRange {
            // At least tall enough for its rotated label, centred on the grid, inside the page.
            let imagesHeight = frameRect.height - layout.captionHeight
            let barHeight = min(body.height, max(imagesHeight, canvas.measure(barLabel, font: style.labelFont).width + 20))
            let barTop = min(max(body.minY, frameRect.minY + (imagesHeight - barHeight) / 2), body.maxY - barHeight)
            canvas.colorBar(.diverging, range: range,
                            in: Rect(x: frameRect.maxX + style.labelGap * 3, y: barTop, width: barWidth - style.labelGap * 3,
                                     height: barHeight), label: barLabel)
        }
    }
}
