// A finished model is never lost: before any training, an output file that already holds a model is
// refused unless the run resumes it (and then must be the same run) or was told to overwrite it.
import CNNData
import CNNEngine
import CNNRuns
import CNNStore
import Foundation

/// What `train` and `run` do with an output file that already exists.
public enum ExistingModelPolicy: Sendable, Equatable {
    /// Stop with an error before any training (the default).
    case refuse
    /// Continue the run stored there, which must be the same model, data set and recipe.
    case resume
    /// Replace it (at the end of the first epoch).
    case overwrite
}

/// What a resumed run must match: the model, the data set and the recipe asked for.
public struct ResumeRequest {
    /// The zoo model asked for, or nil to take the stored one.
    public var model: String?
    /// The data set asked for, or nil to take the stored one.
    public var dataset: DatasetName?
    /// The folder of its files asked for, or nil to take the stored one.
    public var dataDirectory: String?
    /// Turns the stored recipe into the requested one: options given on the command line, or a suite's whole recipe.
    public var recipe: (TrainingRecipe) throws -> TrainingRecipe

    public init(model: String? = nil, dataset: DatasetName? = nil, dataDirectory: String? = nil,
                recipe: @escaping (TrainingRecipe) throws -> TrainingRecipe = { $0 }) {
        self.model = model; self.dataset = dataset; self.dataDirectory = dataDirectory; self.recipe = recipe
    }

    /// A request for `source`: its data set, and its folder when it names one.
    public init(model: String? = nil, source: DataSource, recipe: @escaping (TrainingRecipe) throws -> TrainingRecipe = { $0 }) {
        self.init(model: model, dataset: source.name, dataDirectory: source.directory, recipe: recipe)
    }
}

extension TrainingRun {
    /// Checks, before any training, that a run may write `file`: its folder can be created and written,
    /// and an existing file there is resumed or overwritten only when asked.
    /// - Throws: `TrainingError` naming the file and the way out (`--resume`, `--overwrite`, another `--out`).
    public static func checkOutput(_ file: URL, policy: ExistingModelPolicy) throws {
        let folder = file.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw TrainingError(description: "\(folder.path): the output folder is a file; choose another --out")
            }
        } else {
            do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
                throw TrainingError(description: "\(folder.path): cannot create the output folder (\(describeFileError(error)))")
            }
        }
        guard access(folder.path, W_OK | X_OK) == 0 else {
            throw TrainingError(description: "\(folder.path): the output folder is not writable (\(String(cString: strerror(errno))))")
        }
        if FileManager.default.fileExists(atPath: file.path, isDirectory: &isDirectory) {
            guard !isDirectory.boolValue else {
                throw TrainingError(description: "\(file.path): is a folder; the model file cannot be written there")
            }
            if policy == .refuse {
                throw TrainingError(description: "\(file.path) already holds \(describeStoredModel(file)); it is never replaced unasked: "
                                    + "continue it with --resume, replace it with --overwrite, or choose another --out")
            }
        }
    }

    /// "a lenet5 model trained for 10 epochs", or "a file" when it is not a readable model file.
    static func describeStoredModel(_ file: URL) -> String {
        guard let contents = try? ModelFile.read(from: file) else { return "a file (not a readable CNNBench model file)" }
        return "a \(contents.model) model trained for \(contents.epochs) epoch\(contents.epochs == 1 ? "" : "s")"
    }

    /// Checks that the run stored in `contents` is the one `request` asks to continue.
    /// - Returns: The recipe to continue with (the stored one, with a longer run's epochs where asked).
    /// - Throws: `TrainingError` naming every difference, or an epoch count below the epochs already done.
    static func checkResume(_ contents: ModelFileContents, stored: TrainingRecipe, source storedSource: DataSource,
                            request: ResumeRequest, file: String) throws -> (recipe: TrainingRecipe, source: DataSource) {
        var differences: [String] = []
        if let model = request.model, model.lowercased() != contents.model.lowercased() {
            differences.append("model: stored \(contents.model), asked \(model)")
        }
        var source = storedSource
        if let asked = request.dataset, !asked.isSameData(as: storedSource.name) {
            differences.append("data set: stored \(storedSource.name), asked \(asked)")
        } else if let directory = request.dataDirectory, let storedDirectory = storedSource.directory,
                  standardized(directory) != standardized(storedDirectory) {
            differences.append("data folder: stored \(storedDirectory), asked \(directory)")
        }
        source.directory = source.directory ?? request.dataDirectory
        let requested: TrainingRecipe
        do { requested = try request.recipe(stored) } catch {
            throw TrainingError(description: "\(file): cannot resume: \(error)")
        }
        differences += recipeDifferences(stored: stored.withEpochs(requested.epochs), requested: requested)
        guard differences.isEmpty else {
            throw TrainingError(description: "\(file): --resume must continue the same run, but it differs in "
                                + differences.joined(separator: "; ")
                                + ". Resume without those options, or start again with --overwrite or another --out")
        }
        let done = contents.training?.epochsCompleted ?? contents.epochs
        guard requested.epochs >= done else {
            throw TrainingError(description: "\(file): --resume asks for \(requested.epochs) epoch\(requested.epochs == 1 ? "" : "s"), "
                                + "but \(done) are already done; ask for at least \(done)")
        }
        return (requested.epochs == stored.epochs ? stored : stored.withEpochs(requested.epochs), source)
    }

    /// The recipe fields that differ, as "learning rate: stored 0.05, asked 0.01" (epochs aside: a run may be extended).
    static func recipeDifferences(stored: TrainingRecipe, requested: TrainingRecipe) -> [String] {
        let fields: [(String, (TrainingRecipe) -> String)] = [
            ("batch size", { String($0.batchSize) }), ("optimizer", { $0.optimizer.rawValue }),
            ("learning rate", { String($0.learningRate) }), ("momentum", { String($0.momentum) }),
            ("nesterov", { String($0.nesterov) }), ("weight decay", { String($0.weightDecay) }),
            ("schedule", { String(describing: $0.schedule.decay) }), ("warm-up", { String($0.schedule.warmupEpochs) }),
            ("augmentation", { $0.augment ? "on" : "off" }), ("label smoothing", { String($0.labelSmoothing) }),
            ("seed", { String($0.seed) }), ("validation", { String($0.validationCount) }),
            ("train limit", { $0.trainLimit.map(String.init) ?? "none" }),
            ("downsampling", { $0.downsample.map { "\($0)x" } ?? "none" }),
            ("zero-initialised residual branches", { $0.zeroInitResidual ? "yes" : "no" }),
        ]
        return fields.compactMap { name, value in
            value(stored) == value(requested) ? nil : "\(name): stored \(value(stored)), asked \(value(requested))"
        }
    }

    static func standardized(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }
}

/// The file-system reason of a Foundation error ("Permission denied"), not its NSCocoaErrorDomain text.
public func describeFileError(_ error: Error) -> String {
    let ns = error as NSError
    if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
        return String(cString: strerror(Int32(underlying.code)))
    }
    if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
    switch ns.code {
    case NSFileWriteNoPermissionError, NSFileReadNoPermissionError: return "permission denied"
    case NSFileWriteOutOfSpaceError: return "no space left on the device"
    case NSFileWriteFileExistsError: return "a file is in the way"
    case NSFileNoSuchFileError, NSFileReadNoSuchFileError: return "no such file or folder"
    default: return ns.localizedDescription
    }
}
