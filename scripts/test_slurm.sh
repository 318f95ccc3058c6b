#!/usr/bin/env bash
# A real Slurm test: a one-node cluster on this machine (munged, slurmctld, slurmd from Debian's
# slurm-wlm and munge, configured in a temporary folder), the `quick` suite submitted as a 2-task
# job array with `cnnbench slurm quick --submit`, one task stopped mid-run with SIGTERM (as at a
# time limit) and the array submitted again, which resumes it; the model files are then compared
# with a local `cnnbench run quick`, weights and optimizer state bit for bit.
#
# Needs root on Linux (it installs packages and starts daemons); elsewhere it says so and exits 0.
# Everything it starts is stopped on exit, whatever happens; every wait is bounded.
# Environment: CNNBENCH (the binary, default .build/debug/cnnbench, built if missing),
# SLURM_TEST_TIMEOUT (seconds per wait, default 900), SLURM_TEST_PORT (slurmctld's port, default
# 6917; slurmd takes the next), SLURM_TEST_KEEP=1 (keep the temporary folder).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
started=$(date +%s)
export PATH="$PATH:/usr/sbin:/sbin"   # slurmctld, slurmd and munged live there
say() { echo "test_slurm: $*"; }
fail() { echo "test_slurm: FAILED: $*" >&2; exit 1; }

if [[ "$(uname -s)" != "Linux" || $(id -u) -ne 0 ]]; then
    say "skipped: needs root on Linux (it installs slurm-wlm and munge and starts their daemons)"
    exit 0
fi

missing=()
for p in slurm-wlm munge hdf5-tools; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    say "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends "${missing[@]}" >/dev/null
fi

cnnbench=${CNNBENCH:-$root/.build/debug/cnnbench}
if [[ ! -x "$cnnbench" ]]; then
    say "building cnnbench"
    swift build --product cnnbench
fi
timeout_s=${SLURM_TEST_TIMEOUT:-900}
port=${SLURM_TEST_PORT:-6917}
host=$(hostname -s)

