//! Every stdlib global a stream body may reference, in one place (each is
//! listed in docs/FORMAT.md's allowlist).

use crate::StdGlobal;

macro_rules! std_globals {
    ($($name:ident = $module:literal $attr:literal;)*) => {$(
        #[doc = concat!("`", $module, ".", $attr, "`.")]
        #[allow(dead_code)] // some are used only with an optional feature
        pub(crate) static $name: StdGlobal = StdGlobal { module: $module, name: $attr };
    )*};
}

std_globals! {
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
