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

/// Docstring of the runtime namespace module.
const NAMESPACE_DOC: &str = "portable-pickle stand-in classes (private)";
/// Name of the stand-in dataclasses' metaclass.
const METACLASS: &str = "PortableType";
/// Name of the stand-in enums' metaclass.
const ENUM_METACLASS: &str = "PortableEnumType";
/// Name of the member-less base of stand-in enums.
const ENUM_BASE: &str = "PortableEnum";
/// Name of the member-less base of stand-in int enums (`enum.IntEnum`).
const INT_ENUM_BASE: &str = "PortableIntEnum";
/// Namespace attributes holding the core's bytes before and after the
/// payload (`head`, `tail`; one letter, as every namespace attribute: see
/// `layout::NAMESPACE_TOOLS`).
pub(crate) const BOOTSTRAP_HEAD: &str = "h";
pub(crate) const BOOTSTRAP_TAIL: &str = "t";
/// The namespace attribute that holds the stream format version
/// (`format_version`).
pub(crate) const FORMAT_VERSION_ATTR: &str = "v";
/// Label of the compressed payload's bytes in the core.
const PAYLOAD_LABEL: &str = "PAYLOAD";

/// `{'__module__': <namespace name>, '__qualname__': name}`: the names a
/// class of the namespace shows and pickles under.
fn class_names(name: &str, namespace: &str) -> Expr {
    Expr::dict([("__module__", Expr::str(namespace)), ("__qualname__", Expr::str(name))])
}

/// The bootstrap core, as one group: memoizes the stdlib callables (slots
/// below [`slot::CORE_COUNT`]), obtains the namespace (reusing it, or
/// loading `compressed`) and reads its tools.
pub fn core(namespace: &str, version: u32, compressed: &[u8]) -> Stmt {
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
    let mut from = Some(checked);
    let tool_slots = slot::LOOKUP..=slot::METACLASS;
    assert_eq!(tool_slots.clone().count(), NAMESPACE_TOOLS.len());
    for (name, s) in NAMESPACE_TOOLS.iter().zip(tool_slots) {
        let printed = slot::name(s).expect("a header slot");
        let namespace = from.take().unwrap_or(Expr::Memo(slot::NAMESPACE));
        items.push(namespace.attr(name).memoize_at(printed, s));
    }
    Stmt::Group(items)
}

/// The header's own steps after the core: the standalone bootstrap, rebuilt
/// as bytes from the namespace's copies of the core's opcodes around this
/// header's payload.
fn header_steps(payload_op: &[u8]) -> Stmt {
    let join = builtin("bytes.join");
    let standalone = join.clone().call([
        Expr::bytes(b"".to_vec()),
        Expr::tuple([
            Expr::Memo(slot::NAMESPACE).attr(BOOTSTRAP_HEAD),
            Expr::Bytes {
                data: payload_op.to_vec(),
                label: Some("PAYLOAD_OPCODE".into()),
            },
            Expr::Memo(slot::PAYLOAD),
            Expr::Memo(slot::NAMESPACE).attr(BOOTSTRAP_TAIL),
        ]),
    ]);
    let ns = |name: &str| Expr::Memo(slot::NAMESPACE).attr(name);
    let [isenabled, restore, finalize, pause] = GC_TOOLS;
    Stmt::Group(vec![
        join.memoize_at("bytes_join", slot::BYTES_JOIN),
        standalone.memoize_at("standalone", slot::STANDALONE),
        // The collector pause (docs/FORMAT.md, "Collector pause"): a fresh
        // guard that only the memo holds (a new `partial` object), a
        // finalizer on it that restores the collector's state as it is now,
        // then `gc.disable()`. The guard is memoized first, so a long-lived
        // unpickler's previous guard is freed (and its state restored)
        // before the state is read.
        Expr::Memo(slot::PARTIAL)
            .call([Expr::Memo(slot::PARTIAL)])
            .memoize_at("gc_guard", slot::GC_GUARD),
        ns(finalize).call([Expr::Memo(slot::GC_GUARD), ns(restore).call([ns(isenabled).call([])])]),
        ns(pause).call([]),
    ])
}

