"""Functions the engine tests ship to worker processes (stdlib only).

Workers import this module by reference (it is on their sys.path), so
nothing here may depend on a portable stream having been loaded in the
worker: the objects' classes arrive with the arguments, or not at all.
"""

import dataclasses
import enum
import json
import os
import pickle
import sys

NAMESPACE = "_portable_pickle_v3"
STREAMS = ("points", "lines", "colors", "shapes", "configs")


def class_name(cls):
    """The class's logical name: its __qualname__ ("Point", "Shape.Circle").

    A data-enum variant is recognized through its base too (the base has the
    variant as an attribute), because a class that cloudpickle rebuilt by
    value in a worker has lost its dotted __qualname__ ("Circle").
    """
    for base in cls.__bases__:
        if base is not object and getattr(base, cls.__name__, None) is cls:
            return "%s.%s" % (base.__name__, cls.__name__)
    return cls.__qualname__


def describe(obj):
    """A JSON-able view: class __qualname__ + fields, enum name + member, lists."""
    if isinstance(obj, enum.Enum):
        return {"enum": type(obj).__name__, "name": obj.name, "value": obj.value}
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {
            "class": class_name(type(obj)),
            "fields": {f.name: describe(getattr(obj, f.name)) for f in dataclasses.fields(obj)},
        }
    if isinstance(obj, (list, tuple)):
        return [describe(x) for x in obj]
    return obj


def summary(obj):
    """A value derived from the object's fields (tests/engines.rs computes the same)."""
    kind = class_name(type(obj))
    if isinstance(obj, enum.Enum):
        return "%s=%s" % (obj.name, obj.value)
    if kind == "Point":
        return obj.x * obj.x + obj.y * obj.y
    if kind == "Line":
        return "%s:%d" % (obj.label, abs(obj.end.x - obj.start.x) + abs(obj.end.y - obj.start.y))
    if kind == "Shape.Circle":
        return "circle %d,%d d=%r" % (obj.center.x, obj.center.y, obj.radius * 2)
    if kind == "Shape.Polygon":
        return "polygon %d sx=%d" % (len(obj._0), sum(p.x for p in obj._0))
    if kind == "Shape.Empty":
        return "empty"
    if kind == "Config":
        return "%s*%d/%s" % (obj.name, obj.retries, "+".join(obj.tags))
    raise TypeError("unexpected object %r of %r" % (obj, type(obj)))


def identity(obj):
    """Returns the object: the engine ships it back to the caller."""
    return obj


def worker_view(obj):
    """What the worker sees: describe, summary, the class's __qualname__ and
    __module__, whether the namespace module is installed, the worker's pid."""
    return {
        "describe": describe(obj),
        "summary": summary(obj),
        "qualname": type(obj).__qualname__,
        "module": type(obj).__module__,
        "namespace_installed": NAMESPACE in sys.modules,
        "pid": os.getpid(),
    }


def pid(_obj=None):
    return os.getpid()


def load_streams(directory):
    """{stream name: list of loaded objects}, with the stock pickle.load."""
    out = {}
    for name in STREAMS:
        with open(os.path.join(directory, name + ".pkl"), "rb") as f:
            out[name] = pickle.load(f)
    return out


def load_expected(directory):
    with open(os.path.join(directory, "expected.json"), encoding="utf-8") as f:
        return json.load(f)


def flatten(streams):
    """All objects of all streams, in STREAMS order."""
    return [obj for name in STREAMS for obj in streams[name]]


def expected_flat(expected, key):
    return [x for name in STREAMS for x in expected[name][key]]
