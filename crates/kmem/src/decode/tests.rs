use super::*;
use crate::context::ContextOp;
use crate::kernel::{CallValue, DebugConfig, Kernel, KernelConfig};
use crate::memmap::MachineConfig;
use crate::profile::{Profile, Series};
use crate::VirtAddr;

fn boot(series: Series, ram_bytes: u64, slub_debug: bool) -> Kernel {
    Kernel::boot(KernelConfig {
        profile: Profile::parse(series.name()).unwrap(),
        machine: MachineConfig {
            ram_bytes,
            ..MachineConfig::default()
        },
        debug: DebugConfig {
            slub_debug,
            ..DebugConfig::default()
        },
    })
    .unwrap()
}

fn addr(value: CallValue) -> VirtAddr {
    match value {
        CallValue::Address(a) => a,
        other => panic!("expected an address, got {other:?}"),
    }
}

fn only(decoding: &Decoding) -> &Finding {
    assert_eq!(decoding.findings.len(), 1, "{}", decoding.render());
    &decoding.findings[0]
}

fn has(lines: &[String], needle: &str) -> bool {
    lines.iter().any(|l| l.contains(needle))
}

#[test]
fn prefixes_of_dmesg_syslog_and_the_journal_are_stripped() {
    assert_eq!(strip_prefixes("[    2.000007] Mem-Info:"), "Mem-Info:");
    assert_eq!(strip_prefixes("[   12.345678][ T1234] BUG: x"), "BUG: x");
    assert_eq!(
        strip_prefixes("Nov 29 10:00:01 host kernel: [12345.678901] Call Trace:"),
        "Call Trace:"
    );
    assert_eq!(strip_prefixes("<4>[    1.5] WARNING: y"), "WARNING: y");
    assert_eq!(
        strip_prefixes("[    2.000007]  dump_stack_lvl"),
        " dump_stack_lvl"
    );
    // Not a timestamp: kept.
    assert_eq!(
        strip_prefixes("[<ffffffff81000000>] f"),
        "[<ffffffff81000000>] f"
    );
}

/// Fills a small machine with order-0 pages (reserves included), frees
/// every other one and asks for 128 KiB with GFP_ATOMIC: the real report,
/// decoded for each release, blames fragmentation.
#[test]
fn a_fragmentation_failure_is_explained_for_every_release() {
    for series in Series::ALL {
        let mut k = boot(series, 128 << 20, false);
        let filler = k
            .gfp
            .parse("GFP_ATOMIC | __GFP_MEMALLOC | __GFP_NOWARN")
            .unwrap();
        let mut pages = Vec::new();
        while let CallValue::Page(page) = k.alloc_pages(filler, 0).value {
            pages.push(page);
        }
        // alloc_pages returns struct page pointers; free those of even
        // pfns, so that no two free pages are buddies.
        let pfn = |page: &VirtAddr| (page.as_u64() - crate::layout::VMEMMAP_START.as_u64()) / 64;
        for page in pages.iter().filter(|p| pfn(p) % 2 == 0) {
            k.free_pages_page(*page, 0);
        }
        let atomic = k.gfp.parse("GFP_ATOMIC").unwrap();
        let value = k.kmalloc(128 << 10, atomic).value;
        assert!(
            matches!(value, CallValue::Null | CallValue::Address(VirtAddr::NULL)),
            "{series:?} {value:?}"
        );
        let d = decode(&k.log.render(), None).unwrap();
        assert_eq!(d.release, k.profile().release(), "{series:?}");
        assert!(matches!(d.release_source, ReleaseSource::Detected { .. }));
        let f = only(&d);
        assert_eq!(
            f.title,
            "page allocation failure: order 5, 32 pages, 128 KiB contiguous"
        );
        assert!(has(&f.facts, "(GFP_ATOMIC|__GFP_COMP)"), "{:#?}", f.facts);
        assert!(has(&f.facts, "may not sleep"));
        assert!(has(&f.facts, "node 0 DMA32:"), "{:#?}", f.facts);
        assert!(
            has(
                &f.facts,
                "why: no zone it may use had a free block of order 5 or more"
            ),
            "{:#?}",
            f.facts
        );
        assert!(has(&f.facts, "the free memory is fragmented"));
        assert!(has(&f.advice, "if the caller can sleep, use GFP_KERNEL"));
        let kvmalloc = if series == Series::V4_19 {
            "not GFP_KERNEL-compatible"
        } else {
            "do not allow blocking"
        };
        assert!(has(&f.advice, kvmalloc), "{:#?}", f.advice);
    }
}

