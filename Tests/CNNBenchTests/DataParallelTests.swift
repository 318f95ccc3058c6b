@testable import CNNBench
import CNNData
import CNNEngine
import CNNModels
import CNNRuns
import CNNStore
import Foundation
import Testing
import _TestSupport

/// Ranks as threads of one process, exchanging through shared memory: the same collectives as MPI,
/// so the data-parallel arithmetic is tested without MPI.
final class ThreadExchange: @unchecked Sendable {
    let size: Int
    private let condition = NSCondition()
    private var slots: [Any?]
    private var arrived = 0, generation = 0
    private var results: [Any] = []

    init(size: Int) { self.size = size; slots = Array(repeating: nil, count: size) }

    /// Every rank's value, in rank order, once all ranks have given theirs.
    func exchange(rank: Int, _ value: Any) -> [Any] {
        condition.lock()
        defer { condition.unlock() }
        let mine = generation
        slots[rank] = value
        arrived += 1
        if arrived == size {
            results = slots.map { $0! }
            slots = Array(repeating: nil, count: size)
            arrived = 0
            generation += 1
            condition.broadcast()
        } else {
            while generation == mine { condition.wait() }
        }
        return results
    }

    final class Rank: Collective {
        let exchange: ThreadExchange
        let rank: Int
        var size: Int { exchange.size }
        init(_ exchange: ThreadExchange, rank: Int) { self.exchange = exchange; self.rank = rank }
        func gather(_ values: [Float]) throws -> [[Float]] {
            let all = exchange.exchange(rank: rank, values).map { $0 as! [Float] }
            return rank == 0 ? all : []
        }
        func broadcast(_ values: inout [Float]) throws { values = exchange.exchange(rank: rank, values)[0] as! [Float] }
        func broadcast(_ values: inout [Double]) throws { values = exchange.exchange(rank: rank, values)[0] as! [Double] }
        func allGather(_ values: [Double]) throws -> [[Double]] { exchange.exchange(rank: rank, values).map { $0 as! [Double] } }
    }
}

@Suite("Data-parallel training: P ranks give the weights of one process", .serialized)
struct DataParallelTests {
    static let mnist = DataSource(name: "mnist", directory: repositoryRoot().appendingPathComponent("datasets/mnist").path)

    static func recipe() -> TrainingRecipe {
        var r = TrainingRecipe.defaults(for: "lenet5").withEpochs(1)
        r.trainLimit = 200   // 6 batches of 32 and one of 8: the short last batch has empty micro-batches
        r.validationCount = 100
        r.batchSize = 32
        r.seed = 3
        return r
    }

    /// LeNet-5 on 200 training digits, evaluated on 500 test digits (not 10,000: a debug build is slow).
    static func run(model: String = "lenet5") throws -> TrainingRun {
        var recipe = Self.recipe()
        let small = model != "lenet5"
        if small {
            // ResNet-8 in a debug build: 2 batches, no validation, 64 test digits.
            recipe.trainLimit = 64
            recipe.validationCount = 0
        }
        let entry = try ModelZoo.entry(named: model)
        var data = try PreparedData(source: mnist, modelInput: entry.defaultInput, recipe: recipe)
        data.test = data.test.subset(Array(0..<(small ? 64 : 500)))
        let spec = try entry.spec(classes: 10, input: data.inputShape)
        let network = try spec.build()
        network.initialize(seed: recipe.seed)
        return try TrainingRun(spec: spec, recipe: recipe, source: mnist, data: data, network: network)
    }

