//! `#[derive(PortablePickle)]`: parses the type and its `#[pickle(...)]`
//! attributes, checks them, and emits the type's `PY_TYPE` (its class
//! definition as `static` data, from which the class descriptor is encoded
//! once per process; see `pytype`) plus the code that writes its instances.
//!
//! Stages: `attr` (attributes) → `ast` (parsed model) → `valid` (checks) →
//! `model` (what both expansions need: the kind of Python object, unit-enum
//! values, the transparent field, impl generics) → `expand` (write code) and
//! `expand_read` (read code).
//! Every error is collected and reported at once, with the span of the
//! offending token.
#![doc = "\n\nPart of [portable-pickle](https://docs.rs/portable-pickle): use the derive as \
`portable_pickle::PortablePickle`; its attributes are in the guide's \
[Attributes](https://github.com/portable-pickle/portable-pickle/blob/main/docs/guide/attributes.md)."]

use proc_macro::TokenStream;
use syn::parse_macro_input;

mod ast;
mod attr;
mod ctxt;
mod expand;
mod expand_read;
mod model;
mod pytype;
mod valid;

/// Derives `PortablePickle`. See the `portable-pickle` crate for the
/// attributes and the Python form of each kind of type.
#[proc_macro_derive(PortablePickle, attributes(pickle))]
pub fn derive_portable_pickle(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as syn::DeriveInput);
    let cx = ctxt::Ctxt::default();
    let cont = ast::Container::from_ast(&cx, &input);
    if let Some(cont) = &cont {
        valid::check(&cx, cont);
    }
    match (cx.check(), cont) {
        (Ok(()), Some(cont)) => {
            let model = model::Model::new(&cont);
            let mut out = expand::expand(&model);
            if cont.attrs.write_only.is_none() {
                out.extend(expand_read::expand(&model));
            }
            out.into()
        }
        (Err(e), _) => {
            let mut out = e.to_compile_error();
            out.extend(expand::fallback(&input));
            out.extend(expand_read::fallback(&input));
            out.into()
        }
        (Ok(()), None) => unreachable!("a container that failed to parse reported an error"),
    }
}
