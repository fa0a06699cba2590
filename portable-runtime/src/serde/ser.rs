//! Writing: a `serde::Serializer` over the stream state.
