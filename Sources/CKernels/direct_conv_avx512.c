// AVX-512 direct convolution kernels: see include/cnn_direct_conv.h.
//
// Unlike the AVX2 kernels, which vectorise along one output row (a 16-lane vector would be half
// empty on ResNet-20's 8x8 maps), these run over the padded plane read as one flat array: with
// rows of Wp = ow + kw - 1, the input of output (oy, ox) for tap (i, j) sits at
// (oy + i) * Wp + ox + j, so 16 consecutive grid positions q read 16 consecutive inputs q + i*Wp + j.
// Lanes that fall on the kw - 1 extra columns of a row are computed and dropped: a compress
// packs each vector's valid lanes, which are consecutive in the dense output. Where the outputs'
// rows are whole vectors (ow a multiple of 16: ResNet's 32x32 and 16x16 maps) the same tiles take
// the vectors row by row instead, so no lane is dropped, and the weight gradient reads dy unpadded.
#include "cnn_direct_conv.h"

#if defined(__x86_64__)
#include <immintrin.h>
// The tap loop is unrolled where the kernel width is a constant; clang says so where it is not.
#pragma clang diagnostic ignored "-Wpass-failed"
#define TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,bmi2,popcnt")))
#define INLINE static inline __attribute__((always_inline))
#define MAX_NV 6

// Per vector v of a tile: `in[v]` its first grid position, `mask[v]` its lanes on valid outputs,
// `out[v]` the dense output index of its first valid lane. KW: the kernel width when it is a
// compile-time constant (3 and 5: the loop over a row's taps unrolled), else 0 and `kw` is used.
TARGET INLINE void forward_tile(const int NV, const int KW, float *y, int oplane, int valid, const float *wblock,
                                const float *bias, const float *xp, int C, long plane, int Wp, int kh, int kw,
                                const int *in, const __mmask16 *mask, const int *out) {
    __m512 acc[4][MAX_NV];
    _Pragma("clang loop unroll(full)") for (int k = 0; k < 4; k++) {
        __m512 b = _mm512_set1_ps(bias && k < valid ? bias[k] : 0.0f);
        _Pragma("clang loop unroll(full)") for (int v = 0; v < NV; v++) acc[k][v] = b;
    }
    const float *wp = wblock;
    for (int c = 0; c < C; c++) {
        const float *p = xp + (long)c * plane;
        for (int i = 0; i < kh; i++) {
            const float *row = p + i * Wp;
            _Pragma("clang loop unroll(full)") for (int j = 0; j < (KW ? KW : kw); j++, wp += 4) {
                __m512 x[MAX_NV];
                _Pragma("clang loop unroll(full)") for (int v = 0; v < NV; v++) x[v] = _mm512_loadu_ps(row + in[v] + j);
                _Pragma("clang loop unroll(full)") for (int k = 0; k < 4; k++) {
                    __m512 wk = _mm512_set1_ps(wp[k]);
                    _Pragma("clang loop unroll(full)") for (int v = 0; v < NV; v++) acc[k][v] = _mm512_fmadd_ps(wk, x[v], acc[k][v]);
                }
            }
        }
    }
    // Every index into `acc` a constant, so the accumulators stay in registers.
#define STORE_CHANNEL(k)                                                                                  \
    if (valid > k) {                                                                                      \
        _Pragma("clang loop unroll(full)") for (int v = 0; v < NV; v++) {                                 \
            float *dst = y + (long)k * oplane + out[v];                                                   \
            if (mask[v] == 0xFFFF) _mm512_storeu_ps(dst, acc[k][v]);                                      \
            else _mm512_mask_storeu_ps(dst, (__mmask16)_bzhi_u32(0xFFFF, (unsigned)_mm_popcnt_u32(mask[v])), \
                                       _mm512_maskz_compress_ps(mask[v], acc[k][v]));                    \
        }                                                                                                 \
    }
    STORE_CHANNEL(0) STORE_CHANNEL(1) STORE_CHANNEL(2) STORE_CHANNEL(3)
#undef STORE_CHANNEL
}

