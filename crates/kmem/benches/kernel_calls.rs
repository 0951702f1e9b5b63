//! Benchmarks of whole kernel calls (events included): kmalloc+kfree pairs
//! of random sizes against glibc's malloc/free on the identical trace,
//! vmalloc+vfree of 1 MiB, and address translation (the recorded walk and
//! the unrecorded lookup memory accesses use).
//!
//! Run with `cargo bench -p kmem --bench kernel_calls`.

use criterion::{criterion_group, Criterion, Throughput};
use kmem::kernel::{CallValue, Kernel, KernelConfig};
use kmem::memmap::MachineConfig;
use kmem::VirtAddr;
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::time::Instant;

const LIVE_OBJECTS: usize = 10_000;
const PAIRS: usize = 1_000_000;

/// xorshift64: the size and victim trace.
fn trace(len: usize) -> (Vec<u64>, Vec<(usize, u64)>) {
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let initial = (0..LIVE_OBJECTS).map(|_| 1 + next() % 8192).collect();
    let ops = (0..len)
        .map(|_| ((next() % LIVE_OBJECTS as u64) as usize, 1 + next() % 8192))
        .collect();
    (initial, ops)
}

fn kernel() -> Kernel {
    Kernel::boot(KernelConfig {
        machine: MachineConfig {
            ram_bytes: 8 << 30,
            cpus: 4,
            ..MachineConfig::default()
        },
        ..KernelConfig::default()
    })
    .expect("boots")
}

fn address(value: CallValue) -> VirtAddr {
    match value {
        CallValue::Address(a) => a,
        _ => VirtAddr::NULL,
    }
}

struct Simulated {
    k: Kernel,
    gfp: kmem::gfp::Gfp,
    live: Vec<VirtAddr>,
}

impl Simulated {
    fn new(initial: &[u64]) -> Simulated {
        let mut k = kernel();
        let gfp = k.gfp.parse("GFP_KERNEL").expect("a mask");
        let live = initial
            .iter()
            .map(|&s| address(k.kmalloc(s, gfp).value))
            .collect();
        Simulated { k, gfp, live }
    }

    fn step(&mut self, victim: usize, size: u64) {
        self.k.kfree(self.live[victim]);
        self.live[victim] = address(self.k.kmalloc(size, self.gfp).value);
    }
}

struct Glibc {
    live: Vec<(*mut u8, Layout)>,
}

impl Glibc {
    fn layout(size: u64) -> Layout {
        Layout::from_size_align(size as usize, 8).expect("a layout")
    }

    fn new(initial: &[u64]) -> Glibc {
        let live = initial
            .iter()
            .map(|&s| {
                let layout = Self::layout(s);
                // SAFETY: the layout has a non-zero size.
                (unsafe { System.alloc(layout) }, layout)
            })
            .collect();
        Glibc { live }
    }

    fn step(&mut self, victim: usize, size: u64) {
        let (ptr, layout) = self.live[victim];
        // SAFETY: `ptr` came from `System.alloc` with `layout` and is freed once.
        unsafe { System.dealloc(ptr, layout) };
        let layout = Self::layout(size);
        // SAFETY: the layout has a non-zero size.
        self.live[victim] = (unsafe { System.alloc(layout) }, layout);
    }
}

impl Drop for Glibc {
    fn drop(&mut self) {
        for &(ptr, layout) in &self.live {
            // SAFETY: each pointer is live and freed once.
            unsafe { System.dealloc(ptr, layout) };
        }
    }
}

fn rate(ops: &[(usize, u64)], mut step: impl FnMut(usize, u64)) -> f64 {
    let start = Instant::now();
    for &(victim, size) in ops {
        step(victim, black_box(size));
    }
    ops.len() as f64 / start.elapsed().as_secs_f64()
}

