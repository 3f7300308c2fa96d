#!/usr/bin/env bash
# A single-node SLURM (munged, slurmctld, slurmd from Debian's packages, no systemd) for the tests.
#   slurm_cluster.sh start DIR   start the daemons with all state, logs and pid files under DIR; wait until idle
#   slurm_cluster.sh stop DIR    stop them by the PIDs in DIR's pid files; remove the slurm.conf written by start
# Needs root. munge listens on its own socket and Slurm on its own ports, so a munge or Slurm already running
# here is left alone. slurm.conf has to be /etc/slurm/slurm.conf: the jobstep plugin drops SLURM_CONF before
# its inner srun. An existing slurm.conf that this script did not write is never touched (start fails).
set -euo pipefail

CONF=/etc/slurm/slurm.conf
MARKER="# written by tests/slurm_cluster.sh"

cmd=${1:?usage: slurm_cluster.sh start|stop DIR}
dir=$(realpath -m "${2:?usage: slurm_cluster.sh start|stop DIR}")

fail() {
    echo "slurm_cluster.sh: $*" >&2
    exit 1
}

stop_pid_file() {
    local file=$1 pid
    [ -s "$file" ] || return 0
    pid=$(cat "$file")
    kill "$pid" 2>/dev/null || return 0
    # The daemons clean up (slurmctld saves its state); a SIGKILL only after they had their chance.
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.2
    done
    kill -9 "$pid" 2>/dev/null || true
}

start() {
    [ "$(id -u)" -eq 0 ] || fail "must run as root (the daemons and /etc/slurm/slurm.conf)"
    if [ -e "$CONF" ] && ! grep -qxF "$MARKER" "$CONF"; then
        fail "$CONF exists and was not written by this script; not replacing a real SLURM configuration"
    fi
    mkdir -p "$dir"/{state,spool,log,run} /etc/slurm
    chmod 755 "$dir"

    # munge: its own key and socket. munged refuses keys and folders that others can write.
    mungekey --create --force --keyfile="$dir/munge.key"
    chmod 600 "$dir/munge.key"
    munged --force --socket="$dir/munge.socket" --key-file="$dir/munge.key" --pid-file="$dir/run/munged.pid" \
        --log-file="$dir/log/munged.log" --seed-file="$dir/munge.seed"
    munge --socket="$dir/munge.socket" -n | unmunge --socket="$dir/munge.socket" >/dev/null ||
        fail "munge does not work; see $dir/log/munged.log"

    local cpus mem
    # The machine's cores: nproc counts OMP_NUM_THREADS instead where it is set (as the tests' workers set it).
    cpus=$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc)
    mem=$(($(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 / 2))
    cat >"$CONF" <<EOF
$MARKER
ClusterName=testcluster
SlurmctldHost=localhost
SlurmctldPort=6917
SlurmdPort=6918
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge.socket
# No cgroups in containers: track processes by parent PID, no task binding.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
JobAcctGatherType=jobacct_gather/none
# No slurmdbd: sacct has nothing, so the executor queries squeue, which needs finished jobs kept >= 120 s
# (and the test reads the records of every job of its run).
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MinJobAge=3600
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF

    # -c: a fresh controller state, whatever a previous run left in DIR.
    slurmctld -c || fail "slurmctld did not start; see $dir/log/slurmctld.log"
    # -N: the node is called localhost whatever this machine's hostname is.
    slurmd -N localhost || fail "slurmd did not start; see $dir/log/slurmd.log"
    for _ in $(seq 60); do
        if [ "$(sinfo --noheader --nodes=localhost --format=%t 2>/dev/null)" = idle ]; then
            return 0
        fi
        sleep 0.5
    done
    sinfo >&2 || true
    fail "the node did not become idle; see $dir/log/slurmctld.log and $dir/log/slurmd.log"
}

stop() {
    stop_pid_file "$dir/run/slurmd.pid"
    stop_pid_file "$dir/run/slurmctld.pid"
    stop_pid_file "$dir/run/munged.pid"
    if [ -e "$CONF" ] && grep -qxF "$MARKER" "$CONF"; then
        rm "$CONF"
    fi
}

case "$cmd" in
start) start ;;
stop) stop ;;
*) fail "unknown command $cmd (start or stop)" ;;
esac
