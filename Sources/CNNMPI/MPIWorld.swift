// MPI_COMM_WORLD for Swift, with the four collectives data-parallel training needs. Compiled only
// with the MPI trait (`swift build --traits MPI`, Open MPI's libopenmpi-dev); empty otherwise, so the
// default build needs no MPI.
#if MPI
import CMPI

/// An MPI call that failed, with MPI's own message.
public struct MPIError: Error, CustomStringConvertible, Sendable {
    public let description: String
}

/// The processes started by `mpirun`: this one's rank and their number.
public final class MPIWorld {
    public let rank: Int
    public let size: Int

    /// Initialises MPI (once per process).
    /// - Throws: `MPIError` when MPI cannot start.
    public init() throws {
        let rc = cnn_mpi_init()
        guard rc == MPI_SUCCESS else { throw MPIError(description: "MPI_Init failed: \(Self.message(rc))") }
        rank = Int(cnn_mpi_rank())
        size = Int(cnn_mpi_size())
    }

    static func message(_ code: Int32) -> String {
        var text = [CChar](repeating: 0, count: Int(cnn_mpi_max_error_string()) + 1)
        _ = cnn_mpi_error_string(code, &text, Int32(text.count))
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private func check(_ rc: Int32, _ what: String) throws {
        guard rc == MPI_SUCCESS else {
            throw MPIError(description: "rank \(rank) of \(size): \(what) failed: \(Self.message(rc)) (did another rank die?)")
        }
    }

    /// On rank 0: every rank's values in rank order; elsewhere [].
    public func gather(_ values: [Float]) throws -> [[Float]] {
        let n = values.count
        var all = [Float](repeating: 0, count: rank == 0 ? n * size : 1)
        try check(values.withUnsafeBufferPointer { s in all.withUnsafeMutableBufferPointer { cnn_mpi_gather_floats(s.baseAddress, $0.baseAddress, Int32(n)) } },
                  "MPI_Gather of \(n) floats")
        return rank == 0 ? (0..<size).map { Array(all[$0 * n..<($0 + 1) * n]) } : []
    }

    public func broadcast(_ values: inout [Float]) throws {
        let n = values.count
        try check(values.withUnsafeMutableBufferPointer { cnn_mpi_broadcast_floats($0.baseAddress, Int32(n)) }, "MPI_Bcast of \(n) floats")
    }

    public func broadcast(_ values: inout [Double]) throws {
        let n = values.count
        try check(values.withUnsafeMutableBufferPointer { cnn_mpi_broadcast_doubles($0.baseAddress, Int32(n)) }, "MPI_Bcast of \(n) doubles")
    }

    /// Every rank's values in rank order, on every rank.
    public func allGather(_ values: [Double]) throws -> [[Double]] {
        let n = values.count
        var all = [Double](repeating: 0, count: n * size)
        try check(values.withUnsafeBufferPointer { s in all.withUnsafeMutableBufferPointer { cnn_mpi_allgather_doubles(s.baseAddress, $0.baseAddress, Int32(n)) } },
                  "MPI_Allgather of \(n) doubles")
        return (0..<size).map { Array(all[$0 * n..<($0 + 1) * n]) }
    }

    /// MPI_Finalize: call once, at the end, on every rank.
    public func finish() { _ = cnn_mpi_finalize() }

    /// Ends every rank at once (after an error on this one, so that the others do not wait for it forever).
    public func abort(code: Int32) -> Never {
        cnn_mpi_abort(code)
        fatalError("MPI_Abort returned")
    }
}
#endif