/// The payload program: an inner pickle that creates the runtime namespace
/// module, fills it with the constructors, registers it in `sys.modules` and
/// returns it.
pub fn payload_program(namespace: &str, version: u32) -> Program {
    // The core around an empty payload: its opcodes before and after the
    // payload's bytes do not depend on them.
    let core_bytes = Program::new([Stmt::Proto, core(namespace, version, &[])]).compile(Context::Fresh);
    let cut = core_bytes.span(PAYLOAD_LABEL).expect("the core carries the payload");
    let (head, tail) = (&core_bytes.bytes[..cut.start], &core_bytes.bytes[cut.end..]);

    let m = |name: &str| Expr::Memo(payload_slot(name));
    let mut batch = vec![
        // The primitives.
        Expr::global("functools", "partial").memoize_at("partial", payload_slot("partial")),
        Expr::global("dataclasses", "dataclass").memoize_at("dataclass", payload_slot("dataclass")),
        Expr::str("enum").memoize_at("enum_", payload_slot("enum_")),
        Expr::str("builtins").memoize_at("builtins_", payload_slot("builtins_")),
        builtin("getattr").memoize_at("getattr", payload_slot("getattr")),
        Expr::global("types", "ModuleType")
            .call([
                Expr::str(namespace).memoize_at("namespace_name", payload_slot("namespace_name")),
                Expr::str(NAMESPACE_DOC),
            ])
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
                class_names(METACLASS, namespace),
            ])
            .memoize_at("PortableType", payload_slot("PortableType")),
        // The stand-in enums' metaclass.
        builtin("type")
            .call([
                Expr::str(ENUM_METACLASS),
                Expr::tuple([Expr::global("enum", "EnumMeta")]),
                class_names(ENUM_METACLASS, namespace),
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
            .build(Expr::tuple([Expr::None, class_names(ENUM_BASE, namespace)]))
            .memoize_at("PortableEnum", payload_slot("PortableEnum")),
        // The same for `enum.IntEnum`: members are ints (JSON keys, `==`
        // with ints).
        Expr::global("types", "new_class")
            .call([
                Expr::str(INT_ENUM_BASE),
                Expr::tuple([Expr::global("enum", "IntEnum")]),
                Expr::dict([("metaclass", m("PortableEnumType"))]),
            ])
            .build(Expr::tuple([Expr::None, class_names(INT_ENUM_BASE, namespace)]))
            .memoize_at("PortableIntEnum", payload_slot("PortableIntEnum")),
    ];

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
    attrs.push((BOOTSTRAP_HEAD, Expr::bytes(head.to_vec())));
    attrs.push((BOOTSTRAP_TAIL, Expr::bytes(tail.to_vec())));
    batch.push(m("namespace").build(Expr::dict(attrs)));
    batch.extend(gc_tools(m("namespace"), m("type")));

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

/// The namespace's [`GC_TOOLS`], set by two `BUILD`s: first no-ops
/// (`gc.isenabled`; `type` for `restore`, one argument; the lazy
/// `itertools.chain` for `finalize`, two), then, by
/// `dict.get({"cpython": TOOLS}, sys.implementation.name, {})`, on CPython
/// only (reference counting frees the guard as soon as the unpickler frees
/// its memo): `restore = {True: gc.enable, False: gc.isenabled}.get`,
/// `finalize = weakref.finalize`, `pause = gc.disable`.
fn gc_tools(namespace: Expr, type_: Expr) -> [Expr; 2] {
    let [isenabled, restore, finalize, pause] = GC_TOOLS;
    let noop = || Expr::global("gc", "isenabled");
    let defaults = Expr::dict([
        (isenabled, noop()),
        (restore, type_),
        (finalize, Expr::global("itertools", "chain")),
        (pause, noop()),
    ]);
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
    [namespace.clone().build(defaults), namespace.build(chosen)]
}

/// The payload's memo entries, in the order [`payload_program`] defines them.
const PAYLOAD_SLOTS: [&str; 16] = [
    "partial",
    "dataclass",
    "enum_",
    "builtins_",
    "getattr",
    "namespace_name",
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

fn payload_slot(name: &str) -> u32 {
    PAYLOAD_SLOTS.iter().position(|n| *n == name).expect("a payload slot") as u32
}

/// Builds the payload, uncompressed.
pub fn payload() -> Vec<u8> {
    payload_for(NAMESPACE, FORMAT_VERSION)
}

/// [`payload`] for another namespace name and format version (tests use it
/// to simulate a future format).
pub fn payload_for(namespace: &str, version: u32) -> Vec<u8> {
    let compiled = payload_program(namespace, version).compile(Context::Fresh);
    assert_eq!(
        compiled.memo_len as usize,
        PAYLOAD_SLOTS.len(),
        "PAYLOAD_SLOTS out of date"
    );
    compiled.bytes
}

/// The standalone bootstrap: `PROTO 4` and the bootstrap core around the
/// compressed payload. Every standalone class pickle starts with it (the
/// header rebuilds the same bytes at load time from the namespace's `head`
/// and `tail`); the reader recognises it instead of interpreting it.
pub fn standalone(compressed: &[u8]) -> Vec<u8> {
    let compiled = Program::new([Stmt::Proto, core(NAMESPACE, FORMAT_VERSION, compressed)]).compile(Context::Fresh);
    assert_eq!(compiled.memo_len, slot::CORE_COUNT);
    compiled.bytes
}

/// The header program around the compressed payload (without `PROTO` and
/// the frame, which [`header_for`] adds).
pub fn header_program(namespace: &str, version: u32, compressed: &[u8]) -> Program {
    let core = core(namespace, version, compressed);
    let c = Program::new([core.clone()]).compile(Context::Fresh);
    let cut = c.span(PAYLOAD_LABEL).expect("the core carries the payload");
    let payload_op = &c.bytes[cut.start..cut.end - compressed.len()];
    Program::new([core, header_steps(payload_op)])
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

    #[test]
    fn the_bindings_table_is_what_the_header_memoizes() {
        let core = Program::new([core(NAMESPACE, FORMAT_VERSION, &[])]);
        assert_eq!(core_bindings(), bindings_of(&core, slot::CORE_COUNT));
        let header = header_program(NAMESPACE, FORMAT_VERSION, &[]);
        assert_eq!(header_bindings(), bindings_of(&header, slot::COUNT));
    }
}
