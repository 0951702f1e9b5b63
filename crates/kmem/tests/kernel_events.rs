//! The kernel facade as a script would drive it: events, reports in each
//! release's wording, determinism.

use kmem::context::ContextOp;
use kmem::gfp::Gfp;
use kmem::kernel::{CallValue, Effect, Kernel, KernelConfig, Outcome};
use kmem::memmap::MachineConfig;
use kmem::profile::Profile;
use kmem::VirtAddr;

fn boot(version: &str, ram: u64) -> Kernel {
    let config = KernelConfig {
        profile: Profile::parse(version).unwrap(),
        machine: MachineConfig {
            ram_bytes: ram,
            ..MachineConfig::default()
        },
        ..KernelConfig::default()
    };
    Kernel::boot(config).unwrap()
}

fn gfp(k: &Kernel, text: &str) -> Gfp {
    k.gfp.parse(text).unwrap()
}

fn page_of(value: CallValue) -> VirtAddr {
    match value {
        CallValue::Page(page) => page,
        other => panic!("expected a struct page, got {other:?}"),
    }
}

#[test]
fn boot_logs_the_firmware_map_and_reserves_memory() {
    let k = boot("6.6", 8 << 30);
    let log = k.log.render();
    assert!(
        log.starts_with("[    0.000000] Linux version 6.6.57 ("),
        "{log}"
    );
    assert!(log
        .contains("[    0.000000] BIOS-e820: [mem 0x0000000100000000-0x000000023fffffff] usable"));
    let dma = &k.buddy.zones[0];
    // 6.x reserves the whole first MiB: 0x100 - 1 frames of DMA's 3998 present.
    assert_eq!((dma.spanned, dma.present, dma.managed), (4095, 3998, 3840));
    let k419 = boot("4.19", 8 << 30);
    // 4.19 reserves 64 KiB (pfn 1..16).
    assert_eq!(k419.buddy.zones[0].managed, 3998 - 15);
    k.buddy.check(&k.mem).unwrap();
}

#[test]
fn alloc_and_free_pages_round_trip() {
    let mut k = boot("6.6", 8 << 30);
    let free_at_boot: u64 = k.boot_free_pages().iter().sum();
    let ev = k.alloc_pages(gfp(&k, "GFP_KERNEL"), 2);
    assert_eq!(ev.outcome, Outcome::Ok);
    assert_eq!(ev.call.to_string(), "alloc_pages(0xcc0(GFP_KERNEL), 2)");
    assert!(
        ev.summary.to_string().starts_with("order-2 block at pfn"),
        "{}",
        ev.summary
    );
    assert!(
        ev.summary
            .to_string()
            .ends_with("from CPU 0's per-CPU list of zone Normal"),
        "{}",
        ev.summary
    );
    let page = page_of(ev.value);
    assert!(page.as_u64() >= 0xffff_ea00_0000_0000);
    let addr = match k.page_address(page).value {
        CallValue::Address(a) => a,
        other => panic!("{other:?}"),
    };
    assert_eq!(addr.as_u64() & 0xfff, 0);
    assert!(addr.as_u64() >= 0xffff_8880_0000_0000);
    let ev = k.free_pages_page(page, 2);
    assert_eq!(ev.outcome, Outcome::Ok);
    assert!(ev.effects.iter().any(|e| matches!(e, Effect::Buddy(_))));
    // Free pages are on the buddy lists or on CPU 0's per-CPU lists.
    assert_eq!(k.buddy.nr_free_pages() + k.buddy.pcp_pages(), free_at_boot);
    k.buddy.check(&k.mem).unwrap();
    // LIFO: the same block comes back.
    let again = page_of(k.alloc_pages(gfp(&k, "GFP_KERNEL"), 2).value);
    assert_eq!(again, page);
}

#[test]
fn same_calls_give_identical_events() {
    let run = || {
        let mut k = boot("4.19", 1 << 30);
        let g = gfp(&k, "GFP_KERNEL | __GFP_ZERO");
        let mut events = Vec::new();
        for order in [0, 3, 1, 10, 11, 2] {
            events.push(k.alloc_pages(g, order));
        }
        events.push(k.fill_page_cache(1000));
        events.push(k.get_free_pages(g, 4));
        events
    };
    assert_eq!(run(), run());
}

