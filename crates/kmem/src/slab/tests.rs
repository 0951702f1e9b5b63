use super::*;
use crate::profile::Series;

fn prof(series: Series) -> Profile {
    Profile::of_series(series)
}

#[test]
fn sizes_map_to_the_kernels_caches() {
    // kernel-facts §2.4: size_index[] up to 192, fls(size - 1) above.
    let expect = [
        (1, 3),
        (8, 3),
        (9, 4),
        (16, 4),
        (17, 5),
        (32, 5),
        (33, 6),
        (64, 6),
        (65, 1),
        (96, 1),
        (97, 7),
        (128, 7),
        (129, 2),
        (192, 2),
        (193, 8),
        (256, 8),
        (257, 9),
        (1024, 10),
        (1025, 11),
        (4097, 13),
        (8192, 13),
    ];
    for (size, index) in expect {
        assert_eq!(kmalloc_index(size), Some(index), "size {size}");
    }
    assert_eq!(kmalloc_index(0), None);
    assert_eq!(kmalloc_index(8193), None);
    // Every size up to 8192 fits its cache, and the next smaller one is too small.
    for size in 1..=8192u64 {
        let object = u64::from(kmalloc_size(kmalloc_index(size).unwrap()));
        assert!(object >= size);
        let smaller = [
            8u64, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192,
        ]
        .into_iter()
        .filter(|&s| s < object)
        .max()
        .unwrap_or(0);
        assert!(
            smaller < size,
            "size {size} should use the {smaller}-byte cache"
        );
    }
}

#[test]
fn cache_names_follow_each_release() {
    assert_eq!(
        KmallocType::Normal.cache_name(&prof(Series::V4_19), 13),
        "kmalloc-8192"
    );
    assert_eq!(
        KmallocType::Dma.cache_name(&prof(Series::V4_19), 10),
        "dma-kmalloc-1024"
    );
    assert_eq!(
        KmallocType::Normal.cache_name(&prof(Series::V6_6), 13),
        "kmalloc-8k"
    );
    assert_eq!(
        KmallocType::Reclaim.cache_name(&prof(Series::V6_12), 10),
        "kmalloc-rcl-1k"
    );
    assert_eq!(
        KmallocType::Cgroup.cache_name(&prof(Series::V6_12), 1),
        "kmalloc-cg-96"
    );
    assert_eq!(
        KmallocType::Dma.cache_name(&prof(Series::V6_12), 11),
        "dma-kmalloc-2k"
    );
    let old = Slub::boot(
        &prof(Series::V4_19),
        4,
        1,
        SlubOptions {
            freelist_random: true,
            debug: false,
            random_caches: false,
        },
    );
    // kmem_cache and kmem_cache_node, then 13 normal and 13 dma caches.
    assert_eq!(old.caches.len(), 28);
    assert!(old
        .caches
        .iter()
        .all(|c| !c.name.contains("rcl") && !c.name.contains("-cg-")));
    let new = Slub::boot(
        &prof(Series::V6_12),
        4,
        1,
        SlubOptions {
            freelist_random: true,
            debug: false,
            random_caches: false,
        },
    );
    // 2 bootstrap, 52 kmalloc, kmalloc_buckets and 2 x 13 bucket caches.
    assert_eq!(new.caches.len(), 81);
}

#[test]
fn kmalloc_type_priorities() {
    use KmallocType::*;
    assert_eq!(
        KmallocType::choose(&prof(Series::V6_6), true, true, true),
        Dma
    );
    assert_eq!(
        KmallocType::choose(&prof(Series::V6_6), false, true, true),
        Reclaim
    );
    assert_eq!(
        KmallocType::choose(&prof(Series::V6_6), false, false, true),
        Cgroup
    );
    assert_eq!(
        KmallocType::choose(&prof(Series::V6_6), false, false, false),
        Normal
    );
    assert_eq!(
        KmallocType::choose(&prof(Series::V4_19), false, true, true),
        Normal
    );
    assert_eq!(
        KmallocType::choose(&prof(Series::V4_19), true, false, false),
        Dma
    );
}

