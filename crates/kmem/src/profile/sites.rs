//! The site table: where each WARN, BUG and might_sleep the simulator
//! prints sits in the pinned release's tree (the line `__LINE__` gives the
//! macro, the first line of a statement spanning several) and the function
//! it is in. Every row was read from the tree named in [`super::PINNED`];
//! the table cites `file@release:line`.

use super::Series;

/// A place in the kernel that prints a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Site {
    /// `might_sleep_if()` of a blocking page allocation (4.19
    /// `prepare_alloc_pages()`; 6.x `might_alloc()`).
    AllocPagesMightSleep,
    /// `might_sleep_if()` of a blocking slab allocation (4.19
    /// `slab_pre_alloc_hook()`; 6.x `might_alloc()`).
    SlabMightSleep,
    /// The WARN of an order above the largest.
    OrderTooLarge,
    /// `__GFP_NOFAIL` without direct reclaim.
    NofailNoReclaim,
    /// `__GFP_NOFAIL` above PAGE_ALLOC_COSTLY_ORDER.
    NofailCostly,
    /// `__GFP_NOFAIL` above order 1.
    NofailOrder,
    /// `free_large_kmalloc()`'s `WARN_ON_ONCE(order == 0)`.
    FreeLargeKmalloc,
    /// `kmem_cache_destroy()`'s "Slab cache still has objects" WARN.
    KmemCacheDestroy,
    /// "Trying to vrealloc() nonexistent vm area".
    VreallocNonexistent,
    /// `cache_from_obj()`'s "Wrong slab cache".
    WrongSlabCache,
    /// kvmalloc's WARN above INT_MAX.
    KvmallocIntMax,
    /// `__vmalloc_node_range()`'s `WARN_ON_ONCE(!size)`.
    VmallocZeroSize,
    /// `alloc_vmap_area()`'s `might_sleep()`.
    VmapAreaMightSleep,
    /// The `might_sleep()` a process-context vfree reaches (4.19
    /// `remove_vm_area()`, 6.x `vfree()`).
    VfreeMightSleep,
    /// "Trying to vfree() bad address".
    VfreeBadAddress,
    /// "Trying to vfree() nonexistent vm area".
    VfreeNonexistent,
    /// `__get_vm_area_node()`'s `BUG_ON(in_interrupt())`.
    VmallocInInterrupt,
    /// `vfree()`'s `BUG_ON(in_nmi())`.
    VfreeInNmi,
    /// `vfree_atomic()`'s `BUG_ON(in_nmi())`.
    VfreeAtomicInNmi,
    /// `set_freepointer()`'s `BUG_ON(object == fp)`.
    DoubleFree,
    /// 4.19 `kfree()`'s `BUG_ON(!PageCompound(page))`.
    KfreeNotCompound,
}

/// Where a site is in one release.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SiteLine {
    /// The source file.
    pub file: &'static str,
    /// The line.
    pub line: u32,
    /// The function a `WARNING:` line names: the one the statement is in,
    /// or for an inline helper (`cache_from_obj()`, `might_alloc()`) the
    /// function it is inlined into.
    pub function: &'static str,
}

impl SiteLine {
    /// What a site the release does not have is shown as.
    pub const UNKNOWN: SiteLine = SiteLine {
        file: "mm/page_alloc.c",
        line: 0,
        function: "?",
    };

    /// `file:line`.
    pub fn location(&self) -> String {
        format!("{}:{}", self.file, self.line)
    }
}

const fn at(file: &'static str, line: u32, function: &'static str) -> SiteLine {
    SiteLine {
        file,
        line,
        function,
    }
}

use Series::*;
use Site::*;

