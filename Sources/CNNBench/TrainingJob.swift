// What `cnnbench train` does once its options are parsed: start or resume one run, share its batches among
// the ranks of a collective, train it to its file and say what happened. The executable only parses and calls this.
import CNNData
import CNNEngine
import CNNRuns
import Foundation

/// One `cnnbench train` run: a zoo model on a data set, into `folder/model.h5`.
public struct TrainingJob {
    public var model: String
    /// The data set as the user named it (nil: MNIST, or the resumed run's).
    public var dataset: String?
    public var dataDirectory: String?
    /// The run's folder (`runs/MODEL-DATASET` by default).
    public var folder: URL
    /// What to do with a model file already there.
    public var policy: ExistingModelPolicy
    /// The user's recipe changes, applied to the model's default recipe (or, resuming, to the stored one).
    public var overrides: (TrainingRecipe) throws -> TrainingRecipe
    /// With a collective: micro-batches per batch (nil: 8, or the resumed run's).
    public var microBatches: Int?
    /// The command line, kept in the model file.
    public var commandLine: String

    public init(model: String, dataset: String?, dataDirectory: String?, out: String?, policy: ExistingModelPolicy,
                overrides: @escaping (TrainingRecipe) throws -> TrainingRecipe, microBatches: Int?, commandLine: String) {
        self.model = model; self.dataset = dataset; self.dataDirectory = dataDirectory
        let name = dataset ?? "mnist"
        folder = URL(fileURLWithPath: out ?? "runs/\(model)-\(name.replacingOccurrences(of: "/", with: "_"))")
        self.policy = policy; self.overrides = overrides; self.microBatches = microBatches; self.commandLine = commandLine
    }

    public var file: URL { folder.appendingPathComponent("model.h5") }

    /// Trains (rank 0 of `collective` writes the file and speaks through `say`).
    /// - Returns: false when stopped by Ctrl-C or SIGTERM after saving.
    /// - Throws: `ConfigurationError` for options that do not fit the run, and what training throws.
    public func run(collective: (any Collective)?, progress: ProgressReporter?, say: @escaping (String) -> Void) throws -> Bool {
        let rank = collective?.rank ?? 0
        func speak(_ line: String) { if rank == 0 { say(line) } }
        try TrainingRun.checkOutput(file, policy: policy)
        let training: TrainingRun
        if policy == .resume {
            let request = ResumeRequest(model: model, dataset: dataset.map(DatasetName.init), dataDirectory: dataDirectory,
                                        recipe: overrides)
            training = try TrainingRun.resume(from: file, request: request)
            if training.epochsCompleted >= training.recipe.epochs {
                speak("\(file.path) already holds all \(training.recipe.epochs) epochs; nothing to train (ask for more with --epochs)")
            } else {
                speak("resuming \(file.path) at epoch \(training.epochsCompleted + 1) of \(training.recipe.epochs)")
            }
        } else {
            let source = DataSource(name: dataset ?? "mnist", directory: dataDirectory)
            training = try TrainingRun(model: model, source: source, recipe: try overrides(TrainingRecipe.defaults(for: model)))
            speak("training \(training.spec.name) (\(training.network.parameterCount) parameters) on \(training.data.train.name): "
                  + "\(training.data.train.count) train, \(training.data.validation?.count ?? 0) validation, \(training.data.test.count) test images; "
                  + "\(Parallel.threadCount) thread(s)")
        }
        // A resumed run keeps the command that started it and adds the one that continued it.
        training.metadata["command_line"] = training.metadata["command_line"].map { "\($0); resumed: \(commandLine)" } ?? commandLine
        if let collective {
            let stored = training.resumedMetadata["micro_batches"].flatMap(Int.init)
            if let stored, let microBatches, stored != microBatches {
                throw ConfigurationError("\(file.path) was trained with --micro-batches \(stored); resume it with the same (any number of ranks that divides it)")
            }
            let parallel = try DataParallel(collective: collective, microBatches: microBatches ?? stored ?? 8)
            training.parallel = parallel
            training.metadata["micro_batches"] = String(parallel.microBatches)
            training.metadata["ranks"] = String(parallel.size)
            speak("data-parallel: \(parallel.size) rank(s), \(parallel.microBatches) micro-batches of each batch of \(training.recipe.batchSize)")
        }
        Interrupt.install()
        defer {
            if let parallel = training.parallel, parallel.size > 1, training.communication.steps > 0 {
                let (seconds, steps) = training.communication
                speak(String(format: "communication: %.2f s in %d steps, %.2f ms per step; each step rank 0 gathers and broadcasts %d bytes of gradient per rank",
                             seconds, steps, seconds * 1e3 / Double(steps), training.network.parameterCount * 4))
            }
        }
        guard try training.train(saveTo: file, progress: rank == 0 ? progress : nil, log: speak) else { return false }
        if let last = training.history.last {
            speak(String(format: "done: test error %.2f%% after %d epochs; model file %@", last.testError * 100, last.epoch, file.path))
        }
        return true
    }
}
