// swift-tools-version: 6.1
// CNNBench: convolutional networks on a multithreaded CPU engine, with figures and reports.
//
// Levels (a target imports only from levels below it):
//   3  cnnbench, cnnviz, CNNCommandLine      thin executables and what they share (ArgumentParser only here)
//   2  CNNBench, CNNFigures                  use cases: training, timing, suites / figures, reports
//   1.5 CNNRuns                              a trained model and its data: data-set names, preprocessing, test sets, evaluation
//   1  CNNModels, CNNData, CNNStore, CNNPlot, CNNMPI building blocks
//   0  CNNEngine, CKernels, CNNFiles, CBLAS, CHDF5, CCairo, CZlib, CSupport, CMPI foundation, C kernels, system libraries
//      ONNXProto                              the ONNX messages, generated once from onnx.proto (see its README)
//
// Trait MPI (`swift build --traits MPI`, needs Open MPI: libopenmpi-dev): `cnnbench train --distributed`
// under mpirun. Without it (the default) nothing needs MPI and CNNMPI compiles empty.
import PackageDescription

// MARK: - Level 0: system libraries

#if os(macOS)
let blas: Target = .systemLibrary(name: "CBLAS", path: "Sources/CBLAS-Accelerate")
#else
let blas: Target = .systemLibrary(
    name: "CBLAS", pkgConfig: "openblas",
    providers: [.apt(["libopenblas-dev"]), .brew(["openblas"])])
#endif

let systemLibraries: [Target] = [
    blas,
    .systemLibrary(
        name: "CHDF5", pkgConfig: "hdf5",
        providers: [.apt(["libhdf5-dev"]), .brew(["hdf5"])]),
    .systemLibrary(
        name: "CCairo", pkgConfig: "cairo",
        providers: [.apt(["libcairo2-dev"]), .brew(["cairo"])]),
    .systemLibrary(
        name: "CZlib", pkgConfig: "zlib",
        providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),
    .systemLibrary(name: "CSupport"),
    // Only with the MPI trait.
    .systemLibrary(
        name: "CMPI", pkgConfig: "ompi",
        providers: [.apt(["libopenmpi-dev", "openmpi-bin"]), .brew(["open-mpi"])]),
]

// MARK: - Level 0: the engine

let engine: [Target] = [
    // Direct convolution kernels in C: AVX2/FMA chosen at run time by function attributes, no build flags.
    .target(name: "CKernels"),
    .target(name: "CNNEngine", dependencies: ["CBLAS", "CKernels"]),
    // The one atomic file writer (temporary file, fsync, rename) every written file goes through.
    .target(name: "CNNFiles"),
    // The ONNX protobuf messages: generated code, committed (building protoc-gen-swift takes minutes).
    .target(name: "ONNXProto", dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")], exclude: ["README.md", "onnx.proto"]),
]

// MARK: - Level 1: building blocks

let blocks: [Target] = [
    .target(name: "CNNModels", dependencies: ["CNNEngine"]),
    .target(name: "CNNData", dependencies: ["CNNEngine", "CZlib", "CCairo"]),
    // Model files: HDF5 (the toolkit's own and Keras') and ONNX.
    .target(name: "CNNStore", dependencies: ["CNNEngine", "CNNFiles", "CHDF5", "ONNXProto"]),
    .target(name: "CNNPlot", dependencies: ["CNNFiles", "CCairo"]),
    // MPI_COMM_WORLD's collectives; empty without the MPI trait.
    .target(name: "CNNMPI", dependencies: [.target(name: "CMPI", condition: .when(traits: ["MPI"]))]),
]

// MARK: - Level 1.5: a trained model and its data

let runs: [Target] = [
    // What training and figures both need to know of a model file: its data set by a typed name, where that data
    // set's files are, how its images are prepared, its test set, and evaluation (loss, error, confusion, mistakes).
    .target(name: "CNNRuns", dependencies: ["CNNEngine", "CNNModels", "CNNData", "CNNStore"]),
]

// MARK: - Level 2: use cases

let useCases: [Target] = [
    .target(name: "CNNBench", dependencies: ["CNNEngine", "CNNModels", "CNNData", "CNNStore", "CNNRuns", .product(name: "Yams", package: "Yams")]),
    .target(name: "CNNFigures", dependencies: ["CNNEngine", "CNNModels", "CNNData", "CNNStore", "CNNRuns", "CNNPlot"]),
]

// MARK: - Level 3: executables

let executables: [Target] = [
    // What both tools do around their subcommands (exit status, standard output, the environment).
    .target(name: "CNNCommandLine", dependencies: ["CNNEngine", "CSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
    .executableTarget(
        name: "cnnbench",
        dependencies: ["CNNCommandLine", "CNNBench", "CNNFigures", "CNNRuns", "CNNMPI", "CNNModels", "CNNData", "CNNStore", "CNNEngine", "CSupport",
                       .product(name: "ArgumentParser", package: "swift-argument-parser")]),
    .executableTarget(
        name: "cnnviz",
        dependencies: ["CNNCommandLine", "CNNFigures", "CNNRuns", "CNNPlot", "CNNData", "CNNEngine", "CNNFiles", "CSupport",
                       .product(name: "ArgumentParser", package: "swift-argument-parser")]),
]

// MARK: - Tests

let tests: [Target] = [
    .target(name: "_TestSupport", dependencies: ["CNNEngine", "CNNStore"], path: "Sources/_TestSupport"),
    .testTarget(name: "CNNEngineTests", dependencies: ["CNNEngine", "CKernels", "_TestSupport"], exclude: ["Fixtures"]),
    .testTarget(name: "CNNModelsTests", dependencies: ["CNNModels", "_TestSupport"], exclude: ["Fixtures"]),
    .testTarget(name: "CNNDataTests", dependencies: ["CNNData", "_TestSupport"]),
    .testTarget(name: "CNNStoreTests", dependencies: ["CNNStore", "CNNModels", "_TestSupport"], exclude: ["Fixtures"]),
    .testTarget(name: "CNNPlotTests", dependencies: ["CNNPlot", "_TestSupport"]),
    .testTarget(name: "CNNRunsTests", dependencies: ["CNNRuns", "CNNFigures", "_TestSupport"]),
    .testTarget(name: "CNNBenchTests", dependencies: ["CNNBench", "CNNRuns", "_TestSupport"]),
    .testTarget(name: "CNNFiguresTests", dependencies: ["CNNFigures", "CNNRuns", "_TestSupport"]),
    .testTarget(name: "CLITests", dependencies: ["_TestSupport"]),
]

let package = Package(
    name: "CNNBench",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "cnnbench", targets: ["cnnbench"]),
        .executable(name: "cnnviz", targets: ["cnnviz"]),
        .library(name: "CNNEngine", targets: ["CNNEngine"]),
    ],
    traits: [
        .trait(name: "MPI", description: "Data-parallel training over MPI (Open MPI): cnnbench train --distributed under mpirun."),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        // The version Sources/ONNXProto/onnx.pb.swift was generated with, or later.
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: systemLibraries + engine + blocks + runs + useCases + executables + tests
)
