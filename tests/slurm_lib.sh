# A one-node Slurm for the tests (sourced): munged, slurmctld and slurmd run
# in the foreground as background processes of the test, with their own
# configuration, state, ports and munge socket under $SLURM_DIR; no systemd.
#   slurm_start <dir>   install slurm-wlm and munge if missing, start, wait
#                       until the node is idle; returns 1 (after printing the
#                       daemons' logs) if Slurm cannot start
#   slurm_stop          stop the daemons by PID (also from an EXIT trap)
# Needs root (the daemons run as root, and so do the jobs).
SLURM_PIDS=()

slurm_stop() {
  local pid
  for pid in "${SLURM_PIDS[@]}"; do kill "$pid" 2> /dev/null; done
  for pid in "${SLURM_PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2> /dev/null
  done
  SLURM_PIDS=()
}

slurm_logs() {
  local f
  for f in "$SLURM_DIR"/log/*.log; do echo "--- $f"; tail -20 "$f"; done
}

slurm_start() {
  SLURM_DIR=$1
  local host cpus=2 mem port
  if ! command -v slurmctld > /dev/null || ! command -v munged > /dev/null; then
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq \
      --no-install-recommends slurm-wlm munge > /dev/null || { echo "cannot install slurm-wlm and munge"; return 1; }
  fi
  host=$(hostname -s)
  mem=$(awk '/MemTotal/ { print int($2 / 1024 / 2) }' /proc/meminfo)
  port=$((20000 + RANDOM % 20000))
  rm -rf "$SLURM_DIR" && mkdir -p "$SLURM_DIR"/{state,spool,log,munge} && chmod 700 "$SLURM_DIR"/munge
  cat > "$SLURM_DIR/slurm.conf" << EOC
ClusterName=dmtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SLURM_DIR/munge/munge.sock,cred_expire=5
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$SLURM_DIR/state
SlurmdSpoolDir=$SLURM_DIR/spool
SlurmctldPidFile=$SLURM_DIR/slurmctld.pid
SlurmdPidFile=$SLURM_DIR/slurmd.pid
SlurmctldLogFile=$SLURM_DIR/log/slurmctld.log
SlurmdLogFile=$SLURM_DIR/log/slurmd.log
MpiDefault=pmix
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
DefMemPerCPU=1000
SchedulerType=sched/backfill
SchedulerParameters=bf_interval=1,sched_interval=2
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
ReturnToService=2
MessageTimeout=30
KillWait=5
MinJobAge=300
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
EOC
  export SLURM_CONF=$SLURM_DIR/slurm.conf
  dd if=/dev/urandom of="$SLURM_DIR/munge/munge.key" bs=1024 count=1 status=none && chmod 400 "$SLURM_DIR/munge/munge.key"
  munged -F --force --socket="$SLURM_DIR/munge/munge.sock" --key-file="$SLURM_DIR/munge/munge.key" \
    --pid-file="$SLURM_DIR/munge/munged.pid" --log-file="$SLURM_DIR/log/munged.log" \
    --seed-file="$SLURM_DIR/munge/seed" > "$SLURM_DIR/log/munged.out.log" 2>&1 &
  SLURM_PIDS+=($!)
  for _ in $(seq 50); do [ -S "$SLURM_DIR/munge/munge.sock" ] && break; sleep 0.1; done
  slurmctld -D -f "$SLURM_CONF" > "$SLURM_DIR/log/slurmctld.out.log" 2>&1 &
  SLURM_PIDS+=($!)
  slurmd -D -f "$SLURM_CONF" > "$SLURM_DIR/log/slurmd.out.log" 2>&1 &
  SLURM_PIDS+=($!)
  for _ in $(seq 120); do
    if sinfo -h -o '%t' 2> /dev/null | grep -q '^idle'; then return 0; fi
    sleep 0.5
  done
  echo "Slurm did not start: node not idle within 60 s"
  slurm_logs
  return 1
}
