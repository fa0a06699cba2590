//! Class descriptors: the opcodes that create (or reuse) the Python class of
//! one Rust type and leave it in the memo.
//!
//! The derive emits each type's class definition as `static` data
//! ([`crate::pytype::ClassDef`], with field annotations composed at compile
//! time from the field types' `PY_TYPE` consts, which a proc macro cannot
//! see), and its [`ClassDescriptor`] as `static` bytes encoded by the macro
//! from the field types it predicts from their syntax, used when the
//! compiler finds every prediction right ([`crate::pytype::ClassRef::fixed`]).
//! Otherwise the first write of the type in a process encodes the
//! descriptor from the definition ([`TypeSpec::encode`], kept as a leaked
//! `&'static` [`ClassDescriptor`]). The runtime copies the bytes into a
//! stream the first time the body meets the type.
//!
//! Every class goes through the same lazy lookup-or-build, so a class is
//! built at most once per process and two loads yield the same class:
//! `next(filter(None, chain((lookup(KEY),), map(partial(register, KEY), BUILD))))`
//! where `BUILD` is a lazy iterator (`map`/`starmap`) yielding the new class.

use std::fmt::Write as _;

use crate::layout::{slot, CLASS_REDUCE, CLASS_TOOLS, FORMAT_VERSION, SESSION_MODULE};
use crate::names::{class_key, def_key, fnv1a, reduce_key, session_alias, variant_key};
use crate::pyexpr::{builtin, print_program, Context, Expr, Fragment, Program, Stmt};

/// One Rust type's class descriptor, as embedded by the derive.
#[derive(Debug, PartialEq, Eq)]
pub struct ClassDescriptor {
    /// Fingerprint of the type's Python shape; identifies the descriptor in
    /// a stream's type table.
    pub key: u64,
    /// Memo entries the bytes define (`MEMOIZE` count).
    pub slots: u32,
    /// Pre-encoded opcodes; they leave the unpickler stack as they found it.
    pub bytes: &'static [u8],
    /// For a type with a declared module: the same descriptor without the
    /// real-module lookup (same key and slots), for streams that must
    /// import nothing outside the standard library.
    pub stdlib_only: Option<&'static [u8]>,
    /// What a session's pickle that carries the descriptor adds after it:
    /// each class registered again under its short alias
    /// ([`TypeSpec::alias_program`]).
    pub aliases: &'static [u8],
    /// What a session's later pickle, which has no header, writes instead of
    /// the descriptor: the same memo slots, from the aliases
    /// ([`TypeSpec::reference_program`]).
    pub reference: &'static [u8],
    /// The strict profile's descriptor ([`crate::strict::descriptor_program`]):
    /// the same memo slots, the classes built anew from the strict
    /// header's tools.
    pub strict: &'static [u8],
    /// Where [`ClassDescriptor::strict`] reads its own memo entries: the
    /// offsets of 4-byte indices, relative to the descriptor's first entry,
    /// to which the writer adds the memo index the descriptor starts at.
    pub strict_relocations: &'static [u32],
    /// The lazy form of [`ClassDescriptor::reference`], for the derive's
    /// classes: the same slots, each class (and unit enum member) a `None`
    /// placeholder ([`TypeSpec::placeholder_program`]) that the body
    /// replaces where it first uses it, with the bytes of [`ClassDescriptor::lazy`].
    pub placeholders: &'static [u8],
    /// Per placeholder: its slot (relative to the descriptor's first) and
    /// the `GLOBAL io._pp3 <alias>` that looks it up; the writer follows it
    /// with `BINPUT` of the slot.
    pub lazy: &'static [(u32, &'static [u8])],
}

/// The memo slots a descriptor defines, relative to the first one (which
/// `Encoder::class_slot` returns): the body finds classes, enum members and
/// field names here.
pub mod offset {
    /// The type's class; for a data enum, the base class.
    pub const CLASS: u32 = 0;

    /// Variant `i`'s class of a data enum.
    pub const fn variant(i: u32) -> u32 {
        1 + i
    }

    /// Member `i` of a unit-only enum.
    pub const fn member(i: u32) -> u32 {
        1 + i
    }

    /// Name of written field `i` of a struct written with
    /// [`super::InstanceEncoding::State`].
    pub const fn field_name(i: u32) -> u32 {
        1 + i
    }
}

