//! The streaming case of the conformance matrix: 10,000 mixed values
//! written by one `Pickler` (a data enum of four variants declared in a
//! module, nested structs, a unit enum, chrono and uuid fields, an array
//! field, a map keyed by a frozen struct), read back by `Unpickler`, loaded
//! by every reader with a `pickle.load` loop, and re-dumped by each reader
//! with `pickle.dump` in a loop for `Unpickler` to read again.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use portable_pickle::PortablePickle;
use uuid::Uuid;

pub const COUNT: usize = 10_000;
pub const CASE: &str = "stream_mixed";
/// The values each reader re-dumps, and at which protocols (a re-dumped
/// pickle of a stand-in class carries that class, so a kilobyte or more).
pub const REDUMPED: usize = 1_000;
pub const REDUMP_PROTOCOLS: (u8, u8, u8) = (0, 2, 5);

#[derive(PortablePickle, Debug, PartialEq)]
#[pickle(module = "telemetry")]
pub enum Event {
    Sample {
        id: Uuid,
        at: DateTime<Utc>,
        host: Host,
        #[pickle(array)]
        values: Vec<f64>,
        tags: BTreeMap<String, String>,
    },
    Login {
        user: String,
        at: DateTime<Utc>,
        session: Option<Uuid>,
    },
    Counters(HashMap<SeriesKey, u64>),
    Shutdown,
}

#[derive(PortablePickle, Debug, PartialEq)]
#[pickle(module = "telemetry")]
pub struct Host {
    pub name: String,
    pub rack: Option<u16>,
    pub level: Level,
}

#[derive(PortablePickle, Debug, PartialEq)]
#[pickle(module = "telemetry")]
pub enum Level {
    Debug,
    Info,
    Warn,
}

#[derive(PortablePickle, Debug, PartialEq, Eq, Hash)]
#[pickle(module = "telemetry", frozen)]
pub struct SeriesKey {
    pub metric: String,
    pub shard: u8,
}

/// Value `i` of the stream: a `Sample` (with its array) every 50th, else
/// the other variants in turn.
pub fn event(i: usize) -> Event {
    let at = DateTime::from_timestamp(1_700_000_000 + i as i64, (i as u32 % 1000) * 1000).unwrap();
    match (i % 50, i % 3) {
        (0, _) => Event::Sample {
            id: Uuid::from_u128(i as u128 * 0x1_0000_0001),
            at,
            host: Host {
                name: format!("host-{}", i % 7),
                rack: (i % 2 == 0).then_some(i as u16 % 40),
                level: match i % 3 {
                    0 => Level::Debug,
                    1 => Level::Info,
                    _ => Level::Warn,
                },
            },
            values: (0..8).map(|k| (i * 8 + k) as f64 / 4.0).collect(),
            tags: BTreeMap::from([
                ("dc".to_owned(), format!("dc{}", i % 3)),
                ("i".to_owned(), i.to_string()),
            ]),
        },
        (_, 0) => Event::Login {
            user: format!("user{i}"),
            at,
            session: (i % 4 == 0).then(|| Uuid::from_u128(i as u128)),
        },
        (_, 1) => Event::Counters(HashMap::from([
            (
                SeriesKey {
                    metric: "rx".into(),
                    shard: (i % 5) as u8,
                },
                i as u64,
            ),
            (
                SeriesKey {
                    metric: "tx".into(),
                    shard: 0,
                },
                2 * i as u64,
            ),
        ])),
        _ => Event::Shutdown,
    }
}

/// How many of the stream's values are of each variant class.
pub fn class_counts() -> BTreeMap<&'static str, usize> {
    let mut counts = BTreeMap::new();
    for i in 0..COUNT {
        let name = match event(i) {
            Event::Sample { .. } => "Event.Sample",
            Event::Login { .. } => "Event.Login",
            Event::Counters(_) => "Event.Counters",
            Event::Shutdown => "Event.Shutdown",
        };
        *counts.entry(name).or_insert(0) += 1;
    }
    counts
}

/// The Python check: every reader loads the stream with a `pickle.load`
/// loop (its C and Python unpicklers; the other loaders pickle by pickle,
/// split where `pickletools.genops` finds each `STOP`), counts the
/// variants, compares the first values with their expected normal forms,
/// and (loader c) re-dumps the first [`REDUMPED`] with `pickle.dump` in a loop.
pub fn python_check() -> String {
    let counts: Vec<String> = class_counts().iter().map(|(k, v)| format!("{k:?}: {v}")).collect();
    let counts = counts.join(", ");
    format!(
        r#"
if loader in ('c', 'py'):
    unpickler = pickle.Unpickler if loader == 'c' else pickle._Unpickler
    f = io.BytesIO(data)
    xs = []
    while f.tell() < len(data):
        xs.append(unpickler(f).load())
else:
    f = io.BytesIO(data)
    bounds = [0]
    while f.tell() < len(data):
        for _ in pickletools.genops(f):
            pass
        bounds.append(f.tell())
    xs = [loads(data[a:b]) for a, b in zip(bounds, bounds[1:])]
assert len(xs) == {COUNT}, len(xs)
counts = {{}}
for x in xs:
    counts[type(x).__qualname__] = counts.get(type(x).__qualname__, 0) + 1
assert counts == {{{counts}}}, counts
sample = xs[0]
assert type(sample).__qualname__ == 'Event.Sample' and type(sample).__module__ in ('telemetry', '_portable_pickle_v3')
assert [float(v) for v in sample.values] == [k / 4.0 for k in range(8)], sample.values
assert sample.host.level.name == 'Debug' and sample.tags == {{'dc': 'dc0', 'i': '0'}}
assert sample.id == uuid.UUID(int=0) and sample.at == datetime.datetime(2023, 11, 14, 22, 13, 20, tzinfo=datetime.timezone.utc)
login = xs[3]
assert conform_norm(login) == ('Event.Login', (('user', 'user3'), ('at', datetime.datetime(2023, 11, 14, 22, 13, 23, 3, tzinfo=datetime.timezone.utc)), ('session', None))), conform_norm(login)
assert conform_norm(xs[4]) == ('Event.Counters', (('_0', ('dict', sorted([(('SeriesKey', (('metric', 'rx'), ('shard', 4))), 4), (('SeriesKey', (('metric', 'tx'), ('shard', 0))), 8)], key=repr))),)), conform_norm(xs[4])
assert conform_norm(xs[2]) == ('Event.Shutdown', ()), conform_norm(xs[2])
assert xs[100].host.level is xs[250].host.level is type(xs[0].host.level).Info, xs[100].host.level
if loader == 'c':
    write_back_stream(xs[:{REDUMPED}], protocols={REDUMP_PROTOCOLS:?})
"#
    )
}