/// Every site of every pinned release: mm/…@4.19.255 (whitehax0r
/// 0f0542cc1), @6.1.119 (linux6119 09ec286f3), @6.6.57 (lxdklp 5aa5a1b8c),
/// @6.12.19 (wishday 21ae40e85).
#[rustfmt::skip]
pub static SITES: &[(Series, Site, SiteLine)] = &[
    // 4.19.255
    (V4_19, AllocPagesMightSleep, at("mm/page_alloc.c", 4344, "prepare_alloc_pages")),
    (V4_19, SlabMightSleep, at("mm/slab.h", 422, "slab_pre_alloc_hook")),
    (V4_19, OrderTooLarge, at("mm/page_alloc.c", 4387, "__alloc_pages_nodemask")),
    (V4_19, NofailNoReclaim, at("mm/page_alloc.c", 4285, "__alloc_pages_slowpath")),
    (V4_19, NofailCostly, at("mm/page_alloc.c", 4301, "__alloc_pages_slowpath")),
    (V4_19, WrongSlabCache, at("mm/slab.h", 380, "kmem_cache_free")),
    (V4_19, VmapAreaMightSleep, at("mm/vmalloc.c", 418, "alloc_vmap_area")),
    (V4_19, VfreeMightSleep, at("mm/vmalloc.c", 1482, "remove_vm_area")),
    (V4_19, VfreeBadAddress, at("mm/vmalloc.c", 1509, "__vunmap")),
    (V4_19, VfreeNonexistent, at("mm/vmalloc.c", 1515, "__vunmap")),
    (V4_19, VmallocInInterrupt, at("mm/vmalloc.c", 1385, "__get_vm_area_node")),
    (V4_19, VfreeInNmi, at("mm/vmalloc.c", 1589, "vfree")),
    (V4_19, VfreeAtomicInNmi, at("mm/vmalloc.c", 1564, "vfree_atomic")),
    (V4_19, DoubleFree, at("mm/slub.c", 295, "set_freepointer")),
    (V4_19, KfreeNotCompound, at("mm/slub.c", 3958, "kfree")),
    // 6.1.119
    (V6_1, AllocPagesMightSleep, at("include/linux/sched/mm.h", 274, "might_alloc")),
    (V6_1, SlabMightSleep, at("include/linux/sched/mm.h", 274, "might_alloc")),
    (V6_1, OrderTooLarge, at("mm/page_alloc.c", 5566, "__alloc_pages")),
    (V6_1, NofailNoReclaim, at("mm/page_alloc.c", 5299, "__alloc_pages_slowpath")),
    (V6_1, NofailCostly, at("mm/page_alloc.c", 5315, "__alloc_pages_slowpath")),
    (V6_1, FreeLargeKmalloc, at("mm/slab_common.c", 904, "free_large_kmalloc")),
    (V6_1, KmemCacheDestroy, at("mm/slab_common.c", 493, "kmem_cache_destroy")),
    (V6_1, WrongSlabCache, at("mm/slab.h", 660, "kmem_cache_free")),
    (V6_1, KvmallocIntMax, at("mm/util.c", 596, "kvmalloc_node")),
    (V6_1, VmallocZeroSize, at("mm/vmalloc.c", 3160, "__vmalloc_node_range")),
    (V6_1, VmapAreaMightSleep, at("mm/vmalloc.c", 1608, "alloc_vmap_area")),
    (V6_1, VfreeMightSleep, at("mm/vmalloc.c", 2791, "vfree")),
    (V6_1, VfreeBadAddress, at("mm/vmalloc.c", 2687, "__vunmap")),
    (V6_1, VfreeNonexistent, at("mm/vmalloc.c", 2693, "__vunmap")),
    (V6_1, VmallocInInterrupt, at("mm/vmalloc.c", 2489, "__get_vm_area_node")),
    (V6_1, VfreeInNmi, at("mm/vmalloc.c", 2787, "vfree")),
    (V6_1, VfreeAtomicInNmi, at("mm/vmalloc.c", 2751, "vfree_atomic")),
    (V6_1, DoubleFree, at("mm/slub.c", 419, "set_freepointer")),
    // 6.6.57
    (V6_6, AllocPagesMightSleep, at("include/linux/sched/mm.h", 306, "might_alloc")),
    (V6_6, SlabMightSleep, at("include/linux/sched/mm.h", 306, "might_alloc")),
    (V6_6, OrderTooLarge, at("mm/page_alloc.c", 4410, "__alloc_pages")),
    (V6_6, NofailNoReclaim, at("mm/page_alloc.c", 4144, "__alloc_pages_slowpath")),
    (V6_6, NofailCostly, at("mm/page_alloc.c", 4160, "__alloc_pages_slowpath")),
    (V6_6, FreeLargeKmalloc, at("mm/slab_common.c", 975, "free_large_kmalloc")),
    (V6_6, KmemCacheDestroy, at("mm/slab_common.c", 498, "kmem_cache_destroy")),
    (V6_6, WrongSlabCache, at("mm/slab.h", 661, "kmem_cache_free")),
    (V6_6, KvmallocIntMax, at("mm/util.c", 632, "kvmalloc_node")),
    (V6_6, VmallocZeroSize, at("mm/vmalloc.c", 3256, "__vmalloc_node_range")),
    (V6_6, VmapAreaMightSleep, at("mm/vmalloc.c", 1600, "alloc_vmap_area")),
    (V6_6, VfreeMightSleep, at("mm/vmalloc.c", 2836, "vfree")),
    (V6_6, VfreeBadAddress, at("mm/vmalloc.c", 2708, "remove_vm_area")),
    (V6_6, VfreeNonexistent, at("mm/vmalloc.c", 2843, "vfree")),
    (V6_6, VmallocInInterrupt, at("mm/vmalloc.c", 2596, "__get_vm_area_node")),
    (V6_6, VfreeInNmi, at("mm/vmalloc.c", 2834, "vfree")),
    (V6_6, VfreeAtomicInNmi, at("mm/vmalloc.c", 2794, "vfree_atomic")),
    (V6_6, DoubleFree, at("mm/slub.c", 448, "set_freepointer")),
    // 6.12.19
    (V6_12, AllocPagesMightSleep, at("include/linux/sched/mm.h", 321, "might_alloc")),
    (V6_12, SlabMightSleep, at("include/linux/sched/mm.h", 321, "might_alloc")),
    (V6_12, OrderTooLarge, at("mm/page_alloc.c", 4730, "__alloc_pages_noprof")),
    (V6_12, NofailNoReclaim, at("mm/page_alloc.c", 4234, "__alloc_pages_slowpath")),
    (V6_12, NofailOrder, at("mm/page_alloc.c", 4229, "__alloc_pages_slowpath")),
    (V6_12, FreeLargeKmalloc, at("mm/slub.c", 4711, "free_large_kmalloc")),
    (V6_12, KmemCacheDestroy, at("mm/slab_common.c", 521, "kmem_cache_destroy")),
    (V6_12, VreallocNonexistent, at("mm/vmalloc.c", 4083, "vrealloc_noprof")),
    (V6_12, WrongSlabCache, at("mm/slub.c", 4682, "kmem_cache_free")),
    (V6_12, KvmallocIntMax, at("mm/util.c", 670, "__kvmalloc_node_noprof")),
    (V6_12, VmallocZeroSize, at("mm/vmalloc.c", 3773, "__vmalloc_node_range_noprof")),
    (V6_12, VmapAreaMightSleep, at("mm/vmalloc.c", 1972, "alloc_vmap_area")),
    (V6_12, VfreeMightSleep, at("mm/vmalloc.c", 3354, "vfree")),
    (V6_12, VfreeBadAddress, at("mm/vmalloc.c", 3226, "remove_vm_area")),
    (V6_12, VfreeNonexistent, at("mm/vmalloc.c", 3361, "vfree")),
    (V6_12, VmallocInInterrupt, at("mm/vmalloc.c", 3113, "__get_vm_area_node")),
    (V6_12, VfreeInNmi, at("mm/vmalloc.c", 3352, "vfree")),
    (V6_12, VfreeAtomicInNmi, at("mm/vmalloc.c", 3312, "vfree_atomic")),
    (V6_12, DoubleFree, at("mm/slub.c", 547, "set_freepointer")),
];

/// The line of `site` in `series`' pinned release.
pub fn line(series: Series, site: Site) -> SiteLine {
    SITES
        .iter()
        .find(|(s, k, _)| *s == series && *k == site)
        .map_or(SiteLine::UNKNOWN, |(_, _, line)| *line)
}

/// The site of `series` printed at `location` (`file:line`).
pub fn find(series: Series, location: &str) -> Option<Site> {
    SITES
        .iter()
        .find(|(s, _, line)| *s == series && line.location() == location)
        .map(|(_, site, _)| *site)
}
