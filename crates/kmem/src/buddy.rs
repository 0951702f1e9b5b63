//! The buddy page allocator: zones, free lists per order and migrate type,
//! watermarks, split and merge.
//!
//! Kernel rules modelled (mm/page_alloc.c of 4.19, 6.6 and 6.12; where the
//! releases differ, the [`BuddyRules`] of the profile says how):
//! - free lists per order (0–10) and migrate type, intrusive and doubly
//!   linked through the frames themselves, so add, remove and take are O(1);
//! - `__rmqueue_smallest()` takes the first block of the smallest order that
//!   has one and `expand()` puts the split-off upper halves at the head of
//!   the lower lists;
//! - `__rmqueue_fallback()` steals from other migrate types (largest block
//!   first), claiming whole pageblocks as `steal_suitable_fallback()` does;
//!   6.x first tries with ALLOC_NOFRAGMENT, which only steals whole
//!   pageblocks;
//! - `__free_one_page()` merges with the buddy `pfn ^ (1 << order)` while it
//!   is free at the same order, then adds the block at the head of its list,
//!   or at the tail when the next-higher buddy is free (`buddy_merge_likely`);
//! - `__zone_watermark_ok()` with the reserve reductions of each release,
//!   `lowmem_reserve`, and zone fallback from the highest allowed zone down.
//!
//! Not modelled: per-CPU page lists (every order-0 request goes straight to
//! the buddy lists), NUMA, CMA, memory isolation, compaction.

use crate::addr::{Order, Pfn};
use crate::memmap::{FrameUse, MemMap, PageMeta, NIL, PAGEBLOCK_ORDER, PAGEBLOCK_PAGES};
use crate::page_alloc::SWAP_CLUSTER_MAX;
use crate::pcp::{Pcp, PcpModel};
use crate::zone::{MigrateType, ZoneType};

/// Orders with free lists: 0 to 10 (`NR_PAGE_ORDERS` = 11 in every
/// modelled release).
pub const NR_ORDERS: usize = 11;
/// `PAGE_ALLOC_COSTLY_ORDER`: orders above 3 are "costly".
pub const COSTLY_ORDER: u8 = 3;
/// `sysctl_lowmem_reserve_ratio[]` for DMA, DMA32, Normal, Movable.
pub const LOWMEM_RESERVE_RATIO: [u64; 4] = [256, 256, 32, 0];
/// `watermark_scale_factor` default: 10 (0.1 % of a zone).
pub const WATERMARK_SCALE_FACTOR: u64 = 10;
/// `watermark_boost_factor` default (6.x): 15000.
pub const WATERMARK_BOOST_FACTOR: u64 = 15_000;

/// The rules that differ between releases.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BuddyRules {
    /// Upper clamp of the computed min_free_kbytes (65536 in 4.19, 262144
    /// from 5.7).
    pub min_free_kbytes_max: u64,
    /// 6.x zones have WMARK_PROMO.
    pub has_wmark_promo: bool,
    /// 6.x: `watermark_boost` after a fragmenting fallback (5.0+).
    pub boosts_watermarks: bool,
    /// 6.x: ALLOC_NOFRAGMENT on the first pass (5.0+).
    pub avoids_fragmentation: bool,
    /// 6.x `move_to_free_list()` moves to the list tail; 4.19's
    /// `move_freepages()` moves to the head.
    pub moves_to_tail: bool,
    /// 6.x: a zone without managed pages gets no lowmem reserve against
    /// the zones above it (`setup_per_zone_lowmem_reserve`, 5.x+).
    pub clears_reserve_of_empty_zones: bool,
    /// 6.12.0–6.12.18 also give 0 for every empty zone above
    /// (`if (clear || empty)`, 96a5c186efff, reverted in 6.12.19).
    pub zeroes_reserve_for_empty_upper: bool,
    /// Number of zone types `lowmem_reserve[]` has (`MAX_NR_ZONES`; 5 with
    /// CONFIG_ZONE_DEVICE, as distribution kernels build).
    pub nr_zone_types: usize,
    /// The release's per-CPU page list rules.
    pub pcp: PcpModel,
    /// 6.x gives ZONE_MOVABLE the highmem minimum (managed / 1024, clamped
    /// to 32..128) in `__setup_per_zone_wmarks()`, even when it is empty.
    pub movable_min_like_highmem: bool,
}

impl BuddyRules {
    /// The rules of a release's profile.
    pub fn of(profile: &crate::profile::Profile) -> BuddyRules {
        use crate::profile::Change;
        BuddyRules {
            min_free_kbytes_max: if profile.has(Change::MinFreeKbytes256M) {
                262_144
            } else {
                65_536
            },
            has_wmark_promo: profile.has(Change::WmarkPromo),
            boosts_watermarks: profile.has(Change::WatermarkBoost),
            avoids_fragmentation: profile.has(Change::AllocNoFragment),
            moves_to_tail: profile.has(Change::FreeToTail),
            clears_reserve_of_empty_zones: profile.has(Change::LowmemReserveClearsEmptyZones),
            zeroes_reserve_for_empty_upper: profile.has(Change::LowmemReserveZeroForEmptyUpper),
            nr_zone_types: 5,
            movable_min_like_highmem: profile.has(Change::MovableMinLikeHighmem),
            pcp: if profile.has(Change::PcpAutoTune) {
                PcpModel::AutoTune
            } else if profile.has(Change::PcpHighOrderLists) {
                PcpModel::FreeFactor
            } else {
                PcpModel::Order0
            },
        }
    }
}

/// One free list: the first and last block (frame numbers) and the count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FreeList {
    pub(crate) head: u32,
    pub(crate) tail: u32,
    /// Blocks on the list.
    pub len: u64,
}

impl Default for FreeList {
    fn default() -> Self {
        FreeList {
            head: NIL,
            tail: NIL,
            len: 0,
        }
    }
}

impl FreeList {
    /// Links frame `pfn` at the list's head, or its tail.
    pub(crate) fn link(&mut self, mem: &mut MemMap, pfn: u32, tail: bool) {
        let (old_head, old_tail) = (self.head, self.tail);
        let page = mem.meta_mut(pfn);
        if tail {
            page.next = NIL;
            page.prev = old_tail;
            if old_tail == NIL {
                self.head = pfn;
            } else {
                mem.meta_mut(old_tail).next = pfn;
            }
            self.tail = pfn;
        } else {
            page.next = old_head;
            page.prev = NIL;
            if old_head == NIL {
                self.tail = pfn;
            } else {
                mem.meta_mut(old_head).prev = pfn;
            }
            self.head = pfn;
        }
        self.len += 1;
    }

