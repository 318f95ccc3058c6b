// D2: ResNet's residual block (y = ReLU(x + g(x)), He et al. 2015, figure 2) beside a DenseNet dense
// block (Huang et al. 2017), whose layers each concatenate their input with k new channels, so the
// channels grow x, [x, g₁], [x, g₁, g₂], ... Both are read from the engine's definitions (`Residual`
// and `ChannelConcat` specs) with the shapes the engine computes.

import CNNEngine
import CNNModels
import CNNPlot
import Foundation

/// A block drawn as a column: input, the body's steps, the merge with the input, and what follows.
public struct BlockDiagram: Sendable, Equatable {
    /// How the input meets the body's output.
    public enum Merge: String, Sendable, Equatable { case sum, concatenation }

    /// One box of the body: a weight layer (with its batch norm) or an activation.
    public struct Step: Sendable, Equatable {
        /// `weight layer`, `ReLU`, `BN, ReLU`.
        public var label: String
        /// `conv 3×3, 16 → 16` for weight layers; empty otherwise.
        public var detail: String
        /// The shape after this step, [C, H, W].
        public var shape: [Int]
    }

    /// Where the block comes from (`ResNet-20, stage 1, block 1`).
    public var source: String
    public var merge: Merge
    public var inputShape: [Int]
    public var steps: [Step]
    /// The shape of g(x).
    public var bodyShape: [Int]
    /// The shape after the merge and the activation.
    public var outputShape: [Int]
    /// The activation after the merge (`ReLU`), if any.
    public var activation: String?
    /// The shortcut as the paper calls it (`identity`, `option A: subsample, zero channels`, `projection`).
    public var shortcut: String

    /// Reads a residual or channel-concatenation block spec and computes its shapes for `inputShape`.
    /// - Throws: `ConfigurationError` for any other layer; shape errors from the engine.
    public init(block spec: LayerSpec, inputShape: [Int], source: String) throws {
        let body: [LayerSpec]
        switch spec {
        case let .residual(block):
            body = block.body
            merge = .sum
            activation = block.activation.map { BlockDiagram.activationName($0) }
            switch block.shortcut {
            case .none: self.shortcut = "none (plain block)"
            case .identity: self.shortcut = "identity x"
            case let .zeroPadded(stride): self.shortcut = "x subsampled /\(stride), zero channels added"
            case .projection: self.shortcut = "projection (1×1 conv, BN)"
            }
        case let .channelConcat(concat):
            body = concat.body
            merge = .concatenation
            activation = nil
            shortcut = "x, copied"
        default:
            throw ConfigurationError("layer \"\(spec.name)\" is neither a residual block nor a channel concatenation")
        }
        self.source = source
        self.inputShape = inputShape
        var shape = inputShape
        var steps: [Step] = []
        for layer in body {
            let output = try layer.build().outputShape(for: shape)
            defer { shape = output }
            switch layer {
            case let .conv2D(conv):
                steps.append(Step(label: "weight layer", detail: BlockDiagram.convolutionText(conv), shape: output))
            case let .dense(dense):
                steps.append(Step(label: "weight layer", detail: "fully connected, \(dense.inFeatures) → \(dense.outFeatures)", shape: output))
            case .batchNorm2D, .batchNorm1D:
                if let last = steps.last, last.label == "weight layer", !last.detail.hasSuffix("BN") {
                    steps[steps.count - 1].detail += ", BN"
                    steps[steps.count - 1].shape = output
                } else {
                    steps.append(Step(label: "BN", detail: "", shape: output))
                }
            default:
                let name = BlockDiagram.activationName(layer)
                if let last = steps.last, last.label == "BN" {
                    steps[steps.count - 1].label = "BN, \(name)"
                } else {
                    steps.append(Step(label: name, detail: "", shape: output))
                }
            }
        }
        self.steps = steps
        bodyShape = shape
        outputShape = try spec.build().outputShape(for: inputShape)
    }

    /// The formula on the slide: `x + g(x)` or `[x, g(x)]`.
    public var formula: String {
        switch merge {
        case .sum: return activation.map { "y = \($0)(x + g(x))" } ?? "y = x + g(x)"
        case .concatenation: return "y = [x, g(x)]: \(inputShape[0]) + \(bodyShape[0]) = \(outputShape[0]) channels"
        }
    }

