/// Updates parameters from their gradients; its state (momenta, step count) can be saved and restored.
public protocol Optimizer: AnyObject {
    /// The learning rate for the next step (schedules set it).
    var learningRate: Float { get set }
    /// Steps taken so far.
    var stepCount: Int { get }
    /// Applies one update to every parameter from its gradient.
    func step()
    /// Named state arrays (per-parameter buffers, in parameter order), for checkpoints.
    var state: [String: [Float]] { get }
    /// Restores state saved by `state` and `stepCount`.
    /// - Throws: `ShapeError` when a saved array does not match its parameter.
    func restore(state: [String: [Float]], stepCount: Int) throws
}

/// Per-parameter buffers shared by the optimizers, kept in parameter order.
struct SlotSet {
    let name: String
    var slots: [Tensor]

    init(name: String, parameters: [Parameter]) {
        self.name = name
        slots = parameters.map { Tensor(shape: $0.value.shape) }
    }

    func export(into state: inout [String: [Float]]) {
        for (i, t) in slots.enumerated() { state["\(name).\(i)"] = t.values }
    }

    func restore(from state: [String: [Float]]) throws {
        for (i, t) in slots.enumerated() {
            guard let saved = state["\(name).\(i)"] else { throw ShapeError("optimizer state is missing \(name).\(i)") }
            guard saved.count == t.count else {
                throw ShapeError("optimizer state \(name).\(i) has \(saved.count) values, parameter has \(t.count)")
            }
            saved.withUnsafeBufferPointer { t.pointer.update(from: $0.baseAddress!, count: t.count) }
        }
    }
}
