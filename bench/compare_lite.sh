#!/bin/bash
# dmotif modisco against tfmodisco-lite on identical inputs: each task of an
# attr.h5 is exported (`dmotif export`, centred hyp) and given to lite's
# `modisco motifs -n 20000 -w <L>` (its command-line defaults otherwise) and to
# `dmotif modisco` on the same .npy files with its defaults (lite's CLI ones).
# Prints per task the seqlets each calls (lite's -v line, dmotif's log), the
# wall time of each, the pattern table of bench/compare_lite.py (CWM cosine
# matching and the fidelity goals) and, with a sequences file carrying planted
# motifs, the recall and precision of both by build/tests/modisco_eval.
#
#   bench/compare_lite.sh <attr.h5> <lite source dir> [tasks="0 1 2"] [simdata=tests/data/deeplift_example/sequences.simdata.gz]
# Env: BUILD (default build), NP (dmotif ranks, default 1), MPIEXEC
# (default mpiexec), WORK (default a fresh /tmp directory, kept), PYTHON
# (default /usr/bin/python3: needs numpy, scipy, numba, sklearn, igraph,
# leidenalg, h5py, hdf5plugin, pandas, matplotlib, e.g. from Debian's python3-*
# packages). lite's `logomaker` and `memelite` imports (report only) are
# stubbed in $WORK.
#
# The lite source: a checkout of jmschrei/tfmodisco-lite (2.4.0 measured).
# Lite runs on one thread (NUMBA_NUM_THREADS=1) and takes minutes per task.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
attr=$(realpath "$1")
lite=$(realpath "$2")
tasks=${3:-0 1 2}
simdata=$(realpath "${4:-$src/tests/data/deeplift_example/sequences.simdata.gz}")
build=$(cd "${BUILD:-$src/build}" && pwd)
np=${NP:-1}
py=${PYTHON:-/usr/bin/python3}
dmotif=$build/src/app/dmotif
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
export NUMBA_NUM_THREADS=1 OMP_NUM_THREADS=1
work=${WORK:-$(mktemp -d /tmp/dm_compare_lite.XXXXXX)}
mkdir -p "$work/stub/logomaker" "$work/stub/memelite" && cd "$work"
: > stub/logomaker/__init__.py
echo 'def tomtom(*a, **k): raise NotImplementedError("stub")' > stub/memelite/__init__.py
echo 'def read_meme(*a, **k): raise NotImplementedError("stub")' > stub/memelite/io.py
export PYTHONPATH=$work/stub:$lite
echo "machine: $(getconf _NPROCESSORS_ONLN) cores, $(uptime | sed 's/.*load/load/'); dmotif on $np rank(s); work in $work"

secs() { awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN { printf "%.0f", e - s }'; }
for t in $tasks; do
  rm -rf task$t lite$t.h5 dmotif$t.h5
  "$dmotif" export -q -P Input:attr="$attr" -P Input:task=$t -P Output:dir=task$t -P Output:format=npy
  ln -sf task$t/onehot.npy ohe$t.npy && ln -sf task$t/hyp.npy hyp$t.npy
  len=$("$py" -c "import numpy; print(numpy.load('ohe$t.npy', mmap_mode='r').shape[2])")
  start=$(date +%s.%N)
  "$py" "$lite/modisco" motifs -s ohe$t.npy -a hyp$t.npy -n 20000 -w "$len" -o lite$t.h5 -v > lite$t.log 2>&1 ||
    { echo "task $t: lite failed, see $work/lite$t.log"; continue; }
  lite_s=$(secs "$start")
  start=$(date +%s.%N)
  ${MPIEXEC:-mpiexec} --oversubscribe -n "$np" "$dmotif" modisco -P Input:onehot=ohe$t.npy -P Input:hyp=hyp$t.npy \
    -P Output:file=dmotif$t.h5 > dmotif$t.log 2>&1 || { echo "task $t: dmotif failed, see $work/dmotif$t.log"; continue; }
  dm_s=$(secs "$start")
  lite_pos=$(sed -n 's/^Using \([0-9]*\) positive seqlets.*/\1/p' lite$t.log)
  lite_neg=$(sed -n 's/^Extracted \([0-9]*\) negative seqlets.*/\1/p' lite$t.log)
  read -r dm_pos dm_neg < <(sed -n 's/.*seqlets: [0-9]* found, \([0-9]*\) positive, \([0-9]*\) negative.*/\1 \2/p' dmotif$t.log)
  echo "task $t seqlets positive: lite ${lite_pos:-0} dmotif $dm_pos; negative: lite ${lite_neg:-0} dmotif $dm_neg;" \
    "wall: lite $lite_s s, dmotif $dm_s s"
  "$py" "$src/bench/compare_lite.py" lite$t.h5 dmotif$t.h5 "task $t"
  if [ -x "$build/tests/modisco_eval" ]; then
    for who in lite dmotif; do
      "$build/tests/modisco_eval" $who$t.h5 "$simdata" $((3 + t)) | sed -n "s/^motif /task $t $who motif /p"
    done
  fi
done
