import ArgumentParser
import CNNFigures
import CNNRuns

/// `cnnviz kernels`: B1, classic kernels on photographs.
struct KernelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernels",
        abstract: "B1: photographs beside their convolutions with Sobel, edge, sharpen and blur kernels (the engine's Conv2D).",
        discussion: """
            Colour images are converted to grey (BT.601 luma) first.
            Without images, the two photographs that ship with the toolkit (found from any folder inside it).
            Examples: cnnviz kernels --out figures/B1-kernels.pdf
                      cnnviz kernels my-photo.png --out figures/B1-mine.png
            """)

    @Argument(help: "PNG images (default: datasets/images/camera.png and chelsea.png).")
    var images: [String] = []

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if images.count > 6 { throw ValidationError("give at most 6 images, got \(images.count)") }
    }

    func run() throws {
        let paths = images.isEmpty ? ClassicKernelsFigure.shippedImages.map(ShippedFiles.locate) : images
        try output.write(try ClassicKernelsFigure(imagePaths: paths), defaultName: "B1-kernels")
    }
}