/// (object size, objects per slab, pages per slab) of the kmalloc caches.
fn layouts(series: Series, cpus: u32) -> Vec<(u32, u32, u32)> {
    let slub = Slub::boot(
        &prof(series),
        cpus,
        1,
        SlubOptions {
            freelist_random: false,
            debug: false,
            random_caches: false,
        },
    );
    let mut rows: Vec<(u32, u32, u32)> = slub
        .caches
        .iter()
        .filter(|c| matches!(c.kmalloc, Some((KmallocType::Normal, _))))
        .map(|c| (c.size, c.objects, 1 << c.order))
        .collect();
    rows.sort();
    rows
}

#[test]
fn slab_orders_match_real_slabinfo() {
    // What /proc/slabinfo shows for the kmalloc caches on x86_64 machines
    // with 8 CPUs (min_objects 20) and 4 CPUs (min_objects 16).
    let eight = vec![
        (8, 512, 1),
        (16, 256, 1),
        (32, 128, 1),
        (64, 64, 1),
        (96, 42, 1),
        (128, 32, 1),
        (192, 21, 1),
        (256, 32, 2),
        (512, 32, 4),
        (1024, 32, 8),
        (2048, 16, 8),
        (4096, 8, 8),
        (8192, 4, 8),
    ];
    let four = vec![
        (8, 512, 1),
        (16, 256, 1),
        (32, 128, 1),
        (64, 64, 1),
        (96, 42, 1),
        (128, 32, 1),
        (192, 21, 1),
        (256, 16, 1),
        (512, 16, 2),
        (1024, 16, 4),
        (2048, 16, 8),
        (4096, 8, 8),
        (8192, 4, 8),
    ];
    for series in [Series::V4_19, Series::V6_6, Series::V6_12] {
        assert_eq!(layouts(series, 8), eight, "{series:?}");
        assert_eq!(layouts(series, 4), four, "{series:?}");
    }
}

#[test]
fn freed_objects_are_reused_first() {
    let mut slub = Slub::boot(
        &prof(Series::V6_12),
        4,
        7,
        SlubOptions {
            freelist_random: true,
            debug: false,
            random_caches: false,
        },
    );
    let id = slub.kmalloc_cache(KmallocType::Normal, 100).unwrap();
    assert_eq!(slub.alloc(id), None, "no slab yet");
    slub.add_slab(id, Pfn::new(0x1000), slub.caches[id].order);
    let a = slub.alloc(id).unwrap();
    let b = slub.alloc(id).unwrap();
    assert_ne!(a, b);
    assert!(matches!(slub.free(a.0, a.1), SlabFree::Freed { .. }));
    assert_eq!(slub.alloc(id), Some(a));
}

#[test]
fn without_randomization_objects_come_in_address_order() {
    let mut slub = Slub::boot(
        &prof(Series::V4_19),
        4,
        7,
        SlubOptions {
            freelist_random: false,
            debug: false,
            random_caches: false,
        },
    );
    let id = slub.kmalloc_cache(KmallocType::Normal, 64).unwrap();
    slub.add_slab(id, Pfn::new(0x2000), slub.caches[id].order);
    let offsets: Vec<u64> = (0..4).map(|_| slub.alloc(id).unwrap().1).collect();
    assert_eq!(offsets, [0, 64, 128, 192]);
}

#[test]
fn randomized_freelists_hand_out_every_object_once() {
    let mut slub = Slub::boot(
        &prof(Series::V6_6),
        4,
        99,
        SlubOptions {
            freelist_random: true,
            debug: false,
            random_caches: false,
        },
    );
    let id = slub.kmalloc_cache(KmallocType::Normal, 192).unwrap();
    slub.add_slab(id, Pfn::new(0x3000), slub.caches[id].order);
    let mut offsets: Vec<u64> = (0..21).map(|_| slub.alloc(id).unwrap().1).collect();
    assert_ne!(
        offsets,
        (0..21).map(|i| i * 192).collect::<Vec<_>>(),
        "shuffled"
    );
    offsets.sort();
    assert_eq!(offsets, (0..21).map(|i| i * 192).collect::<Vec<_>>());
    assert_eq!(slub.alloc(id), None, "the slab is full");
}

