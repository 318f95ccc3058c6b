// `cnnbench time MODEL`: per-layer forward and backward milliseconds like `caffe time`, and the
// whole training step's images per second, on a fixed random batch.
import CNNEngine
import CNNModels
import Foundation

/// Per-layer and whole-step timings of one model at one batch size and thread count.
public struct ModelTimingReport: Codable, Sendable {
    /// One top-level layer's timing.
    public struct LayerRow: Codable, Sendable {
        public var name: String
        public var kind: String
        public var outputShape: [Int]
        public var forwardMilliseconds: Double
        public var backwardMilliseconds: Double
        /// Multiply-adds of the forward pass for the whole batch.
        public var macs: Int
        /// Forward GFLOP/s (2 flops a multiply-add), nil for layers without multiply-adds.
        public var forwardGFLOPS: Double?
        /// Backward GFLOP/s: input gradient (not for the first layer) plus weight gradient.
        public var backwardGFLOPS: Double?
        /// This layer's forward + backward share of the sum over layers.
        public var share: Double
    }

    public var model: String
    public var batch: Int
    public var threads: Int
    public var inputShape: [Int]
    public var iterations: Int
    public var layers: [LayerRow]
    /// Median seconds of a whole step (forward, loss, backward, SGD update).
    public var stepSeconds: Double
    public var stepSecondsMin: Double
    public var stepSecondsMax: Double
    public var imagesPerSecond: Double
    /// Whole-step GFLOP/s with PyTorch's reference convention: 6 flops per multiply-add.
    public var gflops: Double
    public var peakMemoryBytes: Int?
    public var otherProcessCores: Double
    public var cpu: String
    /// The engine's instruction-set path and GEMM for this run.
    public var instructionSet: String = InstructionSet.active.rawValue
    public var gemm: String = GEMMBackend.current.description

    /// The per-layer table and the step line, as text.
    public var table: String {
        var rows = [["layer", "kind", "output", "fwd ms", "bwd ms", "fwd GF/s", "bwd GF/s", "share"]]
        for r in layers {
            rows.append([r.name, r.kind, ([batch] + r.outputShape).map(String.init).joined(separator: "x"),
                         String(format: "%.3f", r.forwardMilliseconds), String(format: "%.3f", r.backwardMilliseconds),
                         r.forwardGFLOPS.map { String(format: "%.1f", $0) } ?? "", r.backwardGFLOPS.map { String(format: "%.1f", $0) } ?? "",
                         String(format: "%.1f%%", r.share * 100)])
        }
        let fsum = layers.reduce(0) { $0 + $1.forwardMilliseconds }, bsum = layers.reduce(0) { $0 + $1.backwardMilliseconds }
        rows.append(["sum of layers", "", "", String(format: "%.3f", fsum), String(format: "%.3f", bsum), "", "", ""])
        let title = "\(model), batch \(batch), \(threads) thread(s), input \(inputShape.map(String.init).joined(separator: "x")), path \(instructionSet), GEMM \(gemm); ms per batch, median of \(iterations)"
        let step = String(format: "train step: %.2f ms (min %.2f, max %.2f): %.1f img/s, %.1f GFLOP/s; peak memory %@; other processes %.2f cores",
                          stepSeconds * 1e3, stepSecondsMin * 1e3, stepSecondsMax * 1e3, imagesPerSecond, gflops,
                          (peakMemoryBytes.map { String(format: "%.0f MB", Double($0) / 1e6) } ?? "n/a") as NSString, otherProcessCores)
        return title + "\n" + alignedTable(rows, rightAligned: 3...7) + "\n" + step
    }
}

/// Rows of cells as text columns, left-aligned except the columns in `rightAligned`.
public func alignedTable(_ rows: [[String]], rightAligned: ClosedRange<Int>) -> String {
    let columns = rows.map(\.count).max() ?? 0
    let widths = (0..<columns).map { c in rows.map { c < $0.count ? $0[c].count : 0 }.max() ?? 0 }
    return rows.map { row in
        let line = row.enumerated().map { c, cell in
            let pad = String(repeating: " ", count: widths[c] - cell.count)
            return rightAligned.contains(c) ? pad + cell : cell + pad
        }.joined(separator: "  ")
        // Trailing spaces only: a row whose first cell is empty (a header above row names) keeps its indent.
        return String(line.reversed().drop(while: { $0 == " " }).reversed())
    }.joined(separator: "\n")
}

