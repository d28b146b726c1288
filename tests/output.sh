#!/bin/bash
# The output policy of every command (dm_output.h), on small inputs: each
# refusal exits non-zero before any work, with a message naming the file and
# the key, and leaves every pre-existing file byte-identical.
#  - an existing output is refused without Output:overwrite (attr: or Output:resume);
#  - an output is never an input, even with Output:overwrite=true (same name,
#    symbolic link, hard link), nor another output of the run;
#  - an output in a missing directory is refused before the work starts.
set -u
. "$SRC"/tests/lib.sh
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || exit 1
ex=$DATA/deeplift_example
zcat "$ex"/sequences.simdata.gz | head -17 > seqs.tsv # 16 rows
cp "$ex"/keras2_conv1d_record_5_model_PQzyq_modelJson.json model.json
cp "$ex"/keras2_conv1d_record_5_model_PQzyq_modelWeights.h5 weights.h5
attr=(-P Input:sequences=seqs.tsv -P Model:file=model.json -P Model:weights=weights.h5 -P References:n=2
  -P Attr:batch=4 -P Output:chunk_rows=8)
mkdir same && echo keep > same/hyp.npz && ln -s hyp.npz same/onehot.npz
"$DMOTIF" attr -q "${attr[@]}" -P Output:file=attr.h5 &&
  "$DMOTIF" attr -q "${attr[@]}" -P Output:file=other.h5 &&
  "$DMOTIF" export -q -P Input:attr=attr.h5 -P Output:dir=lite -P Output:format=npy || exit 1
sums() { md5sum seqs.tsv model.json weights.h5 attr.h5 other.h5 lite/* same/* 2> /dev/null; }
sums > before.md5

# refused <what> <pattern> <command> <args...>: exit non-zero, the message, nothing changed
refused() {
  local what=$1 pat=$2
  shift 2
  "$DMOTIF" "$@" 2> err.log
  check "[ $? -ne 0 ]" "$what: exit code 0"
  grep -qF -- "$pat" err.log || { echo "FAIL: $what: no message with: $pat"; cat err.log; fail=1; }
  check "! grep -q 'chunks to do\|^.*input: [0-9]* examples' err.log" "$what: work started before the refusal"
  sums | cmp -s - before.md5 || { echo "FAIL: $what: a pre-existing file changed"; fail=1; }
}
m=(modisco -P Cluster:n_seeds=2)

# --- modisco: its output is its input, another attr.h5, its own .npy input
refused "modisco onto its input" "attr.h5 (Output:file) is the input attr.h5 (Input:attr)" \
  "${m[@]}" -P Input:attr=attr.h5 -P Output:file=attr.h5
refused "modisco onto its input, overwrite" "attr.h5 (Output:file) is the input attr.h5 (Input:attr)" \
  "${m[@]}" -P Input:attr=attr.h5 -P Output:file=./attr.h5 -P Output:overwrite=true
refused "modisco onto another attr.h5" "other.h5 (Output:file) exists; set Output:overwrite=true" \
  "${m[@]}" -P Input:attr=attr.h5 -P Output:file=other.h5
refused "modisco onto its .npy input" "lite/hyp.npy (Output:file) is the input lite/hyp.npy (Input:hyp)" \
  "${m[@]}" -P Input:onehot=lite/onehot.npy -P Input:hyp=lite/hyp.npy -P Output:file=lite/hyp.npy \
  -P Output:overwrite=true
refused "modisco in a missing directory" "no/m.h5 (Output:file): directory no does not exist" \
  "${m[@]}" -P Input:attr=attr.h5 -P Output:file=no/m.h5

# --- encode onto an existing (complete) attr.h5; onto its input
refused "encode onto an attr.h5" "attr.h5 (Output:file) exists; set Output:overwrite=true" \
  encode -P Input:sequences=seqs.tsv -P Output:file=attr.h5
refused "encode onto its input" "seqs.tsv (Output:file) is the input seqs.tsv (Input:sequences)" \
  encode -P Input:sequences=seqs.tsv -P Output:file=seqs.tsv -P Output:overwrite=true

# --- attr with overwrite onto its inputs (by name, symbolic link, hard link); existing output
refused "attr onto its sequences" "seqs.tsv (Output:file) is the input seqs.tsv (Input:sequences)" \
  attr "${attr[@]}" -P Output:file=seqs.tsv -P Output:overwrite=true
ln -s weights.h5 wlink.h5
refused "attr onto its weights (symlink)" "wlink.h5 (Output:file) is the input weights.h5 (Model:weights)" \
  attr "${attr[@]}" -P Output:file=wlink.h5 -P Output:overwrite=true
ln model.json hard.json
refused "attr onto its model (hard link)" "hard.json (Output:file) is the input model.json (Model:file)" \
  attr "${attr[@]}" -P Output:file=hard.json -P Output:overwrite=true
refused "attr onto an existing file, no resume" "other.h5 (Output:file) exists; set Output:resume=true" \
  attr "${attr[@]}" -P Output:file=other.h5 -P Output:resume=false
refused "attr in a missing directory" "no/a.h5 (Output:file): directory no does not exist" \
  attr "${attr[@]}" -P Output:file=no/a.h5

# --- export: two outputs that are one file; an output that is the input; existing outputs
refused "export, onehot and hyp one file" "two outputs of one run must differ" \
  export -P Input:attr=attr.h5 -P Output:dir=same -P Output:overwrite=true
mkdir into && ln -s ../attr.h5 into/hyp.npz
refused "export onto its input" "into/hyp.npz (Output:dir) is the input attr.h5 (Input:attr)" \
  export -P Input:attr=attr.h5 -P Output:dir=into -P Output:overwrite=true
refused "export onto existing outputs" "lite/onehot.npy (Output:dir) exists; set Output:overwrite=true" \
  export -P Input:attr=attr.h5 -P Output:dir=lite -P Output:format=npy

# --- variants: its TSV onto its VCF; its two outputs one file
v=(variants -P Input:vcf=seqs.tsv -P Input:genome=g.fa -P Model:file=model.json -P Model:weights=weights.h5)
refused "variants onto its VCF" "seqs.tsv (Output:tsv) is the input seqs.tsv (Input:vcf)" \
  "${v[@]}" -P Output:file=v.h5 -P Output:tsv=seqs.tsv -P Output:overwrite=true
refused "variants, two outputs one file" "two outputs of one run must differ" \
  "${v[@]}" -P Output:file=v.h5 -P Output:tsv=v.h5

# --- with Output:overwrite=true an output that is not an input is replaced, through <file>.tmp
"$DMOTIF" encode -q -P Input:sequences=seqs.tsv -P Output:file=other.h5 -P Output:overwrite=true
check "[ \$? -eq 0 ] && [ ! -e other.h5.tmp ] && ! h5ls other.h5/tasks > /dev/null 2>&1" \
  "encode with Output:overwrite=true did not replace other.h5"
cp lite/hyp.npy centred.npy
"$DMOTIF" export -q -P Input:attr=attr.h5 -P Output:dir=lite -P Output:format=npy -P Output:overwrite=true \
  -P Input:center_hyp=false
check "[ \$? -eq 0 ] && ! cmp -s lite/hyp.npy centred.npy && [ -z \"\$(ls lite/*.tmp 2> /dev/null)\" ]" \
  "export with Output:overwrite=true did not replace lite/hyp.npy"
exit $fail