    /// Unlinks frame `pfn`, which is on this list.
    pub(crate) fn unlink(&mut self, mem: &mut MemMap, pfn: u32) {
        let page = *mem.meta(pfn);
        if page.prev == NIL {
            self.head = page.next;
        } else {
            mem.meta_mut(page.prev).next = page.next;
        }
        if page.next == NIL {
            self.tail = page.prev;
        } else {
            mem.meta_mut(page.next).prev = page.prev;
        }
        self.len -= 1;
        let meta = mem.meta_mut(pfn);
        meta.next = NIL;
        meta.prev = NIL;
    }

    /// The frames on the list, head first.
    pub(crate) fn frames(&self, mem: &MemMap) -> Vec<u32> {
        let mut out = Vec::new();
        let mut cursor = self.head;
        while cursor != NIL && (out.len() as u64) < self.len {
            out.push(cursor);
            cursor = mem.meta(cursor).next;
        }
        out
    }
}

/// The free lists of one order (`struct free_area`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FreeArea {
    /// One list per migrate type.
    pub lists: [FreeList; 4],
    /// `nr_free`: free blocks of this order, all types.
    pub nr_free: u64,
}

/// Watermarks of a zone, in pages (`_watermark[]`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Watermarks {
    /// WMARK_MIN.
    pub min: u64,
    /// WMARK_LOW.
    pub low: u64,
    /// WMARK_HIGH.
    pub high: u64,
    /// WMARK_PROMO (6.x; 0 when the release has none).
    pub promo: u64,
}

/// A zone (`struct zone`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Zone {
    /// Which zone.
    pub zone_type: ZoneType,
    /// First frame (`zone_start_pfn`).
    pub start_pfn: Pfn,
    /// `spanned_pages`: frames from the first to the last, holes included.
    pub spanned: u64,
    /// `present_pages`: RAM frames.
    pub present: u64,
    /// `managed_pages`: frames the buddy allocator manages.
    pub managed: u64,
    /// Free lists per order.
    pub free_area: [FreeArea; NR_ORDERS],
    /// `NR_FREE_PAGES`.
    pub free_pages: u64,
    /// The watermarks.
    pub watermarks: Watermarks,
    /// `watermark_boost` (6.x).
    pub watermark_boost: u64,
    /// `lowmem_reserve[]`, one per zone type.
    pub lowmem_reserve: Vec<u64>,
    /// `nr_reserved_highatomic`.
    pub reserved_highatomic: u64,
    /// CPU 0's per-CPU page lists.
    pub pcp: Pcp,
    /// ZONE_BELOW_HIGH (6.12): free pages fell below the high watermark.
    pub below_high: bool,
}

impl Zone {
    fn new(zone_type: ZoneType, nr_zone_types: usize, pcp: PcpModel) -> Zone {
        Zone {
            zone_type,
            start_pfn: Pfn::new(0),
            spanned: 0,
            present: 0,
            managed: 0,
            free_area: [FreeArea::default(); NR_ORDERS],
            free_pages: 0,
            watermarks: Watermarks::default(),
            watermark_boost: 0,
            lowmem_reserve: vec![0; nr_zone_types],
            reserved_highatomic: 0,
            pcp: Pcp::new(pcp),
            below_high: false,
        }
    }

    /// True when the zone has RAM (`populated_zone`).
    pub fn is_populated(&self) -> bool {
        self.present > 0
    }

    /// One past the zone's last frame.
    pub fn end_pfn(&self) -> Pfn {
        self.start_pfn.add(self.spanned)
    }

    /// The watermark the allocator reads: the mark plus any boost (6.x).
    pub fn mark(&self, mark: WatermarkLevel) -> u64 {
        let base = match mark {
            WatermarkLevel::Min => self.watermarks.min,
            WatermarkLevel::Low => self.watermarks.low,
            WatermarkLevel::High => self.watermarks.high,
        };
        base + self.watermark_boost
    }
}

/// Which watermark a request must stay above.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WatermarkLevel {
    /// ALLOC_WMARK_MIN (slow path).
    Min,
    /// ALLOC_WMARK_LOW (fast path).
    Low,
    /// ALLOC_WMARK_HIGH.
    High,
}

/// Access to reserves below the watermark, as `gfp_to_alloc_flags()` of
/// the release derives it from the GFP mask (the slow path's alloc flags).
///
/// 4.19: `__GFP_HIGH` is ALLOC_HIGH; `__GFP_ATOMIC` without NOMEMALLOC is
/// ALLOC_HARDER, which takes a further quarter off min, ignores the
/// highatomic reserve in the free count, and uses and creates
/// MIGRATE_HIGHATOMIC blocks. 6.x: `__GFP_HIGH` is ALLOC_MIN_RESERVE; no
/// direct reclaim without NOMEMALLOC is ALLOC_NON_BLOCK (a further quarter
/// only together with MIN_RESERVE), and for order > 0 also ALLOC_HIGHATOMIC.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReserveAccess {
    /// min -= min / 2.
    pub min_half: bool,
    /// Then min -= min / 4.
    pub min_quarter: bool,
    /// The zone's highatomic reserve counts as free (4.19 ALLOC_HARDER,
    /// 6.x any of ALLOC_RESERVES).
    pub highatomic_counts_as_free: bool,
    /// Try MIGRATE_HIGHATOMIC lists first, count them in the high-order
    /// watermark check, and reserve a highatomic pageblock after a
    /// high-order success.
    pub highatomic_first: bool,
    /// 6.x: try MIGRATE_HIGHATOMIC lists when everything else failed
    /// (ALLOC_NON_BLOCK or ALLOC_OOM).
    pub highatomic_last: bool,
    /// ALLOC_NO_WATERMARKS: `__GFP_MEMALLOC` without `__GFP_NOMEMALLOC`.
    pub no_watermarks: bool,
}

impl ReserveAccess {
    /// The watermark `__zone_watermark_ok()` compares against: `mark`,
    /// less a half for `min_half`, then a quarter of the rest for
    /// `min_quarter`.
    pub fn adjusted_min(self, mark: u64) -> u64 {
        let mut min = mark;
        if self.min_half {
            min -= min / 2;
        }
        if self.min_quarter {
            min -= min / 4;
        }
        min
    }
}

/// A page-allocator request, decoded from its GFP mask and order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageRequest {
    /// The order.
    pub order: Order,
    /// `gfp_zone()`: the highest zone the request may use.
    pub highest_zone: ZoneType,
    /// `gfp_migratetype()`.
    pub migratetype: MigrateType,
    /// `__GFP_KSWAPD_RECLAIM`.
    pub wakes_kswapd: bool,
}

