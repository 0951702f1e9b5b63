//! slub_debug: poison and red zones in memory, and the reports of double
//! frees, bad pointers, overflows and use after free, per release.

use kmem::kernel::memory::Width;
use kmem::kernel::{CallValue, DebugConfig, Event, Kernel, KernelConfig, Outcome};
use kmem::memmap::MachineConfig;
use kmem::procfs;
use kmem::profile::Profile;
use kmem::VirtAddr;

/// `print_tainted()` with only TAINT_OOT_MODULE (the script's module):
/// 18 flags in 4.19, 19 from 5.17.
fn oot_taint(version: &str) -> &'static str {
    if version.starts_with("4.19") {
        "Tainted: G           O     "
    } else {
        "Tainted: G           O      "
    }
}

fn boot(version: &str) -> Kernel {
    Kernel::boot(KernelConfig {
        profile: Profile::parse(version).unwrap(),
        machine: MachineConfig {
            ram_bytes: 1 << 30,
            cpus: 2,
            ..MachineConfig::default()
        },
        debug: DebugConfig {
            slub_debug: true,
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

fn log(ev: &Event) -> Vec<String> {
    ev.log.iter().map(|l| l.text.clone()).collect()
}

fn bytes(k: &mut Kernel, at: VirtAddr, len: u64) -> Vec<u8> {
    (0..len)
        .map(|i| match k.read(at.wrapping_add(i), Width::U8).value {
            CallValue::Count(b) => b as u8,
            other => panic!("{other:?}"),
        })
        .collect()
}

#[test]
fn slabinfo_shows_the_debug_object_sizes() {
    for (version, line) in [("4.19", "kmalloc-64"), ("6.6", "kmalloc-64")] {
        let k = boot(version);
        let text = procfs::read(&k, "/proc/slabinfo").unwrap();
        let row = text
            .lines()
            .find(|l| l.starts_with(&format!("{line} ")))
            .unwrap();
        let fields: Vec<&str> = row.split_whitespace().collect();
        let expected = if version == "4.19" {
            ["400", "20", "2"]
        } else {
            ["256", "16", "1"]
        };
        assert_eq!(&fields[3..6], expected, "{version}: {row}");
    }
}

#[test]
fn allocated_objects_are_poisoned_and_6x_red_zones_the_kmalloc_tail() {
    let mut k = boot("6.6");
    let gfp = k.gfp.parse("GFP_KERNEL").unwrap();
    let p = addr(k.kmalloc(24, gfp).value);
    let b = bytes(&mut k, p, 32);
    assert_eq!(&b[..23], &[0x6b; 23]);
    assert_eq!(b[23], 0xa5);
    assert_eq!(
        &b[24..32],
        &[0xcc; 8],
        "kmalloc red zone after the requested size"
    );
    // kzalloc zeroes the requested bytes only.
    let z = addr(k.kzalloc(24, gfp).value);
    let b = bytes(&mut k, z, 32);
    assert_eq!(&b[..24], &[0; 24]);
    assert_eq!(&b[24..], &[0xcc; 8]);
    // 4.19 has no orig_size: the whole object is poisoned.
    let mut k = boot("4.19");
    let gfp = k.gfp.parse("GFP_KERNEL").unwrap();
    let p = addr(k.kmalloc(24, gfp).value);
    let b = bytes(&mut k, p, 32);
    assert_eq!(&b[..31], &[0x6b; 31]);
    assert_eq!(b[31], 0xa5);
}

#[test]
fn double_free_is_object_already_free() {
    let mut k = boot("4.19.0");
    let gfp = k.gfp.parse("GFP_KERNEL").unwrap();
    let p = addr(k.kmalloc(64, gfp).value);
    k.kfree(p);
    let ev = k.kfree(p);
    assert_eq!(ev.outcome, Outcome::Bug);
    let l = log(&ev);
    assert_eq!(l[0], "=".repeat(77));
    assert_eq!(
        l[1],
        format!(
            "BUG kmalloc-64 ({}): Object already free",
            oot_taint("4.19")
        )
    );
    assert_eq!(l[2], "-".repeat(77));
    assert_eq!(l[3], "");
    assert_eq!(l[4], "Disabling lock debugging due to kernel taint");
    assert!(
        l[5].starts_with("INFO: Allocated in playground_init+"),
        "{l:?}"
    );
    // kmalloc(64, …) of a constant size: kmem_cache_alloc_trace().
    assert_eq!(l[6], "\tkmem_cache_alloc_trace");
    assert!(l[7].starts_with("INFO: Freed in playground_init+"));
    assert!(l[9].starts_with("INFO: Slab 0x00000000"), "{}", l[9]);
    // PG_slab and PG_head (an order-1 slab) in ZONE_DMA32 (1 << 51).
    assert!(l[9].ends_with("flags=0xfffffc0008100"), "{}", l[9]);
    assert!(
        l[10].starts_with("INFO: Object 0x00000000") && l[10].contains("@offset="),
        "{}",
        l[10]
    );
    // Objects sit 8 bytes (the left red zone) into each 400-byte slot.
    let offset: u64 = l[10]
        .split("@offset=")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(offset % 400, 8);
    assert_eq!(l[11], "");
    // 4.19.0's unpadded prefixes; the free object's red zones read bb.
    assert!(l[12].starts_with("Redzone 00000000"), "{}", l[12]);
    assert!(
        l[12].ends_with(": bb bb bb bb bb bb bb bb                          ........"),
        "{}",
        l[12]
    );
    assert!(
        l[16].ends_with(": 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b a5  kkkkkkkkkkkkkkk."),
        "{}",
        l[16]
    );
    assert!(l[18].starts_with("Padding "), "{}", l[18]);
    assert!(l
        .last()
        .unwrap()
        .starts_with("FIX kmalloc-64: Object at 0x00000000"));
    assert!(l.last().unwrap().ends_with(" not freed"));
    assert!(l.iter().any(|x| x == "Call Trace:"));
}

#[test]
fn six_x_reports_a_double_free_in_an_empty_slab_by_its_count() {
    let mut k = boot("6.6");
    let gfp = k.gfp.parse("GFP_KERNEL").unwrap();
    let p = addr(k.kmalloc(64, gfp).value);
    k.kfree(p);
    let l = log(&k.kfree(p));
    assert_eq!(
        l[1],
        format!(
            "BUG kmalloc-64 ({}): Slab has 0 allocated objects but 1 are to be freed",
            oot_taint("6.6")
        )
    );
    assert_eq!(l[2], "", "the message's own newline");
    // With another object alive, the free list check finds it.
    let q = addr(k.kmalloc(64, gfp).value);
    let _keep = addr(k.kmalloc(64, gfp).value);
    k.kfree(q);
    let l = log(&k.kfree(q));
    assert_eq!(
        l[1],
        "BUG kmalloc-64 (Tainted: G    B      O      ): Object already free"
    );
    assert!(
        l.iter()
            .any(|x| x.starts_with("Slab 0xffffea") && x.contains("(slab|node=0|zone=")),
        "{l:?}"
    );
    assert!(
        l.iter().any(|x| x.starts_with("Redzone  ffff88")),
        "raw pointers on 6.x"
    );
}

#[test]
fn overflow_into_the_red_zone_is_caught_at_kfree() {
    for (version, what) in [
        ("4.19.0", "Redzone"),
        ("4.19", "Right Redzone"),
        ("6.6", "Right Redzone"),
        ("6.12", "Right Redzone"),
    ] {
        let mut k = boot(version);
        let gfp = k.gfp.parse("GFP_KERNEL").unwrap();
        let p = addr(k.kmalloc(64, gfp).value);
        k.write(p.wrapping_add(64), Width::U8, 0x41);
        let ev = k.kfree(p);
        assert_eq!(ev.outcome, Outcome::Bug, "{version}");
        let l = log(&ev);
        assert_eq!(
            l[1],
            format!(
                "BUG kmalloc-64 ({}): {what} overwritten",
                oot_taint(version)
            ),
            "{version}"
        );
        assert!(
            l.iter()
                .any(|x| x.contains("First byte 0x41 instead of 0xcc")),
            "{version}: {l:?}"
        );
        let restore = if version.starts_with("4.19") {
            "Restoring 0x".to_string()
        } else {
            format!("Restoring {what} 0x")
        };
        assert!(
            l.iter().any(|x| x.starts_with("FIX kmalloc-64: ")
                && x.contains(&restore)
                && x.ends_with("=0xcc")),
            "{version}: {l:?}"
        );
        assert!(l.last().unwrap().ends_with(" not freed"));
        // Restored, and the object is still allocated: a second kfree works.
        assert_eq!(k.kfree(p).outcome, Outcome::Ok, "{version}");
    }
    // 6.x: writing past the requested size hits the kmalloc red zone.
    let mut k = boot("6.12");
    let gfp = k.gfp.parse("GFP_KERNEL").unwrap();
    let p = addr(k.kmalloc(24, gfp).value);
    k.write(p.wrapping_add(24), Width::U8, 0);
    let l = log(&k.kfree(p));
    assert_eq!(
        l[1],
        format!(
            "BUG kmalloc-32 ({}): kmalloc Redzone overwritten",
            oot_taint("6.12")
        )
    );
}

#[test]
fn use_after_free_writes_are_caught_when_the_object_comes_back() {
    for version in ["4.19", "6.6", "6.12"] {
        let mut k = boot(version);
        let gfp = k.gfp.parse("GFP_KERNEL").unwrap();
        let p = addr(k.kmalloc(64, gfp).value);
        k.kfree(p);
        assert_eq!(
            bytes(&mut k, p, 2),
            [0x6b, 0x6b],
            "freed memory reads as poison"
        );
        k.write(p.wrapping_add(4), Width::U32, 0);
        let ev = k.kmalloc(64, gfp);
        assert_eq!(ev.outcome, Outcome::Ok);
        let l = log(&ev);
        assert_eq!(
            l[1],
            format!(
                "BUG kmalloc-64 ({}): Poison overwritten",
                oot_taint(version)
            ),
            "{version}"
        );
        assert!(
            l.iter()
                .any(|x| x.contains("First byte 0x0 instead of 0x6b")),
            "{version}: {l:?}"
        );
        assert_eq!(
            l.last().unwrap(),
            "FIX kmalloc-64: Marking all objects used",
            "{version}"
        );
        assert_ne!(addr(ev.value), p, "{version}: the slab is out of service");
    }
}

#[test]
fn interior_pointer_is_an_invalid_object_pointer() {
    let mut k = boot("6.6");
    let gfp = k.gfp.parse("GFP_KERNEL").unwrap();
    let p = addr(k.kmalloc(64, gfp).value);
    let ev = k.kfree(p.wrapping_add(8));
    let l = log(&ev);
    assert_eq!(
        l[1],
        format!(
            "BUG kmalloc-64 ({}): Invalid object pointer 0x{:016x}",
            oot_taint("6.6"),
            p.as_u64() + 8
        )
    );
    assert!(l[4].starts_with("Slab 0x"), "{l:?}");
    assert_eq!(
        l.last().unwrap(),
        &format!(
            "FIX kmalloc-64: Object at 0x{:016x} not freed",
            p.as_u64() + 8
        )
    );
    assert_eq!(k.kfree(p).outcome, Outcome::Ok);
}
