//! What the `portable-pickle inspect` tool reports: the reader's own read
//! of a pickle, described.
//!
//! Each pickle is read by the reader itself ([`crate::read`]'s machine,
//! with its default table of globals and its allocation budget), which
//! keeps a trace of what it learns: every global it resolves and where
//! (the stream, a class pickle, a class definition), each class a
//! descriptor builds (name, module, fields with their annotations, kind,
//! members, doc, frozen, preferred module), instances per class, and what a
//! session's aliases stand for. Its verdict is the inspector's: a pickle
//! the reader refuses or cannot read is never reported as in order, and
//! nothing is read again with more allowed.
//!
//! Beside it, one pass of the same opcode decoder ([`super::ops`]) counts
//! opcodes and frames, finds `STOP` even where the reader stopped early,
//! sizes the parts (header, type table, body, trailing bytes) and lists the
//! globals the opcodes name, the recognised header's and its payload's
//! included (the reader recognises those by their bytes and does not
//! interpret them).
//!
//! [`Inspector`] goes through the pickles of a file in turn, as an
//! [`Unpickler`](crate::read::Unpickler) does, so a session's later
//! pickles resolve their aliases; [`inspect`] describes one pickle.
//!
//! Bounds: the reader's, on every pickle (its budget,
//! [`InspectOptions::max_alloc`], bounds the memory it holds; its depth
//! limit the nesting, with no recursion on the input's depth); the pass
//! keeps counts and at most [`scan::MAX_MARKS`] marks and
//! [`scan::MAX_MEMO`] memo entries; nothing is inflated or decompressed.

mod scan;
mod types;

pub use types::*;

use super::source::SliceSource;
use super::vm::{read_value_traced, Admit, SessionTable, Trace};
use super::{KnownPrefixes, ReadOptions};
use crate::layout::SESSION_MODULE;
pub use scan::{MAX_MARKS, MAX_MEMO, MAX_MEMO_TEXT};

/// Describes the pickle at the start of `bytes` (what follows its `STOP`
/// is counted as trailing bytes). Never fails: the reader's refusal or
/// error is in [`Summary::error`], with what was found until then.
pub fn inspect(bytes: &[u8], options: &InspectOptions<'_>) -> Summary {
    Inspector::new(options).next_pickle(bytes)
}

/// The pickles of one file in turn, read as one session.
pub struct Inspector<'o> {
    options: &'o InspectOptions<'o>,
    read: ReadOptions,
    session: SessionTable,
    trace: Trace,
}

impl<'o> Inspector<'o> {
    /// An inspector for the pickles of one file or stream.
    pub fn new(options: &'o InspectOptions<'o>) -> Self {
        let mut read = ReadOptions::default();
        if let Some(max) = options.max_alloc {
            read.max_alloc = max;
        }
        Inspector {
            options,
            read,
            session: SessionTable::default(),
            trace: Trace::default(),
        }
    }

    /// Describes the next pickle, at the start of `bytes`: read in the
    /// session of the pickles described before (a later pickle's aliases
    /// resolve to the classes an earlier one registered).
    pub fn next_pickle(&mut self, bytes: &[u8]) -> Summary {
        let header = self
            .options
            .headers
            .iter()
            .find(|h| !h.header.is_empty() && bytes.starts_with(h.header));
        let known = |profile: &str| {
            self.options
                .headers
                .iter()
                .find(|h| h.profile == profile)
                .map_or(&b""[..], |h| h.header)
        };
        let prefixes = KnownPrefixes {
            header: known("default"),
            standalone: self
                .options
                .headers
                .iter()
                .find(|h| h.profile == "default")
                .map_or(&b""[..], |h| h.standalone),
            strict_header: known("strict"),
        };
        let admit = Admit {
            options: &self.read,
            class_names: &|_| false,
            serde: false,
        };
        self.trace.next_pickle();
        let read = read_value_traced(
            SliceSource::new(bytes),
            prefixes,
            admit,
            &mut self.session,
            &mut self.trace,
        );
        let header_len = header.map_or(0, |h| h.header.len()) as u64;
        let scan = scan::scan(bytes, &Place::Stream, header_len);
        let mut summary = Summary {
            protocol: scan.protocol,
            header: header.map(|h| RecognisedHeader {
                profile: h.profile.to_owned(),
                version: h.version,
                len: h.header.len() as u64,
            }),
            opcodes: scan.opcodes,
            frames: scan.frames,
            complete: scan.end.is_some(),
            error: read.err().or(scan.error),
            ..Summary::default()
        };
        if let Some(h) = header.filter(|h| !h.payload.is_empty()) {
            let payload = scan::scan(h.payload, &Place::Payload, u64::MAX);
            summary.nested.push(Nested {
                place: Place::Payload,
                len: h.payload.len(),
                error: payload.error,
            });
            summary.globals.extend(payload.globals);
        }
        self.globals(&mut summary, scan.globals);
        let end = scan.end.unwrap_or(bytes.len() as u64);
        let header_len = header_len.min(end);
        let discarded = scan.discarded.min(end - header_len);
        summary.sizes = Sizes {
            total: bytes.len() as u64,
            header: header_len,
            type_table: discarded,
            body: end - header_len - discarded,
            trailing: bytes.len() as u64 - end,
        };
        summary
    }

    /// The globals: the stream's as the pass found them, named as the
    /// reader resolved them where it did; then the nested units'. The type
    /// table: what this pickle defines, calls or names by alias.
    fn globals(&mut self, summary: &mut Summary, stream: Vec<GlobalRef>) {
        let trace = &mut self.trace;
        let mut traced = trace.globals.iter().filter(|g| g.place == Place::Stream).peekable();
        for mut g in stream {
            while traced.peek().is_some_and(|t| t.offset < g.offset) {
                traced.next();
            }
            if let Some(t) = traced.peek().filter(|t| t.offset == g.offset) {
                g.module.clone_from(&t.module);
                g.name.clone_from(&t.name);
                g.resolves_to.clone_from(&t.resolves_to);
            }
            summary.globals.push(g);
        }
        summary.nested.append(&mut trace.nested);
        summary
            .globals
            .extend(trace.globals.iter().filter(|g| g.place != Place::Stream).cloned());
        let named: Vec<&str> = summary
            .globals
            .iter()
            .filter_map(|g| g.resolves_to.as_deref())
            .collect();
        summary.classes = trace
            .classes
            .iter()
            .filter(|c| c.defined || c.instances > 0 || named.contains(&c.name.as_str()))
            .cloned()
            .collect();
        for g in &summary.globals {
            let ns = &g.module;
            if (is_namespace(ns) || ns == SESSION_MODULE) && !summary.namespaces.contains(ns) {
                summary.namespaces.push(ns.clone());
            }
        }
    }
}

/// Whether `module` is a runtime namespace name, `_portable_pickle_v<N>`.
pub fn is_namespace(module: &str) -> bool {
    module
        .strip_prefix("_portable_pickle_v")
        .is_some_and(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
}
