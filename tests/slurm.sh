#!/bin/bash
# The job scripts on a real one-node Slurm (tests/slurm_lib.sh starts it;
# the test fails if Slurm cannot start). On 240 example sequences, 2 tasks:
#  1. jobs/pipeline.sh params.yml (attr, then a modisco array over the tasks,
#     then the report) gives the datasets of plain mpirun runs, and dmotif
#     status says done;
#  2. an attr job cancelled mid-run (scancel), then the same submission
#     again: attr resumes, modisco follows, results identical;
#  3. SIGUSR1 to an attr job's batch shell, as --signal=B:USR1@120 sends
#     before the time limit: dmotif stops cleanly, the job requeues itself,
#     resumes, its log is kept (append), results identical; the same for a
#     job requeued from outside (scontrol requeue);
#  4. a 3-run manifest end to end with mpirun as the launcher, dmotif status
#     before and after, and a second submission that submits nothing.
set -u
. "$SRC"/tests/lib.sh
. "$SRC"/tests/slurm_lib.sh
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || exit 1
trap slurm_stop EXIT
t0=$(date +%s)
slurm_start "$WORK/slurm" || { echo "FAIL: Slurm cannot start"; exit 1; }
echo "Slurm up in $(($(date +%s) - t0)) s"
export DMOTIF DM_JOBS="$SRC/jobs"
ex=$DATA/deeplift_example
zcat "$ex"/sequences.simdata.gz | head -241 > seqs.tsv # 240 rows
cat > p.yml <<EOY
attr:
  Input: {sequences: seqs.tsv}
  Model:
    file: $ex/keras2_conv1d_record_5_model_PQzyq_modelJson.json
    weights: $ex/keras2_conv1d_record_5_model_PQzyq_modelWeights.h5
  Attr:
    tasks:
      - 0
      - 2
    batch: 4
  References: {n: 3, seed: 5}
  Output: {file: run1/attr.h5, chunk_rows: 4}
  Log: {progress_seconds: 0}
modisco:
  Seqlets: {window: 20, flank: 5}
EOY

# wait_jobs: until the queue is empty (at most 5 minutes)
wait_jobs() {
  for _ in $(seq 600); do
    [ -z "$(squeue -h -o %i)" ] && return 0
    sleep 0.5
  done
  echo "FAIL: jobs still queued after 5 minutes"; squeue; fail=1
}
# wait_progress <log> <n>: until the log shows n chunks marked done
wait_progress() {
  for _ in $(seq 600); do
    [ "$(grep -c ' rows (' "$1" 2> /dev/null)" -ge "$2" ] && return 0
    sleep 0.1
  done
  return 1
}
# interrupt <run> <command...>: submit the pipeline of a copy of p.yml
# writing <run>/, run the command on its attr job mid-run, wait for the queue
interrupt() {
  local run=$1
  shift
  { sed "s|run1/attr.h5|$run/attr.h5|" p.yml; echo "tasks: [0]"; } > "$run.yml" # modisco of task 0 only
  "$SRC"/jobs/pipeline.sh "$run.yml" -n "$NP" > "submit_$run.log" 2>&1
  wait_progress "$run/attr.log" 2 || { echo "FAIL: attr of $run made no progress"; fail=1; }
  "$@" "$(attr_job "$run")"
  wait_jobs
}
attr_job() { awk -F'\t' '$1 == "attr" { j = $3 } END { print j }' "$1/slurm_jobs.tsv"; }
same_run() { # <run dir> [files]: datasets equal to the reference run's
  local f d=$1
  shift
  for f in ${@:-attr.h5 modisco_task0.h5 modisco_task2.h5}; do
    same_datasets ref/$f "$d/$f" || return 1
  done
}

# --- reference: plain mpirun
mkdir ref
$MPIEXEC "$NP" "$DMOTIF" attr -q -p p.yml -P Output:file=ref/attr.h5 || exit 1
for t in 0 2; do
  $MPIEXEC "$NP" "$DMOTIF" modisco -q -p p.yml -P Input:attr=ref/attr.h5 -P Input:task=$t \
    -P Output:file=ref/modisco_task$t.h5 || exit 1
done

# --- 1. the pipeline of one parameter file
t1=$(date +%s)
"$SRC"/jobs/pipeline.sh p.yml -n "$NP" > submit1.log 2>&1
rc=$?
check "[ $rc -eq 0 ] && grep -q 'modisco: job array' submit1.log" "pipeline submission failed: $(cat submit1.log)"
wait_jobs
echo "pipeline of one run: $(($(date +%s) - t1)) s"
"$DMOTIF" status run1 > status1.txt
rc=$?
check "[ $rc -eq 0 ] && [ \$(grep -c ' done ' status1.txt) -eq 3 ]" "status of run1: $(cat status1.txt)"
check "same_run run1" "pipeline outputs differ from plain mpirun runs"
check "grep -q 'report: job' submit1.log && [ -s run1/report/index.html ]" "no report after the modisco jobs"
check "grep -q 'srun --mpi=pmix' run1/attr.log" "PMIx not detected: $(head -1 run1/attr.log)"

