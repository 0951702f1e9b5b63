//! The SLUB allocator's kmalloc caches, as each modelled release builds
//! them on x86_64 (mm/slub.c, mm/slab_common.c, include/linux/slab.h).
//!
//! - Caches: `kmalloc-8` … `kmalloc-8192` plus 96 and 192 (`kmalloc-8k` and
//!   the other short names from 4.20 on). 4.19 has a second array of
//!   `dma-kmalloc-*` caches; 6.x has `kmalloc-rcl-*`, `dma-kmalloc-*` and
//!   `kmalloc-cg-*` beside the normal ones, chosen by `kmalloc_type()`.
//! - Slab order and objects per slab follow `calculate_order()` for the
//!   machine's CPU count.
//! - Each slab is a block of real frames from the buddy allocator. Its free
//!   objects form a LIFO freelist, so `kfree` then `kmalloc` of the same size
//!   returns the same address. With `CONFIG_SLAB_FREELIST_RANDOM` (on in
//!   distribution kernels) a new slab's freelist starts at a random point of
//!   the cache's shuffled sequence (`shuffle_freelist()`); the randomness is
//!   drawn from the machine's seed, so runs repeat.
//! - Allocation takes from CPU 0's slab, then from the node's partial list,
//!   then asks for a new slab. A free into a full slab puts it on the partial
//!   list's tail; a slab that becomes empty while the node already has
//!   `min_partial` partial slabs goes back to the page allocator.
//!   Per-CPU partial lists (`CONFIG_SLUB_CPU_PARTIAL`) are not modelled.

use std::collections::VecDeque;
use std::fmt::Write;

use crate::addr::{Order, Pfn, PAGE_SIZE};
use crate::profile::{Change, Profile};

/// `KMALLOC_MAX_CACHE_SIZE`: larger requests go to the page allocator.
pub const KMALLOC_MAX_CACHE_SIZE: u64 = 8192;
/// `KMALLOC_MAX_SIZE`: 4 MiB (order 10).
pub const KMALLOC_MAX_SIZE: u64 = 4 << 20;
/// `ZERO_SIZE_PTR`, what `kmalloc(0)` returns.
pub const ZERO_SIZE_PTR: u64 = 16;
/// `MAX_OBJS_PER_PAGE`.
const MAX_OBJS_PER_PAGE: u32 = 32767;
/// `slub_max_order` = `PAGE_ALLOC_COSTLY_ORDER`.
const SLUB_MAX_ORDER: u32 = 3;
/// `MAX_ORDER` as 4.19 counts it (orders below it are valid).
const MAX_ORDER_4_19: u32 = 11;

/// `size_index[]`: the kmalloc index for sizes 1–192, by `(size - 1) / 8`
/// (4.19 mm/slab_common.c; `kmalloc_size_index` in 6.12).
const SIZE_INDEX: [u8; 24] = [
    3, 4, 5, 5, 6, 6, 6, 6, 1, 1, 1, 1, 7, 7, 7, 7, 2, 2, 2, 2, 2, 2, 2, 2,
];

/// The kmalloc index of `size` (`kmalloc_slab()`'s lookup): 1 is the
/// 96-byte cache, 2 the 192-byte one, 3–13 the powers of two 8–8192. None
/// for 0 (`ZERO_SIZE_PTR`) and above [`KMALLOC_MAX_CACHE_SIZE`].
pub fn kmalloc_index(size: u64) -> Option<u8> {
    match size {
        0 => None,
        1..=192 => Some(SIZE_INDEX[((size - 1) / 8) as usize]),
        193..=KMALLOC_MAX_CACHE_SIZE => Some((u64::BITS - (size - 1).leading_zeros()) as u8),
        _ => None,
    }
}

/// The object size of kmalloc index `index`.
pub fn kmalloc_size(index: u8) -> u32 {
    match index {
        1 => 96,
        2 => 192,
        i => 1 << i,
    }
}

/// The kmalloc indexes of type `kind` in the order
/// `create_kmalloc_caches()` creates them: 96 after 64 and 192 after 128
/// inside the loop, until 96 and 192 were made first; 4.19's separate DMA
/// loop walks the indexes in order, so its 96 and 192 come first too.
fn creation_order(profile: &Profile, kind: KmallocType) -> Vec<u8> {
    let dma_loop = kind == KmallocType::Dma && !profile.has(Change::KmallocTypeLoop);
    if dma_loop || profile.has(Change::Kmalloc96And192First) {
        vec![1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]
    } else {
        vec![3, 4, 5, 6, 1, 7, 2, 8, 9, 10, 11, 12, 13]
    }
}

/// Which array a kmalloc cache belongs to (`enum kmalloc_cache_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KmallocType {
    /// `kmalloc-<n>`.
    Normal,
    /// `kmalloc-rnd-<NN>-<n>` (6.x with CONFIG_RANDOM_KMALLOC_CACHES): one
    /// of the 15 copies of the normal caches, 1 to 15.
    Random(u8),
    /// `kmalloc-rcl-<n>` (6.x), for `__GFP_RECLAIMABLE`.
    Reclaim,
    /// `dma-kmalloc-<n>`, for `__GFP_DMA`.
    Dma,
    /// `kmalloc-cg-<n>` (6.x), for `__GFP_ACCOUNT`.
    Cgroup,
}

