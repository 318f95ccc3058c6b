// 2-D convolution (cross-correlation, as PyTorch's Conv2d) by im2col and GEMM, or, for
// few-channel stride-1 layers, by the direct kernels of DirectConvolution.swift.
//
// Shape letters: N batch, C input channels, H x W input, O output channels, kh x kw kernel,
// oh x ow output, P = oh * ow output positions, G groups, Cg = C / G, Og = O / G,
// R = Cg * kh * kw rows of the column matrix.
//
// Work is split by images. Images are taken in chunks whose size depends on the layer's
// shape alone (enough images that a chunk's column matrix has at least `minimumColumns`
// columns), so the GEMM stays efficient on small feature maps and the result does not
// depend on the number of threads. Weight gradients are summed per "reduction group" of
// chunks (a count fixed by the shape), then the groups are added in order.

/// The sizes of one 2-D convolution, with its derived output size.
public struct ConvGeometry: Equatable, Sendable {
    public var batch: Int, inChannels: Int, inHeight: Int, inWidth: Int, outChannels: Int
    public var kernelHeight: Int, kernelWidth: Int
    public var strideY: Int, strideX: Int
    public var padTop: Int, padBottom: Int, padLeft: Int, padRight: Int
    public var dilationY: Int, dilationX: Int
    public var groups: Int

    public init(batch: Int, inChannels: Int, inHeight: Int, inWidth: Int, outChannels: Int,
                kernelHeight: Int, kernelWidth: Int, strideY: Int = 1, strideX: Int = 1,
                padTop: Int = 0, padBottom: Int = 0, padLeft: Int = 0, padRight: Int = 0,
                dilationY: Int = 1, dilationX: Int = 1, groups: Int = 1) {
        self.batch = batch; self.inChannels = inChannels; self.inHeight = inHeight; self.inWidth = inWidth
        self.outChannels = outChannels; self.kernelHeight = kernelHeight; self.kernelWidth = kernelWidth
        self.strideY = strideY; self.strideX = strideX
        self.padTop = padTop; self.padBottom = padBottom; self.padLeft = padLeft; self.padRight = padRight
        self.dilationY = dilationY; self.dilationX = dilationX; self.groups = groups
    }

    /// floor((H + pads - d(kh - 1) - 1) / s) + 1.
    public var outHeight: Int { (inHeight + padTop + padBottom - dilationY * (kernelHeight - 1) - 1) / strideY + 1 }
    /// floor((W + pads - d(kw - 1) - 1) / s) + 1.
    public var outWidth: Int { (inWidth + padLeft + padRight - dilationX * (kernelWidth - 1) - 1) / strideX + 1 }
    var inPerGroup: Int { inChannels / groups }
    var outPerGroup: Int { outChannels / groups }
    var columnRows: Int { inPerGroup * kernelHeight * kernelWidth }
    var outPlane: Int { outHeight * outWidth }
    var inPlane: Int { inHeight * inWidth }
    var weightCount: Int { outChannels * columnRows }
    /// A 1x1, stride-1, unpadded convolution reads its input as the column matrix itself.
    var isPointwise: Bool {
        kernelHeight == 1 && kernelWidth == 1 && strideY == 1 && strideX == 1
            && padTop == 0 && padBottom == 0 && padLeft == 0 && padRight == 0
    }

    /// Multiply-adds of the forward pass for the whole batch.
    public var multiplyAdds: Int { batch * outChannels * outPlane * columnRows }

    static let minimumColumns = 256
    static let maximumReductionGroups = 16
    static let partialBudget = 16 << 20  // floats of weight-gradient partial sums

    /// Floats needed to keep every chunk's column matrices from the forward pass for the backward pass.
    public var keptColumnCount: Int { chunkCount * groups * columnRows * chunkImages * outPlane }

    /// Images per chunk: enough for `minimumColumns` GEMM columns, fixed by the shape.
    var chunkImages: Int { max(1, min(batch, (Self.minimumColumns + outPlane - 1) / outPlane)) }
    var chunkCount: Int { (batch + chunkImages - 1) / chunkImages }
    /// Chunks per reduction group of the weight gradient.
    var chunksPerReduction: Int { itemsPerReduction(chunkCount) }