/// How a class's instances hash, by Python's contract for a class with
/// `==` by value: the same rule for the stand-in, the strict class and the
/// generated package's class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hashing {
    /// `frozen=True`: immutable, hashed by value.
    Frozen,
    /// `unsafe_hash=True`: a mutable class hashed by value, for a class the
    /// user marked `hash` and for a class without fields (a unit struct, a
    /// field-less variant: every instance equal, so all hash alike).
    ByValue,
    /// `__hash__ = None`: a mutable class with `==`.
    Unhashable,
}

impl Hashing {
    /// The rule, from the type's `frozen` and `hash` and the class's field count.
    pub fn of(frozen: bool, hash: bool, fields: usize) -> Hashing {
        match (frozen, hash || fields == 0) {
            (true, _) => Hashing::Frozen,
            (false, true) => Hashing::ByValue,
            (false, false) => Hashing::Unhashable,
        }
    }
}

/// Python-side shape of a class with fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassShape {
    /// `__name__`.
    pub name: String,
    /// `__doc__`, from rustdoc.
    pub doc: Option<String>,
    /// Field names, in declaration order (already valid Python identifiers).
    pub fields: Vec<String>,
    /// Each field's annotation (`int`, `list[Point]`, `Point | None`), in
    /// the order of `fields`; empty: every field is `typing.Any` (the serde
    /// bridge, which knows no Rust types).
    pub annotations: Vec<String>,
}

impl ClassShape {
    /// The class-body entries every stand-in dataclass gets, in both
    /// profiles: `__doc__` (when documented), `__annotations__`
    /// (`typing.Any` where none is known) and `__match_args__` (set
    /// explicitly: dataclasses adds it only from Python 3.10 on).
    pub(crate) fn dataclass_entries(&self) -> Vec<(&'static str, Expr)> {
        let mut entries = Vec::new();
        if let Some(doc) = &self.doc {
            entries.push(("__doc__", Expr::str(doc)));
        }
        let annotations = self.fields.iter().enumerate().map(|(i, f)| {
            let annotation = self.annotations.get(i).map_or("typing.Any", String::as_str);
            (f.clone(), Expr::str(annotation))
        });
        entries.push(("__annotations__", Expr::dict(annotations)));
        entries.push((
            "__match_args__",
            Expr::Tuple(self.fields.iter().map(Expr::str).collect()),
        ));
        entries
    }

    /// The field names a struct written as CPython writes instances
    /// ([`InstanceEncoding::State`]) memoizes after its class, at
    /// [`offset::field_name`].
    pub(crate) fn field_name_slots(&self) -> impl Iterator<Item = Expr> + '_ {
        (0u32..)
            .zip(&self.fields)
            .map(|(i, f)| Expr::str(f).memoize_at(f, offset::field_name(i)))
    }
}

/// What kind of Python object a Rust type becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeShape {
    /// A dataclass: structs with named fields, tuple structs (`_0`, `_1`, …), unit structs.
    Struct(ClassShape),
    /// An `enum.Enum` subclass whose members are `(name, value)`, or an
    /// `enum.IntEnum` subclass when `int` is set.
    UnitEnum {
        /// `__name__`.
        name: String,
        /// `__doc__`.
        doc: Option<String>,
        /// Members and their values, in declaration order.
        members: Vec<(String, i128)>,
        /// An `enum.IntEnum`: members are ints (they compare equal to ints
        /// and are valid JSON keys).
        int: bool,
    },
    /// A base dataclass named after the enum with one subclass per variant,
    /// reachable as `Base.Variant`.
    DataEnum {
        /// The base class's `__name__` and `__doc__` (it has no fields).
        base: ClassShape,
        /// One class per variant.
        variants: Vec<ClassShape>,
    },
    /// One variant class of an enum whose other variants are not known
    /// (what serde's calls describe): the base class is keyed by the enum's
    /// name and doc alone, so every variant written this way shares it; the
    /// variant class is keyed by its own shape.
    Variant {
        /// The base class's `__name__` and `__doc__` (it has no fields).
        base: ClassShape,
        /// The variant's class.
        variant: ClassShape,
    },
}

