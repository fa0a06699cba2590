//! The fixed memo layout the static header leaves behind, shared by the
//! header recipe (which asserts it), the class descriptors and the body.

/// Format version of the stream. It is part of the runtime namespace's name,
/// so a process that already holds an older namespace installs a newer one
/// beside it instead of mixing the two.
pub const FORMAT_VERSION: u32 = 3;

/// Name of the one private module the header adds to `sys.modules`.
pub const NAMESPACE: &str = "_portable_pickle_v3";

/// A second, short name of the namespace in `sys.modules`, added by the
/// first pickle of a session (`Pickler`): its later pickles name classes as
/// `GLOBAL io._pp3 <alias>`, a few bytes each. It is a submodule name of
/// `io`, a module that is always loaded and is not a package, so Python's
/// import system finds it in `sys.modules` or not at all: no file on
/// `sys.path` (an `_pp3.py` in the working directory) is ever imported for
/// it. A later pickle loaded where no first one was fails with
/// `No module named 'io._pp3'; 'io' is not a package`.
pub const SESSION_MODULE: &str = "io._pp3";

/// Memo slots defined by the header, in the order it defines them.
///
/// Slots below [`slot::CORE_COUNT`] are defined by the bootstrap core that
/// the stream header and every class's standalone pickle share (see
/// `header::core`); the rest only by the stream header.
pub mod slot {
    /// The string `"builtins"`.
    pub const BUILTINS: u32 = 0;
    /// `builtins.next`.
    pub const NEXT: u32 = 1;
    /// `builtins.filter`.
    pub const FILTER: u32 = 2;
    /// `builtins.map`.
    pub const MAP: u32 = 3;
    /// `builtins.getattr`.
    pub const GETATTR: u32 = 4;
    /// The string `"itertools"`.
    pub const ITERTOOLS: u32 = 5;
    /// `itertools.chain`.
    pub const CHAIN: u32 = 6;
    /// `itertools.starmap`.
    pub const STARMAP: u32 = 7;
    /// `functools.partial`.
    pub const PARTIAL: u32 = 8;
    /// The namespace's name, [`super::NAMESPACE`]: every stand-in class's `__module__`.
    pub const NAMESPACE_NAME: u32 = 9;
    /// `builtins.dict.get`.
    pub const DICT_GET: u32 = 10;
    /// `sys.modules`.
    pub const MODULES: u32 = 11;
    /// `pickle.loads`.
    pub const LOADS: u32 = 12;
    /// The compressed payload (`bytes`).
    pub const PAYLOAD: u32 = 13;
    /// The runtime namespace module itself.
    pub const NAMESPACE: u32 = 14;
    /// `vars(namespace).get`: class lookup by unique key.
    pub const LOOKUP: u32 = 15;
    /// `vars(namespace).setdefault`: class registration under its unique key.
    pub const REGISTER: u32 = 16;
    /// `dataclasses.dataclass`: `==` by fields, not
    /// hashable (`__hash__ = None`), as Python's contract for a mutable class.
    pub const STRUCT: u32 = 17;
    /// `functools.partial(dataclasses.dataclass, frozen=True)`: immutable,
    /// hashable by value.
    pub const FROZEN_STRUCT: u32 = 18;
    /// `functools.partial(PortableEnum, module=NAMESPACE)`: the enum functional API.
    pub const ENUM: u32 = 19;
    /// `PortableType`, the metaclass of stand-in dataclasses.
    pub const METACLASS: u32 = 20;
    /// Slots the bootstrap core defines.
    pub const CORE_COUNT: u32 = 21;
    /// `builtins.bytes.join`.
    pub const BYTES_JOIN: u32 = 21;
    /// The standalone bootstrap (`bytes`): a pickle prefix that installs or
    /// reuses the namespace; a class's standalone pickle appends its class
    /// definition to it.
    pub const STANDALONE: u32 = 22;
    /// The collector pause's guard: a fresh object only the unpickler's
    /// memo holds; when the unpickler frees its memo (the load ended, by
    /// `STOP` or by an error) a `weakref.finalize` on it restores the
    /// cyclic collector's previous state (stream only).
    pub const GC_GUARD: u32 = 23;
    /// Number of memo entries the header defines; the body's start at this index.
    pub const COUNT: u32 = 24;

    /// The name the printed recipes give each slot, by index.
    const NAMES: [&str; COUNT as usize] = [
        "builtins_",
        "next",
        "filter",
        "map",
        "getattr",
        "itertools_",
        "chain",
        "starmap",
        "partial",
        "namespace_name",
        "dict_get",
        "modules",
        "loads",
        "payload",
        "namespace",
        "lookup",
        "register",
        "struct",
        "frozen_struct",
        "enum",
        "metaclass",
        "bytes_join",
        "standalone",
        "gc_guard",
    ];

