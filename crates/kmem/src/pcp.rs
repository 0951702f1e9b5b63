//! Per-CPU page lists (`struct per_cpu_pages`): the cache of free pages each
//! CPU keeps in front of the buddy lists, which is why a freed page is the
//! next one handed out, and why pages vanish from /proc/buddyinfo in
//! batches.
//!
//! Kernel rules modelled (mm/page_alloc.c), per release:
//! - **4.19** ([`PcpModel::Order0`]): order-0 pages only, one list per
//!   migrate type; `batch` from `zone_batchsize()` (a quarter of
//!   managed/1024 pages, at most 512 KiB, rounded to 2^n - 1) and
//!   `high = 6 * batch`; an empty list is refilled with `batch` pages from
//!   the buddy lists (`rmqueue_bulk`, each added at the tail); a freed page
//!   goes to the head and, once `count >= high`, `batch` pages are returned
//!   from the list tails round-robin (`free_pcppages_bulk`).
//! - **6.6** ([`PcpModel::FreeFactor`]): lists for orders 0–3 per migrate
//!   type and one for pageblock-order (THP) pages; `batch` capped at 1 MiB;
//!   `high = max(low watermark / CPUs, 4 * batch)`; refills of
//!   `max(batch >> order, 2)`; a `free_factor` that doubles the bulk free
//!   while frees outnumber allocations (`nr_pcp_free`), and that drains
//!   high-order lists completely (`free_high`).
//! - **6.12** ([`PcpModel::AutoTune`]): the same lists with `high` tuned
//!   between `high_min` (low watermark / CPUs) and `high_max` (managed / 8 /
//!   CPUs): allocations raise it by a batch, frees below the high watermark
//!   (ZONE_BELOW_HIGH) lower it; `alloc_factor` and `free_count` scale the
//!   refill and bulk free (`nr_pcp_alloc`, `nr_pcp_high`, `nr_pcp_free`,
//!   CONFIG_PCP_BATCH_SCALE_MAX = 5).
//!
//! The simulated code always runs on CPU 0, so only CPU 0's lists fill;
//! the periodic `decay_pcp_high()` and vmstat drains of 6.x are not
//! modelled.

use crate::buddy::{Buddy, BuddyEffect, FreeList, WatermarkLevel, COSTLY_ORDER};
use crate::memmap::{FrameUse, MemMap, PAGEBLOCK_ORDER};
use crate::zone::{MigrateType, ZoneType};

/// CONFIG_PCP_BATCH_SCALE_MAX (6.12 default).
const PCP_BATCH_SCALE_MAX: u32 = 5;
/// MIN_PERCPU_PAGELIST_HIGH_FRACTION (6.12): `high_max` is managed / 8.
const MIN_PERCPU_PAGELIST_HIGH_FRACTION: u64 = 8;
/// MIGRATE_PCPTYPES.
const PCP_TYPES: usize = 3;

/// Which release's per-CPU list rules apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PcpModel {
    /// 4.19: order 0 only, `high = 6 * batch`.
    Order0,
    /// 6.6: orders 0–3 and THP, `free_factor`.
    FreeFactor,
    /// 6.12: orders 0–3 and THP, `high` tuned between `high_min` and
    /// `high_max`.
    AutoTune,
}

impl PcpModel {
    /// `pcp_allowed_order()`.
    pub fn allows(self, order: u8) -> bool {
        match self {
            PcpModel::Order0 => order == 0,
            _ => order <= COSTLY_ORDER || order == PAGEBLOCK_ORDER,
        }
    }

    fn lists(self) -> usize {
        match self {
            PcpModel::Order0 => PCP_TYPES,
            // NR_PCP_LISTS: MIGRATE_PCPTYPES * (costly order + 1) + one THP list.
            _ => PCP_TYPES * (COSTLY_ORDER as usize + 1) + 1,
        }
    }

    /// `order_to_pindex()`.
    fn pindex(self, mt: MigrateType, order: u8) -> usize {
        match self {
            PcpModel::Order0 => mt.index(),
            _ if order > COSTLY_ORDER => PCP_TYPES * (COSTLY_ORDER as usize + 1),
            _ => PCP_TYPES * order as usize + mt.index(),
        }
    }

