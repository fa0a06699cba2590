//! Class descriptors: the opcodes that create (or reuse) the Python class of
//! one Rust type and leave it in the memo.
//!
//! The derive macro calls [`TypeSpec::encode`] at compile time and embeds the
//! result as a `static` [`ClassDescriptor`]; the runtime copies those bytes
//! into a stream the first time the body meets the type.
//!
//! Every class goes through the same lazy lookup-or-build, so a class is
//! built at most once per process and two loads yield the same class:
//! `next(filter(None, chain((lookup(KEY),), map(partial(register, KEY), BUILD))))`
//! where `BUILD` is a lazy iterator (`map`/`starmap`) yielding the new class.

use crate::layout::{slot, CLASS_REDUCE};
use crate::opcodes::*;
use crate::writer::OpWriter;

/// One Rust type's class descriptor, as embedded by the derive.
#[derive(Debug)]
pub struct ClassDescriptor {
    /// Fingerprint of the type's Python shape; identifies the descriptor in
    /// a stream's type table.
    pub key: u64,
    /// Memo entries the bytes define (`MEMOIZE` count).
    pub slots: u32,
    /// Pre-encoded opcodes; they leave the unpickler stack as they found it.
    pub bytes: &'static [u8],
}

/// The memo slots a descriptor defines, relative to the first one (which
/// `Pickler::class_slot` returns): the body finds classes, enum members and
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

/// Python-side shape of a class with fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassShape {
    /// `__name__`.
    pub name: String,
    /// `__doc__`, from rustdoc.
    pub doc: Option<String>,
    /// Field names, in declaration order (already valid Python identifiers).
    pub fields: Vec<String>,
}

/// What kind of Python object a Rust type becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeShape {
    /// A dataclass: structs with named fields, tuple structs (`_0`, `_1`, …), unit structs.
    Struct(ClassShape),
    /// An `enum.Enum` subclass whose members are `(name, value)`.
    UnitEnum {
        /// `__name__`.
        name: String,
        /// `__doc__`.
        doc: Option<String>,
        /// Members and their values, in declaration order.
        members: Vec<(String, i128)>,
    },
    /// A base dataclass named after the enum with one subclass per variant,
    /// reachable as `Base.Variant`.
    DataEnum {
        /// The base class's `__name__` and `__doc__` (it has no fields).
        base: ClassShape,
        /// One class per variant.
        variants: Vec<ClassShape>,
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
    /// Instances refuse attribute assignment.
    pub frozen: bool,
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
}

