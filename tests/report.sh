#!/bin/bash
# dmotif report on the example fixture (tests/data/report, see PROVENANCE.txt):
# - task 0: a GATA pattern whose top match is a GATA motif and a TAL1 (CAGATG) pattern whose top match
#   contains the E-box, both q < 0.05; 2 ranks give the same bytes; the lite-schema copy gives the
#   same matches; patterns recur across two files;
# - the page in headless Chromium: one section per pattern with SVG logos (DOM), letter-coloured
#   pixels in a screenshot (kept as $WORK/report.png), no request leaving the page;
# - no database, no patterns, bad database, missing attr.h5: as documented; the output policy
#   (existing files refused without Output:overwrite, never an input replaced);
# - seqlets of a BED-input run: BED6 = regions + seqlet offsets, FASTA = the genome (awk-extracted).
set -u
. "$SRC"/tests/lib.sh
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || exit 1
R=$DATA/report
rep() { "$DMOTIF" report -q "$@"; }

# --- task 0 of the example with the bundled database
rep -P Input:modisco="$R"/example_task0.h5 -P Output:dir=ex
check "[ \$? -eq 0 ] && [ -s ex/index.html ] && [ -s ex/matches.tsv ] && [ ! -e ex.tmp ]" "report of the example failed"
m=ex/matches.tsv
# rank-1 rows: pattern, query consensus, motif, motif consensus, q
top=$(awk -F'\t' '!/^#/ && $4 == 1 {print $2, $3, $5, $6, $13}' $m)
echo "$top"
gata=$(echo "$top" | awk '$2 ~ /GATA|TATC/ && $2 !~ /CAGATG|CATCTG/')
tal=$(echo "$top" | awk '$2 ~ /CAGATG|CATCTG/')
check "[ -n \"$gata\" ] && echo '$gata' | awk '{exit !(toupper(\$3) ~ /GATA/ && \$5 < 0.05)}'" \
  "GATA pattern's top match is not a GATA motif with q < 0.05: '$gata'"
check "[ -n \"$tal\" ] && echo '$tal' | awk '{exit !(\$4 ~ /CAGATG|CATCTG/ && \$5 < 0.05)}'" \
  "TAL1 pattern's top match does not contain CAGATG with q < 0.05: '$tal'"
check "grep -q '^# *Input:' $m" "matches.tsv has no parameter header"
for f in pfm cwm hcwm pfm.trimmed cwm.trimmed hcwm.trimmed; do
  check "[ -s ex/motifs/example_task0.$f.meme ] && grep -q '^# *modisco:' ex/motifs/example_task0.$f.meme" "MEME $f"
done

# --- 2 ranks (rank 0 does the work): the same files, byte for byte
mkdir -p np2 && (cd np2 && $MPIEXEC 2 "$DMOTIF" report -q -P Input:modisco="$R"/example_task0.h5 -P Output:dir=ex)
check "[ \$? -eq 0 ] && diff -r ex np2/ex > /dev/null" "2 ranks give another report"

# --- the same file in tfmodisco-lite's schema (no genomic columns): the same matches
rep -P Input:modisco="$R"/lite_task0.h5 -P Output:dir=lite
check "[ \$? -eq 0 ] && diff <(grep -v '^#' $m | cut -f2-) <(grep -v '^#' lite/matches.tsv | cut -f2-)" \
  "lite-schema file gives other matches"

