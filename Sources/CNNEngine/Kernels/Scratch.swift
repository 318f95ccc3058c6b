/// Reusable per-worker scratch memory: grows to the largest size asked for, never shrinks.
public final class Scratch: @unchecked Sendable {
    private var buffers: [UnsafeMutablePointer<Float>] = []
    private var capacities: [Int] = []

    public init() {}

    deinit { for b in buffers { b.deallocate() } }

    /// Ensures `workers` buffers of at least `count` floats each and returns their base pointers.
    public func buffers(workers: Int, count: Int) -> [UnsafeMutablePointer<Float>] {
        while buffers.count < workers {
            buffers.append(.allocate(capacity: 1))
            capacities.append(1)
        }
        for i in 0..<workers where capacities[i] < count {
            buffers[i].deallocate()
            buffers[i] = .allocate(capacity: count)
            capacities[i] = count
        }
        return Array(buffers.prefix(workers))
    }
}
