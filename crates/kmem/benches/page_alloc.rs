//! Page-allocator benchmarks: alloc/free pairs of random orders against the
//! peer crate `buddy_system_allocator` on the identical trace, boot of 1, 8
//! and 64 GiB machines, and bytes of metadata per frame.
//!
//! Run with `cargo bench -p kmem --bench page_alloc`.

use buddy_system_allocator::FrameAllocator;
use criterion::{criterion_group, Criterion, Throughput};
use kmem::addr::{Order, Pfn};
use kmem::buddy::{Buddy, BuddyRules, PageRequest, WatermarkLevel};
use kmem::kernel::{Kernel, KernelConfig};
use kmem::memmap::{MachineConfig, MemMap, PageMeta, Uptime};
use kmem::profile::Profile;
use kmem::zone::{MigrateType, ZoneType};
use std::hint::black_box;
use std::time::Instant;

const LIVE_BLOCKS: usize = 100_000;

/// The operation trace: (index of the live block to free, order of the
/// block to allocate in its place), orders 0–3.
fn trace(len: usize, max_order: u8) -> (Vec<u8>, Vec<(usize, u8)>) {
    let mut x = 0x1234_5678_9abc_def0u64;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let initial = (0..LIVE_BLOCKS)
        .map(|_| (next() % (max_order as u64 + 1)) as u8)
        .collect();
    let ops = (0..len)
        .map(|_| {
            (
                (next() % LIVE_BLOCKS as u64) as usize,
                (next() % (max_order as u64 + 1)) as u8,
            )
        })
        .collect();
    (initial, ops)
}

struct Ours {
    mem: MemMap,
    buddy: Buddy,
    live: Vec<(Pfn, u8)>,
    effects: Vec<kmem::buddy::BuddyEffect>,
}

fn request(order: u8) -> PageRequest {
    PageRequest {
        order: Order::new(order),
        highest_zone: ZoneType::Normal,
        migratetype: MigrateType::Unmovable,
        wakes_kswapd: true,
    }
}

impl Ours {
    fn new(initial: &[u8]) -> Ours {
        let mut mem = MemMap::new(&MachineConfig::default());
        let buddy = Buddy::boot(&mut mem, BuddyRules::of(&Profile::default_profile()), 4);
        let mut ours = Ours {
            mem,
            buddy,
            live: Vec::new(),
            effects: Vec::new(),
        };
        for &order in initial {
            let pfn = ours.alloc(order);
            ours.live.push((pfn, order));
        }
        ours
    }

    fn alloc(&mut self, order: u8) -> Pfn {
        self.effects.clear();
        self.buddy
            .get_page_from_freelist(
                &mut self.mem,
                &request(order),
                WatermarkLevel::Low,
                None,
                &mut self.effects,
            )
            .map(|(pfn, _)| pfn)
            .unwrap_or_default()
    }

    fn step(&mut self, victim: usize, order: u8) {
        let (pfn, old) = self.live[victim];
        self.effects.clear();
        self.buddy
            .free_pages(&mut self.mem, pfn, old, &mut self.effects);
        let new = self.alloc(order);
        self.live[victim] = (new, order);
    }
}

struct Peer {
    frames: FrameAllocator<11>,
    live: Vec<(usize, usize)>,
}

impl Peer {
    fn new(initial: &[u8]) -> Peer {
        let mut frames = FrameAllocator::<11>::new();
        // The same RAM as the simulated 8 GiB machine's usable ranges.
        let mem = MemMap::new(&MachineConfig::default());
        for r in mem.ram_ranges() {
            frames.add_frame(r.start.as_u64() as usize, r.end.as_u64() as usize);
        }
        let live = initial
            .iter()
            .map(|&o| (frames.alloc(1 << o).unwrap_or_default(), 1usize << o))
            .collect();
        Peer { frames, live }
    }

    fn step(&mut self, victim: usize, order: u8) {
        let (frame, count) = self.live[victim];
        self.frames.dealloc(frame, count);
        let new = self.frames.alloc(1 << order).unwrap_or_default();
        self.live[victim] = (new, 1 << order);
    }
}

fn pairs_per_second(mut run: impl FnMut(usize, u8), ops: &[(usize, u8)]) -> f64 {
    let start = Instant::now();
    for &(victim, order) in ops {
        run(victim, order);
    }
    ops.len() as f64 / start.elapsed().as_secs_f64()
}