#define FORWARD_TILE(NV)                                                                                  \
    TARGET static void forward_tile##NV(float *y, int op, int valid, const float *wb, const float *b,     \
                                        const float *xp, int C, long plane, int Wp, int kh, int kw,       \
                                        const int *in, const __mmask16 *mask, const int *out) {           \
        if (kw == 3) forward_tile(NV, 3, y, op, valid, wb, b, xp, C, plane, Wp, kh, kw, in, mask, out);    \
        else if (kw == 5) forward_tile(NV, 5, y, op, valid, wb, b, xp, C, plane, Wp, kh, kw, in, mask, out); \
        else forward_tile(NV, 0, y, op, valid, wb, b, xp, C, plane, Wp, kh, kw, in, mask, out);           \
    }
FORWARD_TILE(1)
FORWARD_TILE(2)
FORWARD_TILE(3)
FORWARD_TILE(4)
FORWARD_TILE(5)
FORWARD_TILE(6)

// The output vectors of a forward pass on a grid of rows Wg wide: rows of whole vectors (ow a
// multiple of 16) are taken row by row, every lane an output; other widths run over the flat grid,
// dropping the lanes on the extra columns. `vector_count` says how many; `describe_vectors` gives
// vectors v0 ..< v0 + nv their first grid position, their lanes on outputs and their first output.
static int vector_count(int oh, int ow, int Wg) { return ow % 16 == 0 ? oh * (ow / 16) : (oh * Wg + 15) / 16; }

static void describe_vectors(int v0, int nv, int oh, int ow, int Wg, int *in, __mmask16 *mask, int *out) {
    int rowVectors = ow % 16 == 0 ? ow / 16 : 0, grid = oh * Wg;
    for (int v = 0; v < nv; v++) {
        if (rowVectors) {
            int oy = (v0 + v) / rowVectors, ox = (v0 + v) % rowVectors * 16;
            in[v] = oy * Wg + ox;
            out[v] = oy * ow + ox;
            mask[v] = (__mmask16)0xFFFF;
            continue;
        }
        int q0 = (v0 + v) * 16;
        in[v] = q0;
        out[v] = q0 / Wg * ow + (q0 % Wg < ow ? q0 % Wg : ow);
        unsigned m = 0;
        for (int l = 0; l < 16; l++) {
            int q = q0 + l;
            if (q < grid && q % Wg < ow) m |= 1u << l;
        }
        mask[v] = (__mmask16)m;
    }
}

TARGET void cnn_direct512_conv_forward(float *y, const float *xp, const float *packed, const float *bias,
                                       int C, int Hp, int Wp, int O, int kh, int kw, int oh, int ow) {
    int vectors = vector_count(oh, ow, Wp), oplane = oh * ow;
    long blockSize = (long)C * kh * kw * 4, plane = (long)Hp * Wp;
    // Vectors split into tiles of near-equal size (at most MAX_NV): no small, latency-bound last tile.
    int tiles = (vectors + MAX_NV - 1) / MAX_NV, base = vectors / tiles, extra = vectors % tiles;
    for (int t = 0, v0 = 0; t < tiles; t++) {
        int nv = base + (t < extra ? 1 : 0);
        int in[MAX_NV], out[MAX_NV];
        __mmask16 mask[MAX_NV];
        describe_vectors(v0, nv, oh, ow, Wp, in, mask, out);
        // All output channels for one group of vectors: its inputs stay in L1 across the channel blocks.
        for (int b = 0; b < (O + 3) / 4; b++) {
            int valid = O - b * 4 < 4 ? O - b * 4 : 4;
            const float *wb = packed + b * blockSize;
            const float *bb = bias ? bias + b * 4 : NULL;
            float *yb = y + (long)b * 4 * oplane;
            switch (nv) {
            case 6: forward_tile6(yb, oplane, valid, wb, bb, xp, C, plane, Wp, kh, kw, in, mask, out); break;
            case 5: forward_tile5(yb, oplane, valid, wb, bb, xp, C, plane, Wp, kh, kw, in, mask, out); break;
            case 4: forward_tile4(yb, oplane, valid, wb, bb, xp, C, plane, Wp, kh, kw, in, mask, out); break;
            case 3: forward_tile3(yb, oplane, valid, wb, bb, xp, C, plane, Wp, kh, kw, in, mask, out); break;
            case 2: forward_tile2(yb, oplane, valid, wb, bb, xp, C, plane, Wp, kh, kw, in, mask, out); break;
            default: forward_tile1(yb, oplane, valid, wb, bb, xp, C, plane, Wp, kh, kw, in, mask, out); break;
            }
        }
        v0 += nv;
    }
}

