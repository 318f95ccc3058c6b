#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

// Tensor: a contiguous float32 array with a shape, NCHW for images.
//
// Shape letters used across the engine: N batch, C channels, H height, W width,
// K classes or features. A tensor is a reference: layers own the tensors they return
// and overwrite them on their next call, so that a training step allocates nothing
// once the first step has sized every buffer. Copy a tensor (`copy()`) to keep it.

/// A contiguous float32 array with a shape (NCHW for images), with reference semantics.
public final class Tensor: @unchecked Sendable {
    /// The extent of each dimension, outermost first.
    public private(set) var shape: [Int]
    /// The number of elements: the product of `shape`.
    public private(set) var count: Int
    // Memory is taken on first use, so that building a large model to read its summary costs nothing.
    private var allocated: UnsafeMutablePointer<Float>?
    private var capacity: Int
    private let initialValue: Float

    /// Creates a tensor of the given shape filled with `value`.
    public init(shape: [Int], repeating value: Float = 0) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative extent in shape \(shape)")
        self.shape = shape
        self.count = shape.reduce(1, *)
        self.capacity = max(count, 1)
        self.initialValue = value
    }

    private var storage: UnsafeMutablePointer<Float> {
        if let allocated { return allocated }
        let p: UnsafeMutablePointer<Float>
        if initialValue == 0, let zeroed = calloc(capacity, MemoryLayout<Float>.stride) {
            p = zeroed.bindMemory(to: Float.self, capacity: capacity)
        } else {
            p = UnsafeMutablePointer<Float>(OpaquePointer(malloc(capacity * MemoryLayout<Float>.stride)!))
            p.initialize(repeating: initialValue, count: capacity)
        }
        allocated = p
        return p
    }

    /// Creates a tensor from values in row-major order.
    /// - Throws: `ShapeError` when `values.count` is not the product of `shape`.
    public convenience init(shape: [Int], values: [Float]) throws {
        let n = shape.reduce(1, *)
        guard n == values.count else {
            throw ShapeError("Tensor: shape \(shape.shapeDescription) holds \(n) values, got \(values.count)")
        }
        self.init(shape: shape)
        values.withUnsafeBufferPointer { storage.update(from: $0.baseAddress!, count: n) }
    }

    /// Creates a tensor from a nested 2-D array (rows of equal length), shape [rows, columns].
    public convenience init(rows: [[Float]]) throws {
        let columns = rows.first?.count ?? 0
        guard rows.allSatisfy({ $0.count == columns }) else {
            throw ShapeError("Tensor: rows differ in length: \(rows.map(\.count))")
        }
        try self.init(shape: [rows.count, columns], values: rows.flatMap { $0 })
    }

    deinit { free(allocated) }

    /// Makes this tensor `newShape`, reusing its memory when large enough; contents are unspecified afterwards.
    public func resize(to newShape: [Int]) {
        if newShape == shape { return }
        let n = newShape.reduce(1, *)
        if n > capacity {
            free(allocated)
            allocated = nil
            capacity = n
        }
        shape = newShape
        count = n
    }

    /// Changes the shape without touching the data.
    /// - Throws: `ShapeError` when the element counts differ.
    public func reshape(to newShape: [Int]) throws {
        let n = newShape.reduce(1, *)
        guard n == count else {
            throw ShapeError("Tensor: cannot reshape \(shape.shapeDescription) (\(count) values) to \(newShape.shapeDescription)")
        }
        shape = newShape
    }

    /// A pointer to the first element, valid while the tensor lives and is not resized.
    public var pointer: UnsafeMutablePointer<Float> { storage }

    /// The elements in row-major order.
    public var values: [Float] { Array(UnsafeBufferPointer(start: storage, count: count)) }

    /// An independent copy.
    public func copy() -> Tensor {
        let t = Tensor(shape: shape)
        t.storage.update(from: storage, count: count)
        return t
    }

    /// Copies `other`'s shape and values into this tensor.
    public func assign(_ other: Tensor) {
        resize(to: other.shape)
        storage.update(from: other.storage, count: count)
    }

    /// Sets every element to `value`.
    public func fill(_ value: Float) { storage.update(repeating: value, count: count) }

    /// The element at a flat row-major index.
    public subscript(flat index: Int) -> Float {
        get { precondition(index >= 0 && index < count); return storage[index] }
        set { precondition(index >= 0 && index < count); storage[index] = newValue }
    }

    /// The element at a multi-dimensional index.
    public subscript(_ index: Int...) -> Float {
        get { storage[flatIndex(index)] }
        set { storage[flatIndex(index)] = newValue }
    }

    private func flatIndex(_ index: [Int]) -> Int {
        precondition(index.count == shape.count, "Tensor: index \(index) for shape \(shape)")
        var flat = 0
        for (i, extent) in zip(index, shape) {
            precondition(i >= 0 && i < extent, "Tensor: index \(index) out of shape \(shape)")
            flat = flat * extent + i
        }
        return flat
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let shown = values.prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "Tensor\(shape.shapeDescription)[\(shown)\(count > 8 ? ", ..." : "")]"
    }
}

extension Array where Element == Int {
    /// `[64, 3, 32, 32]`, as shapes are written in error messages.
    public var shapeDescription: String { "[" + map(String.init).joined(separator: ", ") + "]" }
}
