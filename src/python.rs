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
//! * rustdoc becomes docstrings; each module has `__all__`;
//! * each class is also set under its [`class_key`] (at run time only): a
//!   stream looks the class up by it, so a package generated from another
//!   definition of a type than the stream's (it is stale, or newer than
//!   the writer) is never used for that type: the values load as the
//!   stand-in classes, and the module's `__getattr__` warns once
//!   (`warnings.warn`) naming the class and the module.
//!
//! A data enum `Shape` also gets the public alias `ShapeVariant`, the
//! union of its variant classes, which fields of the enum's type are
//! annotated with: a `match` over it that handles every variant passes
//! `typing.assert_never` under mypy --strict, and one that misses a variant
//! is reported with the variant's name (the variants are declared nested in
//! the base for type checkers). Classes without fields (a unit struct, a
//! field-less variant) are hashable, all instances alike.
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

use portable_runtime::descriptor::Hashing;
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

/// The key of `T`'s class (`Point_57c58be05dceacf0`: its Python name and
/// the fingerprint of its definition), for a derived type; `None` for
/// other types. A stream looks the real class of a type with a declared
/// module up by this name in the module: the generated package sets it
/// to the class, and a hand-written module opts a class in by setting it
/// (`Point_57c58be05dceacf0 = Point`), for exactly that definition.
///
/// ```
/// use portable_pickle::PortablePickle;
///
/// #[derive(PortablePickle)]
/// #[pickle(module = "geo")]
/// struct Point { x: f64, y: f64 }
///
/// let key = portable_pickle::python::class_key::<Point>().unwrap();
/// assert!(key.starts_with("Point_") && key.len() == "Point_".len() + 16);
/// assert_eq!(portable_pickle::python::class_key::<Vec<Point>>(), None);
/// ```
pub fn class_key<T: PortablePickle + ?Sized>() -> Option<String> {
    match T::PY_TYPE {
        PyType::Class(c) => Some((c.def)().key()),
        _ => None,
    }
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
        for name in public_names(ds) {
            if !names.insert(name.clone()) {
                errors.push(format!("two types are named `{name}` in module `{m}` (a data enum `E` also names `EVariant`, the union of its variants)"));
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
            &mut |out: &mut String, c: &ClassRef| {
                // A data enum's value is one of its variants: its union alias.
                let name = match (c.def)().shape {
                    DefShape::DataEnum { .. } => variant_alias(c.name),
                    _ => c.name.to_owned(),
                };
                match c.module {
                    Some(m) if m != module => {
                        others.push(m);
                        let _ = write!(out, "{m}.{name}");
                    }
                    _ => out.push_str(&name),
                }
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

    /// The class's dataclass decorator: the stand-in's hashing
    /// ([`Hashing`]) and, for an ordered struct, `order=True` (a data
    /// enum's order is its base's methods: see [`data_enum`]).
    fn decorator(def: &ClassDef, class: &DefClass) -> String {
        let hashing = match Hashing::of(def.frozen, def.hash, class.fields.len()) {
            Hashing::Frozen => Some("frozen=True"),
            Hashing::ByValue => Some("unsafe_hash=True"),
            Hashing::Unhashable => None,
        };
        let order = (def.order && matches!(def.shape, DefShape::Struct(_))).then_some("order=True");
        let keywords: Vec<&str> = hashing.into_iter().chain(order).collect();
        match keywords.is_empty() {
            true => "@dataclasses.dataclass".to_owned(),
            false => format!("@dataclasses.dataclass({})", keywords.join(", ")),
        }
    }

    /// A dataclass statement at `indent`.
    fn class(&mut self, out: &mut String, def: &ClassDef, class: &DefClass, name: &str, bases: &str, indent: &str) {
        let _ = writeln!(out, "{indent}{}", Self::decorator(def, class));
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
        if has_array_field(class) {
            // The dataclass keeps an `__eq__` the class defines.
            let _ = write!(out, "\n{inner}def __eq__(self, other: object) -> bool:\n{inner}    if other.__class__ is not self.__class__:\n{inner}        return NotImplemented\n{inner}    return _fields_equal(self, other)\n");
        }
    }

    fn def(&mut self, out: &mut String, def: &ClassDef) {
        match &def.shape {
            DefShape::Struct(c) => self.class(out, def, c, c.name, "", ""),
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
        imports: ["dataclasses", "typing", "warnings"].map(str::to_owned).into(),
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
    let names: Vec<String> = public_names(defs).iter().map(|n| py_str(n)).collect();
    let _ = writeln!(out, "\n__all__ = [{}]", names.join(", "));
    if defs
        .iter()
        .any(|d| d.order && matches!(d.shape, DefShape::DataEnum { .. }))
    {
        out.push_str(VARIANT_ORDER);
    }
    if defs.iter().any(|d| def_has_array_field(d)) {
        out.push_str(FIELDS_EQUAL);
    }
    out.push_str(&body);
    out.push_str(KEYS_COMMENT);
    out.push_str("if not typing.TYPE_CHECKING:\n");
    for d in defs {
        let _ = writeln!(out, "    {} = {}", d.key(), d.name());
    }
    out.push_str(STALE_LOOKUP);
    out
}

/// The module's public names: each class, and each data enum's union alias.
fn public_names(defs: &[&ClassDef]) -> Vec<String> {
    let mut names = Vec::new();
    for d in defs {
        names.push(d.name().to_owned());
        if let DefShape::DataEnum { variants, .. } = &d.shape {
            if !variants.is_empty() {
                names.push(variant_alias(d.name()));
            }
        }
    }
    names
}

/// Whether a field of `class` is an array, whose `==` numpy makes elementwise.
fn has_array_field(class: &DefClass) -> bool {
    class.fields.iter().any(|(_, t)| matches!(t, PyType::Array))
}

/// Whether a class of `def` has an array field.
fn def_has_array_field(def: &ClassDef) -> bool {
    match &def.shape {
        DefShape::Struct(c) => has_array_field(c),
        DefShape::UnitEnum { .. } => false,
        DefShape::DataEnum { variants, .. } => variants.iter().any(has_array_field),
    }
}

/// `==` of classes with array fields: by value whatever the reader has.
const FIELDS_EQUAL: &str = "

def _fields_equal(a: typing.Any, b: typing.Any) -> bool:
    # Field by field, an array by its shape and elements: numpy's == is
    # elementwise (a bare reader's array.array or lists compare as they are).
    for field in dataclasses.fields(a):
        x, y = getattr(a, field.name), getattr(b, field.name)
        if hasattr(x, 'shape') and hasattr(y, 'shape'):
            if not (x.shape == y.shape and bool((x == y).all())):
                return False
        elif not x == y:
            return False
    return True
";

/// The order key of an ordered data enum's value (its base's comparisons).
const VARIANT_ORDER: &str = "

def _variant_order(value: typing.Any) -> tuple[typing.Any, ...]:
    # An ordered data enum's value orders as Rust's derived PartialOrd: by
    # the index of its variant, then by its fields in order.
    return (value._variant_index, *(getattr(value, f.name) for f in dataclasses.fields(value)))
";

/// Before the module's class keys.
const KEYS_COMMENT: &str = "

# Each class under the key of the Rust definition it was generated from
# (<Name>_<fingerprint>): portable-pickle streams look the class up by it,
# so a stream written from another definition of the type (this package is
# stale, or newer than the writer) never fills this module's class; its
# values load as portable-pickle's stand-in class, and __getattr__ warns.
";

/// The module's `__getattr__`, at run time only (for type checkers a
/// module `__getattr__` would make every unknown name `Any`).
const STALE_LOOKUP: &str = r#"
    def __getattr__(name: str) -> typing.NoReturn:
        cls, _, fingerprint = name.rpartition('_')
        if cls and len(fingerprint) == 16 and all(c in '0123456789abcdef' for c in fingerprint):
            have = 'another definition of' if cls in __all__ else 'no class for'
            warnings.warn(
                f'{__name__} has {have} the Rust type of class {cls} that a portable-pickle '
                f'stream was written with (key {name}): its values load as portable-pickle '
                "stand-in classes instead; regenerate the package from the writer's types",
                stacklevel=2,
            )
        raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
"#;

/// The public union alias of a data enum's variant classes (`ShapeVariant`).
fn variant_alias(base: &str) -> String {
    format!("{base}Variant")
}

/// A data enum: the base dataclass, then each variant as a subclass
/// defined at module level under a private name (`_Shape_Circle`: a
/// `class` statement nested in the base's body cannot name the base) and
/// attached to the base with its nested name and `__qualname__`, so the
/// classes are reachable, and pickle by name, as `Shape.Circle`. Type
/// checkers see the variants as classes nested in the base (declared
/// under `typing.TYPE_CHECKING`, which never runs), so they are named
/// `Shape.Circle` in messages, and the union alias `ShapeVariant` of them
/// lets a `match` be checked for exhaustiveness (`typing.assert_never`).
fn data_enum(render: &mut Render<'_>, out: &mut String, def: &ClassDef, base: &DefClass, variants: &[DefClass]) {
    let _ = writeln!(out, "{}", Render::decorator(def, base));
    let _ = writeln!(out, "class {}:", base.name);
    if let Some(doc) = base.doc {
        docstring(out, doc, "    ");
        if !variants.is_empty() {
            out.push('\n');
        }
    }
    let bases = format!("({})", base.name);
    if def.order {
        // Across variants, as Rust's derived `PartialOrd`: by variant
        // index, then fields (a dataclass's own `order` compares only
        // instances of one class).
        for (op, dunder) in [("<", "lt"), ("<=", "le"), (">", "gt"), (">=", "ge")] {
            let _ = writeln!(
                out,
                "    def __{dunder}__(self, other: object) -> bool:\n        if not isinstance(other, {0}):\n            \
                 return NotImplemented\n        return _variant_order(self) {op} _variant_order(other)\n",
                base.name
            );
        }
    }
    if !variants.is_empty() {
        out.push_str("    if typing.TYPE_CHECKING:\n");
        for (i, v) in variants.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            render.class(out, def, v, v.name, &bases, "        ");
        }
    } else if base.doc.is_none() && !def.order {
        out.push_str("    pass\n");
    }
    for (index, v) in variants.iter().enumerate() {
        out.push_str("\n\n");
        let hidden = format!("_{}_{}", base.name, v.name);
        render.class(out, def, v, &hidden, &bases, "");
        let _ = writeln!(out, "\n\n{hidden}.__name__ = {}", py_str(v.name));
        let _ = writeln!(
            out,
            "{hidden}.__qualname__ = {}",
            py_str(&format!("{}.{}", base.name, v.name))
        );
        // Type checkers know the nested declaration instead.
        let _ = writeln!(
            out,
            "if not typing.TYPE_CHECKING:\n    {}.{} = {hidden}",
            base.name, v.name
        );
        if def.order {
            let _ = writeln!(out, "    {hidden}._variant_index = {index}");
        }
    }
    if !variants.is_empty() {
        let members: Vec<String> = variants.iter().map(|v| format!("{}.{}", base.name, v.name)).collect();
        let _ = writeln!(
            out,
            "\n\n{} = typing.Union[{}]",
            variant_alias(base.name),
            members.join(", ")
        );
    }
}
