#!/bin/bash
# Graph-model benchmark: build/tests/bench_graph (dmotif on a ChromBPNet-size
# model: DeepLIFT with 10 references and IG sequences/s, GFLOP/s against
# plain sgemm of the same shapes, gradient of the counts head), then the same
# gradient work in PyTorch on the CPU (bench/torch_grad.py, Debian's
# python3-torch), both on one thread, in this one run: the gradient is timed
# `rounds` times alternating dmotif and PyTorch, and the best of each (the
# least disturbed by other load) gives the ratio dmotif / PyTorch.
#
#   bench/bench_graph.sh [build_dir=build] [deeplift_seqs=2] [grad_batch=8] [repeats=3] [rounds=3]
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$src/build}" && pwd)
n=${2:-2} batch=${3:-8} rep=${4:-3} rounds=${5:-3}
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
echo "machine: $(getconf _NPROCESSORS_ONLN) cores, $(uptime | sed 's/.*load/load/')"
out=$(mktemp /tmp/dm_bench_graph.XXXXXX)
trap 'rm -f "$out"' EXIT
"$build"/tests/bench_graph "$n" 10 50 "$batch" "$rep"
dm=0 pt=0
for _ in $(seq "$rounds"); do
  "$build"/tests/bench_graph 0 10 50 "$batch" "$rep" | tee "$out" | grep '^gradient'
  dm=$(awk -v b="$dm" '/^grad_seqs_per_s/ {print ($2 > b ? $2 : b)}' "$out")
  /usr/bin/python3 "$src"/bench/torch_grad.py "$batch" "$rep" | tee "$out" | grep '^torch '
  pt=$(awk -v b="$pt" '/^torch_grad_seqs_per_s/ {print ($2 > b ? $2 : b)}' "$out")
done
awk -v a="$dm" -v b="$pt" 'BEGIN { printf "gradient of counts, best of the rounds: dmotif %.2f seq/s, PyTorch %.2f seq/s: %.2fx\n", a, b, a / b }'