#[test]
fn order_above_the_maximum_warns_once() {
    for (version, location, function) in [
        ("4.19", "mm/page_alloc.c:4387", "__alloc_pages_nodemask"),
        ("6.6", "mm/page_alloc.c:4410", "__alloc_pages"),
        ("6.12", "mm/page_alloc.c:4730", "__alloc_pages_noprof"),
    ] {
        let mut k = boot(version, 1 << 30);
        let ev = k.alloc_pages(gfp(&k, "GFP_KERNEL"), 11);
        assert_eq!(ev.value, CallValue::Null);
        assert_eq!(ev.outcome, Outcome::Warn);
        let text: Vec<&str> = ev.log.iter().map(|l| l.text.as_str()).collect();
        // Audit D5: 4.19 prints no "cut here" for a plain WARN_ON.
        let cut_here = version != "4.19";
        assert_eq!(text[0].contains("cut here"), cut_here, "{text:?}");
        // `%pS` of the ud2: the function with its offset and length.
        let warning = text[usize::from(cut_here)];
        assert!(
            warning.starts_with(&format!(
                "WARNING: CPU: 0 PID: 1000 at {location} {function}+0x"
            )),
            "{warning}"
        );
        // Audit D12: the script runs as the init of an out-of-tree module.
        assert_eq!(
            text[usize::from(cut_here) + 1],
            "Modules linked in: playground(O+)"
        );
        // WARN_ON_ONCE: silent the second time.
        let ev = k.alloc_pages(gfp(&k, "GFP_KERNEL"), 12);
        assert_eq!((ev.outcome, ev.log.len()), (Outcome::Failed, 0));
        // And never with __GFP_NOWARN.
        let mut k = boot(version, 1 << 30);
        let ev = k.alloc_pages(gfp(&k, "GFP_KERNEL | __GFP_NOWARN"), 11);
        assert_eq!((ev.outcome, ev.log.len()), (Outcome::Failed, 0));
    }
}

#[test]
fn sleeping_allocation_under_a_spinlock_is_reported() {
    let mut k = boot("4.19", 1 << 30);
    k.context_op(ContextOp::SpinLock);
    let ev = k.alloc_pages(gfp(&k, "GFP_KERNEL"), 0);
    assert_eq!(
        ev.outcome,
        Outcome::Ok,
        "the allocation itself still succeeds"
    );
    let text: Vec<&str> = ev.log.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(
        text[0],
        "BUG: sleeping function called from invalid context at mm/page_alloc.c:4344"
    );
    assert_eq!(
        text[1],
        "in_atomic(): 1, irqs_disabled(): 0, pid: 1000, name: insmod"
    );
    assert_eq!(
        text[2],
        "CPU: 0 PID: 1000 Comm: insmod Tainted: G           O      4.19.255 #1"
    );
    // Rate-limited to once a second; GFP_ATOMIC is fine anyway.
    assert!(k.alloc_pages(gfp(&k, "GFP_KERNEL"), 0).log.is_empty());
    assert!(k.alloc_pages(gfp(&k, "GFP_ATOMIC"), 0).log.is_empty());

    let mut k = boot("6.12", 1 << 30);
    k.context_op(ContextOp::EnterHardirq);
    let ev = k.alloc_pages(gfp(&k, "GFP_KERNEL"), 0);
    let text: Vec<&str> = ev.log.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(
        text[0],
        "BUG: sleeping function called from invalid context at include/linux/sched/mm.h:321"
    );
    assert_eq!(
        text[1],
        "in_atomic(): 1, irqs_disabled(): 1, non_block: 0, pid: 1000, name: insmod"
    );
    assert_eq!(text[2], "preempt_count: 10000, expected: 0");
    assert_eq!(text[3], "RCU nest depth: 0, expected: 0");
    assert_eq!(
        text[4],
        "CPU: 0 UID: 0 PID: 1000 Comm: insmod Tainted: G           O       6.12.19 #1"
    );
    assert_eq!(text[5], "Tainted: [O]=OOT_MODULE");
}

#[test]
fn exhausted_memory_gives_the_allocation_failure_report() {
    let mut k = boot("6.6", 64 << 20);
    let atomic = gfp(&k, "GFP_ATOMIC");
    let mut last = None;
    for _ in 0..20_000 {
        let ev = k.alloc_pages(atomic, 0);
        if ev.outcome != Outcome::Ok {
            last = Some(ev);
            break;
        }
    }
    let ev = last.expect("a 64 MiB machine runs out of pages");
    assert_eq!(ev.value, CallValue::Null);
    let text: Vec<&str> = ev.log.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(
        text[0],
        "insmod: page allocation failure: order:0, mode:0x820(GFP_ATOMIC), nodemask=(null),cpuset=/,mems_allowed=0"
    );
    assert!(text.contains(&"Mem-Info:"));
    assert!(text
        .iter()
        .any(|l| l.starts_with("Node 0 DMA32: ") && l.ends_with("kB")));
    assert!(text.iter().any(|l| l.starts_with("lowmem_reserve[]: 0 ")));
    k.buddy.check(&k.mem).unwrap();
}

