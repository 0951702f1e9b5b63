//! A machine that has been up for a while ([`Uptime::Running`], the
//! playground's default): before the script's module loads, a workload
//! has read files into the page cache, run processes with anonymous
//! memory, and filled the kmalloc caches with objects; then part of it
//! ended: files were evicted or deleted, processes exited, objects were
//! freed.
//!
//! It all goes through the simulated allocators, so the result is what
//! churn leaves on a real machine rather than a painted map: free pages
//! scattered on the order-0 lists (a freed page whose buddy is still in use
//! cannot merge), the last frees on the per-CPU list, partial slabs, and
//! pageblocks of other migratetypes where unmovable slab pages fell back to
//! movable pageblocks (`steal_suitable_fallback()`). The sequence follows
//! from the machine's seed alone, so a link or a quiz key sees the same
//! machine every time.
//!
//! The mix is that of running x86_64 machines whose /proc/meminfo the
//! tests cite (`crates/kmem/tests/uptime.rs`): on the 8 GiB desktop, after
//! the frees, MemFree 28 %, Cached 51 %, AnonPages 21 %, and Normal's free
//! memory mostly in order-0 and order-1 blocks. Not modelled: the dentry
//! and inode caches (real slab is 4-6 % of memory, here kmalloc objects
//! alone, about 0.1 %), kernel stacks (x86_64 allocates them with vmalloc,
//! `CONFIG_VMAP_STACK`), page tables of processes, huge pages, swap.

use super::{EventBuilder, Kernel, Text};
use crate::addr::{Order, Pfn};
use crate::buddy::{PageRequest, WatermarkLevel};
use crate::memmap::{FrameRange, FrameUse, MemMap, SplitMix64, Uptime};
use crate::profile::names::KmallocCall;
use crate::zone::{MigrateType, ZoneType};

/// Percent of managed pages the workload reads into the page cache.
const FILE_PERCENT: u64 = 52;
/// Percent of managed pages of anonymous memory its processes touch.
const ANON_PERCENT: u64 = 22;
/// Percent of managed pages the kernel itself takes page by page
/// (unmovable: stacks, page tables, network buffers), at most
/// [`KERNEL_PAGES_MAX`]; half of them are freed again. Their churn is what
/// scatters the unmovable free lists that GFP_KERNEL requests (vmalloc's
/// pages among them) are served from.
const KERNEL_PERCENT: u64 = 4;
const KERNEL_PAGES_MAX: u64 = 16_384;
/// The share of the page cache and of the anonymous memory that came in
/// the recent small requests (the rest in blocks of [`BULK_ORDER`]).
const RECENT_PERCENT: u64 = 5;
/// Pages evicted or deleted from the page cache, one by one, and pages of
/// processes that exited: each a share of what there is, at most
/// [`FREED_PAGES_MAX`].
const FILE_FREED_PERCENT: u64 = 12;
const ANON_FREED_PERCENT: u64 = 25;
const FREED_PAGES_MAX: u64 = 24_576;
/// kmalloc objects per MiB of managed memory (at most
/// [`OBJECTS_MAX`]), and the share freed again.
const OBJECTS_PER_MIB: u64 = 12;
const OBJECTS_MAX: u64 = 24_576;
const OBJECTS_FREED_PERCENT: u64 = 45;
/// Rounds the recent allocations are interleaved in.
const ROUNDS: u64 = 8;
/// The block the bulk of a file's or a process's pages came in (2 MiB:
/// readahead of large files, faults of large mappings).
const BULK_ORDER: u8 = 9;
/// The largest block of a recent small request (32 pages).
const MAX_CHUNK_ORDER: u64 = 5;
/// kmalloc sizes the workload uses, as kernel code asks for them.
const OBJECT_SIZES: [u64; 12] = [8, 16, 24, 32, 64, 96, 128, 192, 256, 512, 1024, 2048];
/// Mixed into the machine's seed so that the workload's choices differ
/// from the other uses of the seed.
const SALT: u64 = 0x7570_7469_6d65;

