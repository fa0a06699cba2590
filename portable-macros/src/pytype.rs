//! The derived type's `const PY_TYPE`: a `PyType::Class` whose definition
//! (class names, docs, every field with its Python type, composed from the
//! field types' own `PY_TYPE` consts) lives in a `static` of a nested,
//! non-generic fn, with the class descriptor encoded from it once per
//! process.
//!
//! The nested fns cannot name the impl's generics: in field types, each
//! type parameter becomes `AnyType` (whose Python type is `typing.Any`),
//! each lifetime `'static`, each const parameter `0`, and `Self` the type
//! itself so instantiated. A field type that reaches through a parameter
//! (`T::Item`, `<T as Tr>::Out`) is `typing.Any` as a whole. So a generic
//! type has one definition — one Python class — for every instantiation.
//!
//! # Compile-time descriptors
//!
//! A descriptor's bytes depend on the field annotations, which come from
//! other types' `PY_TYPE` consts that a derive cannot see. So the derive
//! predicts each field's `PyType` from the field's syntax (`f64` is
//! `float`, `Vec<T>` is `list[T]`, another path is the class of that name:
//! [`predict`]), encodes the descriptor from the predicted definition now,
//! and emits its bytes as a `static` beside a `const` that has the compiler
//! check every prediction against the real `PY_TYPE`
//! (`same_annotation`). Where a prediction is wrong (a type alias, a
//! renamed class) the `const` is `false` and the descriptor is encoded
//! from the real definition on first use, as it is for a field whose type
//! the derive cannot predict at all.

use portable_format::descriptor::ClassDescriptor;
use portable_format::pytype::{ClassDef, ClassRef, DefClass, DefShape, PyType};
use proc_macro2::{Literal, TokenStream};
use quote::quote;
use syn::visit_mut::VisitMut;

use crate::ast::{Container, Field};
use crate::attr::Codec;
use crate::model::{Kind, Model};

