# Shared by the job scripts (sourced). Finds dmotif, picks the MPI launcher,
# and runs a stage so that a signal before the time limit ends it cleanly.
#
#   DMOTIF     the dmotif program; else <prefix>/bin/dmotif next to an
#              installed <prefix>/share/dmotif/jobs, the build tree of this
#              source tree (build/src/app/dmotif), or dmotif on PATH
#   DM_LAUNCH  the MPI launcher, e.g. "srun --mpi=pmi2"; by default
#              "srun --mpi=pmix" when Slurm offers PMIx (srun --mpi=list),
#              else mpirun inside the allocation (it reads the allocation
#              from Slurm); outside Slurm "mpirun -n ${DM_RANKS:-2}"

# The directory of the job scripts: $0's, or, in a batch job (Slurm runs a
# copy of the script), the directory of the script that was submitted.
dm_jobs_dir() {
  local d
  d=$(cd "$(dirname "$0")" && pwd)
  if [ ! -f "$d/lib.sh" ] && [ -n "${SLURM_JOB_ID:-}" ]; then
    d=$(dirname "$(scontrol show job -o "$SLURM_JOB_ID" | grep -o 'Command=[^ ]*' | cut -d= -f2)")
  fi
  echo "$d"
}

dm_find_dmotif() {
  local jobs=${DM_JOBS:-$(dm_jobs_dir)} c
  if [ -n "${DMOTIF:-}" ]; then echo "$DMOTIF"; return; fi
  for c in "$jobs/../../../bin/dmotif" "$jobs/../build/src/app/dmotif"; do
    if [ -x "$c" ]; then readlink -f "$c"; return; fi
  done
  if command -v dmotif > /dev/null; then command -v dmotif; return; fi
  echo "dmotif not found (not installed next to $jobs, no build tree, not on PATH): set DMOTIF=/path/to/dmotif" >&2
  return 1
}

dm_launcher() {
  if [ -n "${DM_LAUNCH:-}" ]; then
    echo "$DM_LAUNCH"
  elif [ -n "${SLURM_JOB_ID:-}" ] && srun --mpi=list 2>&1 | grep -qw pmix; then
    echo "srun --mpi=pmix"
  elif [ -n "${SLURM_JOB_ID:-}" ]; then
    echo "mpirun"
  else
    echo "mpirun -n ${DM_RANKS:-2}"
  fi
}

# dm_run_stage <dmotif arguments...>: run dmotif on the job's tasks.
# SIGUSR1 (sbatch --signal=B:USR1@120, before the time limit) and SIGTERM
# (scancel) are passed on as SIGUSR1: dmotif attr finishes its chunks in
# flight, records them and exits with 75. After SIGUSR1 the job requeues
# itself, so that it resumes; after SIGTERM (a cancel) it ends with 75.
dm_run_stage() {
  local launch dmotif pid rc requeue=0
  launch=$(dm_launcher)
  dmotif=$(dm_find_dmotif) || return 1
  [ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
  export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
  local job=${SLURM_ARRAY_JOB_ID:+${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID:-}}
  job=${job:-${SLURM_JOB_ID:-(no Slurm)}}
  echo "dmotif job $job on $(hostname -s) at $(date -u +%FT%TZ): $launch $dmotif $*"
  $launch "$dmotif" "$@" &
  pid=$!
  trap 'requeue=1; kill -USR1 $pid 2> /dev/null' USR1
  trap 'kill -USR1 $pid 2> /dev/null' TERM
  while :; do
    wait "$pid"
    rc=$?
    kill -0 "$pid" 2> /dev/null || break # wait was cut short by a trapped signal
  done
  trap - USR1 TERM
  echo "dmotif job $job: exit code $rc at $(date -u +%FT%TZ)"
  if [ "$rc" -eq 75 ] && [ "$requeue" -eq 1 ] && [ -n "${SLURM_JOB_ID:-}" ]; then
    echo "dmotif job $job stopped before its time limit with its finished work kept: requeued to resume"
    scontrol requeue "$job"
  fi
  return "$rc"
}

# dm_record <run dir> <stage> <task or -1> <job id>: note a submitted job in
# the run's slurm_jobs.tsv (read by dmotif status).
dm_record() {
  printf '%s\t%s\t%s\t%s\n' "$2" "$3" "$4" "$(date -u +%FT%TZ)" >> "$1/slurm_jobs.tsv"
}