/// A report pasted from a distribution kernel's journal: offsets,
/// unreliable `?` frames, a module, a Debian release string, and a
/// Mem-Info whose Normal zone has order-4 blocks but sits below min.
#[test]
fn a_pasted_4_19_report_names_the_caller_and_the_watermark() {
    let log = "\
Nov 29 10:00:01 host kernel: [12345.678901] kworker/u16:2: page allocation failure: order:4, mode:0x6080c0(GFP_KERNEL|__GFP_ZERO), nodemask=(null)
Nov 29 10:00:01 host kernel: [12345.678905] CPU: 3 PID: 1234 Comm: kworker/u16:2 Tainted: G           OE     4.19.0-17-amd64 #1 Debian 4.19.194-3
Nov 29 10:00:01 host kernel: [12345.678906] Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.3-debian-1.16.3-2 04/01/2014
Nov 29 10:00:01 host kernel: [12345.678907] Call Trace:
Nov 29 10:00:01 host kernel: [12345.678908]  dump_stack+0x66/0x90
Nov 29 10:00:01 host kernel: [12345.678909]  warn_alloc.cold.120+0x6c/0xec
Nov 29 10:00:01 host kernel: [12345.678910]  ? __alloc_pages_direct_compact+0x15b/0x160
Nov 29 10:00:01 host kernel: [12345.678911]  __alloc_pages_slowpath+0xc4a/0xc80
Nov 29 10:00:01 host kernel: [12345.678912]  __alloc_pages_nodemask+0x28b/0x2b0
Nov 29 10:00:01 host kernel: [12345.678913]  kmalloc_order+0x14/0x40
Nov 29 10:00:01 host kernel: [12345.678914]  kmalloc_order_trace+0x1d/0xa0
Nov 29 10:00:01 host kernel: [12345.678915]  mydrv_probe+0x1a/0x50 [mydrv]
Nov 29 10:00:01 host kernel: [12345.678916] Mem-Info:
Nov 29 10:00:01 host kernel: [12345.678917] Node 0 DMA free:15908kB min:136kB low:168kB high:200kB active_anon:0kB present:15992kB managed:15908kB
Nov 29 10:00:01 host kernel: [12345.678918] lowmem_reserve[]: 0 2955 3960 3960 3960
Nov 29 10:00:01 host kernel: [12345.678919] Node 0 Normal free:40000kB min:45000kB low:56000kB high:67000kB active_anon:0kB present:1048576kB managed:940000kB
Nov 29 10:00:01 host kernel: [12345.678920] lowmem_reserve[]: 0 0 0 0 0
Nov 29 10:00:01 host kernel: [12345.678921] Node 0 DMA: 1*4kB (U) 0*8kB 0*16kB 1*32kB (U) 2*64kB (U) 1*128kB (U) 1*256kB (U) 0*512kB 1*1024kB (U) 1*2048kB (M) 3*4096kB (M) = 15908kB
Nov 29 10:00:01 host kernel: [12345.678922] Node 0 Normal: 2000*4kB (UME) 1000*8kB (UME) 500*16kB (UM) 250*32kB (M) 250*64kB (M) 0*128kB 0*256kB 0*512kB 0*1024kB 0*2048kB 0*4096kB = 40000kB
";
    let d = decode(log, None).unwrap();
    assert_eq!(d.release, Release::series(4, 19));
    assert_eq!(d.release_source, ReleaseSource::Detected { line: 2 });
    let f = only(&d);
    assert_eq!(f.line, 1);
    assert_eq!(
        f.title,
        "page allocation failure: order 4, 16 pages, 64 KiB contiguous"
    );
    assert!(has(&f.facts, "task: kworker/u16:2"));
    assert!(has(&f.facts, "costly"));
    assert!(
        has(
            &f.facts,
            "called from mydrv_probe through kmalloc_order_trace"
        ),
        "{:#?}",
        f.facts
    );
    // Normal: 250 order-4 blocks, but 10000 free pages against min 11250.
    assert!(has(
        &f.facts,
        "node 0 Normal: 40000 kB free; 250 free block(s) of order 4 or more"
    ));
    assert!(has(&f.facts, "min watermark 11250 pages + lowmem_reserve 0 for a request up to Normal: at or below it"), "{:#?}", f.facts);
    // DMA: order-4 blocks too, but its reserve for Normal requests is 3873.
    assert!(
        has(
            &f.facts,
            "node 0 DMA: 15908 kB free; 9 free block(s) of order 4 or more"
        ),
        "{:#?}",
        f.facts
    );
    assert!(has(
        &f.facts,
        "why: blocks of order 4 or more were free, but every zone"
    ));
    assert!(
        has(&f.advice, "kvmalloc(65536, GFP_KERNEL|__GFP_ZERO)"),
        "{:#?}",
        f.advice
    );
    assert!(!has(&f.advice, "if the caller can sleep"));
}

