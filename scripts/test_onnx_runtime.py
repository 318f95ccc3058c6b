"""Exports the zoo's models with `cnnbench export` and checks that ONNX Runtime computes CNNBench's outputs.

    scripts/test_onnx_runtime.sh            (finds Python and cnnbench, then runs this)
    python scripts/test_onnx_runtime.py --cnnbench .build/debug/cnnbench

For each model: `cnnbench export NAME --seed 1 -o NAME.onnx` (freshly initialised weights), a PNG of
random pixels at the model's input size, `cnnbench activations NAME.onnx --image NAME.png` (the input as
the model sees it and every layer's output, computed by the engine), then ONNX Runtime on that input;
its output must equal the engine's last layer to 1e-4 (max |a - b| / max(1, max |b|)). The checker of the onnx
package, when installed, validates each file too. Prints one line per model and 'N passed, N failed'.
With --torchvision, the other way round: torchvision's full-size models exported by PyTorch, then
imported and run by CNNBench (not part of scripts/test.sh: minutes, and PyTorch must be installed).
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


def export_torchvision(name, model):
    """Full-size torchvision models, random weights, exported by PyTorch (`--torchvision`)."""
    import torch
    import torchvision
    torch.manual_seed(0)
    net = getattr(torchvision.models, name)(weights=None).eval()
    for m in net.modules():  # batch-norm statistics away from 0 and 1
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.2, 0.2)
            m.running_var.uniform_(0.5, 1.5)
    torch.onnx.export(net, (torch.randn(1, 3, 224, 224),), model, dynamo=False, do_constant_folding=True,
                      input_names=["input"], output_names=["output"])


def check(cnnbench, name, shape, folder, rng, torchvision_model=False):
    model = os.path.join(folder, name + ".onnx")
    if torchvision_model:
        export_torchvision(name, model)
    else:
        command = [cnnbench, "export", name, "--seed", "1", "-o", model] + (["--input", shape] if shape else [])
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    try:
        import onnx
        onnx.checker.check_model(onnx.load(model), full_check=True)
    except ImportError:
        pass
    session = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
    input_name = session.get_inputs()[0].name
    _, c, h, w = session.get_inputs()[0].shape
    image = os.path.join(folder, name + ".png")
    write_png(image, rng.integers(0, 256, size=(h, w, 3) if c == 3 else (h, w), dtype=np.uint8))
    activations = os.path.join(folder, name + "-activations.h5")
    subprocess.run([cnnbench, "activations", model, "--image", image, "--out", activations], check=True, stdout=subprocess.DEVNULL)
    with h5py.File(activations, "r") as f:
        layers = [n.decode() if isinstance(n, bytes) else str(n) for n in f.attrs["layers"]]
        x = np.asarray(f["input"], dtype=np.float32)
        ours = np.asarray(f[layers[-1]], dtype=np.float32)
    theirs = session.run(None, {input_name: x})[0]
    # Relative to the output's scale: an untrained ResNet-50's logits reach 10^3, and float32 sums of such
    # terms differ in their last bits between any two libraries, which is large next to a logit near 0.
    error = float(np.max(np.abs(ours - theirs)) / max(1.0, float(np.max(np.abs(theirs)))))
    return theirs.shape == ours.shape and error < 1e-4, error


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cnnbench", required=True, help="the cnnbench binary")
    parser.add_argument("--models", help="comma-separated zoo names (default: all of the list)")
    parser.add_argument("--torchvision", action="store_true",
                        help="instead: torchvision's full AlexNet, VGG-11-BN and ResNet-18 (random weights) exported by PyTorch "
                             "and imported by CNNBench (needs torch and torchvision; minutes and a few GB of memory)")
    args = parser.parse_args()
    if args.torchvision:
        chosen = [(m, None) for m in (args.models.split(",") if args.models else ["alexnet", "vgg11_bn", "resnet18"])]
    else:
        chosen = [m for m in MODELS if not args.models or m[0] in args.models.split(",")]
    rng = np.random.default_rng(0)
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="cnnbench-onnx-") as folder:
        for name, shape in chosen:
            try:
                ok, error = check(args.cnnbench, name, shape, folder, rng, torchvision_model=args.torchvision)
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
