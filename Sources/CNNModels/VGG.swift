import CNNEngine

/// The VGG configurations (Simonyan and Zisserman 2015, table 1): output channels of the 3x3
/// convolutions in each of the five blocks; every block ends in 2x2 max pooling.
enum VGGConfiguration: String, CaseIterable {
    case a = "A", b = "B", d = "D", e = "E"

    var blocks: [[Int]] {
        switch self {
        case .a: return [[64], [128], [256, 256], [512, 512], [512, 512]]
        case .b: return [[64, 64], [128, 128], [256, 256], [512, 512], [512, 512]]
        case .d: return [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]]
        case .e: return [[64, 64], [128, 128], [256, 256, 256, 256], [512, 512, 512, 512], [512, 512, 512, 512]]
        }
    }

    var depth: Int { blocks.joined().count + 3 }
}

/// VGG-11/13/16/19 (configurations A, B, D, E), optionally with batch norm after each convolution.
///
/// `imagenet`: torchvision's definition (224x224, adaptive 7x7 pooling, two 4096-unit dense
/// layers with dropout). Otherwise the common 32x32 variant: the five blocks bring 32x32 to 1x1,
/// then one dense layer 512 -> classes.
func vgg(_ configuration: VGGConfiguration, batchNorm: Bool, imagenet: Bool, classes: Int, input: [Int]) throws -> ModelSpec {
    var s = LayerStack(input: input)
    for (b, block) in configuration.blocks.enumerated() {
        for (i, channels) in block.enumerated() {
            let id = "\(b + 1)_\(i + 1)"
            try s.conv("conv\(id)", channels, kernel: 3, padding: .uniform(1))
            if batchNorm { try s.add(.batchNorm2D(name: "bn\(id)", features: channels)) }
            try s.add(.relu(name: "relu\(id)"))
        }
        try s.add(.maxPool2D(name: "pool\(b + 1)", kernelSize: 2, stride: 2))
    }
    if imagenet {
        try s.add(.adaptiveAvgPool2D(name: "avgpool", outputSize: 7))
        try s.flatten()
        try s.dense("fc6", 4096); try s.add(.relu(name: "relu6")); try s.add(.dropout(name: "drop6", probability: 0.5))
        try s.dense("fc7", 4096); try s.add(.relu(name: "relu7")); try s.add(.dropout(name: "drop7", probability: 0.5))
        try s.dense("fc8", classes)
    } else {
        try s.flatten()
        try s.dense("fc", classes)
    }
    let name = "vgg\(configuration.depth)" + (batchNorm ? "_bn" : "") + (imagenet ? "" : "_cifar")
    return s.model(name, classes: classes, input: input)
}
