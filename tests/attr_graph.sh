#!/bin/bash
# dmotif attr on a ChromBPNet-like functional model (tests/data/long_model:
# 1000 bp in, cropped profile head + counts head) over BED regions re-centred
# to 1000 bp: both heads as named tasks (profile: weighted mean-normalised
# logits, counts), NP ranks bit-identical to one rank for deeplift and ig;
# (at 2 ranks only:) the default targets are the two heads; bad targets are
# refused by name; a named task exports.
set -u
. "$SRC"/tests/lib.sh
run() { $MPIEXEC "$NP" "$DMOTIF" attr -q "$@"; }
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || exit 1
# a deterministic random genome: chrA 6000 bp, chrB 3000 bp
awk 'BEGIN { srand(3); split("A C G T", b, " ");
  n["chrA"] = 6000; n["chrB"] = 3000;
  for (c in n) { print ">" c; s = ""; for (i = 0; i < n[c]; i++) { s = s b[int(rand() * 4) + 1]; if (length(s) == 60) { print s; s = "" } } if (s != "") print s } }' > genome.fa
cat > peaks.bed <<EOB
chrA	600	900	p1
chrA	1200	1300	p2
chrA	2000	2600	p3
chrA	3000	3010	p4
chrA	4100	4500	p5
chrA	5600	5700	off_end
chrB	700	800	p6
chrB	1500	1700	p7
chrB	2100	2200	p8
chrB	100	200	off_start
EOB
cat > p.yml <<EOY
Input:
  bed: peaks.bed
  genome: genome.fa
  length: 1000
Model:
  file: $DATA/long_model/chrombpnet_like.h5
Attr:
  targets: profile=logits_profile_predictions:profile, counts=logcount_predictions
  batch: 2
References:
  n: 3
  seed: 5
Output:
  chunk_rows: 2
EOY
"$DMOTIF" attr -q -p p.yml -P Output:file=ref.h5
check "[ \$? -eq 0 ]" "reference run failed"
check "h5ls ref.h5/tasks | grep -q '^profile' && h5ls ref.h5/tasks | grep -q '^counts'" "tasks are not named profile, counts"
check "h5ls ref.h5/tasks/profile/hyp | grep -q '{8, 1000, 4}'" "expected 8 regions of 1000 bp"
run -p p.yml -P Output:file=np.h5 -P Output:chunk_rows=4 -P Attr:batch=4
check "[ \$? -eq 0 ] && same_datasets ref.h5 np.h5 /done" "$NP ranks: datasets differ from 1 rank"
"$DMOTIF" attr -q -p p.yml -P Output:file=ig1.h5 -P Attr:method=ig -P Attr:ig_steps=4
run -p p.yml -P Output:file=ignp.h5 -P Attr:method=ig -P Attr:ig_steps=4
check "[ \$? -eq 0 ] && same_datasets ig1.h5 ignp.h5" "ig: $NP ranks differ from 1 rank"
[ "$NP" -eq 2 ] || exit $fail # the rest does not depend on the rank count
# default targets: one per head, named by the outputs
"$DMOTIF" attr -q -p p.yml -P Output:file=def.h5 -P Attr:targets=none
check "[ \$? -eq 0 ] && h5ls def.h5/tasks | grep -q '^logcount_predictions' && h5ls def.h5/tasks | grep -q '^logits_profile_predictions'" "default targets are not the two heads"
check "h5diff ref.h5 def.h5 /tasks/counts/hyp /tasks/logcount_predictions/hyp > /dev/null" "default counts task differs from the named one"
for bad in "nohead" "logits_profile_predictions" "logits_profile_predictions:500" "a=logcount_predictions,a=logcount_predictions"; do
  "$DMOTIF" attr -q -p p.yml -P Output:file=bad.h5 -P "Attr:targets=$bad" 2> bad.log
  check "[ \$? -ne 0 ] && grep -q 'Attr:targets' bad.log && [ ! -e bad.h5 ]" "target '$bad' not refused clearly"
done
# a named task exports like a numbered one
"$DMOTIF" export -q -P Input:attr=ref.h5 -P Input:task=profile -P Output:dir=ex
check "[ \$? -eq 0 ] && ls ex/hyp.* > /dev/null" "export of task 'profile' failed"
exit $fail
