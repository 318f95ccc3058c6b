// Direct convolution kernels: see include/cnn_direct_conv.h. Register tiles of 4 output channels
// by up to 3 vectors of 8 outputs (forward), and up to 4 output channels by the kernel's width
// (weight gradient); sums are formed in a fixed order, so results do not depend on threads.
#include "cnn_direct_conv.h"
#include <string.h>

void cnn_direct_pad(float *dst, const float *src, int channels, int srcH, int srcW,
                    int top, int left, int Hp, int Wp) {
    int c0 = left < 0 ? -left : 0;                       // first source column that lands inside
    int c1 = srcW < Wp - left ? srcW : Wp - left;        // one past the last
    for (int c = 0; c < channels; c++) {
        for (int r = 0; r < Hp; r++) {
            float *row = dst + ((long)c * Hp + r) * Wp;
            int sr = r - top;
            if (sr < 0 || sr >= srcH || c1 <= c0) { memset(row, 0, sizeof(float) * (size_t)Wp); continue; }
            const float *s = src + ((long)c * srcH + sr) * srcW;
            if (left + c0 > 0) memset(row, 0, sizeof(float) * (size_t)(left + c0));
            memcpy(row + left + c0, s + c0, sizeof(float) * (size_t)(c1 - c0));
            if (left + c1 < Wp) memset(row + left + c1, 0, sizeof(float) * (size_t)(Wp - left - c1));
        }
    }
}

void cnn_direct_pack_weights(float *packed, const float *w, int O, int C, int kh, int kw, int transpose) {
    // Kernel view: out channels `ko`, in channels `kc`.
    int ko = transpose ? C : O, kc = transpose ? O : C;
    int blocks = (ko + 3) / 4;
    for (int b = 0; b < blocks; b++)
        for (int c = 0; c < kc; c++)
            for (int i = 0; i < kh; i++)
                for (int j = 0; j < kw; j++)
                    for (int k = 0; k < 4; k++) {
                        int o = b * 4 + k;
                        float v = 0;
                        if (o < ko) {
                            v = transpose ? w[(((long)c * C + o) * kh + (kh - 1 - i)) * kw + (kw - 1 - j)]
                                          : w[(((long)o * C + c) * kh + i) * kw + j];
                        }
                        packed[((((long)b * kc + c) * kh + i) * kw + j) * 4 + k] = v;
                    }
}

void cnn_direct_pack_phase_weights(float *packed, const float *w, int O, int C, int kh, int kw, int py, int px) {
    int ka = (kh - py + 1) / 2, kb = (kw - px + 1) / 2;
    // Kernel view: out channels C (blocks of 4), in channels O, taps a x b of the flipped sub-kernel.
    for (int blk = 0; blk < (C + 3) / 4; blk++)
        for (int o = 0; o < O; o++)
            for (int a = 0; a < ka; a++)
                for (int b = 0; b < kb; b++)
                    for (int k = 0; k < 4; k++) {
                        int c = blk * 4 + k;
                        int i = py + 2 * (ka - 1 - a), j = px + 2 * (kb - 1 - b);
                        packed[((((long)blk * O + o) * ka + a) * kb + b) * 4 + k] =
                            c < C ? w[(((long)o * C + c) * kh + i) * kw + j] : 0.0f;
                    }
}


#if defined(__x86_64__)
#include <immintrin.h>
// The stride-2 tap loop is unrolled where the tap count is a constant; clang says so where it is not.
#pragma clang diagnostic ignored "-Wpass-failed"
#define TARGET __attribute__((target("avx2,fma")))
#define INLINE static inline __attribute__((always_inline))

int cnn_direct_conv_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

TARGET INLINE __m256 lane_mask_ps(int n) {
    return _mm256_castsi256_ps(_mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)));
}

