//! What the reader learns of a stream as it reads it, kept when asked (the
//! inspector asks): every global it resolves, with where it stands; each
//! class a descriptor builds, with its fields, annotations, kind and doc;
//! the class pickles and class definitions it reads; instances per class.
//!
//! The trace only records: whether a stream is read is decided by the
//! machine alone, so what the inspector reports is what the reader did.

use std::collections::HashSet;

use super::class_pickle::Sym;
use super::{Id, Node, Source, Unpickler};
use crate::layout::{NAMESPACE, SESSION_MODULE};
use crate::read::error::Error;
use crate::read::inspect::{ClassInfo, ClassKind, Field, GlobalRef, Nested, Place};
use crate::read::value::Global;
use portable_format::names::{parse_class_key, DEF_SUFFIX};

/// Most globals and classes a trace records (beyond, it counts only).
const MAX_RECORDS: usize = 1 << 20;

/// The record of one read (or of one `Unpickler` session's reads: the
/// classes an earlier pickle defined stay known to the later ones).
#[derive(Default)]
pub(crate) struct Trace {
    /// Every global resolved, in order.
    pub(crate) globals: Vec<GlobalRef>,
    /// The type table: classes defined or called.
    pub(crate) classes: Vec<ClassInfo>,
    /// Class pickles and class definitions read.
    pub(crate) nested: Vec<Nested>,
    /// The unit being read.
    place: Option<Place>,
    /// The module the descriptor being read prefers (`import_module`).
    declared: Option<String>,
    /// Nodes that are unit-enum members (a memo reference is one more).
    members: HashSet<Id>,
}

impl Trace {
    /// Starts the next pickle: what it defines and calls is counted anew;
    /// classes earlier pickles defined stay, as referenced, not defined.
    pub(crate) fn next_pickle(&mut self) {
        self.globals.clear();
        self.nested.clear();
        self.members.clear();
        self.declared = None;
        self.place = None;
        self.classes.retain(|c| c.defined || c.key.is_some());
        for c in &mut self.classes {
            c.defined = false;
            c.instances = 0;
        }
    }

    fn place(&self) -> Place {
        self.place.clone().unwrap_or(Place::Stream)
    }

    fn class_index(&mut self, module: &str, name: &str) -> Option<usize> {
        if let Some(i) = self.classes.iter().position(|c| c.module == module && c.name == name) {
            return Some(i);
        }
        if self.classes.len() >= MAX_RECORDS {
            return None;
        }
        self.classes.push(ClassInfo {
            module: module.to_owned(),
            name: name.to_owned(),
            key: None,
            kind: ClassKind::Global,
            fields: Vec::new(),
            members: Vec::new(),
            doc: None,
            frozen: false,
            declared_module: None,
            base: None,
            defined: false,
            instances: 0,
        });
        Some(self.classes.len() - 1)
    }

    /// The class `class` is defined here, by a descriptor: its entry.
    fn define(&mut self, class: &Global, kind: ClassKind) -> Option<&mut ClassInfo> {
        let i = self.class_index(&class.module, &class.name)?;
        let declared = self.declared.clone();
        let c = &mut self.classes[i];
        c.kind = kind;
        c.defined = true;
        c.declared_module = declared;
        Some(c)
    }
}

