//! Reading: a `serde::Deserializer` over the decoded `Value`.
