//! kmalloc, kzalloc, kcalloc and kfree on the simulated kernel.

use kmem::kernel::{CallValue, Effect, Kernel, KernelConfig, Outcome};
use kmem::memmap::MachineConfig;
use kmem::procfs;
use kmem::profile::Profile;
use kmem::VirtAddr;

fn boot(version: &str) -> Kernel {
    Kernel::boot(KernelConfig {
        profile: Profile::parse(version).unwrap(),
        machine: MachineConfig {
            ram_bytes: 1 << 30,
            cpus: 4,
            ..MachineConfig::default()
        },
        ..KernelConfig::default()
    })
    .unwrap()
}

fn addr(value: CallValue) -> VirtAddr {
    match value {
        CallValue::Address(a) => a,
        other => panic!("expected an address, got {other:?}"),
    }
}

fn meminfo_kb(k: &Kernel, label: &str) -> u64 {
    let text = procfs::meminfo(k);
    let line = text
        .lines()
        .find(|l| l.starts_with(&format!("{label}:")))
        .unwrap();
    line[label.len() + 1..]
        .trim()
        .trim_end_matches(" kB")
        .parse()
        .unwrap()
}

#[test]
fn kfree_then_kmalloc_returns_the_same_object() {
    for version in ["4.19", "6.6", "6.12"] {
        let mut k = boot(version);
        let gfp = k.gfp.parse("GFP_KERNEL").unwrap();
        let first = k.kmalloc(100, gfp);
        assert_eq!(first.outcome, Outcome::Ok);
        assert!(first.effects.iter().any(
            |e| matches!(e, Effect::NewSlab { cache, order: 0, .. } if cache == "kmalloc-128")
        ));
        let a = addr(first.value);
        let b = addr(k.kmalloc(128, gfp).value);
        assert_ne!(a, b);
        assert_eq!(k.kfree(a).outcome, Outcome::Ok);
        assert_eq!(addr(k.kmalloc(97, gfp).value), a, "{version}");
        // The object lies in the direct map, in a frame marked as slab.
        assert!(a.as_u64() >= k.profile().page_offset().as_u64());
    }
}

#[test]
fn cache_choice_follows_the_flags() {
    let mut k = boot("6.12");
    let rcl = k.gfp.parse("GFP_KERNEL | __GFP_RECLAIMABLE").unwrap();
    let ev = k.kmalloc(1000, rcl);
    assert!(
        ev.summary.to_string().contains("kmalloc-rcl-1k"),
        "{}",
        ev.summary
    );
    let account = k.gfp.parse("GFP_KERNEL_ACCOUNT").unwrap();
    assert!(k
        .kmalloc(5000, account)
        .summary
        .to_string()
        .contains("kmalloc-cg-8k"));
    let dma = k.gfp.parse("GFP_DMA").unwrap();
    assert!(k
        .kmalloc(8, dma)
        .summary
        .to_string()
        .contains("dma-kmalloc-8"));
    let mut old = boot("4.19");
    let rcl = old.gfp.parse("GFP_KERNEL | __GFP_RECLAIMABLE").unwrap();
    assert!(old
        .kmalloc(1000, rcl)
        .summary
        .to_string()
        .contains("of kmalloc-1024 "));
}

#[test]
fn zero_size_overflow_and_large_requests() {
    let mut k = boot("6.6");
    let gfp = k.gfp.parse("GFP_KERNEL").unwrap();
    assert_eq!(addr(k.kmalloc(0, gfp).value), VirtAddr::new(16));
    assert_eq!(k.kfree(VirtAddr::new(16)).outcome, Outcome::Ok);
    let ev = k.kmalloc_array(u64::MAX / 2, 4, gfp);
    assert_eq!(ev.value, CallValue::Address(VirtAddr::NULL));
    assert!(ev.log.is_empty(), "overflow fails silently");
    // Above 8 KiB: a compound page of get_order(size).
    let big = k.kmalloc(100_000, gfp);
    assert!(
        big.summary.to_string().contains("order-5 compound page"),
        "{}",
        big.summary
    );
    let free_before = k.buddy.nr_free_pages();
    assert_eq!(k.kfree(addr(big.value)).outcome, Outcome::Ok);
    assert!(
        k.buddy.nr_free_pages() + k.buddy.zones.iter().map(|z| z.pcp.count).sum::<u64>()
            >= free_before + 32
    );
    // Above 4 MiB: the order check WARNs and the call returns NULL.
    let huge = k.kmalloc((4 << 20) + 1, gfp);
    assert_eq!(huge.value, CallValue::Address(VirtAddr::NULL));
    assert_eq!(huge.outcome, Outcome::Warn);
}