// One tile: 4 output channels x NV vectors of outputs. in[v]: offset of vector v's first input in a
// padded plane; out[v]: its first output in an output plane; count[v]: its valid outputs (1...8).
TARGET INLINE void forward_tile(const int NV, float *y, int oplane, int valid, const float *wblock,
                                const float *bias, const float *xp, int C, int Hp, int Wp, int kh, int kw,
                                const int *in, const int *out, const int *count) {
    __m256 acc[4][3];
    for (int k = 0; k < 4; k++) {
        __m256 b = _mm256_set1_ps(bias && k < valid ? bias[k] : 0.0f);
        for (int v = 0; v < NV; v++) acc[k][v] = b;
    }
    const float *wp = wblock;
    for (int c = 0; c < C; c++) {
        const float *plane = xp + (long)c * Hp * Wp;
        for (int i = 0; i < kh; i++) {
            const float *row = plane + i * Wp;
            for (int j = 0; j < kw; j++, wp += 4) {
                __m256 x[3];
                for (int v = 0; v < NV; v++) x[v] = _mm256_loadu_ps(row + in[v] + j);
                for (int k = 0; k < 4; k++) {
                    __m256 wk = _mm256_broadcast_ss(wp + k);
                    for (int v = 0; v < NV; v++) acc[k][v] = _mm256_fmadd_ps(wk, x[v], acc[k][v]);
                }
            }
        }
    }
    // Written out so that every index into `acc` is a constant: otherwise the compiler keeps the
    // accumulators in memory and stores them on every step.
#define STORE_CHANNEL(k)                                                                                  \
    if (valid > k) {                                                                                      \
        _Pragma("clang loop unroll(full)") for (int v = 0; v < NV; v++) {                                 \
            float *dst = y + (long)k * oplane + out[v];                                                   \
            if (count[v] == 8) _mm256_storeu_ps(dst, acc[k][v]);                                          \
            else _mm256_maskstore_ps(dst, _mm256_castps_si256(lane_mask_ps(count[v])), acc[k][v]);         \
        }                                                                                                 \
    }
    STORE_CHANNEL(0) STORE_CHANNEL(1) STORE_CHANNEL(2) STORE_CHANNEL(3)
#undef STORE_CHANNEL
}

TARGET static void forward_tile1(float *y, int op, int valid, const float *wb, const float *b, const float *xp,
                                 int C, int Hp, int Wp, int kh, int kw, const int *in, const int *out, const int *n) {
    forward_tile(1, y, op, valid, wb, b, xp, C, Hp, Wp, kh, kw, in, out, n);
}
TARGET static void forward_tile2(float *y, int op, int valid, const float *wb, const float *b, const float *xp,
                                 int C, int Hp, int Wp, int kh, int kw, const int *in, const int *out, const int *n) {
    forward_tile(2, y, op, valid, wb, b, xp, C, Hp, Wp, kh, kw, in, out, n);
}
TARGET static void forward_tile3(float *y, int op, int valid, const float *wb, const float *b, const float *xp,
                                 int C, int Hp, int Wp, int kh, int kw, const int *in, const int *out, const int *n) {
    forward_tile(3, y, op, valid, wb, b, xp, C, Hp, Wp, kh, kw, in, out, n);
}

#ifndef TILE_VECTORS
#define TILE_VECTORS 2
#endif
void cnn_direct_conv_forward(float *y, const float *xp, const float *packed, const float *bias,
                             int C, int Hp, int Wp, int O, int kh, int kw, int oh, int ow) {
    int perRow = (ow + 7) / 8, vectors = oh * perRow, oplane = oh * ow;
    long blockSize = (long)C * kh * kw * 4;
    for (int b = 0; b < (O + 3) / 4; b++) {
        int valid = O - b * 4 < 4 ? O - b * 4 : 4;
        const float *wb = packed + b * blockSize;
        const float *bb = bias ? bias + b * 4 : NULL;
        float *yb = y + (long)b * 4 * oplane;
        for (int v0 = 0; v0 < vectors; v0 += TILE_VECTORS) {
            int nv = vectors - v0 < TILE_VECTORS ? vectors - v0 : TILE_VECTORS;
            int in[3], out[3], count[3];
            for (int v = 0; v < nv; v++) {
                int oy = (v0 + v) / perRow, ox = (v0 + v) % perRow * 8;
                in[v] = oy * Wp + ox;
                out[v] = oy * ow + ox;
                count[v] = ow - ox < 8 ? ow - ox : 8;
            }
            if (nv == 3) forward_tile3(yb, oplane, valid, wb, bb, xp, C, Hp, Wp, kh, kw, in, out, count);
            else if (nv == 2) forward_tile2(yb, oplane, valid, wb, bb, xp, C, Hp, Wp, kh, kw, in, out, count);
            else forward_tile1(yb, oplane, valid, wb, bb, xp, C, Hp, Wp, kh, kw, in, out, count);
        }
    }
}

