//! Printing programs as Python: what a newcomer reads, and what
//! `tests/snapshots/` keeps.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::{Context, Expr, Fragment, Program, Stmt};
use crate::layout::slot;

/// Lines longer than this are broken at their outermost brackets.
const WIDTH: usize = 100;

/// Prints `program`, which runs in `context`, as Python, then each fragment
/// it carries under its label.
pub fn print_program(program: &Program, context: Context) -> String {
    let mut p = Printer::new(context);
    p.program(program, "");
    let mut out = String::new();
    let mut done = Vec::new();
    let mut pending: std::collections::VecDeque<Fragment> = std::mem::take(&mut p.fragments).into();
    out.push_str(&p.out);
    while let Some(f) = pending.pop_front() {
        if done.contains(&f.label) {
            continue;
        }
        done.push(f.label.clone());
        let mut fp = Printer::new(f.context);
        let _ = writeln!(fp.out, "\n# {} ({:?}):", f.label, f.context);
        fp.program(&f.program, "");
        out.push_str(&fp.out);
        pending.extend(fp.fragments);
    }
    out
}

/// Prints one expression on one line.
pub fn print_expr(e: &Expr) -> String {
    Printer::default().flat(e)
}

#[derive(Default)]
struct Printer {
    out: String,
    /// The first memo index of the program printed.
    first: u32,
    names: HashMap<u32, String>,
    fragments: Vec<Fragment>,
}

impl Printer {
    /// A printer for a program that runs in `context`, which knows the
    /// names of the header's slots defined there.
    fn new(context: Context) -> Printer {
        if context == Context::StrictDescriptor {
            let names = [
                "make_class",
                "with_keywords",
                "namespace_name",
                "PortableStruct",
                "enum",
                "int_enum",
                "scratch",
            ];
            return Printer {
                names: (0..).zip(names).map(|(i, n)| (i, n.to_owned())).collect(),
                ..Printer::default()
            };
        }
        let known = match context {
            Context::Fresh | Context::Reference | Context::Strict | Context::StrictDescriptor => 0,
            Context::AfterCore => slot::CORE_COUNT,
            Context::Descriptor => slot::COUNT,
        };
        Printer {
            first: if context == Context::AfterCore { known } else { 0 },
            names: (0..known)
                .filter_map(|i| Some((i, slot::name(i)?.to_owned())))
                .collect(),
            ..Printer::default()
        }
    }
}

impl Printer {
    fn program(&mut self, program: &Program, indent: &str) {
        for s in &program.stmts {
            match s {
                Stmt::Proto => {}
                Stmt::Group(items) => {
                    for e in items {
                        self.stmt_line(indent, e, "");
                    }
                }
                Stmt::Discard(e) => self.stmt_line(indent, e, ""),
                Stmt::Return(e) => self.stmt_line(indent, e, "return "),
            }
        }
    }

    fn stmt_line(&mut self, indent: &str, e: &Expr, prefix: &str) {
        let text = match e {
            // A memoized value at statement level reads as an assignment.
            Expr::Memoize { name, value, .. } => {
                let v = self.pretty(value, indent.len(), indent.len() + name.len() + 3);
                self.learn(e);
                format!("{name} = {v}")
            }
            _ => self.pretty(e, indent.len(), indent.len() + prefix.len()),
        };
        let _ = writeln!(self.out, "{indent}{prefix}{text}");
    }

    /// Records the names of the memo entries `e` defines, in order.
    fn learn(&mut self, e: &Expr) {
        let mut next = self.names.keys().max().map_or(self.first, |m| m + 1);
        visit(e, &mut |e| {
            if let Expr::Memoize { name, slot, .. } = e {
                let idx = slot.unwrap_or(next);
                self.names.insert(idx, name.clone());
                next = idx + 1;
            }
        });
    }

    /// `e` on one line if it fits after `used` columns, else with its
    /// outermost brackets broken one item a line, indented from `indent`.
    fn pretty(&mut self, e: &Expr, indent: usize, used: usize) -> String {
        let flat = self.flat(e);
        if used + flat.len() <= WIDTH {
            return flat;
        }
        let inner = indent + 4;
        let pad = " ".repeat(indent);
        let ipad = " ".repeat(inner);
        let (open, items, close): (String, Vec<String>, &str) = match e {
            Expr::Call { func, args } if !is_attr(e) => {
                let f = self.flat(func);
                let items = args.iter().map(|a| self.pretty(a, inner, inner)).collect();
                (format!("{f}("), items, ")")
            }
            Expr::Tuple(items) if !items.is_empty() => (
                "(".into(),
                items.iter().map(|a| self.pretty(a, inner, inner)).collect(),
                ")",
            ),
            Expr::List(items) => (
                "[".into(),
                items.iter().map(|a| self.pretty(a, inner, inner)).collect(),
                "]",
            ),
            Expr::Dict(pairs) => {
                let items = pairs
                    .iter()
                    .map(|(k, v)| {
                        let k = self.flat(k);
                        let v = self.pretty(v, inner, inner + k.len() + 2);
                        format!("{k}: {v}")
                    })
                    .collect();
                ("{".into(), items, "}")
            }
            Expr::Build { obj, state } => {
                let items = vec![self.pretty(obj, inner, inner), self.pretty(state, inner, inner)];
                ("build(".into(), items, ")")
            }
            Expr::Partial { func, keywords } => {
                let mut items = vec![self.flat(func)];
                for (k, v) in keywords {
                    let v = self.pretty(v, inner, inner + k.len() + 1);
                    items.push(format!("{k}={v}"));
                }
                ("functools.partial(".into(), items, ")")
            }
            Expr::Memoize { name, value, .. } => {
                let v = self.pretty(value, indent, used + name.len() + 5);
                return format!("({name} := {v})");
            }
            _ => return flat,
        };
        let mut s = format!("{open}\n");
        for item in items {
            let _ = writeln!(s, "{ipad}{item},");
        }
        let _ = write!(s, "{pad}{close}");
        s
    }

