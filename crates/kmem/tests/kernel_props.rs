//! Random sequences of every kernel call, with arbitrary (even absurd)
//! arguments: nothing panics, and the allocator's invariants hold after
//! every call, whatever the simulated kernel's fate.

use kmem::context::ContextOp;
use kmem::gfp::Gfp;
use kmem::kernel::{CallValue, Kernel, KernelConfig, KernelState};
use kmem::memmap::MachineConfig;
use kmem::memmap::SplitMix64;
use kmem::profile::Profile;
use kmem::{Pfn, VirtAddr};

const SEQUENCES: u64 = 3_000;
const STEPS: usize = 30;

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
    let mut rng = SplitMix64(0xfeed);
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
                Gfp(rng.next_u64() as u32)
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
                8 => k.free_pages_page(VirtAddr::new(rng.next_u64()), rng.below(12) as u32),
                9 => k.context_op(ContextOp::ALL[rng.below(ContextOp::ALL.len() as u64) as usize]),
                10 => match rng.below(4) {
                    0 => k.fill_page_cache(rng.below(20_000)),
                    1 => k.drop_caches(),
                    2 => k.fragment(rng.below(12) as u32),
                    _ => k.kaddr_to_phys(VirtAddr::new(rng.next_u64())),
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
    let mut rng = SplitMix64(0x51ab);
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
                _ => k.kfree(VirtAddr::new(rng.next_u64())),
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

/// What a live allocation came from, and so how it must be freed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Kmalloc,
    Vmalloc,
    Kvmalloc,
    Cache(u32),
}

#[derive(Clone, Copy, Debug)]
struct Live {
    addr: u64,
    len: u64,
    kind: Kind,
    /// A byte written at `tag_at`, to be found there again.
    tag: u8,
    tag_at: u64,
}

/// The byte at `addr`, found through the vmalloc-aware translation.
fn byte_through_translation(k: &Kernel, addr: u64) -> u8 {
    let walk = k
        .translator()
        .kaddr_to_phys(VirtAddr::new(addr), &k.pgtables);
    let phys = walk.value.expect("a live allocation is mapped");
    let mut byte = [0u8];
    k.mem
        .read(phys.pfn(), phys.page_offset() as usize, &mut byte);
    byte[0]
}

fn check_live(k: &Kernel, live: &[Live], seq: u64, call: &str) {
    use kmem::memmap::FrameUse;
    // No two live allocations overlap.
    let mut spans: Vec<(u64, u64)> = live.iter().map(|l| (l.addr, l.addr + l.len)).collect();
    spans.sort_unstable();
    for w in spans.windows(2) {
        assert!(
            w[0].1 <= w[1].0,
            "sequence {seq} after {call}: {w:x?} overlap"
        );
    }
    for l in live {
        // Each lies in what it belongs to.
        let vmalloc = k.translator().is_vmalloc_addr(VirtAddr::new(l.addr)).value;
        if vmalloc {
            let area = k.vmap.area_containing(VirtAddr::new(l.addr)).unwrap();
            assert!(l.addr + l.len <= area.start.as_u64() + area.usable_size());
        } else {
            let pfn = kmem::PhysAddr::new(l.addr - k.layout.page_offset.as_u64()).pfn();
            let (head, _) = k.mem.block_of(pfn).unwrap();
            let used = k.mem.page(head).unwrap().used_as;
            assert!(
                matches!(used, FrameUse::Slab | FrameUse::Allocated),
                "sequence {seq} after {call}: {:#x} lies in {used:?}",
                l.addr
            );
        }
        // What was written is found through the translation.
        assert_eq!(
            byte_through_translation(k, l.addr + l.tag_at),
            l.tag,
            "sequence {seq} after {call}: {l:x?}"
        );
    }
    // Every vmalloc page is mapped exactly once, where its area says.
    let mut frames = std::collections::HashSet::new();
    for area in k.vmap.areas() {
        for (i, &pfn) in area.pages.iter().enumerate() {
            assert!(frames.insert(pfn), "sequence {seq}: {pfn:?} mapped twice");
            let at = area.start.wrapping_add(i as u64 * 4096);
            assert_eq!(k.pgtables.lookup(at).frame, Some(pfn));
            assert_eq!(k.mem.page(pfn).unwrap().used_as, FrameUse::Vmalloc);
        }
        let guard = area.start.wrapping_add(area.usable_size());
        assert_eq!(
            k.pgtables.lookup(guard).frame,
            None,
            "the guard page is unmapped"
        );
    }
    // Freed areas are unmapped at once, though their range waits for a purge.
    for (start, end) in k.vmap.lazy_ranges() {
        let mut at = start;
        while at < end {
            assert_eq!(
                k.pgtables.lookup(at).frame,
                None,
                "sequence {seq}: {at:?} still mapped after {call}"
            );
            at = at.wrapping_add(4096);
        }
    }
}