    /// `pindex_to_order()`.
    fn order_of(self, pindex: usize) -> u8 {
        match self {
            PcpModel::Order0 => 0,
            _ if pindex >= PCP_TYPES * (COSTLY_ORDER as usize + 1) => PAGEBLOCK_ORDER,
            _ => (pindex / PCP_TYPES) as u8,
        }
    }
}

/// CPU 0's per-CPU page lists of one zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pcp {
    /// Pages on the lists.
    pub count: u64,
    /// The current `high` mark.
    pub high: u64,
    /// `batch`.
    pub batch: u64,
    /// 6.12 `high_min` (equal to `high` before).
    pub high_min: u64,
    /// 6.12 `high_max` (equal to `high` before).
    pub high_max: u64,
    free_factor: u32,
    alloc_factor: u32,
    free_count: u64,
    prev_free_high_order: bool,
    lists: Vec<FreeList>,
}

impl Pcp {
    /// Empty lists for `model`, before `setup_per_cpu_pageset()`.
    pub fn new(model: PcpModel) -> Pcp {
        Pcp {
            count: 0,
            high: 0,
            batch: 1,
            high_min: 0,
            high_max: 0,
            free_factor: 0,
            alloc_factor: 0,
            free_count: 0,
            prev_free_high_order: false,
            lists: vec![FreeList::default(); model.lists()],
        }
    }

    /// The frames on one list, head first, with its order.
    pub fn list_frames(&self, mem: &MemMap, model: PcpModel) -> Vec<(u8, Vec<u32>)> {
        self.lists
            .iter()
            .enumerate()
            .map(|(i, l)| (model.order_of(i), l.frames(mem)))
            .collect()
    }
}

/// The kernel's `clamp(val, lo, hi)`: `min(max(val, lo), hi)`, so `hi`
/// wins when the bounds cross.
fn kernel_clamp(val: u64, lo: u64, hi: u64) -> u64 {
    val.max(lo).min(hi)
}

/// `zone_batchsize()`: 4.19 caps the zone's share at 512 KiB, 6.x at 1 MiB.
fn zone_batchsize(managed: u64, model: PcpModel) -> u64 {
    let cap = match model {
        PcpModel::Order0 => (512 << 10) / 4096,
        _ => (1 << 20) / 4096,
    };
    let mut batch = (managed / 1024).min(cap) / 4;
    if batch < 1 {
        batch = 1;
    }
    let scaled = batch + batch / 2;
    (1u64 << (63 - scaled.leading_zeros())) - 1
}

impl Buddy {
    /// `setup_per_cpu_pageset()` and, for 6.x, `zone_pcp_update()` after
    /// the watermarks: batch and high of every zone for `cpus` CPUs.
    pub(crate) fn setup_pcp(&mut self, cpus: u32) {
        let model = self.rules.pcp;
        let cpus = u64::from(cpus.max(1));
        for zone in self.zones.iter_mut() {
            let raw = zone_batchsize(zone.managed, model);
            let pcp = &mut zone.pcp;
            pcp.batch = raw.max(1);
            match model {
                PcpModel::Order0 => {
                    pcp.high = 6 * raw;
                    pcp.high_min = pcp.high;
                    pcp.high_max = pcp.high;
                }
                PcpModel::FreeFactor | PcpModel::AutoTune => {
                    // zone_highsize(): the low watermark split across CPUs.
                    pcp.high_min = (zone.watermarks.low / cpus).max(pcp.batch << 2);
                    pcp.high_max = if model == PcpModel::AutoTune {
                        (zone.managed / MIN_PERCPU_PAGELIST_HIGH_FRACTION / cpus)
                            .max(pcp.batch << 2)
                    } else {
                        pcp.high_min
                    };
                    pcp.high = pcp.high_min;
                }
            }
        }
    }

    /// Pages held on per-CPU lists, all zones.
    pub fn pcp_pages(&self) -> u64 {
        self.zones.iter().map(|z| z.pcp.count).sum()
    }

