//! Named slab caches: creation with SLUB's merging rules per release,
//! allocation, freeing and destruction.

use kmem::kernel::{CallValue, Kernel, KernelConfig, Outcome};
use kmem::memmap::MachineConfig;
use kmem::procfs;
use kmem::profile::Profile;
use kmem::slab::SlabFlags;
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

fn cache(value: CallValue) -> u32 {
    match value {
        CallValue::Cache(c) => c,
        other => panic!("expected a cache, got {other:?}"),
    }
}

fn addr(value: CallValue) -> VirtAddr {
    match value {
        CallValue::Address(a) => a,
        other => panic!("expected an address, got {other:?}"),
    }
}

fn slabinfo_line(k: &Kernel, name: &str) -> Option<String> {
    procfs::read(k, "/proc/slabinfo")
        .unwrap()
        .lines()
        .find(|l| l.split_whitespace().next() == Some(name))
        .map(str::to_string)
}

const HWCACHE: SlabFlags = SlabFlags {
    hwcache_align: true,
    account: false,
    reclaim_account: false,
    cache_dma: false,
    typesafe_by_rcu: false,
    no_merge: false,
    kmalloc: false,
    usercopy: false,
};

#[test]
fn a_plain_cache_gets_its_own_line_with_word_rounded_objects() {
    for version in ["4.19", "6.6", "6.12"] {
        let mut k = boot(version);
        let ev = k.kmem_cache_create("foo", 100, 0, SlabFlags::default());
        assert_eq!(ev.outcome, Outcome::Ok);
        assert!(
            ev.summary
                .to_string()
                .starts_with("new cache foo: 104-byte objects"),
            "{}",
            ev.summary
        );
        let line = slabinfo_line(&k, "foo").unwrap();
        // Newest caches print first.
        let text = procfs::read(&k, "/proc/slabinfo").unwrap();
        assert!(text.lines().nth(2).unwrap().starts_with("foo "), "{text}");
        let fields: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(
            &fields[1..6],
            ["0", "0", "104", "39", "1"],
            "{version}: {line}"
        );
        // A second cache of the same size merges into the first.
        let again = k.kmem_cache_create("foo2", 100, 0, SlabFlags::default());
        assert_eq!(again.value, ev.value);
        assert!(
            again.summary.to_string().contains("merged into foo"),
            "{}",
            again.summary
        );
        assert!(slabinfo_line(&k, "foo2").is_none());
    }
}

#[test]
fn kmalloc_caches_are_never_merge_targets() {
    // kmalloc caches have a usercopy region (usersize), which
    // slab_unmergeable() refuses; a cache rounded to 128 bytes gets its own.
    for version in ["4.19", "6.6", "6.12"] {
        let mut k = boot(version);
        let ev = k.kmem_cache_create("bar", 100, 0, HWCACHE);
        assert!(
            ev.summary
                .to_string()
                .starts_with("new cache bar: 128-byte objects"),
            "{version}: {}",
            ev.summary
        );
        let account = SlabFlags {
            account: true,
            ..SlabFlags::default()
        };
        let ev = k.kmem_cache_create("acct", 128, 0, account);
        assert!(
            ev.summary.to_string().starts_with("new cache acct"),
            "{version}: {}",
            ev.summary
        );
    }
    // 4.19's dma-kmalloc caches have no usercopy region: they can be merged into.
    let mut k = boot("4.19");
    let dma = SlabFlags {
        cache_dma: true,
        ..SlabFlags::default()
    };
    let ev = k.kmem_cache_create("dmabuf", 512, 0, dma);
    assert!(
        ev.summary
            .to_string()
            .starts_with("merged into dma-kmalloc-512"),
        "{}",
        ev.summary
    );
}

