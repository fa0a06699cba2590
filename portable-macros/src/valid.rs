//! Checks that need the whole parsed model: Python names, conflicts,
//! `transparent`'s single field.

use std::collections::HashSet;

use portable_format::names::{is_dotted_identifier, is_identifier, PYTHON_KEYWORDS};

use crate::ast::{Container, Data, Field, Style};
use crate::attr::{Spanned, RENAME};
use crate::ctxt::Ctxt;

pub fn check(cx: &Ctxt, cont: &Container<'_>) {
    check_identifier(cx, &cont.py_name, "class name");
    if let Some(module) = &cont.attrs.module {
        if !is_dotted_identifier(&module.value) {
            cx.syn_error(syn::Error::new(
                module.span,
                format!("module \"{}\" is not a dotted Python module name", module.value),
            ));
        }
    }
    check_transparent(cx, cont);
    check_kind_attrs(cx, cont);
    if let (Some(write_only), Some(_)) = (cont.attrs.write_only, cont.attrs.deny_unknown_fields) {
        cx.syn_error(syn::Error::new(
            write_only,
            "`write_only` conflicts with `deny_unknown_fields`: a write-only type is never read",
        ));
    }
    match &cont.data {
        Data::Struct(_, fields) => check_fields(cx, fields),
        Data::Enum(variants) => {
            let mut seen = HashSet::new();
            for v in variants {
                check_identifier(cx, &v.py_name, "variant name");
                if !seen.insert(v.py_name.value.clone()) {
                    cx.syn_error(syn::Error::new(
                        v.py_name.span,
                        format!("two variants are named `{}` in Python", v.py_name.value),
                    ));
                }
                check_fields(cx, &v.fields);
            }
            let unit_only = variants.iter().all(|v| v.style == Style::Unit);
            if let (true, Some(deny)) = (unit_only, cont.attrs.deny_unknown_fields) {
                cx.syn_error(syn::Error::new(
                    deny,
                    "`deny_unknown_fields` has no effect on an enum whose variants have no fields",
                ));
            }
            if unit_only {
                for v in variants {
                    if let Some(d) = v.discriminant {
                        if v.discriminant_value().is_none() {
                            cx.error_spanned_by(d, "PortablePickle needs an integer literal discriminant here");
                        }
                    }
                }
            }
        }
    }
}

