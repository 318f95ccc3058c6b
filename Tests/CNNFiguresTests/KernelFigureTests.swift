// B1-B2: the numbers the kernel figures are drawn from, and the files they write.
import CNNData
import CNNEngine
import CNNFigures
import CNNModels
import CNNPlot
import CNNStore
import Foundation
import Testing
import _TestSupport

@Suite("Kernel figures (B1-B2)")
struct KernelFigureTests {
    /// An 8x8 grey image, dark on the left half and bright on the right: one vertical edge.
    func stepImage() -> PNGImage {
        PNGImage(width: 8, height: 8, grey: (0..<64).map { $0 % 8 < 4 ? 0 : 255 })
    }

    @Test("B1 kernels run through the engine: Sobel finds the vertical edge, blur and sharpen keep flat regions")
    func classicKernelsOnAStep() throws {
        let figure = try ClassicKernelsFigure(images: [(name: "step", image: stepImage())])
        #expect(figure.kernels.map(\.name) == ["Sobel, horizontal", "Sobel, vertical", "Edge detector", "Sharpen", "Gaussian blur"])
        let row = figure.rows[0]
        #expect(row.outputs.count == 5 && row.outputs.allSatisfy { $0.count == 64 })
        func at(_ k: Int, _ y: Int, _ x: Int) -> Float { row.outputs[k][y * 8 + x] }
        // Sobel vertical edges (cross-correlation, no flip): [1 0 -1] rows give 0·1 - 1·(1+2+1) = -4 at the edge.
        #expect(at(1, 4, 3) == -4 && at(1, 4, 4) == -4)
        #expect(at(1, 4, 1) == 0 && at(0, 4, 3) == 0)  // no horizontal edge inside the image
        #expect(at(4, 4, 6) == 1 && at(4, 4, 1) == 0)  // blur keeps flat regions
        #expect(abs(at(4, 4, 3) - 0.25) < 1e-6)        // and averages across the edge: (1 + 2 + 1) / 16
        #expect(at(3, 4, 6) == 1 && at(2, 4, 6) == 0)  // sharpen keeps them, the edge detector zeroes them
        #expect(at(2, 4, 4) == 3 && at(2, 4, 3) == -3)
        let shown = figure.displayed(row: 0, kernel: 1)
        #expect(shown.values[4 * 8 + 3] == 4 && shown.range == ValueRange(0, 4))
        #expect(figure.displayed(row: 0, kernel: 2).values[4 * 8 + 3] == 3)  // the edge detector as |y|
        #expect(figure.displayed(row: 0, kernel: 3).values.allSatisfy { $0 >= 0 && $0 <= 1 })  // sharpen clipped to 0...1
        let patch = figure.insetPatch(row: 0, side: 4)
        #expect(patch.side == 4 && (Double(patch.x + 4) <= 0.55 * 8 || Double(patch.y + 4) <= 0.55 * 8))  // clear of the inset corner
    }

    @Test("B1 grey conversion: BT.601 luma for colour, the bytes themselves for grey images")
    func greyConversion() {
        let colour = PNGImage(width: 2, height: 1, rgb: [255, 0, 0, 255, 0, 0])
        let grey = ClassicKernelsFigure.grey(colour)
        #expect(abs(grey[0] - 0.299) < 1e-6 && abs(grey[1] - 0.587) < 1e-6)
        #expect(ClassicKernelsFigure.grey(PNGImage(width: 1, height: 1, grey: [51])) == [0.2])
    }

