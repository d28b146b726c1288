#!/usr/bin/env bash
# The report of a run, as a Slurm job (jobs/pipeline.sh submits it after the
# run's modisco jobs when this dmotif has the report command):
#   sbatch jobs/report.sh <run dir>
#SBATCH --job-name=dmotif-report
#SBATCH --output=dmotif-report-%j.log
#SBATCH --open-mode=append
#SBATCH --requeue
set -uo pipefail
DM_JOBS=${DM_JOBS:-$(cd "$(dirname "$0")" && pwd)}
[ -f "$DM_JOBS/lib.sh" ] || DM_JOBS=$(dirname "$(scontrol show job -o "$SLURM_JOB_ID" | grep -o 'Command=[^ ]*' | cut -d= -f2)")
. "$DM_JOBS/lib.sh"
dir=$(cd "${1:?usage: sbatch jobs/report.sh <run dir>}" && pwd)
files=$(ls "$dir"/modisco_task*.h5 | paste -sd,)
dm_run_stage report -P "Input:modisco=$files" -P "Input:attr=$dir/attr.h5" -P "Output:dir=$dir/report" \
  -P Output:overwrite=true >> "$dir/report.log" 2>&1
