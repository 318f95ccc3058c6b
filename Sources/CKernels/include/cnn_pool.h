// Pooling kernels: see MaxPool2D.swift, whose window loop (`naiveMaxPoolForward`) is their naive twin.
#ifndef CNN_POOL_H
#define CNN_POOL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// 2x2 max pooling, stride 2, no padding, over `planes` planes of h x w into oh x ow (oh <= h / 2,
/// ow <= w / 2): y the largest of each window, argmax its index in the plane. The first of equal
/// values wins, and a NaN wins over any number (as PyTorch), comparing the pairs (a, b) and (c, d)
/// of the window's rows, then their winners.
void cnn_max_pool_2x2(float *y, int32_t *argmax, const float *x, long planes, int h, int w, int oh, int ow);

#ifdef __cplusplus
}
#endif
#endif
