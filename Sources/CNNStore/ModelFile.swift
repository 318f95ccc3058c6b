// The toolkit's model file: one self-describing HDF5 file per model, documented in docs/model-file.md.
//
//   /                     attributes: format "cnnbench-model", format_version, model (zoo name),
//                         architecture (JSON), input_shape, classes, metadata (toolkit version, date, ...)
//   /weights/<layer>/<p>  every learnable parameter, float32, PyTorch shapes (C1/weight [6, 1, 5, 5])
//   /buffers/<layer>/<b>  batch-norm running statistics
//   /optimizer/<slot>/<layer>/<p>   optimizer state per parameter; attributes kind, step_count, hyperparameters
//   /history/<column>     one float64 value per completed epoch (train_loss, test_error, ...)
//   /training             attributes: epochs_completed, recipe (JSON), iterator state (JSON), rng state
//   /dataset              attributes: name, class_names, normalization_mean, normalization_std
import CNNEngine
import Foundation

/// Everything in a model file, as plain values; `CNNBench` turns it into a network and a training state.
public struct ModelFileContents: Sendable {
    /// The zoo name or a free model name.
    public var model: String
    /// The architecture as JSON (a `ModelSpec`), enough to rebuild the network.
    public var architectureJSON: String
    public var inputShape: [Int]
    public var classes: Int
    /// Parameters by path (`C1/weight`), in network order.
    public var weights: [(path: String, tensor: Tensor)]
    /// Batch-norm running statistics by path.
    public var buffers: [(path: String, tensor: Tensor)]
    /// Optimizer kind (`sgd`, `adam`, `adamw`) and hyperparameters, or nil for a file without training state.
    public var optimizer: OptimizerRecord?
    /// Per-epoch columns (`train_loss`, `test_error`, ...), all the same length.
    public var history: [String: [Double]]
    /// Training state for resuming, as JSON strings and words.
    public var training: TrainingRecord?
    /// Data set name, class names and normalisation.
    public var dataset: DatasetRecord?
    /// Free-form facts: toolkit version, command line, date, host CPU, threads, seed.
    public var metadata: [String: String]

    public init(model: String, architectureJSON: String, inputShape: [Int], classes: Int,
                weights: [(path: String, tensor: Tensor)], buffers: [(path: String, tensor: Tensor)] = [],
                optimizer: OptimizerRecord? = nil, history: [String: [Double]] = [:], training: TrainingRecord? = nil,
                dataset: DatasetRecord? = nil, metadata: [String: String] = [:]) {
        self.model = model; self.architectureJSON = architectureJSON; self.inputShape = inputShape; self.classes = classes
        self.weights = weights; self.buffers = buffers; self.optimizer = optimizer; self.history = history
        self.training = training; self.dataset = dataset; self.metadata = metadata
    }

    /// Epochs recorded in the history.
    public var epochs: Int { history["epoch"]?.count ?? 0 }
}

/// An optimizer's kind, hyperparameters and state arrays (keyed `<slot>/<parameter path>`).
public struct OptimizerRecord: Sendable {
    public var kind: String
    public var stepCount: Int
    public var hyperparameters: [String: Double]
    public var state: [String: [Float]]
    public init(kind: String, stepCount: Int, hyperparameters: [String: Double], state: [String: [Float]]) {
        self.kind = kind; self.stepCount = stepCount; self.hyperparameters = hyperparameters; self.state = state
    }
}

/// What a resumed run needs besides weights and optimizer: progress, recipe, iterator and generator states.
public struct TrainingRecord: Sendable {
    public var epochsCompleted: Int
    public var recipeJSON: String
    public var iteratorJSON: String
    public var generatorState: [UInt64]
    public init(epochsCompleted: Int, recipeJSON: String, iteratorJSON: String, generatorState: [UInt64]) {
        self.epochsCompleted = epochsCompleted; self.recipeJSON = recipeJSON
        self.iteratorJSON = iteratorJSON; self.generatorState = generatorState
    }
}

/// The data set a model was trained on.
public struct DatasetRecord: Sendable {
    public var name: String
    public var classNames: [String]
    public var normalizationMean: [Double]
    public var normalizationStd: [Double]
    public init(name: String, classNames: [String], normalizationMean: [Double], normalizationStd: [Double]) {
        self.name = name; self.classNames = classNames
        self.normalizationMean = normalizationMean; self.normalizationStd = normalizationStd
    }
}

/// Reads and writes the toolkit's model files.
public enum ModelFile {
    /// The format tag in every model file's `format` attribute.
    public static let format = "cnnbench-model"
    /// The version this toolkit writes; files of a newer version are refused with a clear error.
    public static let version: Int64 = 1

