//! The Python type of a Rust type, as a `const` tree: what field
//! annotations show (`list[Point]`, `dict[str, int]`, `Point | None`) and
//! what the generated Python package ([`ClassDef`]) is made from.
//!
//! Every `PortablePickle` impl has an associated `const PY_TYPE: PyType`
//! (default [`PyType::Any`]); the impls of std types compose their
//! parameters' (`Vec<T>` is `list[T]`), and the derive gives each derived
//! type a [`PyType::Class`] whose [`ClassRef::def`] returns the type's full
//! definition: its Python shape, with every field's `PyType`. A field whose
//! type mentions a type parameter of a generic type is typed with the
//! parameter as [`PyType::Any`] (`Pair<A, B>` has one Python class for
//! every instantiation, so its annotations cannot depend on one).

use std::fmt::Write as _;

use crate::descriptor::{ClassDescriptor, ClassShape, TypeShape, TypeSpec};

/// The Python type of a Rust type.
#[derive(Debug, Clone, Copy)]
pub enum PyType {
    /// `typing.Any`: unknown (a hand-written impl, a `serde`/`with` field,
    /// a type parameter).
    Any,
    /// `None` (Rust's `()`).
    None,
    /// A builtin or stdlib type, by its Python spelling: `int`, `str`,
    /// `datetime.timedelta`, `ipaddress.IPv4Address`.
    Name(&'static str),
    /// A generic builtin: `list[T]`, `dict[K, V]`, `set[T]`, `tuple[A, B]`.
    Generic(&'static str, &'static [PyType]),
    /// `T | None`.
    Optional(&'static PyType),
    /// One of several types (`A | B`).
    Union(&'static [PyType]),
    /// A `#[pickle(array)]` field or `Array` value: `numpy.ndarray` when
    /// numpy is importable on the reader, else `array.array` (or nested
    /// lists, n-D).
    Array,
    /// A derived type's class.
    Class(&'static ClassRef),
}

/// A derived type's class, by name, with its definition behind a function
/// (types may be recursive: `Tree { children: Vec<Tree> }`).
#[derive(Debug)]
pub struct ClassRef {
    /// The class's Python name (a data enum's base class).
    pub name: &'static str,
    /// The declared module (`#[pickle(module = "...")]`).
    pub module: Option<&'static str>,
    /// The class definition.
    pub def: fn() -> &'static ClassDef,
    /// The class descriptor: the derive's compile-time bytes
    /// ([`ClassRef::fixed`]) when it has them, else encoded from the
    /// definition once per process.
    pub descriptor: fn() -> &'static ClassDescriptor,
    /// The descriptor the derive encoded at compile time, if the field
    /// types it predicted from their syntax are the ones their `PY_TYPE`
    /// consts give (checked by the compiler: [`same_annotation`]).
    pub fixed: fn() -> Option<&'static ClassDescriptor>,
}

impl ClassRef {
    /// A class known by its name only: what the derive predicts a field of
    /// another derived type (`pos: Point`) to be. Only its name is ever read.
    pub const fn named(name: &'static str) -> ClassRef {
        fn no_def() -> &'static ClassDef {
            unreachable!("a predicted class has no definition")
        }
        fn no_descriptor() -> &'static ClassDescriptor {
            unreachable!("a predicted class has no descriptor")
        }
        fn no_fixed() -> Option<&'static ClassDescriptor> {
            None
        }
        ClassRef {
            name,
            module: None,
            def: no_def,
            descriptor: no_descriptor,
            fixed: no_fixed,
        }
    }
}

/// Whether `a` and `b` give the same field annotation, decided by the
/// compiler: the derive's compile-time descriptor of a type is used only
/// when each field's predicted type is the same as its `PY_TYPE`. Exact
/// where the annotation could differ: classes compare by name (all an
/// annotation shows of them) and a [`PyType::Union`], which the derive
/// never predicts, is never the same (its rendering merges members).
pub const fn same_annotation(a: &PyType, b: &PyType) -> bool {
    const fn same_str(a: &str, b: &str) -> bool {
        let (a, b) = (a.as_bytes(), b.as_bytes());
        if a.len() != b.len() {
            return false;
        }
        let mut i = 0;
        while i < a.len() {
            if a[i] != b[i] {
                return false;
            }
            i += 1;
        }
        true
    }
    match (a, b) {
        (PyType::Any, PyType::Any) | (PyType::None, PyType::None) | (PyType::Array, PyType::Array) => true,
        (PyType::Name(x), PyType::Name(y)) => same_str(x, y),
        (PyType::Class(x), PyType::Class(y)) => same_str(x.name, y.name),
        (PyType::Optional(x), PyType::Optional(y)) => same_annotation(x, y),
        (PyType::Generic(x, xs), PyType::Generic(y, ys)) => {
            if !same_str(x, y) || xs.len() != ys.len() {
                return false;
            }
            let mut i = 0;
            while i < xs.len() {
                if !same_annotation(&xs[i], &ys[i]) {
                    return false;
                }
                i += 1;
            }
            true
        }
        _ => false,
    }
}

/// A derived type's Python classes, as the generated package writes them.
#[derive(Debug)]
pub struct ClassDef {
    /// The Rust type's name as the derive saw it (`Point`), for messages.
    pub rust_name: &'static str,
    /// The Rust crate's name (see [`TypeSpec::crate_name`]).
    pub crate_name: &'static str,
    /// The declared module.
    pub module: Option<&'static str>,
    /// `#[pickle(frozen)]`.
    pub frozen: bool,
    /// `#[pickle(hash)]`.
    pub hash: bool,
    /// `#[pickle(order)]`.
    pub order: bool,
    /// The classes.
    pub shape: DefShape,
}

/// See [`crate::descriptor::TypeShape`].
#[derive(Debug)]
pub enum DefShape {
    /// A dataclass.
    Struct(DefClass),
    /// An `enum.Enum` (or `enum.IntEnum` with `int`) subclass.
    UnitEnum {
        /// `__name__`.
        name: &'static str,
        /// `__doc__`.
        doc: Option<&'static str>,
        /// Members and values.
        members: &'static [(&'static str, i128)],
        /// `enum.IntEnum`.
        int: bool,
    },
    /// A base class with variant subclasses.
    DataEnum {
        /// The base (no fields).
        base: DefClass,
        /// The variants.
        variants: &'static [DefClass],
    },
}

