#!/usr/bin/env bash
# Whole `dmotif report` on 3 modisco.h5 files of 20 patterns each against the bundled database:
# the files are made from the example's task-0 modisco.h5 (tools/example.sh) by repeating its
# patterns, all seqlets included (python3-h5py); prints wall / CPU seconds and peak RSS, then
# build/tests/bench_report (matching alone, with the brute-force comparison).
# usage: bench/bench_report.sh [build=build] [modisco.h5=example-out/modisco_task0.h5]
set -euo pipefail
build=${1:-build}
src=${2:-example-out/modisco_task0.h5}
export OPENBLAS_NUM_THREADS=1
[ -s "$src" ] || { echo "bench_report: $src missing (run tools/example.sh)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 - "$src" "$work" << 'PY'
import sys, h5py
src, out = sys.argv[1], sys.argv[2]
with h5py.File(src, "r") as f:
    pats = [f["pos_patterns"][k] for k in sorted(f["pos_patterns"], key=lambda k: int(k.split("_")[1]))]
    for t in range(3):
        with h5py.File(f"{out}/task{t}.h5", "w") as g:
            g.attrs["window_size"] = f.attrs["window_size"]
            grp = g.create_group("pos_patterns")
            for i in range(20):
                f.copy(pats[(i + t) % len(pats)], grp, name=f"pattern_{i}")
PY
ls -la "$work"/task*.h5 | awk '{s += $5} END {printf "inputs: 3 files, %.1f MB, 20 patterns each\n", s / 1e6}'
/usr/bin/time -f "dmotif report: %e s wall, %U s user + %S s sys, peak RSS %M KiB" \
  "$build"/src/app/dmotif report -q -P Input:modisco="$work/task0.h5,$work/task1.h5,$work/task2.h5" \
  -P Output:dir="$work/report"
"$build"/tests/bench_report data/motifs/MotifCompendium-Database-Human.meme.txt.gz 3 20 1
