// E3 drawn: final training and test error against depth, plain and residual side by side, and the
// per-epoch training and test error of the deepest plain and residual pair, bands spanning the seeds.

import CNNPlot
import Foundation

/// E3: plain vs residual networks, error against depth (He et al. 2015, figures 1 and 6), from our own runs.
public struct DepthFigure: Figure {
    public var study: DepthStudy

    public init(study: DepthStudy) { self.study = study }

    public var catalogueID: String { "E3" }
    public var title: String { "\(catalogueID). \(titleText)" }
    /// The title without its catalogue id.
    var titleText: String { "Plain vs residual networks: error against depth (our runs)" }
    public var caption: String {
        let seeds = study.groups.map(\.runs.count).max() ?? 1
        var text = "Final training and test error of plain and residual networks of depth "
            + study.depths.map(String.init).joined(separator: ", ")
        if let deepest = deepestPair {
            text += ", and the training (dashed) and test (solid) error per epoch of \(NetworkKind.plain.name(depth: deepest)) and "
                + "\(NetworkKind.residual.name(depth: deepest))"
        }
        text += seeds > 1 ? "; lines are means over \(seeds) seeds, bands span the smallest to the largest." : "."
        let start = study.zeroInitialisationNote
        return start.isEmpty ? text : text + " " + start
    }

    /// The deepest depth trained both plain and residual.
    public var deepestPair: Int? {
        study.depths.last { study.group(.plain, depth: $0) != nil && study.group(.residual, depth: $0) != nil }
    }

    public var preferredSize: Size { .inches(11, 8) }

    static let kindColors: [NetworkKind: RGBColor] = [.plain: RGBColor(hex: 0xD62728), .residual: RGBColor(hex: 0x1F77B4)]

    /// Final error (percent) against depth, one line per kind.
    func finalErrorSeries(_ pick: (DepthGroup) -> SeedSpread) -> [LineSeries] {
        NetworkKind.allCases.compactMap { kind in
            let groups = study.groups.filter { $0.kind == kind }
            guard !groups.isEmpty else { return nil }
            let spreads = groups.map(pick)
            let banded = groups.contains { $0.runs.count > 1 }
            return LineSeries(label: kind == .plain ? "plain" : "residual", x: groups.map { Double($0.depth) },
                              y: spreads.map(\.mean), color: DepthFigure.kindColors[kind], showsMarkers: true,
                              band: banded ? Band(lower: spreads.map(\.minimum), upper: spreads.map(\.maximum)) : nil)
        }
    }

    public func draw(on canvas: Canvas, in rect: Rect, frame: Int) throws {
        let style = canvas.style
        let outer = rect.insetBy(dx: style.margin, dy: style.margin)
        canvas.drawTitle(title, over: outer, top: outer.minY)
        let body = outer.inset(top: canvas.titleHeight(title))
        let topHeight = body.height * 0.45
        let depths = study.depths.map(Double.init)
        // A margin on both sides, so the end markers are not cut by the plot's edge.
        let low = depths.first ?? 1, high = depths.last ?? 1
        let pad = max(1, (high - low) * 0.06)
        let xRange = (low - pad)...(high + pad)
        var train = LineChart(series: finalErrorSeries(\.finalTrainError), title: "Final training error",
                              xLabel: "depth (weight layers)", yLabel: "training error (%)", xRange: xRange)
        var test = LineChart(series: finalErrorSeries(\.finalTestError), title: "Final test error",
                             xLabel: "depth (weight layers)", yLabel: "test error (%)", xRange: xRange)
        // Ticks at the depths trained (8, 20, 32, 44, 56), so each point reads off its own depth.
        train.xTicks = depths
        test.xTicks = depths
        train.draw(on: canvas, in: Rect(x: body.minX, y: body.minY, width: body.width / 2, height: topHeight))
        test.draw(on: canvas, in: Rect(x: body.midX, y: body.minY, width: body.width / 2, height: topHeight))

        // Curves of the deepest pair: colour by kind, training dashed, test solid (as in E1, and He et al. 2015).
        guard let deepest = deepestPair else { return }
        var series: [LineSeries] = []
        var entries: [LegendEntry] = []
        for kind in NetworkKind.allCases {
            guard let group = study.group(kind, depth: deepest) else { continue }
            let color = DepthFigure.kindColors[kind]!
            entries.append(LegendEntry(label: kind.name(depth: deepest), color: color))
            for (curve, dash) in [(group.trainErrorCurve, LineDash.dashed), (group.testErrorCurve, LineDash.solid)] {
                series.append(LineSeries(label: kind.name(depth: deepest), x: group.epochs, y: curve.map(\.mean), color: color,
                                         dash: dash, showsMarkers: false,
                                         band: group.runs.count > 1 ? Band(lower: curve.map(\.minimum), upper: curve.map(\.maximum)) : nil))
            }
        }
        let grey = RGBColor(hex: 0x555555)
        entries.append(LegendEntry(label: "training", color: grey, dash: .dashed))
        entries.append(LegendEntry(label: "test", color: grey))
        let legend = canvas.legendSize(entries)
        let bottom = Rect(x: body.minX, y: body.minY + topHeight + style.labelGap, width: body.width - legend.width - style.labelGap,
                          height: body.height - topHeight - style.labelGap)
        let epochs = series.flatMap(\.x)
        let first = epochs.min() ?? 1, last = epochs.max() ?? 1
        var curves = LineChart(series: series, title: "Error per epoch at \(deepest) layers", xLabel: "epoch", yLabel: "error (%)",
                               xRange: first == last ? (first - 0.5)...(last + 0.5) : first...last, legend: .none)
        // The first epoch, then every fifth.
        curves.xTicks = [first] + stride(from: 5.0, through: last, by: 5).filter { $0 > first }
        curves.draw(on: canvas, in: bottom)
        canvas.legend(entries, at: Point(x: bottom.maxX + style.labelGap, y: bottom.minY + style.margin * 3))
    }
}

fileprivate extension Rect {
    var midX: Double { x + width / 2 }
}
