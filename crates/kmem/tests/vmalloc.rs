//! vmalloc, kvmalloc, memory access and their reports on the simulated
//! kernel, checked against kernel-facts §3, §4, §5 and §7.

use kmem::context::ContextOp;
use kmem::kernel::memory::Width;
use kmem::kernel::{CallValue, Effect, Kernel, KernelConfig, Outcome};
use kmem::kvmalloc::{KvmallocPath, NoFallback};
use kmem::memmap::{FrameUse, MachineConfig};
use kmem::procfs;
use kmem::profile::Profile;
use kmem::translate::PtLevel;
use kmem::VirtAddr;

const VMALLOC_START: u64 = 0xffff_c900_0000_0000;

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

fn log_text(ev: &kmem::kernel::Event) -> Vec<String> {
    ev.log.iter().map(|l| l.text.clone()).collect()
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
fn vmalloc_maps_scattered_pages_through_real_page_tables() {
    for version in ["4.19", "6.6", "6.12"] {
        let mut k = boot(version);
        let tables_before = k.pgtables.table_pages();
        let ev = k.vmalloc(8192);
        assert_eq!(ev.outcome, Outcome::Ok, "{version}: {ev:?}");
        let v = addr(ev.value);
        assert_eq!(
            v.as_u64(),
            VMALLOC_START,
            "{version}: the space starts empty"
        );
        // 4.19 allocates PUD, PMD and PTE tables; 6.x preallocated the PUDs at boot.
        let new_tables = k.pgtables.table_pages() - tables_before;
        assert_eq!(
            new_tables,
            if version == "4.19" { 3 } else { 2 },
            "{version}"
        );
        let tables = ev
            .effects
            .iter()
            .filter(|e| matches!(e, Effect::PageTable(_)))
            .count();
        assert_eq!(tables, new_tables);
        // kernel-facts §4.5: the size includes the guard page.
        let info = procfs::read(&k, "/proc/vmallocinfo").unwrap();
        assert!(
            info.starts_with("0xffffc90000000000-0xffffc90000003000   12288 playground_init+"),
            "{info}"
        );
        assert!(info.trim_end().ends_with(" pages=2 vmalloc N0=2"), "{info}");
        // Each page translates through the tables; the walk records 5 levels.
        for offset in [0u64, 0x123, 0x1000, 0x1fff] {
            let ev = k.kaddr_to_phys(v.wrapping_add(offset));
            let CallValue::Phys(phys) = ev.value else {
                panic!("{ev:?}")
            };
            let frame = k.mem.page(phys.pfn()).unwrap();
            assert_eq!(frame.used_as, FrameUse::Vmalloc);
            assert_eq!(phys.as_u64() & 0xfff, offset & 0xfff);
            let entries: Vec<u64> = ev
                .walk
                .iter()
                .filter_map(|s| match s.kind {
                    kmem::translate::StepKind::TableEntry { entry, .. } => Some(entry),
                    _ => None,
                })
                .collect();
            assert_eq!(entries.len(), 5);
            assert_eq!(entries[0] & 0xfff, 0x067, "_PAGE_TABLE");
            assert_eq!(entries[0], entries[1], "P4D folded");
            assert_eq!(entries[4], (phys.as_u64() & !0xfff) | 0x8000_0000_0000_0163);
        }
        // PageTables counts PMD pages in 6.6, PMD and PUD pages in 6.12, none in 4.19.
        let expected_kb = match version {
            "4.19" => 0,
            "6.6" => 4,
            _ => (64 + 1) * 4,
        };
        assert_eq!(meminfo_kb(&k, "PageTables"), expected_kb, "{version}");
        let used = if version == "4.19" { 0 } else { 8 };
        assert_eq!(meminfo_kb(&k, "VmallocUsed"), used, "{version}");
    }
}

#[test]
fn vfree_frees_pages_now_and_the_range_lazily() {
    let mut k = boot("6.6");
    let free = |k: &Kernel| k.buddy.nr_free_pages() + k.buddy.pcp_pages();
    let slab_pages = |k: &Kernel| {
        let (r, u) = k.slab.slab_pages();
        r + u
    };
    let (free_before, tables_before, slabs_before) =
        (free(&k), k.pgtables.table_pages(), slab_pages(&k));
    let a = addr(k.vmalloc(3 * 4096).value);
    assert_eq!(
        free(&k),
        free_before - 3 - 2 - 2,
        "3 pages, a PMD and a PTE table, 2 new slabs"
    );
    let ev = k.vfree(a);
    assert_eq!(ev.outcome, Outcome::Ok, "{}", ev.summary);
    // The data pages went back; the tables stay, and so do the slabs of
    // the vm_struct and the page array (SLUB keeps min_partial slabs).
    let kept = (k.pgtables.table_pages() - tables_before) as u64 + (slab_pages(&k) - slabs_before);
    assert_eq!(kept, 4);
    assert_eq!(free(&k), free_before - kept);
    let info = procfs::read(&k, "/proc/vmallocinfo").unwrap();
    assert_eq!(
        info,
        "0xffffc90000000000-0xffffc90000004000   16384 unpurged vm_area\n"
    );
    // The range is not reused before a purge: the next area lands above it.
    let b = addr(k.vmalloc(4096).value);
    assert_eq!(b.as_u64(), VMALLOC_START + 0x4000);
    // A second vfree of the same address: nonexistent vm area.
    let ev = k.vfree(a);
    assert_eq!(ev.outcome, Outcome::Warn);
    let log = log_text(&ev);
    assert!(
        log.iter()
            .any(|l| l.starts_with("Trying to vfree() nonexistent vm area (00000000")),
        "{log:?}"
    );
    assert!(log
        .iter()
        .any(|l| l.starts_with("WARNING: CPU: 0 PID: 1000 at mm/vmalloc.c:2843 vfree")));
}

#[test]
fn vmalloc_size_checks_per_release() {
    let mut k = boot("4.19");
    let ev = k.vmalloc(0);
    assert_eq!(ev.value, CallValue::Address(VirtAddr::NULL));
    assert_eq!(
        log_text(&ev)[0],
        "insmod: vmalloc: allocation failure: 0 bytes, mode:0x6000c0(GFP_KERNEL), nodemask=(null)"
    );
    let mut k = boot("6.6");
    let ev = k.vmalloc(0);
    assert_eq!(ev.outcome, Outcome::Warn);
    assert!(log_text(&ev).iter().any(
        |l| l.starts_with("WARNING: CPU: 0 PID: 1000 at mm/vmalloc.c:3256 __vmalloc_node_range+0x")
    ));
    let ev = k.vmalloc(2 << 30);
    assert_eq!(ev.outcome, Outcome::Failed);
    assert!(log_text(&ev)[0].starts_with(
        "insmod: vmalloc error: size 2147483648, exceeds total pages, mode:0xcc0(GFP_KERNEL), nodemask=(null),cpuset=/,mems_allowed=0"
    ));
}

#[test]
fn vmalloc_in_interrupt_bugs_and_vfree_there_is_deferred() {
    for (version, line) in [("4.19", 1385), ("6.6", 2596), ("6.12", 3113)] {
        let mut k = boot(version);
        let a = addr(k.vmalloc(4096).value);
        k.context_op(ContextOp::EnterHardirq);
        let ev = k.vfree(a);
        assert_eq!(ev.outcome, Outcome::Ok, "{ev:?}");
        assert!(ev.summary.to_string().contains("defers"), "{}", ev.summary);
        assert!(k.vmap.area_containing(a).is_some(), "not freed yet");
        let ev = k.vmalloc(4096);
        assert_eq!(ev.outcome, Outcome::Bug);
        assert!(log_text(&ev)
            .iter()
            .any(|l| l == &format!("kernel BUG at mm/vmalloc.c:{line}!")));
        let mut k = boot(version);
        let a = addr(k.vmalloc(4096).value);
        k.context_op(ContextOp::EnterSoftirq);
        k.vfree(a);
        k.context_op(ContextOp::ExitSoftirq);
        let ev = k.kfree(VirtAddr::NULL);
        assert!(
            ev.effects
                .iter()
                .any(|e| matches!(e, Effect::DeferredVfree { pages: 1, .. })),
            "{version}: the workqueue runs once back in process context: {:?}",
            ev.effects
        );
        assert!(k.vmap.area_containing(a).is_none());
    }
}

#[test]
fn vfree_of_kmalloc_memory_warns_as_each_release_does() {
    // Unaligned: 4.19 warns once in __vunmap; 6.x warns in remove_vm_area and in vfree.
    for (version, warnings) in [("4.19", 1), ("6.6", 2), ("6.12", 2)] {
        let mut k = boot(version);
        let p = addr(k.kmalloc(100, k.gfp.parse("GFP_KERNEL").unwrap()).value);
        let ev = k.vfree(p);
        assert_eq!(ev.outcome, Outcome::Warn, "{version}");
        let log = log_text(&ev);
        let n = log.iter().filter(|l| l.starts_with("WARNING:")).count();
        assert_eq!(n, warnings, "{version}: {log:?}");
        assert!(log
            .iter()
            .any(|l| l.starts_with("Trying to vfree() bad address (")));
    }
    // Page aligned but no area: 4.19.0 dereferences NULL (offset 0x48).
    let mut k = boot("4.19.0");
    let p = addr(
        k.get_free_pages(k.gfp.parse("GFP_KERNEL").unwrap(), 0)
            .value,
    );
    let ev = k.vfree(p);
    assert_eq!(ev.outcome, Outcome::Oops);
    assert_eq!(
        log_text(&ev)[0],
        "BUG: unable to handle kernel NULL pointer dereference at 0000000000000048"
    );
}

#[test]
fn kvmalloc_falls_back_as_each_release_decides() {
    for version in ["4.19", "6.6", "6.12"] {
        let mut k = boot(version);
        let kernel = k.gfp.parse("GFP_KERNEL").unwrap();
        let atomic = k.gfp.parse("GFP_ATOMIC").unwrap();
        k.fragment(1);
        let ev = k.kvmalloc(64 << 10, kernel);
        assert_eq!(ev.outcome, Outcome::Ok, "{version}: {ev:?}");
        assert!(k.translator().is_vmalloc_addr(addr(ev.value)).value);
        assert!(
            ev.summary.to_string().contains("fell back to vmalloc"),
            "{}",
            ev.summary
        );
        assert!(ev
            .effects
            .contains(&Effect::Kvmalloc(KvmallocPath::Vmalloc { succeeded: true })));
        assert!(
            ev.log.is_empty(),
            "the kmalloc attempt is NOWARN: {:?}",
            ev.log
        );
        let ev = k.kvmalloc(64 << 10, atomic);
        assert_eq!(ev.value, CallValue::Address(VirtAddr::NULL), "{version}");
        let expected = if version == "4.19" {
            "GFP_KERNEL-compatible"
        } else {
            "do not allow blocking"
        };
        assert!(
            ev.summary.to_string().contains(expected),
            "{version}: {}",
            ev.summary
        );
        let reason = if version == "4.19" {
            NoFallback::NotGfpKernel
        } else {
            NoFallback::NonBlocking
        };
        assert!(ev
            .effects
            .contains(&Effect::Kvmalloc(KvmallocPath::NoFallback(reason))));
        // kvfree takes the right path for both kinds.
        let v = addr(k.kvmalloc(64 << 10, kernel).value);
        let ev = k.kvfree(v);
        assert!(
            ev.summary.to_string().starts_with("is_vmalloc_addr: vfree"),
            "{}",
            ev.summary
        );
        let s = addr(k.kvmalloc(100, kernel).value);
        let ev = k.kvfree(s);
        assert!(
            ev.summary
                .to_string()
                .starts_with("not a vmalloc address: kfree"),
            "{}",
            ev.summary
        );
    }
}

#[test]
fn kvmalloc_above_4_mib_maps_huge_pages_on_6x() {
    let mut k = boot("6.6");
    let kernel = k.gfp.parse("GFP_KERNEL").unwrap();
    let ev = k.kvmalloc(6 << 20, kernel);
    assert_eq!(ev.outcome, Outcome::Ok, "{}", ev.summary);
    let v = addr(ev.value);
    assert_eq!(v.as_u64() % (2 << 20), 0, "2 MiB aligned");
    assert!(
        ev.summary.to_string().contains("PMD leaves"),
        "{}",
        ev.summary
    );
    let lookup = k.pgtables.lookup(v.wrapping_add(5 * 4096 + 3));
    assert_eq!(lookup.entries().count(), 4, "stops at the PMD leaf");
    let leaf = lookup.entries().last().unwrap();
    assert_eq!(leaf.level, PtLevel::Pmd);
    assert_eq!(leaf.entry & 0x80, 0x80, "_PAGE_PSE");
    assert_eq!(lookup.frame.unwrap().as_u64() % 512, 5);
    // 4.19 has no huge vmalloc.
    let mut k = boot("4.19");
    let kernel = k.gfp.parse("GFP_KERNEL").unwrap();
    let ev = k.kvmalloc(6 << 20, kernel);
    assert!(
        ev.summary.to_string().contains("one at a time"),
        "{}",
        ev.summary
    );
}

#[test]
fn memory_contents_and_faults() {
    for version in ["4.19", "6.6", "6.12"] {
        let mut k = boot(version);
        let kernel = k.gfp.parse("GFP_KERNEL").unwrap();
        let z = addr(k.kzalloc(64, kernel).value);
        assert_eq!(k.read(z, Width::U64).value, CallValue::Count(0));
        let v = addr(k.vmalloc(8192).value);
        k.write(v.wrapping_add(4100), Width::U32, 0xdead_beef);
        assert_eq!(
            k.read(v.wrapping_add(4100), Width::U32).value,
            CallValue::Count(0xdead_beef)
        );
        // The same bytes through the direct map of the frame.
        let CallValue::Phys(phys) = k.kaddr_to_phys(v.wrapping_add(4100)).value else {
            panic!()
        };
        let direct = k.translator().va(phys).value;
        assert_eq!(
            k.read(direct, Width::U32).value,
            CallValue::Count(0xdead_beef)
        );
        k.memset(v, 0x41, 16);
        let ev = k.print_hex_dump(v, 20);
        let log = log_text(&ev);
        assert_eq!(
            log[0],
            "00000000: 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41  AAAAAAAAAAAAAAAA"
        );
        assert!(log[1].starts_with("00000010: "));
        assert_eq!(log[1].len(), 10 + 49 + 4, "{:?}", log[1]);
        // The guard page faults, with the page-table entries in the report.
        let ev = k.read(v.wrapping_add(8192), Width::U8);
        assert_eq!(ev.outcome, Outcome::Oops, "{version}");
        let log = log_text(&ev);
        let first = if version == "4.19" {
            "BUG: unable to handle kernel paging request at ffffc90000002000"
        } else {
            "BUG: unable to handle page fault for address: ffffc90000002000"
        };
        assert_eq!(log[0], first);
        let tables = log.iter().find(|l| l.starts_with("PGD ")).unwrap();
        assert!(tables.ends_with(" PTE 0"), "{tables}");
        assert!(
            ev.summary.to_string().contains("guard page"),
            "{}",
            ev.summary
        );
        assert!(matches!(k.state(), kmem::kernel::KernelState::Stopped(_)));
        assert!(!k.taint.is_clean());
    }
    let mut k = boot("6.12");
    let ev = k.write(VirtAddr::new(0x10), Width::U8, 1);
    let log = log_text(&ev);
    assert_eq!(
        log[0],
        "BUG: kernel NULL pointer dereference, address: 0000000000000010"
    );
    assert_eq!(log[1], "#PF: supervisor write access in kernel mode");
    assert_eq!(log[2], "#PF: error_code(0x0002) - not-present page");
    assert_eq!(log[3], "PGD 0 P4D 0 ");
    assert_eq!(log[4], "Oops: Oops: 0002 [#1] PREEMPT SMP NOPTI");
}

#[test]
fn krealloc_keeps_the_object_while_it_fits() {
    let mut k = boot("6.12");
    let kernel = k.gfp.parse("GFP_KERNEL").unwrap();
    let p = addr(k.kmalloc(100, kernel).value);
    k.write(p, Width::U64, 0x1122_3344_5566_7788);
    let ev = k.krealloc(p, 120, kernel);
    assert_eq!(addr(ev.value), p, "kmalloc-128 holds 120 bytes");
    let ev = k.krealloc(p, 500, kernel);
    let q = addr(ev.value);
    assert_ne!(q, p);
    assert_eq!(
        k.read(q, Width::U64).value,
        CallValue::Count(0x1122_3344_5566_7788)
    );
    let ev = k.krealloc(q, 0, kernel);
    assert_eq!(ev.value, CallValue::Address(VirtAddr::new(16)));
}

#[test]
fn kvrealloc_follows_each_release() {
    let mut k = boot("4.19");
    let gfp = k.gfp.parse("GFP_KERNEL").unwrap();
    let p = addr(k.kmalloc(64, gfp).value);
    assert!(matches!(
        k.kvrealloc(p, Some(64), 128, gfp).outcome,
        Outcome::Refused(_)
    ));

    let mut k = boot("6.6");
    let gfp = k.gfp.parse("GFP_KERNEL").unwrap();
    let p = addr(k.kmalloc(64, gfp).value);
    k.write(p, Width::U64, 0xabcd);
    assert_eq!(addr(k.kvrealloc(p, Some(64), 32, gfp).value), p);
    let q = addr(k.kvrealloc(p, Some(64), 100_000, gfp).value);
    assert_ne!(q, p);
    assert_eq!(k.read(q, Width::U64).value, CallValue::Count(0xabcd));
    assert!(matches!(
        k.kvrealloc(q, None, 10, gfp).outcome,
        Outcome::Refused(_)
    ));

    let mut k = boot("6.12");
    let gfp = k.gfp.parse("GFP_KERNEL").unwrap();
    let v = addr(k.vmalloc(5000).value);
    k.write(v.wrapping_add(4999), Width::U8, 0x77);
    // vrealloc: 8192 bytes of pages hold 8000.
    assert_eq!(addr(k.kvrealloc(v, None, 8000, gfp).value), v);
    let w = addr(k.kvrealloc(v, None, 20_000, gfp).value);
    assert_ne!(w, v);
    assert_eq!(
        k.read(w.wrapping_add(4999), Width::U8).value,
        CallValue::Count(0x77)
    );
    assert!(k.vmap.area_containing(v).is_none(), "the old area is freed");
    let ev = k.kvrealloc(w, None, 0, gfp);
    assert_eq!(ev.value, CallValue::Address(VirtAddr::NULL));
    assert!(k.vmap.area_containing(w).is_none());
}

/// kernel-facts §7.5: kfree() of a vmalloc address computes a struct page
/// in the hole after the vmemmap area and oopses reading it.
#[test]
fn kfree_of_vmalloc_memory_oopses_on_the_bogus_struct_page() {
    for (version, first) in [
        (
            "4.19",
            "BUG: unable to handle kernel paging request at ffffeb02",
        ),
        (
            "6.6",
            "BUG: unable to handle page fault for address: ffffeb02",
        ),
    ] {
        let mut k = boot(version);
        let v = addr(k.vmalloc(4096).value);
        let ev = k.kfree(v);
        assert_eq!(ev.outcome, Outcome::Oops, "{version}");
        assert!(
            log_text(&ev)[0].starts_with(first),
            "{version}: {:?}",
            log_text(&ev)
        );
        assert!(ev.walk.iter().any(|s| s
            .note
            .as_deref()
            .is_some_and(|n| n.contains("vmalloc address"))));
        assert!(matches!(k.state(), kmem::kernel::KernelState::Stopped(_)));
    }
}

/// The workqueue that runs deferred vfrees makes vfree's checks.
#[test]
fn deferred_vfree_of_a_bad_pointer_warns_when_the_work_runs() {
    let mut k = boot("6.6");
    let v = addr(k.vmalloc(8192).value);
    let ev = k.vfree_atomic(v.wrapping_add(8));
    assert_eq!(ev.outcome, Outcome::Ok, "queued without checks");
    let ev = k.kfree(VirtAddr::NULL);
    let log = log_text(&ev);
    assert!(
        log.iter()
            .any(|l| l.starts_with("Trying to vfree() bad address (")),
        "{log:?}"
    );
    assert!(log
        .iter()
        .any(|l| l.starts_with("Trying to vfree() nonexistent vm area (")));
    assert!(k.vmap.area_containing(v).is_some(), "nothing freed");
}

/// vmalloc and vfree may sleep: under a spinlock each reports where.
#[test]
fn vmalloc_and_vfree_under_a_spinlock_report_might_sleep() {
    for (version, alloc_at, free_at) in [
        ("4.19", "mm/slab.h:422", "mm/vmalloc.c:1482"),
        ("6.6", "include/linux/sched/mm.h:306", "mm/vmalloc.c:2836"),
        ("6.12", "include/linux/sched/mm.h:321", "mm/vmalloc.c:3354"),
    ] {
        let mut k = boot(version);
        let v = addr(k.vmalloc(4096).value);
        k.context_op(ContextOp::SpinLock);
        let ev = k.vmalloc(4096);
        // The vm_struct's kzalloc is the first to check.
        assert_eq!(
            log_text(&ev)[0],
            format!("BUG: sleeping function called from invalid context at {alloc_at}"),
            "{version}"
        );
        k.log.advance(2_000_000_000);
        let ev = k.vfree(v);
        assert_eq!(
            log_text(&ev)[0],
            format!("BUG: sleeping function called from invalid context at {free_at}"),
            "{version}"
        );
    }
}
