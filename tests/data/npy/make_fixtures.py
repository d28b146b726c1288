#!/usr/bin/env python3
"""Write the .npy/.npz fixtures of tests/test_npy.c byte by byte, following
numpy's documented .npy format (no numpy needed): magic b'\\x93NUMPY', major,
minor, header length (uint16 LE for 1.0, uint32 LE for 2.0/3.0), the dict
literal padded with spaces and ended by '\\n' to a multiple of `align`
bytes, then the data in C order. The .npz files are zips written with
Python's zipfile, as numpy.savez / savez_compressed do.

Run from this folder: python3 make_fixtures.py"""
import struct
import zipfile


def npy(descr, shape, data, version=(1, 0), fortran=False, align=64, shape_text=None):
    if shape_text is None:
        shape_text = "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"
    d = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (
        descr, "True" if fortran else "False", shape_text)
    prefix = 10 if version[0] == 1 else 12
    hlen = len(d) + 1
    pad = align - (prefix + hlen) % align
    fmt = "<H" if version[0] == 1 else "<I"
    return (b"\x93NUMPY" + bytes(version) + struct.pack(fmt, hlen + pad)
            + d.encode("latin1") + b" " * pad + b"\n" + data)


def write(name, blob):
    with open(name, "wb") as f:
        f.write(blob)


# valid files: values documented in test_npy.c
write("f8_2x3.npy", npy("<f8", (2, 3), struct.pack("<6d", *[0.5 * i for i in range(6)])))
write("u1_v2.npy", npy("|u1", (4,), bytes([0, 1, 254, 255]), version=(2, 0)))
write("i8_v3.npy", npy("<i8", (3, 1), struct.pack("<3q", -7, 0, 1 << 40), version=(3, 0)))
write("f4_scalar.npy", npy("<f4", (), struct.pack("<f", 3.25)))
write("f4_py2.npy", npy("<f4", (2, 2), struct.pack("<4f", 1, 2, 3, 4), align=16,
                        shape_text="(2L, 2L)"))
# bad files
write("fortran.npy", npy("<f4", (2, 2), struct.pack("<4f", 1, 2, 3, 4), fortran=True))
write("big_endian.npy", npy(">f4", (2,), struct.pack(">2f", 1, 2)))
write("i4.npy", npy("<i4", (2,), struct.pack("<2i", 1, 2)))
write("bad_magic.npy", b"\x93NUMPZ" + npy("<f4", (1,), struct.pack("<f", 1))[6:])
write("truncated.npy", npy("<f8", (2, 3), struct.pack("<5d", 0, 1, 2, 3, 4)))
write("trailing.npy", npy("<f4", (1,), struct.pack("<2f", 1, 2)))
write("huge_shape.npy", npy("<f4", (10**12, 10**6), struct.pack("<2f", 1, 2)))
write("bad_header.npy", npy("<f4", (2,), struct.pack("<2f", 1, 2), shape_text="(2, x)"))

# onehot of "ACG", "TNA" as tfmodisco-lite wants it: (N=2, 4, L=3), float32;
# deflated like numpy.savez_compressed, plus a stored second member
ohe = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 0],
       [0, 0, 1], [0, 0, 0], [0, 0, 0], [1, 0, 0]]
flat = [v for row in ohe for v in row]
with zipfile.ZipFile("ohe.npz", "w") as z:
    member = zipfile.ZipInfo("arr_0.npy", date_time=(1980, 1, 1, 0, 0, 0))
    member.compress_type = zipfile.ZIP_DEFLATED
    z.writestr(member, npy("<f4", (2, 4, 3), struct.pack("<24f", *flat)))
    z.writestr(zipfile.ZipInfo("arr_1.npy", date_time=(1980, 1, 1, 0, 0, 0)),
               npy("<i8", (2,), struct.pack("<2q", 5, 6)))
