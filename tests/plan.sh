#!/bin/bash
# Parameter files and manifests from the command line: relative paths are
# taken from the parameter file's directory (attr and modisco run from
# elsewhere), one file with blocks for two commands, a UTF-8 byte-order
# mark; dmotif plan's errors name the file, line and key; dmotif status on a
# directory of runs.
set -u
. "$SRC"/tests/lib.sh
rm -rf "$WORK" && mkdir -p "$WORK"/sub "$WORK"/elsewhere && cd "$WORK" || exit 1
ex=$DATA/deeplift_example
zcat "$ex"/sequences.simdata.gz | head -41 > sub/seqs.tsv # 40 rows
cp "$ex"/keras2_conv1d_record_5_model_PQzyq_model{Json.json,Weights.h5} sub/
printf '\xEF\xBB\xBF' > sub/p.yml
cat >> sub/p.yml <<'EOY'
attr:
  Input: {sequences: seqs.tsv}
  Model: {file: keras2_conv1d_record_5_model_PQzyq_modelJson.json, weights: keras2_conv1d_record_5_model_PQzyq_modelWeights.h5}
  Attr:
    tasks:
      - 0
      - 1
    batch: 4
  References: {n: 2}
  Output: {file: out/attr.h5, chunk_rows: 8}
modisco:
  Input: {attr: out/attr.h5, task: 1}
  Output: {file: out/modisco.h5}
EOY
mkdir sub/out
(cd elsewhere && $MPIEXEC "$NP" "$DMOTIF" attr -q -p ../sub/p.yml && $MPIEXEC "$NP" "$DMOTIF" modisco -q -p ../sub/p.yml)
rc=$?
check "[ $rc -eq 0 ] && [ -s sub/out/attr.h5 ] && [ -s sub/out/modisco.h5 ] && [ -z \"\$(ls elsewhere)\" ]" \
  "relative paths not taken from the parameter file's directory"
"$DMOTIF" encode -p sub/p.yml 2> enc.log
rc=$?
check "[ $rc -ne 0 ] && grep -q \"none for 'encode'\" enc.log" "a file without the command's block: $(cat enc.log)"

# plan errors name file:line and key
expect_plan() { # <what> <pattern> <manifest text>
  printf '%s\n' "$3" > m.yml
  "$DMOTIF" plan m.yml > /dev/null 2> plan.log
  local rc=$?
  check "[ $rc -ne 0 ] && grep -qF -- \"$2\" plan.log" "$1: $(cat plan.log)"
}
expect_plan "unknown key" "m.yml:2: manifest: unknown key 'defualts'" $'output: runs\ndefualts: {}\nruns: [{name: a}]'
expect_plan "no runs" "runs: expected a list of runs" $'output: runs\nruns: []'
expect_plan "bad name" "m.yml:3: run 1: 'name' is required" $'output: runs\nruns:\n  - name: a/b'
expect_plan "same name" "m.yml:4: run name 'a' given twice" $'output: runs\nruns:\n  - {name: a}\n  - {name: a}'
expect_plan "unknown parameter" "m.yml:5: unknown parameter 'Attr:taks'" \
  $'output: runs\nruns:\n  - name: a\n    attr:\n      Attr: {taks: [0]}'
expect_plan "output set" "Output:file is set by the plan" \
  $'output: runs\nruns:\n  - name: a\n    attr:\n      Output: {file: x.h5}'
expect_plan "missing model" "required parameter 'Model:file' is missing" \
  $'output: runs\nruns:\n  - name: a\n    attr: {Input: {sequences: sub/seqs.tsv}}'

# a parameter file is a run in the directory of its Output:file; status of a directory of runs
"$DMOTIF" plan sub/p.yml > plan.tsv
rc=$?
check "[ $rc -eq 0 ] && [ \$(wc -l < plan.tsv) -eq 3 ] && grep -q \"\$(printf 'out\tattr\t-1\tdone')\" plan.tsv" \
  "plan of a parameter file: $(cat plan.tsv)"
"$DMOTIF" status sub > status.txt
rc=$?
check "[ $rc -eq 1 ] && grep -q 'out .*attr .*done' status.txt && [ \$(grep -c 'to do' status.txt) -eq 2 ]" \
  "status of a directory of runs: $(cat status.txt)"
exit $fail
