// E5 drawn: why deep plain nets train worse. The norm of each weight layer's gradient, from the input
// to the output, for the deepest plain and residual pair of a depth study, at the start and the middle
// of training (recorded by the trainer over each epoch's first batches; mean over seeds).

import CNNEngine
import CNNModels
import CNNPlot
import CNNStore
import Foundation

/// E5: per-layer weight-gradient norms of the deepest plain and residual nets, from our own runs.
public struct GradientNormFigure: Figure {
    public var study: DepthStudy
    public var depth: Int

    /// - Throws: `ConfigurationError` when no depth has both kinds with recorded gradient norms.
    public init(study: DepthStudy) throws {
        guard let depth = study.deepestPairWithGradients else {
            throw ConfigurationError("no depth has both a plain and a residual run with recorded gradient norms "
                                     + "(runs trained before the trainer recorded them have none)")
        }
        self.study = study
        self.depth = depth
    }

    public var catalogueID: String { "E5" }
    public var title: String { "\(catalogueID). \(titleText)" }
    /// The title without its catalogue id.
    var titleText: String { "Gradient norm per layer: plain-\(depth) vs ResNet-\(depth) (our runs)" }

    /// The recorded epochs drawn: the first and, if recorded, a middle one.
    var panels: [Int] {
        let common = Array(Set(groups.plain.gradientNormEpochs).intersection(groups.residual.gradientNormEpochs)).sorted()
        guard let first = common.first else { return [] }
        let middle = common.dropFirst().first { $0 > first && $0 < (common.last ?? first) } ?? common.dropFirst().first
        return [first] + (middle.map { [$0] } ?? [])
    }

    var groups: (plain: DepthGroup, residual: DepthGroup) {
        (study.group(.plain, depth: depth)!, study.group(.residual, depth: depth)!)
    }

    /// ‖∇W‖ of the first weight layer over that of the last, per kind, in epoch `epoch`.
    public func firstToLastRatio(_ kind: NetworkKind, epoch: Int) -> Double? {
        guard let norms = (kind == .plain ? groups.plain : groups.residual).gradientNorms(epoch: epoch),
              let first = norms.first, let last = norms.last, last > 0 else { return nil }
        return first / last
    }

    public var caption: String {
        let seeds = groups.plain.runs.count
        var text = "Norm of each weight layer's gradient, input (layer 1) to output, averaged over the first batches of epoch "
            + panels.map(String.init).joined(separator: " and epoch ")
            + (seeds > 1 ? " and over \(seeds) seeds" : "") + ", log scale."
        if let epoch = panels.first, let p = firstToLastRatio(.plain, epoch: epoch), let r = firstToLastRatio(.residual, epoch: epoch) {
            text += String(format: " In epoch %d the first layer's gradient is %@ the last layer's in plain-%d and %@ in ResNet-%d.",
                           epoch, Self.times(p), depth, Self.times(r), depth)
        }
        let start = study.zeroInitialisationNote
        guard !start.isEmpty else { return text }
        // With the branches' last scale at zero, the branch weights' gradient is zero at the first step: say why
        // the residual curve starts so low, so that it is not read as vanishing gradients.
        return text + " " + start + " So in the first batches the weights inside the residual branches get almost no gradient: "
            + "the signal and its gradient pass through the shortcuts until the branches' scales grow."
    }

    /// "0.12 times", "3.4 times", "170 times" (two significant digits, never in exponent form).
    static func times(_ ratio: Double) -> String {
        guard ratio.isFinite, ratio > 0 else { return "\(ratio) times" }
        let decimals = max(0, 1 - Int(floor(log10(ratio))))
        let rounded = (ratio * pow(10, Double(decimals))).rounded() / pow(10, Double(decimals))
        var digits = decimals == 0 ? groupedThousands(Int(rounded)) : String(format: "%.\(decimals)f", rounded)
        if decimals > 0 {  // "0.02", "0.5" as %g writes them, not "0.020"
            while digits.hasSuffix("0") { digits.removeLast() }
            if digits.hasSuffix(".") { digits.removeLast() }
        }
        return digits + " times"
    }

    public var preferredSize: Size { .inches(11, 6) }

    public func draw(on canvas: Canvas, in rect: Rect, frame: Int) throws {
        let style = canvas.style
        let outer = rect.insetBy(dx: style.margin, dy: style.margin)
        canvas.drawTitle(title, over: outer, top: outer.minY)
        let body = outer.inset(top: canvas.titleHeight(title))
        let epochs = panels
        let width = body.width / Double(max(epochs.count, 1))
        // One y range for every panel, so the panels compare at a glance.
        let all = epochs.flatMap { epoch in [groups.plain, groups.residual].flatMap { $0.gradientNorms(epoch: epoch) ?? [] } }
            .filter { $0 > 0 && $0.isFinite }
        let yRange = (all.min() ?? 0.1)...(all.max() ?? 1)
        for (index, epoch) in epochs.enumerated() {
            var series: [LineSeries] = []
            for kind in NetworkKind.allCases {
                let group = kind == .plain ? groups.plain : groups.residual
                guard let norms = group.gradientNorms(epoch: epoch) else { continue }
                series.append(LineSeries(label: kind.name(depth: depth), x: norms.indices.map { Double($0 + 1) }, y: norms,
                                         color: DepthFigure.kindColors[kind], dash: .solid,
                                         showsMarkers: norms.count <= 24))
            }
            let chart = LineChart(series: series, title: "Epoch \(epoch)", xLabel: "weight layer (1 = input side)",
                                  yLabel: "gradient norm ‖∂L/∂W‖", yScale: .logarithmic,
                                  yRange: yRange)
            chart.draw(on: canvas, in: Rect(x: body.minX + Double(index) * width, y: body.minY, width: width, height: body.height))
        }
    }
}