/// `RANDOM_KMALLOC_CACHES_NR`: copies of the normal caches.
pub const RANDOM_KMALLOC_CACHES_NR: u8 = 15;
/// `GOLDEN_RATIO_64` (include/linux/hash.h).
const GOLDEN_RATIO_64: u64 = 0x61c8_8646_80b5_83eb;

impl KmallocType {
    /// The types a release creates, in creation order: `enum
    /// kmalloc_cache_type` with CONFIG_ZONE_DMA and CONFIG_MEMCG (NORMAL,
    /// the random copies when configured, RECLAIM, DMA, CGROUP in 6.6+;
    /// CGROUP before RECLAIM when it was new; 4.19 normal then DMA).
    pub fn of(profile: &Profile, random_caches: bool) -> Vec<KmallocType> {
        let mut kinds = vec![KmallocType::Normal];
        if random_caches && profile.has(Change::RandomKmallocCaches) {
            kinds.extend((1..=RANDOM_KMALLOC_CACHES_NR).map(KmallocType::Random));
        }
        let cgroup = profile.has(Change::KmallocCgroupCaches);
        let cgroup_last = profile.has(Change::KmallocCgroupTypeLast);
        if cgroup && !cgroup_last {
            kinds.push(KmallocType::Cgroup);
        }
        if profile.has(Change::KmallocReclaimCaches) {
            kinds.push(KmallocType::Reclaim);
        }
        kinds.push(KmallocType::Dma);
        if cgroup && cgroup_last {
            kinds.push(KmallocType::Cgroup);
        }
        kinds
    }

    /// `kmalloc_type()`: `__GFP_DMA` first, then `__GFP_RECLAIMABLE`, then
    /// `__GFP_ACCOUNT`, each once its caches exist (4.19's
    /// `kmalloc_slab()` only tests `GFP_DMA`). A normal request goes to
    /// [`KmallocType::random_copy`] when the random caches exist.
    pub fn choose(profile: &Profile, dma: bool, reclaimable: bool, account: bool) -> KmallocType {
        if dma {
            KmallocType::Dma
        } else if reclaimable && profile.has(Change::KmallocReclaimCaches) {
            KmallocType::Reclaim
        } else if account && profile.has(Change::KmallocCgroupCaches) {
            KmallocType::Cgroup
        } else {
            KmallocType::Normal
        }
    }

    /// CONFIG_RANDOM_KMALLOC_CACHES: the normal cache or one of its copies,
    /// `hash_64(caller ^ random_kmalloc_seed, ilog2(16))`, so each call site
    /// always uses the same copy.
    pub fn random_copy(caller: u64, seed: u64) -> KmallocType {
        match ((caller ^ seed).wrapping_mul(GOLDEN_RATIO_64) >> 60) as u8 {
            0 => KmallocType::Normal,
            n => KmallocType::Random(n),
        }
    }

    /// The cache name of this type for `index` (`kmalloc_info[]`).
    pub fn cache_name(self, profile: &Profile, index: u8) -> String {
        let size = kmalloc_size(index);
        let size = if profile.has(Change::KmallocShortNames) && size >= 1024 {
            format!("{}k", size / 1024)
        } else {
            size.to_string()
        };
        match self {
            KmallocType::Normal => format!("kmalloc-{size}"),
            KmallocType::Random(n) => format!("kmalloc-rnd-{n:02}-{size}"),
            KmallocType::Reclaim => format!("kmalloc-rcl-{size}"),
            KmallocType::Dma => format!("dma-kmalloc-{size}"),
            KmallocType::Cgroup => format!("kmalloc-cg-{size}"),
        }
    }
}

/// How a kernel's SLUB is built and booted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SlubOptions {
    /// CONFIG_SLAB_FREELIST_RANDOM.
    pub freelist_random: bool,
    /// `slub_debug` on the command line.
    pub debug: bool,
    /// CONFIG_RANDOM_KMALLOC_CACHES (6.x only).
    pub random_caches: bool,
}

/// `order_objects()`: objects of `size` in a slab of `order`.
fn order_objects(order: u32, size: u32) -> u32 {
    ((PAGE_SIZE << order) / u64::from(size)) as u32
}

/// `get_order(size)` as a number.
fn get_order(size: u64) -> u32 {
    u32::from(Order::for_size(size).as_u8())
}

fn fls(x: u32) -> u32 {
    u32::BITS - x.leading_zeros()
}

/// The first order from `min_order` whose leftover is at most
/// 1/`fract_leftover` of the slab (`slab_order()` / `calc_slab_order()`).
fn calc_slab_order(size: u32, min_order: u32, max_order: u32, fract_leftover: u32) -> u32 {
    let mut order = min_order;
    while order <= max_order {
        let slab_size = (PAGE_SIZE << order) as u32;
        if slab_size % size <= slab_size / fract_leftover {
            break;
        }
        order += 1;
    }
    order
}

