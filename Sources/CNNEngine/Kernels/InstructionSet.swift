// Run-time dispatch, in one place: which instruction-set path the engine's kernels take, and which
// matrix multiply. The best path the CPU supports is chosen unless `CNNBENCH_ISA` forces one.
//
//   path      direct convolution kernels        GEMM (im2col and dense layers)
//   avx512    AVX-512, 16 lanes, flat-grid tiles oneDNN's sgemm up to AVX-512, else the BLAS
//   avx2      AVX2 + FMA, 8 lanes, row tiles     oneDNN's sgemm up to AVX2, else the BLAS
//   generic   none (im2col + GEMM everywhere)    the BLAS
//
// `CNNBENCH_GEMM=blas` keeps the BLAS (OpenBLAS, or Accelerate on macOS) on every path, to compare.
import CKernels
import Foundation

/// An instruction-set path of the engine's kernels.
public enum InstructionSet: String, CaseIterable, Comparable, Sendable, CustomStringConvertible {
    case generic, avx2, avx512

    var code: Int32 {
        switch self {
        case .generic: Int32(CNN_ISA_GENERIC)
        case .avx2: Int32(CNN_ISA_AVX2)
        case .avx512: Int32(CNN_ISA_AVX512)
        }
    }

    public static func < (a: Self, b: Self) -> Bool { a.code < b.code }

    public var description: String { rawValue }

    /// The best path this CPU supports.
    public static let best: InstructionSet = {
        switch Int(cnn_cpu_best_isa()) {
        case Int(CNN_ISA_AVX512): .avx512
        case Int(CNN_ISA_AVX2): .avx2
        default: .generic
        }
    }()

    /// Every path this CPU can run, best last.
    public static var supported: [InstructionSet] { allCases.filter { $0 <= best } }

    /// The path named by `CNNBENCH_ISA` (or `best` when unset), or an error that names the variable,
    /// the value and the paths this CPU has.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> InstructionSet {
        guard let value = environment["CNNBENCH_ISA"], !value.isEmpty else { return best }
        guard let isa = InstructionSet(rawValue: value.lowercased()) else {
            throw ConfigurationError("CNNBENCH_ISA must be one of avx512, avx2, generic; got \"\(value)\"")
        }
        guard isa <= best else {
            throw ConfigurationError("CNNBENCH_ISA=\(value): this CPU cannot run it; it supports \(supported.map(\.rawValue).joined(separator: ", "))")
        }
        return isa
    }

    static let fromProcess: InstructionSet = {
        do { return try fromEnvironment() } catch {
            FileHandle.standardError.write(Data("cnnbench: \(error); using \(best)\n".utf8))
            return best
        }
    }()

    /// A path set for the work of one task (and the synchronous calls it makes): see `withActive`.
    @TaskLocal static var scoped: InstructionSet?

    /// The path the kernels take now: the one `withActive` set for this task, else `CNNBENCH_ISA` if it
    /// names a path this CPU has (a bad value is reported once on standard error and ignored; the
    /// command-line tools refuse it at start-up), else `best`. The GEMM's cap is fixed by its first use.
    public static var active: InstructionSet { scoped ?? fromProcess }

    /// Runs `body` with `active` set to `isa` for this task only (tests run every path side by side).
    /// - Precondition: this CPU can run `isa`.
    public static func withActive<T>(_ isa: InstructionSet, _ body: () throws -> T) rethrows -> T {
        precondition(isa <= best, "InstructionSet.withActive: this CPU cannot run \(isa)")
        return try $scoped.withValue(isa, operation: body)
    }

    /// Single-thread peak of this path in GFLOP/s, measured now by a register-only FMA loop
    /// (about `seconds` long); 0 when the CPU cannot run it.
    public func measuredPeak(seconds: Double = 0.3) -> Double { cnn_cpu_peak_gflops(code, seconds) }
}

/// Which matrix multiply `gemm` calls.
public enum GEMMBackend: Sendable, Equatable, CustomStringConvertible {
    /// oneDNN's `dnnl_sgemm`, loaded at run time, capped at the path active at its first use.
    case oneDNN(version: String)
    /// The system BLAS (OpenBLAS; Accelerate on macOS).
    case blas

    public var description: String {
        switch self {
        case .oneDNN(let version): version
        case .blas: "BLAS"
        }
    }

    /// The backend of this process, fixed on first use: oneDNN (capped at the process's path) when
    /// installed, the process's path is not `generic` and `CNNBENCH_GEMM` is not `blas`.
    public static let loaded: GEMMBackend = {
        let isa = InstructionSet.fromProcess
        let blasAsked = blasSwitch.valueOfProcess(instead: "using the fastest GEMM")
        guard isa != .generic, !blasAsked, cnn_fast_gemm_load(isa.code) == 1 else { return .blas }
        return .oneDNN(version: String(cString: cnn_fast_gemm_name()))
    }()

    /// Whether `CNNBENCH_GEMM` asks for the BLAS (`blas`) rather than the fastest GEMM there is (unset, `auto`
    /// or `onednn`), or an error that names the variable and its values.
    public static func asksForBLAS(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Bool {
        try blasSwitch.value(in: environment)
    }

    static let blasSwitch = EnvironmentSwitch<Bool>(
        name: "CNNBENCH_GEMM", unset: false, words: [("auto", false), ("onednn", false), ("blas", true)],
        expected: "blas, or auto or onednn (the fastest there is, the default)")

    static let oneDNNLoaded: Bool = { if case .oneDNN = loaded { true } else { false } }()

    /// The backend `gemm` calls now: the loaded one, except on the `generic` path, which keeps to the BLAS.
    public static var current: GEMMBackend { InstructionSet.active == .generic ? .blas : loaded }

    static var usesOneDNN: Bool { InstructionSet.active != .generic && oneDNNLoaded }
}