#[test]
fn kswapd_and_direct_reclaim_free_page_cache() {
    let mut k = boot("6.6", 256 << 20);
    let filled = k.fill_page_cache(1 << 20).value;
    assert!(
        matches!(filled, CallValue::Count(n) if n > 40_000),
        "{filled:?}"
    );
    // Below the low watermark a GFP_KERNEL request still succeeds above min
    // and wakes kswapd, which reclaims cache up to the high watermark.
    let ev = k.alloc_pages(gfp(&k, "GFP_KERNEL"), 3);
    assert_eq!(ev.outcome, Outcome::Ok);
    assert!(ev
        .effects
        .iter()
        .any(|e| matches!(e, Effect::Kswapd(n) if *n > 0)));
    let normal = k.buddy.zones.iter().rfind(|z| z.is_populated()).unwrap();
    assert!(normal.free_pages > normal.watermarks.high);
    // Refill, then drain the reserves with atomic requests that do not wake kswapd.
    k.fill_page_cache(1 << 20);
    let atomic = gfp(&k, "GFP_ATOMIC & ~__GFP_KSWAPD_RECLAIM | __GFP_NOWARN");
    while k.alloc_pages(atomic, 0).outcome == Outcome::Ok {}
    // Without direct reclaim nothing more is possible...
    let nowait = gfp(&k, "GFP_NOWAIT & ~__GFP_KSWAPD_RECLAIM | __GFP_NOWARN");
    assert_eq!(k.alloc_pages(nowait, 0).outcome, Outcome::Failed);
    // ...while a sleeping request reclaims page cache itself.
    let ev = k.alloc_pages(gfp(&k, "GFP_KERNEL & ~__GFP_KSWAPD_RECLAIM"), 0);
    assert_eq!(ev.outcome, Outcome::Ok);
    assert!(ev
        .effects
        .iter()
        .any(|e| matches!(e, Effect::DirectReclaim(n) if *n > 0)));
    k.buddy.check(&k.mem).unwrap();
}

#[test]
fn fragmentation_defeats_high_orders() {
    let mut k = boot("6.6", 128 << 20);
    k.fragment(4);
    let ev = k.alloc_pages(gfp(&k, "GFP_KERNEL"), 4);
    assert_eq!(ev.outcome, Outcome::Failed);
    assert!(ev.log[0].text.contains("page allocation failure: order:4"));
    let ev = k.alloc_pages(gfp(&k, "GFP_KERNEL"), 3);
    assert_eq!(ev.outcome, Outcome::Ok);
    k.buddy.check(&k.mem).unwrap();
}

#[test]
fn translation_of_a_direct_map_address() {
    let mut k = boot("6.6", 1 << 30);
    let ev = k.kaddr_to_phys(VirtAddr::new(0xffff_8880_0123_4567));
    assert_eq!(ev.value, CallValue::Phys(kmem::PhysAddr::new(0x123_4567)));
    assert_eq!(ev.walk[0].function, "is_vmalloc_addr");
    let old = boot("4.19.2", 1 << 30).translator();
    assert_eq!(
        old.pa(VirtAddr::new(0xffff_8800_0123_4567)).value,
        kmem::PhysAddr::new(0x123_4567)
    );
}

#[test]
fn freeing_what_was_not_allocated() {
    let mut k = boot("6.6", 1 << 30);
    // The kernel image: Bad page state, tainted B.
    let image_page = k.translator().pfn_to_page(kmem::Pfn::new(0x1000)).value;
    let ev = k.free_pages_page(image_page, 0);
    assert_eq!(ev.outcome, Outcome::Bug);
    assert_eq!(
        ev.log[0].text,
        "BUG: Bad page state in process insmod  pfn:01000"
    );
    // A pointer that is no struct page at all: oops, and the kernel stops.
    let ev = k.free_pages_page(VirtAddr::new(0xffff_ea00_0000_0001), 0);
    assert_eq!(ev.outcome, Outcome::Oops);
    assert!(matches!(
        k.alloc_page(gfp(&k, "GFP_KERNEL")).outcome,
        Outcome::Refused(_)
    ));
}

