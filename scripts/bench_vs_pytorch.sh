#!/usr/bin/env bash
# Training throughput of CNNBench and PyTorch, side by side, alternating runs on the same machine.
#   scripts/bench_vs_pytorch.sh [PYTHON] [ROUNDS] [MODEL ...]
# PYTHON: a Python with torch (default ~/torchenv/bin/python; see ../shared/bench/README.md).
# Prints one line per run and, per model and thread count, the ratio of the medians.
# BENCH_THREADS="1 2" (default) chooses the thread counts.
# BENCH_ISA=avx2 holds both sides to AVX2 (CNNBENCH_ISA=avx2 against PyTorch's
# ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2); unset, each side uses the best it has.
set -euo pipefail
cd "$(dirname "$0")/.."
py=${1:-$HOME/torchenv/bin/python}
rounds=${2:-3}
shift $(( $# > 2 ? 2 : $# ))
models=("$@")
(( ${#models[@]} )) || models=(lenet5 resnet20 vgg11_bn_cifar)
bench=scripts/reference/train_throughput.py
if [[ ${BENCH_ISA:-} == avx2 ]]; then
    export CNNBENCH_ISA=avx2 ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2
    echo "both sides held to AVX2"
fi
swift build -c release >/dev/null
for model in "${models[@]}"; do
    batch=128; [[ $model == lenet5 ]] && batch=64
    torchname=$model
    for threads in ${BENCH_THREADS:-1 2}; do
        ours=(); theirs=()
        for ((r = 0; r < rounds; r++)); do
            t=$($py "$bench" --model "$torchname" --batch "$batch" --threads "$threads" --seconds 6 --repeats 3 --json \
                | python3 -c 'import json,sys; print(json.load(sys.stdin)["median"])')
            s=$(.build/release/cnnbench time "$model" --batch "$batch" --threads "$threads" --iterations 8 --json \
                | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["imagesPerSecond"])')
            theirs+=("$t"); ours+=("$s")
            printf '%-15s batch %3d threads %d round %d: PyTorch %8.1f img/s, CNNBench %8.1f img/s\n' "$model" "$batch" "$threads" "$r" "$t" "$s"
        done
        python3 - "$model" "$threads" "${ours[*]}" "${theirs[*]}" <<'PY'
import statistics, sys
model, threads, ours, theirs = sys.argv[1], sys.argv[2], list(map(float, sys.argv[3].split())), list(map(float, sys.argv[4].split()))
o, t = statistics.median(ours), statistics.median(theirs)
print(f"== {model} threads {threads}: CNNBench {o:.1f} img/s, PyTorch {t:.1f} img/s, ratio {o / t:.2f}x")
PY
    done
done
