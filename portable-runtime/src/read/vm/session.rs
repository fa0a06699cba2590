//! A `Pickler` session's additions to a pickle with the header, recognised
//! by their exact bytes rather than by admitting what they call.
//!
//! Right after the header, a session's pickle gives the namespace its short
//! name: `sys.modules.setdefault("_pp_v2", namespace)`
//! (`header::session_prologue`), which calls `builtins.dict.setdefault`.
//! That global stays forbidden everywhere else: the prologue is skipped
//! only as the whole byte sequence, only while the header's memo slots it
//! reads still hold what the header put there.

use super::{Source, Unpickler};
use crate::layout::slot;
use crate::read::error::Error;

impl<S: Source> Unpickler<'_, S> {
    /// After a `BINGET` of the header's `builtins` string (slot 0): if the
    /// session prologue follows, skips it (it leaves the stack as it was).
    /// Returns whether it did.
    pub(super) fn session_prologue(&mut self) -> Result<bool, Error> {
        let intact = [slot::BUILTINS, slot::MODULES, slot::NAMESPACE].iter().all(|&s| {
            self.header_memo.get(s as usize).is_some() && self.header_memo.get(s as usize) == self.memo.get(s as usize)
        });
        if !intact {
            return Ok(false);
        }
        let prologue = crate::encoder::session_prologue();
        debug_assert_eq!(prologue[..2], [crate::opcodes::BINGET, slot::BUILTINS as u8]);
        self.src.skip_prefix(&prologue[2..])
    }
}
