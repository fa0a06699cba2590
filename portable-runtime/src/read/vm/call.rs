//! Calls, described and never made: `REDUCE` (and `INST`/`OBJ`) dispatch
//! through [`Unpickler::call`], `NEWOBJ`/`NEWOBJ_EX` through
//! [`Unpickler::new_object`]. A call of an admitted class becomes an object
//! node, unless it spells a builtin container (see [`super::fold`]).

use super::{forbidden, malformed, Id, Node, ObjNode, Source, Unpickler, BLOCK};
use crate::read::error::{Error, ErrorKind};
use crate::read::value::Call;

/// Deepest nesting of calls through header helpers (`map` of a `partial`…).
const MAX_CALL_DEPTH: usize = 8;

impl<S: Source> Unpickler<'_, S> {
    /// `cls.__new__(cls, *args, **kwargs)`, recorded.
    pub(super) fn new_object(&mut self, cls: Id, args: Vec<Id>, kwargs: Vec<(Id, Id)>) -> Result<Id, Error> {
        if let Node::Base(g) = self.node(cls) {
            return Err(forbidden(g));
        }
        let class = self
            .class_of(cls)
            .ok_or_else(|| malformed(format!("NEWOBJ of a {}, not a class", self.type_name(cls))))?;
        self.trace_call(&class);
        self.alloc(Node::Object(Box::new(ObjNode {
            class,
            call: Call::New,
            args,
            kwargs,
            state: None,
        })))
    }

    /// `callable(*args)`, described, never run.
    pub(super) fn call(&mut self, callable: Id, args: Vec<Id>, depth: usize) -> Result<Id, Error> {
        self.sym_work += 1;
        if self.sym_work > super::class_pickle::SYM_MAX_WORK || depth > MAX_CALL_DEPTH {
            return Err(malformed("header helpers nested beyond descriptor shapes"));
        }
        if let Node::Sym(_) = self.node(callable) {
            return self.call_sym(callable, args, depth);
        }
        if let Some(class) = self.class_of(callable) {
            // getattr(None, name, None): the real-class path of a descriptor.
            if class.is("builtins", "getattr") {
                if let [obj, _, default] = args[..] {
                    if matches!(self.node(obj), Node::None) {
                        return Ok(default);
                    }
                }
            }
            // pickle.loads(<class pickle>): how CPython (and PyPy, as pickle._loads)
            // writes a loaded stand-in class.
            if class.is("pickle", "loads") || class.is("pickle", "_loads") || class.is("_pickle", "loads") {
                let [data] = args[..] else {
                    return Err(malformed("pickle.loads with other than one argument"));
                };
                let Node::Bytes(b) = self.node(data) else {
                    return Err(malformed("pickle.loads of something other than bytes"));
                };
                if !b.starts_with(self.prefixes.standalone) {
                    return Err(Error::new(ErrorKind::ForbiddenGlobal {
                        module: "pickle".into(),
                        name: "loads (of bytes that are not a portable-pickle class pickle)".into(),
                    }));
                }
                // The arena moves into the class pickle's reader: copy the bytes (charged).
                let (at, n) = (self.prefixes.standalone.len(), b.len());
                self.charge(n + BLOCK)?;
                let rest = match self.node(data) {
                    Node::Bytes(b) => b[at..].to_vec(),
                    _ => unreachable!("bytes, checked above"),
                };
                let class = self.class_pickle(&rest);
                self.budget.release(n + BLOCK);
                return class;
            }
        }
        self.call_class(callable, args)
    }

    /// A call of a class (or of a stdlib function): folded into a builtin
    /// container when it spells one, else recorded as an object.
    pub(super) fn call_class(&mut self, callable: Id, args: Vec<Id>) -> Result<Id, Error> {
        if let Node::Base(g) = self.node(callable) {
            return Err(forbidden(g));
        }
        let class = self
            .class_of(callable)
            .ok_or_else(|| malformed(format!("REDUCE calls a {}, not a global", self.type_name(callable))))?;
        // copyreg's reconstructors make an instance of their first argument.
        let made = match args.first().and_then(|&a| self.class_of(a)) {
            Some(made) if class.module == "copyreg" => made,
            _ => class.clone(),
        };
        self.trace_call(&made);
        if let Some(node) = self.fold_builtin(&class, &args)? {
            return self.alloc(node);
        }
        self.alloc(Node::Object(Box::new(ObjNode {
            class,
            call: Call::Reduce,
            args,
            kwargs: Vec::new(),
            state: None,
        })))
    }
}
