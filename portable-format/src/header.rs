//! The recipe of the static bootstrap header and of the compressed payload
//! it carries, as [`Program`]s. `build.rs` compiles them once at compile
//! time; nothing here runs when a stream is written.
//!
//! The header needs no conditional opcode: "reuse the namespace if present,
//! else load the payload" is `next(filter(None, chain((sys.modules.get(NS),),
//! map(pickle.loads, map(zlib.decompress, (PAYLOAD,))))))`. `map` is lazy, so
//! the payload is decompressed and loaded only when the first item is `None`.
//!
//! That much is the *core*. The stream header is the core plus per-stream
//! steps; a stand-in class's standalone pickle (what `pickle.dumps` writes
//! for the class) is the core plus the class's definition, so it loads in a
//! process that never saw a stream. `tests/snapshots/header.py` shows both
//! programs as Python.

use crate::layout::{slot, CLASS_REDUCE, CLASS_TOOLS, FORMAT_VERSION, GC_TOOLS, NAMESPACE, NAMESPACE_TOOLS};
use crate::pyexpr::{builtin, Bindings, Context, Expr, Program, Stmt};
use crate::writer::OpWriter;

/// Name of the stand-in dataclasses' metaclass.
const METACLASS: &str = "PortableType";
/// Name of the stand-in enums' metaclass.
const ENUM_METACLASS: &str = "PortableEnumType";
/// Name of the member-less base of stand-in enums.
const ENUM_BASE: &str = "PortableEnum";
/// Name of the member-less base of stand-in int enums (`enum.IntEnum`).
const INT_ENUM_BASE: &str = "PortableIntEnum";
/// Namespace attribute holding the core's bytes around the payload, as the
/// pair `(head, tail)` (`halves`; one letter, as every namespace attribute:
/// see `layout::NAMESPACE_TOOLS`). The head ends with the payload's
/// `BINBYTES` opcode and length, so `payload.join(halves)` is the
/// standalone bootstrap.
pub(crate) const BOOTSTRAP_HALVES: &str = "h";
/// The namespace attribute that holds the stream format version
/// (`format_version`).
pub(crate) const FORMAT_VERSION_ATTR: &str = "v";
/// Label of the compressed payload's bytes in the core.
const PAYLOAD_LABEL: &str = "PAYLOAD";

/// `{'__module__': <namespace name>}`: the module a class of the namespace
/// shows and pickles under. Its `__qualname__` is its name already: `type()`
/// and `types.new_class` give it so.
fn in_namespace(namespace: &str) -> Expr {
    Expr::dict([("__module__", Expr::str(namespace))])
}

/// The core's first items, slots `BUILTINS..=NAMESPACE_NAME`: the strings
/// and stdlib callables it memoizes, each a group item of its own. The
/// payload starts with the same items, so that they compile to the same
/// bytes: its copy of the core's head then compresses to a back-reference,
/// and the payload reuses what they memoize.
fn core_stdlib(namespace: &str) -> Vec<Expr> {
    let string = |s| slot::string(s).expect("a string slot");
    let mut items = vec![Expr::str(string(slot::BUILTINS)).memoize_at("builtins_", slot::BUILTINS)];
    for (name, s) in [
        ("next", slot::NEXT),
        ("filter", slot::FILTER),
        ("map", slot::MAP),
        ("getattr", slot::GETATTR),
    ] {
        items.push(builtin(name).memoize_at(name, s));
    }
    items.push(Expr::str(string(slot::ITERTOOLS)).memoize_at("itertools_", slot::ITERTOOLS));
    items.push(Expr::global("itertools", "chain").memoize_at("chain", slot::CHAIN));
    items.push(Expr::global("itertools", "starmap").memoize_at("starmap", slot::STARMAP));
    items.push(Expr::global("functools", "partial").memoize_at("partial", slot::PARTIAL));
    items.push(Expr::str(namespace).memoize_at("namespace_name", slot::NAMESPACE_NAME));
    assert_eq!(items.len(), CORE_STDLIB_SLOTS as usize);
    items
}

/// `lookup(name)`: a namespace attribute read through the checked
/// namespace's `vars(namespace).get` (slot `LOOKUP`).
fn namespace_tool(name: &str) -> Expr {
    Expr::Memo(slot::LOOKUP).call([Expr::str(name)])
}