/// What the allocator did, step by step, for the UI and the log.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub enum BuddyEffect {
    /// A per-CPU list was refilled from the buddy lists (`rmqueue_bulk`).
    PcpRefill {
        /// Zone.
        zone: ZoneType,
        /// Blocks moved.
        blocks: u64,
        /// Their order.
        order: u8,
    },
    /// A block was taken from CPU 0's per-CPU list.
    TakenFromPcp {
        /// Zone.
        zone: ZoneType,
        /// First frame.
        pfn: Pfn,
        /// Order.
        order: u8,
    },
    /// A freed block went to CPU 0's per-CPU list.
    FreedToPcp {
        /// Zone.
        zone: ZoneType,
        /// First frame.
        pfn: Pfn,
        /// Order.
        order: u8,
    },
    /// Pages went from a per-CPU list back to the buddy lists
    /// (`free_pcppages_bulk`).
    PcpDrained {
        /// Zone.
        zone: ZoneType,
        /// Pages returned.
        pages: u64,
    },
    /// A block was taken from a free list.
    Taken {
        /// Zone.
        zone: ZoneType,
        /// First frame.
        pfn: Pfn,
        /// Its order on the list.
        order: u8,
        /// The list it came from.
        from: MigrateType,
    },
    /// A block was split, its upper half put on a free list.
    Split {
        /// Zone.
        zone: ZoneType,
        /// The upper half's first frame.
        half: Pfn,
        /// The half's order.
        order: u8,
    },
    /// A pageblock changed migrate type (stolen, or reserved highatomic).
    PageblockClaimed {
        /// First frame of the pageblock.
        pfn: Pfn,
        /// Old type.
        from: MigrateType,
        /// New type.
        to: MigrateType,
    },
    /// A freed block merged with its buddy.
    Merged {
        /// Zone.
        zone: ZoneType,
        /// The merged block's first frame.
        pfn: Pfn,
        /// The merged block's order.
        order: u8,
    },
    /// A block went back on a free list.
    Returned {
        /// Zone.
        zone: ZoneType,
        /// First frame.
        pfn: Pfn,
        /// Order.
        order: u8,
        /// At the list's tail (merge likely) rather than its head.
        at_tail: bool,
    },
}

/// The zones of the single node and the allocator working on them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Buddy {
    /// Zones in index order (DMA, DMA32, Normal, Movable).
    pub zones: Vec<Zone>,
    /// The release's rules.
    pub rules: BuddyRules,
    /// `min_free_kbytes`.
    pub min_free_kbytes: u64,
    /// Allocations and frees served since boot: a measure of the work the
    /// simulation did, which a script's budget is charged for.
    pub operations: u64,
}

impl Buddy {
    /// Zones laid out over the machine's RAM; every managed frame (RAM not
    /// marked otherwise in `mem`) is freed into the lists in ascending
    /// order, in the largest aligned blocks, as `memblock_free_all()` does.
    /// Then the watermarks, lowmem reserves and per-CPU list sizes for
    /// `cpus` CPUs are computed.
    pub fn boot(mem: &mut MemMap, rules: BuddyRules, cpus: u32) -> Buddy {
        let mut zones: Vec<Zone> = ZoneType::ALL
            .iter()
            .map(|&t| Zone::new(t, rules.nr_zone_types, rules.pcp))
            .collect();
        let ranges = mem.ram_ranges();
        for zone in zones.iter_mut() {
            let (lo, hi) = zone_bounds(zone.zone_type);
            let mut first = None;
            let mut last = 0;
            for r in &ranges {
                let start = r.start.as_u64().max(lo);
                let end = r.end.as_u64().min(hi);
                if start < end {
                    first.get_or_insert(start);
                    last = end;
                    zone.present += end - start;
                }
            }
            if let Some(first) = first {
                zone.start_pfn = Pfn::new(first);
                zone.spanned = last - first;
            }
        }
        let mut buddy = Buddy {
            zones,
            rules,
            min_free_kbytes: 0,
            operations: 0,
        };
        let mut sink = Vec::new();
        for r in &ranges {
            let mut pfn = r.start.as_u64();
            let end = r.end.as_u64();
            while pfn < end {
                if mem.meta(pfn as u32).used_as != FrameUse::Tail {
                    pfn += 1;
                    continue;
                }
                let run_end = (pfn..end)
                    .find(|&p| mem.meta(p as u32).used_as != FrameUse::Tail)
                    .unwrap_or(end);
                // `__free_pages_memory()`: largest aligned chunks that fit.
                while pfn < run_end {
                    let mut order = (pfn.trailing_zeros() as u8).min(Order::MAX.as_u8());
                    while pfn + (1 << order) > run_end {
                        order -= 1;
                    }
                    let zone = MemMap::zone_of(Pfn::new(pfn)).index();
                    buddy.zones[zone].managed += 1 << order;
                    buddy.free_block(mem, Pfn::new(pfn), order, &mut sink);
                    sink.clear();
                    pfn += 1 << order;
                }
            }
        }
        buddy.setup_watermarks();
        buddy.setup_lowmem_reserve();
        buddy.setup_pcp(cpus);
        buddy
    }

    /// `init_per_zone_wmark_min()` + `__setup_per_zone_wmarks()`.
    fn setup_watermarks(&mut self) {
        let lowmem_pages: u64 = self
            .zones
            .iter()
            .filter(|z| z.zone_type != ZoneType::Movable)
            .map(|z| z.managed)
            .sum();
        let lowmem_kbytes = lowmem_pages * 4;
        self.min_free_kbytes =
            int_sqrt(lowmem_kbytes * 16).clamp(128, self.rules.min_free_kbytes_max);
        let pages_min = self.min_free_kbytes >> 2;
        let rules = self.rules;
        for zone in self.zones.iter_mut() {
            let share = (pages_min * zone.managed)
                .checked_div(lowmem_pages)
                .unwrap_or(0);
            // 6.x treats ZONE_MOVABLE like highmem: a small fixed min.
            let min = if rules.movable_min_like_highmem && zone.zone_type == ZoneType::Movable {
                (zone.managed / 1024).clamp(SWAP_CLUSTER_MAX, 128)
            } else {
                share
            };
            let tmp = (share >> 2).max(mult_frac(zone.managed, WATERMARK_SCALE_FACTOR, 10_000));
            zone.watermarks = Watermarks {
                min,
                low: min + tmp,
                high: min + 2 * tmp,
                promo: if rules.has_wmark_promo {
                    min + 3 * tmp
                } else {
                    0
                },
            };
        }
    }