/// Everything a descriptor is built from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeSpec {
    /// The Rust crate's name; qualifies the registry key when no module is declared.
    pub crate_name: String,
    /// The declared Python module (`#[pickle(module = "...")]`). When set, a
    /// struct or unit-only enum uses the real class `module.Name` if that
    /// module is importable on the reading side and defines it.
    pub module: Option<String>,
    /// Instances refuse attribute assignment (and hash by value).
    pub frozen: bool,
    /// Instances of a mutable class hash by value all the same
    /// (`unsafe_hash`): the user marked the class. Without it (or
    /// `frozen`), a class has `__hash__ = None`, as Python's contract wants
    /// of a mutable class with `==`.
    pub hash: bool,
    /// Instances order by their fields (`dataclass(order=True)`), as Rust's
    /// derived `PartialOrd` does (`#[pickle(order)]`).
    pub order: bool,
    /// The classes to build.
    pub shape: TypeShape,
}

/// A descriptor encoded by [`TypeSpec::encode`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedDescriptor {
    /// See [`ClassDescriptor::key`].
    pub key: u64,
    /// See [`ClassDescriptor::slots`].
    pub slots: u32,
    /// See [`ClassDescriptor::bytes`].
    pub bytes: Vec<u8>,
    /// See [`ClassDescriptor::stdlib_only`].
    pub stdlib_only: Option<Vec<u8>>,
    /// See [`ClassDescriptor::aliases`].
    pub aliases: Vec<u8>,
    /// See [`ClassDescriptor::reference`].
    pub reference: Vec<u8>,
    /// See [`ClassDescriptor::strict`].
    pub strict: Vec<u8>,
    /// See [`ClassDescriptor::strict_relocations`].
    pub strict_relocations: Vec<u32>,
    /// See [`ClassDescriptor::placeholders`].
    pub placeholders: Vec<u8>,
    /// See [`ClassDescriptor::lazy`].
    pub lazy: Vec<(u32, Vec<u8>)>,
}

impl EncodedDescriptor {
    /// The descriptor with its bytes kept for the life of the process (one
    /// per type, made once).
    pub fn leak(self) -> ClassDescriptor {
        fn leak<T>(v: Vec<T>) -> &'static [T] {
            Box::leak(v.into_boxed_slice())
        }
        ClassDescriptor {
            key: self.key,
            slots: self.slots,
            bytes: leak(self.bytes),
            stdlib_only: self.stdlib_only.map(leak),
            aliases: leak(self.aliases),
            reference: leak(self.reference),
            strict: leak(self.strict),
            strict_relocations: leak(self.strict_relocations),
            placeholders: leak(self.placeholders),
            lazy: leak(self.lazy.into_iter().map(|(slot, bytes)| (slot, leak(bytes))).collect()),
        }
    }
}

impl TypeSpec {
    /// How instances of a struct are written, which fixes the memo slots
    /// its descriptor defines: see [`InstanceEncoding`].
    pub fn instance_encoding(&self) -> InstanceEncoding {
        match (&self.shape, &self.module) {
            (TypeShape::Struct(_), Some(_)) => InstanceEncoding::State,
            _ => InstanceEncoding::Positional,
        }
    }

    /// How instances of `class`, one of the type's classes, hash.
    pub fn hashing(&self, class: &ClassShape) -> Hashing {
        Hashing::of(self.frozen, self.hash, class.fields.len())
    }

    /// Whether instances of the type's classes are hashable: frozen, or
    /// marked [`TypeSpec::hash`]. Unit-only enums' members always are.
    pub fn is_hashable(&self) -> bool {
        self.frozen || self.hash || matches!(self.shape, TypeShape::UnitEnum { .. })
    }