    /// `rmqueue_pcplist()`: a block of `order` from CPU 0's list, refilled
    /// from the buddy lists when empty.
    pub(crate) fn rmqueue_pcplist(
        &mut self,
        mem: &mut MemMap,
        zone: usize,
        order: u8,
        mt: MigrateType,
        no_fragment: bool,
        effects: &mut Vec<BuddyEffect>,
    ) -> Option<u32> {
        let model = self.rules.pcp;
        let pindex = model.pindex(mt, order);
        match model {
            PcpModel::Order0 => {}
            PcpModel::FreeFactor => self.zones[zone].pcp.free_factor >>= 1,
            PcpModel::AutoTune => self.zones[zone].pcp.free_count >>= 1,
        }
        if self.zones[zone].pcp.lists[pindex].len == 0 {
            let batch = self.nr_pcp_alloc(zone, order);
            let mut filled = 0;
            for _ in 0..batch {
                let Some(pfn) = self.rmqueue_plain(mem, zone, order, mt, no_fragment, effects)
                else {
                    break;
                };
                let page = mem.meta_mut(pfn);
                page.used_as = FrameUse::PerCpu;
                page.order = order;
                self.zones[zone].pcp.lists[pindex].link(mem, pfn, true);
                filled += 1;
            }
            self.zones[zone].pcp.count += filled << order;
            if filled > 0 {
                effects.push(BuddyEffect::PcpRefill {
                    zone: self.zones[zone].zone_type,
                    blocks: filled,
                    order,
                });
            }
        }
        let pcp = &mut self.zones[zone].pcp;
        let head = pcp.lists[pindex].head;
        if head == crate::memmap::NIL {
            return None;
        }
        pcp.lists[pindex].unlink(mem, head);
        pcp.count -= 1 << order;
        mem.meta_mut(head).used_as = FrameUse::Tail;
        effects.push(BuddyEffect::TakenFromPcp {
            zone: self.zones[zone].zone_type,
            pfn: crate::addr::Pfn::new(head as u64),
            order,
        });
        Some(head)
    }

    /// How many blocks a refill takes (`rmqueue_pcplist` / 6.12
    /// `nr_pcp_alloc`).
    fn nr_pcp_alloc(&mut self, zone: usize, order: u8) -> u64 {
        let below_high = self.zones[zone].below_high;
        let pcp = &mut self.zones[zone].pcp;
        match self.rules.pcp {
            PcpModel::Order0 => pcp.batch,
            PcpModel::FreeFactor => {
                if pcp.batch > 1 {
                    (pcp.batch >> order).max(2)
                } else {
                    pcp.batch
                }
            }
            PcpModel::AutoTune => {
                let base = pcp.batch;
                let mut high = kernel_clamp(pcp.high, pcp.high_min, pcp.high_max);
                pcp.high = high;
                if high < base {
                    return 1;
                }
                let mut batch = if order > 0 {
                    base
                } else {
                    base << pcp.alloc_factor
                };
                if pcp.high_min != pcp.high_max && !below_high {
                    high = (high + batch).min(pcp.high_max);
                    pcp.high = high;
                }
                if order == 0 {
                    let max_alloc = high.saturating_sub(pcp.count + base).max(base);
                    if batch <= max_alloc && pcp.alloc_factor < PCP_BATCH_SCALE_MAX {
                        pcp.alloc_factor += 1;
                    }
                    batch = batch.min(max_alloc);
                }
                if batch > 1 {
                    (batch >> order).max(2)
                } else {
                    batch
                }
            }
        }
    }

