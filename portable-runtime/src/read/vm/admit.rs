//! Which globals a read admits, and how a global's name is resolved first.
//!
//! Admitted are: the runtime namespace's classes (never its tools, nor a
//! dotted path through a dunder: `layout::names_a_namespace_class`); the stdlib globals a stream
//! body writes ([`globals::BODY`], shared with the writer) and the few more
//! that only CPython's re-pickles of loaded objects use ([`READER_ONLY`]);
//! the classes of the target Rust type, by name; and what
//! [`ReadOptions::allowed_globals`] adds.

use std::borrow::Cow;
use std::sync::Arc;

use super::class_pickle::Sym;
use super::{Id, Node, Source, Unpickler};
use crate::layout::{names_a_namespace_class, NAMESPACE, SESSION_MODULE};
use crate::read::error::Error;
use crate::read::value::Global;
use crate::read::ReadOptions;
use portable_format::globals;
use portable_format::names::{is_dotted_identifier, parse_class_key};

/// Which globals a read admits, beyond the fixed table.
pub(crate) struct Admit<'a> {
    pub(crate) options: &'a ReadOptions,
    /// Class names (`__qualname__`s) of the target Rust type: admitted from any module.
    pub(crate) class_names: &'a dyn Fn(&str) -> bool,
    /// A read for the serde bridge: nesting is limited by
    /// [`ReadOptions::serde_max_depth`] too.
    pub(crate) serde: bool,
}

/// Stdlib globals admitted besides [`globals::BODY`] (after mapping Python 2
/// names): what CPython writes when it re-pickles loaded objects (`tzinfo`,
/// `SafeUUID`, networks and interfaces, the containers [`super::fold`]
/// folds, the class-pickle path of a stand-in class).
const READER_ONLY: &[(&str, &[&str])] = &[
    ("datetime", &["tzinfo"]),
    ("uuid", &["SafeUUID"]),
    (
        "ipaddress",
        &["IPv4Network", "IPv6Network", "IPv4Interface", "IPv6Interface"],
    ),
    (
        "builtins",
        &["set", "frozenset", "bytearray", "bytes", "object", "getattr"],
    ),
    ("collections", &["OrderedDict"]),
    // Only to read a class pickle (see `Unpickler::call`).
    ("pickle", &["loads", "_loads"]),
    ("_pickle", &["loads"]),
    ("copyreg", &["_reconstructor", "__newobj__", "__newobj_ex__"]),
    ("_codecs", &["encode"]),
    // Arrays: ours are described as numpy.ndarray(shape, dtype, buffer);
    // CPython's pickles of numpy arrays (numpy 1.x and 2.x) and of array.array.
    ("numpy", &["ndarray", "dtype"]),
    ("numpy.core.multiarray", &["_reconstruct"]),
    ("numpy._core.multiarray", &["_reconstruct"]),
    ("numpy.core.numeric", &["_frombuffer"]),
    ("numpy._core.numeric", &["_frombuffer"]),
    ("array", &["array", "_array_reconstructor"]),
];

/// Python 2 names CPython writes at protocols 0–2 (`fix_imports`).
pub(crate) fn python3_name<'a>(module: &'a str, name: &'a str) -> (&'a str, &'a str) {
    match (module, name) {
        ("__builtin__", "xrange") => ("builtins", "range"),
        ("__builtin__", n) => ("builtins", n),
        ("copy_reg", n) => ("copyreg", n),
        (m, n) => (m, n),
    }
}

/// The name a global is admitted and known by: a class the namespace
/// registers under its key (`Point_<16 hex digits>`, or
/// `Shape_<16 hex digits>_Circle` for a variant; see
/// [`portable_format::names::class_key`]) is known by its Python qualified
/// name (`Point`, `Shape.Circle`), which the target type's classes match.
fn python_name<'a>(module: &str, name: &'a str) -> Cow<'a, str> {
    match parse_class_key(name) {
        Some(key) if module == NAMESPACE => Cow::Owned(key.qualname()),
        _ => Cow::Borrowed(name),
    }
}

impl Admit<'_> {
    fn admits(&self, module: &str, name: &str) -> bool {
        if !is_dotted_identifier(module) || !is_dotted_identifier(name) {
            return false;
        }
        (module == NAMESPACE && names_a_namespace_class(name))
            || globals::BODY.iter().any(|g| g.module == module && g.name == name)
            || READER_ONLY
                .iter()
                .any(|(m, names)| *m == module && names.contains(&name))
            || (self.class_names)(name)
            || self
                .options
                .allowed_globals
                .iter()
                .any(|(m, n)| m == module && n == name)
    }
}

impl<S: Source> Unpickler<'_, S> {
    /// Resolves and admits a global, returning its node.
    pub(super) fn global(&mut self, module: &str, name: &str) -> Result<Id, Error> {
        let (module, name) = python3_name(module, name);
        // A session's alias resolves to what an earlier pickle registered.
        if module == SESSION_MODULE {
            if let Some(id) = self.session_global(name)? {
                self.trace_alias(name, id);
                return Ok(id);
            }
        }
        self.trace_global(module, name, None);
        // What class definitions call, interpreted symbolically.
        match (module, name) {
            ("importlib.util", "find_spec") => return self.sym(Sym::FindSpec),
            ("importlib", "import_module") => return self.sym(Sym::ImportModule),
            ("builtins", "zip") => return self.sym(Sym::Zip),
            _ => {}
        }
        let name = python_name(module, name);
        let admitted = self.admit.admits(module, &name);
        // `builtins.tuple` is only the base of `copyreg._reconstructor`
        // (how protocols 0 and 1 write a namedtuple), unless allowed.
        let base = !admitted && (module, &*name) == ("builtins", "tuple");
        if !admitted && !base {
            return Err(Error::forbidden_global(module, &name));
        }
        self.charge(module.len() + name.len())?;
        let global = Arc::new(Global::new(module, &name));
        self.alloc(if base { Node::Base(global) } else { Node::Global(global) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_map_to_python_names() {
        let name = |key| python_name(NAMESPACE, key);
        assert_eq!(name("Point_0123456789abcdef"), "Point");
        assert_eq!(name("My_Point_0123456789abcdef"), "My_Point");
        assert_eq!(name("Shape_0123456789abcdef_Circle"), "Shape.Circle");
        assert_eq!(name("Shape_0123456789abcdef_big_circle"), "Shape.big_circle");
        // Not a key: the name stays as written.
        assert_eq!(name("Point"), "Point");
        assert_eq!(name("Point_xyz"), "Point_xyz");
        // Keys are parsed in the namespace only.
        assert_eq!(
            python_name("mymodule", "Point_0123456789abcdef"),
            "Point_0123456789abcdef"
        );
    }

    #[test]
    fn reader_only_globals_do_not_repeat_the_body() {
        for (module, names) in READER_ONLY {
            for name in *names {
                assert!(
                    !globals::BODY.iter().any(|g| g.module == *module && g.name == *name),
                    "{module}.{name} is in globals::BODY already"
                );
            }
        }
    }
}