#[test]
fn objects_come_and_go_lifo_and_destroy_reports_leftovers() {
    for (version, warn_line) in [
        ("4.19", None),
        (
            "6.6",
            Some("WARNING: CPU: 0 PID: 1000 at mm/slab_common.c:498 kmem_cache_destroy"),
        ),
        (
            "6.12",
            Some("WARNING: CPU: 0 PID: 1000 at mm/slab_common.c:521 kmem_cache_destroy"),
        ),
    ] {
        let mut k = boot(version);
        let gfp = k.gfp.parse("GFP_KERNEL").unwrap();
        let c = cache(
            k.kmem_cache_create("obj", 200, 0, SlabFlags::default())
                .value,
        );
        let a = addr(k.kmem_cache_alloc(c, gfp).value);
        let b = addr(k.kmem_cache_zalloc(c, gfp).value);
        assert_ne!(a, b);
        assert_eq!(k.kmem_cache_free(c, b).outcome, Outcome::Ok);
        assert_eq!(addr(k.kmem_cache_alloc(c, gfp).value), b, "{version}: LIFO");
        let ev = k.kmem_cache_destroy(c);
        let log: Vec<&str> = ev.log.iter().map(|l| l.text.as_str()).collect();
        // list_slab_objects(): the partial slab and its two objects.
        assert_eq!(log[0], "=".repeat(77));
        assert_eq!(
            log[1],
            format!(
                "BUG obj ({}): Objects remaining in obj on __kmem_cache_shutdown()",
                if version == "4.19" {
                    "Tainted: G           O     "
                } else {
                    "Tainted: G           O      "
                }
            )
        );
        let info = if version == "4.19" {
            "INFO: Object 0x"
        } else {
            "Object 0x"
        };
        assert_eq!(
            log.iter().filter(|l| l.starts_with(info)).count(),
            2,
            "{log:?}"
        );
        match warn_line {
            None => {
                assert!(log.contains(&"kmem_cache_destroy obj: Slab cache still has objects"));
            }
            Some(w) => {
                assert_eq!(ev.outcome, Outcome::Warn);
                assert!(log.iter().any(|l| l.starts_with(w)), "{log:?}");
                assert!(log.iter().any(|l| l.starts_with(
                    "kmem_cache_destroy obj: Slab cache still has objects when called from playground_init+"
                )));
            }
        }
        // The leaked cache stays in /proc/slabinfo, except in 6.12, which
        // unlinks it; its handle is dead either way.
        assert_eq!(
            slabinfo_line(&k, "obj").is_some(),
            version != "6.12",
            "{version}"
        );
        assert!(matches!(
            k.kmem_cache_alloc(c, gfp).outcome,
            Outcome::Refused(_)
        ));
    }
}

#[test]
fn freeing_into_the_wrong_cache() {
    for version in ["6.6", "6.12", "4.19"] {
        let mut k = boot(version);
        let gfp = k.gfp.parse("GFP_KERNEL").unwrap();
        let a = cache(k.kmem_cache_create("a", 200, 0, SlabFlags::default()).value);
        let b = cache(k.kmem_cache_create("b", 300, 0, SlabFlags::default()).value);
        let p = addr(k.kmem_cache_alloc(a, gfp).value);
        let ev = k.kmem_cache_free(b, p);
        let log: Vec<&str> = ev.log.iter().map(|l| l.text.as_str()).collect();
        assert!(
            log.contains(&"cache_from_obj: Wrong slab cache. b but object is from a"),
            "{version}: {log:?}"
        );
        if version == "4.19" {
            assert!(log
                .iter()
                .any(|l| l
                    .starts_with("WARNING: CPU: 0 PID: 1000 at mm/slab.h:380 kmem_cache_free+0x")));
            assert!(matches!(k.state(), kmem::kernel::KernelState::Stopped(_)));
        } else {
            assert_eq!(ev.outcome, Outcome::Warn, "6.x frees it into its own cache");
            assert_eq!(addr(k.kmem_cache_alloc(a, gfp).value), p);
        }
    }
}

#[test]
fn empty_cache_destroy_returns_its_slabs() {
    let mut k = boot("6.6");
    let gfp = k.gfp.parse("GFP_KERNEL").unwrap();
    let c = cache(
        k.kmem_cache_create("tmp", 512, 0, SlabFlags::default())
            .value,
    );
    let free_before = k.buddy.nr_free_pages() + k.buddy.pcp_pages();
    let a = addr(k.kmem_cache_alloc(c, gfp).value);
    k.kmem_cache_free(c, a);
    let ev = k.kmem_cache_destroy(c);
    assert_eq!(ev.outcome, Outcome::Ok);
    assert!(slabinfo_line(&k, "tmp").is_none());
    assert_eq!(k.buddy.nr_free_pages() + k.buddy.pcp_pages(), free_before);
    assert!(matches!(
        k.kmem_cache_alloc(c, gfp).outcome,
        Outcome::Refused(_)
    ));
}

#[test]
fn unmergeable_duplicate_names_fail_with_eexist() {
    let rcu = SlabFlags {
        typesafe_by_rcu: true,
        ..SlabFlags::default()
    };
    for (version, line) in [
        ("4.19", "kmem_cache_create(dup) failed with error -17"),
        (
            "6.6",
            "kmem_cache_create_usercopy(dup) failed with error -17",
        ),
        (
            "6.12",
            "__kmem_cache_create_args(dup) failed with error -17",
        ),
    ] {
        let mut k = boot(version);
        let first = k.kmem_cache_create("dup", 64, 0, rcu);
        assert_eq!(first.outcome, Outcome::Ok);
        // The free pointer goes after the object.
        assert!(
            first.summary.to_string().contains("72-byte objects"),
            "{}",
            first.summary
        );
        let second = k.kmem_cache_create("dup", 64, 0, rcu);
        assert_eq!(second.value, CallValue::Null);
        assert_eq!(second.log[0].text, line);
    }
}

