//! The parsed model of a deriving type, with every Python name resolved.

use portable_format::names::PYTHON_KEYWORDS;
use proc_macro2::Span;
use syn::spanned::Spanned as _;

use crate::attr::{self, Codec, RenameRule, Spanned};
use crate::ctxt::Ctxt;

pub struct Container<'a> {
    pub ident: &'a syn::Ident,
    pub generics: &'a syn::Generics,
    pub attrs: attr::Container,
    /// The class name and where it came from (the type name or `name = "..."`).
    pub py_name: Spanned<String>,
    pub doc: Option<String>,
    pub data: Data<'a>,
}

pub enum Data<'a> {
    /// A struct and how it is spelled: `S { .. }` (also `S {}`), `S(..)`
    /// (also `S()`) or `S`.
    Struct(Style, Vec<Field<'a>>),
    Enum(Vec<Variant<'a>>),
}

/// How a struct or variant is declared, and so how its value is built and
/// matched. Not derivable from the fields: `S {}` and `S()` have none, yet
/// are not unit structs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Named fields: `S { a: .. }`, `S {}`.
    Named,
    /// Positional fields: `S(..)`, `S()`.
    Tuple,
    /// No field list: `S`.
    Unit,
}

pub struct Field<'a> {
    pub member: syn::Member,
    pub ty: &'a syn::Type,
    pub attrs: attr::Field,
    pub py_name: Spanned<String>,
}

pub struct Variant<'a> {
    pub ident: &'a syn::Ident,
    pub style: Style,
    pub fields: Vec<Field<'a>>,
    pub py_name: Spanned<String>,
    pub doc: Option<String>,
    pub discriminant: Option<&'a syn::Expr>,
}

impl<'a> Container<'a> {
    /// Parses the input; `None` for a union (reported on `cx`).
    pub fn from_ast(cx: &Ctxt, input: &'a syn::DeriveInput) -> Option<Self> {
        let attrs = attr::Container::from_ast(cx, &input.attrs);
        let data = match &input.data {
            syn::Data::Struct(s) => {
                let (style, fields) = fields_from_ast(cx, &s.fields, attrs.rename_all);
                Data::Struct(style, fields)
            }
            syn::Data::Enum(e) => Data::Enum(
                e.variants
                    .iter()
                    .map(|v| {
                        let vattrs = attr::Variant::from_ast(cx, &v.attrs);
                        let (style, fields) = fields_from_ast(cx, &v.fields, None);
                        let py_name = vattrs.rename.unwrap_or_else(|| Spanned {
                            value: match attrs.rename_all {
                                Some(rule) => rule.apply(&v.ident.to_string()),
                                None => v.ident.to_string(),
                            },
                            span: v.ident.span(),
                        });
                        Variant {
                            ident: &v.ident,
                            style,
                            fields,
                            py_name,
                            doc: attr::doc(&v.attrs),
                            discriminant: v.discriminant.as_ref().map(|(_, e)| e),
                        }
                    })
                    .collect(),
            ),
            syn::Data::Union(u) => {
                cx.error_spanned_by(u.union_token, "PortablePickle cannot be derived for unions");
                return None;
            }
        };
        let py_name = attrs.name.clone().unwrap_or_else(|| Spanned {
            value: input.ident.to_string(),
            span: input.ident.span(),
        });
        Some(Container {
            ident: &input.ident,
            generics: &input.generics,
            attrs,
            py_name,
            doc: attr::doc(&input.attrs),
            data,
        })
    }
}

fn fields_from_ast<'a>(cx: &Ctxt, fields: &'a syn::Fields, rule: Option<RenameRule>) -> (Style, Vec<Field<'a>>) {
    let style = match fields {
        syn::Fields::Named(_) => Style::Named,
        syn::Fields::Unnamed(_) => Style::Tuple,
        syn::Fields::Unit => Style::Unit,
    };
    let fields = fields
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let attrs = attr::Field::from_ast(cx, &f.attrs);
            let (member, default_name, span): (syn::Member, String, Span) = match &f.ident {
                Some(ident) => {
                    let rust = ident.to_string();
                    let rust = rust.strip_prefix("r#").unwrap_or(&rust).to_owned();
                    let name = rule.map_or_else(|| rust.clone(), |r| r.apply(&rust));
                    (syn::Member::Named(ident.clone()), name, ident.span())
                }
                None => (syn::Member::Unnamed(syn::Index::from(i)), format!("_{i}"), f.ty.span()),
            };
            let py_name = attrs.rename.clone().unwrap_or_else(|| Spanned {
                value: if PYTHON_KEYWORDS.contains(&default_name.as_str()) {
                    format!("{default_name}_")
                } else {
                    default_name
                },
                span,
            });
            Field {
                member,
                ty: &f.ty,
                attrs,
                py_name,
            }
        })
        .collect();
    (style, fields)
}

impl Field<'_> {
    /// Whether the field appears in the Python object.
    pub fn is_written(&self) -> bool {
        self.attrs.skip.is_none()
    }

    /// How the field is written and read, with the span of its attribute;
    /// `None`: through its own impls.
    pub fn codec(&self) -> Option<(&Codec, Span)> {
        self.attrs.codec.as_ref().map(|c| (&c.value, c.span))
    }
}

impl Variant<'_> {
    /// The value of the variant's explicit discriminant, when it is an
    /// integer literal (possibly negated or parenthesized).
    pub fn discriminant_value(&self) -> Option<i128> {
        self.discriminant.and_then(discriminant_value)
    }
}

/// The value of an integer literal discriminant, possibly negated.
fn discriminant_value(expr: &syn::Expr) -> Option<i128> {
    match expr {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(i), ..
        }) => i.base10_parse().ok(),
        syn::Expr::Unary(syn::ExprUnary {
            op: syn::UnOp::Neg(_),
            expr,
            ..
        }) => discriminant_value(expr).map(|v| -v),
        syn::Expr::Group(g) => discriminant_value(&g.expr),
        syn::Expr::Paren(p) => discriminant_value(&p.expr),
        _ => None,
    }
}
