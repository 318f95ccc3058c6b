// A1-A5: convolution and pooling worked by hand, one output cell at a time. The outputs come from
// the engine's own Conv2D, MaxPool2D and AvgPool2D; the written-out sums are the terms of the
// window, shown beside the engine's value so the reader can check it.
import CNNEngine
import CNNPlot

/// A convolution or pooling of one small matrix, worked cell by cell as on the lecture slides.
///
/// Every output value is computed by the engine (`Conv2D` without bias, `MaxPool2D` or `AvgPool2D`
/// with padding counted in the average, as PyTorch does); each step carries the window's terms
/// so the sum can be written out under it.
public struct ConvolutionWalkthrough: Sendable {
    /// What slides over the input.
    public enum Operation: Sendable, Equatable {
        /// Cross-correlation with `kernel` (no flip, as PyTorch's `Conv2d`).
        case convolution(kernel: [[Double]])
        /// The largest value of each `size` x `size` window (padding never wins).
        case maxPool(size: Int)
        /// The mean of each `size` x `size` window (padding counts as zeros).
        case averagePool(size: Int)
    }

    /// One term of a window: an input value (0 for padding) and the kernel weight it meets.
    public struct Term: Sendable, Equatable {
        public var input: Double
        /// The kernel weight, or nil for pooling.
        public var weight: Double?
        /// Whether the input value is a padding cell.
        public var isPadding: Bool
    }

    /// One output cell: where its window lies in the padded input, its terms and its value.
    public struct Step: Sendable, Equatable {
        /// Output row and column (0-based).
        public var row: Int, column: Int
        /// Rows and columns of the window in the padded input.
        public var windowRows: Range<Int>, windowColumns: Range<Int>
        /// The window's terms, row by row.
        public var terms: [Term]
        /// The engine's output value.
        public var value: Double
    }

    /// The figure's title, e.g. "A1. Sobel filter, worked by hand".
    public var title: String
    /// A note under the figure (e.g. a slide's typo); nil for none.
    public var footnote: String?
    /// Whether a first frame asks for the output before any of it is shown, as a quiz does.
    public var opensWithQuestion: Bool
    /// The input, as rows.
    public let input: [[Double]]
    public let operation: Operation
    /// Zero padding on every side.
    public let padding: Int
    public let stride: Int
    /// The engine's output, as rows.
    public let output: [[Double]]
    /// One step per output cell, row by row.
    public let steps: [Step]
    /// A 2 x 2 max pooling of the output, computed by the engine, when asked for (the A4 exercise).
    public let pooledOutput: [[Double]]?

    /// Works a convolution or pooling through the engine.
    /// - Parameters:
    ///   - opensWithQuestion: Ask for the output in a first frame, with no answer shown (the A5 quiz).
    ///   - poolOutputAfterwards: Also max-pool the output with a window covering it all (A4's last step).
    /// - Throws: `ConfigurationError` for a ragged or empty input or kernel, a window larger than the
    ///   padded input, or a non-positive stride; the engine's errors otherwise.
    public init(title: String, input: [[Double]], operation: Operation, padding: Int = 0, stride: Int = 1,
                footnote: String? = nil, opensWithQuestion: Bool = false, poolOutputAfterwards: Bool = false) throws {
        try Self.checkMatrix(input, what: "input")
        guard stride > 0 else { throw ConfigurationError("stride must be at least 1, got \(stride)") }
        guard padding >= 0 else { throw ConfigurationError("padding must be 0 or more, got \(padding)") }
        let h = input.count, w = input[0].count
        let (kh, kw): (Int, Int)
        switch operation {
        case .convolution(let kernel):
            try Self.checkMatrix(kernel, what: "kernel")
            (kh, kw) = (kernel.count, kernel[0].count)
        case .maxPool(let size), .averagePool(let size):
            guard size > 0 else { throw ConfigurationError("pooling window must be at least 1, got \(size)") }
            (kh, kw) = (size, size)
        }
        guard kh <= h + 2 * padding, kw <= w + 2 * padding else {
            throw ConfigurationError("the \(kh)x\(kw) window is larger than the \(h + 2 * padding)x\(w + 2 * padding) padded input")
        }
        self.title = title
        self.footnote = footnote
        self.opensWithQuestion = opensWithQuestion
        self.input = input
        self.operation = operation
        self.padding = padding
        self.stride = stride

        let layer: any Layer
        switch operation {
        case .convolution(let kernel):
            let conv = try Conv2D("conv", inChannels: 1, outChannels: 1, kernelSize: Pair(kh, kw),
                                  stride: Pair(stride, stride), padding: .uniform(padding), bias: false)
            try conv.weight.value.assign(Tensor(shape: [1, 1, kh, kw], values: kernel.flatMap { $0.map(Float.init) }))
            layer = conv
        case .maxPool(let size):
            layer = try MaxPool2D("pool", kernelSize: Pair(size, size), stride: Pair(stride, stride), padding: Pair(padding, padding))
        case .averagePool(let size):
            layer = try AvgPool2D("pool", kernelSize: Pair(size, size), stride: Pair(stride, stride), padding: Pair(padding, padding))
        }
        let output = try Self.run(layer, on: input)
        self.output = output

        let padded = Self.padded(input, by: padding)
        var steps: [Step] = []
        for r in 0..<output.count {
            for c in 0..<output[0].count {
                let rows = (r * stride)..<(r * stride + kh), columns = (c * stride)..<(c * stride + kw)
                var terms: [Term] = []
                for (i, y) in rows.enumerated() {
                    for (j, x) in columns.enumerated() {
                        let isPadding = y < padding || y >= padding + h || x < padding || x >= padding + w
                        var weight: Double?
                        if case .convolution(let kernel) = operation { weight = Double(Float(kernel[i][j])) }
                        terms.append(Term(input: padded[y][x], weight: weight, isPadding: isPadding))
                    }
                }
                steps.append(Step(row: r, column: c, windowRows: rows, windowColumns: columns, terms: terms, value: output[r][c]))
            }
        }
        self.steps = steps
        if poolOutputAfterwards {
            let pool = try MaxPool2D("pool", kernelSize: Pair(output.count, output[0].count))
            pooledOutput = try Self.run(pool, on: output)
        } else {
            pooledOutput = nil
        }
    }

