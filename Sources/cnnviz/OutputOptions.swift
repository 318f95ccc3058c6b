import ArgumentParser
import CNNData
import CNNFigures
import CNNPlot

/// `--out`, `--dpi`, `--width`, `--height`: where and how large a figure is written.
struct OutputOptions: ParsableArguments {
    @Option(name: [.short, .long], help: "Output file: .png, .pdf or .svg (default: the figure's name as PNG in figures/).")
    var out: String?

    @Option(parsing: .unconditional, help: "Pixels per inch for PNG output.")
    var dpi: Double = 150

    @Option(parsing: .unconditional, help: "Width in points (1/72 inch; default: the figure's own).")
    var width: Double?

    @Option(parsing: .unconditional, help: "Height in points (default: the figure's own).")
    var height: Double?

    func validate() throws {
        if dpi < 10 || dpi > 1200 { throw ValidationError("--dpi must be between 10 and 1200, got \(dpi)") }
        if let width, width < 72 { throw ValidationError("--width must be at least 72 points (1 inch), got \(width)") }
        if let height, height < 72 { throw ValidationError("--height must be at least 72 points (1 inch), got \(height)") }
        if let out {
            let ext = out.split(separator: ".").last.map { $0.lowercased() } ?? ""
            guard ["png", "pdf", "svg"].contains(ext) else {
                throw ValidationError("--out must end in .png, .pdf or .svg, got \"\(out)\"")
            }
        }
    }

    /// Writes `figure` where asked (only `frames`, when given) and prints the paths written.
    func write(_ figure: some Figure, defaultName: String, frames: Range<Int>? = nil) throws {
        let path = out ?? "figures/\(defaultName).png"
        do { try checkNotAnInput(path, option: "--out", arguments: CommandLine.arguments, explicit: out != nil) } catch {
            throw ValidationError("\(error)")
        }
        let size = Size(width: width ?? figure.preferredSize.width, height: height ?? figure.preferredSize.height)
        try FileManagerShim.createParent(of: path)
        for written in try figure.write(to: path, size: size, dpi: dpi, frames: frames) { print(written) }
    }
}