    @Test("B1 on the lecture's photographs: camera stays 512x512, chelsea 451x300; a PNG of the requested size")
    func photographs() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let figure = try ClassicKernelsFigure(imagePaths: ["camera", "chelsea"].map { root.appendingPathComponent("datasets/images/\($0).png").path })
        #expect(figure.rows.map { [$0.width, $0.height] } == [[512, 512], [451, 300]])
        let path = try temporaryFolder("KernelFigureTests").appendingPathComponent("b1.png").path
        try figure.write(to: path, size: Size(width: 720, height: 360), dpi: 100)
        #expect(pngSize(atPath: path) == PixelSize(1000, 500))
        #expect(throws: DataError.self) { try ClassicKernelsFigure(imagePaths: [root.appendingPathComponent("no-such.png").path]) }
    }

    @Test("B2 Gabor bank: orientations x wavelengths, peak 1 at the centre, 90 degrees is the transpose of 0")
    func gaborBank() throws {
        let bank = try GaborBank(size: 25, orientationCount: 8, wavelengths: [4, 6, 9])
        #expect(bank.filters.count == 24 && bank.filters.allSatisfy { $0.count == 625 })
        #expect(bank.filters[0][12 * 25 + 12] == 1)
        let zero = bank.filters[0], ninety = bank.filters[4]
        for y in 0..<25 { for x in 0..<25 { #expect(abs(zero[y * 25 + x] - ninety[x * 25 + y]) < 1e-6) } }
        #expect(throws: ConfigurationError.self) { try GaborBank(size: 8) }
        #expect(throws: ConfigurationError.self) { try GaborBank(wavelengths: [0]) }
    }

    @Test("B2 learned filters come from a model file: LeNet-5's C1 holds 6 filters of 1x5x5, beside the bank")
    func learnedFilters() throws {
        let dir = try temporaryFolder("KernelFigureTests")
        let spec = try ModelZoo.entry(named: "lenet5").spec()
        let network = try spec.build()
        network.initialize(seed: 3)
        let file = dir.appendingPathComponent("model.h5")
        try ModelFile.write(ModelFileContents(
            model: spec.name, architectureJSON: String(decoding: try JSONEncoder().encode(spec), as: UTF8.self),
            inputShape: spec.inputShape, classes: spec.classes,
            weights: network.namedParameters.map { ($0.path, $0.parameter.value) },
            history: ["epoch": [1, 2], "test_error": [0.05, 0.012]]), to: file)
        let learned = try FirstLayerFilters(modelFile: file.path)
        #expect(learned.layer == "C1" && learned.filters.count == 6)
        #expect(learned.channels == 1 && learned.height == 5 && learned.width == 5)
        let c1 = try #require(network.layer(named: "C1") as? Conv2D)
        #expect(learned.filters.flatMap { $0 } == c1.weight.value.values)
        #expect(learned.testError == 0.012)

        let figure = GaborFigure(bank: try GaborBank(), learned: [learned])
        #expect(figure.caption.contains("LeNet-5 (ReLU, max-pool), layer C1: 6 filters 1×5×5") && figure.caption.contains("test error 1.20%"))
        let png = dir.appendingPathComponent("b2.png").path
        try figure.write(to: png, size: Size(width: 600, height: 250), dpi: 72)
        #expect(pngSize(atPath: png) == PixelSize(600, 250))
        let pdf = dir.appendingPathComponent("b2.pdf").path
        try GaborFigure(bank: try GaborBank()).write(to: pdf)
        #expect(try Data(contentsOf: URL(fileURLWithPath: pdf)).starts(with: Array("%PDF".utf8)))
    }

    @Test("B2 a model without convolutions gives an error naming the file")
    func modelWithoutConvolution() throws {
        let dir = try temporaryFolder("KernelFigureTests")
        let spec = try ModelZoo.entry(named: "logreg").spec()
        let network = try spec.build()
        let file = dir.appendingPathComponent("logreg.h5")
        try ModelFile.write(ModelFileContents(
            model: spec.name, architectureJSON: String(decoding: try JSONEncoder().encode(spec), as: UTF8.self),
            inputShape: spec.inputShape, classes: spec.classes,
            weights: network.namedParameters.map { ($0.path, $0.parameter.value) }), to: file)
        #expect(throws: ConfigurationError("\(file.path): model logreg has no convolution layer, so it has no filters to show")) {
            try FirstLayerFilters(modelFile: file.path)
        }
    }
}