/// The bootstrap core, as one group: memoizes the stdlib callables (slots
/// below [`slot::CORE_COUNT`]), obtains the namespace (reusing it, or
/// loading `compressed`) and reads its tools.
pub fn core(namespace: &str, version: u32, compressed: &[u8]) -> Stmt {
    let mut items = core_stdlib(namespace);
    let installed = builtin("dict.get").memoize_at("dict_get", slot::DICT_GET).call([
        Expr::global("sys", "modules").memoize_at("modules", slot::MODULES),
        Expr::str(namespace),
    ]);
    let payload = Expr::Bytes {
        data: compressed.to_vec(),
        label: Some(PAYLOAD_LABEL.into()),
    };
    let loaded = builtin("map").call([
        Expr::global("pickle", "loads").memoize_at("loads", slot::LOADS),
        builtin("map").call([
            Expr::global("zlib", "decompress"),
            Expr::tuple([payload.memoize_at("payload", slot::PAYLOAD)]),
        ]),
    ]);
    items.push(Expr::first_truthy(installed, loaded).memoize_at("namespace", slot::NAMESPACE));

    // The genuineness check: the first tool is read from
    // `{FORMAT_VERSION: namespace}.get(namespace.v)` (`format_version`), which is
    // `None` (so reading the tool raises `AttributeError`) unless the entry
    // found in `sys.modules` carries this format's check value. Nothing of
    // the entry is called before. SECURITY.md says what it does not stop.
    let checked = Expr::Memo(slot::DICT_GET).call([
        Expr::Dict(vec![(Expr::Int(version.into()), Expr::Memo(slot::NAMESPACE))]),
        Expr::Memo(slot::NAMESPACE).attr(FORMAT_VERSION_ATTR),
    ]);
    // The others are then read through that first tool, the checked
    // namespace's `vars(namespace).get`: `lookup(name)` is 1 byte shorter
    // than `getattr(namespace, name)`. (As globals of the namespace module
    // they would be 2 bytes shorter still, but each `STACK_GLOBAL` costs a
    // `find_class` through the import system: docs/PERFORMANCE.md.)
    let mut from = Some(checked);
    let tool_slots = slot::LOOKUP..=slot::METACLASS;
    assert_eq!(tool_slots.clone().count(), NAMESPACE_TOOLS.len());
    for (name, s) in NAMESPACE_TOOLS.iter().zip(tool_slots) {
        let printed = slot::name(s).expect("a header slot");
        let tool = match from.take() {
            Some(checked) => checked.attr(name),
            None => namespace_tool(name),
        };
        items.push(tool.memoize_at(printed, s));
    }
    Stmt::Group(items)
}

/// The header's own steps after the core: the standalone bootstrap, rebuilt
/// as bytes by joining the namespace's copies of the core's opcodes before
/// and after the payload with this header's payload, then the collector
/// pause.
fn header_steps() -> Vec<Expr> {
    let standalone = builtin("bytes.join")
        .memoize_at("bytes_join", slot::BYTES_JOIN)
        .call([Expr::Memo(slot::PAYLOAD), namespace_tool(BOOTSTRAP_HALVES)]);
    let ns = namespace_tool;
    let [isenabled, restore, finalize, pause] = GC_TOOLS;
    // The collector pause (docs/FORMAT.md, "Collector pause"): a fresh
    // guard that only the memo holds (a new `partial` object), a finalizer
    // on it that restores the collector's state as it is now, then
    // `gc.disable()`. The guard is memoized before the state is read (the
    // finalizer's arguments are evaluated in order), so a long-lived
    // unpickler's previous guard is freed, and its state restored, first.
    let guard = Expr::Memo(slot::PARTIAL)
        .call([Expr::Memo(slot::PARTIAL)])
        .memoize_at("gc_guard", slot::GC_GUARD);
    vec![
        standalone.memoize_at("standalone", slot::STANDALONE),
        ns(finalize).call([guard, ns(restore).call([ns(isenabled).call([])])]),
        ns(pause).call([]),
    ]
}

