#!/usr/bin/env python3
"""Generates the conformance matrix's types: tests/conformance/generated.rs.

    python3 tests/conformance/generate.py           # rewrite generated.rs
    python3 tests/conformance/generate.py --check   # exit 1 if it is stale

Three factors describe a test type: its SHAPE, one CONTAINER attribute and
one FIELD form. Every pair of levels of two factors that can go together is
in some generated type (pairwise coverage, greedy); the pairs that cannot
are listed in INVALID with the reason the derive gives, and are not counted
as possible. Each type comes with values (every variant of an enum) and the
Python value each must load as, in the normal form of check_corpus.py's
`conform_norm` (a dataclass instance is `(qualname, ((field, value), ...))`,
an enum member `('enum', qualname, name)`, an array `('array', [items])`,
a set `('set', sorted items)`, a dict `('dict', sorted pairs)`).

stdlib only; the output depends on nothing but this file.
"""

import itertools
import os
import sys

SHAPES = ["braced", "tuple", "unit", "empty", "newtype", "generic", "recursive", "unit_enum", "int_enum", "data_enum"]
WITH_FIELDS = ["braced", "tuple", "newtype", "generic", "recursive", "data_enum"]
ATTRS = ["none", "module", "frozen", "hash", "order", "rename_all", "name", "doc", "tag", "deny_unknown_fields"]
FIELDS = ["plain", "option", "nested", "array", "display", "with", "serde", "default", "skip", "shared",
          "frozen_key_map", "set", "chrono_uuid"]

# Pairs that cannot go together, with what the derive says (its compile
# errors are in portable-macros/src/valid.rs; tests/ui covers them).
INVALID = {
    ("shape", "unit_enum", "attr", "hash"): "`hash` has no effect on an enum whose variants have no fields",
    ("shape", "int_enum", "attr", "hash"): "`hash` has no effect on an enum whose variants have no fields",
    ("shape", "unit_enum", "attr", "order"): "`order` on an enum whose variants have no fields: use `int_enum`",
    ("shape", "int_enum", "attr", "order"): "`order` has no effect with `int_enum`",
    ("shape", "unit_enum", "attr", "deny_unknown_fields"):
        "`deny_unknown_fields` has no effect on an enum whose variants have no fields",
    ("shape", "int_enum", "attr", "deny_unknown_fields"):
        "`deny_unknown_fields` has no effect on an enum whose variants have no fields",
}
for s in SHAPES:
    if s != "data_enum":
        INVALID[("shape", s, "attr", "tag")] = ("`tag` applies to enums with data" + (
            ": a struct has no variants" if "enum" not in s else ""))
NO_FIELDS = "a shape without fields has no field form"
for s in SHAPES:
    if s not in WITH_FIELDS:
        for f in FIELDS:
            INVALID[("shape", s, "field", f)] = NO_FIELDS


def valid(shape, attr, field):
    if ("shape", shape, "attr", attr) in INVALID:
        return False
    if field is not None and ("shape", shape, "field", field) in INVALID:
        return False
    return True


def possible_pairs():
    pairs = set()
    for s, a in itertools.product(SHAPES, ATTRS):
        if ("shape", s, "attr", a) not in INVALID:
            pairs.add(("sa", s, a))
    for s, f in itertools.product(SHAPES, FIELDS):
        if ("shape", s, "field", f) not in INVALID:
            pairs.add(("sf", s, f))
    for a, f in itertools.product(ATTRS, FIELDS):
        if any(valid(s, a, f) for s in WITH_FIELDS):
            pairs.add(("af", a, f))
    return pairs


def pairs_of(shape, attr, field):
    out = {("sa", shape, attr)}
    if field is not None:
        out |= {("sf", shape, field), ("af", attr, field)}
    return out


def cover():
    """Greedy pairwise covering: each new type covers the most uncovered pairs."""
    todo = possible_pairs()
    combos = [(s, a, f) for s in SHAPES for a in ATTRS for f in (FIELDS if s in WITH_FIELDS else [None])
              if valid(s, a, f)]
    chosen = []
    while todo:
        best = max(combos, key=lambda c: (len(pairs_of(*c) & todo), -combos.index(c)))
        gain = pairs_of(*best) & todo
        assert gain, "uncoverable pairs: %r" % sorted(todo)
        chosen.append(best)
        todo -= gain
    return chosen


# ---- Rust and Python for one type ----------------------------------------

def camel(snake):
    parts = snake.split("_")
    return parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:])


def lower_camel(pascal):
    return pascal[:1].lower() + pascal[1:]