/// Times a model's layers and whole training step on a random batch.
public enum ModelTimer {
    /// Measures `spec` at `batch` images for `iterations` repeats after a warm-up of at least
    /// `warmupSteps` steps and `warmupSeconds` seconds (as the PyTorch reference scripts do).
    /// - Throws: engine errors for a model that cannot take its input.
    public static func run(spec: ModelSpec, batch: Int, iterations: Int, warmupSteps: Int = 3,
                           warmupSeconds: Double = 1) throws -> ModelTimingReport {
        let network = try spec.build()
        network.initialize(seed: 1)
        network.setTraining(true)
        network.needsInputGradient = false
        var generator = SeededGenerator(seed: 2)
        let input = Tensor(shape: [batch] + spec.inputShape)
        for i in 0..<input.count { input[flat: i] = generator.nextNormal() }
        let targets = (0..<batch).map { _ in Int32(generator.nextInt(below: spec.classes)) }
        let loss = try SoftmaxCrossEntropy()
        let parameters = network.namedParameters.map(\.parameter)
        let optimizer = try SGD(parameters: parameters, learningRate: 0.01, momentum: 0.9)
        let layers = network.layers
        let load = OtherLoad()

        var forward = [[Double]](repeating: [], count: layers.count)
        var backward = [[Double]](repeating: [], count: layers.count)
        var steps: [Double] = []
        var warmup = Int.max, iteration = 0
        let warmupStart = monotonicSeconds()
        while warmup == .max || iteration < warmup + iterations {
            if warmup == .max && iteration >= warmupSteps && monotonicSeconds() - warmupStart >= warmupSeconds { warmup = iteration }
            defer { iteration += 1 }
            let stepStart = monotonicSeconds()
            network.zeroGradients()
            var x = input
            for (i, layer) in layers.enumerated() {
                let t0 = monotonicSeconds()
                x = try layer.forward(x)
                if iteration >= warmup { forward[i].append(monotonicSeconds() - t0) }
            }
            _ = try loss.loss(logits: x, targets: targets)
            var g = loss.gradient
            for (i, layer) in layers.enumerated().reversed() {
                let t0 = monotonicSeconds()
                g = try layer.backward(g)
                if iteration >= warmup { backward[i].append(monotonicSeconds() - t0) }
            }
            optimizer.step()
            if iteration >= warmup { steps.append(monotonicSeconds() - stepStart) }
        }

        var rows: [ModelTimingReport.LayerRow] = []
        var shape = spec.inputShape
        for (i, layer) in layers.enumerated() {
            let macs = try layer.multiplyAdds(for: shape) * batch
            let out = try layer.outputShape(for: shape)
            let f = median(forward[i]), b = median(backward[i])
            let backwardMacs = i == 0 ? macs : 2 * macs
            rows.append(.init(name: layer.name, kind: layer.kindName, outputShape: out, forwardMilliseconds: f * 1e3,
                              backwardMilliseconds: b * 1e3, macs: macs,
                              forwardGFLOPS: macs > 0 ? 2 * Double(macs) / f / 1e9 : nil,
                              backwardGFLOPS: macs > 0 ? 2 * Double(backwardMacs) / b / 1e9 : nil, share: 0))
            shape = out
        }
        let total = rows.reduce(0) { $0 + $1.forwardMilliseconds + $1.backwardMilliseconds }
        for i in rows.indices { rows[i].share = (rows[i].forwardMilliseconds + rows[i].backwardMilliseconds) / max(total, 1e-12) }
        let step = median(steps)
        let macsPerImage = try network.multiplyAdds(for: spec.inputShape)
        return ModelTimingReport(model: spec.name, batch: batch, threads: Parallel.threadCount, inputShape: spec.inputShape,
                                 iterations: iterations, layers: rows, stepSeconds: step, stepSecondsMin: steps.min() ?? step,
                                 stepSecondsMax: steps.max() ?? step, imagesPerSecond: Double(batch) / step,
                                 gflops: Double(batch) / step * Double(macsPerImage) * 6 / 1e9,
                                 peakMemoryBytes: peakResidentBytes(), otherProcessCores: load.otherCores(), cpu: cpuModelName())
    }
}
