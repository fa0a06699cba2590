//! The stdlib globals a stream body may reference (listed once, in
//! `portable_format::globals`).

pub(crate) use portable_format::globals::*;
