use crate::read::error::Error;

/// A header the inspector recognises (byte for byte) at the start of a stream.
#[derive(Debug, Clone, Copy)]
pub struct KnownHeader<'a> {
    /// The writer profile that makes it (`"default"`).
    pub profile: &'a str,
    /// The stream format version it installs.
    pub version: u32,
    /// Its bytes.
    pub header: &'a [u8],
    /// The uncompressed payload inside it (scanned for its globals).
    pub payload: &'a [u8],
    /// The standalone bootstrap its class pickles start with.
    pub standalone: &'a [u8],
}

/// What [`inspect`](super::inspect) knows besides the stream.
#[derive(Clone, Copy, Default)]
pub struct InspectOptions<'a> {
    /// Headers to recognise (the facade passes its own).
    pub headers: &'a [KnownHeader<'a>],
    /// The reader's allocation budget for each pickle (`None`: the
    /// reader's default, [`ReadOptions::max_alloc`](crate::read::ReadOptions::max_alloc)): what bounds the
    /// inspector's memory.
    pub max_alloc: Option<usize>,
}

/// Where a global, or a nested pickle, was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// The stream itself (its header included).
    Stream,
    /// The uncompressed payload of the recognised header.
    Payload,
    /// A class definition a descriptor registers (`KEY#def`), by the call
    /// at `offset` of the enclosing unit.
    ClassDefinition {
        /// The class key.
        key: String,
        /// Offset of the call in the enclosing unit.
        offset: u64,
    },
    /// A class pickle (standalone bootstrap + definition) passed to
    /// `pickle.loads` by the call at `offset`.
    ClassPickle {
        /// Offset of the call in the enclosing unit.
        offset: u64,
    },
}

/// A global the stream references.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlobalRef {
    /// Module, after CPython's Python 2 name mapping (`__builtin__` →
    /// `builtins`, `copy_reg` → `copyreg`).
    pub module: String,
    /// (Dotted) name.
    pub name: String,
    /// Offset of the opcode in its unit (see `place`).
    pub offset: u64,
    /// `GLOBAL`, `STACK_GLOBAL` or `INST`.
    pub opcode: u8,
    /// The unit it is in.
    pub place: Place,
    /// For a session's alias (`io._pp3.ALIAS`): the class (or member) it
    /// stands for, as the reader resolved it.
    pub resolves_to: Option<String>,
}

/// What kind of Python class a type-table entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClassKind {
    /// A dataclass with named fields.
    Struct,
    /// A dataclass with fields `_0`, `_1`, … (a Rust tuple struct).
    TupleStruct,
    /// A dataclass without fields.
    UnitStruct,
    /// An `enum.Enum` subclass (a Rust enum of unit variants).
    UnitEnum,
    /// The field-less base class of a data enum's variants.
    DataEnum,
    /// A data enum's variant class (`Enum.Variant`).
    Variant,
    /// A class the stream names as a global (or by its namespace key) but
    /// does not define: CPython's classes, stdlib types.
    Global,
}

impl ClassKind {
    /// A short lowercase name (`"struct"`, `"tuple struct"`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            ClassKind::Struct => "struct",
            ClassKind::TupleStruct => "tuple struct",
            ClassKind::UnitStruct => "unit struct",
            ClassKind::UnitEnum => "unit enum",
            ClassKind::DataEnum => "data enum",
            ClassKind::Variant => "variant",
            ClassKind::Global => "global",
        }
    }
}

/// A field of a class definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The Python attribute name.
    pub name: String,
    /// Its annotation, when the definition carries one (`"typing.Any"`).
    pub annotation: Option<String>,
}

/// One entry of the type table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassInfo {
    /// `__module__` (the runtime namespace for stand-in classes).
    pub module: String,
    /// `__qualname__` (`Point`, `Shape.Circle`).
    pub name: String,
    /// The namespace key (`Point_<fingerprint>`), for portable-pickle classes.
    pub key: Option<String>,
    /// What it is.
    pub kind: ClassKind,
    /// Fields in order (`__match_args__`), with annotations.
    pub fields: Vec<Field>,
    /// Unit-enum members and their values (`None`: not a small int).
    pub members: Vec<(String, Option<i64>)>,
    /// `__doc__`.
    pub doc: Option<String>,
    /// Built frozen.
    pub frozen: bool,
    /// The module a declared-module type prefers (real-module preference).
    pub declared_module: Option<String>,
    /// The qualname of the base class (a variant's enum).
    pub base: Option<String>,
    /// Whether a class definition in the stream builds it.
    pub defined: bool,
    /// Instances in the stream's body.
    pub instances: u64,
}

/// A nested unit the reader read: a class pickle or a class definition.
#[derive(Debug)]
pub struct Nested {
    /// Where it was found.
    pub place: Place,
    /// Its length (after inflating).
    pub len: usize,
    /// Why the reader stopped in it, offsets relative to its own bytes.
    pub error: Option<Error>,
}

/// Byte sizes of a stream's parts; they add up to `total`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sizes {
    /// The whole input.
    pub total: u64,
    /// The recognised header (0 if none).
    pub header: u64,
    /// Class descriptors and stdlib-global statements (statements the
    /// stream discards with `POP`/`POP_MARK`, after a recognised header).
    pub type_table: u64,
    /// The rest up to and including `STOP` (`FRAME` opcodes included).
    pub body: u64,
    /// Bytes after `STOP` (ignored by `pickle.loads`; the next pickle of a
    /// file read with `pickle.load` in a loop).
    pub trailing: u64,
}

/// What [`inspect`](super::inspect) found.
#[derive(Debug, Default)]
pub struct Summary {
    /// The `PROTO` argument (`None`: protocol 0 or 1, no `PROTO`).
    pub protocol: Option<u8>,
    /// The recognised header, if the stream starts with one.
    pub header: Option<RecognisedHeader>,
    /// Runtime namespaces (`_portable_pickle_vN`) named in the stream.
    pub namespaces: Vec<String>,
    /// Part sizes.
    pub sizes: Sizes,
    /// Opcodes decoded in the stream (nested units not counted).
    pub opcodes: u64,
    /// `FRAME` opcodes.
    pub frames: u64,
    /// Every global referenced, in order of appearance (repeats included):
    /// the stream's as its opcodes name them, then those of nested units.
    pub globals: Vec<GlobalRef>,
    /// The type table, in order of first appearance.
    pub classes: Vec<ClassInfo>,
    /// Nested units the reader read (class pickles, class definitions) and
    /// the recognised header's payload.
    pub nested: Vec<Nested>,
    /// Why the reader refused or failed, with offset and opcode (`None`:
    /// it read the pickle, so every opcode is part of what it admits).
    pub error: Option<Error>,
    /// Whether the opcodes decode up to `STOP` (what follows is the next
    /// pickle of a file, or trailing bytes), whatever the reader's verdict.
    pub complete: bool,
}

/// The header a stream starts with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecognisedHeader {
    /// See [`KnownHeader::profile`].
    pub profile: String,
    /// See [`KnownHeader::version`].
    pub version: u32,
    /// Its length in bytes.
    pub len: u64,
}
