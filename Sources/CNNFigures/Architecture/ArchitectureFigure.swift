// D1 drawn: stacks of feature maps (one sheet per channel, up to eight) sized by their spatial
// extent, vectors as bars, the operation written over the arrow between stages, the stage's name
// above and its `C@HxW` label below, and an arc with a sum sign over residual stages.

import CNNEngine
import CNNModels
import CNNPlot
import Foundation

/// D1: a network's architecture as stacked feature maps, generated from its definition.
public struct ArchitectureFigure: Figure {
    /// The stages drawn.
    public var diagram: ArchitectureDiagram

    /// Draws `diagram`.
    public init(diagram: ArchitectureDiagram) { self.diagram = diagram }

    /// Draws the model `spec` (zoo spec or the architecture stored in a model file).
    public init(spec: ModelSpec, maximumStages: Int = 10) throws {
        diagram = try ArchitectureDiagram(spec: spec, maximumStages: maximumStages)
    }

    public var catalogueID: String { "D1" }
    public var title: String { "\(catalogueID). \(titleText)" }
    /// The title without its catalogue id.
    var titleText: String {
        let last = diagram.stages.last.map { " → \($0.shapeLabel)" } ?? ""
        let first = diagram.stages.first?.shapeLabel ?? ""
        return "\(ModelZoo.displayName(diagram.model)): \(first)\(last), \(diagram.weightLayers) weight layers"
    }
    public var caption: String {
        "Architecture of \(ModelZoo.displayName(diagram.model)) drawn from its model definition: each stack is one layer's output "
            + "(channels@height x width), each arrow the operation that makes it"
            + (diagram.stages.contains { $0.repeats > 1 } ? "; repeated layers and blocks are grouped" : "")
            + (diagram.stages.contains { $0.hasShortcut } ? "; arcs are residual shortcuts (x + g(x))." : ".")
    }
    /// 1.75 in a stage, and a third as tall as wide: text stays 18 px on a page shown 1500 px wide without
    /// shrinking the glyphs below legibility (a flatter page made the layout shrink its labels to 14 px).
    public var preferredSize: Size {
        let width = max(8, 1.75 * Double(diagram.stages.count))
        return .inches(width, max(3.6, width / 3))
    }

    /// The legend's font: the style's tick font, grown to 18 px on a page shown 1500 px wide.
    static func legendFont(_ canvas: Canvas) -> Font {
        let tick = canvas.style.tickFont
        return tick.withSize(max(tick.size, canvas.smallestLegibleFontSize))
    }

    public func draw(on canvas: Canvas, in rect: Rect, frame: Int) throws {
        let style = canvas.style
        let outer = rect.insetBy(dx: style.margin, dy: style.margin)
        let titleHeight = canvas.titleHeight(title)
        let legendKinds = ArchitectureFigure.legendOrder.filter { kind in diagram.stages.contains { $0.kind == kind } }
        let legendHeight = canvas.measure("Hg", font: ArchitectureFigure.legendFont(canvas)).height + style.labelGap
        let body = outer.inset(top: titleHeight, bottom: legendHeight)
        let layout = StageLayout.fit(diagram.stages, in: body, canvas: canvas)
        drawStages(layout, on: canvas)
        drawLegend(legendKinds, on: canvas, in: Rect(x: outer.minX, y: outer.maxY - legendHeight + style.labelGap,
                                                       width: outer.width, height: legendHeight - style.labelGap))
        canvas.drawTitle(title, over: outer, top: outer.minY)
    }

    // MARK: - Glyphs

    static let legendOrder: [StageKind] = [.input, .convolution, .pooling, .residualBlocks, .plainBlocks, .concatBlocks, .dense]

    static func colors(_ kind: StageKind) -> (fill: RGBColor, stroke: RGBColor) {
        switch kind {
        case .input: return (RGBColor(hex: 0xE0E0E0), RGBColor(hex: 0x555555))
        case .convolution, .other: return (RGBColor(hex: 0xC6DBEF), RGBColor(hex: 0x2171B5))
        case .pooling: return (RGBColor(hex: 0xC7E9C0), RGBColor(hex: 0x238B45))
        case .dense: return (RGBColor(hex: 0xFDD0A2), RGBColor(hex: 0xD94801))
        case .residualBlocks, .plainBlocks, .concatBlocks: return (RGBColor(hex: 0xDADAEB), RGBColor(hex: 0x6A51A3))
        }
    }

