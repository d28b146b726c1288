#!/bin/bash
# dmotif variants at NP ranks on a genome made of 400 example sequences back
# to back: variants that destroy a planted GATA or TAL1 instance score far
# below SNVs in motif-free sequences; flagged records (REF mismatch, symbolic
# or missing ALT, unknown contig, window off the end) are not scored;
# multi-allelic records are split; the datasets equal a 1-rank run; a rerun
# resumes and one with other parameters is refused.
set -u
. "$SRC"/tests/lib.sh
run() { if [ "$NP" = 1 ]; then "$DMOTIF" variants "$@"; else $MPIEXEC "$NP" "$DMOTIF" variants "$@"; fi; }
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || exit 1
ex=$DATA/deeplift_example

# genome.fa: chr1 = sequences 1..400 of the example, 200 bp each; variants.vcf:
# an MNV over the 4 central bases of every planted instance (complemented),
# one SNV at base 100 of every motif-free sequence, and the flagged records.
zcat "$ex"/sequences.simdata.gz | awk -F'\t' -v G=genome.fa -v V=body.vcf '
  function comp(s,  o, i, c) { o = ""; for (i = 1; i <= length(s); i++) { c = substr(s, i, 1);
      o = o (c == "A" ? "T" : c == "C" ? "G" : c == "G" ? "C" : "A") } return o }
  NR == 1 { next }
  NR > 401 { exit }
  { i = NR - 2; seq = seq $2
    if ($3 == "") { b = substr($2, 101, 1); printf "chr1\t%d\tbg_%d\t%s\t%s\n", i * 200 + 101, i, b, comp(b) > V; next }
    n = split($3, item, ",")
    for (k = 1; k <= n; k++) {
      split(item[k], f, "-"); split(f[2], nm, "_"); p = f[2] + 0; s = f[3]; m = int(length(s) / 2) - 2
      r = substr($2, p + m + 1, 4)
      printf "chr1\t%d\t%s_%d_%d\t%s\t%s\n", i * 200 + p + m + 1, nm[2], i, p, r, comp(r) > V } }
  END { print ">chr1" > G; for (j = 1; j <= length(seq); j += 60) print substr(seq, j, 60) > G
        print ">chr2" > G; print substr(seq, 1, 300) > G }'
sort -k2,2n body.vcf > body.sorted
chr2_base() { awk -v p="$1" 'c {print substr($0, p, 1); exit} /^>chr2/ {c = 1}' genome.fa; }
ref150=$(chr2_base 150)
{
  printf '##fileformat=VCFv4.2\n##contig=<ID=chr1>\n##contig=<ID=chr2>\n##contig=<ID=chrZ>\n'
  printf '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n'
  awk -F'\t' '{print $0 "\t.\t.\t."}' body.sorted
  printf 'chr2\t150\tmulti\t%s\tA,C,G,T\t.\t.\t.\n' "$ref150"
  printf 'chr2\t150\tsymbolic\tN\t<DEL>\t.\t.\t.\n'
  printf 'chr2\t151\tmissing\tN\t.\t.\t.\t.\n'
  printf 'chr2\t5\toffend\tN\tA\t.\t.\t.\n'
  printf 'chrZ\t500\tunknown\tA\tC\t.\t.\t.\n'
} > variants.vcf
bad=$(echo ACGT | tr -d "$(chr2_base 160)" | cut -c1)
printf 'chr2\t160\tmismatch\t%s\tA\t.\t.\t.\n' "$bad" >> variants.vcf
common=(-P Input:vcf=variants.vcf -P Input:genome=genome.fa -P Model:file="$ex"/keras2_conv1d_record_5_model_PQzyq_modelJson.json
  -P Model:weights="$ex"/keras2_conv1d_record_5_model_PQzyq_modelWeights.h5 -P Variants:batch=16 -P Output:chunk_rows=64)
"$DMOTIF" variants -q "${common[@]}" -P Output:file=one.h5 2> one.log
rc=$?
check "[ $rc -eq 0 ] && [ -s one.tsv ]" "1-rank run failed (see one.log)"
run -q "${common[@]}" -P Output:file=np.h5 2> np.log
rc=$?
check "[ $rc -eq 0 ] && same_datasets one.h5 np.h5" "$NP ranks differ from 1 rank (see np.log)"
check "cmp -s <(grep -v '^##' one.tsv) <(grep -v '^##' np.tsv)" "TSV at $NP ranks differs"