    /// `setup_per_zone_lowmem_reserve()`.
    fn setup_lowmem_reserve(&mut self) {
        let n = self.rules.nr_zone_types;
        let managed: Vec<u64> = (0..n)
            .map(|i| self.zones.get(i).map_or(0, |z| z.managed))
            .collect();
        for i in 0..self.zones.len() {
            let ratio = LOWMEM_RESERVE_RATIO.get(i).copied().unwrap_or(0);
            let clear = ratio == 0
                || (self.rules.clears_reserve_of_empty_zones && self.zones[i].managed == 0);
            let mut above = 0;
            for (j, &upper) in managed.iter().enumerate() {
                self.zones[i].lowmem_reserve[j] = if j <= i {
                    0
                } else {
                    above += upper;
                    if clear || (self.rules.zeroes_reserve_for_empty_upper && upper == 0) {
                        0
                    } else {
                        above / ratio
                    }
                };
            }
        }
    }

    /// Total free pages of all zones.
    pub fn nr_free_pages(&self) -> u64 {
        self.zones.iter().map(|z| z.free_pages).sum()
    }

    /// Total managed pages of all zones.
    pub fn managed_pages(&self) -> u64 {
        self.zones.iter().map(|z| z.managed).sum()
    }

    /// The zone holding `pfn`.
    pub fn zone_index_of(pfn: Pfn) -> usize {
        MemMap::zone_of(pfn).index()
    }

    // ---- free lists -------------------------------------------------

    fn list_add(
        &mut self,
        mem: &mut MemMap,
        zone: usize,
        pfn: u32,
        order: u8,
        mt: MigrateType,
        tail: bool,
    ) {
        {
            let page = mem.meta_mut(pfn);
            page.used_as = FrameUse::Free;
            page.order = order;
            page.list_type = mt as u8;
            page.owner = 0;
        }
        let z = &mut self.zones[zone];
        let area = &mut z.free_area[order as usize];
        area.lists[mt.index()].link(mem, pfn, tail);
        area.nr_free += 1;
        z.free_pages += 1 << order;
    }

    /// Unlinks a free block; the caller marks what the frame becomes.
    fn list_del(&mut self, mem: &mut MemMap, zone: usize, pfn: u32) {
        let page = *mem.meta(pfn);
        let z = &mut self.zones[zone];
        let area = &mut z.free_area[page.order as usize];
        area.lists[page.list_type as usize].unlink(mem, pfn);
        area.nr_free -= 1;
        z.free_pages -= 1 << page.order;
        mem.meta_mut(pfn).used_as = FrameUse::Tail;
    }

    /// The blocks on one free list, head first (for /proc and tests).
    pub fn list_blocks(
        &self,
        mem: &MemMap,
        zone: ZoneType,
        order: u8,
        mt: MigrateType,
    ) -> Vec<Pfn> {
        let mut out = Vec::new();
        let Some(area) = self
            .zones
            .get(zone.index())
            .and_then(|z| z.free_area.get(order as usize))
        else {
            return out;
        };
        out.extend(
            area.lists[mt.index()]
                .frames(mem)
                .into_iter()
                .map(|p| Pfn::new(p as u64)),
        );
        out
    }

    /// True when `pfn` is the head of a free block of exactly `order`
    /// (`page_is_buddy`).
    fn is_free_buddy(mem: &MemMap, pfn: u64, order: u8) -> bool {
        mem.page(Pfn::new(pfn))
            .is_some_and(|p| p.used_as == FrameUse::Free && p.order == order)
    }

    // ---- freeing ----------------------------------------------------

    /// `__free_one_page()`: merges `pfn` (order `order`) with free buddies
    /// and puts the result on the free list of its pageblock's type.
    pub fn free_block(
        &mut self,
        mem: &mut MemMap,
        pfn: Pfn,
        order: u8,
        effects: &mut Vec<BuddyEffect>,
    ) {
        let zone = Self::zone_index_of(pfn);
        let zone_type = self.zones[zone].zone_type;
        let (zone_lo, zone_hi) = (
            self.zones[zone].start_pfn.as_u64(),
            self.zones[zone].end_pfn().as_u64(),
        );
        let mut pfn = pfn.as_u64();
        let mut order = order;
        // The block stops being what it was; only the merged head is marked.
        if let Some(head) = mem.page_mut(Pfn::new(pfn)) {
            head.used_as = FrameUse::Tail;
            head.owner = 0;
            head.flags &= !PageMeta::COMPOUND;
        }
        let migratetype = mem.pageblock_type(Pfn::new(pfn));
        let mergeable = |mt: MigrateType| mt != MigrateType::HighAtomic;
        let mut buddy_pfn = pfn ^ (1 << order);
        while order < Order::MAX.as_u8() {
            buddy_pfn = pfn ^ (1 << order);
            if buddy_pfn < zone_lo
                || buddy_pfn >= zone_hi
                || !Self::is_free_buddy(mem, buddy_pfn, order)
            {
                break;
            }
            if order >= PAGEBLOCK_ORDER {
                let buddy_mt = mem.pageblock_type(Pfn::new(buddy_pfn));
                if migratetype != buddy_mt && (!mergeable(migratetype) || !mergeable(buddy_mt)) {
                    break;
                }
            }
            self.list_del(mem, zone, buddy_pfn as u32);
            pfn &= buddy_pfn;
            order += 1;
            effects.push(BuddyEffect::Merged {
                zone: zone_type,
                pfn: Pfn::new(pfn),
                order,
            });
        }
        // `buddy_merge_likely()`: is the buddy of the combined block free?
        let at_tail = order < Order::MAX.as_u8() - 1 && {
            let higher = buddy_pfn & pfn;
            let higher_buddy = higher ^ (1 << (order + 1));
            higher_buddy >= zone_lo
                && higher_buddy < zone_hi
                && Self::is_free_buddy(mem, higher_buddy, order + 1)
        };
        self.list_add(mem, zone, pfn as u32, order, migratetype, at_tail);
        effects.push(BuddyEffect::Returned {
            zone: zone_type,
            pfn: Pfn::new(pfn),
            order,
            at_tail,
        });
    }

    // ---- allocation -------------------------------------------------