    /// The string a slot holds, for the slots that hold strings (module
    /// names that later `STACK_GLOBAL`s reuse, and the namespace's name).
    pub fn string(idx: u32) -> Option<&'static str> {
        match idx {
            BUILTINS => Some("builtins"),
            ITERTOOLS => Some("itertools"),
            NAMESPACE_NAME => Some(super::NAMESPACE),
            _ => None,
        }
    }

    /// The printed name of slot `idx`, if the header defines it.
    pub fn name(idx: u32) -> Option<&'static str> {
        NAMES.get(idx as usize).copied()
    }
}

/// Namespace attributes the core reads into slots `LOOKUP..=METACLASS`, in
/// order: `g` (`get`, the registry lookup), `p` (`put`, registration), `s`
/// (`struct`), `f` (`frozen`), `e` (`enum`) and `m` (`metaclass`). Every
/// namespace attribute has a one-letter name: each stream's header reads
/// them, so their length is paid by every stream (docs/FORMAT.md lists them
/// with their long names).
///
/// None is stored under its own `__qualname__`: cloudpickle then treats the
/// stand-in classes and their metaclasses as dynamic and ships them by value.
pub const NAMESPACE_TOOLS: [&str; 6] = ["g", "p", "s", "f", "e", "m"];

/// Namespace attributes the stream header (not the core) calls to pause the
/// cyclic garbage collector for the rest of the load: `i` (`isenabled`, the
/// collector's state), `r` (`restore`, the state's restoring callable:
/// `gc.enable` or the no-op `gc.isenabled`), `w` (`finalize`:
/// `weakref.finalize`) and `d` (`pause`: `gc.disable`). On an interpreter
/// other than CPython (no reference counting: the guard would die late),
/// `d` and both `r` values are the no-op `gc.isenabled`.
pub const GC_TOOLS: [&str; 4] = ["i", "r", "w", "d"];

/// Namespace attributes a class definition reads by `getattr(namespace, …)`
/// (no memo slot of their own, so the header's layout stays as it is):
/// `u` (`hashable`), the dataclass decorator of a mutable class the user
/// marked hashable (`partial(dataclasses.dataclass, unsafe_hash=True)`), and
/// `n` (`int_enum`), the functional API of `enum.IntEnum` stand-ins
/// (`partial(PortableIntEnum, module=NAMESPACE)`).
pub const CLASS_TOOLS: [&str; 2] = ["u", "n"];

/// Class attribute read by `copyreg.dispatch_table[PortableType]` (and
/// `[PortableEnumType]`) when `pickle.dumps` meets a stand-in class: in the
/// process that loaded a stream, `(pickle.loads, (standalone_pickle,))`, so
/// the class can be rebuilt in any process; in a process that rebuilt it
/// from such a pickle, the class's unique key, naming it in the namespace.
pub const CLASS_REDUCE: &str = "__portable_reduce__";

/// The longest name of a namespace class a reader admits (a key is a
/// class name, 16 hex digits and maybe a variant name).
pub const MAX_CLASS_NAME: usize = 512;

/// Whether `module.name`, `module` being the runtime namespace, can name one
/// of its classes: a dotted path of identifiers (a class key, or a
/// qualified name such as `Shape.Circle`) with no dunder part and not
/// starting at one of the namespace's own attributes (its tools,
/// [`GC_TOOLS`], [`CLASS_TOOLS`], the bootstrap's parts, the format
/// version, a session's array tools). What such a global resolves to in
/// Python is then a class the namespace registered, never a callable that
/// reaches `builtins` (`struct.__builtins__`, `finalize`).
pub fn names_a_namespace_class(name: &str) -> bool {
    let mut parts = name.split('.');
    let first = parts.next().unwrap_or("");
    name.len() <= MAX_CLASS_NAME
        && crate::names::is_dotted_identifier(name)
        && !name.split('.').any(|p| p.starts_with("__"))
        && !NAMESPACE_TOOLS.contains(&first)
        && !GC_TOOLS.contains(&first)
        && !CLASS_TOOLS.contains(&first)
        && !crate::array::SESSION_NAMES.contains(&first)
        && ![crate::header::BOOTSTRAP_HALVES, crate::header::FORMAT_VERSION_ATTR].contains(&first)
}

#[cfg(test)]
mod namespace_names {
    use super::names_a_namespace_class;

    #[test]
    fn classes_yes_tools_and_dunders_no() {
        for name in [
            "Point",
            "Shape.Circle",
            "Point_0123456789abcdef",
            "Shape_0123456789abcdef_Circle",
            "PyC005",
        ] {
            assert!(names_a_namespace_class(name), "{name}");
        }
        for name in [
            "w",
            "s.__builtins__.get",
            "p",
            "g.__self__",
            "__dict__",
            "Point.__init__.__globals__",
            "h",
            "v",
            "a0",
            "u",
            "Point._x.__class__",
            "",
            "Point#def",
        ] {
            assert!(!names_a_namespace_class(name), "{name}");
        }
    }
}
