//! The process-wide class cache: serde's names to encoded class
//! descriptors, each built once per process.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Mutex, OnceLock};

use crate::descriptor::{offset, ClassDescriptor, ClassShape, TypeShape, TypeSpec};
use crate::names::{is_identifier, PYTHON_KEYWORDS};

/// The identity of a `&'static str`: its address and length.
pub(super) type Id = (usize, usize);

pub(super) fn id(s: &'static str) -> Id {
    (s.as_ptr() as usize, s.len())
}

/// A class as serde's calls describe it.
#[derive(Clone, Copy)]
pub(super) struct Query<'q> {
    pub(super) name: &'static str,
    /// The variant of enum `name`, for a variant class.
    pub(super) variant: Option<&'static str>,
    pub(super) fields: Fields<'q>,
}

#[derive(Clone, Copy)]
pub(super) enum Fields<'q> {
    /// Named fields, in order.
    Named(&'q [&'static str]),
    /// `_0`, `_1`, …: tuple and newtype forms.
    Positional(usize),
}

/// How instances of a class are written.
#[derive(Clone, Copy)]
pub(super) enum Class {
    /// `cls(*fields)`, with the class at `offset` among the descriptor's slots.
    Instance(&'static ClassDescriptor, u32),
    /// No usable Python class: written in the class-less form.
    Plain,
}

/// A cached [`Query`].
struct Entry {
    name: Id,
    variant: Option<Id>,
    /// The field names (one `'static` copy per shape and process, shared
    /// by the threads' caches).
    named: &'static [&'static str],
    positional: usize,
    class: Class,
}

impl Entry {
    fn matches(&self, q: &Query<'_>) -> bool {
        self.name == id(q.name)
            && self.variant == q.variant.map(id)
            && match q.fields {
                Fields::Named(f) => {
                    self.positional == usize::MAX
                        && self.named.len() == f.len()
                        && self.named.iter().zip(f).all(|(&a, &b)| std::ptr::eq(a, b))
                }
                Fields::Positional(n) => self.positional == n,
            }
    }
}

/// FxHash-style mixing of the identity words: no name is read.
fn hash(q: &Query<'_>) -> u64 {
    fn mix(h: u64, v: usize) -> u64 {
        (h.rotate_left(5) ^ v as u64).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95)
    }
    let (p, l) = id(q.name);
    let mut h = mix(mix(0, p), l);
    if let Some(v) = q.variant {
        let (p, l) = id(v);
        h = mix(mix(mix(h, 1), p), l);
    }
    match q.fields {
        Fields::Named(f) => {
            for &n in f {
                let (p, l) = id(n);
                h = mix(mix(h, p), l);
            }
            mix(h, f.len())
        }
        Fields::Positional(n) => mix(mix(h, usize::MAX), n),
    }
}

/// A hasher for keys that are hashes already.
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type Buckets = HashMap<u64, Vec<Entry>, BuildHasherDefault<PassThrough>>;

/// The process-wide cache: every class is encoded once per process.
#[derive(Default)]
struct Global {
    by_id: Buckets,
    /// Descriptors by class key: names at other addresses with the same text
    /// share one descriptor. (The keys are fingerprints already: no
    /// `RandomState`, whose first use asks the OS for keys.)
    by_key: HashMap<u64, &'static ClassDescriptor, BuildHasherDefault<PassThrough>>,
}

fn global() -> &'static Mutex<Global> {
    static GLOBAL: OnceLock<Mutex<Global>> = OnceLock::new();
    GLOBAL.get_or_init(Mutex::default)
}

thread_local! {
    /// A lock-free front for [`global`]: the same `&'static` descriptors.
    static LOCAL: RefCell<Buckets> = RefCell::default();
}

