// Training recipes: the hyperparameters of a run, with sensible defaults per model (the recipe of
// its paper where one exists, shortened to what a 2-core machine can run).
import CNNEngine
import Foundation

/// How a model is trained: optimizer, learning rate and its schedule, batches, epochs, augmentation, seed.
public struct TrainingRecipe: Codable, Equatable, Sendable {
    public enum OptimizerKind: String, Codable, Sendable, CaseIterable { case sgd, adam, adamw }

    public var epochs: Int
    public var batchSize: Int
    public var optimizer: OptimizerKind
    public var learningRate: Double
    public var momentum: Double
    public var nesterov: Bool
    public var weightDecay: Double
    public var schedule: LearningRateSchedule
    /// Random crops (with zero padding) and horizontal flips.
    public var augment: Bool
    public var labelSmoothing: Double
    public var seed: UInt64
    /// Images held out of the training set, by the seed, for validation.
    public var validationCount: Int
    /// Train on only the first N training images (quick runs), or nil for all.
    public var trainLimit: Int?
    /// Images shrunk by this factor before training and testing, each output pixel the mean of a
    /// factor x factor block (2: Fashion-MNIST's 28x28 as 14x14, a quarter of the arithmetic), or nil for full size.
    public var downsample: Int?
    /// Start every residual block as the identity: the scale (gamma) of the last batch norm in each
    /// block with a shortcut set to zero (Goyal et al. 2017; torchvision's `zero_init_residual`).
    /// Plain blocks have no shortcut and are untouched.
    public var zeroInitResidual: Bool

    public init(epochs: Int = 10, batchSize: Int = 64, optimizer: OptimizerKind = .sgd, learningRate: Double = 0.05,
                momentum: Double = 0.9, nesterov: Bool = false, weightDecay: Double = 0, schedule: LearningRateSchedule = .init(),
                augment: Bool = false, labelSmoothing: Double = 0, seed: UInt64 = 0, validationCount: Int = 5000, trainLimit: Int? = nil, downsample: Int? = nil,
                zeroInitResidual: Bool = false) {
        self.epochs = epochs; self.batchSize = batchSize; self.optimizer = optimizer; self.learningRate = learningRate
        self.momentum = momentum; self.nesterov = nesterov; self.weightDecay = weightDecay; self.schedule = schedule
        self.augment = augment; self.labelSmoothing = labelSmoothing; self.seed = seed
        self.validationCount = validationCount; self.trainLimit = trainLimit; self.downsample = downsample
        self.zeroInitResidual = zeroInitResidual
    }

    /// Decodes a stored recipe; files written before a field existed get its default.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        epochs = try c.decode(Int.self, forKey: .epochs)
        batchSize = try c.decode(Int.self, forKey: .batchSize)
        optimizer = try c.decode(OptimizerKind.self, forKey: .optimizer)
        learningRate = try c.decode(Double.self, forKey: .learningRate)
        momentum = try c.decode(Double.self, forKey: .momentum)
        nesterov = try c.decode(Bool.self, forKey: .nesterov)
        weightDecay = try c.decode(Double.self, forKey: .weightDecay)
        schedule = try c.decode(LearningRateSchedule.self, forKey: .schedule)
        augment = try c.decode(Bool.self, forKey: .augment)
        labelSmoothing = try c.decode(Double.self, forKey: .labelSmoothing)
        seed = try c.decode(UInt64.self, forKey: .seed)
        validationCount = try c.decode(Int.self, forKey: .validationCount)
        trainLimit = try c.decodeIfPresent(Int.self, forKey: .trainLimit)
        downsample = try c.decodeIfPresent(Int.self, forKey: .downsample)
        zeroInitResidual = try c.decodeIfPresent(Bool.self, forKey: .zeroInitResidual) ?? false
    }

    /// The default recipe for a zoo model.
    ///
    /// - LeNet-5, logreg, MLP: SGD, lr 0.05, momentum 0.9, weight decay 5e-4, cosine decay, batch 64, 10 epochs.
    /// - CIFAR ResNets and plain nets (He et al. 2015): SGD, lr 0.1, momentum 0.9, weight decay 1e-4,
    ///   batch 128, lr divided by 10 at 50% and 75% of training, crops and flips; 30 epochs rather than 164.
    /// - VGG and AlexNet on small images: SGD, lr 0.05 (AlexNet 0.01), momentum 0.9, weight decay 5e-4, cosine, batch 128, crops and flips.
    public static func defaults(for model: String) -> TrainingRecipe {
        let name = model.lowercased()
        if name.hasPrefix("resnet") || name.hasPrefix("plain") {
            let epochs = 30
            return TrainingRecipe(epochs: epochs, batchSize: 128, learningRate: 0.1, weightDecay: 1e-4,
                                  schedule: .init(.multiStep(milestones: [epochs / 2, epochs * 3 / 4], gamma: 0.1)), augment: true)
        }
        if name.hasPrefix("vgg") || name.hasPrefix("alexnet") {
            let epochs = 30
            return TrainingRecipe(epochs: epochs, batchSize: 128, learningRate: name.hasPrefix("alexnet") ? 0.01 : 0.05,
                                  weightDecay: 5e-4, schedule: .init(.cosine(epochs: epochs, minimum: 0)), augment: true)
        }
        return TrainingRecipe(epochs: 10, batchSize: 64, learningRate: 0.05, weightDecay: 5e-4,
                              schedule: .init(.cosine(epochs: 10, minimum: 0)))
    }

    /// The recipe with its schedule stretched to `epochs` (milestones and cosine length scale with it).
    public func withEpochs(_ newEpochs: Int) -> TrainingRecipe {
        var r = self
        r.epochs = newEpochs
        switch schedule.decay {
        case .cosine(_, let minimum): r.schedule.decay = .cosine(epochs: newEpochs, minimum: minimum)
        case .multiStep(let milestones, let gamma) where epochs > 0:
            r.schedule.decay = .multiStep(milestones: milestones.map { max(1, Int((Double($0) * Double(newEpochs) / Double(epochs)).rounded())) }, gamma: gamma)
        default: break
        }
        return r
    }

    /// The recipe as it applies to `network`: zero-initialised residual branches only where it has a
    /// shortcut (a plain net's recipe records that nothing was zeroed).
    public func fitted(to network: any Layer) -> TrainingRecipe {
        var r = self
        r.zeroInitResidual = zeroInitResidual && network.hasResidualShortcut
        return r
    }

    /// Checks the numbers a user can get wrong.
    /// - Throws: `ConfigurationError` naming the first bad value.
    public func validate() throws {
        guard epochs >= 1 else { throw ConfigurationError("epochs must be at least 1, got \(epochs)") }
        guard batchSize >= 1 else { throw ConfigurationError("batch size must be at least 1, got \(batchSize)") }
        guard learningRate > 0, learningRate.isFinite else { throw ConfigurationError("learning rate must be positive, got \(learningRate)") }
        guard momentum >= 0, momentum < 1 else { throw ConfigurationError("momentum must be in [0, 1), got \(momentum)") }
        guard weightDecay >= 0 else { throw ConfigurationError("weight decay must not be negative, got \(weightDecay)") }
        guard schedule.warmupEpochs >= 0, schedule.warmupEpochs.isFinite else {
            throw ConfigurationError("warm-up must be 0 or more epochs, got \(schedule.warmupEpochs)")
        }
        guard labelSmoothing >= 0, labelSmoothing < 1 else { throw ConfigurationError("label smoothing must be in [0, 1), got \(labelSmoothing)") }
        guard validationCount >= 0 else { throw ConfigurationError("validation count must not be negative, got \(validationCount)") }
        if let trainLimit, trainLimit < 1 { throw ConfigurationError("train limit must be at least 1, got \(trainLimit)") }
        if let downsample, downsample < 1 { throw ConfigurationError("downsampling factor must be at least 1, got \(downsample)") }
    }
}

