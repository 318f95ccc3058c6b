// The training loop: epochs of SGD/Adam steps, evaluation after each, a model file written
// atomically after each epoch (and on Ctrl-C), resumable to the same numbers as an uninterrupted run.
import CNNData
import CNNEngine
import CNNModels
import CNNRuns
import CNNStore
import Foundation

/// One finished epoch's numbers.
public struct EpochRecord: Codable, Sendable, Equatable {
    public var epoch: Int
    public var trainLoss: Double
    public var trainError: Double
    public var validationLoss: Double?
    public var validationError: Double?
    public var testLoss: Double
    public var testError: Double
    public var testTop5Error: Double?
    public var learningRate: Double
    /// Training wall seconds (evaluation excluded).
    public var seconds: Double
    public var imagesPerSecond: Double

    public init(epoch: Int, trainLoss: Double, trainError: Double, validationLoss: Double?, validationError: Double?,
                testLoss: Double, testError: Double, testTop5Error: Double?, learningRate: Double, seconds: Double,
                imagesPerSecond: Double) {
        self.epoch = epoch; self.trainLoss = trainLoss; self.trainError = trainError
        self.validationLoss = validationLoss; self.validationError = validationError
        self.testLoss = testLoss; self.testError = testError; self.testTop5Error = testTop5Error
        self.learningRate = learningRate; self.seconds = seconds; self.imagesPerSecond = imagesPerSecond
    }

    /// The best epoch of a run, chosen on the validation split held out of the training images (never
    /// on the test set); the last epoch when the run has no validation split.
    public static func best(in history: [EpochRecord]) -> EpochRecord? {
        guard history.contains(where: { $0.validationError != nil }) else { return history.last }
        return history.min { ($0.validationError ?? .infinity) < ($1.validationError ?? .infinity) }
    }
}

extension EpochRecord {
    /// The record as 11 numbers (NaN for an absent value), to send between ranks.
    var numbers: [Double] {
        [Double(epoch), trainLoss, trainError, validationLoss ?? .nan, validationError ?? .nan, testLoss, testError,
         testTop5Error ?? .nan, learningRate, seconds, imagesPerSecond]
    }

    init(numbers v: [Double]) {
        func optional(_ x: Double) -> Double? { x.isNaN ? nil : x }
        self.init(epoch: Int(v[0]), trainLoss: v[1], trainError: v[2], validationLoss: optional(v[3]), validationError: optional(v[4]),
                  testLoss: v[5], testError: v[6], testTop5Error: optional(v[7]), learningRate: v[8], seconds: v[9], imagesPerSecond: v[10])
    }
}

/// Why training stopped early.
public struct TrainingError: Error, CustomStringConvertible, Sendable {
    public let description: String
}

/// The running sums of an epoch in progress, saved with a mid-epoch checkpoint.
struct PartialEpoch: Codable, Equatable {
    var lossSum = 0.0
    var wrong = 0
    var seen = 0
    var seconds = 0.0
}

/// Everything besides weights and optimizer state that a resumed run needs, stored as JSON.
struct ResumeState: Codable {
    var source: DataSource
    var iterator: BatchIteratorState
    var partial: PartialEpoch
    var dropoutGenerators: [String: [UInt64]]
}

/// A training run of one model on one data set.
public final class TrainingRun {
    public let spec: ModelSpec
    public let recipe: TrainingRecipe
    public let source: DataSource
    public let data: PreparedData
    public let network: Sequential
    public let optimizer: any Optimizer
    public private(set) var history: [EpochRecord] = []
    /// Facts recorded in the model file (command line, threads, ...).
    public var metadata: [String: String] = [:]
    /// Per epoch, the sums of each weight's gradient norm over the epoch's first `gradientNormBatches`
    /// batches, and how many batches were summed (the evidence of why deep plain nets train worse).
    public private(set) var gradientNorms = GradientNormLog()
    /// The instruction-set path recorded in the file this run was resumed from.
    public private(set) var resumedFromInstructionSet: String?
    private var iterator: BatchIterator
    private var partial = PartialEpoch()
    let loss: SoftmaxCrossEntropy
    /// Shares every batch among MPI ranks (see DataParallel.swift), or nil to train in this process alone.
    public var parallel: DataParallel?
    /// Seconds this process spent in the collectives of data-parallel steps (gather, broadcast, all-gather), and those steps.
    public internal(set) var communication = (seconds: 0.0, steps: 0)
    /// The metadata of the model file a resumed run came from.
    public private(set) var resumedMetadata: [String: String] = [:]
    /// Whether this process writes the model file: rank 0 of a data-parallel run, or a run of its own.
    var writesFiles: Bool { (parallel?.rank ?? 0) == 0 }