    /// The canonical text the fingerprint hashes: one line per fact, every
    /// string length-prefixed (`<bytes>:<text>`), so no two specs share it.
    /// Documented in docs/FORMAT.md ("Class keys"); changing it changes
    /// every class key, which this module's tests pin.
    pub fn canonical(&self) -> String {
        fn text(out: &mut String, s: &str) {
            let _ = write!(out, " {}:{s}", s.len());
        }
        fn opt(out: &mut String, s: Option<&str>) {
            match s {
                Some(s) => text(out, s),
                None => out.push_str(" -"),
            }
        }
        fn class(out: &mut String, tag: &str, c: &ClassShape) {
            out.push_str(tag);
            text(out, &c.name);
            opt(out, c.doc.as_deref());
            let _ = write!(out, " {}", c.fields.len());
            for f in &c.fields {
                text(out, f);
            }
            // Only when there are annotations, so classes without them
            // (the serde bridge's) keep their keys.
            if !c.annotations.is_empty() {
                out.push_str(" :");
                for a in &c.annotations {
                    text(out, a);
                }
            }
            out.push('\n');
        }
        let mut out = format!("portable-pickle class spec\nformat {FORMAT_VERSION}\ncrate");
        text(&mut out, &self.crate_name);
        out.push_str("\nmodule");
        opt(&mut out, self.module.as_deref());
        let _ = writeln!(out, "\nfrozen {}", u8::from(self.frozen));
        let _ = writeln!(out, "hash {}", u8::from(self.is_hashable()));
        // Only when set, so unordered classes keep their keys.
        if self.order {
            out.push_str("order 1\n");
        }
        match &self.shape {
            TypeShape::Struct(c) => class(&mut out, "struct", c),
            TypeShape::UnitEnum {
                name,
                doc,
                members,
                int,
            } => {
                out.push_str(if *int { "int_enum" } else { "unit_enum" });
                text(&mut out, name);
                opt(&mut out, doc.as_deref());
                let _ = writeln!(out, " {}", members.len());
                for (m, v) in members {
                    out.push_str("member");
                    text(&mut out, m);
                    let _ = writeln!(out, " {v}");
                }
            }
            TypeShape::DataEnum { base, variants } => {
                class(&mut out, "data_enum", base);
                for v in variants {
                    class(&mut out, "variant", v);
                }
            }
            TypeShape::Variant { base, variant } => {
                class(&mut out, "open_enum", base);
                class(&mut out, "variant", variant);
            }
        }
        out
    }

    /// The fingerprint of the base class of a [`TypeShape::Variant`]: the
    /// spec without the variant, so that all variants share the base.
    fn base_fingerprint(&self) -> u64 {
        match &self.shape {
            TypeShape::Variant { base, .. } => TypeSpec {
                shape: TypeShape::DataEnum {
                    base: base.clone(),
                    variants: Vec::new(),
                },
                ..self.clone()
            }
            .fingerprint(),
            _ => self.fingerprint(),
        }
    }

    /// The fingerprint of the class spec: FNV-1a of [`TypeSpec::canonical`].
    /// It covers everything that shapes the classes, so a changed type gets
    /// a distinct class on the reading side.
    pub fn fingerprint(&self) -> u64 {
        fnv1a(self.canonical().as_bytes())
    }

    /// The Python name of the type's (first) class.
    fn top_name(&self) -> &str {
        match &self.shape {
            TypeShape::Struct(c) => &c.name,
            TypeShape::UnitEnum { name, .. } => name,
            TypeShape::DataEnum { base, .. } | TypeShape::Variant { base, .. } => &base.name,
        }
    }

    /// The namespace key of each class the definition memoizes, in memo order.
    fn class_keys(&self) -> Vec<String> {
        let key = class_key(self.top_name(), self.fingerprint());
        match &self.shape {
            TypeShape::DataEnum { variants, .. } => std::iter::once(key.clone())
                .chain(variants.iter().map(|v| variant_key(&key, &v.name)))
                .collect(),
            TypeShape::Variant { variant, .. } => vec![
                class_key(self.top_name(), self.base_fingerprint()),
                variant_key(&key, &variant.name),
            ],
            _ => vec![key],
        }
    }

    /// The key the definition is registered under: the first class's,
    /// except for a [`TypeShape::Variant`], whose base is shared by other
    /// definitions: the variant's.
    fn definition_key(&self, keys: &[String]) -> String {
        match self.shape {
            TypeShape::Variant { .. } => def_key(&keys[1]),
            _ => def_key(&keys[0]),
        }
    }

    /// Encodes the descriptor: [`TypeSpec::program`], compiled, and for a
    /// type with a declared module also its stdlib-only variant.
    pub fn encode(&self) -> EncodedDescriptor {
        let compiled = self.program().compile(Context::Descriptor);
        let stdlib_only = self.module.as_ref().map(|_| {
            let other = self.program_with(RealModule::Skip).compile(Context::Descriptor);
            assert_eq!(other.memo_len, compiled.memo_len, "both variants define the same slots");
            other.bytes
        });
        let reference = self.reference_program().compile(Context::Reference);
        assert_eq!(
            reference.memo_len, compiled.memo_len,
            "a reference defines the descriptor's slots"
        );
        let placeholders = self.placeholder_program().compile(Context::Reference);
        assert_eq!(
            placeholders.memo_len, compiled.memo_len,
            "the placeholders define the descriptor's slots"
        );
        let strict = crate::strict::descriptor_program(self).compile(Context::StrictDescriptor);
        assert_eq!(
            strict.memo_len, compiled.memo_len,
            "the strict descriptor defines the same slots"
        );
        EncodedDescriptor {
            strict: strict.bytes,
            strict_relocations: strict.relocations,
            key: self.fingerprint(),
            slots: compiled.memo_len,
            bytes: compiled.bytes,
            stdlib_only,
            aliases: self.alias_program().compile(Context::Descriptor).bytes,
            reference: reference.bytes,
            placeholders: placeholders.bytes,
            lazy: self.lazy_references(),
        }
    }

