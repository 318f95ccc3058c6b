#!/usr/bin/env bash
# The README's test command: installs what is missing, then runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift test "$@"
# ONNX Runtime against the engine on the exported zoo models; skipped with a message without Python and onnxruntime.
scripts/test_onnx_runtime.sh
