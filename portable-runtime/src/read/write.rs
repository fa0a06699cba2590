//! `PortablePickle` for [`Value`]: a decoded value written back through the
//! one opcode writer.

use std::io;
use std::sync::Arc;

use super::value::{Call, Global, Value};
use crate::opcodes::*;
use crate::{impls, Encoder, PortablePickle};

/// Written as the Python object it describes. Classes and other globals are
/// written by `STACK_GLOBAL` of their module and name (a stand-in class of
/// `_portable_pickle_v3` then loads only where that namespace holds it, as
/// when CPython re-pickles such an object); a [`Value::Shared`] is written
/// once and referenced through the memo, and so is a class (one `Arc<Global>`)
/// however many objects name it, so the stream stays as large as the tree;
/// a `bytearray` as `builtins.bytearray(bytes)`.
impl PortablePickle for Value {
    fn write_pickle(&self, p: &mut Encoder<'_>) -> io::Result<()> {
        match self {
            Value::None => p.w().none(),
            Value::Bool(b) => p.w().bool(*b),
            Value::Int(i) => p.w().int(*i),
            Value::BigInt(b) => p.w().long(b.as_le_bytes()),
            Value::Float(f) => p.w().float(*f),
            Value::Str(s) => return p.str(s),
            Value::Bytes(b) => return p.bytes(b),
            Value::ByteArray(b) => {
                p.w().global("builtins", "bytearray");
                p.bytes(b)?;
                p.w().tuple_close(1);
                p.w().reduce();
            }
            Value::List(items) => return impls::write_list(p, items.iter()),
            Value::Tuple(items) => {
                p.w().tuple_open(items.len());
                for v in items {
                    v.write_pickle(p)?;
                }
                p.w().tuple_close(items.len());
            }
            Value::Dict(pairs) => return impls::write_dict(p, pairs.iter().map(|(k, v)| (k, v))),
            Value::Set(items) => return impls::write_set(p, items.iter()),
            Value::FrozenSet(items) => {
                p.w().op(MARK);
                for v in items {
                    v.write_pickle(p)?;
                }
                p.w().op(FROZENSET);
            }
            Value::Global(g) => return write_global(p, g),
            Value::Object(o) => {
                write_global(p, &o.class)?;
                p.w().tuple_open(o.args.len());
                for v in &o.args {
                    v.write_pickle(p)?;
                }
                p.w().tuple_close(o.args.len());
                match (o.call, o.kwargs.is_empty()) {
                    (Call::Reduce, true) => p.w().reduce(),
                    (Call::New, true) => p.w().op(NEWOBJ),
                    (_, false) => {
                        impls::write_dict(p, o.kwargs.iter().map(|(k, v)| (k, v)))?;
                        p.w().op(NEWOBJ_EX);
                    }
                }
                if let Some(state) = &o.state {
                    state.write_pickle(p)?;
                    p.w().op(BUILD);
                }
            }
            Value::Shared(rc) => return p.shared(Arc::as_ptr(rc) as usize, |p| (**rc).write_pickle(p)),
        }
        p.boundary()
    }
}

/// A global, memoized by its allocation: written once, referenced after.
fn write_global(p: &mut Encoder<'_>, g: &Arc<Global>) -> io::Result<()> {
    p.shared(Arc::as_ptr(g) as usize, |p| {
        p.w().global(&g.module, &g.name);
        p.boundary()
    })
}
