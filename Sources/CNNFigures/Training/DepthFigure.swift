// E3 drawn: final training and test error against depth, plain and residual side by side, and the
// training-error curve of every model (plain dashed, residual solid), bands spanning the seeds.

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
        return "Final training and test error of plain and residual networks of depth "
            + study.depths.map(String.init).joined(separator: ", ")
            + ", and their training error per epoch (plain dashed, residual solid)"
            + (seeds > 1 ? "; lines are means over seeds, bands span the smallest to the largest." : ".")
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
        let train = LineChart(series: finalErrorSeries(\.finalTrainError), title: "Final training error",
                              xLabel: "depth (weight layers)", yLabel: "training error (%)", xRange: xRange)
        let test = LineChart(series: finalErrorSeries(\.finalTestError), title: "Final test error",
                             xLabel: "depth (weight layers)", yLabel: "test error (%)", xRange: xRange)
        train.draw(on: canvas, in: Rect(x: body.minX, y: body.minY, width: body.width / 2, height: topHeight))
        test.draw(on: canvas, in: Rect(x: body.midX, y: body.minY, width: body.width / 2, height: topHeight))

        // Curves: one colour per depth, dashed plain, solid residual.
        var series: [LineSeries] = []
        var entries: [LegendEntry] = []
        for (index, depth) in study.depths.enumerated() {
            let color = style.seriesColor(index == 3 ? 9 : index)
            entries.append(LegendEntry(label: "\(depth) layers", color: color))
            for kind in NetworkKind.allCases {
                guard let group = study.group(kind, depth: depth) else { continue }
                let curve = group.trainErrorCurve
                series.append(LineSeries(label: kind.name(depth: depth), x: group.epochs, y: curve.map(\.mean), color: color,
                                         dash: kind == .plain ? .dashed : .solid, showsMarkers: group.epochs.count <= 12,
                                         band: group.runs.count > 1 ? Band(lower: curve.map(\.minimum), upper: curve.map(\.maximum)) : nil))
            }
        }
        let grey = RGBColor(hex: 0x555555)
        entries.append(LegendEntry(label: "plain", color: grey, dash: .dashed))
        entries.append(LegendEntry(label: "residual", color: grey))
        let legend = canvas.legendSize(entries)
        let bottom = Rect(x: body.minX, y: body.minY + topHeight + style.labelGap, width: body.width - legend.width - style.labelGap,
                          height: body.height - topHeight - style.labelGap)
        let epochs = series.flatMap(\.x)
        let curves = LineChart(series: series, title: "Training error per epoch", xLabel: "epoch", yLabel: "training error (%)",
                               xRange: (epochs.min() ?? 1) == (epochs.max() ?? 1) ? ((epochs.min() ?? 1) - 0.5)...((epochs.max() ?? 1) + 0.5) : nil,
                               legend: .none)
        curves.draw(on: canvas, in: bottom)
        canvas.legend(entries, at: Point(x: bottom.maxX + style.labelGap, y: bottom.minY + style.margin * 3))
    }
}

fileprivate extension Rect {
    var midX: Double { x + width / 2 }
}
