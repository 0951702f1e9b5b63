//! The release model: only the profile module knows releases, and the
//! audit's profile bugs stay fixed (each test fails on the output before
//! the release model).

use kmem::kernel::{Kernel, KernelConfig};
use kmem::memmap::MachineConfig;
use kmem::procfs;
use kmem::profile::Profile;
use std::path::{Path, PathBuf};

fn boot(version: &str, ram: u64, cpus: u32) -> Kernel {
    Kernel::boot(KernelConfig {
        profile: Profile::parse(version).unwrap(),
        machine: MachineConfig {
            ram_bytes: ram,
            cpus,
            ..MachineConfig::default()
        },
        ..KernelConfig::default()
    })
    .unwrap()
}

/// The patterns of a release comparison: a series named in code, a field
/// of a release read, version booleans, a release string compared.
const RELEASE_CHECKS: &[&str] = &[
    "Series::V",
    ".series",
    "at_least(",
    "major_minor(",
    ".patch",
    ".major",
    ".minor",
    "let v4",
    "let v6",
    "== \"4.",
    "== \"6.",
    "!= \"4.",
    "!= \"6.",
];

/// Files allowed to know releases: the profile module (the change, site
/// and name tables) and the GFP layout table.
fn allowed(path: &Path) -> bool {
    let p = path.to_string_lossy().replace('\\', "/");
    p.ends_with("crates/kmem/src/profile.rs")
        || p.contains("crates/kmem/src/profile/")
        || p.ends_with("crates/kmem/src/gfp/tables.rs")
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().to_string();
        if path.is_dir() {
            // Tests may name releases; so may build output.
            if !matches!(
                name.as_str(),
                "tests" | "target" | "node_modules" | "benches"
            ) {
                sources(&path, out);
            }
        } else if name.ends_with(".rs") && name != "tests.rs" {
            out.push(path);
        }
    }
}

/// The code of a file before its `#[cfg(test)]` module.
fn code_of(text: &str) -> &str {
    text.find("#[cfg(test)]").map_or(text, |i| &text[..i])
}

#[test]
fn no_release_comparison_outside_the_profile_module() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    for dir in ["crates", "web/src", "fuzz/src", "fuzz/fuzz_targets"] {
        sources(&root.join(dir), &mut files);
    }
    assert!(files.len() > 50, "the scan found {} files", files.len());
    let mut found = Vec::new();
    for file in files.iter().filter(|f| !allowed(f)) {
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in code_of(&text).lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if let Some(pattern) = RELEASE_CHECKS.iter().find(|p| code.contains(**p)) {
                found.push(format!(
                    "{}:{}: {pattern}: {}",
                    file.display(),
                    n + 1,
                    line.trim()
                ));
            }
        }
    }
    assert!(
        found.is_empty(),
        "release checks outside the profile module:\n{}",
        found.join("\n")
    );
}

/// The guard bites: a comparison in an ordinary file is found.
#[test]
fn the_guard_finds_a_comparison() {
    let sample = "fn f(p: &Profile) -> bool { p.series() == Series::V4_19 }\n#[cfg(test)]\nmod t { Series::V6_6 }";
    let code = code_of(sample);
    assert!(RELEASE_CHECKS.iter().any(|p| code.contains(p)));
    assert!(!code.contains("V6_6"));
}

/// D2, D3: a bare 4.19 prints 4.19.255 with 4.19.255's lines, and the
/// order check sits in `__alloc_pages_nodemask`.
#[test]
fn a_bare_4_19_prints_its_pinned_release_and_lines() {
    let mut k = boot("4.19", 1 << 30, 2);
    let gfp = k.gfp.parse("GFP_KERNEL").unwrap();
    let ev = k.kmalloc(4_194_305, gfp);
    let log: Vec<&str> = ev.log.iter().map(|l| l.text.as_str()).collect();
    assert!(
        log.iter().any(|l| l.starts_with(
            "WARNING: CPU: 0 PID: 1000 at mm/page_alloc.c:4387 __alloc_pages_nodemask+0x"
        )),
        "{log:?}"
    );
    assert!(
        log.iter()
            .any(|l| l.ends_with("Tainted: G           O      4.19.255 #1")),
        "{log:?}"
    );
}

/// Every profile's CPU line prints its pinned release (6.12 with `UID:`).
#[test]
fn every_profile_prints_its_pinned_release() {
    for (version, cpu_line) in [
        (
            "4.19",
            "CPU: 0 PID: 1000 Comm: insmod Tainted: G           O      4.19.255 #1",
        ),
        (
            "6.1",
            "CPU: 0 PID: 1000 Comm: insmod Tainted: G           O       6.1.119 #1",
        ),
        (
            "6.6",
            "CPU: 0 PID: 1000 Comm: insmod Tainted: G           O       6.6.57 #1",
        ),
        (
            "6.12",
            "CPU: 0 UID: 0 PID: 1000 Comm: insmod Tainted: G           O       6.12.19 #1",
        ),
    ] {
        let mut k = boot(version, 1 << 30, 2);
        let gfp = k.gfp.parse("GFP_KERNEL").unwrap();
        let ev = k.alloc_pages(gfp, 11);
        let log: Vec<&str> = ev.log.iter().map(|l| l.text.as_str()).collect();
        assert!(log.contains(&cpu_line), "{version}: {log:?}");
    }
}

