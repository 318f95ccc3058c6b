import ArgumentParser
import CNNBench
import CNNEngine
import CNNMPI
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
        --distributed shares every batch among the ranks of `mpirun -np P` (a build with
        `swift build --traits MPI`): each global batch is --micro-batches S parts (a power of two that P
        divides) whose gradients are summed in a fixed tree, so any P gives the weights of one process
        (`cnnbench train --distributed` alone); rank 0 writes the model file; --resume works with any P.
                  mpirun -np 2 cnnbench train lenet5 --distributed --threads 1 --out runs/lenet5-mpi
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
    @Option(parsing: .unconditional, help: "Shrink the images by this factor (2: 28x28 as 14x14), each pixel the mean of a block.") var downsample: Int?
    @Flag(help: "Start each residual block as the identity (last batch-norm scale of its branch zero; Goyal et al. 2017).")
    var zeroInitResidual = false
    @Flag(help: "Share every batch among the ranks of mpirun (build with --traits MPI); alone, the one-process reference.")
    var distributed = false
    @Option(parsing: .unconditional, help: "With --distributed: micro-batches per batch, a power of two that the number of ranks divides (default 8, or the resumed run's).")
    var microBatches: Int?
    @OptionGroup var threads: ThreadOptions

    /// The default recipe of the model with the options given.
    func recipe() throws -> TrainingRecipe { try applyingOptions(to: TrainingRecipe.defaults(for: model)) }

    /// `base` with every recipe option given on the command line applied.
    func applyingOptions(to base: TrainingRecipe) throws -> TrainingRecipe {
        var o = RecipeOverrides()
        o.epochs = epochs; o.batchSize = batchSize; o.learningRate = lr; o.momentum = momentum
        o.nesterov = nesterov ? true : nil; o.weightDecay = weightDecay; o.schedule = schedule; o.warmupEpochs = warmup
        o.labelSmoothing = labelSmoothing; o.seed = seed; o.validationCount = validation; o.trainLimit = trainLimit
        o.downsample = downsample; o.zeroInitResidual = zeroInitResidual ? true : nil
        do {
            o.optimizer = try optimizer.map { try .named($0) }
            if let augment {
                switch augment.lowercased() {
                case "on", "true", "yes": o.augment = true
                case "off", "false", "no": o.augment = false
                default: throw ConfigurationError("--augment must be on or off, got \"\(augment)\"")
                }
            }
            return try o.applied(to: base)
        } catch let failure as RecipeOverrides.Failure {
            throw ValidationError((failure.key.map { "--\($0): " } ?? "") + failure.description)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    func validate() throws {
        if resume && overwrite { throw ValidationError("--resume and --overwrite exclude each other: continue the stored run, or replace it") }
        _ = try recipe()
        if microBatches != nil && !distributed { throw ValidationError("--micro-batches goes with --distributed") }
    }

    func run() throws {
        guard distributed else { return try train(parallel: nil) }
        #if MPI
        let world = try MPIWorld()
        let collective = MPICollective(world)
        do { try train(parallel: collective) } catch let stop as ExitCode {
            // Stopped on request: every rank agreed on the step and rank 0 saved.
            world.finish()
            throw stop
        } catch {
            if world.size > 1 {
                // The other ranks would wait for this one forever: end them all, with the reason.
                FileHandle.standardError.write(Data("cnnbench rank \(world.rank) of \(world.size): error: \(error)\n".utf8))
                world.abort(code: 1)
            }
            throw error
        }
        world.finish()
        #else
        let environment = ProcessInfo.processInfo.environment
        if let size = environment["OMPI_COMM_WORLD_SIZE"] ?? environment["PMI_SIZE"], (Int(size) ?? 1) > 1 {
            throw ValidationError("this cnnbench was built without MPI, so its \(size) copies cannot share batches: "
                                  + "build it with `swift build -c release --traits MPI` (needs libopenmpi-dev)")
        }
        try train(parallel: SingleProcess())
        #endif
    }

    func train(parallel collective: (any Collective)?) throws {
        threads.apply()
        if let collective, collective.size > 1 {
            FileHandle.standardError.write(Data("rank \(collective.rank) of \(collective.size): pid \(ProcessInfo.processInfo.processIdentifier) on \(RunLock.hostName)\n".utf8))
        }
        let job = TrainingJob(model: model, dataset: dataset, dataDirectory: dataDir, out: out,
                              policy: resume ? .resume : overwrite ? .overwrite : .refuse,
                              overrides: { try applyingOptions(to: $0) }, microBatches: microBatches,
                              commandLine: CommandLine.arguments.joined(separator: " "))
        // Stopped by Ctrl-C or SIGTERM after saving: the shell's status for an interrupt.
        guard try job.run(collective: collective, progress: ProgressReporter(), say: { print($0) }) else { throw ExitCode(130) }
    }
}
