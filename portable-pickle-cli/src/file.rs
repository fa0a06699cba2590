//! A file of one or more pickles (a `Pickler` session, Python's
//! `pickle.dump` in a loop): one [`Report`] per pickle, each read by one
//! [`inspect::Inspector`] over the whole file (so a session's later pickles
//! resolve their aliases), and the totals.

use std::fmt::Write as _;

use portable_pickle::inspect;

use crate::report::{js, Report};

/// The most pickles a file's report describes; the rest is reported as not
/// inspected (and the verdict is not OK).
const MAX_PICKLES: usize = 1_000_000;

pub struct FileReport {
    file: String,
    len: usize,
    /// Each pickle's offset and report.
    pickles: Vec<(usize, Report)>,
    /// Bytes past the last pickle described, when [`MAX_PICKLES`] stopped the walk.
    uninspected: usize,
}

impl FileReport {
    pub fn build(file: &str, bytes: &[u8], options: &inspect::InspectOptions<'_>) -> FileReport {
        let mut pickles = Vec::new();
        let mut inspector = inspect::Inspector::new(options);
        let mut at = 0;
        // An empty file is described once: no pickle is malformed input.
        while (at < bytes.len() || pickles.is_empty()) && pickles.len() < MAX_PICKLES {
            let mut summary = inspector.next_pickle(&bytes[at..]);
            let len = match summary.complete {
                true => (summary.sizes.total - summary.sizes.trailing) as usize,
                false => bytes.len() - at,
            };
            // What follows is the next pickle, not this one's trailing bytes.
            let more = summary.complete && at + len < bytes.len();
            if more {
                summary.sizes.total = len as u64;
                summary.sizes.trailing = 0;
            }
            let name = match (at, more || !summary.complete) {
                (0, false) => file.to_owned(),
                _ => format!("{file} #{} @{at}", pickles.len() + 1),
            };
            pickles.push((at, Report::build(&name, &bytes[at..], summary)));
            if !more || len == 0 {
                break;
            }
            at += len;
        }
        let end = pickles.last().map_or(0, |(at, r)| at + r.len());
        FileReport {
            file: file.to_owned(),
            len: bytes.len(),
            pickles,
            uninspected: bytes.len().saturating_sub(end),
        }
    }

    /// Whether every pickle is in order and the whole file was inspected.
    pub fn ok(&self) -> bool {
        self.uninspected == 0 && self.pickles.iter().all(|(_, r)| r.ok())
    }

    fn with_header(&self) -> usize {
        self.pickles.iter().filter(|(_, r)| r.summary.header.is_some()).count()
    }

    fn totals(&self) -> String {
        let off: usize = self.pickles.iter().map(|(_, r)| r.off_list().count()).sum();
        let refused = self.pickles.iter().filter(|(_, r)| r.refused().is_some()).count();
        let malformed = self.pickles.iter().filter(|(_, r)| r.malformed().is_some()).count();
        let mut line = format!(
            "{} pickles, {} with the header, {} bytes; {off} off-list global(s), {refused} refused, {malformed} malformed",
            self.pickles.len(),
            self.with_header(),
            self.len
        );
        if self.uninspected > 0 {
            let _ = write!(
                line,
                "; {} bytes after pickle {MAX_PICKLES} not inspected",
                self.uninspected
            );
        }
        line
    }

    fn verdict(&self) -> String {
        match self.pickles.iter().position(|(_, r)| !r.ok()) {
            _ if self.pickles.len() == 1 && self.uninspected == 0 => self.pickles[0].1.verdict(),
            None if self.uninspected == 0 => "OK".to_owned(),
            None => format!("NOT INSPECTED: more than {MAX_PICKLES} pickles"),
            Some(i) => format!(
                "pickle #{} (@{}): {}",
                i + 1,
                self.pickles[i].0,
                self.pickles[i].1.verdict()
            ),
        }
    }

    /// The human-readable report: a single pickle's as before; for several,
    /// a section per pickle (or, with `summary`, one line each), the totals
    /// and the verdict.
    pub fn text(&self, summary: bool) -> String {
        if self.pickles.len() == 1 && self.uninspected == 0 && !summary {
            return self.pickles[0].1.text();
        }
        let mut o = format!(
            "file      {} ({} bytes, {} pickles)\n",
            self.file,
            self.len,
            self.pickles.len()
        );
        for (i, (at, r)) in self.pickles.iter().enumerate() {
            if summary {
                let _ = writeln!(o, "  #{:<6} {}", i + 1, r.line(*at));
            } else {
                let _ = writeln!(o, "\n== pickle #{} @{at} ({} bytes) ==", i + 1, r.len());
                o.push_str(&r.text());
            }
        }
        let _ = writeln!(o, "\ntotals    {}", self.totals());
        let _ = writeln!(o, "verdict   {}", self.verdict());
        o
    }

    /// One JSON object: a single pickle's report as before; for several,
    /// `{"file", "ok", "pickles": [{"offset", "report"}…], "totals"}`.
    pub fn json(&self) -> String {
        if self.pickles.len() == 1 && self.uninspected == 0 {
            return self.pickles[0].1.json();
        }
        let pickles: Vec<String> = self
            .pickles
            .iter()
            .map(|(at, r)| format!("{{\"offset\":{at},\"report\":{}}}", r.json()))
            .collect();
        format!(
            "{{\"file\":{},\"ok\":{},\"len\":{},\"pickles\":[{}],\"with_header\":{},\"uninspected\":{},\"verdict\":{}}}",
            js(&self.file),
            self.ok(),
            self.len,
            pickles.join(","),
            self.with_header(),
            self.uninspected,
            js(&self.verdict())
        )
    }
}