    static func activationName(_ spec: LayerSpec) -> String {
        switch spec {
        case .relu: return "ReLU"
        case .tanh: return "tanh"
        case .sigmoid: return "sigmoid"
        case .leakyReLU: return "leaky ReLU"
        case .dropout: return "dropout"
        default: return spec.name
        }
    }

    /// The residual block named `blockName` of a zoo model, or its first block with an identity shortcut.
    /// - Throws: `ConfigurationError` when the model has no such block.
    public static func residual(model: String, block blockName: String? = nil) throws -> BlockDiagram {
        let spec = try ModelZoo.spec(model)
        let network = try spec.build()
        var shape = spec.inputShape
        for (layerSpec, layer) in zip(spec.layers, network.layers) {
            if case let .residual(block) = layerSpec,
               blockName.map({ $0 == block.name }) ?? (block.shortcut == .identity) {
                return try BlockDiagram(block: layerSpec, inputShape: shape, source: "\(ModelZoo.displayName(spec.name)), \(blockDisplayName(block.name))")
            }
            shape = try layer.outputShape(for: shape)
        }
        let blocks = spec.layers.compactMap { layer -> String? in
            if case let .residual(block) = layer { return block.name }
            return nil
        }
        throw ConfigurationError(blocks.isEmpty ? "model \(model) has no residual blocks"
            : "model \(model) has no residual block \"\(blockName ?? "")\"; its blocks: \(blocks.joined(separator: ", "))")
    }

    /// A residual block's name as a slide writes it: `stage1_block1` is "stage 1, block 1", torchvision's
    /// `layer2.0` "stage 2, block 1"; other names as they are.
    static func blockDisplayName(_ name: String) -> String {
        let numbers = name.split { !$0.isNumber }.compactMap { Int($0) }
        if numbers.count == 2, name == "stage\(numbers[0])_block\(numbers[1])" { return "stage \(numbers[0]), block \(numbers[1])" }
        if numbers.count == 2, name == "layer\(numbers[0]).\(numbers[1])" { return "stage \(numbers[0]), block \(numbers[1] + 1)" }
        return name
    }

    /// `conv 3×3, 16 → 16`, with ` /2` after the kernel for a strided convolution.
    static func convolutionText(_ conv: Conv2DSpec) -> String {
        let strideText = conv.stride == 1 ? "" : " /\(conv.stride)"
        return "conv \(conv.kernelSize.height)×\(conv.kernelSize.width)\(strideText), \(conv.inChannels) → \(conv.outChannels)"
    }
}

/// A DenseNet dense block (Huang et al. 2017) drawn as its growing stack of feature maps: layer ℓ reads
/// the concatenation [x, g₁, …, gℓ₋₁] of the block's input and every earlier layer's output, and adds
/// its own gℓ, so the channels grow by the growth rate k at each layer.
public struct DenseBlockDiagram: Sendable, Equatable {
    /// Where the block comes from (`DenseNet-BC, 3 layers, growth rate k = 12`).
    public var source: String
    /// The block's layers, each a concatenation [input, g(input)] read by `BlockDiagram`, in order.
    public var layers: [BlockDiagram]
    /// Each layer's body, one line per weight layer with what comes before it (`BN, ReLU, conv 1×1, 24 → 48`).
    public var operations: [[String]]
    /// The block's input x, [C, H, W].
    public var inputShape: [Int]
    /// The block's output, [C, H, W], as the engine computes it for the whole block.
    public var outputShape: [Int]

    /// Reads a sequential spec of channel concatenations and computes each layer's shapes for `inputShape`.
    /// - Throws: `ConfigurationError` when the spec is not a sequence of channel concatenations; shape errors from the engine.
    public init(block spec: LayerSpec, inputShape: [Int], source: String) throws {
        guard case let .sequential(sequence) = spec, !sequence.layers.isEmpty else {
            throw ConfigurationError("layer \"\(spec.name)\" is not a dense block (a sequence of channel concatenations)")
        }
        var shape = inputShape
        var layers: [BlockDiagram] = [], operations: [[String]] = []
        for layerSpec in sequence.layers {
            guard case let .channelConcat(concat) = layerSpec else {
                throw ConfigurationError("layer \"\(layerSpec.name)\" of dense block \"\(spec.name)\" is not a channel concatenation")
            }
            let layer = try BlockDiagram(block: layerSpec, inputShape: shape, source: layerSpec.name)
            layers.append(layer)
            operations.append(DenseBlockDiagram.operationLines(concat.body))
            shape = layer.outputShape
        }
        self.source = source
        self.layers = layers
        self.operations = operations
        self.inputShape = inputShape
        outputShape = try spec.build().outputShape(for: inputShape)
    }

