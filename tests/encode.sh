#!/bin/bash
# dmotif encode at NP ranks: same datasets as one rank (TSV example and BED + genome),
# expected one-hot / regions, and bad input -> non-zero exit naming file:line, no output left.
set -u
. "$SRC"/tests/lib.sh
run() { # mpiexec for NP > 1 only (it takes seconds to report a failed rank)
  if [ "$NP" = 1 ]; then "$DMOTIF" encode -q "$@"; else $MPIEXEC "$NP" "$DMOTIF" encode -q "$@"; fi
}
rm -rf "$WORK" && mkdir -p "$WORK"/ref "$WORK"/run && cd "$WORK" || exit 1
ex=$DATA/deeplift_example/sequences.simdata.gz

# --- the example TSV (8000 x 200 bp): one rank without mpiexec, then NP ranks
(cd ref && "$DMOTIF" encode -q -P Input:sequences="$ex" -P Output:file=out.h5 -P Output:chunk_rows=300)
(cd run && run -P Input:sequences="$ex" -P Output:file=out.h5 -P Output:chunk_rows=300)
check "[ \$? -eq 0 ] && same_datasets ref/out.h5 run/out.h5" "example at $NP ranks differs from 1 rank"
check "[ ! -e run/out.h5.tmp ]" "tmp file left"
row0=$(h5dump -y -w 0 -d /onehot -s 0,0,0 -c 1,4,4 run/out.h5 | tr -d ' \n' | grep -o 'DATA{[0-9,]*}' | head -1)
check "[ '$row0' = 'DATA{1,0,0,0,0,0,1,0,0,1,0,0,0,0,0,1}' ]" "onehot of AGCT: $row0"
last=$(h5dump -y -w 0 -d /regions/name -s 7999 -c 1 run/out.h5 | grep -o '"[a-z_0-9]*"' | head -1)
want=$(zcat "$ex" | tail -1 | cut -f1)
check "[ '$last' = '\"$want\"' ]" "name of the last row: $last, want $want"

# --- BED + genome (the .fai is built on the fly), 2 regions run off chr2
cp "$DATA"/io/genome.fa genome.fa
bed=(-P Input:bed="$DATA"/io/regions.bed -P Input:genome="$WORK"/genome.fa -P Input:length=6 -P Output:chunk_rows=2)
(cd ref && "$DMOTIF" encode "${bed[@]}" -P Output:file=out_bed.h5 2> bed.log)
check "[ \$? -eq 0 ] && [ -e genome.fa.fai ]" "BED encode failed or no .fai"
check "grep -q 'regions.bed:5:.*skipped' ref/bed.log && grep -q 'regions.bed:8:.*skipped' ref/bed.log" \
  "warnings do not name regions.bed:5 and :8"
(cd run && run "${bed[@]}" -P Output:file=out_bed.h5)
check "same_datasets ref/out_bed.h5 run/out_bed.h5" "BED at $NP ranks differs from 1 rank"
starts=$(h5dump -y -w 0 -d /regions/start run/out_bed.h5 | tr -d ' \n' | grep -o 'DATA{[0-9,]*}' | head -1)
check "[ '$starts' = 'DATA{12,12,42,22}' ]" "re-centred starts: $starts"

# --- bad input: non-zero exit, the message names file:line, no output left
expect_error() { # <what> <pattern> <args...>
  local what=$1 pat=$2
  shift 2
  rm -f bad.h5 bad.h5.tmp
  run -P Output:file=bad.h5 "$@" 2> err.log
  local rc=$?
  check "[ $rc -ne 0 ]" "$what: exit code 0"
  grep -qF -- "$pat" err.log || { echo "FAIL: $what: no message with: $pat"; fail=1; }
  check "[ ! -e bad.h5 ] && [ ! -e bad.h5.tmp ]" "$what: output left behind"
}
expect_error "bad BED line" "bad.bed:3: start 'ten'" -P Input:bed="$DATA"/io/bad.bed \
  -P Input:genome="$WORK"/genome.fa -P Input:length=6
printf 'chr1\t1\t5\nchrX\t1\t5\n' > unknown.bed
expect_error "unknown chromosome" "unknown.bed:2: chromosome 'chrX'" -P Input:bed=unknown.bed \
  -P Input:genome="$WORK"/genome.fa -P Input:length=6
printf '>a\nACGT\n>b\nACG\n' > short.fa
expect_error "short FASTA record" "short.fa:3: record 'b' has length 3" -P Input:sequences=short.fa
expect_error "unwritable output" "no/such/dir.h5 (Output:file): directory no/such does not exist" \
  -P Input:sequences="$ex" -P Output:file=no/such/dir.h5
expect_error "two inputs" "exactly one" -P Input:sequences="$ex" -P Input:bed=x.bed
exit $fail
