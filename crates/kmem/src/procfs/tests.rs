use super::*;
use crate::kernel::KernelConfig;
use crate::memmap::MachineConfig;
use crate::profile::Profile;
use crate::zone::ZoneType;

const GIB: u64 = 1 << 30;

fn boot(version: &str, ram_bytes: u64, cpus: u32) -> Kernel {
    Kernel::boot(KernelConfig {
        profile: Profile::parse(version).unwrap(),
        machine: MachineConfig {
            ram_bytes,
            cpus,
            ..MachineConfig::default()
        },
        ..KernelConfig::default()
    })
    .unwrap()
}

/// The value printed after `key` on the line of zone `zone` in zoneinfo.
fn zone_field(zoneinfo: &str, zone: &str, key: &str) -> String {
    let header = format!("Node 0, zone {zone:>8}");
    let start = zoneinfo.find(&header).unwrap();
    let rest = &zoneinfo[start + header.len()..];
    let end = rest.find("Node 0, zone").unwrap_or(rest.len());
    rest[..end]
        .lines()
        .find_map(|l| l.trim().strip_prefix(key).map(|v| v.trim().to_string()))
        .unwrap_or_else(|| panic!("no {key} in zone {zone}"))
}

fn meminfo_kb(meminfo: &str, label: &str) -> u64 {
    let line = meminfo
        .lines()
        .find(|l| l.starts_with(&format!("{label}:")))
        .unwrap_or_else(|| panic!("no {label}"));
    line[label.len() + 1..]
        .trim()
        .trim_end_matches(" kB")
        .parse()
        .unwrap()
}

/// The last `n` whitespace-separated columns of a line.
fn columns(line: &str, n: usize) -> Vec<&str> {
    let words: Vec<&str> = line.split_whitespace().collect();
    words[words.len() - n..].to_vec()
}

#[test]
fn buddyinfo_lists_free_blocks_of_each_populated_zone() {
    for version in ["4.19", "6.6", "6.12"] {
        let k = boot(version, 8 * GIB, 4);
        let text = buddyinfo(&k);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        for (line, name) in lines.iter().zip(["DMA", "DMA32", "Normal"]) {
            let prefix = format!("Node 0, zone {name:>8} ");
            assert!(line.starts_with(&prefix), "{line}");
            // "%6lu " per order: 11 columns of 7 characters.
            assert_eq!(line.len(), prefix.len() + 11 * 7, "{line:?}");
            let counts: Vec<u64> = line[prefix.len()..]
                .split_whitespace()
                .map(|n| n.parse().unwrap())
                .collect();
            let free: u64 = counts.iter().enumerate().map(|(o, n)| n << o).sum();
            assert_eq!(
                free.to_string(),
                zone_field(&zoneinfo(&k), name, "pages free"),
                "{version} {name}"
            );
        }
    }
}

#[test]
fn zoneinfo_spans_match_the_qemu_firmware_map() {
    // Pages 1..0x9f and 0x100..0x1000: the first page is the BIOS's, the
    // 640 KiB-1 MiB hole is not RAM, so DMA spans 4095 and holds 3998.
    let k = boot("6.12", 8 * GIB, 4);
    let text = zoneinfo(&k);
    assert_eq!(zone_field(&text, "DMA", "start_pfn:"), "1");
    assert_eq!(zone_field(&text, "DMA", "spanned"), "4095");
    assert_eq!(zone_field(&text, "DMA", "present"), "3998");
    assert_eq!(zone_field(&text, "DMA32", "start_pfn:"), "4096");
    // DMA32 ends at 3 GiB, where QEMU's i440fx stops low RAM.
    assert_eq!(
        zone_field(&text, "DMA32", "spanned"),
        (0xc0000 - 4096).to_string()
    );
    assert_eq!(zone_field(&text, "Normal", "start_pfn:"), "1048576");
    assert_eq!(
        zone_field(&text, "Normal", "present"),
        (5 * GIB / 4096).to_string()
    );
}

