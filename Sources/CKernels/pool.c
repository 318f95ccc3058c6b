// Pooling kernels: see include/cnn_pool.h. Selects, not branches (random data mispredicts them), in
// loops the compiler vectorises.
#include "cnn_pool.h"

void cnn_max_pool_2x2(float *restrict y, int32_t *restrict argmax, const float *restrict x, long planes, int h, int w,
                      int oh, int ow) {
    for (long p = 0; p < planes; p++) {
        const float *src = x + p * h * w;
        float *dst = y + p * oh * ow;
        int32_t *at = argmax + p * oh * ow;
        for (int oy = 0; oy < oh; oy++) {
            const float *r0 = src + 2 * oy * w, *r1 = r0 + w;
            for (int ox = 0; ox < ow; ox++) {
                const float a = r0[2 * ox], b = r0[2 * ox + 1], c = r1[2 * ox], d = r1[2 * ox + 1];
                // !(y <= x) && x == x: y is larger, or y is NaN and x is not.
                const int right = !(b <= a) & (a == a), below_right = !(d <= c) & (c == c);
                const float top = right ? b : a, bottom = below_right ? d : c;
                const int top_at = right, bottom_at = below_right ? w + 1 : w;
                const int lower = !(bottom <= top) & (top == top);
                dst[oy * ow + ox] = lower ? bottom : top;
                at[oy * ow + ox] = 2 * oy * w + 2 * ox + (lower ? bottom_at : top_at);
            }
        }
    }
}
