import CNNEngine

/// One model of the zoo: its name, a line about it, and how to build its spec.
public struct ZooEntry: Sendable {
    /// The name users type (`lenet5`, `vgg16_bn`, `resnet20`).
    public let name: String
    /// One line: what the model is and where it comes from.
    public let summary: String
    /// The sample shape the model is meant for, [C, H, W].
    public let defaultInput: [Int]
    /// The classes it is meant for.
    public let defaultClasses: Int
    let make: @Sendable (_ classes: Int, _ input: [Int]) throws -> ModelSpec

    /// The model's spec for `classes` outputs and input `input` (defaults where nil).
    public func spec(classes: Int? = nil, input: [Int]? = nil) throws -> ModelSpec {
        try make(classes ?? defaultClasses, input ?? defaultInput)
    }
}

/// The model zoo: the networks of the lectures, by the names users know from torchvision and the papers.
public enum ModelZoo {
    static let mnist = [1, 28, 28], cifar = [3, 32, 32], imagenet = [3, 224, 224]

    /// Every model, in the order `cnnbench models` lists them.
    public static let entries: [ZooEntry] = {
        var list: [ZooEntry] = [
            ZooEntry(name: "logreg", summary: "logistic regression on pixels (CSC321 notebook demo)",
                     defaultInput: mnist, defaultClasses: 10) { try logisticRegression(classes: $0, input: $1) },
            ZooEntry(name: "mlp", summary: "one hidden layer of 500 ReLU units (CSC321 notebook demo)",
                     defaultInput: mnist, defaultClasses: 10) { try multilayerPerceptron(classes: $0, input: $1) },
            ZooEntry(name: "lenet5", summary: "LeNet-5, modern variant: ReLU, max pooling, 28x28 with padding 2 (after LeCun et al. 1998)",
                     defaultInput: mnist, defaultClasses: 10) { try lenet5(classes: $0, input: $1) },
            ZooEntry(name: "lenet5-1998", summary: "LeNet-5 after the paper: tanh, average subsampling, 32x32, C5 convolution",
                     defaultInput: [1, 32, 32], defaultClasses: 10) { try lenet5Paper(classes: $0, input: $1) },
            ZooEntry(name: "v1net", summary: "a wide first layer (32 7x7 filters, stride 2, AlexNet's N(0, 0.01²) start) and a small classifier, for B2 and C2",
                     defaultInput: mnist, defaultClasses: 10) { try wideFirstLayerNet(name: "v1net", filters: 32, kernel: 7, stride: 2, classes: $0, input: $1) },
            ZooEntry(name: "alexnet", summary: "AlexNet, torchvision's definition, 224x224 (Krizhevsky et al. 2012)",
                     defaultInput: imagenet, defaultClasses: 1000) { try alexNet(classes: $0, input: $1) },
            ZooEntry(name: "alexnet-small", summary: "AlexNet's plan for 28-32 px images, with local response normalisation",
                     defaultInput: cifar, defaultClasses: 10) { try alexNetSmall(classes: $0, input: $1) },
        ]
        for configuration in VGGConfiguration.allCases {
            for bn in [false, true] {
                let depth = configuration.depth, tag = bn ? "_bn" : "", withBN = bn ? " with batch norm" : ""
                list.append(ZooEntry(name: "vgg\(depth)\(tag)", summary: "VGG-\(depth) (configuration \(configuration.rawValue))\(withBN), torchvision's definition, 224x224",
                                     defaultInput: imagenet, defaultClasses: 1000) {
                    try vgg(configuration, batchNorm: bn, imagenet: true, classes: $0, input: $1) })
                list.append(ZooEntry(name: "vgg\(depth)\(tag)_cifar", summary: "VGG-\(depth)\(withBN) for 32x32 inputs, one dense layer 512 -> classes",
                                     defaultInput: cifar, defaultClasses: 10) {
                    try vgg(configuration, batchNorm: bn, imagenet: false, classes: $0, input: $1) })
            }
        }
        for depth in [18, 34, 50] {
            list.append(ZooEntry(name: "resnet\(depth)", summary: "ResNet-\(depth), torchvision's definition, 224x224 (He et al. 2015)",
                                 defaultInput: imagenet, defaultClasses: 1000) { try imagenetResNet(depth: depth, classes: $0, input: $1) })
        }
        for depth in [20, 32, 44, 56, 110] {
            list.append(ZooEntry(name: "resnet\(depth)", summary: "CIFAR ResNet-\(depth), option A shortcuts (He et al. 2015, section 4.2)",
                                 defaultInput: cifar, defaultClasses: 10) { try cifarResNet(depth: depth, residual: true, classes: $0, input: $1) })
        }
        for depth in [20, 32, 44, 56, 110] {
            list.append(ZooEntry(name: "plain\(depth)", summary: "plain-\(depth): resnet\(depth) without its shortcuts",
                                 defaultInput: cifar, defaultClasses: 10) { try cifarResNet(depth: depth, residual: false, classes: $0, input: $1) })
        }
        return list
    }()

