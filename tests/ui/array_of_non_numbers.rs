// `#[pickle(array)]` on fields that are not arrays of numbers.
use portable_pickle::PortablePickle;

#[derive(PortablePickle)]
struct Labels {
    #[pickle(array)]
    names: Vec<String>,
}

#[derive(PortablePickle)]
struct Maybe {
    #[pickle(array)]
    samples: Option<Vec<f64>>,
}

fn main() {}
