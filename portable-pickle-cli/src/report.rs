//! The inspection report: built from the library's description of the
//! reader's read ([`portable_pickle::inspect`]), whose verdict it is,
//! printed as text or JSON.

use std::fmt::Write as _;

use portable_pickle::inspect::{self, ClassInfo, ClassKind, Place, Summary};
use portable_pickle::{Error, ErrorKind};

/// Where a global stands with docs/FORMAT.md's allowlist.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// On the allowlist (`portable_format::globals`).
    Allowlist,
    /// A class of a runtime namespace `_portable_pickle_vN`.
    Namespace,
    /// A name a session's earlier pickle registered (`_pp_v2.ALIAS`): the
    /// reader resolves it only to what the session registered.
    Session,
    /// Neither.
    OffList,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Allowlist => "allowlist",
            Status::Namespace => "namespace",
            Status::Session => "session",
            Status::OffList => "OFF-LIST",
        }
    }
}

/// One distinct global with where it occurs.
pub struct GlobalLine {
    pub module: String,
    pub name: String,
    pub status: Status,
    pub count: usize,
    /// Distinct places, in order: `stream@12`, `payload@40`, …
    pub places: Vec<String>,
    /// What a session alias stands for, as the reader resolved it.
    pub resolves_to: Option<String>,
}

pub struct Report {
    pub file: String,
    pub summary: Summary,
    pub globals: Vec<GlobalLine>,
    /// What the reader says (the inspector's read is the reader's): a
    /// global it refuses makes the verdict REFUSED; the stream is never
    /// read again with more allowed.
    pub reader: Result<(), Error>,
    /// Offset where the stream first differs from this build's header, for
    /// a portable-pickle stream whose header is not recognised.
    pub header_differs_at: Option<usize>,
}

fn place_name(p: &Place) -> String {
    match p {
        Place::Stream => "stream".into(),
        Place::Payload => "payload".into(),
        Place::ClassDefinition { key, .. } => format!("definition {key}"),
        Place::ClassPickle { offset } => format!("class pickle @{offset}"),
    }
}

pub fn status(module: &str, name: &str) -> Status {
    if inspect::is_namespace_class(module, name) {
        Status::Namespace
    } else if inspect::is_session_name(module, name) {
        Status::Session
    } else if inspect::is_allowed(module, name) {
        Status::Allowlist
    } else {
        Status::OffList
    }
}

impl Report {
    /// The report of one pickle, `bytes` (its own bytes and what follows),
    /// from its description.
    pub fn build(file: &str, bytes: &[u8], summary: Summary) -> Report {
        let reader = summary.error.clone().map_or(Ok(()), Err);
        let mut globals: Vec<GlobalLine> = Vec::new();
        for g in &summary.globals {
            let place = format!("{}@{}", place_name(&g.place), g.offset);
            match globals.iter_mut().find(|l| l.module == g.module && l.name == g.name) {
                Some(l) => {
                    l.count += 1;
                    if l.places.len() < 4 && !l.places.iter().any(|p| p.starts_with(&place_name(&g.place))) {
                        l.places.push(place);
                    }
                }
                None => globals.push(GlobalLine {
                    module: g.module.clone(),
                    name: g.name.clone(),
                    status: status(&g.module, &g.name),
                    count: 1,
                    places: vec![place],
                    resolves_to: g.resolves_to.clone(),
                }),
            }
        }
        let namespaced = summary.namespaces.iter().any(|n| n != inspect::SESSION_MODULE);
        let header_differs_at = (summary.header.is_none() && namespaced).then(|| {
            let h = portable_pickle::HEADER;
            h.iter()
                .zip(bytes)
                .position(|(a, b)| a != b)
                .unwrap_or(h.len().min(bytes.len()))
        });
        Report {
            file: file.to_owned(),
            summary,
            globals,
            reader,
            header_differs_at,
        }
    }

    /// Globals off the allowlist.
    pub fn off_list(&self) -> impl Iterator<Item = &GlobalLine> {
        self.globals.iter().filter(|g| g.status == Status::OffList)
    }

    /// The reader's refusal, if it refused a global or a feature.
    pub fn refused(&self) -> Option<&Error> {
        self.reader
            .as_ref()
            .err()
            .filter(|e| matches!(e.kind(), ErrorKind::ForbiddenGlobal { .. } | ErrorKind::Unsupported(_)))
    }

    /// The error that makes the stream malformed, if any: the reader's,
    /// unless it is a refusal.
    pub fn malformed(&self) -> Option<&Error> {
        self.reader.as_ref().err().filter(|_| self.refused().is_none())
    }

