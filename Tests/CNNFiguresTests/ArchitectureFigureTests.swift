import CNNEngine
import CNNFigures
import CNNModels
import Foundation
import Testing
import _TestSupport

@Suite struct ArchitectureFigureTests {
    @Test func lenet1998StagesCarryThePapersLabels() throws {
        let diagram = try ArchitectureDiagram(spec: try ModelZoo.spec("lenet5-1998"))
        #expect(diagram.stages.map(\.name) == ["INPUT", "C1", "S2", "C3", "S4", "C5", "F6", "OUTPUT"])
        #expect(diagram.stages.map(\.shapeLabel) == ["32×32", "6@28×28", "6@14×14", "16@10×10", "16@5×5", "120", "84", "10"])
        #expect(diagram.stages[1].operation == "conv 5×5")
        #expect(diagram.stages[2].operation == "avg pool 2×2")
        #expect(diagram.stages[1].details == ["tanh"])
        #expect(diagram.weightLayers == 5)
    }

    @Test func lecturedLenetHasMaxPoolingAndDenseC5() throws {
        let diagram = try ArchitectureDiagram(spec: try ModelZoo.spec("lenet5"))
        #expect(diagram.stages.map(\.shapeLabel) == ["28×28", "6@28×28", "6@14×14", "16@10×10", "16@5×5", "120", "84", "10"])
        #expect(diagram.stages[2].operation == "max pool 2×2")
        #expect(diagram.stages[5].kind == .dense)
    }

