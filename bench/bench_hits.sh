#!/bin/bash
# dmotif hits benchmark: a synthetic case of N regions x 1000 bp x 30 patterns,
# on 1 and 2 ranks, both methods. tools/dm_synth plants GATA, TAL1 and AP-1
# (5 instances per row) into N rows; dmotif modisco on the first M rows of the
# same seed (rows depend only on seed and index, so they are the first M rows
# of the big file) finds their 3 patterns; 10 copies of that modisco.h5 give
# 30 patterns (the cost of a fit or scan depends on the number and widths of
# the patterns, not on what they look like; copies split each hit's
# coefficient and are all reported). Prints, per method and rank count, the
# wall time of the run, hits, hits/s, rows/s, the speed-up over 1 rank, and
# rows per CPU second of all ranks (the figure least disturbed by other load);
# and the precision and recall of the 1-rank finemo hits against the planted
# instances (tools/modisco_eval --hits).
#
#   bench/bench_hits.sh [build_dir=build] [N=10000] [M=500] [ranks="1 2"]
# Env: MPIEXEC (default mpiexec), WORK (default a fresh /tmp directory, removed).
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$src/build}" && pwd)
n=${2:-10000}
m=${3:-500}
ranks=${4:-1 2}
dmotif=$build/src/app/dmotif
synth=$build/tools/dm_synth
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
mpiexec=${MPIEXEC:-mpiexec}
work=${WORK:-$(mktemp -d /tmp/dm_bench_hits.XXXXXX)}
[ -n "${WORK:-}" ] || trap 'rm -rf "$work"' EXIT
mkdir -p "$work" && cd "$work"

echo "machine: $(nproc) cores, $(uptime | sed 's/.*load/load/')"
"$synth" -n "$n" -l 1000 -m 5 -s 1 -o synth.h5 -t truth.tsv -e sim.tsv 2> synth.log
"$synth" -n "$m" -l 1000 -m 5 -s 1 -o sub.h5 -t sub_truth.tsv 2> sub.log
$mpiexec --oversubscribe -n 2 "$dmotif" modisco -q -P Input:attr=sub.h5 -P Output:file=m.h5
list=""
for i in 0 1 2 3 4 5 6 7 8 9; do
  cp m.h5 m_$i.h5
  list="$list${list:+,}m_$i.h5"
done
echo "input: $n rows of 1000 bp, 30 patterns (10 copies of the 3 that modisco found in the first $m rows)"
printf '%-7s %5s %9s %9s %10s %9s %8s %10s\n' method ranks "wall s" hits "hits/s" "rows/s" speedup "rows/CPU s"
for method in finemo scan; do
  base=""
  for np in $ranks; do
    start=$(date +%s.%N)
    $mpiexec --oversubscribe -n "$np" "$dmotif" hits -P Input:attr=synth.h5 -P Input:modisco="$list" \
      -P Hits:method=$method -P Output:dir=$method$np -P Output:overwrite=true > $method$np.log 2>&1 ||
      { echo "dmotif hits failed, see $work/$method$np.log"; tail -5 $method$np.log; exit 1; }
    wall=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
    hits=$(grep -o '[0-9]* hits in' $method$np.log | cut -d' ' -f1)
    cpu=$(grep -o 'CPU time: [0-9.]* s' $method$np.log | cut -d' ' -f3)
    [ -n "$base" ] || base=$wall
    awk -v m=$method -v np="$np" -v w="$wall" -v h="$hits" -v n="$n" -v b="$base" -v c="$cpu" \
      'BEGIN { printf "%-7s %5d %9.1f %9d %10.0f %9.1f %8.2f %10.1f\n", m, np, w, h, h / w, n / w, b / w, n / c }'
  done
done
if [ -x "$build"/tests/modisco_eval ]; then
  first=${ranks%% *}
  echo "finemo, $first rank(s), against the planted instances:"
  "$build"/tests/modisco_eval --hits finemo$first sim.tsv 3 | grep '^motif' | sed 's/^/  /'
fi
