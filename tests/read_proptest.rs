//! Random `Value` trees survive `to_vec` → `from_slice`, and CPython loads
//! a batch of them as the objects they describe; random bytes and mutated
//! streams never panic, and whatever they decode to writes back.
//!
//! The trees only hold what Python accepts: set members and dict keys are
//! hashable (no list, dict, set, bytearray or object inside), and keyword
//! arguments are keyed by identifiers.

mod support;

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

use portable_pickle::{from_reader, from_slice, to_vec, BigInt, Call, ErrorKind, Global, Object, Value, NAMESPACE};
use proptest::prelude::*;
use proptest::strategy::{Union, ValueTree};
use proptest::test_runner::TestRunner;

/// Scalars and globals: hashable in Python. `stand_ins` adds globals of the
/// runtime namespace, which only a process holding those classes can load.
fn scalar(stand_ins: bool) -> BoxedStrategy<Value> {
    let mut arms = vec![
        Just(Value::None).boxed(),
        any::<bool>().prop_map(Value::Bool).boxed(),
        any::<i64>().prop_map(Value::Int).boxed(),
        any::<i128>()
            .prop_filter("beyond i64", |v| i64::try_from(*v).is_err())
            .prop_map(|v| Value::BigInt(BigInt::from_i128(v)))
            .boxed(),
        any::<u128>()
            .prop_filter("beyond i128", |v| *v > i128::MAX as u128)
            .prop_map(|v| Value::BigInt(BigInt::from_u128(v)))
            .boxed(),
        // Infinities and quiet NaNs too (`any::<f64>()` has neither).
        proptest::num::f64::ANY.prop_map(Value::Float).boxed(),
        ".{0,40}".prop_map(Value::Str).boxed(),
        proptest::collection::vec(any::<u8>(), 0..40)
            .prop_map(Value::Bytes)
            .boxed(),
        prop_oneof![
            Just(Global::new("datetime", "timezone.utc")),
            Just(Global::new("datetime", "timedelta")),
        ]
        .prop_map(|g| Value::Global(Arc::new(g)))
        .boxed(),
    ];
    if stand_ins {
        arms.push(
            "[A-Z][a-z]{0,8}(\\.[A-Z][a-z]{0,5})?"
                .prop_map(|n| Value::Global(Arc::new(Global::new(NAMESPACE, &n))))
                .boxed(),
        );
    }
    Union::new(arms).boxed()
}

/// Values Python can hash: scalars, and tuples and frozensets of them.
fn hashable(stand_ins: bool) -> BoxedStrategy<Value> {
    scalar(stand_ins)
        .prop_recursive(3, 24, 4, |inner| {
            let items = proptest::collection::vec(inner.clone(), 0..4);
            prop_oneof![
                items.clone().prop_map(Value::Tuple),
                items.prop_map(Value::FrozenSet),
                inner.prop_map(|v| Value::Shared(Arc::new(v))),
            ]
        })
        .boxed()
}

/// Any value, with hashable set members and dict keys. `stand_ins` adds
/// globals and objects of stand-in classes of the runtime namespace.
fn value(stand_ins: bool) -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        4 => hashable(stand_ins),
        1 => proptest::collection::vec(any::<u8>(), 0..10).prop_map(Value::ByteArray),
    ];
    leaf.prop_recursive(6, 200, 8, move |inner| {
        let items = proptest::collection::vec(inner.clone(), 0..8);
        let members = proptest::collection::vec(hashable(stand_ins), 0..8);
        let pairs = proptest::collection::vec((hashable(stand_ins), inner.clone()), 0..5);
        let mut arms = vec![
            items.clone().prop_map(Value::List).boxed(),
            items.clone().prop_map(Value::Tuple).boxed(),
            members.clone().prop_map(Value::Set).boxed(),
            members.prop_map(Value::FrozenSet).boxed(),
            pairs.prop_map(Value::Dict).boxed(),
            inner.clone().prop_map(|v| Value::Shared(Arc::new(v))).boxed(),
        ];
        if stand_ins {
            let kwargs = proptest::collection::vec(("[a-z_][a-z0-9_]{0,8}".prop_map(Value::Str), inner.clone()), 0..5);
            arms.push(
                (
                    "[A-Z][a-z]{0,8}",
                    any::<bool>(),
                    items,
                    kwargs,
                    proptest::option::of(inner),
                )
                    .prop_map(|(name, new, args, kwargs, state)| {
                        let call = if new || !kwargs.is_empty() {
                            Call::New
                        } else {
                            Call::Reduce
                        };
                        Value::Object(Box::new(Object {
                            class: Arc::new(Global::new(NAMESPACE, &name)),
                            call,
                            args,
                            kwargs,
                            state,
                        }))
                    })
                    .boxed(),
            );
        }
        Union::new(arms)
    })
    .boxed()
}

