//! The recipe of the static bootstrap header and of the compressed payload
//! it carries. `build.rs` runs it once at compile time; nothing here runs
//! when a stream is written.
//!
//! The header needs no conditional opcode: "reuse the namespace if present,
//! else load the payload" is `next(filter(None, chain((sys.modules.get(NS),),
//! map(pickle.loads, map(zlib.decompress, (PAYLOAD,))))))`. `map` is lazy, so
//! the payload is decompressed and loaded only when the first item is `None`.
//!
//! That much is the *core*. The stream header is the core plus per-stream
//! steps; a stand-in class's standalone pickle (what `pickle.dumps` writes
//! for the class) is the core plus the class's definition, so it loads in a
//! process that never saw a stream.

use std::ops::Range;

use crate::descriptor::first_truthy;
use crate::layout::{slot, CLASS_REDUCE, FORMAT_VERSION, NAMESPACE, NAMESPACE_TOOLS};
use crate::opcodes::*;
use crate::writer::OpWriter;

/// Docstring of the runtime namespace module.
const NAMESPACE_DOC: &str = "portable-pickle stand-in classes (private)";
/// Name of the stand-in dataclasses' metaclass.
const METACLASS: &str = "PortableType";
/// Name of the stand-in enums' metaclass.
const ENUM_METACLASS: &str = "PortableEnumType";
/// Name of the member-less base of stand-in enums.
const ENUM_BASE: &str = "PortableEnum";
/// Namespace attributes holding the core's bytes before and after the payload.
const BOOTSTRAP_HEAD: &str = "head";
const BOOTSTRAP_TAIL: &str = "tail";

/// A piece of the recipe that writes one value.
type WriteValue<'a> = &'a dyn Fn(&mut OpWriter);

/// Writes memo entries while checking them against the shared layout.
fn memoize_as(w: &mut OpWriter, expected: u32) {
    let got = w.memoize();
    assert_eq!(got, expected, "header memo layout out of sync with layout::slot");
}