#[test]
fn random_kmalloc_caches_spread_call_sites_over_copies() {
    for version in ["4.19", "6.6", "6.12"] {
        let mut k = Kernel::boot(KernelConfig {
            profile: Profile::parse(version).unwrap(),
            machine: MachineConfig {
                ram_bytes: 1 << 30,
                cpus: 4,
                ..MachineConfig::default()
            },
            debug: kmem::kernel::DebugConfig {
                random_kmalloc_caches: true,
                ..Default::default()
            },
        })
        .unwrap();
        let text = procfs::read(&k, "/proc/slabinfo").unwrap();
        let copies = text
            .lines()
            .filter(|l| l.starts_with("kmalloc-rnd-"))
            .count();
        let gfp = k.gfp.parse("GFP_KERNEL").unwrap();
        let mut names = std::collections::BTreeSet::new();
        for _ in 0..64 {
            let ev = k.kmalloc(100, gfp);
            names.insert(
                ev.summary
                    .to_string()
                    .split(" of ")
                    .nth(1)
                    .unwrap()
                    .split(' ')
                    .next()
                    .unwrap()
                    .to_string(),
            );
        }
        if version == "4.19" {
            assert_eq!(copies, 0, "4.19 has no random kmalloc caches");
            assert_eq!(names.len(), 1);
        } else {
            assert_eq!(copies, 15 * 13, "{version}");
            assert!(slabinfo_line(&k, "kmalloc-rnd-15-8k").is_some());
            assert!(names.len() > 8, "{version}: {names:?}");
            assert!(names
                .iter()
                .all(|n| n == "kmalloc-128"
                    || (n.starts_with("kmalloc-rnd-") && n.ends_with("-128"))));
        }
    }
}

/// Audit D23: /proc/slabinfo ends with SLUB's bootstrap caches, whose
/// objects are every cache's descriptor and node structure; 6.12 adds
/// `kmalloc_buckets` and the bucket caches of `memdup_user` and `msg_msg`.
#[test]
fn slabinfo_lists_the_bootstrap_caches() {
    for (version, descriptor, per_slab, pages, caches) in [
        ("4.19", 384, 21, 1, 28),
        ("6.6", 256, 16, 0, 54),
        ("6.12", 256, 16, 0, 81),
    ] {
        let mut k = boot(version);
        let info = kmem::procfs::read(&k, "/proc/slabinfo").unwrap();
        let lines: Vec<&str> = info.lines().collect();
        let field = |line: &str, i: usize| -> u64 {
            line.split_whitespace().nth(i).unwrap().parse().unwrap()
        };
        let last = lines[lines.len() - 1];
        let node = lines[lines.len() - 2];
        assert!(last.starts_with("kmem_cache "), "{version}: {last}");
        assert!(node.starts_with("kmem_cache_node "), "{version}: {node}");
        assert_eq!(field(last, 3), descriptor, "{last}");
        assert_eq!(field(last, 4), per_slab, "{last}");
        assert_eq!(field(last, 5), 1 << pages, "{last}");
        assert_eq!((field(node, 3), field(node, 4)), (64, 64), "{node}");
        // One descriptor and one node structure per cache: whole slabs of
        // them, enough for every cache.
        let slabs = field(last, 14);
        assert_eq!(
            slabs,
            (caches as u64).div_ceil(per_slab),
            "{version}: {last}"
        );
        assert_eq!(field(node, 14), (caches as u64).div_ceil(64), "{node}");
        let buckets = lines.iter().any(|l| l.starts_with("kmalloc_buckets "));
        assert_eq!(buckets, version == "6.12", "{version}");
        if version == "6.12" {
            let at = |name: &str| lines.iter().position(|l| l.starts_with(name)).unwrap();
            assert!(at("msg_msg-8k ") < at("memdup_user-96 "));
            assert!(at("memdup_user-96 ") < at("kmalloc_buckets "));
            assert!(at("kmalloc_buckets ") < at("kmalloc-cg-8k "));
        }
        // A new cache takes a descriptor; destroying it gives it back.
        let gfp = k.gfp.parse("GFP_KERNEL").unwrap();
        let before = kmem::procfs::read(&k, "/proc/slabinfo").unwrap();
        let ev = k.kmem_cache_create("mine", 200, 0, SlabFlags::default());
        assert!(
            ev.summary.to_string().starts_with("new cache mine"),
            "{}",
            ev.summary
        );
        let c = cache(ev.value);
        let p = addr(k.kmem_cache_alloc(c, gfp).value);
        k.kmem_cache_free(c, p);
        k.kmem_cache_destroy(c);
        assert_eq!(
            kmem::procfs::read(&k, "/proc/slabinfo").unwrap(),
            before,
            "{version}"
        );
    }
}
