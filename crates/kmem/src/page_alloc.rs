//! `__alloc_pages()`: the fast path, the slow path with reserves, kswapd
//! and direct reclaim of the page cache, and the outcomes of failure.
//!
//! Kernel rules modelled (mm/page_alloc.c, 4.19 `__alloc_pages_nodemask` /
//! 6.x `__alloc_pages`):
//! 1. an order above the maximum: `WARN_ON_ONCE(!(gfp & __GFP_NOWARN))`
//!    and NULL, with no allocation-failure report;
//! 2. the fast path at the low watermark;
//! 3. the slow path: wake kswapd (`__GFP_KSWAPD_RECLAIM`; kswapd runs on
//!    another CPU, so its reclaim lands after this request), retry at the
//!    min watermark with the reserves `gfp_to_alloc_flags()` grants;
//! 4. without `__GFP_DIRECT_RECLAIM`: fail;
//! 5. direct reclaim (page cache from the allowed zones), retry; when
//!    reclaim makes no progress, `__GFP_NORETRY`, `__GFP_RETRY_MAYFAIL` and
//!    costly orders (above 3) fail; `__GFP_NOFAIL` loops forever; anything
//!    else invokes the OOM killer.
//!
//! Not modelled: compaction, the per-CPU lists, cpusets.

use crate::addr::{Order, Pfn};
use crate::buddy::{Buddy, BuddyEffect, PageRequest, ReserveAccess, WatermarkLevel, COSTLY_ORDER};
use crate::memmap::{FrameRange, FrameUse, MemMap};
use crate::zone::{MigrateType, ZoneType};
use std::collections::VecDeque;

/// `SWAP_CLUSTER_MAX`: pages a reclaim pass aims to free at least.
pub const SWAP_CLUSTER_MAX: u64 = 32;

/// How a request behaves when memory is short, from its GFP mask.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SlowPathPolicy {
    /// Reserves granted in the slow path.
    pub reserves: ReserveAccess,
    /// `__GFP_DIRECT_RECLAIM`: may sleep and reclaim.
    pub direct_reclaim: bool,
    /// `__GFP_NORETRY`.
    pub noretry: bool,
    /// `__GFP_RETRY_MAYFAIL`.
    pub retry_mayfail: bool,
    /// `__GFP_NOFAIL`.
    pub nofail: bool,
    /// The reserves of the `__GFP_NOFAIL` retry loop
    /// (`__alloc_pages_cpuset_fallback` with 4.19's ALLOC_HARDER or 6.x's
    /// ALLOC_MIN_RESERVE).
    pub nofail_reserves: ReserveAccess,
}

/// Why a page allocation returned NULL (or would never return).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AllocFailure {
    /// The order exceeds the largest the allocator serves (10): a WARN
    /// (unless `__GFP_NOWARN`) and NULL.
    OrderTooLarge,
    /// No zone could serve the order above its watermark and reclaim could
    /// not help: an allocation-failure report (unless `__GFP_NOWARN`).
    NoMemory,
    /// Nothing left to reclaim for a non-costly request that may not fail:
    /// the kernel invokes the OOM killer, which picks the caller.
    OutOfMemory,
    /// `__GFP_NOFAIL` with nothing to reclaim: the kernel retries forever.
    RetriesForever,
}

/// The outcome of one page allocation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageAllocation {
    /// The block, or why there is none.
    pub result: Result<(Pfn, ZoneType), AllocFailure>,
    /// Which pass succeeded or failed last.
    pub path: AllocPath,
    /// Page-cache pages freed by direct reclaim for this request.
    pub direct_reclaimed: u64,
    /// The request reached the `__GFP_NOFAIL` retry section of the slow
    /// path (reclaim could not help).
    pub nofail_retry: bool,
    /// Page-cache pages freed by kswapd after it was woken.
    pub kswapd_reclaimed: u64,
    /// Every list operation, in order.
    pub effects: Vec<BuddyEffect>,
}

/// The pass of `__alloc_pages` that decided the outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AllocPath {
    /// `get_page_from_freelist` at the low watermark.
    FastPath,
    /// The slow path at the min watermark, with reserves.
    MinWatermark,
    /// After direct reclaim.
    AfterReclaim,
    /// Rejected before any pass (order too large).
    NotTried,
}