    static func legendName(_ kind: StageKind) -> String {
        switch kind {
        case .input: return "input"
        case .convolution, .other: return "convolution"
        case .pooling: return "pooling"
        case .dense: return "fully connected"
        case .residualBlocks: return "residual blocks"
        case .plainBlocks: return "plain blocks"
        case .concatBlocks: return "dense (concatenating) layers"
        }
    }

    private func drawStages(_ layout: StageLayout, on canvas: Canvas) {
        let style = canvas.style
        let midY = layout.band.center.y
        for (index, stage) in diagram.stages.enumerated() {
            let glyph = layout.glyphs[index]
            let (fill, stroke) = ArchitectureFigure.colors(stage.kind)
            if stage.isSpatial {
                let sheets = layout.sheets[index]
                let step = sheets > 1 ? layout.depths[index] / Double(sheets - 1) : 0
                let face = Size(width: glyph.width - layout.depths[index], height: glyph.height - layout.depths[index])
                for k in stride(from: sheets - 1, through: 0, by: -1) {
                    let sheet = Rect(x: glyph.minX + Double(k) * step, y: glyph.minY + layout.depths[index] - Double(k) * step,
                                     width: face.width, height: face.height)
                    canvas.box(sheet, fill: fill, stroke: stroke, lineWidth: 0.7)
                }
            } else {
                canvas.box(glyph, fill: fill, stroke: stroke, lineWidth: 0.8, cornerRadius: min(3, glyph.width / 3))
                // Unit dividers, a few, so a vector reads as a column of units.
                let lines = min(max(Int(glyph.height / 7), 2), 12)
                for k in 1..<lines {
                    let y = glyph.minY + glyph.height * Double(k) / Double(lines)
                    canvas.line(from: Point(x: glyph.minX + 1.5, y: y), to: Point(x: glyph.maxX - 1.5, y: y),
                                color: stroke.withAlpha(0.35), lineWidth: 0.5)
                }
            }
            canvas.text(stage.name, at: Point(x: glyph.center.x, y: layout.nameBaseline), font: layout.nameFont,
                        horizontal: .center, vertical: .bottom)
            canvas.text(stage.shapeLabel, at: Point(x: glyph.center.x, y: layout.band.maxY + style.labelGap),
                        font: layout.shapeFont, horizontal: .center, vertical: .top)
            guard index > 0 else { continue }
            let previous = layout.glyphs[index - 1]
            let start = Point(x: previous.maxX + layout.afterGap[index - 1], y: midY)
            let end = Point(x: glyph.minX - 4, y: midY)
            canvas.arrow(from: start, to: end, color: style.foreground, lineWidth: 1)
            let center = (start.x + end.x) / 2
            canvas.text(layout.operations[index], at: Point(x: center, y: midY - 4), font: layout.operationFont,
                        horizontal: .center, vertical: .bottom)
            if !stage.details.isEmpty {
                canvas.text(stage.details.joined(separator: ", "), at: Point(x: center, y: midY + 4),
                            font: layout.detailFont, color: style.mutedForeground, horizontal: .center, vertical: .top)
            }
        }
        for (index, stage) in diagram.stages.enumerated() where stage.hasShortcut {
            drawShortcut(around: layout.glyphs[index], layout: layout, on: canvas)
        }
    }

    /// The skip connection: up from the arrow before the stage, over it, down into a sum on the arrow after it.
    private func drawShortcut(around glyph: Rect, layout: StageLayout, on canvas: Canvas) {
        let color = ArchitectureFigure.colors(.residualBlocks).stroke
        let midY = layout.band.center.y
        let top = glyph.minY - 10
        let x0 = glyph.minX - 10, x1 = glyph.maxX + 10
        let radius = min(8, (midY - top) / 2)
        var points: [Point] = [Point(x: x0, y: midY)]
        points += arcPoints(center: Point(x: x0 + radius, y: top + radius), radius: radius, from: .pi, to: 1.5 * .pi)
        points += arcPoints(center: Point(x: x1 - radius, y: top + radius), radius: radius, from: 1.5 * .pi, to: 2 * .pi)
        let sumRadius = 5.0
        points.append(Point(x: x1, y: midY - sumRadius - 5))
        canvas.polyline(points, color: color, lineWidth: 1.3)
        canvas.arrow(from: Point(x: x1, y: midY - sumRadius - 6), to: Point(x: x1, y: midY - sumRadius), color: color,
                     lineWidth: 1.3, headLength: 5)
        canvas.circle(center: Point(x: x1, y: midY), radius: sumRadius, fill: .white, stroke: color, lineWidth: 1.2)
        canvas.line(from: Point(x: x1 - sumRadius * 0.6, y: midY), to: Point(x: x1 + sumRadius * 0.6, y: midY), color: color, lineWidth: 1.2)
        canvas.line(from: Point(x: x1, y: midY - sumRadius * 0.6), to: Point(x: x1, y: midY + sumRadius * 0.6), color: color, lineWidth: 1.2)
    }

