// A depth study's histories without its weights: what E3 and E5 need, small enough to commit
// (data/depth-study.json), so a fresh clone's report draws them without retraining.
//
// Written by `cnnviz depth --runs DIR --export FILE`; read by `cnnviz depth --runs FILE` and by the
// report when no depth runs are beside the suite.

import CNNEngine
import CNNStore
import Foundation

/// The JSON form of a `DepthStudy`.
struct DepthStudyFile: Codable {
    struct Run: Codable {
        var model: String
        var file: String
        var epochs: [Double]
        var trainLoss: [Double]
        var testLoss: [Double]
        var trainErrorPercent: [Double]
        var testErrorPercent: [Double]
        var heldOutName: String
        var gradientNorms: GradientNormLog?
        var weightPaths: [String]
        /// Absent in files written before it was recorded: false.
        var zeroInitResidual: Bool?
    }
    var format = "cnnbench-depth-study"
    var formatVersion = 1
    var source: String
    var runs: [Run]
}

extension DepthStudy {
    /// Where the repository keeps the depth suite's exported histories.
    public static let shippedFile = "data/depth-study.json"

    /// The study's histories (and gradient norms) as JSON, weights left out.
    public func exportJSON(source: String) throws -> Data {
        let runs = groups.flatMap(\.runs).map { r in
            DepthStudyFile.Run(model: r.kind == .plain ? "plain\(r.depth)" : "resnet\(r.depth)", file: r.path,
                               epochs: r.history.epochs, trainLoss: r.history.trainLoss, testLoss: r.history.testLoss,
                               trainErrorPercent: r.history.trainError, testErrorPercent: r.history.testError,
                               heldOutName: r.history.heldOutName, gradientNorms: r.gradientNorms, weightPaths: r.weightPaths,
                               zeroInitResidual: r.zeroInitResidual)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(DepthStudyFile(source: source, runs: runs))
    }

    /// Reads a study exported by `exportJSON`.
    /// - Throws: `ConfigurationError` naming the file when it is not such a file or holds no plainN/resnetN run.
    public init(studyFile path: String) throws {
        let file: DepthStudyFile
        do { file = try JSONDecoder().decode(DepthStudyFile.self, from: Data(contentsOf: URL(fileURLWithPath: path))) } catch {
            throw ConfigurationError("\(path): not a depth-study file (cnnviz depth --runs DIR --export FILE writes one): \(error)")
        }
        guard file.format == "cnnbench-depth-study", file.formatVersion == 1 else {
            throw ConfigurationError("\(path): format \(file.format) version \(file.formatVersion), expected cnnbench-depth-study version 1")
        }
        var runs: [DepthRun] = [], skipped: [String] = []
        for r in file.runs {
            guard let (kind, depth) = DepthRun.parse(model: r.model) else { skipped.append("\(r.file): model \(r.model)"); continue }
            let n = r.epochs.count
            guard n > 0, [r.trainLoss, r.testLoss, r.trainErrorPercent, r.testErrorPercent].allSatisfy({ $0.count == n }) else {
                throw ConfigurationError("\(path): run \(r.file) has columns of different lengths")
            }
            let history = TrainingHistory(label: kind.name(depth: depth), epochs: r.epochs, trainLoss: r.trainLoss, testLoss: r.testLoss,
                                          trainError: r.trainErrorPercent, testError: r.testErrorPercent, heldOutName: r.heldOutName)
            runs.append(DepthRun(kind: kind, depth: depth, path: r.file, history: history, gradientNorms: r.gradientNorms,
                                 weightPaths: r.weightPaths, zeroInitResidual: r.zeroInitResidual ?? false))
        }
        guard !runs.isEmpty else { throw ConfigurationError("\(path): no plainN or resnetN runs") }
        self.init(runs: runs, skipped: skipped)
    }

    /// A folder of runs, or a study file written by `exportJSON`.
    public init(location path: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
            try self.init(studyFile: path)
        } else {
            try self.init(directory: path)
        }
    }
}