// One tile of the weight gradient: OB output channels x KW taps of kernel row i of input channel c,
// summed over `images` images in vector lanes, then added to dw. Channel c's input starts cstride
// floats after channel c - 1's; tap j of the row reads it at off[j] (stride 1: i * Wg + j in the padded
// plane; stride 2: its phase plane's offset). The grid's rows are Wg wide. With `rowVectors` (ow = 16 *
// rowVectors), output gradients are dense planes of oh x ow, taken row by row; else dense planes of
// oh x Wg (zero on the extra columns), taken as one flat grid whose last vector is loaded under a mask.
TARGET INLINE void weight_tile(const int OB, const int KW, float *dw, const float *dyp, const float *xp,
                               int images, long dyImage, long xImage, int o0, int c, int i, int C, long cstride,
                               int Wg, int kh, int oh, const int *off, int rowVectors) {
    __m512 acc[8][CNN_DIRECT_MAX_KERNEL_WIDTH];
    _Pragma("clang loop unroll(full)") for (int k = 0; k < OB; k++)
        _Pragma("clang loop unroll(full)") for (int j = 0; j < KW; j++) acc[k][j] = _mm512_setzero_ps();
#define WEIGHT_STEP(gAt, xAt, LOAD)                                                                       \
    {                                                                                                     \
        __m512 gv[8];                                                                                     \
        _Pragma("clang loop unroll(full)") for (int k = 0; k < OB; k++) gv[k] = LOAD(g + k * gplane + (gAt)); \
        _Pragma("clang loop unroll(full)") for (int j = 0; j < KW; j++) {                                 \
            __m512 xv = LOAD(x + off[j] + (xAt));                                                         \
            _Pragma("clang loop unroll(full)") for (int k = 0; k < OB; k++) acc[k][j] = _mm512_fmadd_ps(gv[k], xv, acc[k][j]); \
        }                                                                                                 \
    }
#define LOAD_FULL(address) _mm512_loadu_ps(address)
#define LOAD_TAIL(address) _mm512_maskz_loadu_ps(tail, address)
    if (rowVectors) {
        int ow = 16 * rowVectors;
        long gplane = (long)oh * ow;
        for (int n = 0; n < images; n++) {
            const float *x = xp + n * xImage + (long)c * cstride;
            const float *g = dyp + n * dyImage + (long)o0 * gplane;
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox += 16) WEIGHT_STEP(oy * ow + ox, oy * Wg + ox, LOAD_FULL)
        }
    } else {
        long gplane = (long)oh * Wg;
        int full = (int)(gplane / 16) * 16;
        __mmask16 tail = (__mmask16)((1u << (gplane - full)) - 1);
        for (int n = 0; n < images; n++) {
            const float *x = xp + n * xImage + (long)c * cstride;
            const float *g = dyp + n * dyImage + (long)o0 * gplane;
            for (int q = 0; q < full; q += 16) WEIGHT_STEP(q, q, LOAD_FULL)
            if (tail) WEIGHT_STEP(full, full, LOAD_TAIL)
        }
    }
#undef LOAD_FULL
#undef LOAD_TAIL
#undef WEIGHT_STEP
    _Pragma("clang loop unroll(full)") for (int k = 0; k < OB; k++)
        _Pragma("clang loop unroll(full)") for (int j = 0; j < KW; j++)
            dw[(((long)(o0 + k) * C + c) * kh + i) * KW + j] += _mm512_reduce_add_ps(acc[k][j]);
}

