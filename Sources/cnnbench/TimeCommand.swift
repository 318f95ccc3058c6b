import ArgumentParser
import CNNBench
import CNNEngine
import CNNModels
import Foundation

struct TimeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "time",
        abstract: "Time a model: per-layer forward and backward ms, GFLOP/s, and the training step's images/s.",
        discussion: """
        Like `caffe time`: a random batch, a warm-up, then the median of --iterations steps.
        --kernels times each convolution alone instead (forward, backward-data, backward-weights), with
        the kernels each pass took and its share of the path's peak, measured first on this machine.
        --peak only measures the peak of every instruction-set path this CPU has.
        The path is the best the CPU has; CNNBENCH_ISA=avx512|avx2|generic forces one.
        Examples: cnnbench time resnet20 --batch 128 --threads 1
                  cnnbench time resnet20 --kernels --threads 1,2
                  cnnbench time --peak
        """)

    @Argument(help: "A zoo model (see `cnnbench models`); not needed with --peak.")
    var model: String?

    @Flag(help: "Measure the FMA peak of every instruction-set path this CPU has, on 1 thread and on every thread.")
    var peak = false

    @Option(parsing: .unconditional, help: "Images per batch.")
    var batch = 64

    @Option(parsing: .unconditional, help: "Timed iterations after the warm-up.")
    var iterations = 10

    @Option(help: "Thread counts, comma-separated (default: every core).")
    var threads: String?

    @Option(help: "Input shape CxHxW (default: the model's own).")
    var input: String?

    @Flag(help: "Time each convolution's three passes alone.")
    var kernels = false

    @Flag(help: "Print JSON instead of tables.")
    var json = false

    @Flag(help: "Also time the same model, batch and threads in PyTorch (scripts/reference/train_throughput.py), alternating runs, and print the ratio.")
    var comparePytorch = false

    @Option(parsing: .unconditional, help: "Alternating rounds of CNNBench and PyTorch with --compare-pytorch.")
    var rounds = 3

    func threadCounts() throws -> [Int] {
        guard let threads else {
            do { _ = try Parallel.threadCountFromEnvironment() } catch { throw ValidationError("\(error)") }
            return [Parallel.threadCount]
        }
        let counts = threads.split(separator: ",").map { Int($0) }
        guard !counts.isEmpty, counts.allSatisfy({ ($0 ?? 0) >= 1 }) else {
            throw ValidationError("--threads must be positive integers separated by commas, got \"\(threads)\"")
        }
        return counts.compactMap { $0 }
    }

    func validate() throws {
        if model == nil && !peak { throw ValidationError("Missing expected argument '<model>' (or --peak)") }
        if batch < 1 { throw ValidationError("--batch must be at least 1, got \(batch)") }
        if iterations < 1 { throw ValidationError("--iterations must be at least 1, got \(iterations)") }
        _ = try threadCounts()
        if let input { _ = try parseShape(input, option: "--input") }
    }

    func run() throws {
        if peak { return try printPeaks() }
        guard let model else { throw ValidationError("Missing expected argument '<model>'") }
        let spec = try ModelZoo.spec(model, input: try input.map { try parseShape($0, option: "--input") })
        if comparePytorch { return try compare(spec) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        var kernelRuns: [[ConvKernelTiming]] = [], modelRuns: [ModelTimingReport] = []
        for count in try threadCounts() {
            Parallel.threadCount = count
            if kernels {
                let peak = PeakMeasurement.measure(InstructionSet.active, threads: count).allThreads
                let rows = try ConvKernelTimer.run(spec: spec, batch: batch, iterations: iterations, peak: peak)
                kernelRuns.append(rows)
                if !json { print(ConvKernelTimer.table(rows, model: spec.name)); print() }
            } else {
                let report = try ModelTimer.run(spec: spec, batch: batch, iterations: iterations)
                modelRuns.append(report)
                if !json { print(report.table); print() }
            }
        }
        if json {
            let data = kernels ? try encoder.encode(kernelRuns) : try encoder.encode(modelRuns)
            print(String(decoding: data, as: UTF8.self))
        } else if modelRuns.count > 1, let base = modelRuns.first {
            for r in modelRuns.dropFirst() {
                print(String(format: "%d threads vs %d: %.2fx images/s", r.threads, base.threads, r.imagesPerSecond / base.imagesPerSecond))
            }
        }
    }
}

extension TimeCommand {
    /// Measures and prints the peak of every path this CPU has, at 1 thread and at each thread count.
    func printPeaks() throws {
        var rows: [PeakMeasurement] = []
        for isa in InstructionSet.supported.reversed() {
            for count in try threadCounts() { rows.append(PeakMeasurement.measure(isa, threads: count, seconds: 0.5)) }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(rows), as: UTF8.self))
            return
        }
        print("Register-only FMA peak (2 flops per lane), best of bursts of about 0.5 s; active path \(InstructionSet.active), GEMM \(GEMMBackend.current)")
        var cells = [["path", "threads", "GFLOP/s, 1 thread", "GFLOP/s, all threads"]]
        for r in rows { cells.append([r.instructionSet, "\(r.threads)", String(format: "%.1f", r.singleThread), String(format: "%.1f", r.allThreads)]) }
        print(alignedTable(cells, rightAligned: 1...3))
    }

    /// Alternates CNNBench and PyTorch runs for each thread count and prints both medians and their ratio.
    func compare(_ spec: ModelSpec) throws {
        let torch = try PyTorchComparison()
        var rows: [[String: Double]] = []
        for count in try threadCounts() {
            Parallel.threadCount = count
            var ours: [Double] = [], theirs: [Double] = []
            for round in 0..<max(rounds, 1) {
                theirs.append(try torch.imagesPerSecond(model: spec.name, batch: batch, threads: count))
                ours.append(try ModelTimer.run(spec: spec, batch: batch, iterations: iterations).imagesPerSecond)
                if !json {
                    print(String(format: "%@ batch %d threads %d round %d: PyTorch %.1f img/s, CNNBench %.1f img/s",
                                 spec.name, batch, count, round + 1, theirs.last!, ours.last!))
                }
            }
            let o = median(ours), t = median(theirs)
            rows.append(["threads": Double(count), "cnnbench": o, "pytorch": t, "ratio": o / t])
            if !json { print(String(format: "== %@ batch %d threads %d: CNNBench %.1f img/s, PyTorch %.1f img/s, ratio %.2fx", spec.name, batch, count, o, t, o / t)) }
        }
        if json {
            print(String(decoding: try JSONSerialization.data(withJSONObject: ["model": spec.name, "batch": batch, "runs": rows], options: [.prettyPrinted, .sortedKeys]), as: UTF8.self))
        }
    }
}