/// `calculate_order()`: the slab order of a cache of `size`-byte objects
/// on a machine with `cpus` CPUs. `min_objects` is `4 * (fls(cpus) + 1)`.
/// Until 6.8 it lowers `min_objects` one at a time until a layout wastes
/// little enough (mm/slub.c@4.19.255, @6.6.57:4137-4199); from 6.8 it keeps
/// it and accepts up to half a slab of waste (mm/slub.c@6.12.19).
pub fn calculate_order(profile: &Profile, size: u32, cpus: u32) -> u32 {
    let size = size.max(1);
    let max_objects = order_objects(SLUB_MAX_ORDER, size).max(1);
    let mut min_objects = (4 * (fls(cpus) + 1)).min(max_objects);
    match profile.has(Change::SlubOrderKeepsMinObjects) {
        false => {
            let slab_order = |min_objects: u32, max_order: u32, fraction: u32| {
                if order_objects(0, size) > MAX_OBJS_PER_PAGE {
                    return get_order(u64::from(size) * u64::from(MAX_OBJS_PER_PAGE)) - 1;
                }
                let min_order = get_order(u64::from(min_objects) * u64::from(size));
                calc_slab_order(size, min_order, max_order, fraction)
            };
            while min_objects > 1 {
                let mut fraction = 16;
                while fraction >= 4 {
                    let order = slab_order(min_objects, SLUB_MAX_ORDER, fraction);
                    if order <= SLUB_MAX_ORDER {
                        return order;
                    }
                    fraction /= 2;
                }
                min_objects -= 1;
            }
            let order = slab_order(1, SLUB_MAX_ORDER, 1);
            if order <= SLUB_MAX_ORDER {
                return order;
            }
            slab_order(1, MAX_ORDER_4_19, 1).min(MAX_ORDER_4_19 - 1)
        }
        true => {
            let min_order = get_order(u64::from(min_objects) * u64::from(size));
            if order_objects(min_order, size) > MAX_OBJS_PER_PAGE {
                return get_order(u64::from(size) * u64::from(MAX_OBJS_PER_PAGE)) - 1;
            }
            let mut fraction = 16;
            while fraction > 1 {
                let order = calc_slab_order(size, min_order, SLUB_MAX_ORDER, fraction);
                if order <= SLUB_MAX_ORDER {
                    return order;
                }
                fraction /= 2;
            }
            get_order(u64::from(size))
        }
    }
}

/// `set_min_partial(s, ilog2(s->size) / 2)`, clamped to 5–10.
fn min_partial(size: u32) -> u64 {
    u64::from((size.max(1).ilog2() / 2).clamp(5, 10))
}

/// The `kmem_cache_create()` flags the simulation models. Their bit values
/// differ between releases (6.12 numbers them from an enum), so they are
/// kept by meaning.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SlabFlags {
    /// `SLAB_HWCACHE_ALIGN`: align objects to cache lines.
    pub hwcache_align: bool,
    /// `SLAB_ACCOUNT`: charge objects to the memory cgroup.
    pub account: bool,
    /// `SLAB_RECLAIM_ACCOUNT`: reclaimable objects.
    pub reclaim_account: bool,
    /// `SLAB_CACHE_DMA`: objects from ZONE_DMA.
    pub cache_dma: bool,
    /// `SLAB_TYPESAFE_BY_RCU`: never merged; free pointer after the object.
    pub typesafe_by_rcu: bool,
    /// `SLAB_NO_MERGE` (6.x): the 6.x kmalloc-* caches carry it with
    /// CONFIG_MEMCG_KMEM.
    pub no_merge: bool,
    /// `SLAB_KMALLOC` (6.x): a kmalloc cache.
    pub kmalloc: bool,
    /// A usercopy region (`usersize`): kmalloc caches are whitelisted for
    /// copies to user space, all but 4.19's `dma-kmalloc-*`, and
    /// `slab_unmergeable()` keeps other caches from merging into them.
    pub usercopy: bool,
}

impl SlabFlags {
    /// `SLAB_MERGE_SAME`: flags two caches must share to merge.
    fn merge_same(self) -> (bool, bool, bool) {
        (self.reclaim_account, self.cache_dma, self.account)
    }

    /// `SLAB_NEVER_MERGE` (of the modelled flags; slub_debug's flags are
    /// in it too, see [`Slub::find_mergeable`]).
    fn never_merge(self) -> bool {
        self.typesafe_by_rcu || self.no_merge
    }
}

/// `sizeof(struct track)`: 16 return addresses (CONFIG_STACKTRACE) until
/// the stack depot held them, then a handle (mm/slub.c).
fn track_size(profile: &Profile) -> u32 {
    if profile.has(Change::SlubTrackStackDepot) {
        32
    } else {
        152
    }
}

/// Where the parts of an object lie: `calculate_sizes()` (mm/slub.c), with
/// `slub_debug`'s default flags (consistency checks, red zones, poisoning,
/// user tracking) when `debug`. Offsets are from the object pointer;
/// objects start `red_left_pad` bytes into each `size`-byte slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ObjectLayout {
    /// `s->object_size`.
    pub object_size: u32,
    /// `s->inuse`: the object and, with red zones, its right red zone.
    pub inuse: u32,
    /// `s->offset`: where the free pointer is stored. 4.19 keeps it in the
    /// first word, 6.x in the middle (`ALIGN_DOWN(object_size / 2, 8)`);
    /// poisoning or SLAB_TYPESAFE_BY_RCU move it after the object.
    pub fp_offset: u32,
    /// `s->red_left_pad`: the left red zone (aligned to the cache's
    /// alignment).
    pub red_left_pad: u32,
    /// `s->size`: the stride of objects in a slab.
    pub size: u32,
    /// 6.x kmalloc caches under slub_debug store the requested size
    /// (`orig_size`); from 6.2 they red-zone the unused tail ("kmalloc
    /// Redzone").
    pub orig_size: bool,
    /// Where the padding (POISON_INUSE 0x5a) starts, after the free pointer
    /// and the tracking data.
    pub padding_start: u32,
}

