import CNNBench
import CNNEngine
import CNNStore
import Foundation
import Testing
import _TestSupport

@Suite("Sparse colour filters from the photographs")
struct SparseFilterTests {
    static let tiny = SparseFilterRecipe(filters: 8, size: 4, patches: 2000, steps: 300, batchSize: 64, learningRate: 0.01, sparsity: 0.1, seed: 3)

    @Test("the autoencoder's loss falls on a tiny run, the same seed gives the same filters, and the model file holds them")
    func lossFallsAndFileHoldsFilters() throws {
        let photographs = try SparseFilterTraining.shippedPhotographs()
        #expect(photographs.map { ($0 as NSString).lastPathComponent } == ["astronaut.png", "camera.png", "chelsea.png", "coffee.png"])
        let training = try SparseFilterTraining(imagePaths: photographs, recipe: Self.tiny)
        try training.train()
        #expect(training.stepsDone == 300 && training.history.count == 3)
        let first = training.history.first!, last = training.history.last!
        #expect(last.reconstruction + last.sparsity < first.reconstruction + first.sparsity)
        #expect(last.reconstruction < first.reconstruction)

        let again = try SparseFilterTraining(imagePaths: photographs, recipe: Self.tiny)
        try again.train()
        #expect(again.pixelFilters == training.pixelFilters)

        let file = try temporaryFolder("SparseFilterTests").appendingPathComponent("model.h5")
        try training.save(to: file)
        let contents = try ModelFile.read(from: file)
        #expect(contents.model == "sparse-autoencoder" && contents.inputShape == [3, 4, 4])
        let encoder = try #require(contents.weights.first { $0.path == "encoder/weight" }?.tensor)
        #expect(encoder.shape == [8, 3, 4, 4] && encoder.values == training.pixelFilters)
        #expect(contents.metadata["description"]?.contains("300 Adam steps on 2,000 whitened 4×4 patches") == true)
        #expect(contents.metadata["description"]?.contains("astronaut, camera, chelsea, coffee") == true)
        #expect(contents.metadata["seed"] == "3")
        // The file is a model the engine rebuilds: patch in, whitened patch out.
        let (spec, network, _) = try ModelFile.loadModel(from: file)
        #expect(spec.classes == 48)
        #expect(try network.outputShape(for: [3, 4, 4]) == [48])
    }

    @Test("a bad recipe is refused with a sentence")
    func badRecipe() {
        var recipe = Self.tiny
        recipe.patches = 10
        #expect(throws: ConfigurationError.self) { try recipe.validate() }
        recipe = Self.tiny
        recipe.size = 1
        #expect(throws: ConfigurationError.self) { try recipe.validate() }
    }

    @Test("a suite's sparse_filters key sets the recipe; an unknown key in it names the line")
    func suiteKey() throws {
        let folder = try temporaryFolder("SparseFilterTests")
        let good = folder.appendingPathComponent("good.yaml").path
        try "name: s\nsparse_filters:\n  filters: 16\n  steps: 100\n  seed: 4\n".write(toFile: good, atomically: true, encoding: .utf8)
        let suite = try Suite.load(from: good)
        #expect(suite.sparseFilters == SparseFilterRecipe(filters: 16, steps: 100, seed: 4))
        let on = folder.appendingPathComponent("on.yaml").path
        try "name: s\nsparse_filters: true\n".write(toFile: on, atomically: true, encoding: .utf8)
        #expect(try Suite.load(from: on).sparseFilters == SparseFilterRecipe())
        let bad = folder.appendingPathComponent("bad.yaml").path
        try "name: s\nsparse_filters:\n  filter: 16\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let error = try #require(throws: SuiteError.self) { try Suite.load(from: bad) }
        #expect(error.line == 3 && error.message.contains("unknown key \"filter\" in sparse_filters (did you mean \"filters\"?)"))
    }
}
