// Tensors as float32 datasets, written from and read into the tensor's own memory (no extra copy).
import CNNEngine

extension HDF5Location {
    /// Writes `tensor` as a float32 dataset of the tensor's shape at `path`; see `write(_:shape:to:storage:)`.
    /// - Throws: `StoreError` with `.wrongKind`, `.readOnly` or `.closed`.
    @discardableResult
    public func write(_ tensor: Tensor, to path: String, storage: HDF5Storage = .automatic) throws -> HDF5Dataset {
        try writeDataset(UnsafeRawPointer(tensor.pointer), count: tensor.count, elementType: .float32,
                         shape: tensor.shape, to: path, storage: storage)
    }

    /// Reads the float dataset at `path` as a tensor of the stored shape.
    /// - Throws: `StoreError` with `.notFound`, `.wrongType`, `.wrongShape` or `.corrupt`.
    public func readTensor(at path: String, expectedShape: [Int]? = nil) throws -> Tensor {
        try dataset(path).readTensor(expectedShape: expectedShape)
    }
}

extension HDF5Dataset {
    /// Reads a float32 or float64 dataset as a tensor of the stored shape.
    /// - Throws: `StoreError` with `.wrongType`, `.wrongShape` or `.corrupt`.
    public func readTensor(expectedShape: [Int]? = nil) throws -> Tensor {
        try readValues(as: .float32, typeName: "a Tensor", expectedShape: expectedShape) { shape, _, _, fill in
            let tensor = Tensor(shape: shape)
            if tensor.count > 0 { try fill(UnsafeMutableRawPointer(tensor.pointer)) }
            return tensor
        }
    }
}
