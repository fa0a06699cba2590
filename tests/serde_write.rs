//! The serde bridge's writer (`portable_pickle::serde::to_vec`/`to_writer`
//! and `#[pickle(serde)]` fields), Rust side: classes written once per
//! stream, and the errors. Its streams, with the Python values they load as,
//! are cases of the main corpus (tests/support/serde_cases.rs, written by
//! tests/corpus.rs), so every reader of scripts/readers.sh checks them, and
//! read back from every reader's re-pickles (tests/corpus_readback.rs).
#![cfg(feature = "serde")]

#[path = "support/serde_values.rs"]
mod serde_values;

use std::collections::{BTreeMap, HashMap};
use std::io;

use portable_pickle::PortablePickle;
use serde::ser::{Error as _, SerializeMap, SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};
use serde_values::{package, Author, BadEnum, BadName, Rgb, Shape, UserId};

#[derive(Serialize)]
struct Wrap<T>(T);

/// Each class is written once per stream, however many values use it.
#[test]
fn classes_are_written_once_per_stream() {
    let one = portable_pickle::serde::to_vec(&vec![package(None)]).unwrap();
    let three = portable_pickle::serde::to_vec(&vec![package(None), package(None), package(None)]).unwrap();
    let count = |b: &[u8]| b.windows(8).filter(|w| w == b"Package_").count();
    assert!(count(&one) > 0);
    assert_eq!(count(&one), count(&three));
    let author = |b: &[u8]| b.windows(7).filter(|w| w == b"Author_").count();
    assert_eq!(author(&one), author(&three));
}

// ---------------------------------------------------------------- errors

/// Fails to serialize.
struct Failing;

impl Serialize for Failing {
    fn serialize<S: Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        Err(S::Error::custom("boom"))
    }
}

#[derive(Serialize)]
struct Item {
    id: u32,
    name: Failing,
}

#[derive(Serialize)]
struct Order {
    items: Vec<Option<Item>>,
}

#[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
struct ListKey {
    xs: Vec<i32>,
}

/// A map of these entries, in this order.
struct Entries<K, V>(Vec<(K, V)>);

impl<K: Serialize, V: Serialize> Serialize for Entries<K, V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

fn error(value: &impl Serialize) -> portable_pickle::serde::Error {
    match portable_pickle::serde::to_vec(value) {
        Ok(_) => panic!("expected an error"),
        Err(e) => {
            // to_writer reports the same.
            let again = portable_pickle::serde::to_writer(io::sink(), value).unwrap_err();
            assert_eq!(again.to_string(), e.to_string());
            e
        }
    }
}

#[test]
fn failing_serialize_names_the_path() {
    let order = Order {
        items: vec![None, None, Some(Item { id: 1, name: Failing })],
    };
    let e = error(&order);
    assert_eq!(e.message(), "boom");
    assert_eq!(e.path(), ".items[2].name");
    assert_eq!(e.to_string(), "boom at .items[2].name");
    let e = error(&BTreeMap::from([("alpha", vec![Failing])]));
    assert_eq!(e.path(), ".alpha[0]");
    let e = error(&BTreeMap::from([(7, (1, Failing))]));
    assert_eq!(e.path(), ".7[1]");
    // A key's text is its scalar's, whatever wraps it; a compound key's is
    // `<value>`; each key's own, not the one before it.
    let e = error(&Entries(vec![((1, 2), Failing)]));
    assert_eq!(e.path(), ".<value>");
    let e = error(&Entries(vec![(true, Failing)]));
    assert_eq!(e.path(), ".True");
    let e = error(&Entries(vec![(Some("k"), Failing)]));
    assert_eq!(e.path(), ".k");
    let e = error(&Entries(vec![(Some(Wrap("k")), Failing)]));
    assert_eq!(e.path(), ".<value>", "an instance of a newtype's class");
    let e = error(&Entries(vec![(Some("a"), None), (None, Some(Failing))]));
    assert_eq!(e.path(), ".None");
    let e = error(&Entries(vec![(Shape::Empty, Failing)]));
    assert_eq!(e.path(), ".Empty");
    let e = error(&Entries(vec![(Shape::Circle { r: 1.0 }, Failing)]));
    assert_eq!(e.path(), ".<value>");
    let e = error(&(
        Shape::Label("x".into()),
        UserId(1),
        Rgb(1, 2, 3),
        vec![Some(Wrap(Failing))],
    ));
    assert_eq!(e.path(), "[3][0]._0");
}

#[test]
fn unhashable_keys_are_refused() {
    let e = error(&BTreeMap::from([(vec![1], 1)]));
    assert_eq!(
        e.to_string(),
        "a list cannot be a dict key: Python cannot hash it at <key>"
    );
    let e = error(&BTreeMap::from([((1, vec![2]), 1)]));
    assert_eq!(e.path(), "<key>[1]");
    let e = error(&vec![BTreeMap::from([(ListKey { xs: vec![] }, 1)])]);
    assert_eq!(e.path(), "[0]<key>.xs");
    let e = error(&BTreeMap::from([(BTreeMap::from([(1, 2)]), 3)]));
    assert!(e.message().starts_with("a dict cannot be a dict key"), "{e}");
    let e = error(&HashMap::from([(BadName { a: 1 }, 1)]));
    assert!(e.message().contains("struct `my-record`, written as a dict"), "{e}");
    let e = error(&HashMap::from([(BadEnum::New(1), 1)]));
    assert!(e.message().contains("variant `my-enum::New`"), "{e}");
    // Hashable keys nested in the value are fine.
    assert!(portable_pickle::serde::to_vec(&BTreeMap::from([(1, vec![BTreeMap::from([((1, 2), 3)])])])).is_ok());
}