#[test]
fn double_free_in_a_row_is_caught_by_the_hardened_check() {
    let mut slub = Slub::boot(
        &prof(Series::V6_12),
        4,
        1,
        SlubOptions {
            freelist_random: false,
            debug: false,
            random_caches: false,
        },
    );
    let id = slub.kmalloc_cache(KmallocType::Normal, 32).unwrap();
    slub.add_slab(id, Pfn::new(0x4000), slub.caches[id].order);
    let (pfn, offset) = slub.alloc(id).unwrap();
    slub.free(pfn, offset);
    assert_eq!(
        slub.free(pfn, offset),
        SlabFree::DoubleFreeDetected { cache: id }
    );
    // Without the check the freelist holds the object twice: two
    // allocations return the same address.
    slub.freelist_hardened = false;
    assert!(matches!(slub.free(pfn, offset), SlabFree::Freed { .. }));
    assert_eq!(slub.alloc(id), Some((pfn, offset)));
    assert_eq!(slub.alloc(id), Some((pfn, offset)));
    assert_eq!(
        slub.free(pfn, offset + 3),
        SlabFree::NotAnObject { cache: id }
    );
    assert_eq!(slub.free(Pfn::new(0x5000), 0), SlabFree::NotASlab);
}

#[test]
fn empty_slabs_go_back_beyond_min_partial() {
    let mut slub = Slub::boot(
        &prof(Series::V6_12),
        4,
        1,
        SlubOptions {
            freelist_random: false,
            debug: false,
            random_caches: false,
        },
    );
    let id = slub.kmalloc_cache(KmallocType::Normal, 4096).unwrap();
    assert_eq!(slub.caches[id].min_partial, 6);
    // Fill eight slabs of 8 objects each.
    let mut objects = Vec::new();
    for s in 0..8u64 {
        slub.add_slab(id, Pfn::new(0x10000 + s * 8), slub.caches[id].order);
        for _ in 0..8 {
            objects.push(slub.alloc(id).unwrap());
        }
    }
    // Free one object of each of the first seven (full) slabs: they join the
    // partial list.
    for s in 0..7 {
        slub.free(objects[s * 8].0, objects[s * 8].1);
    }
    assert_eq!(slub.caches[id].nr_partial(), 7);
    // Emptying a partial slab while 7 >= min_partial are partial frees it.
    let mut discarded = None;
    for o in &objects[1..8] {
        if let SlabFree::Freed {
            discard: Some(d), ..
        } = slub.free(o.0, o.1)
        {
            discarded = Some(d);
        }
    }
    assert_eq!(discarded, Some((Pfn::new(0x10000), 3)));
    assert_eq!(slub.caches[id].nr_slabs, 7);
}

#[test]
fn slabinfo_prints_the_kernels_columns() {
    let mut slub = Slub::boot(
        &prof(Series::V6_12),
        4,
        1,
        SlubOptions {
            freelist_random: false,
            debug: false,
            random_caches: false,
        },
    );
    let id = slub.kmalloc_cache(KmallocType::Normal, 8192).unwrap();
    slub.add_slab(id, Pfn::new(0x8000), slub.caches[id].order);
    slub.alloc(id);
    let text = slub.slabinfo();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("slabinfo - version: 2.1"));
    assert_eq!(
        lines.next(),
        Some("# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>")
    );
    // Newest first: the bucket caches, kmalloc_buckets, the cgroup caches,
    // down to the first normal one and the bootstrap caches (Audit D23).
    assert!(lines.next().unwrap().starts_with("msg_msg-8k "));
    let kmalloc = text.find("\nkmalloc_buckets ").unwrap();
    assert!(text[kmalloc + 1..]
        .lines()
        .nth(1)
        .unwrap()
        .starts_with("kmalloc-cg-8k "));
    assert!(text.ends_with("kmalloc-96             0      0     96   42    1 : tunables    0    0    0 : slabdata      0      0      0\nkmem_cache_node        0      0     64   64    1 : tunables    0    0    0 : slabdata      0      0      0\nkmem_cache             0      0    256   16    1 : tunables    0    0    0 : slabdata      0      0      0\n"));
    // SLUB counts the free objects of the CPU slab as active.
    assert!(text.contains("\nkmalloc-8k             4      4   8192    4    8 : tunables    0    0    0 : slabdata      1      1      0\n"));
}

