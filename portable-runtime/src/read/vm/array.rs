//! Arrays in our streams: the array tools are recognised by their exact
//! bytes (skipped, their memo slots filled with [`Sym::ArrayTool`]
//! placeholders), and each array's uniform call over those slots
//! (docs/FORMAT.md, "Arrays") becomes the object
//! `numpy.ndarray(shape, dtype, buffer)`, which the typed side converts.

use std::sync::Arc;

use super::class_pickle::Sym;
use super::{malformed, Id, Node, ObjNode, Source, Unpickler};
use crate::read::error::Error;
use crate::read::value::{Call, Global};
use portable_format::array::offset;

impl<S: Source> Unpickler<'_, S> {
    /// After a `BINGET` of the header's `next` (slot 1): if the array
    /// tools follow, skips them and defines their slots. Returns whether
    /// it did (the `BINGET` is then part of the tools, not a push).
    pub(super) fn array_tools(&mut self) -> Result<bool, Error> {
        let tools = crate::array::tools_bytes();
        if self.prefixes.header.is_empty() || !self.src.skip_prefix(&tools[2..])? {
            return Ok(false);
        }
        for k in 0..offset::COUNT {
            let id = self.sym(Sym::ArrayTool(k))?;
            let idx = self.memo_len() as u64;
            self.memo_put(idx, id)?;
        }
        Ok(true)
    }

    /// A call of array tool `k` (see [`portable_format::array::offset`]).
    pub(super) fn call_array_tool(&mut self, k: u32, args: Vec<Id>) -> Result<Id, Error> {
        match (k, &args[..]) {
            // The argument selectors, the view and the finishing step: the
            // identity here (the tuple, the buffer, the array).
            (offset::VEC_ARGS | offset::ND_ARGS | offset::EMPTY_ARGS | offset::VIEW | offset::ND_FINISH, &[x]) => Ok(x),
            (offset::VEC_MAKE | offset::ND_MAKE | offset::EMPTY_MAKE, &[shape, dtype, _code, buffer, ..])
                if args.len() <= 5 =>
            {
                if !matches!(self.node(shape), Node::Tuple(_))
                    || self.str_of(dtype).is_none()
                    || !matches!(self.node(buffer), Node::ByteArray(_) | Node::Bytes(_))
                {
                    return Err(malformed(
                        "array call whose arguments are not (shape, dtype, code, buffer)",
                    ));
                }
                // Each array's calls are bounded by its bytes, not by the
                // descriptor work limit.
                self.sym_work = self.sym_work.saturating_sub(6);
                let class = Arc::new(Global::new("numpy", "ndarray"));
                self.charge(std::mem::size_of::<Global>() + 12 + 3 * super::BLOCK)?;
                self.alloc(Node::Object(Box::new(ObjNode {
                    class,
                    call: Call::Reduce,
                    args: vec![shape, dtype, buffer],
                    kwargs: Vec::new(),
                    state: None,
                })))
            }
            _ => Err(malformed("array tool called outside the shape of an array")),
        }
    }
}