/// Reclaimable page cache: clean file pages, oldest first (the inactive
/// file LRU), which reclaim frees without I/O.
///
/// Kept as runs of consecutive frames in one zone (a file read in blocks
/// is a few runs, not a page each), so that a running machine's cache of
/// millions of pages is cheap to copy and to reclaim from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PageCache {
    /// `(first frame, pages)`, oldest first.
    runs: VecDeque<(u32, u32)>,
    pages: u64,
}

impl PageCache {
    /// Pages in the cache.
    pub fn len(&self) -> u64 {
        self.pages
    }

    /// True when the cache holds nothing.
    pub fn is_empty(&self) -> bool {
        self.pages == 0
    }

    /// Pages of the cache in zone `zone`.
    pub fn pages_in(&self, zone: ZoneType) -> u64 {
        self.runs
            .iter()
            .filter(|(start, _)| MemMap::zone_of(Pfn::new(u64::from(*start))) == zone)
            .map(|&(_, n)| u64::from(n))
            .sum()
    }

    /// Adds `pfn` as the newest page.
    fn push(&mut self, pfn: Pfn) {
        self.push_run(pfn, 1);
    }

    /// Adds the `n` pages from `start` as the newest, in order (one zone).
    fn push_run(&mut self, start: Pfn, n: u32) {
        let frame = start.as_u64() as u32;
        match self.runs.back_mut() {
            Some((last, count))
                if *last + *count == frame
                    && MemMap::zone_of(Pfn::new(u64::from(*last))) == MemMap::zone_of(start) =>
            {
                *count += n
            }
            _ => self.runs.push_back((frame, n)),
        }
        self.pages += u64::from(n);
    }

    /// Reads `pages` pages of files into the cache, as a workload would:
    /// movable order-0 pages (`GFP_HIGHUSER_MOVABLE`) taken while the fast
    /// path succeeds. Returns how many were added.
    pub fn fill(&mut self, mem: &mut MemMap, buddy: &mut Buddy, pages: u64) -> u64 {
        let request = PageRequest {
            order: Order::ZERO,
            highest_zone: ZoneType::Normal,
            migratetype: MigrateType::Movable,
            wakes_kswapd: false,
        };
        let mut effects = Vec::new();
        let mut added = 0;
        while added < pages {
            effects.clear();
            let Some((pfn, _)) = buddy.get_page_from_freelist(
                mem,
                &request,
                WatermarkLevel::Low,
                None,
                &mut effects,
            ) else {
                break;
            };
            if let Some(page) = mem.page_mut(pfn) {
                page.used_as = FrameUse::PageCache;
            }
            self.push(pfn);
            added += 1;
        }
        added
    }

    /// Takes the pages of `runs` (order-0 pages already marked as page
    /// cache, each run in one zone) into the cache as the newest, in order.
    pub fn adopt(&mut self, runs: impl IntoIterator<Item = FrameRange>) {
        for run in runs {
            self.push_run(run.start, run.len() as u32);
        }
    }

    /// Frees up to `target` of the oldest pages of the zones `which`
    /// accepts, each through `__free_pages()`.
    fn shrink(
        &mut self,
        mem: &mut MemMap,
        buddy: &mut Buddy,
        which: impl Fn(ZoneType) -> bool,
        target: u64,
    ) -> u64 {
        let mut freed = 0;
        let mut effects = Vec::new();
        let mut kept = VecDeque::with_capacity(self.runs.len());
        while let Some((start, n)) = self.runs.pop_front() {
            let take = if which(MemMap::zone_of(Pfn::new(u64::from(start)))) {
                (target - freed).min(u64::from(n)) as u32
            } else {
                0
            };
            for frame in start..start + take {
                effects.clear();
                buddy.free_pages(mem, Pfn::new(u64::from(frame)), 0, &mut effects);
            }
            freed += u64::from(take);
            if take < n {
                kept.push_back((start + take, n - take));
            }
        }
        self.runs = kept;
        self.pages -= freed;
        freed
    }

    /// Frees up to `target` cache pages from zones up to `highest`, oldest
    /// first (`shrink_inactive_list` of clean pages).
    pub fn reclaim(
        &mut self,
        mem: &mut MemMap,
        buddy: &mut Buddy,
        highest: ZoneType,
        target: u64,
    ) -> u64 {
        self.shrink(mem, buddy, |zone| zone <= highest, target)
    }

