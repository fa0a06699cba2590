//! Walks over a decoded `Value` at the default depth limit stay within a
//! small thread stack: the read itself, `==`, `Debug`, `Drop`, writing the
//! value back (`to_vec(&Value)`), and serde's deserialization of a `Value`
//! into a self-describing type (`serde_json::Value`).
//!
//! The read and `==` take no stack per level (explicit work stacks);
//! `Debug` prints at most 128 levels (deeper containers show as
//! `List(…)`); `Drop`, the writer and serde recurse once per level. In a
//! release build (`scripts/test.sh` runs this file so too) every walk but
//! serde's fits [`STACK`] at the default depth; serde's, through
//! `serde_json::Value`'s visitors, [`SERDE_STACK`]. A debug build's frames
//! are about ten times larger: there the walks get [`DEBUG_STACK`]
//! (docs/FORMAT.md, "Limits", has the measured figures).

use portable_pickle::{from_slice, ReadOptions, Value};

/// The stack the default depth limit fits in a release build.
const STACK: usize = 256 * 1024;
/// The stack serde's walk into `serde_json::Value` needs there.
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

#[cfg(feature = "serde")]
#[test]
fn serde_walks_at_the_default_depth_fit_a_small_stack() {
    let depth = ReadOptions::default().max_depth;
    let bytes = nested_lists(depth);
    on_stack(SERDE_STACK, move || {
        let json: serde_json::Value = portable_pickle::serde::from_slice(&bytes).expect("serde read");
        let mut d = 0;
        let mut v = &json;
        while let serde_json::Value::Array(items) = v {
            d += 1;
            match items.first() {
                Some(next) => v = next,
                None => break,
            }
        }
        assert_eq!(d, depth);
        // serde_json's own `Drop` recurses too: not ours to measure.
        std::mem::forget(json);
    });
}
