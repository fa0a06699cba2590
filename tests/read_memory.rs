//! `ReadOptions::max_alloc` bounds the reader's real peak heap: a counting
//! global allocator (this test binary's own) measures the peak while hostile
//! streams are read under a small budget, and a legitimate stream under the
//! same budget still reads. It counts each block as glibc's malloc takes it
//! (an 8-byte header, 16-byte rounding, 32 bytes at least), so many small
//! containers count what they cost; and a child process's peak resident
//! set is measured too, on the stream of many small containers.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use portable_pickle::{from_reader_with, from_slice_with, Error, ErrorKind, ReadOptions, Value};

/// Counts the bytes the program holds and the most it held. A `realloc`
/// counts the new block before the old one is freed, as a copying realloc
/// holds both.
struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

/// What malloc takes for a block of `n` bytes (see the module doc).
fn chunk(n: usize) -> usize {
    (n + 8 + 15).max(32) & !15
}

fn grow(n: usize) {
    let n = chunk(n);
    let now = CURRENT.fetch_add(n, Ordering::SeqCst) + n;
    PEAK.fetch_max(now, Ordering::SeqCst);
}

fn shrink(n: usize) {
    CURRENT.fetch_sub(chunk(n), Ordering::SeqCst);
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            grow(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc_zeroed(layout);
        if !p.is_null() {
            grow(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        shrink(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        grow(new_size);
        let p = System.realloc(ptr, layout, new_size);
        if p.is_null() {
            shrink(new_size);
        } else {
            shrink(layout.size());
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// The measurements of one binary run one at a time (the test harness runs
/// tests on threads).
static SERIAL: Mutex<()> = Mutex::new(());

const MIB: usize = 1 << 20;
const BUDGET: usize = 64 * MIB;

/// Runs `f` and returns its result with the most heap it held beyond what
/// was held when it started (the input buffer is the caller's).
fn peak_of<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let base = CURRENT.load(Ordering::SeqCst);
    PEAK.store(base, Ordering::SeqCst);
    let r = f();
    (r, PEAK.load(Ordering::SeqCst) - base)
}

fn options() -> ReadOptions {
    with_budget(BUDGET)
}

fn with_budget(budget: usize) -> ReadOptions {
    ReadOptions::default().max_alloc(budget).max_memo(usize::MAX)
}

/// A protocol-4 stream of `parts`, concatenated.
fn stream(parts: &[&[u8]]) -> Vec<u8> {
    let mut b = vec![0x80, 4];
    for p in parts {
        b.extend_from_slice(p);
    }
    b
}

fn assert_limit(what: &str, budget: usize, r: Result<Value, Error>, peak: usize) {
    println!(
        "{what}: peak {:.1} MiB of {} MiB",
        peak as f64 / MIB as f64,
        budget / MIB
    );
    match r {
        Err(e) => assert!(matches!(e.kind(), ErrorKind::Limit { .. }), "{what}: {e}"),
        Ok(_) => panic!("{what}: read under a {} MiB budget", budget / MIB),
    }
    assert!(
        peak <= budget + budget / 4,
        "{what}: peak {peak} bytes exceeds 1.25 × the {budget}-byte budget"
    );
}

/// Takes the measuring lock (held while a test builds its input too, so
/// no other test allocates during a measurement).
fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// Reads `data` from a slice and from a reader, asserting both hit the
/// limit within 1.25 × the budget.
fn check_hostile(what: &str, data: &[u8]) {
    check_hostile_at(what, BUDGET, data);
}

fn check_hostile_at(what: &str, budget: usize, data: &[u8]) {
    let (r, peak) = peak_of(|| from_slice_with::<Value>(data, &with_budget(budget)));
    assert_limit(what, budget, r, peak);
    let (r, peak) = peak_of(|| from_reader_with::<_, Value>(data, &with_budget(budget)));
    assert_limit(&format!("{what} (reader)"), budget, r, peak);
}

/// The budget of the smaller cases beyond the issue's four (the ratio of
/// peak to budget is what they check; smaller inputs keep them fast).
const SMALL: usize = 16 * MIB;

#[test]
fn a_list_of_ten_million_nones() {
    let _serial = serial();
    // PROTO 4, EMPTY_LIST, MARK, NONE × 10 M, APPENDS, STOP.
    let data = stream(&[b"](", &b"N".repeat(10_000_000), b"e."]);
    check_hostile("list of 10 M None", &data);
}

#[test]
fn ten_million_stack_items() {
    let _serial = serial();
    // MARK, NONE × 10 M, and no end.
    let data = stream(&[b"(", &b"N".repeat(10_000_000)]);
    check_hostile("10 M stack items", &data);
}

#[test]
fn five_mi_memo_entries() {
    let _serial = serial();
    // (NONE, MEMOIZE, POP) × 5 Mi: each memoized None is an object of its own.
    let data = stream(&[&b"N\x940".repeat(5 << 20), b"N."]);
    check_hostile("5 Mi memo entries", &data);
    // (EMPTY_LIST, MEMOIZE, POP) × 1.25 Mi, and sparse memo indices (a hash table).
    let data = stream(&[&b"]\x940".repeat(5 << 18), b"N."]);
    check_hostile_at("1.25 Mi memoized lists", SMALL, &data);
    let mut puts = Vec::with_capacity(7_000_000);
    for i in 0..1_000_000u32 {
        puts.extend_from_slice(b"]r");
        puts.extend_from_slice(&(i * 2).to_le_bytes());
        puts.push(b'0');
    }
    let data = stream(&[&puts, b"N."]);
    check_hostile_at("1 M sparse memo entries", SMALL, &data);
}

#[test]
fn a_dict_of_a_million_duplicate_keys() {
    let _serial = serial();
    // EMPTY_DICT, MARK, (BININT1 1, NONE) × 10^6, SETITEMS, STOP.
    let data = stream(&[b"}(", &b"K\x01N".repeat(1_000_000), b"u."]);
    check_hostile("dict of 10^6 duplicate keys", &data);
}

#[test]
fn shared_references_expand_within_the_budget() {
    let _serial = serial();
    // One list memoized, then referenced from a list 2.5 M times: the tree
    // shares it, but the outer list's items are 2.5 M values.
    let data = stream(&[b"]\x940](", &b"h\x00".repeat(2_500_000), b"e."]);
    check_hostile_at("2.5 M memo references", SMALL, &data);
    // Many strings: their bytes, blocks and nodes.
    let data = stream(&[b"](", &b"\x8c\x08abcdefgh".repeat(750_000), b"e."]);
    check_hostile_at("750 K strings", SMALL, &data);
    // A FRAME beyond the input, from a reader: only what is there is read.
    let data = stream(&[b"\x95", &(1u64 << 40).to_le_bytes(), &b"N".repeat(4 << 20)]);
    let (r, peak) = peak_of(|| from_reader_with::<_, Value>(&data[..], &with_budget(SMALL)));
    println!("FRAME of 1 TiB over 4 MiB: peak {:.1} MiB", peak as f64 / MIB as f64);
    assert!(r.is_err());
    // The frame's buffer doubles as it fills: about twice what is there
    // (the old and new block together, with their headers).
    assert!(peak <= 3 * data.len() + 4096, "{peak}");
}

/// `n` ints in a list: `EMPTY_LIST, MARK, BININT × n, APPENDS, STOP`
/// (multiples of 1000, so the larger ones are beyond what the decoder holds
/// inline).
fn ints(n: u32) -> Vec<u8> {
    let mut items = Vec::with_capacity(5 * n as usize);
    for i in 0..n {
        items.push(b'J');
        items.extend_from_slice(&(i as i32 * 1000).to_le_bytes());
    }
    stream(&[b"](", &items, b"e."])
}

#[test]
fn a_million_ints_read_under_the_budget() {
    let _serial = serial();
    let n = 1_000_000u32;
    let data = ints(n);
    let (v, peak) = peak_of(|| from_slice_with::<Value>(&data, &options()).unwrap());
    println!("1 M ints as Value: peak {:.1} MiB", peak as f64 / MIB as f64);
    assert!(peak <= BUDGET);
    let Value::List(items) = &v else { panic!("a list") };
    assert_eq!(items.len(), n as usize);
    assert_eq!(items[7], Value::Int(7000));
    assert_eq!(items[n as usize - 1], Value::Int(i64::from(n - 1) * 1000));
    drop(v);
    let (v, peak) = peak_of(|| from_reader_with::<_, Value>(&data[..], &options()).unwrap());
    println!("1 M ints as Value (reader): peak {:.1} MiB", peak as f64 / MIB as f64);
    assert!(peak <= BUDGET);
    drop(v);
    // A typed read holds the tree and the result together, and the
    // conversion charges each item its size plus a fixed overhead.
    let n = 500_000u32;
    let data = ints(n);
    let (v, peak) = peak_of(|| from_slice_with::<Vec<i64>>(&data, &options()).unwrap());
    println!("500 K ints as Vec<i64>: peak {:.1} MiB", peak as f64 / MIB as f64);
    assert!(peak <= BUDGET);
    assert_eq!(v.len(), n as usize);
    assert_eq!(v[n as usize - 1], i64::from(n - 1) * 1000);
}

#[test]
fn large_payloads_read_under_the_budget_or_stop_at_it() {
    let _serial = serial();
    // (BINBYTES8 of 8 MiB, BINUNICODE of 2 MiB), from a slice and a reader.
    let (bytes, text) = (vec![7u8; 8 * MIB], "é".repeat(MIB));
    let data = stream(&[
        b"\x8e",
        &(bytes.len() as u64).to_le_bytes(),
        &bytes,
        b"X",
        &(text.len() as u32).to_le_bytes(),
        text.as_bytes(),
        b"\x86.",
    ]);
    let expected = Value::Tuple(vec![Value::Bytes(bytes), Value::Str(text)]);
    let (v, peak) = peak_of(|| from_slice_with::<Value>(&data, &with_budget(SMALL)).unwrap());
    println!(
        "10 MiB of payloads: peak {:.1} MiB of {} MiB",
        peak as f64 / MIB as f64,
        SMALL / MIB
    );
    assert!(peak <= SMALL);
    assert_eq!(v, expected);
    drop(v);
    let (v, peak) = peak_of(|| from_reader_with::<_, Value>(&data[..], &with_budget(SMALL)).unwrap());
    println!(
        "10 MiB of payloads (reader): peak {:.1} MiB of {} MiB",
        peak as f64 / MIB as f64,
        SMALL / MIB
    );
    assert!(peak <= SMALL);
    assert_eq!(v, expected);
    drop((v, expected));
    // 20 MiB of bytes do not fit.
    let data = stream(&[b"\x8e", &(20u64 << 20).to_le_bytes(), &vec![0; 20 * MIB], b"."]);
    check_hostile_at("20 MiB of bytes", SMALL, &data);
}

/// Nested one-item lists (`(` × n, then `l` × n): as many small containers
/// as the input has bytes, each a 4-byte item in a block of 32.
fn nested_mark_lists(n: usize) -> Vec<u8> {
    stream(&[&b"(".repeat(n), &b"l".repeat(n), b"."])
}

#[test]
fn many_small_containers_are_charged_as_the_allocator_takes_them() {
    let _serial = serial();
    check_hostile("2 M nested one-item lists", &nested_mark_lists(2_000_000));
}

/// The environment variable that makes this binary a child that reads a
/// hostile stream and prints its resident set (kB) before and at its peak.
const CHILD: &str = "PORTABLE_PICKLE_RSS_CHILD";

fn status_kb(field: &str) -> usize {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let line = status.lines().find(|l| l.starts_with(field)).expect(field);
    line.split_whitespace().nth(1).and_then(|v| v.parse().ok()).expect("kB")
}

/// The process's peak resident set while a stream of many small containers
/// is read under the budget stays within 1.25 × the budget (beyond what it
/// held before, the input included). Linux only (`/proc`).
#[test]
fn peak_resident_set_stays_within_the_budget() {
    if cfg!(not(target_os = "linux")) {
        return;
    }
    if let Ok(arg) = std::env::var(CHILD) {
        let (n, budget) = arg.split_once(',').expect("n,budget");
        let data = nested_mark_lists(n.parse().expect("n"));
        let before = status_kb("VmRSS:");
        let r = from_slice_with::<Value>(&data, &with_budget(budget.parse().expect("budget")));
        println!("rss {before} {} {}", status_kb("VmHWM:"), r.is_err());
        return;
    }
    // The small budget, and the default one on a 32 MiB input (the case
    // that once held 845 MB at 512 MiB).
    for (n, budget) in [(8_000_000, BUDGET), (16_000_000, ReadOptions::default().max_alloc)] {
        let out = std::process::Command::new(std::env::current_exe().expect("test binary"))
            .args([
                "--exact",
                "peak_resident_set_stays_within_the_budget",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD, format!("{n},{budget}"))
            .output()
            .expect("child");
        let text = String::from_utf8_lossy(&out.stdout);
        let line = text
            .lines()
            .find_map(|l| l.split_once("rss "))
            .unwrap_or_else(|| panic!("{text}"))
            .1;
        let v: Vec<&str> = line.split_whitespace().collect();
        let (before, peak): (usize, usize) = (v[0].parse().unwrap(), v[1].parse().unwrap());
        let held = (peak - before) * 1024;
        println!(
            "{} M nested one-item lists: peak RSS {:.1} MiB beyond the start, budget {} MiB, refused: {}",
            n / 1_000_000,
            held as f64 / MIB as f64,
            budget / MIB,
            v[2]
        );
        assert_eq!(v[2], "true", "the read stops at the budget");
        assert!(
            held <= budget + budget / 4,
            "peak RSS {held} bytes over 1.25 × {budget}"
        );
    }
}
