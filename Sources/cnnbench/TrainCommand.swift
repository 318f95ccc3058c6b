import ArgumentParser
import CNNBench
import CNNData
import CNNEngine
import Foundation

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a zoo model on a data set; writes OUT/model.h5 after every epoch.",
        discussion: """
        Defaults follow each model's paper where one exists (see `cnnbench train MODEL --help` and the README).
        Ctrl-C stops after saving; --resume continues from OUT/model.h5 to the same numbers as an unbroken run.
        Examples: cnnbench train lenet5 --dataset mnist
                  cnnbench train resnet20 --dataset fashion-mnist --epochs 15 --threads 2
                  cnnbench train lenet5 --dataset mnist --out runs/lenet5 --resume
        """)

    @Argument(help: "A zoo model (see `cnnbench models`).")
    var model: String

    @Option(help: "mnist, fashion-mnist, cifar10, or a folder with train/<class>/*.png and test/<class>/*.png (default: mnist).")
    var dataset: String?

    @Option(help: "Where the data set's files are (default: datasets/mnist, /usr/share/datasets/fashion-mnist).")
    var dataDir: String?

    @Option(help: "Output folder for model.h5 (default: runs/MODEL-DATASET).")
    var out: String?

    @Flag(help: "Continue the run in OUT/model.h5 (same model, data set and recipe; --epochs may extend it).")
    var resume = false

    @Flag(help: "Replace a model already in OUT/model.h5 (it is never replaced otherwise).")
    var overwrite = false

    @Option(parsing: .unconditional, help: "Epochs.") var epochs: Int?
    @Option(parsing: .unconditional, help: "Images per batch.") var batchSize: Int?
    @Option(parsing: .unconditional, help: "sgd, adam or adamw.") var optimizer: String?
    @Option(parsing: .unconditional, help: "Base learning rate.") var lr: Double?
    @Option(parsing: .unconditional, help: "SGD momentum.") var momentum: Double?
    @Flag(help: "Nesterov momentum.") var nesterov = false
    @Option(parsing: .unconditional, help: "Weight decay (L2 for sgd/adam, decoupled for adamw).") var weightDecay: Double?
    @Option(parsing: .unconditional, help: "constant, cosine, step:EPOCHS:GAMMA or multistep:E1,E2:GAMMA.") var schedule: String?
    @Option(parsing: .unconditional, help: "Epochs of linear learning-rate warm-up.") var warmup: Double?
    @Option(parsing: .unconditional, help: "Random crops and flips: on or off (default: the model's recipe).") var augment: String?
    @Option(parsing: .unconditional, help: "Label smoothing epsilon.") var labelSmoothing: Double?
    @Option(parsing: .unconditional, help: "Seed of initialisation, split, order and augmentation.") var seed: UInt64?
    @Option(parsing: .unconditional, help: "Training images held out for validation.") var validation: Int?
    @Option(parsing: .unconditional, help: "Train on the first N training images only (quick runs).") var trainLimit: Int?
    @OptionGroup var threads: ThreadOptions

    /// The default recipe of the model with the options given.
    func recipe() throws -> TrainingRecipe { try applyingOptions(to: TrainingRecipe.defaults(for: model)) }

    /// `base` with every recipe option given on the command line applied.
    func applyingOptions(to base: TrainingRecipe) throws -> TrainingRecipe {
        var r = base
        if let epochs { r = r.withEpochs(epochs) }
        if let batchSize { r.batchSize = batchSize }
        if let optimizer {
            guard let kind = TrainingRecipe.OptimizerKind(rawValue: optimizer.lowercased()) else {
                throw ValidationError("--optimizer must be sgd, adam or adamw, got \"\(optimizer)\"")
            }
            r.optimizer = kind
        }
        if let lr { r.learningRate = lr }
        if let momentum { r.momentum = momentum }
        if nesterov { r.nesterov = true }
        if let weightDecay { r.weightDecay = weightDecay }
        if let schedule {
            do { r.schedule.decay = try LearningRateSchedule.Decay.parse(schedule, epochs: r.epochs) } catch {
                throw ValidationError("--schedule: \(error)")
            }
        }
        if let warmup { r.schedule.warmupEpochs = warmup }
        if let augment {
            switch augment.lowercased() {
            case "on", "true", "yes": r.augment = true
            case "off", "false", "no": r.augment = false
            default: throw ValidationError("--augment must be on or off, got \"\(augment)\"")
            }
        }
        if let labelSmoothing { r.labelSmoothing = labelSmoothing }
        if let seed { r.seed = seed }
        if let validation { r.validationCount = validation }
        if let trainLimit { r.trainLimit = trainLimit }
        do { try r.validate() } catch { throw ValidationError("\(error)") }
        return r
    }

    func validate() throws {
        if resume && overwrite { throw ValidationError("--resume and --overwrite exclude each other: continue the stored run, or replace it") }
        _ = try recipe()
    }

    func run() throws {
        threads.apply()
        let name = dataset ?? "mnist"
        let source = DataSource(name: name, directory: dataDir)
        let folder = URL(fileURLWithPath: out ?? "runs/\(model)-\(name.replacingOccurrences(of: "/", with: "_"))")
        let file = folder.appendingPathComponent("model.h5")
        try TrainingRun.checkOutput(file, policy: resume ? .resume : overwrite ? .overwrite : .refuse)
        let training: TrainingRun
        if resume {
            let request = ResumeRequest(model: model, source: dataset != nil || dataDir != nil ? DataSource(name: dataset ?? "", directory: dataDir) : nil,
                                        recipe: { try applyingOptions(to: $0) })
            training = try TrainingRun.resume(from: file, request: request)
            if training.epochsCompleted >= training.recipe.epochs {
                print("\(file.path) already holds all \(training.recipe.epochs) epochs; nothing to train (ask for more with --epochs)")
            } else {
                print("resuming \(file.path) at epoch \(training.epochsCompleted + 1) of \(training.recipe.epochs)")
            }
        } else {
            training = try TrainingRun(model: model, source: source, recipe: try recipe())
            print("training \(training.spec.name) (\(training.network.parameterCount) parameters) on \(training.data.train.name): "
                  + "\(training.data.train.count) train, \(training.data.validation?.count ?? 0) validation, \(training.data.test.count) test images; "
                  + "\(Parallel.threadCount) thread(s)")
        }
        let commandLine = CommandLine.arguments.joined(separator: " ")
        // A resumed run keeps the command that started it and adds the one that continued it.
        training.metadata["command_line"] = training.metadata["command_line"].map { "\($0); resumed: \(commandLine)" } ?? commandLine
        Interrupt.install()
        if try training.train(saveTo: file, progress: ProgressReporter()) {
            if let last = training.history.last {
                print(String(format: "done: test error %.2f%% after %d epochs; model file %@", last.testError * 100, last.epoch, file.path))
            }
        } else {
            throw ExitCode(130)
        }
    }
}