#[test]
fn every_allocator_keeps_memory_consistent_and_frees_back_to_boot() {
    const MIXED_SEQUENCES: u64 = 4_000;
    let mut templates = small_kernels(&["4.19", "6.6", "6.12"]);
    // The same machines booted with slub_debug.
    for version in ["4.19.0", "6.6", "6.12"] {
        templates.push(
            Kernel::boot(KernelConfig {
                profile: Profile::parse(version).unwrap(),
                machine: MachineConfig {
                    ram_bytes: 64 << 20,
                    cpus: 2,
                    ..MachineConfig::default()
                },
                debug: kmem::kernel::DebugConfig {
                    slub_debug: true,
                    ..Default::default()
                },
            })
            .unwrap(),
        );
    }
    let mut rng = SplitMix64(0xa110c);
    let mut made = [0u64; 4];
    for seq in 0..MIXED_SEQUENCES {
        let mut k = templates[(seq % 6) as usize].clone();
        let boot_free: u64 = k.boot_free_pages().iter().sum();
        let boot_tables = k.pgtables.table_pages() as u64;
        let kernel = k.gfp.parse("GFP_KERNEL").unwrap();
        let atomic = k.gfp.parse("GFP_ATOMIC").unwrap();
        let zeroed = k.gfp.parse("GFP_KERNEL | __GFP_ZERO").unwrap();
        let caches: Vec<u32> = [40u32, 700]
            .iter()
            .map(|&size| {
                match k
                    .kmem_cache_create(&format!("c{size}"), size, 0, Default::default())
                    .value
                {
                    CallValue::Cache(c) => c,
                    other => panic!("{other:?}"),
                }
            })
            .collect();
        let mut live: Vec<Live> = Vec::new();
        for _ in 0..STEPS {
            let size = [
                1, 24, 100, 200, 1024, 4000, 4097, 8192, 9000, 70_000, 300_000,
            ][rng.below(11) as usize];
            let gfp = if rng.below(3) == 0 { zeroed } else { kernel };
            let (ev, kind, len) = match rng.below(12) {
                0 | 1 => (k.kmalloc(size, gfp), Kind::Kmalloc, size),
                2 => (
                    k.kcalloc(1 + rng.below(4), size.min(4096), gfp),
                    Kind::Kmalloc,
                    size.min(4096),
                ),
                3 => (k.vmalloc(size), Kind::Vmalloc, size),
                4 => (k.vzalloc(size), Kind::Vmalloc, size),
                5 => {
                    let g = if rng.below(4) == 0 { atomic } else { gfp };
                    (k.kvmalloc(size, g), Kind::Kvmalloc, size)
                }
                6 => {
                    let c = caches[rng.below(2) as usize];
                    let len = if c == caches[0] { 40 } else { 700 };
                    (k.kmem_cache_alloc(c, gfp), Kind::Cache(c), len)
                }
                7 if !live.is_empty() => {
                    // krealloc of a kmalloc object keeps its first bytes.
                    let i = rng.below(live.len() as u64) as usize;
                    if live[i].kind != Kind::Kmalloc {
                        continue;
                    }
                    let old = live.swap_remove(i);
                    let ev = k.krealloc(VirtAddr::new(old.addr), size, gfp);
                    if !matches!(ev.value, CallValue::Address(a) if a.as_u64() > 16) {
                        live.push(old);
                        continue;
                    }
                    (ev, Kind::Kmalloc, size)
                }
                _ if !live.is_empty() => {
                    let l = live.swap_remove(rng.below(live.len() as u64) as usize);
                    let a = VirtAddr::new(l.addr);
                    let ev = match (l.kind, rng.below(4)) {
                        (Kind::Vmalloc, 0) => {
                            k.context_op(ContextOp::EnterHardirq);
                            let ev = k.vfree(a);
                            k.context_op(ContextOp::ExitHardirq);
                            ev
                        }
                        (Kind::Vmalloc, 1) => k.vfree_atomic(a),
                        (Kind::Vmalloc, _) => k.vfree(a),
                        (Kind::Kmalloc, 0) => k.kvfree(a),
                        (Kind::Kmalloc, _) => k.kfree(a),
                        (Kind::Kvmalloc, _) => k.kvfree(a),
                        (Kind::Cache(c), _) => k.kmem_cache_free(c, a),
                    };
                    assert_eq!(
                        ev.outcome,
                        kmem::kernel::Outcome::Ok,
                        "sequence {seq}: {}",
                        ev.call
                    );
                    check_live(&k, &live, seq, &ev.call.to_string());
                    continue;
                }
                _ => continue,
            };
            let CallValue::Address(a) = ev.value else {
                panic!("sequence {seq}: {} returned {:?}", ev.call, ev.value)
            };
            if a.as_u64() > 16 && ev.outcome == kmem::kernel::Outcome::Ok {
                let zero = !ev.call.to_string().starts_with("krealloc")
                    && (ev.call.to_string().contains("__GFP_ZERO")
                        || ev.call.to_string().starts_with("vzalloc")
                        || ev.call.to_string().starts_with("kcalloc"));
                if zero {
                    assert_eq!(
                        byte_through_translation(&k, a.as_u64() + len - 1),
                        0,
                        "{}",
                        ev.call
                    );
                }
                let tag = rng.next_u64() as u8;
                let tag_at = rng.below(len);
                // krealloc'ed objects keep their old tag where it still fits.
                k.write(
                    a.wrapping_add(tag_at),
                    kmem::kernel::memory::Width::U8,
                    u64::from(tag),
                );
                made[match kind {
                    Kind::Kmalloc => 0,
                    Kind::Vmalloc => 1,
                    Kind::Kvmalloc => 2,
                    Kind::Cache(_) => 3,
                }] += 1;
                live.push(Live {
                    addr: a.as_u64(),
                    len,
                    kind,
                    tag,
                    tag_at,
                });
            }
            check_live(&k, &live, seq, &ev.call.to_string());
            if let Err(problem) = k.buddy.check(&k.mem) {
                panic!("sequence {seq} after {}: {problem}", ev.call);
            }
        }
        assert_eq!(*k.state(), KernelState::Running, "sequence {seq}");
        // Correct use never trips slub_debug.
        assert!(
            !k.log.lines().iter().any(|l| l.text.starts_with("BUG ")),
            "sequence {seq}: a slub_debug report for correct use"
        );
        // Free everything, let the deferred frees run, shrink every cache:
        // the free pages are those of boot less the page tables, which the
        // kernel keeps.
        for l in live.drain(..) {
            let a = VirtAddr::new(l.addr);
            match l.kind {
                Kind::Vmalloc => k.vfree(a),
                Kind::Kmalloc => k.kfree(a),
                Kind::Kvmalloc => k.kvfree(a),
                Kind::Cache(c) => k.kmem_cache_free(c, a),
            };
        }
        k.kfree(VirtAddr::NULL);
        for c in caches {
            k.kmem_cache_destroy(c);
        }
        for id in 0..k.slab.caches.len() as u32 {
            k.kmem_cache_shrink(id);
        }
        assert_eq!(k.vmap.areas().count(), 0);
        let tables = k.pgtables.table_pages() as u64 - boot_tables;
        assert_eq!(
            k.buddy.nr_free_pages() + k.buddy.pcp_pages(),
            boot_free - tables,
            "sequence {seq}"
        );
    }
    // Every kind of allocation was exercised many times.
    assert!(made.iter().all(|&n| n > 5_000), "{made:?}");
}
