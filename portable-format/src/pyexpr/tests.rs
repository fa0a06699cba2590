//! Compiling and printing.

use super::print::{py_bytes, py_str};
use super::*;
use crate::opcodes::*;
use crate::writer::OpWriter;

#[test]
fn calls_compile_to_reduce_and_print_as_python() {
    let e = Expr::global("functools", "partial").call([Expr::global("builtins", "map"), Expr::str("x")]);
    let p = Program::new([Stmt::Return(e.clone())]);
    let c = p.compile(Context::Fresh);
    let mut w = OpWriter::new();
    w.global("functools", "partial");
    w.global("builtins", "map");
    w.str("x");
    w.tuple_close(2);
    w.reduce();
    w.op(STOP);
    assert_eq!(c.bytes, w.into_bytes());
    assert_eq!(print_expr(&e), "functools.partial(builtins.map, 'x')");
    assert_eq!(
        print_program(&p, Context::Fresh),
        "return functools.partial(builtins.map, 'x')\n"
    );
}

#[test]
fn memoized_strings_and_globals_are_reused() {
    let p = Program::new([Stmt::Group(vec![
        Expr::str("builtins").memoize_at("b", 0),
        builtin("next").memoize_at("next", 1),
        builtin("next").call([builtin("map")]),
    ])]);
    let c = p.compile(Context::Fresh);
    let mut w = OpWriter::new();
    w.op(MARK);
    w.str("builtins");
    w.memoize();
    w.get(0);
    w.str("next");
    w.op(STACK_GLOBAL);
    w.memoize();
    w.get(1);
    w.get(0);
    w.str("map");
    w.op(STACK_GLOBAL);
    w.tuple_close(1);
    w.reduce();
    w.op(POP_MARK);
    assert_eq!(c.bytes, w.into_bytes());
    assert_eq!(c.memo_len, 2);
}

#[test]
#[should_panic(expected = "builtins.next called with 3 arguments")]
fn argument_counts_are_checked() {
    Program::new([Stmt::Discard(builtin("next").call([
        Expr::None,
        Expr::None,
        Expr::None,
    ]))])
    .compile(Context::Fresh);
}

#[test]
#[should_panic(expected = "memoized at 0, the layout says 1")]
fn memo_slots_are_checked() {
    Program::new([Stmt::Discard(Expr::None.memoize_at("x", 1))]).compile(Context::Fresh);
}

#[test]
#[should_panic(expected = "os.system is not in globals::RECIPE")]
fn unlisted_globals_are_refused() {
    Program::new([Stmt::Discard(Expr::global("os", "system"))]).compile(Context::Fresh);
}

#[test]
fn keywords_go_through_partial_and_build() {
    let e = Expr::Memo(30).partial([("unsafe_hash", Expr::Bool(true))]);
    assert_eq!(print_expr(&e), "functools.partial(memo[30], unsafe_hash=True)");
    let c = Program::new([Stmt::Discard(e)]).compile(Context::Fresh);
    let mut w = OpWriter::new();
    w.global("functools", "partial");
    w.get(30);
    w.tuple_close(1);
    w.reduce();
    w.tuple_open(4);
    w.get(30);
    w.tuple_close(0);
    w.op(EMPTY_DICT);
    w.str("unsafe_hash");
    w.bool(true);
    w.op(SETITEM);
    w.none();
    w.tuple_close(4);
    w.op(BUILD);
    w.op(POP);
    assert_eq!(c.bytes, w.into_bytes());
}

#[test]
fn long_expressions_break_at_their_brackets() {
    let fields: Vec<Expr> = (0..12).map(|i| Expr::str(format!("field_number_{i}"))).collect();
    let e = builtin("zip").call([Expr::Tuple(fields), Expr::str("x")]);
    let text = print_expr(&e);
    assert!(!text.contains('\n'));
    let p = print_program(&Program::new([Stmt::Discard(e)]), Context::Fresh);
    assert!(
        p.starts_with("builtins.zip(\n    (\n        'field_number_0',\n"),
        "{p}"
    );
}

#[test]
fn python_reprs() {
    assert_eq!(py_str("it's"), "\"it's\"");
    assert_eq!(py_str("a\\b\n\x01"), "'a\\\\b\\n\\x01'");
    assert_eq!(py_bytes(b"a'\x00"), "b'a\\'\\x00'");
}