#[test]
fn kzalloc_zeroes_and_kmalloc_does_not() {
    let mut k = boot("6.12");
    let gfp = k.gfp.parse("GFP_KERNEL").unwrap();
    let z = addr(k.kzalloc(64, gfp).value);
    let m = addr(k.kmalloc(64, gfp).value);
    let read = |k: &Kernel, a: VirtAddr| {
        let pa = k.translator().pa(a).value;
        let mut buf = [0u8; 64];
        k.mem
            .read(pa.pfn(), (pa.as_u64() % 4096) as usize, &mut buf);
        buf
    };
    assert_eq!(read(&k, z), [0u8; 64]);
    assert_ne!(read(&k, m), [0u8; 64], "kmalloc returns stale bytes");
    let c = addr(k.kcalloc(8, 8, gfp).value);
    assert_eq!(read(&k, c), [0u8; 64]);
}

#[test]
fn double_free_bugs_with_the_hardened_freelist() {
    for (version, line) in [("4.19", 295), ("6.6", 448), ("6.12", 547)] {
        let mut k = boot(version);
        let gfp = k.gfp.parse("GFP_KERNEL").unwrap();
        let a = addr(k.kmalloc(32, gfp).value);
        k.kfree(a);
        let ev = k.kfree(a);
        assert_eq!(ev.outcome, Outcome::Bug);
        let log: Vec<&str> = ev.log.iter().map(|l| l.text.as_str()).collect();
        assert!(
            log.contains(&format!("kernel BUG at mm/slub.c:{line}!").as_str()),
            "{log:?}"
        );
    }
}

#[test]
fn unexpected_gfp_is_fixed_up_when_a_slab_is_made() {
    let mut k = boot("6.6");
    let gfp = k.gfp.parse("GFP_KERNEL | __GFP_HIGHMEM").unwrap();
    let ev = k.kmalloc(200, gfp);
    assert_eq!(ev.outcome, Outcome::Ok);
    let first = &ev.log[0].text;
    assert_eq!(
        first,
        "Unexpected gfp: 0x2 (__GFP_HIGHMEM). Fixing up to gfp: 0xcc0 (GFP_KERNEL). Fix your code!"
    );
    // The next object comes from the same slab: no new slab, no warning.
    assert!(k.kmalloc(200, gfp).log.is_empty());
}

#[test]
fn slab_pages_show_in_meminfo_and_slabinfo() {
    let mut k = boot("6.12");
    let gfp = k.gfp.parse("GFP_KERNEL").unwrap();
    // Boot's slabs: the cache descriptors (81 caches in 6 order-0 slabs of
    // kmem_cache), their node structures (2 slabs) and kmalloc_buckets (1).
    let boot = meminfo_kb(&k, "Slab");
    assert_eq!(boot, 9 * 4);
    let objects: Vec<VirtAddr> = (0..17).map(|_| addr(k.kmalloc(1024, gfp).value)).collect();
    // 16 objects per order-2 slab on 4 CPUs: two slabs, 8 pages.
    assert_eq!(meminfo_kb(&k, "SUnreclaim"), boot + 32);
    assert_eq!(meminfo_kb(&k, "Slab"), boot + 32);
    let info = procfs::read(&k, "/proc/slabinfo").unwrap();
    assert!(info.contains("\nkmalloc-1k            32     32   1024   16    4 : tunables    0    0    0 : slabdata      2      2      0\n"), "{info}");
    for a in objects {
        assert_eq!(k.kfree(a).outcome, Outcome::Ok);
    }
    assert!(k.buddy.check(&k.mem).is_ok());
}