/// The recipe values a user sets: a suite's run keys or `cnnbench train`'s options, each nil when not
/// given. Both front ends parse their own syntax into this and apply it the one way, `applied(to:)`.
public struct RecipeOverrides: Sendable, Equatable {
    public var epochs: Int?
    public var batchSize: Int?
    public var optimizer: TrainingRecipe.OptimizerKind?
    public var learningRate: Double?
    public var momentum: Double?
    public var nesterov: Bool?
    public var weightDecay: Double?
    /// A schedule as `LearningRateSchedule.Decay.parse` reads it (`cosine`, `multistep:12,18:0.1`).
    public var schedule: String?
    public var warmupEpochs: Double?
    public var augment: Bool?
    public var labelSmoothing: Double?
    public var seed: UInt64?
    public var validationCount: Int?
    public var trainLimit: Int?
    /// 1 for full size.
    public var downsample: Int?
    public var zeroInitResidual: Bool?

    public init() {}

    /// An override that could not be applied, with the key a user wrote it under.
    public struct Failure: Error, CustomStringConvertible {
        /// `schedule` for a schedule that does not parse; nil when the recipe as a whole fails `validate()`.
        public var key: String?
        public var description: String
    }

    /// `base` with every value given: epochs first (stretching the schedule's milestones), then the schedule,
    /// parsed for those epochs, then the rest.
    /// - Throws: `Failure` for a schedule that does not parse or a recipe that fails `validate()`.
    public func applied(to base: TrainingRecipe) throws -> TrainingRecipe {
        var r = base
        if let epochs { r = r.withEpochs(epochs) }
        if let batchSize { r.batchSize = batchSize }
        if let optimizer { r.optimizer = optimizer }
        if let learningRate { r.learningRate = learningRate }
        if let momentum { r.momentum = momentum }
        if let nesterov { r.nesterov = nesterov }
        if let weightDecay { r.weightDecay = weightDecay }
        if let schedule {
            do { r.schedule.decay = try LearningRateSchedule.Decay.parse(schedule, epochs: r.epochs) } catch {
                throw Failure(key: "schedule", description: "\(error)")
            }
        }
        if let warmupEpochs { r.schedule.warmupEpochs = warmupEpochs }
        if let augment { r.augment = augment }
        if let labelSmoothing { r.labelSmoothing = labelSmoothing }
        if let seed { r.seed = seed }
        if let validationCount { r.validationCount = validationCount }
        if let trainLimit { r.trainLimit = trainLimit }
        if let downsample { r.downsample = downsample == 1 ? nil : downsample }
        if let zeroInitResidual { r.zeroInitResidual = zeroInitResidual }
        do { try r.validate() } catch { throw Failure(key: nil, description: "\(error)") }
        return r
    }
}

extension TrainingRecipe.OptimizerKind {
    /// `sgd`, `adam` or `adamw` in any case.
    /// - Throws: `ConfigurationError` saying which names there are.
    public static func named(_ name: String) throws -> Self {
        guard let kind = Self(rawValue: name.lowercased()) else {
            throw ConfigurationError("optimizer must be sgd, adam or adamw, got \"\(name)\"")
        }
        return kind
    }
}