    /// Starts a fresh run of zoo model `model` (its input taken from the data) with `recipe`.
    public convenience init(model: String, source: DataSource, recipe: TrainingRecipe) throws {
        try recipe.validate()
        let entry = try ModelZoo.entry(named: model)
        let data = try PreparedData(source: source, modelInput: entry.defaultInput, recipe: recipe)
        let spec = try entry.spec(classes: data.train.classNames.count, input: data.inputShape)
        let network = try spec.build()
        network.initialize(seed: recipe.seed)
        let recipe = recipe.fitted(to: network)
        if recipe.zeroInitResidual { network.zeroInitializeResidualBranches() }
        try self.init(spec: spec, recipe: recipe, source: source, data: data, network: network)
    }

    init(spec: ModelSpec, recipe: TrainingRecipe, source: DataSource, data: PreparedData, network: Sequential) throws {
        self.spec = spec; self.recipe = recipe; self.source = source; self.data = data; self.network = network
        network.needsInputGradient = false
        let parameters = network.namedParameters.map(\.parameter)
        switch recipe.optimizer {
        case .sgd:
            optimizer = try SGD(parameters: parameters, learningRate: Float(recipe.learningRate), momentum: Float(recipe.momentum),
                                nesterov: recipe.nesterov, weightDecay: Float(recipe.weightDecay))
        case .adam:
            optimizer = try Adam(parameters: parameters, learningRate: Float(recipe.learningRate), weightDecay: Float(recipe.weightDecay))
        case .adamw:
            optimizer = try Adam.adamW(parameters: parameters, learningRate: Float(recipe.learningRate), weightDecay: Float(recipe.weightDecay))
        }
        iterator = try BatchIterator(dataset: data.train, batchSize: recipe.batchSize, normalization: data.normalization,
                                     augmentation: recipe.augment ? .cifar10 : .none, shuffle: true, seed: recipe.seed)
        loss = try SoftmaxCrossEntropy(labelSmoothing: Float(recipe.labelSmoothing))
    }

    /// Epochs finished so far.
    public var epochsCompleted: Int { history.count }

