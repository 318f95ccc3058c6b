// Winograd F(2x2, 3x3) transforms (Lavin and Gray 2016) for 3x3, stride-1 convolutions padded by 1 on
// every side: each 2x2 block of outputs ("tile") costs 16 multiplies per input channel instead of 36.
// The convolution is then 16 matrix products, one per position xi of the 4x4 transformed tile:
//   M[xi] (O x T) = U[xi] (O x C) x V[xi] (C x T),   T = the tiles of a chunk of images,
// done by the engine's GEMM (Winograd.swift), between the transforms below:
//   U = G g G^T (weights), V = B^T d B (4x4 input tiles, overlapping by 2), y = A^T m A (2x2 outputs).
// The naive twin is the direct definition of the convolution (naiveConv2dForward / naiveConv2dBackward).
#ifndef CNN_WINOGRAD_H
#define CNN_WINOGRAD_H

#ifdef __cplusplus
extern "C" {
#endif

/// U[xi][r][s] for rows r in [row_begin, row_end) of the 16 (rows x cols) matrices `u`.
/// Forward (flip_transpose 0): rows = o, cols = c, from w [o][c][3][3].
/// Input gradient (flip_transpose 1): rows = c, cols = o, from w [o][c][3][3] rotated by 180 degrees
/// (the input gradient of a padded-by-1 3x3 convolution is one with the kernel rotated, channels swapped).
void cnn_wino_weights(float *u, const float *w, int o, int c, int flip_transpose, int row_begin, int row_end);

/// The 2x2-tile grid of an h x w map: th = ceil(h / 2) rows of tw = ceil(w / 2) tiles.
/// V[xi][ch][t], t = (b * th + ty) * tw + tx, for `images` images x [images][c][h][w]; `ldt` is the
/// row length of V (at least images * th * tw); `pad` holds (2 th + 2) x (2 tw + 2) floats.
void cnn_wino_input(float *v, long ldt, const float *x, int images, int c, int h, int w, float *pad);

/// y [images][o][h][w] = A^T m A + bias (bias may be NULL) from M[xi][o][t]; `tile` holds 2 th x 2 tw floats.
void cnn_wino_output(float *y, const float *m, long ldt, int images, int o, int h, int w, const float *bias,
                     float *tile);

/// `cnn_wino_input` on AVX-512 (16 tiles at a time, the patches gathered from x under masks: no padded
/// copy): the same values, bit for bit. Needs AVX-512 F.
void cnn_wino_input_avx512(float *v, long ldt, const float *x, int images, int c, int h, int w);

/// `cnn_wino_output` on AVX-512 (16 tiles at a time, each tile's outputs scattered into y): the same
/// values, bit for bit. Needs AVX-512 F.
void cnn_wino_output_avx512(float *y, const float *m, long ldt, int images, int o, int h, int w, const float *bias);

#ifdef __cplusplus
}
#endif
#endif
