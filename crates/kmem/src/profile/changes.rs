//! The change table: every behaviour the simulated releases do not share,
//! as the release it arrived in.
//!
//! A row says when a change reached mainline (`since`, an `x.y.0`), which
//! stable point releases of older series got it as a backport, and, for a
//! change later undone, when it went away. Where the commit's release was
//! not pinned down, the row says so ([`Known::Between`]): the newest tree
//! read without the change and the oldest tree read with it, and a test
//! refuses any pinned release that falls between the two. Backport and
//! removal releases are as exact as the row's source says: where it says
//! "not pinned down", a point release the user names between the trees
//! read gets the row as written, a guess the run header's "simulated by"
//! does not spell out.

use super::Release;

/// A behaviour change between releases. Each variant names what the newer
/// kernels do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Change {
    // API.
    /// `kvmalloc()` exists (a7c3e901a46f).
    Kvmalloc,

    // Layout and boot.
    /// `PAGE_OFFSET` is `0xffff888000000000`, PGD slot 273 (d52888aa2753
    /// "x86/mm: Move LDT remap out of KASLR region on 5-level paging").
    DirectMapAtSlot273,
    /// The first MiB of RAM is always reserved (a2e4bf3ad33d "x86/setup:
    /// Always reserve the first 1M of RAM"); before, CONFIG_X86_RESERVE_LOW
    /// kept 64 KiB.
    ReserveFirstMegabyte,
    /// `preallocate_vmalloc_pages()` gives every vmalloc PGD entry its PUD
    /// table at boot (6eb82f994026).
    PreallocatesVmallocPud,

    // Page allocator.
    /// `calculate_min_free_kbytes()` clamps at 262144 instead of 65536
    /// (59d336bdf693 "mm: raise the limit of min_free_kbytes").
    MinFreeKbytes256M,
    /// Zones have the WMARK_PROMO watermark (c574bbe91703).
    WmarkPromo,
    /// Watermark boosting after fragmenting fallbacks (1c30844d2dfe).
    WatermarkBoost,
    /// `ALLOC_NOFRAGMENT`: avoid fragmenting fallbacks (6bb154504f8b).
    AllocNoFragment,
    /// Freed pages that may merge further go to the tail of their list
    /// (`to_tail`, 97334162e4d7 / 293ffa5ebb9c).
    FreeToTail,
    /// `setup_per_zone_lowmem_reserve()` gives empty zones a reserve of 0
    /// (96a5c186efff); reverted upstream in 6.14 and in 6.12.19.
    LowmemReserveZeroForEmptyUpper,
    /// Every zone's lowmem_reserve entry for an empty zone above is cleared
    /// (the 5.x `clear` rule, f7ec104458e0).
    LowmemReserveClearsEmptyZones,
    /// ZONE_MOVABLE gets the highmem-style minimum in
    /// `__setup_per_zone_wmarks()` (6.x rule).
    MovableMinLikeHighmem,
    /// Per-CPU lists hold high orders and scale their batch with
    /// `free_factor` (44042b449872, 3b12e7e97938).
    PcpHighOrderLists,
    /// The per-CPU `high` is tuned automatically (51a755c56dc0 "mm: tune
    /// PCP high automatically").
    PcpAutoTune,
    /// `__GFP_NOFAIL` allocations get ALLOC_MIN_RESERVE (half of min)
    /// rather than ALLOC_HARDER's quarter (eb2e2b425c69 / 1ebbb21811b7).
    NofailMinReserve,
    /// `gfp_to_alloc_flags()` grants reserves by blocking: ALLOC_NON_BLOCK
    /// for a mask without direct reclaim, ALLOC_MIN_RESERVE for
    /// `__GFP_HIGH`, instead of ALLOC_HARDER for `__GFP_ATOMIC` (Mel
    /// Gorman's 6.3 series, which 6.1.y took while keeping `__GFP_ATOMIC`).
    ReservesByBlocking,
    /// `__GFP_NOFAIL` warns only without `__GFP_NOWARN` being ignored: the
    /// 6.6 slow path skips its NOFAIL WARNs for `__GFP_NOWARN` callers.
    NofailWarnHonoursNowarn,
    /// `__GFP_NOFAIL` above order 1 WARNs and the no-reclaim WARN moved up
    /// (6.12 slow path).
    NofailOrderWarn,
    /// The "page allocation failure" rate limit is 10 s with burst 1
    /// (`nopage_rs`).
    NopageRatelimitTenSeconds,

    // Reports.
    /// `warn_alloc()` appends `,cpuset=/,mems_allowed=0` to its first line.
    WarnAllocCpusetInline,
    /// `show_mem()` prints the 6.x Mem-Info layout: no `unstable`, the
    /// `sec_pagetables` and `kernel_misc_reclaimable` counters, zone
    /// `boost` and `reserved_highatomic`, kernel stacks and page tables per
    /// node, no swap-cache stats line. Its parts arrived separately
    /// between 4.20 and 6.0 (all present in 6.1.119); one row until a 5.x
    /// profile needs them apart. The THP fields' spacing is its own row.
    ShowMemLayout6,
    /// Mem-Info's THP fields print without a space after the colon
    /// (`shmem_thp:0kB`).
    MemInfoThpNoSpace,
    /// Unaccepted memory is counted: zoneinfo's `nr_unaccepted` and
    /// meminfo's `Unaccepted:`.
    UnacceptedMemory,
    /// `show_mem()` prints only zones up to `gfp_zone(gfp_mask)`.
    ShowMemUpToGfpZone,
    /// The might_sleep report's second line names `non_block`.
    MightSleepNonBlock,
    /// The might_sleep report adds `preempt_count:` and `RCU nest depth`.
    MightSleepPreemptCount,
    /// `dump_stack()` wraps the trace in `<TASK>` / `</TASK>`.
    TaskMarkers,
    /// `WARN_ON_ONCE()` prints "cut here" too: `report_bug()` prints it
    /// unless BUGFLAG_NO_CUT_HERE. In 4.19 only `WARN_ON()` printed it
    /// (inline, before its ud2), `WARN()` from `__warn_printk()` and BUG
    /// from `report_bug()`; a `WARN_ON_ONCE()` trapped silently.
    WarnOnCutHere,
    /// `show_trace_log_lvl()` scans the stack from its own frame, so a
    /// trap's trace starts with the exception path as unreliable (`? `)
    /// frames; 4.19 started at the trap's stack pointer.
    TraceShowsExceptionPath,
    /// `make_task_dead()` notes that the oopsed task exited with
    /// interrupts disabled.
    MakeTaskDeadIrqNote,
    /// `---[ end trace 0000000000000000 ]---`: the oops id is gone.
    EndTraceZeroId,
    /// The taint flags include TAINT_TEST (19 letters).
    TaintTest,
    /// The CPU line names the `UID:` and a verbose `Tainted:` line follows.
    CpuLineUid,
    /// Page-fault oopses use `BUG: kernel NULL pointer dereference,
    /// address:` / `unable to handle page fault for address:` and `#PF:`
    /// lines.
    PageFaultNewWording,
    /// The oops header names `PREEMPT` (PREEMPT_DYNAMIC builds).
    OopsHeaderPreempt,
    /// `__die_header()` prefixes `Oops: ` to the die string.
    OopsPrefixDoubled,
    /// A general protection fault names a non-canonical address.
    GpFaultNamesAddress,
    /// Booting with slub_debug turns pointer hashing off
    /// (`no_hash_pointers`).
    SlubDebugNoHashPointers,

    // Slab.
    /// `kmalloc-rcl-*` caches for `__GFP_RECLAIMABLE`.
    KmallocReclaimCaches,
    /// `kmalloc-cg-*` caches for `__GFP_ACCOUNT`.
    KmallocCgroupCaches,
    /// `enum kmalloc_cache_type` puts CGROUP last (after RECLAIM and DMA).
    KmallocCgroupTypeLast,
    /// CONFIG_RANDOM_KMALLOC_CACHES exists.
    RandomKmallocCaches,
    /// kmalloc caches of 1024 bytes and more are named `kmalloc-1k`.
    KmallocShortNames,
    /// `create_kmalloc_caches()` loops over types (DMA caches are no longer
    /// made by a separate loop in index order).
    KmallocTypeLoop,
    /// `create_kmalloc_caches()` makes the 96 and 192 byte caches first.
    Kmalloc96And192First,
    /// Power-of-two kmalloc sizes are aligned to themselves.
    KmallocNaturalAlign,
    /// Every kmalloc size is aligned to its lowest set bit.
    KmallocAlignLowestSetBit,
    /// `calculate_order()` keeps `min_objects` and accepts up to half a
    /// slab of waste.
    SlubOrderKeepsMinObjects,
    /// `struct track` holds a stack-depot handle (32 bytes) instead of 16
    /// return addresses (152 bytes).
    SlubTrackStackDepot,
    /// The free pointer sits in the middle of the object.
    FreePointerMidObject,
    /// slub_debug keeps kmalloc's `orig_size` (4 bytes after the tracks).
    SlubKmallocOrigSize,
    /// slub_debug red-zones and checks the tail after `orig_size`
    /// ("kmalloc Redzone").
    SlubKmallocRedzone,
    /// kmalloc caches carry SLAB_KMALLOC.
    KmallocSlabFlag,
    /// The normal kmalloc caches carry SLAB_NO_MERGE.
    KmallocNoMerge,
    /// 4.19 `dma-kmalloc-*` caches have no usercopy region; later ones do.
    DmaKmallocUsercopy,
    /// A leaked (destroyed while busy) cache vanishes from /proc/slabinfo.
    LeakedCacheUnlisted,
    /// Large kmalloc fixes bad GFP flags (`kmalloc_fix_flags()`).
    LargeKmallocFixesFlags,
    /// The inline `kmalloc()` of a constant size takes the kmalloc caches
    /// of any type, `GFP_DMA` included (`kmalloc_type(flags)`); 4.19 left
    /// a `GFP_DMA` request to `__kmalloc()`.
    KmallocInlineTakesDma,
    /// Every slab is a compound page: `s->allocflags` is `__GFP_COMP`
    /// whatever the cache's order.
    SlabAlwaysComp,
    /// Large kmallocs count as NR_SLAB_UNRECLAIMABLE_B (meminfo
    /// `SUnreclaim`).
    LargeKmallocCountsSlab,
    /// kfree of a non-compound page warns in `free_large_kmalloc()` instead
    /// of BUGging on `!PageCompound`.
    FreeLargeKmallocWarns,
    /// `kmem_cache_destroy()` with objects left WARNs (it only printed).
    KmemCacheDestroyWarns,
    /// slub_debug names the red zones "Left Redzone"/"Right Redzone" and
    /// the end byte "End Poison", and pads hex-dump prefixes.
    SlubDebugRegionNames,
    /// slub_debug's reports drop the `INFO: ` prefixes, give offsets,
    /// name the region in the FIX line, print page flags by name and taint
    /// after the trailer.
    SlubDebugReportFormat,
    /// `%p` of NULL prints zeros, not `(null)`.
    PointerNullAsZeros,
    /// `enum pageflags` has PG_head at bit 6 and PG_slab at 11.
    PageFlagsHeadAtBit6,
    /// `enum pageflags` of 5.x–6.4: PG_slab at 9 and PG_head at 16 (one
    /// flag more below them than in 4.19).
    PageFlagsSlab9Head16,
    /// Slab pages are a page type: no PG_slab bit in the flags.
    SlabIsPageType,
    /// `cache_from_obj()` WARNs every time (with FREELIST_HARDENED or
    /// slub_debug) and frees into the object's own cache.
    WrongSlabCacheWarnsAlways,
    /// slub_debug checks the count of allocated objects first ("Slab has 0
    /// allocated objects but 1 are to be freed").
    SlubDebugInuseCheck,
    /// slub_debug checks every region and prints one trailer (6.12).
    SlubDebugChecksAll,
    /// Object padding faults fail the check.
    SlubDebugPaddingFails,

    // vmalloc, kvmalloc.
    /// `kvmalloc_node()` falls back to vmalloc for every GFP_KERNEL-less
    /// mask it can (the 4.19 "GFP_KERNEL-compatible" rule is gone).
    KvmallocAnyGfp,
    /// kvmalloc strips `__GFP_NOFAIL` from the kmalloc attempt, refuses
    /// non-blocking vmalloc, WARNs above INT_MAX and may map huge pages.
    KvmallocModern,
    /// `vfree()` of a bad address: the 6.x double WARN path.
    VfreeRemoveVmArea,
    /// `vfree()` itself calls `might_sleep_if(!in_interrupt())` before its
    /// NULL check (4.19 reaches only `remove_vm_area()`'s).
    VfreeMightSleepFirst,
    /// `__vmalloc_area_node()` ORs `__GFP_NOWARN` into the mask before its
    /// own failure reports, so page-array, page and mapping failures print
    /// nothing.
    VmallocAreaNowarn,
    /// `__vunmap()` checks that a vmap area contains the address and WARNs
    /// "nonexistent vm area"; 4.19.0 read `find_vmap_area()->vm` through
    /// NULL and oopsed.
    VunmapChecksMissingArea,
    /// A failed huge-page attempt of vmalloc prints nothing (it is
    /// retried with small pages); the page failure message lost its `page
    /// order` field.
    VmallocHugeFailureQuiet,
    /// vmalloc failures print `vmalloc error: size …`.
    VmallocErrorWording,
    /// `vmalloc_node_range for size … Address range restricted` (6.12).
    VmallocRangeRestrictedWording,
    /// vmalloc's printed failure mask adds `__GFP_HIGHMEM`.
    VmallocFailMaskHighmem,
    /// `__vmalloc()` lost its `pgprot` argument (88dca4ca5a93).
    VmallocNoPgprot,
    /// The vmalloc pages[] array is allocated without `__GFP_HIGHMEM`.
    VmallocPagesArrayPlainGfp,
    /// vmalloc takes its order-0 pages from the bulk allocator.
    VmallocBulkPages,
    /// vmalloc maps huge pages for `VM_ALLOW_HUGE_VMAP` areas.
    HugeVmap,
    /// `kvrealloc(p, oldsize, newsize, gfp)` exists (6.6 form).
    KvreallocWithOldSize,
    /// `kvrealloc(p, size, gfp)` and `vrealloc()` (6.12 form).
    KvreallocVrealloc,
    /// `__do_krealloc()` zeroes the spare bytes of an object that still
    /// fits when the caller passes `__GFP_ZERO`.
    KreallocZeroesSpare,
    /// /proc/meminfo `VmallocUsed` counts vmalloc pages.
    VmallocUsedCounted,
    /// `PageTables` counts the PMD tables of the direct map.
    MeminfoPageTablesPmd,
    /// `PageTables` counts PUD tables too.
    MeminfoPageTablesPud,
    /// The 6.x vmstat item lists of zoneinfo (zone and node counters),
    /// with `boost` and `cma`, pagetypeinfo's `>100000` cap and the 6.x
    /// meminfo lines. One row until a 5.x profile needs them apart.
    VmstatItems6,
    /// The 6.12 node counters (`pgdemote_*` and the rest).
    VmstatItems6_12,
    /// zoneinfo prints the `promo` watermark.
    ZoneinfoPromo,
    /// /proc/vmallocinfo merges adjacent lazily freed ranges.
    VmallocinfoMergesLazy,
    /// /proc/vmallocinfo prints the unpurged areas after the busy ones.
    VmallocinfoLazyLast,
    /// zoneinfo skips hidden vmstat items (the empty-named
    /// `nr_indirectly_reclaimable` line of 4.19.0).
    ZoneinfoSkipsHiddenItems,
}

