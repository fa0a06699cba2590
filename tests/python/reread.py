"""Loads streams written by Rust, changes them, and pickles them again with
CPython's own pickler at protocols 0-5; also pickles instances of real classes
(a module written to the work dir) and plain Python data.

    python3 reread.py DIR      reads DIR/in_NAME.pkl, writes DIR/out_NAME.pP.pkl
"""
import dataclasses
import datetime
import ipaddress
import os
import pickle
import sys

d = sys.argv[1]
sys.path.insert(0, d)


def load(name):
    with open(os.path.join(d, f"in_{name}.pkl"), "rb") as f:
        return pickle.load(f)


def dump(name, v, protocols=range(6)):
    for p in protocols:
        with open(os.path.join(d, f"out_{name}.p{p}.pkl"), "wb") as f:
            f.write(pickle.dumps(v, protocol=p))


# --- stand-in classes loaded from Rust streams, modified
v = load("place")
v.at.x = 99
v.tags.append("new")
v.note = "noted"
v.index["work"] = type(v.at)(3, 4)
dump("place", v)

v = load("colors")
v[1] = type(v[0]).Blue
dump("colors", v)

v = load("shapes")
v[0].radius = 10.0
v[1]._0.append(type(v[0].center)(7, 7))
v.append(type(v[2])())
dump("shapes", v)

v = load("std")
d0, t0, ip4, ip6, r = v
dump("std", (d0 + datetime.timedelta(seconds=1), t0 + datetime.timedelta(days=1),
             ip4 + 1, ip6 + 1, range(r.start, r.stop + 1)))

v = load("misc")
frozen, rgb, marker, meters, vector, pair, tree, shared, sets = v
frozen = dataclasses.replace(frozen, value=frozen.value + 1)
rgb._2 = 11
vector.dx = -1.5
pair.second.append("z")
tree._1 = type(tree._0)(5)
shared.a.x = 6  # a and b are one object
sets[0].add(4)
dump("misc", (frozen, rgb, marker, meters * 2, vector, pair, tree, shared, sets))

v = load("nested")
v.depth = 1000
dump("nested", v)

# --- real classes: same names, a real module
import realgeo  # noqa: E402
import geo.shapes  # noqa: E402

dump("real", realgeo.Drawing(
    points=[realgeo.Point(1, 2), realgeo.Point(3, 4)],
    color=realgeo.Color.Green,
    shapes=[realgeo.Shape.Circle(realgeo.Point(0, 0), 2.5), realgeo.Shape.Empty()],
    vector=geo.shapes.Vector(1.0, 2.0),
), protocols=range(2, 6))  # protocols 0 and 1 cannot pickle __slots__ without __getstate__

# --- plain Python data whose shape fits
dump("plain", {"points": [{"x": 1, "y": 2}, {"y": 4, "x": 3, "ignored": True}],
               "color": "Green", "shapes": ["Empty"], "vector": {"dx": 0.5, "dy": 0.25}})
print("reread ok")
