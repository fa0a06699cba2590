//! Arrays: bulk numeric data as one raw buffer, turned into a
//! `numpy.ndarray` when the reader has numpy, else into `array.array`
//! (1-D) or nested lists (n-D).
//!
//! A stream that holds arrays carries the **array tools** once, before its
//! first array: a descriptor (a [`Program`] compiled like a class
//! descriptor, in [`Context::Descriptor`]) that imports numpy only when
//! `importlib.util.find_spec("numpy")` finds it, and memoizes, for each
//! kind of array, the callables that build it — numpy's or the standard
//! library's, chosen at load time with `getattr(numpy_or_None, name,
//! fallback)` and `dict.get({None: fallback}, numpy_or_None, numpy_value)`,
//! so numpy attributes are looked up only when numpy is there. Each array
//! is then one uniform call over those slots (see [`body_form`]), whatever
//! the reader has.

use crate::layout::{slot, SESSION_MODULE};
use crate::opcodes::{POP, REDUCE, STACK_GLOBAL, TUPLE2};
use crate::pyexpr::{builtin, print_program, Context, Expr, Program, Stmt};
use crate::writer::OpWriter;

/// Memo slots the array tools define, relative to the first one.
pub mod offset {
    /// 1-D: `numpy.ndarray` or `array.array`.
    pub const VEC_MAKE: u32 = 0;
    /// 1-D: the arguments' selector, `itemgetter(0, 1, 3)` (numpy:
    /// shape, dtype, buffer) or `itemgetter(2, 3)` (`array.array`: code,
    /// buffer).
    pub const VEC_ARGS: u32 = 1;
    /// n-D: `numpy.ndarray` or `memoryview.cast`.
    pub const ND_MAKE: u32 = 2;
    /// n-D: `itemgetter(0, 1, 3)` or `itemgetter(3, 2, 0)` (view, code, shape).
    pub const ND_ARGS: u32 = 3;
    /// n-D: `numpy.asarray` (the array itself) or `memoryview.tolist` (on
    /// PyPy, which cannot, the identity: the n-D memoryview).
    pub const ND_FINISH: u32 = 4;
    /// n-D with a zero in its shape: `numpy.ndarray` or the identity
    /// `functools.partial(dict.get, {}, None)`.
    pub const EMPTY_MAKE: u32 = 5;
    /// n-D with a zero in its shape: `itemgetter(0, 1, 3)` or
    /// `itemgetter(4)` (the 1-tuple of nested empty lists).
    pub const EMPTY_ARGS: u32 = 6;
    /// `memoryview`, which wraps an n-D array's buffer.
    pub const VIEW: u32 = 7;
    /// Slots the tools define.
    pub const COUNT: u32 = 8;
}

/// The message of the `AttributeError` a big-endian reader without numpy
/// raises before the first array (the fallback reads native byte order).
pub const BIG_ENDIAN_ERROR: &str = "portable-pickle arrays need numpy on a big-endian machine";

/// Key of the array tools in a stream's type table (never a class
/// fingerprint: those hash a text that starts differently).
pub const TOOLS_KEY: u64 = 0x6172_7261_795f_7631; // "array_v1"

/// One element type of an array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dtype {
    /// numpy's dtype string, byte order explicit: `<f8`, `|u1`, `|b1`.
    pub numpy: &'static str,
    /// The `array.array` type code of a 1-D array (`B` for `bool`).
    pub code: &'static str,
    /// The `memoryview.cast` format of an n-D array (`?` for `bool`).
    pub nd_code: &'static str,
    /// Bytes per element.
    pub size: usize,
}

/// The element types, by Rust name.
pub const DTYPES: [(&str, Dtype); 11] = [
    ("u8", dt("|u1", "B", "B", 1)),
    ("i8", dt("|i1", "b", "b", 1)),
    ("u16", dt("<u2", "H", "H", 2)),
    ("i16", dt("<i2", "h", "h", 2)),
    ("u32", dt("<u4", "I", "I", 4)),
    ("i32", dt("<i4", "i", "i", 4)),
    ("u64", dt("<u8", "Q", "Q", 8)),
    ("i64", dt("<i8", "q", "q", 8)),
    ("f32", dt("<f4", "f", "f", 4)),
    ("f64", dt("<f8", "d", "d", 8)),
    ("bool", dt("|b1", "B", "?", 1)),
];

