#!/bin/bash
# tools/dm_synth ($SYNTH): a small file is a complete attr.h5 whose planted
# positions carry the largest contributions (test_synth_check, $CHECK); the
# same seed gives the same datasets and truth whatever the chunking, another
# seed other ones; the simdata TSV (-e) has the rows' sequences and the
# instances; dmotif export reads the file; bad flags -> non-zero exit.
set -u
. "$SRC"/tests/lib.sh
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || exit 1
"$SYNTH" -n 300 -l 150 -m 3 -s 11 -c 64 -o a.h5 -t a.tsv -e sim.tsv
check "[ \$? -eq 0 ]" "dm_synth failed"
check "\"$CHECK\" a.h5 a.tsv 3" "a.h5 does not carry the planted motifs"
check "[ \$(grep -c . a.tsv) -eq 901 ] && [ \$(cut -f8 a.tsv | grep -c '^[ACGT]\{6,7\}$') -eq 900 ]" \
  "a.tsv: not 900 instances with their sequence"
check "! \"$CHECK\" a.h5 a.tsv 2 2> /dev/null" "checker accepts a wrong instance count"

"$SYNTH" -n 300 -l 150 -m 3 -s 11 -c 100 -o b.h5 -t b.tsv
check "same_datasets a.h5 b.h5 /done && cmp -s a.tsv b.tsv" "same seed, other chunking: different data"
"$SYNTH" -n 300 -l 150 -m 3 -s 12 -o c.h5 -t c.tsv
check "! cmp -s a.tsv c.tsv && ! h5diff -q a.h5 c.h5 /tasks/0/hyp /tasks/0/hyp" "seed 12 gives the data of seed 11"

# the simdata TSV: the rows' sequences (encode gives the same /onehot) and the instances of a.tsv
"$DMOTIF" encode -q -P Input:sequences=sim.tsv -P Output:file=enc.h5
check "[ \$? -eq 0 ] && h5diff -q a.h5 enc.h5 /onehot /onehot" "sim.tsv sequences differ from /onehot"
emb=$(awk -F'\t' 'NR == 2 { print $3 }' sim.tsv)
want=$(awk -F'\t' '$1 == 0 { printf "%spos-%s_%s-%s", n++ ? "," : "", $2, $4, $8 }' a.tsv)
check "[ '$emb' = '$want' ] && [ \$(grep -c . sim.tsv) -eq 301 ]" "sim.tsv row 0 embeddings '$emb', want '$want'"

"$DMOTIF" export -q -P Input:attr=a.h5 -P Output:dir=x
check "[ \$? -eq 0 ] && [ -s x/onehot.npz ] && [ -s x/hyp.npz ]" "dmotif export cannot read a dm_synth file"

"$SYNTH" -n 10 -l 20 -m 3 -o d.h5 -t d.tsv 2> err.log
check "[ \$? -ne 0 ] && grep -q 'slots of at least 7 bp' err.log" "3 slots in 20 bp accepted"
"$SYNTH" -n 10 2> err.log
check "[ \$? -ne 0 ] && grep -q usage err.log" "missing -o accepted"
exit $fail
