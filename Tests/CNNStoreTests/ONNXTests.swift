import CNNEngine
import CNNModels
import CNNStore
import Foundation
import Testing
import _TestSupport

/// ONNX files written by PyTorch's exporter (Fixtures/make_onnx_fixtures.py) rebuilt and run, and the
/// zoo's models exported and read back.
@Suite("ONNX import")
struct ONNXImportTests {
    static let fixtures = repositoryRoot().appendingPathComponent("Tests/CNNStoreTests/Fixtures/onnx")

    /// Loads fixture `name`, runs PyTorch's input through it and compares with PyTorch's output.
    @discardableResult
    func expectMatchesPyTorch(_ name: String) throws -> (spec: ModelSpec, network: Sequential) {
        let url = Self.fixtures.appendingPathComponent("\(name).onnx")
        #expect(ONNXFile.isONNXFile(url))
        let (spec, network, _) = try ModelFile.loadModel(from: url)
        let expected = try HDF5File(opening: Self.fixtures.appendingPathComponent("expected.h5"))
        defer { try? expected.close() }
        let input = try expected.readTensor(at: "\(name)/input"), want = try expected.readTensor(at: "\(name)/output")
        let got = try network.forward(input)
        #expect(got.shape == want.shape)
        let error = maxRelativeError(got.values, want.values)
        #expect(error < 1e-4, "\(name): largest difference from PyTorch \(error)")
        return (spec, network)
    }

    @Test func userSequentialCNNMatchesPyTorch() throws {
        let (spec, _) = try expectMatchesPyTorch("sequential_cnn")
        #expect(spec.inputShape == [1, 28, 28] && spec.classes == 10)
        // nn.Sequential's indices; the exporter folds the batch norm (1) into the convolution (0) and drops the dropout (10).
        #expect(spec.layers.map(\.name) == ["0", "2", "3", "4", "5", "6", "7", "8", "9", "11"])
    }

    @Test func userModuleWithViewAndBatchNorm1DMatchesPyTorch() throws {
        let (spec, _) = try expectMatchesPyTorch("module_cnn")
        // x.view(x.size(0), -1) is a Reshape whose target comes from Shape/Gather/Concat: rebuilt as a Flatten.
        #expect(spec.layers.map(\.name) == ["conv1", "relu", "maxpool", "conv2", "leakyrelu", "reshape", "fc1", "bn", "relu_2", "fc2"])
        #expect(spec.layers.contains { if case .batchNorm1D = $0 { return true }; return false })
    }

    @Test func paddedPoolingAndAFinalSoftmaxMatchPyTorch() throws {
        // Max pooling with ceil mode, average pooling counting the padding and not; the softmax is left out.
        let (spec, _) = try expectMatchesPyTorch("pooling_cnn")
        #expect(spec.layers.count == 6)
        #expect(spec.layers[1] == .maxPool2D(name: "1", kernelSize: 3, stride: 2, padding: 1, ceilMode: true))
        #expect(spec.layers[2] == .avgPool2D(name: "2", kernelSize: 3, stride: 2, padding: 1, countIncludePad: true))
        #expect(spec.layers[3] == .avgPool2D(name: "3", kernelSize: 2, stride: 2, padding: 1, countIncludePad: false))
        let contents = try ModelFile.readAny(from: Self.fixtures.appendingPathComponent("pooling_cnn.onnx"))
        #expect(contents.metadata["note"] == "the graph's final softmax is left out: outputs are logits")
    }

    @Test func torchvisionAlexNetMatchesPyTorch() throws {
        let (spec, network) = try expectMatchesPyTorch("alexnet_narrow")
        #expect(spec.inputShape == [3, 224, 224])
        #expect(network.namedParameters.first?.path == "features.0/weight")
        #expect(spec.layers.map(\.name).contains("classifier.6"))
    }

    @Test func torchvisionVGGWithBatchNormMatchesPyTorch() throws {
        try expectMatchesPyTorch("vgg11_bn_narrow")
    }

