use super::*;

#[test]
fn parses_every_form_users_write() {
    assert_eq!(Release::parse("6.6"), Ok(Release::series(6, 6)));
    assert_eq!(Release::parse("6.6.0"), Ok(Release::new(6, 6, 0)));
    assert_eq!(Release::parse(" v6.12.19 "), Ok(Release::new(6, 12, 19)));
    assert_eq!(
        Release::parse("5.4.19-100.fc30.x86_64"),
        Ok(Release::new(5, 4, 19))
    );
    assert_eq!(Release::parse("4.19.0+"), Ok(Release::new(4, 19, 0)));
    assert_eq!(Release::parse("6.3.0.net0"), Ok(Release::new(6, 3, 0)));
    assert_eq!(
        Release::parse("6.11.3-200.fc40.x86_64"),
        Ok(Release::new(6, 11, 3))
    );
    // Distribution ABI names: the point release is unknown.
    for abi in [
        "6.1.0-13-amd64",
        "5.15.0-91-generic",
        "4.19.0-27-amd64",
        "6.8.0-1009-raspi",
        "4.18.0-513.el8.x86_64",
    ] {
        let r = Release::parse(abi).unwrap();
        assert_eq!(r.patch, None, "{abi}");
    }
    // A kernel built from a git tree after the v4.19 tag is 4.19.0.
    assert_eq!(
        Release::parse("4.19.0-00042-g1a2b3c4d"),
        Ok(Release::new(4, 19, 0))
    );
    let long = format!("6.6.1-{}", "x".repeat(60));
    for bad in [
        "",
        "six",
        "6",
        "6.",
        "6.6.",
        "6.6rc1",
        "6.6.x",
        "x6.6",
        "99999.1",
        "6.6.1 x",
        long.as_str(),
    ] {
        assert!(
            matches!(Release::parse(bad), Err(VersionError::Malformed(_))),
            "{bad:?}"
        );
    }
}

#[test]
fn each_series_is_pinned_and_prints_its_release() {
    for (text, uname, pinned) in [
        ("4.19", "4.19.255", "4.19.255"),
        ("6.1", "6.1.119", "6.1.119"),
        ("6.1.0-13-amd64", "6.1.0-13-amd64", "6.1.119"),
        ("6.6", "6.6.57", "6.6.57"),
        ("6.12", "6.12.19", "6.12.19"),
        ("4.19.0-27-amd64", "4.19.0-27-amd64", "4.19.255"),
        ("6.12.0-55.9.1.el10_0", "6.12.0-55.9.1.el10_0", "6.12.19"),
        ("v6.6.57", "6.6.57", "6.6.57"),
        ("6.12.10", "6.12.10", "6.12.19"),
    ] {
        let p = Profile::parse(text).unwrap();
        assert_eq!(p.uname, uname, "{text}");
        assert_eq!(p.pinned().release.to_string(), pinned, "{text}");
    }
    // An ABI name means the point release is unknown: the pinned one's
    // behaviour, so Debian's 4.19.0-N (4.19.37 and later) has the 4.19.5
    // direct map (audit D6).
    let debian = Profile::parse("4.19.0-27-amd64").unwrap();
    assert_eq!(debian.release, Release::new(4, 19, 255));
    assert_eq!(debian.page_offset(), PAGE_OFFSET_4_19_5);
    assert_eq!(
        debian.describe(),
        "kernel 4.19.0-27-amd64, simulated as 4.19.255 (its point release is unknown)"
    );
    assert_eq!(Profile::parse("6.6").unwrap().describe(), "kernel 6.6.57");
    assert_eq!(
        Profile::parse("6.12.10").unwrap().describe(),
        "kernel 6.12.10, simulated by the 6.12.19 profile with 6.12.10's behaviour changes"
    );
    assert_eq!(
        Profile::parse("4.19.4").unwrap().page_offset(),
        PAGE_OFFSET_4_19_0
    );
    assert_eq!(
        Profile::parse("4.19.5").unwrap().page_offset(),
        PAGE_OFFSET_4_19_5
    );
    assert_eq!(Profile::default_profile().series(), Series::V6_6);
}

