import CNNEngine

/// A small network with a wide first layer, for first-layer filters a teacher can read (slides B2 and C2).
///
/// LeNet-5's six 5x5 filters are too few and too small to show what a first layer learns; with many
/// larger filters and a short classifier behind them, the first layer has to carry the features, and
/// its filters come out as oriented edge and bar detectors, as in Krizhevsky et al. 2012, figure 3.
/// `C1 filters@kernel` (stride `stride`, "same"-style padding), ReLU, max pooling, one 3x3 convolution
/// `C2` of 64 channels, ReLU, max pooling, a linear classifier. The zoo's `v1net` is 32 7x7 filters at
/// stride 2 (about a million multiply-adds per 28x28 image); `v1net-F-K-S` any other first layer.
func wideFirstLayerNet(name: String, filters: Int, kernel: Int, stride: Int, classes: Int, input: [Int]) throws -> ModelSpec {
    var s = LayerStack(input: input)
    // C1 starts as AlexNet's layers did, N(0, 0.01²): what its filters show after training was learned, not drawn.
    try s.conv("C1", filters, kernel: Pair(kernel, kernel), stride: Pair(stride, stride), padding: .symmetric(Pair(kernel / 2, kernel / 2)),
               initializer: .alexNetGaussian)
    try s.add(.relu(name: "relu1"))
    try s.add(.maxPool2D(name: "S1", kernelSize: 2, stride: 2))
    try s.conv("C2", 64, kernel: 3, padding: .symmetric(1)); try s.add(.relu(name: "relu2"))
    try s.add(.maxPool2D(name: "S2", kernelSize: 2, stride: 2))
    try s.flatten()
    try s.dense("OUTPUT", classes, initializer: .pytorchDefault)
    return s.model(name, classes: classes, input: input)
}
