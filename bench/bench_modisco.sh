#!/bin/bash
# Stage-2 benchmark: `dmotif modisco` on synthetic planted-motif inputs made by
# tools/dm_synth (2 planted motifs per 200-bp row; with the default seqlet
# settings, those of lite's `modisco motifs`, about 2.58 seqlets come out of
# each row, so N = seqlets / 2.58 rows; Seqlets:max_seqlets is
# raised to the target so that no metacluster is capped), on each given
# number of ranks. Prints, per input and rank count, the seqlets found, the
# yield of every step (seqlets left after the correlation filter, round 2,
# merging, the final filters), and per step the wall seconds, the CPU seconds
# of the busiest and of the least busy rank, the peak RSS of the busiest rank
# and how much of it node-shared arrays (held once per node) were at most,
# parsed from the "step <name>: <s> s, peak RSS <MiB> MiB (node-shared arrays
# at most <MiB> MiB of it), cpu <s> s (least busy rank <s> s)" lines of the
# modisco log; with several rank
# counts, the speed-up of every step from the fewest to the most (by wall and
# by CPU of the busiest rank: the CPU figure is the one least disturbed by
# other load). With build/tests/modisco_eval, also how well the patterns
# recover the planted motifs (per motif: recall of its instances, precision of
# the seqlets of the patterns assigned to it).
#
#   bench/bench_modisco.sh [build_dir=build] [seqlet targets="5000 20000 50000"] [ranks="1"]
# Env: MPIEXEC (default mpiexec), WORK (default a fresh /tmp directory, removed),
#      EXTRA (more -P options for dmotif modisco).
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$src/build}" && pwd)
targets=${2:-5000 20000 50000}
ranks=${3:-1}
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

echo "machine: $(nproc) cores, $(uptime | sed 's/.*load/load/'); ranks: $ranks"
for t in $targets; do
  n=$((t * 100 / 258))
  [ -f synth_$t.h5 ] || "$synth" -n $n -l 200 -m 2 -s 1 -o synth_$t.h5 -t truth_$t.tsv -e sim_$t.tsv 2> synth_$t.log
  for np in $ranks; do
    out=${t}_np$np
    start=$(date +%s.%N)
    # shellcheck disable=SC2086
    $mpiexec --oversubscribe -n "$np" "$dmotif" modisco -P Input:attr=synth_$t.h5 -P Input:task=0 \
      -P Output:file=modisco_$out.h5 -P Output:overwrite=true -P Seqlets:max_seqlets=$t ${EXTRA:-} \
      > modisco_$out.log 2>&1 ||
      { echo "dmotif modisco failed on $t seqlets, $np ranks, see $work/modisco_$out.log"; tail -5 modisco_$out.log; continue; }
    wall=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
    found=$(grep -o 'seqlets: [0-9]* found' modisco_$out.log | head -1 | cut -d' ' -f2)
    echo
    echo "target $t seqlets, $np rank(s): $n rows of 200 bp, $found seqlets found, wall $wall s" \
      "($(uptime | sed 's/.*load/load/'))"
    grep -o 'wrote .*patterns' modisco_$out.log | sed 's/^/  /'
    grep -o '[a-z]* yield: .*' modisco_$out.log | sed 's/^/  /'
    # name, wall, peak RSS, cpu, least busy cpu, node-shared MiB (of the peak RSS)
    grep -o 'step .*: [0-9.]* s, peak RSS [0-9.]* MiB (node-shared arrays at most [0-9.]* MiB of it), cpu [0-9.]* s (least busy rank [0-9.]* s)' modisco_$out.log |
      sed 's/^step \(.*\): \([0-9.]*\) s, peak RSS \([0-9.]*\) MiB (node-shared arrays at most \([0-9.]*\) MiB of it), cpu \([0-9.]*\) s (least busy rank \([0-9.]*\) s)$/\1\t\2\t\3\t\5\t\6\t\4/' > steps_$out.tsv
    printf '  %-40s %10s %10s %14s %14s %14s\n' step "wall s" "cpu s" "least busy s" "peak RSS MiB" "node-shared"
    awk -F'\t' '{ printf "  %-40s %10s %10s %14s %14s %14s\n", $1, $2, $4, $5, $3, $6 }' steps_$out.tsv
    # seconds summed by the kind of step (the last word of its name), in order of first appearance
    awk -F'\t' '{ n = split($1, w, " "); k = w[n]; if (!(k in s)) o[++m] = k; s[k] += $2; c[k] += $4 }
      END { printf "  by kind (wall/cpu s):"; for (i = 1; i <= m; i++) printf " %s %.1f/%.1f", o[i], s[o[i]], c[o[i]]; print "" }' steps_$out.tsv
    grep -o 'peak RSS: .*' modisco_$out.log | tail -1 | sed 's/^/  run summary: /'
    if [ -x "$build"/tests/modisco_eval ]; then
      "$build"/tests/modisco_eval modisco_$out.h5 sim_$t.tsv 3 | grep '^motif' | sed 's/^/  /'
    fi
  done
  first=$(printf '%s\n' $ranks | sort -n | head -1) # speed-up from the fewest to the most ranks
  last=$(printf '%s\n' $ranks | sort -n | tail -1)
  if [ "$first" != "$last" ] && [ -f steps_${t}_np$first.tsv ] && [ -f steps_${t}_np$last.tsv ]; then
    echo
    echo "target $t: speed-up $first -> $last ranks (same modisco.h5: $(h5diff -q --exclude-attribute / modisco_${t}_np$first.h5 \
      modisco_${t}_np$last.h5 > /dev/null 2>&1 && echo yes || echo NO))"
    printf '  %-40s %12s %12s %14s\n' step "wall x" "cpu x" "RSS MiB $first/$last"
    paste steps_${t}_np$first.tsv steps_${t}_np$last.tsv |
      awk -F'\t' '{ printf "  %-40s %12.2f %12.2f %14s\n", $1, $2 / ($8 > 0 ? $8 : 1e-9), $4 / ($10 > 0 ? $10 : 1e-9), $3 "/" $9 }'
  fi
done
