// C2 and B2 on a user's colour model (CIFAR-10-like): a small synthetic colour data set of 8x8 PNG class
// folders written here, a 3-channel v1net trained a few steps on it and saved as `cnnbench train` saves,
// then the filters drawn in RGB with mid-grey at zero, the title and caption saying what was trained on what.
import CNNData
import CNNEngine
import CNNFigures
import CNNModels
import CNNPlot
import CNNStore
import Foundation
import Testing
import _TestSupport

@Suite("C2 and B2 in RGB on a colour model")
struct ColourFilterTests {
    /// DIR/train/<class>/*.png and DIR/test/<class>/*.png: red horizontal, green vertical and blue diagonal stripes on noise.
    func colourFolder() throws -> URL {
        let root = try temporaryFolder("ColourFilterTests").appendingPathComponent("stripes")
        var generator = SeededGenerator(seed: 11)
        for (split, count) in [("train", 12), ("test", 3)] {
            for (c, name) in ["red", "green", "blue"].enumerated() {
                let folder = root.appendingPathComponent(split).appendingPathComponent(name)
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                for i in 0..<count {
                    var rgb: [UInt8] = []
                    for y in 0..<8 {
                        for x in 0..<8 {
                            let on = [y % 3 == 0, x % 3 == 0, (x + y) % 3 == 0][c]
                            for ch in 0..<3 { rgb.append(UInt8(generator.nextInt(below: 60) + (on && ch == c ? 180 : 20))) }
                        }
                    }
                    try PNGImage(width: 8, height: 8, rgb: rgb).write(to: folder.appendingPathComponent("\(i).png").path)
                }
            }
        }
        return root
    }

    /// Trains v1net for `steps` SGD steps on the folder's training images and saves it with the data set's record.
    func trainedModel(on folder: URL, steps: Int) throws -> (file: String, trainName: String) {
        let (train, _) = try Dataset.imageFolder(directory: folder.path)
        let normalization = Normalization(statisticsOf: train)
        let spec = try ModelZoo.spec("v1net", classes: train.classNames.count, input: train.imageShape)
        let network = try spec.build()
        network.initialize(seed: 2)
        let x = Tensor(shape: [train.count] + train.imageShape)
        let scale = try normalization.scale(channels: 3), offset = try normalization.offset(channels: 3)
        let plane = 64
        for i in 0..<train.count {
            for (k, byte) in train.image(at: i).enumerated() { x.pointer[i * 192 + k] = Float(byte) * scale[k / plane] + offset[k / plane] }
        }
        let loss = try SoftmaxCrossEntropy()
        let optimizer = try SGD(parameters: network.namedParameters.map(\.parameter), learningRate: 0.05, momentum: 0.9)
        var losses: [Float] = []
        for _ in 0..<steps {
            network.zeroGradients()
            losses.append(try loss.loss(logits: try network.forward(x), targets: train.labels))
            _ = try network.backward(loss.gradient)
            optimizer.step()
        }
        #expect(losses.last! < losses.first!)
        let file = folder.appendingPathComponent("model.h5")
        try ModelFile.write(ModelFileContents(
            model: spec.name, architectureJSON: String(decoding: try JSONEncoder().encode(spec), as: UTF8.self),
            inputShape: spec.inputShape, classes: spec.classes,
            weights: network.namedParameters.map { ($0.path, $0.parameter.value.copy()) },
            history: ["epoch": [1], "test_error": [0.25]],
            dataset: DatasetRecord(name: train.name, classNames: train.classNames,
                                   normalizationMean: normalization.mean.map(Double.init),
                                   normalizationStd: normalization.standardDeviation.map(Double.init))), to: file)
        return (file.path, train.name)
    }

    @Test("C2 draws a trained 3-channel first layer in RGB, each filter scaled symmetrically (mid-grey = 0), and says what it was trained on")
    func rgbPath() throws {
        let folder = try colourFolder()
        let (file, trainName) = try trainedModel(on: folder, steps: 5)
        #expect(trainName == "stripes train")
        let convolutions = try ModelConvolutions.read(file)
        let c1 = try convolutions.layer(nil, file: file)
        #expect(c1.layer == "C1" && c1.inChannels == 3)
        let grid = try FilterGrid(model: convolutions.model, weights: c1, isFirstLayer: true, provenance: convolutions.provenance)
        #expect(grid.mode == .rgb && grid.cells.count == c1.outChannels)
        for (o, cell) in grid.cells.enumerated() {
            let filter = c1.filter(o), m = Double(filter.map(abs).max()!)
            #expect(cell.channels == 3 && cell.values == filter)
            // Zero maps to the middle of the range: mid-grey.
            #expect(cell.range == ValueRange(-m, m))
        }
        #expect(grid.title == "C2. Learned first-layer filters of v1net on stripes")
        #expect(convolutions.provenance == "trained on stripes train, 1 epoch, test error 25.00%")
        // The figure says it (under the grid, wrapped, never shrunk); the caption points to it rather than repeat it.
        let texts = try grid.drawnTexts().map { $0.replacingOccurrences(of: "\n", with: " ") }
        #expect(texts.contains("The model: trained on stripes train, 1 epoch, test error 25.00%."), "\(texts)")
        #expect(grid.caption.hasSuffix("The line under the grid says what the model is and what it learned from."))
        let png = folder.appendingPathComponent("c2.png").path
        try grid.write(to: png, size: Size(width: 800, height: 500), dpi: 72)
        #expect(pngSize(atPath: png) == PixelSize(800, 500))

        // B2 puts the same filters, in colour, beside the Gabor bank.
        let learned = try FirstLayerFilters(modelFile: file)
        #expect(learned.drawn.channels == 3 && learned.filters.count == c1.outChannels)
        let b2 = GaborFigure(bank: try GaborBank(), learned: [learned])
        #expect(b2.caption.contains("v1net, layer C1: \(c1.outChannels) filters 3×\(c1.kernelHeight)×\(c1.kernelWidth), trained on stripes train"))
        let b2png = folder.appendingPathComponent("b2.png").path
        try b2.write(to: b2png, size: Size(width: 900, height: 400), dpi: 72)
        #expect(pngSize(atPath: b2png) == PixelSize(900, 400))
    }
}