/// `const PY_TYPE: PyType = ...;` for the impl.
pub fn py_type(model: &Model<'_, '_>) -> TokenStream {
    let cont = model.cont;
    let p = quote!(::portable_pickle::__private);
    let value = match &model.kind {
        // No class: the field's own Python type (the impl's generics are in
        // scope here, so a generic transparent type has its field's).
        Kind::Transparent { field, .. } => field_type(field, None).tokens,
        Kind::Struct { fields, .. } => {
            let class = def_class(&cont.py_name.value, cont.doc.as_deref(), None, fields, cont);
            let predicted = class.predicted.map(DefShape::Struct);
            let checks = class.checks;
            let tokens = class.tokens;
            class_ref(cont, quote!(#p::DefShape::Struct(#tokens)), predicted, checks)
        }
        Kind::UnitEnum(members) => {
            let name = &cont.py_name.value;
            let doc = opt_str(cont.doc.as_deref());
            let int = model.int_enum();
            let predicted = DefShape::UnitEnum {
                name: leak_str(name),
                doc: cont.doc.as_deref().map(leak_str),
                members: leak(
                    members
                        .iter()
                        .map(|m| (leak_str(&m.variant.py_name.value), m.value))
                        .collect(),
                ),
                int,
            };
            let members = members.iter().map(|m| {
                let (n, v) = (&m.variant.py_name.value, Literal::i128_suffixed(m.value));
                quote!((#n, #v))
            });
            class_ref(
                cont,
                quote!(#p::DefShape::UnitEnum { name: #name, doc: #doc, members: &[#(#members),*], int: #int }),
                Some(predicted),
                Vec::new(),
            )
        }
        Kind::DataEnum(variants) => {
            let tag = cont.attrs.tag.as_ref().map(|t| t.value.as_str());
            let base = def_class(&cont.py_name.value, cont.doc.as_deref(), None, &[], cont);
            let mut checks = Vec::new();
            let mut predicted_variants = Vec::new();
            let mut variant_tokens = Vec::new();
            for v in variants.iter() {
                let class = def_class(&v.py_name.value, v.doc.as_deref(), tag, &v.fields, cont);
                checks.extend(class.checks);
                predicted_variants.push(class.predicted);
                variant_tokens.push(class.tokens);
            }
            let predicted = match (
                base.predicted,
                predicted_variants.into_iter().collect::<Option<Vec<_>>>(),
            ) {
                (Some(base), Some(variants)) => Some(DefShape::DataEnum {
                    base,
                    variants: leak(variants),
                }),
                _ => None,
            };
            let (base, variants) = (base.tokens, variant_tokens);
            class_ref(
                cont,
                quote!(#p::DefShape::DataEnum { base: #base, variants: &[#(#variants),*] }),
                predicted,
                checks,
            )
        }
    };
    quote!(const PY_TYPE: #p::PyType = #value;)
}

fn opt_str(s: Option<&str>) -> TokenStream {
    match s {
        Some(s) => quote!(::core::option::Option::Some(#s)),
        None => quote!(::core::option::Option::None),
    }
}

/// `PyType::Class(&ClassRef { .. })` with the nested `__def`,
/// `__descriptor` and `__fixed` fns. `predicted`: the definition with the
/// predicted field types, if every one could be predicted; `checks`: the
/// `const` tests that the predictions are right.
fn class_ref(
    cont: &Container<'_>,
    shape: TokenStream,
    predicted: Option<DefShape>,
    checks: Vec<TokenStream>,
) -> TokenStream {
    let p = quote!(::portable_pickle::__private);
    let name = &cont.py_name.value;
    let module = cont.attrs.module.as_ref().map(|m| m.value.as_str());
    let crate_name = std::env::var("CARGO_CRATE_NAME").unwrap_or_else(|_| "rust".to_owned());
    let frozen = cont.attrs.frozen.is_some();
    let hash = cont.attrs.hash.is_some();
    let order = cont.attrs.order.is_some();
    let fixed = match predicted {
        Some(shape) => {
            let def = ClassDef {
                rust_name: leak_str(&cont.ident.to_string()),
                crate_name: leak_str(&crate_name),
                module: module.map(leak_str),
                frozen,
                hash,
                order,
                shape,
            };
            let desc = descriptor_tokens(&def.leak_descriptor());
            quote! {
                const __PREDICTED: bool = true #(&& #checks)*;
                static __FIXED: #p::ClassDescriptor = #desc;
                if __PREDICTED {
                    ::core::option::Option::Some(&__FIXED)
                } else {
                    ::core::option::Option::None
                }
            }
        }
        None => quote!(::core::option::Option::None),
    };
    let rust_name = cont.ident.to_string();
    let module = opt_str(module);
    quote! {{
        fn __def() -> &'static #p::ClassDef {
            static __DEF: #p::ClassDef = #p::ClassDef {
                rust_name: #rust_name,
                crate_name: #crate_name,
                module: #module,
                frozen: #frozen,
                hash: #hash,
                order: #order,
                shape: #shape,
            };
            &__DEF
        }
        fn __fixed() -> ::core::option::Option<&'static #p::ClassDescriptor> {
            #fixed
        }
        fn __descriptor() -> &'static #p::ClassDescriptor {
            static __CLASS: #p::OnceLock<#p::ClassDescriptor> = #p::OnceLock::new();
            match __fixed() {
                ::core::option::Option::Some(fixed) => fixed,
                ::core::option::Option::None => __CLASS.get_or_init(|| __def().leak_descriptor()),
            }
        }
        #p::PyType::Class(&#p::ClassRef {
            name: #name,
            module: #module,
            def: __def,
            descriptor: __descriptor,
            fixed: __fixed,
        })
    }}
}

/// A `ClassDescriptor { .. }` literal of `d`'s bytes.
fn descriptor_tokens(d: &ClassDescriptor) -> TokenStream {
    fn bytes(b: &[u8]) -> TokenStream {
        let lit = Literal::byte_string(b);
        quote!(#lit)
    }
    let p = quote!(::portable_pickle::__private);
    let key = Literal::u64_suffixed(d.key);
    let slots = Literal::u32_suffixed(d.slots);
    let (code, aliases, reference, strict, placeholders) = (
        bytes(d.bytes),
        bytes(d.aliases),
        bytes(d.reference),
        bytes(d.strict),
        bytes(d.placeholders),
    );
    let stdlib_only = match d.stdlib_only {
        Some(b) => {
            let b = bytes(b);
            quote!(::core::option::Option::Some(#b))
        }
        None => quote!(::core::option::Option::None),
    };
    let relocations = d.strict_relocations.iter().map(|&r| Literal::u32_suffixed(r));
    let lazy = d.lazy.iter().map(|&(slot, b)| {
        let (slot, b) = (Literal::u32_suffixed(slot), bytes(b));
        quote!((#slot, #b))
    });
    quote! {
        #p::ClassDescriptor {
            key: #key,
            slots: #slots,
            bytes: #code,
            stdlib_only: #stdlib_only,
            aliases: #aliases,
            reference: #reference,
            strict: #strict,
            strict_relocations: &[#(#relocations),*],
            placeholders: #placeholders,
            lazy: &[#(#lazy),*],
        }
    }
}

/// One class of the definition: its `DefClass { .. }` tokens, the same
/// class with the predicted field types (if every one could be predicted),
/// and the `const` tests of the predictions.
struct Class {
    tokens: TokenStream,
    predicted: Option<DefClass>,
    checks: Vec<TokenStream>,
}

/// `DefClass { name, doc, fields: &[(name, PyType), ..] }` of the written
/// fields, with a tag field (`str`) first when given.
fn def_class(name: &str, doc: Option<&str>, tag: Option<&str>, fields: &[Field<'_>], cont: &Container<'_>) -> Class {
    let p = quote!(::portable_pickle::__private);
    let written: Vec<(&str, FieldType)> = tag
        .map(|t| (t, FieldType::exact(PyType::Name("str"))))
        .into_iter()
        .chain(
            fields
                .iter()
                .filter(|f| f.is_written())
                .map(|f| (f.py_name.value.as_str(), field_type(f, Some(cont)))),
        )
        .collect();
    let predicted_fields: Option<Vec<(&'static str, PyType)>> =
        written.iter().map(|(n, t)| Some((leak_str(n), t.predicted?))).collect();
    let predicted = predicted_fields.map(|fields| DefClass {
        name: leak_str(name),
        doc: doc.map(leak_str),
        fields: leak(fields),
    });
    let checks = written.iter().filter_map(|(_, t)| t.check.clone()).collect();
    let doc = opt_str(doc);
    let fields = written.iter().map(|(n, t)| {
        let t = &t.tokens;
        quote!((#n, #t))
    });
    Class {
        tokens: quote!(#p::DefClass { name: #name, doc: #doc, fields: &[#(#fields),*] }),
        predicted,
        checks,
    }
}

/// A field's Python type: its `PyType` expression, the type the derive
/// predicts it is (if it can), and the `const` test that the prediction is
/// right (none where the expression is the prediction).
struct FieldType {
    tokens: TokenStream,
    predicted: Option<PyType>,
    check: Option<TokenStream>,
}

impl FieldType {
    /// A type known without its field type's `PY_TYPE`: its expression is
    /// the prediction.
    fn exact(ty: PyType) -> Self {
        FieldType {
            tokens: py_type_tokens(&ty),
            predicted: Some(ty),
            check: None,
        }
    }
}

/// A field's Python type. `cont`: inside the nested fns, where the
/// container's generics are replaced (see the module docs).
fn field_type(f: &Field<'_>, cont: Option<&Container<'_>>) -> FieldType {
    let p = quote!(::portable_pickle::__private);
    match f.codec().map(|(c, _)| c) {
        Some(Codec::Bytes) => return FieldType::exact(PyType::Name("bytes")),
        Some(Codec::Display) => return FieldType::exact(PyType::Name("str")),
        Some(Codec::Array) => return FieldType::exact(PyType::Array),
        Some(Codec::Serde | Codec::With(_)) => return FieldType::exact(PyType::Any),
        None => {}
    }
    let mut ty = f.ty.clone();
    if let Some(cont) = cont {
        let mut replace = Replace::new(cont);
        replace.visit_type_mut(&mut ty);
        if replace.opaque {
            return FieldType::exact(PyType::Any);
        }
    }
    let tokens = quote!(<#ty as ::portable_pickle::PortablePickle>::PY_TYPE);
    let predicted = cont.and_then(|c| predict(&ty, (c.ident, leak_str(&c.py_name.value))));
    let check = predicted.map(|t| {
        let t = py_type_tokens(&t);
        // A `const` item, so that its class references live as long as it.
        quote!({
            const PREDICTED: #p::PyType = #t;
            #p::same_annotation(&PREDICTED, &#tokens)
        })
    });
    FieldType {
        tokens,
        predicted,
        check,
    }
}

/// The `PyType` the derive expects of a field type, from its syntax alone:
/// the std and optional-feature types by their last path segment, as the
/// runtime's impls map them (`Vec<u8>` is `bytes`), a type parameter
/// (`AnyType` once replaced) `typing.Any`, the type itself (`this`: its
/// ident and Python name) its own class, and any other plain path the
/// class of its name.
/// `None` where it cannot guess (`impl`/`dyn` types, macros, qualified
/// paths). A wrong guess costs only the compile-time bytes: the compiler
/// checks each one (see the module docs).
fn predict(ty: &syn::Type, this: (&syn::Ident, &'static str)) -> Option<PyType> {
    let all = |types: Vec<&syn::Type>| -> Option<&'static [PyType]> {
        Some(leak(
            types
                .into_iter()
                .map(|t| predict(t, this))
                .collect::<Option<Vec<_>>>()?,
        ))
    };
    // `Vec<T>`, `[T]`, `[T; N]`: `bytes` for `u8`, else `list[T]`.
    let slice = |elem: &syn::Type| -> Option<PyType> {
        match elem {
            syn::Type::Path(tp) if tp.qself.is_none() && tp.path.is_ident("u8") => Some(PyType::Name("bytes")),
            _ => Some(PyType::Generic("list", all(vec![elem])?)),
        }
    };
    match ty {
        syn::Type::Paren(t) => predict(&t.elem, this),
        syn::Type::Group(t) => predict(&t.elem, this),
        syn::Type::Reference(r) => predict(&r.elem, this),
        syn::Type::Slice(s) => slice(&s.elem),
        syn::Type::Array(a) => slice(&a.elem),
        syn::Type::Tuple(t) if t.elems.is_empty() => Some(PyType::None),
        syn::Type::Tuple(t) => Some(PyType::Generic("tuple", all(t.elems.iter().collect())?)),
        syn::Type::Path(tp) if tp.qself.is_none() => {
            let last = tp.path.segments.last()?;
            let args: Vec<&syn::Type> = match &last.arguments {
                syn::PathArguments::None => Vec::new(),
                syn::PathArguments::AngleBracketed(a) => a
                    .args
                    .iter()
                    .filter_map(|a| match a {
                        syn::GenericArgument::Type(t) => Some(t),
                        _ => None,
                    })
                    .collect(),
                syn::PathArguments::Parenthesized(_) => return None,
            };
            let name = last.ident.to_string();
            let named = |n: &'static str| Some(PyType::Name(n));
            match (name.as_str(), args.as_slice()) {
                (
                    "i8" | "i16" | "i32" | "i64" | "i128" | "isize" | "u8" | "u16" | "u32" | "u64" | "u128" | "usize"
                    | "Ordering",
                    [],
                ) => named("int"),
                (n, []) if n.starts_with("NonZero") => named("int"),
                ("NonZero", [_]) => named("int"),
                ("f32" | "f64", []) => named("float"),
                ("bool", []) => named("bool"),
                ("String" | "str" | "char" | "Path" | "PathBuf", []) => named("str"),
                ("Duration", []) => named("datetime.timedelta"),
                ("SystemTime" | "NaiveDateTime", []) | ("DateTime", [_]) => named("datetime.datetime"),
                ("NaiveDate", []) => named("datetime.date"),
                ("NaiveTime", []) => named("datetime.time"),
                ("Ipv4Addr", []) => named("ipaddress.IPv4Address"),
                ("Ipv6Addr", []) => named("ipaddress.IPv6Address"),
                ("Uuid", []) => named("uuid.UUID"),
                ("Decimal", []) => named("decimal.Decimal"),
                ("Complex", [_]) => named("complex"),
                ("Range" | "RangeInclusive", [_]) => named("range"),
                ("AnyType", []) => Some(PyType::Any),
                ("Option", [t]) => Some(PyType::Optional(Box::leak(Box::new(predict(t, this)?)))),
                ("Box" | "Rc" | "Arc" | "Cow" | "Wrapping" | "Saturating" | "Reverse", [t]) => predict(t, this),
                ("Vec", [t]) => slice(t),
                ("VecDeque" | "LinkedList" | "BinaryHeap", [t]) => Some(PyType::Generic("list", all(vec![t])?)),
                ("HashMap" | "BTreeMap" | "IndexMap", [k, v, ..]) => Some(PyType::Generic("dict", all(vec![k, v])?)),
                ("HashSet" | "BTreeSet" | "IndexSet", [t, ..]) => Some(PyType::Generic("set", all(vec![t])?)),
                // The type itself (recursive): its own Python name.
                _ if last.ident == *this.0 => Some(PyType::Class(Box::leak(Box::new(ClassRef::named(this.1))))),
                _ => Some(PyType::Class(Box::leak(Box::new(ClassRef::named(leak_str(&name)))))),
            }
        }
        _ => None,
    }
}

/// The tokens of a predicted `PyType` (see [`predict`]), for the `const`
/// test.
fn py_type_tokens(t: &PyType) -> TokenStream {
    let p = quote!(::portable_pickle::__private);
    match t {
        PyType::Any => quote!(#p::PyType::Any),
        PyType::None => quote!(#p::PyType::None),
        PyType::Array => quote!(#p::PyType::Array),
        PyType::Name(n) => quote!(#p::PyType::Name(#n)),
        PyType::Generic(n, args) => {
            let args = args.iter().map(py_type_tokens);
            quote!(#p::PyType::Generic(#n, &[#(#args),*]))
        }
        PyType::Optional(t) => {
            let t = py_type_tokens(t);
            quote!(#p::PyType::Optional(&#t))
        }
        PyType::Union(ts) => {
            let ts = ts.iter().map(py_type_tokens);
            quote!(#p::PyType::Union(&[#(#ts),*]))
        }
        PyType::Class(c) => {
            let n = c.name;
            quote!(#p::PyType::Class(&#p::ClassRef::named(#n)))
        }
    }
}

/// A `'static` copy, for the definition the derive encodes (the macro's
/// process is short-lived).
fn leak_str(s: &str) -> &'static str {
    Box::leak(s.to_owned().into_boxed_str())
}

fn leak<T>(v: Vec<T>) -> &'static [T] {
    Box::leak(v.into_boxed_slice())
}

/// Replaces the container's generics in a field type (see the module docs).
struct Replace<'c> {
    types: Vec<syn::Ident>,
    consts: Vec<syn::Ident>,
    this: syn::Type,
    /// The type reaches through a type parameter (`T::Item`).
    opaque: bool,
    _cont: std::marker::PhantomData<&'c ()>,
}

impl<'c> Replace<'c> {
    fn new(cont: &'c Container<'_>) -> Self {
        let types: Vec<syn::Ident> = cont.generics.type_params().map(|t| t.ident.clone()).collect();
        let consts: Vec<syn::Ident> = cont.generics.const_params().map(|c| c.ident.clone()).collect();
        let ident = cont.ident;
        let args = cont.generics.params.iter().map(|param| match param {
            syn::GenericParam::Lifetime(_) => quote!('static),
            syn::GenericParam::Type(_) => quote!(::portable_pickle::__private::AnyType),
            syn::GenericParam::Const(_) => quote!(0),
        });
        let this = if cont.generics.params.is_empty() {
            syn::parse_quote!(#ident)
        } else {
            syn::parse_quote!(#ident<#(#args),*>)
        };
        Replace {
            types,
            consts,
            this,
            opaque: false,
            _cont: std::marker::PhantomData,
        }
    }
}

impl VisitMut for Replace<'_> {
    fn visit_type_mut(&mut self, ty: &mut syn::Type) {
        if let syn::Type::Path(tp) = ty {
            if tp.qself.is_some() {
                self.opaque = true;
                return;
            }
            let first = &tp.path.segments[0].ident;
            let single = tp.path.segments.len() == 1 && tp.path.leading_colon.is_none();
            if self.types.contains(first) || first == "Self" {
                if single && tp.path.segments[0].arguments.is_empty() {
                    *ty = if first == "Self" {
                        self.this.clone()
                    } else {
                        syn::parse_quote!(::portable_pickle::__private::AnyType)
                    };
                } else {
                    self.opaque = true;
                }
                return;
            }
        }
        syn::visit_mut::visit_type_mut(self, ty);
    }

    fn visit_generic_argument_mut(&mut self, arg: &mut syn::GenericArgument) {
        if let syn::GenericArgument::Type(syn::Type::Path(tp)) = arg {
            if tp.qself.is_none() && tp.path.segments.len() == 1 && self.consts.contains(&tp.path.segments[0].ident) {
                *arg = syn::GenericArgument::Const(syn::parse_quote!(0));
                return;
            }
        }
        syn::visit_mut::visit_generic_argument_mut(self, arg);
    }

    fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
        if let syn::Expr::Path(p) = e {
            if p.qself.is_none() && p.path.segments.len() == 1 && self.consts.contains(&p.path.segments[0].ident) {
                *e = syn::parse_quote!(0);
                return;
            }
        }
        syn::visit_mut::visit_expr_mut(self, e);
    }

    fn visit_lifetime_mut(&mut self, l: &mut syn::Lifetime) {
        if l.ident != "static" {
            *l = syn::parse_quote!('static);
        }
    }
}