/// A block the workload took: the `1 << order` frames from `start`, each
/// made an order-0 page (`split_page()`).
#[derive(Clone, Copy)]
struct Block {
    start: Pfn,
    order: u8,
}

impl Block {
    fn pages(self) -> u64 {
        1 << self.order
    }

    fn frames(self) -> FrameRange {
        FrameRange {
            start: self.start,
            end: self.start.add(self.pages()),
        }
    }
}

/// Pages of one kind the workload took, in the blocks it took them in.
#[derive(Default)]
struct Held {
    blocks: Vec<Block>,
    pages: u64,
}

impl Held {
    fn push(&mut self, block: Block) {
        self.pages += block.pages();
        self.blocks.push(block);
    }
}

impl Kernel {
    /// Runs the workload of a machine that has been up for a while (see
    /// the module documentation), when the machine's uptime says so.
    pub(super) fn run_uptime_workload(&mut self) {
        if self.config.machine.uptime != Uptime::Running {
            return;
        }
        let mut rng = SplitMix64(self.config.machine.seed ^ SALT);
        let managed = self.buddy.managed_pages();
        let targets = [
            (FrameUse::PageCache, managed * FILE_PERCENT / 100),
            (FrameUse::Anon, managed * ANON_PERCENT / 100),
        ];
        let mut held = [Held::default(), Held::default()];
        // The machine's life: files and processes in large blocks.
        for (kind, &(used_as, target)) in targets.iter().enumerate() {
            let bulk = target * (100 - RECENT_PERCENT) / 100;
            while held[kind].pages < bulk {
                let Some(block) = self.take(BULK_ORDER, MigrateType::Movable, used_as) else {
                    break;
                };
                held[kind].push(block);
            }
        }
        // Then files were evicted or deleted: single pages anywhere in the
        // cache, each freed on its own.
        let evict = (held[0].pages * FILE_FREED_PERCENT / 100).min(FREED_PAGES_MAX);
        let mut evicted = Vec::new();
        while (evicted.len() as u64) < evict && !held[0].blocks.is_empty() {
            let block = held[0].blocks[rng.below(held[0].blocks.len() as u64) as usize];
            let pfn = block.start.add(rng.below(block.pages()));
            if self
                .mem
                .page(pfn)
                .is_some_and(|page| page.used_as == FrameUse::PageCache)
            {
                self.release([pfn]);
                evicted.push(pfn);
            }
        }
        // Processes that exited: their blocks, whole. The kernel frees such
        // a process's pages one by one, and the buddy allocator merges
        // them back into the block; freeing the block at its order ends in
        // the same free block at a fraction of the cost.
        let exit = (held[1].pages * ANON_FREED_PERCENT / 100).min(FREED_PAGES_MAX);
        let mut exited = 0;
        while exited < exit && !held[1].blocks.is_empty() {
            let at = rng.below(held[1].blocks.len() as u64) as usize;
            let block = held[1].blocks.swap_remove(at);
            exited += block.pages();
            self.release_block(block);
        }
        // Recent activity: small requests of every kind, interleaved.
        let kernel_target = (managed * KERNEL_PERCENT / 100).min(KERNEL_PAGES_MAX);
        let objects_target = ((managed >> 8) * OBJECTS_PER_MIB).min(OBJECTS_MAX);
        let mut kernel_pages = Vec::new();
        let mut objects = Vec::new();
        let gfp = self.gfp.composite("GFP_KERNEL").unwrap_or_default();
        let mut ev = EventBuilder::new(0, Text::default(), self.log.len());
        for round in 1..=ROUNDS {
            for (kind, &(used_as, target)) in targets.iter().enumerate() {
                while held[kind].pages < target * round / ROUNDS {
                    let order = rng.below(MAX_CHUNK_ORDER + 1) as u8;
                    let Some(block) = self.take(order, MigrateType::Movable, used_as) else {
                        break;
                    };
                    held[kind].push(block);
                }
            }
            while (kernel_pages.len() as u64) < kernel_target * round / ROUNDS {
                let Some(page) = self.take(0, MigrateType::Unmovable, FrameUse::Allocated) else {
                    break;
                };
                kernel_pages.push(page.start);
            }
            while (objects.len() as u64) < objects_target * round / ROUNDS {
                let size = OBJECT_SIZES[rng.below(OBJECT_SIZES.len() as u64) as usize];
                match self.kmalloc_memory(&mut ev, size, gfp, KmallocCall::Variable) {
                    Ok((addr, _)) => objects.push(addr),
                    Err(_) => break,
                }
            }
        }
        let half = kernel_pages.len() / 2;
        let freed_kernel = draw(&mut rng, &mut kernel_pages, half);
        let share = objects.len() * OBJECTS_FREED_PERCENT as usize / 100;
        let freed_objects = draw(&mut rng, &mut objects, share);
        // The recent frees interleave: pages, then objects.
        let mut objects_left = freed_objects.chunks(8);
        for pages in freed_kernel.chunks(64) {
            self.release(pages.iter().copied());
            for &addr in objects_left.next().unwrap_or_default() {
                let _ = self.kfree_memory(&mut ev, addr);
            }
        }
        for &addr in objects_left.flatten() {
            let _ = self.kfree_memory(&mut ev, addr);
        }
        let [file, anon] = held;
        evicted.sort_unstable();
        self.cache.adopt(cached_runs(&file.blocks, &evicted));
        for block in anon.blocks {
            self.anon_pages[MemMap::zone_of(block.start).index()] += block.pages();
        }
    }

