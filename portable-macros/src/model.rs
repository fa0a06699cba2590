//! What both expansions need, computed once from a checked container: the
//! kind of Python object the type becomes (with a unit enum's member values
//! and a transparent struct's field) and the generics of each impl.

use crate::ast::{Container, Data, Field, Style, Variant};

/// A checked container, prepared for the expansions.
pub struct Model<'m, 'a> {
    pub cont: &'m Container<'a>,
    pub kind: Kind<'m, 'a>,
    /// The container's generics with `PortablePickle` on every type parameter.
    pub write_generics: syn::Generics,
    /// The container's generics with `FromPickle` on every type parameter.
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
            write_generics: bounded(cont.generics, syn::parse_quote!(::portable_pickle::PortablePickle)),
            read_generics: bounded(cont.generics, syn::parse_quote!(::portable_pickle::FromPickle)),
        }
    }
}

/// `generics` with `bound` added to every type parameter.
fn bounded(generics: &syn::Generics, bound: syn::TypeParamBound) -> syn::Generics {
    let mut generics = generics.clone();
    for param in generics.type_params_mut() {
        param.bounds.push(bound.clone());
    }
    generics
}