/// One class and its fields.
#[derive(Debug)]
pub struct DefClass {
    /// `__name__`.
    pub name: &'static str,
    /// `__doc__`.
    pub doc: Option<&'static str>,
    /// Written fields, in order, with their types.
    pub fields: &'static [(&'static str, PyType)],
}

impl DefClass {
    /// Field names.
    pub fn field_names(&self) -> Vec<String> {
        self.fields.iter().map(|(f, _)| (*f).to_owned()).collect()
    }

    /// Field annotations, as stand-in classes carry them.
    pub fn annotations(&self) -> Vec<String> {
        self.fields.iter().map(|(_, t)| t.annotation()).collect()
    }
}

impl DefClass {
    fn shape(&self) -> ClassShape {
        ClassShape {
            name: self.name.to_owned(),
            doc: self.doc.map(str::to_owned),
            fields: self.field_names(),
            annotations: self.annotations(),
        }
    }
}

impl ClassDef {
    /// The spec the class descriptor is encoded from.
    pub fn type_spec(&self) -> TypeSpec {
        TypeSpec {
            crate_name: self.crate_name.to_owned(),
            module: self.module.map(str::to_owned),
            frozen: self.frozen,
            hash: self.hash,
            order: self.order,
            shape: match &self.shape {
                DefShape::Struct(c) => TypeShape::Struct(c.shape()),
                DefShape::UnitEnum {
                    name,
                    doc,
                    members,
                    int,
                } => TypeShape::UnitEnum {
                    name: (*name).to_owned(),
                    doc: doc.map(str::to_owned),
                    members: members.iter().map(|(m, v)| ((*m).to_owned(), *v)).collect(),
                    int: *int,
                },
                DefShape::DataEnum { base, variants } => TypeShape::DataEnum {
                    base: base.shape(),
                    variants: variants.iter().map(DefClass::shape).collect(),
                },
            },
        }
    }

    /// The class descriptor, encoded now; its bytes live as long as the
    /// process (one per type, made once: see [`ClassRef::descriptor`]).
    pub fn leak_descriptor(&self) -> ClassDescriptor {
        self.type_spec().encode().leak()
    }

