import ArgumentParser
import CNNFigures

/// `cnnviz shapes`: A6, output-shape arithmetic diagrams.
struct ShapesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shapes",
        abstract: "A6: output size from input, kernel, padding, stride and dilation, drawn after Dumoulin and Visin.",
        discussion: """
            With no options, the lecture's three cases (7x7/3x3/stride 2, 5x5/3x3/padding 1, 7x7/3x3/dilation 2). \
            With --input, one case from the options. Output sizes come from the engine's Conv2D.outputShape.
            Example: cnnviz shapes --input 6 --kernel 3 --stride 2 --padding 1
            """)

    @Option(parsing: .unconditional, help: "Input size n (a square n x n input); gives one case from the options below.")
    var input: Int?

    @Option(parsing: .unconditional, help: "Kernel size k (with --input).")
    var kernel: Int = 3

    @Option(parsing: .unconditional, help: "Stride s (with --input).")
    var stride: Int = 1

    @Option(parsing: .unconditional, help: "Zero padding on each side (with --input).")
    var padding: Int = 0

    @Option(parsing: .unconditional, help: "Dilation d (with --input).")
    var dilation: Int = 1

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard let input else { return }
        if input < 1 || input > 64 { throw ValidationError("--input must be between 1 and 64, got \(input)") }
        if kernel < 1 { throw ValidationError("--kernel must be at least 1, got \(kernel)") }
        if stride < 1 { throw ValidationError("--stride must be at least 1, got \(stride)") }
        if padding < 0 { throw ValidationError("--padding must be 0 or more, got \(padding)") }
        if dilation < 1 { throw ValidationError("--dilation must be at least 1, got \(dilation)") }
        let effective = dilation * (kernel - 1) + 1
        if effective > input + 2 * padding {
            throw ValidationError("the kernel's footprint, \(effective) (kernel \(kernel), dilation \(dilation)), is larger than the padded input, \(input + 2 * padding)")
        }
    }

    func run() throws {
        let cases = try input.map { [try ShapeCase(inputSize: $0, kernelSize: kernel, stride: stride, padding: padding, dilation: dilation)] }
            ?? ShapeCase.lectureCases()
        try output.write(OutputShapeDiagram(cases: cases), defaultName: "A6-shapes")
    }
}