work=$(mktemp -d /tmp/cnnbench-slurm.XXXXXX)
export SLURM_CONF=$work/slurm.conf
daemons=()     # pid files of what this script started, stopped in reverse order
local_pid=""
cleanup() {
    status=$?
    trap - EXIT INT TERM
    if [[ -f "$SLURM_CONF" ]] && command -v scancel >/dev/null; then
        timeout 10 scancel --user=root >/dev/null 2>&1 || true
    fi
    [[ -n "$local_pid" ]] && kill "$local_pid" 2>/dev/null || true
    for ((i = ${#daemons[@]} - 1; i >= 0; i--)); do
        pidfile=${daemons[i]}
        [[ -f "$pidfile" ]] || continue
        pid=$(cat "$pidfile")
        kill "$pid" 2>/dev/null || continue
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        kill -9 "$pid" 2>/dev/null || true
    done
    if ((status != 0)); then
        for log in "$work"/*.log "$work"/slurm/slurm/*.out; do
            [[ -f "$log" ]] && { echo "---- $log (last lines)"; tail -n 25 "$log"; }
        done
    fi
    if [[ "${SLURM_TEST_KEEP:-0}" == 1 ]]; then say "kept $work"; else rm -rf "$work"; fi
    say "$( ((status == 0)) && echo passed || echo failed) in $(( $(date +%s) - started )) s"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_for SECONDS WHAT COMMAND...: waits until the command succeeds, at most SECONDS.
wait_for() {
    local limit=$1 what=$2; shift 2
    local deadline=$(( $(date +%s) + limit ))
    until "$@" >/dev/null 2>&1; do
        (( $(date +%s) < deadline )) || fail "timed out after ${limit} s waiting for $what"
        sleep 2
    done
}

# --- munge: its own key, socket and files in the temporary folder
dd if=/dev/urandom of="$work/munge.key" bs=1024 count=1 status=none
chmod 400 "$work/munge.key"
mkdir -p "$work/state" "$work/spool"
chmod 700 "$work"
munged --force --key-file="$work/munge.key" --socket="$work/munge.sock" --pid-file="$work/munged.pid" \
       --log-file="$work/munged.log" --seed-file="$work/munged.seed"
daemons+=("$work/munged.pid")
wait_for 60 "munged" test -S "$work/munge.sock"

# --- a one-node cluster on localhost: no cgroups (containers rarely have them), no accounting
cat > "$SLURM_CONF" <<EOF
ClusterName=cnnbench-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$work/munge.sock
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmdParameters=config_overrides
ReturnToService=2
MinJobAge=3600
KillWait=30
NodeName=$host NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld -f "$SLURM_CONF"
daemons+=("$work/slurmctld.pid")
wait_for 60 "slurmctld" scontrol ping
slurmd -f "$SLURM_CONF" -N "$host"
daemons+=("$work/slurmd.pid")
wait_for 120 "the node to come up" bash -c "sinfo -h -N -o %t | grep -Eq '^(idle|mix|alloc)'"
say "cluster up: $(sinfo -h -o '%P %D node(s) %t')"

# --- the local reference, alongside the cluster's run
"$cnnbench" run quick --out "$work/local" --no-report --threads 1 > "$work/local.log" 2>&1 &
local_pid=$!

job_state() { scontrol show job "$1" -o 2>/dev/null | grep -o 'JobState=[A-Z_]*' | sort -u | cut -d= -f2 | paste -sd, -; }
jobs_done() {  # every job id given has left the queue (or is kept only as finished)
    for id in "$@"; do
        squeue -h -j "$id" -t PENDING,RUNNING,CONFIGURING,COMPLETING,SUSPENDED 2>/dev/null | grep -q . && return 1
    done
    return 0
}
submit() {
    "$cnnbench" slurm quick --nodes 2 --cpus-per-task 1 --time 30:00 --out "$work/slurm" --submit | tee "$work/submit.log"
    array=$(sed -n 's/^array job: //p' "$work/submit.log")
    collect=$(sed -n 's/^collect job: //p' "$work/submit.log")
    [[ -n "$array" && -n "$collect" ]] || fail "cnnbench slurm --submit printed no job ids"
}

# --- first submission; LeNet-5 (run 1, task 1) is stopped by SIGTERM mid-run, as at a time limit
submit
wait_for "$timeout_s" "LeNet-5 to start under Slurm" test -f "$work/slurm/lenet5-mnist/running.json"
sleep 15
scancel --batch --signal=TERM "${array}_1" || true
wait_for "$timeout_s" "the first array to end" jobs_done "$array" "$collect"
say "first array: $(job_state "$array"); collecting job: $(job_state "$collect")"
"$cnnbench" run quick --status --out "$work/slurm" | tee "$work/status1.log"
if grep -q "lenet5-mnist  interrupted" "$work/status1.log"; then
    interrupted=1
    [[ ! -f "$work/slurm/results.json" ]] || fail "the collecting job ran although a task failed"
else
    interrupted=0
    say "note: LeNet-5 finished before SIGTERM reached it; the resume below has nothing to continue"
fi

# --- second submission: resumes from the checkpoint, then collects
submit
wait_for "$timeout_s" "the second array and its collecting job" jobs_done "$array" "$collect"
say "second array: $(job_state "$array"); collecting job: $(job_state "$collect")"
[[ "$(job_state "$collect")" == COMPLETED ]] || fail "the collecting job did not complete"
if ((interrupted)); then
    grep -q "resuming at epoch" "$work/slurm/slurm/train-${array}_1.out" || fail "task 1 did not resume LeNet-5 from its checkpoint"
fi
"$cnnbench" run quick --status --out "$work/slurm" | tee "$work/status2.log"
grep -q "2 run(s): 2 finished" "$work/status2.log" || fail "not every run finished"
[[ -f "$work/slurm/results.json" && -f "$work/slurm/figures/E1-curves.png" ]] || fail "no results.json or figures from the collecting job"

# --- against the local run: model files the same, bit for bit, in weights and optimizer state
wait_for "$timeout_s" "the local reference run" bash -c "! kill -0 $local_pid"
wait "$local_pid" || { cat "$work/local.log"; fail "the local reference run failed"; }
local_pid=""
for run in lenet5-mnist logreg-mnist; do
    for group in /weights /optimizer; do
        h5diff -q "$work/local/$run/model.h5" "$work/slurm/$run/model.h5" "$group" "$group" \
            || fail "$run: $group differs between the Slurm run and the local run"
    done
    say "$run: weights and optimizer state bit-identical to the local run"
done
