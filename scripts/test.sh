#!/usr/bin/env bash
# The README's test command: installs what is missing, runs the whole test suite (swift test), then
# ONNX Runtime on the exported zoo models (scripts/test_onnx_runtime.sh; skipped with a message
# without a Python that has onnxruntime), then the cluster tests: a real one-node Slurm cluster (scripts/test_slurm.sh) and data-parallel training
# on 2 MPI ranks (scripts/test_mpi.sh), which need root on Linux (they install Slurm, munge and Open
# MPI) and skip themselves with a message elsewhere. CNNBENCH_SKIP_CLUSTER_TESTS=1 skips both.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift test "$@"
# ONNX Runtime against the engine on the exported zoo models; skipped with a message without Python and onnxruntime.
scripts/test_onnx_runtime.sh
if [[ "${CNNBENCH_SKIP_CLUSTER_TESTS:-0}" == 1 ]]; then
    echo "test: cluster tests skipped (CNNBENCH_SKIP_CLUSTER_TESTS=1)"
else
    scripts/test_slurm.sh
    scripts/test_mpi.sh
fi
