// The weight gradient of small maps by one GEMM per kernel tap and output row, over the images,
// instead of im2col: no product with the zero padding.
//
// dW[o][c][i][j] is the sum over images n and outputs (oy, ox) of dy[n][o][oy][ox] times
// x[n][c][oy + i - padTop][ox + j - padLeft]. For one tap (i, j) and one output row oy, the outputs
// whose input lies inside the image are a run of columns ox0 ..< ox1, and so are their inputs. With x
// and dy laid out with the image innermost (xt [C][H][W][N], dyt [O][oh][ow][N]), that run is one
// contiguous stretch of (ox1 - ox0) * N floats per channel, so
//     dW[:, :, i, j] (+)= dyt[:, oy, ox0..<ox1, :]  x  xt[:, oy + i - padTop, ox0 + j - padLeft ..<, :]^T
// is a GEMM of O x C x (ox1 - ox0) * N. im2col multiplies every tap by every output, padding included:
// on 2x2 maps with a 3x3 kernel, 20 of its 36 products per output are by zero (4x4: 44 of 144), and
// its columns are a copy 9 times the input's size.
//
// Tasks are (tap, block of output channels), each a fixed sequence of GEMMs into its own rows of a
// per-tap result, so the sums do not depend on the number of threads.
import Foundation

extension ConvGeometry {
    /// Whether the weight gradient takes one GEMM per tap and output row (`tapWeightGradient`): stride
    /// 1, no dilation, one group, a kernel wider than 1x1, at most 16 outputs (4x4), where im2col's zero
    /// products are 31-56 % of its work (3x3 "same"). Measured on a quiet Zen 4, VGG-11 at batch 128,
    /// 1 thread, two alternating runs, GFLOP/s counted as im2col's work, per-tap against im2col + oneDNN:
    /// 2x2 maps 129-142 against 46-61, 4x4 84-91 against 66-75, but 8x8 68-73 against 76-81 (there
    /// im2col wastes 16 % and the per-row GEMMs cost more than that). BENCHMARKS.md, "Session 8".
    public var usesTapWeightGradient: Bool {
        TapWeightGradient.enabled && strideY == 1 && strideX == 1 && dilationY == 1 && dilationX == 1 && groups == 1
            && kernelHeight * kernelWidth > 1 && outPlane <= TapWeightGradient.maximumOutputs
    }

    /// The output rows oy < outHeight whose input row oy + i - padTop is inside the image, for kernel row i.
    func tapRows(_ i: Int) -> Range<Int> {
        let first = max(0, padTop - i), end = min(outHeight, inHeight + padTop - i)
        return first..<max(first, end)
    }

    /// The output columns ox < outWidth whose input column ox + j - padLeft is inside the image, for kernel column j.
    func tapColumns(_ j: Int) -> Range<Int> {
        let first = max(0, padLeft - j), end = min(outWidth, inWidth + padLeft - j)
        return first..<max(first, end)
    }
}

/// Settings of the per-tap weight gradient.
public enum TapWeightGradient {
    /// Output positions (oh * ow) up to which layers take it.
    public static let maximumOutputs = 16

    /// Output channels per task: each task's GEMMs write this many rows of one tap's result.
    static let outputBlock = 64

    static let enabledSwitch = EnvironmentSwitch<Bool>.onOff("CNNBENCH_TAP_GEMM")

