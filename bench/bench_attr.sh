#!/bin/bash
# Stage-1 benchmark: `dmotif attr` on the deeplift example as config/example_attr.yml
# runs it (8000 sequences of 200 bp, DeepLIFT genomics default, 10
# dinucleotide-shuffled references, all 3 tasks) with 1 and with 2 ranks, then
# the kernel benchmark build/tests/bench_attr.
# Prints rows/s (from the run's last progress line), wall and CPU seconds, peak RSS of
# every rank (/usr/bin/time), rows per CPU second of all ranks together (less
# sensitive to a busy machine) and the 2-rank / 1-rank throughput ratio.
#
#   bench/bench_attr.sh [build_dir=build] [rows=8000]
# Env: MPIEXEC (default mpiexec), WORK (default a fresh /tmp directory, removed).
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$src/build}" && pwd)
rows=${2:-8000}
dmotif=$build/src/app/dmotif
ex=$src/tests/data/deeplift_example
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
mpiexec=${MPIEXEC:-mpiexec}
work=${WORK:-$(mktemp -d /tmp/dm_bench_attr.XXXXXX)}
[ -n "${WORK:-}" ] || trap 'rm -rf "$work"' EXIT
mkdir -p "$work" && cd "$work"
zcat "$ex"/sequences.simdata.gz | head -$((rows + 1)) > seqs.tsv

echo "machine: $(nproc) cores, $(uptime | sed 's/.*load/load/')"
printf '%-6s %8s %8s %8s %12s %s\n' ranks "wall s" "CPU s" "rows/s" "rows/CPU-s" "peak RSS per rank (MiB)"
declare -A rate
for np in 1 2; do
  # the example's parameter file names its paths relative to config/
  (cd "$src" && $mpiexec --oversubscribe -n $np sh -c \
    '/usr/bin/time -o "$2/rss_np$1_r$OMPI_COMM_WORLD_RANK" -f "%M" "$0" attr -p config/example_attr.yml \
       -P Input:sequences="$2"/seqs.tsv -P Output:file="$2"/attr_np$1.h5 -P Output:overwrite=true \
       -P Log:progress_seconds=100000' \
    "$dmotif" $np "$work") > run_np$np.log 2>&1
  rate[$np]=$(grep -o '[0-9.]* rows/s' run_np$np.log | tail -1 | cut -d' ' -f1)
  wall=$(grep -o 'wall time: [0-9.]*' run_np$np.log | tail -1 | cut -d' ' -f3)
  cpu=$(grep -o 'CPU time: [0-9.]*' run_np$np.log | tail -1 | cut -d' ' -f3)
  # one file per rank: the ranks' stderr lines can interleave in the log
  rss=$(for f in rss_np${np}_r*; do echo "${f##*_r} $(tail -1 "$f")"; done | sort -n |
    awk '{ s = s (NR > 1 ? ", " : "") sprintf("r%s %.1f", $1, $2 / 1024) } END { print s }')
  printf '%-6s %8s %8s %8s %12.1f %s\n' $np "$wall" "$cpu" "${rate[$np]}" "$(awk -v r="$rows" -v c="$cpu" 'BEGIN { print r / c }')" "$rss"
done
awk -v a="${rate[1]}" -v b="${rate[2]}" 'BEGIN { printf "scaling (2-rank rows/s over 1-rank): %.2f\n", b / a }'
echo "after: $(uptime | sed 's/.*load/load/')"
echo "kernel: $build/tests/bench_attr"
"$build"/tests/bench_attr | sed 's/^/  /'