/// The payload program: an inner pickle that creates the runtime namespace
/// module, fills it with the constructors, registers it in `sys.modules` and
/// returns it.
///
/// It holds the core's opcodes around the payload (`h`),
/// and so the length of the compressed payload (`compressed_len`), which
/// [`payload_for`] finds.
pub fn payload_program(namespace: &str, version: u32, compressed_len: usize) -> Program {
    // The core around a stand-in payload of that length: its opcodes do not
    // depend on the payload's bytes.
    let stand_in = vec![0; compressed_len];
    let core_bytes = Program::new([Stmt::Proto, core(namespace, version, &stand_in)]).compile(Context::Fresh);
    let cut = core_bytes.span(PAYLOAD_LABEL).expect("the core carries the payload");
    let head = &core_bytes.bytes[..cut.end - compressed_len];
    let tail = &core_bytes.bytes[cut.end..];

    let m = |name: &str| Expr::Memo(payload_slot(name));
    // The primitives: the core's (see `core_stdlib`), then the payload's own.
    let mut batch = core_stdlib(namespace);
    batch.extend([
        Expr::global("dataclasses", "dataclass").memoize_at("dataclass", payload_slot("dataclass")),
        Expr::str("enum").memoize_at("enum_", payload_slot("enum_")),
        Expr::global("types", "ModuleType")
            .call([Expr::str(namespace)])
            .memoize_at("namespace", payload_slot("namespace")),
        // The class registry is the namespace's own dict: a registered class
        // is an attribute of the namespace under its unique key.
        builtin("vars")
            .call([m("namespace")])
            .memoize_at("classes", payload_slot("classes")),
        builtin("type").memoize_at("type", payload_slot("type")),
        // The stand-in dataclasses' metaclass.
        builtin("type")
            .call([
                Expr::str(METACLASS),
                Expr::tuple([builtin("type")]),
                in_namespace(namespace),
            ])
            .memoize_at("PortableType", payload_slot("PortableType")),
        // The stand-in enums' metaclass.
        builtin("type")
            .call([
                Expr::str(ENUM_METACLASS),
                Expr::tuple([Expr::global("enum", "EnumMeta")]),
                in_namespace(namespace),
            ])
            .memoize_at("PortableEnumType", payload_slot("PortableEnumType")),
        // A member-less base enum of that metaclass, made with
        // types.new_class so the enum machinery prepares its namespace;
        // new_class took __module__ from its own frame: set ours.
        Expr::global("types", "new_class")
            .call([
                Expr::str(ENUM_BASE),
                Expr::tuple([Expr::global("enum", "Enum")]),
                Expr::dict([("metaclass", m("PortableEnumType"))]),
            ])
            .build(Expr::tuple([Expr::None, in_namespace(namespace)]))
            .memoize_at("PortableEnum", payload_slot("PortableEnum")),
        // The same for `enum.IntEnum`: members are ints (JSON keys, `==`
        // with ints).
        Expr::global("types", "new_class")
            .call([
                Expr::str(INT_ENUM_BASE),
                Expr::tuple([Expr::global("enum", "IntEnum")]),
                Expr::dict([("metaclass", m("PortableEnumType"))]),
            ])
            .build(Expr::tuple([Expr::None, in_namespace(namespace)]))
            .memoize_at("PortableIntEnum", payload_slot("PortableIntEnum")),
    ]);

    // The constructors, built from the primitives, set on the namespace
    // with BUILD (namespace.__dict__.update).
    let yes = || Expr::Bool(true);
    let dataclass = m("dataclass");
    // Python's hashing contract: a mutable dataclass has `__eq__` and
    // `__hash__ = None`; a frozen one hashes by value; `hashable` is for a
    // mutable class the user marked (`unsafe_hash`).
    let tools = [
        m("classes").attr("get"),
        m("classes").attr("setdefault"),
        dataclass.clone(),
        dataclass.clone().partial([("frozen", yes())]),
        m("PortableEnum").partial([("module", Expr::str(namespace))]),
        m("PortableType"),
    ];
    let class_tools = [
        dataclass.partial([("unsafe_hash", yes())]),
        m("PortableIntEnum").partial([("module", Expr::str(namespace))]),
    ];
    let mut attrs = vec![(FORMAT_VERSION_ATTR, Expr::Int(i128::from(version)))];
    attrs.extend(NAMESPACE_TOOLS.iter().copied().zip(tools));
    attrs.extend(CLASS_TOOLS.iter().copied().zip(class_tools));
    attrs.push((
        BOOTSTRAP_HALVES,
        Expr::tuple([Expr::bytes(head.to_vec()), Expr::bytes(tail.to_vec())]),
    ));
    let (no_ops, cpython) = gc_tools(m("type"));
    attrs.extend(no_ops);
    batch.push(m("namespace").build(Expr::dict(attrs)));
    batch.push(m("namespace").build(cpython));

    // copyreg.dispatch_table[metaclass] = attrgetter("__portable_reduce__"):
    // when pickle meets a stand-in class, it pickles what the class says
    // (a standalone pickle of itself, or its unique key in the namespace),
    // while the class's __qualname__ stays the plain name that repr shows.
    let setdefault = builtin("dict.setdefault");
    batch.push(setdefault.clone().memoize_at("setdefault", payload_slot("setdefault")));
    batch.push(
        Expr::global("operator", "attrgetter")
            .call([Expr::str(CLASS_REDUCE)])
            .memoize_at("reducer", payload_slot("reducer")),
    );
    batch.push(Expr::global("copyreg", "dispatch_table").memoize_at("dispatch_table", payload_slot("dispatch_table")));
    for meta in ["PortableType", "PortableEnumType"] {
        batch.push(setdefault.clone().call([m("dispatch_table"), m(meta), m("reducer")]));
    }

    Program::new([
        Stmt::Proto,
        Stmt::Group(batch),
        // sys.modules.setdefault(NAMESPACE, module): the first installer wins a race.
        Stmt::Return(setdefault.call([Expr::global("sys", "modules"), Expr::str(namespace), m("namespace")])),
    ])
}