// OB output channels a tile next to OB * KW accumulators (at least 8 independent sums, to hide the
// FMA latency, within 32 registers); 4 for 3-5 wide kernels, which divides 16, 32 and 64 channels.
// The last, narrower tile of a layer whose channel count OB does not divide keeps the same order
// of sums, one accumulator per weight. Stride 1 reads padded planes of Hg x Wg, stride 2 four phase
// planes of Hg x Wg a channel.
#define WEIGHT_KERNEL(OB, KW)                                                                            \
    TARGET static void weight_kernel_##KW(float *dw, const float *dyp, const float *xp, int images,        \
                                          long dyImage, long xImage, int C, int Hg, int Wg, int O, int kh,  \
                                          int oh, int ow, int stride2) {                                   \
        int off[CNN_DIRECT_MAX_KERNEL_WIDTH * CNN_DIRECT_MAX_KERNEL_WIDTH];                              \
        if (stride2) cnn_direct_s2_tap_offsets(off, kh, KW, Hg, Wg);                                     \
        else for (int t = 0; t < kh * KW; t++) off[t] = t / KW * Wg + t % KW;                            \
        long cs = (stride2 ? 4L : 1L) * Hg * Wg;                                                         \
        int rowVectors = ow % 16 == 0 ? ow / 16 : 0;                                                     \
        for (int o0 = 0; o0 < O; o0 += OB) {                                                             \
            int valid = O - o0 < OB ? O - o0 : OB;                                                       \
            for (int c = 0; c < C; c++)                                                                  \
                for (int i = 0; i < kh; i++) {                                                           \
                    const int *of = off + i * KW;                                                        \
                    if (valid == OB) weight_tile(OB, KW, dw, dyp, xp, images, dyImage, xImage, o0, c, i, C, cs, Wg, kh, oh, of, rowVectors); \
                    else switch (valid) {                                                                \
                    case 7: weight_tile(7 < OB ? 7 : 1, KW, dw, dyp, xp, images, dyImage, xImage, o0, c, i, C, cs, Wg, kh, oh, of, rowVectors); break; \
                    case 6: weight_tile(6 < OB ? 6 : 1, KW, dw, dyp, xp, images, dyImage, xImage, o0, c, i, C, cs, Wg, kh, oh, of, rowVectors); break; \
                    case 5: weight_tile(5 < OB ? 5 : 1, KW, dw, dyp, xp, images, dyImage, xImage, o0, c, i, C, cs, Wg, kh, oh, of, rowVectors); break; \
                    case 4: weight_tile(4 < OB ? 4 : 1, KW, dw, dyp, xp, images, dyImage, xImage, o0, c, i, C, cs, Wg, kh, oh, of, rowVectors); break; \
                    case 3: weight_tile(3 < OB ? 3 : 1, KW, dw, dyp, xp, images, dyImage, xImage, o0, c, i, C, cs, Wg, kh, oh, of, rowVectors); break; \
                    case 2: weight_tile(2 < OB ? 2 : 1, KW, dw, dyp, xp, images, dyImage, xImage, o0, c, i, C, cs, Wg, kh, oh, of, rowVectors); break; \
                    default: weight_tile(1, KW, dw, dyp, xp, images, dyImage, xImage, o0, c, i, C, cs, Wg, kh, oh, of, rowVectors); break; \
                    }                                                                                    \
                }                                                                                        \
        }                                                                                                \
    }
WEIGHT_KERNEL(8, 1)
WEIGHT_KERNEL(8, 2)
WEIGHT_KERNEL(4, 3)
WEIGHT_KERNEL(4, 4)
WEIGHT_KERNEL(4, 5)
WEIGHT_KERNEL(3, 6)
WEIGHT_KERNEL(3, 7)

// Both strides' weight gradients: the kernel compiled for this width.
static void weight_gradient(float *dw, const float *dyp, const float *xp, int images, long dyImage, long xImage,
                            int C, int Hg, int Wg, int O, int kh, int kw, int oh, int ow, int stride2) {
    switch (kw) {
    case 1: weight_kernel_1(dw, dyp, xp, images, dyImage, xImage, C, Hg, Wg, O, kh, oh, ow, stride2); break;
    case 2: weight_kernel_2(dw, dyp, xp, images, dyImage, xImage, C, Hg, Wg, O, kh, oh, ow, stride2); break;
    case 3: weight_kernel_3(dw, dyp, xp, images, dyImage, xImage, C, Hg, Wg, O, kh, oh, ow, stride2); break;
    case 4: weight_kernel_4(dw, dyp, xp, images, dyImage, xImage, C, Hg, Wg, O, kh, oh, ow, stride2); break;
    case 5: weight_kernel_5(dw, dyp, xp, images, dyImage, xImage, C, Hg, Wg, O, kh, oh, ow, stride2); break;
    case 6: weight_kernel_6(dw, dyp, xp, images, dyImage, xImage, C, Hg, Wg, O, kh, oh, ow, stride2); break;
    case 7: weight_kernel_7(dw, dyp, xp, images, dyImage, xImage, C, Hg, Wg, O, kh, oh, ow, stride2); break;
    default: break;
    }
}