    /// Frees a block the way `__free_pages()` does: to CPU 0's list when the
    /// order has one (`free_unref_page`), straight to the buddy lists
    /// otherwise (`__free_pages_ok`).
    pub fn free_pages(
        &mut self,
        mem: &mut MemMap,
        pfn: crate::addr::Pfn,
        order: u8,
        effects: &mut Vec<BuddyEffect>,
    ) {
        self.operations += 1;
        let model = self.rules.pcp;
        if !model.allows(order) {
            self.free_block(mem, pfn, order, effects);
            return;
        }
        let zone = Self::zone_index_of(pfn);
        // Highatomic pages go to the movable list (`free_unref_page`).
        let mt = match mem.pageblock_type(pfn) {
            MigrateType::HighAtomic => MigrateType::Movable,
            mt => mt,
        };
        let pindex = model.pindex(mt, order);
        let raw = pfn.as_u64() as u32;
        {
            let page = mem.meta_mut(raw);
            page.used_as = FrameUse::PerCpu;
            page.order = order;
            page.owner = 0;
            page.flags &= !crate::memmap::PageMeta::COMPOUND;
        }
        self.zones[zone].pcp.lists[pindex].link(mem, raw, false);
        self.zones[zone].pcp.count += 1 << order;
        effects.push(BuddyEffect::FreedToPcp {
            zone: self.zones[zone].zone_type,
            pfn,
            order,
        });
        let to_free = self.pcp_free_commit(zone, order);
        if let Some(count) = to_free {
            self.free_pcppages_bulk(mem, zone, count, pindex, effects);
            if self.rules.pcp == PcpModel::AutoTune && self.zones[zone].below_high {
                let z = &self.zones[zone];
                let mark = z.mark(WatermarkLevel::High);
                if self.watermark_ok(z, 0, mark, ZoneType::Movable, None) {
                    self.zones[zone].below_high = false;
                }
            }
        }
    }

    /// The decision of `free_unref_page_commit()` after a page joined the
    /// list: how many pages to return to the buddy lists, if any.
    fn pcp_free_commit(&mut self, zone: usize, order: u8) -> Option<u64> {
        let below_high = self.zones[zone].below_high;
        let pcp = &mut self.zones[zone].pcp;
        let batch = pcp.batch;
        match self.rules.pcp {
            PcpModel::Order0 => (pcp.count >= pcp.high).then_some(batch),
            PcpModel::FreeFactor => {
                let free_high = pcp.free_factor > 0 && order > 0 && order <= COSTLY_ORDER;
                // nr_pcp_high(); ZONE_RECLAIM_ACTIVE is never set here.
                let high = if free_high { 0 } else { pcp.high };
                if pcp.count < high {
                    return None;
                }
                // nr_pcp_free()
                Some(if free_high {
                    pcp.count
                } else if high < batch {
                    1
                } else {
                    let max_free = high - batch;
                    let scaled = batch << pcp.free_factor;
                    if scaled < max_free {
                        pcp.free_factor += 1;
                    }
                    kernel_clamp(scaled, batch, max_free)
                })
            }
            PcpModel::AutoTune => {
                pcp.alloc_factor >>= 1;
                let mut free_high = false;
                if order > 0 && order <= COSTLY_ORDER {
                    free_high = pcp.free_count >= batch && pcp.prev_free_high_order;
                    pcp.prev_free_high_order = true;
                } else {
                    pcp.prev_free_high_order = false;
                }
                if pcp.free_count < (batch << PCP_BATCH_SCALE_MAX) {
                    pcp.free_count += 1 << order;
                }
                // nr_pcp_high(); ZONE_RECLAIM_ACTIVE is never set here.
                let current = kernel_clamp(pcp.high, pcp.high_min, pcp.high_max);
                pcp.high = current;
                let high = if current == 0 {
                    0
                } else if free_high {
                    pcp.high = current
                        .saturating_sub(batch << PCP_BATCH_SCALE_MAX)
                        .max(pcp.high_min);
                    0
                } else if pcp.high_min == pcp.high_max {
                    current
                } else if below_high {
                    let free_count = pcp.free_count.max(batch);
                    pcp.high = current.saturating_sub(free_count).max(pcp.high_min);
                    pcp.count.max(pcp.high_min)
                } else {
                    if pcp.count >= current {
                        let need = pcp.free_count + batch;
                        if pcp.high < need {
                            pcp.high = kernel_clamp(need, pcp.high_min, pcp.high_max);
                        }
                    }
                    current
                };
                if pcp.count < high {
                    return None;
                }
                // nr_pcp_free()
                Some(if free_high {
                    pcp.count.min(batch << PCP_BATCH_SCALE_MAX)
                } else if high < batch {
                    1
                } else {
                    kernel_clamp(pcp.free_count, batch, high - batch)
                })
            }
        }
    }

