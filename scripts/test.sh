#!/usr/bin/env bash
# The README's test command: installs what is missing, runs the whole test suite (swift test), then
# the cluster tests: a real one-node Slurm cluster (scripts/test_slurm.sh), which needs root on Linux
# and skips itself with a message elsewhere. CNNBENCH_SKIP_CLUSTER_TESTS=1 skips it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift test "$@"
if [[ "${CNNBENCH_SKIP_CLUSTER_TESTS:-0}" == 1 ]]; then
    echo "test: cluster tests skipped (CNNBENCH_SKIP_CLUSTER_TESTS=1)"
else
    scripts/test_slurm.sh
fi
