// `cnnbench time MODEL --kernels`: each convolution of a model timed alone, forward,
// backward-data and backward-weights, in ms and GFLOP/s (2 flops a multiply-add, each pass).
import CNNEngine
import CNNModels
import Foundation

/// Timings of one convolution's three passes.
public struct ConvKernelTiming: Codable, Sendable {
    public var layer: String
    /// "CxHxW -> OxHxW, kxk/s" for the table.
    public var shape: String
    public var batch: Int
    public var threads: Int
    public var macs: Int
    public var forwardMilliseconds: Double
    public var backwardDataMilliseconds: Double
    public var backwardWeightsMilliseconds: Double
    /// The kernels each pass took ("direct avx512", "im2col+oneDNN 2.6.3", ...).
    public var kernels: ConvKernelChoice
    /// The instruction-set path that was active.
    public var instructionSet: String
    /// That path's measured peak for `threads` threads, GFLOP/s (0 when not measured).
    public var peakGFLOPS: Double

    public var forwardGFLOPS: Double { 2 * Double(macs) / forwardMilliseconds / 1e6 }
    public var backwardDataGFLOPS: Double { 2 * Double(macs) / backwardDataMilliseconds / 1e6 }
    public var backwardWeightsGFLOPS: Double { 2 * Double(macs) / backwardWeightsMilliseconds / 1e6 }

    /// `gflops` as a percentage of the measured peak ("-" without one).
    func percentOfPeak(_ gflops: Double) -> String {
        peakGFLOPS > 0 ? String(format: "%.0f%%", 100 * gflops / peakGFLOPS) : "-"
    }
}

/// The measured peak of an instruction-set path: one thread, and `threads` threads at once.
public struct PeakMeasurement: Codable, Sendable {
    public var instructionSet: String
    public var threads: Int
    /// GFLOP/s of one thread alone.
    public var singleThread: Double
    /// GFLOP/s of `threads` threads together (the sum of their rates).
    public var allThreads: Double

    /// Measures `isa` by the engine's register-only FMA probe, alone and on `threads` threads at once.
    public static func measure(_ isa: InstructionSet, threads: Int, seconds: Double = 0.3) -> PeakMeasurement {
        let single = isa.measuredPeak(seconds: seconds)
        guard threads > 1 else { return PeakMeasurement(instructionSet: isa.rawValue, threads: 1, singleThread: single, allThreads: single) }
        let rates = UncheckedSendable(UnsafeMutablePointer<Double>.allocate(capacity: threads))
        defer { rates.value.deallocate() }
        DispatchQueue.concurrentPerform(iterations: threads) { t in rates.value[t] = isa.measuredPeak(seconds: seconds) }
        let total = (0..<threads).reduce(0.0) { $0 + rates.value[$1] }
        return PeakMeasurement(instructionSet: isa.rawValue, threads: threads, singleThread: single, allThreads: total)
    }
}

/// Times every convolution of a model on random data, each pass on its own.
public enum ConvKernelTimer {
    /// The convolutions of `spec` (searched through containers) with their input shapes.
    static func convolutions(of spec: ModelSpec) throws -> [(Conv2D, [Int])] {
        let network = try spec.build()
        _ = try network.outputShape(for: spec.inputShape)
        var found: [(Conv2D, [Int])] = []
        network.forEachLayer(inputShape: spec.inputShape) { visit in
            if let conv = visit.layer as? Conv2D, let shape = visit.inputShape { found.append((conv, shape)) }
        }
        return found
    }

