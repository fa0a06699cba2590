//! `#[pickle(...)]` attributes, parsed with `parse_nested_meta`.

use proc_macro2::Span;
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned as _;

use crate::ctxt::Ctxt;

/// The attribute path.
pub const PICKLE: &str = "pickle";
/// Container: declared Python module.
pub const MODULE: &str = "module";
/// Container: Python class name.
pub const NAME: &str = "name";
/// Container, field and variant: a new Python name.
pub const RENAME: &str = "rename";
/// Container: renames every field (structs) or variant (enums).
pub const RENAME_ALL: &str = "rename_all";
/// Container: write the single field's value instead of a class instance.
pub const TRANSPARENT: &str = "transparent";
/// Container: instances refuse attribute assignment (and hash by value).
pub const FROZEN: &str = "frozen";
/// Container: instances of a mutable class hash by value all the same
/// (`dataclass(unsafe_hash=True)`).
pub const HASH: &str = "hash";
/// Container: instances order as Rust's derived `PartialOrd` does
/// (`dataclass(order=True)`: by fields in order; a data enum's values by
/// variant, then fields).
pub const ORDER: &str = "order";
/// Container: a unit-only enum becomes an `enum.IntEnum` (implied by an
/// explicit discriminant).
pub const INT_ENUM: &str = "int_enum";
/// Container: an enum with data gets a first field of this name in every
/// variant class, holding the variant's name.
pub const TAG: &str = "tag";
/// Field: left out of the Python object.
pub const SKIP: &str = "skip";
/// Field: written as `bytes` through `AsRef<[u8]>`.
pub const BYTES: &str = "bytes";
/// Field: when reading, an absent field is `Default::default()`.
pub const DEFAULT: &str = "default";
/// Field: written through its `serde::Serialize` impl (needs the cargo
/// feature `serde` of `portable-pickle`; without it the expansion names
/// `portable_pickle::serde`, which does not exist, and fails to compile).
pub const SERDE: &str = "serde";
/// Field: written and read by the functions `write` and `read` of a module
/// (`with = "path::to::module"`), like serde's `with`.
pub const WITH: &str = "with";
/// Field: written as `str` through `Display`, read through `FromStr`.
pub const DISPLAY: &str = "display";
pub const ARRAY: &str = "array";
/// Container: when reading, attributes that are not fields are an error.
pub const DENY_UNKNOWN_FIELDS: &str = "deny_unknown_fields";
/// Container: derive only the write side (no `FromPickle`), for types with
/// fields that cannot be read back.
pub const WRITE_ONLY: &str = "write_only";

/// A string value with the span of its literal.
#[derive(Clone)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

/// A flag or value that may be set once; a second occurrence is an error.
struct Once<'c, T> {
    cx: &'c Ctxt,
    name: &'static str,
    value: Option<Spanned<T>>,
}

impl<'c, T> Once<'c, T> {
    fn new(cx: &'c Ctxt, name: &'static str) -> Self {
        Once { cx, name, value: None }
    }

    fn set(&mut self, span: Span, value: T) {
        if self.value.is_some() {
            self.cx.syn_error(syn::Error::new(
                span,
                format!("duplicate pickle attribute `{}`", self.name),
            ));
        } else {
            self.value = Some(Spanned { value, span });
        }
    }

    fn get(self) -> Option<Spanned<T>> {
        self.value
    }
}

/// Reads `= "string"`, reporting a non-string value with its span.
fn string_value(meta: &ParseNestedMeta<'_>, name: &str) -> syn::Result<Spanned<String>> {
    let expr: syn::Expr = meta.value()?.parse()?;
    match &expr {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s), ..
        }) => Ok(Spanned {
            value: s.value(),
            span: s.span(),
        }),
        other => Err(syn::Error::new(
            other.span(),
            format!("expected pickle attribute `{name}` to be a string: `{name} = \"...\"`"),
        )),
    }
}

/// Refuses `= value` after a flag attribute.
fn no_value(meta: &ParseNestedMeta<'_>, name: &str) -> syn::Result<()> {
    if meta.input.peek(syn::Token![=]) {
        return Err(meta.error(format!("pickle attribute `{name}` takes no value: `#[pickle({name})]`")));
    }
    Ok(())
}

/// Python naming convention applied by `rename_all`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RenameRule {
    Lower,
    Upper,
    Snake,
    ScreamingSnake,
    Camel,
    Pascal,
}

