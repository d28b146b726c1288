#!/bin/bash
# dmotif export at NP ranks: attr on 40 example rows (2 references), then
# export to .npz and .npy (centred and raw hyp, float32 and uint8 one-hot);
# test_export_check ($CHECK) compares every value with the attr.h5 datasets,
# transposed to (N, 4, L). Bad input (incomplete attr.h5, missing task, not
# an attr.h5) -> non-zero exit, a clear message, no output; a bad option -> exit 2.
set -u
. "$SRC"/tests/lib.sh
run() { $MPIEXEC "$NP" "$DMOTIF" export -q "$@"; }
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || exit 1
ex=$DATA/deeplift_example
zcat "$ex"/sequences.simdata.gz | head -41 > seqs.tsv # 40 rows
attr=(-P Input:sequences=seqs.tsv -P Model:file="$ex"/keras2_conv1d_record_5_model_PQzyq_modelJson.json
  -P Model:weights="$ex"/keras2_conv1d_record_5_model_PQzyq_modelWeights.h5
  -P References:n=2 -P Attr:batch=4 -P Output:chunk_rows=8)
"$DMOTIF" attr -q "${attr[@]}" -P Output:file=attr.h5
check "[ \$? -eq 0 ]" "attr run failed"

# --- .npz (the default), centred hyp (the default), float32 one-hot, contrib; block of 16 rows (3 blocks)
run -P Input:attr=attr.h5 -P Input:task=1 -P Input:block_rows=16 -P Output:dir=z -P Output:contrib=true \
  -P Output:compress=true
check "[ \$? -eq 0 ] && [ -z \"\$(ls z/*.tmp 2> /dev/null)\" ]" "export to .npz failed"
check "\"$CHECK\" attr.h5 1 1 z/onehot.npz z/hyp.npz z/contrib.npz" "npz arrays differ from attr.h5 task 1"
check "unzip -l z/onehot.npz | grep -q ' arr_0.npy'" "onehot.npz has no member arr_0.npy"
check "grep -q '^  task: 1' z/parameters.yml && grep -q '^  dir: z' z/parameters.yml" \
  "z/parameters.yml does not hold the parameters"

# --- .npy, raw hyp, uint8 one-hot; the dtype is in the header
run -P Input:attr=attr.h5 -P Input:task=2 -P Input:center_hyp=false -P Output:dir=y -P Output:format=npy \
  -P Output:onehot_dtype=uint8 -P Input:block_rows=7
check "[ \$? -eq 0 ] && [ ! -e y/contrib.npy ]" "export to .npy failed"
check "\"$CHECK\" attr.h5 2 0 y/onehot.npy y/hyp.npy" "npy arrays differ from attr.h5 task 2"
check "head -c 128 y/onehot.npy | grep -q \"'descr': '|u1'.*'shape': (40, 4, 200)\"" "onehot.npy header: not |u1 (40, 4, 200)"
check "head -c 128 y/hyp.npy | grep -q \"'descr': '<f4'\"" "hyp.npy is not float32"
check "! \"$CHECK\" attr.h5 2 1 y/onehot.npy y/hyp.npy 2> /dev/null" "checker accepts raw hyp as centred"

# --- bad input
expect_error() { # <what> <pattern> <args...>: non-zero exit, a message, no output left
  local what=$1 pat=$2
  shift 2
  rm -rf bad
  run -P Output:dir=bad "$@" 2> err.log
  check "[ $? -ne 0 ]" "$what: exit code 0"
  grep -qF -- "$pat" err.log || { echo "FAIL: $what: no message with: $pat"; cat err.log; fail=1; }
  check "[ -z \"\$(ls bad 2> /dev/null)\" ]" "$what: output left behind"
}
expect_error "missing task" "Input:task 3 does not exist (the file has tasks 0,1,2)" -P Input:attr=attr.h5 -P Input:task=3
DM_FAULT_KILL_AFTER_CHUNKS=2 "$DMOTIF" attr -q "${attr[@]}" -P Output:file=part.h5 2> /dev/null
expect_error "incomplete file" "part.h5: status is 'incomplete', not 'complete'" -P Input:attr=part.h5
"$DMOTIF" encode -q -P Input:sequences=seqs.tsv -P Output:file=enc.h5
expect_error "not an attr file" "enc.h5 is not an attr.h5" -P Input:attr=enc.h5
expect_error "no such file" "nosuch.h5" -P Input:attr=nosuch.h5

# --- a bad option exits 2, as in every command
run -P Input:attr=attr.h5 -P Output:dir=bad -P Output:format=txt 2> err.log
check "[ \$? -eq 2 ] && grep -q 'Output:format' err.log" "bad Output:format: not exit 2 naming the key"
run -P Input:attr=attr.h5 -P Output:dir=bad -P Input:block_rows=0 2> err.log
check "[ \$? -eq 2 ] && grep -q 'Input:block_rows' err.log" "Input:block_rows=0: not exit 2 naming the key"
exit $fail
