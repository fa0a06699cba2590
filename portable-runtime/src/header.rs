//! The recipe of the static bootstrap header and of the compressed payload
//! it carries. `build.rs` runs it once at compile time; nothing here runs
//! when a stream is written.
//!
//! The header needs no conditional opcode: "reuse the namespace if present,
//! else load the payload" is `next(filter(None, chain((sys.modules.get(NS),),
//! map(pickle.loads, map(zlib.decompress, (PAYLOAD,))))))`. `map` is lazy, so
//! the payload is decompressed and loaded only when the first item is `None`.

use crate::descriptor::first_truthy;
use crate::layout::{slot, FORMAT_VERSION, NAMESPACE, NAMESPACE_TOOLS};
use crate::opcodes::*;
use crate::writer::OpWriter;

/// Docstring of the runtime namespace module.
const NAMESPACE_DOC: &str = "Classes of streams written by portable-pickle (private).";
/// Name of the stand-in classes' metaclass.
const METACLASS: &str = "PortableType";
/// Its docstring.
const METACLASS_DOC: &str = "Metaclass of portable-pickle's stand-in classes; pickles them by their unique key.";

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

/// Builds the payload: an inner pickle that creates the runtime namespace
/// module, fills it with the constructors, registers it in `sys.modules` and
/// returns it.
pub fn payload() -> Vec<u8> {
    payload_for(NAMESPACE, FORMAT_VERSION)
}

/// [`payload`] for another namespace name and format version (tests use it
/// to simulate a future format).
pub fn payload_for(namespace: &str, version: u32) -> Vec<u8> {
    let mut w = OpWriter::new();
    w.proto();
    w.op(MARK);
    // Batch 1: the primitives.
    w.global("functools", "partial");
    let partial = w.memoize();
    w.global("dataclasses", "dataclass");
    let dataclass = w.memoize();
    w.global("enum", "Enum");
    let enum_ = w.memoize();
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
    // an attribute of the namespace under its unique key, so `pickle.dumps`
    // finds it by name.
    w.get(builtins);
    w.str("vars");
    w.op(STACK_GLOBAL);
    w.get(module);
    w.tuple_close(1);
    w.reduce();
    let classes = w.memoize();
    // The metaclass of every stand-in class: type("PortableType", (type,), {...}).
    w.get(builtins);
    w.str("type");
    w.op(STACK_GLOBAL);
    let type_ = w.memoize();
    w.str(METACLASS);
    w.get(type_);
    w.tuple_close(1);
    w.op(EMPTY_DICT);
    w.op(MARK);
    w.str("__module__");
    w.get(ns_name);
    w.str("__qualname__");
    w.str(METACLASS);
    w.str("__doc__");
    w.str(METACLASS_DOC);
    w.op(SETITEMS);
    w.tuple_close(3);
    w.reduce();
    let metaclass = w.memoize();

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
        &|w| partial_with_keywords(w, partial, enum_, &[("module", &|w: &mut OpWriter| w.get(ns_name))]),
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
    w.op(SETITEMS);
    w.op(BUILD);

    // copyreg.dispatch_table[PortableType] = attrgetter("__portable_ref__"):
    // pickle then names a stand-in class by its unique key, while its
    // __qualname__ stays the plain class name that repr shows.
    w.get(builtins);
    w.str("dict.setdefault");
    w.op(STACK_GLOBAL);
    let setdefault = w.memoize();
    w.global("copyreg", "dispatch_table");
    w.get(metaclass);
    w.global("operator", "attrgetter");
    w.str(crate::layout::CLASS_REF);
    w.tuple_close(1);
    w.reduce();
    w.tuple_close(3);
    w.reduce();
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

/// Builds the header around the compressed payload: `PROTO`, one `FRAME`,
/// then opcodes that leave the memo as [`crate::layout::slot`] describes and
/// the stack empty. `compressed` is [`payload`] in zlib format.
pub fn header(compressed: &[u8]) -> Vec<u8> {
    header_for(NAMESPACE, compressed)
}

/// [`header`] for another namespace name (with a matching [`payload_for`]).
pub fn header_for(namespace: &str, compressed: &[u8]) -> Vec<u8> {
    let mut w = OpWriter::new();
    w.op(MARK);
    w.str("builtins");
    memoize_as(&mut w, slot::BUILTINS);
    for (name, s) in [
        ("next", slot::NEXT),
        ("filter", slot::FILTER),
        ("map", slot::MAP),
        ("getattr", slot::GETATTR),
    ] {
        w.get(slot::BUILTINS);
        w.str(name);
        w.op(STACK_GLOBAL);
        memoize_as(&mut w, s);
    }
    w.str("itertools");
    memoize_as(&mut w, slot::ITERTOOLS);
    for (name, s) in [("chain", slot::CHAIN), ("starmap", slot::STARMAP)] {
        w.get(slot::ITERTOOLS);
        w.str(name);
        w.op(STACK_GLOBAL);
        memoize_as(&mut w, s);
    }
    w.global("functools", "partial");
    memoize_as(&mut w, slot::PARTIAL);
    w.str(namespace);
    memoize_as(&mut w, slot::NAMESPACE_NAME);

    // next(filter(None, chain((sys.modules.get(NS),), map(loads, map(decompress, (PAYLOAD,))))))
    first_truthy(
        &mut w,
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
            w.get(slot::MAP);
            w.global("zlib", "decompress");
            w.bytes(compressed);
            w.tuple_close(1);
            w.tuple_close(2);
            w.reduce();
            w.tuple_close(2);
            w.reduce();
        },
    );
    memoize_as(&mut w, slot::NAMESPACE);

    let tool_slots = slot::LOOKUP..=slot::METACLASS;
    assert_eq!(tool_slots.clone().count(), NAMESPACE_TOOLS.len());
    for (name, s) in NAMESPACE_TOOLS.iter().zip(tool_slots) {
        w.get(slot::GETATTR);
        w.get(slot::NAMESPACE);
        w.str(name);
        w.tuple_close(2);
        w.reduce();
        memoize_as(&mut w, s);
    }
    assert_eq!(w.memo_len(), slot::COUNT);

    // If cloudpickle is loaded, have it pickle the namespace's classes by
    // value, so objects reach worker processes that never saw a stream:
    // next(map(methodcaller("register_pickle_by_value", ns),
    //          filter(None, (sys.modules.get("cloudpickle"),))), None)
    w.get(slot::NEXT);
    w.get(slot::MAP);
    w.global("operator", "methodcaller");
    w.str("register_pickle_by_value");
    w.get(slot::NAMESPACE);
    w.tuple_close(2);
    w.reduce();
    w.get(slot::FILTER);
    w.none();
    w.get(slot::DICT_GET);
    w.get(slot::MODULES);
    w.str("cloudpickle");
    w.tuple_close(2);
    w.reduce();
    w.tuple_close(1);
    w.tuple_close(2);
    w.reduce();
    w.tuple_close(2);
    w.reduce();
    w.none();
    w.tuple_close(2);
    w.reduce();
    w.op(POP_MARK);

    let body = w.into_bytes();
    let mut out = Vec::with_capacity(body.len() + 11);
    out.extend_from_slice(&[PROTO, PROTOCOL, FRAME]);
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(&body);
    out
}
