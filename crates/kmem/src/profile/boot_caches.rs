//! The slab caches a booted kernel has besides the kmalloc caches: SLUB's
//! bootstrap caches `kmem_cache` and `kmem_cache_node`, and 6.12's
//! `kmalloc_buckets` with the bucket caches its two users create.
//!
//! Sizes are the size arguments of each pinned tree for the distribution
//! configuration (SLUB_DEBUG, SLUB_CPU_PARTIAL, SYSFS, NUMA with one node,
//! SLAB_FREELIST_HARDENED and _RANDOM, HARDENED_USERCOPY, MEMCG_KMEM), laid
//! out field by field from the structs.

use super::Series;

/// A cache the kernel creates at boot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BootCache {
    /// Its /proc/slabinfo name.
    pub name: &'static str,
    /// The object size passed at creation.
    pub size: u32,
    /// SLAB_HWCACHE_ALIGN.
    pub hwcache_align: bool,
}

/// `kmem_cache`: `offsetof(struct kmem_cache, node) + nr_node_ids *
/// sizeof(struct kmem_cache_node *)` with one node (mm/slub.c@4.19.255:
/// 4255-4258, @6.1.119:4849-4852, @6.6.57:5053-5056, @6.12.19:5944-5947).
/// 4.19's struct (include/linux/slub_def.h@4.19.255:82-143) has
/// `kobj_remove_work`, `memcg_params` and `max_attr_size` that 6.x lost:
/// `node` at 344; 6.x's at 216.
const fn kmem_cache(size: u32) -> BootCache {
    BootCache {
        name: "kmem_cache",
        size,
        hwcache_align: true,
    }
}

/// `kmem_cache_node`: `sizeof(struct kmem_cache_node)`, 64 bytes with
/// SLUB_DEBUG's counters and full list (mm/slab.h@4.19.255:456-484,
/// @6.1.119:752-780, @6.6.57:776-804; mm/slub.c@6.12.19:425-434).
const KMEM_CACHE_NODE: BootCache = BootCache {
    name: "kmem_cache_node",
    size: 64,
    hwcache_align: true,
};

/// The caches `kmem_cache_init()` creates before the kmalloc caches, in
/// the order `bootstrap()` lists them (`kmem_cache` first, so it prints
/// last).
pub fn before_kmalloc(series: Series) -> [BootCache; 2] {
    let size = match series {
        Series::V4_19 => 344 + 8,
        Series::V6_1 | Series::V6_6 | Series::V6_12 => 216 + 8,
    };
    [kmem_cache(size), KMEM_CACHE_NODE]
}

/// 6.12's `kmalloc_buckets` (CONFIG_SLAB_BUCKETS, default with
/// SLAB_FREELIST_HARDENED): `sizeof(kmem_buckets)`, 14 pointers, created
/// with SLAB_NO_MERGE at the end of `create_kmalloc_caches()`
/// (mm/slab_common.c@6.12.19:970-973, include/linux/slab.h@6.12.19:597).
pub fn buckets(series: Series) -> Option<BootCache> {
    match series {
        Series::V6_12 => Some(BootCache {
            name: "kmalloc_buckets",
            size: 14 * 8,
            hwcache_align: false,
        }),
        _ => None,
    }
}

/// The `kmem_buckets_create()` calls of boot, in initcall order, and
/// whether their caches are SLAB_ACCOUNT: `memdup_user` (mm/util.c@6.12.19:
/// 207) and `msg_msg` (ipc/msgutil.c@6.12.19:49). Each takes one
/// `kmalloc_buckets` object and makes a SLAB_NO_MERGE cache per kmalloc
/// size (mm/slab_common.c@6.12.19:400-440).
pub fn bucket_users(series: Series) -> &'static [(&'static str, bool)] {
    match series {
        Series::V6_12 => &[("memdup_user", false), ("msg_msg", true)],
        _ => &[],
    }
}