    /// Frees a block the workload took as one block of its order (its
    /// pages are tails of the block again).
    fn release_block(&mut self, block: Block) {
        self.mem.mark_range(block.frames(), FrameUse::Tail);
        let mut effects = Vec::new();
        self.buddy
            .free_pages(&mut self.mem, block.start, block.order, &mut effects);
    }

    /// Frees order-0 pages the workload held, through `__free_pages()`.
    fn release(&mut self, pages: impl IntoIterator<Item = Pfn>) {
        let mut effects = Vec::new();
        for pfn in pages {
            effects.clear();
            self.buddy.free_pages(&mut self.mem, pfn, 0, &mut effects);
        }
    }

    /// Takes a block of `order` pages of `migratetype` (lower orders when
    /// none is left above the low watermark) and makes each of its pages an
    /// order-0 page used as `used_as`, as `split_page()` does for a block a
    /// file's readahead or a fault-around took. `None` when memory is at
    /// the low watermark everywhere.
    fn take(&mut self, order: u8, migratetype: MigrateType, used_as: FrameUse) -> Option<Block> {
        let mut effects = Vec::new();
        for order in (0..=order).rev() {
            let request = PageRequest {
                order: Order::new(order),
                highest_zone: ZoneType::Normal,
                migratetype,
                wakes_kswapd: false,
            };
            effects.clear();
            let Some((start, _)) = self.buddy.get_page_from_freelist(
                &mut self.mem,
                &request,
                WatermarkLevel::Low,
                None,
                &mut effects,
            ) else {
                continue;
            };
            let block = Block { start, order };
            self.mem.mark_range(block.frames(), used_as);
            return Some(block);
        }
        None
    }
}

/// Takes `n` of `items` at random (the rest stay, in another order).
fn draw<T>(rng: &mut SplitMix64, items: &mut Vec<T>, n: usize) -> Vec<T> {
    (0..n.min(items.len()))
        .map(|_| items.swap_remove(rng.below(items.len() as u64) as usize))
        .collect()
}

/// The runs of frames of `blocks`, in order, without the frames of
/// `evicted` (ascending).
fn cached_runs(blocks: &[Block], evicted: &[Pfn]) -> Vec<FrameRange> {
    let mut runs = Vec::with_capacity(blocks.len());
    for block in blocks {
        let frames = block.frames();
        let first = evicted.partition_point(|&pfn| pfn < frames.start);
        let mut start = frames.start;
        for &gone in evicted[first..].iter().take_while(|&&pfn| pfn < frames.end) {
            if gone > start {
                runs.push(FrameRange { start, end: gone });
            }
            start = gone.add(1);
        }
        if start < frames.end {
            runs.push(FrameRange {
                start,
                end: frames.end,
            });
        }
    }
    runs
}