impl ObjectLayout {
    /// The layout of a cache of `object_size`-byte objects.
    pub fn of(
        profile: &Profile,
        object_size: u32,
        align: u32,
        flags: SlabFlags,
        debug: bool,
    ) -> ObjectLayout {
        let word = 8;
        let mut size = object_size.max(1).next_multiple_of(word);
        if debug && size == object_size {
            size += word;
        }
        let inuse = size;
        let fp_outside = debug || flags.typesafe_by_rcu;
        let fp_offset = if fp_outside {
            let at = size;
            size += word;
            at
        } else if profile.has(Change::FreePointerMidObject) {
            (object_size / 2) / word * word
        } else {
            0
        };
        let mut orig_size = false;
        let mut red_left_pad = 0;
        if debug {
            size += 2 * track_size(profile);
            if profile.has(Change::SlubKmallocOrigSize) && flags.kmalloc {
                size += 4;
                orig_size = true;
            }
        }
        let padding_start = size;
        let align = align.max(word);
        if debug {
            size += word;
            red_left_pad = word.next_multiple_of(align);
            size += red_left_pad;
        }
        ObjectLayout {
            object_size,
            inuse,
            fp_offset,
            red_left_pad,
            size: size.next_multiple_of(align),
            orig_size,
            padding_start,
        }
    }

    /// Bytes of padding after the tracking data (`size_from_object() -
    /// off` in `print_trailer()`).
    pub fn padding_len(&self) -> u32 {
        (self.size - self.red_left_pad).saturating_sub(self.padding_start)
    }
}

/// The alignment of kmalloc caches: 8 in 4.19; then power-of-two sizes
/// aligned to themselves; then every kmalloc size aligned to its lowest
/// set bit (mm/slab_common.c `create_boot_cache()`).
fn kmalloc_align(profile: &Profile, size: u32) -> u32 {
    if profile.has(Change::KmallocAlignLowestSetBit) {
        1 << size.trailing_zeros()
    } else if profile.has(Change::KmallocNaturalAlign) && size.is_power_of_two() {
        size
    } else {
        8
    }
}

/// `cache_line_size()` on x86_64.
pub const CACHE_LINE_SIZE: u32 = 64;

/// `calculate_alignment()` (mm/slab_common.c): `SLAB_HWCACHE_ALIGN` takes
/// the cache line, halved while the object fits in half of it; at least
/// `ARCH_SLAB_MINALIGN` (8 on x86_64), rounded to a word.
pub fn calculate_alignment(flags: SlabFlags, align: u32, size: u32) -> u32 {
    let mut align = align;
    if flags.hwcache_align {
        let mut ralign = CACHE_LINE_SIZE;
        while size <= ralign / 2 {
            ralign /= 2;
        }
        align = align.max(ralign);
    }
    align.max(8).next_multiple_of(8)
}

/// Why `kmem_cache_create()` failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CreateError {
    /// `-EINVAL`: no slab order can hold the object.
    TooLarge,
    /// `-EEXIST`: an unmergeable cache's sysfs directory has the name.
    NameExists,
}

impl CreateError {
    /// The errno the kernel prints.
    pub fn errno(self) -> i32 {
        match self {
            CreateError::TooLarge => -22,
            CreateError::NameExists => -17,
        }
    }
}

/// The index of the object starting at byte `offset` of a slab of `cache`
/// holding `objects` objects, if one does (`check_valid_pointer()`).
fn object_index(cache: &Cache, objects: u32, offset: u64) -> Option<u32> {
    let size = u64::from(cache.size);
    let relative = offset.checked_sub(u64::from(cache.layout.red_left_pad))?;
    (relative % size == 0 && relative / size < u64::from(objects))
        .then_some((relative / size) as u32)
}

/// A slab as slub_debug's checks and reports see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlabView {
    /// Its cache.
    pub cache: CacheId,
    /// Objects it holds.
    pub objects: u32,
    /// Objects in use.
    pub inuse: u32,
    /// The free objects, the next one handed out first.
    pub freelist: Vec<u32>,
}

/// Identifies a cache in [`Slub::caches`].
pub type CacheId = usize;

/// One `struct kmem_cache`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cache {
    /// `/proc/slabinfo` name.
    pub name: std::rc::Rc<str>,
    /// `object_size`: what the caller asked the cache for.
    pub object_size: u32,
    /// `size`: bytes an object takes in the slab.
    pub size: u32,
    /// Slab order (`oo_order(s->oo)`).
    pub order: u32,
    /// Objects per slab (`oo_objects(s->oo)`).
    pub objects: u32,
    /// `min_partial`.
    pub min_partial: u64,
    /// The kmalloc array and index it serves, if a kmalloc cache.
    pub kmalloc: Option<(KmallocType, u8)>,
    /// The flags that decide merging.
    pub flags: SlabFlags,
    /// `s->refcount`: the cache and its aliases (merged creations); 0
    /// after `kmem_cache_destroy()`.
    pub refcount: u32,
    /// Where the parts of an object lie.
    pub layout: ObjectLayout,
    /// Destroyed while objects remained: 4.19 and 6.6 leave it on the
    /// cache list (and in /proc/slabinfo), 6.12 unlinks it.
    pub leaked: bool,
    /// Slabs of the cache.
    pub nr_slabs: u64,
    cpu_slab: Option<u32>,
    partial: VecDeque<u32>,
    random_seq: Vec<u32>,
}