    @Test func torchvisionResNet18MatchesPyTorchWithItsBlocks() throws {
        let (spec, network) = try expectMatchesPyTorch("resnet18_narrow")
        let blocks = network.layers.compactMap { $0 as? Residual }
        #expect(blocks.map(\.name) == ["layer1.0", "layer1.1", "layer2.0", "layer2.1", "layer3.0", "layer3.1", "layer4.0", "layer4.1"])
        #expect(blocks.filter { if case .projection = $0.shortcut { return true }; return false }.map(\.name) == ["layer2.0", "layer3.0", "layer4.0"])
        #expect(blocks.first?.activation?.name == "relu_1")
        let paths = network.namedParameters.map(\.path)
        #expect(paths.contains("layer2.0/conv1/weight") && paths.contains("layer2.0/shortcut/downsample.0/weight"))
        #expect(spec.layers.first?.name == "conv1")
    }

    @Test func newerExporterWithExternalDataMatchesPyTorch() throws {
        // dynamo=True: weights in NAME.onnx.data, module names in node metadata, pooling as ReduceMean.
        let (_, network) = try expectMatchesPyTorch("resnet18_narrow_dynamo")
        #expect(network.layers.compactMap { ($0 as? Residual)?.name } == ["layer1.0", "layer1.1", "layer2.0", "layer2.1", "layer3.0", "layer3.1", "layer4.0", "layer4.1"])
        #expect(network.namedParameters.map(\.path).contains("layer2.0/shortcut/downsample.0/weight"))
        try expectMatchesPyTorch("module_cnn_dynamo")

        // Without its data file, the error names the file, the tensor and the missing data file.
        let folder = try temporaryFolder("onnx-external")
        defer { try? FileManager.default.removeItem(at: folder) }
        let lone = folder.appendingPathComponent("module_cnn_dynamo.onnx")
        try FileManager.default.copyItem(at: Self.fixtures.appendingPathComponent("module_cnn_dynamo.onnx"), to: lone)
        let error = try #require(throws: StoreError.self) { try ModelFile.readAny(from: lone) }
        #expect(error.description.hasPrefix("\(lone.path): tensor "))
        #expect(error.description.contains("is stored in module_cnn_dynamo.onnx.data, which is not beside the .onnx file"))
    }

    @Test func unsupportedOperatorKeepsWeightsAndNamesTheOperator() throws {
        let url = Self.fixtures.appendingPathComponent("unsupported.onnx")
        let contents = try ModelFile.readAny(from: url)
        #expect(contents.architectureJSON.isEmpty)
        #expect(contents.weights.map(\.path) == ["conv1/weight", "conv1/bias", "fc/weight", "fc/bias"])
        #expect(contents.weights[0].tensor.shape == [3, 1, 3, 3] && contents.weights[2].tensor.shape == [4, 432])
        let error = try #require(throws: StoreError.self) { try ModelFile.loadModel(from: url) }
        #expect(error.description.hasPrefix(url.path + ": the ONNX graph cannot be run by CNNBench: operator Resize"))
        #expect(error.description.contains("cnnviz filters"))

        // PyTorch writes LocalResponseNorm as Mul, Pad, AveragePool, Pow and Div: the first of them is named.
        let lrn = try #require(throws: StoreError.self) { try ModelFile.loadModel(from: Self.fixtures.appendingPathComponent("lrn.onnx")) }
        #expect(lrn.description.contains("operator Mul, Mul node \"/1/Mul\", is not supported"))
    }

    @Test func badFilesNameTheFileAndTheProblem() throws {
        let folder = try temporaryFolder("onnx")
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = folder.appendingPathComponent("missing.onnx")
        let missingError = try #require(throws: StoreError.self) { try ModelFile.readAny(from: missing) }
        #expect(missingError.description == "\(missing.path): no such file")

        let empty = folder.appendingPathComponent("empty.onnx")
        try Data().write(to: empty)
        let emptyError = try #require(throws: StoreError.self) { try ModelFile.readAny(from: empty) }
        #expect(emptyError.description == "\(empty.path): the file is empty, not an ONNX model")

        let text = folder.appendingPathComponent("notes.onnx")
        try "this is not a model\n".write(to: text, atomically: false, encoding: .utf8)
        let textError = try #require(throws: StoreError.self) { try ModelFile.readAny(from: text) }
        #expect(textError.description.hasPrefix("\(text.path): not an ONNX model"))

        let original = try Data(contentsOf: Self.fixtures.appendingPathComponent("sequential_cnn.onnx"))
        let truncated = folder.appendingPathComponent("truncated.onnx")
        try original.prefix(original.count / 2).write(to: truncated)
        let truncatedError = try #require(throws: StoreError.self) { try ModelFile.readAny(from: truncated) }
        #expect(truncatedError.description.hasPrefix("\(truncated.path): not an ONNX model"))
        #expect(truncatedError.description.contains("truncated"))
    }
}

