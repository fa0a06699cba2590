//! Fingerprints, keys and variants of class descriptors.

use super::*;

fn class(name: &str, doc: Option<&str>, fields: &[&str]) -> ClassShape {
    ClassShape {
        name: name.into(),
        doc: doc.map(Into::into),
        fields: fields.iter().map(|f| f.to_string()).collect(),
        annotations: Vec::new(),
    }
}

fn spec(module: Option<&str>, frozen: bool, shape: TypeShape) -> TypeSpec {
    TypeSpec {
        crate_name: "demo".into(),
        module: module.map(Into::into),
        frozen,
        hash: false,
        order: false,
        shape,
    }
}

fn point() -> TypeSpec {
    spec(
        None,
        false,
        TypeShape::Struct(class("Point", Some("A point."), &["x", "y"])),
    )
}

#[test]
fn canonical_text_is_explicit() {
    assert_eq!(
        point().canonical(),
        "portable-pickle class spec\nformat 3\ncrate 4:demo\nmodule -\nfrozen 0\nhash 0\nstruct 5:Point 8:A point. 2 1:x 1:y\n"
    );
}

/// Pinned: a change here changes the class key of every existing type,
/// so loaded objects of old and new streams get different classes.
#[test]
fn fingerprints_are_pinned() {
    let light = TypeShape::UnitEnum {
        name: "Light".into(),
        doc: None,
        members: vec![("Red".into(), 0), ("Green".into(), -5)],
        int: false,
    };
    let shape = TypeShape::DataEnum {
        base: class("Shape", None, &[]),
        variants: vec![class("Circle", None, &["r"]), class("Empty", None, &[])],
    };
    let got = [
        point().fingerprint(),
        spec(
            Some("geo.types"),
            true,
            TypeShape::Struct(class("Point", Some("A point."), &["x", "y"])),
        )
        .fingerprint(),
        spec(None, false, light).fingerprint(),
        spec(None, false, shape).fingerprint(),
    ];
    assert_eq!(
        got,
        [
            0x91b2_f26f_0091_2805,
            0xf641_49ef_faf8_a53b,
            0xad45_1286_c562_ae86,
            0x8985_dae0_623d_6c4e
        ],
        "{got:#018x?}"
    );
}

#[test]
fn every_part_of_the_spec_changes_the_fingerprint() {
    let base = point();
    let mut variants = Vec::new();
    let mut s = base.clone();
    s.crate_name = "other".into();
    variants.push(s);
    let mut s = base.clone();
    s.module = Some("m".into());
    variants.push(s);
    let mut s = base.clone();
    s.frozen = true;
    variants.push(s);
    let mut s = base.clone();
    s.hash = true;
    variants.push(s);
    for shape in [
        class("Point", None, &["x", "y"]),
        class("Point", Some("A point."), &["y", "x"]),
        class("Point", Some("A point."), &["xy"]),
        class("Poin", Some("tA point."), &["x", "y"]),
    ] {
        variants.push(TypeSpec {
            shape: TypeShape::Struct(shape),
            ..base.clone()
        });
    }
    for v in &variants {
        assert_ne!(v.fingerprint(), base.fingerprint(), "{v:?}");
    }
}

#[test]
fn int_enums_and_hashing() {
    let light = |int| TypeShape::UnitEnum {
        name: "Light".into(),
        doc: None,
        members: vec![("Red".into(), 0)],
        int,
    };
    let (plain, int) = (spec(None, false, light(false)), spec(None, false, light(true)));
    assert!(
        int.canonical().contains("\nint_enum 5:Light - 1\n"),
        "{}",
        int.canonical()
    );
    assert_ne!(plain.fingerprint(), int.fingerprint());
    let [hashable, int_enum] = crate::layout::CLASS_TOOLS.map(|t| format!("namespace.{t}"));
    assert!(int.print().contains(&int_enum), "{}", int.print());
    assert!(!plain.print().contains(&int_enum));
    assert!(plain.is_hashable() && !point().is_hashable());
    let mut marked = point();
    marked.hash = true;
    assert!(marked.is_hashable() && marked.print().contains(&hashable));
    let mut frozen = point();
    frozen.frozen = true;
    assert!(frozen.is_hashable() && !frozen.print().contains(&hashable));
}

#[test]
fn stdlib_only_variant_drops_the_module_lookup() {
    let located = spec(
        Some("geo.types"),
        false,
        TypeShape::Struct(class("Point", None, &["x"])),
    );
    let full = located.program().compile(Context::Descriptor);
    let stdlib = located.program_with(RealModule::Skip).compile(Context::Descriptor);
    let imports = |c: &crate::pyexpr::Compiled| c.globals.iter().any(|(m, _)| m.starts_with("importlib"));
    assert!(imports(&full) && !imports(&stdlib));
    let encoded = located.encode();
    assert_eq!(encoded.stdlib_only, Some(stdlib.bytes));
    assert_eq!((encoded.slots, full.memo_len), (stdlib.memo_len, stdlib.memo_len));
    assert_eq!(point().encode().stdlib_only, None, "no module, no variant");
}

#[test]
fn open_enum_variants_share_their_base() {
    let variant = |name: &str, fields: &[&str]| {
        spec(
            None,
            false,
            TypeShape::Variant {
                base: class("Shape", None, &[]),
                variant: class(name, None, fields),
            },
        )
    };
    let (circle, empty, circle2) = (
        variant("Circle", &["r"]),
        variant("Empty", &[]),
        variant("Circle", &["d"]),
    );
    let (kc, ke, kc2) = (circle.class_keys(), empty.class_keys(), circle2.class_keys());
    assert_eq!(kc[0], ke[0], "one base class");
    assert_ne!(kc[1], kc2[1], "a variant of another shape is another class");
    assert_eq!(
        crate::names::parse_class_key(&kc[1]).unwrap().qualname(),
        "Shape.Circle"
    );
    assert_ne!(circle.definition_key(&kc), empty.definition_key(&ke));
    let encoded = circle.encode();
    assert_eq!(encoded.slots, 2, "the base, then the variant");
    assert_ne!(encoded.key, empty.encode().key);
}
