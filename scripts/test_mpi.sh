#!/usr/bin/env bash
# Data-parallel training over MPI on this machine (Open MPI from Debian, 2 ranks on localhost):
#  1. LeNet-5 on 2 ranks has the weights and optimizer state of one process, bit for bit;
#  2. a 2-rank run stopped mid-epoch (SIGTERM to both ranks) resumes in 1 process to the same bits,
#     and a 1-process run stopped mid-epoch resumes on 2 ranks to the same bits;
#  3. a rank killed mid-epoch (SIGKILL) ends the run with a clear error on the others, no hang.
# The one-process reference is the default build (no MPI): `cnnbench train --distributed` alone.
#
# Needs root on Linux to install libopenmpi-dev and openmpi-bin when missing (elsewhere, with them
# installed, it runs too). Builds cnnbench with the MPI trait into .build-mpi/ (debug) unless
# CNNBENCH_MPI names a binary. Every wait is bounded (MPI_TEST_TIMEOUT seconds, default 600).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
started=$(date +%s)
say() { echo "test_mpi: $*"; }
fail() { echo "test_mpi: FAILED: $*" >&2; exit 1; }

if [[ "$(uname -s)" != "Linux" ]]; then say "skipped: Linux only"; exit 0; fi
if ! command -v mpirun >/dev/null || ! pkg-config --exists ompi 2>/dev/null; then
    if [[ $(id -u) -ne 0 ]]; then say "skipped: needs Open MPI (apt-get install libopenmpi-dev openmpi-bin) or root to install it"; exit 0; fi
    say "installing libopenmpi-dev openmpi-bin"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends \
        libopenmpi-dev openmpi-bin hdf5-tools >/dev/null
fi
timeout_s=${MPI_TEST_TIMEOUT:-600}
single=${CNNBENCH:-$root/.build/debug/cnnbench}
[[ -x "$single" ]] || { say "building cnnbench (default, no MPI)"; swift build --product cnnbench; }
mpi=${CNNBENCH_MPI:-$root/.build-mpi/debug/cnnbench}
if [[ -z "${CNNBENCH_MPI:-}" ]]; then
    say "building cnnbench with MPI (swift build --traits MPI --scratch-path .build-mpi)"
    swift build --traits MPI --scratch-path .build-mpi --product cnnbench > "/tmp/cnnbench-mpi-build.log" 2>&1 \
        || { tail -n 30 /tmp/cnnbench-mpi-build.log; fail "the MPI build failed"; }
fi
mpirun=(mpirun --oversubscribe --bind-to none -np 2)
[[ $(id -u) -eq 0 ]] && mpirun+=(--allow-run-as-root)

