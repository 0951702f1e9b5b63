//! The decoder on real reports, copied verbatim from public threads into
//! `tests/real-reports/` (each file names its source, title and release
//! above its `# ---` line): vmalloc's huge-page attempts and its size 0,
//! reports quoted or wrapped by mail clients, sleeping functions other
//! than allocators, impossible fields, and releases newer than the tables.

use kmem::decode::{decode, Decoding, Finding, ReleaseSource};
use kmem::profile::Release;

/// The report of `file` (its text after the `# ---` line), decoded.
fn decoded(file: &str) -> Decoding {
    let path = format!("{}/tests/real-reports/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let (head, body) = text.split_once("# ---\n").expect("a header");
    assert!(head.starts_with("# source: "), "{file} names its source");
    decode(body, None).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// The only finding whose title starts with `title`.
fn finding<'a>(d: &'a Decoding, title: &str) -> &'a Finding {
    let found: Vec<&Finding> = d
        .findings
        .iter()
        .filter(|f| f.title.starts_with(title))
        .collect();
    assert_eq!(found.len(), 1, "{title:?} in {}", d.render());
    found[0]
}

fn says(lines: &[String], needle: &str) -> bool {
    lines.iter().any(|l| l.contains(needle))
}

fn release(d: &Decoding) -> String {
    d.release.to_string()
}

/// `vmalloc error: size N, page order 9`: the huge-page attempt, whose
/// failure 6.3 printed although the order-0 retry usually succeeds.
#[test]
fn a_page_order_9_failure_is_the_huge_page_attempt() {
    for file in [
        "01-vmalloc-order9-syzbot-ext4-6.2.txt",
        "03-vmalloc-size0-order9-amdgpu-6.3.9.txt",
    ] {
        let d = decoded(file);
        let f = finding(&d, "vmalloc failure: the area's pages could not all be had");
        assert!(
            says(
                &f.facts,
                "why: page order 9: this was the huge-page attempt"
            ),
            "{f:#?}"
        );
        assert!(says(&f.facts, "free blocks of order 9"), "{f:#?}");
        assert!(says(&f.facts, "retries the whole area with order-0 pages"));
        assert!(says(
            &f.facts,
            "before 6.4 this warning is printed even when the order-0 retry then succeeds"
        ));
        assert!(!says(&f.facts, "fragmentation does not matter"), "{f:#?}");
        assert!(says(
            &f.advice,
            "nothing to fix when the caller got its memory"
        ));
    }
}

/// The size of a page failure is what was obtained before it, so 0 is
/// normal: no "check why the size is 0".
#[test]
fn size_0_is_what_was_obtained_not_what_was_asked() {
    for file in [
        "03-vmalloc-size0-order9-amdgpu-6.3.9.txt",
        "04-vmalloc-size0-order9-bees-vm-6.3.1-wrapped.txt",
        "05-vmalloc-size0-zoned-btrfs-6.11.3-fc40.txt",
        "06-vmalloc-size0-zoned-btrfs-6.8.7-arch-tainted-POE.txt",
    ] {
        let d = decoded(file);
        let f = finding(
            &d,
            "vmalloc failure: the area's pages could not all be had (0 bytes obtained",
        );
        assert!(
            says(
                &f.facts,
                "size 0 is not the size asked for: it is area->nr_pages * PAGE_SIZE"
            ),
            "{file}: {f:#?}"
        );
        assert!(
            !says(&f.advice, "check why the size is 0"),
            "{file}: {f:#?}"
        );
    }
    // From 6.4 the message has no page order and is printed for order 0
    // only: the small pages ran out.
    for (file, named) in [
        ("05-vmalloc-size0-zoned-btrfs-6.11.3-fc40.txt", "6.11.3"),
        (
            "06-vmalloc-size0-zoned-btrfs-6.8.7-arch-tainted-POE.txt",
            "6.8.7",
        ),
    ] {
        let d = decoded(file);
        assert_eq!(release(&d), named);
        let f = finding(&d, "vmalloc failure:");
        assert!(
            says(&f.facts, "prints this only for order-0 pages"),
            "{f:#?}"
        );
        assert!(says(&f.facts, "order-0 pages ran out"));
    }
}