    /// `__rmqueue_smallest()`: the first block of the smallest order with
    /// one on `mt`'s list, split down to `order`.
    fn rmqueue_smallest(
        &mut self,
        mem: &mut MemMap,
        zone: usize,
        order: u8,
        mt: MigrateType,
        effects: &mut Vec<BuddyEffect>,
    ) -> Option<u32> {
        for current in order as usize..NR_ORDERS {
            let head = self.zones[zone].free_area[current].lists[mt.index()].head;
            if head == NIL {
                continue;
            }
            self.list_del(mem, zone, head);
            effects.push(BuddyEffect::Taken {
                zone: self.zones[zone].zone_type,
                pfn: Pfn::new(head as u64),
                order: current as u8,
                from: mt,
            });
            self.expand(mem, zone, head, order, current as u8, mt, effects);
            return Some(head);
        }
        None
    }

    /// `expand()`: puts the upper halves of a split block on the lists.
    #[allow(clippy::too_many_arguments)]
    fn expand(
        &mut self,
        mem: &mut MemMap,
        zone: usize,
        pfn: u32,
        low: u8,
        high: u8,
        mt: MigrateType,
        effects: &mut Vec<BuddyEffect>,
    ) {
        let mut high = high;
        while high > low {
            high -= 1;
            let half = pfn + (1u32 << high);
            self.list_add(mem, zone, half, high, mt, false);
            effects.push(BuddyEffect::Split {
                zone: self.zones[zone].zone_type,
                half: Pfn::new(half as u64),
                order: high,
            });
        }
    }

    /// `move_freepages_block()`: moves every free block of the pageblock
    /// holding `pfn` to `mt`'s lists. Returns (free pages moved, movable
    /// pages seen).
    fn move_freepages_block(
        &mut self,
        mem: &mut MemMap,
        zone: usize,
        pfn: u64,
        mt: MigrateType,
    ) -> (u64, u64) {
        let start = (pfn & !(PAGEBLOCK_PAGES - 1)).max(self.zones[zone].start_pfn.as_u64());
        let end = ((pfn | (PAGEBLOCK_PAGES - 1)) + 1).min(self.zones[zone].end_pfn().as_u64());
        let (mut moved, mut movable) = (0, 0);
        let mut p = start;
        while p < end {
            let meta = *mem.meta(p as u32);
            match meta.used_as {
                FrameUse::Free => {
                    self.list_del(mem, zone, p as u32);
                    self.list_add(
                        mem,
                        zone,
                        p as u32,
                        meta.order,
                        mt,
                        self.rules.moves_to_tail,
                    );
                    moved += 1 << meta.order;
                    p += 1 << meta.order;
                }
                FrameUse::PageCache | FrameUse::Anon => {
                    movable += 1;
                    p += 1;
                }
                _ => p += 1,
            }
        }
        (moved, movable)
    }

    /// `can_steal_fallback()`.
    fn can_steal(order: u8, start: MigrateType) -> bool {
        order >= PAGEBLOCK_ORDER / 2
            || matches!(start, MigrateType::Reclaimable | MigrateType::Unmovable)
    }

    /// `find_suitable_fallback()`: the first fallback type with a block of
    /// `order`.
    fn find_fallback(&self, zone: usize, order: u8, start: MigrateType) -> Option<MigrateType> {
        let area = &self.zones[zone].free_area[order as usize];
        start
            .fallbacks()
            .iter()
            .copied()
            .find(|mt| area.lists[mt.index()].len > 0)
    }

    /// `__rmqueue_fallback()` + `steal_suitable_fallback()`. Returns true
    /// when a block moved to `start`'s lists.
    fn rmqueue_fallback(
        &mut self,
        mem: &mut MemMap,
        zone: usize,
        order: u8,
        start: MigrateType,
        no_fragment: bool,
        effects: &mut Vec<BuddyEffect>,
    ) -> bool {
        let min_order = if no_fragment && order < PAGEBLOCK_ORDER {
            PAGEBLOCK_ORDER
        } else {
            order
        };
        let mut found = None;
        for current in (min_order..NR_ORDERS as u8).rev() {
            if let Some(mt) = self.find_fallback(zone, current, start) {
                let can_steal = Self::can_steal(current, start);
                if !can_steal && start == MigrateType::Movable && current > order {
                    // Steal the smallest block instead.
                    found = (order..NR_ORDERS as u8).find_map(|o| {
                        self.find_fallback(zone, o, start)
                            .map(|mt| (o, mt, Self::can_steal(o, start)))
                    });
                } else {
                    found = Some((current, mt, can_steal));
                }
                break;
            }
        }
        let Some((current, fallback, whole_block)) = found else {
            return false;
        };
        let head = self.zones[zone].free_area[current as usize].lists[fallback.index()].head;
        let pfn = head as u64;
        let old_block = mem.pageblock_type(Pfn::new(pfn));
        if old_block != MigrateType::HighAtomic {
            if current >= PAGEBLOCK_ORDER {
                // `change_pageblock_range()`.
                let blocks = 1u64 << (current - PAGEBLOCK_ORDER);
                for b in 0..blocks {
                    let block_pfn = Pfn::new(pfn + b * PAGEBLOCK_PAGES);
                    effects.push(BuddyEffect::PageblockClaimed {
                        pfn: block_pfn,
                        from: mem.pageblock_type(block_pfn),
                        to: start,
                    });
                    mem.set_pageblock_type(block_pfn, start);
                }
            } else {
                if self.rules.boosts_watermarks {
                    self.boost_watermark(zone);
                }
                if whole_block {
                    let (free, movable) = self.move_freepages_block(mem, zone, pfn, start);
                    if free > 0 {
                        let alike = if start == MigrateType::Movable {
                            movable
                        } else if old_block == MigrateType::Movable {
                            PAGEBLOCK_PAGES.saturating_sub(free + movable)
                        } else {
                            0
                        };
                        if free + alike >= PAGEBLOCK_PAGES / 2 {
                            let block_pfn = Pfn::new(pfn & !(PAGEBLOCK_PAGES - 1));
                            effects.push(BuddyEffect::PageblockClaimed {
                                pfn: block_pfn,
                                from: old_block,
                                to: start,
                            });
                            mem.set_pageblock_type(block_pfn, start);
                        }
                        return true;
                    }
                }
            }
        }
        // `single_page:` move just this block.
        let meta = *mem.meta(head);
        self.list_del(mem, zone, head);
        self.list_add(mem, zone, head, meta.order, start, self.rules.moves_to_tail);
        true
    }

