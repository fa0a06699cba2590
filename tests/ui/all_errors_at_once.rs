use portable_pickle::PortablePickle;

#[derive(PortablePickle)]
#[pickle(name = "not valid", colour = "red")]
struct Point {
    #[pickle(rename = "lambda")]
    x: f64,
    #[pickle(rename = "lambda")]
    y: f64,
}

// The fallback impl keeps this compiling: no cascade of "trait not implemented".
fn uses_it(p: &Point) -> Vec<u8> {
    portable_pickle::to_vec(p)
}

fn main() {}
