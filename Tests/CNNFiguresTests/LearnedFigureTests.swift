// C1-C5, "what networks learn": the numbers each figure is drawn from, checked against the stored
// weights and the engine, on tiny models made here (seeded, never trained), and the files written.
import CNNData
import CNNEngine
import CNNFigures
import CNNModels
import CNNPlot
import CNNRuns
import CNNStore
import Foundation
import Testing
import _TestSupport

/// A zoo model initialised from `seed` and saved as a model file, as `cnnbench train` would save it.
func savedModel(_ name: String, seed: UInt64 = 3, in directory: URL) throws -> String {
    let spec = try ModelZoo.spec(name)
    let network = try spec.build()
    network.initialize(seed: seed)
    let contents = ModelFileContents(
        model: name, architectureJSON: String(decoding: try JSONEncoder().encode(spec), as: UTF8.self),
        inputShape: spec.inputShape, classes: spec.classes,
        weights: network.namedParameters.map { ($0.path, $0.parameter.value.copy()) },
        dataset: DatasetRecord(name: "MNIST train", classNames: (0...9).map(String.init),
                               normalizationMean: [0.1307], normalizationStd: [0.3081]))
    let url = directory.appendingPathComponent("\(name).h5")
    try ModelFile.write(contents, to: url)
    return url.path
}

/// A stroke-like test digit: a bright bar and a diagonal on black, away from the borders.
private func digit(height: Int = 28, width: Int = 28) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: height * width)
    for x in 7..<21 { bytes[7 * width + x] = 255; bytes[8 * width + x] = 200 }
    for y in 9..<22 { bytes[y * width + 20 - (y - 9) / 2] = 230 }
    return bytes
}

/// `count` seeded random digits-like images with labels, as a data set.
func randomDataset(count: Int, seed: UInt64) throws -> Dataset {
    var generator = SeededGenerator(seed: seed)
    var bytes: [UInt8] = []
    for _ in 0..<count * 784 { bytes.append(generator.nextUniform() < 0.8 ? 0 : UInt8(generator.nextInt(below: 256))) }
    return try Dataset(name: "random test", images: bytes, labels: (0..<count).map { Int32($0 % 10) }, channels: 1,
                       height: 28, width: 28, classNames: (0...9).map(String.init))
}

