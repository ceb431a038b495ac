#!/usr/bin/env bash
# A private single-node Slurm cluster on loopback, from Debian's packages (slurmctld, slurmd,
# slurm-client, munge), for `make deploy-check`. No systemd, no accounting, no cgroups:
# ProctrackType=proctrack/linuxproc, TaskPlugin=task/none.
#
#   Tests/Deploy/slurm_cluster.sh up DIR     # start munged, slurmctld, slurmd; wait for the node
#   Tests/Deploy/slurm_cluster.sh down DIR   # stop them (by their pid files in DIR), wait for exit
#
# Everything lives in DIR: slurm.conf, the munge key and socket, state, spool, logs, pid files.
# Clients find the cluster with SLURM_CONF=DIR/slurm.conf (DIR/env says so: `. DIR/env`).
# Ports (override for a second cluster on the same machine): SLURMCTLD_PORT (default 5417),
# SLURMD_PORT (5418). The node is this host (hostname -s) at 127.0.0.1 with all of its CPUs
# and RealMemory = 3/4 of its memory, in partition `debug`.
set -euo pipefail
cmd=${1:?usage: slurm_cluster.sh up|down DIR}
dir=${2:?usage: slurm_cluster.sh up|down DIR}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

pids() { for f in slurmd.pid slurmctld.pid munge/munged.pid; do [ -s "$dir/$f" ] && echo "$(cat "$dir/$f")"; done; true; }

stop() {
  local p
  for p in $(pids); do kill "$p" 2>/dev/null || true; done
  for _ in $(seq 1 100); do
    local alive=0
    for p in $(pids); do kill -0 "$p" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  for p in $(pids); do kill -0 "$p" 2>/dev/null && { echo "slurm_cluster: pid $p outlived SIGTERM, killed" >&2; kill -9 "$p" 2>/dev/null || true; }; done
  rm -f "$dir/slurmd.pid" "$dir/slurmctld.pid" "$dir/munge/munged.pid"
}

case "$cmd" in
down) stop; echo "slurm_cluster: stopped ($dir)" >&2; exit 0 ;;
up) ;;
*) echo "usage: slurm_cluster.sh up|down DIR" >&2; exit 2 ;;
esac

for b in munged slurmctld slurmd sbatch; do
  command -v "$b" >/dev/null || { echo "slurm_cluster: $b not found (apt-get install munge slurmctld slurmd slurm-client)" >&2; exit 1; }
done
stop   # a cluster left over in DIR
host=$(hostname -s)
cpus=$(nproc)
mem=$(( $(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo) * 3 / 4 ))
ctld_port=${SLURMCTLD_PORT:-5417}
slurmd_port=${SLURMD_PORT:-5418}
mkdir -p "$dir/munge" "$dir/ctld" "$dir/spool"
chmod 700 "$dir/munge"

# munge: a fresh key, its own socket, pid and seed files
[ -s "$dir/munge/munge.key" ] || { dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none; chmod 400 "$dir/munge/munge.key"; }
munged --force --socket="$dir/munge/munge.socket" --key-file="$dir/munge/munge.key" \
  --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed"

cat > "$dir/slurm.conf" <<CONF
# written by Tests/Deploy/slurm_cluster.sh
ClusterName=mtasts-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/ctld
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
SwitchType=switch/none
ReturnToService=2
KillWait=30
MinJobAge=3600
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
echo "export SLURM_CONF=$dir/slurm.conf" > "$dir/env"
export SLURM_CONF=$dir/slurm.conf

slurmctld -f "$SLURM_CONF" -c
slurmd -f "$SLURM_CONF"
for _ in $(seq 1 300); do
  state=$(sinfo -h -N -o '%T' 2>/dev/null | head -1 || true)
  if [ "$state" = idle ]; then
    echo "slurm_cluster: up in $dir (node $host, $cpus CPUs, ${mem} MB; slurmctld :$ctld_port, slurmd :$slurmd_port)" >&2
    exit 0
  fi
  sleep 0.2
done
echo "slurm_cluster: the node did not become idle (state '${state:-?}'; see $dir/slurmctld.log, slurmd.log)" >&2
stop
exit 1