TARGET INLINE float horizontal_sum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
}

// One tile of the weight gradient: OB output channels x KW taps of kernel row i of input channel c,
// summed over `images` images in vector lanes, then added to dw.
TARGET INLINE void weight_tile(const int OB, const int KW, float *dw, const float *dyp, const float *xp,
                               int images, long dyImage, long xImage, int o0, int c, int i, int C, int Hp, int Wp, int kh, int oh, int ow) {
    __m256 acc[4][CNN_DIRECT_MAX_KERNEL_WIDTH];
    _Pragma("clang loop unroll(full)") for (int k = 0; k < OB; k++)
        _Pragma("clang loop unroll(full)") for (int j = 0; j < KW; j++) acc[k][j] = _mm256_setzero_ps();
    int stride = cnn_direct_gradient_stride(ow);
    long gplane = (long)oh * stride;
    for (int n = 0; n < images; n++) {
        // Pointers step row by row: small maps (one vector a row) pay no index arithmetic per vector.
        const float *xrow = xp + n * xImage + (long)c * Hp * Wp + (long)i * Wp;
        const float *grow = dyp + n * dyImage + (long)o0 * gplane;
        for (int oy = 0; oy < oh; oy++, xrow += Wp, grow += stride) {
            _Pragma("clang loop unroll(disable)") for (int q = 0; q < stride; q += 8) {
                __m256 g[4];
                _Pragma("clang loop unroll(full)") for (int k = 0; k < OB; k++) g[k] = _mm256_loadu_ps(grow + k * gplane + q);
                _Pragma("clang loop unroll(full)") for (int j = 0; j < KW; j++) {
                    __m256 x = _mm256_loadu_ps(xrow + q + j);
                    _Pragma("clang loop unroll(full)") for (int k = 0; k < OB; k++) acc[k][j] = _mm256_fmadd_ps(g[k], x, acc[k][j]);
                }
            }
        }
    }
    _Pragma("clang loop unroll(full)") for (int k = 0; k < OB; k++)
        _Pragma("clang loop unroll(full)") for (int j = 0; j < KW; j++)
            dw[(((long)(o0 + k) * C + c) * kh + i) * KW + j] += horizontal_sum(acc[k][j]);
}

// Tiles of OB output channels: 4 for kernels 1-2 wide, 3 for 3 (9 accumulators: enough independent
// sums to hide the FMA latency), 2 for 4-6, 1 for 7; at most 13 registers.
#define WEIGHT_KERNEL(OB, KW)                                                                            \
    TARGET static void weight_kernel_##KW(float *dw, const float *dyp, const float *xp, int images,        \
                                          long dyImage, long xImage, int C, int Hp, int Wp, int O, int kh,  \
                                          int oh, int ow) {                                                \
        for (int o0 = 0; o0 < O; o0 += OB) {                                                             \
            int valid = O - o0;                                                                          \
            for (int c = 0; c < C; c++)                                                                  \
                for (int i = 0; i < kh; i++) {                                                           \
                    if (valid >= OB) weight_tile(OB, KW, dw, dyp, xp, images, dyImage, xImage, o0, c, i, C, Hp, Wp, kh, oh, ow);   \
                    else for (int k = 0; k < valid; k++)                                                 \
                        weight_tile(1, KW, dw, dyp, xp, images, dyImage, xImage, o0 + k, c, i, C, Hp, Wp, kh, oh, ow);           \
                }                                                                                        \
        }                                                                                                \
    }
