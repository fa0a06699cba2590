//! The Python side of the derived types as real source: a package the
//! reader can install (or put on `sys.path`) to name, import and
//! type-check the classes, and that streams then load as.
//!
//! [`write_package::<T>(dir)`](write_package) writes, for every derived
//! type reachable from `T` (through fields, variants, `Vec`, `Option`,
//! maps, …) that declares `#[pickle(module = "a.b")]`, the module file
//! `dir/a/b.py`, plus an empty `dir/a/__init__.py` for each package level
//! that has no module of its own:
//!
//! * a struct is a `@dataclasses.dataclass` (`frozen=True` for `frozen`,
//!   `unsafe_hash=True` for `hash`, `eq=True` and so unhashable otherwise:
//!   the stand-ins' rules), with each field annotated as the stand-in is
//!   (`list[Point]`, `Point | None`, `datetime.timedelta`); a class of
//!   another module is named through its module (`geo.base.Point`), which
//!   the file imports under `typing.TYPE_CHECKING` (no import cycles at run
//!   time: `from __future__ import annotations` keeps annotations strings);
//! * a unit-only enum is an `enum.Enum` (or `enum.IntEnum`) subclass with
//!   the same members and values;
//! * a data enum is a field-less base dataclass with one nested dataclass
//!   subclass per variant (`Shape.Circle`), so `match`, `isinstance` and
//!   pickling by name (`geo.Shape.Circle`) work;
//! * rustdoc becomes docstrings; each module has `__all__`.
//!
//! The files depend on the standard library only and import on Python 3.9
//! and later. An array field (`#[pickle(array)]`) is annotated
//! `typing.Any` there (numpy is not a dependency; the stand-in says
//! `numpy.ndarray | array.array`).
//!
//! **Types without a module.** A reachable derived type that declares no
//! module has no place in a package, and its instances load as stand-ins
//! whatever is installed: `write_package` refuses it with an
//! [`io::ErrorKind::InvalidInput`] error that lists every such type, before
//! writing anything. Give each a `module`.
//!
//! Two types of one name in one module, or one module that would also need
//! to be a package directory of another, are refused the same way.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};

use portable_runtime::pytype::{ClassDef, ClassRef, DefClass, DefShape, PyType};

use crate::PortablePickle;

/// Writes the Python package of `T`'s reachable types under `dir` (see the
/// [module docs](self)); returns the files written, sorted. `dir` is
/// created when missing; existing files of the same names are replaced.
///
/// ```
/// use portable_pickle::PortablePickle;
///
/// /// A point in the plane.
/// #[derive(PortablePickle)]
/// #[pickle(module = "geo")]
/// struct Point { x: f64, y: f64 }
///
/// let dir = std::env::temp_dir().join(format!("pp-doc-{}", std::process::id()));
/// let files = portable_pickle::python::write_package::<Vec<Point>>(&dir)?;
/// assert_eq!(files, [dir.join("geo.py")]);
/// let source = std::fs::read_to_string(&files[0])?;
/// assert!(source.contains("class Point:\n    \"\"\"A point in the plane.\"\"\"\n\n    x: float\n    y: float\n"));
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn write_package<T: PortablePickle + ?Sized>(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let sources = package_sources(&T::PY_TYPE).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    let mut written = Vec::new();
    for (rel, text) in &sources {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, text)?;
        written.push(path);
    }
    written.sort();
    Ok(written)
}