#[test]
fn ksize_reports_the_cache_object_size() {
    let mut k = boot("4.19");
    let gfp = k.gfp.parse("GFP_KERNEL").unwrap();
    let a = addr(k.kmalloc(100, gfp).value);
    assert_eq!(k.ksize(a).value, CallValue::Count(128));
    let b = addr(k.kmalloc(10_000, gfp).value);
    assert_eq!(k.ksize(b).value, CallValue::Count(16384));
}

/// kernel-facts §2.3–2.5: every request from 0 to 8193 bytes, per release:
/// ZERO_SIZE_PTR for 0, the smallest kmalloc bucket that holds it (with
/// each release's names) up to 8192, the page allocator above.
#[test]
fn golden_cache_for_every_size_per_release() {
    let buckets = [
        8u64, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192,
    ];
    for version in ["4.19", "6.6", "6.12"] {
        let mut k = boot(version);
        let gfp = k.gfp.parse("GFP_KERNEL").unwrap();
        let short = version != "4.19";
        for size in 0..=8193u64 {
            let ev = k.kmalloc(size, gfp);
            let a = addr(ev.value);
            if size == 0 {
                assert_eq!(a, VirtAddr::new(16));
                continue;
            }
            if size == 8193 {
                assert!(
                    ev.summary.to_string().contains("order-2 compound page"),
                    "{}",
                    ev.summary
                );
                k.kfree(a);
                continue;
            }
            let bucket = buckets.into_iter().find(|&b| b >= size).unwrap();
            let name = match bucket {
                b if short && b >= 1024 => format!("kmalloc-{}k", b / 1024),
                b => format!("kmalloc-{b}"),
            };
            let summary = ev.summary.to_string();
            let cache = summary
                .split(" of ")
                .nth(1)
                .unwrap()
                .split(' ')
                .next()
                .unwrap();
            assert_eq!(cache, name, "{version}: kmalloc({size})");
            k.kfree(a);
        }
    }
}

/// kernel-facts §2.5: kmalloc_large takes `get_order(size)` pages.
#[test]
fn golden_orders_of_large_kmallocs() {
    for version in ["4.19", "6.6", "6.12"] {
        let mut k = boot(version);
        let gfp = k.gfp.parse("GFP_KERNEL").unwrap();
        for (size, order) in [
            (8193u64, 2),
            (16384, 2),
            (16385, 3),
            (100_000, 5),
            (131_072, 5),
            (131_073, 6),
            (2 << 20, 9),
            (4 << 20, 10),
        ] {
            let ev = k.kmalloc(size, gfp);
            assert!(
                ev.summary
                    .to_string()
                    .contains(&format!("an order-{order} compound page")),
                "{version}: kmalloc({size}): {}",
                ev.summary
            );
            k.kfree(addr(ev.value));
        }
    }
}

/// kernel-facts §7.6: without CONFIG_SLAB_FREELIST_HARDENED a double free
/// goes unnoticed and the freelist holds the object twice; with it, only a
/// free of the object at the head is caught, so `free p; free q; free p`
/// slips through. Either way two later kmallocs return the same address.
#[test]
fn undetected_double_free_hands_out_one_object_twice() {
    for hardened in [false, true] {
        let mut k = Kernel::boot(KernelConfig {
            profile: Profile::parse("6.6").unwrap(),
            machine: MachineConfig {
                ram_bytes: 1 << 30,
                cpus: 4,
                ..MachineConfig::default()
            },
            debug: kmem::kernel::DebugConfig {
                freelist_hardened: hardened,
                ..Default::default()
            },
        })
        .unwrap();
        let gfp = k.gfp.parse("GFP_KERNEL").unwrap();
        let p = addr(k.kmalloc(64, gfp).value);
        let q = addr(k.kmalloc(64, gfp).value);
        k.kfree(p);
        if hardened {
            k.kfree(q);
        }
        let ev = k.kfree(p);
        assert_eq!(
            ev.outcome,
            Outcome::Ok,
            "hardened={hardened}: {}",
            ev.summary
        );
        let a = addr(k.kmalloc(64, gfp).value);
        let b = addr(k.kmalloc(64, gfp).value);
        let c = addr(k.kmalloc(64, gfp).value);
        let handed: Vec<VirtAddr> = vec![a, b, c];
        assert_eq!(
            handed.iter().filter(|&&x| x == p).count(),
            2,
            "hardened={hardened}: {handed:x?}"
        );
    }
}
