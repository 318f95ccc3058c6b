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
            + "(channels@height × width), each arrow the operation that makes it"
            + (diagram.stages.contains { $0.repeats > 1 && !(diagram.drawsEachBlock && $0.hasShortcut) }
                ? "; repeated layers and blocks are grouped" : "")
            + shortcutSentence
    }

    /// What the arcs are, from the shortcuts the model has.
    var shortcutSentence: String {
        guard diagram.stages.contains(where: \.hasShortcut) else { return "." }
        guard diagram.drawsEachBlock else { return "; arcs are residual shortcuts (x + g(x))." }
        let downsampling = diagram.shortcutKinds.filter(\.isDownsampling)
        // The legend names each kind of shortcut; the caption says what the dashes mean, not the legend's words.
        let dashed = downsampling.isEmpty ? "" : "; a dashed arc is a shortcut that reshapes x to match the block's output"
        return "; each residual block is drawn with its shortcut arc (x + g(x))" + dashed + "."
    }
    /// 1.75 in a stage, and a third as tall as wide: text stays 18 px on a page shown 1500 px wide without
    /// shrinking the glyphs below legibility (a flatter page made the layout shrink its labels to 14 px).
    public var preferredSize: Size {
        let extraBlocks = diagram.drawsEachBlock ? diagram.stages.filter(\.hasShortcut).reduce(0) { $0 + $1.repeats - 1 } : 0
        let width = max(8, 1.75 * Double(diagram.stages.count) + 0.25 * Double(extraBlocks))
        return .inches(width, max(3.6, width / (extraBlocks > 0 ? 3.4 : 3)))
    }

    /// The legend's font: the style's tick font, grown to 18 px on a page shown 1500 px wide.
    static func legendFont(_ canvas: Canvas) -> Font {
        let tick = canvas.style.tickFont
        return tick.withSize(max(tick.size, canvas.smallestLegibleFontSize))
    }

    public func draw(on canvas: Canvas, in rect: Rect, frame: Int) throws {
        // The stage names grow to stay legible on a wide page; the title grows with them to stay the largest text.
        let savedTitleFont = canvas.style.titleFont
        defer { canvas.style.titleFont = savedTitleFont }
        let nameSize = canvas.style.labelFont.size * canvas.smallestLegibleFontSize / canvas.style.tickFont.size
        canvas.style.titleFont = savedTitleFont.withSize(max(savedTitleFont.size, 1.15 * nameSize))
        let style = canvas.style
        let outer = rect.insetBy(dx: style.margin, dy: style.margin)
        let titleHeight = canvas.titleHeight(title)
        let legend = legendRows(canvas: canvas, width: outer.width)
        let rowHeight = canvas.measure("Hg", font: ArchitectureFigure.legendFont(canvas)).height + style.labelGap
        let legendHeight = rowHeight * Double(legend.count)
        let body = outer.inset(top: titleHeight, bottom: legendHeight)
        let layout = StageLayout.fit(diagram.stages, eachBlock: diagram.drawsEachBlock, in: body, canvas: canvas)
        drawStages(layout, on: canvas)
        for (row, items) in legend.enumerated() {
            let top = outer.maxY - legendHeight + Double(row) * rowHeight + style.labelGap
            drawLegend(items, on: canvas, in: Rect(x: outer.minX, y: top, width: outer.width, height: rowHeight - style.labelGap))
        }
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

    /// One entry of the legend: a stage kind's swatch, or a shortcut's line style.
    enum LegendItem {
        case kind(StageKind)
        case shortcut(BlockShortcut)
    }

    /// The legend's entries, broken into rows that fit `width`.
    func legendRows(canvas: Canvas, width: Double) -> [[LegendItem]] {
        var items: [LegendItem] = ArchitectureFigure.legendOrder.filter { kind in diagram.stages.contains { $0.kind == kind } }.map { .kind($0) }
        if diagram.drawsEachBlock {
            items += diagram.shortcutKinds.map { .shortcut($0) }
        }
        let font = ArchitectureFigure.legendFont(canvas)
        var rows: [[LegendItem]] = [[]]
        var used = 0.0
        for item in items {
            let itemWidth = legendItemWidth(item, canvas: canvas, font: font)
            if !rows[rows.count - 1].isEmpty && used + ArchitectureFigure.legendSpacing + itemWidth > width {
                rows.append([]); used = 0
            }
            used += (rows[rows.count - 1].isEmpty ? 0 : ArchitectureFigure.legendSpacing) + itemWidth
            rows[rows.count - 1].append(item)
        }
        return rows
    }

    static let legendSpacing = 16.0

    func legendName(_ item: LegendItem) -> String {
        switch item {
        case let .kind(kind):
            guard kind == .residualBlocks, diagram.drawsEachBlock else { return ArchitectureFigure.legendName(kind) }
            // Blocks drawn one by one carry no text of their own: the legend says what one block is.
            let bodies = Set(diagram.stages.filter(\.hasShortcut).flatMap(\.details))
            return bodies.count == 1 ? "residual block (\(bodies.first!))" : "residual block"
        case let .shortcut(shortcut):
            return shortcut == .identity ? "identity shortcut" : "shortcut: " + shortcut.description
        }
    }

    /// The swatch's width: a square for a stage kind, a line sample twice as long for a shortcut.
    static func swatchWidth(_ item: LegendItem, font: Font) -> Double {
        switch item {
        case .kind: font.size
        case .shortcut: 2 * font.size
        }
    }

    /// The swatch plus its name.
    func legendItemWidth(_ item: LegendItem, canvas: Canvas, font: Font) -> Double {
        ArchitectureFigure.swatchWidth(item, font: font) + 4 + canvas.measure(legendName(item), font: font).width
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
            for block in layout.blockRects(index) {
                if stage.isSpatial {
                    let sheets = layout.sheets[index]
                    let step = sheets > 1 ? layout.depths[index] / Double(sheets - 1) : 0
                    let face = Size(width: block.width - layout.depths[index], height: block.height - layout.depths[index])
                    for k in stride(from: sheets - 1, through: 0, by: -1) {
                        let sheet = Rect(x: block.minX + Double(k) * step, y: block.minY + layout.depths[index] - Double(k) * step,
                                         width: face.width, height: face.height)
                        canvas.box(sheet, fill: fill, stroke: stroke, lineWidth: 0.7)
                    }
                } else {
                    canvas.box(block, fill: fill, stroke: stroke, lineWidth: 0.8, cornerRadius: min(3, block.width / 3))
                    // Unit dividers, a few, so a vector reads as a column of units.
                    let lines = min(max(Int(block.height / 7), 2), 12)
                    for k in 1..<lines {
                        let y = block.minY + block.height * Double(k) / Double(lines)
                        canvas.line(from: Point(x: block.minX + 1.5, y: y), to: Point(x: block.maxX - 1.5, y: y),
                                    color: stroke.withAlpha(0.35), lineWidth: 0.5)
                    }
                }
            }
            canvas.text(stage.name, at: Point(x: glyph.center.x, y: layout.nameBaseline), font: layout.nameFont,
                        horizontal: .center, vertical: .bottom)
            canvas.text(stage.shapeLabel, at: Point(x: glyph.center.x, y: layout.band.maxY + style.labelGap),
                        font: layout.shapeFont, horizontal: .center, vertical: .top)
            // Blocks drawn one by one: an arrow from each block's sum to the next block.
            for (previous, next) in zip(layout.blockRects(index), layout.blockRects(index).dropFirst()) {
                canvas.arrow(from: Point(x: previous.maxX + StageLayout.sumOffset + StageLayout.sumRadius, y: midY),
                             to: Point(x: next.minX - 4, y: midY), color: style.foreground, lineWidth: 1)
            }
            guard index > 0 else { continue }
            let previous = layout.glyphs[index - 1]
            let start = Point(x: previous.maxX + layout.afterGap[index - 1], y: midY)
            let end = Point(x: glyph.minX - 4, y: midY)
            canvas.arrow(from: start, to: end, color: style.foreground, lineWidth: 1)
            let center = (start.x + end.x) / 2
            if !layout.operations[index].isEmpty {
                canvas.text(layout.operations[index], at: Point(x: center, y: midY - 4), font: layout.operationFont,
                            horizontal: .center, vertical: .bottom)
            }
            if !layout.details[index].isEmpty {
                canvas.text(layout.details[index], at: Point(x: center, y: midY + 4),
                            font: layout.detailFont, color: style.mutedForeground, horizontal: .center, vertical: .top)
            }
        }
        for (index, stage) in diagram.stages.enumerated() where stage.hasShortcut {
            let blocks = layout.blockRects(index)
            if blocks.count == stage.blockShortcuts.count {
                for (block, shortcut) in zip(blocks, stage.blockShortcuts) {
                    drawShortcut(around: block, dashed: shortcut.isDownsampling, layout: layout, on: canvas)
                }
            } else {
                drawShortcut(around: layout.glyphs[index], dashed: false, layout: layout, on: canvas)
            }
        }
    }

    /// The skip connection: up from the arrow before the stage, over it, down into a sum on the arrow after it.
    /// A dashed arc is a shortcut that changes the shape of x (downsampling).
    private func drawShortcut(around glyph: Rect, dashed: Bool, layout: StageLayout, on canvas: Canvas) {
        let color = ArchitectureFigure.colors(.residualBlocks).stroke
        let midY = layout.band.center.y
        let top = glyph.minY - 10
        let x0 = glyph.minX - StageLayout.sumOffset, x1 = glyph.maxX + StageLayout.sumOffset
        let radius = min(8, (midY - top) / 2)
        var points: [Point] = [Point(x: x0, y: midY)]
        points += arcPoints(center: Point(x: x0 + radius, y: top + radius), radius: radius, from: .pi, to: 1.5 * .pi)
        points += arcPoints(center: Point(x: x1 - radius, y: top + radius), radius: radius, from: 1.5 * .pi, to: 2 * .pi)
        let sumRadius = StageLayout.sumRadius
        points.append(Point(x: x1, y: midY - sumRadius - 5))
        canvas.polyline(points, color: color, lineWidth: 1.3, dash: dashed ? .dashed : .solid)
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

    private func drawLegend(_ items: [LegendItem], on canvas: Canvas, in rect: Rect) {
        let font = ArchitectureFigure.legendFont(canvas)
        let total = items.reduce(0) { $0 + legendItemWidth($1, canvas: canvas, font: font) }
            + ArchitectureFigure.legendSpacing * Double(max(items.count - 1, 0))
        var x = rect.center.x - total / 2
        for item in items {
            let swatch = ArchitectureFigure.swatchWidth(item, font: font)
            switch item {
            case let .kind(kind):
                let (fill, stroke) = ArchitectureFigure.colors(kind)
                canvas.box(Rect(x: x, y: rect.center.y - swatch / 2, width: swatch, height: swatch), fill: fill, stroke: stroke, lineWidth: 0.7)
            case let .shortcut(shortcut):
                canvas.line(from: Point(x: x, y: rect.center.y), to: Point(x: x + swatch, y: rect.center.y),
                            color: ArchitectureFigure.colors(.residualBlocks).stroke, lineWidth: 1.3,
                            dash: shortcut.isDownsampling ? .dashed : .solid)
            }
            canvas.text(legendName(item), at: Point(x: x + swatch + 4, y: rect.center.y), font: font,
                        horizontal: .left, vertical: .middle)
            x += legendItemWidth(item, canvas: canvas, font: font) + ArchitectureFigure.legendSpacing
        }
    }
}