    /// Whether `CNNBENCH_TAP_GEMM` leaves the per-tap weight gradient on (unset, `1` or `on`) or sends
    /// those layers back to im2col (`0` or `off`), or an error that names the variable and its values.
    public static func isEnabled(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Bool {
        try enabledSwitch.value(in: environment)
    }

    /// False when `CNNBENCH_TAP_GEMM=0` sends these weight gradients back to im2col + GEMM (to compare).
    public static let enabled = enabledSwitch.valueOfProcess(instead: "the per-tap weight gradient stays on")
}

/// dw [O, C, kh, kw] += the weight gradient of `g` (see the top of this file), by one GEMM per tap and
/// output row.
/// - Precondition: stride 1, no dilation, one group (`g.usesTapWeightGradient` but for the size rule).
public func tapWeightGradient(dw: UnsafeMutablePointer<Float>, dy: UnsafePointer<Float>, x: UnsafePointer<Float>,
                              geometry g: ConvGeometry, scratch: Scratch) {
    precondition(g.strideY == 1 && g.strideX == 1 && g.dilationY == 1 && g.dilationX == 1 && g.groups == 1,
                 "the per-tap weight gradient cannot compute \(g)")
    let n = g.batch, c = g.inChannels, o = g.outChannels, kh = g.kernelHeight, kw = g.kernelWidth
    let h = g.inHeight, w = g.inWidth, oh = g.outHeight, ow = g.outWidth
    let xCount = c * g.inPlane * n, dyCount = o * g.outPlane * n, tapCount = o * c
    let base = scratch.shared(count: xCount + dyCount + kh * kw * tapCount)
    let xt = UncheckedSendable(base), dyt = UncheckedSendable(base + xCount)
    let taps = UncheckedSendable(base + xCount + dyCount)

    // Images innermost: xt[c][y][x][n] = x[n][c][y][x], dyt[o][y][x][n] = dy[n][o][y][x].
    transposeImagesInnermost(xt.value, x, images: n, planes: c * g.inPlane)
    transposeImagesInnermost(dyt.value, dy, images: n, planes: o * g.outPlane)

    let blocks = (o + TapWeightGradient.outputBlock - 1) / TapWeightGradient.outputBlock
    Parallel.forEach(kh * kw * blocks) { task, _ in
        let tap = task / blocks, o0 = (task % blocks) * TapWeightGradient.outputBlock
        let m = min(TapWeightGradient.outputBlock, o - o0)
        let i = tap / kw, j = tap % kw
        let rows = g.tapRows(i), columns = g.tapColumns(j)
        let result = taps.value + tap * tapCount + o0 * c
        guard !rows.isEmpty && !columns.isEmpty else {
            for r in 0..<m { (result + r * c).update(repeating: 0, count: c) }
            return
        }
        let k = columns.count * n
        for oy in rows {
            // dyt rows o0 ..< o0 + m at (oy, ox0); xt every channel at (oy + i - padTop, ox0 + j - padLeft).
            let a = dyt.value + ((o0 * oh + oy) * ow + columns.lowerBound) * n
            let b = xt.value + ((oy + i - g.padTop) * w + columns.lowerBound + j - g.padLeft) * n
            gemm(c: result, ldc: c, a: a, lda: oh * ow * n, transposeA: false,
                 b: b, ldb: h * w * n, transposeB: true, m: m, n: c, k: k, beta: oy == rows.lowerBound ? 0 : 1)
        }
    }
    // dw[o][c][i][j] += taps[i][j][o][c].
    let dwPointer = UncheckedSendable(dw)
    Parallel.forEachBlock(o, blockSize: 16) { range, _ in
        for oc in range {
            for ic in 0..<c {
                let target = dwPointer.value + (oc * c + ic) * kh * kw
                for tap in 0..<kh * kw { target[tap] += taps.value[tap * tapCount + oc * c + ic] }
            }
        }
    }
}

/// out[p][n] = src[n][p] for `images` images of `planes` floats each, in blocks that stay in cache.
func transposeImagesInnermost(_ out: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, images: Int, planes: Int) {
    let block = 64
    let destination = UncheckedSendable(out)
    Parallel.forEachBlock(planes, blockSize: 1024) { range, _ in
        var p0 = range.lowerBound
        while p0 < range.upperBound {
            let p1 = min(range.upperBound, p0 + block)
            var n0 = 0
            while n0 < images {
                let n1 = min(images, n0 + block)
                for n in n0..<n1 {
                    let row = src + n * planes
                    for p in p0..<p1 { destination.value[p * images + n] = row[p] }
                }
                n0 = n1
            }
            p0 = p1
        }
    }
}
