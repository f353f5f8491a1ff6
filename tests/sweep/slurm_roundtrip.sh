#!/usr/bin/env bash
# The Slurm round trip of a sweep (docs/sweeps.md, "On a cluster"), through a real Slurm on localhost:
# starts its own munged, slurmctld and slurmd in a temporary directory (own key, socket, ports, state and
# spool; a system munge or Slurm is left alone), emits a small sweep with `sparsim sweep --emit-jobs`,
# submits the job array script with sbatch, follows it with squeue until it is gone, checks every array
# task completed with exit code 0, collects, and compares results.csv with a local `sparsim sweep` of the
# same file. Then it deletes one finished run, re-submits the whole array, and checks that only that run is
# redone. The daemons are always stopped at the end.
#
#   bash tests/sweep/slurm_roundtrip.sh build/sparsim     (ctest: sweep_slurm_roundtrip)
#
# Exit status 0 passed, 1 failed, 77 skipped: the machine cannot run Slurm here (not root, slurm-wlm or
# munge not installed, or a daemon does not come up); the reason is printed. SPARSIM_REQUIRE_SLURM=1 turns
# a skip into a failure. SPARSIM_KEEP_SLURM_DIR=1 keeps the temporary directory (always kept on failure).
set -uo pipefail

sparsim=${1:?usage: slurm_roundtrip.sh PATH/TO/sparsim}
sparsim=$(readlink -f "$sparsim")
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
started=$(date +%s)

say() { echo "slurm_roundtrip: $*" >&2; }
skip() {
  if [ "${SPARSIM_REQUIRE_SLURM:-0}" = 1 ]; then
    say "FAILED (SPARSIM_REQUIRE_SLURM=1): cannot run Slurm here: $*"
    exit 1
  fi
  say "SKIPPED: cannot run Slurm here: $*"
  exit 77
}

[ -x "$sparsim" ] || { say "FAILED: no sparsim binary at $sparsim"; exit 1; }
[ "$(id -u)" = 0 ] || skip "needs root (slurmd starts each job as its user, munged and slurmd as root here)"
for tool in munged munge slurmctld slurmd sbatch squeue scontrol scancel sinfo; do
  command -v "$tool" >/dev/null || skip "$tool is not installed (Debian packages slurm-wlm and munge: scripts/setup.sh)"
done
command -v /usr/bin/python3 >/dev/null || skip "needs /usr/bin/python3 to find free ports"

# Everything lives here. munged wants every directory above its socket searchable by all.
tmp=$(mktemp -d /tmp/sparsim-slurm.XXXXXX)
chmod 755 "$tmp"
mkdir -p "$tmp/munge" "$tmp/state" "$tmp/spool" "$tmp/log"
export SLURM_CONF="$tmp/slurm.conf"