#[test]
fn zoneinfo_fields_follow_each_release() {
    let k = boot("4.19", 8 * GIB, 2);
    let text = zoneinfo(&k);
    assert!(!text.contains("boost"));
    assert!(!text.contains("        promo"));
    assert!(!text.contains("        cma"));
    assert!(
        text.contains("\n      nr_kernel_stack 0"),
        "4.19 counts stacks per zone"
    );
    assert!(
        !text.contains("\n              0\n"),
        "the hidden item is skipped"
    );
    assert!(text.contains("\n      workingset_refault 0"));

    let k = boot("6.6", 8 * GIB, 2);
    let text = zoneinfo(&k);
    assert!(text.contains("\n        boost    0\n        min      "));
    assert!(
        !text.contains("        promo"),
        "6.6 has WMARK_PROMO but does not print it"
    );
    assert!(text.contains("\n        cma      0\n        protection: ("));
    assert!(text.contains("\n      nr_unaccepted 0"));
    assert!(!text.contains("nr_iommu_pages"));

    let k = boot("6.12", 8 * GIB, 2);
    let text = zoneinfo(&k);
    assert!(text.contains("\n        promo    "));
    assert!(
        text.contains("nr_sec_page_table_pages 0\n      nr_iommu_pages 0\n      nr_swapcached 0")
    );
    assert!(text.contains("\n      pgdemote_khugepaged 0\n  pages free"));
    // The per-node block is printed once, in the first populated zone.
    assert_eq!(text.matches("per-node stats").count(), 1);
    assert!(text.starts_with("Node 0, zone      DMA\n  per-node stats\n      nr_inactive_anon 0"));
}

#[test]
fn zoneinfo_watermarks_and_reserves_are_the_allocators() {
    let k = boot("6.12", 8 * GIB, 4);
    let text = zoneinfo(&k);
    for zone in &k.buddy.zones {
        let name = zone.zone_type.name();
        assert_eq!(
            zone_field(&text, name, "min"),
            zone.watermarks.min.to_string()
        );
        assert_eq!(
            zone_field(&text, name, "low"),
            zone.watermarks.low.to_string()
        );
        assert_eq!(
            zone_field(&text, name, "high"),
            zone.watermarks.high.to_string()
        );
        assert_eq!(zone_field(&text, name, "managed"), zone.managed.to_string());
        let protection: Vec<String> = zone.lowmem_reserve.iter().map(u64::to_string).collect();
        assert_eq!(
            zone_field(&text, name, "protection:"),
            format!("({})", protection.join(", "))
        );
    }
    // 6.x gives the empty Movable zone the smallest highmem-like minimum.
    assert_eq!(zone_field(&text, "Movable", "min"), "32");
    // Unpopulated zones stop after their protection line; Device is last.
    assert!(text.ends_with(
        "Node 0, zone   Device\n  pages free     0\n        boost    0\n        min      0\n        low      0\n        high     0\n        promo    0\n        spanned  0\n        present  0\n        managed  0\n        cma      0\n        protection: (0, 0, 0, 0, 0)\n"
    ));
    // One pageset per CPU in each populated zone.
    assert_eq!(text.matches("\n    cpu: ").count(), 3 * 4);
    assert_eq!(text.matches("\n    cpu: 3\n").count(), 3);
}

#[test]
fn stat_thresholds_match_the_kernels_table() {
    // Rows of the table in calculate_normal_threshold()'s comment.
    let mib = |m: u64| m << 8;
    assert_eq!(stat_threshold(mib(960), 1), 8);
    assert_eq!(stat_threshold(mib(960), 2), 16);
    assert_eq!(stat_threshold(mib(1536), 2), 20);
    assert_eq!(stat_threshold(mib(100), 2), 4);
    assert_eq!(stat_threshold(mib(12 << 10), 4), 48);
    assert_eq!(stat_threshold(mib(3 << 10), 2), 24);
    assert_eq!(stat_threshold(mib(12 << 10), 1024), 125);
}

#[test]
fn pagetypeinfo_counts_lists_and_pageblocks() {
    let k = boot("6.12", 8 * GIB, 4);
    let text = pagetypeinfo(&k);
    assert!(text.starts_with(
        "Page block order: 9\nPages per block:  512\n\nFree pages count per migrate type at order       0      1      2      3      4      5      6      7      8      9     10 \n"
    ));
    assert!(text.contains(
        "\nNumber of blocks type     Unmovable      Movable  Reclaimable   HighAtomic          CMA      Isolate \n"
    ));
    assert!(text.contains("Node    0, zone      DMA, type    Unmovable "));
    assert!(text.contains("Node    0, zone   Normal, type      Isolate      0      0"));
    // DMA: pageblocks at pfn 1, 513, ... 3585 — eight of them.
    let dma = text
        .lines()
        .find(|l| l.starts_with("Node 0, zone      DMA "))
        .unwrap();
    let blocks: u64 = columns(dma, 6)
        .iter()
        .map(|n| n.parse::<u64>().unwrap())
        .sum();
    assert_eq!(blocks, 8);
    // Free blocks per type add up to buddyinfo's columns.
    let per_type: u64 = text
        .lines()
        .filter(|l| l.starts_with("Node    0, zone   Normal, type"))
        .map(|l| {
            columns(l, 11)
                .iter()
                .map(|n| n.parse::<u64>().unwrap())
                .sum::<u64>()
        })
        .sum();
    let normal = k.buddy.zones[ZoneType::Normal.index()]
        .free_area
        .iter()
        .map(|a| a.nr_free)
        .sum::<u64>();
    assert_eq!(per_type, normal);
}

