#!/bin/bash
# dmotif attr stopped by a signal mid-run, as a batch system does before a
# time limit: SIGUSR1 to mpirun (which forwards it to every rank, as the job
# scripts do), or SIGTERM straight to the process (scancel, srun). The run
# finishes its chunks in flight, exits with code 75 leaving the file
# incomplete with whole chunks marked done, and the same command resumes to
# datasets identical to an uninterrupted run's.
set -u
. "$SRC"/tests/lib.sh
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || exit 1
ex=$DATA/deeplift_example
zcat "$ex"/sequences.simdata.gz | head -241 > seqs.tsv # 240 rows
cat > p.yml <<EOY
Input: {sequences: seqs.tsv}
Model:
  file: $ex/keras2_conv1d_record_5_model_PQzyq_modelJson.json
  weights: $ex/keras2_conv1d_record_5_model_PQzyq_modelWeights.h5
Attr: {batch: 4}
References: {n: 4, seed: 3}
Output: {chunk_rows: 4}
Log: {progress_seconds: 0}
EOY
attr_of() { h5dump -a "/$2" "$1" | grep -o '"[^"]*"' | tail -1 | tr -d '"'; }
ndone() { h5dump -y -w 0 -d /done "$1" | tr -d ' \n' | grep -o 'DATA{[0-9,]*}' | grep -o 1 | wc -l; }

"$DMOTIF" attr -q -p p.yml -P Output:file=ref.h5
check "[ \$? -eq 0 ]" "uninterrupted run failed"

# start the run, wait for 3 chunks marked done, then send the signal
if [ "$NP" -eq 1 ]; then sig=TERM; launch=("$DMOTIF"); else sig=USR1; launch=($MPIEXEC "$NP" "$DMOTIF"); fi
"${launch[@]}" attr -p p.yml -P Output:file=sig.h5 2> sig.log &
pid=$!
for _ in $(seq 600); do
  [ "$(grep -c ' rows (' sig.log)" -ge 3 ] && break
  sleep 0.05
done
kill -"$sig" "$pid"
wait "$pid"
rc=$?
check "[ $rc -eq 75 ]" "SIG$sig: exit code $rc, want 75"
check "grep -q 'stopped by SIG$sig with' sig.log" "no message about the stop by SIG$sig"
check "[ \"\$(attr_of sig.h5 status)\" = incomplete ]" "stopped file not marked incomplete"
n=$(ndone sig.h5)
check "[ $n -ge 3 ] && [ $n -lt 60 ]" "$n of 60 chunks done after the stop"

# the same command again resumes and completes
$([ "$NP" -eq 1 ] || echo "$MPIEXEC $NP") "$DMOTIF" attr -p p.yml -P Output:file=sig.h5 2> resume.log
rc=$?
check "[ $rc -eq 0 ] && grep -q '$((60 - n)) of 60 chunks to do (resumed)' resume.log" "rerun did not resume from $n chunks"
check "[ \"\$(attr_of sig.h5 status)\" = complete ] && same_datasets ref.h5 sig.h5" \
  "resumed file differs from an uninterrupted run"
exit $fail