/// D6, D24: a distribution ABI name keeps its string and the 4.19.5
/// direct map; an unusual LOCALVERSION is a release.
#[test]
fn release_strings_are_printed_as_given() {
    let mut k = boot("4.19.0-27-amd64", 1 << 30, 2);
    let gfp = k.gfp.parse("GFP_KERNEL").unwrap();
    let a = match k.kmalloc(8, gfp).value {
        kmem::kernel::CallValue::Address(a) => a.as_u64(),
        other => panic!("{other:?}"),
    };
    assert_eq!(a >> 40, 0xffff88, "{a:#x}");
    let ev = k.kmalloc(4_194_305, gfp);
    assert!(ev.log.iter().any(|l| l
        .text
        .ends_with("Tainted: G           O      4.19.0-27-amd64 #1")));
    assert!(Profile::parse("6.3.0.net0")
        .unwrap_err()
        .to_string()
        .starts_with(
            "kernel 6.3.0 is not simulated; the nearest simulated kernels are 6.1 and 6.6"
        ));
}

/// D10: 6.6.57 still has the old `calculate_order()` loop.
#[test]
fn a_6_6_cache_of_11000_bytes_takes_one_object_in_four_pages() {
    let mut k = boot("6.6", 1 << 30, 2);
    let ev = k.kmem_cache_create("big", 11000, 0, kmem::slab::SlabFlags::default());
    assert!(
        matches!(ev.value, kmem::kernel::CallValue::Cache(_)),
        "{:?}",
        ev.outcome
    );
    let slabinfo = procfs::read(&k, "/proc/slabinfo").unwrap();
    let row = slabinfo.lines().find(|l| l.starts_with("big ")).unwrap();
    let fields: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(
        (fields[3], fields[4], fields[5]),
        ("11000", "1", "4"),
        "{row}"
    );
}

/// D13: 6.12.0–6.12.18 give empty Movable and Device zones no reserve.
#[test]
fn lowmem_reserve_of_6_12_10_and_6_12_19() {
    let protection = |version: &str| {
        let k = boot(version, 8 << 30, 2);
        let zoneinfo = procfs::read(&k, "/proc/zoneinfo").unwrap();
        zoneinfo
            .lines()
            .find(|l| l.trim_start().starts_with("protection:"))
            .unwrap()
            .trim()
            .to_string()
    };
    assert_eq!(protection("6.12.10"), "protection: (0, 3028, 8020, 0, 0)");
    assert_eq!(
        protection("6.12"),
        "protection: (0, 3028, 8020, 8020, 8020)"
    );
}

/// D15, D18: /proc/slabinfo lists kmalloc caches newest first in each
/// release's creation order.
#[test]
fn slabinfo_creation_order_per_release() {
    let names = |version: &str, prefix: &str| -> Vec<String> {
        let k = boot(version, 1 << 30, 2);
        procfs::read(&k, "/proc/slabinfo")
            .unwrap()
            .lines()
            .filter_map(|l| l.split_whitespace().next())
            .filter(|n| {
                n.starts_with(prefix)
                    && n[prefix.len()..]
                        .chars()
                        .all(|c| c.is_ascii_digit() || c == 'k')
            })
            .map(str::to_string)
            .collect()
    };
    let v66 = names("6.6", "kmalloc-");
    let at = |v: &[String], n: &str| v.iter().position(|x| x == n).unwrap();
    assert!(at(&v66, "kmalloc-256") < at(&v66, "kmalloc-192"));
    assert!(at(&v66, "kmalloc-192") < at(&v66, "kmalloc-128"));
    assert!(at(&v66, "kmalloc-96") < at(&v66, "kmalloc-64"), "{v66:?}");
    let dma = names("4.19", "dma-kmalloc-");
    assert_eq!(
        &dma[dma.len() - 4..],
        [
            "dma-kmalloc-16",
            "dma-kmalloc-8",
            "dma-kmalloc-192",
            "dma-kmalloc-96"
        ]
    );
}

/// D21: 4.19.0's zoneinfo prints the hidden item with an empty name.
#[test]
fn zoneinfo_of_4_19_0_prints_the_hidden_item() {
    let line = |version: &str| {
        let k = boot(version, 1 << 30, 2);
        let z = procfs::read(&k, "/proc/zoneinfo").unwrap();
        let lines: Vec<String> = z.lines().map(str::to_string).collect();
        let i = lines
            .iter()
            .position(|l| l.trim_start().starts_with("nr_written"))
            .unwrap();
        lines[i + 1].clone()
    };
    assert_eq!(line("4.19.0"), format!("      {:<12} 0", ""));
    assert!(!line("4.19").trim().is_empty());
}