    /// Writes `contents` to `url` atomically (temporary file, then rename).
    public static func write(_ contents: ModelFileContents, to url: URL) throws {
        try HDF5File.writeAtomically(to: url) { file in
            try file.setAttribute("format", to: format)
            try file.setAttribute("format_version", to: version)
            try file.setAttribute("model", to: contents.model)
            try file.setAttribute("architecture", to: contents.architectureJSON)
            try file.setAttribute("input_shape", to: contents.inputShape)
            try file.setAttribute("classes", to: contents.classes)
            for (key, value) in contents.metadata.sorted(by: { $0.key < $1.key }) { try file.setAttribute(key, to: value) }
            let weights = try file.createGroup("weights")
            for (path, tensor) in contents.weights { _ = try weights.write(tensor, to: path) }
            let buffers = try file.createGroup("buffers")
            for (path, tensor) in contents.buffers { _ = try buffers.write(tensor, to: path) }
            if let optimizer = contents.optimizer {
                let group = try file.createGroup("optimizer")
                try group.setAttribute("kind", to: optimizer.kind)
                try group.setAttribute("step_count", to: optimizer.stepCount)
                for (key, value) in optimizer.hyperparameters.sorted(by: { $0.key < $1.key }) { try group.setAttribute(key, to: value) }
                for (key, values) in optimizer.state.sorted(by: { $0.key < $1.key }) {
                    _ = try group.write(values, shape: [values.count], to: key)
                }
            }
            let history = try file.createGroup("history")
            for (column, values) in contents.history.sorted(by: { $0.key < $1.key }) {
                _ = try history.write(values, shape: [values.count], to: column)
            }
            if let training = contents.training {
                let group = try file.createGroup("training")
                try group.setAttribute("epochs_completed", to: training.epochsCompleted)
                try group.setAttribute("recipe", to: training.recipeJSON)
                try group.setAttribute("iterator", to: training.iteratorJSON)
                try group.setAttribute("rng_state", to: training.generatorState.map { Int64(bitPattern: $0) })
            }
            if let dataset = contents.dataset {
                let group = try file.createGroup("dataset")
                try group.setAttribute("name", to: dataset.name)
                try group.setAttribute("class_names", to: dataset.classNames)
                try group.setAttribute("normalization_mean", to: dataset.normalizationMean)
                try group.setAttribute("normalization_std", to: dataset.normalizationStd)
            }
        }
    }

    /// Whether `url` holds one of this toolkit's model files (false for Keras and other HDF5 files).
    public static func isModelFile(_ url: URL) -> Bool {
        guard let file = try? HDF5File(opening: url) else { return false }
        defer { try? file.close() }
        return (try? file.stringAttribute("format")) == format
    }

    /// Reads a model file.
    /// - Throws: `StoreError` naming the file when it is missing, not HDF5, truncated, of a newer
    ///   format version, or lacks a required attribute or dataset.
    public static func read(from url: URL) throws -> ModelFileContents {
        let file = try HDF5File(opening: url)
        defer { try? file.close() }
        let path = url.path
        guard (try? file.stringAttribute("format")) == format else {
            throw StoreError(.wrongKind, file: path, reason: "not a CNNBench model file (no format attribute \"\(format)\"); Keras files are read with `ModelFile.readAny` or `cnnviz filters`")
        }
        let fileVersion = try file.int64Attribute("format_version")
        guard fileVersion >= 1 else {
            throw StoreError(.corrupt, file: path, objectPath: "/", reason: "the format_version attribute is \(fileVersion); versions start at 1, so the file is corrupt")
        }
        guard fileVersion <= version else {
            throw StoreError(.wrongType, file: path, reason: "model file format version \(fileVersion) is newer than this toolkit reads (\(version)); update CNNBench")
        }
        var contents = ModelFileContents(
            model: try file.stringAttribute("model"), architectureJSON: try file.stringAttribute("architecture"),
            inputShape: try file.int64ArrayAttribute("input_shape").map(Int.init), classes: Int(try file.int64Attribute("classes")),
            weights: try readTensors(file, group: "weights"), buffers: try readTensors(file, group: "buffers"))
        for name in try file.attributeNames() where !["format", "format_version", "model", "architecture", "input_shape", "classes"].contains(name) {
            if let value = try? file.stringAttribute(name) { contents.metadata[name] = value }
        }
        if try file.contains("optimizer") {
            let group = try file.group("optimizer")
            var hyper: [String: Double] = [:]
            for name in try group.attributeNames() where name != "kind" && name != "step_count" {
                hyper[name] = try group.doubleAttribute(name)
            }
            var state: [String: [Float]] = [:]
            for key in try datasetPaths(in: group) { state[key] = try group.read(Float.self, at: key).values }
            contents.optimizer = OptimizerRecord(kind: try group.stringAttribute("kind"), stepCount: Int(try group.int64Attribute("step_count")),
                                                 hyperparameters: hyper, state: state)
        }
        if try file.contains("history") {
            let group = try file.group("history")
            var lengths = Set<Int>()
            for column in try group.childNames() {
                let values = try group.read(Double.self, at: column).values
                contents.history[column] = values
                lengths.insert(values.count)
            }
            guard lengths.count <= 1 else {
                throw StoreError(.wrongShape, file: path, objectPath: "/history", reason: "history columns differ in length: \(lengths.sorted())")
            }
        }
        if try file.contains("training") {
            let group = try file.group("training")
            contents.training = TrainingRecord(
                epochsCompleted: Int(try group.int64Attribute("epochs_completed")), recipeJSON: try group.stringAttribute("recipe"),
                iteratorJSON: try group.stringAttribute("iterator"),
                generatorState: try group.int64ArrayAttribute("rng_state").map { UInt64(bitPattern: $0) })
        }
        if try file.contains("dataset") {
            let group = try file.group("dataset")
            contents.dataset = DatasetRecord(name: try group.stringAttribute("name"), classNames: try group.stringArrayAttribute("class_names"),
                                             normalizationMean: try group.doubleArrayAttribute("normalization_mean"),
                                             normalizationStd: try group.doubleArrayAttribute("normalization_std"))
        }
        try validate(contents, file: path)
        return contents
    }

