#!/usr/bin/python3
"""Fixtures of the dmotif report tests (tests/report.sh); needs h5py (Debian python3-h5py).

usage: make_fixtures.py <modisco_task0.h5 of the example> <output dir>

example_task0.h5  the example's task-0 modisco.h5 (tools/example.sh: dmotif attr on 2 ranks, then
                  dmotif modisco -P Input:task=0) with every pattern and subpattern matrix as it is,
                  and every 10th seqlet of each (pattern, subpattern) kept, gzip'd datasets; the
                  seqlets' own sequence and hypothetical_contribs arrays (not read by the report)
                  are left out to keep the file small
lite_task0.h5     the same without dmotif's genomic columns (chrom, genomic_start, genomic_end,
                  strand) and root attributes other than window_size: tfmodisco-lite's
                  modisco_results.h5 schema
empty.h5          window_size 200 and empty pos_patterns / neg_patterns groups (no patterns)
bed_seqlets.h5    one pattern whose 4 seqlets lie in the 4 rows that `dmotif encode` makes of
                  tests/data/io/regions.bed with Input:length=6 (chr1:12-18 twice, chr1:42-48,
                  chr2:22-28), with matching genomic columns
bed_wrong.h5      the same with the first seqlet's genomic_start off by one (must be refused)
"""
import sys

import h5py
import numpy as np

GENOMIC = ("chrom", "genomic_start", "genomic_end", "strand")


def copy_group(src, dst, keep_genomic):
    for k, v in src.attrs.items():
        if keep_genomic or k == "window_size":  # lite writes window_size alone
            dst.attrs[k] = v
    for name, obj in src.items():
        if isinstance(obj, h5py.Group):
            copy_group(obj, dst.create_group(name), keep_genomic)
            continue
        if src.name.endswith("/seqlets") and name == "n_seqlets":
            continue
        if src.name.endswith("/seqlets"):
            if (name in GENOMIC and not keep_genomic) or name in ("sequence", "hypothetical_contribs"):
                continue
            data = obj[::10]
        else:
            data = obj[()]
        dst.create_dataset(name, data=data, dtype=obj.dtype, compression="gzip", compression_opts=9)
    if src.name.endswith("/seqlets"):
        dst.create_dataset("n_seqlets", data=np.array([dst["start"].shape[0]], dtype=np.int64))


def example(src_path, out, keep_genomic):
    with h5py.File(src_path, "r") as src, h5py.File(out, "w") as dst:
        copy_group(src, dst, keep_genomic)


def bed_seqlets(out, wrong):
    rows = np.array([0, 1, 2, 3], dtype=np.int64)
    starts = np.array([1, 0, 2, 0], dtype=np.int64)
    ends = starts + 4
    rc = np.array([False, True, False, True])
    chrom = ["chr1", "chr1", "chr1", "chr2"]
    region_start = np.array([12, 12, 42, 22], dtype=np.int64)
    gstart = region_start + starts
    if wrong:
        gstart[0] += 1
    rng = np.random.default_rng(3)
    ppm = rng.dirichlet(np.ones(4), size=4)
    cwm = ppm - 0.25
    with h5py.File(out, "w") as f:
        f.attrs["window_size"] = np.int64(6)
        p = f.create_group("pos_patterns/pattern_0")
        p["sequence"], p["contrib_scores"], p["hypothetical_contribs"] = ppm, cwm, cwm
        s = p.create_group("seqlets")
        s["n_seqlets"] = np.array([4], dtype=np.int64)
        s["start"], s["end"], s["example_idx"], s["is_revcomp"] = starts, ends, rows, rc
        for k in ("sequence", "contrib_scores", "hypothetical_contribs"):
            s[k] = np.repeat(cwm[None].astype(np.float32), 4, axis=0)
        s["chrom"] = np.array(chrom, dtype=h5py.string_dtype())
        s["genomic_start"], s["genomic_end"] = gstart, region_start + ends
        s["strand"] = np.array(["-" if r else "+" for r in rc], dtype=h5py.string_dtype())
        f.create_group("neg_patterns")


def main():
    src, out = sys.argv[1], sys.argv[2]
    example(src, out + "/example_task0.h5", True)
    example(src, out + "/lite_task0.h5", False)
    with h5py.File(out + "/empty.h5", "w") as f:
        f.attrs["window_size"] = np.int64(200)
        f.create_group("pos_patterns")
        f.create_group("neg_patterns")
    bed_seqlets(out + "/bed_seqlets.h5", False)
    bed_seqlets(out + "/bed_wrong.h5", True)


main()
