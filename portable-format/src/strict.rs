//! The strict profile: a second recipe for pipelines that scan pickles.
//!
//! The default header installs a namespace module in `sys.modules` and
//! loads a nested, compressed pickle; scanners (picklescan, modelscan,
//! fickling) grade `sys`, `pickle.loads`, `builtins.getattr`,
//! `functools.partial` and more as dangerous. A strict stream references
//! only [`crate::globals::STRICT`] and the body's stdlib types (not
//! `uuid`), carries no nested pickle, and builds each class itself, in
//! every stream, through the same expression layer and opcode writer:
//!
//! * a class is `abc.ABCMeta(name, (PortableStruct,), namespace)`: the
//!   header's base `PortableStruct` has `__init_subclass__ =
//!   dataclasses.dataclass`, so `type.__new__` makes each subclass a
//!   dataclass; keyword arguments (`frozen=True`, `unsafe_hash=True`) go
//!   through `copyreg.__newobj_ex__(abc.ABCMeta, args, keywords)`, which
//!   passes them on to `__init_subclass__`;
//! * a unit-only enum is `enum.Enum(name, [(member, value), …])` (or
//!   `enum.IntEnum`), its `__module__` then set by `BUILD`;
//! * a descriptor that needs a value twice (an enum's class for its
//!   members, a data enum's base for its variants) reads its own memo
//!   entry back ([`crate::pyexpr::Expr::Own`]: `LONG_BINGET` of the
//!   relative index, which the writer relocates), so no entry is written
//!   twice.
//!
//! What the profile gives up (no cross-load class identity, no re-pickling,
//! no real-module preference, …) is documented in docs/FORMAT.md, "Strict
//! profile".

use crate::descriptor::{offset, ClassShape, Hashing, InstanceEncoding, TypeShape, TypeSpec};
use crate::pyexpr::{Bindings, Context, Expr, Program, Stmt};
use crate::writer::OpWriter;

/// Every strict class's `__module__`: a name no module has, so that
/// `pickle.dumps` of a loaded object fails (`No module named …`) instead
/// of finding another class.
pub const NAMESPACE: &str = "_portable_pickle_strict_v1";

/// Name of the header's base class of every strict dataclass.
pub const BASE_NAME: &str = "PortableStruct";

/// Docstring of the base class.
const BASE_DOC: &str = "Base of portable-pickle strict-profile classes: makes each subclass a dataclass.";

/// Memo slots of the strict header.
pub mod slot {
    /// `abc.ABCMeta`: makes a class from `(name, bases, namespace)`.
    pub const MAKE_CLASS: u32 = 0;
    /// `copyreg.__newobj_ex__`: calls `cls.__new__(cls, *args, **kwargs)`.
    pub const WITH_KEYWORDS: u32 = 1;
    /// The string [`super::NAMESPACE`].
    pub const NAMESPACE_NAME: u32 = 2;
    /// The base class `PortableStruct`.
    pub const BASE: u32 = 3;
    /// `enum.Enum`.
    pub const ENUM: u32 = 4;
    /// `enum.IntEnum`.
    pub const INT_ENUM: u32 = 5;
    /// Slots the strict header defines.
    pub const COUNT: u32 = 6;
}

/// The strict header program (after `PROTO 4`).
pub fn header_program() -> Program {
    let base = Expr::Memo(slot::MAKE_CLASS).call([
        Expr::str(BASE_NAME),
        Expr::tuple([]),
        Expr::dict([
            ("__module__", Expr::Memo(slot::NAMESPACE_NAME)),
            ("__qualname__", Expr::str(BASE_NAME)),
            ("__doc__", Expr::str(BASE_DOC)),
            ("__init_subclass__", Expr::global("dataclasses", "dataclass")),
        ]),
    ]);
    Program::new([
        Stmt::Proto,
        Stmt::Group(vec![
            Expr::global("abc", "ABCMeta").memoize_at("make_class", slot::MAKE_CLASS),
            Expr::global("copyreg", "__newobj_ex__").memoize_at("with_keywords", slot::WITH_KEYWORDS),
            Expr::str(NAMESPACE).memoize_at("namespace_name", slot::NAMESPACE_NAME),
            base.memoize_at(BASE_NAME, slot::BASE),
            Expr::global("enum", "Enum").memoize_at("enum", slot::ENUM),
            Expr::global("enum", "IntEnum").memoize_at("int_enum", slot::INT_ENUM),
        ]),
    ])
}

/// The strict header's bytes: `PROTO 4` and the header program; defines
/// [`slot::COUNT`] memo entries and leaves the stack empty.
pub fn header() -> Vec<u8> {
    let compiled = header_program().compile(Context::Strict);
    assert_eq!(compiled.memo_len, slot::COUNT);
    let mut w = OpWriter::new();
    w.raw(&compiled.bytes);
    w.into_bytes()
}

/// The strings (`name` `None`) and globals the strict header memoizes, by
/// slot (as `header::BOUND`; a test checks it against the compiled header).
const BOUND: [(u32, &str, Option<&str>); 5] = [
    (slot::MAKE_CLASS, "abc", Some("ABCMeta")),
    (slot::WITH_KEYWORDS, "copyreg", Some("__newobj_ex__")),
    (slot::NAMESPACE_NAME, NAMESPACE, None),
    (slot::ENUM, "enum", Some("Enum")),
    (slot::INT_ENUM, "enum", Some("IntEnum")),
];