    /// Trains until `recipe.epochs` epochs (or `until`, if fewer) are done, writing the model file to `url` after each epoch.
    ///
    /// - Returns: false when stopped by Ctrl-C (after saving a mid-epoch checkpoint), true when finished.
    /// - Throws: `TrainingError` when the loss becomes NaN or infinite (the file keeps the last good epoch).
    @discardableResult
    public func train(saveTo url: URL, until lastEpoch: Int? = nil, progress: ProgressReporter? = nil,
                      log: (String) -> Void = { print($0) }) throws -> Bool {
        let inputs = Tensor(shape: [0])
        var labels: [Int32] = []
        let batches = iterator.batchesPerEpoch
        if let previous = resumedFromInstructionSet, previous != InstructionSet.active.rawValue {
            log("note: \(url.path) was trained on the \(previous) path and continues on \(InstructionSet.active): "
                + "the run goes on correctly, but not bit for bit as an unbroken run on one path would")
        }
        while epochsCompleted < min(recipe.epochs, lastEpoch ?? recipe.epochs) {
            let epoch = epochsCompleted
            network.setTraining(true)
            progress?.begin("epoch \(epoch + 1)/\(recipe.epochs)", total: data.train.count, unit: "img", done: partial.seen)
            var lr = recipe.schedule.rate(base: recipe.learningRate, epoch: Double(epoch))
            var clockStart = monotonicSeconds()
            while true {
                let batchIndex = iterator.batchIndex
                guard iterator.next(into: inputs, labels: &labels) else { break }
                lr = recipe.schedule.rate(base: recipe.learningRate, epoch: Double(epoch) + Double(batchIndex) / Double(batches))
                optimizer.learningRate = Float(lr)
                if let parallel {
                    let (parts, stop) = try dataParallelStep(parallel, inputs: inputs, labels: labels, step: optimizer.stepCount)
                    let value = parts.reduce(0.0) { $0 + $1.lossSum } / Double(max(labels.count, 1))
                    guard value.isFinite else {
                        progress?.end()
                        throw TrainingError(description: "the loss became \(value) at epoch \(epoch + 1), batch \(batchIndex + 1); "
                                            + "stopped. \(url.path) keeps the weights of the last finished epoch (\(epochsCompleted)). "
                                            + "A lower learning rate (now \(recipe.learningRate)) usually helps.")
                    }
                    optimizer.step()
                    for part in parts { partial.lossSum += part.lossSum; partial.wrong += part.wrong; partial.seen += part.count }
                    progress?.update(done: partial.seen, status: String(format: "loss %.4f", partial.lossSum / Double(max(partial.seen, 1))))
                    if stop {
                        partial.seconds += monotonicSeconds() - clockStart
                        progress?.end()
                        if writesFiles { try save(to: url) }
                        log("stopped at epoch \(epoch + 1), image \(partial.seen) of \(data.train.count); saved \(url.path); resume with --resume")
                        return false
                    }
                    continue
                }
                network.zeroGradients()
                let logits = try network.forward(inputs)
                let value = try loss.loss(logits: logits, targets: labels)
                guard value.isFinite else {
                    progress?.end()
                    // Name the file only when it exists: before the first save there is none.
                    let kept = FileManager.default.fileExists(atPath: url.path)
                        ? "\(url.path) keeps the weights of the last finished epoch (\(epochsCompleted))."
                        : "No model file was written (\(url.path) does not exist)."
                    throw TrainingError(description: "the loss became \(value) at epoch \(epoch + 1), batch \(batchIndex + 1); "
                                        + "stopped. \(kept) A lower learning rate (now \(recipe.learningRate)) usually helps.")
                }
                _ = try network.backward(loss.gradient)
                if batchIndex < GradientNormLog.batchesPerEpoch, GradientNormLog.recordedEpochs(of: recipe.epochs).contains(epoch + 1) {
                    gradientNorms.record(epoch: epoch + 1, network: network)
                }
                optimizer.step()
                partial.lossSum += Double(value) * Double(labels.count)
                partial.wrong += countWrong(logits: logits, labels: labels)
                partial.seen += labels.count
                progress?.update(done: partial.seen, status: String(format: "loss %.4f", partial.lossSum / Double(max(partial.seen, 1))))
                if Interrupt.requested {
                    partial.seconds += monotonicSeconds() - clockStart
                    progress?.end()
                    try save(to: url)
                    log("stopped at epoch \(epoch + 1), image \(partial.seen) of \(data.train.count); saved \(url.path); resume with --resume")
                    return false
                }
            }
            partial.seconds += monotonicSeconds() - clockStart
            progress?.end()
            clockStart = monotonicSeconds()
            var record = try evaluate(epoch: epoch, lr: lr)
            if let parallel, parallel.size > 1 {
                // Rank 0 evaluates; the others take its numbers.
                var numbers = record.numbers
                try parallel.collective.broadcast(&numbers)
                record = EpochRecord(numbers: numbers)
            }
            history.append(record)
            partial = PartialEpoch()
            if writesFiles { try save(to: url) }
            log(Self.describe(record, of: recipe.epochs))
        }
        return true
    }

    /// The epoch's record: its training sums and, on rank 0 (or alone), validation and test numbers.
    private func evaluate(epoch: Int, lr: Double) throws -> EpochRecord {
        var validation: Evaluation?, test: Evaluation?
        if writesFiles {
            validation = try data.validation.map {
                try Evaluation(network: network, dataset: $0, normalization: data.normalization, classes: spec.classes, keepMistakes: 0)
            }
            test = try Evaluation(network: network, dataset: data.test, normalization: data.normalization, classes: spec.classes, keepMistakes: 0)
        }
        return EpochRecord(epoch: epoch + 1, trainLoss: partial.lossSum / Double(max(partial.seen, 1)),
                           trainError: Double(partial.wrong) / Double(max(partial.seen, 1)),
                           validationLoss: validation?.loss, validationError: validation?.error,
                           testLoss: test?.loss ?? .nan, testError: test?.error ?? .nan, testTop5Error: test?.top5Error, learningRate: lr,
                           seconds: partial.seconds, imagesPerSecond: Double(partial.seen) / max(partial.seconds, 1e-9))
    }

