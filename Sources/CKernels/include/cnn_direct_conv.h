// Direct 2-D convolution kernels (stride 1 or 2, no dilation, one group) for few-channel layers,
// where im2col and the BLAS's packing cost as much as the multiply. x86-64 with AVX2 and FMA
// only, chosen at run time; elsewhere `cnn_direct_conv_available` is 0 and the engine keeps
// to im2col + GEMM. The Swift side (CNNEngine's Convolution.swift) owns batching and threads;
// these functions work on one image.
//
// Shape letters: C input channels, O output channels, kh x kw kernel, oh x ow output,
// Hp x Wp a zero-padded input plane (Hp = oh + kh - 1, Wp = cnn_direct_row_stride(ow, kw)).
#ifndef CNN_DIRECT_CONV_H
#define CNN_DIRECT_CONV_H

#ifdef __cplusplus
extern "C" {
#endif

/// 1 when this CPU runs the direct kernels (AVX2 and FMA), else 0.
int cnn_direct_conv_available(void);

/// The largest kernel width the weight-gradient kernel takes.
#define CNN_DIRECT_MAX_KERNEL_WIDTH 7

/// Row stride of a padded plane for `ow` outputs of a `kw`-wide kernel: whole 8-float vectors plus the kernel's reach.
static inline int cnn_direct_row_stride(int ow, int kw) { return (ow + 7) / 8 * 8 + kw - 1; }

/// Copies `channels` planes of `srcH` x `srcW` into `Hp` x `Wp` planes at row `top`, column `left`,
/// zero everywhere else.
void cnn_direct_pad(float *dst, const float *src, int channels, int srcH, int srcW,
                    int top, int left, int Hp, int Wp);

/// Floats `cnn_direct_pack_weights` writes: O rounded up to 4, times C * kh * kw.
static inline int cnn_direct_packed_count(int O, int C, int kh, int kw) { return (O + 3) / 4 * 4 * C * kh * kw; }

/// Reorders weights w[O][C][kh][kw] as [O/4][C][kh][kw][4] (missing output channels zero).
/// With `transpose`, packs the weights of the backward-data pass instead: the kernel flipped and
/// input and output channels swapped, so that dx = direct_forward(dy padded, packed).
void cnn_direct_pack_weights(float *packed, const float *w, int O, int C, int kh, int kw, int transpose);

/// y[O][oh][ow] = sum over c, i, j of w[o][c][i][j] * xp[c][oy + i][ox + j] (+ bias[o]) for one image.
/// xp: C padded planes (Hp x Wp); packed: from `cnn_direct_pack_weights`; bias may be NULL.
void cnn_direct_conv_forward(float *y, const float *xp, const float *packed, const float *bias,
                             int C, int Hp, int Wp, int O, int kh, int kw, int oh, int ow);

/// Row stride of a padded output-gradient plane: ow rounded up to whole vectors.
static inline int cnn_direct_gradient_stride(int ow) { return (ow + 7) / 8 * 8; }

/// dw[o][c][i][j] += the sum over images n and positions oy, ox of dyp[n][o][oy][ox] * xp[n][c][oy + i][ox + j].
/// Each register tile runs over all `images` in vector lanes before adding to dw, so small maps pay
/// few horizontal sums. dyp: per image (`dyImage` floats apart) O planes of oh x
/// `cnn_direct_gradient_stride(ow)`, zero past each row's ow values; xp: per image (`xImage` floats
/// apart) padded planes as for the forward pass. kw <= CNN_DIRECT_MAX_KERNEL_WIDTH.
void cnn_direct_conv_weight_gradient(float *dw, const float *dyp, const float *xp, int images, long dyImage,
                                     long xImage, int C, int Hp, int Wp, int O, int kh, int kw, int oh, int ow);

// MARK: AVX-512 (AVX-512 F/BW/VL/DQ; see direct_conv_avx512.c)
//
// The same passes on 16-lane vectors. Planes are read as flat arrays on a grid of rows
// Wp = cnn_direct512_row_stride(ow, kw) wide, so a vector may span rows: small maps (8x8) fill
// whole vectors. Every buffer of padded planes needs CNN_DIRECT512_SLACK readable floats after its
// last plane (read by lanes that are dropped).

/// Floats past the last padded plane that the AVX-512 kernels may read (and drop).
#define CNN_DIRECT512_SLACK 32

/// Row stride of an AVX-512 padded plane: the outputs' width plus the kernel's reach.
static inline int cnn_direct512_row_stride(int ow, int kw) { return ow + kw - 1; }

/// `cnn_direct_pad` on AVX-512 (masked whole-vector loads and stores, no call per row): the same
/// values, written only inside the Hp x Wp planes. The AVX-512 path pads with it.
void cnn_direct512_pad(float *dst, const float *src, int channels, int srcH, int srcW,
                       int top, int left, int Hp, int Wp);

/// `cnn_direct_conv_forward` on the AVX-512 grid: xp holds C planes of Hp x Wp with
/// Wp = cnn_direct512_row_stride(ow, kw); y is dense [O][oh][ow]. Where ow is a multiple of 16, the
/// outputs are taken row by row instead (every lane an output, no lane dropped).
void cnn_direct512_conv_forward(float *y, const float *xp, const float *packed, const float *bias,
                                int C, int Hp, int Wp, int O, int kh, int kw, int oh, int ow);

/// Row stride of the output gradient the AVX-512 weight kernel reads: ow itself where it is a multiple
/// of 16 (rows of whole vectors: dy as it is, unpadded), else the padded input's (the flat grid).
static inline int cnn_direct512_gradient_stride(int ow, int kw) { return ow % 16 == 0 ? ow : cnn_direct512_row_stride(ow, kw); }

/// `cnn_direct_conv_weight_gradient` on the AVX-512 grid: dyp per image O planes of oh x
/// cnn_direct512_gradient_stride(ow, kw) (zero past each row's ow values, packed end to end), xp per
/// image C padded planes of Hp x Wp.
void cnn_direct512_conv_weight_gradient(float *dw, const float *dyp, const float *xp, int images, long dyImage,
                                        long xImage, int C, int Hp, int Wp, int O, int kh, int kw, int oh, int ow);

// MARK: Stride 2 (both ISAs)
//
// A stride-2 layer reads its padded input as four phase planes, one for each parity of row and
// column: phase (py, px) holds xpad[2r + py][2s + px] at (r, s). Tap (i, j) of output (oy, ox) is then
// phase (i % 2, j % 2) at (oy + i / 2, ox + j / 2): a stride-1 read, so the forward and weight kernels
// keep whole-vector loads, with one offset per tap. The input gradient is four stride-1 convolutions
// (one per phase of dx, each with the taps of that parity) by the forward kernels above.

/// Offsets of each tap (i, j) of a kh x kw kernel in a channel's four phase planes of Hq x Wq:
/// phase (i % 2, j % 2), row i / 2, column j / 2 (one offset per tap, for both instruction sets).
static inline void cnn_direct_s2_tap_offsets(int *off, int kh, int kw, int Hq, int Wq) {
    long plane = (long)Hq * Wq;
    for (int i = 0; i < kh; i++)
        for (int j = 0; j < kw; j++)
            off[i * kw + j] = (int)(((i & 1) * 2 + (j & 1)) * plane + (i >> 1) * Wq + (j >> 1));
}

/// Rows of a stride-2 phase plane for `oh` outputs of a `kh`-tall kernel.
static inline int cnn_direct_s2_phase_height(int oh, int kh) { return oh + (kh - 1) / 2; }
/// AVX2 row stride of a phase plane: whole 8-float vectors of outputs plus the kernel's reach.
static inline int cnn_direct_s2_row_stride(int ow, int kw) { return (ow + 7) / 8 * 8 + (kw - 1) / 2; }
/// AVX-512 row stride of a phase plane (the flat grid): the outputs' width plus the kernel's reach.
static inline int cnn_direct512_s2_row_stride(int ow, int kw) { return ow + (kw - 1) / 2; }

/// Splits `channels` planes of srcH x srcW, zero-padded by `top` rows and `left` columns, into their
/// stride-2 phases: dst[c][py * 2 + px][r][s] = src[c][2r + py - top][2s + px - left], 0 outside;
/// each phase plane Hq x Wq.
void cnn_direct_pad_phases(float *dst, const float *src, int channels, int srcH, int srcW,
                           int top, int left, int Hq, int Wq);

/// `cnn_direct_pad_phases` on AVX-512 (two masked loads and two permutes for 16 columns of each
/// phase): the same values, written only inside the phase planes.
void cnn_direct512_pad_phases(float *dst, const float *src, int channels, int srcH, int srcW,
                              int top, int left, int Hq, int Wq);

/// Packs the backward-data weights of one phase (py, px) of a stride-2 layer, as
/// `cnn_direct_pack_weights(transpose: 1)` would for the sub-kernel of taps (py + 2a, px + 2b):
/// flipped, channels swapped. Its size is ka x kb, ka = (kh - py + 1) / 2, kb = (kw - px + 1) / 2.
void cnn_direct_pack_phase_weights(float *packed, const float *w, int O, int C, int kh, int kw, int py, int px);

/// Puts the input gradient of two phases of one row parity in place: dx[c][y0 + 2u][2v] = a[c][u][v] and
/// dx[c][y0 + 2u][2v + 1] = b[c][u][v] for u < rows (a: (W + 1) / 2 values a row, b: W / 2). A NULL phase
/// (no taps of its parity) gives zeros.
void cnn_direct_interleave_phases(float *dx, const float *a, const float *b, int C, int H, int W, int y0, int rows);

/// y[O][oh][ow] = sum over c, i, j of w[o][c][i][j] * xpad[c][2oy + i][2ox + j] (+ bias[o]) for one image
/// (AVX2). xq: C groups of four phase planes from `cnn_direct_pad_phases`, Wq = cnn_direct_s2_row_stride.
void cnn_direct_conv_forward_s2(float *y, const float *xq, const float *packed, const float *bias,
                                int C, int Hq, int Wq, int O, int kh, int kw, int oh, int ow);
/// The same on the AVX-512 flat grid, Wq = cnn_direct512_s2_row_stride; needs CNN_DIRECT512_SLACK.
void cnn_direct512_conv_forward_s2(float *y, const float *xq, const float *packed, const float *bias,
                                   int C, int Hq, int Wq, int O, int kh, int kw, int oh, int ow);

/// dw[o][c][i][j] += the sum over images and outputs of dy[o][oy][ox] * xpad[c][2oy + i][2ox + j] (AVX2).
/// dyp: per image O planes of oh x cnn_direct_gradient_stride(ow), zero past ow; xq: per image phase planes.
void cnn_direct_conv_weight_gradient_s2(float *dw, const float *dyp, const float *xq, int images, long dyImage,
                                        long xImage, int C, int Hq, int Wq, int O, int kh, int kw, int oh, int ow);
/// The same on the AVX-512 grid: dyp per image O planes of oh x cnn_direct512_s2_gradient_stride(ow, kw)
/// (zero past each row's ow values). The forward kernel, like the stride-1 one, takes rows of whole
/// vectors row by row.
static inline int cnn_direct512_s2_gradient_stride(int ow, int kw) { return ow % 16 == 0 ? ow : cnn_direct512_s2_row_stride(ow, kw); }
void cnn_direct512_conv_weight_gradient_s2(float *dw, const float *dyp, const float *xq, int images, long dyImage,
                                           long xImage, int C, int Hq, int Wq, int O, int kh, int kw, int oh, int ow);

#ifdef __cplusplus
}
#endif
#endif
