//! Every global a stream may reference, in one place. `docs/FORMAT.md`'s
//! allowlist is checked against these lists (`tests/format_spec.rs`).

/// A stdlib global (`datetime.timedelta`, …). The body writes and memoizes
/// one the first time a stream needs it; its address identifies it in the
/// stream's type table.
#[derive(Debug)]
pub struct StdGlobal {
    /// Module name.
    pub module: &'static str,
    /// Attribute name (may be dotted).
    pub name: &'static str,
}

macro_rules! body_globals {
    ($($name:ident = $module:literal $attr:literal;)*) => {
        $(
            #[doc = concat!("`", $module, ".", $attr, "`.")]
            pub static $name: StdGlobal = StdGlobal { module: $module, name: $attr };
        )*
        /// The globals a stream body may reference.
        pub static BODY: &[&StdGlobal] = &[$(&$name),*];
    };
}

body_globals! {
    TIMEDELTA = "datetime" "timedelta";
    DATETIME = "datetime" "datetime";
    DATE = "datetime" "date";
    TIME = "datetime" "time";
    TIMEZONE = "datetime" "timezone";
    UTC = "datetime" "timezone.utc";
    IPV4 = "ipaddress" "IPv4Address";
    IPV6 = "ipaddress" "IPv6Address";
    RANGE = "builtins" "range";
    COMPLEX = "builtins" "complex";
    UUID = "uuid" "UUID";
    DECIMAL = "decimal" "Decimal";
}

/// The globals the header, the payload and the class descriptors reference
/// (the recipes in [`crate::header`] and [`crate::descriptor`]; a test
/// checks the compiled programs against this list).
pub const RECIPE: &[(&str, &str)] = &[
    ("builtins", "next"),
    ("builtins", "filter"),
    ("builtins", "map"),
    ("builtins", "getattr"),
    ("builtins", "zip"),
    ("builtins", "vars"),
    ("builtins", "type"),
    ("builtins", "dict.get"),
    ("builtins", "dict.setdefault"),
    ("builtins", "bytes.join"),
    ("itertools", "chain"),
    ("itertools", "starmap"),
    ("functools", "partial"),
    ("sys", "modules"),
    ("pickle", "loads"),
    ("zlib", "decompress"),
    ("dataclasses", "dataclass"),
    ("enum", "Enum"),
    ("enum", "EnumMeta"),
    ("enum", "IntEnum"),
    ("types", "ModuleType"),
    ("types", "new_class"),
    ("operator", "attrgetter"),
    ("copyreg", "dispatch_table"),
    ("importlib", "import_module"),
    ("importlib.util", "find_spec"),
    ("sys", "implementation"),
    ("gc", "isenabled"),
    ("gc", "enable"),
    ("gc", "disable"),
    ("weakref", "finalize"),
    // The array tools (crate::array), in streams that hold arrays.
    ("sys", "byteorder"),
    ("array", "array"),
    ("operator", "itemgetter"),
    ("builtins", "memoryview"),
    ("builtins", "memoryview.cast"),
    ("builtins", "memoryview.tolist"),
];

/// The globals the strict profile's header and class descriptors reference
/// ([`crate::strict`]): none that picklescan, modelscan or fickling grade
/// dangerous (docs/FORMAT.md, "Strict profile").
pub const STRICT: &[(&str, &str)] = &[
    ("abc", "ABCMeta"),
    ("copyreg", "__newobj_ex__"),
    ("dataclasses", "dataclass"),
    ("enum", "Enum"),
    ("enum", "IntEnum"),
];

/// Whether the strict profile may write the body global `g`: every one
/// but `uuid.UUID` (scanners grade the `uuid` module dangerous).
pub fn strict_body_allows(g: &StdGlobal) -> bool {
    g.module != "uuid"
}

/// Whether a stream written by this crate may reference `module.name`
/// (besides the runtime namespace's own classes).
pub fn is_allowed(module: &str, name: &str) -> bool {
    RECIPE.iter().any(|&(m, n)| m == module && n == name) || BODY.iter().any(|g| g.module == module && g.name == name)
}
