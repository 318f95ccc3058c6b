import CNNEngine

/// AlexNet as torchvision defines it (Krizhevsky, Sutskever and Hinton 2012, in the one-GPU
/// form of Krizhevsky 2014): five convolutions, three dense layers, 224x224 input.
/// Departs from the paper as torchvision does: no local response normalisation, 64/192 filters in
/// the first two layers, adaptive 6x6 pooling before the classifier.
func alexNet(classes: Int, input: [Int]) throws -> ModelSpec {
    var s = LayerStack(input: input)
    try s.conv("conv1", 64, kernel: 11, stride: 4, padding: .uniform(2)); try s.add(.relu(name: "relu1"))
    try s.add(.maxPool2D(name: "pool1", kernelSize: 3, stride: 2))
    try s.conv("conv2", 192, kernel: 5, padding: .uniform(2)); try s.add(.relu(name: "relu2"))
    try s.add(.maxPool2D(name: "pool2", kernelSize: 3, stride: 2))
    try s.conv("conv3", 384, kernel: 3, padding: .uniform(1)); try s.add(.relu(name: "relu3"))
    try s.conv("conv4", 256, kernel: 3, padding: .uniform(1)); try s.add(.relu(name: "relu4"))
    try s.conv("conv5", 256, kernel: 3, padding: .uniform(1)); try s.add(.relu(name: "relu5"))
    try s.add(.maxPool2D(name: "pool5", kernelSize: 3, stride: 2))
    try s.add(.adaptiveAvgPool2D(name: "avgpool", outputSize: 6))
    try s.flatten()
    try s.add(.dropout(name: "drop6", probability: 0.5))
    try s.dense("fc6", 4096); try s.add(.relu(name: "relu6"))
    try s.add(.dropout(name: "drop7", probability: 0.5))
    try s.dense("fc7", 4096); try s.add(.relu(name: "relu7"))
    try s.dense("fc8", classes)
    return s.model("alexnet", classes: classes, input: input)
}

/// A small AlexNet for 28-32 px images: the same five-convolution plan with the paper's local
/// response normalisation after the first two, 5x5 first filters at stride 1, a narrower classifier.
func alexNetSmall(classes: Int, input: [Int]) throws -> ModelSpec {
    var s = LayerStack(input: input)
    try s.conv("conv1", 64, kernel: 5, padding: .uniform(2)); try s.add(.relu(name: "relu1"))
    try s.add(.localResponseNorm(name: "norm1", size: 5, alpha: 1e-4, beta: 0.75, k: 2))
    try s.add(.maxPool2D(name: "pool1", kernelSize: 3, stride: 2))
    try s.conv("conv2", 192, kernel: 5, padding: .uniform(2)); try s.add(.relu(name: "relu2"))
    try s.add(.localResponseNorm(name: "norm2", size: 5, alpha: 1e-4, beta: 0.75, k: 2))
    try s.add(.maxPool2D(name: "pool2", kernelSize: 3, stride: 2))
    try s.conv("conv3", 384, kernel: 3, padding: .uniform(1)); try s.add(.relu(name: "relu3"))
    try s.conv("conv4", 256, kernel: 3, padding: .uniform(1)); try s.add(.relu(name: "relu4"))
    try s.conv("conv5", 256, kernel: 3, padding: .uniform(1)); try s.add(.relu(name: "relu5"))
    try s.add(.maxPool2D(name: "pool5", kernelSize: 3, stride: 2))
    try s.flatten()
    try s.add(.dropout(name: "drop6", probability: 0.5))
    try s.dense("fc6", 1024); try s.add(.relu(name: "relu6"))
    try s.add(.dropout(name: "drop7", probability: 0.5))
    try s.dense("fc7", 1024); try s.add(.relu(name: "relu7"))
    try s.dense("fc8", classes)
    return s.model("alexnet-small", classes: classes, input: input)
}