const fn dt(numpy: &'static str, code: &'static str, nd_code: &'static str, size: usize) -> Dtype {
    Dtype {
        numpy,
        code,
        nd_code,
        size,
    }
}

/// The element type of Rust name `name` (`"f64"`).
pub fn dtype(name: &str) -> Option<Dtype> {
    DTYPES.iter().find(|(n, _)| *n == name).map(|&(_, d)| d)
}

/// `sys.modules.get("numpy")`: numpy when imported, else `None`.
fn numpy() -> Expr {
    builtin("dict.get").call([Expr::global("sys", "modules"), Expr::str("numpy")])
}

fn itemgetter(items: &[i128]) -> Expr {
    Expr::global("operator", "itemgetter").call(items.iter().map(|&i| Expr::Int(i)))
}

/// `getattr(numpy, name, fallback)`: numpy's attribute, or `fallback`
/// when numpy is `None`.
fn numpy_or(name: &str, fallback: Expr) -> Expr {
    builtin("getattr").call([numpy(), Expr::str(name), fallback])
}

/// `dict.get({None: fallback}, numpy, with_numpy)`.
fn choose(with_numpy: Expr, fallback: Expr) -> Expr {
    builtin("dict.get").call([Expr::Dict(vec![(Expr::None, fallback)]), numpy(), with_numpy])
}

/// The array tools' program (see the module docs).
pub fn tools_program() -> Program {
    let partial = |f: Expr, arg: &str| Expr::global("functools", "partial").call([f, Expr::str(arg)]);
    // next(MODULES, None): imports numpy when find_spec finds it.
    let specs = builtin("filter").call([
        Expr::None,
        builtin("map").call([
            partial(Expr::global("importlib.util", "find_spec"), "numpy"),
            Expr::tuple([Expr::None]),
        ]),
    ]);
    let modules = Expr::truthy_chain(
        numpy(),
        builtin("map").call([partial(Expr::global("importlib", "import_module"), "numpy"), specs]),
    );
    let import = builtin("next").call([modules, Expr::None]);
    // Without numpy, a big-endian reader fails here, before any array:
    // next(chain(filter(None, (numpy,)), map(getattr, (memoryview,),
    // (dict.get({"little": "cast"}, sys.byteorder, MESSAGE),)))).
    let name = builtin("dict.get").call([
        Expr::dict([("little", Expr::str("cast"))]),
        Expr::global("sys", "byteorder"),
        Expr::str(BIG_ENDIAN_ERROR),
    ]);
    let check = builtin("next").call([Expr::global("itertools", "chain").call([
        builtin("filter").call([Expr::None, Expr::tuple([numpy()])]),
        builtin("map").call([
            builtin("getattr"),
            Expr::tuple([builtin("memoryview")]),
            Expr::tuple([name]),
        ]),
    ])]);
    let numpy_args = || itemgetter(&[0, 1, 3]);
    let identity = Expr::global("functools", "partial").call([builtin("dict.get"), Expr::Dict(vec![]), Expr::None]);
    let tools = [
        ("array_1d", numpy_or("ndarray", Expr::global("array", "array"))),
        ("array_1d_args", choose(numpy_args(), itemgetter(&[2, 3]))),
        ("array_nd", numpy_or("ndarray", builtin("memoryview.cast"))),
        ("array_nd_args", choose(numpy_args(), itemgetter(&[3, 2, 0]))),
        // PyPy cannot turn an n-D memoryview into lists (its `tolist`
        // aborts the interpreter): there the memoryview itself is the value.
        (
            "array_nd_finish",
            numpy_or(
                "asarray",
                builtin("dict.get").call([
                    Expr::Dict(vec![(Expr::str("pypy"), identity.clone())]),
                    builtin("getattr").call([Expr::global("sys", "implementation"), Expr::str("name")]),
                    builtin("memoryview.tolist"),
                ]),
            ),
        ),
        ("array_empty", numpy_or("ndarray", identity)),
        ("array_empty_args", choose(numpy_args(), itemgetter(&[4]))),
        ("array_view", builtin("memoryview")),
    ];
    let mut stmts = vec![Stmt::Discard(import), Stmt::Discard(check)];
    for (i, (name, expr)) in tools.into_iter().enumerate() {
        stmts.push(Stmt::Discard(expr.memoize_at(name, i as u32)));
    }
    Program::new(stmts)
}

