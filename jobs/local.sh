#!/usr/bin/env bash
# Run one dmotif stage on this machine with mpirun and keep its log.
#   jobs/local.sh <command> <params.yml> [ranks] [extra dmotif options...]
# e.g. jobs/local.sh attr my_attr.yml 2 -P Output:file=attr.h5
# Parameters live in the YAML file (see config/<command>.yml), never here.
set -euo pipefail
cmd=${1:?usage: jobs/local.sh <command> <params.yml> [ranks] [options...]}
params=${2:?usage: jobs/local.sh <command> <params.yml> [ranks] [options...]}
ranks=${3:-2}
shift $(( $# < 3 ? $# : 3 ))
here=$(cd "$(dirname "$0")/.." && pwd)
dmotif=${DMOTIF:-$here/build/src/app/dmotif}
[ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
log="dmotif_${cmd}_$(date +%Y%m%d_%H%M%S).log"
mpirun --oversubscribe -n "$ranks" "$dmotif" "$cmd" -p "$params" "$@" 2>&1 | tee "$log"
exit "${PIPESTATUS[0]}"
