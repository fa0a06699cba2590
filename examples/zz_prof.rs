#[path = "../benches/workload.rs"]
mod workload;
fn main() {
    let which = std::env::args().nth(1).unwrap();
    let n: usize = std::env::args().nth(2).map(|s| s.parse().unwrap()).unwrap_or(100_000);
    let data = workload::records(n);
    let mut out = Vec::with_capacity(n * 200);
    for _ in 0..3 {
        out.clear();
        match which.as_str() {
            "derive" => portable_pickle::to_writer(&mut out, &data).unwrap(),
            "bridge" => portable_pickle::serde::to_writer(&mut out, &data).unwrap(),
            "serde_pickle" => serde_pickle::to_writer(&mut out, &data, Default::default()).unwrap(),
            _ => panic!(),
        }
    }
    println!("{}", out.len());
}
