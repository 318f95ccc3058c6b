// Element types: what a dataset or attribute stores, and which Swift types may read it.
//
// Conversions allowed on read: any float width to Float or Double (float64 to Float rounds),
// and an integer to a wider or equal integer type of the same signedness, or an unsigned
// one to a strictly wider signed type (so every stored value fits). Everything else is a
// `.wrongType` error: reading `int64` labels as Float is more likely a mistake than a wish.
import CHDF5

/// The element type of a stored dataset or attribute.
public enum HDF5ElementType: Sendable, Equatable, CustomStringConvertible {
    /// IEEE floating point of 16, 32 or 64 bits.
    case float16, float32, float64
    /// Two's complement signed integers of 8 to 64 bits.
    case int8, int16, int32, int64
    /// Unsigned integers of 8 to 64 bits.
    case uint8, uint16, uint32, uint64
    /// Fixed- or variable-length strings.
    case string
    /// Anything else (compound, enum, opaque, ...), named by its HDF5 class.
    case other(String)

    /// The type as numpy names it: "float32", "int64", "string".
    public var description: String {
        switch self {
        case .float16: "float16"
        case .float32: "float32"
        case .float64: "float64"
        case .int8: "int8"
        case .int16: "int16"
        case .int32: "int32"
        case .int64: "int64"
        case .uint8: "uint8"
        case .uint16: "uint16"
        case .uint32: "uint32"
        case .uint64: "uint64"
        case .string: "string"
        case .other(let name): name
        }
    }

    /// Whether values stored as `self` can be read into memory as `target` without losing integers.
    public func canBeRead(as target: HDF5ElementType) -> Bool {
        switch (numericKind, target.numericKind) {
        case (.float, .float):
            return true
        case let (.integer(storedSigned, storedBits), .integer(targetSigned, targetBits)):
            if storedSigned == targetSigned { return storedBits <= targetBits }
            return !storedSigned && targetSigned && storedBits < targetBits
        default:
            return false
        }
    }

    private enum NumericKind { case float, integer(signed: Bool, bits: Int), none }

    private var numericKind: NumericKind {
        switch self {
        case .float16, .float32, .float64: .float
        case .int8: .integer(signed: true, bits: 8)
        case .int16: .integer(signed: true, bits: 16)
        case .int32: .integer(signed: true, bits: 32)
        case .int64: .integer(signed: true, bits: 64)
        case .uint8: .integer(signed: false, bits: 8)
        case .uint16: .integer(signed: false, bits: 16)
        case .uint32: .integer(signed: false, bits: 32)
        case .uint64: .integer(signed: false, bits: 64)
        case .string, .other: .none
        }
    }

    /// The HDF5 native type used in memory for this element type, for the types Swift reads and writes.
    var nativeTypeID: hid_t? {
        switch self {
        case .float32: cnn_h5t_native_float()
        case .float64: cnn_h5t_native_double()
        case .int64: cnn_h5t_native_int64()
        case .int32: cnn_h5t_native_int32()
        case .uint8: cnn_h5t_native_uint8()
        default: nil
        }
    }

    /// Classifies an HDF5 datatype identifier; call with the HDF5 lock held.
    init(typeID: hid_t) {
        let bits = H5Tget_size(typeID) * 8
        switch H5Tget_class(typeID) {
        case H5T_FLOAT:
            switch bits {
            case 16: self = .float16
            case 32: self = .float32
            case 64: self = .float64
            default: self = .other("float\(bits)")
            }
        case H5T_INTEGER:
            let signed = H5Tget_sign(typeID) != H5T_SGN_NONE
            switch (signed, bits) {
            case (true, 8): self = .int8
            case (true, 16): self = .int16
            case (true, 32): self = .int32
            case (true, 64): self = .int64
            case (false, 8): self = .uint8
            case (false, 16): self = .uint16
            case (false, 32): self = .uint32
            case (false, 64): self = .uint64
            default: self = .other(signed ? "int\(bits)" : "uint\(bits)")
            }
        case H5T_STRING: self = .string
        case H5T_COMPOUND: self = .other("compound")
        case H5T_ENUM: self = .other("enum")
        case H5T_ARRAY: self = .other("array")
        case H5T_VLEN: self = .other("variable-length sequence")
        case H5T_OPAQUE: self = .other("opaque")
        case H5T_BITFIELD: self = .other("bitfield")
        case H5T_REFERENCE: self = .other("reference")
        case H5T_TIME: self = .other("time")
        default: self = .other("unknown type")
        }
    }
}

/// A Swift number type that datasets and attributes store natively: Float, Double, Int64, Int32, UInt8.
public protocol HDF5Element: Sendable, BitwiseCopyable {
    /// The element type this Swift type is stored as.
    static var elementType: HDF5ElementType { get }
}

extension Float: HDF5Element { public static var elementType: HDF5ElementType { .float32 } }
extension Double: HDF5Element { public static var elementType: HDF5ElementType { .float64 } }
extension Int64: HDF5Element { public static var elementType: HDF5ElementType { .int64 } }
extension Int32: HDF5Element { public static var elementType: HDF5ElementType { .int32 } }
extension UInt8: HDF5Element { public static var elementType: HDF5ElementType { .uint8 } }
