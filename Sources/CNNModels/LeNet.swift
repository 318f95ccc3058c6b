import CNNEngine

/// LeNet-5 as the lectures teach it: ReLU and max pooling, 28x28 MNIST with padding 2 standing
/// in for the paper's 32x32 (LeCun, Bottou, Bengio and Haffner 1998). Layer names follow the paper.
/// Departs from the paper: ReLU for the scaled tanh, max pooling for trainable subsampling,
/// C3 fully connected to S2 (the paper's partial connection table), a linear output for the RBF units.
///
/// Initialised as PyTorch initialises `Conv2d` and `Linear` (U(±1/sqrt(fan_in))), so the lecture's
/// recipe (SGD, lr 0.05, momentum 0.9) trains it as it trains the PyTorch reference model.
func lenet5(classes: Int, input: [Int]) throws -> ModelSpec {
    var s = LayerStack(input: input)
    let initializer = Initializer.pytorchDefault
    try s.conv("C1", 6, kernel: 5, padding: .uniform(2), initializer: initializer); try s.add(.relu(name: "relu1"))
    try s.add(.maxPool2D(name: "S2", kernelSize: 2, stride: 2))
    try s.conv("C3", 16, kernel: 5, initializer: initializer); try s.add(.relu(name: "relu3"))
    try s.add(.maxPool2D(name: "S4", kernelSize: 2, stride: 2))
    try s.flatten()
    try s.dense("C5", 120, initializer: initializer); try s.add(.relu(name: "relu5"))
    try s.dense("F6", 84, initializer: initializer); try s.add(.relu(name: "relu6"))
    try s.dense("OUTPUT", classes, initializer: initializer)
    return s.model("lenet5", classes: classes, input: input)
}

/// LeNet-5 closer to the 1998 paper: 32x32 input, tanh, average-pooling subsampling, C5 a 5x5 convolution.
/// Departs from the paper: subsampling without its trainable coefficient and bias, C3 fully
/// connected, a linear output for the RBF units, LeCun-normal initialisation.
func lenet5Paper(classes: Int, input: [Int]) throws -> ModelSpec {
    var s = LayerStack(input: input)
    try s.conv("C1", 6, kernel: 5, initializer: .lecunNormal); try s.add(.tanh(name: "tanh1"))
    try s.add(.avgPool2D(name: "S2", kernelSize: 2, stride: 2))
    try s.conv("C3", 16, kernel: 5, initializer: .lecunNormal); try s.add(.tanh(name: "tanh3"))
    try s.add(.avgPool2D(name: "S4", kernelSize: 2, stride: 2))
    try s.conv("C5", 120, kernel: 5, initializer: .lecunNormal); try s.add(.tanh(name: "tanh5"))
    try s.flatten()
    try s.dense("F6", 84, initializer: .lecunNormal); try s.add(.tanh(name: "tanh6"))
    try s.dense("OUTPUT", classes, initializer: .lecunNormal)
    return s.model("lenet5-1998", classes: classes, input: input)
}

/// Multinomial logistic regression on raw pixels (the CSC321 notebook demo): one weight image per class.
func logisticRegression(classes: Int, input: [Int]) throws -> ModelSpec {
    var s = LayerStack(input: input)
    try s.flatten()
    try s.dense("fc", classes, initializer: .glorotUniform)
    return s.model("logreg", classes: classes, input: input)
}

/// A one-hidden-layer perceptron with 500 ReLU units (the CSC321 notebook demo).
func multilayerPerceptron(classes: Int, input: [Int]) throws -> ModelSpec {
    var s = LayerStack(input: input)
    try s.flatten()
    try s.dense("fc1", 500, initializer: .pytorchDefault); try s.add(.relu(name: "relu1"))
    try s.dense("fc2", classes, initializer: .pytorchDefault)
    return s.model("mlp", classes: classes, input: input)
}
