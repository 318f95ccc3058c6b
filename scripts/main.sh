#!/usr/bin/env bash
# The README's first command: set up a fresh machine, build, and run the main job on the data the
# repository ships: train LeNet-5 on MNIST (runs/lenet5-mnist/model.h5), then time the engine.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release
bin=.build/release
$bin/cnnbench train lenet5 --dataset mnist --out runs/lenet5-mnist
$bin/cnnbench eval runs/lenet5-mnist/model.h5
$bin/cnnbench time lenet5 --batch 64 --threads 1,2
$bin/cnnbench time lenet5 --batch 64 --kernels --threads 1,2
