import CNNData
import CNNEngine
import CNNFigures
import CNNModels
import CNNRuns
import CNNStore
import Foundation
import Testing
import _TestSupport

/// The repository's `data/` folder, found from this file.
private func shippedData(_ name: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("data").appendingPathComponent(name).path
}

@Suite struct TrainingFigureTests {
    @Test func curvesReadTheHistoryColumnsAsPercentages() throws {
        let folder = try temporaryFolder("CNNFiguresDEF")
        let file = folder.appendingPathComponent("model.h5")
        try DEFTestSupport.writeModelFile(model: "logreg", to: file, history: DEFTestSupport.history(epochs: 4))
        let run = try TrainingHistory(file: file.path)
        #expect(run.label == "logistic regression on MNIST")
        #expect(run.epochs == [1, 2, 3, 4])
        #expect(run.trainLoss == [2, 1, 2.0 / 3, 0.5])
        #expect(run.testError.map { ($0 * 1e9).rounded() / 1e9 } == [40, 20, 13.333333333, 10])
        #expect(run.heldOutName == "test")
        #expect(run.dataset?.name == .mnist)
        #expect(try TrainingHistory(file: file.path, label: "LR").label == "LR")

        // A file whose test columns are NaN falls back on the validation columns.
        var history = DEFTestSupport.history(epochs: 2)
        history["val_error"] = [0.3, 0.2]; history["val_loss"] = [1, 0.5]
        history["test_error"] = [.nan, .nan]
        try DEFTestSupport.writeModelFile(model: "logreg", to: file, history: history)
        let validation = try TrainingHistory(file: file.path)
        #expect(validation.heldOutName == "validation" && validation.testError == [30, 20])

        let png = folder.appendingPathComponent("curves.png").path
        try TrainingCurvesFigure(runs: [run, validation], references: [ReferenceError(label: "LeNet-5", percent: 0.95)])
            .write(to: png, size: .inches(8, 4), dpi: 72)
        #expect(pngSize(atPath: png).map { [$0.width, $0.height] } == [576, 288])
    }

