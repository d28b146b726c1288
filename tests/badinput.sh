#!/bin/bash
# Malformed-input corpus: every case exits non-zero with one clear message
# naming the file and the line, key or layer, and leaves every file that
# existed before byte-identical, with no new file in the data directory (none
# to block the corrected rerun). Also: a non-finite attribution never makes a
# complete file; a stale .fai is rebuilt and the right bases are read; a file
# size limit (ulimit -f) fails cleanly and the rerun completes.
# FIXTURES is the badinput_fixtures tool (tests/badinput.cmake).
set -u
. "$SRC"/tests/lib.sh
rm -rf "$WORK" && mkdir -p "$WORK/d" "$WORK/log" && cd "$WORK/d" || exit 1
"$FIXTURES" . || { echo "FAIL: fixtures"; exit 1; }
seqs() { # <n> <len>: a TSV of n deterministic sequences
  awk -v n="$1" -v L="$2" 'BEGIN { print "seqName\tsequence"; s = 7;
    for (i = 0; i < n; i++) { q = ""; for (l = 0; l < L; l++) { s = (s * 1103515245 + 12345) % 2147483648;
      q = q substr("ACGT", int(s / 65536) % 4 + 1, 1) } print "r" i "\t" q } }'
}
seqs 8 20 > seqs.tsv
cat > p.yml <<EOY
Input:
  sequences: seqs.tsv
Model:
  file: ok.h5
Attr:
  batch: 2
References:
  n: 2
Output:
  chunk_rows: 4
EOY
"$DMOTIF" attr -q -p p.yml -P Output:file=good.h5 || { echo "FAIL: reference run"; exit 1; }
printf 'seqName\tsequence\n' > hdr.tsv
gzip -c hdr.tsv > hdr.tsv.gz
{ seqs 4 20 | head -3; printf 'odd\tACGTACGTACGTACGTACG\n'; } > oneshort.tsv # line 4: 19 bp
seqs 3 18 > short.tsv
head -c 3000 ok.h5 > trunc.h5
head -c 20000 good.h5 > trunc_attr.h5
snapshot() { find . -type f | sort | xargs md5sum; }