func pngPixels(_ path: String) throws -> (width: Int, height: Int) {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    #expect(data.count > 24 && data.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
    func word(_ at: Int) -> Int { data[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
    return (word(16), word(20))
}

@Suite("C figures: what networks learn")
struct LearnedFigureTests {
    @Test("C2: LeNet's C1 grid has 6 cells of 5x5 whose values are the stored weights")
    func lenetFirstLayerGrid() throws {
        let dir = try temporaryFolder("LearnedFigureTests")
        let path = try savedModel("lenet5", in: dir)
        let convolutions = try ModelConvolutions.read(path)
        #expect(convolutions.layers.map(\.layer) == ["C1", "C3"])
        #expect(convolutions.model == "LeNet-5 (ReLU, max-pool) on MNIST")
        let c1 = try convolutions.layer(nil, file: path)
        #expect(c1.shape == [6, 1, 5, 5])
        let stored = try ModelFile.read(from: URL(fileURLWithPath: path)).weights.first { $0.path == "C1/weight" }!.tensor.values
        #expect(c1.values == stored)

        let common = try FilterGrid(model: convolutions.model, weights: c1, commonScale: true)
        #expect(common.mode == .single)
        #expect(common.cells.count == 6)
        #expect(common.cells.allSatisfy { $0.values.count == 25 })
        for o in 0..<6 { #expect(common.cells[o].values == Array(stored[o * 25..<(o + 1) * 25])) }
        #expect(common.cells[0].range == ValueRange.symmetricCommon((0..<6).map { Array(stored[$0 * 25..<($0 + 1) * 25]) }))

        // Each filter normalised by its own largest |weight|: the same weights divided by one number, zero kept at zero.
        let own = try FilterGrid(model: convolutions.model, weights: c1)
        for o in 0..<6 {
            let filter = Array(stored[o * 25..<(o + 1) * 25]), m = filter.map(abs).max()!
            #expect(own.cells[o].range == ValueRange(-1, 1))
            #expect(zip(own.cells[o].values, filter).allSatisfy { abs($0 * m - $1) <= 1e-6 })
            #expect(own.cells[o].values.map(abs).max() == 1)
        }
        #expect(own.title.contains("C1 (6×1×5×5)") && own.title.contains("LeNet-5 (ReLU, max-pool) on MNIST"))
    }

    @Test("C2: deeper layers as (filter, input-channel) slices or per-filter means")
    func deeperLayers() throws {
        let dir = try temporaryFolder("LearnedFigureTests")
        let path = try savedModel("lenet5", in: dir)
        let c3 = try ModelConvolutions.read(path).layer("C3", file: path)
        let slices = try FilterGrid(model: "lenet5", weights: c3, commonScale: true)
        #expect(slices.mode == .slices)
        #expect(slices.cells.count == 16 * 6 && slices.columns == 16)
        // Row i (input channel), column o (filter) holds slice (o, i).
        #expect(slices.cells[2 * 16 + 5].values == c3.slice(5, 2))
        let mean = try FilterGrid(model: "lenet5", weights: c3, mode: .mean, commonScale: true)
        #expect(mean.cells.count == 16)
        var expected = [Float](repeating: 0, count: 25)
        for i in 0..<6 {
            for k in 0..<25 { expected[k] += c3.values[(3 * 6 + i) * 25 + k] }
        }
        expected = expected.map { $0 / 6 }
        #expect(zip(mean.cells[3].values, expected).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(throws: LearnedFigureError.self) { try FilterGrid(model: "lenet5", weights: c3, mode: .rgb) }
    }

    @Test("C2: RGB filters for three input channels")
    func rgbFilters() throws {
        var generator = SeededGenerator(seed: 9)
        let values = (0..<(4 * 3 * 3 * 3)).map { _ in generator.nextUniform() - 0.5 }
        let weights = ConvolutionWeights(layer: "conv1", shape: [4, 3, 3, 3], values: values)
        let grid = try FilterGrid(model: "toy", weights: weights)
        #expect(grid.mode == .rgb && grid.colorBarRange == nil)
        #expect(grid.cells.count == 4 && grid.cells.allSatisfy { $0.channels == 3 && $0.values.count == 27 })
        #expect(grid.cells[1].values == weights.filter(1))
        #expect(grid.cells[1].range == ValueRange.symmetric(of: weights.filter(1)))
    }

    @Test("C2: a file that is not a model file gives one error naming it; an unknown layer lists the layers")
    func badFiles() throws {
        let dir = try temporaryFolder("LearnedFigureTests")
        let bogus = dir.appendingPathComponent("keras.h5").path
        try Data("not hdf5".utf8).write(to: URL(fileURLWithPath: bogus))
        let error = try #require(throws: LearnedFigureError.self) { try ModelConvolutions.read(bogus) }
        #expect(error.description.hasPrefix(bogus) && error.description.contains("neither a CNNBench model file"))
        let missing = dir.appendingPathComponent("missing.h5").path
        #expect(throws: LearnedFigureError("\(missing): no such file")) { try ModelConvolutions.read(missing) }
        let path = try savedModel("lenet5", in: dir)
        let unknown = try #require(throws: LearnedFigureError.self) { try ModelConvolutions.read(path).layer("conv9", file: path) }
        #expect(unknown.description.contains("\"conv9\"") && unknown.description.contains("C1, C3"))
    }

    @Test("C1: logreg's 10 templates are the rows of its weight matrix; an MLP shows its first hidden units")
    func templates() throws {
        let dir = try temporaryFolder("LearnedFigureTests")
        let model = try TrainedModel(contentsOf: try savedModel("logreg", in: dir))
        let figure = try TemplateWeights(model)
        #expect(figure.unitsAreClasses && figure.images.count == 10 && figure.captions == (0...9).map(String.init))
        let stored = model.contents.weights.first { $0.path == "fc/weight" }!.tensor
        #expect(stored.shape == [10, 784])
        #expect(figure.images[7] == Array(stored.values[7 * 784..<8 * 784]))
        let magnitudes = stored.values.map { Double(abs($0)) }.sorted()
        #expect(figure.range.lower == -figure.range.upper && figure.range.upper == magnitudes[Int((Double(magnitudes.count - 1) * 0.99).rounded())])
        #expect(figure.range.upper < magnitudes.last!)  // the strongest 1 % saturate

        let mlp = try TemplateWeights(try TrainedModel(contentsOf: try savedModel("mlp", in: dir)), count: 12)
        #expect(!mlp.unitsAreClasses && mlp.images.count == 12 && mlp.layerShape == [500, 784])
        let lenet = try TrainedModel(contentsOf: try savedModel("lenet5", in: dir))
        #expect(throws: LearnedFigureError.self) { try TemplateWeights(lenet) }
    }

    @Test("C3: one panel group per conv/pool layer, with LeNet's shapes, from the engine's forward pass")
    func featureMapsOfLeNet() throws {
        let dir = try temporaryFolder("LearnedFigureTests")
        let model = try TrainedModel(contentsOf: try savedModel("lenet5", in: dir))
        let input = InputImage(bytes: digit(), channels: 1, height: 28, width: 28, source: "test digit")
        let figure = try FeatureMapsFigure(model, input: input)
        #expect(figure.layers.map(\.label) == ["C1 6@28×28", "S2 6@14×14", "C3 16@10×10", "S4 16@5×5"])
        #expect(figure.layers.map(\.foldedLayers) == [["relu1"], [], ["relu3"], []])
        #expect(abs(figure.inputStack.values[7 * 28 + 10] - (1 - 0.1307) / 0.3081) < 1e-5)
        #expect(abs(figure.inputStack.values[0] - -0.1307 / 0.3081) < 1e-5)
        // The maps are after ReLU, and S2 is the 2x2 maximum of C1's maps.
        let c1 = figure.layers[0], s2 = figure.layers[1]
        #expect(c1.values.allSatisfy { $0 >= 0 })
        for (c, y, x) in [(0, 3, 4), (5, 6, 9), (2, 13, 13)] {
            let window = [0, 1].flatMap { dy in [0, 1].map { dx in c1.values[(c * 28 + 2 * y + dy) * 28 + 2 * x + dx] } }
            #expect(s2.values[(c * 14 + y) * 14 + x] == window.max()!)
        }
        // C1 unit (0, 10, 12) by hand: bias + sum of weights times normalised pixels (padding 2 reads zeros).
        let w = model.contents.weights.first { $0.path == "C1/weight" }!.tensor.values
        let b = model.contents.weights.first { $0.path == "C1/bias" }!.tensor.values
        var sum = Double(b[0])
        for ky in 0..<5 {
            for kx in 0..<5 {
                let y = 10 + ky - 2, x = 12 + kx - 2
                sum += Double(w[ky * 5 + kx]) * Double(figure.inputStack.values[y * 28 + x])
            }
        }
        #expect(abs(Double(c1.values[10 * 28 + 12]) - max(sum, 0)) < 1e-4)
        #expect(figure.prediction != nil)
    }

    @Test("C2, C3 from ONNX: the exported model's filters, normalisation and feature maps are its model file's")
    func figuresFromAnExportedONNXFile() throws {
        let dir = try temporaryFolder("LearnedFigureTests")
        let h5 = try savedModel("lenet5", in: dir)
        let onnx = dir.appendingPathComponent("lenet5.onnx").path
        try ONNXFile.write(try ModelFile.read(from: URL(fileURLWithPath: h5)), to: URL(fileURLWithPath: onnx))

        let filters = try ModelConvolutions.read(onnx)
        #expect(filters.layers.map(\.layer) == ["C1", "C3"])
        #expect(try filters.layer("C3", file: onnx).values == ModelConvolutions.read(h5).layer("C3", file: h5).values)

        let fromONNX = try TrainedModel(contentsOf: onnx), fromH5 = try TrainedModel(contentsOf: h5)
        #expect(fromONNX.normalization == fromH5.normalization && fromONNX.classNames == fromH5.classNames)
        let input = InputImage(bytes: digit(), channels: 1, height: 28, width: 28, source: "test digit")
        let a = try FeatureMapsFigure(fromONNX, input: input), b = try FeatureMapsFigure(fromH5, input: input)
        #expect(a.layers.map(\.label) == b.layers.map(\.label))
        #expect(a.layers.map(\.values) == b.layers.map(\.values))
    }

    @Test("receptive fields: LeNet-5's C3 sees 14x14 pixels (5 + (2 - 1) x 1 + (5 - 1) x 2), starting in the padding")
    func receptiveFields() throws {
        let dir = try temporaryFolder("LearnedFigureTests")
        let model = try TrainedModel(contentsOf: try savedModel("lenet5", in: dir))
        let c1 = try ReceptiveField.of(layer: "C1", in: model)
        #expect(c1 == ReceptiveField(size: 5, jump: 1, start: Pair(-2, -2)))
        #expect(try ReceptiveField.of(layer: "S2", in: model) == ReceptiveField(size: 6, jump: 2, start: Pair(-2, -2)))
        let c3 = try ReceptiveField.of(layer: "C3", in: model)
        #expect(c3 == ReceptiveField(size: 14, jump: 2, start: Pair(-2, -2)))
        #expect(c3.window(y: 9, x: 3) == (rows: 16..<30, columns: 4..<18))
        #expect(try ReceptiveField.of(layer: "S4", in: model) == ReceptiveField(size: 16, jump: 4, start: Pair(-2, -2)))
        #expect(throws: LearnedFigureError.self) { try ReceptiveField.of(layer: "F6", in: model) }
    }

    @Test("C4: top patches are sorted by activation, are the channel's maximum, and are 14x14 crops for C3")
    func topActivations() throws {
        let dir = try temporaryFolder("LearnedFigureTests")
        let model = try TrainedModel(contentsOf: try savedModel("lenet5", in: dir))
        let data = try randomDataset(count: 24, seed: 5)
        let figure = try TopActivations(model, dataset: data, layers: ["C3"], channels: [0, 3], batchSize: 10)
        #expect(figure.channels.map(\.channel) == [0, 3] && figure.imagesSearched == 24)
        #expect(figure.fields["C3"]?.size == Pair(14, 14))
        for entry in figure.channels {
            #expect(entry.patches.count == 9)
            #expect(Set(entry.patches.map(\.imageIndex)).count == 9)
            #expect(zip(entry.patches, entry.patches.dropFirst()).allSatisfy { $0.activation >= $1.activation })
            #expect(entry.patches.allSatisfy { $0.rows.count == 14 && $0.columns.count == 14 && $0.pixels.count == 196 })
        }
        // The strongest patch's activation is that image's maximum of the channel, found again by a forward pass.
        let best = figure.channels[1].patches[0]
        let image = InputImage(bytes: Array(data.image(at: best.imageIndex)), channels: 1, height: 28, width: 28, source: "")
        let maps = try featureMaps(of: model, input: image.tensor(model.normalization)).stacks.first { $0.layer == "C3" }!
        let channel = maps.channel(3)
        #expect(channel.max() == best.activation)
        #expect(channel[best.unit.height * 10 + best.unit.width] == best.activation)
        // No other image beats the ninth patch.
        let ninth = figure.channels[1].patches[8].activation
        var beaten = 0
        for index in 0..<data.count where !figure.channels[1].patches.contains(where: { $0.imageIndex == index }) {
            let other = InputImage(bytes: Array(data.image(at: index)), channels: 1, height: 28, width: 28, source: "")
            let m = try featureMaps(of: model, input: other.tensor(model.normalization)).stacks.first { $0.layer == "C3" }!
            if m.channel(3).max()! > ninth { beaten += 1 }
        }
        #expect(beaten == 0)
        // The crop holds the image's pixels, NaN where the field reaches into the padding.
        let p = best
        for (y, x) in [(0, 0), (13, 13), (6, 7)] {
            let iy = p.rows.lowerBound + y, ix = p.columns.lowerBound + x
            let value = p.pixels[y * 14 + x]
            if iy < 0 || iy >= 28 || ix < 0 || ix >= 28 { #expect(value.isNaN) } else {
                #expect(value == Float(data.image(at: p.imageIndex)[data.image(at: p.imageIndex).startIndex + iy * 28 + ix]) / 255)
            }
        }
        #expect(throws: LearnedFigureError.self) { try TopActivations(model, dataset: data, layers: ["C3"], channels: [16]) }
        // The caption names exactly the channels drawn; by default every one of LeNet-5's 6 and 16.
        #expect(figure.caption.hasPrefix("For channels 0, 3 of C3's 16 of"))
        let all = try TopActivations(model, dataset: data, batchSize: 12)
        #expect(all.channels.count == 6 + 16 && all.caption.hasPrefix("For all 6 channels of C1 and all 16 channels of C3 of"))
        #expect(all.deadChannels.isEmpty == !all.caption.contains("Never active"))
    }

    @Test("C5: for an integer shift the maps shift with the input; the difference away from the borders is ~0")
    func equivariance() throws {
        let dir = try temporaryFolder("LearnedFigureTests")
        let model = try TrainedModel(contentsOf: try savedModel("lenet5", in: dir))
        let input = InputImage(bytes: digit(), channels: 1, height: 28, width: 28, source: "test digit")
        let figure = try EquivarianceFigure(model, input: input, dx: 3, dy: 2)
        #expect(figure.layer == "C1" && figure.mapShift == Pair(2, 3))
        // C1 units see rows y-2...y+2: inside the image and the moved pixels (rows 2..<28, columns 3..<28).
        #expect(figure.interiorRows == 4..<26 && figure.interiorColumns == 5..<26)
        #expect(figure.maximumActivation > 0.1)
        #expect(figure.maximumInteriorDifference <= 1e-5 * figure.maximumActivation)
        #expect(figure.shiftedInput.bytes[(7 + 2) * 28 + 10 + 3] == 255)
        // C3 moves 2 pixels per unit: a shift of 4, 2 moves its maps by 2, 1; an odd shift is refused.
        let deeper = try EquivarianceFigure(model, input: input, dx: 4, dy: 2, layer: "C3")
        #expect(deeper.mapShift == Pair(1, 2))
        #expect(deeper.maximumInteriorDifference <= 1e-5 * max(deeper.maximumActivation, 1))
        #expect(throws: LearnedFigureError.self) { try EquivarianceFigure(model, input: input, dx: 3, dy: 2, layer: "C3") }
    }

    @Test("inputs: PNGs of another size are refused naming both sizes; 28x28 is centred for a 32x32 model")
    func inputs() throws {
        let dir = try temporaryFolder("LearnedFigureTests")
        let lenet = try TrainedModel(contentsOf: try savedModel("lenet5", in: dir))
        let paper = try TrainedModel(contentsOf: try savedModel("lenet5-1998", in: dir))
        let small = dir.appendingPathComponent("digit.png").path
        try PNGImage(width: 28, height: 28, grey: digit()).write(to: small)
        let large = dir.appendingPathComponent("photo.png").path
        try PNGImage(width: 40, height: 30, grey: [UInt8](repeating: 9, count: 1200)).write(to: large)
        #expect(try InputImage.png(small, for: lenet).bytes == digit())
        let padded = try InputImage.png(small, for: paper)
        #expect(padded.height == 32 && padded.width == 32 && padded.adjustment != nil)
        #expect(padded.bytes[(2 + 7) * 32 + 2 + 10] == 255)
        let error = try #require(throws: ShapeError.self) { try InputImage.png(large, for: lenet) }
        #expect(error.description == "\(large) is 40x30 pixels; the model takes 28x28 images (no resizing: crop or scale it first)")
        #expect(try InputImage.png(small, for: lenet).source == "digit.png")
        let data = try randomDataset(count: 3, seed: 1)
        #expect(throws: ConfigurationError("--index 3 is outside the 3 images of random test")) { try InputImage.testImage(3, of: data, for: lenet) }
    }

    @Test("every C figure writes a PNG of the requested size and a PDF")
    func filesWritten() throws {
        let dir = try temporaryFolder("LearnedFigureTests")
        let lenet = try TrainedModel(contentsOf: try savedModel("lenet5", in: dir))
        let logreg = try TrainedModel(contentsOf: try savedModel("logreg", in: dir))
        let input = InputImage(bytes: digit(), channels: 1, height: 28, width: 28, source: "test digit")
        let convolutions = try ModelConvolutions.read(lenet.path)
        let figures: [any Figure] = [
            try TemplateWeights(logreg),
            try FilterGrid(model: convolutions.model, weights: convolutions.layers[0]),
            try FilterGrid(model: convolutions.model, weights: convolutions.layers[1]),
            try FeatureMapsFigure(lenet, input: input),
            try TopActivations(lenet, dataset: try randomDataset(count: 12, seed: 2), channels: [0, 1]),
            try EquivarianceFigure(lenet, input: input),
        ]
        #expect(figures.map(\.catalogueID) == ["C1", "C2", "C2", "C3", "C4", "C5"])
        for (i, figure) in figures.enumerated() {
            let png = dir.appendingPathComponent("figure\(i).png").path
            try figure.write(to: png, size: .inches(6, 4), dpi: 100)
            let pixels = try pngPixels(png)
            #expect(pixels.width == 600 && pixels.height == 400)
            let pdf = dir.appendingPathComponent("figure\(i).pdf").path
            try figure.write(to: pdf)
            #expect(String(decoding: try Data(contentsOf: URL(fileURLWithPath: pdf)).prefix(5), as: UTF8.self) == "%PDF-")
        }
    }
}
