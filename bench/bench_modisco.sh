#!/bin/bash
# Stage-2 benchmark: `dmotif modisco` on synthetic planted-motif inputs made by
# tools/dm_synth with about 5k, 20k and 50k seqlets (2 planted motifs per
# 200-bp row, of which about 0.885 seqlet each comes out, so N = seqlets / 1.77
# rows; Seqlets:max_seqlets is raised to the target so that no metacluster is
# capped). Prints, per input, the seqlets
# found and the seconds and peak RSS (largest rank) of every step, parsed from
# the "step <name>: <s> s, peak RSS <MiB> MiB" lines of the modisco log, and
# (if build/tests/modisco_eval exists) how well the patterns recover the
# planted motifs: per motif, recall of its instances and precision of the
# seqlets of the patterns assigned to it.
#
#   bench/bench_modisco.sh [build_dir=build] [seqlet targets="5000 20000 50000"] [ranks=1]
# Env: MPIEXEC (default mpiexec), WORK (default a fresh /tmp directory, removed).
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$src/build}" && pwd)
targets=${2:-5000 20000 50000}
np=${3:-1}
dmotif=$build/src/app/dmotif
synth=$build/tools/dm_synth
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
mpiexec=${MPIEXEC:-mpiexec}
if ! "$dmotif" --help 2>&1 | grep -q '^  modisco '; then
  echo "bench_modisco: $dmotif has no modisco command" >&2
  exit 1
fi
work=${WORK:-$(mktemp -d /tmp/dm_bench_modisco.XXXXXX)}
[ -n "${WORK:-}" ] || trap 'rm -rf "$work"' EXIT
mkdir -p "$work" && cd "$work"

echo "machine: $(nproc) cores, $(uptime | sed 's/.*load/load/'); $np rank(s)"
for t in $targets; do
  n=$((t * 100 / 177))
  "$synth" -n $n -l 200 -m 2 -s 1 -o synth_$t.h5 -t truth_$t.tsv -e sim_$t.tsv 2> synth_$t.log
  start=$(date +%s.%N)
  $mpiexec --oversubscribe -n "$np" "$dmotif" modisco -P Input:attr=synth_$t.h5 -P Input:task=0 \
    -P Output:file=modisco_$t.h5 -P Output:overwrite=true -P Seqlets:max_seqlets=$t > modisco_$t.log 2>&1 ||
    { echo "dmotif modisco failed on $t seqlets, see $work/modisco_$t.log"; tail -5 modisco_$t.log; continue; }
  wall=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
  found=$(grep -o 'seqlets: [0-9]* found' modisco_$t.log | head -1 | cut -d' ' -f2)
  echo
  echo "target $t seqlets: $n rows of 200 bp, $found seqlets found, wall $wall s"
  grep -o 'wrote .*patterns' modisco_$t.log | sed 's/^/  /'
  printf '  %-40s %10s %14s\n' step seconds "peak RSS MiB"
  grep -o 'step .*: [0-9.]* s, peak RSS [0-9.]* MiB' modisco_$t.log |
    sed 's/^step \(.*\): \([0-9.]*\) s, peak RSS \([0-9.]*\) MiB$/\1\t\2\t\3/' > steps_$t.tsv
  awk -F'\t' '{ printf "  %-40s %10s %14s\n", $1, $2, $3 }' steps_$t.tsv
  # seconds summed by the kind of step (the last word of its name), in order of first appearance
  awk -F'\t' '{ n = split($1, w, " "); k = w[n]; if (!(k in s)) o[++m] = k; s[k] += $2 }
    END { printf "  by kind:"; for (i = 1; i <= m; i++) printf " %s %.1f", o[i], s[o[i]]; print "" }' steps_$t.tsv
  grep -o 'peak RSS: .*' modisco_$t.log | tail -1 | sed 's/^/  run summary: /'
  if [ -x "$build"/tests/modisco_eval ]; then
    "$build"/tests/modisco_eval modisco_$t.h5 sim_$t.tsv 3 | grep '^motif' | sed 's/^/  /'
  fi
done