    /// After the descriptor, in a session's pickle that carries it: each
    /// class registered again under its alias,
    /// `register(session_alias(KEY), lookup(KEY))`, so later pickles can
    /// name it in a few bytes.
    pub fn alias_program(&self) -> Program {
        Program::new(
            self.class_keys()
                .iter()
                .map(|key| Stmt::Discard(register(&session_alias(key), lookup(key)))),
        )
    }

    /// In a session's later pickle, instead of the descriptor: the memo
    /// slots the descriptor defines (see [`offset`]), each class as
    /// `GLOBAL io._pp3 <alias>`, a unit enum's members as `<alias>.<member>`,
    /// field names as strings.
    pub fn reference_program(&self) -> Program {
        self.reference_with(|_, global| global)
    }

    /// The lazy form of [`TypeSpec::reference_program`]: each class and unit
    /// enum member slot holds `None` until the body first uses it (the
    /// writer then puts [`TypeSpec::lazy_references`]' lookup there), so a
    /// later pickle looks up only the classes it uses (one variant of a data
    /// enum: one lookup, not one per variant). Field names are written as in
    /// the reference.
    pub fn placeholder_program(&self) -> Program {
        self.reference_with(|_, _| Expr::None)
    }

    /// Per class and unit enum member slot of [`TypeSpec::placeholder_program`]:
    /// its offset and the `GLOBAL io._pp3 <alias>` (text form) that looks
    /// it up.
    pub fn lazy_references(&self) -> Vec<(u32, Vec<u8>)> {
        let mut out = Vec::new();
        self.reference_with(|slot, global| {
            out.push((slot, global.compile_value(Context::Reference)));
            global
        });
        out
    }

    /// The reference's memo slots, each class and unit enum member as what
    /// `lookup(offset, GLOBAL io._pp3 <alias>)` gives.
    fn reference_with(&self, mut lookup: impl FnMut(u32, Expr) -> Expr) -> Program {
        let keys = self.class_keys();
        let names = self.class_names();
        let mut items: Vec<Expr> = Vec::new();
        for (i, (key, name)) in keys.iter().zip(&names).enumerate() {
            let class = Expr::global(SESSION_MODULE, &session_alias(key));
            items.push(lookup(i as u32, class).memoize_at(name, i as u32));
        }
        match &self.shape {
            TypeShape::Struct(c) if self.instance_encoding() == InstanceEncoding::State => {
                items.extend(c.field_name_slots());
            }
            TypeShape::UnitEnum { members, .. } => {
                let alias = session_alias(&keys[0]);
                for (i, (m, _)) in members.iter().enumerate() {
                    let slot = offset::member(i as u32);
                    let member = Expr::global(SESSION_MODULE, &format!("{alias}.{m}"));
                    items.push(lookup(slot, member).memoize_at(m, slot));
                }
            }
            _ => {}
        }
        match <[Expr; 1]>::try_from(items) {
            Ok([one]) => Program::new([Stmt::Discard(one)]),
            Err(items) => Program::new([Stmt::Group(items)]),
        }
    }

    /// The descriptor and the fragments it carries, printed as Python.
    pub fn print(&self) -> String {
        print_program(&self.program(), Context::Descriptor)
    }

    /// The descriptor program.
    ///
    /// The descriptor carries the type's class definition as bytes (`DEF`:
    /// a lookup-or-build of each of its classes, memoized in order) and runs
    /// it as a standalone pickle, `pickle.loads(STANDALONE + DEF + SELECT)`:
    /// the same kind of pickle that `pickle.dumps` later writes for each
    /// class (see [`crate::layout::CLASS_REDUCE`]), so a class can be rebuilt
    /// in a process that never saw a stream. Memo slots it defines: see
    /// [`offset`].
    ///
    /// The descriptor's bytes are copied at whatever memo index the stream
    /// has reached, so they never read their own memo entries: what they
    /// need again is kept in the namespace, under keys.
    pub fn program(&self) -> Program {
        self.program_with(RealModule::Prefer)
    }