fn kmalloc_kfree(c: &mut Criterion) {
    let (initial, ops) = trace(PAIRS);
    let mut group = c.benchmark_group("kfree_kmalloc_pairs_1_8192B_10k_live");
    group.throughput(Throughput::Elements(1));
    let mut ours = Simulated::new(&initial);
    let mut i = 0;
    group.bench_function("kmem", |b| {
        b.iter(|| {
            let (victim, size) = ops[i % ops.len()];
            ours.step(victim, black_box(size));
            i += 1;
        })
    });
    let mut glibc = Glibc::new(&initial);
    let mut j = 0;
    group.bench_function("glibc", |b| {
        b.iter(|| {
            let (victim, size) = ops[j % ops.len()];
            glibc.step(victim, black_box(size));
            j += 1;
        })
    });
    group.finish();
    let mut ours = Simulated::new(&initial);
    let mut glibc = Glibc::new(&initial);
    let ours_rate = rate(&ops, |v, s| ours.step(v, s));
    let glibc_rate = rate(&ops, |v, s| glibc.step(v, s));
    println!(
        "RESULT kfree+kmalloc sizes 1-8192, 10k live: kmem {:.2} M pairs/s (target 10), glibc {:.2} M pairs/s, ratio {:.2}x (target 1)",
        ours_rate / 1e6,
        glibc_rate / 1e6,
        ours_rate / glibc_rate
    );
}

fn vmalloc_vfree(c: &mut Criterion) {
    let mut k = kernel();
    let mut group = c.benchmark_group("vmalloc_vfree_1MiB");
    group.throughput(Throughput::Elements(1));
    group.bench_function("kmem", |b| {
        b.iter(|| {
            let a = address(k.vmalloc(black_box(1 << 20)).value);
            k.vfree(a);
        })
    });
    group.finish();
    let pairs = 2_000;
    let start = Instant::now();
    for _ in 0..pairs {
        let a = address(k.vmalloc(1 << 20).value);
        k.vfree(a);
    }
    let per = start.elapsed().as_secs_f64() / pairs as f64;
    println!(
        "RESULT vmalloc+vfree 1 MiB: {:.1} us per pair ({:.0} pairs/s)",
        per * 1e6,
        1.0 / per
    );
}

fn translation(c: &mut Criterion) {
    let mut k = kernel();
    let gfp = k.gfp.parse("GFP_KERNEL").expect("a mask");
    // Live memory of both kinds: 64 vmalloc areas of 64 KiB, 4,096 objects.
    let mut targets = Vec::new();
    for i in 0..64u64 {
        let v = address(k.vmalloc(64 << 10).value);
        targets.extend((0..16).map(|p| v.wrapping_add(p * 4096 + i)));
    }
    for i in 0..4096u64 {
        targets.push(address(k.kmalloc(1 + i % 2048, gfp).value));
    }
    let mut x = 0x9e37_79b9u64;
    let addrs: Vec<VirtAddr> = (0..1 << 20)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            targets[(x % targets.len() as u64) as usize]
        })
        .collect();
    let translator = k.translator();
    let mut group = c.benchmark_group("translate_random_live_addresses");
    group.throughput(Throughput::Elements(1));
    let mut i = 0;
    group.bench_function("resolve", |b| {
        b.iter(|| {
            i += 1;
            k.resolve(black_box(addrs[i % addrs.len()]))
        })
    });
    let mut j = 0;
    group.bench_function("kvm_kaddr_to_phys_recorded_walk", |b| {
        b.iter(|| {
            j += 1;
            translator.kaddr_to_phys(black_box(addrs[j % addrs.len()]), &k.pgtables)
        })
    });
    group.finish();
    let start = Instant::now();
    let mut sum = 0u64;
    for &a in &addrs {
        sum ^= k.resolve(a).map_or(0, |p| p.as_u64());
    }
    let resolve_rate = addrs.len() as f64 / start.elapsed().as_secs_f64();
    let start = Instant::now();
    for &a in &addrs {
        sum ^= translator
            .kaddr_to_phys(a, &k.pgtables)
            .value
            .map_or(0, |p| p.as_u64());
    }
    let walk_rate = addrs.len() as f64 / start.elapsed().as_secs_f64();
    black_box(sum);
    println!(
        "RESULT translation of random live addresses: lookup {:.1} M/s (target 20), recorded walk {:.2} M/s",
        resolve_rate / 1e6,
        walk_rate / 1e6
    );
}

criterion_group!(benches, kmalloc_kfree, vmalloc_vfree, translation);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
