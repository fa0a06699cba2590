//! Walks over a decoded `Value` at the default depth limit stay within a
//! small thread stack: the read itself, `==`, `Debug`, `Drop`, writing the
//! value back (`to_vec(&Value)`), and serde's deserialization of a `Value`
//! into a self-describing type (`serde_json::Value`).
//!
//! The read and `==` take no stack per level (explicit work stacks);
//! `Debug` prints at most 128 levels (deeper containers show as
//! `List(…)`); `Drop`, the writer and serde recurse once per level. In a
//! release build (`scripts/test.sh` runs this file so too) every walk fits
//! [`STACK`] at the default depth — serde's at its own default depth,
//! `serde_max_depth`; at 1000, through `serde_json::Value`'s visitors, it
//! needs [`SERDE_STACK`]. A debug build's frames
//! are about ten times larger: there the walks get [`DEBUG_STACK`]
//! (docs/FORMAT.md, "Limits", has the measured figures).

use portable_pickle::{from_slice, ReadOptions, Value};

/// The stack the default depth limit fits in a release build.
const STACK: usize = 256 * 1024;
/// The stack serde's walk into `serde_json::Value` needs there at the full
/// default depth (`serde_max_depth(1000)`).
#[cfg(feature = "serde")]
const SERDE_STACK: usize = 512 * 1024;
/// Every walk's stack in a debug build.
const DEBUG_STACK: usize = 8 << 20;

/// Lists nested `depth` deep: `[[[...]]]`.
fn nested_lists(depth: usize) -> Vec<u8> {
    let mut b = vec![0x80, 4];
    b.extend(vec![b']'; depth]);
    b.extend(vec![b'a'; depth - 1]);
    b.push(b'.');
    b
}

fn on_stack<T: Send + 'static>(stack: usize, f: impl FnOnce() -> T + Send + 'static) -> T {
    let stack = if cfg!(debug_assertions) { DEBUG_STACK } else { stack };
    std::thread::Builder::new()
        .stack_size(stack)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("the walk fits the stack")
}

#[test]
fn walks_at_the_default_depth_fit_a_small_stack() {
    let depth = ReadOptions::default().max_depth;
    let bytes = nested_lists(depth);
    let deeper = nested_lists(depth + 1);
    on_stack(STACK, move || {
        assert!(from_slice::<Value>(&deeper).is_err(), "the limit holds");
        let a = from_slice::<Value>(&bytes).expect("read");
        let b = from_slice::<Value>(&bytes).expect("read");
        assert!(a == b);
        let shown = format!("{a:?}");
        assert_eq!(shown.matches("List([").count(), 128, "{shown}");
        assert!(shown.contains("List(…)"), "{shown}");
        let written = portable_pickle::to_vec(&a);
        assert!(from_slice::<Value>(&written).expect("read back") == a);
        drop(a);
        drop(b);
    });
}

/// Dicts nested `depth` deep: `{'a': {'a': ...}}`.
#[cfg(feature = "serde")]
fn nested_dicts(depth: usize) -> Vec<u8> {
    let mut b = vec![0x80, 4];
    for _ in 1..depth {
        b.extend(b"}\x8c\x01a");
    }
    b.push(b'}');
    b.extend(vec![b's'; depth - 1]);
    b.push(b'.');
    b
}

/// How deep `json` nests (lists and dicts).
#[cfg(feature = "serde")]
fn json_depth(json: &serde_json::Value) -> usize {
    let mut d = 0;
    let mut v = json;
    loop {
        v = match v {
            serde_json::Value::Array(items) if !items.is_empty() => &items[0],
            serde_json::Value::Object(map) if !map.is_empty() => &map["a"],
            serde_json::Value::Array(_) | serde_json::Value::Object(_) => return d + 1,
            _ => return d,
        };
        d += 1;
    }
}

/// serde's walk recurses through the target's visitors, so the bridge
/// has its own default depth (`serde_max_depth`, 128): into
/// `serde_json::Value` it fits [`STACK`] on lists and on dicts (whose
/// visitor frame is about twice a list's), and one level more is refused
/// with the limit named. At the full default depth of 1000 the same walk
/// needs [`SERDE_STACK`].
#[cfg(feature = "serde")]
#[test]
fn serde_walks_at_their_default_depth_fit_a_small_stack() {
    let depth = ReadOptions::default().serde_max_depth;
    on_stack(STACK, move || {
        for nested in [nested_lists, nested_dicts] {
            let json: serde_json::Value = portable_pickle::serde::from_slice(&nested(depth)).expect("serde read");
            assert_eq!(json_depth(&json), depth);
            let e = portable_pickle::serde::from_slice::<serde_json::Value>(&nested(depth + 1)).unwrap_err();
            let limit = format!(
                "limit exceeded: nesting depth through serde, ReadOptions::serde_max_depth (limit {depth}) at byte "
            );
            assert!(e.to_string().starts_with(&limit), "{e}");
        }
    });
    let full = ReadOptions::default().max_depth;
    on_stack(SERDE_STACK, move || {
        let options = ReadOptions::default().serde_max_depth(full);
        for nested in [nested_lists, nested_dicts] {
            let json: serde_json::Value =
                portable_pickle::serde::from_slice_with(&nested(full), &options).expect("serde read");
            assert_eq!(json_depth(&json), full);
            // serde_json's own `Drop` recurses too: not ours to measure.
            std::mem::forget(json);
        }
    });
}
