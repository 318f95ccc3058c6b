#if MPI
import CNNBench
import CNNMPI

/// MPI_COMM_WORLD as the collective of data-parallel training.
final class MPICollective: Collective {
    let world: MPIWorld
    init(_ world: MPIWorld) { self.world = world }
    var rank: Int { world.rank }
    var size: Int { world.size }
    func gather(_ values: [Float]) throws -> [[Float]] { try world.gather(values) }
    func broadcast(_ values: inout [Float]) throws { try world.broadcast(&values) }
    func broadcast(_ values: inout [Double]) throws { try world.broadcast(&values) }
    func allGather(_ values: [Double]) throws -> [[Double]] { try world.allGather(values) }
}
#endif