fn check_fields(cx: &Ctxt, fields: &[Field<'_>]) {
    let mut seen = HashSet::new();
    for f in fields {
        if let Some(skip) = f.attrs.skip {
            let given: Vec<String> = f
                .attrs
                .rename
                .iter()
                .map(|_| RENAME)
                .chain(f.attrs.codecs.iter().map(|c| c.value))
                .map(|name| format!("`{name}`"))
                .collect();
            if !given.is_empty() {
                cx.syn_error(syn::Error::new(
                    skip,
                    format!(
                        "`skip` conflicts with {}: a skipped field has no Python form",
                        given.join(" and ")
                    ),
                ));
            }
        }
        if let [first, second, ..] = f.attrs.codecs.as_slice() {
            cx.syn_error(syn::Error::new(
                first.span,
                format!(
                    "`{}` conflicts with `{}`: a field is written one way, through its own impls or one of \
                     `bytes`, `serde`, `with`, `display`",
                    first.value, second.value
                ),
            ));
        }
        if let (Some(_), Some(default)) = (f.attrs.skip, f.attrs.default) {
            cx.syn_error(syn::Error::new(
                default,
                "`default` conflicts with `skip`: a skipped field is always read as `Default::default()`",
            ));
        }
        if !f.is_written() {
            continue;
        }
        check_identifier(cx, &f.py_name, "field name");
        if !seen.insert(f.py_name.value.clone()) {
            cx.syn_error(syn::Error::new(
                f.py_name.span,
                format!("two fields are named `{}` in Python", f.py_name.value),
            ));
        }
    }
}

fn check_transparent(cx: &Ctxt, cont: &Container<'_>) {
    let Some(span) = cont.attrs.transparent else {
        return;
    };
    let conflicting = [
        cont.attrs.module.as_ref().map(|_| "module"),
        cont.attrs.name.as_ref().map(|_| "name"),
        cont.attrs.frozen.map(|_| "frozen"),
        cont.attrs.hash.map(|_| "hash"),
        cont.attrs.order.map(|_| "order"),
        cont.attrs.rename_all.map(|_| "rename_all"),
        cont.attrs.deny_unknown_fields.map(|_| "deny_unknown_fields"),
    ];
    for name in conflicting.into_iter().flatten() {
        cx.syn_error(syn::Error::new(
            span,
            format!("`transparent` conflicts with `{name}`: a transparent type has no Python class"),
        ));
    }
    match &cont.data {
        Data::Struct(_, fields) if fields.iter().filter(|f| f.is_written()).count() == 1 => {
            for default in fields.iter().filter(|f| f.is_written()).filter_map(|f| f.attrs.default) {
                cx.syn_error(syn::Error::new(
                    default,
                    "`default` has no effect on the field of a `transparent` struct: it is the whole value",
                ));
            }
        }
        Data::Struct(..) => cx.syn_error(syn::Error::new(
            span,
            "`transparent` needs exactly one field that is not skipped",
        )),
        Data::Enum(_) => cx.syn_error(syn::Error::new(span, "`transparent` applies to structs, not enums")),
    }
}

/// `hash`, `order`, `int_enum` and `tag`: each applies to one kind of type.
fn check_kind_attrs(cx: &Ctxt, cont: &Container<'_>) {
    let (is_struct, unit_only) = match &cont.data {
        Data::Struct(..) => (true, false),
        Data::Enum(variants) => (false, variants.iter().all(|v| v.style == Style::Unit)),
    };
    if let (Some(hash), Some(_)) = (cont.attrs.hash, cont.attrs.frozen) {
        cx.syn_error(syn::Error::new(
            hash,
            "`hash` conflicts with `frozen`: a frozen class already hashes by value",
        ));
    }
    if let (Some(hash), true) = (cont.attrs.hash, unit_only) {
        cx.syn_error(syn::Error::new(
            hash,
            "`hash` has no effect on an enum whose variants have no fields: its members are always hashable",
        ));
    }
    match (cont.attrs.order, unit_only, cont.attrs.int_enum) {
        (Some(order), true, None) => cx.syn_error(syn::Error::new(
            order,
            "`order` on an enum whose variants have no fields: use `int_enum`, whose `enum.IntEnum` members order \
             by discriminant as Rust's derived `PartialOrd` does (an `enum.Enum` has no order)",
        )),
        (Some(order), true, Some(_)) => cx.syn_error(syn::Error::new(
            order,
            "`order` has no effect with `int_enum`: `enum.IntEnum` members already order by discriminant",
        )),
        _ => {}
    }
    if let (Some(int_enum), false) = (cont.attrs.int_enum, unit_only) {
        cx.syn_error(syn::Error::new(
            int_enum,
            "`int_enum` applies to enums whose variants have no fields (they become `enum.IntEnum` members)",
        ));
    }
    let Some(tag) = &cont.attrs.tag else {
        return;
    };
    if is_struct || unit_only {
        let why = if is_struct {
            "a struct has no variants"
        } else {
            "an enum whose variants have no fields is an `enum.Enum`, whose members carry their name (`.name`)"
        };
        cx.syn_error(syn::Error::new(
            tag.span,
            format!("`tag` applies to enums with data: {why}"),
        ));
        return;
    }
    check_identifier(cx, tag, "tag name");
    if let Data::Enum(variants) = &cont.data {
        for v in variants {
            if let Some(f) = v.fields.iter().find(|f| f.is_written() && f.py_name.value == tag.value) {
                cx.syn_error(syn::Error::new(
                    f.py_name.span,
                    format!(
                        "field `{}` of variant `{}` has the name of the tag (`tag = \"{}\"`)",
                        f.py_name.value, v.py_name.value, tag.value
                    ),
                ));
            }
        }
    }
}

fn check_identifier(cx: &Ctxt, name: &Spanned<String>, what: &str) {
    let n = &name.value;
    if !is_identifier(n) {
        cx.syn_error(syn::Error::new(
            name.span,
            format!("{what} \"{n}\" is not a Python identifier"),
        ));
    } else if PYTHON_KEYWORDS.contains(&n.as_str()) {
        cx.syn_error(syn::Error::new(
            name.span,
            format!("{what} \"{n}\" is a Python keyword"),
        ));
    } else if n.starts_with("__") && n.ends_with("__") {
        cx.syn_error(syn::Error::new(
            name.span,
            format!("{what} \"{n}\" is a dunder name, reserved for Python's own attributes"),
        ));
    }
}
