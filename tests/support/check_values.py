#!/usr/bin/env python3
"""Load streams of generated `Value`s and compare each with its expected object.

Usage:
    python check_values.py <dir>

<dir>/expected.txt has one ``name<TAB>expression`` line per stream
<dir>/<name>.pkl (written by tests/read_proptest.rs). The expression builds
the object the stream must load as, from these helpers:

    None True False 123     themselves
    L("hex")                int from two's-complement little-endian bytes
    F(0x...)                float with exactly these IEEE 754 bits
    S("hex") B("hex")       str (UTF-8 bytes) and bytes
    BA("hex")               bytearray
    [a, b]  T(a, b)         list, tuple
    D(T(k, v), ...)         dict, filled in this order (as SETITEMS does)
    SET(a, ...) FS(a, ...)  set (filled in this order), frozenset
    G("module", "a.b")      a global, by import and getattr
    SH(i, x)                the object first built for shared value i

Each stream is loaded by the C unpickler and the pure-Python one and compared
strictly: exact types, floats bit for bit, dicts in order, sets as multisets
of strictly equal members, and the same sharing of mutable objects (a list
the expression builds once appears as one list in the loaded value, and
vice versa). Globals must be the very same object.

The closing line is ``N passed, M failed``, counting (stream, loader) pairs;
exit status 0 iff nothing failed and at least one pair ran.
"""

import importlib
import io
import os
import pickle
import struct
import sys
import traceback

MUTABLE = (list, dict, set, bytearray)
PLAIN = (type(None), bool, int, str, bytes, bytearray)


def helpers():
    shared = {}

    def d(*pairs):
        out = {}
        for k, v in pairs:
            out[k] = v
        return out

    def s(*items):
        out = set()
        for i in items:
            out.add(i)
        return out

    def g(module, name):
        obj = importlib.import_module(module)
        for part in name.split("."):
            obj = getattr(obj, part)
        return obj

    return {
        "__builtins__": {"None": None, "True": True, "False": False},
        "L": lambda h: int.from_bytes(bytes.fromhex(h), "little", signed=True),
        "F": lambda bits: struct.unpack("<d", struct.pack("<Q", bits))[0],
        "S": lambda h: bytes.fromhex(h).decode("utf-8"),
        "B": bytes.fromhex,
        "BA": bytearray.fromhex,
        "T": lambda *items: items,
        "D": d,
        "SET": s,
        "FS": lambda *items: frozenset(items),
        "G": g,
        "SH": lambda i, v: shared.setdefault(i, v),
    }


class Mismatch(AssertionError):
    pass


def same(got, want, path, ids):
    """Raises Mismatch unless `got` is strictly `want` (see the module doc)."""
    if type(got) is not type(want):
        raise Mismatch("%s: type %s, expected %s (%r vs %r)"
                       % (path, type(got).__name__, type(want).__name__, got, want))
    t = type(want)
    if t in MUTABLE:
        forward, backward = ids
        if forward.setdefault(id(want), id(got)) != id(got) or \
                backward.setdefault(id(got), id(want)) != id(want):
            raise Mismatch("%s: sharing differs from the expected value" % path)
    if t is float:
        if struct.pack("<d", got) != struct.pack("<d", want):
            raise Mismatch("%s: float %r, expected %r (bits differ)" % (path, got, want))
    elif t in PLAIN:
        if got != want:
            raise Mismatch("%s: %r, expected %r" % (path, got, want))
    elif t in (list, tuple):
        if len(got) != len(want):
            raise Mismatch("%s: length %d, expected %d" % (path, len(got), len(want)))
        for i, (a, b) in enumerate(zip(got, want)):
            same(a, b, "%s[%d]" % (path, i), ids)
    elif t is dict:
        if len(got) != len(want):
            raise Mismatch("%s: %d keys, expected %d" % (path, len(got), len(want)))
        for i, ((ka, va), (kb, vb)) in enumerate(zip(got.items(), want.items())):
            same(ka, kb, "%s.key#%d" % (path, i), ids)
            same(va, vb, "%s[%r]" % (path, kb), ids)
    elif t in (set, frozenset):
        if len(got) != len(want):
            raise Mismatch("%s: %d members, expected %d" % (path, len(got), len(want)))
        left = list(got)
        for w in want:
            for i, g in enumerate(left):
                try:
                    # Members are hashable, hence hold no mutable objects.
                    same(g, w, path, ({}, {}))
                except Mismatch:
                    continue
                del left[i]
                break
            else:
                raise Mismatch("%s: no member strictly equal to %r in %r" % (path, w, got))
    elif got is not want:
        raise Mismatch("%s: %r is not the expected object %r" % (path, got, want))


def main(argv):
    if len(argv) != 2:
        print(__doc__)
        return 2
    directory = argv[1]
    with io.open(os.path.join(directory, "expected.txt"), encoding="utf-8") as f:
        cases = [line.rstrip("\n").split("\t", 1) for line in f if line.strip()]
    loaders = [("c", pickle.loads), ("py", pickle._loads)]
    passed = failed = 0
    for name, expression in cases:
        with open(os.path.join(directory, name + ".pkl"), "rb") as f:
            data = f.read()
        for loader, loads in loaders:
            try:
                want = eval(expression, helpers())
                same(loads(data), want, "v", ({}, {}))
            except Exception:
                failed += 1
                print("FAIL %s [%s]: %s" % (name, loader, expression))
                print("    | " + traceback.format_exc().rstrip().replace("\n", "\n    | "))
            else:
                passed += 1
    print("%d streams, loaders: %s" % (len(cases), ", ".join(n for n, _ in loaders)))
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
