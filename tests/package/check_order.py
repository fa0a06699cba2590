"""Order and hashing as in Rust (tests/python_package.rs).

    python check_order.py PKG STREAM     the package importable
    python check_order.py - STREAM       no package: the stand-ins

STREAM holds (keys, keys sorted by Rust, events, events sorted by Rust,
levels, levels sorted by Rust).
"""
import pickle
import sys

pkg, stream = sys.argv[1:3]
if pkg != '-':
    sys.path.insert(0, pkg)
with open(stream, 'rb') as f:
    keys, keys_sorted, events, events_sorted, levels, levels_sorted = pickle.load(f)

# Structs: Rust's field order, lexicographically (dataclass order=True).
assert sorted(keys) == keys_sorted, (sorted(keys), keys_sorted)
assert keys_sorted[0] < keys_sorted[1] <= keys_sorted[1] and keys_sorted[2] > keys_sorted[0]
# int_enum: by discriminant.
assert sorted(levels) == levels_sorted, (sorted(levels), levels_sorted)
# Frozen data enum values hash by value; field-less variants too.
assert {e: i for i, e in enumerate(events)}[events[0]] == 0 and len(set(events + events)) == len(events)
kinds = {}
for e in events:
    kinds.setdefault(type(e), []).append(e)
if pkg != '-':
    import ranked
    assert type(keys[0]) is ranked.SeriesKey and isinstance(events[0], ranked.Event)
    # The package's base orders across variants: variant index, then fields.
    assert sorted(events) == events_sorted, (sorted(events), events_sorted)
else:
    assert type(keys[0]).__module__ == '_portable_pickle_v3'
    # Stand-ins (no code travels) order within a variant only.
    for cls, same in kinds.items():
        want = [e for e in events_sorted if type(e) is cls]
        assert sorted(same) == want, (sorted(same), want)
    started, shutdown = kinds[type(events_sorted[0])][0], kinds[type(events_sorted[-1])][0]
    try:
        started < shutdown
    except TypeError:
        pass
    else:
        raise AssertionError('stand-in variants ordered across classes')
print(sys.implementation.name, 'package' if pkg != '-' else 'stand-ins', 'ok')