/// The package's files (relative path with `/`, source), or why there is
/// none: what [`write_package`] writes, without touching the disk.
pub fn package_sources(root: &PyType) -> Result<BTreeMap<String, String>, String> {
    let defs = reachable(root);
    let mut errors = Vec::new();
    let no_module: Vec<String> = defs
        .iter()
        .filter(|d| d.module.is_none())
        .map(|d| format!("`{}` (class {})", d.rust_name, d.name()))
        .collect();
    if !no_module.is_empty() {
        errors.push(format!(
            "these reachable types declare no module, so no package can hold their classes; give each \
             `#[pickle(module = \"...\")]`: {}",
            no_module.join(", ")
        ));
    }
    let mut modules: BTreeMap<&str, Vec<&ClassDef>> = BTreeMap::new();
    for d in &defs {
        if let Some(m) = d.module {
            modules.entry(m).or_default().push(d);
        }
    }
    for (m, ds) in &modules {
        let mut names = BTreeSet::new();
        for d in ds {
            if !names.insert(d.name()) {
                errors.push(format!("two types are class `{}` of module `{m}`", d.name()));
            }
        }
        if !m.split('.').all(portable_runtime::names::is_identifier) {
            errors.push(format!("module `{m}` is not a dotted Python name"));
        }
    }
    let mut packages = BTreeSet::new();
    for m in modules.keys() {
        for (i, _) in m.match_indices('.') {
            packages.insert(&m[..i]);
        }
    }
    for p in &packages {
        if modules.contains_key(p) {
            errors.push(format!(
                "`{p}` is both a module with classes and a package of other modules (write its classes \
                 to `{p}.<name>` or the others elsewhere)"
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors.join("; "));
    }
    let mut out = BTreeMap::new();
    for p in packages {
        out.insert(format!("{}/__init__.py", p.replace('.', "/")), String::new());
    }
    for (m, ds) in &modules {
        out.insert(format!("{}.py", m.replace('.', "/")), module_source(m, ds));
    }
    Ok(out)
}

/// Every derived type reachable from `root`, each once, in the order met.
fn reachable(root: &PyType) -> Vec<&'static ClassDef> {
    let mut todo = Vec::new();
    root.classes(&mut todo);
    todo.reverse();
    let mut seen: Vec<*const ClassDef> = Vec::new();
    let mut out = Vec::new();
    while let Some(class) = todo.pop() {
        let def = (class.def)();
        if seen.contains(&(def as *const ClassDef)) {
            continue;
        }
        seen.push(def);
        out.push(def);
        let mut next = Vec::new();
        for t in def.field_types() {
            t.classes(&mut next);
        }
        todo.extend(next.into_iter().rev());
    }
    out
}

/// A docstring literal, indented.
fn docstring(out: &mut String, doc: &str, indent: &str) {
    let escaped = doc.replace('\\', "\\\\").replace("\"\"\"", "\\\"\\\"\\\"");
    let mut lines = escaped.lines();
    let first = lines.next().unwrap_or("");
    let rest: Vec<&str> = lines.collect();
    if rest.is_empty() {
        let close = if first.ends_with('"') { " " } else { "" };
        let _ = writeln!(out, "{indent}\"\"\"{first}{close}\"\"\"");
    } else {
        let _ = writeln!(out, "{indent}\"\"\"{first}");
        for l in rest {
            if l.is_empty() {
                out.push('\n');
            } else {
                let _ = writeln!(out, "{indent}{l}");
            }
        }
        let _ = writeln!(out, "{indent}\"\"\"");
    }
}

/// Python's `repr` of a string (for `__all__`).
fn py_str(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

struct Render<'m> {
    module: &'m str,
    imports: BTreeSet<String>,
    type_checking: BTreeSet<String>,
}

impl Render<'_> {
    fn annotation(&mut self, t: &PyType) -> String {
        let mut out = String::new();
        let module = self.module;
        let mut others = Vec::new();
        t.render(
            &mut out,
            &mut |out: &mut String, c: &ClassRef| match c.module {
                Some(m) if m != module => {
                    others.push(m);
                    let _ = write!(out, "{m}.{}", c.name);
                }
                _ => out.push_str(c.name),
            },
            true,
        );
        self.type_checking.extend(others.into_iter().map(str::to_owned));
        // Stdlib modules the annotation names (`datetime.timedelta`).
        for word in out.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.')) {
            if let Some((m, _)) = word.rsplit_once('.') {
                if ["datetime", "ipaddress", "decimal", "uuid", "typing"].contains(&m) {
                    self.imports.insert(m.to_owned());
                }
            }
        }
        out
    }

    fn decorator(def: &ClassDef) -> &'static str {
        match (def.frozen, def.hash) {
            (true, _) => "@dataclasses.dataclass(frozen=True)",
            (false, true) => "@dataclasses.dataclass(unsafe_hash=True)",
            (false, false) => "@dataclasses.dataclass",
        }
    }

    fn class(&mut self, out: &mut String, def: &ClassDef, class: &DefClass, name: &str, bases: &str) {
        let indent = "";
        let _ = writeln!(out, "{indent}{}", Self::decorator(def));
        let _ = writeln!(out, "{indent}class {name}{bases}:");
        let inner = format!("{indent}    ");
        if let Some(doc) = class.doc {
            docstring(out, doc, &inner);
        }
        if !class.fields.is_empty() && class.doc.is_some() {
            out.push('\n');
        }
        for (name, t) in class.fields {
            let a = self.annotation(t);
            let _ = writeln!(out, "{inner}{name}: {a}");
        }
        if class.fields.is_empty() && class.doc.is_none() {
            let _ = writeln!(out, "{inner}pass");
        }
    }

    fn def(&mut self, out: &mut String, def: &ClassDef) {
        match &def.shape {
            DefShape::Struct(c) => self.class(out, def, c, c.name, ""),
            DefShape::UnitEnum {
                name,
                doc,
                members,
                int,
            } => {
                self.imports.insert("enum".to_owned());
                let base = if *int { "enum.IntEnum" } else { "enum.Enum" };
                let _ = writeln!(out, "class {name}({base}):");
                if let Some(doc) = doc {
                    docstring(out, doc, "    ");
                    if !members.is_empty() {
                        out.push('\n');
                    }
                }
                for (m, v) in *members {
                    let _ = writeln!(out, "    {m} = {v}");
                }
                if members.is_empty() && doc.is_none() {
                    out.push_str("    pass\n");
                }
            }
            DefShape::DataEnum { base, variants } => data_enum(self, out, def, base, variants),
        }
    }
}