    /// `free_pcppages_bulk()`: returns `count` pages from the list tails to
    /// the buddy lists. 4.19 goes round-robin over the migrate types,
    /// taking more from fuller lists; 6.x walks the lists from the one
    /// after `pindex`.
    fn free_pcppages_bulk(
        &mut self,
        mem: &mut MemMap,
        zone: usize,
        count: u64,
        pindex: usize,
        effects: &mut Vec<BuddyEffect>,
    ) {
        let model = self.rules.pcp;
        let mut count = count.min(self.zones[zone].pcp.count) as i64;
        let nr_lists = self.zones[zone].pcp.lists.len();
        let mut freed = Vec::new();
        if model == PcpModel::Order0 {
            let mut mt = 0usize;
            let mut batch_free = 0i64;
            while count > 0 {
                loop {
                    batch_free += 1;
                    mt = (mt + 1) % PCP_TYPES;
                    if self.zones[zone].pcp.lists[mt].len > 0 {
                        break;
                    }
                }
                if batch_free == PCP_TYPES as i64 {
                    batch_free = count;
                }
                loop {
                    let pcp = &mut self.zones[zone].pcp;
                    let tail = pcp.lists[mt].tail;
                    pcp.lists[mt].unlink(mem, tail);
                    pcp.count -= 1;
                    freed.push((tail, 0u8));
                    count -= 1;
                    batch_free -= 1;
                    if count == 0 || batch_free == 0 || self.zones[zone].pcp.lists[mt].len == 0 {
                        break;
                    }
                }
            }
        } else {
            let mut p = pindex;
            while count > 0 {
                loop {
                    p = (p + 1) % nr_lists;
                    if self.zones[zone].pcp.lists[p].len > 0 {
                        break;
                    }
                }
                let order = model.order_of(p);
                loop {
                    let pcp = &mut self.zones[zone].pcp;
                    let tail = pcp.lists[p].tail;
                    pcp.lists[p].unlink(mem, tail);
                    pcp.count -= 1 << order;
                    freed.push((tail, order));
                    count -= 1 << order;
                    if count <= 0 || self.zones[zone].pcp.lists[p].len == 0 {
                        break;
                    }
                }
            }
        }
        effects.push(BuddyEffect::PcpDrained {
            zone: self.zones[zone].zone_type,
            pages: freed.iter().map(|(_, o)| 1u64 << o).sum(),
        });
        for (pfn, order) in freed {
            self.free_block(mem, crate::addr::Pfn::new(pfn as u64), order, effects);
        }
    }

    /// `drain_all_pages()`: empties every per-CPU list into the buddy lists.
    pub fn drain_pages(&mut self, mem: &mut MemMap, effects: &mut Vec<BuddyEffect>) {
        for zone in 0..self.zones.len() {
            let count = self.zones[zone].pcp.count;
            if count > 0 {
                let last = self.zones[zone].pcp.lists.len() - 1;
                self.free_pcppages_bulk(mem, zone, count, last, effects);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_sizes_of_each_release() {
        // A zone of 8 GiB: 4.19 caps at 512 KiB (31), 6.x at 1 MiB (63).
        assert_eq!(zone_batchsize(2 << 20, PcpModel::Order0), 31);
        assert_eq!(zone_batchsize(2 << 20, PcpModel::FreeFactor), 63);
        // The DMA zone: 3 pages per 1024 rounds to nothing, then 2^0 - 1.
        assert_eq!(zone_batchsize(3977, PcpModel::Order0), 0);
        assert_eq!(zone_batchsize(3840, PcpModel::AutoTune), 0);
        // A 1 GiB DMA32 zone: 256 / 4 = 64 -> rounddown_pow_of_two(96) - 1.
        assert_eq!(zone_batchsize(262_144, PcpModel::FreeFactor), 63);
        assert_eq!(zone_batchsize(65_536, PcpModel::FreeFactor), 15);
    }

    #[test]
    fn list_indices() {
        let m = PcpModel::FreeFactor;
        assert_eq!(m.pindex(MigrateType::Reclaimable, 3), 11);
        assert_eq!(m.pindex(MigrateType::Unmovable, 9), 12);
        assert_eq!(m.order_of(12), 9);
        assert_eq!(m.order_of(7), 2);
        assert!(m.allows(9) && !m.allows(4));
        assert!(PcpModel::Order0.allows(0) && !PcpModel::Order0.allows(1));
    }
}
