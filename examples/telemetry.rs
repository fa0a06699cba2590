//! Producer of the per-event benchmark (issue 24; docs/PERFORMANCE.md,
//! "Streams"): a telemetry agent's events, one pickle (or JSON line) each.
//!
//! ```text
//! cargo run --release --example telemetry --features "serde chrono uuid" -- ENCODING N FILE
//! ```
//!
//! ENCODING: `portable` (a `Pickler` session, samples as `#[pickle(array)]`),
//! `portable-list` (samples as a list), `serde-pickle` (serde-pickle's
//! dicts, one `to_writer` per event), `json` (serde_json, one line per
//! event). `benches/telemetry_consumer.py` reads each with the same
//! aggregation; `scripts/bench-events.sh` runs them side by side.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufWriter, Write};

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// The event types, once with the samples as an array and once as a list.
macro_rules! telemetry {
    ($module:ident, $($samples_attr:tt)*) => {
        pub mod $module {
            use super::*;
            use portable_pickle::PortablePickle;
            use serde::Serialize;

            #[derive(PortablePickle, Serialize)]
            #[pickle(module = "telemetry")]
            pub enum Event {
                Metric {
                    id: Uuid,
                    at: DateTime<Utc>,
                    host: Host,
                    $($samples_attr)*
                    samples: Vec<f64>,
                    tags: BTreeMap<String, String>,
                },
                Login { user: String, at: DateTime<Utc>, session: Option<Uuid> },
                Counters {
                    at: DateTime<Utc>,
                    #[serde(with = "super::pairs")]
                    counts: HashMap<SeriesKey, u64>,
                },
                Shutdown { at: DateTime<Utc>, reason: String },
            }

            #[derive(PortablePickle, Serialize)]
            #[pickle(module = "telemetry")]
            pub struct Host {
                pub name: String,
                pub region: String,
                pub cores: u32,
            }

            #[derive(PortablePickle, Serialize, PartialEq, Eq, Hash)]
            #[pickle(module = "telemetry", frozen)]
            pub struct SeriesKey {
                pub metric: String,
                pub shard: u32,
            }

            /// Event `i` of the benchmark's stream.
            pub fn event(i: u64) -> Event {
                let at = DateTime::from_timestamp(1_700_000_000 + i as i64, (i % 1000) as u32 * 1000).unwrap();
                match i % 10 {
                    0..=5 => Event::Metric {
                        id: Uuid::from_u128(u128::from(i) * 0x9E37_79B9_7F4A_7C15),
                        at,
                        host: Host { name: format!("web-{}", i % 16), region: ["eu", "us", "ap"][(i % 3) as usize].into(), cores: 8 },
                        samples: (0..8).map(|k| (i * 8 + k) as f64 * 0.5).collect(),
                        tags: BTreeMap::from([("env".to_owned(), "prod".to_owned()), ("svc".to_owned(), format!("svc{}", i % 5))]),
                    },
                    6 | 7 => Event::Login {
                        user: format!("user{}", i % 1000),
                        at,
                        session: (i % 4 == 0).then(|| Uuid::from_u128(u128::from(i))),
                    },
                    8 => Event::Counters {
                        at,
                        counts: (0..3).map(|s| (SeriesKey { metric: "rx".into(), shard: s }, i + u64::from(s))).collect(),
                    },
                    _ => Event::Shutdown { at, reason: "deploy".into() },
                }
            }
        }
    };
}

telemetry!(with_array, #[pickle(array)]);
telemetry!(with_list,);

/// serde: a map with struct keys as a list of pairs (JSON has string keys
/// only; serde-pickle's dict keys would be unhashable dicts).
mod pairs {
    use serde::Serializer;

    pub fn serialize<K: serde::Serialize, V: serde::Serialize, S: Serializer>(
        map: &std::collections::HashMap<K, V>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(map.iter())
    }
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [encoding, n, file] = &args[..] else {
        eprintln!("usage: telemetry ENCODING N FILE");
        std::process::exit(2);
    };
    let n: u64 = n.parse().expect("N");
    let mut out = BufWriter::new(std::fs::File::create(file)?);
    match encoding.as_str() {
        "portable" => {
            let mut p = portable_pickle::Pickler::new(&mut out).flush_each(false);
            for i in 0..n {
                p.dump(&with_array::event(i))?;
            }
        }
        "portable-list" => {
            let mut p = portable_pickle::Pickler::new(&mut out).flush_each(false);
            for i in 0..n {
                p.dump(&with_list::event(i))?;
            }
        }
        "serde-pickle" => {
            for i in 0..n {
                serde_pickle::to_writer(&mut out, &with_list::event(i), Default::default())
                    .map_err(std::io::Error::other)?;
            }
        }
        "json" => {
            for i in 0..n {
                serde_json::to_writer(&mut out, &with_list::event(i))?;
                out.write_all(b"\n")?;
            }
        }
        other => {
            eprintln!("unknown encoding {other}");
            std::process::exit(2);
        }
    }
    out.flush()
}
