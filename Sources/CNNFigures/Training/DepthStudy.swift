// E3's numbers: plain and residual networks of several depths trained under one recipe (He et al.
// 2015, figures 1 and 6), read from their model files and grouped by kind and depth; several seeds
// of one model give min-max bands.

import CNNEngine
import CNNRuns
import CNNStore
import Foundation

/// Plain nets (no shortcuts) or residual nets.
public enum NetworkKind: String, Sendable, Equatable, Comparable, CaseIterable {
    case plain, residual

    public static func < (a: NetworkKind, b: NetworkKind) -> Bool { a == .plain && b == .residual }

    /// `plain-20`, `ResNet-20`.
    public func name(depth: Int) -> String { self == .plain ? "plain-\(depth)" : "ResNet-\(depth)" }
}

/// One trained run of a depth study.
public struct DepthRun: Sendable, Equatable {
    public var kind: NetworkKind
    public var depth: Int
    /// The model file.
    public var path: String
    public var history: TrainingHistory
    /// The weight-gradient norms the run recorded (start, middle and end of training), if any.
    public var gradientNorms: GradientNormLog?
    /// The paths of its weights with at least two dimensions, from the input to the output.
    public var weightPaths: [String]
    /// Whether its residual blocks started as the identity (recipe `zeroInitResidual`).
    public var zeroInitResidual: Bool

    public init(kind: NetworkKind, depth: Int, path: String, history: TrainingHistory,
                gradientNorms: GradientNormLog? = nil, weightPaths: [String] = [], zeroInitResidual: Bool = false) {
        self.kind = kind; self.depth = depth; self.path = path; self.history = history
        self.gradientNorms = gradientNorms; self.weightPaths = weightPaths; self.zeroInitResidual = zeroInitResidual
    }

    /// `plain20` gives (.plain, 20), `resnet56` (.residual, 56); other names nil.
    public static func parse(model: String) -> (kind: NetworkKind, depth: Int)? {
        let name = model.lowercased()
        for (prefix, kind) in [("plain", NetworkKind.plain), ("resnet", .residual)] where name.hasPrefix(prefix) {
            if let depth = Int(name.dropFirst(prefix.count)), depth > 0 { return (kind, depth) }
        }
        return nil
    }
}

/// The statistics of one value over the seeds of a model: mean, smallest and largest.
public struct SeedSpread: Sendable, Equatable {
    public var mean: Double
    public var minimum: Double
    public var maximum: Double

    public init(_ values: [Double]) {
        let finite = values.filter(\.isFinite)
        mean = finite.isEmpty ? .nan : finite.reduce(0, +) / Double(finite.count)
        minimum = finite.min() ?? .nan
        maximum = finite.max() ?? .nan
    }
}

/// The runs of one model (one kind, one depth), one per seed.
public struct DepthGroup: Sendable, Equatable {
    public var kind: NetworkKind
    public var depth: Int
    public var runs: [DepthRun]

    /// Epochs every run has finished.
    public var commonEpochs: Int { runs.map(\.history.epochs.count).min() ?? 0 }

    /// The last common epoch's training error (percent) over the seeds.
    public var finalTrainError: SeedSpread { SeedSpread(runs.map { $0.history.trainError[commonEpochs - 1] }) }
    /// The last common epoch's test error (percent) over the seeds.
    public var finalTestError: SeedSpread { SeedSpread(runs.map { $0.history.testError[commonEpochs - 1] }) }

    /// Training error (percent) per epoch over the seeds, for the epochs every run has.
    public var trainErrorCurve: [SeedSpread] {
        (0..<commonEpochs).map { epoch in SeedSpread(runs.map { $0.history.trainError[epoch] }) }
    }

    /// Test error (percent) per epoch over the seeds, for the epochs every run has.
    public var testErrorCurve: [SeedSpread] {
        (0..<commonEpochs).map { epoch in SeedSpread(runs.map { $0.history.testError[epoch] }) }
    }

    /// The epoch numbers of `trainErrorCurve`.
    public var epochs: [Double] { Array(runs.first?.history.epochs.prefix(commonEpochs) ?? []) }

    /// The mean over seeds of each weight's gradient norm in `epoch`, from the input to the output;
    /// nil when a run did not record that epoch.
    public func gradientNorms(epoch: Int) -> [Double]? {
        var sums: [Double]?
        for run in runs {
            guard let means = run.gradientNorms?.epochs[String(epoch)]?.means else { return nil }
            let values = run.weightPaths.map { means[$0] ?? .nan }
            sums = sums.map { zip($0, values).map(+) } ?? values
        }
        return sums?.map { $0 / Double(runs.count) }
    }