@Suite("ONNX export")
struct ONNXExportTests {
    /// The zoo's models at small inputs: every layer kind and shortcut the zoo has.
    static let models: [(name: String, input: [Int]?)] = [
        ("lenet5", nil), ("lenet5-1998", nil), ("logreg", nil), ("mlp", nil), ("alexnet-small", nil),
        ("vgg11_cifar", nil), ("vgg11_bn_cifar", nil), ("resnet8", nil), ("plain8", nil), ("resnet18", [3, 32, 32]),
    ]

    /// Export, import: the same parameters by path and the same output bits.
    @Test(arguments: models.map(\.name))
    func roundTripGivesTheSameBits(model name: String) throws {
        let input = Self.models.first { $0.name == name }!.input
        let spec = try ModelZoo.spec(name, input: input)
        var contents = try ModelFile.initialContents(of: spec, seed: 5)
        // Batch-norm statistics away from their initial 0 and 1, so that they are exercised.
        contents.buffers = contents.buffers.enumerated().map { k, entry in
            let t = randomTensor(entry.tensor.shape, seed: UInt64(100 + k), scale: 0.3)
            if entry.path.hasSuffix("running_var") { for i in 0..<t.count { t[flat: i] = 1 + t[flat: i] } }
            return (entry.path, t)
        }
        let folder = try temporaryFolder("onnx-export")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("\(name).onnx")
        try ONNXFile.write(contents, to: url)

        let original = try spec.build()
        try ModelFile.load(contents, into: original, file: "memory")
        original.setTraining(false)
        let (imported, network, read) = try ModelFile.loadModel(from: url)
        #expect(imported.inputShape == spec.inputShape && imported.classes == spec.classes)
        #expect(read.model == name)
        #expect(network.namedParameters.map(\.path) == original.namedParameters.map(\.path))
        #expect(network.namedBuffers.map(\.path) == original.namedBuffers.map(\.path))
        #expect(network.layers.map(\.kind) == original.layers.map(\.kind))
        let x = randomTensor([2] + spec.inputShape, seed: 9)
        let want = try original.forward(x).values
        let got = try network.forward(x).values
        #expect(bitIdentical(got, want), "\(name): the imported network's outputs differ (largest \(maxRelativeError(got, want)))")
    }

    @Test func exportNamesInputsOutputsAndWeights() throws {
        let spec = try ModelZoo.spec("resnet8")
        let model = try ONNXFile.model(from: try ModelFile.initialContents(of: spec, seed: 1), file: "resnet8.h5")
        #expect(model.opsetImport.first?.version == 13 && model.producerName == "CNNBench")
        #expect(model.graph.input.map(\.name) == ["input"] && model.graph.output.map(\.name) == ["logits"])
        #expect(model.graph.input[0].type.tensorType.shape.dim.map(\.dimValue) == [0, 3, 32, 32])
        #expect(model.graph.input[0].type.tensorType.shape.dim[0].dimParam == "N")
        #expect(model.graph.output[0].type.tensorType.shape.dim.map(\.dimValue) == [0, 10])
        let ops = Set(model.graph.node.map(\.opType))
        #expect(ops == ["Conv", "BatchNormalization", "Relu", "Add", "Slice", "Pad", "GlobalAveragePool", "Flatten", "Gemm"])
        #expect(model.graph.initializer.contains { $0.name == "stage2_block1/conv1/weight" && $0.dims == [32, 16, 3, 3] })
    }

    @Test func modelWithoutArchitectureIsRefused() throws {
        let contents = ModelFileContents(model: "weights", architectureJSON: "", inputShape: [], classes: 0, weights: [])
        let error = try #require(throws: StoreError.self) { try ONNXFile.model(from: contents, file: "w.h5") }
        #expect(error.description == "w.h5: the model has no architecture (weights only), so it cannot be exported as an ONNX graph")
    }
}