/// Strings and globals the strict header memoizes.
pub(crate) fn header_bindings() -> Bindings {
    Bindings::from_slots(BOUND.iter())
}

/// A new dataclass: `ABCMeta(name, bases, ns)`, or with keywords
/// `copyreg.__newobj_ex__(ABCMeta, (name, bases, ns), {kw: True})`.
fn make_class(spec: &TypeSpec, class: &ClassShape, qualname: &str, bases: Expr) -> Expr {
    // While `dataclass` runs, `__module__` names a module the reader has
    // (`abc`, imported for `ABCMeta`, whose namespace has no `ClassVar` nor
    // `InitVar`): dataclasses looks string annotations up in the class's
    // module, and the strict classes' own module is in no `sys.modules`.
    // `BUILD` then sets the real one.
    let mut ns = vec![("__module__", Expr::str("abc")), ("__qualname__", Expr::str(qualname))];
    ns.extend(class.dataclass_entries());
    let args = [Expr::str(&class.name), bases, Expr::dict(ns)];
    let hashing = match spec.hashing(class) {
        Hashing::Frozen => Some("frozen"),
        Hashing::ByValue => Some("unsafe_hash"),
        Hashing::Unhashable => None,
    };
    let keywords: Vec<_> = hashing
        .into_iter()
        .chain(spec.order.then_some("order"))
        .map(|k| (k, Expr::Bool(true)))
        .collect();
    let class = match keywords.is_empty() {
        true => Expr::Memo(slot::MAKE_CLASS).call(args),
        false => Expr::Memo(slot::WITH_KEYWORDS).call([
            Expr::Memo(slot::MAKE_CLASS),
            Expr::tuple(args),
            Expr::dict(keywords),
        ]),
    };
    class.build(Expr::tuple([
        Expr::None,
        Expr::dict([("__module__", Expr::Memo(slot::NAMESPACE_NAME))]),
    ]))
}

/// The strict descriptor program of `spec`: the same memo slots as the
/// default descriptor ([`offset`]), each class built anew.
pub fn descriptor_program(spec: &TypeSpec) -> Program {
    let base_bases = || Expr::tuple([Expr::Memo(slot::BASE)]);
    let mut stmts = Vec::new();
    match &spec.shape {
        TypeShape::Struct(class) => {
            let cls = make_class(spec, class, &class.name, base_bases());
            stmts.push(Stmt::Discard(cls.memoize_at(&class.name, offset::CLASS)));
            if spec.instance_encoding() == InstanceEncoding::State {
                stmts.extend(class.field_name_slots().map(Stmt::Discard));
            }
        }
        TypeShape::UnitEnum {
            name,
            doc,
            members,
            int,
        } => {
            let pair = |k: &str, v: Expr| Expr::tuple([Expr::str(k), v]);
            let mut items = Vec::new();
            if let Some(doc) = doc {
                items.push(pair("__doc__", Expr::str(doc)));
            }
            items.extend(members.iter().map(|(m, v)| pair(m, Expr::Int(*v))));
            let api = Expr::Memo(if *int { slot::INT_ENUM } else { slot::ENUM });
            // The functional API guesses `__module__` from the caller's
            // frame: set ours.
            let cls = api.call([Expr::str(name), Expr::List(items)]).build(Expr::tuple([
                Expr::None,
                Expr::dict([
                    ("__module__", Expr::Memo(slot::NAMESPACE_NAME)),
                    ("__qualname__", Expr::str(name)),
                ]),
            ]));
            stmts.push(Stmt::Discard(cls.memoize_at(name, offset::CLASS)));
            for (i, (m, v)) in members.iter().enumerate() {
                let member = Expr::own(name, offset::CLASS).call([Expr::Int(*v)]);
                stmts.push(Stmt::Discard(member.memoize_at(m, offset::member(i as u32))));
            }
        }
        TypeShape::Variant { base, variant } => {
            let shape = TypeShape::DataEnum {
                base: base.clone(),
                variants: vec![variant.clone()],
            };
            return descriptor_program(&TypeSpec { shape, ..spec.clone() });
        }
        TypeShape::DataEnum { base, variants } => {
            let cls = make_class(spec, base, &base.name, base_bases());
            stmts.push(Stmt::Discard(cls.memoize_at(&base.name, offset::CLASS)));
            let own_base = || Expr::own(&base.name, offset::CLASS);
            for (i, v) in variants.iter().enumerate() {
                let qualname = format!("{}.{}", base.name, v.name);
                let variant = make_class(spec, v, &qualname, Expr::tuple([own_base()]))
                    .memoize_at(&qualname, offset::variant(i as u32));
                // setattr(Base, "Variant", <variant class>) through BUILD's slot state.
                let attach = own_base().build(Expr::tuple([Expr::None, Expr::dict([(v.name.clone(), variant)])]));
                stmts.push(Stmt::Discard(attach));
            }
        }
    }
    Program::new(stmts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bindings_table_is_what_the_strict_header_memoizes() {
        let compiled = crate::pyexpr::bindings_in(&header_program(), slot::COUNT, Context::Strict);
        assert_eq!(header_bindings(), compiled);
    }
}