    /// The registry key of the (first) class, `<Name>_<fingerprint>`: the
    /// name a stream looks the real class up by in the declared module.
    pub fn key(&self) -> String {
        crate::names::class_key(self.name(), self.type_spec().fingerprint())
    }

    /// The Python name of the (first) class.
    pub fn name(&self) -> &'static str {
        match &self.shape {
            DefShape::Struct(c) | DefShape::DataEnum { base: c, .. } => c.name,
            DefShape::UnitEnum { name, .. } => name,
        }
    }

    /// Every field type of every class, in order.
    pub fn field_types(&self) -> Vec<PyType> {
        match &self.shape {
            DefShape::Struct(c) => c.fields.iter().map(|(_, t)| *t).collect(),
            DefShape::UnitEnum { .. } => Vec::new(),
            DefShape::DataEnum { variants, .. } => {
                variants.iter().flat_map(|v| v.fields.iter().map(|(_, t)| *t)).collect()
            }
        }
    }
}

impl PyType {
    /// The annotation a stand-in class carries: class names bare (`Point`,
    /// `Shape`), stdlib names dotted (`datetime.timedelta`).
    pub fn annotation(&self) -> String {
        let mut out = String::new();
        self.render(&mut out, &mut |out, class| out.push_str(class.name), false);
        out
    }

    /// Renders the type, each class through `class`. `array_any`: an
    /// [`PyType::Array`] is `typing.Any` (the generated package depends on
    /// the stdlib only).
    pub fn render(&self, out: &mut String, class: &mut dyn FnMut(&mut String, &ClassRef), array_any: bool) {
        let mut parts = Vec::new();
        self.union_parts(&mut parts);
        let optional = parts.iter().any(|p| matches!(p, PyType::None));
        let rest: Vec<PyType> = parts.iter().copied().filter(|p| !matches!(p, PyType::None)).collect();
        if rest.iter().any(|p| matches!(p, PyType::Any)) {
            out.push_str("typing.Any");
            return;
        }
        for (i, p) in rest.iter().enumerate() {
            if i > 0 {
                out.push_str(" | ");
            }
            match p {
                PyType::Name(n) => out.push_str(n),
                PyType::Generic(name, args) => {
                    out.push_str(name);
                    out.push('[');
                    if args.is_empty() {
                        out.push_str("()");
                    }
                    for (j, a) in args.iter().enumerate() {
                        if j > 0 {
                            out.push_str(", ");
                        }
                        a.render(out, class, array_any);
                    }
                    out.push(']');
                }
                PyType::Array if array_any => out.push_str("typing.Any"),
                PyType::Array => out.push_str("numpy.ndarray | array.array"),
                PyType::Class(c) => class(out, c),
                PyType::Any | PyType::None | PyType::Optional(_) | PyType::Union(_) => {
                    unreachable!("flattened by union_parts")
                }
            }
        }
        if optional {
            let _ = write!(out, "{}None", if rest.is_empty() { "" } else { " | " });
        }
    }

    /// The members of a union, flattened (`Option<Option<T>>` is `T | None`).
    fn union_parts(&self, out: &mut Vec<PyType>) {
        match self {
            PyType::Optional(t) => {
                t.union_parts(out);
                out.push(PyType::None);
            }
            PyType::Union(ts) => ts.iter().for_each(|t| t.union_parts(out)),
            other => {
                if !out.iter().any(|o| same(o, other)) {
                    out.push(*other);
                }
            }
        }
    }

    /// Every class this type mentions, in order.
    pub fn classes(&self, out: &mut Vec<&'static ClassRef>) {
        match *self {
            PyType::Class(c) => out.push(c),
            PyType::Generic(_, args) | PyType::Union(args) => args.iter().for_each(|a| a.classes(out)),
            PyType::Optional(t) => t.classes(out),
            PyType::Any | PyType::None | PyType::Name(_) | PyType::Array => {}
        }
    }
}

/// Whether two union members are the same (by rendering: classes by name
/// and module).
fn same(a: &PyType, b: &PyType) -> bool {
    match (a, b) {
        (PyType::None, PyType::None) | (PyType::Any, PyType::Any) | (PyType::Array, PyType::Array) => true,
        (PyType::Name(x), PyType::Name(y)) => x == y,
        (PyType::Class(x), PyType::Class(y)) => x.name == y.name && x.module == y.module,
        _ => false,
    }
}