impl RenameRule {
    fn parse(s: &Spanned<String>) -> Result<Self, syn::Error> {
        Ok(match s.value.as_str() {
            "lowercase" => RenameRule::Lower,
            "UPPERCASE" => RenameRule::Upper,
            "snake_case" => RenameRule::Snake,
            "SCREAMING_SNAKE_CASE" => RenameRule::ScreamingSnake,
            "camelCase" => RenameRule::Camel,
            "PascalCase" => RenameRule::Pascal,
            "kebab-case" | "SCREAMING-KEBAB-CASE" => {
                return Err(syn::Error::new(
                    s.span,
                    format!("rename_all = \"{}\" makes names that are not Python identifiers (`-` is not allowed)", s.value),
                ))
            }
            other => {
                return Err(syn::Error::new(
                    s.span,
                    format!(
                        "unknown rename_all rule \"{other}\"; expected one of \"lowercase\", \"UPPERCASE\", \"snake_case\", \
                         \"SCREAMING_SNAKE_CASE\", \"camelCase\", \"PascalCase\""
                    ),
                ))
            }
        })
    }

    /// Splits a Rust name (snake_case or PascalCase) into lowercase words.
    fn words(name: &str) -> Vec<String> {
        let mut words = Vec::new();
        let mut cur = String::new();
        for c in name.chars() {
            if c == '_' {
                if !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                }
            } else if c.is_uppercase() && !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
                cur.extend(c.to_lowercase());
            } else {
                cur.extend(c.to_lowercase());
            }
        }
        if !cur.is_empty() {
            words.push(cur);
        }
        words
    }

    /// Applies the rule to a Rust field or variant name.
    pub fn apply(self, name: &str) -> String {
        let words = Self::words(name);
        let capitalize = |w: &String| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        };
        match self {
            RenameRule::Lower => words.concat(),
            RenameRule::Upper => words.concat().to_uppercase(),
            RenameRule::Snake => words.join("_"),
            RenameRule::ScreamingSnake => words.join("_").to_uppercase(),
            RenameRule::Pascal => words.iter().map(capitalize).collect(),
            RenameRule::Camel => words
                .iter()
                .enumerate()
                .map(|(i, w)| if i == 0 { w.clone() } else { capitalize(w) })
                .collect(),
        }
    }
}

/// Container attributes.
pub struct Container {
    pub module: Option<Spanned<String>>,
    pub name: Option<Spanned<String>>,
    pub rename_all: Option<RenameRule>,
    pub transparent: Option<Span>,
    pub frozen: Option<Span>,
    pub hash: Option<Span>,
    pub order: Option<Span>,
    pub int_enum: Option<Span>,
    pub tag: Option<Spanned<String>>,
    pub deny_unknown_fields: Option<Span>,
    pub write_only: Option<Span>,
}

/// The attributes each place takes, as the errors list them.
const CONTAINER_ATTRS: &[&str] = &[
    MODULE,
    NAME,
    RENAME,
    RENAME_ALL,
    TRANSPARENT,
    FROZEN,
    HASH,
    ORDER,
    INT_ENUM,
    TAG,
    DENY_UNKNOWN_FIELDS,
    WRITE_ONLY,
];
const FIELD_ATTRS: &[&str] = &[RENAME, SKIP, DEFAULT, BYTES, SERDE, WITH, DISPLAY, ARRAY];
const VARIANT_ATTRS: &[&str] = &[RENAME];

/// Where a `#[pickle(...)]` attribute stands.
#[derive(Clone, Copy)]
enum Place {
    Container,
    Field,
    Variant,
}

impl Place {
    fn attrs(self) -> &'static [&'static str] {
        match self {
            Place::Container => CONTAINER_ATTRS,
            Place::Field => FIELD_ATTRS,
            Place::Variant => VARIANT_ATTRS,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Place::Container => "a container attribute: it goes on the struct or enum itself",
            Place::Field => "a field attribute: it goes on a field",
            Place::Variant => "a variant attribute: it goes on an enum variant",
        }
    }
}

/// An attribute `place` does not take: the ones it does, and where this
/// one belongs when it is an attribute of another place.
fn unknown(meta: &ParseNestedMeta<'_>, place: Place) -> syn::Error {
    let path = meta
        .path
        .get_ident()
        .map(|i| i.to_string())
        .unwrap_or_else(|| "?".into());
    let allowed: Vec<String> = place.attrs().iter().map(|a| format!("`{a}`")).collect();
    let mut msg = format!(
        "unknown pickle attribute `{path}`; expected one of {}",
        allowed.join(", ")
    );
    let elsewhere = [Place::Container, Place::Field, Place::Variant]
        .into_iter()
        .find(|p| p.attrs().contains(&path.as_str()));
    if let Some(other) = elsewhere {
        msg.push_str(&format!(" (`{path}` is {})", other.describe()));
    }
    meta.error(msg)
}