WEIGHT_KERNEL(4, 1)
WEIGHT_KERNEL(4, 2)
WEIGHT_KERNEL(3, 3)
WEIGHT_KERNEL(2, 4)
WEIGHT_KERNEL(2, 5)
WEIGHT_KERNEL(2, 6)
WEIGHT_KERNEL(1, 7)

void cnn_direct_conv_weight_gradient(float *dw, const float *dyp, const float *xp, int images, long dyImage,
                                     long xImage, int C, int Hp, int Wp, int O, int kh, int kw, int oh, int ow) {
    switch (kw) {
    case 1: weight_kernel_1(dw, dyp, xp, images, dyImage, xImage, C, Hp, Wp, O, kh, oh, ow); break;
    case 2: weight_kernel_2(dw, dyp, xp, images, dyImage, xImage, C, Hp, Wp, O, kh, oh, ow); break;
    case 3: weight_kernel_3(dw, dyp, xp, images, dyImage, xImage, C, Hp, Wp, O, kh, oh, ow); break;
    case 4: weight_kernel_4(dw, dyp, xp, images, dyImage, xImage, C, Hp, Wp, O, kh, oh, ow); break;
    case 5: weight_kernel_5(dw, dyp, xp, images, dyImage, xImage, C, Hp, Wp, O, kh, oh, ow); break;
    case 6: weight_kernel_6(dw, dyp, xp, images, dyImage, xImage, C, Hp, Wp, O, kh, oh, ow); break;
    case 7: weight_kernel_7(dw, dyp, xp, images, dyImage, xImage, C, Hp, Wp, O, kh, oh, ow); break;
    default: break;
    }
}

// Splits one source row into the even and odd columns of its padded form: e[q] = s[2q - left],
// o[q] = s[2q + 1 - left], 0 outside 0 ..< srcW; 16 source floats a step (loaded under masks at the
// edges), the last Wq % 8 one by one.
TARGET static void split_row(float *e, float *o, const float *s, int srcW, int left, int Wq) {
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    int q = 0;
    for (; q + 8 <= Wq; q += 8) {
        int k = 2 * q - left;
        __m256i ka = _mm256_add_epi32(_mm256_set1_epi32(k), lanes), kb = _mm256_add_epi32(ka, _mm256_set1_epi32(8));
        __m256i inA = _mm256_andnot_si256(_mm256_cmpgt_epi32(_mm256_setzero_si256(), ka), _mm256_cmpgt_epi32(_mm256_set1_epi32(srcW), ka));
        __m256i inB = _mm256_andnot_si256(_mm256_cmpgt_epi32(_mm256_setzero_si256(), kb), _mm256_cmpgt_epi32(_mm256_set1_epi32(srcW), kb));
        // Masked-off lanes are not read, so the addresses outside the row are never touched.
        __m256 a = _mm256_maskload_ps(s + k, inA), b = _mm256_maskload_ps(s + k + 8, inB);
        // Within each 128-bit half: even lanes of a then b, odd lanes of a then b; then the halves in order.
        __m256 ev = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0)), od = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1));
        ev = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(ev), _MM_SHUFFLE(3, 1, 2, 0)));
        od = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(od), _MM_SHUFFLE(3, 1, 2, 0)));
        _mm256_storeu_ps(e + q, ev);
        _mm256_storeu_ps(o + q, od);
    }
    for (; q < Wq; q++) {
        int k = 2 * q - left;
        e[q] = k >= 0 && k < srcW ? s[k] : 0.0f;
        o[q] = k + 1 >= 0 && k + 1 < srcW ? s[k + 1] : 0.0f;
    }
}

