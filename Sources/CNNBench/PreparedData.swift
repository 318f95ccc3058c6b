import CNNData
import CNNEngine
import CNNRuns
import Foundation

/// Train, validation and test sets ready for a model: padded to its input and split by the seed.
public struct PreparedData: Sendable {
    public var train: Dataset
    public var validation: Dataset?
    public var test: Dataset
    public var normalization: Normalization
    /// The sample shape the model is built for, [C, H, W].
    public var inputShape: [Int]

    /// Loads `source`, shrinks images by the recipe's downsampling factor (the shrunk size is then the model's
    /// input) or else pads them up to `modelInput` where `Preprocessing.pads` says (MNIST 28x28 for a 32x32 LeNet-5),
    /// holds out the validation images and applies the train limit.
    public init(source: DataSource, modelInput: [Int], recipe: TrainingRecipe) throws {
        var (train, test) = try source.load()
        train = try Preprocessing.fitted(train, downsample: recipe.downsample, to: modelInput)
        test = try Preprocessing.fitted(test, downsample: recipe.downsample, to: modelInput)
        normalization = source.normalization(for: train)
        guard recipe.validationCount < train.count else {
            throw ConfigurationError("--validation must be below the \(train.count) training images of \(train.name), got \(recipe.validationCount); "
                                     + "0 holds none out")
        }
        if recipe.validationCount > 0 {
            let parts = try train.split(validationCount: recipe.validationCount, seed: recipe.seed)
            train = parts.training
            validation = parts.validation
        }
        if let limit = recipe.trainLimit, limit < train.count {
            train = train.subset(Array(0..<limit))
        }
        self.train = train
        self.test = test
        inputShape = train.imageShape
    }
}
