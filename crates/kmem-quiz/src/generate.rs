//! Seeded families of questions (OSTEP homework style): the same seed gives
//! the same question on every machine, in every build.

use kmem::gfp::GfpTable;
use kmem::memmap::SplitMix64;
use kmem::profile::Release;

use crate::format::{Ask, Family, Kind, Machine, Question};

/// splitmix64: a small, well-known generator with a fixed output for a
/// seed (so questions never change under a seed).
struct Rng(SplitMix64);

impl Rng {
    fn new(seed: u64, family: Family) -> Rng {
        // Each family draws its own sequence from the same seed.
        Rng(SplitMix64(
            seed ^ (family as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15),
        ))
    }

    fn next(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.0.below(items.len() as u64) as usize]
    }
}

/// The releases a generated question may be set in.
const RELEASES: [kmem::profile::Series; 3] = kmem::profile::Series::QUIZ_GENERATOR;

/// The questions `q` stands for: one per seed, with its seed, for a
/// generated question; otherwise `q` itself.
pub fn variants(q: &Question, seeds: std::ops::Range<u64>) -> Vec<(Option<u64>, Question)> {
    if q.kind == Kind::Generate {
        seeds.map(|s| (Some(s), instantiate(q, s))).collect()
    } else {
        vec![(None, q.clone())]
    }
}

/// The question a generated one stands for under `seed`: a predict or
/// choose question with a script and an `ask:`. Other questions are
/// returned unchanged.
pub fn instantiate(q: &Question, seed: u64) -> Question {
    let Some(family) = q.family.filter(|_| q.kind == Kind::Generate) else {
        return q.clone();
    };
    let mut rng = Rng::new(seed, family);
    let mut out = q.clone();
    out.kind = Kind::Predict;
    out.step = None;
    out.options.clear();
    out.machine = Machine {
        kernel: rng.pick(&RELEASES).name().to_string(),
        ..q.machine.clone()
    };
    let kernel = out.machine.kernel.clone();
    match family {
        Family::KmallocCache => {
            let size = rng.range(1, 8192);
            out.body = format!("On Linux {kernel}, which cache serves `kmalloc({size}, GFP_KERNEL)`? Answer with its /proc/slabinfo name.");
            out.script = Some(format!("void *p = kmalloc({size}, GFP_KERNEL);\n"));
            out.ask = Some(Ask::Cache);
            out.explain = "kmalloc() picks its cache with kmalloc_index() (include/linux/slab.h): sizes up to 192 bytes go through size_index[] (8, 16, 32, 64, 96, 128, 192), larger ones to the next power of two, up to KMALLOC_MAX_CACHE_SIZE (8 KiB). The cache is named kmalloc-N (kmalloc-8k style from 6.x, kmalloc-8192 in 4.19).".into();
        }
        Family::LargeOrder => {
            let size = rng.range(8193, 4 << 20);
            out.body = format!("On Linux {kernel}, `kmalloc({size}, GFP_KERNEL)` is above KMALLOC_MAX_CACHE_SIZE. Which page order does it get from the buddy allocator?");
            out.script = Some(format!("void *p = kmalloc({size}, GFP_KERNEL);\n"));
            out.ask = Some(Ask::Order);
            out.explain = "Above KMALLOC_MAX_CACHE_SIZE (8 KiB) kmalloc goes to the page allocator (kmalloc_large) with order get_order(size): the smallest order whose 4 KiB << order holds the size, up to KMALLOC_MAX_SIZE (4 MiB, order 10).".into();
        }
        Family::Translate => {
            let vmalloc = rng.next() % 2 == 0;
            let offset = rng.range(0, 4095) + if vmalloc { 4096 * rng.range(0, 15) } else { 0 };
            let (alloc, what) = if vmalloc {
                ("vmalloc(SZ_64K)", "a vmalloc area")
            } else {
                ("kmalloc(4096, GFP_KERNEL)", "a kmalloc object")
            };
            out.body = format!("On Linux {kernel}, `p` points to {what}. What physical address does `p + {offset}` translate to (the vmalloc-aware path of kvm_kaddr_to_phys)? The run shows the address and the page-table entries the walk reads.");
            out.script = Some(format!("void *p = {alloc};\n"));
            out.ask = Some(Ask::Phys(format!("p + {offset}")));
            out.explain = "For a direct-map address, __pa() subtracts PAGE_OFFSET. For a vmalloc address (is_vmalloc_addr()), the page tables are walked (PGD, P4D, PUD, PMD, PTE) to the page, then page_to_phys(page) + offset_in_page(addr): the path of kvm_kaddr_to_phys() (virt/kvm/arm/mmu.c), the function the seed article walks through.".into();
        }
        Family::DecodeMask => {
            const BASES: [&str; 8] = [
                "GFP_KERNEL",
                "GFP_ATOMIC",
                "GFP_NOWAIT",
                "GFP_NOIO",
                "GFP_NOFS",
                "GFP_USER",
                "GFP_HIGHUSER_MOVABLE",
                "GFP_KERNEL_ACCOUNT",
            ];
            const MODIFIERS: [&str; 6] = [
                "__GFP_ZERO",
                "__GFP_NOWARN",
                "__GFP_NORETRY",
                "__GFP_COMP",
                "__GFP_DMA",
                "__GFP_RETRY_MAYFAIL",
            ];
            let mut names = vec![*rng.pick(&BASES)];
            for _ in 0..rng.range(0, 2) {
                let m = *rng.pick(&MODIFIERS);
                if !names.contains(&m) {
                    names.push(m);
                }
            }
            let table = Release::parse(&kernel)
                .ok()
                .and_then(|r| GfpTable::for_release(r).ok());
            let hex = table
                .and_then(|t| t.parse(&names.join("|")).ok())
                .map_or_else(String::new, |g| format!("{:#x}", g.0));
            out.body = format!("A Linux {kernel} log line says `mode:{hex}`. What does %pGg print for it (the names in the parentheses)?");
            out.script = None;
            out.ask = Some(Ask::Pgg(hex));
            out.explain = "%pGg (lib/vsprintf.c format_flags() with the gfpflag_names table of include/trace/events/mmflags.h) prints the composite names first (GFP_KERNEL, GFP_ATOMIC, …) when all their bits are set, then the remaining __GFP_ bits, joined by |. The bit values changed in 5.1 and again later, so the same names give different hex per release.".into();
        }
        Family::KvmallocFallback => {
            let flags = *rng.pick(&["GFP_KERNEL", "GFP_ATOMIC", "GFP_NOWAIT"]);
            let kib = 1 << rng.range(4, 9);
            out.kind = Kind::Choose;
            out.body = format!("On Linux {kernel}, no free block of order 1 or more is left. What does `kvmalloc({kib} * SZ_1K, {flags})` return?");
            out.script = Some(format!(
                "fragment(1);\nvoid *p = kvmalloc({kib} * SZ_1K, {flags});\n"
            ));
            out.ask = Some(Ask::Outcome);
            out.options = [
                "returns a direct-map address",
                "returns a vmalloc address",
                "returns NULL",
            ]
            .map(String::from)
            .to_vec();
            out.explain = "kvmalloc_node() (mm/util.c) tries kmalloc with __GFP_NOWARN|__GFP_NORETRY and falls back to vmalloc only when the flags allow it: 4.19 requires GFP_KERNEL-compatible flags; 6.x requires a mask that may block (gfpflags_allow_blocking), as vmalloc may sleep. With contiguous memory gone, the kmalloc attempt fails.".into();
        }
    }
    out
}