void cnn_direct512_conv_weight_gradient(float *dw, const float *dyp, const float *xp, int images, long dyImage,
                                        long xImage, int C, int Hp, int Wp, int O, int kh, int kw, int oh, int ow) {
    weight_gradient(dw, dyp, xp, images, dyImage, xImage, C, Hp, Wp, O, kh, kw, oh, ow, 0);
}

// MARK: Padding (see include/cnn_direct_conv.h)

// Each row is whole vectors loaded under a mask (lanes outside the source row are not read, so no
// address outside it is touched) and stored under a mask (lanes past the row's end are not written).
// The masks depend only on the column, so they are formed once a call.
#define PAD_MAX_VECTORS 64

TARGET void cnn_direct512_pad(float *dst, const float *src, int channels, int srcH, int srcW,
                              int top, int left, int Hp, int Wp) {
    int nv = (Wp + 15) / 16;
    if (nv > PAD_MAX_VECTORS) { cnn_direct_pad(dst, src, channels, srcH, srcW, top, left, Hp, Wp); return; }
    __mmask16 load[PAD_MAX_VECTORS], store[PAD_MAX_VECTORS];
    for (int v = 0; v < nv; v++) {
        unsigned l = 0, s = 0;
        for (int b = 0; b < 16; b++) {
            int q = v * 16 + b, column = q - left;
            if (q < Wp) s |= 1u << b;
            if (q < Wp && column >= 0 && column < srcW) l |= 1u << b;
        }
        load[v] = (__mmask16)l;
        store[v] = (__mmask16)s;
    }
    for (int c = 0; c < channels; c++)
        for (int r = 0; r < Hp; r++) {
            float *row = dst + ((long)c * Hp + r) * Wp;
            int sr = r - top;
            if (sr < 0 || sr >= srcH) {
                for (int v = 0; v < nv; v++) _mm512_mask_storeu_ps(row + v * 16, store[v], _mm512_setzero_ps());
                continue;
            }
            // Lane b of vector v reads source column v * 16 + b - left.
            const float *s = src + ((long)c * srcH + sr) * srcW - left;
            for (int v = 0; v < nv; v++)
                _mm512_mask_storeu_ps(row + v * 16, store[v], _mm512_maskz_loadu_ps(load[v], s + v * 16));
        }
}

TARGET void cnn_direct512_pad_phases(float *dst, const float *src, int channels, int srcH, int srcW,
                                     int top, int left, int Hq, int Wq) {
    int nv = (Wq + 15) / 16;
    if (nv > PAD_MAX_VECTORS) { cnn_direct_pad_phases(dst, src, channels, srcH, srcW, top, left, Hq, Wq); return; }
    // Vector v of a phase row takes source columns 32v - left ... 32v - left + 31: two loads, then
    // the even and the odd lanes of the pair.
    __mmask16 first[PAD_MAX_VECTORS], second[PAD_MAX_VECTORS], store[PAD_MAX_VECTORS];
    for (int v = 0; v < nv; v++) {
        unsigned a = 0, b = 0, s = 0;
        for (int l = 0; l < 16; l++) {
            int k = 32 * v - left + l;
            if (k >= 0 && k < srcW) a |= 1u << l;
            if (k + 16 >= 0 && k + 16 < srcW) b |= 1u << l;
            if (v * 16 + l < Wq) s |= 1u << l;
        }
        first[v] = (__mmask16)a;
        second[v] = (__mmask16)b;
        store[v] = (__mmask16)s;
    }
    const __m512i evens = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i odds = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    long plane = (long)Hq * Wq;
    for (int c = 0; c < channels; c++)
        for (int py = 0; py < 2; py++) {
            float *even = dst + ((long)c * 4 + py * 2) * plane, *odd = even + plane;
            for (int r = 0; r < Hq; r++) {
                float *e = even + (long)r * Wq, *o = odd + (long)r * Wq;
                int sr = 2 * r + py - top;
                if (sr < 0 || sr >= srcH) {
                    for (int v = 0; v < nv; v++) {
                        _mm512_mask_storeu_ps(e + v * 16, store[v], _mm512_setzero_ps());
                        _mm512_mask_storeu_ps(o + v * 16, store[v], _mm512_setzero_ps());
                    }
                    continue;
                }
                const float *s = src + ((long)c * srcH + sr) * srcW - left;
                for (int v = 0; v < nv; v++) {
                    __m512 a = _mm512_maskz_loadu_ps(first[v], s + 32 * v), b = _mm512_maskz_loadu_ps(second[v], s + 32 * v + 16);
                    _mm512_mask_storeu_ps(e + v * 16, store[v], _mm512_permutex2var_ps(a, evens, b));
                    _mm512_mask_storeu_ps(o + v * 16, store[v], _mm512_permutex2var_ps(a, odds, b));
                }
            }
        }
}

