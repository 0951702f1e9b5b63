//! A machine that has been up for a while (`Uptime::Running`, the
//! playground's default) against a just-booted one, on every simulated
//! release: the seeds' first lesson shows (vmalloc's pages scattered,
//! kmalloc's contiguous), and /proc looks like a running machine's.
//!
//! The real machines compared with (the lines of their public dumps):
//! - a 15.7 GiB server (techpaste.com "analyse output of /proc/meminfo",
//!   example 2): MemFree 31.6 %, Cached 44.9 %, AnonPages 15.5 %, Slab 5.8 %;
//! - a 15.5 GiB server (github.com/open-falcon/falcon-plus/pull/230):
//!   MemFree 2.1 %, Cached 43.7 %, AnonPages 45.6 %, Slab 4.3 %;
//! - a 1 GiB VM (github.com/soldair/node-procfs-stats/issues/9): MemFree
//!   4.9 %, Cached 39.8 %, AnonPages 21.4 %;
//! - /proc/buddyinfo of a 12 GB machine after hours of load
//!   (github.com/openzfs/zfs/issues/4953): `Normal 77836 36734 123 35 2 1 0
//!   0 0 0 0`, most free pages at order 0 and 1.

use kmem::addr::Pfn;
use kmem::kernel::{CallValue, Kernel, KernelConfig};
use kmem::memmap::{MachineConfig, Uptime};
use kmem::procfs;
use kmem::profile::{self, Profile};
use kmem::VirtAddr;

fn boot(release: &str, preset: &str, uptime: Uptime) -> Kernel {
    Kernel::boot(KernelConfig {
        profile: Profile::parse(release).unwrap(),
        machine: MachineConfig {
            uptime,
            ..MachineConfig::preset(preset).unwrap()
        },
        ..KernelConfig::default()
    })
    .unwrap()
}

/// The frames behind `pages` pages from `addr`, as the translation walk
/// finds them.
fn frames(k: &mut Kernel, addr: VirtAddr, pages: u64) -> Vec<Pfn> {
    (0..pages)
        .map(
            |i| match k.kaddr_to_phys(addr.wrapping_add(i * 4096)).value {
                CallValue::Phys(p) => p.pfn(),
                other => panic!("page {i} of {addr:#x} does not translate: {other:?}"),
            },
        )
        .collect()
}

/// How many consecutive pages of a mapping are neighbours in RAM too.
fn neighbours(frames: &[Pfn]) -> usize {
    frames
        .windows(2)
        .filter(|w| w[1].as_u64() == w[0].as_u64() + 1)
        .count()
}

fn address(value: CallValue) -> VirtAddr {
    match value {
        CallValue::Address(a) => a,
        other => panic!("expected an address, got {other:?}"),
    }
}

fn meminfo_percent(k: &Kernel, label: &str) -> u64 {
    let text = procfs::meminfo(k);
    let kb = |label: &str| -> u64 {
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("{label}:")))
            .unwrap_or_else(|| panic!("no {label} in\n{text}"));
        line[label.len() + 1..]
            .trim()
            .trim_end_matches(" kB")
            .parse()
            .unwrap()
    };
    kb(label) * 100 / kb("MemTotal")
}

#[test]
fn on_a_running_machine_vmalloc_pages_are_scattered_and_kmalloc_pages_contiguous() {
    for release in profile::offered() {
        for preset in ["small", "desktop"] {
            let mut k = boot(release, preset, Uptime::Running);
            let v = address(k.vmalloc(1 << 20).value);
            let scattered = frames(&mut k, v, 256);
            assert!(
                neighbours(&scattered) < 128,
                "{release} {preset}: {} of 255 vmalloc page pairs are neighbours",
                neighbours(&scattered)
            );
            let kv = address(
                k.kmalloc(1 << 14, k.gfp.composite("GFP_KERNEL").unwrap())
                    .value,
            );
            let contiguous = frames(&mut k, kv, 4);
            assert_eq!(
                neighbours(&contiguous),
                3,
                "{release} {preset}: {contiguous:?}"
            );
            k.buddy.check(&k.mem).unwrap();
        }
        // Just booted, the free lists hand out consecutive frames (the
        // option stays, and shows the difference).
        let mut k = boot(release, "desktop", Uptime::JustBooted);
        let v = address(k.vmalloc(1 << 20).value);
        assert!(neighbours(&frames(&mut k, v, 256)) > 200, "{release}");
    }
}