# columns: chrom pos id ref alt flags, then per task logit_ref logit_alt pred_ref pred_alt logit_diff logfc
diff_col() { awk -F'\t' -v t="$1" 'NR == 1 || /^#/ {next} {print $3 "\t" $6 "\t" $(7 + 6 * t + 4)}' one.tsv; }
mean() { awk -F'\t' -v pat="$1" '$1 ~ pat && $2 == "ok" {s += $3; n++} END {printf "%.3f %d", n ? s / n : 0, n}'; }
read -r gata ng < <(diff_col 1 | mean '^GATA_')
read -r tal nt < <(diff_col 2 | mean '^TAL1_')
read -r bg1 nb < <(diff_col 1 | mean '^bg_')
read -r bg2 _ < <(diff_col 2 | mean '^bg_')
echo "GATA-destroying: mean task-1 logit diff $gata (n=$ng); TAL1-destroying: task 2 $tal (n=$nt);" \
  "background SNVs: task 1 $bg1, task 2 $bg2 (n=$nb)"
check "[ $ng -gt 100 ] && [ $nt -gt 100 ] && [ $nb -gt 20 ]" "too few variants scored: $ng $nt $nb"
check "awk 'BEGIN {exit !($gata < -1 && $gata < $bg1 - 1 && $tal < -1 && $tal < $bg2 - 1)}'" \
  "destroying variants do not score far below background"

flag() { awk -F'\t' -v id="$1" '$3 == id {print $6; exit}' one.tsv; }
check "[ \$(grep -c '	multi	' one.tsv) = 4 ]" "multi-allelic record not split into 4 rows"
check "[ \$(awk -F'\t' '\$3 == \"multi\" && \$6 == \"ok\"' one.tsv | wc -l) = 4 ]" "multi: every ALT is scored"
check "[ '$(flag symbolic)' = alt_not_sequence ] && [ '$(flag missing)' = alt_not_sequence ]" "symbolic/missing ALT flags"
check "[ '$(flag offend)' = off_chromosome_end ] && [ '$(flag unknown)' = unknown_contig ]" "off-end / unknown contig flags"
check "[ '$(flag mismatch)' = ref_mismatch ]" "REF mismatch flag"
check "grep -q 'record .*mismatch\|REF .* does not match' one.log" "no per-record REF mismatch warning"
check "[ \$(awk -F'\t' '\$6 != \"ok\" && \$6 != \"\" && !/^#/ && \$7 != \"NA\"' one.tsv | grep -vc '^chrom') = 0 ]" \
  "a flagged row has scores"
check "grep -q '^##   Input:' one.tsv" "TSV does not store its parameters"

# the same VCF gzip-compressed gives the same scores
gzip -c variants.vcf > variants.vcf.gz
"$DMOTIF" variants -q "${common[@]}" -P Input:vcf=variants.vcf.gz -P Output:file=gz.h5 2> gz.log
check "h5diff -c gz.h5 one.h5 /tasks /tasks > /dev/null && h5diff -c gz.h5 one.h5 /variants /variants > /dev/null" \
  "gzip-compressed VCF scores differently (see gz.log)"

# rerun: resumes (nothing to do) and writes the same TSV; other parameters are refused
cp one.tsv first.tsv
"$DMOTIF" variants -q "${common[@]}" -P Output:file=one.h5 2> rerun.log
check "[ \$? -eq 0 ] && cmp -s first.tsv one.tsv" "rerun on a complete file changed the TSV"
"$DMOTIF" variants -q "${common[@]}" -P Output:file=one.h5 -P Variants:tasks=[1] 2> other.log
check "[ \$? -ne 0 ] && grep -q 'other parameters' other.log" "rerun with other parameters not refused"
# explanation: for a SNV at base 100 of a sequence the ref window is that
# sequence, so with zero references its hyp_ref equals attr's hyp of the row
grep '^#' variants.vcf > bg.vcf
grep -P '\tbg_' variants.vcf | head -3 >> bg.vcf
rows=$(grep -P '\tbg_' bg.vcf | cut -f3 | sed 's/bg_//')
zcat "$ex"/sequences.simdata.gz | head -401 > seqs.tsv
"$DMOTIF" attr -q -P Input:sequences=seqs.tsv -P Model:file="$ex"/keras2_conv1d_record_5_model_PQzyq_modelJson.json \
  -P Model:weights="$ex"/keras2_conv1d_record_5_model_PQzyq_modelWeights.h5 -P References:kind=zeros \
  -P Output:file=attr.h5 -P Output:chunk_rows=64 2> attr.log
run -q "${common[@]}" -P Input:vcf=bg.vcf -P Output:file=expl.h5 -P Variants:explain_window=5 \
  -P References:kind=zeros -P Variants:tasks=[1,2] 2> expl.log
