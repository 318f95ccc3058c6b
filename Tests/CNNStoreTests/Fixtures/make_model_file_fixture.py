#!/usr/bin/env python3
"""A model file of today's format, as `cnnbench train` writes it, and PyTorch's outputs from its weights.

  ~/torchenv/bin/python make_model_file_fixture.py --version 1 [--cnnbench .build/debug/cnnbench]

Made once per format version and then never regenerated: the test (ModelFileFormatTests) checks that
files written by an older toolkit keep loading and keep giving the same outputs. When
docs/model-file.md's format version goes up, run this with the new version to add a folder beside
the old ones; the old folders stay.

What it writes into model-format-VERSION/:
  model.h5      `cnnbench train lenet5` for 2 epochs on the first 1,000 MNIST training digits (200 of
                them held out for validation), seed 7, from the repository root; untouched
  expected.h5   images  uint8 (16, 28, 28): the first 16 digits of MNIST's test file
                labels  int64 (16,)
                logits  float32 (16, 10): scripts/reference/models.py's lenet5 with model.h5's weights
                        (model.state_dict()[name] = f["weights/" + name.replace(".", "/")], as
                        docs/model-file.md says), on x = (byte / 255 - mean) / std with the file's
                        /dataset normalisation in float32, computed in float64
                attributes format_version, torch_version, description
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

import h5py
import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "scripts", "reference"))
from idx import read_idx  # noqa: E402
from models import lenet5  # noqa: E402

COUNT = 16


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--version", type=int, required=True, help="the format version cnnbench writes today")
    ap.add_argument("--cnnbench", default=os.path.join(ROOT, ".build", "debug", "cnnbench"))
    a = ap.parse_args()
    folder = os.path.join(HERE, f"model-format-{a.version}")
    if os.path.exists(folder):
        sys.exit(f"{folder} exists: a format's fixture is made once and kept")

    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "lenet5-mnist")
        subprocess.run([a.cnnbench, "train", "lenet5", "--dataset", "mnist", "--data-dir", "datasets/mnist",
                        "--epochs", "2", "--train-limit", "1000", "--validation", "200", "--seed", "7", "--out", out],
                       cwd=ROOT, check=True)
        os.makedirs(folder)
        shutil.copyfile(os.path.join(out, "model.h5"), os.path.join(folder, "model.h5"))

    model_path = os.path.join(folder, "model.h5")
    with h5py.File(model_path, "r") as f:
        version = int(f.attrs["format_version"])
        assert version == a.version, f"cnnbench wrote format version {version}, not {a.version}"
        model = lenet5().double()
        model.load_state_dict({name: torch.from_numpy(f["weights/" + name.replace(".", "/")][...]).double()
                               for name in model.state_dict()})
        mean = np.float32(f["dataset"].attrs["normalization_mean"][0])
        std = np.float32(f["dataset"].attrs["normalization_std"][0])

    images = read_idx(os.path.join(ROOT, "datasets", "mnist", "t10k-images-idx3-ubyte.gz"))[:COUNT].copy()
    labels = read_idx(os.path.join(ROOT, "datasets", "mnist", "t10k-labels-idx1-ubyte.gz"))[:COUNT].astype(np.int64)
    x = ((images.astype(np.float32) / np.float32(255)) - mean) / std
    with torch.no_grad():
        logits = model(torch.from_numpy(x).unsqueeze(1).double()).float().numpy()

    with h5py.File(os.path.join(folder, "expected.h5"), "w") as f:
        f.attrs.update(format_version=version, torch_version=str(torch.__version__),
                       description=f"PyTorch's lenet5 with model.h5's weights on the first {COUNT} MNIST test digits")
        f.create_dataset("images", data=images)
        f.create_dataset("labels", data=labels)
        f.create_dataset("logits", data=logits)
    print("predicted", logits.argmax(1).tolist())
    print("labels   ", labels.tolist())
    print(f"wrote {folder}: model.h5 {os.path.getsize(model_path)} bytes")


if __name__ == "__main__":
    main()
