//! The name table: what each path's functions are called in a pinned
//! release's call traces (renames such as the `_noprof` suffixes of 6.10
//! and the page allocator's entry point).

use super::Series;

/// A function whose name differs between releases.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Name {
    /// The page allocator's entry point.
    AllocPages,
    /// `kmalloc()` of a size the compiler does not know.
    Kmalloc,
    /// The large-kmalloc path.
    KmallocLarge,
    /// `__vmalloc_node_range()`.
    VmallocNodeRange,
    /// The loop that allocates a vmalloc area's pages.
    VmallocPages,
    /// `kmem_cache_create()`'s worker that prints its errors.
    KmemCacheCreate,
    /// `kmem_cache_alloc()`.
    KmemCacheAlloc,
    /// The might_sleep check itself.
    MightSleep,
    /// The first frame `dump_stack()` shows.
    DumpStack,
    /// Where `bad_page()` is called from on free.
    FreePageCheck,
}

use Name::*;
use Series::*;

/// Every name of every pinned release (the trees of [`super::PINNED`];
/// 6.1.119's from mm/page_alloc.c:5554, mm/slab_common.c:947 and :1067,
/// mm/vmalloc.c:3148 and :2921, mm/slab_common.c:351, mm/slub.c:3420,
/// kernel/sched/core.c:9909, lib/dump_stack.c:97, mm/page_alloc.c:1279).
#[rustfmt::skip]
pub static NAMES: &[(Series, Name, &str)] = &[
    (V4_19, AllocPages, "__alloc_pages_nodemask"),
    (V6_1, AllocPages, "__alloc_pages"),
    (V6_6, AllocPages, "__alloc_pages"),
    (V6_12, AllocPages, "__alloc_pages_noprof"),
    (V4_19, Kmalloc, "__kmalloc"),
    (V6_1, Kmalloc, "__kmalloc"),
    (V6_6, Kmalloc, "__kmalloc"),
    (V6_12, Kmalloc, "__kmalloc_noprof"),
    (V4_19, KmallocLarge, "kmalloc_order"),
    (V6_1, KmallocLarge, "__kmalloc_large_node"),
    (V6_6, KmallocLarge, "__kmalloc_large_node"),
    (V6_12, KmallocLarge, "__kmalloc_large_node"),
    (V4_19, VmallocNodeRange, "__vmalloc_node_range"),
    (V6_1, VmallocNodeRange, "__vmalloc_node_range"),
    (V6_6, VmallocNodeRange, "__vmalloc_node_range"),
    (V6_12, VmallocNodeRange, "__vmalloc_node_range_noprof"),
    (V4_19, VmallocPages, "__vmalloc_area_node"),
    (V6_1, VmallocPages, "vm_area_alloc_pages"),
    (V6_6, VmallocPages, "vm_area_alloc_pages"),
    (V6_12, VmallocPages, "vm_area_alloc_pages"),
    (V4_19, KmemCacheCreate, "kmem_cache_create"),
    (V6_1, KmemCacheCreate, "kmem_cache_create_usercopy"),
    (V6_6, KmemCacheCreate, "kmem_cache_create_usercopy"),
    (V6_12, KmemCacheCreate, "__kmem_cache_create_args"),
    (V4_19, KmemCacheAlloc, "kmem_cache_alloc"),
    (V6_1, KmemCacheAlloc, "kmem_cache_alloc"),
    (V6_6, KmemCacheAlloc, "kmem_cache_alloc"),
    (V6_12, KmemCacheAlloc, "kmem_cache_alloc_noprof"),
    (V4_19, MightSleep, "___might_sleep"),
    (V6_1, MightSleep, "__might_resched"),
    (V6_6, MightSleep, "__might_resched"),
    (V6_12, MightSleep, "__might_resched"),
    (V4_19, DumpStack, "dump_stack"),
    (V6_1, DumpStack, "dump_stack_lvl"),
    (V6_6, DumpStack, "dump_stack_lvl"),
    (V6_12, DumpStack, "dump_stack_lvl"),
    (V4_19, FreePageCheck, "free_pages_prepare"),
    (V6_1, FreePageCheck, "free_page_is_bad_report"),
    (V6_6, FreePageCheck, "free_page_is_bad_report"),
    (V6_12, FreePageCheck, "free_page_is_bad_report"),
];

/// The name of `name` in `series`' pinned release.
pub fn of(series: Series, name: Name) -> &'static str {
    NAMES
        .iter()
        .find(|(s, n, _)| *s == series && *n == name)
        .map_or("?", |(_, _, text)| text)
}
