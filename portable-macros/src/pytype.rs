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

use proc_macro2::TokenStream;
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
        Kind::Transparent { field, .. } => field_type(field, None),
        Kind::Struct { fields, .. } => {
            let class = def_class(&cont.py_name.value, cont.doc.as_deref(), None, fields, cont);
            class_ref(cont, quote!(#p::DefShape::Struct(#class)))
        }
        Kind::UnitEnum(members) => {
            let name = &cont.py_name.value;
            let doc = opt_str(cont.doc.as_deref());
            let members = members.iter().map(|m| {
                let (n, v) = (&m.variant.py_name.value, proc_macro2::Literal::i128_suffixed(m.value));
                quote!((#n, #v))
            });
            let int = model.int_enum();
            class_ref(
                cont,
                quote!(#p::DefShape::UnitEnum { name: #name, doc: #doc, members: &[#(#members),*], int: #int }),
            )
        }
        Kind::DataEnum(variants) => {
            let tag = cont.attrs.tag.as_ref().map(|t| t.value.as_str());
            let base = def_class(&cont.py_name.value, cont.doc.as_deref(), None, &[], cont);
            let variants = variants
                .iter()
                .map(|v| def_class(&v.py_name.value, v.doc.as_deref(), tag, &v.fields, cont));
            class_ref(
                cont,
                quote!(#p::DefShape::DataEnum { base: #base, variants: &[#(#variants),*] }),
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

/// `PyType::Class(&ClassRef { .. })` with the nested `__def` and
/// `__descriptor` fns.
fn class_ref(cont: &Container<'_>, shape: TokenStream) -> TokenStream {
    let p = quote!(::portable_pickle::__private);
    let name = &cont.py_name.value;
    let module = opt_str(cont.attrs.module.as_ref().map(|m| m.value.as_str()));
    let rust_name = cont.ident.to_string();
    let crate_name = std::env::var("CARGO_CRATE_NAME").unwrap_or_else(|_| "rust".to_owned());
    let frozen = cont.attrs.frozen.is_some();
    let hash = cont.attrs.hash.is_some();
    let order = cont.attrs.order.is_some();
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
        fn __descriptor() -> &'static #p::ClassDescriptor {
            static __CLASS: #p::OnceLock<#p::ClassDescriptor> = #p::OnceLock::new();
            __CLASS.get_or_init(|| __def().leak_descriptor())
        }
        #p::PyType::Class(&#p::ClassRef {
            name: #name,
            module: #module,
            def: __def,
            descriptor: __descriptor,
        })
    }}
}

/// `DefClass { name, doc, fields: &[(name, PyType), ..] }` of the written
/// fields, with a tag field (`str`) first when given.
fn def_class(
    name: &str,
    doc: Option<&str>,
    tag: Option<&str>,
    fields: &[Field<'_>],
    cont: &Container<'_>,
) -> TokenStream {
    let p = quote!(::portable_pickle::__private);
    let doc = opt_str(doc);
    let tag = tag.map(|t| quote!((#t, #p::PyType::Name("str")),));
    let fields = fields.iter().filter(|f| f.is_written()).map(|f| {
        let n = &f.py_name.value;
        let t = field_type(f, Some(cont));
        quote!((#n, #t))
    });
    quote!(#p::DefClass { name: #name, doc: #doc, fields: &[#tag #(#fields),*] })
}

/// A field's Python type. `cont`: inside the nested fns, where the
/// container's generics are replaced (see the module docs).
fn field_type(f: &Field<'_>, cont: Option<&Container<'_>>) -> TokenStream {
    let p = quote!(::portable_pickle::__private);
    match f.codec().map(|(c, _)| c) {
        Some(Codec::Bytes) => return quote!(#p::PyType::Name("bytes")),
        Some(Codec::Display) => return quote!(#p::PyType::Name("str")),
        Some(Codec::Array) => return quote!(#p::PyType::Array),
        Some(Codec::Serde | Codec::With(_)) => return quote!(#p::PyType::Any),
        None => {}
    }
    let mut ty = f.ty.clone();
    if let Some(cont) = cont {
        let mut replace = Replace::new(cont);
        replace.visit_type_mut(&mut ty);
        if replace.opaque {
            return quote!(#p::PyType::Any);
        }
    }
    quote!(<#ty as ::portable_pickle::PortablePickle>::PY_TYPE)
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