/// One module's source.
fn module_source(module: &str, defs: &[&ClassDef]) -> String {
    let mut render = Render {
        module,
        imports: BTreeSet::from(["dataclasses".to_owned()]),
        type_checking: BTreeSet::new(),
    };
    let mut body = String::new();
    for def in defs {
        body.push_str("\n\n");
        render.def(&mut body, def);
    }
    let mut out = format!(
        "# Generated by portable-pickle from the Rust types of crate `{}`: do not edit.\n\
         # The classes portable-pickle streams load as when this module is importable.\n\
         from __future__ import annotations\n\n",
        defs.first().map_or("", |d| d.crate_name)
    );
    if !render.type_checking.is_empty() {
        render.imports.insert("typing".to_owned());
    }
    for m in &render.imports {
        let _ = writeln!(out, "import {m}");
    }
    if !render.type_checking.is_empty() {
        out.push_str("\nif typing.TYPE_CHECKING:\n");
        for m in &render.type_checking {
            let _ = writeln!(out, "    import {m}");
        }
    }
    let names: Vec<String> = defs.iter().map(|d| py_str(d.name())).collect();
    let _ = writeln!(out, "\n__all__ = [{}]", names.join(", "));
    out.push_str(&body);
    out
}

/// A data enum: the base dataclass, then each variant as a subclass
/// defined at module level under a private name (`_Shape_Circle`: a
/// `class` statement nested in the base's body cannot name the base) and
/// attached to the base with its nested name and `__qualname__`, so the
/// classes are reachable, and pickle by name, as `Shape.Circle`.
fn data_enum(render: &mut Render<'_>, out: &mut String, def: &ClassDef, base: &DefClass, variants: &[DefClass]) {
    let _ = writeln!(out, "{}", Render::decorator(def));
    let _ = writeln!(out, "class {}:", base.name);
    if let Some(doc) = base.doc {
        docstring(out, doc, "    ");
        out.push('\n');
    }
    // Annotations of the nested names, for type checkers.
    for v in variants {
        let _ = writeln!(out, "    {0}: typing.ClassVar[type[_{1}_{0}]]", v.name, base.name);
    }
    if variants.is_empty() && base.doc.is_none() {
        out.push_str("    pass\n");
    }
    render.imports.insert("typing".to_owned());
    for v in variants {
        out.push_str("\n\n");
        let hidden = format!("_{}_{}", base.name, v.name);
        render.class(out, def, v, &hidden, &format!("({})", base.name));
        let _ = writeln!(out, "\n\n{hidden}.__name__ = {}", py_str(v.name));
        let _ = writeln!(
            out,
            "{hidden}.__qualname__ = {}",
            py_str(&format!("{}.{}", base.name, v.name))
        );
        let _ = writeln!(out, "{}.{} = {hidden}", base.name, v.name);
    }
}
