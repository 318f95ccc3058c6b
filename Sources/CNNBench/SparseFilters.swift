// Colour first-layer filters learned from the shipped photographs by sparse coding: a tied
// autoencoder with a sparsity penalty on its codes (reconstruction ICA, Le, Karpenko, Ngiam and Ng
// 2011), trained on contrast-normalised, ZCA-whitened patches, learns oriented, colour-opponent
// filters as Olshausen and Field (1996) found for natural images. The engine's Dense layers and Adam
// do the arithmetic; the result is a model file whose first convolution holds the filters.
//
// Per batch of B whitened patches x (D = 3 S² values) and K filters W [K, D]:
//   h = W x,  x̂ = Wᵀ h,  L = mean((x̂ - x)²) + λ mean(sqrt(h² + ε)).
// The decoder is a second Dense layer whose weight is Wᵀ before every step; its weight gradient is
// added, transposed, into the encoder's, so W gets the gradient of the tied objective.
import CNNData
import CNNEngine
import CNNModels
import CNNRuns
import CNNStore
import Foundation

/// How the sparse filters are learned: patches, filters, sparsity, optimisation.
public struct SparseFilterRecipe: Codable, Equatable, Sendable {
    /// Filters learned, K.
    public var filters: Int
    /// Side of the patches and filters, S.
    public var size: Int
    /// Patches cut from the photographs.
    public var patches: Int
    /// Adam steps.
    public var steps: Int
    public var batchSize: Int
    /// Adam's learning rate at the start (cosine decay to 0 over the steps).
    public var learningRate: Double
    /// λ, the weight of the sparsity penalty.
    public var sparsity: Double
    /// ε of ZCA whitening, on contrast-normalised patches (whose values have variance 1).
    public var whiteningEpsilon: Double
    /// ε_c of contrast normalisation, x ← (x - mean) / sqrt(var + ε_c) on values in [0, 1]: the floor
    /// that keeps nearly flat patches (sky, walls) from being blown up into unit-contrast noise.
    public var contrastEpsilon: Double
    public var seed: UInt64

    /// The defaults learn clear oriented gratings and colour-opponent filters in about 15 s on 2 cores.
    /// ε = 10 keeps the whitening from boosting the highest frequencies (pixel noise) as much as the rest.
    public init(filters: Int = 64, size: Int = 8, patches: Int = 40_000, steps: Int = 4000, batchSize: Int = 256,
                learningRate: Double = 0.01, sparsity: Double = 0.1, whiteningEpsilon: Double = 10, contrastEpsilon: Double = 0.01,
                seed: UInt64 = 0) {
        self.filters = filters; self.size = size; self.patches = patches; self.steps = steps; self.batchSize = batchSize
        self.learningRate = learningRate; self.sparsity = sparsity; self.whiteningEpsilon = whiteningEpsilon
        self.contrastEpsilon = contrastEpsilon; self.seed = seed
    }

    /// Checks the numbers a user can get wrong.
    /// - Throws: `ConfigurationError` naming the first bad value.
    public func validate() throws {
        guard (1...1024).contains(filters) else { throw ConfigurationError("filters must be between 1 and 1024, got \(filters)") }
        guard (2...32).contains(size) else { throw ConfigurationError("patch size must be between 2 and 32 pixels, got \(size)") }
        guard patches >= max(batchSize, 3 * size * size) else {
            throw ConfigurationError("patches must be at least the batch size and 3 x size² (\(max(batchSize, 3 * size * size))), got \(patches)")
        }
        guard steps >= 1 else { throw ConfigurationError("steps must be at least 1, got \(steps)") }
        guard batchSize >= 1 else { throw ConfigurationError("batch size must be at least 1, got \(batchSize)") }
        guard learningRate > 0, learningRate.isFinite else { throw ConfigurationError("learning rate must be positive, got \(learningRate)") }
        guard sparsity >= 0, sparsity.isFinite else { throw ConfigurationError("sparsity must not be negative, got \(sparsity)") }
        guard whiteningEpsilon > 0, whiteningEpsilon.isFinite else { throw ConfigurationError("whitening epsilon must be positive, got \(whiteningEpsilon)") }
        guard contrastEpsilon > 0, contrastEpsilon.isFinite else { throw ConfigurationError("contrast epsilon must be positive, got \(contrastEpsilon)") }
    }
}

/// Learns sparse filters from photographs and writes them as a model file.
public final class SparseFilterTraining {
    /// The model's name in its file.
    public static let modelName = "sparse-autoencoder"
    public let recipe: SparseFilterRecipe
    /// The whitened patches trained on.
    public let patches: ImagePatches
    public let whitening: ZCAWhitening
    /// W, [K, 3 S²] in the whitened space.
    public let encoder: Dense
    let decoder: Dense
    let optimizer: Adam
    /// (step, reconstruction loss, sparsity penalty) every `logInterval` steps and at the last.
    public private(set) var history: [(step: Int, reconstruction: Double, sparsity: Double)] = []
    public private(set) var stepsDone = 0
    public static let logInterval = 100
    /// The factor on Glorot's uniform start of W.
    public static let initialScale = 0.05
    private var generator: SeededGenerator
    private var order: [Int] = []
    private var position = 0
    private let epsilon: Float = 0.01

