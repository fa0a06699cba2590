//! The conformance matrix's read paths: how each stream is read back in
//! Rust, what each cell must give, and the tally of outcomes.

use super::*;

/// Where a cell ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Outcome {
    Passed,
    Refused,
    Failed,
}

#[derive(Default)]
pub(crate) struct Tally {
    pub(crate) cells: BTreeMap<(String, String), [usize; 3]>,
    pub(crate) failures: Vec<String>,
}

impl Tally {
    pub(crate) fn add(&mut self, write: &str, read: &str, outcome: Outcome, what: impl FnOnce() -> String) {
        let e = self.cells.entry((write.to_owned(), read.to_owned())).or_default();
        e[outcome as usize] += 1;
        if outcome == Outcome::Failed && self.failures.len() < 40000 {
            self.failures.push(what());
        }
    }

    pub(crate) fn totals(&self) -> [usize; 3] {
        let mut t = [0; 3];
        for c in self.cells.values() {
            for i in 0..3 {
                t[i] += c[i];
            }
        }
        t
    }
}

/// What the Rust read paths must do with a stream.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Expect {
    /// Read back equal.
    Read,
    /// A session's later pickle alone: refused, its `io._pp3` globals not
    /// admitted (docs/FORMAT.md, "Refusals").
    RefusedSessionAlias,
    /// A derived unit-only enum's member read through serde: it carries its
    /// value, serde knows variants by name only.
    RefusedSerdeEnumValue,
    /// A re-pickle naming a real module's classes: the typed paths read it
    /// (they know the target's class names); `from_slice::<Value>` admits
    /// only the namespace and the stdlib table, so refuses the module's
    /// globals (README, "Reading back"; `ReadOptions::allow_global`).
    ReadTypedOnly,
}

pub(crate) const READ_PATHS: [&str; 4] = ["from_slice", "from_reader/1", "from_reader/7", "value_rewrite"];
pub(crate) const SERDE_READ_PATHS: [&str; 3] = ["serde::from_slice", "serde::from_reader/7", "serde::value_rewrite"];

/// Every Rust read path of one stream.
pub(crate) fn read_paths<T: FromPickle + PortablePickle + PartialEq + Debug>(
    tally: &mut Tally,
    write: &str,
    case: &str,
    bytes: &[u8],
    expect: Expect,
    want: &[T],
) {
    let attempts = [
        (READ_PATHS[0], from_slice::<Vec<T>>(bytes)),
        (
            READ_PATHS[1],
            from_reader::<_, Vec<T>>(ShortReads { data: bytes, n: 1 }),
        ),
        (
            READ_PATHS[2],
            from_reader::<_, Vec<T>>(ShortReads { data: bytes, n: 7 }),
        ),
        (
            READ_PATHS[3],
            from_slice::<Value>(bytes).and_then(|v| from_slice::<Vec<T>>(&portable_pickle::to_vec(&v))),
        ),
    ];
    judge(tally, write, case, expect, want, attempts);
}

/// `Unpickler` over a whole stream of `pickles` pickles, each `want`, then
/// the end of the stream.
pub(crate) fn unpickler_path<T: FromPickle + PartialEq + Debug>(
    tally: &mut Tally,
    write: &str,
    case: &str,
    bytes: &[u8],
    pickles: usize,
    expect: Expect,
    want: &[T],
) {
    let mut u = Unpickler::new(ShortReads { data: bytes, n: 7 });
    let got = (0..pickles)
        .map(|_| u.load::<Vec<T>>())
        .collect::<Result<Vec<_>, _>>()
        .and_then(|all| match u.load::<Value>() {
            Err(e) if *e.kind() == ErrorKind::EndOfStream => Ok(all),
            Err(e) => Err(e),
            Ok(v) => panic!("{case}: a pickle beyond the {pickles} written: {v:?}"),
        })
        .map(|all| match all.iter().all(|v| v == want) {
            true => all.into_iter().next().unwrap(),
            false => all.into_iter().find(|v| v != want).unwrap(),
        });
    judge(tally, write, case, expect, want, [("unpickler", got)]);
}

/// The serde read paths of one stream, for a serde type.
pub(crate) fn serde_read_paths<T: DeserializeOwned + PartialEq + Debug>(
    tally: &mut Tally,
    write: &str,
    case: &str,
    bytes: &[u8],
    expect: Expect,
    want: &[T],
) {
    use portable_pickle::serde as ps;
    let attempts = [
        (SERDE_READ_PATHS[0], ps::from_slice::<Vec<T>>(bytes)),
        (
            SERDE_READ_PATHS[1],
            ps::from_reader::<_, Vec<T>>(ShortReads { data: bytes, n: 7 }),
        ),
        (
            SERDE_READ_PATHS[2],
            from_slice::<Value>(bytes).and_then(|v| ps::from_slice::<Vec<T>>(&portable_pickle::to_vec(&v))),
        ),
    ];
    judge(tally, write, case, expect, want, attempts);
}

/// Counts each read path's outcome against what was expected.
pub(crate) fn judge<T: PartialEq + Debug, const N: usize>(
    tally: &mut Tally,
    write: &str,
    case: &str,
    expect: Expect,
    want: &[T],
    attempts: [(&str, Result<Vec<T>, portable_pickle::Error>); N],
) {
    for (read, got) in attempts {
        let value_path = read.ends_with("value_rewrite");
        let outcome = match (&got, expect) {
            (Ok(v), Expect::Read) if v == want => Outcome::Passed,
            (Ok(v), Expect::ReadTypedOnly) if v == want && !value_path => Outcome::Passed,
            (Err(e), Expect::ReadTypedOnly)
                if value_path
                    && matches!(e.kind(), ErrorKind::ForbiddenGlobal { module, .. } if module == "conformance_mod") =>
            {
                Outcome::Refused
            }
            (Err(e), Expect::RefusedSessionAlias) if matches!(e.kind(), ErrorKind::ForbiddenGlobal { module, .. } if module == "io._pp3") => {
                Outcome::Refused
            }
            (Err(e), Expect::RefusedSerdeEnumValue) if matches!(e.kind(), ErrorKind::Invalid(m) if m.contains("serde reads enum variants by name only")) => {
                Outcome::Refused
            }
            _ => Outcome::Failed,
        };
        tally.add(write, read, outcome, || match &got {
            Ok(v) if v == want => format!("{case} × {read}: read, but a refusal was expected"),
            Ok(v) => format!("{case} × {read}: {v:?}, want {want:?}"),
            Err(e) => format!("{case} × {read}: {e}"),
        });
    }
}