#[test]
fn a_mask_printed_by_another_release_is_pointed_out() {
    let log = "insmod: page allocation failure: order:0, mode:0xcc0(GFP_KERNEL), nodemask=(null)\n";
    let d = decode(log, Some(Release::series(4, 19))).unwrap();
    assert_eq!(d.release_source, ReleaseSource::Given);
    let f = only(&d);
    assert!(
        has(
            &f.facts,
            "4.19 prints this mask as 0xcc0(__GFP_IO|__GFP_FS|0x800)"
        ) || has(&f.facts, "4.19 prints this mask as"),
        "{:#?}",
        f.facts
    );
    assert!(has(&f.facts, "no Mem-Info lines"));
    let d = decode(log, Some(Release::series(6, 6))).unwrap();
    assert!(has(&only(&d).facts, "mode 0xcc0(GFP_KERNEL): __GFP_IO"));
}

#[test]
fn sleeping_in_atomic_context_names_the_check_and_the_context() {
    for series in Series::ALL {
        let mut k = boot(series, 1 << 30, false);
        let kernel = k.gfp.parse("GFP_KERNEL").unwrap();
        k.context_op(ContextOp::SpinLock);
        k.kmalloc(64, kernel);
        let d = decode(&k.log.render(), None).unwrap();
        let f = only(&d);
        assert!(
            f.title.starts_with("a function that may sleep was called"),
            "{}",
            f.title
        );
        assert!(
            has(&f.facts, "might_sleep check") || has(&f.facts, "might_alloc()"),
            "{series:?} {:#?}",
            f.facts
        );
        assert!(has(&f.facts, "in_atomic(): 1"));
        if series == Series::V4_19 {
            assert!(has(&f.facts, "does not print preempt_count"));
        } else {
            assert!(has(&f.facts, "preempt_count 0x1"));
            assert!(has(&f.facts, "preemption disabled 1 time(s)"));
        }
        assert!(has(&f.advice, "allocate before taking the lock"));
    }
}

#[test]
fn preempt_count_bits_are_named() {
    let parts = reports_preempt(0x10201);
    assert_eq!(parts.len(), 3, "{parts:#?}");
    assert!(parts[0].starts_with("in a hardirq handler (depth 1)"));
    assert!(parts[1].starts_with("bottom halves disabled 1 time(s)"));
    assert!(parts[2].starts_with("preemption disabled 1 time(s)"));
    assert!(reports_preempt(0x100)[0].starts_with("running a softirq"));
    assert!(reports_preempt(0x110000)[0].starts_with("in an NMI"));
}

