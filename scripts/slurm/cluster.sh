#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, for trying and testing the
# sweep's job-array scripts without a real cluster.
#
#   scripts/slurm/cluster.sh up     [DIR]   start munged, slurmctld and slurmd
#   scripts/slurm/cluster.sh status [DIR]   say whether they run (exit 0 up, 1 not)
#   scripts/slurm/cluster.sh down   [DIR]   stop them and remove DIR
#
# Everything lives in DIR (default ${TMPDIR:-/tmp}/dirtybench-slurm): slurm.conf,
# munged's key, socket and seed, Slurm's state, spool, logs and pid files, and
# env.sh, which a client sources (`. DIR/env.sh`) to reach this cluster with
# sbatch/squeue/scontrol/scancel. No accounting daemon: squeue, scontrol and
# sbatch --wait only. Needs Debian's slurm-wlm and munge
# (apt-get install slurm-wlm munge) and root, as slurmd does.
#
# The daemons run in the foreground of a background process, so $! is their
# PID; `pids` records them, and `down` stops exactly those (checking each PID
# still runs a command naming DIR, so a reused PID is never signalled). `up`
# on a running cluster leaves it alone; `up` after an unclean stop (daemons
# killed, machine rebooted) stops what is left and starts afresh.
set -euo pipefail
# The daemons live in sbin, which a user's PATH may lack.
PATH=$PATH:/usr/sbin:/sbin

usage() {
  echo "usage: $0 up|down|status [DIR]" >&2
  exit 2
}
[ $# -ge 1 ] && [ $# -le 2 ] || usage
action=$1
dir=${2:-${TMPDIR:-/tmp}/dirtybench-slurm}
case $dir in /*) ;; *) dir=$PWD/$dir ;; esac
dir=${dir%/}
conf=$dir/slurm.conf
# Marks DIR as this script's, so that `down` (which removes DIR) never touches
# a directory it did not make.
marker=$dir/.dirtybench-slurm-cluster
daemons=(munged slurmctld slurmd)

# Refuse a DIR that exists, is not empty and was not made by this script.
check_ours() {
  if [ -e "$dir" ] && [ ! -e "$marker" ] && [ -n "$(ls -A "$dir" 2>/dev/null || echo x)" ]; then
    echo "cluster.sh: $dir exists and is not a cluster made by cluster.sh; give a new or empty directory" >&2
    exit 2
  fi
}

# PID of daemon $1 as recorded by `up`, if it still runs a command naming $dir.
live_pid() {
  local pid
  pid=$(sed -n "s/^$1 //p" "$dir/pids" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF -- "$dir/" || return 1
  echo "$pid"
}

# Processes of this cluster's jobs that outlived slurmd: a slurmstepd, or a
# job's own process, carrying this cluster's SLURM_CONF (the daemons are
# started with it and jobs inherit it). A shell that merely sourced env.sh has
# SLURM_CONF but no SLURM_JOB_ID, and is left alone.
job_pids() {
  local f p
  for f in $(grep -lzxF "SLURM_CONF=$conf" /proc/[0-9]*/environ 2>/dev/null); do
    p=${f#/proc/}
    p=${p%/environ}
    [ "$p" = $$ ] && continue
    if tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline" | grep -q '^slurmstepd' ||
      grep -qz '^SLURM_JOB_ID=' "/proc/$p/environ" 2>/dev/null; then
      echo "$p"
    fi
  done
}

# Wait up to $2 tenths of a second for PID $1 to exit.
wait_gone() {
  local i
  for ((i = 0; i < $2; i++)); do
    [ -e "/proc/$1" ] || return 0
    # A zombie has exited; init, its parent since `up` returned, reaps it.
    [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ] && return 0
    sleep 0.1
  done
  return 1
}

stop() {
  local name pid pids=() left
  [ -e "$marker" ] || return 0
  # Cancel jobs first, while slurmctld can still tell slurmd to kill their steps.
  if live_pid slurmctld >/dev/null && live_pid slurmd >/dev/null; then
    local jobs
    jobs=$(SLURM_CONF=$conf timeout 5 squeue -h -o %A 2>/dev/null || true)
    if [ -n "$jobs" ]; then
      # shellcheck disable=SC2086
      SLURM_CONF=$conf timeout 5 scancel $jobs 2>/dev/null || true
      for _ in $(seq 50); do
        [ -z "$(SLURM_CONF=$conf timeout 5 squeue -h -t R,CG -o %A 2>/dev/null || true)" ] && break
        sleep 0.1
      done
    fi
  fi
  # slurmd and slurmctld before munged: they need it to say goodbye.
  for name in slurmd slurmctld munged; do
    if pid=$(live_pid "$name"); then
      kill -TERM "$pid" 2>/dev/null || true
      wait_gone "$pid" 50 || kill -KILL "$pid" 2>/dev/null || true
      pids+=("$pid")
    fi
  done
  left=$(job_pids)
  if [ -n "$left" ]; then
    # shellcheck disable=SC2086
    kill -KILL $left 2>/dev/null || true
  fi
  for pid in "${pids[@]}"; do wait_gone "$pid" 20 || true; done
  rm -rf "$dir"
}

# True when all three recorded daemons run and slurmctld answers.
healthy() {
  local name
  for name in "${daemons[@]}"; do live_pid "$name" >/dev/null || return 1; done
  SLURM_CONF=$conf timeout 5 scontrol ping 2>/dev/null | grep -q 'is UP'
}

