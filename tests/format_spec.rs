//! docs/FORMAT.md agrees with the spec crate: the printed header and
//! descriptor, the memo layout, the allowlist of globals and the opcodes.

use std::collections::BTreeSet;
use std::path::PathBuf;

use portable_runtime::layout::slot;
use portable_runtime::pyexpr::{print_program, Context};
use portable_runtime::{header, opcodes, spec_globals};

fn read(path: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The fenced block whose info string is `info`.
fn block(doc: &str, info: &str) -> String {
    let open = format!("```{info}\n");
    let start = doc
        .find(&open)
        .unwrap_or_else(|| panic!("no ```{info} block in FORMAT.md"))
        + open.len();
    let end = start + doc[start..].find("\n```").expect("closed block");
    doc[start..end].to_owned()
}

#[test]
fn printed_header_is_the_compiled_one() {
    let doc = read("docs/FORMAT.md");
    let printed = print_program(
        &header::header_program(portable_pickle::NAMESPACE, portable_pickle::FORMAT_VERSION, b""),
        Context::Fresh,
    );
    assert_eq!(
        block(&doc, "python header"),
        printed.trim_end(),
        "FORMAT.md's header is stale"
    );
}

#[test]
fn printed_descriptor_is_the_snapshot() {
    let doc = read("docs/FORMAT.md");
    let snapshot = read("tests/snapshots/descriptor_point.py");
    let main = snapshot.split_once("\n\n").expect("a heading").1;
    let main = main.split("\n# ").next().expect("the descriptor").trim_end();
    assert_eq!(
        block(&doc, "python descriptor"),
        main,
        "FORMAT.md's descriptor is stale"
    );
}

#[test]
fn memo_table_names_every_slot() {
    let doc = read("docs/FORMAT.md");
    let section = doc
        .split("## Memo layout after the header")
        .nth(1)
        .expect("the section");
    let rows: Vec<(u32, String)> = section
        .lines()
        .skip_while(|l| !l.starts_with("| ---"))
        .skip(1)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            (
                cells[1].parse().expect("a slot number"),
                cells[2].trim_matches('`').to_owned(),
            )
        })
        .collect();
    let want: Vec<(u32, String)> = (0..slot::COUNT)
        .map(|i| (i, slot::name(i).unwrap().to_owned()))
        .collect();
    assert_eq!(rows, want);
}

#[test]
fn allowlist_is_the_spec() {
    let doc = read("docs/FORMAT.md");
    let listed: BTreeSet<(String, String)> = block(&doc, "allowlist")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (m, n) = l.split_once(' ').expect("module name");
            (m.to_owned(), n.to_owned())
        })
        .collect();
    let spec: BTreeSet<(String, String)> = spec_globals::RECIPE
        .iter()
        .map(|&(m, n)| (m.to_owned(), n.to_owned()))
        .chain(
            spec_globals::BODY
                .iter()
                .map(|g| (g.module.to_owned(), g.name.to_owned())),
        )
        .collect();
    assert_eq!(listed, spec);
}

#[test]
fn recipes_reference_only_listed_globals() {
    let header = header::header_program(portable_pickle::NAMESPACE, portable_pickle::FORMAT_VERSION, b"")
        .compile(Context::Fresh);
    let payload = header::payload_program(portable_pickle::NAMESPACE, 1, 700).compile(Context::Fresh);
    for (m, n) in header.globals.iter().chain(&payload.globals) {
        assert!(spec_globals::is_allowed(m, n), "{m}.{n}");
    }
}

#[test]
fn opcode_list_names_real_opcodes() {
    let doc = read("docs/FORMAT.md");
    let names: Vec<String> = block(&doc, "opcodes").split_whitespace().map(str::to_owned).collect();
    for n in &names {
        assert!(opcodes::TABLE.iter().any(|(_, t)| t == n), "{n} is no opcode");
    }
}

#[test]
fn printed_array_tools_are_the_compiled_ones() {
    let doc = read("docs/FORMAT.md");
    assert_eq!(
        block(&doc, "python array-tools"),
        portable_runtime::array_format::print_tools().trim_end(),
        "FORMAT.md's array tools are stale"
    );
}