    /// How many of `items` (chunks or images) one reduction group of the weight gradient sums: at most
    /// `maximumReductionGroups` groups, and no more partial sums than `partialBudget` holds.
    func itemsPerReduction(_ items: Int) -> Int {
        let byMemory = max(1, Self.partialBudget / max(weightCount, 1))
        let groups = max(1, min(items, Self.maximumReductionGroups, byMemory))
        return (items + groups - 1) / groups
    }
    var reductionCount: Int { (chunkCount + chunksPerReduction - 1) / chunksPerReduction }
}

// MARK: - im2col and col2im

/// Copies one image's receptive fields for channels `c0 ..< c0 + Cg` into rows of a column matrix.
///
/// col[(c * kh + i) * kw + j][oy * ow + ox] = x[c0 + c][oy * sy - padTop + i * dy][ox * sx - padLeft + j * dx], 0 outside.
public func im2col(col: UnsafeMutablePointer<Float>, ldcol: Int, image x: UnsafePointer<Float>,
                   channelOffset c0: Int, geometry g: ConvGeometry) {
    let oh = g.outHeight, ow = g.outWidth, h = g.inHeight, w = g.inWidth
    let sy = g.strideY, sx = g.strideX
    for c in 0..<g.inPerGroup {
        let plane = x + (c0 + c) * h * w
        for i in 0..<g.kernelHeight {
            let offY = i * g.dilationY - g.padTop
            for j in 0..<g.kernelWidth {
                let row = col + ((c * g.kernelHeight + i) * g.kernelWidth + j) * ldcol
                let offX = j * g.dilationX - g.padLeft
                let (lo, hi) = validRange(offset: offX, stride: sx, inExtent: w, outExtent: ow)
                if sx == 1 && sy == 1 && ow == w {
                    // Rows are as wide as the input: the valid rows are one flat copy shifted by
                    // offY * w + offX, after which the few edge cells that wrapped around are zeroed.
                    let (y0, y1) = validRange(offset: offY, stride: 1, inExtent: h, outExtent: oh)
                    if y0 > 0 { row.update(repeating: 0, count: y0 * ow) }
                    if y1 < oh { (row + max(y0, y1) * ow).update(repeating: 0, count: (oh - max(y0, y1)) * ow) }
                    if y1 > y0 {
                        let shift = offY * w + offX
                        let start = max(y0 * ow, -shift), end = min(y1 * ow, h * w - shift)
                        if end > start { (row + start).update(from: plane + start + shift, count: end - start) }
                        if lo > 0 || hi < ow {
                            for oy in y0..<y1 {
                                let out = row + oy * ow
                                for ox in 0..<lo { out[ox] = 0 }
                                for ox in hi..<max(hi, ow) { out[ox] = 0 }
                            }
                        }
                    }
                    continue
                }
                for oy in 0..<oh {
                    let out = row + oy * ow
                    let iy = oy * sy + offY
                    if iy < 0 || iy >= h || lo >= hi {
                        out.update(repeating: 0, count: ow)
                        continue
                    }
                    if lo > 0 { out.update(repeating: 0, count: lo) }
                    if hi < ow { (out + hi).update(repeating: 0, count: ow - hi) }
                    let src = plane + iy * w + offX
                    if sx == 1 {
                        (out + lo).update(from: src + lo, count: hi - lo)
                    } else {
                        for ox in lo..<hi { out[ox] = src[ox * sx] }
                    }
                }
            }
        }
    }
}

/// Adds a column matrix back into one image's channels `c0 ..< c0 + Cg` (the transpose of `im2col`).
public func col2im(image dx: UnsafeMutablePointer<Float>, col: UnsafePointer<Float>, ldcol: Int,
                   channelOffset c0: Int, geometry g: ConvGeometry) {
    let oh = g.outHeight, ow = g.outWidth, h = g.inHeight, w = g.inWidth
    let sy = g.strideY, sx = g.strideX
    for c in 0..<g.inPerGroup {
        let plane = dx + (c0 + c) * h * w
        for i in 0..<g.kernelHeight {
            let offY = i * g.dilationY - g.padTop
            for j in 0..<g.kernelWidth {
                let row = col + ((c * g.kernelHeight + i) * g.kernelWidth + j) * ldcol
                let offX = j * g.dilationX - g.padLeft
                let (lo, hi) = validRange(offset: offX, stride: sx, inExtent: w, outExtent: ow)
                if lo >= hi { continue }
                for oy in 0..<oh {
                    let iy = oy * sy + offY
                    if iy < 0 || iy >= h { continue }
                    let src = row + oy * ow
                    let dst = plane + iy * w + offX
                    if sx == 1 {
                        for ox in lo..<hi { dst[ox] += src[ox] }
                    } else {
                        for ox in lo..<hi { dst[ox * sx] += src[ox] }
                    }
                }
            }
        }
    }
}