# How the serde twin of a field form differs from the derive's: its
# `#[serde(...)]` attribute, and the Python norms the serde bridge writes
# (None: the derive's). serde's own impls write arrays and sets as lists and
# chrono/uuid values as their text (`is_human_readable`).
SERDE_FIELD = {
    "array": ("", ["[1.5, -2.0]", "[]"]),
    "with": ('#[serde(with = "hex_color_serde")] ', None),
    "default": ("#[serde(default)] ", None),
    "skip": ("#[serde(skip)] ", None),
    "set": ("", ["[1, 2, 3]", "[]"]),
}
SERDE_CHRONO_UUID = [["'2023-11-14T22:13:20.000005Z'", "'1970-01-01T00:00:00Z'"],
                     ["'01234567-89ab-cdef-0123-456789abcdef'", "'00000000-0000-0000-0000-000000000000'"]]


def serde_fields(form, fields):
    """The fields with the serde twin's attribute and norms appended."""
    out = []
    for k, f in enumerate(fields):
        attr, norms = SERDE_FIELD.get(form, ("", None))
        if form == "chrono_uuid":
            norms = SERDE_CHRONO_UUID[k]
        out.append(f + (attr, norms or f[4]))
    return out


def field_form(form):
    """The form's fields, each (name, attribute, Rust type, [Rust value per
    value index 0 and 1], [Python norm per index]; None where the field is
    not written), and whether the form is hashable in Python. Names are
    snake_case so rename_all shows."""
    # Each entry: (name, attr, ty, [rust values], [python norms])
    if form == "plain":
        return [("f_val", "", "String", ['String::from("text")', 'String::from("ünï")'], ["'text'", "'ünï'"])], True
    if form == "option":
        return [("f_val", "", "Option<String>", ['Some(String::from("x"))', "None"], ["'x'", "None"])], True
    if form == "nested":
        return [("f_val", "", "CInner", ["CInner { a: 1 }", "CInner { a: -2 }"],
                 ["('CInner', (('a', 1),))", "('CInner', (('a', -2),))"])], False
    if form == "array":
        return [("f_val", "#[pickle(array)] ", "Vec<f64>", ["vec![1.5, -2.0]", "vec![]"],
                 ["('array', [1.5, -2.0])", "('array', [])"])], False
    if form == "display":
        return [("f_val", "#[pickle(display)] ", "std::net::SocketAddr",
                 ['"127.0.0.1:8080".parse().unwrap()', '"[::1]:9".parse().unwrap()'],
                 ["'127.0.0.1:8080'", "'[::1]:9'"])], True
    if form == "with":
        return [("f_val", '#[pickle(with = "hex_color")] ', "[u8; 3]", ["[10, 11, 12]", "[255, 0, 1]"],
                 ["'#0a0b0c'", "'#ff0001'"])], True
    if form == "serde":
        return [("f_val", "#[pickle(serde)] ", "CSerde",
                 ['CSerde { label: String::from("s"), weight: 3 }', 'CSerde { label: String::new(), weight: 0 }'],
                 ["('CSerde', (('label', 's'), ('weight', 3)))", "('CSerde', (('label', ''), ('weight', 0)))"])], False
    if form == "default":
        return [("f_val", "#[pickle(default)] ", "u32", ["5", "0"], ["5", "0"])], True
    if form == "skip":
        return [("f_val", "#[pickle(skip)] ", "u32", ["0", "0"], [None, None])], True
    if form == "shared":
        return [("f_val", "", "Rc<CInner>", ["Rc::clone(&shared)", "Rc::clone(&shared)"],
                 ["('CInner', (('a', 7),))", "('CInner', (('a', 7),))"]),
                ("g_val", "", "Rc<CInner>", ["Rc::clone(&shared)", "Rc::clone(&shared)"],
                 ["('CInner', (('a', 7),))", "('CInner', (('a', 7),))"])], False
    if form == "frozen_key_map":
        return [("f_val", "", "BTreeMap<CKey, String>",
                 ['BTreeMap::from([(CKey { k: 1 }, String::from("one")), (CKey { k: 2 }, String::from("two"))])',
                  "BTreeMap::new()"],
                 ["('dict', sorted([(('CKey', (('k', 1),)), 'one'), (('CKey', (('k', 2),)), 'two')], key=repr))",
                  "('dict', [])"])], False
    if form == "set":
        return [("f_val", "", "BTreeSet<i32>", ["BTreeSet::from([3, 1, 2])", "BTreeSet::new()"],
                 ["('set', sorted([1, 2, 3], key=repr))", "('set', [])"])], False
    if form == "chrono_uuid":
        return [("f_val", "", "chrono::DateTime<chrono::Utc>",
                 ["chrono::DateTime::from_timestamp(1_700_000_000, 5_000).unwrap()",
                  "chrono::DateTime::from_timestamp(0, 0).unwrap()"],
                 ["datetime.datetime(2023, 11, 14, 22, 13, 20, 5, tzinfo=datetime.timezone.utc)",
                  "datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)"]),
                ("g_val", "", "uuid::Uuid",
                 ['uuid::Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef)', "uuid::Uuid::nil()"],
                 ["uuid.UUID('01234567-89ab-cdef-0123-456789abcdef')",
                  "uuid.UUID('00000000-0000-0000-0000-000000000000')"])], True
    raise ValueError(form)