// MARK: Stride 2 (phase planes: see include/cnn_direct_conv.h)

// As forward_tile, on the grid of phase planes: tap t of channel c reads at xq + c * cstride + off[t].
// TAPS: kh * kw when a compile-time constant (9 and 1: the tap loop unrolled), else 0 and `taps` is used.
TARGET INLINE void forward_s2_tile(const int NV, const int TAPS, float *y, int oplane, int valid, const float *wblock,
                                   const float *bias, const float *xq, int C, long cstride, int taps, const int *off,
                                   const int *in, const __mmask16 *mask, const int *out) {
    __m512 acc[4][MAX_NV];
    _Pragma("clang loop unroll(full)") for (int k = 0; k < 4; k++) {
        __m512 b = _mm512_set1_ps(bias && k < valid ? bias[k] : 0.0f);
        _Pragma("clang loop unroll(full)") for (int v = 0; v < NV; v++) acc[k][v] = b;
    }
    const float *wp = wblock;
    for (int c = 0; c < C; c++) {
        const float *p = xq + (long)c * cstride;
        _Pragma("clang loop unroll(full)") for (int t = 0; t < (TAPS ? TAPS : taps); t++, wp += 4) {
            const float *src = p + off[t];
            __m512 x[MAX_NV];
            _Pragma("clang loop unroll(full)") for (int v = 0; v < NV; v++) x[v] = _mm512_loadu_ps(src + in[v]);
            _Pragma("clang loop unroll(full)") for (int k = 0; k < 4; k++) {
                __m512 wk = _mm512_set1_ps(wp[k]);
                _Pragma("clang loop unroll(full)") for (int v = 0; v < NV; v++) acc[k][v] = _mm512_fmadd_ps(wk, x[v], acc[k][v]);
            }
        }
    }
#define STORE_CHANNEL(k)                                                                                  \
    if (valid > k) {                                                                                      \
        _Pragma("clang loop unroll(full)") for (int v = 0; v < NV; v++) {                                 \
            float *dst = y + (long)k * oplane + out[v];                                                   \
            if (mask[v] == 0xFFFF) _mm512_storeu_ps(dst, acc[k][v]);                                      \
            else _mm512_mask_storeu_ps(dst, (__mmask16)_bzhi_u32(0xFFFF, (unsigned)_mm_popcnt_u32(mask[v])), \
                                       _mm512_maskz_compress_ps(mask[v], acc[k][v]));                    \
        }                                                                                                 \
    }
    STORE_CHANNEL(0) STORE_CHANNEL(1) STORE_CHANNEL(2) STORE_CHANNEL(3)
#undef STORE_CHANNEL
}

#define FORWARD_S2_TILE(NV)                                                                               \
    TARGET static void forward_s2_tile##NV(float *y, int op, int valid, const float *wb, const float *b,  \
                                           const float *xq, int C, long cs, int taps, const int *off,     \
                                           const int *in, const __mmask16 *mask, const int *out) {        \
        if (taps == 9) forward_s2_tile(NV, 9, y, op, valid, wb, b, xq, C, cs, taps, off, in, mask, out);  \
        else if (taps == 1) forward_s2_tile(NV, 1, y, op, valid, wb, b, xq, C, cs, taps, off, in, mask, out); \
        else forward_s2_tile(NV, 0, y, op, valid, wb, b, xq, C, cs, taps, off, in, mask, out);            \
    }
FORWARD_S2_TILE(1)
FORWARD_S2_TILE(2)
FORWARD_S2_TILE(3)
FORWARD_S2_TILE(4)
FORWARD_S2_TILE(5)
FORWARD_S2_TILE(6)