/// The output columns `lo ..< hi` whose input column `ox * stride + offset` lies inside `0 ..< inExtent`.
@inline(__always)
func validRange(offset: Int, stride: Int, inExtent: Int, outExtent: Int) -> (Int, Int) {
    let lo = offset >= 0 ? 0 : min(outExtent, (-offset + stride - 1) / stride)
    let hi = offset > inExtent - 1 ? 0 : min(outExtent, (inExtent - 1 - offset) / stride + 1)
    return (lo, hi)
}

// MARK: - Forward

/// y = conv(x, w) + b for a batch: x [N, C, H, W], w [O, Cg, kh, kw], b [O], y [N, O, oh, ow].
///
/// Each layer by the kernels `g.forwardKernel` names: direct, Winograd F(2x2, 3x3) or im2col + GEMM.
/// With `relu`, y = max(0, y) (NaN kept) is applied to each chunk of images as soon as the kernels have
/// written it, while it is in cache: the ReLU after the convolution costs no pass over memory of its own.
public func conv2dForward(y: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, w: UnsafePointer<Float>,
                          bias: UnsafePointer<Float>?, geometry g: ConvGeometry, scratch: Scratch,
                          keptColumns: UnsafeMutablePointer<Float>? = nil, relu: Bool = false) {
    switch g.forwardKernel {
    case .direct: directConv2dForward(y: y, x: x, w: w, bias: bias, geometry: g, scratch: scratch, relu: relu)
    case .winograd: winogradConv2dForward(y: y, x: x, w: w, bias: bias, geometry: g, scratch: scratch, relu: relu)
    case .im2col, .perTap:
        im2colConv2dForward(y: y, x: x, w: w, bias: bias, geometry: g, scratch: scratch, keptColumns: keptColumns, relu: relu)
    }
}

/// `conv2dForward` by im2col and GEMM, for any geometry.
///
/// With `keptColumns` (`g.keptColumnCount` floats), every chunk's column matrix is left there for
/// `im2colConv2dBackward` to reuse instead of running im2col again.
public func im2colConv2dForward(y: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, w: UnsafePointer<Float>,
                                bias: UnsafePointer<Float>?, geometry g: ConvGeometry, scratch: Scratch,
                                keptColumns: UnsafeMutablePointer<Float>? = nil, relu: Bool = false) {
    let chunk = g.chunkImages, chunks = g.chunkCount
    let p = g.outPlane, rows = g.columnRows, og = g.outPerGroup, o = g.outChannels
    let colSize = rows * chunk * p
    let kept = UncheckedSendable(keptColumns)
    let outSize = chunk > 1 ? o * chunk * p : 0
    let workers = Parallel.workerCount(for: chunks)
    let buffers = UncheckedSendable(scratch.buffers(workers: workers, count: colSize + outSize))
    let xImage = g.inChannels * g.inPlane
    Parallel.forEach(chunks, workers: workers) { chunkIndex, worker in
        let n0 = chunkIndex * chunk, nc = min(chunk, g.batch - n0), cols = nc * p
        let col = kept.value.map { $0 + chunkIndex * g.groups * colSize } ?? buffers.value[worker]
        let staged = buffers.value[worker] + colSize
        for group in 0..<g.groups {
            let columns: UnsafePointer<Float>
            if g.isPointwise && nc == 1 {
                columns = x + n0 * xImage + group * g.inPerGroup * p
            } else {
                let groupCol = kept.value == nil ? col : col + group * colSize
                for b in 0..<nc {
                    im2col(col: groupCol + b * p, ldcol: cols, image: x + (n0 + b) * xImage,
                           channelOffset: group * g.inPerGroup, geometry: g)
                }
                columns = UnsafePointer(groupCol)
            }
            let target = nc == 1 ? y + n0 * o * p + group * og * p : staged + group * og * cols
            gemm(c: target, ldc: cols, a: w + group * og * rows, lda: rows, transposeA: false,
                 b: columns, ldb: cols, transposeB: false, m: og, n: cols, k: rows)
        }
        for b in 0..<nc {
            for oc in 0..<o {
                let dst = y + ((n0 + b) * o + oc) * p
                if nc > 1 { dst.update(from: staged + oc * cols + b * p, count: p) }
                if let bias { vectorAdd(dst, p, scalar: bias[oc]) }
                if relu { vectorRectify(dst, p) }
            }
        }
    }
}

