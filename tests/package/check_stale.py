"""A stream loaded where the generated package of its module is importable
(tests/python_package.rs, stale packages).

    python check_stale.py PKG STREAM EXPECTED STALE

EXPECTED is JSON: the loaded values as [qualname, fields] pairs. STALE is
the class the package has another definition of (its warning is expected
once, and the values load as stand-ins), or '-' (no warning, the
package's classes).
"""
import dataclasses
import json
import pickle
import sys
import warnings

pkg, stream, expected, stale = sys.argv[1:5]
sys.path.insert(0, pkg)
expected = json.loads(expected)


def load():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        with open(stream, 'rb') as f:
            values = pickle.load(f)
    return values, [str(w.message) for w in caught]


def described(values):
    return [[type(v).__qualname__, dataclasses.asdict(v)] for v in values]


values, caught = load()
assert described(values) == expected, (described(values), expected)
import fleet  # noqa: E402 (the stream imported it)

modules = {type(v).__module__ for v in values}
if stale == '-':
    assert caught == [], caught
    assert modules == {'fleet'}, modules
    assert all(isinstance(v, getattr(fleet, type(v).__qualname__.split('.')[0])) for v in values)
else:
    assert len(caught) == 1, caught
    message = caught[0]
    assert message.startswith('fleet has another definition of the Rust type of class ' + stale), message
    assert 'stand-in classes' in message and 'regenerate' in message, message
    assert modules == {'_portable_pickle_v3'}, modules
    # Never the package's class, nor an instance half-filled from it.
    for v in values:
        assert not isinstance(v, getattr(fleet, stale)), v
    # The class stays registered: loading again neither looks nor warns.
    again, caught = load()
    assert caught == [] and described(again) == expected, caught
    assert type(again[0]) is type(values[0])
print(sys.implementation.name, 'stale' if stale != '-' else 'current', 'ok')