/// How well a row's release is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Known {
    /// `since` is the release of the upstream commit.
    Exact,
    /// Only bracketed by trees read: absent in the first, present in the
    /// second. No simulated release may fall strictly between them.
    Between(Release, Release),
}

/// One row of the change table.
#[derive(Debug)]
pub struct Row {
    /// The change.
    pub change: Change,
    /// The mainline release it arrived in.
    pub since: Release,
    /// Stable point releases of older series that got it.
    pub backports: &'static [Release],
    /// The mainline release that undid it, and the point releases of
    /// older series that got the undoing.
    pub until: Option<(Release, &'static [Release])>,
    /// How `since` is known.
    pub known: Known,
    /// Where it was read (`file@release:line` or the commit).
    pub source: &'static str,
}

const fn r(major: u16, minor: u16) -> Release {
    Release::new(major, minor, 0)
}

const fn p(major: u16, minor: u16, patch: u16) -> Release {
    Release::new(major, minor, patch)
}

const fn between(absent: Release, present: Release) -> Known {
    Known::Between(absent, present)
}

use Change::*;
use Known::Exact;

macro_rules! row {
    ($change:ident, $since:expr, $known:expr, $source:expr) => {
        Row {
            change: $change,
            since: $since,
            backports: &[],
            until: None,
            known: $known,
            source: $source,
        }
    };
    ($change:ident, $since:expr, backports $b:expr, $known:expr, $source:expr) => {
        Row {
            change: $change,
            since: $since,
            backports: $b,
            until: None,
            known: $known,
            source: $source,
        }
    };
}

/// Every change, oldest first within each area.
pub static CHANGES: &[Row] = &[
    row!(Kvmalloc, r(4, 12), Exact, "a7c3e901a46f (4.12) \"mm: introduce kv[mz]alloc helpers\""),
    row!(DirectMapAtSlot273, r(4, 20), backports &[p(4, 19, 5)], Exact, "d52888aa2753, in 4.20 and backported to 4.19.5 as 4074ca7d8a18: __PAGE_OFFSET_BASE_L4 is 0xffff880000000000 in arch/x86/include/asm/page_64_types.h@4.19.0, 0xffff888000000000 @4.19.255"),
    row!(ReserveFirstMegabyte, r(5, 13), between(p(4, 19, 255), p(6, 1, 119)), "a2e4bf3ad33d (5.13); arch/x86/kernel/setup.c@4.19.255:760 still reserves CONFIG_X86_RESERVE_LOW"),
    row!(PreallocatesVmallocPud, r(5, 8), between(p(4, 19, 255), p(6, 1, 119)), "preallocate_vmalloc_pages(), arch/x86/mm/init_64.c@6.6.0; absent @4.19.255"),
    row!(MinFreeKbytes256M, r(5, 7), between(p(4, 19, 255), p(6, 1, 119)), "calculate_min_free_kbytes() clamp, mm/page_alloc.c@4.19.255 (65536) vs mm/page_alloc.c@6.6.0 (262144)"),
    row!(WmarkPromo, r(6, 1), between(p(4, 19, 255), p(6, 1, 119)), "enum zone_watermarks, include/linux/mmzone.h@6.6.0 (WMARK_PROMO)"),
    row!(WatermarkBoost, r(5, 0), between(p(4, 19, 255), p(6, 1, 119)), "1c30844d2dfe (5.0): boost_watermark(), mm/page_alloc.c@6.6.0"),
    row!(AllocNoFragment, r(5, 0), between(p(4, 19, 255), p(6, 1, 119)), "6bb154504f8b (5.0): ALLOC_NOFRAGMENT, mm/page_alloc.c@6.6.0"),
    row!(FreeToTail, r(5, 10), between(p(4, 19, 255), p(6, 1, 119)), "293ffa5ebb9c (5.10): __free_one_page() fpi_flags / to_tail, mm/page_alloc.c@6.6.0"),
    row!(LowmemReserveClearsEmptyZones, r(5, 11), between(p(4, 19, 255), p(6, 1, 119)), "setup_per_zone_lowmem_reserve(): `clear = !ratio || !zone_managed_pages(zone)`, mm/page_alloc.c@6.6.0"),
    Row { change: LowmemReserveZeroForEmptyUpper, since: r(6, 12), backports: &[], until: Some((r(6, 14), &[p(6, 12, 19)])), known: Exact, source: "96a5c186efff (6.12): `if (clear || empty)`, mm/page_alloc.c@6.12.10:5994-5999; its revert reached 6.12.19, mm/page_alloc.c@6.12.19:5993-6001" },
    row!(MovableMinLikeHighmem, r(6, 5), between(p(6, 1, 119), p(6, 6, 0)), "\"mm/page_alloc: fix min_free_kbytes calculation regarding ZONE_MOVABLE\" (2023-06): __setup_per_zone_wmarks() tests is_highmem(zone) || zone_idx(zone) == ZONE_MOVABLE in mm/page_alloc.c@6.6.0; only is_highmem(zone) @6.1.119:8780,8790"),
    row!(PcpHighOrderLists, r(5, 13), between(p(4, 19, 255), p(6, 1, 119)), "44042b449872 (5.13): NR_PCP_LISTS with orders up to PAGE_ALLOC_COSTLY_ORDER, include/linux/mmzone.h@6.6.0"),
    row!(PcpAutoTune, r(6, 7), between(p(6, 6, 57), p(6, 12, 10)), "51a755c56dc0 (6.7) \"mm: tune PCP high automatically\"; mm/page_alloc.c@6.12.19"),
    row!(NofailMinReserve, r(6, 3), backports &[p(6, 1, 119)], between(p(4, 19, 255), p(6, 1, 119)), "1ebbb21811b7 (6.3): ALLOC_MIN_RESERVE for __GFP_NOFAIL, mm/page_alloc.c@6.6.0; also @6.1.119:5324 (a 6.1.y backport; which point release took it is not pinned down)"),
    row!(ReservesByBlocking, r(6, 3), backports &[p(6, 1, 119)], Exact, "eb2e2b425c69 (6.3) and its series: gfp_to_alloc_flags(), mm/page_alloc.c@6.6.0; also @6.1.119:4846-4889 with ___GFP_ATOMIC still defined (include/linux/gfp_types.h@6.1.119:36); which 6.1.y release took it is not pinned down"),
    Row { change: NofailWarnHonoursNowarn, since: r(5, 19), backports: &[], until: Some((r(6, 12), &[])), known: between(p(4, 19, 255), p(6, 1, 119)), source: "WARN_ON_ONCE_GFP(), mm/internal.h@6.1.119:42 and @6.6.0:42, used by __alloc_pages_slowpath()'s NOFAIL checks; 6.12 made them plain WARN_ON_ONCE at the top of the slow path (mm/page_alloc.c@6.12.19:4224-4240)" },
    row!(NofailOrderWarn, r(6, 12), between(p(6, 6, 57), p(6, 12, 10)), "the NOFAIL checks at the top of __alloc_pages_slowpath(), mm/page_alloc.c@6.12.19:4229-4234"),
    row!(NopageRatelimitTenSeconds, r(5, 0), between(p(4, 19, 255), p(6, 1, 119)), "nopage_rs in warn_alloc(), mm/page_alloc.c@6.6.0 (DEFINE_RATELIMIT_STATE 10*HZ, 1)"),
    row!(WarnAllocCpusetInline, r(5, 13), between(p(4, 19, 255), p(6, 1, 119)), "cpuset_print_current_mems_allowed(), kernel/cgroup/cpuset.c@6.6.0 (pr_cont)"),
    row!(ShowMemLayout6, r(6, 0), between(p(4, 19, 255), p(6, 1, 119)), "show_free_areas(), mm/page_alloc.c@4.19.255 vs mm/show_mem.c@6.6.0"),
    row!(MemInfoThpNoSpace, r(6, 6), between(p(6, 1, 119), p(6, 6, 0)), "\"mm,thp: no space after colon in Mem-Info fields\" (2023-08): show_free_areas() \" shmem_thp: %lukB\" at mm/page_alloc.c@6.1.119:6192, \"shmem_thp:%lukB\" in mm/show_mem.c@6.6.0"),
    row!(UnacceptedMemory, r(6, 5), between(p(6, 1, 119), p(6, 6, 0)), "NR_UNACCEPTED \"nr_unaccepted\" in mm/vmstat.c@6.6.0 and \"Unaccepted:\" in fs/proc/meminfo.c@6.6.0; absent @6.1.119"),
    row!(ShowMemUpToGfpZone, r(5, 19), between(p(4, 19, 255), p(6, 1, 119)), "show_free_areas(filter, nodemask, max_zone_idx), mm/show_mem.c@6.6.0"),
    row!(MightSleepNonBlock, r(5, 3), between(p(4, 19, 255), p(6, 1, 119)), "__might_resched(), kernel/sched/core.c@6.6.0 (\"non_block: %d\")"),
    row!(MightSleepPreemptCount, r(5, 16), between(p(4, 19, 255), p(6, 1, 119)), "__might_resched(), kernel/sched/core.c@6.6.0 (\"preempt_count: %x, expected: %x\")"),
    row!(TaskMarkers, r(5, 16), between(p(4, 19, 255), p(6, 1, 119)), "show_trace_log_lvl(), arch/x86/kernel/dumpstack.c@6.6.0 (\"<TASK>\")"),
    row!(WarnOnCutHere, r(5, 2), between(p(4, 19, 255), p(6, 1, 119)), "report_bug(), lib/bug.c@4.19.255:181-188 (CUT_HERE only on the BUG path), __WARN() and WARN_ON_ONCE() in include/asm-generic/bug.h@4.19.255:64-74 and :107-109 (only __WARN() prints CUT_HERE) vs lib/bug.c@5.4.286:187-188 and @6.1.119:194 (`if ((bug->flags & BUGFLAG_NO_CUT_HERE) == 0)`); the 5.x release that moved it is not pinned down"),
    row!(TraceShowsExceptionPath, r(5, 0), between(p(4, 19, 255), p(6, 1, 119)), "show_trace_log_lvl(): regs = unwind_get_entry_regs() before get_stack_pointer(), arch/x86/kernel/dumpstack.c@6.1.119:198-216; the stack pointer of the trap first @4.19.255:173-175; the release is not pinned down"),
    row!(MakeTaskDeadIrqNote, r(5, 17), between(p(4, 19, 255), p(6, 1, 119)), "make_task_dead(): \"note: %s[%d] exited with irqs disabled\", kernel/exit.c@6.1.119:946; only the preempt_count note in do_exit(), kernel/exit.c@4.19.255:802"),
    row!(EndTraceZeroId, r(5, 19), between(p(4, 19, 255), p(6, 1, 119)), "print_oops_end_marker(), kernel/panic.c@6.6.0 (no oops_id)"),
    row!(TaintTest, r(5, 17), between(p(4, 19, 255), p(6, 1, 119)), "taint_flags[], kernel/panic.c@6.6.0 (TAINT_TEST)"),
    row!(CpuLineUid, r(6, 10), between(p(6, 6, 57), p(6, 12, 10)), "dump_stack_print_info(), lib/dump_stack.c@6.12.19 (\"CPU: %d UID: %u PID: %d\")"),
    row!(PageFaultNewWording, r(5, 1), between(p(4, 19, 255), p(6, 1, 119)), "show_fault_oops(), arch/x86/mm/fault.c@6.6.0"),
    row!(OopsHeaderPreempt, r(5, 0), between(p(4, 19, 255), p(6, 1, 119)), "__die_header(), arch/x86/kernel/dumpstack.c@6.6.0 (IS_ENABLED(CONFIG_PREEMPTION) ? \" PREEMPT\")"),
    row!(OopsPrefixDoubled, r(6, 12), between(p(6, 6, 57), p(6, 12, 10)), "__die_header(), arch/x86/kernel/dumpstack.c@6.12.19 (\"Oops: %s\")"),
    row!(GpFaultNamesAddress, r(5, 5), between(p(4, 19, 255), p(6, 1, 119)), "die_addr(), arch/x86/kernel/traps.c@6.6.0"),
    row!(SlubDebugNoHashPointers, r(5, 12), between(p(4, 19, 255), p(6, 1, 119)), "slub_debug disables hashing, mm/slub.c@6.6.0 (no_hash_pointers_enable)"),
    row!(KmallocReclaimCaches, r(4, 20), between(p(4, 19, 255), p(6, 1, 119)), "1291523f2c1d (4.20) KMALLOC_RECLAIM; mm/slab_common.c@4.19.255 has only kmalloc and dma-kmalloc"),
    row!(KmallocCgroupCaches, r(5, 14), between(p(4, 19, 255), p(6, 1, 119)), "494c1dfe855e (5.14) KMALLOC_CGROUP, include/linux/slab.h@6.6.0"),
    row!(KmallocCgroupTypeLast, r(6, 2), between(p(6, 1, 119), p(6, 6, 0)), "enum kmalloc_cache_type, include/linux/slab.h@6.6.0 (NORMAL, RANDOM_*, RECLAIM, DMA, CGROUP); 5.15.135 and 6.1.119 have CGROUP before RECLAIM (audit §4.2)"),
    row!(RandomKmallocCaches, r(6, 6), between(p(6, 1, 119), p(6, 6, 0)), "3c6152940584 (6.6) CONFIG_RANDOM_KMALLOC_CACHES, mm/Kconfig@6.6.0"),
    row!(KmallocShortNames, r(5, 2), between(p(4, 19, 255), p(6, 1, 119)), "kmalloc_info[] INIT_KMALLOC_INFO \"1k\" names, mm/slab_common.c@6.6.0; \"kmalloc-1024\" @4.19.255"),
    row!(KmallocTypeLoop, r(4, 20), between(p(4, 19, 255), p(6, 1, 119)), "create_kmalloc_caches() loops over kmalloc types, mm/slab_common.c@6.6.0; a separate dma loop `for (i = 0; i <= KMALLOC_SHIFT_HIGH; i++)` @4.19.0:1154-1167 and @4.19.255"),
    row!(Kmalloc96And192First, r(6, 10), between(p(6, 8, 0), p(6, 12, 10)), "create_kmalloc_caches(), mm/slab_common.c@6.12.19:952-961 (96 and 192 in index order); @6.6.0:964-980 and @6.8.0 after 64 and 128"),
    row!(KmallocNaturalAlign, r(5, 4), between(p(4, 19, 255), p(5, 4, 286)), "59bb47985c1d (5.4) natural alignment of power-of-two kmalloc, mm/slab_common.c@5.4.286"),
    row!(KmallocAlignLowestSetBit, r(6, 12), between(p(6, 8, 0), p(6, 12, 10)), "create_boot_cache(), mm/slab_common.c@6.12.19 (align to the lowest set bit of the size)"),
    row!(SlubOrderKeepsMinObjects, r(6, 8), between(p(6, 6, 57), p(6, 8, 0)), "calculate_order(), mm/slub.c@6.8.0 and @6.12.19 (fraction > 1, min_objects kept); the old loop in mm/slub.c@6.6.0:4137-4200 and @6.6.57"),
    row!(SlubTrackStackDepot, r(5, 17), between(p(4, 19, 255), p(6, 1, 119)), "struct track with depot_stack_handle_t, mm/slub.c@6.6.0"),
    row!(FreePointerMidObject, r(5, 7), between(p(5, 4, 286), p(5, 10, 198)), "3202fa62fb43 (5.7): s->offset = ALIGN_DOWN(s->object_size / 2, sizeof(void *)), mm/slub.c@5.10.198 (audit §4.2)"),
    row!(SlubKmallocOrigSize, r(6, 1), between(p(4, 19, 255), p(6, 1, 119)), "SLAB_STORE_USER orig_size after the tracks, mm/slub.c@6.1.119 and @6.6.0"),
    row!(SlubKmallocRedzone, r(6, 2), between(p(6, 1, 119), p(6, 6, 0)), "SLAB_KMALLOC orig_size, mm/slub.c@6.6.0 (\"kmalloc Redzone\")"),
    row!(KmallocSlabFlag, r(6, 1), between(p(4, 19, 255), p(6, 1, 119)), "SLAB_KMALLOC in create_kmalloc_cache(), mm/slab_common.c@6.1.119 and @6.6.0"),
    row!(KmallocNoMerge, r(6, 5), between(p(6, 1, 119), p(6, 6, 0)), "SLAB_NO_MERGE and SLAB_KMALLOC on kmalloc caches, mm/slab_common.c@6.6.0"),
    row!(DmaKmallocUsercopy, r(4, 20), between(p(4, 19, 255), p(6, 1, 119)), "create_kmalloc_caches(), mm/slab_common.c@4.19.255: dma caches made by create_kmalloc_cache() with no usercopy region"),
    row!(LeakedCacheUnlisted, r(6, 12), between(p(6, 6, 57), p(6, 12, 10)), "kmem_cache_destroy(), mm/slab_common.c@6.12.19 (the cache leaves slab_caches)"),
    row!(LargeKmallocFixesFlags, r(5, 10), between(p(4, 19, 255), p(6, 1, 119)), "kmalloc_fix_flags() on the large path, mm/slab_common.c@6.6.0:1163-1164"),
    row!(KmallocInlineTakesDma, r(4, 20), between(p(4, 19, 255), p(6, 1, 119)), "kmalloc(), include/linux/slab.h@4.19.255:503-521 (`if (!(flags & GFP_DMA))`) vs @6.1.119:543-563 (kmalloc_caches[kmalloc_type(flags)])"),
    row!(SlabAlwaysComp, r(6, 12), between(p(6, 6, 57), p(6, 12, 10)), "calculate_sizes(): `s->allocflags = __GFP_COMP`, mm/slub.c@6.12.19:5425; `if (order) s->allocflags |= __GFP_COMP` @6.6.57:4488-4489, @6.1.119:4279-4280, @4.19.255:3590-3591"),
    row!(LargeKmallocCountsSlab, r(5, 4), between(p(4, 19, 255), p(6, 1, 119)), "__kmalloc_large_node() and free_large_kmalloc() mod_lruvec_page_state(NR_SLAB_UNRECLAIMABLE_B), mm/slab_common.c@6.1.119:1080 and :911, @6.6.57:1151 and :982, mm/slub.c@6.12.19:4234 and :4718; 4.19.255's kmalloc_order() does not count; the 5.x release is not pinned down"),
    row!(FreeLargeKmallocWarns, r(5, 19), between(p(4, 19, 255), p(6, 1, 119)), "free_large_kmalloc(), mm/slab_common.c@6.6.57:975; BUG_ON(!PageCompound(page)) in kfree(), mm/slub.c@4.19.255:3958"),
    row!(KmemCacheDestroyWarns, r(5, 16), between(p(4, 19, 255), p(6, 1, 119)), "kmem_cache_destroy(), mm/slab_common.c@6.6.57:498 (WARN); pr_err + dump_stack @4.19.255"),
    row!(SlubDebugRegionNames, r(5, 13), backports &[p(4, 19, 196)], Exact, "\"mm/slub: clarify verification reporting\" (5.13), backported to 4.19.196: check_object() \"Left Redzone\"/\"Right Redzone\"/\"End Poison\", mm/slub.c@4.19.255; \"Redzone\"/\"Poison\" @4.19.0"),
    row!(SlubDebugReportFormat, r(5, 14), between(p(4, 19, 255), p(6, 1, 119)), "slab_bug(), print_trailer(), check_bytes_and_report(), restore_bytes(), mm/slub.c@6.6.0; the INFO: forms @4.19.255"),
    row!(PointerNullAsZeros, r(5, 2), between(p(4, 19, 255), p(6, 1, 119)), "ptr_to_id() prints NULL and error pointers as they are, lib/vsprintf.c@6.6.0:814-818; \"(null)\" @4.19.0:1861-1868"),
    row!(PageFlagsHeadAtBit6, r(6, 5), between(p(6, 1, 119), p(6, 6, 0)), "enum pageflags, include/linux/page-flags.h@6.6.0 (PG_head 6, PG_slab 11); @6.1.119 has a third order (PG_slab 9, PG_head 16) that no profile models yet"),
    Row { change: PageFlagsSlab9Head16, since: r(5, 0), backports: &[], until: Some((r(6, 5), &[])), known: between(p(4, 19, 255), p(6, 1, 119)), source: "enum pageflags, include/linux/page-flags.h@6.1.119 (PG_slab 9, PG_head 16); 8 and 15 @4.19.255; the 6.6.0 order (PageFlagsHeadAtBit6) replaces it" },
    row!(SlabIsPageType, r(6, 10), between(p(6, 6, 57), p(6, 12, 10)), "PG_slab replaced by PGTY_slab, include/linux/page-flags.h@6.12.19"),
    row!(WrongSlabCacheWarnsAlways, r(5, 9), between(p(4, 19, 255), p(6, 1, 119)), "cache_from_obj(), mm/slab.h@6.6.57:661 (WARN with hardened freelists or debug); WARN_ON_ONCE after pr_err, mm/slab.h@4.19.255:378-380"),
    row!(SlubDebugInuseCheck, r(5, 19), between(p(4, 19, 255), p(6, 1, 119)), "free_debug_processing(), mm/slub.c@6.1.119 and @6.6.0 (\"Slab has %d allocated objects but %d are to be freed\")"),
    row!(SlubDebugChecksAll, r(6, 12), between(p(6, 6, 57), p(6, 12, 10)), "check_object(), mm/slub.c@6.12.19 (ret = 0 and go on; one print_trailer)"),
    row!(SlubDebugPaddingFails, r(6, 12), between(p(6, 6, 57), p(6, 12, 10)), "check_object(), mm/slub.c@6.12.19 (check_pad_bytes() result counted)"),
    row!(KvmallocAnyGfp, r(5, 18), between(p(5, 15, 135), p(6, 1, 119)), "kvmalloc_node(), mm/util.c@6.6.0:585-635 (no GFP_KERNEL check); the check is in mm/util.c@4.19.255 and @5.15.135"),
    row!(KvmallocModern, r(6, 1), between(p(5, 15, 135), p(6, 1, 119)), "kvmalloc_node(), mm/util.c@6.6.0:585-635: __GFP_NOFAIL stripped, !gfpflags_allow_blocking bails out, INT_MAX WARN, VM_ALLOW_HUGE_VMAP"),
    row!(VfreeRemoveVmArea, r(6, 3), between(p(6, 1, 119), p(6, 6, 0)), "vfree() and remove_vm_area(), mm/vmalloc.c@6.6.57:2708 and :2843; __vunmap() @4.19.255"),
    row!(VfreeMightSleepFirst, r(5, 9), between(p(4, 19, 255), p(6, 1, 119)), "vfree(): might_sleep_if(!in_interrupt()), mm/vmalloc.c@6.1.119:2791; might_sleep() in vfree(), mm/vmalloc.c@6.6.57:2836"),
    Row { change: VmallocAreaNowarn, since: r(5, 13), backports: &[], until: Some((r(6, 3), &[])), known: between(p(4, 19, 255), p(6, 1, 119)), source: "__vmalloc_area_node(): gfp_mask |= __GFP_NOWARN, mm/vmalloc.c@6.1.119:3038, before the warn_alloc() calls at :3051, :3079, :3107; absent @6.6.0 (only vm_area_alloc_pages() gets __GFP_NOWARN); the release that removed it is not pinned down" },
    row!(VunmapChecksMissingArea, r(5, 7), backports &[p(4, 19, 126)], Exact, "__vunmap() checks find_vm_area() before use; in the 4.19.126 release announcement; absent @4.19.124, present @4.19.127 and @4.19.255"),
    row!(VmallocHugeFailureQuiet, r(6, 4), between(p(6, 1, 119), p(6, 6, 0)), "__vmalloc_area_node(): `if (!fatal_signal_pending(current) && page_order == 0)` and \"vmalloc error: size %lu, failed to allocate pages\", mm/vmalloc.c@6.6.57:3174-3177; \"…, page order %u, failed to allocate pages\" for any order @6.1.119:3078-3081; \"mm/vmalloc: do not output a spurious warning when huge vmalloc() fails\" (6.4)"),
    row!(VmallocErrorWording, r(5, 13), between(p(4, 19, 255), p(6, 1, 119)), "warn_alloc(\"vmalloc error: size %lu, ...\"), mm/vmalloc.c@6.6.0"),
    row!(VmallocRangeRestrictedWording, r(6, 9), between(p(6, 6, 57), p(6, 12, 10)), "__vmalloc_node_range_noprof(), mm/vmalloc.c@6.12.19 (\"vmalloc_node_range for size %lu failed: Address range restricted\")"),
    row!(VmallocFailMaskHighmem, r(5, 13), between(p(4, 19, 255), p(6, 1, 119)), "__vmalloc_area_node(), mm/vmalloc.c@6.6.0 (gfp_mask | __GFP_HIGHMEM)"),
    row!(VmallocNoPgprot, r(5, 8), between(p(4, 19, 255), p(6, 1, 119)), "88dca4ca5a93 (5.8): __vmalloc(size, gfp_mask), include/linux/vmalloc.h@6.6.0"),
    row!(VmallocPagesArrayPlainGfp, r(5, 13), between(p(4, 19, 255), p(6, 1, 119)), "__vmalloc_area_node(): __vmalloc_node(array_size, 1, nested_gfp, ...), mm/vmalloc.c@6.6.0; nested_gfp|__GFP_HIGHMEM @4.19.255"),
    row!(VmallocBulkPages, r(5, 13), between(p(4, 19, 255), p(6, 1, 119)), "vm_area_alloc_pages() with alloc_pages_bulk_array_mempolicy(), mm/vmalloc.c@6.6.0"),
    row!(HugeVmap, r(5, 13), between(p(4, 19, 255), p(6, 1, 119)), "VM_ALLOW_HUGE_VMAP / vm_area_alloc_pages() huge mappings, mm/vmalloc.c@6.6.0"),
    Row { change: KvreallocWithOldSize, since: r(5, 15), backports: &[], until: Some((r(6, 12), &[])), known: between(p(4, 19, 255), p(6, 1, 119)), source: "kvrealloc(p, oldsize, newsize, flags), mm/util.c@6.6.0; absent @4.19.255; kvrealloc(p, size, flags) @6.12.19" },
    row!(KvreallocVrealloc, r(6, 12), between(p(6, 6, 57), p(6, 12, 10)), "vrealloc_noprof(), mm/vmalloc.c@6.12.19; kvrealloc_noprof(p, size, flags), mm/util.c@6.12.19"),
    row!(KreallocZeroesSpare, r(6, 11), backports &[p(6, 6, 49), p(6, 1, 119)], between(p(6, 6, 48), p(6, 6, 55)), "__do_krealloc() \"Zero out spare memory\", mm/slab_common.c@6.6.57:1391-1396; absent in lxdklp/linux-6.6.y's \"up to 6.6.48\" merge (141b9ec19), present in its \"up to 6.6.55\" merge (650fb825d)"),
    row!(VmallocUsedCounted, r(5, 2), between(p(4, 19, 255), p(6, 1, 119)), "meminfo_proc_show(): VmallocUsed is vmalloc_nr_pages(), fs/proc/meminfo.c@6.6.0; 0 @4.19.255"),
    row!(MeminfoPageTablesPmd, r(5, 19), between(p(4, 19, 255), p(6, 1, 119)), "NR_PAGETABLE counts kernel page tables, fs/proc/meminfo.c@6.6.0"),
    row!(MeminfoPageTablesPud, r(6, 12), between(p(6, 6, 57), p(6, 12, 10)), "NR_PAGETABLE counts PUD tables, fs/proc/meminfo.c@6.12.19"),
    row!(VmstatItems6, r(6, 0), between(p(4, 19, 255), p(6, 1, 119)), "vmstat_text[], mm/vmstat.c@4.19.255 vs @6.6.0; fs/proc/meminfo.c@6.6.0"),
    row!(VmstatItems6_12, r(6, 12), between(p(6, 6, 57), p(6, 12, 10)), "vmstat_text[], mm/vmstat.c@6.12.19"),
    row!(ZoneinfoPromo, r(6, 8), between(p(6, 6, 57), p(6, 8, 0)), "zoneinfo_show_print() \"promo\", mm/vmstat.c@6.12.19; absent @6.6.57 (fact sheet: 6.8+)"),
    Row { change: VmallocinfoMergesLazy, since: r(5, 9), backports: &[], until: Some((r(6, 9), &[])), known: between(p(4, 19, 255), p(6, 1, 119)), source: "s_show() over purge_vmap_area_list merged by merge_or_add_vmap_area(), mm/vmalloc.c@6.1.119 and @6.6.0; per-node lists @6.12.19" },
    row!(VmallocinfoLazyLast, r(5, 13), between(p(4, 19, 255), p(6, 1, 119)), "show_purge_info() after the busy areas, mm/vmalloc.c@6.1.119 and @6.6.0"),
    row!(ZoneinfoSkipsHiddenItems, r(4, 20), backports &[p(4, 19, 37)], between(p(4, 19, 0), p(4, 19, 37)), "zoneinfo_show_print(): the empty-named item printed @4.19.0 (mm/vmstat.c:1164, 1547-1554), skipped @4.19.255 (mm/vmstat.c:1548-1551); queued for 4.19.y on 2019-04-18, so in 4.19.37 at the latest"),
];

/// The bit of `change` in a profile's change set.
pub(super) fn bit(change: Change) -> u128 {
    1 << (change as u32)
}

/// Every change `release` has, as a set of [`bit`]s.
pub(super) fn set_of(release: Release) -> u128 {
    CHANGES
        .iter()
        .filter(|row| row.applies(release))
        .fold(0, |set, row| set | bit(row.change))
}

/// Whether `change` applies to `release`. A release without a point
/// release counts as its `.0`.
pub fn applies(change: Change, release: Release) -> bool {
    CHANGES
        .iter()
        .find(|row| row.change == change)
        .is_some_and(|row| row.applies(release))
}

impl Row {
    /// Whether `release` has this change: it reached the release (in
    /// mainline or by a backport to its series) and its undoing did not.
    fn applies(&self, release: Release) -> bool {
        let release = Release::new(release.major, release.minor, release.patch.unwrap_or(0));
        let reached = |since: Release, backports: &[Release]| {
            release >= since
                || backports
                    .iter()
                    .any(|b| b.series_only() == release.series_only() && release >= *b)
        };
        reached(self.since, self.backports)
            && !self
                .until
                .is_some_and(|(until, backports)| reached(until, backports))
    }
}