TARGET void cnn_direct_pad_phases(float *dst, const float *src, int channels, int srcH, int srcW,
                                  int top, int left, int Hq, int Wq) {
    long plane = (long)Hq * Wq;
    for (int c = 0; c < channels; c++)
        for (int py = 0; py < 2; py++) {
            float *even = dst + ((long)c * 4 + py * 2) * plane, *odd = even + plane;
            for (int r = 0; r < Hq; r++) {
                int sr = 2 * r + py - top;
                if (sr < 0 || sr >= srcH) {
                    memset(even + (long)r * Wq, 0, sizeof(float) * (size_t)Wq);
                    memset(odd + (long)r * Wq, 0, sizeof(float) * (size_t)Wq);
                } else {
                    split_row(even + (long)r * Wq, odd + (long)r * Wq, src + ((long)c * srcH + sr) * srcW, srcW, left, Wq);
                }
            }
        }
}

// Four dx values a step from each phase: unpack pairs them within 128-bit halves, permute orders the halves.
TARGET void cnn_direct_interleave_phases(float *dx, const float *a, const float *b, int C, int H, int W, int y0, int rows) {
    int na = (W + 1) / 2, nb = W / 2;
    for (int c = 0; c < C; c++)
        for (int u = 0; u < rows; u++) {
            float *row = dx + ((long)c * H + y0 + 2 * u) * W;
            const float *ra = a ? a + ((long)c * rows + u) * na : NULL, *rb = b ? b + ((long)c * rows + u) * nb : NULL;
            int v = 0;
            if (ra && rb)
                for (; v + 8 <= nb; v += 8) {
                    __m256 x = _mm256_loadu_ps(ra + v), y = _mm256_loadu_ps(rb + v);
                    __m256 lo = _mm256_unpacklo_ps(x, y), hi = _mm256_unpackhi_ps(x, y);
                    _mm256_storeu_ps(row + 2 * v, _mm256_permute2f128_ps(lo, hi, 0x20));
                    _mm256_storeu_ps(row + 2 * v + 8, _mm256_permute2f128_ps(lo, hi, 0x31));
                }
            for (; v < na; v++) {
                row[2 * v] = ra ? ra[v] : 0.0f;
                if (v < nb) row[2 * v + 1] = rb ? rb[v] : 0.0f;
            }
        }
}

// MARK: Stride 2

// One stride-2 tile: as forward_tile, but tap t of channel c reads at xq + c * cstride + off[t].
// TAPS: kh * kw when a compile-time constant (9: the tap loop unrolled), else 0 and `taps` is used.
TARGET INLINE void forward_s2_tile(const int NV, const int TAPS, float *y, int oplane, int valid, const float *wblock,
                                   const float *bias, const float *xq, int C, long cstride, int taps, const int *off,
                                   const int *in, const int *out, const int *count) {
    __m256 acc[4][3];
    for (int k = 0; k < 4; k++) {
        __m256 b = _mm256_set1_ps(bias && k < valid ? bias[k] : 0.0f);
        for (int v = 0; v < NV; v++) acc[k][v] = b;
    }
    const float *wp = wblock;
    for (int c = 0; c < C; c++) {
        const float *p = xq + (long)c * cstride;
        _Pragma("clang loop unroll(full)") for (int t = 0; t < (TAPS ? TAPS : taps); t++, wp += 4) {
            const float *src = p + off[t];
            __m256 x[3];
            for (int v = 0; v < NV; v++) x[v] = _mm256_loadu_ps(src + in[v]);
            for (int k = 0; k < 4; k++) {
                __m256 wk = _mm256_broadcast_ss(wp + k);
                for (int v = 0; v < NV; v++) acc[k][v] = _mm256_fmadd_ps(wk, x[v], acc[k][v]);
            }
        }
    }
#define STORE_CHANNEL(k)                                                                                  \
    if (valid > k) {                                                                                      \
        _Pragma("clang loop unroll(full)") for (int v = 0; v < NV; v++) {                                 \
            float *dst = y + (long)k * oplane + out[v];                                                   \
            if (count[v] == 8) _mm256_storeu_ps(dst, acc[k][v]);                                          \
            else _mm256_maskstore_ps(dst, _mm256_castps_si256(lane_mask_ps(count[v])), acc[k][v]);         \
        }                                                                                                 \
    }
    STORE_CHANNEL(0) STORE_CHANNEL(1) STORE_CHANNEL(2) STORE_CHANNEL(3)
#undef STORE_CHANNEL
}

