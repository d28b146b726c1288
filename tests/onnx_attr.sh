#!/bin/bash
# dmotif attr with the ONNX model of tests/data/models at NP ranks (2, 4): every
# dataset of attr.h5 bit-identical to a one-rank run with other chunks, and
# to the run with the model's Keras functional twin (deeplift and ig); an
# ONNX model with a weights file, and an unsupported op, are clear errors.
set -u
. "$SRC"/tests/lib.sh
run() { $MPIEXEC "$NP" "$DMOTIF" attr -q "$@"; }
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || exit 1
zcat "$DATA"/deeplift_example/sequences.simdata.gz | head -9 > seqs.tsv # 8 rows of 200 bp
cat > p.yml <<EOY
Input:
  sequences: seqs.tsv
Model:
  file: $DATA/models/bpnet.onnx
Attr:
  batch: 4
  targets: counts=counts,profile=profile:profile,unit40=profile:40
References:
  n: 2
  seed: 5
EOY

for method in deeplift ig; do
  "$DMOTIF" attr -q -p p.yml -P Attr:method=$method -P Attr:ig_steps=2 -P Output:file=ref_$method.h5 \
    -P Output:chunk_rows=8
  check "[ \$? -eq 0 ]" "$method: one-rank ONNX run failed"
  run -p p.yml -P Attr:method=$method -P Attr:ig_steps=2 -P Output:file=np_$method.h5 -P Output:chunk_rows=4
  check "[ \$? -eq 0 ] && same_datasets ref_$method.h5 np_$method.h5 /done" \
    "$method: $NP ranks, chunk 4: datasets differ from 1 rank, chunk 8"
  run -p p.yml -P Attr:method=$method -P Attr:ig_steps=2 -P Output:file=keras_$method.h5 -P Output:chunk_rows=4 \
    -P Model:file="$DATA"/models/bpnet_keras.h5
  check "[ \$? -eq 0 ] && same_datasets np_$method.h5 keras_$method.h5" \
    "$method: the Keras twin's datasets differ from the ONNX model's"
done

"$DMOTIF" attr -q -p p.yml -P Output:file=bad.h5 -P Model:weights="$DATA"/models/bpnet_keras_weights.h5 2> err1.log
check "[ \$? -ne 0 ] && grep -q 'an ONNX model holds its weights' err1.log" "ONNX + weights file not refused"
"$DMOTIF" attr -q -p p.yml -P Output:file=bad.h5 -P Model:file="$DATA"/models/bad_elu.onnx 2> err2.log
check "[ \$? -ne 0 ] && grep -q \"node '/Elu' (Elu): unsupported op type Elu\" err2.log" \
  "unsupported op not named"
check "[ ! -e bad.h5 ]" "a refused model left an output"
exit $fail