/// 64-bit FNV-1a: stable across builds and platforms, computed at compile time.
fn fingerprint(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
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

    /// Encodes the descriptor. Its fingerprint covers everything that shapes
    /// the classes, so a changed type gets a distinct class on the reading side.
    ///
    /// The descriptor carries the type's class definition as bytes (`DEF`:
    /// a lookup-or-build of each of its classes, memoized in order) and runs
    /// it as a standalone pickle, `pickle.loads(STANDALONE + DEF + SELECT)`:
    /// the same kind of pickle that `pickle.dumps` later writes for each
    /// class (see [`crate::layout::CLASS_REDUCE`]), so a class can be rebuilt
    /// in a process that never saw a stream. Memo slots it defines: each
    /// class, then a struct's field names (state encoding) or an enum's
    /// members.
    pub fn encode(&self) -> EncodedDescriptor {
        let key = fingerprint(&format!("{FORMAT}{self:?}", FORMAT = crate::layout::FORMAT_VERSION));
        let (definition, class_keys) = self.definition(key);
        let def_key = format!("{}#def", class_keys[0]);
        // b"".join((STANDALONE, lookup(DEF_KEY), select)): a complete pickle.
        let standalone = |w: &mut OpWriter, select: &[u8]| {
            w.get(slot::BYTES_JOIN);
            w.bytes(b"");
            w.get(slot::STANDALONE);
            lookup(w, &def_key);
            w.bytes(select);
            w.tuple_close(3);
            w.tuple_close(2);
            w.reduce();
        };

        let mut w = OpWriter::new();
        // The descriptor's bytes are copied at whatever memo index the stream
        // has reached, so they never refer to their own memo entries: what
        // they need again is kept in the namespace, under keys.
        register(&mut w, &def_key, |w| w.bytes(&definition));
        w.op(POP);
        // `BINGET <class i of the definition> STOP`, ending a standalone pickle.
        let select = |i: usize| {
            let mut s = OpWriter::new();
            s.get(slot::CORE_COUNT + i as u32);
            s.op(STOP);
            s.into_bytes()
        };
        for (i, class_key) in class_keys.iter().enumerate() {
            // register(KEY#reduce, (pickle.loads, (<standalone pickle of class i>,)))
            let select = select(i);
            register(&mut w, &format!("{class_key}#reduce"), |w| {
                w.get(slot::LOADS);
                standalone(w, &select);
                w.tuple_close(1);
                w.tuple_close(2);
            });
            w.op(POP);
        }
        // Run the definition: pickle.loads(STANDALONE + DEF + select).
        w.get(slot::LOADS);
        if class_keys.len() == 1 {
            standalone(&mut w, &select(0));
            w.tuple_close(1);
            w.reduce();
        } else {
            standalone(&mut w, &[NONE, STOP]);
            w.tuple_close(1);
            w.reduce();
            w.op(POP);
            lookup(&mut w, &class_keys[0]);
        }
        w.memoize();
        w.op(POP);
        for class_key in &class_keys[1..] {
            lookup(&mut w, class_key);
            w.memoize();
            w.op(POP);
        }
        match &self.shape {
            TypeShape::Struct(class) if self.instance_encoding() == InstanceEncoding::State => {
                for f in &class.fields {
                    w.str(f);
                    w.memoize();
                    w.op(POP);
                }
            }
            TypeShape::UnitEnum { members, .. } => {
                for (m, _) in members {
                    w.get(slot::GETATTR);
                    lookup(&mut w, &class_keys[0]);
                    w.str(m);
                    w.tuple_close(2);
                    w.reduce();
                    w.memoize();
                    w.op(POP);
                }
            }
            _ => {}
        }
        let slots = w.memo_len();
        EncodedDescriptor {
            key,
            slots,
            bytes: w.into_bytes(),
        }
    }

    /// The class definition (`DEF`) and the registry key of each class it
    /// memoizes, in memo order.
    fn definition(&self, key: u64) -> (Vec<u8>, Vec<String>) {
        let top_name = match &self.shape {
            TypeShape::Struct(c) => &c.name,
            TypeShape::UnitEnum { name, .. } => name,
            TypeShape::DataEnum { base, .. } => &base.name,
        };
        // An identifier: classes are registered as attributes of the namespace.
        let registry_key = format!("{top_name}_{key:016x}");
        let decorator = if self.frozen { slot::FROZEN_STRUCT } else { slot::STRUCT };
        let mut w = OpWriter::new();
        let mut keys = vec![registry_key.clone()];
        match &self.shape {
            TypeShape::Struct(class) => {
                lazy_class(&mut w, &registry_key, |w| {
                    or_real_class(w, self.module.as_deref(), &class.name, |w| {
                        dataclass(w, decorator, class, &class.name, &registry_key, |w| w.tuple_close(0))
                    })
                });
                w.memoize();
                w.op(POP);
            }
            TypeShape::UnitEnum { name, doc, members } => {
                lazy_class(&mut w, &registry_key, |w| {
                    or_real_class(w, self.module.as_deref(), name, |w| {
                        // starmap(PortableEnum, ((name, [("__qualname__", key),
                        // ("__portable_reduce__", …), ("__doc__", doc), (member, value),
                        // ...]),)): a dunder "member" becomes a class attribute. The
                        // unique __qualname__ names the class in the namespace; an
                        // enum's repr shows its __name__.
                        w.get(slot::STARMAP);
                        w.get(slot::ENUM);
                        w.str(name);
                        w.op(EMPTY_LIST);
                        w.op(MARK);
                        w.str("__qualname__");
                        w.str(&registry_key);
                        w.tuple_close(2);
                        w.str(CLASS_REDUCE);
                        reduce_value(w, &registry_key);
                        w.tuple_close(2);
                        if let Some(doc) = doc {
                            w.str("__doc__");
                            w.str(doc);
                            w.tuple_close(2);
                        }
                        w.op(APPENDS);
                        for chunk in members.chunks(BATCH) {
                            w.op(MARK);
                            for (m, v) in chunk {
                                w.str(m);
                                w.int128(*v);
                                w.tuple_close(2);
                            }
                            w.op(APPENDS);
                        }
                        w.tuple_close(2);
                        w.tuple_close(1);
                        w.tuple_close(2);
                        w.reduce();
                    })
                });
                w.memoize();
                w.op(POP);
            }
            TypeShape::DataEnum { base, variants } => {
                lazy_class(&mut w, &registry_key, |w| {
                    dataclass(w, decorator, base, &base.name, &registry_key, |w| w.tuple_close(0))
                });
                w.memoize();
                w.op(POP);
                for v in variants {
                    let variant_key = format!("{registry_key}_{}", v.name);
                    let qualname = format!("{}.{}", base.name, v.name);
                    // setattr(Base, "Variant", <variant class>) through BUILD's slot state.
                    lookup(&mut w, &registry_key);
                    w.none();
                    w.op(EMPTY_DICT);
                    w.str(&v.name);
                    lazy_class(&mut w, &variant_key, |w| {
                        dataclass(w, decorator, v, &qualname, &variant_key, |w| {
                            lookup(w, &registry_key);
                            w.tuple_close(1);
                        })
                    });
                    w.memoize();
                    w.op(SETITEM);
                    w.tuple_close(2);
                    w.op(BUILD);
                    w.op(POP);
                    keys.push(variant_key);
                }
            }
        }
        (w.into_bytes(), keys)
    }
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
/// declared, the real class `module.name` comes first if importable:
/// `filter(None, chain(REAL, STAND_IN))` with
/// `REAL = starmap(getattr, zip(map(next, (MODULES,), (None,)), (name,), (None,)))`
/// and `MODULES = filter(None, chain((sys.modules.get(module),),
/// map(partial(import_module, module), SPECS)))`, where `SPECS` calls
/// `importlib.util.find_spec` on each dotted prefix, each only if the
/// previous one was found, so a missing package never raises.
fn or_real_class(w: &mut OpWriter, module: Option<&str>, name: &str, stand_in: impl FnOnce(&mut OpWriter)) {
    let Some(module) = module else {
        return stand_in(w);
    };
    w.get(slot::FILTER);
    w.none();
    w.get(slot::CHAIN);
    // REAL
    w.get(slot::STARMAP);
    w.get(slot::BUILTINS);
    w.str("getattr");
    w.op(STACK_GLOBAL);
    w.get(slot::BUILTINS);
    w.str("zip");
    w.op(STACK_GLOBAL);
    w.get(slot::MAP);
    w.get(slot::NEXT);
    // MODULES
    truthy_chain(
        w,
        |w| {
            w.get(slot::DICT_GET);
            w.get(slot::MODULES);
            w.str(module);
            w.tuple_close(2);
            w.reduce();
        },
        |w| {
            w.get(slot::MAP);
            w.get(slot::PARTIAL);
            w.global("importlib", "import_module");
            w.str(module);
            w.tuple_close(2);
            w.reduce();
            // SPECS: nested filter(None, map(partial(find_spec, prefix), <previous>)).
            let prefixes: Vec<&str> = module
                .match_indices('.')
                .map(|(i, _)| &module[..i])
                .chain([module])
                .collect();
            // Outermost level first: the full name is looked up last.
            for prefix in prefixes.iter().rev() {
                w.get(slot::FILTER);
                w.none();
                w.get(slot::MAP);
                w.get(slot::PARTIAL);
                w.global("importlib.util", "find_spec");
                w.str(prefix);
                w.tuple_close(2);
                w.reduce();
            }
            // The innermost map runs once.
            w.none();
            w.tuple_close(1);
            for _ in &prefixes {
                w.tuple_close(2);
                w.reduce(); // map(partial(find_spec, prefix), previous)
                w.tuple_close(2);
                w.reduce(); // filter(None, ...)
            }
            w.tuple_close(2);
            w.reduce(); // map(partial(import_module, module), SPECS)
        },
    );
    w.tuple_close(1);
    w.none();
    w.tuple_close(1);
    w.tuple_close(3);
    w.reduce(); // map(next, (MODULES,), (None,))
    w.str(name);
    w.tuple_close(1);
    w.none();
    w.tuple_close(1);
    w.tuple_close(3);
    w.reduce(); // zip(...)
    w.tuple_close(2);
    w.reduce(); // starmap(getattr, ...) = REAL
    stand_in(w);
    w.tuple_close(2);
    w.reduce(); // chain(REAL, STAND_IN)
    w.tuple_close(2);
    w.reduce(); // filter(None, ...)
}

/// `lookup(key)`: the registered class, or `None`.
fn lookup(w: &mut OpWriter, key: &str) {
    w.get(slot::LOOKUP);
    w.str(key);
    w.tuple_close(1);
    w.reduce();
}

/// `register(key, value)`: the namespace keeps the first value registered
/// under `key` and returns it.
fn register(w: &mut OpWriter, key: &str, value: impl FnOnce(&mut OpWriter)) {
    w.get(slot::REGISTER);
    w.str(key);
    value(w);
    w.tuple_close(2);
    w.reduce();
}

/// A new stand-in class's `__portable_reduce__`: `lookup(KEY#reduce, KEY)`,
/// the standalone pickle the stream registered, or, where the class is
/// being rebuilt from such a pickle, its key.
fn reduce_value(w: &mut OpWriter, key: &str) {
    w.get(slot::LOOKUP);
    w.str(&format!("{key}#reduce"));
    w.str(key);
    w.tuple_close(2);
    w.reduce();
}

/// Pushes the registered class for `key`, building it with the lazy iterator
/// `build` writes when the registry does not have it yet.
fn lazy_class(w: &mut OpWriter, key: &str, build: impl FnOnce(&mut OpWriter)) {
    first_truthy(
        w,
        |w| lookup(w, key),
        |w| {
            w.get(slot::MAP);
            w.get(slot::PARTIAL);
            w.get(slot::REGISTER);
            w.str(key);
            w.tuple_close(2);
            w.reduce(); // partial(register, key)
            build(w);
            w.tuple_close(2);
            w.reduce(); // map(partial(register, key), build)
        },
    );
}

/// `filter(None, chain((first,), rest))`: lazily, `first` if it is truthy,
/// then the truthy items of the lazy iterator `rest`, which runs only as far
/// as it is pulled.
pub(crate) fn truthy_chain(w: &mut OpWriter, first: impl FnOnce(&mut OpWriter), rest: impl FnOnce(&mut OpWriter)) {
    w.get(slot::FILTER);
    w.none();
    w.get(slot::CHAIN);
    first(w);
    w.tuple_close(1);
    rest(w);
    w.tuple_close(2);
    w.reduce(); // chain(...)
    w.tuple_close(2);
    w.reduce(); // filter(None, ...)
}

/// `next(filter(None, chain((first,), rest)))`: `first` if truthy, else the
/// first truthy item of `rest`, computed only then.
pub(crate) fn first_truthy(w: &mut OpWriter, first: impl FnOnce(&mut OpWriter), rest: impl FnOnce(&mut OpWriter)) {
    w.get(slot::NEXT);
    truthy_chain(w, first, rest);
    w.tuple_close(1);
    w.reduce();
}

/// The lazy iterator `map(decorator, starmap(PortableType, ((name, bases, namespace),)))`.
fn dataclass(
    w: &mut OpWriter,
    decorator: u32,
    class: &ClassShape,
    qualname: &str,
    key: &str,
    bases: impl FnOnce(&mut OpWriter),
) {
    w.get(slot::MAP);
    w.get(decorator);
    w.get(slot::STARMAP);
    w.get(slot::METACLASS);
    w.str(&class.name);
    bases(w);
    w.op(EMPTY_DICT);
    w.op(MARK);
    w.str("__module__");
    w.get(slot::NAMESPACE_NAME);
    w.str("__qualname__");
    w.str(qualname);
    w.str(CLASS_REDUCE);
    reduce_value(w, key);
    if let Some(doc) = &class.doc {
        w.str("__doc__");
        w.str(doc);
    }
    w.str("__annotations__");
    w.op(EMPTY_DICT);
    if !class.fields.is_empty() {
        w.op(MARK);
        for f in &class.fields {
            w.str(f);
            w.str("typing.Any");
        }
        w.op(SETITEMS);
    }
    // Set explicitly: dataclasses adds it only from Python 3.10 on.
    w.str("__match_args__");
    w.str_tuple(&class.fields);
    w.op(SETITEMS);
    w.tuple_close(3);
    w.tuple_close(1);
    w.tuple_close(2);
    w.reduce(); // starmap(type, ...)
    w.tuple_close(2);
    w.reduce(); // map(decorator, ...)
}