    /// kswapd: reclaims until every zone up to `highest` is above its high
    /// watermark (plus boost), in `SWAP_CLUSTER_MAX` steps, then clears the
    /// boost (`balance_pgdat`). Freed pages pass through the per-CPU lists
    /// as they do in the kernel, so the zone's free count is re-read after
    /// each step.
    pub fn kswapd(&mut self, mem: &mut MemMap, buddy: &mut Buddy, highest: ZoneType) -> u64 {
        let mut freed = 0;
        for zone in 0..=highest.index() {
            let zone_type = buddy.zones[zone].zone_type;
            while buddy.zones[zone].is_populated()
                && buddy.zones[zone].free_pages <= buddy.zones[zone].mark(WatermarkLevel::High)
            {
                let step = self.reclaim_zone(mem, buddy, zone_type, SWAP_CLUSTER_MAX);
                if step == 0 {
                    break;
                }
                freed += step;
            }
            buddy.zones[zone].watermark_boost = 0;
        }
        freed
    }

    fn reclaim_zone(
        &mut self,
        mem: &mut MemMap,
        buddy: &mut Buddy,
        zone: ZoneType,
        target: u64,
    ) -> u64 {
        self.shrink(mem, buddy, |z| z == zone, target)
    }
}

/// `__alloc_pages()` for one request.
pub fn alloc_pages(
    mem: &mut MemMap,
    buddy: &mut Buddy,
    cache: &mut PageCache,
    request: &PageRequest,
    policy: &SlowPathPolicy,
) -> PageAllocation {
    let mut out = PageAllocation {
        result: Err(AllocFailure::OrderTooLarge),
        path: AllocPath::NotTried,
        direct_reclaimed: 0,
        nofail_retry: false,
        kswapd_reclaimed: 0,
        effects: Vec::new(),
    };
    if request.order > Order::MAX {
        return out;
    }
    out.path = AllocPath::FastPath;
    if let Some(found) =
        buddy.get_page_from_freelist(mem, request, WatermarkLevel::Low, None, &mut out.effects)
    {
        out.result = Ok(found);
        return out;
    }
    out.path = AllocPath::MinWatermark;
    out.result = match buddy.get_page_from_freelist(
        mem,
        request,
        WatermarkLevel::Min,
        Some(policy.reserves),
        &mut out.effects,
    ) {
        Some(found) => Ok(found),
        None if !policy.direct_reclaim => Err(AllocFailure::NoMemory),
        None => direct_reclaim_loop(mem, buddy, cache, request, policy, &mut out),
    };
    if request.wakes_kswapd {
        out.kswapd_reclaimed = cache.kswapd(mem, buddy, request.highest_zone);
    }
    out
}

fn direct_reclaim_loop(
    mem: &mut MemMap,
    buddy: &mut Buddy,
    cache: &mut PageCache,
    request: &PageRequest,
    policy: &SlowPathPolicy,
    out: &mut PageAllocation,
) -> Result<(Pfn, ZoneType), AllocFailure> {
    let target = SWAP_CLUSTER_MAX.max(request.order.pages());
    loop {
        let freed = cache.reclaim(mem, buddy, request.highest_zone, target);
        out.direct_reclaimed += freed;
        out.path = AllocPath::AfterReclaim;
        if let Some(found) = buddy.get_page_from_freelist(
            mem,
            request,
            WatermarkLevel::Min,
            Some(policy.reserves),
            &mut out.effects,
        ) {
            return Ok(found);
        }
        if policy.noretry {
            return Err(AllocFailure::NoMemory);
        }
        if freed == 0 && policy.nofail {
            // Non-costly orders go through `__alloc_pages_may_oom()`, which
            // lets a NOFAIL request use every reserve; then the NOFAIL
            // section retries with the policy's reserves, forever.
            out.nofail_retry = true;
            let oom_reserves = ReserveAccess {
                no_watermarks: true,
                ..policy.reserves
            };
            let attempts: &[ReserveAccess] = if request.order.as_u8() > COSTLY_ORDER {
                &[policy.nofail_reserves]
            } else {
                &[oom_reserves, policy.nofail_reserves]
            };
            return attempts
                .iter()
                .find_map(|&reserves| {
                    buddy.get_page_from_freelist(
                        mem,
                        request,
                        WatermarkLevel::Min,
                        Some(reserves),
                        &mut out.effects,
                    )
                })
                .ok_or(AllocFailure::RetriesForever);
        }
        if freed == 0 {
            return Err(
                if policy.retry_mayfail || request.order.as_u8() > COSTLY_ORDER {
                    AllocFailure::NoMemory
                } else {
                    AllocFailure::OutOfMemory
                },
            );
        }
    }
}
