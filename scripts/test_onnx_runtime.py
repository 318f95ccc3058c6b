"""Exports the zoo's models with `cnnbench export` and checks that ONNX Runtime computes CNNBench's outputs.

    scripts/test_onnx_runtime.sh            (finds Python and cnnbench, then runs this)
    python scripts/test_onnx_runtime.py --cnnbench .build/debug/cnnbench

For each model: `cnnbench export NAME --seed 1 -o NAME.onnx` (freshly initialised weights), a PNG of
random pixels at the model's input size, `cnnbench activations NAME.onnx --image NAME.png` (the input as
the model sees it and every layer's output, computed by the engine), then ONNX Runtime on that input;
its output must equal the engine's last layer to 1e-4 (max |a - b| / max(1, max |b|)). The checker of the onnx
package, when installed, validates each file too. Prints one line per model and 'N passed, N failed'.
"""
import argparse
import os
import struct
import subprocess
import sys
import tempfile
import zlib

import h5py
import numpy as np
import onnxruntime as ort

# Every layer kind, shortcut and classifier of the zoo, at sizes a debug build runs in seconds.
MODELS = [
    ("lenet5", None), ("lenet5-1998", None), ("logreg", None), ("mlp", None), ("alexnet-small", None),
    ("vgg11_cifar", None), ("vgg11_bn_cifar", None), ("resnet20", None), ("plain20", None),
    ("resnet18", "3x64x64"), ("resnet50", "3x64x64"), ("alexnet", "3x224x224"),
]


def write_png(path, pixels):
    """pixels: uint8 array [H, W] (grey) or [H, W, 3] (RGB)."""
    h, w = pixels.shape[:2]
    colour = 2 if pixels.ndim == 3 else 0
    raw = b"".join(b"\x00" + pixels[y].tobytes() for y in range(h))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, colour, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def check(cnnbench, name, shape, folder, rng):
    model = os.path.join(folder, name + ".onnx")
    command = [cnnbench, "export", name, "--seed", "1", "-o", model] + (["--input", shape] if shape else [])
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    try:
        import onnx
        onnx.checker.check_model(onnx.load(model), full_check=True)
    except ImportError:
        pass
    session = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
    _, c, h, w = session.get_inputs()[0].shape
    image = os.path.join(folder, name + ".png")
    write_png(image, rng.integers(0, 256, size=(h, w, 3) if c == 3 else (h, w), dtype=np.uint8))
    activations = os.path.join(folder, name + "-activations.h5")
    subprocess.run([cnnbench, "activations", model, "--image", image, "--out", activations], check=True, stdout=subprocess.DEVNULL)
    with h5py.File(activations, "r") as f:
        layers = [n.decode() if isinstance(n, bytes) else str(n) for n in f.attrs["layers"]]
        x = np.asarray(f["input"], dtype=np.float32)
        ours = np.asarray(f[layers[-1]], dtype=np.float32)
    theirs = session.run(None, {"input": x})[0]
    # Relative to the output's scale: an untrained ResNet-50's logits reach 10^3, and float32 sums of such
    # terms differ in their last bits between any two libraries, which is large next to a logit near 0.
    error = float(np.max(np.abs(ours - theirs)) / max(1.0, float(np.max(np.abs(theirs)))))
    return theirs.shape == ours.shape and error < 1e-4, error


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cnnbench", required=True, help="the cnnbench binary")
    parser.add_argument("--models", help="comma-separated zoo names (default: all of the list)")
    args = parser.parse_args()
    chosen = [m for m in MODELS if not args.models or m[0] in args.models.split(",")]
    rng = np.random.default_rng(0)
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="cnnbench-onnx-") as folder:
        for name, shape in chosen:
            try:
                ok, error = check(args.cnnbench, name, shape, folder, rng)
                print(f"{'ok  ' if ok else 'FAIL'} {name}{' ' + shape if shape else ''}: largest difference {error:.2e}")
            except Exception as exc:  # one model's failure is reported, the others still run
                ok = False
                print(f"FAIL {name}: {exc}")
            passed += ok
            failed += not ok
    print(f"onnxruntime: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
