//! The serde bridge's cases of the main corpus (tests/corpus.rs, feature
//! `serde`): streams written by `portable_pickle::serde::to_vec`, and by the
//! derive with `#[pickle(serde)]` fields, each with the Python check every
//! reader of scripts/readers.sh runs. The values are those of
//! tests/support/serde_values.rs; each is also read back through
//! `portable_pickle::serde::from_slice` here (Rust → Rust), and the cases
//! that call `write_back(v)` are read back from every reader's re-pickles
//! (tests/support/readback.rs).

use std::fmt::Debug;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::readback::serde_values::{self as sv, both, round_trip, write};
use crate::support::Corpus;

/// Adds the serde stream of `value`, which reads back (through serde) as
/// `back`.
fn case<T: Serialize + DeserializeOwned + PartialEq + Debug>(
    c: &mut Corpus,
    name: &str,
    value: &T,
    back: &T,
    check: &str,
) {
    c.raw(name, &round_trip(value, back), check, None);
}

/// Adds the serde stream of a value that has no `Deserialize` impl.
fn case_write_only<T: Serialize + ?Sized>(c: &mut Corpus, name: &str, value: &T, check: &str) {
    c.raw(name, &write(value), check, None);
}

/// The serde cases of the main corpus. Case names start with `serde_`.
pub fn serde_cases(c: &mut Corpus) {
    let ns = portable_pickle::NAMESPACE;

    case(
        c,
        "serde_scalars",
        &sv::scalars(),
        &sv::scalars(),
        r#"
        assert v == (True, -5, 300, -2**63, 2**64 - 1, 1.5, -0.0, 'é', 'text', None, None, 3)
        assert math.copysign(1.0, v[6]) == -1.0
        write_back(v)
        "#,
    );
    case(
        c,
        "serde_options_and_sets",
        &sv::options_and_sets(),
        &sv::options_and_sets_back(),
        r#"
        # Python has one None: Some(None) is None. Sets are sequences to serde.
        assert v[:2] == (None, 1)
        assert type(v[2]) is list and sorted(v[2]) == [1, 2, 3] and v[3] == ['a', 'b']
        write_back(v)
        "#,
    );
    case(
        c,
        "serde_int128",
        &sv::int128(),
        &sv::int128(),
        r#"
        assert v == (-2**127, 2**127 - 1, 2**128 - 1, 2**64, -1)
        write_back(v)
        "#,
    );
    case(
        c,
        "serde_bytes_and_lists",
        &sv::bytes_and_lists(),
        &sv::bytes_and_lists(),
        r#"
        # serde_bytes is bytes; a plain Vec<u8> is a sequence of ints to serde.
        assert v == (b'\x00ab', [1, 2], [], ['x']) and type(v[0]) is bytes and type(v[1]) is list
        write_back(v)
        "#,
    );
    case(
        c,
        "serde_big_containers",
        &sv::big_containers(),
        &sv::big_containers(),
        r#"
        assert v == (list(range(2501)), {i: i * 2 for i in range(2001)}, list(range(1001)))
        write_back(v)
        "#,
    );
    case(
        c,
        "serde_long_string",
        &sv::long_string(),
        &sv::long_string(),
        "assert v == ('x' * 70000, b'\\x07' * 70000)",
    );

    let pkg_check = format!(
        r#"
        P = type(v)
        assert P.__name__ == 'Package' and P.__qualname__ == 'Package' and P.__module__ == '{ns}'
        assert dataclasses.is_dataclass(P)
        # rename_all = "camelCase"; `cache` is #[serde(skip)]; r#class is `class_`.
        assert [f.name for f in dataclasses.fields(P)] == [
            'crateName', 'version', 'homePage', 'downloads', 'authors', 'checksum', 'features', 'class_']
        A = type(v.authors[0])
        assert A.__name__ == 'Author' and [f.name for f in dataclasses.fields(A)] == ['name', 'email']
        assert v == P('serde', '1.2.3-beta.1+build.5', 'https://serde.rs', 12345678901,
                      [A('David', None), A('Erick', 'e@x.org')], b'\x00\x01\xff',
                      {{'default': ['std'], 'derive': ['serde_derive', 'std']}}, 'library')
        assert repr(v.authors[1]) == "Author(name='Erick', email='e@x.org')"
        assert repr(v).startswith("Package(crateName='serde', version='1.2.3-beta.1+build.5', homePage='https://serde.rs'")
        assert not hasattr(v, 'cache')
        assert type(v.checksum) is bytes and type(v.features) is dict
        for protocol in range(6):
            assert pickle.loads(pickle.dumps(v, protocol=protocol)) == v
        write_back(v)
        "#
    );
    case(
        c,
        "serde_package",
        &sv::package(Some("https://serde.rs")),
        &sv::package_back(Some("https://serde.rs")),
        &pkg_check,
    );
    case(
        c,
        "serde_skip_serializing_if",
        &sv::packages(),
        &sv::packages_back(),
        &format!(
            r#"
        a, b, a2 = v
        # One class per field set, each a complete dataclass of the fields it has.
        assert type(a) is type(a2) and type(a) is not type(b)
        assert type(a).__name__ == type(b).__name__ == 'Package' and type(a).__module__ == '{ns}'
        assert not hasattr(a, 'homePage') and b.homePage == 'h'
        assert 'homePage' not in [f.name for f in dataclasses.fields(a)]
        assert [f.name for f in dataclasses.fields(b)][2] == 'homePage'
        assert a == a2 and a != b and a.crateName == 'serde' and a.authors == b.authors
        assert repr(a).startswith("Package(crateName='serde', version='1.2.3-beta.1+build.5', downloads=12345678901")
        # The same field set is the same class across streams.
        other = loads(stream('serde_package.pkl'))
        assert type(other) is type(b) and other.homePage == 'https://serde.rs'
        for x in v:
            assert pickle.loads(pickle.dumps(x)) == x
        write_back(v)
        "#
        ),
    );
    case(
        c,
        "serde_enum_external",
        &sv::shapes(),
        &sv::shapes(),
        &format!(
            r#"
        circle, rect, label, empty, empty2 = v
        Shape = type(circle).__mro__[1]
        assert Shape.__name__ == 'Shape' and Shape.__qualname__ == 'Shape' and Shape.__module__ == '{ns}'
        assert all(isinstance(x, Shape) for x in v) and not isinstance(Shape, enum.EnumMeta)
        assert type(circle) is Shape.Circle and type(rect) is Shape.Rect and type(label) is Shape.Label
        assert type(empty) is Shape.Empty and type(empty2) is Shape.Empty
        assert Shape.Circle.__qualname__ == 'Shape.Circle' and Shape.Empty.__qualname__ == 'Shape.Empty'
        assert repr(circle) == 'Shape.Circle(r=1.5)'
        assert repr(rect) == 'Shape.Rect(_0=2.0, _1=3.0)'
        assert repr(label) == "Shape.Label(_0='hi')"
        assert repr(empty) == 'Shape.Empty()' and empty == empty2 == Shape.Empty()
        assert dataclasses.fields(empty) == () and [f.name for f in dataclasses.fields(rect)] == ['_0', '_1']
        assert circle == Shape.Circle(1.5) and circle != Shape.Circle(2.0)
        assert hash(empty) == hash(Shape.Empty())
        assert Shape.Rect.__match_args__ == ('_0', '_1')
        for x in v:
            for protocol in range(2, 6):
                back = pickle.loads(pickle.dumps(x, protocol=protocol))
                assert back == x and type(back) is type(x), (x, protocol)
        # Variants written in another stream share the base class and are
        # the same classes (stable identity across streams).
        again = loads(stream('serde_enum_external.pkl'))
        assert type(again[3]) is Shape.Empty and type(again[0]) is Shape.Circle
        write_back(v)
        "#
        ),
    );
    case(
        c,
        "serde_enum_internal",
        &sv::events(),
        &sv::events(),
        &format!(
            r#"
        click, key, quit = v
        # What serde describes: a struct named after the enum, with the tag field.
        assert [type(x).__name__ for x in v] == ['Event', 'Event', 'Event']
        assert type(click).__module__ == '{ns}'
        assert repr(click) == "Event(type='Click', x=1, y=2)"
        assert repr(key) == "Event(type='Key', code=13)"
        assert repr(quit) == "Event(type='Quit')"
        assert len({{type(click), type(key), type(quit)}}) == 3
        for x in v:
            assert pickle.loads(pickle.dumps(x)) == x
        write_back(v)
        "#
        ),
    );
    case(
        c,
        "serde_enum_adjacent",
        &sv::msgs(),
        &sv::msgs(),
        r#"
        text, move, ping = v
        # serde writes the tag as a unit variant, a struct variant's content
        # as a struct named after the variant.
        assert [type(x).__name__ for x in v] == ['Msg', 'Msg', 'Msg']
        assert repr(text) == "Msg(t=Msg.Text(), c='yo')"
        assert repr(move) == "Msg(t=Msg.Move(), c=Move(dx=-3))"
        assert repr(ping) == "Msg(t=Msg.Ping())"
        assert text.c == 'yo' and type(text) is type(move) and type(ping) is not type(text)
        Tag = type(text.t).__mro__[1]
        assert Tag.__name__ == 'Msg' and type(text.t) is Tag.Text and isinstance(ping.t, Tag)
        assert pickle.loads(pickle.dumps(v)) == v
        write_back(v)
        "#,
    );
    case(
        c,
        "serde_enum_untagged",
        &sv::looses(),
        &sv::looses(),
        r#"
        # The bare content: an int, a str, a struct named after the enum.
        assert v[:2] == [5, 't']
        assert type(v[2]).__name__ == 'Loose' and repr(v[2]) == 'Loose(a=1, b=2)'
        write_back(v)
        "#,
    );
    case(
        c,
        "serde_struct_forms",
        &sv::struct_forms(),
        &sv::struct_forms(),
        &format!(
            r#"
        marker, uid, rgb, wide, marker2 = v
        assert type(marker).__name__ == 'Marker' and repr(marker) == 'Marker()' and marker == marker2
        assert type(marker).__module__ == '{ns}' and dataclasses.fields(marker) == ()
        assert repr(uid) == 'UserId(_0=42)' and uid._0 == 42
        assert repr(rgb) == 'Rgb(_0=255, _1=0, _2=7)' and rgb == type(rgb)(255, 0, 7)
        assert repr(wide) == 'Wide(_0=1, _1=2, _2=3, _3=4, _4=5)'
        assert type(rgb).__match_args__ == ('_0', '_1', '_2')
        assert pickle.loads(pickle.dumps(v)) == v
        write_back(v)
        "#
        ),
    );
    case(
        c,
        "serde_names",
        &sv::names(),
        &sv::names(),
        r#"
        levels, bad_name, bad_field, dunder, collide, bad_enum, (newtype, tup, unit) = v
        # A variant named after a keyword gets a trailing underscore, as fields do.
        assert [type(x).__qualname__ for x in levels] == ['Level.None_', 'Level.Low']
        assert repr(levels[0]) == 'Level.None_()'
        # Names Python cannot use: serde's class-less forms.
        assert bad_name == {'a': 1} and type(bad_name) is dict
        assert bad_field == {'first-name': 'Ada', 'ok': True}
        assert dunder == {'__init__': 3} and collide == {'class': 1, 'class_': 2}
        assert bad_enum == ['Unit', {'New': 1}, {'Tup': (1, 2)}, {'Rec': {'a': 3}}]
        assert newtype == 9 and tup == (1, 'x') and unit is None
        write_back(v)
        "#,
    );
    case_write_only(
        c,
        "serde_many_fields",
        &sv::ManyFields,
        r#"
        assert v == {'f-%d' % i: i for i in range(1001)} and list(v)[:2] == ['f-0', 'f-1']
        "#,
    );
    case(
        c,
        "serde_map_keys",
        &sv::map_keys(),
        &sv::map_keys(),
        r#"
        tuples, points, colors, options, bools = v
        assert tuples == {(1, 'a'): 1, (2, 'b'): 2}
        P = type(next(iter(points)))
        assert points == {P(1, 2): 'p'} and repr(P(1, 2)) == 'Point(x=1, y=2)'
        C = type(next(iter(colors))).__mro__[1]
        assert colors == {C.Red(): 1, C.Green(): 2}
        assert options == {1: 'x', None: 'y'} and bools == {True: b'b'}
        write_back(v)
        "#,
    );
    case(
        c,
        "serde_nested_depth",
        &sv::nested_depth(),
        &sv::nested_depth(),
        r#"
        [(circle, m)] = v[0]
        assert v[1] is None and repr(circle) == 'Shape.Circle(r=1.0)'
        assert repr(m) == "{'k': [Author(name='n', email=None)]}"
        write_back(v)
        "#,
    );
    case(
        c,
        "serde_flatten",
        &sv::flattened(),
        &sv::flattened(),
        r#"
        # serde writes a struct with a flattened field as a map.
        assert v == {'id': 1, 'owner': 'me', 'k': 'v'} and type(v) is dict
        assert list(v) == ['id', 'owner', 'k']
        write_back(v)
        "#,
    );

    // A top-level struct holding much more than a frame: its buffered fields
    // are cut into frames of about 64 KiB at opcode boundaries.
    case(
        c,
        "serde_big_struct",
        &sv::big_doc(),
        &sv::big_doc(),
        r#"
        import pickletools
        assert v.title == 'big' and len(v.rows) == 10000 and v.blob == b'\x01' * 100000
        assert v.rows[3].email == '3@x' and v.rows[4].email is None and v.rows[9999].name == 'name 9999'
        assert type(v.rows[0]) is type(v.rows[9999])
        frames = [arg for op, arg, pos in pickletools.genops(data) if op.name == 'FRAME']
        assert len(frames) > 3 and max(frames) < 200000, (len(frames), max(frames))
        "#,
    );

    // `#[pickle(serde)]` fields inside derived values, in one stream.
    c.case(
        "serde_fields_of_derived_types",
        &sv::derived_with_serde_fields(),
        &format!(
            r#"
        dep, (leaf, pair), point, tagged = v
        assert repr(tagged) == "Tagged(value=Marker(), label='m')"
        assert repr(dep) == ("Dependency(name='semver', version='1.0.28', req='>=1.0, <2', "
                             "author=Author(name='dtolnay', email=None), at=DerivedPoint(x=1, y=2))")
        assert type(dep.at) is type(point) and point.x == 3
        assert repr(leaf) == "Node.Leaf(_0=Author(name='a', email=None))"
        assert type(leaf._0) is type(dep.author) and type(leaf._0).__module__ == '{ns}'
        assert repr(pair) == 'Node.Pair(left=Shape.Empty(), right=Shape.Circle(r=2.0))'
        assert type(pair.right).__mro__[1].__name__ == 'Shape'
        # The serde classes of a derived value are those of serde's own streams.
        assert type(pair.left) is type(loads(stream('serde_enum_external.pkl'))[3])
        assert type(leaf._0) is type(loads(stream('serde_nested_depth.pkl'))[0][0][1]['k'][0])
        assert pickle.loads(pickle.dumps(v)) == v
        write_back(v)
        "#
        ),
    );

    derive_vs_serde(c);
}

