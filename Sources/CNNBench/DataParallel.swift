// Data-parallel training: P processes (MPI ranks) share every global batch, with the same weights,
// bit for bit, as one process.
//
// Why micro-batches: one batch's gradient is reduced inside the engine in an order fixed by the batch
// (bias gradients sum over all images in one running sum, dense layers hand the whole batch to one
// GEMM), so half a batch on each of two processes cannot reproduce the one-process bits. Instead the
// global batch of b images is defined as S micro-batches (images k*b/S ..< (k+1)*b/S, S a power of
// two), each run through the engine on its own, and the batch gradient is their pairwise (tree) sum,
// each micro-batch's gradient weighted by its share of the batch:
//
//     g = tree_sum_{k < S} (m_k / b) g_k,   tree_sum splits its list in two halves, recursively.
//
// Rank r of P (P dividing S) computes micro-batches r*S/P ..< (r+1)*S/P and their tree sum, a subtree
// of the whole; rank 0 gathers the P subtree sums and adds them by the tree's upper levels, then
// broadcasts. Every micro-batch is computed the same way whoever computes it, and the additions are
// the same tree for any P, so P ranks give the same sum, the same update and the same weights as one.
// Batch norm normalises each micro-batch by its own statistics (so weights stay bit-identical); its
// running statistics are each rank's own, as with PyTorch's DistributedDataParallel, and rank 0's
// are the ones saved. Dropout masks are drawn from a generator seeded by (seed, step, micro-batch),
// so they do not depend on P either.
import CNNEngine
import CNNRuns
import Foundation

/// The collective operations data-parallel training needs, over ranks 0 ..< size (MPI, or one process).
public protocol Collective: AnyObject {
    var rank: Int { get }
    var size: Int { get }
    /// On rank 0: every rank's `values` (all of one length), in rank order; elsewhere: [].
    func gather(_ values: [Float]) throws -> [[Float]]
    /// Rank 0's `values`, on every rank.
    func broadcast(_ values: inout [Float]) throws
    /// Rank 0's `values`, on every rank.
    func broadcast(_ values: inout [Double]) throws
    /// Every rank's `values` (all of one length), in rank order, on every rank.
    func allGather(_ values: [Double]) throws -> [[Double]]
}

/// One process: rank 0 of 1, the reference that P ranks reproduce.
public final class SingleProcess: Collective {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func gather(_ values: [Float]) throws -> [[Float]] { [values] }
    public func broadcast(_ values: inout [Float]) throws {}
    public func broadcast(_ values: inout [Double]) throws {}
    public func allGather(_ values: [Double]) throws -> [[Double]] { [values] }
}

/// How a training run shares its batches among ranks.
public struct DataParallel {
    public let collective: any Collective
    /// Micro-batches per global batch: a power of two that the number of ranks divides.
    public let microBatches: Int

    /// - Throws: `ConfigurationError` when `microBatches` is not a power of two or the ranks do not divide it.
    public init(collective: any Collective, microBatches: Int = 8) throws {
        guard microBatches >= 1, microBatches & (microBatches - 1) == 0 else {
            throw ConfigurationError("--micro-batches must be a power of two (1, 2, 4, 8, ...), got \(microBatches)")
        }
        guard microBatches % collective.size == 0 else {
            throw ConfigurationError("\(collective.size) ranks cannot share \(microBatches) micro-batches evenly: "
                                     + "use a number of ranks that divides \(microBatches), or --micro-batches \(Self.nextPowerOfTwo(collective.size))")
        }
        self.collective = collective; self.microBatches = microBatches
    }

    static func nextPowerOfTwo(_ n: Int) -> Int { var p = 1; while p < n { p *= 2 }; return p }

    public var rank: Int { collective.rank }
    public var size: Int { collective.size }
    /// The micro-batches this rank computes.
    public var mine: Range<Int> { (rank * microBatches / size)..<((rank + 1) * microBatches / size) }

    /// Images `start ..< end` of a batch of `batch` images in micro-batch `k`.
    public func part(_ k: Int, of batch: Int) -> Range<Int> { (k * batch / microBatches)..<((k + 1) * batch / microBatches) }

