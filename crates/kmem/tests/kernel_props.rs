//! Random sequences of every kernel call, with arbitrary (even absurd)
//! arguments: nothing panics, and the allocator's invariants hold after
//! every call, whatever the simulated kernel's fate.

use kmem::context::ContextOp;
use kmem::gfp::Gfp;
use kmem::kernel::{CallValue, Kernel, KernelConfig, KernelState};
use kmem::memmap::MachineConfig;
use kmem::profile::Profile;
use kmem::{Pfn, VirtAddr};

const SEQUENCES: u64 = 3_000;
const STEPS: usize = 30;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const CONTEXT_OPS: [ContextOp; 14] = [
    ContextOp::SpinLock,
    ContextOp::SpinUnlock,
    ContextOp::SpinLockIrqsave,
    ContextOp::SpinUnlockIrqrestore,
    ContextOp::IrqDisable,
    ContextOp::IrqEnable,
    ContextOp::BhDisable,
    ContextOp::BhEnable,
    ContextOp::EnterSoftirq,
    ContextOp::ExitSoftirq,
    ContextOp::EnterHardirq,
    ContextOp::ExitHardirq,
    ContextOp::EnterNmi,
    ContextOp::ExitNmi,
];

/// Booted 64 MiB, 2-CPU machines of `versions`, cloned by each sequence.
fn small_kernels(versions: &[&str]) -> Vec<Kernel> {
    versions
        .iter()
        .map(|v| {
            Kernel::boot(KernelConfig {
                profile: Profile::parse(v).unwrap(),
                machine: MachineConfig {
                    ram_bytes: 64 << 20,
                    cpus: 2,
                    ..MachineConfig::default()
                },
                ..KernelConfig::default()
            })
            .unwrap()
        })
        .collect()
}

#[test]
fn arbitrary_call_sequences_never_panic_and_keep_invariants() {
    let templates = small_kernels(&["4.19", "4.19.2", "6.6", "6.12"]);
    let mut rng = Rng(0xfeed);
    let mut stopped = 0;
    for seq in 0..SEQUENCES {
        let mut k = templates[(seq % 4) as usize].clone();
        let mut pages: Vec<(VirtAddr, u32)> = Vec::new();
        let named = [
            "GFP_KERNEL",
            "GFP_ATOMIC",
            "GFP_NOWAIT",
            "GFP_KERNEL | __GFP_ZERO",
            "GFP_DMA | GFP_KERNEL",
            "GFP_KERNEL | __GFP_NOFAIL",
            "GFP_ATOMIC | __GFP_NOFAIL",
            "GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN",
            "GFP_HIGHUSER_MOVABLE",
            "GFP_DMA32 | __GFP_COMP",
        ];
        for _ in 0..STEPS {
            let gfp = if rng.below(4) == 0 {
                Gfp(rng.next() as u32)
            } else {
                k.gfp
                    .parse(named[rng.below(named.len() as u64) as usize])
                    .unwrap()
            };
            let order = [0, 0, 1, 2, 3, 5, 9, 10, 11, 40, u32::MAX][rng.below(11) as usize];
            let ev = match rng.below(12) {
                0..=3 => k.alloc_pages(gfp, order),
                4 => k.get_free_pages(gfp, order),
                5 => k.get_zeroed_page(gfp),
                6 | 7 if !pages.is_empty() => {
                    let (page, order) = pages.swap_remove(rng.below(pages.len() as u64) as usize);
                    let order = if rng.below(5) == 0 { order + 1 } else { order };
                    k.free_pages_page(page, order)
                }
                8 => k.free_pages_page(VirtAddr::new(rng.next()), rng.below(12) as u32),
                9 => k.context_op(CONTEXT_OPS[rng.below(14) as usize]),
                10 => match rng.below(4) {
                    0 => k.fill_page_cache(rng.below(20_000)),
                    1 => k.drop_caches(),
                    2 => k.fragment(rng.below(12) as u32),
                    _ => k.kaddr_to_phys(VirtAddr::new(rng.next())),
                },
                _ => {
                    let pfn = Pfn::new(rng.below(0x5000));
                    let page = k.translator().pfn_to_page(pfn).value;
                    k.page_address(page)
                }
            };
            if let CallValue::Page(page) = ev.value {
                pages.push((page, order));
            }
            if let Err(problem) = k.buddy.check(&k.mem) {
                panic!("sequence {seq} after {}: {problem}", ev.call);
            }
        }
        if matches!(k.state(), KernelState::Stopped(_)) {
            stopped += 1;
        }
    }
    // Some sequences crash the simulated kernel (bad frees), most do not.
    assert!(
        stopped > 0 && stopped < SEQUENCES,
        "{stopped} of {SEQUENCES} stopped"
    );
}

#[test]
fn random_kmalloc_and_kfree_never_overlap_live_objects() {
    let templates = small_kernels(&["4.19", "6.6", "6.12"]);
    let mut rng = Rng(0x51ab);
    for seq in 0..SEQUENCES {
        let mut k = templates[(seq % 3) as usize].clone();
        let flags = [
            "GFP_KERNEL",
            "GFP_ATOMIC",
            "GFP_KERNEL | __GFP_RECLAIMABLE",
            "GFP_KERNEL_ACCOUNT",
            "GFP_DMA",
            "GFP_KERNEL | __GFP_HIGHMEM",
        ];
        let mut live: Vec<(u64, u64)> = Vec::new();
        for _ in 0..STEPS {
            let gfp = k
                .gfp
                .parse(flags[rng.below(flags.len() as u64) as usize])
                .unwrap();
            let size =
                [0, 1, 8, 96, 100, 192, 1000, 4096, 8192, 8193, 70_000][rng.below(11) as usize];
            let ev = match rng.below(8) {
                0..=2 => k.kmalloc(size, gfp),
                3 => k.kzalloc(size, gfp),
                4 => k.kcalloc(rng.below(64), size, gfp),
                5 | 6 if !live.is_empty() => {
                    let (a, _) = live.swap_remove(rng.below(live.len() as u64) as usize);
                    k.kfree(VirtAddr::new(a))
                }
                _ => k.kfree(VirtAddr::new(rng.next())),
            };
            if let (CallValue::Address(a), kmem::kernel::Outcome::Ok) = (ev.value, &ev.outcome) {
                if a.as_u64() > 16 {
                    let CallValue::Count(len) = k.ksize(a).value else {
                        panic!("ksize of a live object");
                    };
                    let a = a.as_u64();
                    for &(b, blen) in &live {
                        assert!(
                            a + len <= b || b + blen <= a,
                            "sequence {seq}: {a:#x}+{len} overlaps {b:#x}+{blen} after {}",
                            ev.call
                        );
                    }
                    live.push((a, len));
                }
            }
            if let Err(problem) = k.buddy.check(&k.mem) {
                panic!("sequence {seq} after {}: {problem}", ev.call);
            }
            if matches!(k.state(), KernelState::Stopped(_)) {
                break;
            }
        }
    }
}