    /// The kernel's rows, or nil for pooling.
    public var kernel: [[Double]]? {
        if case .convolution(let kernel) = operation { return kernel }
        return nil
    }

    /// The window's height and width.
    public var windowSize: (height: Int, width: Int) {
        switch operation {
        case .convolution(let kernel): return (kernel.count, kernel[0].count)
        case .maxPool(let size), .averagePool(let size): return (size, size)
        }
    }

    /// The input with `padding` zeros around it, as drawn.
    public var paddedInput: [[Double]] { Self.padded(input, by: padding) }

    /// The output values in row order, the numbers the frames fill in one by one.
    public var outputValues: [Double] { output.flatMap { $0 } }

    /// The output cell whose value the max pooling keeps (the first of equal largest values, in row
    /// order); nil when the output is not pooled.
    public var pooledSource: (row: Int, column: Int)? {
        guard let pooled = pooledOutput?.first?.first, let index = outputValues.firstIndex(of: pooled) else { return nil }
        return (index / output[0].count, index % output[0].count)
    }

    /// The sum written out for `step`, one line per window row, as on the slides:
    /// `300 = 100×1 + 100×2 + 100×1 +`, `100×0 + ...`; pooling gives `4 = max(0, 1, 3, 4)`.
    public func equationLines(for step: Step) -> [String] {
        let value = formatNumber(step.value, maximumFractionDigits: 3)
        let width = windowSize.width
        switch operation {
        case .convolution:
            let products = step.terms.map { term -> String in
                let w = term.weight!
                let weight = w < 0 ? "(" + formatNumber(w, maximumFractionDigits: 3) + ")" : formatNumber(w, maximumFractionDigits: 3)
                let x = term.input < 0 ? "(" + formatNumber(term.input, maximumFractionDigits: 3) + ")" : formatNumber(term.input, maximumFractionDigits: 3)
                return x + "×" + weight
            }
            return Self.rows(of: products, width: width, joiner: " + ", first: value + " = ", last: "")
        case .maxPool:
            let values = step.terms.filter { !$0.isPadding }.map { formatNumber($0.input, maximumFractionDigits: 3) }
            return Self.rows(of: values, width: values.count <= 9 ? values.count : width, joiner: ", ",
                             first: value + " = max(", last: ")")
        case .averagePool:
            let values = step.terms.map { formatNumber($0.input, maximumFractionDigits: 3) }
            return Self.rows(of: values, width: values.count <= 9 ? values.count : width, joiner: " + ",
                             first: value + " = (", last: ") / \(step.terms.count)")
        }
    }

    // MARK: - Helpers

    /// Groups `items` `width` to a line, joined by `joiner`, the first line opened by `first`.
    static func rows(of items: [String], width: Int, joiner: String, first: String, last: String) -> [String] {
        let trailing = joiner.trimmingTrailingSpaces
        var lines: [String] = []
        var start = 0
        while start < items.count {
            let end = min(start + max(width, 1), items.count)
            var line = items[start..<end].joined(separator: joiner)
            line = (start == 0 ? first : "") + line + (end == items.count ? last : trailing)
            lines.append(line)
            start = end
        }
        return lines
    }

    static func checkMatrix(_ m: [[Double]], what: String) throws {
        guard let first = m.first, !first.isEmpty else { throw ConfigurationError("the \(what) is empty") }
        for (i, row) in m.enumerated() where row.count != first.count {
            throw ConfigurationError("the \(what)'s row \(i + 1) has \(row.count) numbers, row 1 has \(first.count)")
        }
        for row in m { for v in row where !v.isFinite { throw ConfigurationError("the \(what) holds \(v), which is not a finite number") } }
    }

    static func padded(_ m: [[Double]], by p: Int) -> [[Double]] {
        let w = m[0].count
        let zeros = [Double](repeating: 0, count: w + 2 * p)
        let side = [Double](repeating: 0, count: p)
        return Array(repeating: zeros, count: p) + m.map { side + $0 + side } + Array(repeating: zeros, count: p)
    }

    static func run(_ layer: any Layer, on matrix: [[Double]]) throws -> [[Double]] {
        let x = try Tensor(shape: [1, 1, matrix.count, matrix[0].count], values: matrix.flatMap { $0.map(Float.init) })
        let y = try layer.forward(x)
        let oh = y.shape[2], ow = y.shape[3]
        return (0..<oh).map { r in (0..<ow).map { Double(y[0, 0, r, $0]) } }
    }
}

extension String {
    fileprivate var trimmingTrailingSpaces: String {
        var s = self
        while s.hasSuffix(" ") { s.removeLast() }
        return s
    }
}
