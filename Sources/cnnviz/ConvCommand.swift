import ArgumentParser
import CNNFigures
import Foundation

/// `cnnviz conv`: A1-A5, a convolution or pooling worked cell by cell.
struct ConvCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conv",
        abstract: "A1-A5: a convolution or pooling worked cell by cell (one frame per output cell, then a summary; the A5 quiz asks its question first).",
        discussion: """
            The outputs are computed by the engine's Conv2D, MaxPool2D or AvgPool2D. A PDF gets one page per \
            frame; PNG and SVG get numbered files (name-01.png, ...).
            Examples:
              cnnviz conv --example a1 --out figures/A1-sobel.pdf
              cnnviz conv --input "1,2,3;4,5,6;7,8,9" --kernel "0,1;2,3" --padding 1
              cnnviz conv --input-file in.txt --pool max --size 2 --stride 2
            """)

    @Option(help: "A lecture example: \(LectureExample.allCases.map(\.rawValue).joined(separator: ", ")).")
    var example: String?

    @Option(help: "The input matrix: rows separated by ';', numbers by ',' (\"1,2,3;4,5,6;7,8,9\").")
    var input: String?

    @Option(help: "A text file holding the input matrix: one row of numbers per line.")
    var inputFile: String?

    @Option(help: "The kernel matrix, like --input (\"0,1;2,3\").")
    var kernel: String?

    @Option(help: "A text file holding the kernel matrix.")
    var kernelFile: String?

    @Option(help: "Pooling instead of a kernel: max or avg.")
    var pool: String?

    @Option(parsing: .unconditional, help: "The pooling window's size (with --pool).")
    var size: Int = 2

    @Option(parsing: .unconditional, help: "Zero padding on every side.")
    var padding: Int = 0

    @Option(parsing: .unconditional, help: "Stride (for --pool, default: the window size).")
    var stride: Int?

    @Option(parsing: .unconditional, help: "Write only this frame (1-based; the last is the summary).")
    var frame: Int?

    @OptionGroup var output: OutputOptions

    func validate() throws {
        let custom = input != nil || inputFile != nil
        if let example {
            guard LectureExample(rawValue: example.lowercased()) != nil else {
                throw ValidationError("--example must be one of \(LectureExample.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(example)\"")
            }
            if custom || kernel != nil || kernelFile != nil || pool != nil {
                throw ValidationError("--example cannot be combined with --input, --input-file, --kernel, --kernel-file or --pool")
            }
            return
        }
        if !custom { throw ValidationError("give --example, or an input with --input or --input-file") }
        if input != nil && inputFile != nil { throw ValidationError("give --input or --input-file, not both") }
        if kernel != nil && kernelFile != nil { throw ValidationError("give --kernel or --kernel-file, not both") }
        let hasKernel = kernel != nil || kernelFile != nil
        if let pool {
            guard ["max", "avg"].contains(pool.lowercased()) else { throw ValidationError("--pool must be max or avg, got \"\(pool)\"") }
            if hasKernel { throw ValidationError("--pool cannot be combined with --kernel or --kernel-file") }
            if size < 1 { throw ValidationError("--size must be at least 1, got \(size)") }
        } else if !hasKernel {
            throw ValidationError("give a kernel with --kernel or --kernel-file, or --pool max|avg")
        }
        if padding < 0 { throw ValidationError("--padding must be 0 or more, got \(padding)") }
        if let stride, stride < 1 { throw ValidationError("--stride must be at least 1, got \(stride)") }
        if let frame, frame < 1 { throw ValidationError("--frame must be at least 1, got \(frame)") }
    }

    func run() throws {
        let walkthrough: ConvolutionWalkthrough
        let name: String
        if let example, let chosen = LectureExample(rawValue: example.lowercased()) {
            walkthrough = try chosen.walkthrough()
            name = "\(chosen.catalogueID)-conv-\(chosen.rawValue)"
        } else {
            let matrix = try Self.matrix(text: input, file: inputFile, option: "--input")
            if let pool {
                let isMax = pool.lowercased() == "max"
                walkthrough = try ConvolutionWalkthrough(
                    title: "A5. \(size)×\(size) \(isMax ? "max" : "average") pooling", input: matrix,
                    operation: isMax ? .maxPool(size: size) : .averagePool(size: size), padding: padding, stride: stride ?? size)
                name = "A5-pool"
            } else {
                let kernelMatrix = try Self.matrix(text: kernel, file: kernelFile, option: "--kernel")
                walkthrough = try ConvolutionWalkthrough(
                    title: "A1. Convolution worked cell by cell", input: matrix,
                    operation: .convolution(kernel: kernelMatrix), padding: padding, stride: stride ?? 1)
                name = "A1-conv"
            }
        }
        if let frame, frame > walkthrough.frameCount {
            throw CommandFailure("--frame \(frame) is past the last frame, \(walkthrough.frameCount)")
        }
        try output.write(walkthrough, defaultName: name, frames: frame.map { ($0 - 1)..<$0 })
    }

    /// The matrix typed after `option`, or read from `file`.
    static func matrix(text: String?, file: String?, option: String) throws -> [[Double]] {
        if let text { return try NumberMatrix.parse(text, what: option) }
        guard let file else { throw ValidationError("give \(option)") }
        guard let contents = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw CommandFailure("\(option)-file: cannot read \"\(file)\" (missing, unreadable or not UTF-8 text)")
        }
        return try NumberMatrix.parse(contents, what: file)
    }
}

/// A failure found while running, reported as one sentence without the usage line.
fileprivate struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