    /// Whether everything is in order (exit status 0): every global on the
    /// allowlist, and the reader decodes the stream.
    pub fn ok(&self) -> bool {
        self.off_list().next().is_none() && self.reader.is_ok() && self.malformed().is_none()
    }

    fn format_line(&self) -> String {
        let s = &self.summary;
        match (&s.header, s.namespaces.first()) {
            (Some(h), _) => format!(
                "portable-pickle stream, format version {}, profile {}",
                h.version, h.profile
            ),
            (None, Some(ns)) if ns == inspect::SESSION_MODULE => {
                "a portable-pickle session's later pickle: classes by alias (_pp_v2), no header".to_owned()
            }
            (None, Some(ns)) => format!(
                "portable-pickle namespace {ns} (format version {}), profile unknown: header not recognised",
                ns.trim_start_matches("_portable_pickle_v")
            ),
            (None, None) => "plain pickle (no portable-pickle header or namespace)".to_owned(),
        }
    }

    fn header_line(&self) -> String {
        let fp = inspect::fingerprint(portable_pickle::HEADER);
        match (&self.summary.header, self.header_differs_at) {
            (Some(h), _) => format!(
                "recognised: {} bytes, fingerprint {fp:016x} (this build's HEADER)",
                h.len
            ),
            (None, Some(at)) => {
                format!("not recognised: differs from this build's HEADER (fingerprint {fp:016x}) at byte {at}")
            }
            (None, None) => "none".to_owned(),
        }
    }

    /// The human-readable report.
    pub fn text(&self) -> String {
        let s = &self.summary;
        let z = &s.sizes;
        let mut o = String::new();
        let proto = s.protocol.map_or("0 or 1 (no PROTO)".to_owned(), |p| p.to_string());
        let _ = writeln!(
            o,
            "file      {} ({} bytes, pickle protocol {proto})",
            self.file, z.total
        );
        let _ = writeln!(o, "format    {}", self.format_line());
        let _ = writeln!(o, "header    {}", self.header_line());
        let _ = writeln!(
            o,
            "sizes     header {} + type table {} + body {} + trailing {} = {} bytes",
            z.header, z.type_table, z.body, z.trailing, z.total
        );
        let _ = writeln!(o, "opcodes   {} in {} frames", s.opcodes, s.frames);

        // Classes the stream defines, apart from what it merely names and
        // calls (stdlib types, helper functions, classes of other modules).
        let (defined, called): (Vec<_>, Vec<_>) = s.classes.iter().partition(|c| c.kind != ClassKind::Global);
        let _ = writeln!(o, "\ntype table ({} classes)", defined.len());
        for c in defined {
            class_text(&mut o, c);
        }
        if !called.is_empty() {
            let _ = writeln!(
                o,
                "\ncalled globals ({}: classes and functions named, not defined)",
                called.len()
            );
            for c in called {
                let _ = writeln!(o, "  {}.{}  calls {}", c.module, c.name, c.instances);
            }
        }

        let off = self.off_list().count();
        let verdict = if off == 0 {
            "all on the allowlist".to_owned()
        } else {
            format!("{off} OFF the allowlist")
        };
        let _ = writeln!(o, "\nglobals ({} distinct, {verdict})", self.globals.len());
        let width = self
            .globals
            .iter()
            .map(|g| g.module.len() + g.name.len() + 1)
            .max()
            .unwrap_or(0);
        for g in &self.globals {
            let full = format!("{}.{}", g.module, g.name);
            let alias = g.resolves_to.as_ref().map_or(String::new(), |c| format!("  = {c}"));
            let _ = writeln!(
                o,
                "  {full:width$}  {:9}  {}x  {}{alias}",
                g.status.as_str(),
                g.count,
                g.places.join(", ")
            );
        }

        if !s.nested.is_empty() {
            let _ = writeln!(o, "\nnested units ({} read)", s.nested.len());
            for n in &s.nested {
                let _ = write!(o, "  {} ({} bytes)", place_name(&n.place), n.len);
                match &n.error {
                    Some(e) => {
                        let _ = writeln!(o, ": reader stopped: {e}");
                    }
                    None => o.push('\n'),
                }
            }
        }

        let _ = writeln!(o);
        match &self.reader {
            Ok(()) => {
                let _ = writeln!(o, "reader    ok: decodes without executing anything");
            }
            Err(e) if self.refused().is_some() => {
                let _ = writeln!(o, "reader    refuses: {e}");
            }
            Err(e) => {
                let _ = writeln!(o, "reader    error: {e}");
            }
        }
        if !s.complete {
            let _ = writeln!(o, "opcodes   do not decode up to STOP");
        }
        let verdict = self.verdict();
        let _ = writeln!(o, "verdict   {verdict}");
        o
    }

