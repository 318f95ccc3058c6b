import ArgumentParser
import CNNFigures

/// `cnnviz kernels`: B1, classic kernels on photographs.
struct KernelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernels",
        abstract: "B1: photographs beside their convolutions with Sobel, edge, sharpen and blur kernels (the engine's Conv2D).",
        discussion: """
            Colour images are converted to grey (BT.601 luma) first.
            Example: cnnviz kernels datasets/images/camera.png datasets/images/chelsea.png --out figures/B1-kernels.pdf
            """)

    @Argument(help: "PNG images (default: datasets/images/camera.png and chelsea.png).")
    var images: [String] = []

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if images.count > 6 { throw ValidationError("give at most 6 images, got \(images.count)") }
    }

    func run() throws {
        let paths = images.isEmpty ? ["datasets/images/camera.png", "datasets/images/chelsea.png"] : images
        try output.write(try ClassicKernelsFigure(imagePaths: paths), defaultName: "B1-kernels")
    }
}
