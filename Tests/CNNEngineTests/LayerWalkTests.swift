import CNNEngine
import Testing

/// `Layer.forEachLayer`, the one walk over a network: order, paths, depths and input shapes through every container.
@Suite("The walk over a network")
struct LayerWalkTests {
    static func network() throws -> Sequential {
        try ModelSpec(name: "net", inputShape: [2, 8, 8], classes: 3, layers: [
            .conv2D(name: "stem", inChannels: 2, outChannels: 4, kernelSize: 3, padding: .same),
            .residual(name: "block", body: [.conv2D(name: "conv1", inChannels: 4, outChannels: 6, kernelSize: 3, stride: 2, padding: .uniform(1)),
                                            .relu(name: "relu1")],
                      shortcut: .projection([.conv2D(name: "proj", inChannels: 4, outChannels: 6, kernelSize: 1, stride: 2)]),
                      activation: .relu(name: "relu2")),
            .channelConcat(name: "concat", body: [.sequential(name: "inner", layers: [
                .conv2D(name: "conv", inChannels: 6, outChannels: 2, kernelSize: 1)])]),
            .flatten(name: "flatten"),
            .dense(name: "fc", inFeatures: 128, outFeatures: 3),
        ]).build()
    }

    @Test("visits every layer once, containers before their contents, with paths, depths and input shapes")
    func order() throws {
        var visits: [(String, Int, [Int]?)] = []
        try Self.network().forEachLayer(inputShape: [2, 8, 8]) { visits.append(($0.path, $0.depth, $0.inputShape)) }
        let expected: [(String, Int, [Int]?)] = [
            ("stem", 0, [2, 8, 8]),
            ("block", 0, [4, 8, 8]),
            ("block/conv1", 1, [4, 8, 8]), ("block/relu1", 1, [6, 4, 4]),
            ("block/shortcut", 1, [4, 8, 8]), ("block/shortcut/proj", 2, [4, 8, 8]),
            ("block/relu2", 1, [6, 4, 4]),
            ("concat", 0, [6, 4, 4]), ("concat/inner", 1, [6, 4, 4]), ("concat/inner/conv", 2, [6, 4, 4]),
            ("flatten", 0, [8, 4, 4]),
            ("fc", 0, [128]),
        ]
        #expect(visits.map(\.0) == expected.map(\.0))
        #expect(visits.map(\.1) == expected.map(\.1))
        #expect(visits.map(\.2) == expected.map(\.2))
    }

    @Test("parameter paths, counts, searches and modes go through the walk")
    func usersOfTheWalk() throws {
        let network = try Self.network()
        #expect(network.namedParameters.map(\.path) == [
            "stem/weight", "stem/bias", "block/conv1/weight", "block/conv1/bias", "block/shortcut/proj/weight", "block/shortcut/proj/bias",
            "concat/inner/conv/weight", "concat/inner/conv/bias", "fc/weight", "fc/bias",
        ])
        #expect(network.parameterCount == network.namedParameters.reduce(0) { $0 + $1.parameter.value.count })
        #expect(network.layer(named: "proj")?.kind == .conv2D)
        #expect(network.layer(named: "conv")?.name == "conv")
        #expect(network.layer(named: "relu2")?.kind == .relu)
        #expect(network.layer(named: "missing") == nil)
        network.setTraining(false)
        var modes: [Bool] = []
        network.forEachLayer { modes.append($0.layer.isTraining) }
        #expect(!modes.contains(true))
    }
}
