//! The limits and allowances of a read.

/// The limits and allowances of a read.
///
/// The defaults keep hostile input cheap: a stream cannot make the reader
/// hold more than [`ReadOptions::max_alloc`] bytes of heap at once (the
/// decoder's buffers, the decoded tree and the typed result together),
/// nest deeper than [`ReadOptions::max_depth`] or define more than
/// [`ReadOptions::max_memo`] memo entries; a length prefix is checked
/// against the remaining input before anything is allocated for it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ReadOptions {
    /// Deepest nesting of containers and objects (default 1000, like
    /// Python's recursion limit). Conversions recurse this deep.
    pub max_depth: usize,
    /// Deepest nesting a read through the serde bridge accepts (default
    /// 128, serde_json's recursion limit), when below `max_depth`. serde's
    /// walk recurses once per level through the target type's visitors,
    /// whose frames are theirs (`serde_json::Value`'s take about 430 bytes
    /// a level on a `dict`), so the bridge's default is the one that fits
    /// a 256 KiB thread whatever the target (docs/FORMAT.md, "Stack").
    pub serde_max_depth: usize,
    /// Most memo entries (default 4 Mi).
    pub max_memo: usize,
    /// Allocation budget in bytes (default 512 MiB): the most heap the
    /// read holds at once, beyond the input. The decoder charges every
    /// buffer at its capacity before it allocates or grows it (a growing
    /// buffer counts its old and new block together, as a reallocation
    /// holds both) and releases what it frees; the decoded tree is charged
    /// as it is built, and the typed conversion starts from what the tree
    /// holds. A read that would pass it fails with
    /// [`ErrorKind::Limit`](super::ErrorKind::Limit) `"total allocation"`.
    pub max_alloc: usize,
    /// Extra globals (`module`, `qualname`) to admit, as [`Value::Global`](super::Value::Global) /
    /// [`Object`](super::Object) classes.
    pub allowed_globals: Vec<(String, String)>,
    /// Read a self-reference (an object that contains itself, which only
    /// Python makes: `l = []; l.append(l)`) as `None` at the inner
    /// reference, instead of failing (default `false`).
    pub replace_recursive: bool,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            max_depth: 1000,
            serde_max_depth: 128,
            max_memo: 4 << 20,
            max_alloc: 512 << 20,
            allowed_globals: Vec::new(),
            replace_recursive: false,
        }
    }
}

impl ReadOptions {
    /// Sets [`ReadOptions::max_depth`].
    pub fn max_depth(mut self, n: usize) -> Self {
        self.max_depth = n;
        self
    }

    /// Sets [`ReadOptions::serde_max_depth`].
    pub fn serde_max_depth(mut self, n: usize) -> Self {
        self.serde_max_depth = n;
        self
    }

    /// Sets [`ReadOptions::max_memo`].
    pub fn max_memo(mut self, n: usize) -> Self {
        self.max_memo = n;
        self
    }

    /// Sets [`ReadOptions::max_alloc`].
    pub fn max_alloc(mut self, bytes: usize) -> Self {
        self.max_alloc = bytes;
        self
    }

    /// Sets [`ReadOptions::replace_recursive`].
    pub fn replace_recursive(mut self, replace: bool) -> Self {
        self.replace_recursive = replace;
        self
    }

    /// Admits the global `module.name`.
    pub fn allow_global(mut self, module: &str, name: &str) -> Self {
        self.allowed_globals.push((module.to_owned(), name.to_owned()));
        self
    }
}
