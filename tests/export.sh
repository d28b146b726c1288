#!/bin/bash
# dmotif export at NP ranks: attr on 40 example rows (2 references), then
# export to .npz and .npy (centred and raw hyp, float32 and uint8 one-hot);
# test_export_check ($CHECK) compares every value with the attr.h5 datasets,
# transposed to (N, 4, L). Bad input (incomplete attr.h5, missing task, not
# an attr.h5, wrong extension) -> non-zero exit, a clear message, no output.
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

# --- .npz, centred hyp (the default), float32 one-hot, contrib; block of 16 rows (3 blocks)
run -P Input:attr=attr.h5 -P Export:task=1 -P Export:block_rows=16 -P Output:onehot=ohe.npz \
  -P Output:hyp=hyp.npz -P Output:contrib=contrib.npz -P Output:compress=true
check "[ \$? -eq 0 ] && [ ! -e ohe.npz.tmp ]" "export to .npz failed"
check "\"$CHECK\" attr.h5 1 1 ohe.npz hyp.npz contrib.npz" "npz arrays differ from attr.h5 task 1"
check "unzip -l ohe.npz | grep -q ' arr_0.npy'" "ohe.npz has no member arr_0.npy"

# --- .npy, raw hyp, uint8 one-hot; the dtype is in the header
run -P Input:attr=attr.h5 -P Export:task=2 -P Export:center=false -P Output:onehot=ohe.npy \
  -P Output:hyp=hyp.npy -P Output:onehot_dtype=uint8 -P Export:block_rows=7
check "[ \$? -eq 0 ]" "export to .npy failed"
check "\"$CHECK\" attr.h5 2 0 ohe.npy hyp.npy" "npy arrays differ from attr.h5 task 2"
check "head -c 128 ohe.npy | grep -q \"'descr': '|u1'.*'shape': (40, 4, 200)\"" "ohe.npy header: not |u1 (40, 4, 200)"
check "head -c 128 hyp.npy | grep -q \"'descr': '<f4'\"" "hyp.npy is not float32"
check "! \"$CHECK\" attr.h5 2 1 ohe.npy hyp.npy 2> /dev/null" "checker accepts raw hyp as centred"

# --- bad input
expect_error() { # <what> <pattern> <args...>: non-zero exit, a message, no output left
  local what=$1 pat=$2
  shift 2
  rm -f bad_*
  run -P Output:onehot=bad_ohe.npz -P Output:hyp=bad_hyp.npy "$@" 2> err.log
  check "[ $? -ne 0 ]" "$what: exit code 0"
  grep -qF -- "$pat" err.log || { echo "FAIL: $what: no message with: $pat"; cat err.log; fail=1; }
  check "[ -z \"\$(ls bad_* 2> /dev/null)\" ]" "$what: output left behind"
}
expect_error "missing task" "Export:task 3 does not exist (the file has tasks 0,1,2)" -P Input:attr=attr.h5 -P Export:task=3
DM_FAULT_KILL_AFTER_CHUNKS=2 "$DMOTIF" attr -q "${attr[@]}" -P Output:file=part.h5 2> /dev/null
expect_error "incomplete file" "part.h5: status is 'incomplete', not 'complete'" -P Input:attr=part.h5
"$DMOTIF" encode -q -P Input:sequences=seqs.tsv -P Output:file=enc.h5
expect_error "not an attr file" "enc.h5 is not an attr.h5" -P Input:attr=enc.h5
expect_error "no such file" "nosuch.h5" -P Input:attr=nosuch.h5
expect_error "wrong extension" "Output:contrib = bad_c.txt: the file name must end in .npy or .npz" \
  -P Input:attr=attr.h5 -P Output:contrib=bad_c.txt
exit $fail