    /// The verdict: OK, or each of OFF-LIST, REFUSED and MALFORMED that applies.
    pub fn verdict(&self) -> String {
        let off = self.off_list().count();
        let mut problems = Vec::new();
        if off > 0 {
            problems.push(format!("OFF-LIST: {off} global(s) not on the allowlist"));
        }
        if let Some(e) = self.refused() {
            problems.push(format!("REFUSED: {e}"));
        }
        if let Some(e) = self.malformed() {
            problems.push(format!("MALFORMED: {e}"));
        }
        match problems.is_empty() {
            true => "OK".to_owned(),
            false => problems.join("; "),
        }
    }

    /// The pickle's own bytes (to its `STOP`, or all of them when its
    /// opcodes do not decode that far).
    pub fn len(&self) -> usize {
        let z = &self.summary.sizes;
        match self.summary.complete {
            false => z.total as usize,
            true => (z.total - z.trailing) as usize,
        }
    }

    /// One line: offset, size, whether it carries the header, classes,
    /// globals, the reader's word and the verdict.
    pub fn line(&self, at: usize) -> String {
        let s = &self.summary;
        let reader = match (&self.reader, self.refused()) {
            (Ok(()), _) => "reader ok".to_owned(),
            (Err(_), Some(_)) => "reader refuses".to_owned(),
            (Err(_), None) => "reader error".to_owned(),
        };
        let defined = s.classes.iter().filter(|c| c.kind != ClassKind::Global).count();
        format!(
            "@{at:<9} {:>7} B  {:10}  {defined:>3} classes  {:>3} globals  {reader}  {}",
            self.len(),
            if s.header.is_some() { "header" } else { "no header" },
            self.globals.len(),
            self.verdict()
        )
    }

    /// The machine-readable report (one JSON object).
    pub fn json(&self) -> String {
        let s = &self.summary;
        let z = &s.sizes;
        let mut o = String::from("{");
        let _ = write!(
            o,
            "\"file\":{},\"ok\":{},\"verdict\":{}",
            js(&self.file),
            self.ok(),
            js(&self.verdict())
        );
        let _ = write!(
            o,
            ",\"protocol\":{}",
            s.protocol.map_or("null".into(), |p| p.to_string())
        );
        let (version, profile) = match (&s.header, s.namespaces.first()) {
            (Some(h), _) => (h.version.to_string(), js(&h.profile)),
            (None, Some(ns)) => (
                ns.trim_start_matches("_portable_pickle_v")
                    .parse::<u32>()
                    .map_or("null".into(), |v| v.to_string()),
                "null".into(),
            ),
            _ => ("null".into(), "null".into()),
        };
        let _ = write!(
            o,
            ",\"format\":{{\"portable\":{},\"version\":{version},\"profile\":{profile},\"namespaces\":[{}]}}",
            s.header.is_some() || !s.namespaces.is_empty(),
            s.namespaces.iter().map(|n| js(n)).collect::<Vec<_>>().join(",")
        );
        let _ = write!(
            o,
            ",\"header\":{{\"recognised\":{},\"len\":{},\"fingerprint\":\"{:016x}\",\"differs_at\":{}}}",
            s.header.is_some(),
            z.header,
            inspect::fingerprint(portable_pickle::HEADER),
            self.header_differs_at.map_or("null".into(), |d| d.to_string())
        );
        let _ = write!(
            o,
            ",\"sizes\":{{\"total\":{},\"header\":{},\"type_table\":{},\"body\":{},\"trailing\":{}}}",
            z.total, z.header, z.type_table, z.body, z.trailing
        );
        let _ = write!(o, ",\"opcodes\":{},\"frames\":{}", s.opcodes, s.frames);
        o.push_str(",\"classes\":[");
        for (i, c) in s.classes.iter().enumerate() {
            if i > 0 {
                o.push(',');
            }
            class_json(&mut o, c);
        }
        o.push_str("],\"globals\":[");
        for (i, g) in self.globals.iter().enumerate() {
            if i > 0 {
                o.push(',');
            }
            let _ = write!(
                o,
                "{{\"module\":{},\"name\":{},\"status\":{},\"allowed\":{},\"count\":{},\"places\":[{}],\"resolves_to\":{}}}",
                js(&g.module),
                js(&g.name),
                js(g.status.as_str()),
                g.status != Status::OffList,
                g.count,
                g.places.iter().map(|p| js(p)).collect::<Vec<_>>().join(","),
                g.resolves_to.as_deref().map_or("null".into(), js)
            );
        }
        o.push_str("],\"nested\":[");
        for (i, n) in s.nested.iter().enumerate() {
            if i > 0 {
                o.push(',');
            }
            let _ = write!(
                o,
                "{{\"place\":{},\"len\":{},\"error\":{}}}",
                js(&place_name(&n.place)),
                n.len,
                n.error.as_ref().map_or("null".into(), error_json)
            );
        }
        let _ = write!(
            o,
            "],\"reader\":{{\"error\":{},\"refused\":{}}}",
            self.reader.as_ref().err().map_or("null".into(), error_json),
            self.refused().is_some()
        );
        let _ = write!(
            o,
            ",\"complete\":{},\"off_list\":{},\"malformed\":{}}}",
            s.complete,
            self.off_list().count(),
            self.malformed().map_or("null".into(), error_json)
        );
        o
    }
}