    /// The descriptor program, with or without the real-module lookup.
    pub fn program_with(&self, real_module: RealModule) -> Program {
        let keys = self.class_keys();
        let names = self.class_names();
        let def_key = self.definition_key(&keys);
        let definition = Fragment {
            label: format!("DEF_{}", names[0]),
            program: self.definition(&keys, real_module),
            context: Context::AfterCore,
        };
        // b"".join((STANDALONE, lookup(DEF_KEY), select)): a complete pickle.
        let standalone = |select: Fragment| {
            builtin("bytes.join").call([
                Expr::bytes(b"".to_vec()),
                Expr::tuple([
                    Expr::Memo(slot::STANDALONE),
                    lookup(&def_key),
                    Expr::Pickled(Box::new(select)),
                ]),
            ])
        };
        // `return <class i of the definition>`, ending a standalone pickle.
        let select = |i: usize| Fragment {
            label: format!("SELECT_{}", names[i].replace('.', "_")),
            program: Program::new([Stmt::Return(Expr::Memo(slot::CORE_COUNT + i as u32))]),
            context: Context::AfterCore,
        };
        let loads = || Expr::global("pickle", "loads");

        let mut stmts = vec![Stmt::Discard(register(&def_key, Expr::Pickled(Box::new(definition))))];
        for (i, key) in keys.iter().enumerate() {
            let reduce = Expr::tuple([loads(), Expr::tuple([standalone(select(i))])]);
            stmts.push(Stmt::Discard(register(&reduce_key(key), reduce)));
        }
        // Run the definition, then memoize each class (offset::CLASS, offset::variant(i)).
        if keys.len() == 1 {
            let class = loads().call([standalone(select(0))]);
            stmts.push(Stmt::Discard(class.memoize_at(&names[0], offset::CLASS)));
        } else {
            let nothing = Fragment {
                label: "RETURN_NONE".into(),
                program: Program::new([Stmt::Return(Expr::None)]),
                context: Context::AfterCore,
            };
            stmts.push(Stmt::Discard(loads().call([standalone(nothing)])));
            stmts.push(Stmt::Discard(lookup(&keys[0]).memoize_at(&names[0], offset::CLASS)));
        }
        for (i, (key, name)) in keys.iter().zip(&names).enumerate().skip(1) {
            stmts.push(Stmt::Discard(
                lookup(key).memoize_at(name, offset::variant(i as u32 - 1)),
            ));
        }
        match &self.shape {
            TypeShape::Struct(class) if self.instance_encoding() == InstanceEncoding::State => {
                stmts.extend(class.field_name_slots().map(Stmt::Discard));
            }
            TypeShape::UnitEnum { members, .. } => {
                for (i, (m, _)) in members.iter().enumerate() {
                    let member = lookup(&keys[0]).attr(m);
                    stmts.push(Stmt::Discard(member.memoize_at(m, offset::member(i as u32))));
                }
            }
            _ => {}
        }
        Program::new(stmts)
    }

    /// The Python name of each class of [`TypeSpec::class_keys`].
    fn class_names(&self) -> Vec<String> {
        match &self.shape {
            TypeShape::DataEnum { base, variants } => std::iter::once(base.name.clone())
                .chain(variants.iter().map(|v| format!("{}.{}", base.name, v.name)))
                .collect(),
            TypeShape::Variant { base, variant } => vec![base.name.clone(), format!("{}.{}", base.name, variant.name)],
            _ => vec![self.top_name().to_owned()],
        }
    }