fn alloc_free(c: &mut Criterion) {
    let (initial, ops) = trace(2_000_000, 3);
    let mut group = c.benchmark_group("alloc_free_pairs_orders_0_3_100k_live_8GiB");
    group.throughput(Throughput::Elements(1));
    let mut ours = Ours::new(&initial);
    let mut i = 0;
    group.bench_function("kmem", |b| {
        b.iter(|| {
            let (victim, order) = ops[i % ops.len()];
            ours.step(black_box(victim), order);
            i += 1;
        })
    });
    let mut peer = Peer::new(&initial);
    let mut j = 0;
    group.bench_function("buddy_system_allocator", |b| {
        b.iter(|| {
            let (victim, order) = ops[j % ops.len()];
            peer.step(black_box(victim), order);
            j += 1;
        })
    });
    group.finish();

    // The same trace, timed end to end, for the ratio.
    let mut ours = Ours::new(&initial);
    let mut peer = Peer::new(&initial);
    let ours_rate = pairs_per_second(|v, o| ours.step(v, o), &ops);
    let peer_rate = pairs_per_second(|v, o| peer.step(v, o), &ops);
    println!(
        "RESULT page_alloc orders 0-3, 100k live, 8 GiB: kmem {:.2} M pairs/s, buddy_system_allocator {:.2} M pairs/s, ratio {:.2}x",
        ours_rate / 1e6,
        peer_rate / 1e6,
        ours_rate / peer_rate
    );
    // Order-0 alloc followed by its free, over the same 100k live blocks:
    // the kernel's most common pattern, served by the per-CPU lists.
    let pairs = 2_000_000;
    let ours_pairs = {
        let start = Instant::now();
        for _ in 0..pairs {
            let pfn = ours.alloc(0);
            ours.effects.clear();
            ours.buddy
                .free_pages(&mut ours.mem, black_box(pfn), 0, &mut ours.effects);
        }
        pairs as f64 / start.elapsed().as_secs_f64()
    };
    let peer_pairs = {
        let start = Instant::now();
        for _ in 0..pairs {
            let frame = peer.frames.alloc(1).unwrap_or_default();
            peer.frames.dealloc(black_box(frame), 1);
        }
        pairs as f64 / start.elapsed().as_secs_f64()
    };
    println!(
        "RESULT page_alloc order-0 alloc then free: kmem {:.2} M pairs/s (target 10), buddy_system_allocator {:.2} M pairs/s, ratio {:.2}x",
        ours_pairs / 1e6,
        peer_pairs / 1e6,
        ours_pairs / peer_pairs
    );
}

fn boot(c: &mut Criterion) {
    let mut group = c.benchmark_group("boot");
    group.sample_size(10);
    for gib in [1u64, 8, 64] {
        let config = MachineConfig {
            ram_bytes: gib << 30,
            ..MachineConfig::default()
        };
        group.bench_function(format!("{gib}GiB"), |b| {
            b.iter(|| {
                let mut mem = MemMap::new(&config);
                let buddy = Buddy::boot(&mut mem, BuddyRules::of(&Profile::default_profile()), 4);
                black_box((mem.max_pfn(), buddy.nr_free_pages()))
            })
        });
        let start = Instant::now();
        let mut mem = MemMap::new(&config);
        let buddy = Buddy::boot(&mut mem, BuddyRules::of(&Profile::default_profile()), 4);
        let elapsed = start.elapsed();
        println!(
            "RESULT boot {gib} GiB: {:.1} ms ({:.2} ms per GiB, target 10), {} free pages",
            elapsed.as_secs_f64() * 1e3,
            elapsed.as_secs_f64() * 1e3 / gib as f64,
            buddy.nr_free_pages()
        );
    }
    group.finish();
    println!(
        "RESULT metadata per frame: {} bytes (target at most 16)",
        std::mem::size_of::<PageMeta>()
    );
}

/// The whole kernel's boot of each preset, just booted and running (the
/// uptime workload of `kernel/uptime.rs`); the target is within 2x.
fn kernel_boot(c: &mut Criterion) {
    let mut group = c.benchmark_group("kernel boot");
    group.sample_size(10);
    for preset in ["small", "desktop"] {
        let mut times = Vec::new();
        for uptime in [Uptime::JustBooted, Uptime::Running] {
            let config = KernelConfig {
                machine: MachineConfig {
                    uptime,
                    ..MachineConfig::preset(preset).expect("a preset")
                },
                ..KernelConfig::default()
            };
            group.bench_function(format!("{preset} {}", uptime.name()), |b| {
                b.iter(|| {
                    black_box(
                        Kernel::boot(config.clone())
                            .expect("boots")
                            .buddy
                            .nr_free_pages(),
                    )
                })
            });
            let start = Instant::now();
            black_box(Kernel::boot(config.clone()).expect("boots"));
            times.push(start.elapsed().as_secs_f64() * 1e3);
        }
        println!(
            "RESULT kernel boot {preset}: just booted {:.1} ms, running {:.1} ms ({:.2}x, target at most 2x)",
            times[0],
            times[1],
            times[1] / times[0]
        );
    }
    group.finish();
}

criterion_group!(benches, alloc_free, boot, kernel_boot);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