// MARK: - Backward

/// dx = conv_transpose(dy, w) (if `dx` is given); dw += dL/dw (if given); db += dL/db (if given).
///
/// dy [N, O, oh, ow], x [N, C, H, W], w [O, Cg, kh, kw]; dx is overwritten, dw and db accumulate.
///
/// Each pass by the kernels `g.dataKernel` and `g.weightKernel` name (direct, Winograd for dx, one GEMM
/// per tap for dw, im2col + GEMM); the bias gradient once, at the end.
/// `keptColumns`: the column matrices `conv2dForward` kept for this batch, or nil to rebuild them.
public func conv2dBackward(dx: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>?, db: UnsafeMutablePointer<Float>?,
                           dy: UnsafePointer<Float>, x: UnsafePointer<Float>, w: UnsafePointer<Float>,
                           geometry g: ConvGeometry, scratch: Scratch, partials partialScratch: Scratch,
                           keptColumns: UnsafePointer<Float>? = nil) {
    let data = dx.map { _ in g.dataKernel }, weights = dw.map { _ in g.weightKernel }
    func by(_ kernel: ConvKernel) -> (dx: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>?) {
        (data == kernel ? dx : nil, weights == kernel ? dw : nil)
    }
    let direct = by(.direct), perTap = by(.perTap), im2col = by(.im2col)
    if direct.dx != nil || direct.dw != nil {
        directConv2dBackward(dx: direct.dx, dw: direct.dw, db: nil, dy: dy, x: x, w: w, geometry: g, scratch: scratch,
                             partials: partialScratch)
    }
    if let dx = by(.winograd).dx { winogradConv2dInputGradient(dx: dx, dy: dy, w: w, geometry: g, scratch: scratch) }
    if let dw = perTap.dw { tapWeightGradient(dw: dw, dy: dy, x: x, geometry: g, scratch: scratch) }
    if im2col.dx != nil || im2col.dw != nil {
        im2colConv2dBackward(dx: im2col.dx, dw: im2col.dw, db: nil, dy: dy, x: x, w: w, geometry: g, scratch: scratch,
                             partials: partialScratch, keptColumns: keptColumns)
    }
    if let db { addBiasGradient(into: db, dy: dy, geometry: g) }
}