def gen_type(idx, shape, attr, form):
    """Returns (rust_source, entry) for one type."""
    name = "C%03d" % idx
    lines = []
    checks = []  # extra Python checks on each value `x`
    container = []
    pyname = name
    # Every type but an internally tagged enum (serde refuses `tag` with
    # tuple variants) is a serde type too, its serde attributes mirroring the
    # pickle ones: its serde twin writes the same classes through the bridge.
    serde = attr != "tag"
    serde_container = []
    if attr == "module":
        container.append('module = "conformance_mod"')
    elif attr == "frozen":
        container.append("frozen")
    elif attr == "hash":
        container.append("hash")
    elif attr == "order":
        container.append("order")
        # The comparisons exist (`x <= x` compares no field: a tuple's
        # comparison takes identical items as equal).
        checks.append("x <= x and x >= x and not x < x and not x > x")
    elif attr == "rename_all":
        container.append('rename_all = "camelCase"')
        serde_container.append('rename_all = "camelCase"')
    elif attr == "name":
        pyname = "Py" + name
        container.append('name = "%s"' % pyname)
        serde_container.append('rename = "%s"' % pyname)
    elif attr == "tag":
        container.append('tag = "kind"')
    elif attr == "deny_unknown_fields":
        container.append("deny_unknown_fields")
        serde_container.append("deny_unknown_fields")
    if shape == "int_enum":
        container.append("int_enum")
    doc = "Conformance type %s: %s, %s, %s." % (name, shape, attr, form or "no fields")
    if attr == "doc":
        lines.append("/// " + doc)
        # A data enum's doc is its base class's; a variant has its own.
        owner = "type(x).__bases__[0]" if shape == "data_enum" else "type(x)"
        checks.append("%s.__doc__ == %r" % (owner, doc))
    derives = "PortablePickle, serde::Serialize, serde::Deserialize" if serde else "PortablePickle"
    lines.append("#[derive(%s, Debug, PartialEq)]" % derives)
    if container:
        lines.append("#[pickle(%s)]" % ", ".join(container))
    if serde and serde_container:
        lines.append("#[serde(%s)]" % ", ".join(serde_container))

    fields, hashable = field_form(form) if form else ([], True)
    fields = serde_fields(form, fields)
    if serde:
        fields = [(f[0], f[1] + f[5]) + f[2:] for f in fields]
    rn = (lambda s: camel(s)) if attr == "rename_all" and "enum" not in shape else (lambda s: s)
    rv = (lambda s: lower_camel(s)) if attr == "rename_all" and "enum" in shape else (lambda s: s)
    needs_shared = any(f[2] == "Rc<CInner>" for f in fields)
    if attr in ("frozen", "hash") and hashable:
        checks.append("hash(x) == hash(x)")

    def named_norm(qual, pairs):
        return "(%r, (%s))" % (qual, "".join("(%r, %s), " % (k, v) for k, v in pairs if v is not None))

    # Each value: (Rust expression, norm of the derive's stream, norm of
    # the serde bridge's stream); `ni` picks the norms: 4 derive, 6 serde.
    values = []
    if shape == "braced" or shape == "generic" or shape == "recursive":
        generic = shape == "generic"
        head = "pub struct %s%s {" % (name, "<T>" if generic else "")
        lines.append(head)
        lines.append("    pub n_val: %s," % ("T" if generic else "i64"))
        for f in fields:
            lines.append("    %spub %s: %s," % (f[1], f[0], f[2]))
        if shape == "recursive":
            lines.append("    pub next: Option<Box<%s>>," % name)
        lines.append("}")
        rust_ty = name + ("<i64>" if generic else "")
        for vi in (0, 1):
            def build(vi, nxt):
                inits = ["n_val: %d" % (vi * 10 - 3)]
                for f in fields:
                    inits.append("%s: %s" % (f[0], f[3][vi]))
                if shape == "recursive":
                    inits.append("next: %s" % nxt)
                return "%s { %s }" % (name, ", ".join(inits))

            def norm(vi, nxt, ni):
                pairs = [(rn("n_val"), str(vi * 10 - 3))]
                pairs += [(rn(f[0]), f[ni][vi]) for f in fields]
                if shape == "recursive":
                    pairs.append(("next", nxt))
                return named_norm(pyname, pairs)
            if shape == "recursive":
                inner_r = build(vi, "None")
                values.append((build(vi, "Some(Box::new(%s))" % inner_r),
                               *(norm(vi, norm(vi, "None", ni), ni) for ni in (4, 6))))
            else:
                values.append((build(vi, None), *(norm(vi, None, ni) for ni in (4, 6))))
    elif shape in ("tuple", "newtype"):
        tys = ([] if shape == "newtype" else ["pub i64"]) + ["%spub %s" % (f[1], f[2]) for f in fields]
        lines.append("pub struct %s(%s);" % (name, ", ".join(tys)))
        rust_ty = name
        for vi in (0, 1):
            exprs = ([] if shape == "newtype" else [str(vi * 10 - 3)]) + [f[3][vi] for f in fields]

            def norm(ni):
                norms = ([] if shape == "newtype" else [str(vi * 10 - 3)]) + [f[ni][vi] for f in fields]
                if shape == "newtype" and form == "skip" and ni == 6:
                    # serde_derive writes a newtype's one field even when skipped.
                    norms = ["0"]
                # A skipped position is not written; later positions keep their numbers.
                return named_norm(pyname, [("_%d" % pos, nv) for pos, nv in enumerate(norms)])
            values.append(("%s(%s)" % (name, ", ".join(exprs)), norm(4), norm(6)))
    elif shape == "unit":
        lines.append("pub struct %s;" % name)
        rust_ty = name
        values = [(name, named_norm(pyname, []), named_norm(pyname, []))] * 2
    elif shape == "empty":
        lines.append("pub struct %s {}" % name)
        rust_ty = name
        values = [("%s {}" % name, named_norm(pyname, []), named_norm(pyname, []))] * 2
    elif shape in ("unit_enum", "int_enum"):
        lines.append("pub enum %s {" % name)
        members = ["Red", "GreenBlue"]
        for k, m in enumerate(members):
            lines.append("    %s%s," % (m, " = %d" % (k + 4) if shape == "int_enum" else ""))
        lines.append("}")
        rust_ty = name
        # serde never lists an enum's variants: the bridge writes a unit
        # variant as a field-less instance of its variant class.
        values = [("%s::%s" % (name, m), "('enum', %r, %r)" % (pyname, rv(m)),
                   named_norm("%s.%s" % (pyname, rv(m)), [])) for m in members]
        if shape == "int_enum":
            checks.append("isinstance(x, enum.IntEnum) and int(x) in (4, 5)")
    elif shape == "data_enum":
        lines.append("pub enum %s {" % name)
        lines.append("    Unit,")
        ftys = ["%s%s" % (f[1], f[2]) for f in fields]
        lines.append("    Tup(%s),"
                     % ", ".join(["i64"] + ftys))
        lines.append("    Rec { n_val: i64, %s }"
                     % " ".join("%s%s: %s," % (f[1], f[0], f[2]) for f in fields) + ",")
        lines.append("    New(%s)," % ftys[0] if len(fields) == 1 else "    New(i64),")
        lines.append("}")
        rust_ty = name

        def vnorm(v, pairs):
            if attr == "tag":
                pairs = [("kind", repr(rv(v)))] + pairs
            return named_norm("%s.%s" % (pyname, rv(v)), pairs)
        for vi in (0, 1):
            values.append(("%s::Tup(%s)" % (name, ", ".join([str(vi - 1)] + [f[3][vi] for f in fields])),
                           *(vnorm("Tup", [("_0", str(vi - 1))] + [("_%d" % (k + 1), f[ni][vi])
                                                                   for k, f in enumerate(fields)])
                             for ni in (4, 6))))
            values.append(("%s::Rec { n_val: %d, %s }" % (name, vi, " ".join("%s: %s," % (f[0], f[3][vi]) for f in fields)),
                           *(vnorm("Rec", [("n_val", str(vi))] + [(f[0], f[ni][vi]) for f in fields])
                             for ni in (4, 6))))
        if len(fields) == 1:
            values.append(("%s::New(%s)" % (name, fields[0][3][0]),
                           *(vnorm("New", [("_0", fields[0][ni][0])]) for ni in (4, 6))))
        else:
            values.append(("%s::New(9)" % name, vnorm("New", [("_0", "9")]), vnorm("New", [("_0", "9")])))
        values.append(("%s::Unit" % name, vnorm("Unit", []), vnorm("Unit", [])))
    else:
        raise ValueError(shape)

    entry = {
        "name": name,
        "ty": rust_ty,
        "levels": (shape, attr, form or "-"),
        "values": values,
        "needs_shared": needs_shared,
        "checks": checks,
        "array": form == "array",
        "uuid": form == "chrono_uuid",
        "serde": serde,
        # Module-declared, and every class it reaches too (CInner and CKey
        # declare none): python::write_package can write its package.
        "module": attr == "module" and form not in ("nested", "shared", "frozen_key_map"),
    }
    return "\n".join(lines), entry


