#!/usr/bin/env python3
"""Keras-layout HDF5 fixtures for the Keras import tests, written with h5py and NumPy (no Keras needed).

  ~/torchenv/bin/python make_keras_fixtures.py     # in this folder

keras2_sequential.h5   the layout of Keras 2 / tf.keras `model.save("model.h5")`: root attribute
                       model_config (JSON), group model_weights with attribute layer_names (fixed-length
                       strings, as Keras 2 writes them), per layer attribute weight_names, datasets nested
                       under the Sequential model's name (model_weights/conv1/sequential/conv1/kernel:0),
                       a layer without weights stored with an empty float weight_names.
keras3.weights.h5      the layout of Keras 3 `model.save_weights("x.weights.h5")`: layers/<name>/vars/<i>.
keras_expected.h5      an input batch (N, H, W, C) and the model's output computed here with NumPy in
                       Keras' channels-last semantics, to check the whole conversion end to end.

Model: Input(6, 6, 2) -> Conv2D(3, 3x3, padding same, relu) "conv1" -> MaxPooling2D(2) "pool1"
-> Flatten "flatten" -> Dense(4) "fc". Kernel values encode their index:
conv kernel[i, j, c, o] = (1000 o + 100 c + 10 i + j) / 10000, so the tests can check orientation.
"""
import json

import h5py
import numpy as np

H, W, C, F, K = 6, 6, 2, 3, 4
rng = np.random.default_rng(7)
kernel = np.zeros((3, 3, C, F), np.float32)
for i in range(3):
    for j in range(3):
        for c in range(C):
            for o in range(F):
                kernel[i, j, c, o] = (1000 * o + 100 * c + 10 * i + j) / 10000
conv_bias = np.array([0.1, -0.2, 0.3], np.float32)
dense_in = (H // 2) * (W // 2) * F
dense_kernel = rng.standard_normal((dense_in, K)).astype(np.float32) * 0.3
dense_bias = rng.standard_normal(K).astype(np.float32) * 0.1

config = {"class_name": "Sequential", "config": {"name": "sequential", "layers": [
    {"class_name": "InputLayer", "config": {"batch_input_shape": [None, H, W, C], "dtype": "float32", "name": "input_1"}},
    {"class_name": "Conv2D", "config": {"name": "conv1", "filters": F, "kernel_size": [3, 3], "strides": [1, 1],
                                        "padding": "same", "dilation_rate": [1, 1], "activation": "relu", "use_bias": True}},
    {"class_name": "MaxPooling2D", "config": {"name": "pool1", "pool_size": [2, 2], "strides": [2, 2], "padding": "valid"}},
    {"class_name": "Flatten", "config": {"name": "flatten"}},
    {"class_name": "Dense", "config": {"name": "fc", "units": K, "activation": "linear", "use_bias": True}},
]}}

with h5py.File("keras2_sequential.h5", "w") as f:
    f.attrs["model_config"] = json.dumps(config).encode()
    f.attrs["keras_version"] = b"2.13.1"
    f.attrs["backend"] = b"tensorflow"
    mw = f.create_group("model_weights")
    mw.attrs["layer_names"] = np.array([b"conv1", b"pool1", b"flatten", b"fc"], dtype="S7")
    g = mw.create_group("conv1")
    g.attrs["weight_names"] = np.array([b"conv1/kernel:0", b"conv1/bias:0"], dtype="S14")
    g.create_dataset("sequential/conv1/kernel:0", data=kernel)
    g.create_dataset("sequential/conv1/bias:0", data=conv_bias)
    for name in ("pool1", "flatten"):
        mw.create_group(name).attrs["weight_names"] = np.array([], dtype=np.float32)
    g = mw.create_group("fc")
    g.attrs["weight_names"] = np.array([b"fc/kernel:0", b"fc/bias:0"], dtype="S11")
    g.create_dataset("sequential/fc/kernel:0", data=dense_kernel)
    g.create_dataset("sequential/fc/bias:0", data=dense_bias)
    # Fix the weight paths: weight_names are relative to the layer group, with the model's name nested.
    for layer, names in (("conv1", ["kernel:0", "bias:0"]), ("fc", ["kernel:0", "bias:0"])):
        mw[layer].attrs["weight_names"] = np.array([f"sequential/{layer}/{n}".encode() for n in names])

with h5py.File("keras3.weights.h5", "w", track_order=True) as f:
    layers = f.create_group("layers", track_order=True)
    for name, arrays in (("conv1", [kernel, conv_bias]), ("pool1", []), ("flatten", []), ("fc", [dense_kernel, dense_bias])):
        g = layers.create_group(name, track_order=True)
        v = g.create_group("vars")
        for i, a in enumerate(arrays):
            v.create_dataset(str(i), data=a)

# The expected output, in Keras' channels-last semantics.
x = rng.standard_normal((2, H, W, C)).astype(np.float32)
padded = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
conv = np.zeros((2, H, W, F), np.float64)
for i in range(3):
    for j in range(3):
        conv += np.einsum("nhwc,co->nhwo", padded[:, i:i + H, j:j + W, :].astype(np.float64), kernel[i, j].astype(np.float64))
conv = np.maximum(conv + conv_bias, 0)
pooled = conv.reshape(2, H // 2, 2, W // 2, 2, F).max(axis=(2, 4))
y = pooled.reshape(2, -1) @ dense_kernel.astype(np.float64) + dense_bias
with h5py.File("keras_expected.h5", "w") as f:
    f.create_dataset("input_nhwc", data=x)
    f.create_dataset("output", data=y.astype(np.float32))
print("wrote keras2_sequential.h5, keras3.weights.h5, keras_expected.h5")
