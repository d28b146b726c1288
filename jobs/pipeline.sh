#!/usr/bin/env bash
# Submit every stage that is not done, of one parameter file or of a run
# manifest, as Slurm jobs chained with --dependency=afterok:
#   jobs/pipeline.sh <manifest.yml | params.yml> [sbatch options for every job...]
#
#   attr     one job array over the runs whose attr.h5 is to do or failed
#   modisco  per run, one job array over its tasks to do or failed (array
#            index = task; each job writes both metaclusters), after the run's
#            attr job
#   report   per run, after its modisco jobs, if this dmotif has the report command
#
# Running the same command again resubmits only what is missing or failed
# (dmotif plan lists the states; see dmotif status). Size each stage with
#   DM_ATTR_SBATCH="-N 2 --ntasks-per-node=32 --time=12:00:00"
#   DM_MODISCO_SBATCH="-n 16 --mem=16G"   DM_REPORT_SBATCH="-n 1"
# (default: one task each). DMOTIF and DM_LAUNCH as in jobs/lib.sh.
set -euo pipefail
DM_JOBS=$(cd "$(dirname "$0")" && pwd)
. "$DM_JOBS/lib.sh"
input=${1:?usage: jobs/pipeline.sh <manifest.yml | params.yml> [sbatch options...]}
shift
DMOTIF=$(dm_find_dmotif)
export DM_JOBS DMOTIF
[ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
plan=$("$DMOTIF" plan "$input") || { echo "pipeline: dmotif plan $input failed" >&2; exit 2; }
read -ra attr_opts <<< "${DM_ATTR_SBATCH:-}"
read -ra modisco_opts <<< "${DM_MODISCO_SBATCH:-}"
read -ra report_opts <<< "${DM_REPORT_SBATCH:-}"
report=0
"$DMOTIF" report --help > /dev/null 2>&1 && report=1

# the plan: run, directory, stage, task, state
declare -A dir attr_state modisco_todo modisco_all
runs=()
while IFS=$'\t' read -r run d stage task state; do
  [ -n "${dir[$run]:-}" ] || runs+=("$run")
  dir[$run]=$d
  if [ "$stage" = attr ]; then
    attr_state[$run]=$state
  else
    modisco_all[$run]+=${modisco_all[$run]:+,}$task
    case $state in "to do" | failed) modisco_todo[$run]+=${modisco_todo[$run]:+,}$task ;; esac
  fi
done <<< "$plan"
last_job() { awk -F'\t' -v s="$2" '$1 == s && $2 == "-1" { j = $3 } END { print j }' "$1/slurm_jobs.tsv" 2> /dev/null; }

# attr: one array over the runs to do
todo=()
for run in "${runs[@]}"; do
  case ${attr_state[$run]} in "to do" | failed) todo+=("$run") ;; esac
done
declare -A attr_job
if [ ${#todo[@]} -gt 0 ]; then
  dirs=()
  for run in "${todo[@]}"; do dirs+=("${dir[$run]}"); done
  id=$(sbatch --parsable --array=0-$((${#todo[@]} - 1)) --output="${dirs[0]}/../dmotif-attr-%A_%a.log" \
    "${attr_opts[@]}" "$@" "$DM_JOBS/attr.sh" --runs "${dirs[@]}")
  id=${id%%;*}
  for i in "${!todo[@]}"; do
    attr_job[${todo[$i]}]=${id}_$i
    dm_record "${dir[${todo[$i]}]}" attr -1 "${id}_$i"
  done
  echo "pipeline: attr: job array $id over ${#todo[@]} run(s): ${todo[*]}"
fi

for run in "${runs[@]}"; do
  d=${dir[$run]}
  # the attr job to wait for: submitted now, or still queued from before
  after=${attr_job[$run]:-}
  [ -z "$after" ] && [ "${attr_state[$run]}" = running ] && after=$(last_job "$d" attr)
  dep=()
  [ -n "$after" ] && dep=(--dependency=afterok:"$after" --kill-on-invalid-dep=yes)
  mid=
  if [ -n "${modisco_todo[$run]:-}" ]; then
    mid=$(sbatch --parsable --array="${modisco_todo[$run]}" --output="$d/dmotif-modisco-%A_%a.log" \
      "${dep[@]}" "${modisco_opts[@]}" "$@" "$DM_JOBS/modisco.sh" "$d/used_parameters.yml")
    mid=${mid%%;*}
    IFS=, read -ra ts <<< "${modisco_todo[$run]}"
    for t in "${ts[@]}"; do dm_record "$d" modisco "$t" "${mid}_$t"; done
    echo "pipeline: $run: modisco: job array $mid, tasks ${modisco_todo[$run]}${after:+, after $after}"
  fi
  if [ "$report" -eq 1 ] && { [ -n "$mid" ] || [ -n "$after" ]; }; then
    rdep=(--dependency=afterok:"${mid:-$after}" --kill-on-invalid-dep=yes)
    rid=$(sbatch --parsable --output="$d/dmotif-report-%j.log" "${rdep[@]}" "${report_opts[@]}" "$@" \
      "$DM_JOBS/report.sh" "$d")
    dm_record "$d" report -1 "${rid%%;*}"
    echo "pipeline: $run: report: job ${rid%%;*}"
  fi
done
[ ${#todo[@]} -gt 0 ] || [ -n "${modisco_todo[*]:-}" ] || echo "pipeline: nothing to submit: every stage is done or running"