#[test]
fn a_running_machine_reads_like_a_real_ones_proc() {
    for release in profile::offered() {
        let k = boot(release, "desktop", Uptime::Running);
        let free = meminfo_percent(&k, "MemFree");
        let cached = meminfo_percent(&k, "Cached");
        let anon = meminfo_percent(&k, "AnonPages");
        assert!((15..=40).contains(&free), "{release}: MemFree {free} %");
        assert!((35..=55).contains(&cached), "{release}: Cached {cached} %");
        assert!((12..=30).contains(&anon), "{release}: AnonPages {anon} %");
        assert!(
            meminfo_percent(&k, "MemAvailable") > free + cached / 2,
            "{release}"
        );
        // Normal's free memory is broken up: more order-0 blocks than
        // order-10 ones, as after hours of load.
        let buddyinfo = procfs::read(&k, "/proc/buddyinfo").unwrap();
        let normal: Vec<u64> = buddyinfo
            .lines()
            .find(|l| l.contains("zone   Normal"))
            .unwrap_or_else(|| panic!("{buddyinfo}"))
            .split_whitespace()
            .skip(4)
            .map(|n| n.parse().unwrap())
            .collect();
        assert!(normal[0] > 10 * normal[10].max(1), "{release}: {buddyinfo}");
        // Slab pages fell back into movable pageblocks and took them over.
        let pagetypeinfo = procfs::read(&k, "/proc/pagetypeinfo").unwrap();
        let unmovable_blocks: u64 = pagetypeinfo
            .lines()
            .skip_while(|l| !l.starts_with("Number of blocks type"))
            .find(|l| l.contains("zone   Normal"))
            .unwrap_or_else(|| panic!("{pagetypeinfo}"))
            .split_whitespace()
            .nth(4)
            .unwrap()
            .parse()
            .unwrap();
        assert!(unmovable_blocks > 0, "{release}: {pagetypeinfo}");
        // The slab caches have partly used slabs: active < total objects.
        let slabinfo = procfs::read(&k, "/proc/slabinfo").unwrap();
        let kmalloc_64 = slabinfo
            .lines()
            .find(|l| l.starts_with("kmalloc-64 "))
            .unwrap_or_else(|| panic!("{slabinfo}"));
        let counts: Vec<u64> = kmalloc_64
            .split_whitespace()
            .skip(1)
            .take(2)
            .map(|n| n.parse().unwrap())
            .collect();
        assert!(
            counts[0] > 100 && counts[0] < counts[1],
            "{release}: {kmalloc_64}"
        );
    }
}

#[test]
fn the_running_machine_is_the_same_every_time() {
    let a = boot("6.12", "desktop", Uptime::Running);
    let b = boot("6.12", "desktop", Uptime::Running);
    for file in [
        "/proc/meminfo",
        "/proc/buddyinfo",
        "/proc/pagetypeinfo",
        "/proc/slabinfo",
    ] {
        assert_eq!(procfs::read(&a, file), procfs::read(&b, file), "{file}");
    }
    let other = Kernel::boot(KernelConfig {
        profile: Profile::parse("6.12").unwrap(),
        machine: MachineConfig {
            uptime: Uptime::Running,
            seed: 7,
            ..MachineConfig::default()
        },
        ..KernelConfig::default()
    })
    .unwrap();
    assert_ne!(
        procfs::read(&a, "/proc/buddyinfo"),
        procfs::read(&other, "/proc/buddyinfo"),
        "another seed, another history"
    );
}
