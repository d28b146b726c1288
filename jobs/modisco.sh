#!/usr/bin/env bash
# Stage 2 (motif discovery) as a Slurm job. Size it on the command line:
#   sbatch -n 16 --mem=16G --time=4:00:00 jobs/modisco.sh <params.yml> [dmotif options...]
# As a job array, the array index is the task: element t runs
#   -P Input:task=t -P Output:file=<params dir>/modisco_task<t>.h5
# (jobs/pipeline.sh submits it so, one array per run, after the run's attr job).
# Each job writes both metaclusters (positive and negative patterns) of its task.
#SBATCH --job-name=dmotif-modisco
#SBATCH --output=dmotif-modisco-%A_%a.log
#SBATCH --open-mode=append
#SBATCH --requeue
set -uo pipefail
DM_JOBS=${DM_JOBS:-$(cd "$(dirname "$0")" && pwd)}
[ -f "$DM_JOBS/lib.sh" ] || DM_JOBS=$(dirname "$(scontrol show job -o "$SLURM_JOB_ID" | grep -o 'Command=[^ ]*' | cut -d= -f2)")
. "$DM_JOBS/lib.sh"
# Site modules, if needed (adapt): module load openmpi hdf5/openmpi gsl openblas igraph
params=${1:?usage: sbatch jobs/modisco.sh <params.yml> [dmotif options...]}
shift
if [ -n "${SLURM_ARRAY_TASK_ID:-}" ]; then
  dir=$(cd "$(dirname "$params")" && pwd)
  t=$SLURM_ARRAY_TASK_ID
  dm_run_stage modisco -p "$params" -P "Input:task=$t" -P "Output:file=$dir/modisco_task$t.h5" "$@" \
    >> "$dir/modisco_task$t.log" 2>&1
else
  dm_run_stage modisco -p "$params" "$@"
fi
