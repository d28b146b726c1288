#!/usr/bin/env bash
# Stage 1 (attribution) as a Slurm job. Size it on the command line:
#   sbatch -N 2 --ntasks-per-node=32 --time=12:00:00 jobs/attr.sh <params.yml> [dmotif options...]
# jobs/pipeline.sh submits it as an array over runs:
#   sbatch --array=0-<k-1> jobs/attr.sh --runs <run dir>... (element i: run i's used_parameters.yml)
# A requeued or resubmitted job resumes (Output:resume, the default).
#SBATCH --job-name=dmotif-attr
#SBATCH --output=dmotif-attr-%j.log
#SBATCH --open-mode=append
#SBATCH --requeue
#SBATCH --signal=B:USR1@120
set -uo pipefail
DM_JOBS=${DM_JOBS:-$(cd "$(dirname "$0")" && pwd)}
[ -f "$DM_JOBS/lib.sh" ] || DM_JOBS=$(dirname "$(scontrol show job -o "$SLURM_JOB_ID" | grep -o 'Command=[^ ]*' | cut -d= -f2)")
. "$DM_JOBS/lib.sh"
# Site modules, if needed (adapt): module load openmpi hdf5/openmpi gsl openblas
if [ "${1:-}" = --runs ]; then
  shift
  dirs=("$@")
  dir=${dirs[${SLURM_ARRAY_TASK_ID:?--runs needs a job array}]}
  dm_run_stage attr -p "$dir/used_parameters.yml" >> "$dir/attr.log" 2>&1
else
  params=${1:?usage: sbatch jobs/attr.sh <params.yml> [dmotif options...]}
  shift
  dm_run_stage attr -p "$params" "$@"
fi
