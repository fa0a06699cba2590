//! Random `Value` trees survive `to_vec` → `from_slice`; random bytes and
//! mutated streams never panic.

use std::rc::Rc;

use portable_pickle::{from_slice, to_vec, BigInt, Call, Global, Object, Value, NAMESPACE};
use proptest::prelude::*;

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::None),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::Int),
        any::<i128>()
            .prop_filter("beyond i64", |v| i64::try_from(*v).is_err())
            .prop_map(|v| Value::BigInt(BigInt::from_i128(v))),
        any::<u128>()
            .prop_filter("beyond i128", |v| *v > i128::MAX as u128)
            .prop_map(|v| Value::BigInt(BigInt::from_u128(v))),
        any::<f64>().prop_map(Value::Float),
        ".{0,40}".prop_map(Value::Str),
        proptest::collection::vec(any::<u8>(), 0..40).prop_map(Value::Bytes),
        proptest::collection::vec(any::<u8>(), 0..10).prop_map(Value::ByteArray),
        "[A-Z][a-z]{0,8}(\\.[A-Z][a-z]{0,5})?".prop_map(|n| Value::Global(Rc::new(Global::new(NAMESPACE, &n)))),
        Just(Value::Global(Rc::new(Global::new("datetime", "timezone.utc")))),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(6, 200, 8, |inner| {
        let items = proptest::collection::vec(inner.clone(), 0..8);
        let pairs = proptest::collection::vec((inner.clone(), inner.clone()), 0..5);
        prop_oneof![
            items.clone().prop_map(Value::List),
            items.clone().prop_map(Value::Tuple),
            items.clone().prop_map(Value::Set),
            items.clone().prop_map(Value::FrozenSet),
            pairs.clone().prop_map(Value::Dict),
            inner.clone().prop_map(|v| Value::Shared(Rc::new(v))),
            (
                "[A-Z][a-z]{0,8}",
                any::<bool>(),
                items,
                pairs,
                proptest::option::of(inner)
            )
                .prop_map(|(name, new, args, kwargs, state)| {
                    let call = if new || !kwargs.is_empty() {
                        Call::New
                    } else {
                        Call::Reduce
                    };
                    Value::Object(Box::new(Object {
                        class: Rc::new(Global::new(NAMESPACE, &name)),
                        call,
                        args,
                        kwargs,
                        state,
                    }))
                }),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn values_round_trip(v in value()) {
        let bytes = to_vec(&v);
        let back: Value = from_slice(&bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(back, v);
    }

    #[test]
    fn shared_values_stay_shared(v in value()) {
        let rc = Rc::new(v);
        let bytes = to_vec(&Value::List(vec![Value::Shared(rc.clone()), Value::Shared(rc)]));
        let Value::List(items) = from_slice::<Value>(&bytes).unwrap() else { panic!("a list") };
        let (Value::Shared(a), Value::Shared(b)) = (&items[0], &items[1]) else { panic!("shared") };
        prop_assert!(Rc::ptr_eq(a, b));
    }

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = from_slice::<Value>(&bytes);
        let mut framed = vec![0x80, 4];
        framed.extend(&bytes);
        let _ = from_slice::<Value>(&framed);
    }

    #[test]
    fn mutated_streams_never_panic(v in value(), edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6)) {
        let mut bytes = to_vec(&v);
        for (i, b) in edits {
            let i = i.index(bytes.len());
            bytes[i] = b;
        }
        let _ = from_slice::<Value>(&bytes);
    }
}