n_case=0
# bad <name> <cmd> <args...> -- <pattern>...: non-zero exit, every pattern in the
# messages, one error line and no HDF5 trace, the directory unchanged. One rank (these checks do
# not depend on the rank count; mpiexec costs a second a run) unless MPI_CASE=1.
bad() {
  local name=$1 args=() pats=() log=$WORK/log/$1.log
  shift
  while [ $# -gt 0 ] && [ "$1" != -- ]; do args+=("$1"); shift; done
  shift
  pats=("$@")
  n_case=$((n_case + 1))
  snapshot > "$WORK/log/before"
  ${MPI_CASE:+$MPIEXEC 2} "$DMOTIF" "${args[@]}" > /dev/null 2> "$log"
  local rc=$?
  check "[ $rc -ne 0 ]" "$name: exit code 0"
  for p in "${pats[@]}"; do
    grep -qF -- "$p" "$log" || { echo "FAIL: $name: no message with: $p"; cat "$log"; fail=1; }
  done
  check "! grep -q 'HDF5-DIAG' '$log'" "$name: HDF5 printed its error stack"
  check "[ \$(grep -c ': error: ' '$log') -eq 1 ]" "$name: not exactly one error line"
  snapshot > "$WORK/log/after"
  check "cmp -s '$WORK/log/before' '$WORK/log/after'" "$name: files changed: $(diff "$WORK/log/before" "$WORK/log/after" | tr '\n' ' ')"
}
attr() { echo attr -p p.yml -P Output:file=out.h5; }

# --- item 4: silent wrong results
bad nan_weights $(attr) -P Model:file=nan.h5 -- "nan.h5" "layer 'c1'" "non-finite"
bad bn_variance $(attr) -P Model:file=bn_var.h5 -- "bn_var.h5" "layer 'bn'" "moving_variance"
bad export_nan export -P Input:attr=nan_attr.h5 -P Output:dir=exp -- "nan_attr.h5: row 2, task 0: non-finite"
MPI_CASE=1 bad onehot_2 modisco -P Input:onehot=oh.npy -P Input:hyp=hyp.npy -P Output:file=m.h5 -- \
  "oh.npy: row 1, position 7" "0 or 1"

# --- item 5: unclear errors
bad header_only $(attr) -P Input:sequences=hdr.tsv -- "hdr.tsv: no records"
bad header_only_gz $(attr) -P Input:sequences=hdr.tsv.gz -- "hdr.tsv.gz: no records"
bad chunk_rows_huge $(attr) -P Output:chunk_rows=1000000000000 -- "Output:chunk_rows = 1000000000000 is too large"
bad refs_memory $(attr) -P References:n=100000 -P Attr:batch=100000 -P Output:chunk_rows=100000 -- \
  "References:n = 100000 with Attr:batch = 100000 is too large"
bad refs_huge $(attr) -P References:n=99999999999 -- "References:n must be in 1..100000, got 99999999999"
bad refs_zero $(attr) -P References:n=0 -- "References:n must be in 1..100000, got 0"
bad tasks_twice $(attr) -P "Attr:tasks=[0, 0]" -- "Attr:tasks lists task 0 twice"
bad json_no_weights $(attr) -P Model:file=arch.json -- "arch.json" "Model:weights"
bad one_short $(attr) -P Input:sequences=oneshort.tsv -- "oneshort.tsv:4: record 'odd' has length 19, expected 20"
bad all_short $(attr) -P Input:sequences=short.tsv -- "short.tsv:2: record 'r0' has length 18" "model $(pwd -P)/ok.h5"
bad corrupt_model $(attr) -P Model:file=trunc.h5 -- "trunc.h5: cannot open as HDF5 (HDF5: "
bad corrupt_attr modisco -P Input:attr=trunc_attr.h5 -P Output:file=m.h5 -- "trunc_attr.h5" "(HDF5: "
bad length_key $(attr) -P Input:length=30 -- "Input:length is 30" "ok.h5"

# --- a non-finite attribution: refused naming row and task, never marked complete
$MPIEXEC 2 "$DMOTIF" attr -p p.yml -P Model:file=overflow.h5 -P Output:file="$WORK/log/inf.h5" \
  > /dev/null 2> "$WORK/log/inf.log"
rc=$?
check "[ $rc -ne 0 ] && grep -q 'row 0 (r0:0-20, name r0), task 0: non-finite' '$WORK/log/inf.log'" \
  "non-finite attribution not refused with row and task: $(grep -m1 error "$WORK/log/inf.log")"
status=$(h5dump -a /status "$WORK/log/inf.h5" 2> /dev/null | grep -o '"[a-z]*"' | tail -1)
check "[ \"$status\" != '\"complete\"' ]" "file with non-finite attributions marked complete"

# --- a stale .fai (genome re-wrapped after indexing) is rebuilt: the same bases are read
{ echo ">chr1"; tail -n +2 seqs.tsv | cut -f2 | tr -d '\n' | fold -w 10; echo; } > "$WORK/log/g.fa"
printf 'chr1\t10\t40\ta\nchr1\t95\t125\tb\n' > "$WORK/log/r.bed"
bed=(-P Input:sequences=none -P Input:bed="$WORK/log/r.bed" -P Input:genome="$WORK/log/g.fa" -P Input:length=20)
"$DMOTIF" encode -q "${bed[@]}" -P Output:file="$WORK/log/enc1.h5" 2> /dev/null
{ echo ">chr1"; tail -n +2 seqs.tsv | cut -f2 | tr -d '\n' | fold -w 7; echo; } > "$WORK/log/g.fa"
touch -r "$WORK/log/g.fa.fai" "$WORK/log/g.fa" # same mtime: only the contents tell
"$DMOTIF" encode "${bed[@]}" -P Output:file="$WORK/log/enc2.h5" 2> "$WORK/log/stale.log"
check "[ \$? -eq 0 ] && grep -q 'was stale' '$WORK/log/stale.log'" "stale .fai not detected"
check "h5diff '$WORK/log/enc1.h5' '$WORK/log/enc2.h5' /onehot /onehot > /dev/null" \
  "bases read through a rebuilt index differ"

# --- a file size limit (ulimit -f, in KiB, on the ranks only), met when the file is made
# (400 KiB; 2000 rows make a file of about 3 MB) and mid-run (1500 KiB, resuming a killed
# run: no pre-check on resume): a clear message, no segfault, no file left by the first;
# then the resume completes, equal to an uninterrupted run.
seqs 2000 20 > "$WORK/log/many.tsv"
lim=(-p p.yml -P Input:sequences="$WORK/log/many.tsv" -P Output:chunk_rows=500 -P Output:file="$WORK/log/full.h5")
limited() { # <KiB> <name> <message>
  $MPIEXEC 2 bash -c "trap '' XFSZ; ulimit -f $1; exec \"\$0\" \"\$@\"" "$DMOTIF" attr "${lim[@]}" \
    > /dev/null 2> "$WORK/log/$2.log"
  local rc=$?
  check "[ $rc -ne 0 ] && grep -qF '$3' '$WORK/log/$2.log' && ! grep -qi segmentation '$WORK/log/$2.log'" \
    "$2: exit $rc, no message '$3' or a segfault: $(grep -m1 -i error "$WORK/log/$2.log")"
}
limited 400 full "the disk is full for this process"
check "[ ! -e '$WORK/log/full.h5' ]" "file size limit left a file"
DM_FAULT_KILL_AFTER_CHUNKS=1 $MPIEXEC 2 "$DMOTIF" attr -q "${lim[@]}" > /dev/null 2>&1
limited 1500 full2 "the disk is full or a file size limit was reached"
$MPIEXEC 2 "$DMOTIF" attr "${lim[@]}" -v 2> "$WORK/log/full3.log" > /dev/null
rc=$?
status=$(h5dump -a /status "$WORK/log/full.h5" 2> /dev/null | grep -o '"[a-z]*"' | tail -1)
check "[ $rc -eq 0 ] && [ '$status' = '\"complete\"' ] && grep -q '(resumed)' '$WORK/log/full3.log'" \
  "resume after the size limit failed (exit $rc, status $status)"
"$DMOTIF" attr -q "${lim[@]/full.h5/whole.h5}"
check "same_datasets '$WORK/log/whole.h5' '$WORK/log/full.h5' /done" "resumed file differs from an uninterrupted run"

echo "badinput: $n_case malformed inputs"
check "[ $n_case -ge 17 ]" "only $n_case cases ran"
exit $fail