    /// `boost_watermark()` (6.x).
    fn boost_watermark(&mut self, zone: usize) {
        let z = &mut self.zones[zone];
        if PAGEBLOCK_PAGES * 4 > z.managed {
            return;
        }
        let max_boost = mult_frac(z.watermarks.high, WATERMARK_BOOST_FACTOR, 10_000);
        if max_boost == 0 {
            return;
        }
        let max_boost = max_boost.max(PAGEBLOCK_PAGES);
        z.watermark_boost = (z.watermark_boost + PAGEBLOCK_PAGES).min(max_boost);
    }

    /// `__rmqueue()`: the smallest block of the type, else a stolen one.
    pub(crate) fn rmqueue_plain(
        &mut self,
        mem: &mut MemMap,
        zone: usize,
        order: u8,
        mt: MigrateType,
        no_fragment: bool,
        effects: &mut Vec<BuddyEffect>,
    ) -> Option<u32> {
        loop {
            if let Some(pfn) = self.rmqueue_smallest(mem, zone, order, mt, effects) {
                return Some(pfn);
            }
            if !self.rmqueue_fallback(mem, zone, order, mt, no_fragment, effects) {
                return None;
            }
        }
    }

    /// `rmqueue()`: the per-CPU list for the orders that have one (4.19
    /// stops there; 6.x falls back to the buddy lists), otherwise
    /// `rmqueue_buddy()` with its highatomic reserves.
    fn rmqueue(
        &mut self,
        mem: &mut MemMap,
        zone: usize,
        req: &PageRequest,
        no_fragment: bool,
        reserves: Option<ReserveAccess>,
        effects: &mut Vec<BuddyEffect>,
    ) -> Option<u32> {
        let order = req.order.as_u8();
        // Both mobility bits make gfp_migratetype() return HIGHATOMIC, an
        // index past the per-CPU lists (a VM_WARN only with DEBUG_VM); the
        // kernel then reads outside them, which we do not imitate.
        if self.rules.pcp.allows(order) && req.migratetype != MigrateType::HighAtomic {
            let page =
                self.rmqueue_pcplist(mem, zone, order, req.migratetype, no_fragment, effects);
            if page.is_some() || self.rules.pcp == PcpModel::Order0 {
                return page;
            }
        }
        let reserves = reserves.unwrap_or_default();
        if reserves.highatomic_first {
            if let Some(pfn) =
                self.rmqueue_smallest(mem, zone, order, MigrateType::HighAtomic, effects)
            {
                return Some(pfn);
            }
        }
        if let Some(pfn) =
            self.rmqueue_plain(mem, zone, order, req.migratetype, no_fragment, effects)
        {
            return Some(pfn);
        }
        if reserves.highatomic_last {
            return self.rmqueue_smallest(mem, zone, order, MigrateType::HighAtomic, effects);
        }
        None
    }

    /// `__zone_watermark_ok()`.
    pub fn watermark_ok(
        &self,
        zone: &Zone,
        order: u8,
        mark: u64,
        highest_zone: ZoneType,
        reserves: Option<ReserveAccess>,
    ) -> bool {
        let mut free = zone.free_pages as i64 - ((1i64 << order) - 1);
        let r = reserves.unwrap_or_default();
        let min = r.adjusted_min(mark) as i64;
        if !r.highatomic_counts_as_free {
            free -= zone.reserved_highatomic as i64;
        }
        let reserve = zone
            .lowmem_reserve
            .get(highest_zone.index())
            .copied()
            .unwrap_or(0) as i64;
        if free <= min + reserve {
            return false;
        }
        if order == 0 {
            return true;
        }
        zone.free_area[order as usize..].iter().any(|area| {
            area.nr_free > 0
                && (area.lists[..3].iter().any(|l| l.len > 0)
                    || (r.highatomic_first && area.lists[MigrateType::HighAtomic.index()].len > 0))
        })
    }

    /// `get_page_from_freelist()`: tries each zone from the highest allowed
    /// down, above the given watermark (or none).
    pub fn get_page_from_freelist(
        &mut self,
        mem: &mut MemMap,
        req: &PageRequest,
        level: WatermarkLevel,
        reserves: Option<ReserveAccess>,
        effects: &mut Vec<BuddyEffect>,
    ) -> Option<(Pfn, ZoneType)> {
        self.operations += 1;
        let order = req.order.as_u8();
        let no_watermarks = reserves.is_some_and(|r| r.no_watermarks);
        // 6.x: a Normal-zone request avoids fragmenting first.
        let mut no_fragment = self.rules.avoids_fragmentation
            && req.highest_zone == ZoneType::Normal
            && self.zones[ZoneType::Dma32.index()].is_populated();
        loop {
            for zone in (0..=req.highest_zone.index()).rev() {
                if !self.zones[zone].is_populated() {
                    continue;
                }
                if self.rules.pcp == PcpModel::AutoTune && !self.zones[zone].below_high {
                    // 6.12 notes a zone below its high watermark for the
                    // per-CPU lists' tuning.
                    let high = self.zones[zone].mark(WatermarkLevel::High);
                    if !self.watermark_ok(
                        &self.zones[zone],
                        order,
                        high,
                        req.highest_zone,
                        reserves,
                    ) {
                        self.zones[zone].below_high = true;
                    }
                }
                if !no_watermarks {
                    let mark = self.zones[zone].mark(level);
                    if !self.watermark_ok(
                        &self.zones[zone],
                        order,
                        mark,
                        req.highest_zone,
                        reserves,
                    ) {
                        continue;
                    }
                }
                if let Some(pfn) = self.rmqueue(mem, zone, req, no_fragment, reserves, effects) {
                    let meta = mem.meta_mut(pfn);
                    meta.used_as = FrameUse::Allocated;
                    meta.order = order;
                    if order > 0 && reserves.is_some_and(|r| r.highatomic_first) {
                        self.reserve_highatomic_pageblock(mem, zone, pfn as u64, effects);
                    }
                    return Some((Pfn::new(pfn as u64), self.zones[zone].zone_type));
                }
            }
            if !no_fragment {
                return None;
            }
            no_fragment = false;
        }
    }

    /// `reserve_highatomic_pageblock()`: after a high-order atomic success,
    /// reserve the pageblock (up to 1 % of the zone).
    fn reserve_highatomic_pageblock(
        &mut self,
        mem: &mut MemMap,
        zone: usize,
        pfn: u64,
        effects: &mut Vec<BuddyEffect>,
    ) {
        let max = self.zones[zone].managed / 100 + PAGEBLOCK_PAGES;
        if self.zones[zone].reserved_highatomic >= max {
            return;
        }
        let mt = mem.pageblock_type(Pfn::new(pfn));
        if mt == MigrateType::HighAtomic {
            return;
        }
        self.zones[zone].reserved_highatomic += PAGEBLOCK_PAGES;
        let block = Pfn::new(pfn & !(PAGEBLOCK_PAGES - 1));
        mem.set_pageblock_type(block, MigrateType::HighAtomic);
        effects.push(BuddyEffect::PageblockClaimed {
            pfn: block,
            from: mt,
            to: MigrateType::HighAtomic,
        });
        self.move_freepages_block(mem, zone, pfn, MigrateType::HighAtomic);
    }
}

