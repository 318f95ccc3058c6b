/// Reusable per-worker scratch memory: grows to the largest size asked for, never shrinks.
public final class Scratch: @unchecked Sendable {
    private var buffers: [UnsafeMutablePointer<Float>] = []
    private var capacities: [Int] = []
    private var sharedBuffer: UnsafeMutablePointer<Float>?
    private var sharedCapacity = 0

    public init() {}

    deinit {
        for b in buffers { b.deallocate() }
        sharedBuffer?.deallocate()
    }

    /// One buffer of at least `count` floats that all workers read (packed weights), apart from the per-worker ones.
    public func shared(count: Int) -> UnsafeMutablePointer<Float> {
        if let sharedBuffer, sharedCapacity >= count { return sharedBuffer }
        sharedBuffer?.deallocate()
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
        sharedBuffer = buffer
        sharedCapacity = max(count, 1)
        return buffer
    }

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
