#!/usr/bin/env bash
# Checks that ONNX Runtime computes the outputs of CNNBench's exported models (scripts/test_onnx_runtime.py).
# Run by scripts/test.sh. Needs a Python with onnxruntime, numpy and h5py: $CNNBENCH_PYTHON, else
# ~/torchenv/bin/python, else python3; without one it says so and exits 0 (the check is skipped).
set -euo pipefail
cd "$(dirname "$0")/.."
python=""
for candidate in "${CNNBENCH_PYTHON:-}" "$HOME/torchenv/bin/python" python3; do
    if [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1 \
        && "$candidate" -c "import onnxruntime, numpy, h5py" >/dev/null 2>&1; then
        python="$candidate"; break
    fi
done
if [ -z "$python" ]; then
    echo "ONNX Runtime check skipped: no Python with onnxruntime, numpy and h5py (pip install onnxruntime numpy h5py, or set CNNBENCH_PYTHON)"
    exit 0
fi
swift build --product cnnbench >/dev/null
exec "$python" scripts/test_onnx_runtime.py --cnnbench "$(swift build --show-bin-path)/cnnbench" "$@"