    /// The channels of x and after each layer (24, 36, 48, 60).
    public var channels: [Int] { [inputShape[0]] + layers.map { $0.outputShape[0] } }

    /// The channels each layer adds, the growth rate k, if every layer adds the same number.
    public var growthRate: Int? {
        let added = Set(layers.map { $0.bodyShape[0] })
        return added.count == 1 ? added.first : nil
    }

    /// The name of layer `index`'s output (`g₁`), and of the input for -1 (`x`).
    public static func mapName(_ index: Int) -> String {
        guard index >= 0 else { return "x" }
        let subscripts = Array("₀₁₂₃₄₅₆₇₈₉")
        return "g" + String(String(index + 1).map { subscripts[Int(String($0))!] })
    }

    /// The formula on the slide: `y = [x, g₁, g₂, g₃]: 24 + 3 × 12 = 60 channels`.
    public var formula: String {
        let names = ([-1] + Array(layers.indices)).map(DenseBlockDiagram.mapName)
        let added = layers.map { $0.bodyShape[0] }
        let sum: String
        if let k = growthRate, layers.count > 1 {
            sum = "\(inputShape[0]) + \(layers.count) × \(k)"
        } else {
            sum = ([inputShape[0]] + added).map(String.init).joined(separator: " + ")
        }
        return "y = [\(names.joined(separator: ", "))]: \(sum) = \(outputShape[0]) channels"
    }

    /// A concatenation's body as lines, each ending with a weight layer and holding the normalization and
    /// activation before it: `BN, ReLU, conv 1×1, 24 → 48`, then `BN, ReLU, conv 3×3, 48 → 12`.
    static func operationLines(_ body: [LayerSpec]) -> [String] {
        var lines: [String] = [], pending: [String] = []
        for layer in body {
            switch layer {
            case let .conv2D(conv):
                lines.append((pending + [BlockDiagram.convolutionText(conv)]).joined(separator: ", "))
                pending = []
            case let .dense(dense):
                lines.append((pending + ["fully connected, \(dense.inFeatures) → \(dense.outFeatures)"]).joined(separator: ", "))
                pending = []
            case .batchNorm2D, .batchNorm1D: pending.append("BN")
            default: pending.append(BlockDiagram.activationName(layer))
            }
        }
        if !pending.isEmpty { lines.append(pending.joined(separator: ", ")) }
        return lines
    }

    /// One DenseNet-BC layer (Huang et al. 2017): BN, ReLU, 1×1 conv to 4k channels, BN, ReLU, 3×3 conv to
    /// k channels, concatenated with its input.
    public static func bottleneckLayer(name: String, inputChannels: Int, growthRate: Int) -> LayerSpec {
        let bottleneck = 4 * growthRate
        return .channelConcat(name: name, body: [
            .batchNorm2D(name: "bn1", features: inputChannels), .relu(name: "relu1"),
            .conv2D(name: "conv1", inChannels: inputChannels, outChannels: bottleneck, kernelSize: 1, bias: false),
            .batchNorm2D(name: "bn2", features: bottleneck), .relu(name: "relu2"),
            .conv2D(name: "conv2", inChannels: bottleneck, outChannels: growthRate, kernelSize: 3, padding: .uniform(1), bias: false),
        ])
    }

    /// A DenseNet-BC dense block of `layers` bottleneck layers on `inputChannels`@`side`×`side` maps; each
    /// layer is built for the channels the engine computes after the layer before it.
    /// - Throws: `ConfigurationError` for fewer than one layer; shape errors from the engine.
    public static func denseNetBC(layers count: Int = 3, inputChannels: Int = 24, growthRate: Int = 12, side: Int = 32) throws -> DenseBlockDiagram {
        guard count >= 1 else { throw ConfigurationError("a dense block needs at least 1 layer, got \(count)") }
        let inputShape = [inputChannels, side, side]
        var shape = inputShape
        var specs: [LayerSpec] = []
        for index in 0..<count {
            let layer = bottleneckLayer(name: "layer\(index + 1)", inputChannels: shape[0], growthRate: growthRate)
            shape = try layer.build().outputShape(for: shape)
            specs.append(layer)
        }
        return try DenseBlockDiagram(block: .sequential(name: "dense_block", layers: specs), inputShape: inputShape,
                                     source: "DenseNet-BC, \(count) layer\(count == 1 ? "" : "s"), growth rate k = \(growthRate)")
    }
}