impl<S: Source> Unpickler<'_, S> {
    /// A global of the opcode being read, as written (`resolved`: what a
    /// session alias stands for).
    pub(super) fn trace_global(&mut self, module: &str, name: &str, resolved: Option<String>) {
        let (offset, opcode) = (self.op_at, self.op);
        if let Some(t) = self.trace.as_deref_mut() {
            if t.globals.len() < MAX_RECORDS {
                let place = t.place();
                t.globals.push(GlobalRef {
                    module: module.to_owned(),
                    name: name.to_owned(),
                    offset,
                    opcode,
                    place,
                    resolves_to: resolved,
                });
            }
        }
    }

    /// `io._pp3.NAME` resolved to `id`: traced with what it stands for; a
    /// unit-enum member named by its alias is an instance here.
    pub(super) fn trace_alias(&mut self, name: &str, id: Id) {
        if self.trace.is_none() {
            return;
        }
        let resolved = match self.node(id) {
            Node::Global(g) => g.name.clone(),
            Node::Object(o) => format!("{}.{}", o.class.name, name.split_once('.').map_or("", |(_, m)| m)),
            Node::Sym(s) => match &**s {
                Sym::Enum(g, _) => g.name.clone(),
                _ => "an array or body helper".to_owned(),
            },
            _ => return self.trace_global(SESSION_MODULE, name, None),
        };
        self.trace_global(SESSION_MODULE, name, Some(resolved));
        if let Node::Object(o) = self.node(id) {
            let class = o.class.clone();
            self.trace_call(&class);
            self.trace_member(id);
        }
    }

    /// A class (or function) called: one instance more.
    pub(super) fn trace_call(&mut self, class: &Global) {
        if let Some(t) = self.trace.as_deref_mut() {
            if let Some(i) = t.class_index(&class.module, &class.name) {
                t.classes[i].instances += 1;
            }
        }
    }

    /// A unit-enum member made (`id`, memoized by the descriptor): each
    /// memo reference to it is an instance.
    pub(super) fn trace_member(&mut self, id: Id) {
        if let Some(t) = self.trace.as_deref_mut() {
            if t.members.len() < MAX_RECORDS {
                t.members.insert(id);
            }
        }
    }

    /// A memo reference to `id`.
    pub(super) fn trace_memo_get(&mut self, id: Id) {
        let Some(t) = self.trace.as_deref() else { return };
        if !t.members.contains(&id) {
            return;
        }
        if let Node::Object(obj) = self.node(id) {
            let class = obj.class.clone();
            self.trace_call(&class);
        }
    }

    /// A dataclass a descriptor made: fields with annotations, doc, base.
    pub(super) fn trace_struct(&mut self, class: &Global, bases: Id, ns: Id) {
        if self.trace.is_none() {
            return;
        }
        let base = self
            .items_of(bases)
            .and_then(|b| b.first().copied())
            .and_then(|b| self.class_of(b))
            .map(|b| b.name.clone());
        let Node::Dict(pairs) = self.node(ns) else { return };
        let (mut doc, mut annotations) = (None, Vec::new());
        for &(k, v) in pairs {
            match (self.str_of(k), self.node(v)) {
                (Some("__doc__"), Node::Str(s)) => doc = Some(s.clone()),
                (Some("__annotations__"), Node::Dict(anns)) => {
                    for &(name, ann) in anns {
                        let ann = match self.node(ann) {
                            Node::Str(s) => Some(s.clone()),
                            Node::Global(g) => Some(format!("{}.{}", g.module, g.name)),
                            _ => None,
                        };
                        if let Some(name) = self.str_of(name) {
                            annotations.push((name.to_owned(), ann));
                        }
                    }
                }
                _ => {}
            }
        }
        let names: Vec<String> = match &class.fields {
            Some(f) => f.clone(),
            None => annotations.iter().map(|(n, _)| n.clone()).collect(),
        };
        let fields: Vec<Field> = names
            .into_iter()
            .map(|name| Field {
                annotation: annotations
                    .iter()
                    .find(|(n, _)| *n == name)
                    .and_then(|(_, a)| a.clone()),
                name,
            })
            .collect();
        let kind = if base.is_some() {
            ClassKind::Variant
        } else if fields.is_empty() {
            ClassKind::UnitStruct
        } else if fields.iter().enumerate().all(|(i, f)| f.name == format!("_{i}")) {
            ClassKind::TupleStruct
        } else {
            ClassKind::Struct
        };
        let t = self.trace.as_deref_mut().expect("tracing, checked above");
        if let Some(base) = &base {
            if let Some(b) = t.classes.iter_mut().find(|c| &c.name == base && c.defined) {
                b.kind = ClassKind::DataEnum;
            }
        }
        if let Some(c) = t.define(class, kind) {
            c.fields = fields;
            c.doc = doc;
            c.base = base;
        }
    }

    /// A unit-only enum a descriptor made, with its members and doc.
    pub(super) fn trace_enum(&mut self, class: &Global, members: &[(String, Id)], doc: Option<String>) {
        if self.trace.is_none() {
            return;
        }
        let members: Vec<(String, Option<i64>)> = members.iter().map(|(m, v)| (m.clone(), self.int_of(*v))).collect();
        let t = self.trace.as_deref_mut().expect("tracing, checked above");
        if let Some(c) = t.define(class, ClassKind::UnitEnum) {
            c.members = members;
            c.doc = doc;
        }
    }

    /// `struct`/`frozen` applied to a class.
    pub(super) fn trace_frozen(&mut self, class: &Global) {
        if let Some(t) = self.trace.as_deref_mut() {
            if let Some(i) = t.class_index(&class.module, &class.name) {
                t.classes[i].frozen = true;
            }
        }
    }

    /// `partial(import_module, module)`: the descriptor prefers that module.
    pub(super) fn trace_declared(&mut self, module: Id) {
        let module = self.str_of(module).map(str::to_owned);
        if let Some(t) = self.trace.as_deref_mut() {
            t.declared = module;
        }
    }

    /// A statement of the stream ended (the stack is empty again).
    pub(super) fn trace_statement_end(&mut self) {
        if let Some(t) = self.trace.as_deref_mut() {
            t.declared = None;
        }
    }

    /// `register(key, value)`: a class's key, or a class definition, which
    /// is read here as a class pickle would read it (so a definition the
    /// reader would refuse inside a class pickle is refused now).
    pub(super) fn trace_register(&mut self, key: &str, value: Id) -> Result<(), Error> {
        if self.trace.is_none() {
            return Ok(());
        }
        if let Some(class) = self.class_of(value) {
            if parse_class_key(key).is_some() && class.module == NAMESPACE {
                let t = self.trace.as_deref_mut().expect("tracing, checked above");
                if let Some(i) = t.class_index(&class.module, &class.name) {
                    t.classes[i].key.get_or_insert_with(|| key.to_owned());
                }
            }
            return Ok(());
        }
        let (Some(class_key), false) = (key.strip_suffix(DEF_SUFFIX), self.nested) else {
            return Ok(());
        };
        let Node::Bytes(def) = self.node(value) else {
            return Ok(());
        };
        let mut def = def.clone();
        def.extend_from_slice(b"N.");
        let place = Place::ClassDefinition {
            key: class_key.to_owned(),
            offset: self.op_at,
        };
        self.class_pickle_in(&def, place).map(drop)
    }

    /// Runs `f` with the trace's unit set to `place`, recording it as a
    /// nested unit of `len` bytes.
    pub(super) fn traced_unit<T>(
        &mut self,
        place: Place,
        len: usize,
        f: impl FnOnce(&mut Self) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let outer = self.trace.as_deref_mut().map(|t| t.place.replace(place.clone()));
        let result = f(self);
        if let (Some(t), Some(outer)) = (self.trace.as_deref_mut(), outer) {
            t.place = outer;
            if t.nested.len() < MAX_RECORDS {
                t.nested.push(Nested {
                    place,
                    len,
                    error: result.as_ref().err().cloned(),
                });
            }
        }
        result
    }
}