    /// The class definition (`DEF`): runs after the standalone bootstrap and
    /// memoizes each class of `keys`, in order, from slot
    /// [`slot::CORE_COUNT`] on.
    fn definition(&self, keys: &[String], real_module: RealModule) -> Program {
        let key = &keys[0];
        let module = match real_module {
            RealModule::Prefer => self.module.as_deref(),
            RealModule::Skip => None,
        };
        // Python's hashing contract ([`Hashing`]): the namespace's
        // `frozen`, `hashable` (`unsafe_hash`) or plain `struct` tool; with
        // `order`, a `partial` of it with `order=True` (built as `partial(tool)`
        // and `BUILD (tool, (), {"order": True}, None)`).
        let decorator = |class: &ClassShape| {
            let tool = || match self.hashing(class) {
                Hashing::Frozen => Expr::Memo(slot::FROZEN_STRUCT),
                Hashing::ByValue => Expr::Memo(slot::NAMESPACE).attr(CLASS_TOOLS[0]),
                Hashing::Unhashable => Expr::Memo(slot::STRUCT),
            };
            match self.order {
                false => tool(),
                true => Expr::Memo(slot::PARTIAL).call([tool()]).build(Expr::tuple([
                    tool(),
                    Expr::tuple([]),
                    Expr::dict([("order", Expr::Bool(true))]),
                    Expr::None,
                ])),
            }
        };
        let at = |i: usize| slot::CORE_COUNT + i as u32;
        let mut stmts = Vec::new();
        match &self.shape {
            TypeShape::Struct(class) => {
                let stand_in = dataclass(&decorator(class), class, &class.name, key, Expr::tuple([]));
                let class_expr = lazy_class(key, or_real_class(module, key, stand_in));
                stmts.push(Stmt::Discard(class_expr.memoize_at(&class.name, at(0))));
            }
            TypeShape::UnitEnum {
                name,
                doc,
                members,
                int,
            } => {
                // starmap(PortableEnum, ((name, [("__qualname__", key),
                // ("__portable_reduce__", …), ("__doc__", doc), (member, value),
                // ...]),)): a dunder "member" becomes a class attribute. The
                // unique __qualname__ names the class in the namespace; an
                // enum's repr shows its __name__.
                let pair = |k: &str, v: Expr| Expr::tuple([Expr::str(k), v]);
                let mut items = vec![
                    pair("__qualname__", Expr::str(key)),
                    pair(CLASS_REDUCE, reduce_value(key)),
                ];
                if let Some(doc) = doc {
                    items.push(pair("__doc__", Expr::str(doc)));
                }
                items.extend(members.iter().map(|(m, v)| pair(m, Expr::Int(*v))));
                let functional_api = match int {
                    false => Expr::Memo(slot::ENUM),
                    true => Expr::Memo(slot::NAMESPACE).attr(CLASS_TOOLS[1]),
                };
                let stand_in = Expr::global("itertools", "starmap").call([
                    functional_api,
                    Expr::tuple([Expr::tuple([Expr::str(name), Expr::List(items)])]),
                ]);
                let class_expr = lazy_class(key, or_real_class(module, key, stand_in));
                stmts.push(Stmt::Discard(class_expr.memoize_at(name, at(0))));
            }
            TypeShape::Variant { base, variant } => {
                let shape = TypeShape::DataEnum {
                    base: base.clone(),
                    variants: vec![variant.clone()],
                };
                return TypeSpec { shape, ..self.clone() }.definition(keys, real_module);
            }
            TypeShape::DataEnum { base, variants } => {
                let stand_in = dataclass(&decorator(base), base, &base.name, key, Expr::tuple([]));
                let base_expr = lazy_class(key, or_real_class(module, key, stand_in));
                stmts.push(Stmt::Discard(base_expr.memoize_at(&base.name, at(0))));
                for (i, (v, variant_key)) in variants.iter().zip(&keys[1..]).enumerate() {
                    let qualname = format!("{}.{}", base.name, v.name);
                    let bases = Expr::tuple([lookup(key)]);
                    let mut build = dataclass(&decorator(v), v, &qualname, variant_key, bases);
                    if module.is_some() {
                        // The real base's own variant class, when the base is
                        // the real class and has it: `getattr(Base, "Variant",
                        // None)` first (a stand-in base has no such attribute
                        // yet: it is attached below).
                        let real = builtin("getattr").call([lookup(key), Expr::str(&v.name), Expr::None]);
                        build = builtin("filter").call([
                            Expr::None,
                            Expr::global("itertools", "chain").call([Expr::tuple([real]), build]),
                        ]);
                    }
                    let class = lazy_class(variant_key, build);
                    // setattr(Base, "Variant", <variant class>) through BUILD's slot state.
                    let attach = lookup(key).build(Expr::tuple([
                        Expr::None,
                        Expr::dict([(v.name.clone(), class.memoize_at(&qualname, at(i + 1)))]),
                    ]));
                    stmts.push(Stmt::Discard(attach));
                }
            }
        }
        Program::new(stmts)
    }
}

/// Whether a type with a declared module looks for the real class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RealModule {
    /// Use `module.Name` when the module is importable on the reading side.
    Prefer,
    /// Always build the stand-in class: the stream imports nothing outside
    /// the standard library.
    Skip,
}

