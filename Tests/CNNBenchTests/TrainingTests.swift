import CNNBench
import CNNData
import CNNEngine
import CNNModels
import CNNRuns
import CNNStore
import Foundation
import Testing
import _TestSupport

@Suite("Training, model files and resume", .serialized)
struct TrainingTests {
    static let mnist = DataSource(name: "mnist", directory: repositoryRoot().appendingPathComponent("datasets/mnist").path)

    /// A short LeNet-5 recipe on the first 512 MNIST digits.
    static func quickRecipe(epochs: Int = 2) -> TrainingRecipe {
        var r = TrainingRecipe.defaults(for: "lenet5").withEpochs(epochs)
        r.trainLimit = 512
        r.validationCount = 200
        r.batchSize = 32
        r.seed = 7
        return r
    }

    @Test func lossGoesDownOnAFixedSeed() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try TrainingRun(model: "lenet5", source: Self.mnist, recipe: Self.quickRecipe(epochs: 3))
        try run.train(saveTo: folder.appendingPathComponent("model.h5"), log: { _ in })
        let losses = run.history.map(\.trainLoss)
        #expect(losses.count == 3)
        #expect(losses[2] < losses[0] * 0.6, "training losses \(losses)")
        #expect(run.history[2].testError < 0.5, "test error \(run.history[2].testError) after 3 short epochs")
    }

    @Test func resumeGivesTheSameWeightsAsAnUnbrokenRun() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // Unbroken: 2 epochs.
        let whole = try TrainingRun(model: "lenet5", source: Self.mnist, recipe: Self.quickRecipe())
        try whole.train(saveTo: folder.appendingPathComponent("whole.h5"), log: { _ in })
        // Broken: the same recipe stopped after epoch 1, then resumed from the file for the second.
        let url = folder.appendingPathComponent("broken.h5")
        let first = try TrainingRun(model: "lenet5", source: Self.mnist, recipe: Self.quickRecipe())
        try first.train(saveTo: url, until: 1, log: { _ in })
        let resumed = try TrainingRun.resume(from: url)
        #expect(resumed.epochsCompleted == 1)
        try resumed.train(saveTo: url, log: { _ in })
        for (a, b) in zip(whole.network.namedParameters, resumed.network.namedParameters) {
            #expect(a.path == b.path)
            let same = bitIdentical(a.parameter.value.values, b.parameter.value.values)
            #expect(same, "\(a.path) differs after resume")
        }
        #expect(whole.history.map(\.testError) == resumed.history.map(\.testError))
    }

    @Test func theFileRecordsThePathAndAResumeOnAnotherPathSaysSo() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("model.h5")
        let first = try TrainingRun(model: "lenet5", source: Self.mnist, recipe: Self.quickRecipe())
        try InstructionSet.withActive(InstructionSet.best) { try first.train(saveTo: url, until: 1, log: { _ in }) }
        let stored = try ModelFile.read(from: url)
        #expect(stored.metadata["instruction_set"] == InstructionSet.best.rawValue)
        #expect(stored.metadata["gemm"] != nil)
        let resumed = try TrainingRun.resume(from: url)
        var lines: [String] = []
        try InstructionSet.withActive(.generic) { try resumed.train(saveTo: url, log: { lines.append($0) }) }
        #expect(resumed.epochsCompleted == 2)
        let note = lines.first { $0.hasPrefix("note:") }
        #expect(InstructionSet.best == .generic || note?.contains("not bit for bit") == true, "lines: \(lines)")
        #expect(try ModelFile.read(from: url).metadata["instruction_set"] == "generic")
    }

    @Test func interruptedMidEpochResumesExactly() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let whole = try TrainingRun(model: "lenet5", source: Self.mnist, recipe: Self.quickRecipe(epochs: 1))
        try whole.train(saveTo: folder.appendingPathComponent("whole.h5"), log: { _ in })
        let url = folder.appendingPathComponent("broken.h5")
        let broken = try TrainingRun(model: "lenet5", source: Self.mnist, recipe: Self.quickRecipe(epochs: 1))
        Interrupt.request()
        let finished = try broken.train(saveTo: url, log: { _ in })
        Interrupt.reset()
        #expect(!finished)
        let resumed = try TrainingRun.resume(from: url)
        try resumed.train(saveTo: url, log: { _ in })
        for (a, b) in zip(whole.network.namedParameters, resumed.network.namedParameters) {
            let same = bitIdentical(a.parameter.value.values, b.parameter.value.values)
            #expect(same, "\(a.path) differs after a mid-epoch resume")
        }
        #expect(whole.history.first?.trainLoss == resumed.history.first?.trainLoss)
    }

    @Test func modelFileRoundTripsAndOpensWithTheDocumentedLayout() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("model.h5")
        let run = try TrainingRun(model: "lenet5", source: Self.mnist, recipe: Self.quickRecipe(epochs: 1))
        try run.train(saveTo: url, log: { _ in })
        let (spec, network, contents) = try ModelFile.loadModel(from: url)
        #expect(spec == run.spec)
        #expect(contents.history["test_error"]?.count == 1)
        #expect(contents.dataset?.classNames == (0...9).map(String.init))
        // Same outputs from the loaded network as from the trained one.
        let x = randomTensor([3, 1, 28, 28], seed: 5)
        run.network.setTraining(false)
        let same = bitIdentical(try run.network.forward(x).values, try network.forward(x).values)
        #expect(same)
        // The documented layout, read with the plain HDF5 layer as h5py would.
        let file = try HDF5File(opening: url)
        #expect(try file.stringAttribute("format") == "cnnbench-model")
        #expect(try file.int64Attribute("format_version") == 1)
        #expect(try file.dataset("weights/C1/weight").shape == [6, 1, 5, 5])
        #expect(try file.dataset("weights/OUTPUT/bias").shape == [10])
        #expect(try file.dataset("optimizer/momentum/C3/weight").shape == [16 * 6 * 5 * 5])
        #expect(try file.contains("history/train_loss") && file.contains("history/learning_rate"))
        #expect(try file.stringAttribute("toolkit_version") == CNNBenchVersion.current)
    }

    @Test func badModelFilesGiveOneClearError() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("model.h5")
        let run = try TrainingRun(model: "lenet5", source: Self.mnist, recipe: Self.quickRecipe(epochs: 1))
        try run.save(to: url)

        // Truncated.
        let truncated = folder.appendingPathComponent("truncated.h5")
        let bytes = try Data(contentsOf: url)
        try bytes.prefix(bytes.count / 2).write(to: truncated)
        let e1 = #expect(throws: StoreError.self) { try ModelFile.loadModel(from: truncated) }
        #expect(e1?.description.contains("truncated.h5") == true)

        // A newer format version.
        let newer = folder.appendingPathComponent("newer.h5")
        try FileManager.default.copyItem(at: url, to: newer)
        do {
            let file = try HDF5File(opening: newer, mode: .readWrite)
            try file.setAttribute("format_version", to: Int64(99))
            try file.close()
        }
        let e2 = #expect(throws: StoreError.self) { try ModelFile.loadModel(from: newer) }
        #expect(e2?.description.contains("format version 99 is newer") == true)

        // A missing weight.
        let missing = folder.appendingPathComponent("missing.h5")
        try FileManager.default.copyItem(at: url, to: missing)
        do {
            let file = try HDF5File(opening: missing, mode: .readWrite)
            try file.remove("weights/C3/weight")
            try file.close()
        }
        let e3 = #expect(throws: StoreError.self) { try ModelFile.loadModel(from: missing) }
        #expect(e3?.description.contains("no array for C3/weight") == true)

        // A weight of the wrong shape.
        let wrong = folder.appendingPathComponent("wrong.h5")
        try FileManager.default.copyItem(at: url, to: wrong)
        do {
            let file = try HDF5File(opening: wrong, mode: .readWrite)
            _ = try file.write(Tensor(shape: [6, 1, 3, 3]), to: "weights/C1/weight")
            try file.close()
        }
        let e4 = #expect(throws: StoreError.self) { try ModelFile.loadModel(from: wrong) }
        #expect(e4?.description.contains("C1/weight has shape [6, 1, 3, 3], the architecture needs [6, 1, 5, 5]") == true)

        // Not a model file at all.
        let text = folder.appendingPathComponent("notes.h5")
        try Data("hello".utf8).write(to: text)
        let e5 = #expect(throws: StoreError.self) { try ModelFile.loadModel(from: text) }
        #expect(e5?.description.contains("notes.h5") == true)
    }

    @Test func divergingLossStopsWithAClearMessage() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var recipe = Self.quickRecipe(epochs: 1)
        recipe.learningRate = 1e30
        recipe.schedule = .init()
        let run = try TrainingRun(model: "lenet5", source: Self.mnist, recipe: recipe)
        let error = #expect(throws: TrainingError.self) { try run.train(saveTo: folder.appendingPathComponent("m.h5"), log: { _ in }) }
        #expect(error?.description.contains("the loss became") == true)
        #expect(error?.description.contains("No model file was written") == true, "\(String(describing: error))")
    }

    @Test func evaluationCountsAndConfusion() throws {
        let run = try TrainingRun(model: "logreg", source: Self.mnist, recipe: Self.quickRecipe(epochs: 1))
        let test = run.data.test.subset(Array(0..<300))
        let result = try Evaluation(network: run.network, dataset: test, normalization: run.data.normalization, classes: 10)
        #expect(result.count == 300)
        #expect(result.confusion.joined().reduce(0, +) == 300)
        let wrong = 300 - (0..<10).reduce(0) { $0 + result.confusion[$1][$1] }
        #expect(abs(result.error - Double(wrong) / 300) < 1e-12)
        #expect(result.top5Error == nil)
    }

    @Test func progressLinesWhenNotATerminal() {
        var lines: [String] = []
        let progress = ProgressReporter(isTerminal: false) { lines.append($0) }
        progress.begin("epoch 1/1", total: 100, unit: "img")
        for done in stride(from: 10, through: 100, by: 10) { progress.update(done: done, status: "loss 0.1") }
        progress.end()
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("epoch 1/1: 30% (30/100 img)"))
        #expect(ProgressReporter.clock(3700) == "1:01:40" && ProgressReporter.clock(75) == "1:15")

        // A resumed epoch starts at its saved position: no line for the quarter already behind it.
        lines = []
        progress.begin("epoch 2/2", total: 100, unit: "img", done: 36)
        for done in stride(from: 40, through: 100, by: 10) { progress.update(done: done) }
        #expect(lines.count == 2)
        #expect(lines.first?.hasPrefix("epoch 2/2: 50% (50/100 img)") == true)
    }

    @Test func zeroInitialisedResidualBranchesStartAsTheIdentity() throws {
        for (model, residual) in [("resnet8", true), ("plain8", false)] {
            let network = try ModelZoo.spec(model, input: [1, 14, 14]).build()
            network.initialize(seed: 3)
            let before = network.namedParameters.map { ($0.path, $0.parameter.value.values) }
            network.zeroInitializeResidualBranches()
            #expect(network.hasResidualShortcut == residual)
            for ((path, old), now) in zip(before, network.namedParameters) {
                let values = now.parameter.value.values
                // The last batch norm of each block's body (bn2) loses its scale; nothing else changes.
                if residual && path.hasSuffix("bn2/weight") {
                    #expect(values.allSatisfy { $0 == 0 } && old.allSatisfy { $0 == 1 }, "\(path)")
                } else {
                    #expect(values == old, "\(path)")
                }
            }
        }
        // The recipe records it only where it applies, and files written before it existed read as "no".
        var recipe = TrainingRecipe(zeroInitResidual: true)
        #expect(recipe.fitted(to: try ModelZoo.spec("plain8").build()).zeroInitResidual == false)
        #expect(recipe.fitted(to: try ModelZoo.spec("resnet8").build()).zeroInitResidual == true)
        recipe.zeroInitResidual = false
        var json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(recipe)) as! [String: Any]
        json.removeValue(forKey: "zeroInitResidual")
        let old = try JSONDecoder().decode(TrainingRecipe.self, from: JSONSerialization.data(withJSONObject: json))
        #expect(old == recipe)
    }

    @Test func recipesValidate() {
        var r = TrainingRecipe.defaults(for: "resnet20")
        #expect(r.batchSize == 128 && r.learningRate == 0.1 && r.weightDecay == 1e-4)
        #expect(r.withEpochs(8).schedule.decay == .multiStep(milestones: [4, 6], gamma: 0.1))
        r.momentum = 1.5
        #expect(throws: ConfigurationError.self) { try r.validate() }
    }
}

