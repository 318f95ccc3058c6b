// The named data sets: MNIST, Fashion-MNIST, CIFAR-10, and a folder of PNGs with one subfolder per class.
// Each loader returns the canonical training and test splits.

extension Dataset {
    /// MNIST's classes, the digits "0" to "9".
    public static let mnistClassNames = (0...9).map(String.init)

    /// Fashion-MNIST's classes (Xiao, Rasul and Vollgraf 2017), indexed by label.
    public static let fashionMNISTClassNames = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]

    /// CIFAR-10's classes, indexed by label, as `batches.meta.txt` lists them.
    public static let cifar10ClassNames = [
        "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
    ]

    /// Where Debian's `dataset-fashion-mnist` package installs Fashion-MNIST.
    public static let fashionMNISTDefaultDirectory = "/usr/share/datasets/fashion-mnist"

    /// MNIST's 60,000 training and 10,000 test digits, 28x28 grey, from the four IDX files (gzipped or plain) in `directory`.
    /// - Throws: `DataError` naming the file for a missing, truncated or inconsistent file.
    public static func mnist(directory: String) throws -> (train: Dataset, test: Dataset) {
        try idxSplits(directory: directory, name: "MNIST", classNames: mnistClassNames)
    }

    /// Fashion-MNIST's 60,000 training and 10,000 test images, 28x28 grey, in MNIST's IDX format.
    /// - Throws: `DataError` naming the file for a missing, truncated or inconsistent file.
    public static func fashionMNIST(directory: String = fashionMNISTDefaultDirectory) throws -> (train: Dataset, test: Dataset) {
        try idxSplits(directory: directory, name: "Fashion-MNIST", classNames: fashionMNISTClassNames)
    }

    /// A data set from a pair of IDX files: images [N, rows, columns] and N labels.
    /// - Throws: `DataError` naming the file for a missing, truncated or inconsistent file.
    public static func idx(images imagePath: String, labels labelPath: String, name: String,
                           classNames: [String]) throws -> Dataset {
        let images = try IDXReader.readImages(at: imagePath)
        let labels = try IDXReader.readLabels(at: labelPath)
        guard labels.count == images.dimensions[0] else {
            throw DataError(.inconsistentCounts, file: labelPath,
                            "holds \(labels.count) labels but \(imagePath) holds \(images.dimensions[0]) images")
        }
        try checkLabels(labels, classCount: classNames.count, file: labelPath, item: "image")
        return Dataset(unchecked: name, images: images.values, labels: labels.map(Int32.init),
                       channels: 1, height: images.dimensions[1], width: images.dimensions[2], classNames: classNames)
    }

    /// CIFAR-10's 50,000 training images (`data_batch_1.bin` ... `data_batch_5.bin`) and 10,000 test
    /// images (`test_batch.bin`), 32x32 colour, from `cifar-10-batches-bin` or a folder that holds it.
    ///
    /// Class names come from `batches.meta.txt` when present.
    /// - Throws: `DataError` naming the file for a missing, truncated or inconsistent file.
    public static func cifar10(directory: String) throws -> (train: Dataset, test: Dataset) {
        let nested = joinPath(directory, "cifar-10-batches-bin")
        let folder = isDirectory(nested) ? nested : directory
        let metaPath = joinPath(folder, "batches.meta.txt")
        let classNames = fileExists(metaPath) ? try CIFAR10Reader.readClassNames(at: metaPath) : cifar10ClassNames
        func load(_ files: [String], name: String) throws -> Dataset {
            var images: [UInt8] = [], labels: [Int32] = []
            for file in files {
                let batch = try CIFAR10Reader.readBatch(at: joinPath(folder, file))
                images += batch.images
                labels += batch.labels.map(Int32.init)
            }
            let side = CIFAR10Reader.side
            return Dataset(unchecked: name, images: images, labels: labels, channels: 3, height: side, width: side,
                           classNames: classNames)
        }
        return (try load((1...5).map { "data_batch_\($0).bin" }, name: "CIFAR-10 train"),
                try load(["test_batch.bin"], name: "CIFAR-10 test"))
    }

    /// A folder of PNGs with one subfolder per class: `directory/train/<class>/*.png` and `directory/test/<class>/*.png`.
    ///
    /// Class names are the training subfolders' names, sorted; the test split uses the same labels.
    /// - Parameters:
    ///   - channels: 1 (grey) or 3 (colour); nil takes 1 when every training image is grey, else 3.
    /// - Throws: `DataError` naming the file or folder for a missing folder, an unreadable PNG, an image of
    ///   another size than the first, or a test class that is not a training class.
    public static func imageFolder(directory: String, channels: Int? = nil,
                                   name: String? = nil) throws -> (train: Dataset, test: Dataset) {
        let title = name ?? lastPathComponent(directory)
        let train = try Dataset(imageFolder: joinPath(directory, "train"), channels: channels, name: "\(title) train")
        let test = try Dataset(imageFolder: joinPath(directory, "test"), classNames: train.classNames,
                               channels: train.channels, height: train.height, width: train.width, name: "\(title) test")
        return (train, test)
    }

    /// A data set from a folder of PNGs with one subfolder per class, labelled by the subfolders' sorted names.
    /// - Parameters:
    ///   - classNames: the classes, in label order; nil takes the sorted subfolder names. Every subfolder must be one.
    ///   - channels: 1 (grey) or 3 (colour); nil takes 1 when every image is grey, else 3.
    ///   - height: the height every image must have; nil takes the first image's.
    ///   - width: the width every image must have; nil takes the first image's.
    /// - Throws: `DataError` naming the file or folder for a missing folder, a folder without images, an unreadable
    ///   PNG, an image of another size, or a subfolder that is not among `classNames`.
    public init(imageFolder directory: String, classNames: [String]? = nil, channels: Int? = nil,
                height: Int? = nil, width: Int? = nil, name: String? = nil) throws {
        precondition(channels.map { $0 == 1 || $0 == 3 } ?? true, "Dataset: channels must be 1 or 3")
        let subfolders = try listDirectory(directory).filter { isDirectory(joinPath(directory, $0)) }
        let classes = classNames ?? subfolders
        var decoded: [(image: PNGImage, label: Int32)] = []
        var size: (height: Int, width: Int, reference: String)? = height.flatMap { h in
            width.map { (h, $0, "the training images are") }
        }
        for folder in subfolders {
            guard let label = classes.firstIndex(of: folder) else {
                throw DataError(.inconsistentCounts, file: joinPath(directory, folder),
                                "class folder \"\(folder)\" is not among the classes \(classes)")
            }
            let files = try listDirectory(joinPath(directory, folder)).filter { $0.lowercased().hasSuffix(".png") }
            guard !files.isEmpty else {
                throw DataError(.inconsistentCounts, file: joinPath(directory, folder),
                                "class folder \"\(folder)\" holds no .png images; every class needs at least one (remove the folder to drop the class)")
            }
            for file in files {
                let path = joinPath(joinPath(directory, folder), file)
                let image = try PNGImage(contentsOf: path)
                if let size, image.height != size.height || image.width != size.width {
                    throw DataError(.inconsistentCounts, file: path,
                                    "is \(image.width)x\(image.height) (width x height), but \(size.reference) "
                                    + "\(size.width)x\(size.height)")
                }
                size = size ?? (image.height, image.width, "the first image, \(path), is")
                decoded.append((image, Int32(label)))
            }
        }
        guard let size else {
            throw DataError(.unsupportedContent, file: directory, "holds no PNG images in class subfolders")
        }
        let c = channels ?? (decoded.allSatisfy { $0.image.isGrey } ? 1 : 3)
        var images: [UInt8] = []
        images.reserveCapacity(decoded.count * c * size.height * size.width)
        for item in decoded { images += item.image.pixels(channels: c) }
        self.init(unchecked: name ?? lastPathComponent(directory), images: images, labels: decoded.map(\.label),
                  channels: c, height: size.height, width: size.width, classNames: classes)
    }

    /// The four MNIST-format files in `directory`: `train-` and `t10k-` `images-idx3-ubyte` and `labels-idx1-ubyte`.
    private static func idxSplits(directory: String, name: String,
                                  classNames: [String]) throws -> (train: Dataset, test: Dataset) {
        func path(_ stem: String) -> String {
            let plain = joinPath(directory, stem)
            return fileExists(plain) && !fileExists(plain + ".gz") ? plain : plain + ".gz"
        }
        let train = try idx(images: path("train-images-idx3-ubyte"), labels: path("train-labels-idx1-ubyte"),
                            name: "\(name) train", classNames: classNames)
        let test = try idx(images: path("t10k-images-idx3-ubyte"), labels: path("t10k-labels-idx1-ubyte"),
                           name: "\(name) test", classNames: classNames)
        return (train, test)
    }
}

/// Throws naming `file` when a label is not below `classCount`.
func checkLabels(_ labels: [UInt8], classCount: Int, file: String, item: String) throws {
    if let bad = labels.firstIndex(where: { Int($0) >= classCount }) {
        throw DataError(.inconsistentCounts, file: file,
                        "label \(labels[bad]) of \(item) \(bad) is outside 0...\(classCount - 1)")
    }
}
