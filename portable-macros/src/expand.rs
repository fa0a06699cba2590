//! Code generation: the `write_pickle` body, which finds the type's class
//! descriptor through its `PY_TYPE` (see `pytype`), and `PyHashable`.

use portable_format::descriptor::{offset, ClassShape, InstanceEncoding, TypeShape, TypeSpec};
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens};

use crate::ast::{Container, Field, Style, Variant};
use crate::attr::Codec;
use crate::model::{Kind, Model};

/// The impl for a checked container.
pub fn expand(model: &Model<'_, '_>) -> TokenStream {
    let cont = model.cont;
    let body = match &model.kind {
        Kind::Transparent { field, .. } => {
            let member = &field.member;
            write_value(field, quote!(&self.#member))
        }
        Kind::Struct { fields, .. } => {
            let spec = type_spec(
                cont,
                TypeShape::Struct(class_shape(&cont.py_name.value, cont.doc.clone(), fields)),
            );
            let value = |f: &Field<'_>| {
                let member = &f.member;
                quote!(&self.#member)
            };
            let call = match spec.instance_encoding() {
                InstanceEncoding::Positional => call(slot(offset::CLASS), None, fields, value),
                InstanceEncoding::State => state(fields, value),
            };
            quote! {
                let __first = __p.derived_class_slot(&Self::PY_TYPE);
                #call
            }
        }
        Kind::UnitEnum(members) if members.is_empty() => quote!(match *self {}),
        Kind::UnitEnum(members) => {
            let arms = (0u32..).zip(members).map(|(i, m)| {
                let ident = m.variant.ident;
                let member = Literal::u32_suffixed(offset::member(i));
                quote!(Self::#ident => #member,)
            });
            quote! {
                let __first = __p.derived_class_slot(&Self::PY_TYPE);
                __p.class_ref(__first + match self { #(#arms)* });
                ::core::result::Result::Ok(())
            }
        }
        Kind::DataEnum(variants) => {
            // `tag = "kind"`: every variant class has the field `kind` first,
            // holding the variant's Python name.
            let tag = cont.attrs.tag.as_ref().map(|t| t.value.as_str());
            let arms = (0u32..)
                .zip(variants.iter())
                .map(|(i, v)| variant_arm(offset::variant(i), v, tag.is_some()));
            quote! {
                let __first = __p.derived_class_slot(&Self::PY_TYPE);
                match self { #(#arms)* }
            }
        }
    };
    let generics = &model.write_generics;
    let ident = cont.ident;
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    let hashable = hashable(model);
    let py_type = crate::pytype::py_type(model);
    quote! {
        #hashable
        #[automatically_derived]
        impl #impl_generics ::portable_pickle::PortablePickle for #ident #ty_generics #where_clause {
            #py_type
            #[inline]
            fn write_pickle(
                &self,
                __p: &mut ::portable_pickle::__private::Encoder<'_>,
            ) -> ::portable_pickle::__private::Result<()> {
                #body
            }
        }
    }
}

/// `impl PyHashable` when the type's Python form is hashable: a unit-only
/// enum's members always are; a class when it is frozen or marked `hash`
/// and its fields are; a transparent struct when its field is. Each field
/// written through its own impls is bounded by `for<'__h> Ty: PyHashable`
/// (higher-ranked, so a field type that is not hashable leaves the impl
/// unusable rather than failing the derive); codec fields are taken as
/// hashable (`display` and `bytes` are `str` and `bytes`).
fn hashable(model: &Model<'_, '_>) -> TokenStream {
    let cont = model.cont;
    let fields: Vec<&Field<'_>> = match &model.kind {
        Kind::UnitEnum(_) => Vec::new(),
        Kind::Transparent { field, .. } => vec![*field],
        Kind::Struct { fields, .. } if cont.attrs.frozen.is_some() || cont.attrs.hash.is_some() => {
            fields.iter().collect()
        }
        Kind::DataEnum(variants) if cont.attrs.frozen.is_some() || cont.attrs.hash.is_some() => {
            variants.iter().flat_map(|v| &v.fields).collect()
        }
        Kind::Struct { .. } | Kind::DataEnum(_) => return TokenStream::new(),
    };
    let mut generics = cont.generics.clone();
    let predicates = fields
        .iter()
        .filter(|f| f.is_written() && f.codec().is_none())
        // A recursive field (`Option<Box<Self>>`) is hashable exactly when
        // the other fields are; its bound would make the trait solver
        // recurse without end.
        .filter(|f| {
            let ty = f.ty;
            !mentions(quote!(#ty).into_iter(), cont.ident)
        })
        .map(|f| -> syn::WherePredicate {
            let ty = f.ty;
            syn::parse_quote!(for<'__h> #ty: ::portable_pickle::PyHashable)
        });
    generics.make_where_clause().predicates.extend(predicates);
    let ident = cont.ident;
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    quote! {
        #[automatically_derived]
        impl #impl_generics ::portable_pickle::PyHashable for #ident #ty_generics #where_clause {}
    }
}

/// Whether `tokens` name the type `ident` (or `Self`) anywhere.
fn mentions(tokens: proc_macro2::token_stream::IntoIter, ident: &syn::Ident) -> bool {
    tokens.into_iter().any(|t| match t {
        proc_macro2::TokenTree::Ident(i) => i == *ident || i == "Self",
        proc_macro2::TokenTree::Group(g) => mentions(g.stream().into_iter(), ident),
        _ => false,
    })
}

/// The memo slot at `offset` (from `portable_format::descriptor::offset`,
/// evaluated now) after `__first`, the first slot of the type's descriptor.
fn slot(offset: u32) -> TokenStream {
    if offset == 0 {
        quote!(__first)
    } else {
        let offset = Literal::u32_suffixed(offset);
        quote!(__first + #offset)
    }
}

/// An impl that keeps the rest of the crate compiling after a derive error,
/// so the user sees the derive's errors, not a cascade of missing impls.
pub fn fallback(input: &syn::DeriveInput) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    quote! {
        impl #impl_generics ::portable_pickle::PortablePickle for #ident #ty_generics #where_clause {
            fn write_pickle(
                &self,
                _: &mut ::portable_pickle::__private::Encoder<'_>,
            ) -> ::portable_pickle::__private::Result<()> {
                unreachable!("derive(PortablePickle) reported an error")
            }
        }
    }
}

fn class_shape(name: &str, doc: Option<String>, fields: &[Field<'_>]) -> ClassShape {
    ClassShape {
        name: name.to_owned(),
        doc,
        fields: fields
            .iter()
            .filter(|f| f.is_written())
            .map(|f| f.py_name.value.clone())
            .collect(),
        annotations: Vec::new(),
    }
}

fn type_spec(cont: &Container<'_>, shape: TypeShape) -> TypeSpec {
    TypeSpec {
        crate_name: std::env::var("CARGO_CRATE_NAME").unwrap_or_else(|_| "rust".to_owned()),
        module: cont.attrs.module.as_ref().map(|m| m.value.clone()),
        frozen: cont.attrs.frozen.is_some(),
        hash: cont.attrs.hash.is_some(),
        order: cont.attrs.order.is_some(),
        shape,
    }
}

/// `cls.__new__(cls)` + `BUILD {name: value}`; the descriptor memoizes the
/// field names after the class (see `InstanceEncoding::State`).
fn state(fields: &[Field<'_>], value: impl Fn(&Field<'_>) -> TokenStream) -> TokenStream {
    let written = fields.iter().filter(|f| f.is_written());
    let writes = (0u32..).zip(written).map(|(i, f)| {
        let name = slot(offset::field_name(i));
        let write = write_value(f, value(f));
        quote! {
            __p.w().get(#name);
            #write?;
        }
    });
    let class = slot(offset::CLASS);
    quote! {
        __p.begin_state(#class);
        #(#writes)*
        __p.end_state()
    }
}

/// One field's value, through its own impl or its codec: `bytes` through
/// `AsRef<[u8]>`, `serde` through `serde::Serialize`, `with` through the
/// module's `write`, `display` through `Display`. Codec paths are spanned at
/// the attribute, so an unmet bound (or a build without the `serde`
/// feature) points there.
fn write_value(field: &Field<'_>, value: TokenStream) -> TokenStream {
    match field.codec() {
        None => {
            let ty = field.ty;
            quote!(<#ty as ::portable_pickle::PortablePickle>::write_pickle(#value, __p))
        }
        Some((Codec::Bytes, _)) => quote!(__p.bytes(::core::convert::AsRef::<[u8]>::as_ref(#value))),
        Some((Codec::Serde, span)) => {
            let write = quote_spanned!(span=> ::portable_pickle::serde::__write_field);
            quote!(#write(#value, __p))
        }
        Some((Codec::With(module), _)) => quote!(#module::write(#value, __p)),
        Some((Codec::Array, span)) => {
            let write = quote_spanned!(span=> ::portable_pickle::__private::write_array);
            quote!(#write(#value, __p))
        }
        Some((Codec::Display, span)) => {
            let write = quote_spanned!(span=> ::portable_pickle::__private::write_display);
            quote!(#write(#value, __p))
        }
    }
}

/// `class(*fields)` for the class at memo slot `slot`; with a `tag`, the
/// tag's value (the variant's Python name) comes first.
fn call(
    slot: TokenStream,
    tag: Option<&str>,
    fields: &[Field<'_>],
    value: impl Fn(&Field<'_>) -> TokenStream,
) -> TokenStream {
    let written: Vec<_> = fields.iter().filter(|f| f.is_written()).collect();
    let n = written.len() + usize::from(tag.is_some());
    let tag = tag.map(|t| quote!(__p.str(#t)?;));
    let writes = written.iter().map(|f| write_value(f, value(f)));
    quote! {
        __p.begin_call(#slot, #n);
        #tag
        #(#writes?;)*
        __p.end_call(#n)
    }
}

/// The local name a variant's field is bound to in its match arm.
fn binding(member: &syn::Member) -> syn::Ident {
    match member {
        syn::Member::Named(ident) => format_ident!("__f_{}", ident),
        syn::Member::Unnamed(index) => format_ident!("__f{}", index.index),
    }
}

/// The match arm writing variant `v`, whose class is at memo offset
/// `class`; `tagged`: its class has the tag field first.
fn variant_arm(class: u32, v: &Variant<'_>, tagged: bool) -> TokenStream {
    let ident = v.ident;
    let written = v.fields.iter().filter(|f| f.is_written());
    let pattern = match v.style {
        Style::Unit => quote!(Self::#ident),
        Style::Named => {
            let fields = written.map(|f| {
                let (member, b) = (&f.member, binding(&f.member));
                quote!(#member: #b)
            });
            quote!(Self::#ident { #(#fields,)* .. })
        }
        Style::Tuple => {
            let fields = v.fields.iter().map(|f| {
                if f.is_written() {
                    binding(&f.member).into_token_stream()
                } else {
                    quote!(_)
                }
            });
            quote!(Self::#ident(#(#fields),*))
        }
    };
    let tag = tagged.then_some(v.py_name.value.as_str());
    let call = call(slot(class), tag, &v.fields, |f| binding(&f.member).into_token_stream());
    quote!(#pattern => { #call })
}
