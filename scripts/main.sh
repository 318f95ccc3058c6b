#!/usr/bin/env bash
# The README's first command: set up a fresh machine, build, and run the main job on the data the
# repository ships: the `lecture` suite (LeNet-5, logistic regression and an MLP trained on MNIST,
# timings, every catalogue figure), ending with reports/lecture.pdf.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release
# Run again, it continues: finished runs are kept (a finished model is never replaced unasked), the
# figures and the report are drawn again. Pass --overwrite to train everything afresh.
case " $* " in
  *" --overwrite "* | *" --resume "*) .build/release/cnnbench run lecture "$@" ;;
  *) .build/release/cnnbench run lecture --resume "$@" ;;
esac