fn entry(q: &Query<'_>, class: Class, named: &'static [&'static str]) -> Entry {
    let positional = match q.fields {
        Fields::Named(_) => usize::MAX,
        Fields::Positional(n) => n,
    };
    Entry {
        name: id(q.name),
        variant: q.variant.map(id),
        named,
        positional,
        class,
    }
}

/// The class of `q`, and its field names as one `'static` slice per shape
/// (the same names as `q`'s, at the same addresses): from this thread's
/// cache, else the process's, else built (and encoded) now.
pub(super) fn class_of(q: &Query<'_>) -> (Class, &'static [&'static str]) {
    let h = hash(q);
    let local = LOCAL.with(|l| {
        l.borrow()
            .get(&h)
            .and_then(|b| b.iter().find(|e| e.matches(q)))
            .map(|e| (e.class, e.named))
    });
    if let Some(found) = local {
        return found;
    }
    let (class, named) = {
        let mut g = global().lock().unwrap_or_else(|e| e.into_inner());
        match g.by_id.get(&h).and_then(|b| b.iter().find(|e| e.matches(q))) {
            Some(e) => (e.class, e.named),
            None => {
                let class = build(q, &mut g.by_key);
                let named: &'static [&'static str] = match q.fields {
                    Fields::Named(f) => Box::leak(f.into()),
                    Fields::Positional(_) => &[],
                };
                g.by_id.entry(h).or_default().push(entry(q, class, named));
                (class, named)
            }
        }
    };
    LOCAL.with(|l| l.borrow_mut().entry(h).or_default().push(entry(q, class, named)));
    (class, named)
}

/// A serde name as a Python class, variant or field name: keywords get a
/// trailing `_`; names that are no identifier, and dunder names, have none.
fn python_name(name: &str) -> Option<String> {
    if !is_identifier(name) || (name.starts_with("__") && name.ends_with("__")) {
        None
    } else if PYTHON_KEYWORDS.contains(&name) {
        Some(format!("{name}_"))
    } else {
        Some(name.to_owned())
    }
}

/// Builds and encodes the class of `q` (or finds it has none).
fn build(q: &Query<'_>, by_key: &mut HashMap<u64, &'static ClassDescriptor, BuildHasherDefault<PassThrough>>) -> Class {
    let Some(name) = python_name(q.name) else {
        return Class::Plain;
    };
    let fields: Vec<String> = match q.fields {
        Fields::Named(f) => {
            let Some(fields) = f.iter().map(|n| python_name(n)).collect::<Option<Vec<_>>>() else {
                return Class::Plain;
            };
            let mut seen = fields.iter().map(String::as_str).collect::<Vec<_>>();
            seen.sort_unstable();
            if seen.windows(2).any(|w| w[0] == w[1]) {
                return Class::Plain;
            }
            fields
        }
        Fields::Positional(n) => (0..n).map(|i| format!("_{i}")).collect(),
    };
    let (shape, at) = match q.variant {
        None => (
            TypeShape::Struct(ClassShape {
                name,
                doc: None,
                fields,
                annotations: Vec::new(),
            }),
            offset::CLASS,
        ),
        Some(v) => {
            let Some(variant) = python_name(v) else {
                return Class::Plain;
            };
            let shape = TypeShape::Variant {
                base: ClassShape {
                    name,
                    doc: None,
                    fields: Vec::new(),
                    annotations: Vec::new(),
                },
                variant: ClassShape {
                    name: variant,
                    doc: None,
                    fields,
                    annotations: Vec::new(),
                },
            };
            (shape, offset::variant(0))
        }
    };
    let spec = TypeSpec {
        crate_name: String::new(),
        module: None,
        frozen: false,
        // serde has no attribute to mark a key type, and serde values are
        // often map keys: serde classes hash by value (docs/guide/serde.md).
        hash: true,
        order: false,
        shape,
    };
    let key = spec.fingerprint();
    let desc = *by_key
        .entry(key)
        .or_insert_with(|| Box::leak(Box::new(spec.encode().leak())));
    Class::Instance(desc, at)
}