/// D2: a residual block beside a dense block of several concatenating layers.
public struct BlockComparisonFigure: Figure {
    public var residual: BlockDiagram
    public var dense: DenseBlockDiagram

    public init(residual: BlockDiagram, dense: DenseBlockDiagram) {
        self.residual = residual
        self.dense = dense
    }

    public var catalogueID: String { "D2" }
    public var title: String { "\(catalogueID). \(titleText)" }
    /// The title without its catalogue id.
    var titleText: String { "Residual block x + g(x) vs dense block [x, g(x)]" }
    public var caption: String {
        let input = residual.inputShape, output = residual.outputShape
        let kept = input == output ? "it keeps \(input[0]) channels of \(input[1])×\(input[2])"
            : "it takes \(ArchitectureStage.label(for: input)) to \(ArchitectureStage.label(for: output))"
        let activation = residual.activation.map { ", and the sum goes through \($0)" } ?? ""
        let layers = dense.layers.count
        let growth = dense.growthRate.map { "adds k = \($0) channels" } ?? "adds its own channels"
        return "Left: a residual block (He et al. 2015): the block's input is added to its body's output\(activation); \(kept). "
            + "Right: a DenseNet-BC dense block (Huang et al. 2017) of \(layers) layer\(layers == 1 ? "" : "s"): each layer reads the "
            + "concatenation of the block's input and every earlier layer's output and \(growth), so the channels grow "
            + dense.channels.map(String.init).joined(separator: " → ") + ". "
            + "Shapes are channels@height×width, computed by the engine."
    }
    public var preferredSize: Size { .inches(9, 6.2) }

    public func draw(on canvas: Canvas, in rect: Rect, frame: Int) throws {
        let style = canvas.style
        let outer = rect.insetBy(dx: style.margin, dy: style.margin)
        let top = canvas.titleHeight(title)
        canvas.drawTitle(title, over: outer, top: outer.minY)
        let panels = outer.inset(top: top + style.labelGap)
        // The dense block's growing stacks and its boxes need more width than the residual block's column.
        let left = (panels.width - 2 * style.labelGap) * 0.44
        drawBlock(residual, heading: "Residual block (ResNet)", on: canvas,
                  in: Rect(x: panels.minX, y: panels.minY, width: left, height: panels.height))
        drawDenseBlock(dense, heading: "Dense block (DenseNet)", on: canvas,
                       in: Rect(x: panels.minX + left + 2 * style.labelGap, y: panels.minY,
                                width: panels.width - left - 2 * style.labelGap, height: panels.height))
    }

    /// Draws a panel's heading and source line at the top and its formula at the bottom, and returns the rectangle between.
    private func drawPanelFrame(heading: String, source: String, formula: String, on canvas: Canvas, in rect: Rect) -> Rect {
        let style = canvas.style
        let headingFont = Font(size: style.labelFont.size + 1, bold: true)
        let detailFont = style.tickFont.withSize(max(style.tickFont.size, canvas.smallestLegibleFontSize))
        canvas.text(heading, at: Point(x: rect.center.x, y: rect.minY), font: headingFont, horizontal: .center, vertical: .top)
        canvas.fittedText(source, in: Rect(x: rect.minX, y: rect.minY + headingFont.size * 1.4, width: rect.width, height: detailFont.size * 1.3),
                          font: detailFont, color: style.mutedForeground, vertical: .top, minimumSize: canvas.smallestLegibleFontSize)
        let formulaFont = Font(size: style.labelFont.size + 1, bold: true)
        let formulaHeight = canvas.measure("Hg", font: formulaFont).height + style.labelGap * 2
        canvas.fittedText(formula, in: Rect(x: rect.minX, y: rect.maxY - formulaHeight + style.labelGap, width: rect.width,
                                            height: formulaHeight - style.labelGap),
                          font: formulaFont, minimumSize: canvas.smallestLegibleFontSize)
        return rect.inset(top: headingFont.size * 1.4 + detailFont.size * 1.3 + style.labelGap, bottom: formulaHeight)
    }