# --- two tasks (the same file twice): each pattern recurs in the other task
rep -P Input:modisco="$R/example_task0.h5,$R/lite_task0.h5" -P Output:dir=two -P Report:motifs=none
rc=$?
# the first pattern listed under "Also in" for pattern i of the first file is pattern i of the copy
rec=$(awk 'BEGIN {RS = "<tr>"} /href="#t0-pos_patterns-pattern_[0-9]+">/ {
  match($0, /#t0-pos_patterns-pattern_[0-9]+/); i = substr($0, RSTART + 4, RLENGTH - 4)
  n = split($0, td, "<td>"); if (index(td[n], "<a href=\"#t1-" i "\">") == 1) ok++ } END {print ok + 0}' two/index.html)
check "[ $rc -eq 0 ] && [ $rec -eq 2 ]" "patterns do not recur first in the copy ($rec of 2)"

# --- the page in headless Chromium
if command -v chromium > /dev/null; then
  chrome() {
    local prof
    prof=$(mktemp -d)
    timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
      --disable-background-networking --disable-component-update --disable-sync \
      --disable-features=NetworkTimeServiceQuerying --user-data-dir="$prof" "$@" \
      2> /dev/null
    rm -rf "$prof"
  }
  chrome --dump-dom "file://$WORK/ex/index.html" > dom.html
  np=$(grep -v '^#' $m | awk -F'\t' 'NR > 1 {print $2}' | sort -u | wc -l)
  ns=$(grep -o '<section class="pattern"' dom.html | wc -l)
  check "[ $np -eq 2 ] && [ $ns -eq $np ]" "DOM has $ns pattern sections, want $np"
  nologo=$(awk 'BEGIN {RS = "<section class=\"pattern\""} NR > 1 && !/<svg class="logo"/ {n++} END {print n + 0}' dom.html)
  check "[ $nologo -eq 0 ]" "$nologo pattern sections without an SVG logo"
  chrome --window-size=1400,2400 --log-net-log="$WORK/net.json" --screenshot="$WORK/report.png" \
    "file://$WORK/ex/index.html" > /dev/null
  check "[ -s report.png ]" "no screenshot"
  "$PNG_COLORS" report.png 2000 109648 255c99 f7b32b d62839 > colors.txt
  rc=$?
  check "[ $rc -eq 0 ]" "logo letters missing in the screenshot: $(tr '\n' ' ' < colors.txt)"
  # requests the page makes carry its (opaque, file://) origin as initiator "null"; the browser's own
  # background requests (update checks) have none ("not an origin")
  page_requests() { grep -o '"initiator":"[^"]*"' "$1" | grep -vc '"not an origin"'; }
  check "[ -s net.json ] && [ \$(page_requests net.json) -eq 0 ]" "the page made requests (net.json)"
  echo '<html><body><img src="http://127.0.0.1:9/x.png"></body></html>' > neg.html # negative control
  chrome --log-net-log="$WORK/neg.json" --dump-dom "file://$WORK/neg.html" > /dev/null
  check "[ \$(page_requests neg.json) -ge 1 ]" "the net-log check does not see a page's request"
  # negative control: the page of a file without patterns has no logo pixels
  rep -P Input:modisco="$R"/empty.h5 -P Output:dir=empty
  chrome --window-size=1000,600 --screenshot="$WORK/empty.png" "file://$WORK/empty/index.html" > /dev/null
  "$PNG_COLORS" empty.png 1 109648 > /dev/null
  check "[ \$? -eq 1 ]" "the checker finds letter pixels on a page without logos"
else
  check "false" "chromium is not installed (tools/install-deps.sh installs it)"
fi
check "grep -q \"Content-Security-Policy\\\" content=\\\"default-src 'none'\" ex/index.html" "no CSP meta tag"
check "! grep -qE 'https?://' ex/index.html" "a URL in the page"

# --- no database: logos only; no patterns: a page saying so
rep -P Input:modisco="$R"/example_task0.h5 -P Output:dir=nodb -P Report:motifs=none
check "[ \$? -eq 0 ] && ! grep -q 'Top database matches' nodb/index.html && grep -q '<svg class=\"logo\"' nodb/index.html" \
  "report without database"
[ -d empty ] || rep -P Input:modisco="$R"/empty.h5 -P Output:dir=empty
check "grep -q 'id=\"no-patterns\"' empty/index.html" "page of a file without patterns does not say so"

# --- bad input: non-zero exit, a message naming the file, no output left
expect_error() { # <what> <pattern> <args...>
  local what=$1 pat=$2
  shift 2
  rm -rf bad bad.tmp
  rep -P Output:dir=bad "$@" 2> err.log
  local rc=$?
  check "[ $rc -ne 0 ] && grep -q \"$pat\" err.log && [ -z \"\$(find bad -type f 2> /dev/null)\" ]" \
    "$what: rc $rc, files $(find bad -type f 2> /dev/null | tr '\n' ' '), $(head -c 300 err.log)"
}
expect_error "malformed MEME" "nonnumeric.meme:6:" -P Input:modisco="$R"/example_task0.h5 \
  -P Report:motifs="$DATA"/meme/nonnumeric.meme
expect_error "empty database" "empty.meme:4: no motifs" -P Input:modisco="$R"/example_task0.h5 \
  -P Report:motifs="$DATA"/meme/empty.meme
expect_error "missing attr.h5" "Report:seqlets=true needs Input:attr" -P Input:modisco="$R"/example_task0.h5 \
  -P Report:seqlets=true
expect_error "attr.h5 that does not exist" "nope.h5" -P Input:modisco="$R"/example_task0.h5 \
  -P Input:attr=nope.h5 -P Report:seqlets=true
expect_error "not an HDF5 file" "bad.bed.h5: cannot open" -P Input:modisco="$DATA"/io/bad.bed.h5
rep -P Input:modisco="$R"/empty.h5 -P Output:dir=empty 2> err.log
check "[ \$? -eq 2 ] && grep -q 'index.html (Output:dir) exists' err.log" "an existing report was not refused (exit 2)"
mkdir -p other && touch other/keep
rep -P Input:modisco="$R"/empty.h5 -P Output:dir=other -P Output:overwrite=true
check "[ \$? -eq 0 ] && [ -e other/keep ] && [ -s other/index.html ]" "Output:overwrite touched other files"
rep -P Input:modisco="$R"/empty.h5 -P Output:dir=empty -P Output:overwrite=true
check "[ \$? -eq 0 ] && [ -s empty/index.html ]" "Output:overwrite did not replace a report"
cp ex/matches.tsv before.tsv
rep -P Input:modisco="$R"/example_task0.h5 -P Report:motifs=ex/matches.tsv -P Output:dir=ex \
  -P Output:overwrite=true 2> err.log
rc=$?
check "[ $rc -eq 2 ] && grep -q 'is the input' err.log && cmp -s before.tsv ex/matches.tsv" \
  "an output that is an input was not refused: $(head -c 300 err.log)"

# --- seqlets of a BED-input run: encode the io regions (L = 6), place the fixture's seqlets
cp "$DATA"/io/genome.fa genome.fa
"$DMOTIF" encode -q -P Input:bed="$DATA"/io/regions.bed -P Input:genome="$WORK"/genome.fa -P Input:length=6 \
  -P Output:file=bed.h5 2> /dev/null
rep -P Input:modisco="$R"/bed_seqlets.h5 -P Input:attr=bed.h5 -P Input:genome="$WORK"/genome.fa \
  -P Report:seqlets=true -P Report:fasta=true -P Report:split=true -P Report:motifs=none -P Output:dir=bed
check "[ \$? -eq 0 ] && [ -s bed/seqlets/bed_seqlets.bed ] && [ -s bed/seqlets/bed_seqlets.pos_patterns.pattern_0.fa ]" \
  "seqlet export failed"
# expected BED from /regions of bed.h5 and the fixture's seqlet windows and strands
dump() { h5dump -y -w 0 -d "$1" "$2" | tr -d ' \n' | grep -o 'DATA{[^}]*}' | sed 's/DATA{//; s/}//; s/"//g'; }
IFS=, read -r -a chrom <<< "$(dump /regions/chrom bed.h5)"
IFS=, read -r -a rstart <<< "$(dump /regions/start bed.h5)"
IFS=, read -r -a sst <<< "$(dump /pos_patterns/pattern_0/seqlets/start "$R"/bed_seqlets.h5)"
IFS=, read -r -a sen <<< "$(dump /pos_patterns/pattern_0/seqlets/end "$R"/bed_seqlets.h5)"
IFS=, read -r -a row <<< "$(dump /pos_patterns/pattern_0/seqlets/example_idx "$R"/bed_seqlets.h5)"
want=""
strands=(+ - + -)
for k in 0 1 2 3; do
  r=${row[$k]}
  want+="${chrom[$r]} $((rstart[r] + sst[k])) $((rstart[r] + sen[k])) pos_patterns.pattern_0 ${strands[$k]}"$'\n'
done
got=$(grep -v '^#' bed/seqlets/bed_seqlets.bed | awk -F'\t' 'NF == 6 {print $1, $2, $3, $4, $6}')
check "[ \"$got\" = \"${want%$'\n'}\" ]" "BED rows: got '$got', want '$want'"
check "[ -n \"${chrom[0]}\" ] && [ \"${chrom[0]}\" = chr1 ]" "regions not read: '${chrom[*]}'"
check "cmp -s <(grep -v '^#' bed/seqlets/bed_seqlets.bed) <(grep -v '^#' bed/seqlets/bed_seqlets.pos_patterns.pattern_0.bed)" \
  "per-pattern BED differs"
# FASTA: the genome at those coordinates (reverse complement on '-'), extracted by awk
seq_of() { # chrom start end strand
  awk -v c="$1" -v s="$2" -v e="$3" -v st="$4" '
    /^>/ {on = (substr($1, 2) == c); next} on {g = g $0}
    END {x = substr(g, s + 1, e - s)
         if (st == "-") {y = ""; for (i = length(x); i > 0; i--) {b = toupper(substr(x, i, 1))
           y = y (b == "A" ? "T" : b == "C" ? "G" : b == "G" ? "C" : b == "T" ? "A" : "N")}
           x = (x == toupper(x)) ? y : tolower(y)}
         print x}' genome.fa
}
n=0
while read -r c s e _ _ st; do
  w=$(seq_of "$c" "$s" "$e" "$st")
  g=$(awk -v h=">$c:$s-$e($st)" 'index($0, h) == 1 {getline; print; exit}' bed/seqlets/bed_seqlets.fa)
  check "[ -n \"$w\" ] && [ \"$w\" = \"$g\" ]" "FASTA of $c:$s-$e($st): '$g', genome '$w'"
  n=$((n + 1))
done < <(grep -v '^#' bed/seqlets/bed_seqlets.bed)
check "[ $n -eq 4 ]" "$n FASTA records checked"
expect_error "seqlets that the regions place elsewhere" "Input:attr is not the attr.h5 of this run" \
  -P Input:modisco="$R"/bed_wrong.h5 -P Input:attr=bed.h5 -P Report:seqlets=true -P Report:motifs=none

[ $fail -eq 0 ] && echo "report_cli: all checks passed"
exit $fail