impl Cache {
    fn new(name: String, object_size: u32, align: u32, flags: SlabFlags, slub: &Slub) -> Cache {
        let layout = ObjectLayout::of(&slub.profile, object_size, align, flags, slub.debug);
        let size = layout.size;
        let order = calculate_order(&slub.profile, size, slub.cpus);
        Cache {
            name: name.into(),
            object_size,
            size,
            order,
            objects: order_objects(order, size),
            min_partial: min_partial(size),
            kmalloc: None,
            flags,
            refcount: 1,
            layout,
            leaked: false,
            nr_slabs: 0,
            cpu_slab: None,
            partial: VecDeque::new(),
            random_seq: Vec::new(),
        }
    }

    /// Slabs on the node's partial list.
    pub fn nr_partial(&self) -> u64 {
        self.partial.len() as u64
    }
}

/// One slab: which cache it serves and its free objects.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Slab {
    cache: CacheId,
    /// Free object indexes; the last is handed out next. A double free
    /// pushes an index twice, as the kernel's freelist then holds a cycle.
    free: Vec<u32>,
    /// Objects handed out (`inuse`), which may go negative in C after double
    /// frees; we saturate.
    inuse: u32,
    /// The slab's order: the cache's, or smaller for a fallback slab.
    order: u32,
    /// Objects the slab holds.
    objects: u32,
}

/// What [`Slub::free`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlabFree {
    /// The object went back on its slab's freelist.
    Freed {
        /// The cache.
        cache: CacheId,
        /// The slab became empty and was given back: its first frame and
        /// order, for the caller to free.
        discard: Option<(Pfn, u32)>,
    },
    /// `set_freepointer()`'s `BUG_ON(object == fp)`: the object is already
    /// the head of the freelist (CONFIG_SLAB_FREELIST_HARDENED).
    DoubleFreeDetected {
        /// The cache.
        cache: CacheId,
    },
    /// The pointer is not the start of an object of this slab.
    NotAnObject {
        /// The cache.
        cache: CacheId,
    },
    /// The frame is not the first frame of a slab.
    NotASlab,
}

/// The SLUB allocator of one kernel: its caches and slabs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slub {
    profile: Profile,
    cpus: u32,
    /// Caches in creation order (`/proc/slabinfo` prints newest first).
    pub caches: Vec<Cache>,
    /// kmalloc caches by type and index.
    kmalloc: crate::memmap::FrameMap<(KmallocType, u8), CacheId>,
    /// Slabs by their first frame.
    slabs: crate::memmap::FrameMap<u32, Slab>,
    freelist_random: bool,
    /// `CONFIG_SLAB_FREELIST_HARDENED`'s naive double-free check.
    pub freelist_hardened: bool,
    /// `slub_debug` on the command line: every cache is debugged.
    debug: bool,
    /// `random_kmalloc_seed`, drawn once the caches exist; 0 without
    /// CONFIG_RANDOM_KMALLOC_CACHES.
    pub random_seed: u64,
    rng: crate::memmap::SplitMix64,
    buckets: Option<CacheId>,
}

impl Slub {
    /// `kmem_cache_init()` + `create_kmalloc_caches()` for `profile` on a
    /// machine with `cpus` CPUs.
    pub fn boot(profile: &Profile, cpus: u32, seed: u64, options: SlubOptions) -> Slub {
        let mut slub = Slub {
            profile: profile.clone(),
            cpus,
            caches: Vec::new(),
            kmalloc: crate::memmap::FrameMap::default(),
            slabs: Default::default(),
            freelist_random: options.freelist_random,
            freelist_hardened: true,
            debug: options.debug,
            random_seed: 0,
            rng: crate::memmap::SplitMix64(seed ^ 0x5bd1_e995_1ab0_c0de),
            buckets: None,
        };
        // kmem_cache_init(): the bootstrap caches, never merged (their
        // refcount stays -1).
        let (bootstrap, buckets, bucket_users) = profile.boot_caches();
        for boot in bootstrap {
            let flags = SlabFlags {
                hwcache_align: boot.hwcache_align,
                no_merge: true,
                ..SlabFlags::default()
            };
            let align = calculate_alignment(flags, 0, boot.size);
            slub.create_cache(boot.name.to_string(), boot.size, align, flags);
        }
        let random_caches = options.random_caches && profile.has(Change::RandomKmallocCaches);
        let no_merge = profile.has(Change::KmallocNoMerge);
        let kmalloc_flag = profile.has(Change::KmallocSlabFlag);
        for kind in KmallocType::of(profile, random_caches) {
            let flags = SlabFlags {
                account: kind == KmallocType::Cgroup,
                reclaim_account: kind == KmallocType::Reclaim,
                cache_dma: kind == KmallocType::Dma,
                no_merge: matches!(kind, KmallocType::Normal | KmallocType::Random(_)) && no_merge,
                kmalloc: kmalloc_flag,
                usercopy: kind != KmallocType::Dma || profile.has(Change::DmaKmallocUsercopy),
                ..SlabFlags::default()
            };
            for index in creation_order(profile, kind) {
                let name = kind.cache_name(profile, index);
                let size = kmalloc_size(index);
                let id = slub.create_cache(name, size, kmalloc_align(profile, size), flags);
                slub.caches[id].kmalloc = Some((kind, index));
                slub.kmalloc.insert((kind, index), id);
            }
        }
        if random_caches {
            slub.random_seed = slub.next_random();
        }
        if let Some(cache) = buckets {
            let flags = SlabFlags {
                no_merge: true,
                ..SlabFlags::default()
            };
            let align = calculate_alignment(flags, 0, cache.size);
            slub.buckets =
                Some(slub.create_cache(cache.name.to_string(), cache.size, align, flags));
            for &(user, account) in bucket_users {
                slub.create_buckets(user, account);
            }
        }
        slub
    }