    /// Median milliseconds of each pass of each convolution, over `iterations` runs after a warm-up.
    /// `peak`: the active path's measured peak at the engine's thread count, for the percentages.
    public static func run(spec: ModelSpec, batch: Int, iterations: Int, peak: Double = 0) throws -> [ConvKernelTiming] {
        var results: [ConvKernelTiming] = []
        for (conv, input) in try convolutions(of: spec) {
            let g = try conv.geometry(batch: batch, height: input[1], width: input[2])
            var generator = SeededGenerator(seed: 3)
            let x = Tensor(shape: [batch] + input), w = Tensor(shape: conv.weight.value.shape)
            for i in 0..<x.count { x[flat: i] = generator.nextNormal() }
            for i in 0..<w.count { w[flat: i] = generator.nextNormal() * 0.1 }
            let y = Tensor(shape: [batch, g.outChannels, g.outHeight, g.outWidth])
            let dy = Tensor(shape: y.shape, repeating: 0.01), dx = Tensor(shape: x.shape), dw = Tensor(shape: w.shape)
            let scratch = Scratch(), partials = Scratch()
            func time(_ body: () -> Void) -> Double {
                for _ in 0..<2 { body() }
                var samples: [Double] = []
                for _ in 0..<iterations {
                    let t0 = monotonicSeconds()
                    body()
                    samples.append(monotonicSeconds() - t0)
                }
                return median(samples) * 1e3
            }
            let f = time { conv2dForward(y: y.pointer, x: x.pointer, w: w.pointer, bias: nil, geometry: g, scratch: scratch) }
            let bd = time { conv2dBackward(dx: dx.pointer, dw: nil, db: nil, dy: dy.pointer, x: x.pointer, w: w.pointer,
                                           geometry: g, scratch: scratch, partials: partials) }
            let bw = time { conv2dBackward(dx: nil, dw: dw.pointer, db: nil, dy: dy.pointer, x: x.pointer, w: w.pointer,
                                           geometry: g, scratch: scratch, partials: partials) }
            let shape = "\(input.map(String.init).joined(separator: "x")) -> \(g.outChannels)x\(g.outHeight)x\(g.outWidth), \(conv.kernelSize)/\(conv.stride)"
            results.append(ConvKernelTiming(layer: conv.name, shape: shape, batch: batch, threads: Parallel.threadCount, macs: g.multiplyAdds,
                                            forwardMilliseconds: f, backwardDataMilliseconds: bd, backwardWeightsMilliseconds: bw,
                                            kernels: g.kernelChoice, instructionSet: InstructionSet.active.rawValue, peakGFLOPS: peak))
        }
        return results
    }

    /// The kernel timings as a table.
    public static func table(_ rows: [ConvKernelTiming], model: String) -> String {
        guard let first = rows.first else { return "\(model): no convolutions" }
        var cells = [["layer", "shape", "fwd ms", "GF/s", "peak", "bwd-data ms", "GF/s", "peak", "bwd-weights ms", "GF/s", "peak", "kernels (fwd / data / weights)"]]
        for r in rows {
            let k = r.kernels
            let kernels = k.forward == k.backwardData && k.forward == k.backwardWeights ? k.forward
                : "\(k.forward) / \(k.backwardData) / \(k.backwardWeights)"
            cells.append([r.layer, r.shape,
                          String(format: "%.3f", r.forwardMilliseconds), String(format: "%.1f", r.forwardGFLOPS), r.percentOfPeak(r.forwardGFLOPS),
                          String(format: "%.3f", r.backwardDataMilliseconds), String(format: "%.1f", r.backwardDataGFLOPS),
                          r.percentOfPeak(r.backwardDataGFLOPS),
                          String(format: "%.3f", r.backwardWeightsMilliseconds), String(format: "%.1f", r.backwardWeightsGFLOPS),
                          r.percentOfPeak(r.backwardWeightsGFLOPS), kernels])
        }
        let peak = first.peakGFLOPS > 0 ? String(format: "; peak = the %@ path's measured %.0f GFLOP/s", first.instructionSet, first.peakGFLOPS) : ""
        return "\(model) convolutions, batch \(first.batch), \(first.threads) thread(s), path \(first.instructionSet)\(peak); median ms and GFLOP/s of each pass\n"
            + alignedTable(cells, rightAligned: 2...10)
    }
}
