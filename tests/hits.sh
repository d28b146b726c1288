#!/bin/bash
# dmotif hits end to end on synthetic planted motifs (tools/dm_synth: GATA,
# TAL1, AP-1; 300 rows of 200 bp), patterns from dmotif modisco on them:
#  - both methods: the same outputs (hits.tsv, counts.tsv, summary.tsv byte
#    for byte, hits.h5 dataset for dataset) at 1 and 4 ranks (finemo also 2),
#    whatever Input:block_rows;
#  - finemo recovers the planted instances (modisco_eval --hits: recall and
#    precision per motif), and nearly all of each pattern's own seqlets;
#  - a run killed after some chunks resumes to the same outputs;
#  - existing outputs are refused without Output:overwrite; parameters are
#    stored in every output; a progress line with rows/s;
#  - bad input, each a clear error, non-zero exit and no output: a modisco.h5
#    with no patterns, a pattern longer than the regions, an attr.h5 of
#    other rows or another length than the modisco.h5 was made from.
set -u
. "$SRC"/tests/lib.sh
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || exit 1
"$SYNTH" -n 300 -l 200 -m 2 -s 1 -o s.h5 -t truth.tsv -e sim.tsv 2> synth.log || exit 1
$MPIEXEC "$NP" "$DMOTIF" modisco -q -P Input:attr=s.h5 -P Output:file=m.h5 || exit 1
hits() { local np=$1; shift; $MPIEXEC "$np" "$DMOTIF" hits -P Input:attr=s.h5 -P Input:modisco=m.h5 \
  -P Output:chunk_rows=32 -P Log:progress_seconds=0 "$@"; }
same_dirs() { # <dir a> <dir b>: the same hits outputs
  local f
  for f in hits.tsv counts.tsv summary.tsv; do cmp -s "$1/$f" "$2/$f" || { echo "differs: $f"; return 1; }; done
  same_datasets "$1/hits.h5" "$2/hits.h5"
}

# --- both methods, rank-count independence
for method in finemo scan; do
  for np in 1 4 $([ $method = finemo ] && echo 2); do
    hits $np -P Hits:method=$method -P Output:dir=$method$np -P Input:block_rows=$((np == 4 ? 7 : 256)) \
      > $method$np.log 2>&1
    check "[ \$? -eq 0 ] && [ -f $method$np/hits.tsv ] && [ ! -e $method$np/hits.parts ]" \
      "hits $method at $np ranks failed (see $WORK/$method$np.log)"
    [ $np = 1 ] || check "same_dirs ${method}1 $method$np" "$method: $np ranks differ from 1 rank"
  done
  check "[ \$(grep -vc '^#' ${method}1/hits.tsv) -gt 300 ]" "$method: too few hits"
done
check "grep -q 'rows/s, ETA' finemo2.log" "no progress line"
check "grep -q '^# parameters' finemo1/hits.tsv && grep -q '^#   Hits:' finemo1/counts.tsv &&
  grep -q '^#   Input:' finemo1/summary.tsv && h5dump -a /parameters finemo1/hits.h5 | grep -q 'Hits:'" \
  "parameters not stored in every output"

# --- quality: the planted instances (finemo), each pattern's seqlets
"$EVAL" --hits finemo1 sim.tsv 3 > eval.txt
cat eval.txt
for m in GATA TAL1 AP1; do
  check "awk -v m=$m '\$1 == \"motif\" && \$2 == m && \$4 >= 0.9 && \$16 >= 0.95 {ok = 1} END {exit !ok}' eval.txt" \
    "finemo: motif $m recall < 0.9 or precision < 0.95"
done
check "awk -F'\t' '!/^#/ && \$1 != \"pattern\" && \$8 < 0.9 {bad = 1} END {exit bad}' finemo1/summary.tsv" \
  "finemo: a pattern recovers < 90% of its own seqlets"

# --- two modisco.h5 of one task: named by their files
cp m.h5 m2.h5
hits 1 -P Output:dir=two -P Input:modisco=m.h5,m2.h5 > two.log 2>&1
check "[ \$? -eq 0 ] && grep -q '^m2/pos/pattern_0' two/summary.tsv && grep -q '^m/neg/pattern_0' two/summary.tsv" \
  "two modisco.h5 of one task"

# --- kill and resume: the same outputs
DM_FAULT_KILL_AFTER_CHUNKS=3 hits "$NP" -P Output:dir=killed > kill.log 2>&1
check "[ \$? -ne 0 ] && [ -d killed/hits.parts ] && [ ! -e killed/hits.tsv ]" "killed run left complete outputs"
hits "$NP" -P Output:dir=killed > resume.log 2>&1
check "[ \$? -eq 0 ] && grep -q '(resumed)' resume.log && same_dirs finemo1 killed" "resumed run differs"

# --- existing outputs
hits "$NP" -P Output:dir=finemo1 > exists.log 2>&1
check "[ \$? -ne 0 ] && grep -q 'Output:overwrite=true' exists.log" "existing outputs not refused"
hits "$NP" -P Output:dir=finemo1 -P Output:overwrite=true > over.log 2>&1
check "[ \$? -eq 0 ] && same_dirs finemo1 finemo2" "overwrite failed"

# --- bad input
"$SYNTH" -n 20 -l 200 -m 2 -s 1 -o few.h5 -t few.tsv 2> /dev/null
$MPIEXEC 1 "$DMOTIF" modisco -q -P Input:attr=few.h5 -P Output:file=empty.h5 2> /dev/null
"$SYNTH" -n 30 -l 40 -m 1 -s 1 -o short.h5 -t short.tsv 2> /dev/null
"$SYNTH" -n 300 -l 150 -m 2 -s 1 -o l150.h5 -t l150.tsv 2> /dev/null
bad() { # <name> <ranks> <message> <parameters...>
  local name=$1 np=$2 msg=$3
  shift 3
  $MPIEXEC "$np" "$DMOTIF" hits -P Output:dir=bad_$name "$@" > bad_$name.log 2>&1
  check "[ \$? -ne 0 ] && grep -q \"$msg\" bad_$name.log && [ ! -e bad_$name/hits.tsv ]" "bad input $name"
}
bad empty "$NP" 'empty.h5: no patterns' -P Input:attr=s.h5 -P Input:modisco=empty.h5
bad long 1 'm.h5: pos_patterns/pattern_0 is 50 bp long, longer than the 40-bp regions of short.h5' \
  -P Input:attr=short.h5 -P Input:modisco=m.h5
bad rows "$NP" 'm.h5: .* outside few.h5 (20 rows of 200 bp)' -P Input:attr=few.h5 -P Input:modisco=m.h5
bad length 1 'm.h5: .* outside l150.h5 (300 rows of 150 bp)' -P Input:attr=l150.h5 -P Input:modisco=m.h5
bad task 1 'no task \"5\"' -P Input:attr=s.h5 -P Input:modisco=m.h5 -P Input:task=5
exit $fail
