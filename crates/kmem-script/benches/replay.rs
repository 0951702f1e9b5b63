//! Parse and run a generated 10,000-call script (issue target: at most
//! 10 ms natively, 1 µs a call).
//!
//! Run with `cargo bench -p kmem-script --bench replay`.

use criterion::{criterion_group, Criterion};
use kmem::kernel::Kernel;
use kmem::kernel::KernelConfig;
use kmem_script::interp::DEFAULT_STEP_BUDGET;
use kmem_script::{parse, run_on};
use std::hint::black_box;
use std::time::Instant;

/// 10,000 calls: kmalloc/kfree pairs of varied sizes, page allocations,
/// vmalloc areas and a few translations, written out line by line.
fn script() -> String {
    let mut s = String::new();
    for i in 0..2_000u32 {
        let size = 8 + (i * 37) % 8_000;
        s.push_str(&format!("p{0} = kmalloc({size}, GFP_KERNEL);\n", i % 50));
        s.push_str("q = alloc_page(GFP_KERNEL);\n__free_page(q);\n");
        s.push_str(&format!("t = translate(p{0});\n", i % 50));
        s.push_str(&format!("kfree(p{0});\n", i % 50));
    }
    s
}

fn replay(c: &mut Criterion) {
    let source = script();
    let template = Kernel::boot(KernelConfig::default()).expect("boots");
    let mut group = c.benchmark_group("replay_10k_calls");
    group.sample_size(20);
    group.bench_function("parse_and_run_on_a_cloned_kernel", |b| {
        b.iter(|| {
            let parsed = parse(black_box(&source));
            run_on(&parsed.program, template.clone(), DEFAULT_STEP_BUDGET)
        })
    });
    group.finish();
    let runs = 20;
    let time = |f: &mut dyn FnMut()| {
        let start = Instant::now();
        for _ in 0..runs {
            f();
        }
        start.elapsed().as_secs_f64() / f64::from(runs) * 1e3
    };
    let mut steps = 0;
    let run_ms = time(&mut || {
        let parsed = parse(&source);
        steps = run_on(&parsed.program, template.clone(), DEFAULT_STEP_BUDGET)
            .steps
            .len();
    });
    let parse_ms = time(&mut || {
        black_box(parse(&source));
    });
    let clone_ms = time(&mut || {
        black_box(template.clone());
    });
    let boot_ms = time(&mut || {
        black_box(Kernel::boot(KernelConfig::default()).expect("boots"));
    });
    println!(
        "RESULT replay of a {steps}-call script on the default 8 GiB machine: {run_ms:.2} ms per parse and run (target 10), of which {parse_ms:.2} ms parsing and {clone_ms:.2} ms cloning the booted kernel; {:.0} ns per call run; a fresh boot takes {boot_ms:.2} ms more",
        (run_ms - parse_ms - clone_ms) * 1e6 / steps as f64
    );
}

criterion_group!(benches, replay);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