    /// The pairwise sum of equally long vectors: the halves summed recursively, then added.
    public static func treeSum(_ vectors: ArraySlice<[Float]>) -> [Float] {
        precondition(!vectors.isEmpty, "treeSum of no vectors")
        if vectors.count == 1 { return vectors[vectors.startIndex] }
        let middle = vectors.startIndex + vectors.count / 2
        var left = treeSum(vectors[..<middle])
        let right = treeSum(vectors[middle...])
        for i in left.indices { left[i] += right[i] }
        return left
    }
}

/// The numbers of one micro-batch that every rank needs: loss sum, wrong answers, images.
struct MicroBatchStatistics {
    var lossSum: Double
    var wrong: Int
    var count: Int
}

extension TrainingRun {
    /// One data-parallel step on the global batch in `inputs`: forward and backward of this rank's
    /// micro-batches, the gradient tree-summed over all ranks into every parameter's gradient.
    /// - Returns: every micro-batch's statistics in order, and whether any rank was asked to stop.
    func dataParallelStep(_ parallel: DataParallel, inputs: Tensor, labels: [Int32], step: Int) throws
        -> (statistics: [MicroBatchStatistics], stop: Bool) {
        let parameters = network.namedParameters.map(\.parameter)
        let total = parameters.reduce(0) { $0 + $1.gradient.count }
        let batch = labels.count
        let imageSize = inputs.count / max(batch, 1)
        var dropouts: [Dropout] = []
        network.forEachLayer { visit in if let d = visit.layer as? Dropout { dropouts.append(d) } }
        var local: [[Float]] = []
        var statistics: [Double] = []
        for k in parallel.mine {
            let range = parallel.part(k, of: batch)
            guard !range.isEmpty else {
                local.append([Float](repeating: 0, count: total))
                statistics += [0, 0, 0]
                continue
            }
            let slice = Tensor(shape: [range.count] + Array(inputs.shape.dropFirst()))
            slice.pointer.update(from: inputs.pointer + range.lowerBound * imageSize, count: range.count * imageSize)
            let sliceLabels = Array(labels[range])
            // Masks fixed by (seed, step, micro-batch, layer), whichever rank draws them.
            for (j, d) in dropouts.enumerated() {
                d.generator = SeededGenerator(seed: recipe.seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(step) &* 0x1_0000_0001 &+ UInt64(k * 64 + j))
            }
            network.zeroGradients()
            let logits = try network.forward(slice)
            let value = try loss.loss(logits: logits, targets: sliceLabels)
            _ = try network.backward(loss.gradient)
            // The micro-batch's mean gradient, weighted by its share of the batch.
            let weight = Float(range.count) / Float(batch)
            var vector = [Float](repeating: 0, count: total)
            var offset = 0
            for p in parameters {
                let g = p.gradient.pointer
                for i in 0..<p.gradient.count { vector[offset + i] = g[i] * weight }
                offset += p.gradient.count
            }
            local.append(vector)
            statistics += [Double(value) * Double(range.count), Double(countWrong(logits: logits, labels: sliceLabels)), Double(range.count)]
        }
        statistics.append(Interrupt.requested ? 1 : 0)
        let mineSum = DataParallel.treeSum(local[...])
        let clock = monotonicSeconds()
        defer { communication.seconds += monotonicSeconds() - clock; communication.steps += 1 }
        var sum: [Float]
        if parallel.size == 1 {
            sum = mineSum
        } else {
            let gathered = try parallel.collective.gather(mineSum)
            sum = parallel.rank == 0 ? DataParallel.treeSum(gathered[...]) : [Float](repeating: 0, count: total)
            try parallel.collective.broadcast(&sum)
        }
        var offset = 0
        for p in parameters {
            let g = p.gradient.pointer
            for i in 0..<p.gradient.count { g[i] = sum[offset + i] }
            offset += p.gradient.count
        }
        let all = try parallel.collective.allGather(statistics)
        var result: [MicroBatchStatistics] = []
        var stop = false
        for rankStatistics in all {
            let parts = (rankStatistics.count - 1) / 3
            for k in 0..<parts {
                result.append(MicroBatchStatistics(lossSum: rankStatistics[3 * k], wrong: Int(rankStatistics[3 * k + 1]),
                                                   count: Int(rankStatistics[3 * k + 2])))
            }
            if rankStatistics.last == 1 { stop = true }
        }
        return (result, stop)
    }
}