/// `conv2dBackward` by im2col and GEMM, for any geometry.
public func im2colConv2dBackward(dx: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>?, db: UnsafeMutablePointer<Float>?,
                                 dy: UnsafePointer<Float>, x: UnsafePointer<Float>, w: UnsafePointer<Float>,
                                 geometry g: ConvGeometry, scratch: Scratch, partials partialScratch: Scratch,
                                 keptColumns: UnsafePointer<Float>? = nil) {
    let kept = UncheckedSendable(keptColumns)
    let chunk = g.chunkImages, chunks = g.chunkCount
    let perReduction = g.chunksPerReduction, reductions = g.reductionCount
    let p = g.outPlane, rows = g.columnRows, og = g.outPerGroup, o = g.outChannels
    let colSize = dw != nil ? rows * chunk * p : 0
    let dySize = chunk > 1 ? o * chunk * p : 0
    let dcolSize = dx != nil ? rows * chunk * p : 0
    let workers = Parallel.workerCount(for: reductions)
    let buffers = UncheckedSendable(scratch.buffers(workers: workers,
                                                    count: colSize + dySize + dcolSize))
    let weightCount = g.weightCount
    let partials = UncheckedSendable(partialScratch.buffers(workers: 1, count: dw != nil ? reductions * weightCount : 1)[0])
    let xImage = g.inChannels * g.inPlane
    let dxPointer = UncheckedSendable(dx)
    let computeWeights = dw != nil

    Parallel.forEach(reductions, workers: workers) { reduction, worker in
        let col = buffers.value[worker], staged = col + colSize, dcol = staged + dySize
        let partial = partials.value + reduction * weightCount
        let firstChunk = reduction * perReduction
        for chunkIndex in firstChunk..<min(chunks, firstChunk + perReduction) {
            let n0 = chunkIndex * chunk, nc = min(chunk, g.batch - n0), cols = nc * p
            let dyChunk: UnsafePointer<Float>
            if nc == 1 {
                dyChunk = dy + n0 * o * p
            } else {
                for b in 0..<nc {
                    for oc in 0..<o { (staged + oc * cols + b * p).update(from: dy + ((n0 + b) * o + oc) * p, count: p) }
                }
                dyChunk = UnsafePointer(staged)
            }
            if let dx = dxPointer.value { (dx + n0 * xImage).update(repeating: 0, count: nc * xImage) }
            for group in 0..<g.groups {
                let direct = g.isPointwise && nc == 1
                let dyGroup = dyChunk + group * og * cols
                if computeWeights {
                    let columns: UnsafePointer<Float>
                    if direct {
                        columns = x + n0 * xImage + group * g.inPerGroup * p
                    } else if let stored = kept.value {
                        columns = stored + (chunkIndex * g.groups + group) * rows * chunk * p
                    } else {
                        for b in 0..<nc {
                            im2col(col: col + b * p, ldcol: cols, image: x + (n0 + b) * xImage,
                                   channelOffset: group * g.inPerGroup, geometry: g)
                        }
                        columns = UnsafePointer(col)
                    }
                    // dW_g [Og, R] (+)= dY_g [Og, cols] x col^T [cols, R]
                    gemm(c: partial + group * og * rows, ldc: rows, a: dyGroup, lda: cols, transposeA: false,
                         b: columns, ldb: cols, transposeB: true, m: og, n: rows, k: cols,
                         beta: chunkIndex == firstChunk ? 0 : 1)
                }
                guard let dx = dxPointer.value else { continue }
                // dcol [R, cols] = W_g^T [R, Og] x dY_g [Og, cols], then scattered back into dx.
                let wg = w + group * og * rows
                if direct {
                    gemm(c: dx + n0 * xImage + group * g.inPerGroup * p, ldc: p, a: wg, lda: rows, transposeA: true,
                         b: dyGroup, ldb: cols, transposeB: false, m: rows, n: cols, k: og)
                } else {
                    gemm(c: dcol, ldc: cols, a: wg, lda: rows, transposeA: true,
                         b: dyGroup, ldb: cols, transposeB: false, m: rows, n: cols, k: og)
                    for b in 0..<nc {
                        col2im(image: dx + (n0 + b) * xImage, col: dcol + b * p, ldcol: cols,
                               channelOffset: group * g.inPerGroup, geometry: g)
                    }
                }
            }
        }
    }
    if let dw { addPartials(into: dw, partials: partials.value, count: reductions, size: weightCount) }
    if let db { addBiasGradient(into: db, dy: dy, geometry: g) }
}

/// dw += the `count` partial sums of `size` floats each, added in reduction order.
func addPartials(into dw: UnsafeMutablePointer<Float>, partials: UnsafePointer<Float>, count: Int, size: Int) {
    let dwPointer = UncheckedSendable(dw), source = UncheckedSendable(partials)
    Parallel.forEachBlock(size, blockSize: 4096) { range, _ in
        for r in 0..<count {
            let src = source.value + r * size
            for e in range { dwPointer.value[e] += src[e] }
        }
    }
}

/// The gradient of a convolution's output before the ReLU that `conv2dForward(relu: true)` applied:
/// rectified = dy where y > 0, else 0 (y is the rectified output, whose sign is the convolution's; NaN
/// passes dy, as the ReLU layer does), and, with `db`, db[o] += the sum of that over channel o, in the
/// same pass (the sums in `addBiasGradient`'s order, so the bits are the unfused layers').
func rectifyGradient(_ rectified: UnsafeMutablePointer<Float>, dy: UnsafePointer<Float>, y: UnsafePointer<Float>,
                     db: UnsafeMutablePointer<Float>?, geometry g: ConvGeometry) {
    let out = UncheckedSendable(rectified), o = g.outChannels, p = g.outPlane
    guard let db else {
        Parallel.forEachBlock(g.batch * o * p, blockSize: 1 << 15) { range, _ in
            vectorRectifiedGradient(out.value + range.lowerBound, dy + range.lowerBound, y + range.lowerBound, range.count)
        }
        return
    }
    let dbPointer = UncheckedSendable(db)
    Parallel.forEachBlock(o, blockSize: 8) { range, _ in
        for oc in range {
            var sum: Float = 0
            for n in 0..<g.batch {
                let offset = (n * o + oc) * p
                vectorRectifiedGradient(out.value + offset, dy + offset, y + offset, p)
                sum += vectorSum(out.value + offset, p)
            }
            dbPointer.value[oc] += sum
        }
    }
}