/// Quoted (`> `, `> > > `), quoted-printable and wrapped reports decode as
/// the original.
#[test]
fn mail_quoted_and_wrapped_reports_decode_like_the_original() {
    // Thunderbird's flowed wrapping of a syslog capture.
    let d = decoded("02-mail-wrapped-vmalloc-order9-bees-6.3.1.txt");
    assert_eq!(release(&d), "6.3.1");
    let f = finding(
        &d,
        "vmalloc failure: the area's pages could not all be had (14 MiB",
    );
    assert!(
        says(&f.facts, "mode 0xcc2(GFP_KERNEL|__GFP_HIGHMEM)"),
        "{f:#?}"
    );
    assert!(says(
        &f.facts,
        "called from init_data_container through kvmalloc_node"
    ));
    // "> " quoting, quoted-printable `=3D` and soft breaks, wrapped lines.
    let d = decoded("10-mail-quoted-sleep-sched-mm-pc2-amdgpu-6.12.0.txt");
    assert_eq!(release(&d), "6.12.0");
    let f = finding(&d, "a function that may sleep was called where sleeping is forbidden (include/linux/sched/mm.h:321)");
    assert!(says(&f.facts, "preempt_count 0x2"), "{f:#?}");
    // "> " quoting with the reply cut out: the task name has no "> ".
    let d = decoded("11-mail-quoted-page-alloc-failure-order7-dma32-6.11.11-valve.txt");
    let f = finding(&d, "page allocation failure: order 7");
    assert!(
        f.facts.contains(&"task: kworker/u33:5".to_string()),
        "{f:#?}"
    );
    assert!(says(&f.facts, "node 0 DMA32: 9796 kB free"), "{f:#?}");
    // "> > > " and quoted-printable in a three-deep reply.
    let d = decoded("19-mail-quoted-3deep-qp-kernel-BUG-bcache-4.14.154.txt");
    assert_eq!(release(&d), "4.14.154");
    finding(&d, "BUG_ON fired at drivers/md/bcache/writeback.c:324");
    // A Gmail-wrapped report: the location on the next line joins the head.
    let d = decoded("07-sleep-mutex-pc102-rcu4-sockmap-6.3-rc5-gmail-wrapped.txt");
    finding(&d, "a function that may sleep was called where sleeping is forbidden (kernel/locking/mutex.c:580)");
    // A quoted page-fault oops.
    let d = decoded("16-pagefault-oops-cr2-5.15.60-livepatch-K-mail-quoted.txt");
    assert_eq!(release(&d), "5.15.60");
    let f = finding(&d, "kernel page fault at 0xffffffffc14dd888");
    assert!(says(&f.facts, "instruction fetch"), "{f:#?}");
}

/// A sleeping function that is not an allocator gets advice about that
/// call; preempt_count is hex; RCU nest depth only with PREEMPT_RCU.
#[test]
fn a_mutex_in_atomic_context_gets_mutex_advice() {
    for (file, count) in [
        (
            "07-sleep-mutex-pc102-rcu4-sockmap-6.3-rc5-gmail-wrapped.txt",
            "0x102",
        ),
        ("08-sleep-mutex-pc101-syzbot-gsm_send-6.0-rc6.txt", "0x101"),
    ] {
        let d = decoded(file);
        let f = finding(&d, "a function that may sleep was called where sleeping is forbidden (kernel/locking/mutex.c:580)");
        assert!(says(&f.facts, &format!("preempt_count {count}")), "{f:#?}");
        assert!(says(&f.facts, "running a softirq"), "{f:#?}");
        assert!(says(&f.facts, "what sleeps: mutex_lock()"), "{f:#?}");
        assert!(
            says(&f.advice, "cannot take a mutex or semaphore"),
            "{f:#?}"
        );
        assert!(!says(&f.advice, "GFP_ATOMIC"), "{f:#?}");
        assert!(says(
            &f.facts,
            "RCU nest depth line exists only in kernels built with CONFIG_PREEMPT_RCU"
        ));
    }
    let d = decoded("07-sleep-mutex-pc102-rcu4-sockmap-6.3-rc5-gmail-wrapped.txt");
    let f = finding(&d, "a function");
    assert!(
        says(&f.facts, "inside 4 rcu_read_lock() section(s)"),
        "{f:#?}"
    );
    // An allocation under preempt_disable (dc_fpu_begin) keeps the
    // allocator advice.
    let d = decoded("09-sleep-sched-mm-pc2-amdgpu-6.8.0.txt");
    let f = finding(&d, "a function that may sleep");
    assert!(says(&f.facts, "preemption disabled 2 time(s)"), "{f:#?}");
    assert!(
        says(
            &f.facts,
            "called from dcn401_update_bw_bounding_box through kmemdup"
        ),
        "{f:#?}"
    );
    assert!(says(&f.advice, "GFP_ATOMIC"));
}

