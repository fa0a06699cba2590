//! A session (`portable_pickle::Pickler`): 10,000 mixed values, each its
//! own pickle, in one file, which tests/corpus.rs gives to every reader; the
//! check loads them with a `pickle.load` loop and compares each with the
//! value it expects (issue 14).

use portable_pickle::{Pickler, PortablePickle};

#[derive(PortablePickle)]
pub struct Point {
    x: i64,
    y: i64,
}

#[derive(PortablePickle)]
pub enum Shape {
    Circle { center: Point, radius: f64 },
    Square(Point, f64),
    Empty,
}

#[derive(PortablePickle, Clone, Copy)]
pub enum Color {
    Red,
    Green,
    Blue,
}

/// Declared in a module the readers do not have: a stand-in written as
/// CPython writes instances (`__new__` + `BUILD`), whose field names are
/// memo slots too.
#[derive(PortablePickle)]
#[pickle(module = "pp_session_mod")]
pub struct Tagged {
    name: String,
    color: Color,
}

/// First met half-way: that pickle carries the header again.
#[derive(PortablePickle)]
pub struct Late {
    n: u32,
}

/// Number of pickles in the session.
pub const COUNT: usize = 10_000;
/// Index of the first `Late`.
pub const FIRST_LATE: usize = 5_003;

fn color(i: usize) -> Color {
    [Color::Red, Color::Green, Color::Blue][(i / 6) % 3]
}

/// Writes pickle `i` of the session.
fn dump<W: std::io::Write>(p: &mut Pickler<W>, i: usize) -> std::io::Result<()> {
    let n = i as i64;
    match i % 6 {
        0 => p.dump(&Point { x: n, y: -n }),
        1 => p.dump(&Shape::Circle {
            center: Point { x: n, y: n },
            radius: n as f64 / 2.0,
        }),
        2 => p.dump(&color(i)),
        3 => p.dump(&(i as u32, format!("s{i}"))),
        4 => p.dump(&Tagged {
            name: format!("t{i}"),
            color: color(i),
        }),
        _ if i < FIRST_LATE => p.dump(&Shape::Square(Point { x: n, y: 0 }, 1.5)),
        _ => p.dump(&Late { n: i as u32 }),
    }
}

/// The session's bytes and each pickle's end offset.
pub fn session() -> (Vec<u8>, Vec<usize>) {
    let mut p = Pickler::new(Vec::new());
    let mut ends = Vec::with_capacity(COUNT);
    for i in 0..COUNT {
        dump(&mut p, i).expect("writing to memory");
        ends.push(p.get_ref().len());
    }
    (p.into_inner(), ends)
}

/// The Python check of [`session`]'s file.
pub const CHECK: &str = r#"
import io

class Restricted(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) not in allowlist and module != 'io._pp3':
            raise pickle.UnpicklingError('global %s.%s not allowed' % (module, name))
        return super().find_class(module, name)

unpickler = {'py': getattr(pickle, '_Unpickler', pickle.Unpickler), 'restricted': Restricted}.get(loader, pickle.Unpickler)
f = io.BytesIO(data)
items, ends = [], []
while True:
    try:
        items.append(unpickler(f).load())
    except EOFError:
        break
    ends.append(f.tell())
assert len(items) == 10000, len(items)

Point = type(items[0])
Shape = type(items[1]).__mro__[1]
Color = type(items[2])
Tagged = type(items[4])
colors = list(Color)
for i, x in enumerate(items):
    k = i % 6
    c = colors[(i // 6) % 3]
    if k == 0:
        ok = type(x) is Point and x == Point(i, -i)
    elif k == 1:
        ok = type(x) is Shape.Circle and x == Shape.Circle(center=Point(i, i), radius=i / 2)
    elif k == 2:
        ok = x is c
    elif k == 3:
        ok = x == (i, 's%d' % i)
    elif k == 4:
        ok = type(x) is Tagged and x == Tagged(name='t%d' % i, color=c)
    elif i < 5003:
        ok = x == Shape.Square(Point(i, 0), 1.5)
    else:
        ok = type(x).__name__ == 'Late' and x.n == i and type(x) is type(items[5003])
    assert ok, (i, x)

sizes = [b - a for a, b in zip([0] + ends, ends)]
later_points = [sizes[i] for i in range(6, 10000, 6)]
assert max(later_points) <= 48, later_points[:3]
assert sizes[0] > 900 and sizes[5003] > 900 and sizes[5009] < 40, (sizes[0], sizes[5003], sizes[5009])

# A later pickle where no first one was loaded: an error naming the namespace.
saved = {k: sys.modules.pop(k) for k in ('io._pp3', '_portable_pickle_v3') if k in sys.modules}
try:
    pickle.loads(data[ends[5]:ends[6]])
except ImportError as e:
    assert 'io._pp3' in str(e), e
else:
    raise AssertionError('a later pickle loaded without the namespace')
finally:
    sys.modules.update(saved)
"#;