/// How the body writes an instance of a struct class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstanceEncoding {
    /// `cls(*fields)`: the compact form, for classes this project builds.
    /// The descriptor defines one slot: the class.
    Positional,
    /// `cls.__new__(cls)` then `BUILD` with `{field: value}`, as CPython
    /// pickles an instance: what a real class (and its `__setstate__`)
    /// understands. For types with a declared module. The descriptor defines
    /// the class slot, then one slot per field name.
    State,
}

/// Wraps the stand-in class iterator `stand_in` so that, when `module` is
/// declared, the real class comes first if importable: the module's
/// attribute named by the class key (`module.Point_57c58be05dceacf0`, which
/// the generated package sets to the class generated from the same
/// definition; a class of another definition has another key, so a stale
/// package is never used): `filter(None, chain(REAL, STAND_IN))` with
/// `REAL = starmap(getattr, zip(map(next, (MODULES,), (None,)), (key,), (None,)))`
/// and `MODULES = filter(None, chain((sys.modules.get(module),),
/// map(partial(import_module, module), SPECS)))`, where `SPECS` calls
/// `importlib.util.find_spec` on each dotted prefix, each only if the
/// previous one was found, so a missing package never raises.
fn or_real_class(module: Option<&str>, key: &str, stand_in: Expr) -> Expr {
    let Some(module) = module else {
        return stand_in;
    };
    let partial = |f: Expr, arg: &str| Expr::global("functools", "partial").call([f, Expr::str(arg)]);
    let prefixes = module.match_indices('.').map(|(i, _)| &module[..i]).chain([module]);
    // The innermost map runs once; the full name is looked up last.
    let specs = prefixes.fold(Expr::tuple([Expr::None]), |previous, prefix| {
        builtin("filter").call([
            Expr::None,
            builtin("map").call([partial(Expr::global("importlib.util", "find_spec"), prefix), previous]),
        ])
    });
    let modules = Expr::truthy_chain(
        builtin("dict.get").call([Expr::global("sys", "modules"), Expr::str(module)]),
        builtin("map").call([partial(Expr::global("importlib", "import_module"), module), specs]),
    );
    let real = Expr::global("itertools", "starmap").call([
        builtin("getattr"),
        builtin("zip").call([
            builtin("map").call([builtin("next"), Expr::tuple([modules]), Expr::tuple([Expr::None])]),
            Expr::tuple([Expr::str(key)]),
            Expr::tuple([Expr::None]),
        ]),
    ]);
    builtin("filter").call([Expr::None, Expr::global("itertools", "chain").call([real, stand_in])])
}

/// `lookup(key)`: the registered class, or `None`.
fn lookup(key: &str) -> Expr {
    Expr::Memo(slot::LOOKUP).call([Expr::str(key)])
}

/// `register(key, value)`: the namespace keeps the first value registered
/// under `key` and returns it.
fn register(key: &str, value: Expr) -> Expr {
    Expr::Memo(slot::REGISTER).call([Expr::str(key), value])
}

/// A new stand-in class's `__portable_reduce__`: `lookup(KEY#reduce, KEY)`,
/// the standalone pickle the stream registered, or, where the class is
/// being rebuilt from such a pickle, its key.
fn reduce_value(key: &str) -> Expr {
    Expr::Memo(slot::LOOKUP).call([Expr::str(reduce_key(key)), Expr::str(key)])
}

/// The registered class for `key`, built by the lazy iterator `build`
/// (and registered) when the registry does not have it yet.
fn lazy_class(key: &str, build: Expr) -> Expr {
    let register_as = Expr::global("functools", "partial").call([Expr::Memo(slot::REGISTER), Expr::str(key)]);
    Expr::first_truthy(lookup(key), builtin("map").call([register_as, build]))
}

/// The lazy iterator `map(decorator, starmap(PortableType, ((name, bases, namespace),)))`.
fn dataclass(decorator: &Expr, class: &ClassShape, qualname: &str, key: &str, bases: Expr) -> Expr {
    let mut namespace = vec![
        ("__module__", Expr::Memo(slot::NAMESPACE_NAME)),
        ("__qualname__", Expr::str(qualname)),
        (CLASS_REDUCE, reduce_value(key)),
    ];
    namespace.extend(class.dataclass_entries());
    let class = Expr::tuple([Expr::str(&class.name), bases, Expr::dict(namespace)]);
    builtin("map").call([
        decorator.clone(),
        Expr::global("itertools", "starmap").call([Expr::Memo(slot::METACLASS), Expr::tuple([class])]),
    ])
}

#[cfg(test)]
mod tests;