    /// A zoo model's name as papers and slides write it: "LeNet-5 (ReLU, max-pool)" (the variant this
    /// toolkit trains by default, told apart from the 1998 network), "ResNet-20", "plain-20", "VGG-16",
    /// "logistic regression"; other names as they are.
    public static func displayName(_ name: String) -> String {
        let fixed = ["lenet5": "LeNet-5 (ReLU, max-pool)", "lenet5-1998": "LeNet-5 (1998)", "alexnet": "AlexNet", "logreg": "logistic regression",
                     "mlp": "MLP", "sparse-autoencoder": "sparse autoencoder"]
        if let known = fixed[name] { return known }
        for (prefix, written) in [("resnet", "ResNet-"), ("plain", "plain-"), ("vgg", "VGG-")] where name.hasPrefix(prefix) {
            let rest = name.dropFirst(prefix.count)
            let digits = rest.prefix { $0.isNumber }
            guard !digits.isEmpty else { continue }
            let tail = rest.dropFirst(digits.count)
            return written + digits + (tail.isEmpty ? "" : " " + tail.replacingOccurrences(of: "_", with: " ").trimmingCharacters(in: .whitespaces))
        }
        return name
    }

    /// The entry named `name`.
    /// - Throws: `ConfigurationError` listing the known names when there is none.
    public static func entry(named name: String) throws -> ZooEntry {
        let key = name.lowercased()
        if let found = entries.first(where: { $0.name == key }) { return found }
        // v1net-F-K-S: F first-layer filters of KxK at stride S, to try other first layers.
        if key.hasPrefix("v1net-") {
            let n = key.dropFirst(6).split(separator: "-").compactMap { Int($0) }
            if n.count == 3, (1...256).contains(n[0]), (1...15).contains(n[1]), (1...4).contains(n[2]) {
                return ZooEntry(name: key, summary: "v1net with \(n[0]) \(n[1])x\(n[1]) filters at stride \(n[2])", defaultInput: mnist, defaultClasses: 10) {
                    try wideFirstLayerNet(name: key, filters: n[0], kernel: n[1], stride: n[2], classes: $0, input: $1)
                }
            }
        }
        // CIFAR ResNets of any 6n+2 depth, for depth experiments (resnet8, plain14, ...).
        for (prefix, residual) in [("resnet", true), ("plain", false)] where key.hasPrefix(prefix) {
            if let depth = Int(key.dropFirst(prefix.count)), depth >= 8, (depth - 2) % 6 == 0 {
                return ZooEntry(name: key, summary: "CIFAR \(prefix)-\(depth)", defaultInput: cifar, defaultClasses: 10) {
                    try cifarResNet(depth: depth, residual: residual, classes: $0, input: $1)
                }
            }
        }
        throw ConfigurationError("unknown model \"\(name)\"; known models: \(entries.map(\.name).joined(separator: ", "))")
    }

    /// The spec of the model named `name`.
    public static func spec(_ name: String, classes: Int? = nil, input: [Int]? = nil) throws -> ModelSpec {
        try entry(named: name).spec(classes: classes, input: input)
    }
}
