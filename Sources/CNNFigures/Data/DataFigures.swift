// F1: a data set's images by class, and one image through the training augmentation (seeded random
// crops with zero padding and horizontal flips, CNNData's `Augmentation`).

import CNNData
import CNNEngine
import CNNPlot
import CNNRuns
import Foundation

/// F1: a grid of samples, one row per class with its name.
public struct SamplesFigure: Figure {
    public var datasetName: String
    public var classNames: [String]
    /// For each class, its first images (in stored order), as bytes [C, H, W].
    public var samples: [[[UInt8]]]
    public var channels: Int
    public var height: Int
    public var width: Int

    /// Takes the first `perClass` images of every class of `dataset`.
    public init(dataset: Dataset, datasetName: String, perClass: Int = 10) {
        self.datasetName = datasetName
        classNames = dataset.classNames
        channels = dataset.channels
        height = dataset.height
        width = dataset.width
        var samples = [[[UInt8]]](repeating: [], count: dataset.classNames.count)
        for index in 0..<dataset.count {
            let label = Int(dataset.labels[index])
            if samples[label].count < perClass { samples[label].append(Array(dataset.image(at: index))) }
            if samples.allSatisfy({ $0.count >= perClass }) { break }
        }
        self.samples = samples
    }

    /// Loads the `split` (`train` or `test`) of `dataset` and takes the first `perClass` images of every class.
    /// - Throws: errors naming the data set's files when they cannot be read.
    public init(dataset: DataSource, split: String = "train", perClass: Int = 10) throws {
        let (train, test) = try dataset.load()
        self.init(dataset: split == "test" ? test : train, datasetName: dataset.displayName, perClass: perClass)
    }

    public var catalogueID: String { "F1" }
    public var title: String { "\(catalogueID). \(titleText)" }
    /// The title without its catalogue id.
    var titleText: String { "\(datasetName): the first \(samples.map(\.count).max() ?? 0) images of each class" }
    public var caption: String { "Samples of \(datasetName), one row per class, in the order the data set stores them." }
    public var preferredSize: Size { .inches(8, max(3, 0.62 * Double(classNames.count) + 0.6)) }

    public func draw(on canvas: Canvas, in rect: Rect, frame: Int) throws {
        let style = canvas.style
        let outer = rect.insetBy(dx: style.margin, dy: style.margin)
        canvas.drawTitle(title, over: outer, top: outer.minY)
        let body = outer.inset(top: canvas.titleHeight(title) + style.labelGap)
        let font = style.labelFont
        let labelWidth = (classNames.map { canvas.measure($0, font: font).width }.max() ?? 0) + style.labelGap * 2
        let columns = max(samples.map(\.count).max() ?? 1, 1)
        var images: [[Float]] = []
        let blank = [Float](repeating: 255, count: channels * height * width)
        for row in samples {
            // Grey images inverted: dark strokes on white print better than white on black.
            images += row.map { $0.map { Float(channels == 1 ? 255 - $0 : $0) } }
            images += [[Float]](repeating: blank, count: columns - row.count)
        }
        let layout = canvas.imageGrid(images, imageWidth: width, imageHeight: height, channels: channels, columns: columns,
                                      in: body.inset(left: labelWidth), colorMap: .greys,
                                      scaling: .fixed(ValueRange(0, 255)), border: nil)
        for (row, name) in classNames.enumerated() {
            let cell = layout.cellRect(row: row, column: 0)
            canvas.text(name, at: Point(x: cell.minX - style.labelGap * 1.5, y: cell.center.y), font: font,
                        horizontal: .right, vertical: .middle)
        }
    }
}

/// F1: one image and random crops and flips of it, drawn with CNNData's seeded augmentation.
public struct AugmentationFigure: Figure {
    public var datasetName: String
    public var label: String
    public var augmentation: Augmentation
    public var original: [UInt8]
    public var transforms: [ImageTransform]
    /// The transformed images, one per transform.
    public var augmented: [[UInt8]]
    public var channels: Int
    public var height: Int
    public var width: Int

    /// Draws `count` transforms of image `index` of `dataset` from a generator seeded with `seed`.
    public init(dataset: Dataset, datasetName: String, index: Int, augmentation: Augmentation, count: Int = 15, seed: UInt64 = 0) {
        self.datasetName = datasetName
        self.augmentation = augmentation
        label = dataset.classNames[Int(dataset.labels[index])]
        channels = dataset.channels
        height = dataset.height
        width = dataset.width
        original = Array(dataset.image(at: index))
        var generator = SeededGenerator(seed: seed)
        transforms = (0..<count).map { _ in augmentation.randomTransform(using: &generator) }
        augmented = transforms.map { [original, channels, height, width] t in
            t.apply(to: original, channels: channels, height: height, width: width)
        }
    }