echo "phase 1 done at $(($(date +%s) - t0)) s"
# --- 2. cancel attr mid-run, submit again: resume
interrupt run2 scancel
"$DMOTIF" status run2 > status2.txt
check "grep -q 'attr .*failed' status2.txt" "status after the cancel: $(cat status2.txt)"
"$SRC"/jobs/pipeline.sh run2.yml -n "$NP" > submit2b.log 2>&1
check "grep -q 'attr: job array' submit2b.log && grep -q 'modisco: job array .*, tasks 0,' submit2b.log" \
  "resubmission did not resubmit attr and modisco: $(cat submit2b.log)"
wait_jobs
check "grep -q '(resumed)' run2/attr.log" "attr of run2 did not resume"
check "same_run run2 attr.h5 modisco_task0.h5" "cancelled and resubmitted run differs"

echo "phase 2 done at $(($(date +%s) - t0)) s"
# --- 3. SIGUSR1 before the time limit: the job requeues itself and resumes
interrupt run3 scancel --batch --signal=USR1
check "grep -q 'stopped by SIGUSR1' run3/attr.log && grep -q 'requeued to resume' run3/attr.log" \
  "attr of run3 did not stop cleanly and requeue"
# --- and requeued from outside (scontrol requeue: SIGTERM, then the job runs again)
interrupt run4 scontrol requeue
for run in run3 run4; do
  check "grep -q '(resumed)' $run/attr.log && [ \$(grep -c '^dmotif job .* on ' $run/attr.log) -eq 2 ]" \
    "requeued job of $run did not resume, or its log was not kept"
  check "same_run $run attr.h5 modisco_task0.h5" "requeued $run differs"
done

echo "phase 3 done at $(($(date +%s) - t0)) s"
# --- 4. a manifest of 3 runs, launched with mpirun
head -121 seqs.tsv > a.tsv
{ head -1 seqs.tsv; sed -n 122,241p seqs.tsv; } > b.tsv
cat > m.yml <<EOY
output: runs
defaults:
  attr:
    Model: {file: $ex/keras2_conv1d_record_5_model_PQzyq_modelJson.json,
            weights: $ex/keras2_conv1d_record_5_model_PQzyq_modelWeights.h5}
    Attr: {batch: 4}
    References: {n: 3, seed: 5}
    Output: {chunk_rows: 4}
  modisco:
    Seqlets: {window: 20, flank: 5}
  tasks: [0, 2]
runs:
  - name: all
    attr: {Input: {sequences: seqs.tsv}}
  - name: first
    attr: {Input: {sequences: a.tsv}}
    tasks: [1]
  - name: second
    attr: {Input: {sequences: b.tsv}, References: {n: 2}}
EOY
"$DMOTIF" status m.yml > status4a.txt
rc=$?
check "[ $rc -eq 1 ] && [ \$(grep -c 'to do' status4a.txt) -eq 3 ]" "status before the plan: $(cat status4a.txt)"
DM_LAUNCH=mpirun "$SRC"/jobs/pipeline.sh m.yml -n "$NP" > submit4.log 2>&1
check "grep -q 'attr: job array .* over 3 run' submit4.log" "manifest submission: $(cat submit4.log)"
"$DMOTIF" status m.yml > status4b.txt
check "[ \$(grep -c 'running' status4b.txt) -eq 8 ]" "status while queued: $(cat status4b.txt)"
wait_jobs
"$DMOTIF" status m.yml > status4c.txt
rc=$?
check "[ $rc -eq 0 ] && [ \$(grep -c ' done ' status4c.txt) -eq 8 ]" "status after the runs: $(cat status4c.txt)"
check "same_run runs/all" "manifest run 'all' differs from the reference"
check "grep -q '^mpirun\| mpirun ' runs/all/attr.log" "mpirun not used: $(head -1 runs/all/attr.log)"
check "[ -s runs/first/modisco_task1.h5 ] && grep -q 'n: 2' runs/second/used_parameters.yml && grep -q sha256 runs/second/provenance.yml" \
  "per-run overrides or provenance missing"
DM_LAUNCH=mpirun "$SRC"/jobs/pipeline.sh m.yml -n "$NP" > submit4b.log 2>&1
check "grep -q 'nothing to submit' submit4b.log" "second submission submitted again: $(cat submit4b.log)"
echo "slurm test: $(($(date +%s) - t0)) s"
[ $fail -eq 0 ] || slurm_logs
exit $fail