/// db[o] += the sum of dy over images and positions of channel o.
func addBiasGradient(into db: UnsafeMutablePointer<Float>, dy: UnsafePointer<Float>, geometry g: ConvGeometry) {
    let dbPointer = UncheckedSendable(db), o = g.outChannels, p = g.outPlane
    Parallel.forEachBlock(o, blockSize: 8) { range, _ in
        for oc in range {
            var sum: Float = 0
            for n in 0..<g.batch { sum += vectorSum(dy + (n * o + oc) * p, p) }
            dbPointer.value[oc] += sum
        }
    }
}

// MARK: - Slow twins

/// The obvious seven loops for `conv2dForward`, accumulating in Double.
public func naiveConv2dForward(y: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, w: UnsafePointer<Float>,
                               bias: UnsafePointer<Float>?, geometry g: ConvGeometry) {
    let oh = g.outHeight, ow = g.outWidth
    for n in 0..<g.batch {
        for oc in 0..<g.outChannels {
            let group = oc / g.outPerGroup
            for oy in 0..<oh {
                for ox in 0..<ow {
                    var sum = Double(bias?[oc] ?? 0)
                    for c in 0..<g.inPerGroup {
                        let ic = group * g.inPerGroup + c
                        for i in 0..<g.kernelHeight {
                            for j in 0..<g.kernelWidth {
                                let iy = oy * g.strideY - g.padTop + i * g.dilationY
                                let ix = ox * g.strideX - g.padLeft + j * g.dilationX
                                if iy < 0 || iy >= g.inHeight || ix < 0 || ix >= g.inWidth { continue }
                                let xv = x[((n * g.inChannels + ic) * g.inHeight + iy) * g.inWidth + ix]
                                let wv = w[((oc * g.inPerGroup + c) * g.kernelHeight + i) * g.kernelWidth + j]
                                sum += Double(xv) * Double(wv)
                            }
                        }
                    }
                    y[((n * g.outChannels + oc) * oh + oy) * ow + ox] = Float(sum)
                }
            }
        }
    }
}

/// The obvious loops for `conv2dBackward`: dx overwritten, dw and db accumulate.
public func naiveConv2dBackward(dx: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>, db: UnsafeMutablePointer<Float>?,
                                dy: UnsafePointer<Float>, x: UnsafePointer<Float>, w: UnsafePointer<Float>,
                                geometry g: ConvGeometry) {
    let oh = g.outHeight, ow = g.outWidth
    var dxAcc = [Double](repeating: 0, count: g.batch * g.inChannels * g.inPlane)
    var dwAcc = [Double](repeating: 0, count: g.weightCount)
    var dbAcc = [Double](repeating: 0, count: g.outChannels)
    for n in 0..<g.batch {
        for oc in 0..<g.outChannels {
            let group = oc / g.outPerGroup
            for oy in 0..<oh {
                for ox in 0..<ow {
                    let d = Double(dy[((n * g.outChannels + oc) * oh + oy) * ow + ox])
                    dbAcc[oc] += d
                    for c in 0..<g.inPerGroup {
                        let ic = group * g.inPerGroup + c
                        for i in 0..<g.kernelHeight {
                            for j in 0..<g.kernelWidth {
                                let iy = oy * g.strideY - g.padTop + i * g.dilationY
                                let ix = ox * g.strideX - g.padLeft + j * g.dilationX
                                if iy < 0 || iy >= g.inHeight || ix < 0 || ix >= g.inWidth { continue }
                                let xi = ((n * g.inChannels + ic) * g.inHeight + iy) * g.inWidth + ix
                                let wi = ((oc * g.inPerGroup + c) * g.kernelHeight + i) * g.kernelWidth + j
                                dwAcc[wi] += d * Double(x[xi])
                                dxAcc[xi] += d * Double(w[wi])
                            }
                        }
                    }
                }
            }
        }
    }
    if let dx { for i in dxAcc.indices { dx[i] = Float(dxAcc[i]) } }
    for i in dwAcc.indices { dw[i] += Float(dwAcc[i]) }
    if let db { for i in dbAcc.indices { db[i] += Float(dbAcc[i]) } }
}