    fn flat(&mut self, e: &Expr) -> String {
        match e {
            Expr::None => "None".into(),
            Expr::Bool(b) => if *b { "True" } else { "False" }.into(),
            Expr::Int(i) => i.to_string(),
            Expr::Str(s) => py_str(s),
            Expr::Bytes { label: Some(l), .. } => l.clone(),
            Expr::Bytes { data, label: None } => py_bytes(data),
            Expr::Pickled(f) => {
                self.fragments.push((**f).clone());
                f.label.clone()
            }
            Expr::Tuple(items) => match &items[..] {
                [one] => format!("({},)", self.flat(one)),
                _ => format!("({})", self.join(items)),
            },
            Expr::List(items) => format!("[{}]", self.join(items)),
            Expr::Dict(pairs) => {
                let parts: Vec<String> = pairs
                    .iter()
                    .map(|(k, v)| format!("{}: {}", self.flat(k), self.flat(v)))
                    .collect();
                format!("{{{}}}", parts.join(", "))
            }
            Expr::Global { module, name } => format!("{module}.{name}"),
            Expr::Memo(idx) => self.names.get(idx).cloned().unwrap_or_else(|| format!("memo[{idx}]")),
            Expr::Call { func, args } => match (&**func, &args[..]) {
                (Expr::Global { module, name }, [obj, Expr::Str(attr)])
                    if module == "builtins" && name == "getattr" && crate::names::is_identifier(attr) =>
                {
                    format!("{}.{attr}", self.flat(obj))
                }
                _ => format!("{}({})", self.flat(func), self.join(args)),
            },
            Expr::Partial { func, keywords } => {
                let mut parts = vec![self.flat(func)];
                for (k, v) in keywords {
                    parts.push(format!("{k}={}", self.flat(v)));
                }
                format!("functools.partial({})", parts.join(", "))
            }
            Expr::Build { obj, state } => format!("build({}, {})", self.flat(obj), self.flat(state)),
            Expr::Memoize { name, value, .. } => {
                let v = self.flat(value);
                self.learn(e);
                format!("({name} := {v})")
            }
            Expr::Own { name, .. } => name.clone(),
        }
    }

    fn join(&mut self, items: &[Expr]) -> String {
        let parts: Vec<String> = items.iter().map(|i| self.flat(i)).collect();
        parts.join(", ")
    }
}

fn is_attr(e: &Expr) -> bool {
    matches!(e, Expr::Call { func, args } if matches!(&**func, Expr::Global { module, name } if module == "builtins" && name == "getattr")
        && matches!(&args[..], [_, Expr::Str(a)] if crate::names::is_identifier(a)))
}

/// Calls `f` on `e` and its sub-expressions, in evaluation order.
fn visit(e: &Expr, f: &mut impl FnMut(&Expr)) {
    match e {
        Expr::Tuple(items) | Expr::List(items) => items.iter().for_each(|i| visit(i, f)),
        Expr::Dict(pairs) => pairs.iter().for_each(|(k, v)| {
            visit(k, f);
            visit(v, f);
        }),
        Expr::Call { func, args } => {
            visit(func, f);
            args.iter().for_each(|a| visit(a, f));
        }
        Expr::Partial { func, keywords } => {
            visit(func, f);
            keywords.iter().for_each(|(_, v)| visit(v, f));
        }
        Expr::Build { obj, state } => {
            visit(obj, f);
            visit(state, f);
        }
        Expr::Memoize { value, .. } => visit(value, f),
        _ => {}
    }
    if matches!(e, Expr::Memoize { .. }) {
        f(e);
    }
}

/// Python's `repr` of a `str`.
pub(super) fn py_str(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::from(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Python's `repr` of `bytes`, abbreviated past 48 bytes.
pub(super) fn py_bytes(b: &[u8]) -> String {
    if b.len() > 48 {
        return format!("<{} bytes>", b.len());
    }
    let mut out = String::from("b'");
    for &c in b {
        match c {
            b'\\' => out.push_str("\\\\"),
            b'\'' => out.push_str("\\'"),
            b'\n' => out.push_str("\\n"),
            0x20..=0x7e => out.push(c as char),
            _ => {
                let _ = write!(out, "\\x{c:02x}");
            }
        }
    }
    out.push('\'');
    out
}