/// Whatever `from_slice::<Value>` makes of `bytes`: the same as
/// `from_reader`; a value writes back and reads again to itself; an error is
/// a decoding error (never a typed-conversion one) with its byte offset.
fn check_decoded(bytes: &[u8]) -> Result<(), TestCaseError> {
    let slice = from_slice::<Value>(bytes);
    let mut r = bytes;
    let reader = from_reader::<_, Value>(&mut r);
    match (slice, reader) {
        (Ok(v), Ok(w)) => {
            prop_assert_eq!(&w, &v, "from_reader disagrees");
            let again: Value = from_slice(&to_vec(&v)).map_err(|e| TestCaseError::fail(format!("write-back: {e}")))?;
            prop_assert_eq!(again, v);
        }
        (Err(e), Err(_)) => {
            prop_assert!(
                matches!(
                    e.kind(),
                    ErrorKind::Eof
                        | ErrorKind::UnknownOpcode(_)
                        | ErrorKind::ForbiddenGlobal { .. }
                        | ErrorKind::Unsupported(_)
                        | ErrorKind::Malformed(_)
                        | ErrorKind::Limit { .. }
                ),
                "not a decoding error: {}",
                e
            );
            prop_assert!(e.offset().is_some(), "no offset: {}", e);
        }
        (slice, reader) => prop_assert!(false, "slice {:?} but reader {:?}", slice, reader),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn values_round_trip(v in value(true)) {
        let bytes = to_vec(&v);
        let back: Value = from_slice(&bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(back, v);
    }

    #[test]
    fn shared_values_stay_shared(v in value(true)) {
        let rc = Arc::new(v);
        let bytes = to_vec(&Value::List(vec![Value::Shared(rc.clone()), Value::Shared(rc)]));
        let Value::List(items) = from_slice::<Value>(&bytes).unwrap() else { panic!("a list") };
        let (Value::Shared(a), Value::Shared(b)) = (&items[0], &items[1]) else { panic!("shared") };
        prop_assert!(Arc::ptr_eq(a, b));
    }

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        check_decoded(&bytes)?;
        let mut framed = vec![0x80, 4];
        framed.extend(&bytes);
        check_decoded(&framed)?;
    }

    #[test]
    fn mutated_streams_never_panic(v in value(true), edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6)) {
        let mut bytes = to_vec(&v);
        for (i, b) in edits {
            let i = i.index(bytes.len());
            bytes[i] = b;
        }
        check_decoded(&bytes)?;
    }
}

/// A batch of generated values (without stand-in classes, which need the
/// namespace to hold them) goes through CPython's C and pure-Python
/// unpicklers, and each loaded object is compared strictly with the object
/// its Python expression builds (`tests/support/check_values.py`).
#[test]
fn cpython_loads_generated_values() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("read_proptest_cpython");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let strategy = value(false);
    let mut runner = TestRunner::default();
    let mut expected = String::new();
    for i in 0..300 {
        let v = strategy.new_tree(&mut runner).unwrap().current();
        let bytes = to_vec(&v);
        assert_eq!(from_slice::<Value>(&bytes).unwrap(), v);
        std::fs::write(dir.join(format!("v{i}.pkl")), bytes).unwrap();
        write!(expected, "v{i}\t").unwrap();
        py_expr(&v, &mut expected);
        expected.push('\n');
    }
    std::fs::write(dir.join("expected.txt"), expected).unwrap();
    support::python_checks("tests/support/check_values.py", &[dir.as_os_str()]);
}

/// The expression `check_values.py` evaluates to the object `v` describes.
fn py_expr(v: &Value, out: &mut String) {
    let hex = |b: &[u8]| b.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let seq = |out: &mut String, open: &str, items: &[Value], close: &str| {
        out.push_str(open);
        for item in items {
            py_expr(item, out);
            out.push_str(", ");
        }
        out.push_str(close);
    };
    match v {
        Value::None => out.push_str("None"),
        Value::Bool(b) => out.push_str(if *b { "True" } else { "False" }),
        Value::Int(i) => write!(out, "{i}").unwrap(),
        Value::BigInt(b) => write!(out, "L({:?})", hex(b.as_le_bytes())).unwrap(),
        Value::Float(f) => write!(out, "F({:#x})", f.to_bits()).unwrap(),
        Value::Str(s) => write!(out, "S({:?})", hex(s.as_bytes())).unwrap(),
        Value::Bytes(b) => write!(out, "B({:?})", hex(b)).unwrap(),
        Value::ByteArray(b) => write!(out, "BA({:?})", hex(b)).unwrap(),
        Value::List(items) => seq(out, "[", items, "]"),
        Value::Tuple(items) => seq(out, "T(", items, ")"),
        Value::Set(items) => seq(out, "SET(", items, ")"),
        Value::FrozenSet(items) => seq(out, "FS(", items, ")"),
        Value::Dict(pairs) => {
            out.push_str("D(");
            for (k, v) in pairs {
                out.push_str("T(");
                py_expr(k, out);
                out.push_str(", ");
                py_expr(v, out);
                out.push_str("), ");
            }
            out.push(')');
        }
        Value::Global(g) => write!(out, "G({:?}, {:?})", g.module, g.name).unwrap(),
        Value::Shared(rc) => {
            write!(out, "SH({}, ", Arc::as_ptr(rc) as usize).unwrap();
            py_expr(rc, out);
            out.push(')');
        }
        Value::Object(_) => panic!("no objects in the CPython batch: {v:?}"),
    }
}