/// An impossible field is called impossible.
#[test]
fn impossible_fields_are_called_impossible() {
    let d = decoded("15-impossible-vmalloc-size-18446744071562596352-5.19-rc6.txt");
    let f = finding(&d, "vmalloc failure: an impossible size, 18446744071562596352 bytes (-2146955264 as a signed number)");
    assert!(says(&f.advice, "check the size computation"), "{f:#?}");
    // No real report with this field was found: a line of the kernel's
    // format with the order -1 as an unsigned int.
    let line = "insmod: page allocation failure: order:4294967295, mode:0xcc0(GFP_KERNEL), nodemask=(null),cpuset=/,mems_allowed=0\n";
    let d = decode(line, Some(Release::parse("6.6").unwrap())).unwrap();
    let f = finding(
        &d,
        "page allocation failure: order 4294967295 is impossible",
    );
    assert!(says(&f.facts, "-1 as a 32-bit signed number"), "{f:#?}");
    assert!(!says(&f.facts, "bytes"), "{f:#?}");
}

/// Releases newer than the tables are decoded with the newest table and
/// say so; names printed in another order are not a mismatch.
#[test]
fn newer_releases_are_decoded_with_the_newest_table() {
    for (file, named) in [
        (
            "12-oops-gpf-after-vmalloc-error-meminfo-6.15-rc6-lkp.txt",
            "6.15.0",
        ),
        (
            "13-page-alloc-failure-order4-btrfs-6.17.0-rpi4-head.txt",
            "6.17.0",
        ),
    ] {
        let d = decoded(file);
        match &d.release_source {
            ReleaseSource::Newer { named: n, .. } => assert_eq!(n.to_string(), named),
            other => panic!("{file}: {other:?}"),
        }
        assert!(!d.findings.is_empty());
        for f in &d.findings {
            assert!(
                !says(&f.facts, "may come from another release"),
                "{file}: {f:#?}"
            );
        }
    }
    let d = decoded("13-page-alloc-failure-order4-btrfs-6.17.0-rpi4-head.txt");
    let f = finding(&d, "page allocation failure: order 4");
    assert!(
        says(&f.facts, "mode 0x40c40(GFP_NOFS|__GFP_COMP)"),
        "{f:#?}"
    );
    // 6.18 prints the single flags of 0x2dc0 in bit order.
    let line = "kworker: page allocation failure: order:0, mode:0x2dc0(GFP_KERNEL|__GFP_ZERO|__GFP_NOWARN), nodemask=(null),cpuset=/,mems_allowed=0\nCPU: 1 UID: 0 PID: 9 Comm: kworker Not tainted 6.18.35 #1\n";
    let d = decode(line, None).unwrap();
    let f = finding(&d, "page allocation failure: order 0");
    assert!(says(&f.facts, "in another order"), "{f:#?}");
}

/// WARN and BUG reports of distribution and vendor kernels, with their
/// modules' taint flags, name the release and the location.
#[test]
fn warnings_and_bugs_of_distribution_kernels() {
    let d = decoded("17-warning-OE-amdgpu-dkms-5.15.0-152-generic-ubuntu.txt");
    // An ABI name: the point release is unknown.
    assert_eq!(release(&d), "5.15");
    finding(
        &d,
        "a WARN fired at /tmp/amd.F7CEdP4i/amd/amdgpu/../amdkfd/kfd_int_process_v9.c:324",
    );
    for (file, named, line) in [
        (
            "18-kernel-BUG-bcache-4.14.154-O-OE-modules-gmail-wrapped.txt",
            "4.14.154",
            324,
        ),
        (
            "20-kernel-BUG-bcache-5.4.45-O-OE-gmail-wrapped-qp.txt",
            "5.4.45",
            562,
        ),
    ] {
        let d = decoded(file);
        assert_eq!(release(&d), named, "{file}");
        let f = finding(
            &d,
            &format!("BUG_ON fired at drivers/md/bcache/writeback.c:{line}"),
        );
        assert!(says(&f.facts, "called from refill_keybuf_fn"), "{f:#?}");
    }
}