    /// The dense block as rows of stacks, x at the top: each stack is [x, g₁, …] drawn left-aligned, so the maps
    /// copied from the stack above stand over themselves; between two stacks, the layer that reads the whole
    /// stack and hands its gℓ to the new piece at the end of the next.
    private func drawDenseBlock(_ block: DenseBlockDiagram, heading: String, on canvas: Canvas, in rect: Rect) {
        let style = canvas.style
        let area = drawPanelFrame(heading: heading, source: block.source, formula: block.formula, on: canvas, in: rect)
        let legible = canvas.smallestLegibleFontSize
        let smallFont = style.tickFont.withSize(max(style.tickFont.size, legible))
        let shapeFont = Font(size: smallFont.size, italic: true)
        let nameFont = Font(size: style.labelFont.size, bold: true)
        let (fill, stroke) = ArchitectureFigure.colors(.concatBlocks)
        let inputFill = RGBColor(hex: 0xF2F2F2)
        let channels = block.channels
        let shapes = [block.inputShape] + block.layers.map(\.outputShape)
        let count = block.layers.count

        let row = area.height / Double(2 * count + 1)
        func center(_ index: Int) -> Double { area.minY + row * (Double(index) + 0.5) }
        let barHeight = min(22, row * 0.5)
        // Columns: the shape labels, the stacks (width proportional to channels), the layers' boxes.
        let labelWidth = shapes.map { canvas.measure(ArchitectureStage.label(for: $0), font: shapeFont).width }.max() ?? 0
        let barX = area.minX + labelWidth + 8
        let textWidth = block.operations.joined().map { canvas.measure($0, font: smallFont).width }.max() ?? 0
        let boxWidth = min(textWidth + 12, area.width * 0.55)
        let lineCount = Double(block.operations.map(\.count).max() ?? 1)
        let boxHeight = min(row * 0.9, lineCount * smallFont.size * 1.3 + 8)
        let boxX = area.maxX - boxWidth - 1
        let unit = min(3, (boxX - 30 - barX) / Double(channels[count]))

        // The stacks: after ℓ layers, [x, g₁, …, gℓ].
        for index in 0...count {
            let y = center(2 * index)
            var x = barX
            let pieces = [channels[0]] + block.layers.prefix(index).map { $0.bodyShape[0] }
            for (piece, pieceChannels) in pieces.enumerated() {
                let r = Rect(x: x, y: y - barHeight / 2, width: Double(pieceChannels) * unit, height: barHeight)
                canvas.box(r, fill: piece == 0 ? inputFill : fill, stroke: piece == 0 ? style.cellLineColor : stroke, lineWidth: 1)
                // The piece's name, smaller in a narrow piece, left out where even the smallest legible size does not fit.
                let name = DenseBlockDiagram.mapName(piece - 1)
                if let font = [nameFont, Font(size: smallFont.size, bold: true)].first(where: { canvas.measure(name, font: $0).width + 4 <= r.width }) {
                    canvas.text(name, at: r.center, font: font, color: piece == 0 ? style.foreground : stroke,
                                horizontal: .center, vertical: .middle)
                }
                x = r.maxX
            }
            canvas.text(ArchitectureStage.label(for: shapes[index]), at: Point(x: barX - 6, y: y), font: shapeFont,
                        color: style.mutedForeground, horizontal: .right, vertical: .middle)
            if index == count {
                canvas.text("= y", at: Point(x: x + 6, y: y), font: Font(size: nameFont.size + 1, bold: true),
                            horizontal: .left, vertical: .middle)
            }
        }

        // The layers: each reads the whole stack above it and adds gℓ to the end of the stack below.
        for (index, layer) in block.layers.enumerated() {
            let barY = center(2 * index), boxY = center(2 * index + 1), nextTop = center(2 * index + 2) - barHeight / 2
            let stackEnd = barX + Double(channels[index]) * unit
            let box = Rect(x: boxX, y: boxY - boxHeight / 2, width: boxWidth, height: boxHeight)
            canvas.polyline([Point(x: stackEnd, y: barY), Point(x: box.center.x, y: barY)], color: style.foreground, lineWidth: 1.2)
            canvas.arrow(from: Point(x: box.center.x, y: barY), to: Point(x: box.center.x, y: box.minY), color: style.foreground)
            canvas.box(box, fill: fill, stroke: stroke, lineWidth: 1, cornerRadius: 4)
            canvas.fittedText(block.operations[index].joined(separator: "\n"), in: box.insetBy(dx: 4, dy: 2), font: smallFont,
                              minimumSize: legible)

            let newCenter = stackEnd + Double(layer.bodyShape[0]) * unit / 2
            canvas.polyline([Point(x: box.minX, y: boxY), Point(x: newCenter, y: boxY)], color: stroke, lineWidth: 1.4)
            canvas.arrow(from: Point(x: newCenter, y: boxY), to: Point(x: newCenter, y: nextTop), color: stroke, lineWidth: 1.4)
            canvas.text(DenseBlockDiagram.mapName(index), at: Point(x: (newCenter + box.minX) / 2, y: boxY - 3),
                        font: Font(size: nameFont.size, italic: true), color: stroke, horizontal: .center, vertical: .bottom)

            // The stack so far goes on unchanged, concatenated with gℓ: a pale band as wide as the stack.
            canvas.fill(Rect(x: barX, y: barY + barHeight / 2, width: stackEnd - barX, height: nextTop - barY - barHeight / 2),
                        color: RGBColor(hex: 0xECECF2))
            if index == 0 {
                canvas.text("copied", at: Point(x: barX - 6, y: boxY), font: shapeFont, color: style.mutedForeground,
                            horizontal: .right, vertical: .middle)
            }
        }
    }