/// The same value written by the derive and by serde: equal Python values
/// where both apply, and the documented differences (README, "serde bridge").
fn derive_vs_serde(c: &mut Corpus) {
    let ns = portable_pickle::NAMESPACE;
    c.case(
        "serde_vs_derive_derive",
        &both::pair(),
        &format!(
            r#"
        rel, dif = v
        assert type(rel).__module__ == '{ns}' and type(rel).__doc__ == 'A crate of the registry.'
        assert repr(rel.kinds[0]) == 'Kind.Library(edition=2021)'
        assert isinstance(dif.status, enum.Enum) and dif.status.name == 'Yanked'
        assert dif.raw == b'\x01\x02' and dif.tags == {{'a', 'b'}}
        assert dif.timeout == datetime.timedelta(seconds=5, microseconds=6)
        assert dif.addr == ipaddress.IPv4Address('10.0.0.1') and dif.mirror is None
        write_back(v)
        "#
        ),
    );
    case(
        c,
        "serde_vs_derive",
        &both::pair(),
        &both::pair(),
        &format!(
            r#"
        rel, dif = v
        drel, ddif = loads(stream('serde_vs_derive_derive.pkl'))

        def shape(x):
            """Class names, field names and values, without the classes themselves."""
            if dataclasses.is_dataclass(x) and not isinstance(x, type):
                t = type(x)
                return (t.__name__, t.__qualname__, t.__module__,
                        tuple((f.name, shape(getattr(x, f.name))) for f in dataclasses.fields(x)))
            if isinstance(x, list):
                return [shape(i) for i in x]
            if isinstance(x, tuple):
                return tuple(shape(i) for i in x)
            if isinstance(x, dict):
                return dict((k, shape(i)) for k, i in x.items())
            return (type(x), x)

        # Where both apply: the same class names, field names and values.
        assert shape(rel) == shape(drel), (shape(rel), shape(drel))
        assert dataclasses.asdict(rel) == dataclasses.asdict(drel)
        assert repr(rel) == repr(drel)
        assert repr(rel).startswith("Release(crateName='serde', downloads=1099511627776, debt=-1267650600228229401496703205376, ")
        assert [f.name for f in dataclasses.fields(rel)][-2:] == ['class_', 'checksum']
        assert type(rel.kinds[0]).__qualname__ == 'Kind.Library' and type(rel.kinds[0]).__module__ == '{ns}'
        assert [repr(k) for k in rel.kinds] == [
            'Kind.Library(edition=2021)', "Kind.Binary(_0='serde')", 'Kind.Range(_0=1, _1=9)', 'Kind.Unknown()']
        assert repr(rel.id) == 'CrateId(_0=42)' and repr(rel.marker) == 'Unit()'
        # ...but not the same classes: a derived class is keyed with its crate's
        # name, a serde one without it (serde does not know the crate), so
        # instances do not compare equal; and only the derive has the rustdoc.
        assert type(rel) is not type(drel) and rel != drel
        assert type(rel.kinds[0]) is not type(drel.kinds[0])
        assert type(rel.kinds[0]).__mro__[1] is not type(drel.kinds[0]).__mro__[1]
        assert type(drel).__doc__ == 'A crate of the registry.' != type(rel).__doc__

        # Where they differ.
        assert dataclasses.asdict(dif) != dataclasses.asdict(ddif)
        # A unit-only enum: an enum.Enum member via the derive, Enum.Variant() via serde.
        assert isinstance(ddif.status, enum.Enum) and ddif.status.name == 'Yanked' and ddif.status.value == 1
        assert not isinstance(dif.status, enum.Enum) and type(dif.status).__qualname__ == 'Status.Yanked'
        assert repr(dif.status) == 'Status.Yanked()' and dataclasses.fields(dif.status) == ()
        # Vec<u8>: bytes via the derive, a list of ints via serde (unless serde_bytes).
        assert ddif.raw == b'\x01\x02' and dif.raw == [1, 2]
        # A set: set via the derive, list via serde (a sequence to serde).
        assert ddif.tags == {{'a', 'b'}} and dif.tags == ['a', 'b']
        # std types with a Python counterpart: what their Serialize impls write.
        assert ddif.timeout == datetime.timedelta(seconds=5, microseconds=6)
        assert repr(dif.timeout) == 'Duration(secs=5, nanos=6000)'
        assert ddif.addr == ipaddress.IPv4Address('10.0.0.1') and dif.addr == '10.0.0.1'
        # skip_serializing_if: a class without the field.
        assert ddif.mirror is None and not hasattr(dif, 'mirror')
        assert [f.name for f in dataclasses.fields(dif)] == ['status', 'raw', 'tags', 'timeout', 'addr']
        write_back(v)
        "#
        ),
    );
}