    /// "epoch 3/10: train loss 0.0812 error 2.41%, val ..., test loss 0.0441 error 1.38%, 6.1 s, 9021 img/s".
    public static func describe(_ r: EpochRecord, of epochs: Int) -> String {
        var s = String(format: "epoch %d/%d: train loss %.4f error %.2f%%", r.epoch, epochs, r.trainLoss, r.trainError * 100)
        if let vl = r.validationLoss, let ve = r.validationError { s += String(format: ", val loss %.4f error %.2f%%", vl, ve * 100) }
        s += String(format: ", test loss %.4f error %.2f%%", r.testLoss, r.testError * 100)
        if let t5 = r.testTop5Error { s += String(format: " (top-5 %.2f%%)", t5 * 100) }
        s += String(format: ", lr %.4g, %.1f s, %.0f img/s", r.learningRate, r.seconds, r.imagesPerSecond)
        return s
    }

    // MARK: - Model files

    /// Writes the model, optimizer, history and resume state to `url` atomically.
    public func save(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var dropout: [String: [UInt64]] = [:]
        network.forEachLayer { visit in if let d = visit.layer as? Dropout { dropout[visit.path] = d.generator.state } }
        let resume = ResumeState(source: source, iterator: iterator.state, partial: partial, dropoutGenerators: dropout)
        let paths = network.namedParameters.map(\.path)
        var state: [String: [Float]] = [:]
        for (key, values) in optimizer.state {
            // "momentum.3" -> "momentum/C3/weight": slots named after their parameter, for h5py readers.
            let parts = key.split(separator: ".")
            if parts.count == 2, let i = Int(parts[1]), i < paths.count { state["\(parts[0])/\(paths[i])"] = values }
        }
        var hyper: [String: Double] = ["learning_rate": Double(optimizer.learningRate), "weight_decay": recipe.weightDecay]
        if recipe.optimizer == .sgd { hyper["momentum"] = recipe.momentum; hyper["nesterov"] = recipe.nesterov ? 1 : 0 }
        var meta = metadata
        meta["toolkit_version"] = CNNBenchVersion.current
        meta["created"] = ISO8601DateFormatter().string(from: Date())
        meta["host_cpu"] = cpuModelName()
        meta["threads"] = String(Parallel.threadCount)
        meta["instruction_set"] = InstructionSet.active.rawValue
        meta["gemm"] = GEMMBackend.current.description
        meta["seed"] = String(recipe.seed)
        meta[DataSource.metadataKey] = String(decoding: try encoder.encode(source), as: UTF8.self)
        meta[GradientNormLog.metadataKey] = String(decoding: try encoder.encode(gradientNorms), as: UTF8.self)
        let contents = ModelFileContents(
            model: spec.name, architectureJSON: String(decoding: try encoder.encode(spec), as: UTF8.self),
            inputShape: spec.inputShape, classes: spec.classes,
            weights: network.namedParameters.map { ($0.path, $0.parameter.value) },
            buffers: network.namedBuffers.map { ($0.path, $0.parameter.value) },
            optimizer: OptimizerRecord(kind: recipe.optimizer.rawValue, stepCount: optimizer.stepCount, hyperparameters: hyper, state: state),
            history: Self.columns(history),
            training: TrainingRecord(epochsCompleted: history.count, recipeJSON: String(decoding: try encoder.encode(recipe), as: UTF8.self),
                                     iteratorJSON: String(decoding: try encoder.encode(resume), as: UTF8.self), generatorState: iterator.state.generatorState),
            dataset: DatasetRecord(name: data.train.collectionName, classNames: data.train.classNames,
                                   normalizationMean: data.normalization.mean.map(Double.init),
                                   normalizationStd: data.normalization.standardDeviation.map(Double.init)),
            metadata: meta)
        try ModelFile.write(contents, to: url)
    }