    private func arcPoints(center: Point, radius: Double, from a0: Double, to a1: Double) -> [Point] {
        (0...8).map { k in
            let a = a0 + (a1 - a0) * Double(k) / 8
            return Point(x: center.x + radius * cos(a), y: center.y + radius * sin(a))
        }
    }

    private func drawLegend(_ kinds: [StageKind], on canvas: Canvas, in rect: Rect) {
        let font = ArchitectureFigure.legendFont(canvas)
        let swatch = font.size
        let items = kinds.map { (kind: $0, width: swatch + 4 + canvas.measure(ArchitectureFigure.legendName($0), font: font).width) }
        let spacing = 16.0
        let total = items.reduce(0) { $0 + $1.width } + spacing * Double(max(items.count - 1, 0))
        var x = rect.center.x - total / 2
        for item in items {
            let (fill, stroke) = ArchitectureFigure.colors(item.kind)
            canvas.box(Rect(x: x, y: rect.center.y - swatch / 2, width: swatch, height: swatch), fill: fill, stroke: stroke, lineWidth: 0.7)
            canvas.text(ArchitectureFigure.legendName(item.kind), at: Point(x: x + swatch + 4, y: rect.center.y), font: font,
                        horizontal: .left, vertical: .middle)
            x += item.width + spacing
        }
    }
}

/// Where each stage goes: glyph rectangles, label rows and fonts, fitted to a rectangle.
struct StageLayout {
    var glyphs: [Rect]
    var sheets: [Int]
    var depths: [Double]
    /// Space after each glyph before its outgoing arrow starts (room for a sum sign after residual stages).
    var afterGap: [Double]
    var band: Rect
    var nameBaseline: Double
    /// The operation texts, broken into lines to keep the arrows short.
    var operations: [String]
    var nameFont: Font
    var shapeFont: Font
    var operationFont: Font
    var detailFont: Font

    /// Glyph sizes in abstract units: maps by the square root of their side, vectors by the log of their length.
    static func units(_ stages: [ArchitectureStage]) -> [(width: Double, height: Double, depth: Double, sheets: Int)] {
        let largest = Double(stages.filter(\.isSpatial).map { max($0.shape[1], $0.shape[2]) }.max() ?? 1)
        return stages.map { stage in
            if stage.isSpatial {
                let side = max(14, 100 * (Double(stage.shape[1]) / largest).squareRoot())
                let width = max(14, 100 * (Double(stage.shape[2]) / largest).squareRoot())
                let channels = stage.shape[0]
                let depth = channels > 1 ? min(36, 6 * log2(Double(channels))) : 0
                return (width + depth, side + depth, depth, min(channels, 8))
            }
            let features = Double(stage.shape.reduce(1, *))
            return (12, min(120, 30 + 20 * log10(max(features, 1))), 0, 1)
        }
    }