/// Ignores the error of an element and goes on.
struct Swallow;

impl Serialize for Swallow {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        let _ = seq.serialize_element(&BTreeMap::from([(vec![1], 1)]));
        let _ = seq.serialize_element(&Wrap(Failing));
        let _ = seq.serialize_element(&(1, Failing));
        seq.serialize_element(&1)?;
        seq.end()
    }
}

/// Abandons a map half-written.
struct Abandon;

impl Serialize for Abandon {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        let _ = seq.serialize_element(&HalfMap);
        seq.end()
    }
}

struct HalfMap;

impl Serialize for HalfMap {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("a", &1)?;
        Err(S::Error::custom("gave up"))
    }
}

/// Declares fewer tuple-struct fields than it writes.
struct Liar(usize);

impl Serialize for Liar {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeTuple, SerializeTupleStruct};
        if self.0 == 0 {
            let mut t = s.serialize_tuple_struct("Liar", 1)?;
            t.serialize_field(&1)?;
            t.serialize_field(&2)?;
            t.end()
        } else {
            let mut t = s.serialize_tuple(2)?;
            for i in 0..self.0 {
                t.serialize_element(&i)?;
            }
            t.end()
        }
    }
}

/// Misuses a map: a value without its key, or a key without its value.
struct Unpaired(bool);

impl Serialize for Unpaired {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        if self.0 {
            map.serialize_value(&1)?;
        } else {
            map.serialize_key(&1)?;
        }
        map.end()
    }
}

/// A struct that writes one field twice.
struct Twice;

impl Serialize for Twice {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Twice", 2)?;
        st.serialize_field("a", &1)?;
        st.serialize_field("a", &2)?;
        st.end()
    }
}

#[test]
fn misbehaving_impls_never_yield_a_stream() {
    let e = error(&Swallow);
    assert!(e.message().contains("went on after an error"), "{e}");
    let e = error(&Abandon);
    assert!(e.message().contains("unfinished"), "{e}");
    let e = error(&Liar(0));
    assert_eq!(e.to_string(), "`Liar` has more fields than the 1 it declared");
    let e = error(&Liar(4));
    assert_eq!(e.to_string(), "a tuple has more fields than the 2 it declared");
    let e = error(&Unpaired(true));
    assert_eq!(e.to_string(), "a map value without its key");
    let e = error(&Unpaired(false));
    assert_eq!(e.to_string(), "a map ended after a key without its value");
    // Fewer items than declared, or more with a MARK, is still a tuple.
    assert!(portable_pickle::serde::to_vec(&Liar(1)).is_ok());
    // Two fields with one name: no class can hold them, a dict does.
    let bytes = portable_pickle::serde::to_vec(&Twice).unwrap();
    let v: portable_pickle::Value = portable_pickle::from_slice(&bytes).unwrap();
    assert!(matches!(v, portable_pickle::Value::Dict(_)), "{v:?}");
}

/// A writer that fails after `n` bytes.
struct Broken(usize);

impl io::Write for Broken {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.0 < buf.len() {
            return Err(io::Error::new(io::ErrorKind::BrokenPipe, "pipe closed"));
        }
        self.0 -= buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn io_errors_keep_their_kind() {
    let rows: Vec<Author> = (0..50_000)
        .map(|i| Author {
            name: format!("{i}"),
            email: None,
        })
        .collect();
    let e = portable_pickle::serde::to_writer(Broken(100_000), &rows).unwrap_err();
    assert_eq!(e.io_error_kind(), Some(io::ErrorKind::BrokenPipe), "{e}");
    assert!(std::error::Error::source(&e).is_some());
    let io: io::Error = e.into();
    assert_eq!(io.kind(), io::ErrorKind::BrokenPipe);
}

/// A `#[pickle(serde)]` field that fails: the derive's `to_writer` gets an
/// `io::Error` with the message and path.
#[derive(PortablePickle)]
#[pickle(write_only)]
struct Holder {
    #[pickle(serde)]
    order: Order,
}

#[test]
fn serde_field_errors_reach_the_derived_writer() {
    let holder = Holder {
        order: Order {
            items: vec![Some(Item { id: 1, name: Failing })],
        },
    };
    let e = portable_pickle::to_writer(io::sink(), &holder).unwrap_err();
    assert_eq!(e.to_string(), "boom at .items[0].name");
    // `to_vec` has no error to return: it panics (as the README says).
    // (The default hook's message goes to the test's captured output.)
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| portable_pickle::to_vec(&holder)));
    let payload = panic.expect_err("to_vec panics");
    let message = payload.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(message.contains("boom at .items[0].name"), "{message:?}");
}