#[test]
fn allocation_failures_are_rate_limited_per_release() {
    // 6.x: one report per 10 s; 4.19: ten per 5 s, Mem-Info once a second.
    for (version, reports, mem_infos) in [("6.6", 1, 1), ("4.19", 3, 1)] {
        let mut k = boot(version, 128 << 20);
        k.fragment(5);
        let g = gfp(&k, "GFP_KERNEL");
        let mut headers = 0;
        let mut mem_info = 0;
        for _ in 0..3 {
            let ev = k.alloc_pages(g, 6);
            assert_eq!(ev.outcome, Outcome::Failed);
            headers += ev
                .log
                .iter()
                .filter(|l| l.text.contains("page allocation failure"))
                .count();
            mem_info += ev.log.iter().filter(|l| l.text == "Mem-Info:").count();
        }
        assert_eq!((headers, mem_info), (reports, mem_infos), "{version}");
    }
}

#[test]
fn per_cpu_lists_refill_in_batches_and_hand_back_the_last_freed_page() {
    for (version, batch, high) in [("4.19", 31, 186), ("6.6", 63, 0)] {
        let mut k = boot(version, 8 << 30);
        let normal = 2;
        assert_eq!(k.buddy.zones[normal].pcp.batch, batch, "{version}");
        if high > 0 {
            assert_eq!(k.buddy.zones[normal].pcp.high, high);
        } else {
            // 6.x: the low watermark split across the 4 CPUs.
            let z = &k.buddy.zones[normal];
            assert_eq!(z.pcp.high, (z.watermarks.low / 4).max(4 * batch));
        }
        let g = gfp(&k, "GFP_KERNEL");
        // Boot left pages on the list: take them until a refill.
        let (first, free_before) = loop {
            let free_before = k.buddy.zones[normal].free_pages;
            let page = page_of(k.alloc_pages(g, 0).value);
            if k.buddy.zones[normal].free_pages < free_before {
                break (page, free_before);
            }
        };
        // rmqueue_bulk took a whole batch from the buddy lists.
        assert_eq!(k.buddy.zones[normal].free_pages, free_before - batch);
        assert_eq!(k.buddy.zones[normal].pcp.count, batch - 1);
        let second = page_of(k.alloc_pages(g, 0).value);
        assert!(
            second.as_u64() > first.as_u64(),
            "batch pages come out in address order"
        );
        k.free_pages_page(first, 0);
        assert_eq!(
            page_of(k.alloc_pages(g, 0).value),
            first,
            "LIFO through the per-CPU list"
        );
        k.buddy.check(&k.mem).unwrap();
    }
}

#[test]
fn nofail_warnings_where_each_release_checks() {
    // 6.12 warns on entering the slow path; 4.19 and 6.6 only when the
    // request would fail.
    for (version, warns_when_plenty) in [("4.19", false), ("6.6", false), ("6.12", true)] {
        let mut k = boot(version, 64 << 20);
        let g = gfp(&k, "GFP_ATOMIC | __GFP_NOFAIL");
        // Plenty of memory: the fast path succeeds, nobody warns.
        let ev = k.alloc_pages(g, 0);
        assert_eq!((ev.outcome, ev.log.len()), (Outcome::Ok, 0), "{version}");
        // Exhaust memory: eventually the request fails, with a WARN.
        let mut warned = false;
        for _ in 0..20_000 {
            let ev = k.alloc_pages(g, 0);
            if ev.log.iter().any(|l| {
                l.text
                    .starts_with("WARNING: CPU: 0 PID: 1000 at mm/page_alloc.c:")
            }) {
                warned = true;
                if !warns_when_plenty {
                    assert_eq!(
                        ev.outcome,
                        Outcome::Failed,
                        "{version}: the warning comes with the failure"
                    );
                }
                break;
            }
        }
        assert!(warned, "{version}");
    }
}

/// Freeing the first page of a non-compound order-2 block leaks the other
/// three (only the first page had a reference count); freeing one of them
/// later drops a zero count below zero and frees nothing.
#[test]
fn leaked_pages_of_a_partly_freed_block_stay_leaked() {
    let mut k = boot("6.6", 1 << 30);
    let page = page_of(k.alloc_pages(gfp(&k, "GFP_KERNEL"), 2).value);
    let first = k.free_pages_page(page, 0);
    assert!(
        first.summary.to_string().contains("3 pages leaked"),
        "{}",
        first.summary
    );
    let second = k.free_pages_page(page.wrapping_add(64), 0);
    assert_eq!(second.outcome, Outcome::Ok);
    assert!(
        second.summary.to_string().contains("nothing is freed"),
        "{}",
        second.summary
    );
    assert!(
        second.effects.is_empty(),
        "no page went back: {:?}",
        second.effects
    );
    // The leaked page is still in use, not on a free list.
    let pfn = kmem::Pfn::new((page.as_u64() - kmem::layout::VMEMMAP_START.as_u64()) / 64 + 1);
    assert_eq!(
        k.mem.page(pfn).unwrap().used_as,
        kmem::memmap::FrameUse::Allocated
    );
}