TARGET void cnn_direct512_conv_forward_s2(float *y, const float *xq, const float *packed, const float *bias,
                                          int C, int Hq, int Wq, int O, int kh, int kw, int oh, int ow) {
    int off[CNN_DIRECT_MAX_KERNEL_WIDTH * CNN_DIRECT_MAX_KERNEL_WIDTH];
    cnn_direct_s2_tap_offsets(off, kh, kw, Hq, Wq);
    int vectors = vector_count(oh, ow, Wq), oplane = oh * ow, taps = kh * kw;
    long blockSize = (long)C * taps * 4, cstride = 4L * Hq * Wq;
    int tiles = (vectors + MAX_NV - 1) / MAX_NV, base = vectors / tiles, extra = vectors % tiles;
    for (int t = 0, v0 = 0; t < tiles; t++) {
        int nv = base + (t < extra ? 1 : 0);
        int in[MAX_NV], out[MAX_NV];
        __mmask16 mask[MAX_NV];
        describe_vectors(v0, nv, oh, ow, Wq, in, mask, out);
        for (int b = 0; b < (O + 3) / 4; b++) {
            int valid = O - b * 4 < 4 ? O - b * 4 : 4;
            const float *wb = packed + b * blockSize;
            const float *bb = bias ? bias + b * 4 : NULL;
            float *yb = y + (long)b * 4 * oplane;
            switch (nv) {
            case 6: forward_s2_tile6(yb, oplane, valid, wb, bb, xq, C, cstride, taps, off, in, mask, out); break;
            case 5: forward_s2_tile5(yb, oplane, valid, wb, bb, xq, C, cstride, taps, off, in, mask, out); break;
            case 4: forward_s2_tile4(yb, oplane, valid, wb, bb, xq, C, cstride, taps, off, in, mask, out); break;
            case 3: forward_s2_tile3(yb, oplane, valid, wb, bb, xq, C, cstride, taps, off, in, mask, out); break;
            case 2: forward_s2_tile2(yb, oplane, valid, wb, bb, xq, C, cstride, taps, off, in, mask, out); break;
            default: forward_s2_tile1(yb, oplane, valid, wb, bb, xq, C, cstride, taps, off, in, mask, out); break;
            }
        }
        v0 += nv;
    }
}

void cnn_direct512_conv_weight_gradient_s2(float *dw, const float *dyp, const float *xq, int images, long dyImage,
                                           long xImage, int C, int Hq, int Wq, int O, int kh, int kw, int oh, int ow) {
    weight_gradient(dw, dyp, xq, images, dyImage, xImage, C, Hq, Wq, O, kh, kw, oh, ow, 1);
}

#else

void cnn_direct512_pad(float *dst, const float *src, int channels, int srcH, int srcW, int top, int left, int Hp, int Wp) {
    cnn_direct_pad(dst, src, channels, srcH, srcW, top, left, Hp, Wp);
}
void cnn_direct512_pad_phases(float *dst, const float *src, int channels, int srcH, int srcW, int top, int left, int Hq, int Wq) {
    cnn_direct_pad_phases(dst, src, channels, srcH, srcW, top, left, Hq, Wq);
}

void cnn_direct512_conv_forward(float *y, const float *xp, const float *packed, const float *bias,
                                int C, int Hp, int Wp, int O, int kh, int kw, int oh, int ow) {
    (void)y; (void)xp; (void)packed; (void)bias; (void)C; (void)Hp; (void)Wp; (void)O; (void)kh; (void)kw; (void)oh; (void)ow;
}
void cnn_direct512_conv_weight_gradient(float *dw, const float *dyp, const float *xp, int images, long dyImage,
                                        long xImage, int C, int Hp, int Wp, int O, int kh, int kw, int oh, int ow) {
    (void)dw; (void)dyp; (void)xp; (void)images; (void)dyImage; (void)xImage; (void)C; (void)Hp; (void)Wp; (void)O;
    (void)kh; (void)kw; (void)oh; (void)ow;
}

void cnn_direct512_conv_forward_s2(float *y, const float *xq, const float *packed, const float *bias,
                                   int C, int Hq, int Wq, int O, int kh, int kw, int oh, int ow) {
    (void)y; (void)xq; (void)packed; (void)bias; (void)C; (void)Hq; (void)Wq; (void)O; (void)kh; (void)kw; (void)oh; (void)ow;
}
void cnn_direct512_conv_weight_gradient_s2(float *dw, const float *dyp, const float *xq, int images, long dyImage,
                                           long xImage, int C, int Hq, int Wq, int O, int kh, int kw, int oh, int ow) {
    (void)dw; (void)dyp; (void)xq; (void)images; (void)dyImage; (void)xImage; (void)C; (void)Hq; (void)Wq; (void)O;
    (void)kh; (void)kw; (void)oh; (void)ow;
}

#endif
