// D2: ResNet's residual block (y = ReLU(x + g(x)), He et al. 2015, figure 2) beside DenseNet's
// connection (y = [x, g(x)], Huang et al. 2017), each read from the engine's definition of a real
// block (`Residual`, `ChannelConcat` specs) with the shapes the engine computes.

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
        /// `conv 3x3, 16 → 16` for weight layers; empty otherwise.
        public var detail: String
        /// The shape after this step, [C, H, W].
        public var shape: [Int]
    }

    /// Where the block comes from (`resnet20 stage1_block1`).
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
            case .projection: self.shortcut = "projection (1x1 conv, BN)"
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
                let strideText = conv.stride == 1 ? "" : " /\(conv.stride)"
                steps.append(Step(label: "weight layer", detail: "conv \(conv.kernelSize.height)×\(conv.kernelSize.width)\(strideText), \(conv.inChannels) → \(conv.outChannels)", shape: output))
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
                return try BlockDiagram(block: layerSpec, inputShape: shape, source: "\(spec.name) \(block.name)")
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

    /// One layer of a DenseNet-BC dense block (Huang et al. 2017): BN, ReLU, 1x1 conv to 4k channels,
    /// BN, ReLU, 3x3 conv to k channels, concatenated with its input.
    public static func denseLayer(inputChannels: Int = 24, growthRate: Int = 12, side: Int = 32) throws -> BlockDiagram {
        let bottleneck = 4 * growthRate
        let spec = LayerSpec.channelConcat(name: "dense_layer", body: [
            .batchNorm2D(name: "bn1", features: inputChannels), .relu(name: "relu1"),
            .conv2D(name: "conv1", inChannels: inputChannels, outChannels: bottleneck, kernelSize: 1, bias: false),
            .batchNorm2D(name: "bn2", features: bottleneck), .relu(name: "relu2"),
            .conv2D(name: "conv2", inChannels: bottleneck, outChannels: growthRate, kernelSize: 3, padding: .uniform(1), bias: false),
        ])
        return try BlockDiagram(block: spec, inputShape: [inputChannels, side, side],
                                source: "DenseNet-BC layer, growth rate k = \(growthRate)")
    }
}

/// D2: a residual block beside a dense (concatenating) block.
public struct BlockComparisonFigure: Figure {
    public var residual: BlockDiagram
    public var dense: BlockDiagram

    public init(residual: BlockDiagram, dense: BlockDiagram) {
        self.residual = residual
        self.dense = dense
    }

    public var catalogueID: String { "D2" }
    public var title: String { "\(catalogueID). \(titleText)" }
    /// The title without its catalogue id.
    var titleText: String { "Residual block x + g(x) vs dense block [x, g(x)]" }
    public var caption: String {
        "Left: \(residual.source), a residual block (He et al. 2015): the input is added to the body's output. "
            + "Right: \(dense.source) (Huang et al. 2017): the input is concatenated with the body's output along channels. "
            + "Shapes are channels@height x width, computed by the engine."
    }
    public var preferredSize: Size { .inches(9, 6.2) }

    public func draw(on canvas: Canvas, in rect: Rect, frame: Int) throws {
        let style = canvas.style
        let outer = rect.insetBy(dx: style.margin, dy: style.margin)
        let top = canvas.titleHeight(title)
        canvas.drawTitle(title, over: outer, top: outer.minY)
        let panels = outer.inset(top: top + style.labelGap)
        let half = panels.width / 2
        drawBlock(residual, heading: "Residual block (ResNet)", on: canvas,
                  in: Rect(x: panels.minX, y: panels.minY, width: half - style.labelGap, height: panels.height))
        drawBlock(dense, heading: "Dense block layer (DenseNet)", on: canvas,
                  in: Rect(x: panels.minX + half + style.labelGap, y: panels.minY, width: half - style.labelGap, height: panels.height))
    }

    private func drawBlock(_ block: BlockDiagram, heading: String, on canvas: Canvas, in rect: Rect) {
        let style = canvas.style
        let headingFont = Font(size: style.labelFont.size + 1, bold: true)
        let boxFont = style.labelFont
        let detailFont = style.tickFont
        let shapeFont = Font(size: style.tickFont.size, italic: true)
        canvas.text(heading, at: Point(x: rect.center.x, y: rect.minY), font: headingFont, horizontal: .center, vertical: .top)
        canvas.fittedText(block.source, in: Rect(x: rect.minX, y: rect.minY + headingFont.size * 1.4, width: rect.width,
                                                  height: detailFont.size * 1.3),
                          font: detailFont.withSize(detailFont.size), color: style.mutedForeground, vertical: .top)
        let formulaFont = Font(size: style.labelFont.size + 1, bold: true)
        let formulaHeight = canvas.measure("Hg", font: formulaFont).height + style.labelGap * 2
        let area = rect.inset(top: headingFont.size * 1.4 + detailFont.size * 1.3 + style.labelGap, bottom: formulaHeight)

        // Rows: x, body steps, merge node, activation (optional), y.
        let rowCount = Double(block.steps.count + (block.activation == nil ? 3 : 4))
        let row = area.height / rowCount
        let boxHeight = min(34, row * 0.62)
        let column = area.minX + area.width * 0.42
        let boxWidth = min(area.width * 0.62, 190)
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
            canvas.fittedText(text, in: r.insetBy(dx: 4, dy: 2), font: isWeight ? boxFont : boxFont, minimumSize: 6)
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
        canvas.text("g(x)", at: Point(x: braceX - 5, y: (bodyTop + bodyBottom) / 2), font: Font(size: boxFont.size + 1, italic: true),
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
        let shortcutFont = Font(size: style.tickFont.size, italic: true)
        let lines = canvas.wrapped(block.shortcut, width: max(40, rect.maxX - sideX - 8), font: shortcutFont)
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
        canvas.fittedText(block.formula, in: Rect(x: rect.minX, y: rect.maxY - formulaHeight + style.labelGap, width: rect.width,
                                                   height: formulaHeight - style.labelGap),
                          font: formulaFont)
    }
}
