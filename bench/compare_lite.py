#!/usr/bin/env python3
"""Match the patterns of two modisco.h5 files (tfmodisco-lite's and dmotif's)
by CWM cosine and check the fidelity goals.

    compare_lite.py <lite.h5> <dmotif.h5> [label]

For each metacluster (pos_patterns, neg_patterns), every pattern's CWM
(contrib_scores, (L, 4)) is compared with every pattern of the other file:
the cosine is the best over both strands and all offsets of the dot product
of the overlapping positions, divided by the norms of the whole CWMs (so
mass outside the overlap counts against it). Goals, per lite pattern:
  - >= 100 seqlets: the best dmotif pattern has cosine >= 0.9 and holds
    0.9-1.1x its seqlets;
  - 20-99 seqlets: a dmotif pattern of its own at cosine >= 0.9 (lite
    patterns, largest first, each take the best dmotif pattern not taken yet).
Prints one line per lite pattern and per dmotif pattern left unmatched, then
"goals met" or "goals NOT met: <n>". Needs numpy and h5py only.
"""
import sys

import h5py
import numpy as np


def patterns(path, mc):
    out = []
    with h5py.File(path, "r") as f:
        if mc not in f:
            return out
        g = f[mc]
        names = sorted(g.keys(), key=lambda k: int(k.split("_")[1]))
        for name in names:
            cwm = np.asarray(g[name]["contrib_scores"], dtype=np.float64)
            out.append((name, int(g[name]["seqlets"]["n_seqlets"][()]), cwm))
    return out


def cosine(a, b):
    """Best cosine over strands and offsets (whole-CWM norms)."""
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    if na == 0 or nb == 0:
        return 0.0
    best = -1.0
    for bb in (b, b[::-1, ::-1]):
        la, lb = len(a), len(bb)
        for off in range(-(lb - 1), la):
            a0, b0 = max(off, 0), max(-off, 0)
            n = min(la - a0, lb - b0)
            if n > 0:
                best = max(best, float(np.sum(a[a0:a0 + n] * bb[b0:b0 + n])))
    return best / (na * nb)


def main():
    lite_path, dm_path = sys.argv[1], sys.argv[2]
    label = sys.argv[3] if len(sys.argv) > 3 else ""
    failed = 0
    for mc in ("pos_patterns", "neg_patterns"):
        lite, dm = patterns(lite_path, mc), patterns(dm_path, mc)
        taken = set()
        for ln, lcount, lcwm in lite:  # lite files are sorted by size
            cos = [cosine(lcwm, d[2]) for d in dm]
            best = int(np.argmax(cos)) if dm else -1
            own = [k for k in np.argsort(cos)[::-1] if k not in taken] if dm else []
            if lcount >= 100:
                k = best
                ok = k >= 0 and cos[k] >= 0.9 and 0.9 <= dm[k][1] / lcount <= 1.1
                goal = ">=100: cos>=0.9, 0.9-1.1x"
            else:
                k = own[0] if own else -1
                ok = k >= 0 and cos[k] >= 0.9
                goal = "20-99: own pattern, cos>=0.9"
            if k >= 0:
                taken.add(k)
            failed += not ok
            if k >= 0:
                print(f"{label} {mc} lite {ln} {lcount} | dmotif {dm[k][0]} {dm[k][1]} "
                      f"ratio {dm[k][1] / lcount:.2f} cos {cos[k]:.3f} | {goal}: {'ok' if ok else 'NOT MET'}")
            else:
                print(f"{label} {mc} lite {ln} {lcount} | no dmotif pattern | {goal}: NOT MET")
        for k, (dn, dcount, dcwm) in enumerate(dm):
            if k not in taken:
                cos = max((cosine(l[2], dcwm) for l in lite), default=0.0)
                print(f"{label} {mc} dmotif {dn} {dcount} unmatched (best cos to lite {cos:.3f})")
    print(f"{label} goals met" if failed == 0 else f"{label} goals NOT met: {failed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
