#!/bin/bash
# dmotif attr + modisco end to end on the first 1500 rows of the bundled
# example (task 0: GATA and TAL1 both planted), at NP ranks:
#  - positive patterns include a GATA (GATAAG) and a TAL1 (CAGATG) pattern
#    whose seqlets hit the planted motifs (tools/modisco_eval: precision and
#    recall against the embeddings column; GATA recall >= 0.06: lite 2.4 itself
#    reaches 0.065 on task 0 of the whole example);
#  - 1 and 4 ranks give the same modisco.h5 as NP ranks, and so do ranks
#    grouped as if on 2 or 3 machines (the node-shared arrays exchanged
#    between nodes) and column blocks of 100 seqlets in the coarse search;
#  - a task that does not exist: clear error, non-zero exit, no output;
#  - too few seqlets: clear message, exit 0, an output with no pattern;
#  - no <file>.tmp is left behind.
set -u
. "$SRC"/tests/lib.sh
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || exit 1
ex=$DATA/deeplift_example
zcat "$ex"/sequences.simdata.gz | head -1501 > seqs.tsv
zcat "$ex"/sequences.simdata.gz | head -41 > few.tsv
cat > a.yml <<EOY
Model:
  file: $ex/keras2_conv1d_record_5_model_PQzyq_modelJson.json
  weights: $ex/keras2_conv1d_record_5_model_PQzyq_modelWeights.h5
References:
  n: 3
EOY
$MPIEXEC "$NP" "$DMOTIF" attr -q -p a.yml -P Input:sequences=seqs.tsv -P Output:file=attr.h5 || exit 1
$MPIEXEC "$NP" "$DMOTIF" attr -q -p a.yml -P Input:sequences=few.tsv -P Output:file=few.h5 || exit 1
cat > m.yml <<EOY
Input:
  attr: attr.h5
  task: 0
Cluster:
  n_seeds: 10
EOY
modisco() { local np=$1; shift; $MPIEXEC "$np" "$DMOTIF" modisco -p m.yml "$@"; }

# --- the motifs
modisco "$NP" -P Output:file=m.h5 2> m.log
check "[ \$? -eq 0 ] && [ -f m.h5 ] && [ ! -e m.h5.tmp ]" "modisco failed (see $WORK/m.log)"
grep -q 'step pos round 2 cluster: [0-9.]* s, peak RSS [0-9.]* MiB' m.log || { echo "FAIL: no step log line"; fail=1; }
# the provenance: parameters (YAML), tool, the input and its digest
sha=$(sha256sum attr.h5 | cut -c1-64)
check "h5dump -a /parameters m.h5 | grep -q 'n_seeds: 10' && h5dump -a /tool m.h5 | grep -q 'dmotif modisco' &&
  h5dump -a /input_sha256 m.h5 | grep -q $sha && h5dump -a /input_files m.h5 | grep -q attr.h5" \
  "m.h5 lacks its parameters, tool or input digest"
"$EVAL" m.h5 seqs.tsv 3 > eval.txt
cat eval.txt
# motif <name> instances <n> recall <r> patterns <k> seqlets <s> precision <p>
motif_ok() { # <name> <core> <min seqlets> <min recall> <min precision>
  awk -v m="$1" -v s="$3" -v r="$4" -v p="$5" '$1 == "motif" && $2 == m && $9 >= s && $6 >= r && $11 >= p {ok = 1}
    END {exit !ok}' eval.txt &&
    grep "motif $1 precision" eval.txt | grep -qiE "$2|$(echo "$2" | rev | tr ACGT TGCA)"
}
check "motif_ok GATA_disc1 GATAAG 50 0.06 0.85" "no GATA pattern with >= 50 seqlets, recall >= 0.06, precision >= 0.85"
check "motif_ok TAL1_known1 CAGATG 80 0.12 0.85" "no TAL1 pattern with >= 80 seqlets, recall >= 0.12, precision >= 0.85"

# --- rank-count independence: 1 and 4 ranks write the same file
root_attrs() { # every root attribute of modisco.h5 $1, its own name blanked
  local a
  for a in window_size tool version task input_files input_sha256 parameters; do h5dump -a "/$a" "$1"; done |
    sed "s/$1//g"
}
for np in 1 4; do
  [ "$np" = "$NP" ] && continue
  modisco "$np" -q -P Output:file=m$np.h5
  # datasets and groups identical; root attributes differ by Output:file alone (in parameters)
  check "[ \$? -eq 0 ] && h5diff --exclude-attribute / m.h5 m$np.h5 > diff$np.txt &&
    diff <(root_attrs m.h5) <(root_attrs m$np.h5) >> diff$np.txt" \
    "modisco.h5 at $np ranks differs from $NP ranks"
done

# --- the node-shared arrays exchanged between "nodes" (dmotif's
# DMOTIF_NODE_RANKS groups ranks as if on separate machines): 4 ranks on 2
# nodes, 3 ranks on 3 nodes; the same file
for nodes in "4 2" "3 1"; do
  set -- $nodes
  DMOTIF_NODE_RANKS=$2 modisco "$1" -q -P Output:file=mn$1.h5
  check "[ \$? -eq 0 ] && h5diff --exclude-attribute / m.h5 mn$1.h5 > diffn$1.txt" \
    "modisco.h5 with ranks $2 by $2 on separate nodes ($1 ranks) differs"
done

# --- the coarse search streamed in column blocks of 100 seqlets: the same file
modisco "$NP" -q -P Output:file=mb.h5 -P Affinity:block_columns=100
check "[ \$? -eq 0 ] && h5diff --exclude-attribute / m.h5 mb.h5 > diffb.txt" \
  "modisco.h5 with Affinity:block_columns=100 differs"

# --- a task that does not exist
modisco "$NP" -P Output:file=bad.h5 -P Input:task=7 2> task.log
check "[ \$? -ne 0 ] && grep -q 'no task \"7\"' task.log && [ ! -e bad.h5 ]" "missing task not refused clearly"

# --- too few seqlets: exit 0, output with no pattern
modisco "$NP" -P Output:file=few_m.h5 -P Input:attr=few.h5 2> few.log
check "[ \$? -eq 0 ] && grep -q 'too few seqlets' few.log && [ -f few_m.h5 ] && ! h5ls -r few_m.h5 | grep -q pattern_" \
  "too few seqlets: not exit 0 with an empty output"
exit $fail