    private func drawBlock(_ block: BlockDiagram, heading: String, on canvas: Canvas, in rect: Rect) {
        let style = canvas.style
        let area = drawPanelFrame(heading: heading, source: block.source, formula: block.formula, on: canvas, in: rect)
        let boxFont = style.labelFont
        let shapeFont = Font(size: max(style.tickFont.size, canvas.smallestLegibleFontSize), italic: true)
        let gFont = Font(size: boxFont.size + 1, italic: true)

        // Rows: x, body steps, merge node, activation (optional), y.
        let rowCount = Double(block.steps.count + (block.activation == nil ? 3 : 4))
        let row = area.height / rowCount
        let boxHeight = min(34, row * 0.62)
        // Columns: the g(x) label and its bar, the boxes, the shortcut and its label (wrapped to at most 80 points).
        let shortcutFont = shapeFont
        let shortcutWidth = min(80, canvas.measure(block.shortcut, font: shortcutFont).width)
        let boxLeft = area.minX + canvas.measure("g(x)", font: gFont).width + 15
        let boxRight = area.maxX - shortcutWidth - 30
        let boxWidth = min(boxRight - boxLeft, 190)
        let column = boxLeft + boxWidth / 2
        let (fill, stroke) = ArchitectureFigure.colors(block.merge == .sum ? .residualBlocks : .concatBlocks)
        func center(_ index: Int) -> Double { area.minY + row * (Double(index) + 0.5) }

        func node(_ label: String, at index: Int, bold: Bool = true) {
            canvas.text(label, at: Point(x: column, y: center(index)), font: Font(size: boxFont.size + 1, bold: bold),
                        horizontal: .center, vertical: .middle)
        }
        func shapeLabel(_ shape: [Int], between a: Int, and b: Int) {
            let y = (center(a) + center(b)) / 2
            canvas.text(ArchitectureStage.label(for: shape), at: Point(x: column + 6, y: y), font: shapeFont,
                        color: style.mutedForeground, horizontal: .left, vertical: .middle)
        }
        func box(_ step: BlockDiagram.Step, at index: Int) -> Rect {
            let r = Rect(x: column - boxWidth / 2, y: center(index) - boxHeight / 2, width: boxWidth, height: boxHeight)
            let isWeight = step.label == "weight layer"
            canvas.box(r, fill: isWeight ? fill : RGBColor(hex: 0xF2F2F2), stroke: isWeight ? stroke : style.cellLineColor,
                       lineWidth: 1, cornerRadius: 4)
            let text = step.detail.isEmpty ? step.label : step.label + "\n" + step.detail
            canvas.fittedText(text, in: r.insetBy(dx: 4, dy: 2), font: boxFont, minimumSize: canvas.smallestLegibleFontSize)
            return r
        }

        node("x", at: 0)
        let textHalf = canvas.measure("x", font: boxFont).height / 2 + 3
        var previousBottom = center(0) + textHalf
        for (i, step) in block.steps.enumerated() {
            let r = box(step, at: i + 1)
            canvas.arrow(from: Point(x: column, y: previousBottom), to: Point(x: column, y: r.minY), color: style.foreground)
            shapeLabel(i == 0 ? block.inputShape : block.steps[i - 1].shape, between: i, and: i + 1)
            previousBottom = r.maxY
        }
        // g(x) label beside the body.
        let bodyTop = center(1) - boxHeight / 2, bodyBottom = center(block.steps.count) + boxHeight / 2
        let braceX = column - boxWidth / 2 - 8
        canvas.line(from: Point(x: braceX, y: bodyTop), to: Point(x: braceX, y: bodyBottom), color: stroke, lineWidth: 1.2)
        canvas.text("g(x)", at: Point(x: braceX - 5, y: (bodyTop + bodyBottom) / 2), font: gFont,
                    color: stroke, horizontal: .right, vertical: .middle)

        let mergeIndex = block.steps.count + 1
        let mergeY = center(mergeIndex)
        let radius = min(11, row * 0.3)
        canvas.arrow(from: Point(x: column, y: previousBottom), to: Point(x: column, y: mergeY - radius), color: style.foreground)
        shapeLabel(block.bodyShape, between: mergeIndex - 1, and: mergeIndex)
        canvas.circle(center: Point(x: column, y: mergeY), radius: radius, fill: .white, stroke: stroke, lineWidth: 1.4)
        if block.merge == .sum {
            canvas.line(from: Point(x: column - radius * 0.6, y: mergeY), to: Point(x: column + radius * 0.6, y: mergeY), color: stroke, lineWidth: 1.4)
            canvas.line(from: Point(x: column, y: mergeY - radius * 0.6), to: Point(x: column, y: mergeY + radius * 0.6), color: stroke, lineWidth: 1.4)
        } else {
            canvas.text("C", at: Point(x: column, y: mergeY), font: Font(size: radius * 1.1, bold: true), color: stroke,
                        horizontal: .center, vertical: .middle)
        }
        // The shortcut: out of x to the right, down, into the merge node.
        let sideX = column + boxWidth / 2 + 22
        let startY = center(0)
        canvas.polyline([Point(x: column + 10, y: startY), Point(x: sideX, y: startY), Point(x: sideX, y: mergeY)],
                        color: stroke, lineWidth: 1.4)
        canvas.arrow(from: Point(x: sideX, y: mergeY), to: Point(x: column + radius, y: mergeY), color: stroke, lineWidth: 1.4)
        let lines = canvas.balancedWrapped(block.shortcut, width: max(shortcutWidth, rect.maxX - sideX - 8), font: shortcutFont)
        canvas.text(lines.joined(separator: "\n"), at: Point(x: sideX + 5, y: (startY + mergeY) / 2), font: shortcutFont,
                    color: stroke, horizontal: .left, vertical: .middle)
        canvas.text(block.merge == .sum ? "x + g(x)" : "[x, g(x)]", at: Point(x: column - radius - 6, y: mergeY),
                    font: Font(size: boxFont.size, bold: true), color: stroke, horizontal: .right, vertical: .middle)

        var last = mergeIndex
        var lastBottom = mergeY + radius
        if let activation = block.activation {
            let r = box(BlockDiagram.Step(label: activation, detail: "", shape: block.outputShape), at: last + 1)
            canvas.arrow(from: Point(x: column, y: lastBottom), to: Point(x: column, y: r.minY), color: style.foreground)
            shapeLabel(block.outputShape, between: last, and: last + 1)
            last += 1
            lastBottom = r.maxY
        }
        canvas.arrow(from: Point(x: column, y: lastBottom), to: Point(x: column, y: center(last + 1) - textHalf), color: style.foreground)
        shapeLabel(block.outputShape, between: last, and: last + 1)
        node("y", at: last + 1)
    }
}