/// The array tools, printed as Python.
pub fn print_tools() -> String {
    print_program(&tools_program(), Context::Descriptor)
}

/// How the body writes one array, printed as Python: `BUFFER` is the raw
/// little-endian bytes in C order (`BYTEARRAY8`), `NESTED` the nested empty
/// lists of a shape with a zero.
pub fn body_form() -> String {
    "# 1-D\n\
     next(starmap(array_1d, map(array_1d_args, ((shape, dtype, code, BUFFER),))))\n\
     # n-D (0-D included), no zero in the shape\n\
     next(map(array_nd_finish, starmap(array_nd, map(array_nd_args, ((shape, dtype, nd_code, array_view(BUFFER)),)))))\n\
     # n-D with a zero in the shape\n\
     next(starmap(array_empty, map(array_empty_args, ((shape, dtype, nd_code, BUFFER, (NESTED,)),))))\n"
        .to_owned()
}

/// The header slots the body form reads besides the tools.
pub const BODY_HELPERS: [u32; 3] = [slot::NEXT, slot::MAP, slot::STARMAP];

/// Names under which a session's pickle with the header registers the
/// array tools (its [`offset::COUNT`] slots, in order) and then the
/// [`BODY_HELPERS`] in the namespace, once it has made them: a later pickle
/// of the session names the ones it uses as `io._pp3.NAME` instead of
/// carrying the header, so the numpy or `array.array` choice is made once
/// per process. Short, as a later pickle spells each it uses; none can be a
/// class key (those end in 16 hex digits) or a session alias (10 base-62
/// digits).
pub const SESSION_NAMES: [&str; SESSION_SLOTS as usize] =
    ["a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9", "a10"];

/// Slots of the tools and the body helpers together: tool `k` is
/// `k < offset::COUNT`, helper `h` is `offset::COUNT + h`.
pub const SESSION_SLOTS: u32 = offset::COUNT + BODY_HELPERS.len() as u32;

/// After the tools (at memo slots `first..`) in a session's pickle with the
/// header: `register(NAME, tool)` for each of [`SESSION_NAMES`]
/// (`vars(namespace).setdefault`: a name registered before keeps its
/// value, so the process's first choice stays).
pub fn write_session_registration(w: &mut OpWriter, first: u32) {
    for (k, name) in SESSION_NAMES.iter().enumerate() {
        let k = k as u32;
        let value = match k.checked_sub(offset::COUNT) {
            None => first + k,
            Some(h) => BODY_HELPERS[h as usize],
        };
        w.get(slot::REGISTER);
        w.str(name);
        w.get(value);
        w.put([TUPLE2, REDUCE, POP]);
    }
}

/// A later pickle's module name for its references to the registered
/// tools, memoized once (the stack as it was); returns its slot.
pub fn write_session_module(w: &mut OpWriter) -> u32 {
    w.str(SESSION_MODULE);
    let s = w.memoize();
    w.op(POP);
    s
}

/// A later pickle's reference to registered tool or helper `k` (see
/// [`SESSION_SLOTS`]): `io._pp3.NAME` through `STACK_GLOBAL` with the module
/// name at `module_slot`, memoized (the stack as it was); returns its slot.
pub fn write_session_reference(w: &mut OpWriter, module_slot: u32, k: u32) -> u32 {
    w.get(module_slot);
    w.str(SESSION_NAMES[k as usize]);
    w.op(STACK_GLOBAL);
    let s = w.memoize();
    w.op(POP);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tools_compile_to_their_slots() {
        let c = tools_program().compile(Context::Descriptor);
        assert_eq!(c.memo_len, offset::COUNT);
        for g in &c.globals {
            assert!(crate::globals::is_allowed(&g.0, &g.1), "{g:?}");
        }
    }

    #[test]
    fn dtypes_are_consistent() {
        for (name, d) in DTYPES {
            let bits: usize = name.trim_start_matches(['u', 'i', 'f']).parse().unwrap_or(8);
            assert_eq!(d.size * 8, bits, "{name}");
            assert!(d.numpy.ends_with(&d.size.to_string()), "{name}");
        }
    }
}