work=$(mktemp -d /tmp/cnnbench-mpi.XXXXXX)
job=""
cleanup() {
    status=$?
    trap - EXIT INT TERM
    [[ -n "$job" ]] && kill "$job" 2>/dev/null || true
    if ((status != 0)); then
        for log in "$work"/*.log; do [[ -f "$log" ]] && { echo "---- $log (last lines)"; tail -n 20 "$log"; }; done
    fi
    rm -rf "$work"
    say "$( ((status == 0)) && echo passed || echo failed) in $(( $(date +%s) - started )) s"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# LeNet-5, 2 epochs of 4,096 digits in batches of 32 (8 micro-batches of 4), 1 engine thread per rank:
# long enough (seconds an epoch) that a SIGTERM sent after the first quarter of epoch 2 lands mid-epoch.
train=(train lenet5 --distributed --train-limit 4096 --validation 200 --batch-size 32 --epochs 2 --threads 1)
same() {  # same weights and optimizer state, bit for bit
    for group in /weights /optimizer; do
        h5diff -q "$1/model.h5" "$2/model.h5" "$group" "$group" || fail "$3: $group differs"
    done
    say "$3: weights and optimizer state bit-identical"
}
wait_line() {  # waits until file $1 has a line matching $2 (the job still running), at most timeout_s
    local deadline=$(( $(date +%s) + timeout_s ))
    until grep -q "$2" "$1" 2>/dev/null; do
        kill -0 "$job" 2>/dev/null || fail "the run ended before printing \"$2\""
        (( $(date +%s) < deadline )) || fail "timed out waiting for \"$2\" in $1"
        sleep 0.1
    done
}
rank_pid() { sed -n "s/^rank $2 of 2: pid \([0-9]*\) .*/\1/p" "$1" | head -n 1; }

# 1. one process against two ranks
timeout "$timeout_s" "$single" "${train[@]}" --out "$work/p1" > "$work/p1.log" 2>&1 || fail "the one-process run failed"
timeout "$timeout_s" "${mpirun[@]}" "$mpi" "${train[@]}" --out "$work/p2" > "$work/p2.log" 2>&1 || fail "the 2-rank run failed"
grep -q "data-parallel: 2 rank(s), 8 micro-batches" "$work/p2.log" || fail "the 2-rank run did not run on 2 ranks"
same "$work/p1" "$work/p2" "LeNet-5, 2 ranks against 1 process"

# 2. two ranks stopped mid-epoch by SIGTERM (as Slurm does at a time limit), resumed by one process
timeout "$timeout_s" "${mpirun[@]}" "$mpi" "${train[@]}" --out "$work/stop" > "$work/stop.log" 2>&1 &
job=$!
wait_line "$work/stop.log" "epoch 2/2: 25%"
kill -TERM "$(rank_pid "$work/stop.log" 0)" "$(rank_pid "$work/stop.log" 1)"
wait "$job" && fail "the stopped run exited 0" || true
job=""
grep -q "stopped at epoch 2" "$work/stop.log" || fail "the stopped run saved no mid-epoch checkpoint"
timeout "$timeout_s" "$single" train lenet5 --distributed --resume --threads 1 --out "$work/stop" > "$work/resume.log" 2>&1 \
    || fail "resuming the 2-rank checkpoint in 1 process failed"
grep -q "resuming .* at epoch 2 of 2" "$work/resume.log" || fail "the resumed run did not start in epoch 2"
same "$work/p1" "$work/stop" "stopped on 2 ranks, resumed on 1"

# 2b. and the other way: one process stopped mid-epoch (SIGTERM), resumed on two ranks
timeout "$timeout_s" "$single" "${train[@]}" --out "$work/stop1" > "$work/stop1.log" 2>&1 &
job=$!
wait_line "$work/stop1.log" "epoch 2/2: 25%"
kill -TERM "$job"
wait "$job" && fail "the stopped one-process run exited 0" || true
job=""
grep -q "stopped at epoch 2" "$work/stop1.log" || fail "the stopped one-process run saved no mid-epoch checkpoint"
timeout "$timeout_s" "${mpirun[@]}" "$mpi" train lenet5 --distributed --resume --threads 1 --out "$work/stop1" > "$work/resume2.log" 2>&1 \
    || fail "resuming the one-process checkpoint on 2 ranks failed"
grep -q "resuming .* at epoch 2 of 2" "$work/resume2.log" || fail "the 2-rank resumed run did not start in epoch 2"
same "$work/p1" "$work/stop1" "stopped in 1 process, resumed on 2 ranks"

# 3. a rank killed mid-epoch: the run ends, with a message naming it, well before the timeout
timeout "$timeout_s" "${mpirun[@]}" "$mpi" "${train[@]}" --out "$work/kill" > "$work/kill.log" 2>&1 &
job=$!
wait_line "$work/kill.log" "epoch 1/2: 25%"
kill -KILL "$(rank_pid "$work/kill.log" 1)"
killed_at=$(date +%s)
set +e
wait "$job"; rc=$?
set -e
job=""
((rc != 0)) || fail "the run with a killed rank exited 0"
((rc != 124)) || fail "the run with a killed rank hung until the timeout"
grep -Eiq "rank 1 .*(exited on signal 9|killed)" "$work/kill.log" || fail "no message names the killed rank"
say "a killed rank ended the run in $(( $(date +%s) - killed_at )) s (exit $rc): $(grep -Ei 'rank 1 .*(signal 9|killed)' "$work/kill.log" | head -n 1)"