    /// A one-line `text` broken at the space that makes it narrowest (`fully connected` over two lines).
    static func balanced(_ text: String, font: Font, canvas: Canvas) -> String {
        guard !text.contains("\n") else { return text }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            let words = line.split(separator: " ")
            guard words.count > 1 else { return String(line) }
            var best = String(line), bestWidth = canvas.measure(best, font: font).width
            for cut in 1..<words.count {
                let candidate = words[..<cut].joined(separator: " ") + "\n" + words[cut...].joined(separator: " ")
                let width = canvas.measure(candidate, font: font).width
                if width < bestWidth - 1 { best = candidate; bestWidth = width }
            }
            return best
        }.joined(separator: "\n")
    }

    static func fit(_ stages: [ArchitectureStage], in rect: Rect, canvas: Canvas) -> StageLayout {
        let style = canvas.style
        let units = units(stages)
        let hasArc = stages.contains { $0.hasShortcut }
        // Start where the smallest text (the operations) is 18 px on a page shown 1500 px wide; shrink only if it must.
        let legibleScale = canvas.smallestLegibleFontSize / style.tickFont.size
        var fontScale = max(1.0, legibleScale)
        while true {
            let nameFont = Font(size: style.labelFont.size * fontScale, bold: true)
            let shapeFont = style.labelFont.withSize(style.labelFont.size * fontScale)
            let operationFont = style.tickFont.withSize(style.tickFont.size * fontScale)
            let detailFont = Font(size: style.tickFont.size * fontScale, italic: true)
            let nameWidths = stages.map { canvas.measure($0.name, font: nameFont).width }
            let shapeWidths = stages.map { canvas.measure($0.shapeLabel, font: shapeFont).width }
            let operations = stages.map { StageLayout.balanced($0.operation, font: operationFont, canvas: canvas) }
            let operationWidths = stages.indices.map { i in
                max(canvas.measure(operations[i], font: operationFont).width,
                    canvas.measure(stages[i].details.joined(separator: ", "), font: detailFont).width)
            }
            let operationHeight = operations.map { canvas.measure($0.isEmpty ? "H" : $0, font: operationFont).height }.max() ?? 0
            let nameHeight = canvas.measure("Hg", font: nameFont).height
            let shapeHeight = canvas.measure("Hg", font: shapeFont).height
            let arcRow = hasArc ? 18.0 : 0
            let bandHeight = rect.height - nameHeight - arcRow - shapeHeight - 2 * style.labelGap
            let maxUnits = units.map(\.height).max() ?? 1
            let minimumBand = 2 * operationHeight + 12
            let afterGap = stages.map { $0.hasShortcut ? 18.0 : 4 }
            let padding = 6.0

            func width(_ k: Double) -> (total: Double, centers: [Double]) {
                var centers: [Double] = []
                var x = 0.0
                for i in stages.indices {
                    let glyph = units[i].width * k
                    let label = max(nameWidths[i], shapeWidths[i])
                    if i == 0 {
                        x = max(glyph, label) / 2
                    } else {
                        let previousGlyph = units[i - 1].width * k
                        let previousLabel = max(nameWidths[i - 1], shapeWidths[i - 1])
                        let arrow: Double = operationWidths[i] + 2 * padding + 8 + (stages[i].hasShortcut ? 10 : 0)
                        let byArrow: Double = previousGlyph / 2 + afterGap[i - 1] + arrow + glyph / 2
                        let byLabels = previousLabel / 2 + label / 2 + 10
                        x += max(byArrow, byLabels)
                    }
                    centers.append(x)
                }
                let last = stages.indices.last.map { max(units[$0].width * k, max(nameWidths[$0], shapeWidths[$0])) / 2 } ?? 0
                return (x + last, centers)
            }

            var high = max(0.01, bandHeight / maxUnits), low = 0.0
            if width(high).total > rect.width {
                for _ in 0..<40 {
                    let mid = (low + high) / 2
                    if width(mid).total > rect.width { high = mid } else { low = mid }
                }
                high = low
            }
            let k = high
            // Text never shrinks below 18 px at 1500 px: the glyphs get smaller instead.
            let tooSmall = k * maxUnits < max(minimumBand, 40) && fontScale * 0.9 >= legibleScale
            if tooSmall && width(0).total > rect.width * 0.7 {
                fontScale *= 0.9
                continue
            }
            let (total, centers) = width(k)
            let left = rect.minX + (rect.width - total) / 2
            let glyphBand = max(k * maxUnits, minimumBand)
            let content = nameHeight + style.labelGap + arcRow + glyphBand + style.labelGap + shapeHeight
            let bandTop = rect.minY + max(0, (rect.height - content) / 2) + nameHeight + style.labelGap + arcRow
            let band = Rect(x: rect.minX, y: bandTop, width: rect.width, height: glyphBand)
            let glyphs = stages.indices.map { i in
                Rect(x: left + centers[i] - units[i].width * k / 2, y: band.center.y - units[i].height * k / 2,
                     width: units[i].width * k, height: units[i].height * k)
            }
            return StageLayout(glyphs: glyphs, sheets: units.map(\.sheets), depths: units.map { $0.depth * k },
                               afterGap: afterGap, band: band, nameBaseline: band.minY - arcRow - style.labelGap * 0.5,
                               operations: operations, nameFont: nameFont, shapeFont: shapeFont, operationFont: operationFont, detailFont: detailFont)
        }
    }
}