/// `partial(func)` with keyword arguments set through `BUILD`, since `REDUCE`
/// cannot pass keywords. `func` is at memo index `func`.
fn partial_with_keywords(w: &mut OpWriter, partial: u32, func: u32, keywords: &[(&str, WriteValue<'_>)]) {
    w.get(partial);
    w.get(func);
    w.tuple_close(1);
    w.reduce();
    // partial.__setstate__((func, args, keywords, __dict__))
    w.op(MARK);
    w.get(func);
    w.tuple_close(0);
    w.op(EMPTY_DICT);
    w.op(MARK);
    for (k, v) in keywords {
        w.str(k);
        v(w);
    }
    w.op(SETITEMS);
    w.none();
    w.op(TUPLE);
    w.op(BUILD);
}

/// `cls(name, bases, {"__module__": ns, "__qualname__": name})` for a
/// metaclass-made class; `cls` and `ns_name` are memo indices.
fn named_class(w: &mut OpWriter, cls: u32, name: &str, bases: impl FnOnce(&mut OpWriter), ns_name: u32) {
    w.get(cls);
    w.str(name);
    bases(w);
    w.op(EMPTY_DICT);
    w.op(MARK);
    w.str("__module__");
    w.get(ns_name);
    w.str("__qualname__");
    w.str(name);
    w.op(SETITEMS);
    w.tuple_close(3);
    w.reduce();
}

/// Builds the payload: an inner pickle that creates the runtime namespace
/// module, fills it with the constructors, registers it in `sys.modules` and
/// returns it.
pub fn payload() -> Vec<u8> {
    payload_for(NAMESPACE, FORMAT_VERSION)
}

/// [`payload`] for another namespace name and format version (tests use it
/// to simulate a future format).
pub fn payload_for(namespace: &str, version: u32) -> Vec<u8> {
    // The core around an empty payload: its opcodes before and after the
    // payload's bytes do not depend on them.
    let mut core_w = OpWriter::new();
    core_w.proto();
    let cut = core(&mut core_w, namespace, &[]);
    let core_bytes = core_w.into_bytes();

    let mut w = OpWriter::new();
    w.proto();
    w.op(MARK);
    // Batch 1: the primitives.
    w.global("functools", "partial");
    let partial = w.memoize();
    w.global("dataclasses", "dataclass");
    let dataclass = w.memoize();
    w.str("enum");
    let enum_module = w.memoize();
    w.str("builtins");
    let builtins = w.memoize();
    w.get(builtins);
    w.str("getattr");
    w.op(STACK_GLOBAL);
    let getattr = w.memoize();
    w.global("types", "ModuleType");
    w.str(namespace);
    let ns_name = w.memoize();
    w.str(NAMESPACE_DOC);
    w.tuple_close(2);
    w.reduce();
    let module = w.memoize();
    // The class registry is the namespace's own dict: a registered class is
    // an attribute of the namespace under its unique key.
    w.get(builtins);
    w.str("vars");
    w.op(STACK_GLOBAL);
    w.get(module);
    w.tuple_close(1);
    w.reduce();
    let classes = w.memoize();
    w.get(builtins);
    w.str("type");
    w.op(STACK_GLOBAL);
    let type_ = w.memoize();
    // type("PortableType", (type,), {...}): the stand-in dataclasses' metaclass.
    named_class(
        &mut w,
        type_,
        METACLASS,
        |w| {
            w.get(type_);
            w.tuple_close(1);
        },
        ns_name,
    );
    let metaclass = w.memoize();
    // type("PortableEnumType", (enum.EnumMeta,), {...}) and a member-less
    // base enum of that metaclass, made with types.new_class so the enum
    // machinery prepares its class namespace.
    named_class(
        &mut w,
        type_,
        ENUM_METACLASS,
        |w| {
            w.get(enum_module);
            w.str("EnumMeta");
            w.op(STACK_GLOBAL);
            w.tuple_close(1);
        },
        ns_name,
    );
    let enum_metaclass = w.memoize();
    w.global("types", "new_class");
    w.str(ENUM_BASE);
    w.get(enum_module);
    w.str("Enum");
    w.op(STACK_GLOBAL);
    w.tuple_close(1);
    w.op(EMPTY_DICT);
    w.str("metaclass");
    w.get(enum_metaclass);
    w.op(SETITEM);
    w.tuple_close(3);
    w.reduce();
    // new_class took __module__ from its own frame: set ours.
    w.none();
    w.op(EMPTY_DICT);
    w.op(MARK);
    w.str("__module__");
    w.get(ns_name);
    w.str("__qualname__");
    w.str(ENUM_BASE);
    w.op(SETITEMS);
    w.tuple_close(2);
    w.op(BUILD);
    let enum_base = w.memoize();

    // Batch 2: the constructors, built from the primitives.
    let method = |w: &mut OpWriter, obj: u32, name: &str| {
        w.get(getattr);
        w.get(obj);
        w.str(name);
        w.tuple_close(2);
        w.reduce();
    };
    let yes = |w: &mut OpWriter| w.bool(true);
    let tools: [WriteValue<'_>; 6] = [
        &|w| method(w, classes, "get"),
        &|w| method(w, classes, "setdefault"),
        &|w| partial_with_keywords(w, partial, dataclass, &[("unsafe_hash", &yes)]),
        &|w| partial_with_keywords(w, partial, dataclass, &[("unsafe_hash", &yes), ("frozen", &yes)]),
        &|w| partial_with_keywords(w, partial, enum_base, &[("module", &|w: &mut OpWriter| w.get(ns_name))]),
        &|w| w.get(metaclass),
    ];
    // namespace.__dict__.update({...}) through BUILD.
    w.get(module);
    w.op(EMPTY_DICT);
    w.op(MARK);
    w.str("format_version");
    w.int(i64::from(version));
    for (name, tool) in NAMESPACE_TOOLS.iter().zip(tools) {
        w.str(name);
        tool(&mut w);
    }
    w.str(BOOTSTRAP_HEAD);
    w.bytes(&core_bytes[..cut.start]);
    w.str(BOOTSTRAP_TAIL);
    w.bytes(&core_bytes[cut.end..]);
    w.op(SETITEMS);
    w.op(BUILD);

    // copyreg.dispatch_table[metaclass] = attrgetter("__portable_reduce__"):
    // when pickle meets a stand-in class, it pickles what the class says
    // (a standalone pickle of itself, or its unique key in the namespace),
    // while the class's __qualname__ stays the plain name that repr shows.
    w.get(builtins);
    w.str("dict.setdefault");
    w.op(STACK_GLOBAL);
    let setdefault = w.memoize();
    w.global("operator", "attrgetter");
    w.str(CLASS_REDUCE);
    w.tuple_close(1);
    w.reduce();
    let reducer = w.memoize();
    w.global("copyreg", "dispatch_table");
    let dispatch_table = w.memoize();
    for meta in [metaclass, enum_metaclass] {
        w.get(setdefault);
        w.get(dispatch_table);
        w.get(meta);
        w.get(reducer);
        w.tuple_close(3);
        w.reduce();
    }
    w.op(POP_MARK);

    // sys.modules.setdefault(NAMESPACE, module): the first installer wins a race.
    w.get(setdefault);
    w.global("sys", "modules");
    w.get(ns_name);
    w.get(module);
    w.tuple_close(3);
    w.reduce();
    w.op(STOP);
    w.into_bytes()
}

/// The bootstrap core, between `MARK` and `POP_MARK`: memoizes the stdlib
/// callables (slots up to [`slot::CORE_COUNT`]), obtains the namespace
/// (reusing it, or loading `compressed`) and reads its tools. Returns the
/// byte range of the payload's bytes opcode and data within `w`.
fn core(w: &mut OpWriter, namespace: &str, compressed: &[u8]) -> Range<usize> {
    w.op(MARK);
    w.str("builtins");
    memoize_as(w, slot::BUILTINS);
    for (name, s) in [
        ("next", slot::NEXT),
        ("filter", slot::FILTER),
        ("map", slot::MAP),
        ("getattr", slot::GETATTR),
    ] {
        w.get(slot::BUILTINS);
        w.str(name);
        w.op(STACK_GLOBAL);
        memoize_as(w, s);
    }
    w.str("itertools");
    memoize_as(w, slot::ITERTOOLS);
    for (name, s) in [("chain", slot::CHAIN), ("starmap", slot::STARMAP)] {
        w.get(slot::ITERTOOLS);
        w.str(name);
        w.op(STACK_GLOBAL);
        memoize_as(w, s);
    }
    w.global("functools", "partial");
    memoize_as(w, slot::PARTIAL);
    w.str(namespace);
    memoize_as(w, slot::NAMESPACE_NAME);

    // next(filter(None, chain((sys.modules.get(NS),), map(loads, map(decompress, (PAYLOAD,))))))
    let mut cut = 0..0;
    first_truthy(
        w,
        |w| {
            w.get(slot::BUILTINS);
            w.str("dict.get");
            w.op(STACK_GLOBAL);
            memoize_as(w, slot::DICT_GET);
            w.global("sys", "modules");
            memoize_as(w, slot::MODULES);
            w.get(slot::NAMESPACE_NAME);
            w.tuple_close(2);
            w.reduce();
        },
        |w| {
            w.get(slot::MAP);
            w.global("pickle", "loads");
            memoize_as(w, slot::LOADS);
            w.get(slot::MAP);
            w.global("zlib", "decompress");
            cut.start = w.len();
            w.bytes(compressed);
            cut.end = w.len();
            memoize_as(w, slot::PAYLOAD);
            w.tuple_close(1);
            w.tuple_close(2);
            w.reduce();
            w.tuple_close(2);
            w.reduce();
        },
    );
    memoize_as(w, slot::NAMESPACE);

    let tool_slots = slot::LOOKUP..=slot::METACLASS;
    assert_eq!(tool_slots.clone().count(), NAMESPACE_TOOLS.len());
    for (name, s) in NAMESPACE_TOOLS.iter().zip(tool_slots) {
        w.get(slot::GETATTR);
        w.get(slot::NAMESPACE);
        w.str(name);
        w.tuple_close(2);
        w.reduce();
        memoize_as(w, s);
    }
    assert_eq!(w.memo_len(), slot::CORE_COUNT);
    w.op(POP_MARK);
    cut
}

/// The standalone bootstrap: `PROTO 4` and the bootstrap core around the
/// compressed payload. Every standalone class pickle starts with it (the
/// header rebuilds the same bytes at load time from the namespace's `head`
/// and `tail`); the reader recognises it instead of interpreting it.
pub fn standalone(compressed: &[u8]) -> Vec<u8> {
    let mut w = OpWriter::new();
    w.proto();
    core(&mut w, NAMESPACE, compressed);
    w.into_bytes()
}

/// Builds the header around the compressed payload: `PROTO`, one `FRAME`,
/// then opcodes that leave the memo as [`crate::layout::slot`] describes and
/// the stack empty. `compressed` is [`payload`] in zlib format.
pub fn header(compressed: &[u8]) -> Vec<u8> {
    header_for(NAMESPACE, compressed)
}

/// [`header`] for another namespace name (with a matching [`payload_for`]).
pub fn header_for(namespace: &str, compressed: &[u8]) -> Vec<u8> {
    let mut w = OpWriter::new();
    let cut = core(&mut w, namespace, compressed);
    let payload_op = w.as_bytes()[cut.start..cut.end - compressed.len()].to_vec();

    w.op(MARK);
    w.get(slot::BUILTINS);
    w.str("bytes.join");
    w.op(STACK_GLOBAL);
    memoize_as(&mut w, slot::BYTES_JOIN);
    // The standalone bootstrap: the core again, as bytes, rebuilt from the
    // namespace's copies of its opcodes and this header's payload.
    // b"".join((ns.bootstrap_head, PAYLOAD_OPCODE, PAYLOAD, ns.bootstrap_tail))
    w.get(slot::BYTES_JOIN);
    w.bytes(b"");
    let ns_attr = |w: &mut OpWriter, name: &str| {
        w.get(slot::GETATTR);
        w.get(slot::NAMESPACE);
        w.str(name);
        w.tuple_close(2);
        w.reduce();
    };
    w.op(MARK);
    ns_attr(&mut w, BOOTSTRAP_HEAD);
    w.bytes(&payload_op);
    w.get(slot::PAYLOAD);
    ns_attr(&mut w, BOOTSTRAP_TAIL);
    w.op(TUPLE);
    w.tuple_close(2);
    w.reduce();
    memoize_as(&mut w, slot::STANDALONE);
    assert_eq!(w.memo_len(), slot::COUNT);

    w.op(POP_MARK);

    let body = w.into_bytes();
    let mut out = Vec::with_capacity(body.len() + 11);
    out.extend_from_slice(&[PROTO, PROTOCOL, FRAME]);
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(&body);
    out
}