    /// Loads the `split` of `dataset` and draws `count` transforms of image `index`.
    /// - Throws: `ConfigurationError` when `index` is outside the split; errors naming the data set's files.
    public init(dataset: DataSource, split: String = "train", index: Int, cropPadding: Int, horizontalFlip: Bool,
                count: Int = 15, seed: UInt64 = 0) throws {
        let (train, test) = try dataset.load()
        let images = split == "test" ? test : train
        guard index >= 0 && index < images.count else {
            throw ConfigurationError("--index \(index) is outside the \(images.count) images of the \(dataset.displayName) \(split) split")
        }
        self.init(dataset: images, datasetName: dataset.displayName, index: index,
                  augmentation: Augmentation(cropPadding: cropPadding, horizontalFlip: horizontalFlip), count: count, seed: seed)
    }

    /// Where each transform moved the image, as the eye sees it ("← 4, ↑ 3", ", mirrored"): output row y
    /// takes input row y + shiftY, so the content moves up by shiftY, and left by shiftX unless mirrored.
    public var captions: [String] {
        transforms.map { t in
            let right = t.flipped ? t.shiftX : -t.shiftX
            return movedText(right: right, down: -t.shiftY, arrows: true) + (t.flipped ? ", mirrored" : "")
        }
    }

    public var catalogueID: String { "F1" }
    public var title: String { "\(catalogueID). \(titleText)" }
    /// The title without its catalogue id.
    var titleText: String {
        var parts: [String] = []
        if augmentation.cropPadding > 0 { parts.append("random crops (pad \(augmentation.cropPadding))") }
        if augmentation.horizontalFlip { parts.append("horizontal flips") }
        return "Data augmentation: \(parts.isEmpty ? "none" : parts.joined(separator: " and ")), one \(datasetName) image"
    }
    public var caption: String {
        var kinds: [String] = []
        if augmentation.cropPadding > 0 { kinds.append("the digit moved by up to \(augmentation.cropPadding) pixels each way, the edge filled with zeros") }
        if augmentation.horizontalFlip { kinds.append("mirror images") }
        return "One \(datasetName) training image (\(label)) and \(transforms.count) random transforms of it, as training draws them, "
            + "each labelled with where the image moved (→ 3: three pixels right): "
            + (kinds.isEmpty ? "none (augmentation is off)." : kinds.joined(separator: " and ") + ".")
    }
    public var preferredSize: Size { .inches(10, 5) }

    public func draw(on canvas: Canvas, in rect: Rect, frame: Int) throws {
        let style = canvas.style
        let outer = rect.insetBy(dx: style.margin, dy: style.margin)
        canvas.drawTitle(title, over: outer, top: outer.minY)
        let body = outer.inset(top: canvas.titleHeight(title) + style.labelGap)
        func floats(_ bytes: [UInt8]) -> [Float] { bytes.map { Float(channels == 1 ? 255 - $0 : $0) } }
        let left = Rect(x: body.minX, y: body.minY, width: body.width * 0.3, height: body.height)
        canvas.imageGrid([floats(original)], imageWidth: width, imageHeight: height, channels: channels, columns: 1,
                         in: left.insetBy(dx: style.margin, dy: style.margin * 2), colorMap: .greys,
                         scaling: .fixed(ValueRange(0, 255)), captions: ["original: \(label)"])
        let right = Rect(x: left.maxX + style.margin, y: body.minY, width: body.maxX - left.maxX - style.margin, height: body.height)
        let columns = max(1, Int((Double(augmented.count) * right.width / right.height).squareRoot().rounded(.up)))
        canvas.imageGrid(augmented.map(floats), imageWidth: width, imageHeight: height, channels: channels, columns: columns,
                         in: right, colorMap: .greys, scaling: .fixed(ValueRange(0, 255)), captions: captions)
        canvas.line(from: Point(x: left.maxX + style.margin / 2, y: body.minY + 10), to: Point(x: left.maxX + style.margin / 2, y: body.maxY - 10),
                    color: style.gridColor, lineWidth: 1)
    }
}