#[test]
fn pagetypeinfo_caps_long_lists_from_6_x_on() {
    for (version, capped) in [("4.19", false), ("6.6", true)] {
        // Pinning every other page leaves ~123,000 free order-0 pages, on
        // the Unmovable list of the pageblocks the pins claimed.
        let mut k = boot(version, GIB, 1);
        k.fragment(1);
        let text = pagetypeinfo(&k);
        let movable = text
            .lines()
            .find(|l| l.starts_with("Node    0, zone    DMA32, type    Unmovable "))
            .unwrap();
        let first = columns(movable, 11)[0];
        if capped {
            assert_eq!(first, ">100000", "{movable}");
        } else {
            assert!(first.parse::<u64>().unwrap() > 100_000, "{movable}");
        }
    }
}

#[test]
fn meminfo_lines_follow_each_release() {
    let labels = |text: &str| -> Vec<String> {
        text.lines()
            .map(|l| l.split(':').next().unwrap().to_string())
            .collect()
    };
    let old = meminfo(&boot("4.19", 8 * GIB, 4));
    let new = meminfo(&boot("6.12", 8 * GIB, 4));
    let old_labels = labels(&old);
    let new_labels = labels(&new);
    assert_eq!(old_labels.len(), 49);
    assert_eq!(new_labels.len(), 56);
    for added in [
        "Zswap",
        "Zswapped",
        "KReclaimable",
        "SecPageTables",
        "FileHugePages",
        "FilePmdMapped",
        "Unaccepted",
    ] {
        assert!(!old_labels.iter().any(|l| l == added));
        assert!(new_labels.iter().any(|l| l == added));
    }
    assert!(old.contains("\nVmallocTotal:   34359738367 kB\n"));
    assert!(new.contains("\nHardwareCorrupted:     0 kB\nAnonHugePages:  "));
    assert!(new.contains("\nHugePages_Total:       0\nHugePages_Free:        0\n"));
    assert!(new.contains("\nHugepagesize:       2048 kB\nHugetlb:               0 kB\nDirectMap4k:        2048 kB\nDirectMap2M:     8386560 kB\n"));
    assert!(new.ends_with("DirectMap2M:     8386560 kB\n"));
}

#[test]
fn meminfo_values_come_from_the_allocator() {
    let mut k = boot("6.6", 8 * GIB, 4);
    let before = meminfo(&k);
    let total = meminfo_kb(&before, "MemTotal");
    assert_eq!(total, k.buddy.managed_pages() * 4);
    assert_eq!(meminfo_kb(&before, "CommitLimit"), total / 2 / 4 * 4);
    let free = meminfo_kb(&before, "MemFree");
    let gfp = k.gfp.parse("GFP_KERNEL").unwrap();
    k.alloc_pages(gfp, 5);
    let after = meminfo(&k);
    assert_eq!(meminfo_kb(&after, "MemFree"), free - 128);

    k.fill_page_cache(1000);
    let cached = meminfo(&k);
    assert_eq!(meminfo_kb(&cached, "Cached"), 4000);
    assert_eq!(meminfo_kb(&cached, "Inactive(file)"), 4000);
    // si_mem_available(): half the page cache counts, the reserves do not.
    let reserve = totalreserve_pages(&k);
    assert_eq!(
        meminfo_kb(&cached, "MemAvailable"),
        (k.buddy.nr_free_pages() - reserve + 500) * 4
    );
}

#[test]
fn direct_map_follows_split_mem_range() {
    // 1 GiB: ISA range and [1 MiB, 2 MiB) with 4 KiB pages, the rest 2 MiB.
    let k = boot("6.12", GIB, 1);
    assert_eq!(direct_map_kb(&k.mem), (2048, 1_046_528));
    // An odd size leaves a 4 KiB tail.
    let k = boot("6.12", GIB + (1 << 20), 1);
    assert_eq!(direct_map_kb(&k.mem), (2048 + 1024, 1_046_528));
}

#[test]
fn read_serves_every_file() {
    let mut k = boot("6.12", GIB, 1);
    // A fresh machine has no vmalloc area.
    assert_eq!(read(&k, "/proc/vmallocinfo").unwrap(), "");
    k.vmalloc(4096);
    for path in FILES {
        assert!(!read(&k, path).unwrap().is_empty(), "{path}");
    }
    assert_eq!(read(&k, "/proc/vmstat"), None);
}