fn class_text(o: &mut String, c: &ClassInfo) {
    let mut line = format!("  {}  {}", c.name, c.kind.as_str());
    if let Some(b) = &c.base {
        let _ = write!(line, " of {b}");
    }
    if c.frozen {
        line.push_str(", frozen");
    }
    let _ = write!(line, "  module {}", c.module);
    if let Some(m) = &c.declared_module {
        let _ = write!(line, " (real module {m} preferred)");
    }
    let _ = write!(line, "  instances {}", c.instances);
    if !c.defined && c.kind != ClassKind::Global {
        line.push_str("  (defined by an earlier pickle)");
    }
    let _ = writeln!(o, "{line}");
    if let Some(k) = &c.key {
        let _ = writeln!(o, "      key     {k}");
    }
    if !c.fields.is_empty() {
        let fields: Vec<String> = c
            .fields
            .iter()
            .map(|f| match &f.annotation {
                Some(a) => format!("{}: {a}", f.name),
                None => f.name.clone(),
            })
            .collect();
        let _ = writeln!(o, "      fields  {}", fields.join(", "));
    }
    if !c.members.is_empty() {
        let members: Vec<String> = c
            .members
            .iter()
            .map(|(n, v)| match v {
                Some(v) => format!("{n} = {v}"),
                None => n.clone(),
            })
            .collect();
        let _ = writeln!(o, "      members {}", members.join(", "));
    }
    if let Some(d) = c.doc.as_deref().and_then(|d| d.lines().next()) {
        let _ = writeln!(o, "      doc     {d}");
    }
}

fn class_json(o: &mut String, c: &ClassInfo) {
    let fields: Vec<String> = c
        .fields
        .iter()
        .map(|f| {
            format!(
                "{{\"name\":{},\"annotation\":{}}}",
                js(&f.name),
                f.annotation.as_deref().map_or("null".into(), js)
            )
        })
        .collect();
    let members: Vec<String> = c
        .members
        .iter()
        .map(|(n, v)| {
            format!(
                "{{\"name\":{},\"value\":{}}}",
                js(n),
                v.map_or("null".into(), |v| v.to_string())
            )
        })
        .collect();
    let opt = |s: &Option<String>| s.as_deref().map_or("null".into(), js);
    let _ = write!(
        o,
        "{{\"name\":{},\"module\":{},\"key\":{},\"kind\":{},\"fields\":[{}],\"members\":[{}],\"doc\":{},\"frozen\":{},\"declared_module\":{},\"base\":{},\"defined\":{},\"instances\":{}}}",
        js(&c.name),
        js(&c.module),
        opt(&c.key),
        js(c.kind.as_str()),
        fields.join(","),
        members.join(","),
        opt(&c.doc),
        c.frozen,
        opt(&c.declared_module),
        opt(&c.base),
        c.defined,
        c.instances
    );
}

fn error_json(e: &Error) -> String {
    format!(
        "{{\"message\":{},\"offset\":{},\"opcode\":{}}}",
        js(&e.to_string()),
        e.offset().map_or("null".into(), |o| o.to_string()),
        e.opcode().map_or("null".into(), |op| js(inspect::opcode_name(op)))
    )
}

/// A JSON string literal.
pub fn js(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for ch in s.chars() {
        match ch {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\t' => o.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(o, "\\u{:04x}", c as u32);
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}
