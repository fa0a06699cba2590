//! What both expansions need, computed once from a checked container: the
//! kind of Python object the type becomes (with a unit enum's member values
//! and a transparent struct's field) and the generics of each impl.

use quote::ToTokens as _;

use crate::ast::{Container, Data, Field, Style, Variant};
use crate::attr::Codec;

/// A checked container, prepared for the expansions.
pub struct Model<'m, 'a> {
    pub cont: &'m Container<'a>,
    pub kind: Kind<'m, 'a>,
    /// The generics of the `PortablePickle` impl (see `impl_generics`).
    pub write_generics: syn::Generics,
    /// The generics of the `FromPickle` impl (see `impl_generics`).
    pub read_generics: syn::Generics,
}

pub enum Kind<'m, 'a> {
    /// `#[pickle(transparent)]`: the value of its one written field.
    Transparent {
        style: Style,
        fields: &'m [Field<'a>],
        field: &'m Field<'a>,
    },
    /// A class instance (named, tuple or unit struct; possibly field-less).
    Struct { style: Style, fields: &'m [Field<'a>] },
    /// An `enum.Enum` member: an enum whose variants are all unit variants
    /// (an enum without variants included), in declaration order.
    UnitEnum(Vec<Member<'m, 'a>>),
    /// An instance of a variant's class.
    DataEnum(&'m [Variant<'a>]),
}

/// A unit variant and its Python value.
pub struct Member<'m, 'a> {
    pub variant: &'m Variant<'a>,
    /// The explicit discriminant, else Rust's implicit one (previous + 1,
    /// from 0), so that `Enum.Member.value == Enum::Member as isize`.
    pub value: i128,
}

impl<'m, 'a> Model<'m, 'a> {
    /// Whether a unit-only enum becomes an `enum.IntEnum`: `int_enum`, or
    /// an explicit discriminant on any variant (a C-like enum, whose values
    /// mean something as numbers).
    pub fn int_enum(&self) -> bool {
        match &self.kind {
            Kind::UnitEnum(members) => {
                self.cont.attrs.int_enum.is_some() || members.iter().any(|m| m.variant.discriminant.is_some())
            }
            _ => false,
        }
    }

    /// Needs a container that passed `valid::check`.
    pub fn new(cont: &'m Container<'a>) -> Self {
        let kind = match &cont.data {
            Data::Struct(style, fields) if cont.attrs.transparent.is_some() => Kind::Transparent {
                style: *style,
                fields,
                field: fields
                    .iter()
                    .find(|f| f.is_written())
                    .expect("validated: one written field"),
            },
            Data::Struct(style, fields) => Kind::Struct { style: *style, fields },
            Data::Enum(variants) if variants.iter().all(|v| v.style == Style::Unit) => {
                let mut next = 0i128;
                Kind::UnitEnum(
                    variants
                        .iter()
                        .map(|variant| {
                            let value = variant.discriminant_value().unwrap_or(next);
                            next = value.wrapping_add(1);
                            Member { variant, value }
                        })
                        .collect(),
                )
            }
            Data::Enum(variants) => Kind::DataEnum(variants),
        };
        Model {
            cont,
            kind,
            write_generics: impl_generics(cont, Side::Write),
            read_generics: impl_generics(cont, Side::Read),
        }
    }
}

/// Which impl generics are computed for.
#[derive(Clone, Copy, PartialEq)]
enum Side {
    Write,
    Read,
}

/// The container's generics for one of its impls: the side's trait
/// (`PortablePickle`/`FromPickle`) on every type parameter a field written
/// through its own impls mentions (or that no field mentions); a parameter
/// only codec fields (`serde`, `with`, `display`) mention gets no trait
/// bound (only `'static` for reading: `FromPickle` types are `'static`);
/// and each codec field's type gets what its codec needs (`Serialize`,
/// `Display`, ...; a `with` module states its own bounds).
fn impl_generics(cont: &Container<'_>, side: Side) -> syn::Generics {
    let mut generics = cont.generics.clone();
    if generics.type_params().next().is_none() {
        return generics;
    }
    let fields: Vec<&Field<'_>> = match &cont.data {
        Data::Struct(_, fields) => fields.iter().collect(),
        Data::Enum(variants) => variants.iter().flat_map(|v| &v.fields).collect(),
    };
    let own_impls = |f: &Field<'_>| matches!(f.attrs.codec.as_ref().map(|c| &c.value), None | Some(Codec::Bytes));
    let mentioned = |own: bool, ident: &syn::Ident| {
        fields
            .iter()
            .any(|f| own_impls(f) == own && mentions(f.ty.to_token_stream(), ident))
    };
    let bound: syn::TypeParamBound = match side {
        Side::Write => syn::parse_quote!(::portable_pickle::PortablePickle),
        Side::Read => syn::parse_quote!(::portable_pickle::FromPickle),
    };
    for param in generics.type_params_mut() {
        if mentioned(true, &param.ident) || !mentioned(false, &param.ident) {
            param.bounds.push(bound.clone());
        } else if side == Side::Read {
            param.bounds.push(syn::parse_quote!('static));
        }
    }
    for f in &fields {
        let ty = f.ty;
        let predicates: Vec<syn::WherePredicate> = match (f.attrs.codec.as_ref().map(|c| &c.value), side) {
            (Some(Codec::Serde), Side::Write) => vec![syn::parse_quote!(#ty: ::portable_pickle::serde::__Serialize)],
            (Some(Codec::Serde), Side::Read) => {
                vec![syn::parse_quote!(#ty: ::portable_pickle::serde::__DeserializeOwned)]
            }
            (Some(Codec::Display), Side::Write) => vec![syn::parse_quote!(#ty: ::core::fmt::Display)],
            (Some(Codec::Display), Side::Read) => vec![
                syn::parse_quote!(#ty: ::core::str::FromStr),
                syn::parse_quote!(<#ty as ::core::str::FromStr>::Err: ::core::fmt::Display),
            ],
            _ => Vec::new(),
        };
        generics.make_where_clause().predicates.extend(predicates);
    }
    generics
}

/// Whether `tokens` (a field type) name `ident` anywhere.
fn mentions(tokens: proc_macro2::TokenStream, ident: &syn::Ident) -> bool {
    tokens.into_iter().any(|t| match t {
        proc_macro2::TokenTree::Ident(i) => i == *ident,
        proc_macro2::TokenTree::Group(g) => mentions(g.stream(), ident),
        _ => false,
    })
}