    @Test func resnet20GroupsEachStageIntoOneArcedStage() throws {
        let diagram = try ArchitectureDiagram(spec: try ModelZoo.spec("resnet20"))
        let blocks = diagram.stages.filter { $0.kind == .residualBlocks }
        #expect(blocks.map(\.repeats) == [3, 3, 3])
        #expect(blocks.map(\.shapeLabel) == ["16@32×32", "32@16×16", "64@8×8"])
        #expect(blocks.map(\.name) == ["stage 1", "stage 2", "stage 3"])
        #expect(blocks.allSatisfy { $0.hasShortcut })
        #expect(diagram.weightLayers == 20)
        // Each block keeps its own shortcut: the first blocks of stages 2 and 3 subsample x (option A).
        #expect(blocks.map(\.blockShortcuts) == [[.identity, .identity, .identity],
                                                 [.subsampled(stride: 2), .identity, .identity],
                                                 [.subsampled(stride: 2), .identity, .identity]])
        #expect(diagram.drawsEachBlock)
        #expect(diagram.shortcutKinds == [.identity, .subsampled(stride: 2)])
        let figure = ArchitectureFigure(diagram: diagram)
        #expect(figure.caption.contains("each residual block is drawn with its shortcut arc"))
        #expect(figure.caption.contains("a dashed arc is a shortcut that reshapes x"))
        #expect(!figure.caption.contains("grouped"))
        let texts = try figure.drawnTexts()
        #expect(texts.contains("residual block (conv 3×3, 3×3)"))
        #expect(texts.contains("shortcut: x subsampled /2, new channels zero"))
        #expect(!texts.contains("3 residual blocks"))
        // ResNet-56's 27 blocks are too many to draw one by one: one arc per stage, grouped.
        let deep = try ArchitectureDiagram(spec: try ModelZoo.spec("resnet56"))
        #expect(!deep.drawsEachBlock)
        #expect(ArchitectureFigure(diagram: deep).caption.contains("grouped"))
        // ResNet-18's downsampling shortcuts are 1x1 projections with stride 2.
        let imagenet = try ArchitectureDiagram(spec: try ModelZoo.spec("resnet18"))
        #expect(imagenet.drawsEachBlock)
        #expect(imagenet.shortcutKinds == [.identity, .projection(stride: 2)])
        let plain = try ArchitectureDiagram(spec: try ModelZoo.spec("plain20"))
        #expect(plain.stages.filter { $0.kind == .plainBlocks }.count == 3)
        #expect(!plain.stages.contains { $0.hasShortcut })
    }

    @Test func vgg16FoldsPoolingIntoItsBlocksToStayReadable() throws {
        let diagram = try ArchitectureDiagram(spec: try ModelZoo.spec("vgg16"))
        #expect(diagram.stages.count <= 10)
        #expect(diagram.stages[1].name == "conv1_1–pool1")
        #expect(diagram.stages[1].shapeLabel == "64@112×112")
        #expect(diagram.stages[3].operation.hasPrefix("3 × conv 3×3"))
        #expect(diagram.stages.suffix(3).map(\.shapeLabel) == ["4096", "4096", "1000"])
        #expect(diagram.weightLayers == 16)
    }

    @Test func residualAndDenseBlocksComeFromTheEngine() throws {
        let residual = try BlockDiagram.residual(model: "resnet20")
        #expect(residual.source == "ResNet-20, stage 1, block 1")
        #expect(residual.merge == .sum)
        #expect(residual.inputShape == [16, 32, 32] && residual.outputShape == [16, 32, 32])
        #expect(residual.steps.map(\.label) == ["weight layer", "ReLU", "weight layer"])
        #expect(residual.steps[0].detail == "conv 3×3, 16 → 16, BN")
        #expect(residual.formula == "y = ReLU(x + g(x))")
        let downsampling = try BlockDiagram.residual(model: "resnet20", block: "stage2_block1")
        #expect(downsampling.outputShape == [32, 16, 16])
        let projection = try BlockDiagram.residual(model: "resnet18", block: "layer2.0")
        #expect(projection.source == "ResNet-18, stage 2, block 1")
        #expect(projection.shortcut == "projection (1×1 conv, BN)")

        // DenseNet-BC's dense block: each layer reads every earlier map and adds k = 12 channels.
        let dense = try DenseBlockDiagram.denseNetBC(layers: 3, inputChannels: 24, growthRate: 12)
        #expect(dense.layers.count == 3)
        #expect(dense.layers.allSatisfy { $0.merge == .concatenation && $0.bodyShape == [12, 32, 32] })
        #expect(dense.layers.map(\.inputShape) == [[24, 32, 32], [36, 32, 32], [48, 32, 32]])
        #expect(dense.channels == [24, 36, 48, 60])
        #expect(dense.growthRate == 12)
        #expect(dense.outputShape == [60, 32, 32])
        #expect(dense.operations[1] == ["BN, ReLU, conv 1×1, 36 → 48", "BN, ReLU, conv 3×3, 48 → 12"])
        #expect(dense.formula == "y = [x, g₁, g₂, g₃]: 24 + 3 × 12 = 60 channels")
        #expect(dense.source == "DenseNet-BC, 3 layers, growth rate k = 12")
        let single = try DenseBlockDiagram.denseNetBC(layers: 1, inputChannels: 24, growthRate: 12)
        #expect(single.formula == "y = [x, g₁]: 24 + 12 = 36 channels")
        #expect(throws: (any Error).self) { try DenseBlockDiagram.denseNetBC(layers: 0) }
        #expect(throws: (any Error).self) { try BlockDiagram.residual(model: "resnet20", block: "nope") }
        #expect(throws: (any Error).self) { try BlockDiagram.residual(model: "lenet5") }

        // The caption says what is drawn (layers, growth rate, channels) without repeating the figure's texts.
        let figure = BlockComparisonFigure(residual: residual, dense: dense)
        #expect(figure.caption.contains("of 3 layers"))
        #expect(figure.caption.contains("adds k = 12 channels"))
        #expect(figure.caption.contains("24 → 36 → 48 → 60"))
        #expect(figure.caption.contains("it keeps 16 channels of 32×32"))
        let texts = try figure.drawnTexts()
        for name in ["x", "g₁", "g₂", "g₃", "24@32×32", "36@32×32", "48@32×32", "60@32×32", "BN, ReLU, conv 1×1, 48 → 48\nBN, ReLU, conv 3×3, 48 → 12"] {
            #expect(texts.contains(name), "\(name)")
        }
        for text in texts where text.contains(" ") {
            #expect(!figure.caption.contains(text), "the caption repeats \"\(text)\"")
        }
        #expect(try figure.layoutProblems().isEmpty)
    }

    @Test func architectureFiguresWritePNGAndPDFOfTheRequestedSize() throws {
        let folder = try temporaryFolder("CNNFiguresDEF")
        let png = folder.appendingPathComponent("d1.png").path, pdf = folder.appendingPathComponent("d2.pdf").path
        try ArchitectureFigure(spec: try ModelZoo.spec("resnet18")).write(to: png, size: .inches(10, 3.5), dpi: 100)
        let size = pngSize(atPath: png)
        #expect(size?.width == 1000 && size?.height == 350)
        let blocks = BlockComparisonFigure(residual: try BlockDiagram.residual(model: "resnet20"), dense: try DenseBlockDiagram.denseNetBC())
        try blocks.write(to: pdf)
        #expect(isPDF(atPath: pdf))
    }

    @Test func aModelFileAndAnUnknownNameAreResolved() throws {
        let folder = try temporaryFolder("CNNFiguresDEF")
        let file = folder.appendingPathComponent("model.h5")
        try DEFTestSupport.writeModelFile(model: "lenet5", to: file, history: DEFTestSupport.history(epochs: 1))
        #expect(try ModelReference.spec(file.path).name == "lenet5")
        #expect(throws: (any Error).self) { try ModelReference.spec("lenet7") }
        #expect(throws: (any Error).self) { try ModelReference.spec(folder.appendingPathComponent("missing.h5").path) }
    }
}