#define FORWARD_S2_TILE(NV)                                                                               \
    TARGET static void forward_s2_tile##NV(float *y, int op, int valid, const float *wb, const float *b,  \
                                           const float *xq, int C, long cs, int taps, const int *off,     \
                                           const int *in, const int *out, const int *n) {                 \
        if (taps == 9) forward_s2_tile(NV, 9, y, op, valid, wb, b, xq, C, cs, taps, off, in, out, n);     \
        else forward_s2_tile(NV, 0, y, op, valid, wb, b, xq, C, cs, taps, off, in, out, n);               \
    }
FORWARD_S2_TILE(1)
FORWARD_S2_TILE(2)

void cnn_direct_conv_forward_s2(float *y, const float *xq, const float *packed, const float *bias,
                                int C, int Hq, int Wq, int O, int kh, int kw, int oh, int ow) {
    int off[CNN_DIRECT_MAX_KERNEL_WIDTH * CNN_DIRECT_MAX_KERNEL_WIDTH];
    cnn_direct_s2_tap_offsets(off, kh, kw, Hq, Wq);
    int perRow = (ow + 7) / 8, vectors = oh * perRow, oplane = oh * ow, taps = kh * kw;
    long blockSize = (long)C * taps * 4, cstride = 4L * Hq * Wq;
    for (int b = 0; b < (O + 3) / 4; b++) {
        int valid = O - b * 4 < 4 ? O - b * 4 : 4;
        const float *wb = packed + b * blockSize;
        const float *bb = bias ? bias + b * 4 : NULL;
        float *yb = y + (long)b * 4 * oplane;
        for (int v0 = 0; v0 < vectors; v0 += 2) {
            int nv = vectors - v0 < 2 ? vectors - v0 : 2;
            int in[2], out[2], count[2];
            for (int v = 0; v < nv; v++) {
                int oy = (v0 + v) / perRow, ox = (v0 + v) % perRow * 8;
                in[v] = oy * Wq + ox;
                out[v] = oy * ow + ox;
                count[v] = ow - ox < 8 ? ow - ox : 8;
            }
            if (nv == 2) forward_s2_tile2(yb, oplane, valid, wb, bb, xq, C, cstride, taps, off, in, out, count);
            else forward_s2_tile1(yb, oplane, valid, wb, bb, xq, C, cstride, taps, off, in, out, count);
        }
    }
}

// One stride-2 weight-gradient tile: as weight_tile, with tap j of kernel row i read at off[j].
TARGET INLINE void weight_s2_tile(const int OB, const int KW, float *dw, const float *dyp, const float *xq,
                                  int images, long dyImage, long xImage, int o0, int c, int i, int C, long cstride,
                                  int Wq, int kh, int oh, int ow, const int *off) {
    __m256 acc[4][CNN_DIRECT_MAX_KERNEL_WIDTH];
    _Pragma("clang loop unroll(full)") for (int k = 0; k < OB; k++)
        _Pragma("clang loop unroll(full)") for (int j = 0; j < KW; j++) acc[k][j] = _mm256_setzero_ps();
    int stride = cnn_direct_gradient_stride(ow);
    long gplane = (long)oh * stride;
    for (int n = 0; n < images; n++) {
        const float *xrow = xq + n * xImage + (long)c * cstride;
        const float *grow = dyp + n * dyImage + (long)o0 * gplane;
        for (int oy = 0; oy < oh; oy++, xrow += Wq, grow += stride) {
            _Pragma("clang loop unroll(disable)") for (int q = 0; q < stride; q += 8) {
                __m256 g[4];
                _Pragma("clang loop unroll(full)") for (int k = 0; k < OB; k++) g[k] = _mm256_loadu_ps(grow + k * gplane + q);
                _Pragma("clang loop unroll(full)") for (int j = 0; j < KW; j++) {
                    __m256 x = _mm256_loadu_ps(xrow + off[j] + q);
                    _Pragma("clang loop unroll(full)") for (int k = 0; k < OB; k++) acc[k][j] = _mm256_fmadd_ps(g[k], x, acc[k][j]);
                }
            }
        }
    }
    _Pragma("clang loop unroll(full)") for (int k = 0; k < OB; k++)
        _Pragma("clang loop unroll(full)") for (int j = 0; j < KW; j++)
            dw[(((long)(o0 + k) * C + c) * kh + i) * KW + j] += horizontal_sum(acc[k][j]);
}

