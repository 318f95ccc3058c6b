@testable import CNNBench
import CNNData
import CNNEngine
import CNNRuns
import CNNStore
import Foundation
import Testing
import _TestSupport

/// A finished model is never lost: existing model files are refused, resumed only by the same run, or overwritten when asked.
@Suite("Output files: refuse, resume, overwrite", .serialized)
struct RunOutputTests {
    static let mnist = DataSource(name: "mnist", directory: repositoryRoot().appendingPathComponent("datasets/mnist").path)

    /// Logistic regression on 256 digits: a finished model file in a second.
    static func tinyRecipe(epochs: Int = 1) -> TrainingRecipe {
        var r = TrainingRecipe.defaults(for: "logreg").withEpochs(epochs)
        r.trainLimit = 256
        r.validationCount = 0
        r.batchSize = 64
        return r
    }

    @Test func anExistingModelIsRefusedUnlessResumedOrOverwritten() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("model.h5")
        try TrainingRun.checkOutput(file, policy: .refuse)  // nothing there yet
        let run = try TrainingRun(model: "logreg", source: Self.mnist, recipe: Self.tinyRecipe())
        try run.train(saveTo: file, log: { _ in })

        let error = #expect(throws: TrainingError.self) { try TrainingRun.checkOutput(file, policy: .refuse) }
        #expect(error?.description.contains("already holds a logreg model trained for 1 epoch") == true)
        #expect(error?.description.contains("--resume") == true && error?.description.contains("--overwrite") == true)
        try TrainingRun.checkOutput(file, policy: .resume)
        try TrainingRun.checkOutput(file, policy: .overwrite)

        // An output folder that is a file is found before any training.
        let blocker = folder.appendingPathComponent("blocker")
        try Data("x".utf8).write(to: blocker)
        let e2 = #expect(throws: TrainingError.self) {
            try TrainingRun.checkOutput(blocker.appendingPathComponent("model.h5"), policy: .refuse)
        }
        #expect(e2?.description.contains("the output folder is a file") == true)
    }

    @Test func resumeMustBeTheSameRunAndNamesEachDifference() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("model.h5")
        let run = try TrainingRun(model: "logreg", source: Self.mnist, recipe: Self.tinyRecipe(epochs: 2))
        try run.train(saveTo: file, log: { _ in })

        let other = ResumeRequest(model: "lenet5", source: DataSource(name: "fashion-mnist"), recipe: { r in
            var r = r
            r.learningRate = 0.01
            r.batchSize = 32
            return r
        })
        let error = #expect(throws: TrainingError.self) { try TrainingRun.resume(from: file, request: other) }
        let text = error?.description ?? ""
        #expect(text.contains("model: stored logreg, asked lenet5"), "\(text)")
        #expect(text.contains("data set: stored mnist, asked fashion-mnist"), "\(text)")
        #expect(text.contains("learning rate: stored 0.05, asked 0.01"), "\(text)")
        #expect(text.contains("batch size: stored 64, asked 32"), "\(text)")

        let fewer = ResumeRequest(model: "logreg", recipe: { $0.withEpochs(1) })
        let e2 = #expect(throws: TrainingError.self) { try TrainingRun.resume(from: file, request: fewer) }
        #expect(e2?.description.contains("asks for 1 epoch, but 2 are already done") == true)

        // The same run, extended by an epoch, continues.
        let longer = try TrainingRun.resume(from: file, request: ResumeRequest(model: "LogReg", source: DataSource(name: "mnist"),
                                                                               recipe: { $0.withEpochs(3) }))
        #expect(longer.epochsCompleted == 2 && longer.recipe.epochs == 3)
    }

    @Test func aValidationSetAsLargeAsTheTrainingSetIsRefused() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for split in ["train", "test"] {
            for name in ["a", "b"] {
                let classFolder = folder.appendingPathComponent("\(split)/\(name)")
                try FileManager.default.createDirectory(at: classFolder, withIntermediateDirectories: true)
                for i in 0..<2 {
                    try PNGImage(width: 4, height: 4, grey: [UInt8](repeating: UInt8(40 * i + 9), count: 16)).write(to: classFolder.appendingPathComponent("\(i).png").path)
                }
            }
        }
        var recipe = Self.tinyRecipe()
        recipe.validationCount = 4
        let error = #expect(throws: ConfigurationError.self) {
            try PreparedData(source: DataSource(name: folder.path), modelInput: [1, 4, 4], recipe: recipe)
        }
        #expect(error?.description.contains("--validation must be below the 4 training images") == true, "\(String(describing: error))")
        recipe.validationCount = 3
        #expect(try PreparedData(source: DataSource(name: folder.path), modelInput: [1, 4, 4], recipe: recipe).validation?.count == 3)
        recipe.downsample = 2
        let small = try PreparedData(source: DataSource(name: folder.path), modelInput: [1, 4, 4], recipe: recipe)
        #expect(small.inputShape == [1, 2, 2] && small.test.imageShape == [1, 2, 2] && small.validation?.imageShape == [1, 2, 2])
        #expect(TrainingRun.recipeDifferences(stored: recipe, requested: Self.tinyRecipe()).contains { $0.hasPrefix("downsampling: stored 2x") })
    }

    @Test func aSuiteRefusesExistingModelsBeforeTraining() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("s.yaml")
        try "runs:\n  - model: logreg\n    data_dir: \(Self.mnist.directory!)\n    train_limit: 128\n    validation: 0\n    epochs: 1\n"
            .write(to: path, atomically: true, encoding: .utf8)
        let suite = try Suite.load(from: path.path)
        let out = folder.appendingPathComponent("out")
        let model = out.appendingPathComponent("logreg-mnist/model.h5")
        try FileManager.default.createDirectory(at: model.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("a finished model".utf8).write(to: model)
        var lines: [String] = []
        let error = #expect(throws: TrainingError.self) {
            try SuiteRunner(suite: suite, folder: out, existing: .refuse, commandLine: "test").run(progress: nil, log: { lines.append($0) })
        }
        #expect(error?.description.contains("logreg-mnist/model.h5") == true)
        #expect(lines.isEmpty, "trained before refusing: \(lines)")
        #expect(try Data(contentsOf: model) == Data("a finished model".utf8))

        // --overwrite replaces it with a real model.
        let (results, finished) = try SuiteRunner(suite: suite, folder: out, existing: .overwrite, commandLine: "test --overwrite")
            .run(progress: nil, log: { _ in })
        #expect(finished && results.runs.first?.status == "finished")
        #expect(ModelFile.isModelFile(model))

        // Resuming with another learning rate in the suite is refused before anything trains.
        try "runs:\n  - model: logreg\n    data_dir: \(Self.mnist.directory!)\n    train_limit: 128\n    validation: 0\n    epochs: 2\n    lr: 0.01\n"
            .write(to: path, atomically: true, encoding: .utf8)
        let changed = try Suite.load(from: path.path)
        lines = []
        let mismatch = #expect(throws: TrainingError.self) {
            try SuiteRunner(suite: changed, folder: out, existing: .resume, commandLine: "test --resume").run(progress: nil, log: { lines.append($0) })
        }
        #expect(mismatch?.description.contains("learning rate: stored 0.05, asked 0.01") == true, "\(String(describing: mismatch))")
        #expect(lines.isEmpty, "trained before refusing: \(lines)")
    }
}