/// Walks every `#[pickle(...)]` among `attrs`.
fn each_pickle_attr(cx: &Ctxt, attrs: &[syn::Attribute], mut f: impl FnMut(&ParseNestedMeta<'_>) -> syn::Result<()>) {
    for attr in attrs.iter().filter(|a| a.path().is_ident(PICKLE)) {
        if let Err(e) = attr.parse_nested_meta(|meta| f(&meta)) {
            cx.syn_error(e);
        }
    }
}

impl Container {
    pub fn from_ast(cx: &Ctxt, attrs: &[syn::Attribute]) -> Self {
        let mut module = Once::new(cx, MODULE);
        let mut name = Once::new(cx, NAME);
        let mut rename_all = Once::new(cx, RENAME_ALL);
        let mut transparent = Once::new(cx, TRANSPARENT);
        let mut frozen = Once::new(cx, FROZEN);
        let mut hash = Once::new(cx, HASH);
        let mut order = Once::new(cx, ORDER);
        let mut int_enum = Once::new(cx, INT_ENUM);
        let mut tag = Once::new(cx, TAG);
        let mut deny_unknown_fields = Once::new(cx, DENY_UNKNOWN_FIELDS);
        let mut write_only = Once::new(cx, WRITE_ONLY);
        each_pickle_attr(cx, attrs, |meta| {
            let span = meta.path.span();
            if meta.path.is_ident(MODULE) {
                module.set(span, string_value(meta, MODULE)?);
            } else if meta.path.is_ident(NAME) || meta.path.is_ident(RENAME) {
                name.set(span, string_value(meta, NAME)?);
            } else if meta.path.is_ident(RENAME_ALL) {
                let s = string_value(meta, RENAME_ALL)?;
                rename_all.set(span, RenameRule::parse(&s)?);
            } else if meta.path.is_ident(TRANSPARENT) {
                transparent.set(span, ());
            } else if meta.path.is_ident(FROZEN) {
                frozen.set(span, ());
            } else if meta.path.is_ident(HASH) {
                no_value(meta, HASH)?;
                hash.set(span, ());
            } else if meta.path.is_ident(ORDER) {
                no_value(meta, ORDER)?;
                order.set(span, ());
            } else if meta.path.is_ident(INT_ENUM) {
                no_value(meta, INT_ENUM)?;
                int_enum.set(span, ());
            } else if meta.path.is_ident(TAG) {
                tag.set(span, string_value(meta, TAG)?);
            } else if meta.path.is_ident(DENY_UNKNOWN_FIELDS) {
                no_value(meta, DENY_UNKNOWN_FIELDS)?;
                deny_unknown_fields.set(span, ());
            } else if meta.path.is_ident(WRITE_ONLY) {
                no_value(meta, WRITE_ONLY)?;
                write_only.set(span, ());
            } else {
                return Err(unknown(meta, Place::Container));
            }
            Ok(())
        });
        Container {
            module: module.get().map(|s| s.value),
            name: name.get().map(|s| s.value),
            rename_all: rename_all.get().map(|s| s.value),
            transparent: transparent.get().map(|s| s.span),
            frozen: frozen.get().map(|s| s.span),
            hash: hash.get().map(|s| s.span),
            order: order.get().map(|s| s.span),
            int_enum: int_enum.get().map(|s| s.span),
            tag: tag.get().map(|s| s.value),
            deny_unknown_fields: deny_unknown_fields.get().map(|s| s.span),
            write_only: write_only.get().map(|s| s.span),
        }
    }
}

/// Field attributes.
pub struct Field {
    pub rename: Option<Spanned<String>>,
    pub skip: Option<Span>,
    pub default: Option<Span>,
    /// How the value is written and read; `None` is through its own
    /// `PortablePickle`/`FromPickle` impls.
    pub codec: Option<Spanned<Codec>>,
    /// Every codec attribute given, for the conflict check (`codec` keeps the first).
    pub codecs: Vec<Spanned<&'static str>>,
}

/// A field's way of being written and read other than its own impls.
#[derive(Clone)]
pub enum Codec {
    /// `bytes`: `AsRef<[u8]>` / `FromPickleBytes`.
    Bytes,
    /// `serde`: `serde::Serialize` / `serde::Deserialize`.
    Serde,
    /// `with = "module"`: `module::write` / `module::read`.
    With(syn::Path),
    /// `display`: `Display` / `FromStr`.
    Display,
    /// `array`: one raw buffer, `ArrayData` / `FromArray`.
    Array,
}

impl Field {
    pub fn from_ast(cx: &Ctxt, attrs: &[syn::Attribute]) -> Self {
        let mut rename = Once::new(cx, RENAME);
        let mut skip = Once::new(cx, SKIP);
        let mut default = Once::new(cx, DEFAULT);
        let mut codecs: Vec<Spanned<(&'static str, Codec)>> = Vec::new();
        each_pickle_attr(cx, attrs, |meta| {
            let span = meta.path.span();
            let mut codec = |name: &'static str, codec: Codec| {
                if codecs.iter().any(|c| c.value.0 == name) {
                    cx.syn_error(syn::Error::new(span, format!("duplicate pickle attribute `{name}`")));
                } else {
                    codecs.push(Spanned {
                        value: (name, codec),
                        span,
                    });
                }
            };
            if meta.path.is_ident(RENAME) {
                rename.set(span, string_value(meta, RENAME)?);
            } else if meta.path.is_ident(SKIP) {
                skip.set(span, ());
            } else if meta.path.is_ident(DEFAULT) {
                no_value(meta, DEFAULT)?;
                default.set(span, ());
            } else if meta.path.is_ident(BYTES) {
                no_value(meta, BYTES)?;
                codec(BYTES, Codec::Bytes);
            } else if meta.path.is_ident(SERDE) {
                no_value(meta, SERDE)?;
                codec(SERDE, Codec::Serde);
            } else if meta.path.is_ident(ARRAY) {
                no_value(meta, ARRAY)?;
                codec(ARRAY, Codec::Array);
            } else if meta.path.is_ident(DISPLAY) {
                no_value(meta, DISPLAY)?;
                codec(DISPLAY, Codec::Display);
            } else if meta.path.is_ident(WITH) {
                if !meta.input.peek(syn::Token![=]) {
                    return Err(meta.error("pickle attribute `with` names a module: `with = \"path::to::module\"`"));
                }
                let module = string_value(meta, WITH)?;
                let path = syn::parse_str::<syn::Path>(&module.value).map_err(|_| {
                    syn::Error::new(module.span, "expected a module path: `with = \"path::to::module\"`")
                })?;
                let path = respan_path(path, module.span);
                codec(WITH, Codec::With(path));
            } else {
                return Err(unknown(meta, Place::Field));
            }
            Ok(())
        });
        Field {
            rename: rename.get().map(|s| s.value),
            skip: skip.get().map(|s| s.span),
            default: default.get().map(|s| s.span),
            codec: codecs.first().map(|c| Spanned {
                value: c.value.1.clone(),
                span: c.span,
            }),
            codecs: codecs
                .iter()
                .map(|c| Spanned {
                    value: c.value.0,
                    span: c.span,
                })
                .collect(),
        }
    }
}

/// `path` with every token spanned at the attribute's string, so errors
/// about the module (a missing `write`, a wrong signature) point there.
fn respan_path(mut path: syn::Path, span: Span) -> syn::Path {
    for segment in &mut path.segments {
        segment.ident.set_span(span);
    }
    if let Some(colon) = &mut path.leading_colon {
        colon.spans = [span, span];
    }
    path
}

/// Variant attributes.
pub struct Variant {
    pub rename: Option<Spanned<String>>,
}

impl Variant {
    pub fn from_ast(cx: &Ctxt, attrs: &[syn::Attribute]) -> Self {
        let mut rename = Once::new(cx, RENAME);
        each_pickle_attr(cx, attrs, |meta| {
            if meta.path.is_ident(RENAME) {
                rename.set(meta.path.span(), string_value(meta, RENAME)?);
                Ok(())
            } else {
                Err(unknown(meta, Place::Variant))
            }
        });
        Variant {
            rename: rename.get().map(|s| s.value),
        }
    }
}

/// The rustdoc text of an item: its `#[doc]` lines joined, one leading space
/// stripped from each.
pub fn doc(attrs: &[syn::Attribute]) -> Option<String> {
    let lines: Vec<String> = attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(syn::MetaNameValue {
                value: syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s), ..
                }),
                ..
            }) => Some(s.value()),
            _ => None,
        })
        .flat_map(|s| {
            s.split('\n')
                .map(|l| l.strip_prefix(' ').unwrap_or(l).trim_end().to_owned())
                .collect::<Vec<_>>()
        })
        .collect();
    let text = lines.join("\n");
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}