#define WEIGHT_S2_KERNEL(OB, KW)                                                                         \
    TARGET static void weight_s2_kernel_##KW(float *dw, const float *dyp, const float *xq, int images,     \
                                             long dyImage, long xImage, int C, int Hq, int Wq, int O,      \
                                             int kh, int oh, int ow) {                                     \
        int off[CNN_DIRECT_MAX_KERNEL_WIDTH * CNN_DIRECT_MAX_KERNEL_WIDTH];                              \
        cnn_direct_s2_tap_offsets(off, kh, KW, Hq, Wq);                                                              \
        long cstride = 4L * Hq * Wq;                                                                     \
        for (int o0 = 0; o0 < O; o0 += OB) {                                                             \
            int valid = O - o0;                                                                          \
            for (int c = 0; c < C; c++)                                                                  \
                for (int i = 0; i < kh; i++) {                                                           \
                    const int *o = off + i * KW;                                                         \
                    if (valid >= OB) weight_s2_tile(OB, KW, dw, dyp, xq, images, dyImage, xImage, o0, c, i, C, cstride, Wq, kh, oh, ow, o); \
                    else for (int k = 0; k < valid; k++)                                                 \
                        weight_s2_tile(1, KW, dw, dyp, xq, images, dyImage, xImage, o0 + k, c, i, C, cstride, Wq, kh, oh, ow, o); \
                }                                                                                        \
        }                                                                                                \
    }
WEIGHT_S2_KERNEL(4, 1)
WEIGHT_S2_KERNEL(4, 2)
WEIGHT_S2_KERNEL(3, 3)
WEIGHT_S2_KERNEL(2, 4)
WEIGHT_S2_KERNEL(2, 5)
WEIGHT_S2_KERNEL(2, 6)
WEIGHT_S2_KERNEL(1, 7)

void cnn_direct_conv_weight_gradient_s2(float *dw, const float *dyp, const float *xq, int images, long dyImage,
                                        long xImage, int C, int Hq, int Wq, int O, int kh, int kw, int oh, int ow) {
    switch (kw) {
    case 1: weight_s2_kernel_1(dw, dyp, xq, images, dyImage, xImage, C, Hq, Wq, O, kh, oh, ow); break;
    case 2: weight_s2_kernel_2(dw, dyp, xq, images, dyImage, xImage, C, Hq, Wq, O, kh, oh, ow); break;
    case 3: weight_s2_kernel_3(dw, dyp, xq, images, dyImage, xImage, C, Hq, Wq, O, kh, oh, ow); break;
    case 4: weight_s2_kernel_4(dw, dyp, xq, images, dyImage, xImage, C, Hq, Wq, O, kh, oh, ow); break;
    case 5: weight_s2_kernel_5(dw, dyp, xq, images, dyImage, xImage, C, Hq, Wq, O, kh, oh, ow); break;
    case 6: weight_s2_kernel_6(dw, dyp, xq, images, dyImage, xImage, C, Hq, Wq, O, kh, oh, ow); break;
    case 7: weight_s2_kernel_7(dw, dyp, xq, images, dyImage, xImage, C, Hq, Wq, O, kh, oh, ow); break;
    default: break;
    }
}

#else