/// slub_debug's object layout of every kmalloc cache (`calculate_sizes()`
/// with slub_debug's default flags FZPU) and the resulting slab order:
/// (release, CPUs, object_size, inuse, red_left_pad, size, order, objects),
/// computed from mm/slub.c and mm/slab_common.c of 4.19.0, 6.6.57 and
/// 6.12.19 (kmalloc alignment, track sizes 152 / 32, 6.x orig_size).
#[test]
fn slub_debug_layouts_of_the_kmalloc_caches() {
    let rows = [
        ("4.19", 2, 8, 16, 8, 344, 1, 23),
        ("4.19", 2, 16, 24, 8, 352, 1, 23),
        ("4.19", 2, 32, 40, 8, 368, 1, 22),
        ("4.19", 2, 64, 72, 8, 400, 1, 20),
        ("4.19", 2, 96, 104, 8, 432, 1, 18),
        ("4.19", 2, 128, 136, 8, 464, 1, 17),
        ("4.19", 2, 192, 200, 8, 528, 1, 15),
        ("4.19", 2, 256, 264, 8, 592, 1, 13),
        ("4.19", 2, 512, 520, 8, 848, 2, 19),
        ("4.19", 2, 1024, 1032, 8, 1360, 2, 12),
        ("4.19", 2, 2048, 2056, 8, 2384, 3, 13),
        ("4.19", 2, 4096, 4104, 8, 4432, 3, 7),
        ("4.19", 2, 8192, 8200, 8, 8528, 3, 3),
        ("6.6", 2, 8, 16, 8, 112, 0, 36),
        ("6.6", 2, 16, 24, 16, 128, 0, 32),
        ("6.6", 2, 32, 40, 32, 160, 0, 25),
        ("6.6", 2, 64, 72, 64, 256, 0, 16),
        ("6.6", 2, 96, 104, 8, 200, 0, 20),
        ("6.6", 2, 128, 136, 128, 384, 1, 21),
        ("6.6", 2, 192, 200, 8, 296, 0, 13),
        ("6.6", 2, 256, 264, 256, 768, 2, 21),
        ("6.6", 2, 512, 520, 512, 1536, 3, 21),
        ("6.6", 2, 1024, 1032, 1024, 3072, 3, 10),
        ("6.6", 2, 2048, 2056, 2048, 6144, 3, 5),
        ("6.6", 2, 4096, 4104, 4096, 12288, 3, 2),
        ("6.6", 2, 8192, 8200, 8192, 24576, 3, 1),
        ("6.12", 2, 8, 16, 8, 112, 0, 36),
        ("6.12", 2, 16, 24, 16, 128, 0, 32),
        ("6.12", 2, 32, 40, 32, 160, 0, 25),
        ("6.12", 2, 64, 72, 64, 256, 0, 16),
        ("6.12", 2, 96, 104, 32, 224, 0, 18),
        ("6.12", 2, 128, 136, 128, 384, 1, 21),
        ("6.12", 2, 192, 200, 64, 384, 1, 21),
        ("6.12", 2, 256, 264, 256, 768, 2, 21),
        ("6.12", 2, 512, 520, 512, 1536, 3, 21),
        ("6.12", 2, 1024, 1032, 1024, 3072, 3, 10),
        ("6.12", 2, 2048, 2056, 2048, 6144, 3, 5),
        ("6.12", 2, 4096, 4104, 4096, 12288, 3, 2),
        ("6.12", 2, 8192, 8200, 8192, 24576, 3, 1),
        ("4.19", 4, 8, 16, 8, 344, 1, 23),
        ("4.19", 4, 16, 24, 8, 352, 1, 23),
        ("4.19", 4, 32, 40, 8, 368, 1, 22),
        ("4.19", 4, 64, 72, 8, 400, 1, 20),
        ("4.19", 4, 96, 104, 8, 432, 1, 18),
        ("4.19", 4, 128, 136, 8, 464, 1, 17),
        ("4.19", 4, 192, 200, 8, 528, 2, 31),
        ("4.19", 4, 256, 264, 8, 592, 2, 27),
        ("4.19", 4, 512, 520, 8, 848, 2, 19),
        ("4.19", 4, 1024, 1032, 8, 1360, 3, 24),
        ("4.19", 4, 2048, 2056, 8, 2384, 3, 13),
        ("4.19", 4, 4096, 4104, 8, 4432, 3, 7),
        ("4.19", 4, 8192, 8200, 8, 8528, 3, 3),
        ("6.6", 4, 8, 16, 8, 112, 0, 36),
        ("6.6", 4, 16, 24, 16, 128, 0, 32),
        ("6.6", 4, 32, 40, 32, 160, 0, 25),
        ("6.6", 4, 64, 72, 64, 256, 0, 16),
        ("6.6", 4, 96, 104, 8, 200, 0, 20),
        ("6.6", 4, 128, 136, 128, 384, 1, 21),
        ("6.6", 4, 192, 200, 8, 296, 1, 27),
        ("6.6", 4, 256, 264, 256, 768, 2, 21),
        ("6.6", 4, 512, 520, 512, 1536, 3, 21),
        ("6.6", 4, 1024, 1032, 1024, 3072, 3, 10),
        ("6.6", 4, 2048, 2056, 2048, 6144, 3, 5),
        ("6.6", 4, 4096, 4104, 4096, 12288, 3, 2),
        ("6.6", 4, 8192, 8200, 8192, 24576, 3, 1),
        ("6.12", 4, 8, 16, 8, 112, 0, 36),
        ("6.12", 4, 16, 24, 16, 128, 0, 32),
        ("6.12", 4, 32, 40, 32, 160, 0, 25),
        ("6.12", 4, 64, 72, 64, 256, 0, 16),
        ("6.12", 4, 96, 104, 32, 224, 0, 18),
        ("6.12", 4, 128, 136, 128, 384, 1, 21),
        ("6.12", 4, 192, 200, 64, 384, 1, 21),
        ("6.12", 4, 256, 264, 256, 768, 2, 21),
        ("6.12", 4, 512, 520, 512, 1536, 3, 21),
        ("6.12", 4, 1024, 1032, 1024, 3072, 3, 10),
        ("6.12", 4, 2048, 2056, 2048, 6144, 3, 5),
        ("6.12", 4, 4096, 4104, 4096, 12288, 3, 2),
        ("6.12", 4, 8192, 8200, 8192, 24576, 3, 1),
    ];
    for (release, cpus, object_size, inuse, red_left_pad, size, order, objects) in rows {
        let profile = crate::profile::Profile::parse(release).unwrap();
        let slub = Slub::boot(
            &profile,
            cpus,
            1,
            SlubOptions {
                freelist_random: false,
                debug: true,
                random_caches: false,
            },
        );
        let cache = slub
            .caches
            .iter()
            .find(|c| {
                c.kmalloc.is_some_and(|(k, _)| k == KmallocType::Normal)
                    && c.object_size == object_size
            })
            .unwrap();
        let l = cache.layout;
        assert_eq!(
            (
                l.inuse,
                l.fp_offset,
                l.red_left_pad,
                l.size,
                cache.order,
                cache.objects
            ),
            (inuse, inuse, red_left_pad, size, order, objects),
            "{release} {cpus} CPUs kmalloc-{object_size}"
        );
    }
}