    /// The history as columns a plotting script reads directly (NaN where a value is absent).
    static func columns(_ history: [EpochRecord]) -> [String: [Double]] {
        var c: [String: [Double]] = [:]
        func column(_ name: String, _ value: (EpochRecord) -> Double?) { c[name] = history.map { value($0) ?? .nan } }
        column("epoch") { Double($0.epoch) }
        column("train_loss") { $0.trainLoss }
        column("train_error") { $0.trainError }
        column("val_loss") { $0.validationLoss }
        column("val_error") { $0.validationError }
        column("test_loss") { $0.testLoss }
        column("test_error") { $0.testError }
        column("test_top5_error") { $0.testTop5Error }
        column("learning_rate") { $0.learningRate }
        column("seconds") { $0.seconds }
        column("images_per_second") { $0.imagesPerSecond }
        return c
    }

    /// Reads a model file and checks that `request` may continue it, without loading data or building the network.
    /// - Returns: The file's contents and architecture, its resume state, and the recipe and data to continue with.
    /// - Throws: As `resume(from:request:)`.
    static func checkResumable(_ url: URL, request: ResumeRequest)
        throws -> (contents: ModelFileContents, spec: ModelSpec, state: ResumeState, recipe: TrainingRecipe, source: DataSource) {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw TrainingError(description: "\(url.path): nothing to resume (no such file); start the run without --resume")
        }
        let contents = try ModelFile.read(from: url)
        guard let training = contents.training else {
            throw TrainingError(description: "\(url.path): holds no training state to resume (written by an export or import?)")
        }
        let decoder = JSONDecoder()
        let stored: TrainingRecipe
        let state: ResumeState
        do {
            stored = try decoder.decode(TrainingRecipe.self, from: Data(training.recipeJSON.utf8))
            state = try decoder.decode(ResumeState.self, from: Data(training.iteratorJSON.utf8))
        } catch {
            throw StoreError(.corrupt, file: url.path, objectPath: "/training", reason: "the stored training state cannot be read: \(error)")
        }
        let spec = try contents.architecture(file: url.path)
        let (recipe, source) = try checkResume(contents, stored: stored, source: state.source, request: request, file: url.path)
        try ModelFile.checkArchitecture(spec, against: contents, file: url.path)
        return (contents, spec, state, recipe, source)
    }

    /// Continues a run from its model file: same weights, optimizer state, data order and history.
    /// - Parameter request: The model, data set and recipe asked for; each must match the stored run
    ///   (the epochs may grow, never fall below those done).
    /// - Throws: `StoreError` for a bad file; `TrainingError` when the file holds no training state or
    ///   the request differs from the stored run (naming every difference).
    public static func resume(from url: URL, request: ResumeRequest = ResumeRequest()) throws -> TrainingRun {
        let (contents, spec, resume, recipe, source) = try checkResumable(url, request: request)
        let network = try spec.build()
        try ModelFile.load(contents, into: network, file: url.path)
        let data = try PreparedData(source: source, modelInput: spec.inputShape, recipe: recipe)
        let run = try TrainingRun(spec: spec, recipe: recipe, source: source, data: data, network: network)
        let paths = network.namedParameters.map(\.path)
        if let record = contents.optimizer {
            var state: [String: [Float]] = [:]
            for (key, values) in record.state {
                guard let slash = key.firstIndex(of: "/"), let i = paths.firstIndex(of: String(key[key.index(after: slash)...])) else { continue }
                state["\(key[..<slash]).\(i)"] = values
            }
            do { try run.optimizer.restore(state: state, stepCount: record.stepCount) } catch {
                throw StoreError(.wrongShape, file: url.path, objectPath: "/optimizer", reason: "optimizer state does not fit the model: \(error)")
            }
        }
        try run.iterator.restore(resume.iterator)
        run.partial = resume.partial
        network.forEachLayer { visit in
            if let d = visit.layer as? Dropout, let state = resume.dropoutGenerators[visit.path] { d.generator = SeededGenerator(state: state) }
        }
        run.history = Checkpoint.records(from: contents.history)
        if let commandLine = contents.metadata["command_line"] { run.metadata["command_line"] = commandLine }
        if let json = contents.metadata[GradientNormLog.metadataKey],
           let log = try? JSONDecoder().decode(GradientNormLog.self, from: Data(json.utf8)) {
            run.gradientNorms = log
        }
        run.resumedFromInstructionSet = contents.metadata["instruction_set"]
        run.resumedMetadata = contents.metadata
        return run
    }
}

/// The toolkit's version, recorded in every file it writes.
public enum CNNBenchVersion {
    public static let current = "0.1.0"
}