    /// `kmem_buckets_create(name, …)`: a SLAB_NO_MERGE cache per size of
    /// the normal kmalloc caches, in their index order (96, 192, 8, …),
    /// named after the kmalloc cache (`memdup_user-8k`).
    fn create_buckets(&mut self, user: &str, account: bool) {
        for index in 1..=13 {
            let Some(&kmalloc) = self.kmalloc.get(&(KmallocType::Normal, index)) else {
                continue;
            };
            let cache = &self.caches[kmalloc];
            let size = cache.object_size;
            let short = cache
                .name
                .split_once('-')
                .map_or("", |(_, s)| s)
                .to_string();
            let flags = SlabFlags {
                no_merge: true,
                account,
                usercopy: true,
                ..SlabFlags::default()
            };
            let align = calculate_alignment(flags, 0, size);
            self.create_cache(format!("{user}-{short}"), size, align, flags);
        }
    }

    /// The bootstrap caches `kmem_cache` and `kmem_cache_node`: every
    /// cache is an object of the first and has one of the second per
    /// node.
    pub const KMEM_CACHE: CacheId = 0;
    /// See [`Slub::KMEM_CACHE`].
    pub const KMEM_CACHE_NODE: CacheId = 1;

    /// 6.12's `kmalloc_buckets` cache, whose objects are the bucket arrays.
    pub fn buckets_cache(&self) -> Option<CacheId> {
        self.buckets
    }

    /// `kmem_cache_create(name, size, align, flags, NULL)`: an existing
    /// cache when `find_mergeable()` finds one (the alias gets no
    /// /proc/slabinfo line; the cache's refcount and object size grow),
    /// otherwise a new cache. Returns the cache and whether it was merged.
    pub fn kmem_cache_create(
        &mut self,
        name: &str,
        size: u32,
        align: u32,
        flags: SlabFlags,
    ) -> Result<(CacheId, bool), CreateError> {
        if u64::from(size) > KMALLOC_MAX_SIZE || u64::from(align) > PAGE_SIZE {
            return Err(CreateError::TooLarge);
        }
        if let Some(id) = self.find_mergeable(size, align, flags) {
            let cache = &mut self.caches[id];
            cache.refcount += 1;
            cache.object_size = cache.object_size.max(size);
            return Ok((id, true));
        }
        let unmergeable = flags.never_merge() || self.debug;
        if unmergeable
            && self
                .caches
                .iter()
                .any(|c| c.refcount > 0 && *c.name == *name)
        {
            return Err(CreateError::NameExists);
        }
        let align = calculate_alignment(flags, align, size);
        // calculate_sizes() fails when no slab order holds one object.
        let probe = Cache::new(name.to_string(), size, align, flags, self);
        if probe.objects == 0 || probe.order > u32::from(Order::MAX.as_u8()) {
            return Err(CreateError::TooLarge);
        }
        Ok((
            self.create_cache(name.to_string(), size, align, flags),
            false,
        ))
    }

    /// `find_mergeable()`: the oldest live cache an object of `size` fits
    /// in, with the same accounting flags, aligned enough, and wasting less
    /// than a word per object.
    fn find_mergeable(&self, size: u32, align: u32, flags: SlabFlags) -> Option<CacheId> {
        if flags.never_merge() || self.debug {
            return None;
        }
        let size = size.next_multiple_of(8);
        let align = calculate_alignment(flags, align, size);
        let size = size.next_multiple_of(align);
        self.caches.iter().position(|s| {
            s.refcount > 0
                && !s.flags.never_merge()
                && !s.flags.usercopy
                && size <= s.size
                && flags.merge_same() == s.flags.merge_same()
                && s.size & !(align - 1) == s.size
                && s.size - size < 8
        })
    }

    /// `kmem_cache_destroy()`: drops a reference; the last one releases
    /// the cache if it holds no objects. Returns whether objects remain,
    /// or None for a cache that is not live.
    pub fn kmem_cache_destroy(&mut self, id: CacheId) -> Option<bool> {
        let cache = self.caches.get_mut(id).filter(|c| c.refcount > 0)?;
        cache.refcount -= 1;
        if cache.refcount > 0 {
            return Some(false);
        }
        let busy = self.slabs.values().any(|s| s.cache == id && s.inuse > 0);
        self.caches[id].leaked = busy;
        Some(busy)
    }