fn reports_preempt(count: u32) -> Vec<String> {
    let log = format!("BUG: scheduling while atomic: insmod/1000/0x{count:08x}\n");
    let d = decode(&log, Some(Release::series(6, 6))).unwrap();
    only(&d)
        .facts
        .iter()
        .filter_map(|f| f.strip_prefix("- ").map(str::to_string))
        .collect()
}

#[test]
fn slub_reports_locate_the_bad_byte() {
    let mut k = boot(Series::V6_6, 1 << 30, true);
    let kernel = k.gfp.parse("GFP_KERNEL").unwrap();
    let p = addr(k.kmalloc(100, kernel).value);
    k.write(p.wrapping_add(100), crate::kernel::memory::Width::U8, 1);
    k.kfree(p);
    let d = decode(&k.log.render(), None).unwrap();
    let f = only(&d);
    assert_eq!(
        f.title,
        "SLUB found corruption in kmalloc-128: kmalloc Redzone overwritten"
    );
    assert!(has(&f.facts, "kmalloc-128 holds objects of 128 bytes"));
    assert!(has(&f.facts, "first wrong byte: 0x1 instead of 0xcc"));
    assert!(
        has(&f.facts, "it is at byte 100 of the 128-byte object"),
        "{:#?}",
        f.facts
    );
    assert!(
        has(&f.facts, "the kmalloc request was at most 100 bytes"),
        "{:#?}",
        f.facts
    );
    assert!(has(
        &f.facts,
        "what happened: a write past the size passed to kmalloc"
    ));

    let q = addr(k.kmalloc(64, kernel).value);
    k.kfree(q);
    k.kfree(q);
    let d = decode(&k.log.render(), None).unwrap();
    let last = d.findings.last().unwrap();
    assert!(has(&last.facts, "a double free"), "{}", d.render());
}

#[test]
fn oopses_say_what_the_address_is() {
    let mut k = boot(Series::V6_12, 1 << 30, false);
    let kernel = k.gfp.parse("GFP_KERNEL").unwrap();
    let zero = addr(k.kmalloc(0, kernel).value);
    k.read(zero, crate::kernel::memory::Width::U8);
    let d = decode(&k.log.render(), None).unwrap();
    let f = only(&d);
    assert_eq!(f.title, "kernel page fault at 0x0000000000000010");
    assert!(has(&f.facts, "ZERO_SIZE_PTR"));

    let classify = |line: &str| {
        let d = decode(line, Some(Release::series(6, 6))).unwrap();
        only(&d).facts.join("\n")
    };
    assert!(
        classify("BUG: kernel NULL pointer dereference, address: 0000000000000048")
            .contains("offset 0x48")
    );
    assert!(classify("general protection fault, probably for non-canonical address 0x6b6b6b6b6b6b6b6b: 0000 [#1] PREEMPT SMP NOPTI").contains("poison for freed objects"));
    assert!(classify("general protection fault, probably for non-canonical address 0xdead000000000122: 0000 [#1] SMP").contains("LIST_POISON2"));
    assert!(
        classify("BUG: unable to handle page fault for address: ffffc90000201000")
            .contains("in the vmalloc area")
    );
    assert!(
        classify("BUG: unable to handle page fault for address: 00007ffd12345678")
            .contains("user-space address")
    );
}