/// Where each stage goes: glyph rectangles, label rows and fonts, fitted to a rectangle.
struct StageLayout {
    /// Each stage's whole extent (all its blocks, when they are drawn one by one).
    var glyphs: [Rect]
    /// How many blocks each stage is drawn as (1 unless its residual blocks are drawn one by one).
    var blocks: [Int]
    var sheets: [Int]
    var depths: [Double]
    /// Space after each glyph before its outgoing arrow starts (room for a sum sign after residual stages).
    var afterGap: [Double]
    var band: Rect
    var nameBaseline: Double
    /// The operation texts, broken into lines to keep the arrows short ("" where the blocks show it).
    var operations: [String]
    /// The italic line under each operation ("" for none).
    var details: [String]
    var nameFont: Font
    var shapeFont: Font
    var operationFont: Font
    var detailFont: Font

    /// How far a shortcut lands after its block, and the radius of its sum sign.
    static let sumOffset = 10.0
    static let sumRadius = 5.0
    /// The room between two blocks drawn one by one: the sum, an arrow, and the next arc's start.
    static let blockGap = 2 * sumOffset + sumRadius + 16

    /// The rectangles of stage `index`'s blocks, left to right (its glyph alone unless drawn block by block).
    func blockRects(_ index: Int) -> [Rect] {
        let glyph = glyphs[index], count = blocks[index]
        guard count > 1 else { return [glyph] }
        let width = (glyph.width - Double(count - 1) * StageLayout.blockGap) / Double(count)
        return (0..<count).map { j in
            Rect(x: glyph.minX + Double(j) * (width + StageLayout.blockGap), y: glyph.minY, width: width, height: glyph.height)
        }
    }

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