@Suite("Activation files")
struct ActivationTests {
    @Test func everyRequestedLayerIsStoredWithItsShape() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let network = try ModelZoo.spec("lenet5").build()
        network.initialize(seed: 3)
        let input = randomTensor([1, 1, 28, 28], seed: 4)
        let recorded = try ActivationRecorder.record(network, input: input, layers: ["C1", "S2", "C3"])
        #expect(recorded.map(\.name) == ["input", "C1", "S2", "C3"])
        let url = folder.appendingPathComponent("acts.h5")
        try ActivationRecorder.write(recorded, model: "lenet5", source: "random", to: url)
        let file = try HDF5File(opening: url)
        defer { try? file.close() }
        #expect(try file.stringArrayAttribute("layers") == ["input", "C1", "S2", "C3"])
        #expect(try file.dataset("C1").shape == [1, 6, 28, 28])
        #expect(try file.dataset("C3").shape == [1, 16, 10, 10])
        // The stored C1 map is the engine's C1 output for that input.
        let c1 = try #require(network.layer(named: "C1"))
        let direct = try c1.forward(input).values
        let stored = try file.readTensor(at: "C1").values
        #expect(maxRelativeError(stored, direct) == 0)
        let error = #expect(throws: ConfigurationError.self) { try ActivationRecorder.record(network, input: input, layers: ["C9"]) }
        #expect(error?.description.hasPrefix("no layer named \"C9\"; the layers are C1, relu1") == true)
    }
}

@Suite("Best epoch")
struct BestEpochTests {
    func record(_ epoch: Int, validation: Double?, test: Double) -> EpochRecord {
        EpochRecord(epoch: epoch, trainLoss: 0, trainError: 0, validationLoss: validation, validationError: validation,
                    testLoss: 0, testError: test, testTop5Error: nil, learningRate: 0.1, seconds: 1, imagesPerSecond: 1)
    }

    @Test func chosenOnValidationNeverOnTest() {
        // Epoch 2 has the lowest test error, epoch 3 the lowest validation error: 3 is the honest choice.
        let history = [record(1, validation: 0.10, test: 0.11), record(2, validation: 0.09, test: 0.05), record(3, validation: 0.08, test: 0.07)]
        #expect(EpochRecord.best(in: history)?.epoch == 3)
        #expect(EpochRecord.best(in: history)?.testError == 0.07)
    }

    @Test func withoutValidationTheLastEpoch() {
        let history = [record(1, validation: nil, test: 0.2), record(2, validation: nil, test: 0.3)]
        #expect(EpochRecord.best(in: history)?.epoch == 2)
        #expect(EpochRecord.best(in: []) == nil)
    }
}