    /// Checks the values that evaluation and training rely on, so that a bad file gives one error
    /// (naming the file, the array and the problem) instead of a trap or plausible-looking numbers.
    ///
    /// Checked: at least one class; an input shape of three positive extents; finite weights and
    /// buffers (batch-norm running variances also not negative); per-channel normalisation with as
    /// many finite means as positive, finite standard deviations, one or one per input channel;
    /// as many class names as classes.
    /// - Throws: `StoreError` with problem `.corrupt`.
    public static func validate(_ contents: ModelFileContents, file path: String) throws {
        func corrupt(_ objectPath: String, _ reason: String) -> StoreError {
            StoreError(.corrupt, file: path, objectPath: objectPath, reason: "\(objectPath): \(reason)")
        }
        // A Keras file whose architecture was not rebuilt holds weights alone: only they are checked.
        let hasArchitecture = !contents.architectureJSON.isEmpty
        if hasArchitecture {
            guard contents.classes >= 1 else { throw corrupt("/classes", "is \(contents.classes); a model has at least one class") }
            guard contents.inputShape.count == 3, contents.inputShape.allSatisfy({ $0 >= 1 }) else {
                throw corrupt("/input_shape", "is \(describeShape(contents.inputShape)); it must be three positive extents C, H, W")
            }
        }
        for (group, arrays) in [("weights", contents.weights), ("buffers", contents.buffers)] {
            for (name, tensor) in arrays {
                let values = UnsafeBufferPointer(start: tensor.pointer, count: tensor.count)
                if let i = values.firstIndex(where: { !$0.isFinite }) {
                    throw corrupt("/\(group)/\(name)", "holds \(values[i]) at index \(i); weights and statistics must be finite numbers")
                }
                if name.hasSuffix("running_var"), let i = values.firstIndex(where: { $0 < 0 }) {
                    throw corrupt("/\(group)/\(name)", "holds the negative variance \(values[i]) at index \(i)")
                }
            }
        }
        if hasArchitecture, let dataset = contents.dataset {
            let mean = dataset.normalizationMean, std = dataset.normalizationStd
            let channels = contents.inputShape[0]
            guard !std.isEmpty, mean.count == std.count, std.count == 1 || std.count == channels else {
                throw corrupt("/dataset", "normalization_mean has \(mean.count) values and normalization_std \(std.count); "
                              + "each needs one value, or one per input channel (\(channels))")
            }
            if let bad = std.first(where: { !($0 > 0 && $0.isFinite) }) {
                throw corrupt("/dataset", "normalization_std holds \(bad); standard deviations must be positive and finite")
            }
            if let bad = mean.first(where: { !$0.isFinite }) {
                throw corrupt("/dataset", "normalization_mean holds \(bad); means must be finite")
            }
            guard dataset.classNames.isEmpty || dataset.classNames.count == contents.classes else {
                throw corrupt("/dataset", "class_names lists \(dataset.classNames.count) names for \(contents.classes) classes")
            }
        }
    }

    /// Every dataset below `group`, as paths relative to it, depth first in creation order.
    static func datasetPaths(in group: HDF5Group, prefix: String = "") throws -> [String] {
        var paths: [String] = []
        for child in try group.childNames(order: .creation) {
            switch try group.kind(at: child) {
            case .dataset: paths.append(prefix + child)
            case .group: paths += try datasetPaths(in: try group.group(child), prefix: prefix + child + "/")
            default: break
            }
        }
        return paths
    }

    private static func readTensors(_ file: HDF5File, group name: String) throws -> [(path: String, tensor: Tensor)] {
        guard try file.contains(name) else { return [] }
        let group = try file.group(name)
        return try datasetPaths(in: group).map { ($0, try group.readTensor(at: $0)) }
    }
}
