"""The collector pause of docs/FORMAT.md ("Collector pause"), checked on one
interpreter: tests/gc_pause.rs runs it with python3 (and pypy3 when present).

    python3 tests/python/gc_pause.py STREAM

STREAM is a `Vec<Sample>` stream of tests/gc_pause.rs: Sample(id, name,
span=timedelta, tags, pos=Spot(x, y)) for id in 0..200. Prints "ok" and exits 0.
"""
import datetime
import gc
import io
import pickle
import sys

data = open(sys.argv[1], "rb").read()
CPYTHON = sys.implementation.name == "cpython"
LOADERS = {"C": pickle.loads, "python": pickle._loads}


def expected():
    return [
        (i, f"s{i}", datetime.timedelta(seconds=i), ["a", f"t{i % 7}"], (float(i), -float(i)))
        for i in range(200)
    ]


def shape(v):
    assert type(v) is list and len(v) == 200, type(v)
    assert type(v[0]).__name__ == "Sample" and type(v[0].pos).__name__ == "Spot"
    return [(s.id, s.name, s.span, s.tags, (s.pos.x, s.pos.y)) for s in v]


def check_full_loads():
    for start in (True, False):
        for name, load in LOADERS.items():
            (gc.enable if start else gc.disable)()
            v = load(data)
            assert shape(v) == expected(), name
            assert gc.isenabled() is start, (name, start, "after a complete load")
    gc.enable()


class Probe(pickle._Unpickler):
    """Records the collector's state when the body's first stdlib global is looked up."""

    seen = []

    def find_class(self, module, name):
        if (module, name) == ("datetime", "timedelta"):
            Probe.seen.append(gc.isenabled())
        return super().find_class(module, name)


def check_paused_during_body():
    gc.enable()
    v = Probe(io.BytesIO(data)).load()
    assert shape(v) == expected()
    # CPython pauses the collector for the body; other interpreters leave it alone.
    assert Probe.seen == [not CPYTHON], Probe.seen
    assert gc.isenabled()


def check_truncated():
    """Every cut of the stream raises and leaves the collector's state as it was."""
    cuts = sorted(set(range(1, len(data), max(1, len(data) // 150))) | {len(data) - 1, len(data) - 2})
    failures = 0
    for start in (True, False):
        for name, load in LOADERS.items():
            for cut in cuts:
                (gc.enable if start else gc.disable)()
                try:
                    load(data[:cut])
                except Exception:
                    failures += 1
                else:
                    raise AssertionError(f"{name}: a stream cut at {cut} of {len(data)} loaded")
                assert gc.isenabled() is start, (name, start, cut, "after a failed load")
    gc.enable()
    return failures


def check_long_lived_unpickler():
    """A kept pickle.Unpickler restores the state at its next load or when freed."""
    gc.enable()
    u = pickle.Unpickler(io.BytesIO(data + data))
    assert shape(u.load()) == expected()
    assert gc.isenabled() is not CPYTHON  # paused until the next load or the unpickler is freed
    assert shape(u.load()) == expected()
    del u
    assert gc.isenabled()


check_full_loads()
check_paused_during_body()
n = check_truncated()
check_long_lived_unpickler()
print(f"ok: {sys.implementation.name}, {n} truncated loads raised, collector state restored each time")
