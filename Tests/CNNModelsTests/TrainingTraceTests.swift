import CNNEngine
import CNNModels
import Foundation
import Testing
import _TestSupport

/// The zoo's LeNet-5 trained for ten steps as PyTorch trains it (llm.c's test_gpt2, for a CNN).
///
/// Fixtures/lenet5_trace.h5 (made by Fixtures/make_lenet5_trace.py) holds PyTorch's initial weights, the
/// first 640 MNIST training digits in file order, the loss of each of ten SGD steps (lr 0.05, momentum 0.9,
/// weight decay 5e-4: the LeNet-5 recipe) and the weights after them, computed in float64. Forward,
/// loss, backward and the update all have to agree for the losses and the weights to agree to 1e-4.
@Suite("A training trace against PyTorch")
struct TrainingTraceTests {
    static let trace: TrainingTrace = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/lenet5_trace.h5")
        return try! loadTrainingTrace(from: url)
    }()
    static let tolerance = 1e-4

    @Test("LeNet-5 from PyTorch's initial weights: ten losses and the weights after ten SGD steps, on every path this CPU has",
          arguments: InstructionSet.supported)
    func tenStepsAgree(_ isa: InstructionSet) throws {
        let trace = Self.trace
        #expect(trace.steps == 10 && trace.losses.count == 10 && trace.batchSize == 64)
        let network = try ModelZoo.entry(named: "lenet5").spec().build()
        network.needsInputGradient = false
        let parameters = network.namedParameters
        #expect(Set(parameters.map(\.path)) == Set(trace.initial.keys), "the zoo's LeNet-5 and PyTorch's have different parameters")
        for (path, parameter) in parameters {
            let initial = try #require(trace.initial[path])
            try #require(parameter.value.shape == initial.shape, "\(path): \(parameter.value.shape) vs PyTorch's \(initial.shape)")
            parameter.value.assign(initial)
        }
        let sgd = try SGD(parameters: parameters.map(\.parameter), learningRate: Float(trace.learningRate),
                          momentum: Float(trace.momentum), weightDecay: Float(trace.weightDecay))
        let loss = try SoftmaxCrossEntropy()

        var losses: [Double] = []
        try InstructionSet.withActive(isa) {
            for step in 0..<trace.steps {
                let (inputs, labels) = trace.batch(step)
                network.zeroGradients()
                let logits = try network.forward(inputs)
                losses.append(Double(try loss.loss(logits: logits, targets: labels)))
                _ = try network.backward(loss.gradient)
                sgd.step()
            }
        }
        for (step, (ours, theirs)) in zip(losses, trace.losses).enumerated() {
            #expect(abs(ours - theirs) < Self.tolerance, "\(isa) step \(step + 1): loss \(ours), PyTorch \(theirs)")
        }
        for (path, parameter) in parameters {
            let expected = try #require(trace.after[path])
            let error = maxRelativeError(parameter.value.values, expected.values)
            #expect(Double(error) < Self.tolerance, "\(isa) \(path) after \(trace.steps) steps: max difference \(error)")
        }
    }

    @Test("the trace moves the weights far more than the tolerance, so agreeing with it means something")
    func traceIsNotTrivial() throws {
        let trace = Self.trace
        #expect(trace.torchFloat32Error.loss < Self.tolerance / 10 && trace.torchFloat32Error.weight < Self.tolerance / 10)
        for (path, after) in trace.after {
            let initial = try #require(trace.initial[path])
            #expect(maxRelativeError(after.values, initial.values) > 50 * Float(Self.tolerance), "\(path) barely moved")
        }
        #expect(Set(trace.losses).count == trace.losses.count, "every step sees a different batch")
    }
}
