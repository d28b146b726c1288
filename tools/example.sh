#!/usr/bin/env bash
# Install dependencies, build, and run the bundled example end to end on
# 2 MPI ranks: attribution of the 8000 example sequences (DeepLIFT genomics
# default, 10 dinucleotide-shuffled references) into example-out/attr.h5,
# then motif discovery per task into example-out/modisco_task<t>.h5, scored
# against the planted motifs by tools/modisco_eval (precision, recall), then
# the hits of each task's patterns (example-out/hits_task<t>/), scored too.
# This is the README's example command.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDM_BUILD_TESTS=ON
cmake --build build -j"$(nproc)"
mkdir -p example-out
mpirun --oversubscribe -n 2 build/src/app/dmotif attr -p config/example_attr.yml \
  -P Output:overwrite=true 2>&1 | tee example-out/attr.log
echo "example: wrote example-out/attr.h5 (see README: 'attr.h5')"
for t in 0 1 2; do
  mpirun --oversubscribe -n 2 build/src/app/dmotif modisco -p config/example_modisco.yml -P Input:task=$t \
    -P Output:file=example-out/modisco_task$t.h5 -P Output:overwrite=true 2>&1 | tee example-out/modisco_task$t.log
  # label column of task t in the sequences file: 3 + t
  build/tests/modisco_eval example-out/modisco_task$t.h5 tests/data/deeplift_example/sequences.simdata.gz \
    $((3 + t)) | tee example-out/eval_task$t.txt
  # every instance of the task's patterns in all 8000 sequences, scored the same way
  mpirun --oversubscribe -n 2 build/src/app/dmotif hits -P Input:attr=example-out/attr.h5 -P Input:task=$t \
    -P Input:modisco=example-out/modisco_task$t.h5 -P Output:dir=example-out/hits_task$t \
    -P Output:overwrite=true 2>&1 | tee example-out/hits_task$t.log
  build/tests/modisco_eval --hits example-out/hits_task$t tests/data/deeplift_example/sequences.simdata.gz \
    $((3 + t)) | tee example-out/eval_hits_task$t.txt
done
