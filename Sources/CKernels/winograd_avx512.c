// Winograd F(2x2, 3x3) input and output transforms on AVX-512: see include/cnn_winograd.h.
//
// The scalar transforms (winograd.c) walk one tile at a time and write each of its 16 values to a
// different matrix. These take 16 consecutive tiles t at once, one per lane: the 4x4 input patch of
// each tile is gathered straight from x (lanes outside the image masked to zero, so no padded copy),
// the same adds as the scalar code run on whole vectors, and each of the 16 results is one contiguous
// 16-float store into its matrix, V[xi][ch][t .. t + 15]. The output transform loads M the same way
// and scatters each tile's 2x2 outputs into y. Same operations in the same order as the scalar code,
// so the same bits.
#include "cnn_winograd.h"

#if defined(__x86_64__)
#include <immintrin.h>
#define TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq")))

// Per lane of a group of 16 tiles from tile t0: the offset of its image's plane 0 plus its top-left
// input position (2ty - 1, 2tx - 1), and which of its 4x4 patch (rows r, columns j) lie inside the image.
TARGET static void tile_lanes(int t0, int tiles, int th, int tw, int h, int w, long imageStride, __m512i *base,
                              __mmask16 inside[4][4], __mmask16 *live) {
    int offsets[16];
    unsigned in[4][4] = {{0}}, alive = 0;
    for (int l = 0; l < 16; l++) {
        int t = t0 + l;
        if (t >= tiles) { offsets[l] = 0; continue; }
        alive |= 1u << l;
        int b = t / (th * tw), ty = t / tw % th, tx = t % tw;
        int y0 = 2 * ty - 1, x0 = 2 * tx - 1;
        offsets[l] = (int)(b * imageStride) + y0 * w + x0;
        for (int r = 0; r < 4; r++)
            for (int j = 0; j < 4; j++)
                if (y0 + r >= 0 && y0 + r < h && x0 + j >= 0 && x0 + j < w) in[r][j] |= 1u << l;
    }
    *base = _mm512_loadu_si512(offsets);
    for (int r = 0; r < 4; r++)
        for (int j = 0; j < 4; j++) inside[r][j] = (__mmask16)in[r][j];
    *live = (__mmask16)alive;
}

TARGET void cnn_wino_input_avx512(float *v, long ldt, const float *x, int images, int c, int h, int w) {
    const int th = (h + 1) / 2, tw = (w + 1) / 2, tiles = images * th * tw;
    const long matrix = (long)c * ldt, plane = (long)h * w;
    for (int t0 = 0; t0 < tiles; t0 += 16) {
        __m512i base;
        __mmask16 inside[4][4], live;
        tile_lanes(t0, tiles, th, tw, h, w, (long)c * plane, &base, inside, &live);
        __m512i at[4][4];
        for (int r = 0; r < 4; r++)
            for (int j = 0; j < 4; j++) at[r][j] = _mm512_add_epi32(base, _mm512_set1_epi32(r * w + j));
        for (int ch = 0; ch < c; ch++) {
            const float *p = x + ch * plane;
            float *out = v + (long)ch * ldt + t0;
            __m512 d[4][4];
            for (int j = 0; j < 4; j++) {
                // t = B^T d column by column, as the scalar code.
                __m512 a = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), inside[0][j], at[0][j], p, 4);
                __m512 bb = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), inside[1][j], at[1][j], p, 4);
                __m512 cc = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), inside[2][j], at[2][j], p, 4);
                __m512 dd = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), inside[3][j], at[3][j], p, 4);
                d[0][j] = _mm512_sub_ps(a, cc);
                d[1][j] = _mm512_add_ps(bb, cc);
                d[2][j] = _mm512_sub_ps(cc, bb);
                d[3][j] = _mm512_sub_ps(bb, dd);
            }
            for (int i = 0; i < 4; i++) {
                _mm512_mask_storeu_ps(out + (4 * i + 0) * matrix, live, _mm512_sub_ps(d[i][0], d[i][2]));
                _mm512_mask_storeu_ps(out + (4 * i + 1) * matrix, live, _mm512_add_ps(d[i][1], d[i][2]));
                _mm512_mask_storeu_ps(out + (4 * i + 2) * matrix, live, _mm512_sub_ps(d[i][2], d[i][1]));
                _mm512_mask_storeu_ps(out + (4 * i + 3) * matrix, live, _mm512_sub_ps(d[i][1], d[i][3]));
            }
        }
    }
}

TARGET void cnn_wino_output_avx512(float *y, const float *m, long ldt, int images, int o, int h, int w, const float *bias) {
    const int th = (h + 1) / 2, tw = (w + 1) / 2, tiles = images * th * tw;
    const long matrix = (long)o * ldt, plane = (long)h * w;
    for (int t0 = 0; t0 < tiles; t0 += 16) {
        __m512i base;
        __mmask16 inside[4][4], live;
        // Output (2ty + r', 2tx + j') of a tile is patch position (r' + 1, j' + 1) of its input.
        tile_lanes(t0, tiles, th, tw, h, w, (long)o * plane, &base, inside, &live);
        __m512i at[2][2];
        __mmask16 put[2][2];
        for (int r = 0; r < 2; r++)
            for (int j = 0; j < 2; j++) {
                at[r][j] = _mm512_add_epi32(base, _mm512_set1_epi32((r + 1) * w + j + 1));
                put[r][j] = inside[r + 1][j + 1] & live;
            }
        for (int oc = 0; oc < o; oc++) {
            const float *in = m + (long)oc * ldt + t0;
            float *q = y + oc * plane;
            const __m512 add = _mm512_set1_ps(bias ? bias[oc] : 0.0f);
            __m512 s[4][2];
            for (int j = 0; j < 4; j++) {
                // t = A^T m column by column, as the scalar code.
                __m512 a = _mm512_maskz_loadu_ps(live, in + (0 + j) * matrix), bb = _mm512_maskz_loadu_ps(live, in + (4 + j) * matrix);
                __m512 cc = _mm512_maskz_loadu_ps(live, in + (8 + j) * matrix), dd = _mm512_maskz_loadu_ps(live, in + (12 + j) * matrix);
                s[j][0] = _mm512_add_ps(_mm512_add_ps(a, bb), cc);
                s[j][1] = _mm512_sub_ps(_mm512_sub_ps(bb, cc), dd);
            }
            for (int r = 0; r < 2; r++) {
                __m512 left = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(s[0][r], s[1][r]), s[2][r]), add);
                __m512 right = _mm512_add_ps(_mm512_sub_ps(_mm512_sub_ps(s[1][r], s[2][r]), s[3][r]), add);
                _mm512_mask_i32scatter_ps(q, put[r][0], at[r][0], left, 4);
                _mm512_mask_i32scatter_ps(q, put[r][1], at[r][1], right, 4);
            }
        }
    }
}

#else

void cnn_wino_input_avx512(float *v, long ldt, const float *x, int images, int c, int h, int w) {
    (void)v; (void)ldt; (void)x; (void)images; (void)c; (void)h; (void)w;
}
void cnn_wino_output_avx512(float *y, const float *m, long ldt, int images, int o, int h, int w, const float *bias) {
    (void)y; (void)m; (void)ldt; (void)images; (void)o; (void)h; (void)w; (void)bias;
}

#endif