check "[ \$? -eq 0 ] && h5ls expl.h5/tasks/2 | grep -q hyp_alt" "explain run failed (see expl.log)"
vals() { h5dump -y -w 0 -d "$2" -s "$3" -c "$4" "$1" | tr -d ' \n' | grep -o 'DATA{[^}]*}' | head -1 | tr -d 'DATA{}' | tr ',' '\n'; }
k=0
for i in $rows; do
  for t in 1 2; do
    paste <(vals expl.h5 /tasks/$t/hyp_ref "$k,0,0" "1,11,4") <(vals attr.h5 /tasks/$t/hyp "$i,95,0" "1,11,4") > cmp.txt
    check "[ \$(wc -l < cmp.txt) = 44 ] && awk '{d = \$1 - \$2; if (d < 0) d = -d; if (d > 1e-5 * (1 + (\$2 < 0 ? -\$2 : \$2))) bad++} END {exit bad > 0}' cmp.txt" \
      "explanation of allele $k (row $i) task $t differs from attr's hyp"
  done
  k=$((k + 1))
done

# null: 4 shuffles per allele; destroying variants get small p-values, the
# background large ones; the same at any rank count
"$DMOTIF" variants -q "${common[@]}" -P Output:file=null1.h5 -P Variants:null_shuffles=4 -P Variants:tasks=[1,2] 2> null1.log
run -q "${common[@]}" -P Output:file=nullnp.h5 -P Variants:null_shuffles=4 -P Variants:tasks=[1,2] 2> nullnp.log
check "[ -s null1.tsv ] && same_datasets null1.h5 nullnp.h5" "null run failed or differs at $NP ranks"
pcol() { awk -F'\t' -v pat="$1" -v c="$2" '!/^#/ && $3 ~ pat && $6 == "ok" {print $c}' null1.tsv | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
# columns: 6 + 6 scores + pvalue per task: task 1 pvalue is column 13, task 2 column 20
pg=$(pcol '^GATA_' 13) pt=$(pcol '^TAL1_' 20) pb=$(pcol '^bg_' 13)
echo "median p-values: GATA-destroying $pg, TAL1-destroying $pt, background $pb"
check "awk 'BEGIN {exit !($pg < 0.05 && $pt < 0.05 && $pb > 0.2)}'" "p-values do not separate destroying variants from background"

# a ChromBPNet-like model (1000 bp, profile + log-counts heads): by default the
# profile head gets the Jensen-Shannon distance and the counts head the logit
# scores; an ALT equal to REF scores 0 on both; the same at any rank count
grep '^#' variants.vcf > long.vcf
grep -P '\tbg_' variants.vcf | awk -F'\t' '$2 > 1000 && $2 < 79000' | head -12 >> long.vcf
grep -P '\tbg_' long.vcf | head -1 | awk -F'\t' -v OFS='\t' '{$3 = "same"; $5 = $4; print}' >> long.vcf
lm=(-P Input:vcf=long.vcf -P Input:genome=genome.fa -P Model:file="$DATA"/long_model/chrombpnet_like.h5
  -P Variants:batch=4 -P Output:chunk_rows=8)
"$DMOTIF" variants -q "${lm[@]}" -P Output:file=long1.h5 2> long1.log
run -q "${lm[@]}" -P Output:file=longnp.h5 2> longnp.log
check "[ -s long1.tsv ] && same_datasets long1.h5 longnp.h5" "profile model run failed or differs at $NP ranks"
hdr=$(grep -v '^##' long1.tsv | head -1)
check "echo '$hdr' | grep -q 'jsd_logits_profile_predictions' && echo '$hdr' | grep -q 'logit_diff_logcount_predictions'" \
  "profile model columns: $hdr"
check "[ \$(awk -F'\t' '\$3 == \"same\" && \$7 == 0 && \$12 == 0' long1.tsv | wc -l) = 1 ]" "ALT = REF does not score 0"
check "[ \$(awk -F'\t' '!/^#/ && \$6 == \"ok\" && \$3 != \"same\" && \$7 > 0 && \$7 <= 0.8326' long1.tsv | wc -l) -ge 10 ]" \
  "Jensen-Shannon distances not in (0, sqrt(ln 2)]"

# an ONNX model (PyTorch export) and its Keras twin give the same scores, bit for bit
om=(-P Input:vcf=bg.vcf -P Input:genome=genome.fa -P Variants:batch=4 -P Output:chunk_rows=8)
run -q "${om[@]}" -P Model:file="$DATA"/models/bpnet.onnx -P Output:file=onnx.h5 2> onnx.log
run -q "${om[@]}" -P Model:file="$DATA"/models/bpnet_keras.h5 -P Output:file=keras.h5 2> keras.log
check "[ -s onnx.tsv ] && grep -q jsd_profile onnx.tsv && h5diff -c onnx.h5 keras.h5 /tasks /tasks > /dev/null" \
  "ONNX model and its Keras twin differ (see onnx.log, keras.log)"

# motif hits (at 1 and 2 ranks): the 8000 example sequences as BED regions of
# one contig, attributed (DeepLIFT, zero reference), their hits of the
# example's task-0 patterns (the report fixture), then the variants over the
# planted instances of the first 400 sequences: most fall in a hit, and the
# hit's CWM score drops for every one of them
if [ "$NP" -le 2 ]; then
  zcat "$ex"/sequences.simdata.gz | awk -F'\t' '
    function comp(s,  o, i, c) { o = ""; for (i = 1; i <= length(s); i++) { c = substr(s, i, 1);
        o = o (c == "A" ? "T" : c == "C" ? "G" : c == "G" ? "C" : "A") } return o }
    NR == 1 { next }
    { i = NR - 2; seq = seq $2; printf "g\t%d\t%d\t%s\n", i * 200, i * 200 + 200, $1 > "all.bed"
      if ($3 == "" || i >= 400) next
      n = split($3, item, ",")
      for (k = 1; k <= n; k++) {
        split(item[k], f, "-"); split(f[2], nm, "_"); p = f[2] + 0; s = f[3]; m = int(length(s) / 2) - 2
        r = substr($2, p + m + 1, 4)
        printf "g\t%d\t%s_%d_%d\t%s\t%s\t.\t.\t.\n", i * 200 + p + m + 1, nm[2], i, p, r, comp(r) > "hbody" } }
    END { print ">g" > "all.fa"; for (j = 1; j <= length(seq); j += 60) print substr(seq, j, 60) > "all.fa" }'
  { printf '##fileformat=VCFv4.2\n##contig=<ID=g>\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n'; sort -k2,2n hbody; } > h.vcf
  "$DMOTIF" attr -q -P Input:bed=all.bed -P Input:genome=all.fa -P Input:length=200 -P References:kind=zeros \
    -P Attr:tasks=[0] -P Model:file="$ex"/keras2_conv1d_record_5_model_PQzyq_modelJson.json \
    -P Model:weights="$ex"/keras2_conv1d_record_5_model_PQzyq_modelWeights.h5 -P Output:file=all_attr.h5 2> hattr.log
  "$DMOTIF" hits -q -P Input:attr=all_attr.h5 -P Input:modisco="$DATA"/report/example_task0.h5 -P Output:dir=hits 2> hits.log
  hv=(-P Input:vcf=h.vcf -P Input:genome=all.fa -P Input:hits=hits/hits.h5 -P Variants:tasks=[0]
    -P Model:file="$ex"/keras2_conv1d_record_5_model_PQzyq_modelJson.json
    -P Model:weights="$ex"/keras2_conv1d_record_5_model_PQzyq_modelWeights.h5)
  "$DMOTIF" variants -q "${hv[@]}" -P Output:file=hv1.h5 2> hv1.log
  run -q "${hv[@]}" -P Output:file=hvnp.h5 2> hvnp.log
  check "[ -s hv1.tsv ] && same_datasets hv1.h5 hvnp.h5" "variants with hits failed or differ at $NP ranks (see hv1.log, hits.log)"
  read -r nok nhit ndrop < <(awk -F'\t' '!/^#/ && $6 == "ok" {n++; if ($13 != ".") {h++; if ($18 < $17) d++}} END {print n + 0, h + 0, d + 0}' hv1.tsv)
  echo "motif-destroying variants: $nok scored, $nhit in a motif hit, CWM score lower in $ndrop"
  check "[ $nok -gt 500 ] && [ $((nhit * 10)) -gt $((nok * 9)) ] && [ $ndrop = $nhit ]" \
    "destroying variants not in hits ($nhit of $nok) or CWM score not lower ($ndrop)"
fi

printf 'chr1\tnot_a_number\n' > broken.vcf
"$DMOTIF" variants -q "${common[@]}" -P Input:vcf=broken.vcf -P Output:file=broken.h5 2> broken.log
check "[ \$? -ne 0 ] && grep -q 'broken.vcf' broken.log && [ ! -e broken.h5 ]" "broken VCF not refused cleanly"
exit $fail