#[test]
fn point_releases_inside_a_series_are_rows_of_the_change_table() {
    // 6.12.0–6.12.18 zero the reserve against empty upper zones; the revert
    // reached 6.12.19 (audit D13).
    assert!(Profile::parse("6.12.10")
        .unwrap()
        .has(Change::LowmemReserveZeroForEmptyUpper));
    assert!(Profile::parse("6.12.0")
        .unwrap()
        .has(Change::LowmemReserveZeroForEmptyUpper));
    assert!(!Profile::parse("6.12")
        .unwrap()
        .has(Change::LowmemReserveZeroForEmptyUpper));
    assert!(!Profile::parse("6.6")
        .unwrap()
        .has(Change::LowmemReserveZeroForEmptyUpper));
    // The 6.1 page-flag order ends where 6.6's begins.
    assert!(!Profile::parse("6.6")
        .unwrap()
        .has(Change::PageFlagsSlab9Head16));
    // 4.19.0 prints the hidden vmstat item (audit D21).
    assert!(!Profile::parse("4.19.0")
        .unwrap()
        .has(Change::ZoneinfoSkipsHiddenItems));
    assert!(Profile::parse("4.19")
        .unwrap()
        .has(Change::ZoneinfoSkipsHiddenItems));
    // 6.6.57 keeps the old calculate_order loop and creation order (D10, D15).
    let v66 = Profile::parse("6.6").unwrap();
    assert!(!v66.has(Change::SlubOrderKeepsMinObjects));
    assert!(!v66.has(Change::Kmalloc96And192First));
    assert!(Profile::parse("6.12")
        .unwrap()
        .has(Change::Kmalloc96And192First));
}

/// 6.1.119, as its tree reads (the rows settled against it).
#[test]
fn the_6_1_profile_follows_its_tree() {
    let p = Profile::parse("6.1").unwrap();
    for change in [
        Change::ReservesByBlocking,
        Change::NofailMinReserve,
        Change::KreallocZeroesSpare,
        Change::KvmallocModern,
        Change::KvreallocWithOldSize,
        Change::VmallocAreaNowarn,
        Change::VfreeMightSleepFirst,
        Change::PageFlagsSlab9Head16,
        Change::SlubKmallocOrigSize,
        Change::KmallocSlabFlag,
        Change::WmarkPromo,
    ] {
        assert!(p.has(change), "{change:?}");
    }
    for change in [
        Change::VfreeRemoveVmArea,
        Change::RandomKmallocCaches,
        Change::KmallocCgroupTypeLast,
        Change::SlubKmallocRedzone,
        Change::KmallocNoMerge,
        Change::MovableMinLikeHighmem,
        Change::MemInfoThpNoSpace,
        Change::UnacceptedMemory,
        Change::PageFlagsHeadAtBit6,
        Change::CpuLineUid,
        Change::SlubOrderKeepsMinObjects,
        Change::PcpAutoTune,
    ] {
        assert!(!p.has(change), "{change:?}");
    }
    // 6.1.0 had the ALLOC_HARDER rules; the backport is in 6.1.119.
    assert!(!Profile::parse("6.1.0")
        .unwrap()
        .has(Change::ReservesByBlocking));
}

#[test]
fn unsimulated_releases_name_the_nearest_profiles() {
    let err = Profile::parse("5.15.0-91-generic").unwrap_err();
    assert_eq!(
        err.to_string(),
        "kernel 5.15 is not simulated; the nearest simulated kernels are 4.19 and 6.1 (all simulated: 4.19, 6.1, 6.6, 6.12); GFP masks can be decoded for every release from 4.9 to 6.12"
    );
    let err = Profile::parse("6.3.0.net0").unwrap_err().to_string();
    assert!(
        err.contains("nearest simulated kernels are 6.1")
            || err.contains("6.6 and 6.12")
            || err.contains("4.19 and 6.6"),
        "{err}"
    );
    let newer = Profile::parse("7.1.3").unwrap_err().to_string();
    assert!(
        newer.contains("nearest simulated kernels are 6.12 ("),
        "{newer}"
    );
}

/// No simulated release may fall inside a bracket the change table could
/// not pin down: such a row decides nothing for it.
#[test]
fn no_pinned_release_falls_inside_an_unsettled_bracket() {
    for row in changes::CHANGES {
        if let changes::Known::Between(absent, present) = row.known {
            assert!(absent < present, "{:?}", row.change);
            for pinned in &PINNED {
                let r = pinned.release;
                assert!(
                    !(absent < r && r < present),
                    "{} falls between {absent} and {present} of {:?}",
                    r,
                    row.change
                );
            }
        }
        assert!(!row.source.is_empty());
    }
    // Every change has one row, and a bit of the change set.
    let mut seen = std::collections::HashSet::new();
    for row in changes::CHANGES {
        assert!(seen.insert(row.change), "{:?} twice", row.change);
        assert!((row.change as u32) < 128, "{:?}", row.change);
    }
    // No variant without a row (a variant between two with rows).
    let mut ids: Vec<u32> = changes::CHANGES.iter().map(|r| r.change as u32).collect();
    ids.sort_unstable();
    assert_eq!(ids, (0..ids.len() as u32).collect::<Vec<_>>());
}

