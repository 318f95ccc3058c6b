// Model files and data sets the tests write themselves, in the real formats.
import CNNData
import CNNEngine
import CNNModels
import CNNRuns
import CNNStore
import Foundation

/// Writes zoo model `model` for `input` and `classes` (initial weights from `seed`), recording `source` as
/// `cnnbench train` does (its `data_source`, a data-set record named `recordName`); returns the path.
@discardableResult
func writeModel(_ model: String, input: [Int], classes: Int, to url: URL, source: DataSource?, recordName: String? = nil,
                classNames: [String]? = nil, recipeJSON: String? = nil, seed: UInt64 = 1) throws -> String {
    var contents = try ModelFile.initialContents(of: try ModelZoo.spec(model, classes: classes, input: input), seed: seed)
    contents.metadata = [:]
    if let source { contents.metadata["data_source"] = String(decoding: try JSONEncoder().encode(source), as: UTF8.self) }
    if let recordName {
        contents.dataset = DatasetRecord(name: recordName, classNames: classNames ?? (0..<classes).map(String.init),
                                         normalizationMean: [0.5], normalizationStd: [0.25])
    }
    if let recipeJSON {
        contents.training = TrainingRecord(epochsCompleted: 1, recipeJSON: recipeJSON, iteratorJSON: "{}", generatorState: [1, 2, 3, 4])
    }
    try ModelFile.write(contents, to: url)
    return url.path
}

/// Pixel `p` of image `i` of a test file: varied, so that no two images are alike.
private func pixel(_ i: Int, _ p: Int) -> UInt8 { UInt8((i * 37 + p * 11 + (p * p) % 13) % 256) }

/// Four IDX files of `train` and `test` grey `side` x `side` images, labels cycling through 0...9.
func writeIDX(in folder: URL, train: Int = 20, test: Int = 12, side: Int = 28) throws {
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    func bigEndian(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
    for (prefix, n) in [("train", train), ("t10k", test)] {
        let images = (0..<n).flatMap { i in (0..<side * side).map { pixel(i, $0) } }
        try Data([0, 0, 8, 3] + bigEndian(n) + bigEndian(side) + bigEndian(side) + images)
            .write(to: folder.appendingPathComponent("\(prefix)-images-idx3-ubyte"))
        try Data([0, 0, 8, 1] + bigEndian(n) + (0..<n).map { UInt8($0 % 10) })
            .write(to: folder.appendingPathComponent("\(prefix)-labels-idx1-ubyte"))
    }
}

/// CIFAR-10's binary files (five training batches and the test batch) of `perBatch` records each in `folder/cifar-10-batches-bin`.
func writeCIFAR10(in folder: URL, perBatch: Int = 10) throws {
    let batches = folder.appendingPathComponent("cifar-10-batches-bin")
    try FileManager.default.createDirectory(at: batches, withIntermediateDirectories: true)
    func records(_ first: Int) -> [UInt8] {
        (first..<(first + perBatch)).flatMap { r in [UInt8(r % 10)] + (0..<3072).map { pixel(r, $0) } }
    }
    for b in 1...5 { try Data(records(b * perBatch)).write(to: batches.appendingPathComponent("data_batch_\(b).bin")) }
    try Data(records(0)).write(to: batches.appendingPathComponent("test_batch.bin"))
}

/// A folder of `side` x `side` colour PNGs: `train/<class>/*.png` and `test/<class>/*.png`, `perClass` of each.
func writePNGFolder(in folder: URL, classes: [String], perClass: Int = 3, side: Int = 20) throws {
    for split in ["train", "test"] {
        for (c, name) in classes.enumerated() {
            let classFolder = folder.appendingPathComponent("\(split)/\(name)")
            try FileManager.default.createDirectory(at: classFolder, withIntermediateDirectories: true)
            for i in 0..<perClass {
                let rgb = (0..<3 * side * side).map { pixel(c * perClass + i, $0) }
                try PNGImage(width: side, height: side, rgb: rgb).write(to: classFolder.appendingPathComponent("\(i).png").path)
            }
        }
    }
}
