#!/usr/bin/env python3
"""Ten SGD steps of the lectures' LeNet-5 in PyTorch, from its own initial weights, written to one HDF5 file.

  ~/torchenv/bin/python make_lenet5_trace.py --out lenet5_trace.h5

A training trace in the style of llm.c's test_gpt2: the Swift test starts the zoo's `lenet5` from
the initial weights stored here, feeds it the same batches, and must reproduce the loss of every
step and the weights after the last one. Nothing is random at test time: the batches are the first
STEPS x BATCH digits of MNIST's training file in file order (no shuffling, no augmentation).

How the numbers are made: PyTorch's default initialisation of scripts/reference/models.py's lenet5
under torch.manual_seed(SEED), in float32; inputs x = (byte / 255 - mean) / std computed in float32
(every operation rounded to float32, as the Swift test computes them); then the ten steps of
F.cross_entropy (mean over the batch) and torch.optim.SGD (lr, momentum, weight decay of the
lectures' LeNet-5 recipe, TrainingRecipe.defaults) run in float64 from those float32 values. The
losses are stored as float64, the weights rounded to float32. The same steps in float32 give the
torch_f32_* attributes: how far PyTorch's own float32 computation lands from the float64 one, a
guide to the tolerance a float32 engine needs.

Layout:
  images                    uint8 (STEPS * BATCH, 28, 28), the digits in the order they are fed
  labels                    int64 (STEPS * BATCH,)
  losses                    float64 (STEPS,): the mean loss of each step's batch, before its update
  initial/<layer>/<param>   float32, PyTorch's initial weights (C1/weight (6, 1, 5, 5), ..., OUTPUT/bias (10,))
  after/<layer>/<param>     float32, the weights after the last step
Root attributes: model, steps, batch_size, learning_rate, momentum, weight_decay, normalization_mean,
normalization_std, seed, torch_version, torch_f32_loss_max_abs_err, torch_f32_weight_max_abs_err,
description.
"""
import argparse
import os
import sys

import h5py
import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "scripts", "reference"))
from idx import read_idx  # noqa: E402
from models import lenet5  # noqa: E402

SEED = 1998
STEPS, BATCH = 10, 64
LR, MOMENTUM, WEIGHT_DECAY = 0.05, 0.9, 5e-4
MEAN, STD = 0.1307, 0.3081


def normalize(images):
    """(byte / 255 - mean) / std, each operation in float32."""
    f32 = np.float32
    return ((images.astype(f32) / f32(255)) - f32(MEAN)) / f32(STD)


def train(initial, x, y, dtype):
    """The losses of STEPS steps and the weights after them."""
    model = lenet5().to(dtype)
    model.load_state_dict({k: v.to(dtype) for k, v in initial.items()})
    opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM, weight_decay=WEIGHT_DECAY, foreach=False)
    losses = []
    for step in range(STEPS):
        batch = slice(step * BATCH, (step + 1) * BATCH)
        opt.zero_grad()
        loss = F.cross_entropy(model(x[batch].to(dtype)), y[batch])
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return np.array(losses), {k: v.detach() for k, v in model.state_dict().items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(HERE, "lenet5_trace.h5"))
    ap.add_argument("--data-dir", default=os.path.join(ROOT, "datasets", "mnist"))
    a = ap.parse_args()

    count = STEPS * BATCH
    images = read_idx(os.path.join(a.data_dir, "train-images-idx3-ubyte.gz"))[:count].copy()
    labels = read_idx(os.path.join(a.data_dir, "train-labels-idx1-ubyte.gz"))[:count].astype(np.int64)
    x = torch.from_numpy(normalize(images)).unsqueeze(1)
    y = torch.from_numpy(labels)

    torch.manual_seed(SEED)
    initial = {k: v.detach().float() for k, v in lenet5().state_dict().items()}
    losses, after = train(initial, x, y, torch.float64)
    losses32, after32 = train(initial, x, y, torch.float32)
    loss_err = float(np.abs(losses - losses32).max())
    weight_err = max((after[k].float() - after32[k]).abs().max().item() for k in after)

    with h5py.File(a.out, "w") as f:
        f.attrs.update(
            description=f"LeNet-5 (scripts/reference/models.py), {STEPS} SGD steps on the first {count} MNIST "
                        "training digits in file order, from PyTorch's initial weights",
            model="lenet5", steps=STEPS, batch_size=BATCH, learning_rate=LR, momentum=MOMENTUM,
            weight_decay=WEIGHT_DECAY, normalization_mean=MEAN, normalization_std=STD, seed=SEED,
            torch_version=str(torch.__version__), torch_f32_loss_max_abs_err=loss_err,
            torch_f32_weight_max_abs_err=weight_err,
            precision="inputs and initial weights float32; steps in float64; weights stored rounded to float32")
        f.create_dataset("images", data=images, compression="gzip", compression_opts=9, shuffle=True)
        f.create_dataset("labels", data=labels, compression="gzip", compression_opts=9, shuffle=True)
        f.create_dataset("losses", data=losses)
        for group, weights in (("initial", initial), ("after", after)):
            for k, v in weights.items():
                f.create_dataset(f"{group}/{k.replace('.', '/')}", data=v.numpy().astype(np.float32))
    print("losses", " ".join(f"{v:.5f}" for v in losses))
    print(f"float32 PyTorch vs float64: losses {loss_err:.1e}, weights {weight_err:.1e}")
    print(f"wrote {a.out} ({os.path.getsize(a.out)} bytes)")


if __name__ == "__main__":
    main()