/// The frame range `[lo, hi)` a zone type covers on x86_64.
fn zone_bounds(zone: ZoneType) -> (u64, u64) {
    use crate::memmap::{MAX_DMA32_PFN, MAX_DMA_PFN};
    match zone {
        ZoneType::Dma => (0, MAX_DMA_PFN),
        ZoneType::Dma32 => (MAX_DMA_PFN, MAX_DMA32_PFN),
        ZoneType::Normal => (MAX_DMA32_PFN, u64::MAX),
        ZoneType::Movable => (u64::MAX, u64::MAX),
    }
}

/// The kernel's `mult_frac(x, n, d)`: `x * n / d` without overflow.
pub fn mult_frac(x: u64, n: u64, d: u64) -> u64 {
    (x / d) * n + ((x % d) * n) / d
}

/// The kernel's `int_sqrt()`: the integer square root, rounded down.
pub fn int_sqrt(x: u64) -> u64 {
    if x < 2 {
        return x;
    }
    let mut r = (x as f64).sqrt() as u64;
    while r * r > x {
        r -= 1;
    }
    while (r + 1) * (r + 1) <= x {
        r += 1;
    }
    r
}

impl Buddy {
    /// Checks the allocator's invariants against the frames: every listed
    /// block is a naturally aligned free head of its list's order and type,
    /// inside its zone; list lengths, `nr_free` and `free_pages` match the
    /// lists; no frame is in two free blocks; no free block has a free buddy
    /// of the same order it should have merged with. Used by tests and
    /// fuzzing; O(free blocks). Blocks on the per-CPU lists are checked
    /// too: marked as such, counted, and overlapping nothing.
    pub fn check(&self, mem: &MemMap) -> Result<(), String> {
        let mut spans = Vec::new();
        for zone in &self.zones {
            let mut zone_free = 0;
            for (order, area) in zone.free_area.iter().enumerate() {
                let mut area_count = 0;
                for mt in MigrateType::ALL {
                    let list = &area.lists[mt.index()];
                    let mut prev = NIL;
                    let mut cursor = list.head;
                    let mut count = 0;
                    while cursor != NIL {
                        count += 1;
                        if count > list.len {
                            return Err(format!(
                                "{} order {order} {mt}: list longer than its count {}",
                                zone.zone_type, list.len
                            ));
                        }
                        let page = mem.meta(cursor);
                        let pfn = cursor as u64;
                        if page.used_as != FrameUse::Free
                            || page.order as usize != order
                            || page.list_type != mt as u8
                        {
                            return Err(format!(
                                "pfn {pfn:#x} on the order-{order} {mt} list is {:?} order {}",
                                page.used_as, page.order
                            ));
                        }
                        if page.prev != prev {
                            return Err(format!("pfn {pfn:#x}: broken back link"));
                        }
                        if pfn & ((1 << order) - 1) != 0 {
                            return Err(format!("pfn {pfn:#x} is not aligned to order {order}"));
                        }
                        if pfn < zone.start_pfn.as_u64()
                            || pfn + (1 << order) > zone.end_pfn().as_u64()
                        {
                            return Err(format!(
                                "pfn {pfn:#x} order {order} lies outside zone {}",
                                zone.zone_type
                            ));
                        }
                        if order < Order::MAX.as_u8() as usize {
                            let buddy = pfn ^ (1 << order);
                            let same_types = mem.pageblock_type(Pfn::new(pfn))
                                != MigrateType::HighAtomic
                                && mem.pageblock_type(Pfn::new(buddy)) != MigrateType::HighAtomic;
                            let in_zone =
                                buddy >= zone.start_pfn.as_u64() && buddy < zone.end_pfn().as_u64();
                            if in_zone && same_types && Self::is_free_buddy(mem, buddy, order as u8)
                            {
                                return Err(format!("pfn {pfn:#x} and its buddy {buddy:#x} are both free at order {order}"));
                            }
                        }
                        spans.push((pfn, pfn + (1 << order)));
                        prev = cursor;
                        cursor = page.next;
                    }
                    if count != list.len || list.tail != prev {
                        return Err(format!(
                            "{} order {order} {mt}: count {} but {count} linked",
                            zone.zone_type, list.len
                        ));
                    }
                    area_count += count;
                }
                if area_count != area.nr_free {
                    return Err(format!(
                        "{} order {order}: nr_free {} but {area_count} listed",
                        zone.zone_type, area.nr_free
                    ));
                }
                zone_free += area_count << order;
            }
            if zone_free != zone.free_pages {
                return Err(format!(
                    "{}: free_pages {} but {zone_free} listed",
                    zone.zone_type, zone.free_pages
                ));
            }
            let mut pcp_pages = 0;
            for (order, frames) in zone.pcp.list_frames(mem, self.rules.pcp) {
                for pfn in frames {
                    let page = mem.meta(pfn);
                    if page.used_as != FrameUse::PerCpu || page.order != order {
                        return Err(format!(
                            "pfn {pfn:#x} on a per-CPU list is {:?} order {}",
                            page.used_as, page.order
                        ));
                    }
                    pcp_pages += 1 << order;
                    spans.push((pfn as u64, pfn as u64 + (1 << order)));
                }
            }
            if pcp_pages != zone.pcp.count {
                return Err(format!(
                    "{}: per-CPU count {} but {pcp_pages} listed",
                    zone.zone_type, zone.pcp.count
                ));
            }
        }
        spans.sort_unstable();
        if let Some(w) = spans.windows(2).find(|w| w[0].1 > w[1].0) {
            return Err(format!(
                "free blocks {:#x} and {:#x} overlap",
                w[0].0, w[1].0
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memmap::{MachineConfig, MemMap};

    fn boot(ram: u64) -> (MemMap, Buddy) {
        let config = MachineConfig {
            ram_bytes: ram,
            ..MachineConfig::default()
        };
        let mut mem = MemMap::new(&config);
        let buddy = Buddy::boot(
            &mut mem,
            BuddyRules::of(&crate::profile::Profile::default_profile()),
            4,
        );
        (mem, buddy)
    }

    fn request(order: u8, mt: MigrateType) -> PageRequest {
        PageRequest {
            order: Order::new(order),
            highest_zone: ZoneType::Normal,
            migratetype: mt,
            wakes_kswapd: true,
        }
    }

    #[test]
    fn zones_of_an_8_gib_machine() {
        let (mem, buddy) = boot(8 << 30);
        let z: Vec<_> = buddy
            .zones
            .iter()
            .map(|z| (z.start_pfn.as_u64(), z.spanned, z.present))
            .collect();
        assert_eq!(z[0], (1, 4095, 3998));
        assert_eq!(z[1], (4096, 0xc0000 - 4096, 0xc0000 - 0x1000));
        assert_eq!(z[2], (0x100000, 0x140000, 0x140000));
        assert_eq!(z[3], (0, 0, 0));
        assert_eq!(buddy.nr_free_pages(), buddy.managed_pages());
        buddy.check(&mem).unwrap();
        // Boot frees in the largest aligned blocks: Normal is all order-10.
        assert_eq!(buddy.zones[2].free_area[10].nr_free, 0x140000 / 1024);
        // The last block freed is the first on the list (head insertion).
        assert_eq!(
            buddy.list_blocks(&mem, ZoneType::Normal, 10, MigrateType::Movable)[0],
            Pfn::new(0x23fc00)
        );
    }

    #[test]
    fn watermarks_follow_min_free_kbytes() {
        let (_, buddy) = boot(8 << 30);
        let lowmem_kb = buddy.managed_pages() * 4;
        assert_eq!(buddy.min_free_kbytes, int_sqrt(lowmem_kb * 16));
        let normal = &buddy.zones[2];
        let pages_min = buddy.min_free_kbytes / 4;
        assert_eq!(
            normal.watermarks.min,
            pages_min * normal.managed / buddy.managed_pages()
        );
        let tmp = (normal.watermarks.min / 4).max(mult_frac(normal.managed, 10, 10_000));
        assert_eq!(normal.watermarks.low, normal.watermarks.min + tmp);
        assert_eq!(normal.watermarks.high, normal.watermarks.min + 2 * tmp);
        assert_eq!(normal.watermarks.promo, normal.watermarks.min + 3 * tmp);
        // lowmem_reserve of DMA against Normal: (DMA32 + Normal managed) / 256.
        let dma = &buddy.zones[0];
        assert_eq!(
            dma.lowmem_reserve[2],
            (buddy.zones[1].managed + normal.managed) / 256
        );
        assert_eq!(buddy.zones[1].lowmem_reserve[2], normal.managed / 256);
        assert_eq!(normal.lowmem_reserve, vec![0, 0, 0, 0, 0]);
        // The empty Movable zone of 6.x still has the highmem minimum.
        let movable = &buddy.zones[3].watermarks;
        assert_eq!((movable.min, movable.low, movable.high), (32, 32, 32));
        assert_eq!(int_sqrt(1_000_000), 1000);
        assert_eq!(int_sqrt(999_999), 999);
    }

    #[test]
    fn split_then_merge_restores_the_block() {
        let (mut mem, mut buddy) = boot(64 << 20);
        let before = buddy.clone();
        let mut effects = Vec::new();
        let (pfn, _) = buddy
            .get_page_from_freelist(
                &mut mem,
                &request(4, MigrateType::Movable),
                WatermarkLevel::Low,
                None,
                &mut effects,
            )
            .unwrap();
        let splits = effects
            .iter()
            .filter(|e| matches!(e, BuddyEffect::Split { .. }))
            .count();
        assert_eq!(
            splits, 6,
            "an order-10 block splits six times for an order-4 block"
        );
        buddy.check(&mem).unwrap();
        // LIFO: freeing and allocating again returns the same frame.
        effects.clear();
        buddy.free_block(&mut mem, pfn, 4, &mut effects);
        buddy.check(&mem).unwrap();
        assert_eq!(buddy.nr_free_pages(), before.nr_free_pages());
        let merges = effects
            .iter()
            .filter(|e| matches!(e, BuddyEffect::Merged { .. }))
            .count();
        assert_eq!(merges, 6);
        let (again, _) = buddy
            .get_page_from_freelist(
                &mut mem,
                &request(4, MigrateType::Movable),
                WatermarkLevel::Low,
                None,
                &mut effects,
            )
            .unwrap();
        assert_eq!(again, pfn);
    }

    #[test]
    fn unmovable_request_steals_a_whole_pageblock() {
        let (mut mem, mut buddy) = boot(64 << 20);
        let mut effects = Vec::new();
        let (pfn, zone) = buddy
            .get_page_from_freelist(
                &mut mem,
                &request(0, MigrateType::Unmovable),
                WatermarkLevel::Low,
                None,
                &mut effects,
            )
            .unwrap();
        assert_eq!(zone, ZoneType::Dma32);
        assert_eq!(mem.pageblock_type(pfn), MigrateType::Unmovable);
        assert!(effects.iter().any(|e| matches!(
            e,
            BuddyEffect::PageblockClaimed {
                to: MigrateType::Unmovable,
                ..
            }
        )));
        buddy.check(&mem).unwrap();
    }

    #[test]
    fn watermark_reserves() {
        let (_, buddy) = boot(64 << 20);
        let z = &buddy.zones[1];
        let min = z.watermarks.min;
        // Exactly at min + reserve fails, one more page passes.
        let mut at_min = z.clone();
        at_min.free_pages = min;
        assert!(!buddy.watermark_ok(&at_min, 0, min, ZoneType::Dma32, None));
        at_min.free_pages = min + 1;
        assert!(buddy.watermark_ok(&at_min, 0, min, ZoneType::Dma32, None));
        // __GFP_HIGH halves min; GFP_ATOMIC (high + quarter) reaches 37.5 %.
        let mut low = z.clone();
        low.free_pages = min / 2 + 1;
        let high = ReserveAccess {
            min_half: true,
            ..Default::default()
        };
        assert!(buddy.watermark_ok(&low, 0, min, ZoneType::Dma32, Some(high)));
        low.free_pages = (min - min / 2) - (min - min / 2) / 4 + 1;
        let atomic = ReserveAccess {
            min_half: true,
            min_quarter: true,
            ..Default::default()
        };
        assert!(!buddy.watermark_ok(&low, 0, min, ZoneType::Dma32, Some(high)));
        assert!(buddy.watermark_ok(&low, 0, min, ZoneType::Dma32, Some(atomic)));
    }
}