/// The namespace's [`GC_TOOLS`]: no-ops, which the namespace's first
/// `BUILD` sets with the other tools (`gc.isenabled`; `type` for `restore`,
/// one argument; the lazy `itertools.chain` for `finalize`, two), and the
/// state of a second `BUILD` that replaces them on CPython only
/// (`dict.get({"cpython": TOOLS}, sys.implementation.name, {})`: reference
/// counting frees the guard as soon as the unpickler frees its memo):
/// `restore = {True: gc.enable, False: gc.isenabled}.get`,
/// `finalize = weakref.finalize`, `pause = gc.disable`.
fn gc_tools(type_: Expr) -> ([(&'static str, Expr); 4], Expr) {
    let [isenabled, restore, finalize, pause] = GC_TOOLS;
    let noop = || Expr::global("gc", "isenabled");
    let no_ops = [
        (isenabled, noop()),
        (restore, type_),
        (finalize, Expr::global("itertools", "chain")),
        (pause, noop()),
    ];
    let cpython = Expr::dict([
        (
            restore,
            Expr::Dict(vec![
                (Expr::Bool(true), Expr::global("gc", "enable")),
                (Expr::Bool(false), noop()),
            ])
            .attr("get"),
        ),
        (finalize, Expr::global("weakref", "finalize")),
        (pause, Expr::global("gc", "disable")),
    ]);
    let chosen = builtin("dict.get").call([
        Expr::Dict(vec![(Expr::str("cpython"), cpython)]),
        Expr::global("sys", "implementation").attr("name"),
        Expr::Dict(vec![]),
    ]);
    (no_ops, chosen)
}

/// The payload's own memo entries, in the order [`payload_program`]
/// defines them, after the slots its first items share with the core
/// (`core_stdlib`: `BUILTINS..=NAMESPACE_NAME`, named in [`slot`]).
const PAYLOAD_SLOTS: [&str; 12] = [
    "dataclass",
    "enum_",
    "namespace",
    "classes",
    "type",
    "PortableType",
    "PortableEnumType",
    "PortableEnum",
    "PortableIntEnum",
    "setdefault",
    "reducer",
    "dispatch_table",
];

/// The memo entries `core_stdlib` defines, before the payload's own.
const CORE_STDLIB_SLOTS: u32 = slot::NAMESPACE_NAME + 1;

fn payload_slot(name: &str) -> u32 {
    CORE_STDLIB_SLOTS + PAYLOAD_SLOTS.iter().position(|n| *n == name).expect("a payload slot") as u32
}

/// The payload, as loaded and as the header carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payload {
    /// The pickle the core loads.
    pub raw: Vec<u8>,
    /// `raw`, zlib-compressed (maybe followed by zero bytes, see [`payload_for`]).
    pub compressed: Vec<u8>,
}

/// Builds the payload, compressing it with `compress` (zlib format).
pub fn payload(compress: impl Fn(&[u8]) -> Vec<u8>) -> Payload {
    payload_for(NAMESPACE, FORMAT_VERSION, compress)
}

/// [`payload`] for another namespace name and format version (tests use it
/// to simulate a future format).
///
/// The payload holds the length of its own compressed form (see
/// [`payload_program`]): starting from no length, each round compiles it
/// with the length the last round compressed to, until the two agree. When
/// the lengths cycle instead, the longest one is declared and the
/// compressed bytes are padded to it with zeros, which `zlib.decompress`
/// ignores (it stops at the end of the zlib stream).
pub fn payload_for(namespace: &str, version: u32, compress: impl Fn(&[u8]) -> Vec<u8>) -> Payload {
    let build = |len: usize| {
        let compiled = payload_program(namespace, version, len).compile(Context::Fresh);
        assert_eq!(
            compiled.memo_len as usize,
            CORE_STDLIB_SLOTS as usize + PAYLOAD_SLOTS.len(),
            "PAYLOAD_SLOTS out of date"
        );
        let compressed = compress(&compiled.bytes);
        (compiled.bytes, compressed)
    };
    let mut declared = 0;
    let mut tried = Vec::new();
    loop {
        let (raw, compressed) = build(declared);
        if compressed.len() == declared {
            return Payload { raw, compressed };
        }
        let cycling = tried.contains(&compressed.len());
        tried.push(declared);
        if cycling {
            break;
        }
        declared = compressed.len();
    }
    // Padding: from the longest length tried, declared lengths only grow,
    // and a compressed length at most the declared one ends it.
    let mut declared = tried.into_iter().max().unwrap_or(0);
    loop {
        let (raw, mut compressed) = build(declared);
        if compressed.len() <= declared {
            compressed.resize(declared, 0);
            return Payload { raw, compressed };
        }
        declared = compressed.len();
    }
}

/// The standalone bootstrap: `PROTO 4` and the bootstrap core around the
/// compressed payload. Every standalone class pickle starts with it (the
/// header rebuilds the same bytes at load time from the namespace's
/// `h`); the reader recognises it instead of interpreting it.
pub fn standalone(compressed: &[u8]) -> Vec<u8> {
    let compiled = Program::new([Stmt::Proto, core(NAMESPACE, FORMAT_VERSION, compressed)]).compile(Context::Fresh);
    assert_eq!(compiled.memo_len, slot::CORE_COUNT);
    compiled.bytes
}

/// The header program around the compressed payload (without `PROTO` and
/// the frame, which [`header_for`] adds).
pub fn header_program(namespace: &str, version: u32, compressed: &[u8]) -> Program {
    // One group: the core's items, then the header's own.
    let Stmt::Group(mut items) = core(namespace, version, compressed) else {
        unreachable!("the core is one group")
    };
    items.extend(header_steps());
    Program::new([Stmt::Group(items)])
}

/// Builds the header around the compressed payload: `PROTO`, one `FRAME`,
/// then opcodes that leave the memo as [`crate::layout::slot`] describes and
/// the stack empty. `compressed` is [`payload`] in zlib format.
pub fn header(compressed: &[u8]) -> Vec<u8> {
    header_for(NAMESPACE, FORMAT_VERSION, compressed)
}

/// [`header`] for another namespace name and format version (with a
/// matching [`payload_for`]).
pub fn header_for(namespace: &str, version: u32, compressed: &[u8]) -> Vec<u8> {
    let compiled = header_program(namespace, version, compressed).compile(Context::Fresh);
    assert_eq!(compiled.memo_len, slot::COUNT);
    let mut w = OpWriter::new();
    w.proto();
    w.frame(compiled.bytes.len() as u64);
    w.raw(&compiled.bytes);
    w.into_bytes()
}

/// The strings (`name` `None`) and globals (`module`, `name`) the header
/// memoizes, by slot: the bindings descriptors and class definitions are
/// compiled against, without compiling the header when a process encodes
/// its first descriptor (most of that first encoding's time otherwise).
/// A test checks the table against the compiled header and core.
const BOUND: [(u32, &str, Option<&str>); 14] = [
    (slot::BUILTINS, "builtins", None),
    (slot::NEXT, "builtins", Some("next")),
    (slot::FILTER, "builtins", Some("filter")),
    (slot::MAP, "builtins", Some("map")),
    (slot::GETATTR, "builtins", Some("getattr")),
    (slot::ITERTOOLS, "itertools", None),
    (slot::CHAIN, "itertools", Some("chain")),
    (slot::STARMAP, "itertools", Some("starmap")),
    (slot::PARTIAL, "functools", Some("partial")),
    (slot::NAMESPACE_NAME, NAMESPACE, None),
    (slot::DICT_GET, "builtins", Some("dict.get")),
    (slot::MODULES, "sys", Some("modules")),
    (slot::LOADS, "pickle", Some("loads")),
    (slot::BYTES_JOIN, "builtins", Some("bytes.join")),
];

/// Strings and globals the core memoizes: what a class definition, which
/// runs after the standalone bootstrap, may reuse.
pub(crate) fn core_bindings() -> Bindings {
    Bindings::from_slots(BOUND.iter().filter(|(s, ..)| *s < slot::CORE_COUNT))
}

/// Strings and globals the header memoizes: what a class descriptor may reuse.
pub(crate) fn header_bindings() -> Bindings {
    Bindings::from_slots(BOUND.iter())
}

/// What a session's pickle that carries the header adds right after it:
/// `sys.modules.setdefault(SESSION_MODULE, namespace)`, the namespace's
/// short name that the session's later pickles import classes from,
/// checked to be the namespace itself: `next(filter(None,
/// ({namespace: namespace}.get(<that>),)))` raises `StopIteration` when the
/// name already stands for anything else, so a planted module is never
/// used.
pub fn session_prologue() -> Program {
    let namespace = || Expr::Memo(slot::NAMESPACE);
    let short_name = builtin("dict.setdefault").call([
        Expr::Memo(slot::MODULES),
        Expr::str(crate::layout::SESSION_MODULE),
        namespace(),
    ]);
    let genuine = builtin("dict.get").call([Expr::Dict(vec![(namespace(), namespace())]), short_name]);
    Program::new([Stmt::Discard(
        builtin("next").call([builtin("filter").call([Expr::None, Expr::tuple([genuine])])]),
    )])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pyexpr::bindings_of;

    /// Whatever lengths a compressor gives, the payload declares the length
    /// of what it returns: found by iterating, or by padding when the lengths
    /// cycle.
    #[test]
    fn the_payload_holds_its_own_compressed_length() {
        type Compress = fn(&[u8]) -> Vec<u8>;
        let compressors: [Compress; 3] = [
            // Converges at once: the length does not depend on the bytes.
            |raw| raw.to_vec(),
            // Depends on the declared length's bytes: lengths cycle.
            |raw| vec![7; 700 + raw.iter().map(|&b| usize::from(b)).sum::<usize>() % 3],
            |raw| vec![7; 600 + raw.iter().map(|&b| usize::from(b)).sum::<usize>() % 7],
        ];
        let mut padded = 0;
        for compress in compressors {
            let payload = payload(compress);
            let declared = payload.compressed.len();
            let again = payload_program(NAMESPACE, FORMAT_VERSION, declared).compile(Context::Fresh);
            assert_eq!(again.bytes, payload.raw);
            let own = compress(&payload.raw);
            assert_eq!(payload.compressed[..own.len()], own[..]);
            assert!(payload.compressed[own.len()..].iter().all(|&b| b == 0));
            padded += usize::from(own.len() < declared);
        }
        assert!(padded > 0, "no compressor made the lengths cycle");
    }

    #[test]
    fn the_bindings_table_is_what_the_header_memoizes() {
        let core = Program::new([core(NAMESPACE, FORMAT_VERSION, &[])]);
        assert_eq!(core_bindings(), bindings_of(&core, slot::CORE_COUNT));
        let header = header_program(NAMESPACE, FORMAT_VERSION, &[]);
        assert_eq!(header_bindings(), bindings_of(&header, slot::COUNT));
    }
}
