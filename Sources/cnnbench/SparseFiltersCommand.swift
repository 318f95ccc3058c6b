import ArgumentParser
import CNNBench
import Foundation

/// `cnnbench sparse-filters`: colour first-layer filters learned by sparse coding from photographs.
struct SparseFiltersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sparse-filters",
        abstract: "Learn colour filters from photographs with a sparse autoencoder; writes OUT/model.h5.",
        discussion: """
            Patches of the photographs (default: the shipped datasets/images/*.png) are contrast-normalised and
            ZCA-whitened; a tied autoencoder with an L1 penalty on its codes (reconstruction ICA) learns oriented,
            colour-opponent filters from them, as Olshausen and Field found for natural images. The same seed gives
            the same file. `cnnviz filters OUT/model.h5` and `cnnviz gabor OUT/model.h5` draw them.
            Example: cnnbench sparse-filters --out runs/sparse-filters
            """)

    @Option(help: "Output folder for model.h5.")
    var out = "runs/sparse-filters"

    @Option(parsing: .upToNextOption, help: "Photographs (PNG) to cut patches from (default: datasets/images/*.png).")
    var images: [String] = []

    @Option(parsing: .unconditional, help: "Filters learned.") var filters = SparseFilterRecipe().filters
    @Option(parsing: .unconditional, help: "Side of patches and filters, in pixels.") var size = SparseFilterRecipe().size
    @Option(parsing: .unconditional, help: "Patches cut from the photographs.") var patches = SparseFilterRecipe().patches
    @Option(parsing: .unconditional, help: "Adam steps.") var steps = SparseFilterRecipe().steps
    @Option(parsing: .unconditional, help: "Weight of the sparsity penalty.") var sparsity = SparseFilterRecipe().sparsity
    @Option(parsing: .unconditional, help: "Adam's learning rate (cosine decay to 0).") var lr = SparseFilterRecipe().learningRate
    @Option(parsing: .unconditional, help: "ZCA whitening's epsilon (patches are contrast-normalised to variance 1).") var whiteningEpsilon = SparseFilterRecipe().whiteningEpsilon
    @Option(parsing: .unconditional, help: "Contrast normalisation's epsilon (variance floor, pixel values in [0, 1]).") var contrastEpsilon = SparseFilterRecipe().contrastEpsilon
    @Option(parsing: .unconditional, help: "Seed of patches, initialisation and order.") var seed: UInt64 = 0

    @Flag(help: "Replace a model already in OUT/model.h5 (it is never replaced otherwise).")
    var overwrite = false

    @OptionGroup var threads: ThreadOptions

    var recipe: SparseFilterRecipe {
        SparseFilterRecipe(filters: filters, size: size, patches: patches, steps: steps, learningRate: lr, sparsity: sparsity,
                           whiteningEpsilon: whiteningEpsilon, contrastEpsilon: contrastEpsilon, seed: seed)
    }

    func validate() throws {
        do { try recipe.validate() } catch { throw ValidationError("\(error)") }
    }

    func run() throws {
        threads.apply()
        let file = URL(fileURLWithPath: out).appendingPathComponent("model.h5")
        if FileManager.default.fileExists(atPath: file.path), !overwrite {
            throw ValidationError("\(file.path) already holds a model; it is never replaced unasked: give --overwrite or another --out")
        }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let paths = images.isEmpty ? try SparseFilterTraining.shippedPhotographs() : images
        let training = try SparseFilterTraining(imagePaths: paths, recipe: recipe)
        try training.train { print($0) }
        try training.save(to: file, commandLine: CommandLine.arguments.joined(separator: " "))
        print("wrote \(file.path): \(training.description)")
    }
}
