// Window arithmetic shared by the pooling layers, with PyTorch's conventions:
// out = floor_or_ceil((n + 2p - k) / s) + 1, and in ceil mode the last window must start
// inside the input or the left padding.

/// The window of a pooling layer: kernel, stride, symmetric padding, ceil mode.
struct PoolWindow: Equatable {
    var kernel: Pair
    var stride: Pair
    var padding: Pair
    var ceilMode: Bool

    /// 2x2 window, stride 2, no padding, floor mode: the fast path of max pooling.
    var isTwoByTwo: Bool { kernel == Pair(2, 2) && stride == Pair(2, 2) && padding == Pair(0, 0) && !ceilMode }

    func outExtent(_ n: Int, _ k: Int, _ s: Int, _ p: Int) -> Int {
        let span = n + 2 * p - k
        var out = (ceilMode ? (span + s - 1) / s : span / s) + 1
        if ceilMode && (out - 1) * s >= n + p { out -= 1 }
        return out
    }

    func outputSize(height: Int, width: Int) -> (Int, Int) {
        (outExtent(height, kernel.height, stride.height, padding.height),
         outExtent(width, kernel.width, stride.width, padding.width))
    }

    func validate(layer: String) throws {
        guard min(kernel.height, kernel.width, stride.height, stride.width) > 0 else {
            throw ConfigurationError("\(layer): kernel and stride must be positive, got kernel \(kernel), stride \(stride)")
        }
        guard padding.height >= 0, padding.width >= 0,
              padding.height * 2 <= kernel.height, padding.width * 2 <= kernel.width else {
            throw ConfigurationError("\(layer): padding \(padding) must be at most half the kernel \(kernel)")
        }
    }

    func outputShape(for inputShape: [Int], layer: String) throws -> [Int] {
        guard inputShape.count == 3 else {
            throw ShapeError("\(layer): expected input [C, H, W], got \(inputShape.shapeDescription)")
        }
        let (oh, ow) = outputSize(height: inputShape[1], width: inputShape[2])
        guard oh >= 1, ow >= 1 else {
            throw ShapeError("\(layer): input \(inputShape[1])x\(inputShape[2]) is smaller than the window \(kernel)")
        }
        return [inputShape[0], oh, ow]
    }
}

/// Planes (one channel of one image) per task in pooling layers.
let planeBlock = 8
