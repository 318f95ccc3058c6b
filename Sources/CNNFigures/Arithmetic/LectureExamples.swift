// The inputs and kernels of the lectures' worked examples (docs/figures/AB.md, A1-A5). Only the
// inputs live here; every output is computed by the engine when the walkthrough is made.
import CNNEngine

/// A worked example of the lectures: which input, kernel or pooling, padding and stride.
public enum LectureExample: String, CaseIterable, Sendable {
    case a1, a2, a2Padded = "a2-padded", a3, a4Vertical = "a4-vertical", a4Horizontal = "a4-horizontal"
    case a5Max = "a5-max", a5Average = "a5-avg", a5Quiz = "a5-quiz"

    /// The catalogue entry (`A1` ... `A5`).
    public var catalogueID: String { String(rawValue.prefix(2)).uppercased() }
    /// The example's figure file name: the catalogue id and what tells it apart ("A4-vertical"; "A1-sobel" for A1).
    public var fileStem: String {
        switch self {
        case .a1: return "A1-sobel"
        case .a3: return "A3-blur"
        default: return catalogueID + rawValue.dropFirst(2)
        }
    }

    static let sobelInput: [[Double]] = [
        [100, 100, 100, 100, 100, 100], [100, 100, 100, 100, 100, 100], [100, 0, 0, 100, 100, 100],
        [0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0],
    ]
    static let small: [[Double]] = [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    static let blurImage: [[Double]] = [
        [1, 2, 3, 4, 12, 9, 8], [5, 2, 3, 4, 12, 9, 8], [5, 2, 1, 4, 10, 9, 8], [7, 2, 1, 4, 12, 7, 8],
        [7, 2, 1, 4, 14, 9, 8], [5, 2, 3, 4, 12, 7, 8], [5, 2, 1, 4, 12, 9, 8],
    ]
    static let axes: [[Double]] = [[0, 1, 0, 1], [0, 1, 0, 1], [1, 1, 1, 1], [0, -2, 0, -2]]
    static let verticalLine: [[Double]] = Array(repeating: [-0.5, 1, -0.5], count: 3)
    static let axesNote = "CIS 522 exercise: one filter answers to vertical lines, its transpose to horizontal ones; "
        + "a 2×2 max pooling then keeps each filter's strongest response."
    static let quiz: [[Double]] = [[12, 20, 30, 0], [20, 12, 2, 0], [0, 70, 5, 2], [8, 2, 90, 3]]

    /// The example worked through the engine.
    public func walkthrough() throws -> ConvolutionWalkthrough {
        switch self {
        case .a1:
            return try ConvolutionWalkthrough(
                title: "A1. Sobel filter (horizontal edges), worked cell by cell", input: Self.sobelInput,
                operation: .convolution(kernel: [[1, 2, 1], [0, 0, 0], [-1, -2, -1]]),
                footnote: "CSC321 lecture 6. The slide prints 300 for the last output; the engine computes 400 (a typo on the slide).")
        case .a2:
            return try ConvolutionWalkthrough(
                title: "A2. A 3×3 input convolved with a 2×2 kernel", input: Self.small,
                operation: .convolution(kernel: [[0, 1], [2, 3]]), footnote: "CNN overview lecture.")
        case .a2Padded:
            return try ConvolutionWalkthrough(
                title: "A2. The same convolution with zero padding 1", input: Self.small,
                operation: .convolution(kernel: [[0, 1], [2, 3]]), padding: 1,
                footnote: "CNN overview lecture. Grey cells are the zero padding.")
        case .a3:
            return try ConvolutionWalkthrough(
                title: "A3. Blurring a zero-padded 7×7 image", input: Self.blurImage,
                operation: .convolution(kernel: [[1, 2, 1], [2, 4, 2], [1, 2, 1]]), padding: 1,
                footnote: "ML in Python lecture. Grey cells are the zero padding. The slide's first row reads 20 21 36; "
                    + "the engine computes 20 28 36 (21 is a typo).")
        case .a4Vertical:
            return try ConvolutionWalkthrough(
                title: "A4. The \"Cartesian axes\" exercise: vertical-line filter", input: Self.axes,
                operation: .convolution(kernel: Self.verticalLine),
                footnote: Self.axesNote, poolOutputAfterwards: true)
        case .a4Horizontal:
            let horizontal = (0..<3).map { r in (0..<3).map { Self.verticalLine[$0][r] } }
            return try ConvolutionWalkthrough(
                title: "A4. The \"Cartesian axes\" exercise: horizontal-line filter", input: Self.axes,
                operation: .convolution(kernel: horizontal),
                footnote: Self.axesNote, poolOutputAfterwards: true)
        case .a5Max:
            return try ConvolutionWalkthrough(title: "A5. 2×2 max pooling, stride 1", input: Self.small,
                                              operation: .maxPool(size: 2), stride: 1)
        case .a5Average:
            return try ConvolutionWalkthrough(title: "A5. 2×2 average pooling, stride 1", input: Self.small,
                                              operation: .averagePool(size: 2), stride: 1)
        case .a5Quiz:
            return try ConvolutionWalkthrough(title: "A5. Quiz: 2×2 average pooling, stride 2", input: Self.quiz,
                                              operation: .averagePool(size: 2), stride: 2, opensWithQuestion: true)
        }
    }
}

/// Reading matrices typed on a command line (`"1,2,3;4,5,6"`) or kept in a text file (rows of numbers).
public enum NumberMatrix {
    /// Parses rows separated by `;` or new lines, numbers by commas, spaces or tabs.
    /// - Parameter what: How to name the matrix in an error (`--input`, `in.txt`).
    /// - Throws: `ConfigurationError` naming `what` for a word that is not a number, an empty
    ///   matrix, or rows of different lengths.
    public static func parse(_ text: String, what: String) throws -> [[Double]] {
        var rows: [[Double]] = []
        for (index, line) in text.split(whereSeparator: { $0 == ";" || $0 == "\n" }).enumerated() {
            let body = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let words = body.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" || $0 == "\r" })
            if words.isEmpty { continue }
            rows.append(try words.map { word in
                guard let v = Double(word.replacingOccurrences(of: "\u{2212}", with: "-")), v.isFinite else {
                    throw ConfigurationError("\(what): \"\(word)\" in row \(index + 1) is not a number")
                }
                return v
            })
        }
        guard let first = rows.first else { throw ConfigurationError("\(what): no numbers found") }
        if let bad = rows.firstIndex(where: { $0.count != first.count }) {
            throw ConfigurationError("\(what): row \(bad + 1) has \(rows[bad].count) numbers, row 1 has \(first.count); rows must be equally long")
        }
        return rows
    }
}