    /// Cuts, normalises and whitens the patches and initialises the filters, all from `recipe.seed`.
    /// - Throws: `ConfigurationError` for a bad recipe; `DataError` for a photograph that cannot be read.
    public init(imagePaths: [String], recipe: SparseFilterRecipe) throws {
        try recipe.validate()
        self.recipe = recipe
        var patches = try ImagePatches(imagePaths: imagePaths, size: recipe.size, count: recipe.patches, seed: recipe.seed)
        patches.normalizeContrast(epsilon: Float(recipe.contrastEpsilon))
        whitening = ZCAWhitening(values: patches.values, dimension: patches.dimension, epsilon: recipe.whiteningEpsilon)
        patches.whiten(whitening)
        self.patches = patches
        let d = patches.dimension
        encoder = try Dense("encoder", inFeatures: d, outFeatures: recipe.filters, bias: false, initializer: .glorotUniform)
        decoder = try Dense("decoder", inFeatures: recipe.filters, outFeatures: d, bias: false)
        encoder.needsInputGradient = false
        generator = SeededGenerator(seed: recipe.seed &+ 1)
        encoder.initializeParameters(using: &generator)
        // Start small: components along whitened directions the patches hardly use get almost no gradient
        // and would keep their random start, which W Z then amplifies into pixel noise.
        let w = encoder.weight.value
        for i in 0..<w.count { w.pointer[i] *= Float(Self.initialScale) }
        optimizer = try Adam(parameters: [encoder.weight], learningRate: Float(recipe.learningRate))
    }