int cnn_direct_conv_available(void) { return 0; }
void cnn_direct_conv_forward(float *y, const float *xp, const float *packed, const float *bias,
                             int C, int Hp, int Wp, int O, int kh, int kw, int oh, int ow) {
    (void)y; (void)xp; (void)packed; (void)bias; (void)C; (void)Hp; (void)Wp; (void)O; (void)kh; (void)kw; (void)oh; (void)ow;
}
void cnn_direct_conv_weight_gradient(float *dw, const float *dyp, const float *xp, int images, long dyImage,
                                     long xImage, int C, int Hp, int Wp, int O, int kh, int kw, int oh, int ow) {
    (void)images; (void)dyImage; (void)xImage; (void)dw; (void)dyp; (void)xp; (void)C; (void)Hp; (void)Wp; (void)O; (void)kh; (void)kw; (void)oh; (void)ow;
}

void cnn_direct_conv_forward_s2(float *y, const float *xq, const float *packed, const float *bias,
                                int C, int Hq, int Wq, int O, int kh, int kw, int oh, int ow) {
    (void)y; (void)xq; (void)packed; (void)bias; (void)C; (void)Hq; (void)Wq; (void)O; (void)kh; (void)kw; (void)oh; (void)ow;
}
void cnn_direct_conv_weight_gradient_s2(float *dw, const float *dyp, const float *xq, int images, long dyImage,
                                        long xImage, int C, int Hq, int Wq, int O, int kh, int kw, int oh, int ow) {
    (void)dw; (void)dyp; (void)xq; (void)images; (void)dyImage; (void)xImage; (void)C; (void)Hq; (void)Wq; (void)O;
    (void)kh; (void)kw; (void)oh; (void)ow;
}

void cnn_direct_pad_phases(float *dst, const float *src, int channels, int srcH, int srcW,
                           int top, int left, int Hq, int Wq) {
    long plane = (long)Hq * Wq;
    // One padded source row at a time (2 * Wq wide), split into its even and odd columns: a copy and
    // a loop the compiler vectorises, instead of a strided gather per element.
    float padded[2 * 4096 + 2];
    if (Wq > 4096) return;  // not reached: the engine's maps are far smaller
    int c0 = left < 0 ? -left : 0;                               // first source column that lands inside
    int c1 = srcW < 2 * Wq - left ? srcW : 2 * Wq - left;        // one past the last
    for (int c = 0; c < channels; c++)
        for (int py = 0; py < 2; py++) {
            float *even = dst + ((long)c * 4 + py * 2) * plane, *odd = even + plane;
            for (int r = 0; r < Hq; r++) {
                int sr = 2 * r + py - top;
                if (sr < 0 || sr >= srcH || c1 <= c0) {
                    memset(even + (long)r * Wq, 0, sizeof(float) * (size_t)Wq);
                    memset(odd + (long)r * Wq, 0, sizeof(float) * (size_t)Wq);
                    continue;
                }
                const float *s = src + ((long)c * srcH + sr) * srcW;
                if (left + c0 > 0) memset(padded, 0, sizeof(float) * (size_t)(left + c0));
                memcpy(padded + left + c0, s + c0, sizeof(float) * (size_t)(c1 - c0));
                if (left + c1 < 2 * Wq) memset(padded + left + c1, 0, sizeof(float) * (size_t)(2 * Wq - left - c1));
                float *e = even + (long)r * Wq, *o = odd + (long)r * Wq;
                for (int q = 0; q < Wq; q++) {
                    e[q] = padded[2 * q];
                    o[q] = padded[2 * q + 1];
                }
            }
        }
}

void cnn_direct_interleave_phases(float *dx, const float *a, const float *b, int C, int H, int W, int y0, int rows) {
    int na = (W + 1) / 2, nb = W / 2;
    for (int c = 0; c < C; c++)
        for (int u = 0; u < rows; u++) {
            float *row = dx + ((long)c * H + y0 + 2 * u) * W;
            for (int v = 0; v < na; v++) {
                row[2 * v] = a ? a[((long)c * rows + u) * na + v] : 0.0f;
                if (v < nb) row[2 * v + 1] = b ? b[((long)c * rows + u) * nb + v] : 0.0f;
            }
        }
}

#endif