    /// Trains LeNet-5 for one epoch on `ranks` threads sharing each batch; returns rank 0's run.
    func train(_ model: String = "lenet5", ranks: Int, microBatches: Int, folder: URL) throws -> TrainingRun {
        let exchange = ThreadExchange(size: ranks)
        let runs = try (0..<ranks).map { rank in
            let run = try Self.run(model: model)
            run.parallel = try DataParallel(collective: ThreadExchange.Rank(exchange, rank: rank), microBatches: microBatches)
            return UncheckedSendable(run)
        }
        let url = UncheckedSendable(folder.appendingPathComponent("\(model)-p\(ranks).h5"))
        let failures = UncheckedSendable(NSMutableArray())
        // One thread per rank, each its own (a thread pool might run two ranks on one thread, and one would wait forever).
        let done = DispatchGroup()
        let lock = NSLock()
        for rank in 0..<ranks {
            done.enter()
            let thread = Thread {
                do { try runs[rank].value.train(saveTo: url.value, log: { _ in }) } catch {
                    lock.withLock { failures.value.add("\(error)") }
                }
                done.leave()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        #expect(done.wait(timeout: .now() + 600) == .success, "the ranks did not finish in 10 minutes")
        #expect(failures.value.count == 0, "\(failures.value)")
        // Every rank holds the same weights.
        for other in runs.dropFirst() {
            for (a, b) in zip(runs[0].value.network.namedParameters, other.value.network.namedParameters) {
                #expect(bitIdentical(a.parameter.value.values, b.parameter.value.values), "ranks differ in \(a.path)")
            }
        }
        return runs[0].value
    }

    @Test func treeSumOfSubtreesIsTheWholeTree() {
        var vectors: [[Float]] = []
        for k in 0..<8 {
            let offset = 1 / Float(k + 3)
            vectors.append((0..<5).map { i -> Float in Float(k) * 0.1 + Float(i) * 1e-3 + offset })
        }
        let whole = DataParallel.treeSum(vectors[...])
        for ranks in [2, 4, 8] {
            let per = 8 / ranks
            let parts = (0..<ranks).map { DataParallel.treeSum(vectors[$0 * per..<($0 + 1) * per]) }
            #expect(bitIdentical(DataParallel.treeSum(parts[...]), whole), "\(ranks) subtrees")
        }
    }

    @Test func microBatchesMustSplitEvenly() throws {
        let e1 = #expect(throws: ConfigurationError.self) { try DataParallel(collective: SingleProcess(), microBatches: 6) }
        #expect(e1?.description == "--micro-batches must be a power of two (1, 2, 4, 8, ...), got 6")
        let e2 = #expect(throws: ConfigurationError.self) {
            try DataParallel(collective: ThreadExchange.Rank(ThreadExchange(size: 3), rank: 0), microBatches: 4)
        }
        #expect(e2?.description.contains("3 ranks cannot share 4 micro-batches evenly") == true)
        let p = try DataParallel(collective: ThreadExchange.Rank(ThreadExchange(size: 2), rank: 1), microBatches: 8)
        #expect(p.mine == 4..<8)
        #expect((0..<8).map { p.part($0, of: 12) } == [0..<1, 1..<3, 3..<4, 4..<6, 6..<7, 7..<9, 9..<10, 10..<12])
    }

    @Test func lenet5OnTwoRanksHasTheWeightsOfOneProcessBitForBit() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let before = Parallel.threadCount
        Parallel.threadCount = 1
        defer { Parallel.threadCount = before }
        let one = try train(ranks: 1, microBatches: 4, folder: folder)
        let two = try train(ranks: 2, microBatches: 4, folder: folder)
        for (a, b) in zip(one.network.namedParameters, two.network.namedParameters) {
            #expect(bitIdentical(a.parameter.value.values, b.parameter.value.values), "\(a.path) differs between 1 and 2 ranks")
        }
        #expect(one.history.map(\.trainLoss) == two.history.map(\.trainLoss))
        #expect(one.history.map(\.testError) == two.history.map(\.testError))
        #expect(one.history[0].trainLoss.isFinite && one.history[0].testError < 1)
    }

    /// Batch norm: each micro-batch is normalised by its own statistics, so the weights stay bit-identical;
    /// the running statistics are each rank's own (as PyTorch's DDP keeps them), rank 0's saved.
    @Test func batchNormWeightsAreBitIdenticalRunningStatisticsAreRankZeros() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let before = Parallel.threadCount
        Parallel.threadCount = 1
        defer { Parallel.threadCount = before }
        let one = try train("resnet8", ranks: 1, microBatches: 2, folder: folder)
        let two = try train("resnet8", ranks: 2, microBatches: 2, folder: folder)
        #expect(one.network.namedParameters.count == two.network.namedParameters.count)
        for (a, b) in zip(one.network.namedParameters, two.network.namedParameters) {
            #expect(bitIdentical(a.parameter.value.values, b.parameter.value.values), "\(a.path) differs between 1 and 2 ranks")
        }
        // Rank 0 saw only the first micro-batch of each batch: its running means are not those of one process.
        let means = { (run: TrainingRun) in run.network.namedBuffers.filter { $0.path.hasSuffix("running_mean") }.flatMap(\.parameter.value.values) }
        #expect(!means(one).isEmpty && !bitIdentical(means(one), means(two)))
        let saved = try ModelFile.read(from: folder.appendingPathComponent("resnet8-p2.h5"))
        let savedMeans = saved.buffers.filter { $0.path.hasSuffix("running_mean") }.flatMap(\.tensor.values)
        #expect(bitIdentical(savedMeans, means(two)))
    }
}