/// The golden site table: the release each profile prints and every WARN,
/// BUG and might_sleep site with the tree it was read from
/// (`file@release:line`).
#[test]
fn golden_sites_per_pinned_release() {
    let golden = [
        "4.19.255 AllocPagesMightSleep mm/page_alloc.c:4344",
        "4.19.255 SlabMightSleep mm/slab.h:422",
        "4.19.255 OrderTooLarge mm/page_alloc.c:4387 __alloc_pages_nodemask",
        "4.19.255 NofailNoReclaim mm/page_alloc.c:4285 __alloc_pages_slowpath",
        "4.19.255 NofailCostly mm/page_alloc.c:4301 __alloc_pages_slowpath",
        "4.19.255 WrongSlabCache mm/slab.h:380 kmem_cache_free",
        "4.19.255 VmapAreaMightSleep mm/vmalloc.c:418",
        "4.19.255 VfreeMightSleep mm/vmalloc.c:1482",
        "4.19.255 VfreeBadAddress mm/vmalloc.c:1509 __vunmap",
        "4.19.255 VfreeNonexistent mm/vmalloc.c:1515 __vunmap",
        "4.19.255 VmallocInInterrupt mm/vmalloc.c:1385",
        "4.19.255 VfreeInNmi mm/vmalloc.c:1589",
        "4.19.255 VfreeAtomicInNmi mm/vmalloc.c:1564",
        "4.19.255 DoubleFree mm/slub.c:295",
        "4.19.255 KfreeNotCompound mm/slub.c:3958",
        "6.1.119 AllocPagesMightSleep include/linux/sched/mm.h:274",
        "6.1.119 SlabMightSleep include/linux/sched/mm.h:274",
        "6.1.119 OrderTooLarge mm/page_alloc.c:5566 __alloc_pages",
        "6.1.119 NofailNoReclaim mm/page_alloc.c:5299 __alloc_pages_slowpath",
        "6.1.119 NofailCostly mm/page_alloc.c:5315 __alloc_pages_slowpath",
        "6.1.119 FreeLargeKmalloc mm/slab_common.c:904 free_large_kmalloc",
        "6.1.119 KmemCacheDestroy mm/slab_common.c:493 kmem_cache_destroy",
        "6.1.119 WrongSlabCache mm/slab.h:660 kmem_cache_free",
        "6.1.119 KvmallocIntMax mm/util.c:596 kvmalloc_node",
        "6.1.119 VmallocZeroSize mm/vmalloc.c:3160 __vmalloc_node_range",
        "6.1.119 VmapAreaMightSleep mm/vmalloc.c:1608",
        "6.1.119 VfreeMightSleep mm/vmalloc.c:2791",
        "6.1.119 VfreeBadAddress mm/vmalloc.c:2687 __vunmap",
        "6.1.119 VfreeNonexistent mm/vmalloc.c:2693 __vunmap",
        "6.1.119 VmallocInInterrupt mm/vmalloc.c:2489",
        "6.1.119 VfreeInNmi mm/vmalloc.c:2787",
        "6.1.119 VfreeAtomicInNmi mm/vmalloc.c:2751",
        "6.1.119 DoubleFree mm/slub.c:419",
        "6.6.57 AllocPagesMightSleep include/linux/sched/mm.h:306",
        "6.6.57 SlabMightSleep include/linux/sched/mm.h:306",
        "6.6.57 OrderTooLarge mm/page_alloc.c:4410 __alloc_pages",
        "6.6.57 NofailNoReclaim mm/page_alloc.c:4144 __alloc_pages_slowpath",
        "6.6.57 NofailCostly mm/page_alloc.c:4160 __alloc_pages_slowpath",
        "6.6.57 FreeLargeKmalloc mm/slab_common.c:975 free_large_kmalloc",
        "6.6.57 KmemCacheDestroy mm/slab_common.c:498 kmem_cache_destroy",
        "6.6.57 WrongSlabCache mm/slab.h:661 kmem_cache_free",
        "6.6.57 KvmallocIntMax mm/util.c:632 kvmalloc_node",
        "6.6.57 VmallocZeroSize mm/vmalloc.c:3256 __vmalloc_node_range",
        "6.6.57 VmapAreaMightSleep mm/vmalloc.c:1600",
        "6.6.57 VfreeMightSleep mm/vmalloc.c:2836",
        "6.6.57 VfreeBadAddress mm/vmalloc.c:2708 remove_vm_area",
        "6.6.57 VfreeNonexistent mm/vmalloc.c:2843 vfree",
        "6.6.57 VmallocInInterrupt mm/vmalloc.c:2596",
        "6.6.57 VfreeInNmi mm/vmalloc.c:2834",
        "6.6.57 VfreeAtomicInNmi mm/vmalloc.c:2794",
        "6.6.57 DoubleFree mm/slub.c:448",
        "6.12.19 AllocPagesMightSleep include/linux/sched/mm.h:321",
        "6.12.19 SlabMightSleep include/linux/sched/mm.h:321",
        "6.12.19 OrderTooLarge mm/page_alloc.c:4730 __alloc_pages_noprof",
        "6.12.19 NofailNoReclaim mm/page_alloc.c:4234 __alloc_pages_slowpath",
        "6.12.19 NofailOrder mm/page_alloc.c:4229 __alloc_pages_slowpath",
        "6.12.19 FreeLargeKmalloc mm/slub.c:4711 free_large_kmalloc",
        "6.12.19 KmemCacheDestroy mm/slab_common.c:521 kmem_cache_destroy",
        "6.12.19 VreallocNonexistent mm/vmalloc.c:4083 vrealloc_noprof",
        "6.12.19 WrongSlabCache mm/slub.c:4682 kmem_cache_free",
        "6.12.19 KvmallocIntMax mm/util.c:670 __kvmalloc_node_noprof",
        "6.12.19 VmallocZeroSize mm/vmalloc.c:3773 __vmalloc_node_range_noprof",
        "6.12.19 VmapAreaMightSleep mm/vmalloc.c:1972",
        "6.12.19 VfreeMightSleep mm/vmalloc.c:3354",
        "6.12.19 VfreeBadAddress mm/vmalloc.c:3226 remove_vm_area",
        "6.12.19 VfreeNonexistent mm/vmalloc.c:3361 vfree",
        "6.12.19 VmallocInInterrupt mm/vmalloc.c:3113",
        "6.12.19 VfreeInNmi mm/vmalloc.c:3352",
        "6.12.19 VfreeAtomicInNmi mm/vmalloc.c:3312",
        "6.12.19 DoubleFree mm/slub.c:547",
    ];
    let table: Vec<String> = sites::SITES
        .iter()
        .map(|(series, site, at)| {
            let line = format!("{} {site:?} {}", series.pinned().release, at.location());
            let named = matches!(
                site,
                Site::OrderTooLarge
                    | Site::NofailNoReclaim
                    | Site::NofailCostly
                    | Site::NofailOrder
                    | Site::FreeLargeKmalloc
                    | Site::KmemCacheDestroy
                    | Site::VreallocNonexistent
                    | Site::WrongSlabCache
                    | Site::KvmallocIntMax
                    | Site::VmallocZeroSize
                    | Site::VfreeBadAddress
                    | Site::VfreeNonexistent
            );
            if named {
                format!("{line} {}", at.function)
            } else {
                line
            }
        })
        .collect();
    assert_eq!(table, golden);
    let trees: Vec<String> = PINNED
        .iter()
        .map(|p| format!("{} {} {}", p.name, p.release, p.tree))
        .collect();
    assert_eq!(
        trees,
        [
            "4.19 4.19.255 whitehax0r/PS4-Kernel-4.19.255-baikal@0f0542cc1 (\"base kernel\", Makefile 4.19.255)",
            "6.1 6.1.119 linux6119/linux-6.1.119@09ec286f3 (Makefile 6.1.119)",
            "6.6 6.6.57 lxdklp/linux-6.6.y@5aa5a1b8c (Makefile 6.6.57)",
            "6.12 6.12.19 wishday/linux-6.12.y@21ae40e85 (Makefile 6.12.19)",
        ]
    );
}
