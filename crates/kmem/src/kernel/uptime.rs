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
use crate::memmap::{FrameUse, MemMap, SplitMix64, Uptime};
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

/// Pages of one kind the workload holds, in the blocks it took them in.
#[derive(Default)]
struct Held {
    chunks: Vec<Vec<Pfn>>,
    pages: u64,
}

impl Held {
    fn push(&mut self, chunk: Vec<Pfn>) {
        self.pages += chunk.len() as u64;
        self.chunks.push(chunk);
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
                let Some(pages) = self.take(BULK_ORDER, MigrateType::Movable, used_as) else {
                    break;
                };
                held[kind].push(pages);
            }
        }
        // Then files were evicted or deleted: single pages anywhere in the cache.
        let mut evicted = Vec::new();
        let evict = (held[0].pages * FILE_FREED_PERCENT / 100).min(FREED_PAGES_MAX);
        while (evicted.len() as u64) < evict {
            let at = rng.below(held[0].chunks.len() as u64) as usize;
            let chunk = &mut held[0].chunks[at];
            if !chunk.is_empty() {
                evicted.push(chunk.swap_remove(rng.below(chunk.len() as u64) as usize));
            }
        }
        // Processes that exited: their blocks, whole.
        let mut exited = Vec::new();
        let exit = (held[1].pages * ANON_FREED_PERCENT / 100).min(FREED_PAGES_MAX);
        while (exited.len() as u64) < exit && !held[1].chunks.is_empty() {
            let at = rng.below(held[1].chunks.len() as u64) as usize;
            exited.extend(held[1].chunks.swap_remove(at));
        }
        self.release(evicted.into_iter().chain(exited));
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
                    let Some(pages) = self.take(order, MigrateType::Movable, used_as) else {
                        break;
                    };
                    held[kind].push(pages);
                }
            }
            while (kernel_pages.len() as u64) < kernel_target * round / ROUNDS {
                let Some(pages) = self.take(0, MigrateType::Unmovable, FrameUse::Allocated) else {
                    break;
                };
                kernel_pages.extend(pages);
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
        self.cache.adopt(file.chunks.into_iter().flatten());
        for pfn in anon.chunks.into_iter().flatten() {
            self.anon_pages[MemMap::zone_of(pfn).index()] += 1;
        }
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
    fn take(&mut self, order: u8, migratetype: MigrateType, used_as: FrameUse) -> Option<Vec<Pfn>> {
        let mut effects = Vec::new();
        for order in (0..=order).rev() {
            let request = PageRequest {
                order: Order::new(order),
                highest_zone: ZoneType::Normal,
                migratetype,
                wakes_kswapd: false,
            };
            effects.clear();
            let Some((pfn, _)) = self.buddy.get_page_from_freelist(
                &mut self.mem,
                &request,
                WatermarkLevel::Low,
                None,
                &mut effects,
            ) else {
                continue;
            };
            let pages: Vec<Pfn> = (0..1u64 << order).map(|i| pfn.add(i)).collect();
            for &page in &pages {
                if let Some(meta) = self.mem.page_mut(page) {
                    meta.used_as = used_as;
                    meta.order = 0;
                }
            }
            return Some(pages);
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