#[test]
fn bugs_and_warnings_of_the_memory_api_are_recognised() {
    let mut k = boot(Series::V4_19, 1 << 30, false);
    k.context_op(ContextOp::EnterHardirq);
    k.vmalloc(4096);
    let d = decode(&k.log.render(), None).unwrap();
    assert!(
        d.findings
            .iter()
            .any(|f| has(&f.facts, "BUG_ON(in_interrupt())")),
        "{}",
        d.render()
    );

    let mut k = boot(Series::V6_6, 1 << 30, false);
    k.vmalloc(0);
    let f = only(&decode(&k.log.render(), None).unwrap()).clone();
    assert!(f.title.starts_with("a WARN fired at mm/vmalloc.c:3256"));
    assert!(has(&f.facts, "vmalloc(0)"));

    let huge = decode(
        "[ 1.0] insmod: vmalloc error: size 18446744073709547520, exceeds total pages, mode:0xcc0(GFP_KERNEL), nodemask=(null),cpuset=/,mems_allowed=0\n",
        None,
    )
    .unwrap();
    let f = only(&huge);
    assert!(has(&f.facts, "-4096 as a signed number"), "{:#?}", f.facts);
    assert!(has(&f.advice, "array_size()"));
}

#[test]
fn versions_outside_the_tables_are_handled() {
    let newer = "CPU: 1 PID: 1 Comm: x Not tainted 6.15.2 #1\nBUG: scheduling while atomic: x/1/0x00000002\n";
    let d = decode(newer, None).unwrap();
    assert_eq!(d.release, Release::series(6, 12));
    assert!(matches!(
        d.release_source,
        ReleaseSource::Newer { line: 1, .. }
    ));
    assert!(d.render().contains("newer than the flag tables"));
    let given = decode(newer, Release::parse("6.18.35").ok()).unwrap();
    assert_eq!(given.release, Release::series(6, 12));
    assert!(given
        .render()
        .starts_with("kernel 6.12 (6.18.35 is newer than the flag tables"));
    let older = "CPU: 1 PID: 1 Comm: x Not tainted 3.10.0-1160.el7.x86_64 #1\n";
    assert!(matches!(
        decode(older, None),
        Err(DecodeError::Version(VersionError::NoGfpTable(_)))
    ));
    // An explicit release wins over the log's.
    assert!(decode(older, Some(Release::series(6, 6))).is_ok());
}

#[test]
fn text_without_a_report_has_nothing_to_decode() {
    for text in [
        "",
        "hello\nworld\n",
        "[    0.000000] Linux version 6.6.0\n",
        "BUG \u{0}(\n((((",
    ] {
        let d = decode(text, None).unwrap();
        assert!(d.findings.is_empty(), "{text:?}");
        assert!(d.render().contains(NOTHING_TO_DECODE));
    }
}

/// Whatever the input, decoding returns (no panic on truncated or
/// mangled reports).
#[test]
fn mangled_reports_do_not_panic() {
    let lines = [
        "x: page allocation failure: order:99999999999999999999, mode:0x",
        "x: page allocation failure: order:63, mode:0xffffffff(",
        "Node 0 Normal: 1*3kB 2*99999999kB =",
        "Node 0 Normal free:kB min: low:",
        "lowmem_reserve[]: x y",
        "vmalloc error: size , mode:",
        "BUG: sleeping function called from invalid context at ",
        "preempt_count: zz, expected: 0",
        "BUG kmalloc-x (Tainted: ): ",
        "INFO: 0x-0x @offset=. First byte ",
        "kernel BUG at :!",
        "general protection fault",
        "BUG: unable to handle page fault for address: ",
        "WARNING: CPU: 0 PID: 1 at ",
        "Call Trace:",
        " ? ",
        "[<>]",
    ];
    for a in lines {
        for b in lines {
            let text = format!("{a}\n{b}\n{a}\n");
            let d = decode(&text, None).unwrap();
            let _ = d.render();
        }
    }
}

#[test]
fn text_up_to_the_limit_is_read_and_longer_text_refused() {
    let at_limit = "\n".repeat(MAX_LOG_BYTES);
    assert!(decode(&at_limit, None).unwrap().findings.is_empty());
    let over = at_limit + "x";
    assert_eq!(decode(&over, None), Err(DecodeError::TooLong));
    assert!(DecodeError::TooLong.to_string().contains("4 MiB"));
}
