#!/bin/bash
# Variant-scoring benchmark: `dmotif variants` on a genome made of the 8000
# example sequences back to back (1.6 Mb) with N random SNVs (default
# 200000), the example model, 1 and 2 ranks. Prints variants/s (from the
# run's last progress line), wall seconds, the achieved GFLOP/s of the model's
# conv/dense work (2 windows per variant) and the 2-rank / 1-rank ratio, then
# the plain cblas_sgemm GFLOP/s on the model's shapes from bench_attr, measured
# in the same run, for the ratio to sgemm.
#
#   bench/bench_variants.sh [build_dir=build] [n_snvs=200000]
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$src/build}" && pwd)
n=${2:-200000}
dmotif=$build/src/app/dmotif
ex=$src/tests/data/deeplift_example
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
mpiexec=${MPIEXEC:-mpiexec}
work=${WORK:-$(mktemp -d /tmp/dm_bench_variants.XXXXXX)}
[ -n "${WORK:-}" ] || trap 'rm -rf "$work"' EXIT
mkdir -p "$work" && cd "$work"
zcat "$ex"/sequences.simdata.gz | awk -F'\t' -v n="$n" '
  NR > 1 { seq = seq $2 }
  END {
    print ">chr1" > "genome.fa"; for (j = 1; j <= length(seq); j += 60) print substr(seq, j, 60) > "genome.fa"
    print "##fileformat=VCFv4.2\n##contig=<ID=chr1>\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO" > "snvs.vcf"
    # sorted positions with random gaps, as in a real VCF
    srand(1); L = length(seq); gap = (L - 202) / n; p = 101
    for (i = 0; i < n; i++) { p += 1 + int(rand() * (2 * gap - 1)); if (p > L - 101) p = L - 101
      b = substr(seq, p, 1); a = b == "A" ? "G" : "A"
      printf "chr1\t%d\t.\t%s\t%s\t.\t.\t.\n", p, b, a > "snvs.vcf" } }'
echo "machine: $(nproc) cores, $(uptime | sed 's/.*load/load/'); $n SNVs"
printf '%-6s %8s %12s %10s\n' ranks "wall s" "variants/s" "GFLOP/s"
declare -A rate
for np in 1 2; do
  $mpiexec --oversubscribe -n $np "$dmotif" variants -P Input:vcf=snvs.vcf -P Input:genome=genome.fa \
    -P Model:file="$ex"/keras2_conv1d_record_5_model_PQzyq_modelJson.json \
    -P Model:weights="$ex"/keras2_conv1d_record_5_model_PQzyq_modelWeights.h5 \
    -P Output:file=v_np$np.h5 -P Output:overwrite=true -P Log:progress_seconds=100000 > run_np$np.log 2>&1
  rate[$np]=$(grep -o '[0-9.]* variants/s' run_np$np.log | tail -1 | cut -d' ' -f1)
  mflop=$(grep -o '[0-9.]* MFLOP per allele' run_np$np.log | head -1 | cut -d' ' -f1)
  wall=$(grep -o 'wall time: [0-9.]*' run_np$np.log | tail -1 | cut -d' ' -f3)
  printf '%-6s %8s %12s %10.1f\n' $np "$wall" "${rate[$np]}" "$(awk -v r="${rate[$np]}" -v m="$mflop" 'BEGIN { print r * m / 1000 }')"
done
awk -v a="${rate[1]}" -v b="${rate[2]}" 'BEGIN { printf "scaling (2-rank variants/s over 1-rank): %.2f\n", b / a }'
echo "plain sgemm on the model's shapes (bench_attr, same machine, now):"
"$build"/tests/bench_attr 10 10 5 | grep GFLOP | sed 's/^/  /'
