#!/bin/bash
# dmotif attr at NP ranks on a subset of the example: bit-identical to one
# rank with other chunk sizes; kill (SIGKILL of the job) and resume gives the
# same datasets; another run with other parameters is refused; bad input
# (length mismatch named by file:line, unknown task, bad BED line, unknown chromosome) -> clear
# error, non-zero exit; a region off the chromosome end is skipped.
set -u
. "$SRC"/tests/lib.sh
run() { $MPIEXEC "$NP" "$DMOTIF" attr -q "$@"; }
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || exit 1
ex=$DATA/deeplift_example
zcat "$ex"/sequences.simdata.gz | head -161 > seqs.tsv # 160 rows
cat > p.yml <<EOY
Input:
  sequences: seqs.tsv
Model:
  file: $ex/keras2_conv1d_record_5_model_PQzyq_modelJson.json
  weights: $ex/keras2_conv1d_record_5_model_PQzyq_modelWeights.h5
Attr:
  batch: 4
References:
  n: 3
  seed: 7
EOY
attr_of() { h5dump -a "/$2" "$1" | grep -o '"[^"]*"' | tail -1 | tr -d '"'; }

# --- reference: one rank, no mpiexec, chunks of 32 rows
"$DMOTIF" attr -q -p p.yml -P Output:file=ref.h5 -P Output:chunk_rows=32
check "[ \$? -eq 0 ] && [ \"\$(attr_of ref.h5 status)\" = complete ]" "reference run failed"

# --- NP ranks, chunks of 8 rows: same datasets (/done has other chunks: compare the rest)
run -p p.yml -P Output:file=np.h5 -P Output:chunk_rows=8
check "[ \$? -eq 0 ] && same_datasets ref.h5 np.h5 /done" \
  "$NP ranks, chunk 8: datasets differ from 1 rank, chunk 32"

# --- kill the job after 5 of 40 chunks are marked done, then resume
DM_FAULT_KILL_AFTER_CHUNKS=5 run -p p.yml -P Output:file=kill.h5 -P Output:chunk_rows=4 2> kill.log
check "[ \$? -ne 0 ]" "killed run exited 0"
check "[ \"\$(attr_of kill.h5 status)\" = incomplete ]" "killed file not marked incomplete"
ndone=$(h5dump -y -w 0 -d /done kill.h5 | tr -d ' \n' | grep -o 'DATA{[0-9,]*}' | grep -o 1 | wc -l)
check "[ $ndone -eq 5 ]" "done map after the kill has $ndone chunks, want 5"
"$DMOTIF" attr -p p.yml -P Output:file=full4.h5 -P Output:chunk_rows=4 -q
run -p p.yml -P Output:file=kill.h5 -P Output:chunk_rows=4 -v 2> resume.log
check "[ \$? -eq 0 ] && grep -q '35 of 40 chunks to do (resumed)' resume.log" "resume did not keep 5 chunks"
check "[ \"\$(attr_of kill.h5 status)\" = complete ] && same_datasets full4.h5 kill.h5" \
  "resumed file differs from an uninterrupted run"

# --- an existing output with other parameters is refused, and left as it was
cp kill.h5 before.h5
run -p p.yml -P Output:file=kill.h5 -P Output:chunk_rows=4 -P References:seed=8 2> refuse.log
check "[ \$? -ne 0 ] && grep -q 'made with other parameters' refuse.log && grep -q 'seed: 7' refuse.log" \
  "other parameters not refused with a clear message"
check "cmp -s before.h5 kill.h5" "refused run changed the file"
run -p p.yml -P Output:file=kill.h5 -P Output:chunk_rows=4 -P References:seed=8 -P Output:overwrite=true
check "[ \$? -eq 0 ] && ! cmp -s before.h5 kill.h5" "overwrite did not replace the file"

# --- bad input
expect_error() { # <what> <pattern> <args...>: non-zero exit and a message
  local what=$1 pat=$2
  shift 2
  rm -f bad.h5
  run -p p.yml -P Output:file=bad.h5 "$@" 2> err.log
  check "[ $? -ne 0 ]" "$what: exit code 0"
  grep -qF -- "$pat" err.log || { echo "FAIL: $what: no message with: $pat"; cat err.log; fail=1; }
}
awk -F'\t' 'BEGIN{OFS="\t"} NR>1{$2=substr($2,1,100)} {print}' seqs.tsv > short.tsv
expect_error "length mismatch" "short.tsv:2: record 'empty_1732' has length 100, expected 200 (the input length of model" \
  -P Input:sequences=short.tsv
check "[ ! -e bad.h5 ]" "length mismatch left an output"
expect_error "unknown task" "Attr:tasks: task 5 does not exist" -P "Attr:tasks=[0, 5]"
expect_error "chunk not a multiple of batch" "must be a positive multiple of Attr:batch" -P Output:chunk_rows=6
expect_error "missing model" "nosuch.json: cannot read" -P Model:file=nosuch.json

# BED + genome: chr1 is 6 example sequences (1200 bp)
{ echo ">chr1"; cut -f2 seqs.tsv | sed -n 2,7p | tr -d '\n'; echo; } > genome.fa
printf 'chr1\t100\t300\tr1\nchr1\t500\t520\tr2\nchr1\t1100\t1190\toff_end\nchr1\t900\t1000\tr4\n' > ok.bed
bedargs=(-P Input:sequences=none -P Input:genome=genome.fa -P Input:length=200)
run -p p.yml -P Output:file=bed.h5 -P Input:bed=ok.bed "${bedargs[@]}" 2> bed.log
check "[ \$? -eq 0 ] && grep -q 'ok.bed:3' bed.log" "BED run failed or off-end region not reported"
names=$(h5dump -y -w 0 -d /regions/name bed.h5 | grep -o '"r[0-9]"' | tr -d '"\n ')
check "[ '$names' = 'r1r2r4' ]" "BED rows: $names, want r1 r2 r4"
printf 'chr1\t100\t300\tr1\nchr1\tten\t520\tr2\n' > bad.bed
expect_error "bad BED line" "bad.bed:2" -P Input:bed=bad.bed "${bedargs[@]}"
printf 'chr1\t100\t300\tr1\nchrZ\t500\t520\tr2\n' > unk.bed
expect_error "unknown chromosome" "unk.bed:2: chromosome 'chrZ'" -P Input:bed=unk.bed "${bedargs[@]}"
exit $fail
