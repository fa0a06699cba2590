//! The fixed memo layout the static header leaves behind, shared by the
//! header recipe (which asserts it), the class descriptors and the body.

/// Format version of the stream. It is part of the runtime namespace's name,
/// so a process that already holds an older namespace installs a newer one
/// beside it instead of mixing the two.
pub const FORMAT_VERSION: u32 = 1;

/// Name of the one private module the header adds to `sys.modules`.
pub const NAMESPACE: &str = "_portable_pickle_v1";

/// Memo slots defined by the header, in the order it defines them.
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
    /// The runtime namespace module itself.
    pub const NAMESPACE: u32 = 12;
    /// `vars(namespace).get`: class lookup by unique key.
    pub const LOOKUP: u32 = 13;
    /// `vars(namespace).setdefault`: class registration under its unique key.
    pub const REGISTER: u32 = 14;
    /// `functools.partial(dataclasses.dataclass, unsafe_hash=True)`.
    pub const STRUCT: u32 = 15;
    /// `functools.partial(dataclasses.dataclass, unsafe_hash=True, frozen=True)`.
    pub const FROZEN_STRUCT: u32 = 16;
    /// `functools.partial(enum.Enum, module=NAMESPACE)`.
    pub const ENUM: u32 = 17;
    /// `PortableType`, the metaclass of stand-in dataclasses.
    pub const METACLASS: u32 = 18;
    /// Number of memo entries the header defines; the body's start at this index.
    pub const COUNT: u32 = 19;
}

/// Namespace attributes the header reads into slots `LOOKUP..=ENUM`, in order.
pub const NAMESPACE_TOOLS: [&str; 6] = ["lookup", "register", "struct", "frozen_struct", "enum", "PortableType"];

/// Class attribute holding a stand-in class's unique key in the namespace;
/// `copyreg.dispatch_table[PortableType]` reads it so `pickle.dumps` names the
/// class by that key.
pub const CLASS_REF: &str = "__portable_ref__";
