import CNNEngine

/// CIFAR ResNets and their plain twins (He, Zhang, Ren and Sun 2015, section 4.2): depth 6n+2,
/// three stages of n basic blocks with 16, 32 and 64 channels, option A shortcuts (identity
/// subsampled by the stride, new channels zero), global average pooling, one dense layer.
/// `residual: false` removes the shortcuts and nothing else.
func cifarResNet(depth: Int, residual: Bool, classes: Int, input: [Int]) throws -> ModelSpec {
    guard depth >= 8, (depth - 2) % 6 == 0 else {
        throw ConfigurationError("CIFAR ResNet depth must be 6n+2 (20, 32, 44, 56, 110), got \(depth)")
    }
    let n = (depth - 2) / 6
    var s = LayerStack(input: input)
    try s.conv("conv1", 16, kernel: 3, padding: .uniform(1), bias: false)
    try s.add(.batchNorm2D(name: "bn1", features: 16))
    try s.add(.relu(name: "relu1"))
    for (stage, (planes, firstStride)) in [(16, 1), (32, 2), (64, 2)].enumerated() {
        for i in 0..<n {
            let stride = i == 0 ? firstStride : 1
            let inPlanes = s.channels
            let body: [LayerSpec] = [
                .conv2D(name: "conv1", inChannels: inPlanes, outChannels: planes, kernelSize: 3, stride: Pair(stride, stride),
                        padding: .uniform(1), bias: false),
                .batchNorm2D(name: "bn1", features: planes),
                .relu(name: "relu1"),
                .conv2D(name: "conv2", inChannels: planes, outChannels: planes, kernelSize: 3, padding: .uniform(1), bias: false),
                .batchNorm2D(name: "bn2", features: planes),
            ]
            let shortcut: ShortcutSpec = !residual ? .none
                : (stride != 1 || inPlanes != planes) ? .zeroPadded(stride: stride) : .identity
            try s.add(.residual(name: "stage\(stage + 1)_block\(i + 1)", body: body, shortcut: shortcut, activation: .relu(name: "relu2")))
        }
    }
    try s.add(.adaptiveAvgPool2D(name: "avgpool", outputSize: 1))
    try s.flatten()
    try s.dense("fc", classes)
    return s.model((residual ? "resnet" : "plain") + "\(depth)", classes: classes, input: input)
}

/// ImageNet ResNets as torchvision defines them: 7x7 stem, four stages, basic blocks (18, 34) or
/// bottlenecks with the stride on the 3x3 convolution (50, "ResNet v1.5"), projection shortcuts
/// (1x1 convolution and batch norm) where the shape changes.
func imagenetResNet(depth: Int, classes: Int, input: [Int]) throws -> ModelSpec {
    let plans: [Int: (blocks: [Int], bottleneck: Bool)] = [
        18: ([2, 2, 2, 2], false), 34: ([3, 4, 6, 3], false), 50: ([3, 4, 6, 3], true),
        101: ([3, 4, 23, 3], true), 152: ([3, 8, 36, 3], true),
    ]
    guard let plan = plans[depth] else {
        throw ConfigurationError("ImageNet ResNet depth must be 18, 34, 50, 101 or 152, got \(depth)")
    }
    let expansion = plan.bottleneck ? 4 : 1
    var s = LayerStack(input: input)
    try s.conv("conv1", 64, kernel: 7, stride: 2, padding: .uniform(3), bias: false)
    try s.add(.batchNorm2D(name: "bn1", features: 64))
    try s.add(.relu(name: "relu"))
    try s.add(.maxPool2D(name: "maxpool", kernelSize: 3, stride: 2, padding: 1))
    for (stage, blocks) in plan.blocks.enumerated() {
        let planes = 64 << stage
        for i in 0..<blocks {
            let stride = (i == 0 && stage > 0) ? 2 : 1
            let inPlanes = s.channels
            let strides = Pair(stride, stride)
            var body: [LayerSpec]
            if plan.bottleneck {
                body = [
                    .conv2D(name: "conv1", inChannels: inPlanes, outChannels: planes, kernelSize: 1, bias: false),
                    .batchNorm2D(name: "bn1", features: planes), .relu(name: "relu1"),
                    .conv2D(name: "conv2", inChannels: planes, outChannels: planes, kernelSize: 3, stride: strides, padding: .uniform(1), bias: false),
                    .batchNorm2D(name: "bn2", features: planes), .relu(name: "relu2"),
                    .conv2D(name: "conv3", inChannels: planes, outChannels: planes * expansion, kernelSize: 1, bias: false),
                    .batchNorm2D(name: "bn3", features: planes * expansion),
                ]
            } else {
                body = [
                    .conv2D(name: "conv1", inChannels: inPlanes, outChannels: planes, kernelSize: 3, stride: strides, padding: .uniform(1), bias: false),
                    .batchNorm2D(name: "bn1", features: planes), .relu(name: "relu1"),
                    .conv2D(name: "conv2", inChannels: planes, outChannels: planes, kernelSize: 3, padding: .uniform(1), bias: false),
                    .batchNorm2D(name: "bn2", features: planes),
                ]
            }
            let out = planes * expansion
            let shortcut: ShortcutSpec = (stride != 1 || inPlanes != out)
                ? .projection([.conv2D(name: "conv", inChannels: inPlanes, outChannels: out, kernelSize: 1, stride: strides, bias: false),
                               .batchNorm2D(name: "bn", features: out)])
                : .identity
            try s.add(.residual(name: "layer\(stage + 1).\(i)", body: body, shortcut: shortcut, activation: .relu(name: "relu")))
        }
    }
    try s.add(.adaptiveAvgPool2D(name: "avgpool", outputSize: 1))
    try s.flatten()
    try s.dense("fc", classes)
    return s.model("resnet\(depth)", classes: classes, input: input)
}
