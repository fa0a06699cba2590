//! The pickle opcodes (protocols 0–5), named as in CPython's `pickletools`:
//! one table gives both the byte constants and [`name`], so the writer, the
//! reader and error messages agree.

macro_rules! opcode_table {
    ($($(#[$doc:meta])* $name:ident = $byte:expr;)*) => {
        $($(#[$doc])* pub const $name: u8 = $byte;)*

        /// Every opcode as `(byte, pickletools name)`, in table order.
        pub const TABLE: &[(u8, &str)] = &[$(($byte, stringify!($name))),*];

        /// The `pickletools` name of `op`, or `None` for a byte that is no opcode.
        pub const fn name(op: u8) -> Option<&'static str> {
            match op {
                $($byte => Some(stringify!($name)),)*
                _ => None,
            }
        }
    };
}

opcode_table! {
    /// Pushes the mark that `TUPLE`, `APPENDS`, `SETITEMS`, `POP_MARK`… close.
    MARK = b'(';
    /// Ends the pickle; the top of the stack is the result.
    STOP = b'.';
    /// Discards the top of the stack.
    POP = b'0';
    /// Discards everything down to the last mark.
    POP_MARK = b'1';
    /// Duplicates the top of the stack.
    DUP = b'2';
    /// Protocol 0 float, as text.
    FLOAT = b'F';
    /// Protocol 0 int, as text.
    INT = b'I';
    /// 4-byte signed int.
    BININT = b'J';
    /// 1-byte unsigned int.
    BININT1 = b'K';
    /// Protocol 0 long, as text.
    LONG = b'L';
    /// 2-byte unsigned int.
    BININT2 = b'M';
    /// `None`.
    NONE = b'N';
    /// Persistent id, as text (refused by the reader).
    PERSID = b'P';
    /// Persistent id from the stack (refused by the reader).
    BINPERSID = b'Q';
    /// Calls the callable below the argument tuple on top.
    REDUCE = b'R';
    /// Protocol 0 `str` (Python 2), quoted text.
    STRING = b'S';
    /// Python 2 `str`, 4-byte length.
    BINSTRING = b'T';
    /// Python 2 `str`, 1-byte length.
    SHORT_BINSTRING = b'U';
    /// Protocol 0 `str`, raw-unicode-escape text.
    UNICODE = b'V';
    /// `str`, 4-byte length.
    BINUNICODE = b'X';
    /// `list.append`.
    APPEND = b'a';
    /// `__setstate__` or attribute update.
    BUILD = b'b';
    /// Protocol 0 global, `module\nname\n`.
    GLOBAL = b'c';
    /// A dict of the items above the mark.
    DICT = b'd';
    /// `{}`.
    EMPTY_DICT = b'}';
    /// `list.extend` with the items above the mark.
    APPENDS = b'e';
    /// Memo get, index as text.
    GET = b'g';
    /// Memo get, 1-byte index.
    BINGET = b'h';
    /// Protocol 0 instance creation.
    INST = b'i';
    /// Memo get, 4-byte index.
    LONG_BINGET = b'j';
    /// A list of the items above the mark.
    LIST = b'l';
    /// `[]`.
    EMPTY_LIST = b']';
    /// Protocol 1 instance creation.
    OBJ = b'o';
    /// Memo put, index as text.
    PUT = b'p';
    /// Memo put, 1-byte index.
    BINPUT = b'q';
    /// Memo put, 4-byte index.
    LONG_BINPUT = b'r';
    /// `dict[key] = value`.
    SETITEM = b's';
    /// A tuple of the items above the mark.
    TUPLE = b't';
    /// `()`.
    EMPTY_TUPLE = b')';
    /// `dict.update` with the pairs above the mark.
    SETITEMS = b'u';
    /// 8-byte big-endian float.
    BINFLOAT = b'G';
    /// `bytes`, 4-byte length.
    BINBYTES = b'B';
    /// `bytes`, 1-byte length.
    SHORT_BINBYTES = b'C';
    /// Protocol version.
    PROTO = 0x80;
    /// `cls.__new__(cls, *args)`.
    NEWOBJ = 0x81;
    /// Extension registry code, 1 byte (refused by the reader).
    EXT1 = 0x82;
    /// Extension registry code, 2 bytes (refused by the reader).
    EXT2 = 0x83;
    /// Extension registry code, 4 bytes (refused by the reader).
    EXT4 = 0x84;
    /// A 1-tuple of the top item.
    TUPLE1 = 0x85;
    /// A 2-tuple of the top items.
    TUPLE2 = 0x86;
    /// A 3-tuple of the top items.
    TUPLE3 = 0x87;
    /// `True`.
    NEWTRUE = 0x88;
    /// `False`.
    NEWFALSE = 0x89;
    /// Int, two's-complement little-endian, 1-byte length.
    LONG1 = 0x8a;
    /// Int, two's-complement little-endian, 4-byte length.
    LONG4 = 0x8b;
    /// `str`, 1-byte length.
    SHORT_BINUNICODE = 0x8c;
    /// `str`, 8-byte length.
    BINUNICODE8 = 0x8d;
    /// `bytes`, 8-byte length.
    BINBYTES8 = 0x8e;
    /// `set()`.
    EMPTY_SET = 0x8f;
    /// `set.update` with the items above the mark.
    ADDITEMS = 0x90;
    /// A frozenset of the items above the mark.
    FROZENSET = 0x91;
    /// `cls.__new__(cls, *args, **kwargs)`.
    NEWOBJ_EX = 0x92;
    /// Global from the two strings on top.
    STACK_GLOBAL = 0x93;
    /// Memo put at the next index.
    MEMOIZE = 0x94;
    /// Frame of the given length.
    FRAME = 0x95;
    /// `bytearray`, 8-byte length.
    BYTEARRAY8 = 0x96;
    /// Out-of-band buffer (refused by the reader).
    NEXT_BUFFER = 0x97;
    /// Makes the out-of-band buffer on top read-only (refused by the reader).
    READONLY_BUFFER = 0x98;
}

/// The protocol every stream declares.
pub const PROTOCOL: u8 = 4;
/// CPython's pickler batches `APPENDS`/`SETITEMS`/`ADDITEMS` by this many items.
pub const BATCH: usize = 1000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_and_names_are_unique() {
        for (i, (b, n)) in TABLE.iter().enumerate() {
            for (b2, n2) in &TABLE[i + 1..] {
                assert!(b != b2 && n != n2, "{n} and {n2}");
            }
            assert_eq!(name(*b), Some(*n));
        }
        assert_eq!(TABLE.len(), 68, "every opcode of protocols 0-5");
        assert_eq!(name(0xff), None);
    }
}
