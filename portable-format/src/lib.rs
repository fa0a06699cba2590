//! The portable-pickle format, in one place: the opcode table, the memo
//! layout the header leaves behind, the class keys, the one opcode writer,
//! and the Python recipes of the bootstrap header and the class descriptors.
//!
//! `build.rs` (the static header), the derive macro (class descriptors, at
//! compile time) and the runtime (stream bodies, and the reader) all build
//! on this crate, so no opcode, slot or key logic exists twice.
#![doc = "\n\nPart of [portable-pickle](https://docs.rs/portable-pickle), whose users \
depend on that crate; the format this crate encodes is described in \
[docs/FORMAT.md](https://github.com/portable-pickle/portable-pickle/blob/main/docs/FORMAT.md)."]
#![warn(missing_docs)]

pub mod array;
pub mod descriptor;
pub mod globals;
pub mod header;
pub mod layout;
pub mod names;
pub mod opcodes;
pub mod pyexpr;
pub mod pytype;
pub mod strict;
pub mod writer;