    /// The epochs every run recorded gradient norms for, ascending.
    public var gradientNormEpochs: [Int] {
        let sets = runs.map { Set(($0.gradientNorms?.epochs.keys).map { $0.compactMap(Int.init) } ?? []) }
        return Array(sets.dropFirst().reduce(sets.first ?? []) { $0.intersection($1) }).sorted()
    }
}

/// Plain and residual runs grouped by kind and depth.
public struct DepthStudy: Sendable, Equatable {
    /// Groups sorted by kind (plain first), then depth.
    public var groups: [DepthGroup]
    /// Files that were not used, with the reason.
    public var skipped: [String]

    /// Groups `runs` by kind and depth.
    public init(runs: [DepthRun], skipped: [String] = []) {
        var groups: [DepthGroup] = []
        for run in runs.sorted(by: { ($0.kind, $0.depth, $0.path) < ($1.kind, $1.depth, $1.path) }) {
            if let last = groups.last, last.kind == run.kind, last.depth == run.depth {
                groups[groups.count - 1].runs.append(run)
            } else {
                groups.append(DepthGroup(kind: run.kind, depth: run.depth, runs: [run]))
            }
        }
        self.groups = groups
        self.skipped = skipped
    }

    /// Reads every `model.h5` below `directory` whose model is plainN or resnetN.
    /// - Throws: `ConfigurationError` naming the folder when it is missing or holds no such file.
    public init(directory: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ConfigurationError("\(directory): no such folder")
        }
        let files = (FileManager.default.enumerator(atPath: directory)?.compactMap { $0 as? String } ?? [])
            .filter { $0.hasSuffix("/model.h5") }.sorted()
        var runs: [DepthRun] = [], skipped: [String] = []
        for file in files {
            let path = (directory as NSString).appendingPathComponent(file)
            let contents: ModelFileContents
            do { contents = try ModelFile.read(from: URL(fileURLWithPath: path)) } catch {
                skipped.append("\(path): \(error)")
                continue
            }
            if let unfinished = Self.unfinished(contents) {
                skipped.append("\(path): \(unfinished)")
                continue
            }
            guard let (kind, depth) = DepthRun.parse(model: contents.model) else {
                skipped.append("\(path): model \(contents.model) is neither plainN nor resnetN")
                continue
            }
            do {
                let spec = try contents.architecture(file: path)
                let weights = try spec.build().namedParameters.filter { $0.parameter.value.shape.count >= 2 }.map(\.path)
                runs.append(DepthRun(kind: kind, depth: depth, path: path,
                                     history: try TrainingHistory(contents: contents, file: path, label: kind.name(depth: depth)),
                                     gradientNorms: try GradientNormLog(contents: contents, file: path), weightPaths: weights,
                                     zeroInitResidual: contents.recipeValues?["zeroInitResidual"] as? Bool ?? false))
            } catch {
                skipped.append("\(path): \(error)")
            }
        }
        guard !runs.isEmpty else {
            throw ConfigurationError("\(directory): no plainN or resnetN model files (*/model.h5) with a training history"
                                     + (skipped.isEmpty ? "" : "; skipped: " + skipped.joined(separator: "; ")))
        }
        self.init(runs: runs, skipped: skipped)
    }

    /// "still training (epoch 9 of 16)" for a model file whose run has not done its recipe's epochs,
    /// nil for a finished run (or a file without a recipe, which is taken as it is).
    static func unfinished(_ contents: ModelFileContents) -> String? {
        guard let training = contents.training, let epochs = contents.recipeValues?["epochs"] as? Int,
              training.epochsCompleted < epochs else { return nil }
        return "still training (epoch \(training.epochsCompleted) of \(epochs)), left out"
    }

    /// How the residual nets started, for captions: "" when none was zero-initialised, else a clause that says
    /// which (all of them, or how many).
    public var zeroInitialisationNote: String {
        let residual = groups.filter { $0.kind == .residual }.flatMap(\.runs)
        let zeroed = residual.filter(\.zeroInitResidual).count
        guard zeroed > 0 else { return "" }
        let which = zeroed == residual.count ? "Every residual block" : "In \(zeroed) of the \(residual.count) residual runs each residual block"
        return "\(which) started as the identity (the last batch-norm scale of its branch zero, Goyal et al. 2017)."
    }

    /// Every depth trained, ascending.
    public var depths: [Int] { Array(Set(groups.map(\.depth))).sorted() }

    /// The deepest depth trained both plain and residual whose runs all recorded gradient norms.
    public var deepestPairWithGradients: Int? {
        depths.reversed().first { depth in
            NetworkKind.allCases.allSatisfy { group($0, depth: depth).map { !$0.gradientNormEpochs.isEmpty } ?? false }
        }
    }

    /// The group of `kind` at `depth`, if trained.
    public func group(_ kind: NetworkKind, depth: Int) -> DepthGroup? {
        groups.first { $0.kind == kind && $0.depth == depth }
    }
}
