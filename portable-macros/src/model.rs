//! What both expansions need, computed once from a checked container: the
//! kind of Python object the type becomes (with a unit enum's member values
//! and a transparent struct's field) and the generics of each impl.

use quote::ToTokens as _;

use crate::ast::{Container, Data, Field, Style, Variant};

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
            write_generics: impl_generics(
                cont,
                syn::parse_quote!(::portable_pickle::PortablePickle),
                // A parameter only `serde` fields mention needs no bound of its own.
                None,
                syn::parse_quote!(::portable_pickle::serde::__Serialize),
            ),
            read_generics: impl_generics(
                cont,
                syn::parse_quote!(::portable_pickle::FromPickle),
                // `FromPickle` types are `'static`, so such a parameter is too.
                Some(syn::parse_quote!('static)),
                syn::parse_quote!(::portable_pickle::serde::__DeserializeOwned),
            ),
        }
    }
}

/// The container's generics for one of its impls: `bound` on every type
/// parameter, except one that only `#[pickle(serde)]` fields mention (which
/// gets `serde_only`, if any), and `serde_bound` on the type of each `serde`
/// field of a generic type.
fn impl_generics(
    cont: &Container<'_>,
    bound: syn::TypeParamBound,
    serde_only: Option<syn::TypeParamBound>,
    serde_bound: syn::Path,
) -> syn::Generics {
    let mut generics = cont.generics.clone();
    if generics.type_params().next().is_none() {
        return generics;
    }
    let fields: Vec<&Field<'_>> = match &cont.data {
        Data::Struct(_, fields) => fields.iter().collect(),
        Data::Enum(variants) => variants.iter().flat_map(|v| &v.fields).collect(),
    };
    let mentioned = |serde: bool, ident: &syn::Ident| {
        fields
            .iter()
            .any(|f| f.attrs.serde.is_some() == serde && mentions(f.ty.to_token_stream(), ident))
    };
    for param in generics.type_params_mut() {
        if mentioned(false, &param.ident) || !mentioned(true, &param.ident) {
            param.bounds.push(bound.clone());
        } else if let Some(b) = &serde_only {
            param.bounds.push(b.clone());
        }
    }
    for f in fields.iter().filter(|f| f.attrs.serde.is_some()) {
        let ty = f.ty;
        generics
            .make_where_clause()
            .predicates
            .push(syn::parse_quote!(#ty: #serde_bound));
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