def rust_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render():
    chosen = cover()
    out = ["// @generated by tests/conformance/generate.py: do not edit; run it after changing it",
           "// (scripts/test.sh fails when this file is stale).",
           "#![allow(dead_code, clippy::all)]",
           "",
           "use std::collections::{BTreeMap, BTreeSet};",
           "use std::rc::Rc;",
           "",
           "use portable_pickle::PortablePickle;",
           "use super::shared_types::{hex_color, hex_color_serde, CInner, CKey, CSerde};",
           ""]
    entries = []
    for i, (s, a, f) in enumerate(chosen):
        src, entry = gen_type(i, s, a, f)
        out.append(src)
        out.append("")
        entries.append(entry)
    possible = possible_pairs()
    covered = set()
    for s, a, f in chosen:
        covered |= pairs_of(s, a, f)
    assert covered == possible
    out.append("/// Pairs of factor levels the types cover, and pairs possible.")
    out.append("pub const PAIRS_COVERED: usize = %d;" % len(covered & possible))
    out.append("pub const PAIRS_POSSIBLE: usize = %d;" % len(possible))
    out.append("/// Pairs that cannot go together, and why (not counted as possible).")
    out.append("pub const INVALID_PAIRS: &[(&str, &str, &str)] = &[")
    for key in sorted(INVALID):
        if INVALID[key] == NO_FIELDS:
            continue
        out.append("    (%s, %s, %s)," % (rust_str(key[1]), rust_str(key[3]), rust_str(INVALID[key])))
    out.append("];")
    out.append("")
    modules = [e["ty"] for e in entries if e["module"]]
    out.append("/// The module-declared types whose classes all have a module: `python::write_package`")
    out.append("/// writes their package.")
    out.append("pub type ModuleTypes = (%s);" % ", ".join(
        "(%s,)" % ", ".join("Vec<%s>" % t for t in modules[i:i + 8]) for i in range(0, len(modules), 8)))
    out.append("")
    out.append("/// Calls `$m!(name, Type, [shape, attr, field], [(value, python norm, serde bridge's norm), ...],")
    out.append("/// [checks], array, uuid, serde type, in ModuleTypes)` for every type.")
    out.append("macro_rules! conformance_types {")
    out.append("    ($m:ident) => {")
    for e in entries:
        vals = ", ".join("(%s, %s, %s)" % ("{ let shared = Rc::new(CInner { a: 7 }); let _ = &shared; %s }" % r
                                           if e["needs_shared"] else r, rust_str(p), rust_str(sp))
                         for r, p, sp in e["values"])
        out.append("        $m!(%s, %s, [%s], [%s], [%s], %s, %s, %s, %s);" % (
            rust_str(e["name"]), e["ty"].replace("<", "::<", 1) if "<" in e["ty"] else e["ty"],
            ", ".join(rust_str(l) for l in e["levels"]), vals,
            ", ".join(rust_str(c) for c in e["checks"]),
            str(e["array"]).lower(), str(e["uuid"]).lower(), str(e["serde"]).lower(),
            str(e["module"]).lower()))
    out.append("    };")
    out.append("}")
    return "\n".join(out) + "\n"


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "generated.rs")
    text = render()
    if "--check" in sys.argv[1:]:
        try:
            with open(path, encoding="utf-8") as f:
                current = f.read()
        except OSError:
            current = None
        if current != text:
            print("tests/conformance/generated.rs is stale: run python3 tests/conformance/generate.py")
            return 1
        print("tests/conformance/generated.rs is fresh")
        return 0
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    print("wrote %s (%d types)" % (path, text.count("#[derive(PortablePickle")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