    static func fit(_ stages: [ArchitectureStage], eachBlock: Bool, in rect: Rect, canvas: Canvas) -> StageLayout {
        let style = canvas.style
        let units = units(stages)
        let blocks = stages.map { eachBlock && $0.hasShortcut ? $0.repeats : 1 }
        // Blocks drawn one by one show their number; what one block is goes in the legend.
        let shownOperations = stages.indices.map { blocks[$0] > 1 ? "" : stages[$0].operation }
        let details = stages.indices.map { blocks[$0] > 1 ? "" : stages[$0].details.joined(separator: ", ") }
        func groupWidth(_ i: Int, _ k: Double) -> Double {
            units[i].width * k * Double(blocks[i]) + Double(blocks[i] - 1) * blockGap
        }
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
            let operations = shownOperations.map { StageLayout.balanced($0, font: operationFont, canvas: canvas) }
            let operationWidths = stages.indices.map { i in
                max(canvas.measure(operations[i], font: operationFont).width, canvas.measure(details[i], font: detailFont).width)
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
                    let glyph = groupWidth(i, k)
                    let label = max(nameWidths[i], shapeWidths[i])
                    if i == 0 {
                        x = max(glyph, label) / 2
                    } else {
                        let previousGlyph = groupWidth(i - 1, k)
                        let previousLabel = max(nameWidths[i - 1], shapeWidths[i - 1])
                        let arrow: Double = operationWidths[i] + 2 * padding + 8 + (stages[i].hasShortcut ? 10 : 0)
                        let byArrow: Double = previousGlyph / 2 + afterGap[i - 1] + arrow + glyph / 2
                        let byLabels = previousLabel / 2 + label / 2 + 10
                        x += max(byArrow, byLabels)
                    }
                    centers.append(x)
                }
                let last = stages.indices.last.map { max(groupWidth($0, k), max(nameWidths[$0], shapeWidths[$0])) / 2 } ?? 0
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
                Rect(x: left + centers[i] - groupWidth(i, k) / 2, y: band.center.y - units[i].height * k / 2,
                     width: groupWidth(i, k), height: units[i].height * k)
            }
            return StageLayout(glyphs: glyphs, blocks: blocks, sheets: units.map(\.sheets), depths: units.map { $0.depth * k },
                               afterGap: afterGap, band: band, nameBaseline: band.minY - arcRow - style.labelGap * 0.5,
                               operations: operations, details: details, nameFont: nameFont, shapeFont: shapeFont, operationFont: operationFont, detailFont: detailFont)
        }
    }
}
