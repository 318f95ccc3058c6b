#!/usr/bin/env bash
# Single-threaded sgemm, row-major, on the per-image shapes of ResNet-20, VGG and LeNet-5:
# OpenBLAS against BLIS (Debian's libblis-dev, if installed) and oneDNN (through the engine's loader).
# GFLOP/s by thread CPU time, best of 5 bursts (a shared machine slows wall time, less so CPU time).
#   scripts/bench_gemm.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cc -O2 -ISources/CKernels/include scripts/bench_gemm.c Sources/CKernels/gemm_fast.c Sources/CKernels/cpu.c \
   -o "$out/bench_gemm" -ldl -lpthread
grep -m1 'model name' /proc/cpuinfo || true
BLIS_NUM_THREADS=1 OMP_NUM_THREADS=1 "$out/bench_gemm"