# Two TCP ports nobody listens on, from the unprivileged range.
free_ports() {
  local used port n=0
  used=$(ss -Htln 2>/dev/null | awk '{n = split($4, a, ":"); print a[n]}')
  while [ $n -lt 2 ]; do
    port=$((20000 + RANDOM % 40000))
    grep -qx "$port" <<<"$used" && continue
    used+=$'\n'$port
    echo "$port"
    n=$((n + 1))
  done
}

write_conf() {
  local host cpus mem user ports
  host=$(hostname -s)
  cpus=$(nproc)
  mem=$(awk '/^MemTotal:/ {print int($2 / 1024)}' /proc/meminfo)
  user=$(id -un)
  mapfile -t ports < <(free_ports)
  : >"$dir/plugstack.conf"
  cat >"$conf" <<EOF
# Written by scripts/slurm/cluster.sh: a single-node cluster for dirtybench's tests.
ClusterName=dirtybench
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=${ports[0]}
SlurmdPort=${ports[1]}
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
CredType=cred/munge
# A requeued job waits cred_expire seconds before it starts again (120 by default, 5 at least).
AuthInfo=socket=$dir/munge/munge.socket,cred_expire=10
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
# Consider pending jobs every second, so a requeued job starts as soon as it may.
SchedulerParameters=sched_interval=1,bf_interval=1
MailProg=/bin/true
PlugStackConfig=$dir/plugstack.conf
MpiDefault=none
SwitchType=switch/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
# The node as this machine is, taken on trust (no hardware check that could drain it).
SlurmdParameters=config_overrides
ReturnToService=2
# Cancelled jobs get SIGKILL 2 s after SIGTERM; finished jobs stay visible to scontrol for 10 min.
KillWait=2
MinJobAge=600
InactiveLimit=0
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=local Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
  cat >"$dir/env.sh" <<EOF
# Source this to use the cluster of $dir: sbatch, squeue, scontrol, scancel.
export SLURM_CONF=$conf
# Slurm finds munged through AuthInfo in slurm.conf; munge/unmunge take --socket.
export MUNGE_SOCKET=$dir/munge/munge.socket
EOF
}

# Run "$@" in the background with SLURM_CONF set, record its PID as daemon $1.
launch() {
  local name=$1
  shift
  SLURM_CONF=$conf setsid "$@" </dev/null >>"$dir/log/$name.out" 2>&1 &
  echo "$name $!" >>"$dir/pids"
}

start() {
  local t0 i
  t0=$(date +%s%N)
  for cmd in munged mungekey slurmctld slurmd scontrol; do
    command -v "$cmd" >/dev/null || {
      echo "cluster.sh: $cmd not found; install Debian's slurm-wlm and munge (apt-get install slurm-wlm munge)" >&2
      exit 1
    }
  done
  if [ -e "$marker" ]; then
    if healthy; then
      echo "cluster.sh: already up in $dir; . $dir/env.sh"
      return 0
    fi
    echo "cluster.sh: $dir holds a cluster that is not (fully) running; stopping what is left and starting afresh" >&2
    stop
  fi
  # Whatever stops this before the node is up stops what it started.
  trap 'echo "cluster.sh: up failed; stopping what it started" >&2; stop' EXIT
  # munged wants its directories writable by their owner only; the key is 0600.
  mkdir -p "$dir"
  chmod 755 "$dir"
  : >"$marker"
  mkdir -p "$dir/munge" "$dir/state" "$dir/spool" "$dir/log" "$dir/run"
  chmod 755 "$dir/munge"
  : >"$dir/pids"
  write_conf
  mungekey --create --keyfile="$dir/munge/munge.key" >/dev/null
  launch munged munged --foreground --force --socket="$dir/munge/munge.socket" \
    --key-file="$dir/munge/munge.key" --pid-file="$dir/munge/munged.pid" \
    --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed"
  for ((i = 0; i < 100; i++)); do
    [ -S "$dir/munge/munge.socket" ] && break
    sleep 0.05
  done
  launch slurmctld slurmctld -D -i -f "$conf"
  launch slurmd slurmd -D -f "$conf" -N "$(hostname -s)"
  # Up when the node takes jobs: slurmctld answers and the node is idle.
  for ((i = 0; i < 300; i++)); do
    if SLURM_CONF=$conf timeout 5 scontrol show node -o 2>/dev/null | grep -q 'State=IDLE '; then
      trap - EXIT
      echo "cluster.sh: up in $dir after $((($(date +%s%N) - t0) / 1000000)) ms; . $dir/env.sh"
      return 0
    fi
    for name in "${daemons[@]}"; do
      live_pid "$name" >/dev/null || {
        echo "cluster.sh: $name exited while starting; its log:" >&2
        tail -n 20 "$dir/log/$name.out" "$dir/log/$name.log" "$dir/munge/$name.log" >&2 2>/dev/null || true
        exit 1
      }
    done
    sleep 0.1
  done
  echo "cluster.sh: the node did not become idle within 30 s; slurmd's log:" >&2
  tail -n 20 "$dir/log/slurmd.log" "$dir/log/slurmctld.log" >&2 || true
  exit 1
}

case $action in
up | down | status) check_ours ;;
*) usage ;;
esac
case $action in
up) start ;;
down)
  t0=$(date +%s%N)
  stop
  echo "cluster.sh: down after $((($(date +%s%N) - t0) / 1000000)) ms"
  ;;
status)
  if [ -e "$marker" ] && healthy; then
    for name in "${daemons[@]}"; do echo "$name $(live_pid "$name")"; done
    SLURM_CONF=$conf scontrol show node -o | grep -o 'State=[^ ]*'
    echo ". $dir/env.sh"
  else
    echo "cluster.sh: no cluster running in $dir"
    exit 1
  fi
  ;;
*) usage ;;
esac