ctld_pid="" slurmd_pid="" job_ids=() result=1
cleanup() {
  local rc=$?
  [ "$result" = 0 ] || [ "$rc" = 77 ] || rc=1
  for id in "${job_ids[@]}"; do scancel "$id" >/dev/null 2>&1; done
  # slurmd first (its jobs' slurmstepd end with their jobs), then the controller, then munged; each by the
  # process id this script started, SIGTERM then SIGKILL after 10 s.
  for pid in $slurmd_pid $ctld_pid $(cat "$tmp/munge/munged.pid" 2>/dev/null); do
    kill -TERM "$pid" 2>/dev/null || continue
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
  done
  wait 2>/dev/null
  if [ "$rc" = 1 ] || [ "${SPARSIM_KEEP_SLURM_DIR:-0}" = 1 ]; then
    say "kept $tmp (slurm.conf, log/, the sweep under 'sweep out/')"
  else
    rm -rf "$tmp"
  fi
  say "$(case $rc in 0) echo passed;; 77) echo skipped;; *) echo FAILED;; esac) in $(($(date +%s) - started)) s"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

fail() {
  say "FAILED: $*"
  for f in "$tmp"/log/*.log "$tmp"/munge/munged.log; do
    [ -f "$f" ] && { echo "--- $f (last 15 lines)" >&2; tail -n 15 "$f" >&2; }
  done
  exit 1
}
# Prints the daemons' logs and skips: the machine does not run them (or fails, with SPARSIM_REQUIRE_SLURM=1).
daemon_skip() {
  for f in "$tmp"/log/*.log "$tmp"/munge/munged.log; do
    [ -f "$f" ] && { echo "--- $f (last 15 lines)" >&2; tail -n 15 "$f" >&2; }
  done
  skip "$*"
}

# munge, with its own key and socket.
head -c 1024 /dev/urandom >"$tmp/munge/munge.key"
chmod 400 "$tmp/munge/munge.key"
munged --socket="$tmp/munge/socket" --key-file="$tmp/munge/munge.key" --pid-file="$tmp/munge/munged.pid" \
  --log-file="$tmp/munge/munged.log" --seed-file="$tmp/munge/munged.seed" 2>"$tmp/munge/start.err" ||
  daemon_skip "munged does not start: $(cat "$tmp/munge/start.err")"
munge -n -S "$tmp/munge/socket" | unmunge -S "$tmp/munge/socket" >/dev/null 2>&1 ||
  daemon_skip "munged started but does not encode and decode a credential"

# slurm.conf: one node (this host, all its CPUs), one partition, no accounting, free ports.
host=$(hostname -s)
read -r ctld_port slurmd_port < <(/usr/bin/python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("", 0))
print(*[x.getsockname()[1] for x in s])')
cat >"$SLURM_CONF" <<EOF
ClusterName=sparsimtest
SlurmctldHost=$host
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$tmp/munge/socket
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
ReturnToService=2
MinJobAge=600
MailProg=/bin/true
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
SlurmdParameters=config_overrides
NodeName=$host CPUs=$(nproc) State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF

slurmctld -D -i -f "$SLURM_CONF" >"$tmp/log/slurmctld.out" 2>&1 &
ctld_pid=$!
slurmd -D -f "$SLURM_CONF" >"$tmp/log/slurmd.out" 2>&1 &
slurmd_pid=$!
state=""
for _ in $(seq 300); do
  kill -0 "$ctld_pid" 2>/dev/null || daemon_skip "slurmctld exited at start: $(tail -n 3 "$tmp/log/slurmctld.out")"
  kill -0 "$slurmd_pid" 2>/dev/null || daemon_skip "slurmd exited at start: $(tail -n 3 "$tmp/log/slurmd.out")"
  state=$(sinfo -h -n "$host" -o %T 2>/dev/null)
  [ "$state" = idle ] && break
  sleep 0.1
done
[ "$state" = idle ] || daemon_skip "node $host is not idle 30 s after slurmd started (state '$state'; $(sinfo -h -R 2>&1))"
say "Slurm up: slurmctld port $ctld_port, slurmd port $slurmd_port, node $host ($(nproc) CPUs) after $(($(date +%s) - started)) s"

# A small sweep: three N:M points on one ResNet-18 layer, fast mode, and a sweep baseline per point (six
# runs, so six array tasks). The output directory has a space in its name, as real paths sometimes do.
out="$tmp/sweep out"
cat >"$tmp/sweep.yaml" <<EOF
name: slurm-roundtrip
base: $source_dir/configs/sat-resnet18.yaml
set:
  workload.layers: layer1.0.conv1
  workload.batch: 1
  workload.sparsity.n: 1
  run.mode: fast
axes:
  - key: workload.sparsity.m
    values: [2, 4, 8]
baselines:
  rows16: {accelerator.array.rows: 16}
EOF
"$sparsim" sweep "$tmp/sweep.yaml" --out "$out" --emit-jobs "$tmp/jobs.txt" >"$tmp/emit.out" 2>&1 ||
  fail "sweep --emit-jobs: $(cat "$tmp/emit.out")"
runs=$(wc -l <"$tmp/jobs.txt")
[ "$runs" = 6 ] || fail "expected 6 runs in jobs.txt, found $runs"

# Submitted from a directory other than the sweep's, as one would on a login node.
mkdir "$tmp/submit"
cd "$tmp/submit" || fail "cd $tmp/submit"
# Sets $job to the array job's id.
submit() {
  job=$(sbatch --parsable "$tmp/jobs.slurm" 2>"$tmp/sbatch.err") || fail "sbatch: $(cat "$tmp/sbatch.err")"
  job=${job%%;*}
  job_ids+=("$job")
}
# Waits until the queue is empty, then checks every task of array job $1 completed with exit code 0; $2
# tasks expected. Both submissions together get 5 minutes, well inside ctest's timeout of 600 s (a test
# killed by ctest could not stop its daemons).
deadline=$(($(date +%s) + 300))
follow() {
  local id=$1 tasks=$2 queue=""
  while :; do
    queue=$(squeue -h -o '%i %T' 2>&1) || fail "squeue: $queue"
    [ -z "$queue" ] && break
    [ "$(date +%s)" -ge "$deadline" ] && fail "job array $id still queued after 5 minutes: $queue"
    sleep 0.1
  done
  scontrol show job "$id" >"$tmp/job.txt" 2>&1 || fail "scontrol show job $id: $(cat "$tmp/job.txt")"
  local completed
  completed=$(grep -c 'JobState=COMPLETED' "$tmp/job.txt")
  [ "$completed" = "$tasks" ] || fail "$completed of $tasks array tasks COMPLETED: $(grep -E 'JobId|JobState|ExitCode' "$tmp/job.txt")"
  [ "$(grep -c 'ExitCode=0:0' "$tmp/job.txt")" = "$tasks" ] || fail "an array task exited non-zero: $(cat "$tmp/job.txt")"
}
count_runs() { find "$out/points" -mindepth 1 -maxdepth 1 -type d ! -name '.*' | wc -l; }

[ "$(count_runs)" = 0 ] || fail "emitting ran something"
t0=$(date +%s)
submit
follow "$job" "$runs"
say "job array $job: $runs tasks completed in $(($(date +%s) - t0)) s"
[ "$(count_runs)" = "$runs" ] || fail "$(count_runs) of $runs runs finished under Slurm"
# Slurm wrote each task's output where the script's --output says, and the task ran its own line in the
# sweep directory.
for i in $(seq "$runs"); do
  f="$out/logs/slurm-${job}_$i.out"
  [ -f "$f" ] || fail "no Slurm output file $f: $(ls "$out/logs" "$tmp" "$tmp/submit")"
  grep -qF "task $i on $(hostname) in $out: $(sed -n "${i}p" "$tmp/jobs.txt")" "$f" || fail "$f: $(cat "$f")"
done

"$sparsim" sweep --collect "$out" >"$tmp/collect.out" 2>&1 || fail "sweep --collect: $(cat "$tmp/collect.out")"
[ "$(grep -c ',ok,' "$out/results.csv")" = 3 ] || fail "results.csv has not 3 ok rows: $(cat "$out/results.csv")"
"$sparsim" sweep "$tmp/sweep.yaml" --jobs 2 --out "$tmp/local" >"$tmp/local.out" 2>&1 ||
  fail "local sweep: $(cat "$tmp/local.out")"
cmp -s "$out/results.csv" "$tmp/local/results.csv" ||
  fail "results.csv under Slurm differs from the local sweep: $(diff "$out/results.csv" "$tmp/local/results.csv")"

# Re-submitting after a lost run: finished runs are skipped by the points themselves, the lost one is redone.
lost=$(sed -n 2p "$out/results.csv" | cut -d, -f2)
[ -d "$out/points/$lost" ] || fail "no run $lost in $out/points"
kept=$(find "$out/points" -mindepth 2 -maxdepth 2 -name report.json ! -path "*/$lost/*" -printf '%p %T@\n' | sort)
rm -rf "${out:?}/points/$lost"
rm -f "$out/results.csv"
submit
follow "$job" "$runs"
[ -f "$out/points/$lost/report.json" ] || fail "re-submitted array did not redo run $lost"
now=$(find "$out/points" -mindepth 2 -maxdepth 2 -name report.json ! -path "*/$lost/*" -printf '%p %T@\n' | sort)
[ "$now" = "$kept" ] || fail "re-submitted array rewrote finished runs"
grep -q "is already finished" "$out/logs/$(sed -n 3p "$tmp/local/results.csv" | cut -d, -f2).log" ||
  fail "a finished run's log does not say it was skipped"
"$sparsim" sweep --collect "$out" >"$tmp/collect.out" 2>&1 || fail "second --collect: $(cat "$tmp/collect.out")"
cmp -s "$out/results.csv" "$tmp/local/results.csv" || fail "results.csv after the re-submission differs"
result=0