    /// The slabs on a cache's partial list.
    pub fn partial_slabs(&self, id: CacheId) -> Vec<Pfn> {
        self.caches
            .get(id)
            .map(|c| c.partial.iter().map(|&p| Pfn::new(u64::from(p))).collect())
            .unwrap_or_default()
    }

    /// `__kmem_cache_shrink()` (also the first step of destroying a
    /// cache): the CPU slab is deactivated (back on the partial list if it
    /// has free objects) and every empty slab is released. Returns their
    /// first frames and orders, for the caller to give back.
    pub fn shrink(&mut self, id: CacheId) -> Vec<(Pfn, u32)> {
        let Some(cache) = self.caches.get_mut(id) else {
            return Vec::new();
        };
        if let Some(cpu) = cache.cpu_slab.take() {
            if self.slabs.get(&cpu).is_some_and(|s| !s.free.is_empty()) {
                cache.partial.push_back(cpu);
            }
        }
        let mut empty: Vec<u32> = self
            .slabs
            .iter()
            .filter(|(_, s)| s.cache == id && s.inuse == 0)
            .map(|(&pfn, _)| pfn)
            .collect();
        empty.sort_unstable();
        let mut freed = Vec::new();
        for pfn in empty {
            if let Some(slab) = self.slabs.remove(&pfn) {
                freed.push((Pfn::new(u64::from(pfn)), slab.order));
            }
        }
        let cache = &mut self.caches[id];
        cache
            .partial
            .retain(|p| freed.iter().all(|&(f, _)| f.as_u64() != u64::from(*p)));
        cache.nr_slabs -= freed.len() as u64;
        freed
    }

    /// A new cache, unmerged.
    fn create_cache(
        &mut self,
        name: String,
        object_size: u32,
        align: u32,
        flags: SlabFlags,
    ) -> CacheId {
        let mut cache = Cache::new(name, object_size, align, flags, self);
        if self.freelist_random && cache.objects >= 2 {
            // freelist_randomize(): Fisher-Yates over 0..objects.
            let mut seq: Vec<u32> = (0..cache.objects).collect();
            for i in (1..seq.len()).rev() {
                let j = (self.next_random() % (i as u64 + 1)) as usize;
                seq.swap(i, j);
            }
            cache.random_seq = seq;
        }
        self.caches.push(cache);
        self.caches.len() - 1
    }

    fn next_random(&mut self) -> u64 {
        self.rng.next_u64()
    }

    /// The kmalloc cache serving `size` bytes of `kind`, if any.
    pub fn kmalloc_cache(&self, kind: KmallocType, size: u64) -> Option<CacheId> {
        self.kmalloc.get(&(kind, kmalloc_index(size)?)).copied()
    }

    /// An object from the CPU slab or the partial list: the slab's first
    /// frame and the object's byte offset in it. None means a new slab is
    /// needed ([`Slub::add_slab`]).
    pub fn alloc(&mut self, id: CacheId) -> Option<(Pfn, u64)> {
        loop {
            let cache = self.caches.get_mut(id)?;
            let slab_pfn = match cache.cpu_slab {
                Some(pfn) => pfn,
                None => {
                    let pfn = cache.partial.pop_front()?;
                    cache.cpu_slab = Some(pfn);
                    pfn
                }
            };
            let size = u64::from(cache.size);
            let red_left_pad = u64::from(cache.layout.red_left_pad);
            let slab = self.slabs.get_mut(&slab_pfn)?;
            match slab.free.pop() {
                Some(index) => {
                    slab.inuse = slab.inuse.saturating_add(1);
                    let offset = u64::from(index) * size + red_left_pad;
                    return Some((Pfn::new(u64::from(slab_pfn)), offset));
                }
                // Exhausted: the slab is full and leaves the CPU; SLUB
                // keeps no list of full slabs.
                None => self.caches[id].cpu_slab = None,
            }
        }
    }

    /// A new slab of `id` and `order` at `pfn` (its frames come from the
    /// page allocator; `order` is the cache's, or smaller when
    /// `allocate_slab()` fell back) becomes the CPU slab, its freelist set up
    /// as `allocate_slab()` does, shuffled when freelists are randomized.
    pub fn add_slab(&mut self, id: CacheId, pfn: Pfn, order: u32) {
        let Some(cache) = self.caches.get(id) else {
            return;
        };
        let objects = order_objects(order, cache.size).min(cache.objects);
        let sequence: Vec<u32> = if cache.random_seq.len() >= 2 {
            let count = cache.random_seq.len() as u64;
            let seq = cache.random_seq.clone();
            let pos = (self.next_random() % count) as usize;
            (0..seq.len())
                .map(|i| seq[(pos + i) % seq.len()])
                .filter(|&i| i < objects)
                .collect()
        } else {
            (0..objects).collect()
        };
        // The first of `sequence` is handed out first: the stack is reversed.
        let free: Vec<u32> = sequence.into_iter().rev().collect();
        let key = pfn.as_u64() as u32;
        self.slabs.insert(
            key,
            Slab {
                cache: id,
                free,
                inuse: 0,
                order,
                objects,
            },
        );
        let cache = &mut self.caches[id];
        cache.nr_slabs += 1;
        // The CPU slab it replaces (if any) was full.
        cache.cpu_slab = Some(key);
    }

