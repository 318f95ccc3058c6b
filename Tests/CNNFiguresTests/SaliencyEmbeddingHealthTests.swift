// C6 (occlusion saliency), C7 (PCA embedding) and E6 (network health): the numbers each is drawn from,
// on tiny networks and data made here (seeded, never trained), and the files written.
import CNNData
import CNNEngine
@testable import CNNFigures
import CNNModels
import CNNRuns
import CNNStore
import Foundation
import Testing
import _TestSupport

/// logits = (sum of the pixels of columns 2 and 3, 0): a 4x4 input whose left half the network ignores.
private func rightHalfNetwork() throws -> Sequential {
    let dense = try Dense("fc", inFeatures: 16, outFeatures: 2)
    for y in 0..<4 { for x in 2..<4 { dense.weight.value.pointer[y * 4 + x] = 1 } }
    let network = try Sequential("net", [Flatten("flat"), dense])
    network.setTraining(false)
    return network
}

private func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

@Suite("C6, C7, E6: saliency, embedding, health")
struct SaliencyEmbeddingHealthTests {
    @Test("C6: hiding pixels the network ignores drops nothing; hiding the rest drops p by the hand-computed amount")
    func occlusionOfIgnoredPixels() throws {
        let network = try rightHalfNetwork()
        let input = try Tensor(shape: [1, 1, 4, 4], values: [Float](repeating: 1, count: 16))
        let (map, drops) = try OcclusionSaliency.occlusionMap(network, input: input, fill: [0], target: 0, patch: 2, stride: 2)
        // Patches at (0,0), (0,2), (2,0), (2,2): the left ones cover only ignored pixels.
        #expect(drops.count == 4)
        #expect(drops[0] == 0 && drops[2] == 0)
        // p(class 0) = sigmoid(8) unoccluded, sigmoid(4) with four of the eight counted pixels hidden.
        let expected = sigmoid(8) - sigmoid(4)
        #expect(abs(drops[1] - expected) < 1e-6 && abs(drops[3] - expected) < 1e-6)
        for y in 0..<4 {
            for x in 0..<4 {
                if x < 2 { #expect(map[y * 4 + x] == 0) } else { #expect(abs(Double(map[y * 4 + x]) - expected) < 1e-6) }
            }
        }
        // Overlapping patches: a pixel's value is the mean over the patches covering it; the last position reaches the edge.
        #expect(OcclusionSaliency.positions(extent: 32, patch: 8, stride: 3) == [0, 3, 6, 9, 12, 15, 18, 21, 24])
        let (overlap, _) = try OcclusionSaliency.occlusionMap(network, input: input, fill: [0], target: 0, patch: 2, stride: 1)
        // Column 0 is only under patches of columns 0-1 (ignored); column 1 also under patches reaching column 2.
        #expect((0..<4).allSatisfy { overlap[$0 * 4] == 0 && overlap[$0 * 4 + 1] > 0 })
    }

    @Test("C6: a LeNet-5 file's maps cover the input, with true and predicted classes, and the figure writes a PNG")
    func saliencyFigureOfAModelFile() throws {
        let dir = try temporaryFolder("SaliencyTests")
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try TrainedModel(contentsOf: try savedModel("lenet5", in: dir))
        let data = try randomDataset(count: 12, seed: 5)
        let inputs = try [0, 3].map { (image: try InputImage.testImage($0, of: data, for: model), label: Optional(Int(data.labels[$0]))) }
        let figure = try OcclusionSaliency(model, inputs: inputs, patch: 8, stride: 4)
        #expect(figure.items.count == 2)
        #expect(figure.items[0].trueLabel == "0" && figure.items[1].trueLabel == "3")
        for item in figure.items {
            #expect(item.map.count == 28 * 28)
            #expect(item.map.allSatisfy { Double($0) <= item.largestDrop + 1e-6 })
            #expect(item.baseProbability > 0 && item.baseProbability < 1)
        }
        #expect(figure.title == "C6. Where LeNet-5 (ReLU, max-pool) looks: occlusion saliency")
        #expect(figure.caption.contains("a patch of 8×8 pixels, black (byte 0), slid in steps of 4 pixels"))
        #expect(throws: LearnedFigureError.self) { try OcclusionSaliency(model, inputs: inputs, patch: 40) }
        let png = dir.appendingPathComponent("c6.png").path
        try figure.write(to: png)
        #expect(try pngPixels(png).width == Int((figure.preferredSize.width * 150 / 72).rounded()))
    }

    @Test("C7: PCA of points on two known axes recovers the axes, their variances and a fixed sign")
    func pcaRecoversKnownAxes() throws {
        // Orthonormal u, v in 3-D; points a u + b v + (1, 2, 3) with a in -3...3 (step 1) and b in {-1, 0, 1}.
        let u = [0.6, 0.8, 0], v = [-0.48, 0.36, -0.8]
        var values: [Float] = [], a2 = 0.0, b2 = 0.0, n = 0
        for a in -3...3 {
            for b in -1...1 {
                for i in 0..<3 { values.append(Float(Double(a) * u[i] + Double(b) * v[i] + Double(i + 1))) }
                a2 += Double(a * a); b2 += Double(b * b); n += 1
            }
        }
        let pca = PrincipalComponents(values, rows: n, dimension: 3, count: 2)
        #expect(zip(pca.mean, [1.0, 2, 3]).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(abs(abs(PrincipalComponents.dot(pca.axes[0], u)) - 1) < 1e-6)
        #expect(abs(abs(PrincipalComponents.dot(pca.axes[1], v)) - 1) < 1e-6)
        #expect(abs(pca.variances[0] - a2 / Double(n - 1)) < 1e-5)
        #expect(abs(pca.variances[1] - b2 / Double(n - 1)) < 1e-5)
        #expect(abs(pca.explained[0] + pca.explained[1] - 1) < 1e-6)
        // The entry of largest magnitude is positive: u itself (0.8), and −v (whose −0.8 becomes 0.8).
        #expect(pca.axes[0][1] > 0 && pca.axes[1][2] > 0)
        // Projections: the point a = 3, b = -1 sits at (3, 1), the second axis being −v.
        let p = pca.project(Array(values[((6 * 3 + 0) * 3)..<((6 * 3 + 0) * 3 + 3)]), rows: 1)[0]
        #expect(abs(p[0] - 3) < 1e-5 && abs(p[1] - 1) < 1e-5)

        let (eigenvalues, _) = PrincipalComponents.jacobiEigen([2, 1, 0, 1, 2, 0, 0, 0, 5], size: 3)
        #expect(zip(eigenvalues.sorted(), [1.0, 3, 5]).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(FeatureEmbedding.nearestMeanAccuracy([[0, 0], [1, 0], [10, 0], [2, 0]], labels: [0, 0, 1, 1], classes: 2) == 0.75)
    }

    @Test("C7: a LeNet-5 file embeds its pixels and F6's 84 features, one point per image")
    func embeddingOfAModelFile() throws {
        let dir = try temporaryFolder("EmbeddingTests")
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try TrainedModel(contentsOf: try savedModel("lenet5", in: dir))
        let figure = try FeatureEmbedding(model, dataset: try randomDataset(count: 40, seed: 6), limit: 30)
        #expect(figure.labels.count == 30)
        #expect(figure.panels.map(\.name) == ["pixels", "F6"])
        #expect(figure.panels.map(\.dimension) == [784, 84])
        #expect(figure.panels[1].description == "F6's 84 features (after relu6)")
        #expect(figure.panels.allSatisfy { $0.points.count == 30 && $0.explained[0] >= $0.explained[1] })
        #expect(figure.title == "C7. What LeNet-5 (ReLU, max-pool) has learned: 30 random test images in 2-D (PCA)")
        let png = dir.appendingPathComponent("c7.png").path
        try figure.write(to: png)
        #expect(try pngPixels(png).height > 0)
        #expect(throws: LearnedFigureError.self) { try FeatureEmbedding(model, dataset: try randomDataset(count: 4, seed: 6), layer: "F7") }
    }

    @Test("E6: a C3 channel forced dead (zero weights, bias -1) is counted dead; histograms hold every value")
    func deadChannelIsFound() throws {
        let dir = try temporaryFolder("HealthTests")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = try savedModel("lenet5", in: dir)
        let data = try randomDataset(count: 20, seed: 7)
        let before = try NetworkHealth(try TrainedModel(contentsOf: path), dataset: data, limit: 20)

        let contents = try ModelFile.read(from: URL(fileURLWithPath: path))
        let weight = contents.weights.first { $0.path == "C3/weight" }!.tensor, bias = contents.weights.first { $0.path == "C3/bias" }!.tensor
        for i in (5 * 6 * 25)..<(6 * 6 * 25) { weight.pointer[i] = 0 }
        bias.pointer[5] = -1
        let forced = dir.appendingPathComponent("forced.h5")
        try ModelFile.write(contents, to: forced)
        let health = try NetworkHealth(try TrainedModel(contentsOf: forced.path), dataset: data, limit: 20)

        #expect(health.layers.map(\.name) == ["C1", "C3", "C5", "F6", "OUTPUT"])
        let c3 = health.layers[1], was = before.layers[1]
        #expect(c3.hasReLU && c3.activation == ["relu3"] && c3.units == 16)
        #expect(Set(c3.deadUnits) == Set(was.deadUnits).union([5]))
        #expect(c3.activeFraction[5] == 0)
        #expect(c3.deadFraction == Double(c3.deadUnits.count) / 16)
        #expect(c3.weights.total == 16 * 6 * 25 && c3.weightCount == 2400)
        #expect(c3.activationCount == 20 * 16 * 10 * 10)
        #expect(abs(Double(c3.activations.total) / Double(c3.activationCount) - (1 - c3.zeroFraction)) < 1e-12)
        // The output layer has no ReLU: no unit can be dead, and every value is in its histogram.
        let output = health.layers[4]
        #expect(!output.hasReLU && output.deadUnits.isEmpty && output.activations.total == 20 * 10)
        // The caption names the dead channels; the panel heading counts them (not repeated word for word).
        let list = c3.deadUnits.map(String.init).joined(separator: ", ")
        let named = c3.deadUnits.count > 4 ? "\(c3.deadUnits.count) channels of C3"
            : "channel\(c3.deadUnits.count == 1 ? "" : "s") \(list) of C3"
        #expect(health.caption.contains(named))
        #expect(try health.drawnTexts().contains("C3: \(c3.deadUnits.count) of 16 channels dead"))
        #expect(!health.caption.contains("C3: \(c3.deadUnits.count) of 16 channels"))
        let png = dir.appendingPathComponent("e6.png").path
        try health.write(to: png)
        #expect(try pngPixels(png).width > 0)
    }

    @Test("Histogram: equal bins, the top edge in the last bin")
    func histogramBins() {
        let h = Histogram([0, 0.5, 1, 1.5, 2] as [Float], bins: 4, range: 0...2)
        #expect(h.counts == [1, 1, 1, 2])
        #expect(h.binWidth == 0.5 && h.total == 5)
    }
}