    @Test func aFileWithoutHistoryIsAClearError() throws {
        let folder = try temporaryFolder("CNNFiguresDEF")
        let file = folder.appendingPathComponent("model.h5")
        try DEFTestSupport.writeModelFile(model: "logreg", to: file, history: [:])
        #expect {
            try TrainingHistory(file: file.path)
        } throws: { error in
            "\(error)".contains(file.path) && "\(error)".contains("no training history")
        }
    }

    @Test func theConfusionMatrixSumsToTheTestCount() throws {
        let spec = try ModelZoo.spec("lenet5")
        let network = try spec.build()
        network.initialize(seed: 3)
        let images = try DEFTestSupport.dataset(count: 37, side: 28)
        let evaluation = try Evaluation(network: network, dataset: images, normalization: .mnist, classes: 10, batchSize: 16)
        #expect(evaluation.count == 37)
        #expect(evaluation.confusion.count == 10 && evaluation.confusion.allSatisfy { $0.count == 10 })
        #expect(evaluation.confusion.joined().reduce(0, +) == 37)
        let correct = (0..<10).reduce(0) { $0 + evaluation.confusion[$1][$1] }
        #expect(evaluation.mistakes.count == 37 - correct)
        #expect(evaluation.confusion.map { $0.reduce(0, +) } == images.classCounts)
        #expect(evaluation.mistakes.allSatisfy { Int(images.labels[$0.index]) == $0.label && $0.label != $0.predicted })

        let references = try ReferenceError.read(from: shippedData("mnist_reference_errors.csv"))
        #expect(references.map(\.percent) == [0.95, 0.8])
        let figure = ConfusionFigure(model: "lenet5", datasetName: "synthetic", evaluation: evaluation, references: references)
        #expect(figure.errorBars.map(\.percent) == [evaluation.error * 100, 0.95, 0.8])
        // The colour scale is the mistakes': the largest count off the diagonal; the bars name the variant.
        let offDiagonal = (0..<10).flatMap { r in (0..<10).filter { $0 != r }.map { evaluation.confusion[r][$0] } }
        #expect(figure.offDiagonalMaximum == offDiagonal.max()!)
        #expect(figure.caption.contains("colour scale, 0 to \(offDiagonal.max()!)"))
        #expect(figure.errorBars[0].label == "LeNet-5 (ReLU, max-pool), this run")
        let folder = try temporaryFolder("CNNFiguresDEF")
        let pdf = folder.appendingPathComponent("confusion.pdf").path
        try figure.write(to: pdf)
        #expect(isPDF(atPath: pdf))

        let mistakes = MistakesFigure(model: "lenet5", datasetName: "synthetic", evaluation: evaluation, testSet: images, count: 5)
        #expect(mistakes.shown.count == min(5, evaluation.mistakes.count))
        if let first = evaluation.mistakes.first {
            #expect(mistakes.captions.first == "class \(first.label) → class \(first.predicted)")
            #expect(mistakes.shown[0].image == Array(images.image(at: first.index)))
        }
        let png = folder.appendingPathComponent("mistakes.png").path
        try mistakes.write(to: png, size: .inches(4, 4), dpi: 50)
        #expect(pngSize(atPath: png).map { [$0.width, $0.height] } == [200, 200])
    }

    @Test func imageNetHistoryReadsTheShippedTable() throws {
        let figure = try ImageNetHistoryFigure(file: shippedData("imagenet_history.csv"))
        #expect(figure.results.count == 7)
        #expect(figure.results.map(\.year) == [2010, 2011, 2012, 2013, 2014, 2014, 2015])
        #expect(figure.results.map(\.top5ErrorPercent) == [28.2, 25.8, 16.4, 11.7, 8.0, 6.6, 4.5])
        #expect(figure.results.map(\.layers) == [nil, nil, 8, 8, 19, 22, 152])
        #expect(figure.annotations[2] == "8 layers")
        #expect(figure.results[6].entry == "Deep residual nets")

        let folder = try temporaryFolder("CNNFiguresDEF")
        let table = folder.appendingPathComponent("history.csv").path
        try "year,entry,top5_error_percent,layers\n2016,\"Ensemble, big\",3.0,200\n2017,x,oops,\n".write(toFile: table, atomically: true, encoding: .utf8)
        #expect {
            try ImageNetHistoryFigure(file: table)
        } throws: { error in
            "\(error)".contains("line 3") && "\(error)".contains("oops")
        }
        let parsed = try CSVTable(contentsOf: table)
        #expect(parsed.rows[0][1] == "Ensemble, big")
    }

    /// E5's numbers, and a study exported without weights that reads back to the same figures.
    @Test func gradientNormsAndTheCommittedStudyFile() throws {
        func run(_ kind: NetworkKind, first: Double, last: Double, seed: Int) -> DepthRun {
            var log = GradientNormLog()
            var epoch = GradientNormLog.Epoch()
            epoch.batches = 2
            epoch.sums = ["conv1/weight": 2 * first, "conv2/weight": 2 * (first + last) / 2, "fc/weight": 2 * last]
            log.epochs = ["1": epoch, "2": epoch]
            let history = TrainingHistory(label: kind.name(depth: 20), epochs: [1, 2], trainLoss: [1, 0.5], testLoss: [1, 0.6],
                                          trainError: [30, 20 + Double(seed)], testError: [31, 22])
            return DepthRun(kind: kind, depth: 20, path: "runs/\(kind)-\(seed)/model.h5", history: history, gradientNorms: log,
                            weightPaths: ["conv1/weight", "conv2/weight", "fc/weight"])
        }
        let study = DepthStudy(runs: [run(.plain, first: 0.01, last: 1, seed: 0), run(.plain, first: 0.03, last: 1, seed: 1),
                                      run(.residual, first: 0.5, last: 1, seed: 0)])
        let figure = try GradientNormFigure(study: study)
        #expect(figure.depth == 20)
        #expect(try #require(study.group(.plain, depth: 20)).gradientNorms(epoch: 1) == [0.02, 0.51, 1])
        #expect(abs(try #require(figure.firstToLastRatio(.plain, epoch: 1)) - 0.02) < 1e-12)
        #expect(figure.caption.contains("0.02 times the last layer's in plain-20"))

        let folder = try temporaryFolder("CNNFiguresDEF")
        let file = folder.appendingPathComponent("study.json").path
        try study.exportJSON(source: "runs/depth").write(to: URL(fileURLWithPath: file))
        let back = try DepthStudy(studyFile: file)
        #expect(back.groups.map(\.runs.count) == study.groups.map(\.runs.count))
        #expect(back.group(.plain, depth: 20)?.finalTrainError == study.group(.plain, depth: 20)?.finalTrainError)
        #expect(try GradientNormFigure(study: back).caption == figure.caption)
        #expect(DepthFigure(study: back).caption == DepthFigure(study: study).caption)
        try "{\"format\": \"other\"}".write(toFile: file, atomically: true, encoding: .utf8)
        #expect { try DepthStudy(studyFile: file) } throws: { "\($0)".contains(file) }
        // Runs without recorded norms: a clear error, no figure of constants.
        var bare = study.groups.flatMap(\.runs)
        for i in bare.indices { bare[i].gradientNorms = nil }
        #expect(throws: ConfigurationError.self) { try GradientNormFigure(study: DepthStudy(runs: bare)) }
        // The committed study: every residual run started its blocks as the identity, and both captions say so.
        let shipped = try DepthStudy(studyFile: repositoryRoot().appendingPathComponent(DepthStudy.shippedFile).path)
        #expect(shipped.groups.filter { $0.kind == .residual }.flatMap(\.runs).allSatisfy { $0.zeroInitResidual })
        #expect(shipped.groups.filter { $0.kind == .plain }.flatMap(\.runs).allSatisfy { !$0.zeroInitResidual })
        #expect(DepthFigure(study: shipped).caption.contains("Every residual block started as the identity"))
        #expect(try GradientNormFigure(study: shipped).caption.contains("pass through the shortcuts"))
    }

    @Test("figures prepare a model's test images as its recipe prepared the training images (downsample)")
    func testSetsAreShrunkAsTheRecipeShrankTraining() throws {
        let folder = try temporaryFolder("CNNFiguresDEF")
        let file = folder.appendingPathComponent("small.h5")
        let spec = ModelSpec(name: "logreg", inputShape: [1, 14, 14], classes: 10,
                             layers: [.flatten(name: "flatten"), .dense(name: "OUTPUT", inFeatures: 196, outFeatures: 10)])
        var contents = try ModelFile.initialContents(of: spec, seed: 1)
        #expect(contents.downsampleFactor == nil)
        contents.training = TrainingRecord(epochsCompleted: 1, recipeJSON: "{\"epochs\": 1, \"downsample\": 2}", iteratorJSON: "{}",
                                           generatorState: [1, 2, 3, 4])
        #expect(contents.downsampleFactor == 2)
        contents.metadata["data_source"] = "{\"name\": \"mnist\", \"directory\": \"\(repositoryRoot().appendingPathComponent("datasets/mnist").path)\"}"
        try ModelFile.write(contents, to: file)
        let model = try TrainedModel(contentsOf: file.path)
        let small = try model.testSet()
        #expect(small.imageShape == [1, 14, 14] && small.count == 10000)
        let health = try NetworkHealth(model, dataset: small, limit: 20)
        #expect(health.caption.contains("logistic regression"))
        contents.training = nil
        try ModelFile.write(contents, to: file)
        #expect { try TrainedModel(contentsOf: file.path).testSet() } throws: { "\($0)".contains("\(file.path): the model takes [1, 14, 14] images") }
    }

    @Test func depthStudyGroupsRunsByDepthAndKind() throws {
        let folder = try temporaryFolder("CNNFiguresDEF")
        func write(_ model: String, _ name: String, train: Double, test: Double, epochs: Int = 3) throws {
            let url = folder.appendingPathComponent(name).appendingPathComponent("model.h5")
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try DEFTestSupport.writeModelFile(model: model, to: url,
                                              history: DEFTestSupport.history(epochs: epochs, trainStart: train, testStart: test))
        }
        try write("plain8", "plain8", train: 0.3, test: 0.4)
        try write("plain8", "plain8-seed2", train: 0.6, test: 0.5, epochs: 4)
        try write("resnet8", "resnet8", train: 0.3, test: 0.3)
        try write("plain14", "deeper/plain14", train: 0.9, test: 0.9)
        try write("lenet5", "other", train: 0.1, test: 0.1)
        // A run still training (3 of its recipe's 16 epochs) is left out, and said to be.
        let running = folder.appendingPathComponent("resnet8-running/model.h5")
        try FileManager.default.createDirectory(at: running.deletingLastPathComponent(), withIntermediateDirectories: true)
        try DEFTestSupport.writeModelFile(model: "resnet8", to: running, history: DEFTestSupport.history(epochs: 3),
                                          training: TrainingRecord(epochsCompleted: 3, recipeJSON: "{\"epochs\": 16}", iteratorJSON: "{}",
                                                                   generatorState: [1, 2, 3, 4]))

        let study = try DepthStudy(directory: folder.path)
        #expect(study.groups.map { "\($0.kind)\($0.depth)x\($0.runs.count)" } == ["plain8x2", "plain14x1", "residual8x1"])
        #expect(study.depths == [8, 14])
        #expect(study.skipped.count == 2 && study.skipped.contains { $0.contains("lenet5") })
        #expect(study.skipped.contains { $0.contains("resnet8-running") && $0.contains("still training (epoch 3 of 16)") })
        #expect(DepthFigure(study: study).deepestPair == 8)
        // The summary's x ticks are the depths trained, in both panels; no residual run was zero-initialised here.
        let texts = try DepthFigure(study: study).drawnTexts()
        #expect(texts.filter { $0 == "8" }.count >= 2 && texts.filter { $0 == "14" }.count >= 2, "\(texts)")
        #expect(study.zeroInitialisationNote.isEmpty)
        let plain8 = try #require(study.group(.plain, depth: 8))
        #expect(plain8.commonEpochs == 3)
        #expect(plain8.finalTrainError.minimum == 10 && plain8.finalTrainError.maximum == 20)
        #expect(abs(plain8.finalTrainError.mean - 15) < 1e-9)
        #expect(plain8.trainErrorCurve.map(\.maximum) == [60, 30, 20])
        #expect(DepthRun.parse(model: "resnet110")! == (.residual, 110))
        #expect(DepthRun.parse(model: "vgg16") == nil)

        let png = folder.appendingPathComponent("e3.png").path
        try DepthFigure(study: study).write(to: png, size: .inches(8, 6), dpi: 60)
        #expect(pngSize(atPath: png).map { [$0.width, $0.height] } == [480, 360])
        #expect(throws: (any Error).self) { try DepthStudy(directory: folder.appendingPathComponent("other").path) }
    }

    @Test func resultsTablesGetTheMeasuredRowsOfTheirDataSet() throws {
        let mnist = try ResultsTable(file: shippedData("results_mnist.csv"))
        let cifar = try ResultsTable(file: shippedData("results_cifar10.csv"))
        #expect(mnist.dataset == .mnist && mnist.rows.count == 12 && mnist.header.last == "Error rate (%)")
        #expect(mnist.rows.first?[4] == "7.6" && mnist.rows.last?[4] == "0.21")
        #expect(cifar.dataset == .cifar10 && cifar.rows.map { $0[1] } == ["21.1", "5.19", "4.0", "3.65"])

        let lenet = MeasuredResult(model: "lenet5", dataset: DataSource(.mnist), epochs: 10, testErrorPercent: 0.8)
        let fashion = MeasuredResult(model: "resnet20", dataset: DataSource(.fashionMNIST), epochs: 3, testErrorPercent: 9.5)
        let tables = ResultsTable.combining([mnist, cifar], with: [lenet, fashion])
        #expect(tables.count == 3)
        #expect(tables[0].rows.count == 13 && tables[0].measured.last == true && tables[0].measured.filter { $0 }.count == 1)
        #expect(tables[0].rows.last == ["This toolkit (measured)", "LeNet-5 (ReLU, max-pool), 10 epochs", "", "", "0.80"])
        #expect(tables[1].rows.count == 4)
        #expect(tables[2].rows == [["ResNet-20, 3 epochs", "Fashion-MNIST", "9.50"]])

        let folder = try temporaryFolder("CNNFiguresDEF")
        let file = folder.appendingPathComponent("model.h5")
        try DEFTestSupport.writeModelFile(model: "logreg", to: file, history: DEFTestSupport.history(epochs: 2))
        let measured = try MeasuredResult(file: file.path)
        #expect(measured.model == "logreg" && measured.epochs == 2 && abs(measured.testErrorPercent - 20) < 1e-9)
        let png = folder.appendingPathComponent("e4.png").path
        try ResultsTableFigure(tables: tables).write(to: png, size: .inches(9, 7), dpi: 40)
        #expect(pngSize(atPath: png).map { [$0.width, $0.height] } == [360, 280])
    }
}
