"""The generated package's checks (tests/python_package.rs).

    python check_package.py with PKG STREAM REPICKLED   the package importable
    python check_package.py reload PKG REPICKLED        a fresh interpreter, the package importable
    python check_package.py without STREAM              no package: the stand-ins
"""
import dataclasses
import datetime
import pickle
import sys
import typing

STAND_IN = {
    'name': 'str', 'shapes': 'list[Shape]', 'origin': 'Point | None', 'tags': 'set[str]',
    'counts': 'dict[str, int]', 'pair': 'tuple[int, str]', 'color': 'Color', 'level': 'Level',
    'rgb': 'Rgb', 'marker': 'Marker', 'style': 'Style', 'elapsed': 'datetime.timedelta',
    'raw': 'bytes', 'addr': 'str',
}


def ann(obj):
    return {f.name: f.type for f in dataclasses.fields(obj)}


def expected():
    import geo
    import palette
    p = geo.Point(x=1.0, y=2.0)
    return geo.Drawing(
        name='sketch',
        shapes=[geo.Shape.Circle(center=p, radius=3.0), geo.Shape.Polygon([p, geo.Point(0.0, 0.0)]), geo.Shape.Empty()],
        origin=p,
        tags={'a', 'b'},
        counts={'x': 1},
        pair=(7, 'seven'),
        color=geo.Color.Green,
        level=geo.Level.High,
        rgb=geo.Rgb(1, 2, 3),
        marker=geo.Marker(),
        style=palette.Style(color=geo.Color.Blue, width=0.5, dash=None),
        elapsed=datetime.timedelta(seconds=90),
        raw=b'\x00\x01',
        addr='10.0.0.1',
    )


def check_real(d):
    import geo
    import palette
    assert type(d) is geo.Drawing, type(d)
    circle, polygon, empty = d.shapes
    assert isinstance(circle, geo.Shape.Circle) and isinstance(circle, geo.Shape)
    assert type(polygon) is geo.Shape.Polygon and type(empty) is geo.Shape.Empty
    assert type(circle.center) is geo.Point and type(d.origin) is geo.Point
    assert d.color is geo.Color.Green and d.level is geo.Level.High and d.level == 10
    assert type(d.rgb) is geo.Rgb and type(d.marker) is geo.Marker and type(d.style) is palette.Style
    assert d.style.color is geo.Color.Blue
    assert d == expected(), (d, expected())
    assert hash(d.origin) == hash(geo.Point(1.0, 2.0))  # frozen
    # A data enum's values are annotated with the union of its variants.
    assert ann(d) == dict(STAND_IN, style='palette.Style', shapes='list[ShapeVariant]'), ann(d)
    assert geo.ShapeVariant == typing.Union[geo.Shape.Circle, geo.Shape.Polygon, geo.Shape.Empty]
    check_hashing(d)
    assert ann(geo.Shape.Circle) == {'center': 'Point', 'radius': 'float'}
    assert geo.Shape.Circle.__qualname__ == 'Shape.Circle' and geo.Point.__doc__ == 'A point in the plane.'
    if sys.version_info >= (3, 10):
        exec(MATCH, {'d': d, 'geo': geo})
    assert 'geo' in sys.modules


def check_hashing(d):
    # Classes without fields (a field-less variant, a unit struct) hash, all
    # alike, as their instances are all equal; a struct with fields does not.
    empty, marker = d.shapes[2], d.marker
    assert {empty: 1}[type(empty)()] == 1 and len({empty, type(empty)()}) == 1
    assert hash(marker) == hash(type(marker)()) and len({marker, type(marker)()}) == 1
    for unhashable in (d, d.shapes[0], d.rgb):
        try:
            hash(unhashable)
        except TypeError:
            pass
        else:
            raise AssertionError(type(unhashable).__qualname__ + ' hashes')


MATCH = '''
match d.shapes[0]:
    case geo.Shape.Circle(center=geo.Point(x, y), radius=r):
        assert (x, y, r) == (1.0, 2.0, 3.0)
    case _:
        raise AssertionError('no match')
'''


def main():
    mode = sys.argv[1]
    if mode == 'with':
        pkg, stream, out = sys.argv[2:5]
        sys.path.insert(0, pkg)
        with open(stream, 'rb') as f:
            d = pickle.load(f)
        check_real(d)
        assert '_portable_pickle_v3' in sys.modules
        blob = pickle.dumps(d)
        assert b'Shape.Circle' in blob
        assert b'_portable_pickle' not in blob, 'the real classes pickle by name'
        with open(out, 'wb') as f:
            f.write(blob)
    elif mode == 'reload':
        pkg, blob = sys.argv[2:4]
        sys.path.insert(0, pkg)
        with open(blob, 'rb') as f:
            d = pickle.load(f)
        check_real(d)
        assert '_portable_pickle_v3' not in sys.modules
    elif mode == 'without':
        with open(sys.argv[2], 'rb') as f:
            d = pickle.load(f)
        assert type(d).__module__ == '_portable_pickle_v3' and type(d).__name__ == 'Drawing'
        assert type(d.shapes[0]).__qualname__ == 'Shape.Circle'
        assert 'geo' not in sys.modules and 'palette' not in sys.modules
        assert ann(d) == STAND_IN, ann(d)
        assert d.shapes[0].radius == 3.0 and d.color.name == 'Green'
        check_hashing(d)
    else:
        raise SystemExit('unknown mode ' + mode)
    print(mode, sys.implementation.name, sys.version.split()[0], 'ok')


main()
