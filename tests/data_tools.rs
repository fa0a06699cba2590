//! The guide's pandas example (docs/guide/attributes.md, "Variant tags, int
//! enums and data tools"),
//! run as written: Rust writes `events.pkl` (tests/support/data_tools.rs's
//! tagged `Event`s) and `report.pkl`, then the pinned pandas of
//! `scripts/setup-pandas.sh` (target/pandas-venv, created here when
//! missing; the machine's python3 stays bare) runs the guide's
//! ```` ```python pandas ```` block and checks the frame it built.

use std::path::Path;
use std::process::Command;

#[path = "support/data_tools.rs"]
#[allow(dead_code)]
mod data_tools;
#[path = "support/venv.rs"]
mod venv;

/// What the guide's block must have built, checked after it ran.
const CHECKS: &str = r#"
import math
assert list(df.columns) == ['kind', 'user', 'at', '_0', '_1'], list(df.columns)
assert list(df['kind']) == ['Login', 'Upload', 'Logout', 'Login']
assert df['kind'].value_counts()['Login'] == 2
assert list(df.loc[df['kind'] == 'Login', 'user']) == [7, 8]
assert df.loc[1, '_0'] == 'a.txt' and df.loc[1, '_1'] == 2048
assert math.isnan(df.loc[2, 'user'])   # a unit variant's row: its tag, nothing else
assert json.loads(text) == [
    {'kind': 'Login', 'user': 7, 'at': 100},
    {'kind': 'Upload', '_0': 'a.txt', '_1': 2048},
    {'kind': 'Logout'},
    {'kind': 'Login', 'user': 8, 'at': 160},
]
report = pickle.load(open('report.pkl', 'rb'))
assert json.loads(json.dumps(dataclasses.asdict(report)))['by_level'] == {'20': 3, '40': 1}
levels = pd.Series(report.by_level)
assert levels[20] == 3 and levels.index.tolist() == [20, 40]
print('pandas', pd.__version__, 'ok')
"#;

/// The guide's ```` ```python pandas ```` block (docs/guide/attributes.md).
fn readme_block() -> String {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/guide/attributes.md"))
        .expect("docs/guide/attributes.md");
    let start = readme
        .find("```python pandas\n")
        .expect("docs/guide/attributes.md has a ```python pandas block")
        + 17;
    let len = readme[start..].find("```").expect("the block ends");
    readme[start..start + len].to_owned()
}

#[test]
fn readme_pandas_example() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("target/tmp/data_tools");
    std::fs::create_dir_all(&dir).expect("create target/tmp/data_tools");
    std::fs::write(dir.join("events.pkl"), portable_pickle::to_vec(&data_tools::events())).expect("write");
    std::fs::write(dir.join("report.pkl"), portable_pickle::to_vec(&data_tools::report())).expect("write");
    let script = format!("{}\n{CHECKS}", readme_block());
    std::fs::write(dir.join("readme_pandas.py"), &script).expect("write the script");

    let python = venv::pinned_python("setup-pandas.sh");
    let out = Command::new(&python)
        .arg("readme_pandas.py")
        .current_dir(&dir)
        .output()
        .expect("run the venv's python");
    assert!(
        out.status.success(),
        "the guide's pandas example failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    println!("{}", String::from_utf8_lossy(&out.stdout));
}
