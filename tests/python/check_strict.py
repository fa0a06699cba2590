#!/usr/bin/env python3
"""Compare strict-profile streams with default-profile ones.

Usage: check_strict.py <dir> <FORMAT.md>

<dir> holds pairs NAME.strict.pkl / NAME.default.pkl written by
tests/strict.rs.  Each strict stream is loaded by the C unpickler, the
pure-Python one and a restricted Unpickler whose find_class admits exactly
the ```allowlist-strict block of FORMAT.md; the result must equal, structurally
(class names and qualnames, docstrings, field names, annotations, repr,
hashability, enum members and values, shared objects), what the default
stream loads to.  Also: nothing is added to sys.modules, two loads give
distinct classes (no cross-load identity), pickle.dumps of a loaded object
fails (never a wrong value), copy.copy(obj) == obj.  Closing line: N passed,
M failed.  Runs on Python 3.9+ (PyPy, Pyodide), stdlib only.
"""

import copy
import dataclasses
import enum
import math
import os
import pickle
import sys


def parse_block(path, tag):
    pairs, inside = set(), False
    with open(path, encoding="utf-8") as f:
        for line in f:
            s = line.strip()
            if s.startswith("```"):
                inside = (s[3:].strip() == tag) if not inside else False
                continue
            if inside and s and not s.startswith("#"):
                module, name = s.split()
                pairs.add((module, name))
    if not pairs:
        raise SystemExit("%s: no ```%s block" % (path, tag))
    return pairs


def canon(o, seen):
    if id(o) in seen:
        return ("shared", seen[id(o)])
    t = type(o)
    if dataclasses.is_dataclass(o) and not isinstance(o, type):
        seen[id(o)] = len(seen)
        fields = [f.name for f in dataclasses.fields(o)]
        return ("dataclass", t.__name__, t.__qualname__, t.__doc__, tuple(fields),
                tuple(t.__annotations__), t.__match_args__, t.__hash__ is None, '__lt__' in vars(t), repr(o),
                tuple(canon(getattr(o, f), seen) for f in fields),
                tuple(b.__qualname__ for b in t.__mro__ if dataclasses.is_dataclass(b)))
    if isinstance(o, enum.Enum):
        return ("enum", t.__name__, t.__doc__, o.name, o.value, isinstance(o, int), repr(o),
                tuple((m.name, m.value) for m in t))
    if isinstance(o, float):
        return ("float", "nan" if math.isnan(o) else repr(o))
    if isinstance(o, (list, tuple)):
        seen[id(o)] = len(seen)
        return (t.__name__, tuple(canon(x, seen) for x in o))
    if isinstance(o, dict):
        return ("dict", tuple((canon(k, seen), canon(v, seen)) for k, v in o.items()))
    if isinstance(o, (set, frozenset)):
        return (t.__name__, tuple(sorted(repr(canon(x, seen)) for x in o)))
    return ("value", t.__module__, t.__name__, repr(o))


def instances(o, out):
    if dataclasses.is_dataclass(o) and not isinstance(o, type):
        out.append(o)
        for f in dataclasses.fields(o):
            instances(getattr(o, f.name), out)
    elif isinstance(o, (list, tuple)):
        for x in o:
            instances(x, out)
    elif isinstance(o, dict):
        for x in o.values():
            instances(x, out)
    return out


def main():
    d, fmt = sys.argv[1], sys.argv[2]
    allowed = parse_block(fmt, "allowlist-strict")

    class Restricted(pickle.Unpickler):
        def find_class(self, module, name):
            if (module, name) not in allowed:
                raise pickle.UnpicklingError("forbidden global %s.%s" % (module, name))
            return super().find_class(module, name)

    import io
    loaders = {
        "c": pickle.loads,
        "py": pickle._loads,
        "restricted": lambda b: Restricted(io.BytesIO(b)).load(),
    }
    names = sorted(f[:-len(".strict.pkl")] for f in os.listdir(d) if f.endswith(".strict.pkl"))
    passed = failed = 0
    for name in names:
        strict = open(os.path.join(d, name + ".strict.pkl"), "rb").read()
        default = open(os.path.join(d, name + ".default.pkl"), "rb").read()
        want = canon(pickle.loads(default), {})
        for lname, load in loaders.items():
            try:
                before = set(sys.modules)
                v = load(strict)
                added = {m for m in set(sys.modules) - before if "portable" in m}
                assert not added, "sys.modules gained %s" % added
                got = canon(v, {})
                assert got == want, "differs:\n strict  %r\n default %r" % (got, want)
                objs = instances(v, [])
                for o in objs:
                    assert copy.copy(o) == o, "copy.copy(%r) != itself" % (o,)
                    if type(o).__hash__ is not None:
                        hash(o)
                if objs:
                    again = instances(load(strict), [])
                    assert type(again[0]) is not type(objs[0]), "a second load reused the class"
                    try:
                        pickle.dumps(objs[0])
                    except (pickle.PicklingError, TypeError, AttributeError, ImportError):
                        pass
                    else:
                        raise AssertionError("pickle.dumps of a strict object succeeded")
                passed += 1
            except Exception as e:
                failed += 1
                print("FAIL %s [%s]: %s: %s" % (name, lname, type(e).__name__, e))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