    /// The cache of the slab starting at `pfn`, if it is one.
    pub fn cache_of(&self, pfn: Pfn) -> Option<CacheId> {
        self.slabs.get(&(pfn.as_u64() as u32)).map(|s| s.cache)
    }

    /// `kfree()` of the object at byte `offset` of the slab starting at
    /// `pfn` (`do_slab_free()` / `__slab_free()`).
    pub fn free(&mut self, pfn: Pfn, offset: u64) -> SlabFree {
        let key = pfn.as_u64() as u32;
        let Some(slab) = self.slabs.get_mut(&key) else {
            return SlabFree::NotASlab;
        };
        let id = slab.cache;
        let cache = &mut self.caches[id];
        let Some(index) = object_index(cache, slab.objects, offset) else {
            return SlabFree::NotAnObject { cache: id };
        };
        if self.freelist_hardened && !self.debug && slab.free.last() == Some(&index) {
            return SlabFree::DoubleFreeDetected { cache: id };
        }
        let was_full = slab.free.is_empty();
        slab.free.push(index);
        slab.inuse = slab.inuse.saturating_sub(1);
        let is_cpu_slab = cache.cpu_slab == Some(key);
        if is_cpu_slab {
            return SlabFree::Freed {
                cache: id,
                discard: None,
            };
        }
        if slab.inuse == 0 && cache.nr_partial() >= cache.min_partial {
            // slab_empty: off the partial list and back to the buddy.
            cache.partial.retain(|&p| p != key);
            cache.nr_slabs -= 1;
            let order = slab.order;
            self.slabs.remove(&key);
            return SlabFree::Freed {
                cache: id,
                discard: Some((pfn, order)),
            };
        }
        if was_full {
            cache.partial.push_back(key);
        }
        SlabFree::Freed {
            cache: id,
            discard: None,
        }
    }

    /// Whether every cache is debugged (`slub_debug`).
    pub fn debug(&self) -> bool {
        self.debug
    }

    /// The slab starting at `pfn`, for slub_debug's checks.
    pub fn slab_view(&self, pfn: Pfn) -> Option<SlabView> {
        let slab = self.slabs.get(&(pfn.as_u64() as u32))?;
        Some(SlabView {
            cache: slab.cache,
            objects: slab.objects,
            inuse: slab.inuse,
            freelist: slab.free.iter().rev().copied().collect(),
        })
    }

    /// The object at byte `offset` of the slab at `pfn`, if one starts there.
    pub fn object_at(&self, pfn: Pfn, offset: u64) -> Option<u32> {
        let slab = self.slabs.get(&(pfn.as_u64() as u32))?;
        object_index(&self.caches[slab.cache], slab.objects, offset)
    }

    /// slub_debug's "Marking all objects used": a slab that failed a check
    /// is taken out of service (`inuse = objects`, no freelist); its memory
    /// is leaked.
    pub fn mark_all_used(&mut self, pfn: Pfn) {
        let key = pfn.as_u64() as u32;
        let Some(slab) = self.slabs.get_mut(&key) else {
            return;
        };
        slab.free.clear();
        slab.inuse = slab.objects;
        let cache = &mut self.caches[slab.cache];
        cache.partial.retain(|&p| p != key);
        if cache.cpu_slab == Some(key) {
            cache.cpu_slab = None;
        }
    }

    /// Frames held by slabs of reclaimable caches and of the others, for
    /// meminfo's SReclaimable and SUnreclaim.
    pub fn slab_pages(&self) -> (u64, u64) {
        let mut reclaimable = 0;
        let mut unreclaimable = 0;
        for slab in self.slabs.values() {
            let pages = 1u64 << slab.order;
            if self.caches[slab.cache].flags.reclaim_account {
                reclaimable += pages;
            } else {
                unreclaimable += pages;
            }
        }
        (reclaimable, unreclaimable)
    }

    /// `/proc/slabinfo` (mm/slab_common.c `slab_show`, SLUB's
    /// `get_slabinfo()`): caches newest first; free objects count as free
    /// only on partial slabs; tunables are 0 under SLUB.
    pub fn slabinfo(&self) -> String {
        let mut out = String::from("slabinfo - version: 2.1\n");
        out.push_str("# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>\n");
        let mut free_on_partial = vec![0u64; self.caches.len()];
        let mut num_objs = vec![0u64; self.caches.len()];
        for (&pfn, slab) in &self.slabs {
            num_objs[slab.cache] += u64::from(slab.objects);
            if self.caches[slab.cache].partial.contains(&pfn) {
                free_on_partial[slab.cache] += slab.free.len() as u64;
            }
        }
        for (id, cache) in self.caches.iter().enumerate().rev() {
            let listed = cache.refcount > 0
                || (cache.leaked && !self.profile.has(Change::LeakedCacheUnlisted));
            if !listed {
                continue;
            }
            let num_objs = num_objs[id];
            let active = num_objs.saturating_sub(free_on_partial[id]);
            let _ = writeln!(
                out,
                "{:<17} {:>6} {:>6} {:>6} {:>4} {:>4} : tunables {:>4} {:>4} {:>4} : slabdata {:>6} {:>6} {:>6}",
                cache.name,
                active,
                num_objs,
                cache.size,
                cache.objects,
                1u32 << cache.order,
                0,
                0,
                0,
                cache.nr_slabs,
                cache.nr_slabs,
                0
            );
        }
        out
    }
}

#[cfg(test)]
mod tests;
