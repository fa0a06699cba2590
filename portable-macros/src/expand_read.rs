//! Code generation of the read side: `impl FromPickle`, for types without
//! lifetime parameters (a type that borrows cannot be built from an owned
//! decoded value; such types get no read impl).
//!
//! Structs read their fields from an object of their class (positional
//! arguments as written by portable-pickle, keyword arguments, then the
//! `BUILD` state dict CPython writes when it re-pickles), or from a plain
//! `dict`; enums find their variant by the class `__qualname__`
//! (`Shape.Circle`) or their member by value. A field with a codec
//! attribute (`bytes`, `serde`, `with`, `display`) is read through it.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

use crate::ast::{Data, Field, Style, Variant};
use crate::attr::Codec;
use crate::model::{Kind, Model};

/// The `FromPickle` impl, or nothing for a type with lifetime parameters.
pub fn expand(model: &Model<'_, '_>) -> TokenStream {
    let cont = model.cont;
    if cont.generics.lifetimes().next().is_some() {
        return TokenStream::new();
    }
    let name = &cont.py_name.value;
    let deny = cont.attrs.deny_unknown_fields.is_some();
    let (body, names) = match &model.kind {
        Kind::Transparent { style, fields, field } => {
            let value = match field.codec() {
                None => {
                    let ty = field.ty;
                    quote!(<#ty as ::portable_pickle::FromPickle>::from_pickle(__v, __cx)?)
                }
                Some(_) => field_from(name, field, quote!(::core::option::Option::Some(__v))),
            };
            let ctor = construct(quote!(Self), *style, fields, |_, _| value.clone());
            (quote!(::core::result::Result::Ok(#ctor)), Vec::new())
        }
        Kind::Struct { style, fields } => {
            let shape = shape(name, None, *style, fields, deny);
            let ctor = construct(quote!(Self), *style, fields, |i, f| read_field(name, i, f));
            let body = quote! {
                let __s = ::portable_pickle::__private::read::read_struct(
                    __v, __cx, ::core::mem::size_of::<Self>(), &#shape,
                )?;
                ::core::result::Result::Ok(#ctor)
            };
            (body, vec![name.clone()])
        }
        Kind::UnitEnum(members) => {
            let values = members.iter().map(|m| {
                let (py, value) = (&m.variant.py_name.value, m.value);
                quote!((#py, #value))
            });
            let arms = members.iter().enumerate().map(|(i, m)| {
                let ident = m.variant.ident;
                quote!(#i => ::core::result::Result::Ok(Self::#ident),)
            });
            let body = quote! {
                const __MEMBERS: &[(&str, i128)] = &[#(#values),*];
                match ::portable_pickle::__private::read::read_unit_enum(__v, #name, __MEMBERS)? {
                    #(#arms)*
                    _ => ::core::result::Result::Err(::portable_pickle::Error::invalid(
                        ::core::concat!("no member of ", #name),
                    )),
                }
            };
            (body, vec![name.clone()])
        }
        Kind::DataEnum(variants) => {
            // A tagged variant's class has the tag first: its value is read
            // past (the class names the variant), the fields follow it.
            let tag = cont.attrs.tag.as_ref().map(|t| t.value.as_str());
            let shapes = variants
                .iter()
                .map(|v| shape(&v.py_name.value, tag, v.style, &v.fields, deny));
            let skip = usize::from(tag.is_some());
            let arms = variants.iter().enumerate().map(|(i, v)| variant_arm(name, i, v, skip));
            let body = quote! {
                let (__i, __s) = ::portable_pickle::__private::read::read_variant(
                    __v, __cx, ::core::mem::size_of::<Self>(), #name, &[#(#shapes),*],
                )?;
                match __i {
                    #(#arms)*
                    _ => ::core::result::Result::Err(::portable_pickle::Error::invalid(
                        ::core::concat!("no variant of ", #name),
                    )),
                }
            };
            let mut names = vec![name.clone()];
            names.extend(variants.iter().map(|v| format!("{name}.{}", v.py_name.value)));
            (body, names)
        }
    };
    let all_fields: Vec<&Field<'_>> = match &cont.data {
        Data::Struct(_, fields) => fields.iter().filter(|f| f.is_written()).collect(),
        Data::Enum(variants) => variants
            .iter()
            .flat_map(|v| &v.fields)
            .filter(|f| f.is_written())
            .collect(),
    };
    // Fields read as `FromPickle` declare their classes; codec fields have
    // none the reader could admit by name.
    let field_types: Vec<&syn::Type> = all_fields
        .iter()
        .filter(|f| f.codec().is_none())
        .map(|f| f.ty)
        .collect();
    let generics = &model.read_generics;
    let ident = cont.ident;
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    quote! {
        #[automatically_derived]
        impl #impl_generics ::portable_pickle::FromPickle for #ident #ty_generics #where_clause {
            fn from_pickle(
                __v: &::portable_pickle::Value,
                __cx: &mut ::portable_pickle::ReadContext,
            ) -> ::core::result::Result<Self, ::portable_pickle::Error> {
                #body
            }

            fn declare_classes(__n: &mut ::portable_pickle::ClassNames) {
                if !__n.enter(::core::any::type_name::<Self>()) {
                    return;
                }
                #(__n.add(#names);)*
                #(<#field_types as ::portable_pickle::FromPickle>::declare_classes(__n);)*
            }
        }
    }
}

/// A read impl that keeps the rest of the crate compiling after a derive error.
pub fn fallback(input: &syn::DeriveInput) -> TokenStream {
    if input.generics.lifetimes().next().is_some() {
        return TokenStream::new();
    }
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    quote! {
        impl #impl_generics ::portable_pickle::FromPickle for #ident #ty_generics #where_clause {
            fn from_pickle(
                _: &::portable_pickle::Value,
                _: &mut ::portable_pickle::ReadContext,
            ) -> ::core::result::Result<Self, ::portable_pickle::Error> {
                unreachable!("derive(PortablePickle) reported an error")
            }
        }
    }
}

/// `&Shape { name, fields, tuple, deny_unknown }` of the written fields,
/// after the `tag` field of a tagged enum's variant.
fn shape(name: &str, tag: Option<&str>, style: Style, fields: &[Field<'_>], deny: bool) -> TokenStream {
    let names = tag.into_iter().chain(
        fields
            .iter()
            .filter(|f| f.is_written())
            .map(|f| f.py_name.value.as_str()),
    );
    let tuple = style == Style::Tuple;
    quote! {
        ::portable_pickle::__private::read::Shape {
            name: #name,
            fields: &[#(#names),*],
            tuple: #tuple,
            deny_unknown: #deny,
        }
    }
}

/// The expression reading the written field `f` at slot `i` of `__s`.
fn read_field(ty_name: &str, i: usize, f: &Field<'_>) -> TokenStream {
    field_from(ty_name, f, quote!(__s[#i]))
}

/// Reads field `f` from `slot` (an `Option<&Value>`) through
/// `__private::read::field`, with the field's reader: its `FromPickle` impl
/// or its codec (`bytes` through `FromPickleBytes`, `with` through the
/// module's `read`, `display` through `FromStr`; `serde` has its own entry
/// point). Codec paths are spanned at their attribute, so an unmet bound
/// (or a build without the `serde` feature) points there; `FromPickle` is
/// named as `<T as FromPickle>` at the field's type each time, so a type
/// without the impl is reported once.
fn field_from(ty_name: &str, f: &Field<'_>, slot: TokenStream) -> TokenStream {
    let ty = f.ty;
    let name = &f.py_name.value;
    let private = quote!(::portable_pickle::__private::read);
    let from_pickle = quote!(<#ty as ::portable_pickle::FromPickle>);
    let read = match f.codec() {
        None => quote!(#from_pickle::from_pickle),
        Some((Codec::Bytes, span)) => quote_spanned!(span=> ::portable_pickle::__private::read::bytes_value::<#ty>),
        Some((Codec::Display, span)) => quote_spanned!(span=> ::portable_pickle::__private::read::display_value::<#ty>),
        Some((Codec::With(module), _)) => quote!(#module::read),
        Some((Codec::Array, span)) => quote_spanned!(span=> ::portable_pickle::__private::read_array::<#ty>),
        Some((Codec::Serde, span)) => {
            let read = quote_spanned!(span=> ::portable_pickle::serde::__read_field::<#ty>);
            let default = match f.attrs.default {
                Some(_) => quote!(::core::option::Option::Some(
                    <#ty as ::core::default::Default>::default as fn() -> #ty
                )),
                None => quote!(::core::option::Option::None),
            };
            return quote!(#read(#slot, __cx, #ty_name, #name, #default)?);
        }
    };
    let missing = match (f.attrs.default, f.codec()) {
        (Some(_), _) => quote!(#private::default::<#ty>),
        (None, None) => quote!(#from_pickle::from_missing),
        (None, Some(_)) => quote!(#private::absent::<#ty>),
    };
    quote!(#private::field(#slot, __cx, #ty_name, #name, #read, #missing)?)
}

/// `path { a: .., b: .. }` (`path {}`), `path(.., ..)` (`path()`) or `path`,
/// as `style` declares it; skipped fields are `Default::default()`, written
/// ones come from `value(slot, field)`.
fn construct(
    path: TokenStream,
    style: Style,
    fields: &[Field<'_>],
    value: impl Fn(usize, &Field<'_>) -> TokenStream,
) -> TokenStream {
    let mut slot = 0;
    let values: Vec<TokenStream> = fields
        .iter()
        .map(|f| {
            if f.is_written() {
                slot += 1;
                value(slot - 1, f)
            } else {
                quote!(::core::default::Default::default())
            }
        })
        .collect();
    match style {
        Style::Unit => path,
        Style::Tuple => quote!(#path(#(#values),*)),
        Style::Named => {
            let members = fields.iter().map(|f| &f.member);
            quote!(#path { #(#members: #values),* })
        }
    }
}

/// The arm building variant `v` from its slots; its fields start at slot
/// `skip` (1 past a tag).
fn variant_arm(enum_name: &str, index: usize, v: &Variant<'_>, skip: usize) -> TokenStream {
    let ident = v.ident;
    let qualname = format!("{enum_name}.{}", v.py_name.value);
    let ctor = construct(quote!(Self::#ident), v.style, &v.fields, |i, f| {
        read_field(&qualname, i + skip, f)
    });
    quote!(#index => ::core::result::Result::Ok(#ctor),)
}