    /// The photographs shipped in `datasets/images` (found from the working directory or above it).
    public static func shippedPhotographs() throws -> [String] {
        let folder = ShippedFiles.locate("datasets/images")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".png") }.sorted()
        guard !names.isEmpty else { throw ConfigurationError("no photographs (*.png) in \(folder); sparse filters learn from them") }
        return names.map { "\(folder)/\($0)" }
    }

    /// Runs `steps` more Adam steps (or up to the recipe's), logging the losses.
    public func train(steps: Int? = nil, log: (String) -> Void = { _ in }) throws {
        let b = recipe.batchSize, d = patches.dimension, k = recipe.filters
        let batch = Tensor(shape: [b, d])
        let target = min(recipe.steps, stepsDone + (steps ?? recipe.steps))
        let mse = MeanSquaredError()
        var sums = (reconstruction: 0.0, sparsity: 0.0, count: 0)
        while stepsDone < target {
            fill(batch)
            // Tie: the decoder's weight is the encoder's, transposed.
            let w = encoder.weight.value.pointer, wt = decoder.weight.value.pointer
            for i in 0..<k { for j in 0..<d { wt[j * k + i] = w[i * d + j] } }
            encoder.weight.zeroGradient(); decoder.weight.zeroGradient()
            let codes = try encoder.forward(batch)
            let reconstruction = try decoder.forward(codes)
            let recon = try mse.loss(predictions: reconstruction, targets: batch)
            let dCodes = try decoder.backward(mse.gradient)
            // The smooth L1 penalty λ mean(sqrt(h² + ε)) and its gradient λ h / sqrt(h² + ε) / (B K).
            let lambda = Float(recipe.sparsity), scale = lambda / Float(b * k)
            var penalty = 0.0
            for i in 0..<(b * k) {
                let h = codes.pointer[i], r = (h * h + epsilon).squareRoot()
                penalty += Double(r)
                dCodes.pointer[i] += scale * h / r
            }
            penalty *= Double(lambda) / Double(b * k)
            _ = try encoder.backward(dCodes)
            let g = encoder.weight.gradient.pointer, gt = decoder.weight.gradient.pointer
            for i in 0..<k { for j in 0..<d { g[i * d + j] += gt[j * k + i] } }
            let loss = Double(recon) + penalty
            guard loss.isFinite else {
                throw TrainingError(description: "the sparse autoencoder's loss became \(loss) at step \(stepsDone + 1); a lower learning rate (now \(recipe.learningRate)) usually helps")
            }
            optimizer.learningRate = Float(recipe.learningRate * 0.5 * (1 + cos(Double.pi * Double(stepsDone) / Double(recipe.steps))))
            optimizer.step()
            stepsDone += 1
            sums.reconstruction += Double(recon); sums.sparsity += penalty; sums.count += 1
            if stepsDone % Self.logInterval == 0 || stepsDone == recipe.steps {
                let n = Double(sums.count)
                history.append((stepsDone, sums.reconstruction / n, sums.sparsity / n))
                if stepsDone % (Self.logInterval * 10) == 0 || stepsDone == recipe.steps {
                    log(String(format: "step %d/%d: reconstruction %.4f, sparsity %.4f", stepsDone, recipe.steps, sums.reconstruction / n, sums.sparsity / n))
                }
                sums = (0, 0, 0)
            }
        }
    }

    /// The next batch of patches, in an order reshuffled (by the seed) after every pass over them.
    private func fill(_ batch: Tensor) {
        let d = patches.dimension
        for row in 0..<batch.shape[0] {
            if position == order.count {
                order = Array(0..<patches.count)
                for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, generator.nextInt(below: i + 1)) }
                position = 0
            }
            let source = order[position]
            position += 1
            patches.values.withUnsafeBufferPointer { v in
                (batch.pointer + row * d).update(from: v.baseAddress! + source * d, count: d)
            }
        }
    }

    /// The filters as they act on contrast-normalised pixel patches, W Z ([K, 3, S, S]): what a
    /// convolution over such patches computes, and what the figures draw.
    public var pixelFilters: [Float] {
        let k = recipe.filters, d = patches.dimension
        var out = [Float](repeating: 0, count: k * d)
        encoder.weight.value.values.withUnsafeBufferPointer { w in
            whitening.matrix.withUnsafeBufferPointer { z in
                out.withUnsafeMutableBufferPointer { y in
                    gemm(c: y.baseAddress!, ldc: d, a: w.baseAddress!, lda: d, transposeA: false, b: z.baseAddress!, ldb: d, transposeB: false,
                         m: k, n: d, k: d)
                }
            }
        }
        return out
    }

    /// What the model is and what it learned from, for captions (the figures add the filters' count and shape):
    /// "sparse autoencoder (tied weights, L1 sparsity), 4,000 Adam steps on 40,000 whitened 8×8 patches of astronaut, ...".
    public var description: String {
        let names = patches.sources.map { ($0 as NSString).deletingPathExtension }.joined(separator: ", ")
        return "sparse autoencoder (tied weights, L1 sparsity), \(groupedThousands(recipe.steps)) Adam steps on \(groupedThousands(recipe.patches)) "
            + "whitened \(recipe.size)×\(recipe.size) patches of the photographs \(names)"
    }

    /// Writes the model file: `encoder` a Conv2D [K, 3, S, S] over an S x S patch (W Z, the filters on
    /// contrast-normalised pixels), then the tied decoder back to the whitened patch, the recipe, the
    /// losses and the photographs' names.
    public func save(to url: URL, commandLine: String? = nil) throws {
        let k = recipe.filters, s = recipe.size, d = patches.dimension
        let spec = ModelSpec(name: Self.modelName, inputShape: [3, s, s], classes: d, layers: [
            .conv2D(name: "encoder", inChannels: 3, outChannels: k, kernelSize: Pair(s, s), bias: false),
            .flatten(name: "flatten"),
            .dense(name: "decoder", inFeatures: k, outFeatures: d, bias: false),
        ])
        let encoded = JSONEncoder()
        encoded.outputFormatting = [.sortedKeys]
        let weight = Tensor(shape: [k, 3, s, s]); weight.pointer.update(from: pixelFilters, count: k * d)
        let decoderWeight = Tensor(shape: [d, k])
        let w = encoder.weight.value.pointer
        for i in 0..<k { for j in 0..<d { decoderWeight.pointer[j * k + i] = w[i * d + j] } }
        var meta: [String: String] = [
            "description": description,
            "toolkit_version": CNNBenchVersion.current,
            "created": ISO8601DateFormatter().string(from: Date()),
            "seed": String(recipe.seed),
            "sparse_filter_recipe": String(decoding: try encoded.encode(recipe), as: UTF8.self),
            "photographs": patches.sources.joined(separator: ","),
            "instruction_set": InstructionSet.active.rawValue,
        ]
        if let commandLine { meta["command_line"] = commandLine }
        let contents = ModelFileContents(
            model: Self.modelName, architectureJSON: String(decoding: try encoded.encode(spec), as: UTF8.self),
            inputShape: [3, s, s], classes: d,
            weights: [("encoder/weight", weight), ("decoder/weight", decoderWeight)], buffers: [], optimizer: nil,
            history: ["step": history.map { Double($0.step) }, "reconstruction_loss": history.map(\.reconstruction),
                      "sparsity_penalty": history.map(\.sparsity)],
            training: nil,
            dataset: DatasetRecord(name: "\(s)×\(s) photo patches", classNames: [], normalizationMean: [0], normalizationStd: [1]),
            metadata: meta)
        try ModelFile.write(contents, to: url)
    }
}
