// Winograd F(2x2, 3x3) transforms: see include/cnn_winograd.h. Plain C: the loops over tiles are
// unit-stride in V and M, and the compiler vectorises them for the build's baseline.
#include "cnn_winograd.h"
#include <string.h>

void cnn_wino_weights(float *u, const float *w, int o, int c, int flip_transpose, int row_begin, int row_end) {
    const int rows = flip_transpose ? c : o, cols = flip_transpose ? o : c;
    const long matrix = (long)rows * cols;
    for (int r = row_begin; r < row_end; r++) {
        for (int s = 0; s < cols; s++) {
            // g: the 3x3 kernel from input channel (col or row) to output channel.
            const float *src = flip_transpose ? w + ((long)s * c + r) * 9 : w + ((long)r * c + s) * 9;
            float g[9];
            if (flip_transpose) for (int k = 0; k < 9; k++) g[k] = src[8 - k];
            else for (int k = 0; k < 9; k++) g[k] = src[k];
            // t = G g (4x3), G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1]
            float t[4][3];
            for (int j = 0; j < 3; j++) {
                const float a = g[j], b = g[3 + j], d = g[6 + j];
                t[0][j] = a;
                t[1][j] = 0.5f * (a + b + d);
                t[2][j] = 0.5f * (a - b + d);
                t[3][j] = d;
            }
            // U = t G^T (4x4)
            float *dst = u + (long)r * cols + s;
            for (int i = 0; i < 4; i++) {
                const float a = t[i][0], b = t[i][1], d = t[i][2];
                dst[(4 * i + 0) * matrix] = a;
                dst[(4 * i + 1) * matrix] = 0.5f * (a + b + d);
                dst[(4 * i + 2) * matrix] = 0.5f * (a - b + d);
                dst[(4 * i + 3) * matrix] = d;
            }
        }
    }
}

void cnn_wino_input(float *v, long ldt, const float *x, int images, int c, int h, int w, float *pad) {
    const int th = (h + 1) / 2, tw = (w + 1) / 2, hp = 2 * th + 2, wp = 2 * tw + 2;
    const long matrix = (long)c * ldt;
    memset(pad, 0, sizeof(float) * hp * wp);
    for (int b = 0; b < images; b++) {
        for (int ch = 0; ch < c; ch++) {
            // The plane, padded by one on the top and left and to a whole number of tiles below and right;
            // only rows 1..h and columns 1..w are ever written, so the border stays zero from the memset above.
            const float *plane = x + ((long)b * c + ch) * h * w;
            for (int y = 0; y < h; y++) memcpy(pad + (y + 1) * wp + 1, plane + (long)y * w, sizeof(float) * w);
            float *out = v + (long)ch * ldt + (long)b * th * tw;
            for (int ty = 0; ty < th; ty++) {
                const float *r0 = pad + 2 * ty * wp, *r1 = r0 + wp, *r2 = r1 + wp, *r3 = r2 + wp;
                float *o = out + ty * tw;
                for (int tx = 0; tx < tw; tx++) {
                    const int x0 = 2 * tx;
                    float d[4][4];
                    for (int j = 0; j < 4; j++) {
                        // t = B^T d column by column: B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]
                        const float a = r0[x0 + j], bb = r1[x0 + j], cc = r2[x0 + j], dd = r3[x0 + j];
                        d[0][j] = a - cc;
                        d[1][j] = bb + cc;
                        d[2][j] = cc - bb;
                        d[3][j] = bb - dd;
                    }
                    for (int i = 0; i < 4; i++) {
                        // V = t B
                        o[(4 * i + 0) * matrix + tx] = d[i][0] - d[i][2];
                        o[(4 * i + 1) * matrix + tx] = d[i][1] + d[i][2];
                        o[(4 * i + 2) * matrix + tx] = d[i][2] - d[i][1];
                        o[(4 * i + 3) * matrix + tx] = d[i][1] - d[i][3];
                    }
                }
            }
        }
    }
}

void cnn_wino_output(float *y, const float *m, long ldt, int images, int o, int h, int w, const float *bias,
                     float *tile) {
    const int th = (h + 1) / 2, tw = (w + 1) / 2, ow2 = 2 * tw;
    const long matrix = (long)o * ldt;
    for (int b = 0; b < images; b++) {
        for (int oc = 0; oc < o; oc++) {
            const float *in = m + (long)oc * ldt + (long)b * th * tw;
            const float add = bias ? bias[oc] : 0.0f;
            for (int ty = 0; ty < th; ty++) {
                const float *row = in + ty * tw;
                float *q0 = tile + 2 * ty * ow2, *q1 = q0 + ow2;
                for (int tx = 0; tx < tw; tx++) {
                    float s[4][2];
                    for (int j = 0; j < 4; j++) {
                        // t = A^T m column by column: A^T = [1 1 1 0; 0 1 -1 -1]
                        const float a = row[(0 + j) * matrix + tx], bb = row[(4 + j) * matrix + tx];
                        const float cc = row[(8 + j) * matrix + tx], dd = row[(12 + j) * matrix + tx];
                        s[j][0] = a + bb + cc;
                        s[j][1] = bb - cc - dd;
                    }
                    q0[2 * tx] = s[0][0] + s[1][0] + s[2][0] + add;
                    q0[2 * tx + 1] = s[1][0] - s[2][0] - s[3][0] + add;
                    q1[2 * tx] = s[0][1] + s[1][1] + s[2][1] + add;
                    q1[2 * tx + 1] = s[1][1] - s[2][1] - s[3][1] + add;
                }
            }
            float *dst = y + ((long)b * o + oc) * h * w;
            for (int yy = 0; yy < h; yy++) memcpy(dst + (long)yy * w, tile + yy * ow2, sizeof(float) * w);
        }
    }
}
