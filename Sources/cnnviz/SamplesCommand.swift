import ArgumentParser
import CNNFigures
import CNNRuns

/// `--dataset`, `--data-dir`, `--split` for the data figures.
struct DatasetOptions: ParsableArguments {
    @Option(help: "mnist, fashion-mnist, cifar10 or a folder with train/<class>/*.png and test/<class>/*.png.")
    var dataset = "mnist"

    @Option(help: "Where the data set's files are (default: datasets/mnist, /usr/share/datasets/fashion-mnist).")
    var dataDir: String?

    @Option(help: "train or test.")
    var split = "train"

    func validate() throws {
        guard ["train", "test"].contains(split) else { throw ValidationError("--split must be train or test, got \"\(split)\"") }
    }

    var source: DataSource { DataSource(name: dataset, directory: dataDir) }
}

struct SamplesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "samples",
        abstract: "F1: a grid of a data set's images, one row per class with its name.",
        discussion: """
        Examples: cnnviz samples
                  cnnviz samples --dataset fashion-mnist --per-class 12 --out figures/F1-fashion.pdf
        """)

    @OptionGroup var data: DatasetOptions

    @Option(parsing: .unconditional, help: "Images per class (the first ones in stored order).")
    var perClass = 10

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if perClass < 1 || perClass > 40 { throw ValidationError("--per-class must be between 1 and 40, got \(perClass)") }
    }

    func run() throws {
        let figure = try SamplesFigure(dataset: data.source, split: data.split, perClass: perClass)
        try output.write(figure, defaultName: "F1-samples-\(data.source.name)")
    }
}

struct AugmentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "augment",
        abstract: "F1: one image and many random crops and flips of it, through the training augmentation (seeded).",
        discussion: """
        Flips default to on except for MNIST, where a mirrored digit is another symbol.
        Examples: cnnviz augment --dataset fashion-mnist --index 0
                  cnnviz augment --padding 4 --flip on --count 24 --seed 3
        """)

    @OptionGroup var data: DatasetOptions

    @Option(parsing: .unconditional, help: "The image's index in the split.")
    var index = 0

    @Option(parsing: .unconditional, help: "Zero padding of the random crops (0: no crops).")
    var padding = 4

    @Option(help: "Horizontal flips: on or off (default: off for MNIST, on otherwise).")
    var flip: String?

    @Option(parsing: .unconditional, help: "How many random transforms to draw.")
    var count = 15

    @Option(parsing: .unconditional, help: "Seed of the random transforms.")
    var seed: UInt64 = 0

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if padding < 0 || padding > 16 { throw ValidationError("--padding must be between 0 and 16, got \(padding)") }
        if count < 1 || count > 100 { throw ValidationError("--count must be between 1 and 100, got \(count)") }
        if index < 0 { throw ValidationError("--index must not be negative, got \(index)") }
        if let flip, !["on", "off"].contains(flip) { throw ValidationError("--flip must be on or off, got \"\(flip)\"") }
    }

    func run() throws {
        let flips = flip.map { $0 == "on" } ?? (data.source.name != .mnist)
        let figure = try AugmentationFigure(dataset: data.source, split: data.split, index: index, cropPadding: padding,
                                            horizontalFlip: flips, count: count, seed: seed)
        try output.write(figure, defaultName: "F1-augment-\(data.source.name)")
    }
}
