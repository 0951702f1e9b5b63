//! `/proc/buddyinfo`, `/proc/pagetypeinfo`, `/proc/zoneinfo`,
//! `/proc/meminfo` and (from the slab allocator) `/proc/slabinfo`, printed byte for byte as each modelled release prints
//! them (mm/vmstat.c `frag_show_print`, `pagetypeinfo_show`,
//! `zoneinfo_show_print`; fs/proc/meminfo.c `meminfo_proc_show`, with
//! `hugetlb_report_meminfo` and x86's `arch_report_meminfo`).
//!
//! Which lines exist depends on the kernel configuration. We print what a
//! distribution x86_64 kernel (Debian's) compiles in: `CONFIG_NUMA`,
//! `CONFIG_ZSMALLOC`, `CONFIG_CMA`, `CONFIG_MEMORY_ISOLATION`,
//! `CONFIG_ZONE_DEVICE`, `CONFIG_SWAP`, `CONFIG_NUMA_BALANCING`,
//! `CONFIG_IOMMU_SUPPORT`, `CONFIG_ZSWAP`, `CONFIG_TRANSPARENT_HUGEPAGE`,
//! `CONFIG_MEMORY_FAILURE`, and on 6.x `CONFIG_UNACCEPTED_MEMORY` (selected
//! by `AMD_MEM_ENCRYPT` and `INTEL_TDX_GUEST`); no HIGHMEM, no
//! SHADOW_CALL_STACK, no early memtest, `page_owner` off. The CPU is QEMU's
//! default model, without 1 GiB pages, so there is no `DirectMap1G` line.
//!
//! Values come from the simulated machine. It runs no user space, so the
//! counters of things it does not model (anonymous memory, page tables,
//! kernel stacks, swap, hugetlb, per-CPU chunks, NUMA events) read 0;
//! free pages, watermarks, spans, reserves, per-CPU lists, page-cache pages, slab pages
//! and free-list lengths are the allocator's own.

use std::fmt::Write;

use crate::addr::{Pfn, PAGE_SIZE};
use crate::buddy::{Zone, NR_ORDERS};
use crate::kernel::Kernel;
use crate::layout::{VMALLOC_END, VMALLOC_START};
use crate::memmap::{E820Type, FrameRange, MemMap};
use crate::profile::{Change, Profile};

/// `pageblock_order` on x86_64 (`HUGETLB_PAGE_ORDER`).
const PAGEBLOCK_ORDER: u32 = 9;
/// Frames of a memory section (`SECTION_SIZE_BITS` 27: 128 MiB).
const SECTION_FRAMES: u64 = 1 << (27 - 12);
/// `migratetype_names[]` with CMA and memory isolation configured.
const MIGRATETYPE_NAMES: [&str; 6] = [
    "Unmovable",
    "Movable",
    "Reclaimable",
    "HighAtomic",
    "CMA",
    "Isolate",
];
/// `pagetypeinfo_showfree_print()` stops counting a list here (6.x).
const PAGETYPEINFO_CAP: u64 = 100_000;
/// `sysctl_overcommit_ratio`.
const OVERCOMMIT_RATIO: u64 = 50;

/// 4.19 `enum zone_stat_item` names (mm/vmstat.c `vmstat_text`).
const ZONE_STATS_4_19: &[&str] = &[
    "nr_free_pages",
    "nr_zone_inactive_anon",
    "nr_zone_active_anon",
    "nr_zone_inactive_file",
    "nr_zone_active_file",
    "nr_zone_unevictable",
    "nr_zone_write_pending",
    "nr_mlock",
    "nr_page_table_pages",
    "nr_kernel_stack",
    "nr_bounce",
    "nr_zspages",
    "nr_free_cma",
];

/// 6.x `enum zone_stat_item` names (`nr_unaccepted` from 6.5, see
/// `Change::UnacceptedMemory`).
const ZONE_STATS_6: &[&str] = &[
    "nr_free_pages",
    "nr_zone_inactive_anon",
    "nr_zone_active_anon",
    "nr_zone_inactive_file",
    "nr_zone_active_file",
    "nr_zone_unevictable",
    "nr_zone_write_pending",
    "nr_mlock",
    "nr_bounce",
    "nr_zspages",
    "nr_free_cma",
    "nr_unaccepted",
];

/// `enum numa_stat_item` names (the same in every modelled release).
const NUMA_STATS: &[&str] = &[
    "numa_hit",
    "numa_miss",
    "numa_foreign",
    "numa_interleave",
    "numa_local",
    "numa_other",
];

/// 4.19 `enum node_stat_item` names. The hidden
/// `nr_indirectly_reclaimable` item (an empty name) is left out, as 4.19.y's
/// `zoneinfo_show_print()` skips it.
const NODE_STATS_4_19: &[&str] = &[
    "nr_inactive_anon",
    "nr_active_anon",
    "nr_inactive_file",
    "nr_active_file",
    "nr_unevictable",
    "nr_slab_reclaimable",
    "nr_slab_unreclaimable",
    "nr_isolated_anon",
    "nr_isolated_file",
    "workingset_refault",
    "workingset_activate",
    "workingset_nodereclaim",
    "nr_anon_pages",
    "nr_mapped",
    "nr_file_pages",
    "nr_dirty",
    "nr_writeback",
    "nr_writeback_temp",
    "nr_shmem",
    "nr_shmem_hugepages",
    "nr_shmem_pmdmapped",
    "nr_anon_transparent_hugepages",
    "nr_unstable",
    "nr_vmscan_write",
    "nr_vmscan_immediate_reclaim",
    "nr_dirtied",
    "nr_written",
];

/// 6.6 `enum node_stat_item` names; 6.12 inserts `nr_iommu_pages` and
/// appends the `pgdemote_*` counters (see [`node_stats_6_12`]).
const NODE_STATS_6_6: &[&str] = &[
    "nr_inactive_anon",
    "nr_active_anon",
    "nr_inactive_file",
    "nr_active_file",
    "nr_unevictable",
    "nr_slab_reclaimable",
    "nr_slab_unreclaimable",
    "nr_isolated_anon",
    "nr_isolated_file",
    "workingset_nodes",
    "workingset_refault_anon",
    "workingset_refault_file",
    "workingset_activate_anon",
    "workingset_activate_file",
    "workingset_restore_anon",
    "workingset_restore_file",
    "workingset_nodereclaim",
    "nr_anon_pages",
    "nr_mapped",
    "nr_file_pages",
    "nr_dirty",
    "nr_writeback",
    "nr_writeback_temp",
    "nr_shmem",
    "nr_shmem_hugepages",
    "nr_shmem_pmdmapped",
    "nr_file_hugepages",
    "nr_file_pmdmapped",
    "nr_anon_transparent_hugepages",
    "nr_vmscan_write",
    "nr_vmscan_immediate_reclaim",
    "nr_dirtied",
    "nr_written",
    "nr_throttled_written",
    "nr_kernel_misc_reclaimable",
    "nr_foll_pin_acquired",
    "nr_foll_pin_released",
    "nr_kernel_stack",
    "nr_page_table_pages",
    "nr_sec_page_table_pages",
    "nr_swapcached",
    "pgpromote_success",
    "pgpromote_candidate",
];

/// 6.12's node items: 6.6's with `nr_iommu_pages` after
/// `nr_sec_page_table_pages`, and the demotion counters at the end.
fn node_stats_6_12() -> Vec<&'static str> {
    let mut names = NODE_STATS_6_6.to_vec();
    let at = names
        .iter()
        .position(|n| *n == "nr_swapcached")
        .unwrap_or(names.len());
    names.insert(at, "nr_iommu_pages");
    names.extend(["pgdemote_kswapd", "pgdemote_direct", "pgdemote_khugepaged"]);
    names
}

/// One `/proc/meminfo` quantity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Meminfo {
    MemTotal,
    MemFree,
    MemAvailable,
    /// NR_FILE_PAGES minus swap cache and buffers.
    Cached,
    /// Both LRU lists: inactive file pages here.
    Inactive,
    InactiveFile,
    /// Anonymous pages, all on the active anon list (no swap to age them).
    Anon,
    CommitLimit,
    VmallocTotal,
    VmallocUsed,
    PageTables,
    /// A counter of something the simulation does not have.
    Zero,
    /// Slab pages of reclaimable and other caches.
    Slab,
    /// Slab pages of reclaimable caches (also 6.x `KReclaimable`).
    SReclaimable,
    /// Slab pages of the other caches.
    SUnreclaim,
    HugePagesCount,
    Hugepagesize,
    DirectMap4k,
    DirectMap2M,
}

/// How a meminfo line prints its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Width {
    /// `show_val_kb()` / `"%8lu kB"`.
    Kb8,
    /// `HardwareCorrupted: %5lu kB`.
    Kb5,
    /// `HugePages_*: %5lu`, a count.
    Count5,
}

use Meminfo as M;
use Width::{Count5, Kb5, Kb8};

/// The lines of `meminfo_proc_show()`: 4.19's (4.19.0 = 4.19.222) and, with
/// the lines marked `true`, 6.6's and 6.12's (which differ only in how they
/// compute `Zswap`).
const MEMINFO: &[(&str, Meminfo, Width, bool)] = &[
    ("MemTotal:       ", M::MemTotal, Kb8, false),
    ("MemFree:        ", M::MemFree, Kb8, false),
    ("MemAvailable:   ", M::MemAvailable, Kb8, false),
    ("Buffers:        ", M::Zero, Kb8, false),
    ("Cached:         ", M::Cached, Kb8, false),
    ("SwapCached:     ", M::Zero, Kb8, false),
    ("Active:         ", M::Anon, Kb8, false),
    ("Inactive:       ", M::Inactive, Kb8, false),
    ("Active(anon):   ", M::Anon, Kb8, false),
    ("Inactive(anon): ", M::Zero, Kb8, false),
    ("Active(file):   ", M::Zero, Kb8, false),
    ("Inactive(file): ", M::InactiveFile, Kb8, false),
    ("Unevictable:    ", M::Zero, Kb8, false),
    ("Mlocked:        ", M::Zero, Kb8, false),
    ("SwapTotal:      ", M::Zero, Kb8, false),
    ("SwapFree:       ", M::Zero, Kb8, false),
    ("Zswap:          ", M::Zero, Kb8, true),
    ("Zswapped:       ", M::Zero, Kb8, true),
    ("Dirty:          ", M::Zero, Kb8, false),
    ("Writeback:      ", M::Zero, Kb8, false),
    ("AnonPages:      ", M::Anon, Kb8, false),
    ("Mapped:         ", M::Zero, Kb8, false),
    ("Shmem:          ", M::Zero, Kb8, false),
    ("KReclaimable:   ", M::SReclaimable, Kb8, true),
    ("Slab:           ", M::Slab, Kb8, false),
    ("SReclaimable:   ", M::SReclaimable, Kb8, false),
    ("SUnreclaim:     ", M::SUnreclaim, Kb8, false),
    ("KernelStack:    ", M::Zero, Kb8, false),
    ("PageTables:     ", M::PageTables, Kb8, false),
    ("SecPageTables:  ", M::Zero, Kb8, true),
    ("NFS_Unstable:   ", M::Zero, Kb8, false),
    ("Bounce:         ", M::Zero, Kb8, false),
    ("WritebackTmp:   ", M::Zero, Kb8, false),
    ("CommitLimit:    ", M::CommitLimit, Kb8, false),
    ("Committed_AS:   ", M::Zero, Kb8, false),
    ("VmallocTotal:   ", M::VmallocTotal, Kb8, false),
    ("VmallocUsed:    ", M::VmallocUsed, Kb8, false),
    ("VmallocChunk:   ", M::Zero, Kb8, false),
    ("Percpu:         ", M::Zero, Kb8, false),
    ("HardwareCorrupted: ", M::Zero, Kb5, false),
    ("AnonHugePages:  ", M::Zero, Kb8, false),
    ("ShmemHugePages: ", M::Zero, Kb8, false),
    ("ShmemPmdMapped: ", M::Zero, Kb8, false),
    ("FileHugePages:  ", M::Zero, Kb8, true),
    ("FilePmdMapped:  ", M::Zero, Kb8, true),
    ("CmaTotal:       ", M::Zero, Kb8, false),
    ("CmaFree:        ", M::Zero, Kb8, false),
    ("Unaccepted:     ", M::Zero, Kb8, true),
    ("HugePages_Total:   ", M::HugePagesCount, Count5, false),
    ("HugePages_Free:    ", M::HugePagesCount, Count5, false),
    ("HugePages_Rsvd:    ", M::HugePagesCount, Count5, false),
    ("HugePages_Surp:    ", M::HugePagesCount, Count5, false),
    ("Hugepagesize:   ", M::Hugepagesize, Kb8, false),
    ("Hugetlb:        ", M::Zero, Kb8, false),
    ("DirectMap4k:    ", M::DirectMap4k, Kb8, false),
    ("DirectMap2M:    ", M::DirectMap2M, Kb8, false),
];

/// What differs between releases in these files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcLayout {
    zone_stats: Vec<&'static str>,
    node_stats: Vec<&'static str>,
    /// zoneinfo prints `boost` (5.0+) and `cma` (5.x+).
    zoneinfo_boost_and_cma: bool,
    /// zoneinfo prints `promo` (6.8+; absent in 6.6 although the
    /// watermark exists).
    zoneinfo_promo: bool,
    /// pagetypeinfo stops counting a list at 100,000 and prints `>`.
    pagetypeinfo_cap: bool,
    /// meminfo has the lines 6.x added (Zswap, KReclaimable, ...).
    meminfo_v6_lines: bool,
    /// meminfo has the `Unaccepted:` line.
    unaccepted_line: bool,
    /// meminfo's `VmallocUsed` counts vmalloc pages (0 before).
    vmalloc_used_counted: bool,
}

impl ProcLayout {
    /// The layout of `profile`'s release.
    pub fn of(profile: &Profile) -> ProcLayout {
        let items6 = profile.has(Change::VmstatItems6);
        let mut node_stats = if profile.has(Change::VmstatItems6_12) {
            node_stats_6_12()
        } else if items6 {
            NODE_STATS_6_6.to_vec()
        } else {
            NODE_STATS_4_19.to_vec()
        };
        if !items6 && !profile.has(Change::ZoneinfoSkipsHiddenItems) {
            // 4.19.0 prints the hidden nr_indirectly_reclaimable item
            // with an empty name after nr_written (mm/vmstat.c@4.19.0:1164).
            node_stats.push("");
        }
        ProcLayout {
            zone_stats: if items6 {
                let unaccepted = profile.has(Change::UnacceptedMemory);
                ZONE_STATS_6
                    .iter()
                    .copied()
                    .filter(|n| unaccepted || *n != "nr_unaccepted")
                    .collect()
            } else {
                ZONE_STATS_4_19.to_vec()
            },
            unaccepted_line: profile.has(Change::UnacceptedMemory),
            vmalloc_used_counted: profile.has(Change::VmallocUsedCounted),
            node_stats,
            zoneinfo_boost_and_cma: items6,
            zoneinfo_promo: profile.has(Change::ZoneinfoPromo),
            pagetypeinfo_cap: items6,
            meminfo_v6_lines: items6,
        }
    }
}

/// The zones of node 0 as /proc walks them (`MAX_NR_ZONES` of them: with
/// `CONFIG_ZONE_DEVICE` the empty Device zone comes last).
fn zones(k: &Kernel) -> Vec<ZoneRow<'_>> {
    let mut rows: Vec<ZoneRow> = k.buddy.zones.iter().map(ZoneRow::Zone).collect();
    if k.buddy.rules.nr_zone_types > rows.len() {
        rows.push(ZoneRow::Device);
    }
    rows
}

/// A zone, or ZONE_DEVICE, which the allocator never sees.
enum ZoneRow<'a> {
    Zone(&'a Zone),
    Device,
}

impl<'a> ZoneRow<'a> {
    fn name(&self) -> &'static str {
        match self {
            ZoneRow::Zone(z) => z.zone_type.name(),
            ZoneRow::Device => "Device",
        }
    }

    fn populated(&self) -> Option<&'a Zone> {
        match self {
            ZoneRow::Zone(z) if z.is_populated() => Some(z),
            _ => None,
        }
    }
}

/// `/proc/buddyinfo`: free blocks per order of every populated zone.
pub fn buddyinfo(k: &Kernel) -> String {
    let mut out = String::new();
    for zone in zones(k).iter().filter_map(ZoneRow::populated) {
        let _ = write!(out, "Node 0, zone {:>8} ", zone.zone_type.name());
        for area in &zone.free_area {
            let _ = write!(out, "{:>6} ", area.nr_free);
        }
        out.push('\n');
    }
    out
}

/// `/proc/pagetypeinfo`: free blocks per order and migrate type, then
/// pageblocks per migrate type.
pub fn pagetypeinfo(k: &Kernel) -> String {
    let layout = ProcLayout::of(k.profile());
    let mut out = String::new();
    let _ = writeln!(out, "Page block order: {PAGEBLOCK_ORDER}");
    let _ = writeln!(out, "Pages per block:  {}", 1u64 << PAGEBLOCK_ORDER);
    out.push('\n');
    let _ = write!(out, "{:<43} ", "Free pages count per migrate type at order");
    for order in 0..NR_ORDERS {
        let _ = write!(out, "{order:>6} ");
    }
    out.push('\n');
    let populated: Vec<&Zone> = zones(k).iter().filter_map(ZoneRow::populated).collect();
    for zone in &populated {
        for (mtype, name) in MIGRATETYPE_NAMES.iter().enumerate() {
            let _ = write!(
                out,
                "Node {:>4}, zone {:>8}, type {:>12} ",
                0,
                zone.zone_type.name(),
                name
            );
            for area in &zone.free_area {
                let count = area.lists.get(mtype).map_or(0, |l| l.len);
                if layout.pagetypeinfo_cap && count >= PAGETYPEINFO_CAP {
                    let _ = write!(out, ">{PAGETYPEINFO_CAP:>6} ");
                } else {
                    let _ = write!(out, "{count:>6} ");
                }
            }
            out.push('\n');
        }
    }
    let _ = write!(out, "\n{:<23}", "Number of blocks type ");
    for name in MIGRATETYPE_NAMES {
        let _ = write!(out, "{name:>12} ");
    }
    out.push('\n');
    let sections = present_sections(&k.mem);
    for zone in &populated {
        let mut count = [0u64; MIGRATETYPE_NAMES.len()];
        let mut pfn = zone.start_pfn.as_u64();
        while pfn < zone.end_pfn().as_u64() {
            // `pfn_to_online_page()`: only frames of present sections.
            if sections.contains(&(pfn / SECTION_FRAMES)) {
                count[k.mem.pageblock_type(Pfn::new(pfn)).index()] += 1;
            }
            pfn += 1 << PAGEBLOCK_ORDER;
        }
        let _ = write!(out, "Node 0, zone {:>8} ", zone.zone_type.name());
        for c in count {
            let _ = write!(out, "{c:>12} ");
        }
        out.push('\n');
    }
    out
}

/// Memory sections holding any RAM (the sections SPARSEMEM brings online).
fn present_sections(mem: &MemMap) -> Vec<u64> {
    let mut sections: Vec<u64> = mem
        .ram_ranges()
        .iter()
        .flat_map(|r| (r.start.as_u64() / SECTION_FRAMES)..r.end.as_u64().div_ceil(SECTION_FRAMES))
        .collect();
    sections.dedup();
    sections
}

/// Kernel page-table pages counted in NR_PAGETABLE: none in 4.19 (only
/// user PTE pages have an accounting constructor), PMD pages in 6.6
/// (`pagetable_pmd_ctor`), PMD and PUD pages in 6.12 (`pagetable_pud_ctor`).
/// Kernel PTE pages are never counted.
pub(crate) fn accounted_page_tables(k: &Kernel) -> u64 {
    use crate::translate::PtLevel;
    let t = &k.pgtables;
    let p = k.profile();
    let mut pages = 0;
    if p.has(Change::MeminfoPageTablesPmd) {
        pages += t.table_pages_at(PtLevel::Pmd);
    }
    if p.has(Change::MeminfoPageTablesPud) {
        pages += t.table_pages_at(PtLevel::Pud);
    }
    pages as u64
}

/// A zone or node counter, by its vmstat name. Counters the simulation does
/// not keep read 0.
fn vm_counter(k: &Kernel, name: &str, zone: Option<&Zone>) -> u64 {
    match (name, zone) {
        ("nr_free_pages", Some(z)) => z.free_pages,
        ("nr_zone_inactive_file", Some(z)) => k.cache.pages_in(z.zone_type),
        ("nr_inactive_file" | "nr_file_pages", None) => k.cache.len(),
        ("nr_zone_active_anon", Some(z)) => k.anon_pages(Some(z.zone_type)),
        ("nr_active_anon" | "nr_anon_pages", None) => k.anon_pages(None),
        ("nr_slab_reclaimable", None) => k.slab_pages().0,
        ("nr_slab_unreclaimable", None) => k.slab_pages().1,
        ("nr_page_table_pages", _) => accounted_page_tables(k),
        _ => 0,
    }
}

/// `calculate_normal_threshold()`: the per-CPU vmstat drift allowed, from
/// the CPU count and the zone's size in 128 MiB units, at most 125.
fn stat_threshold(managed: u64, cpus: u32) -> u64 {
    let fls = |x: u64| u64::from(u64::BITS - x.leading_zeros());
    let mem = managed >> (27 - 12);
    (2 * fls(u64::from(cpus)) * (1 + fls(mem))).min(125)
}

/// `/proc/zoneinfo`: every zone of node 0, populated or not.
pub fn zoneinfo(k: &Kernel) -> String {
    let layout = ProcLayout::of(k.profile());
    let cpus = k.config().machine.cpus;
    let rows = zones(k);
    let first_populated = rows.iter().position(|r| r.populated().is_some());
    let mut out = String::new();
    for (index, row) in rows.iter().enumerate() {
        let _ = write!(out, "Node 0, zone {:>8}", row.name());
        if Some(index) == first_populated {
            out.push_str("\n  per-node stats");
            for name in &layout.node_stats {
                let _ = write!(out, "\n      {:<12} {}", name, vm_counter(k, name, None));
            }
        }
        let zone = match row {
            ZoneRow::Zone(z) => Some(*z),
            ZoneRow::Device => None,
        };
        let value = |f: fn(&Zone) -> u64| zone.map_or(0, f);
        let _ = write!(out, "\n  pages free     {}", value(|z| z.free_pages));
        if layout.zoneinfo_boost_and_cma {
            let _ = write!(out, "\n        boost    {}", value(|z| z.watermark_boost));
        }
        let _ = write!(out, "\n        min      {}", value(|z| z.watermarks.min));
        let _ = write!(out, "\n        low      {}", value(|z| z.watermarks.low));
        let _ = write!(out, "\n        high     {}", value(|z| z.watermarks.high));
        if layout.zoneinfo_promo {
            let _ = write!(out, "\n        promo    {}", value(|z| z.watermarks.promo));
        }
        let _ = write!(out, "\n        spanned  {}", value(|z| z.spanned));
        let _ = write!(out, "\n        present  {}", value(|z| z.present));
        let _ = write!(out, "\n        managed  {}", value(|z| z.managed));
        if layout.zoneinfo_boost_and_cma {
            out.push_str("\n        cma      0");
        }
        let reserve: Vec<String> = (0..k.buddy.rules.nr_zone_types)
            .map(|j| {
                zone.and_then(|z| z.lowmem_reserve.get(j))
                    .copied()
                    .unwrap_or(0)
                    .to_string()
            })
            .collect();
        let _ = write!(out, "\n        protection: ({})", reserve.join(", "));
        let Some(z) = row.populated() else {
            out.push('\n');
            continue;
        };
        for name in layout.zone_stats.iter().chain(NUMA_STATS) {
            let _ = write!(out, "\n      {:<12} {}", name, vm_counter(k, name, Some(z)));
        }
        out.push_str("\n  pagesets");
        for cpu in 0..cpus {
            // Only CPU 0 runs the simulated calls; the other CPUs' lists
            // stay empty at their boot-time `high`.
            let (count, high) = if cpu == 0 {
                (z.pcp.count, z.pcp.high)
            } else {
                (0, z.pcp.high_min)
            };
            let _ = write!(
                out,
                "\n    cpu: {cpu}\n              count: {count}\n              high:  {high}\n              batch: {}",
                z.pcp.batch
            );
            let _ = write!(
                out,
                "\n  vm stats threshold: {}",
                stat_threshold(z.managed, cpus)
            );
        }
        let _ = write!(
            out,
            "\n  node_unreclaimable:  0\n  start_pfn:           {}\n",
            z.start_pfn.as_u64()
        );
    }
    out
}

/// `calculate_totalreserve_pages()`: per zone, its largest lowmem reserve
/// plus its high watermark, capped at its managed pages.
fn totalreserve_pages(k: &Kernel) -> u64 {
    k.buddy
        .zones
        .iter()
        .map(|z| {
            let max = z.lowmem_reserve.iter().copied().max().unwrap_or(0);
            (max + z.watermarks.high).min(z.managed)
        })
        .sum()
}

/// `si_mem_available()`: free pages above the reserves, plus the page cache
/// and reclaimable slab that could go, less what must stay (half of each,
/// at most the sum of the low watermarks).
fn mem_available(k: &Kernel) -> u64 {
    let wmark_low: u64 = k.buddy.zones.iter().map(|z| z.watermarks.low).sum();
    let free = k.buddy.nr_free_pages() as i64 - totalreserve_pages(k) as i64;
    let pagecache = k.cache.len();
    let pagecache = pagecache - (pagecache / 2).min(wmark_low);
    let reclaimable = k.slab.slab_pages().0;
    let reclaimable = reclaimable - (reclaimable / 2).min(wmark_low);
    (free + pagecache as i64 + reclaimable as i64).max(0) as u64
}

/// `DirectMap4k` and `DirectMap2M` in kB: the direct map as
/// `init_mem_mapping()` builds it, the ISA range [0, 1 MiB) with 4 KiB pages
/// and every RAM range above it by `split_mem_range()` (4 KiB head and tail,
/// 2 MiB pages between). Later splits by `set_memory_*()` are not modelled.
fn direct_map_kb(mem: &MemMap) -> (u64, u64) {
    const ISA_END: u64 = (1 << 20) / PAGE_SIZE;
    const PMD_FRAMES: u64 = 512;
    let mut small = ISA_END;
    let mut large = 0;
    let ram = mem
        .e820()
        .iter()
        .filter(|e| e.kind == E820Type::Usable)
        .map(|e| FrameRange {
            start: Pfn::new(e.start.as_u64().div_ceil(PAGE_SIZE).max(ISA_END)),
            end: Pfn::new((e.end.as_u64() + 1) / PAGE_SIZE),
        });
    for r in ram {
        let (start, end) = (r.start.as_u64(), r.end.as_u64());
        if start >= end {
            continue;
        }
        let big_start = start.next_multiple_of(PMD_FRAMES).min(end);
        let big_end = (end / PMD_FRAMES * PMD_FRAMES).max(big_start);
        small += (big_start - start) + (end - big_end);
        large += (big_end - big_start) / PMD_FRAMES;
    }
    (small * 4, large * 2048)
}

/// `/proc/meminfo`.
pub fn meminfo(k: &Kernel) -> String {
    let layout = ProcLayout::of(k.profile());
    let totalram = k.buddy.managed_pages();
    let (direct_4k, direct_2m) = direct_map_kb(&k.mem);
    let (slab_reclaimable, slab_unreclaimable) = k.slab_pages();
    let lines = MEMINFO
        .iter()
        .filter(|&&(_, _, _, v6_only)| layout.meminfo_v6_lines || !v6_only)
        .filter(|&&(label, ..)| layout.unaccepted_line || !label.starts_with("Unaccepted:"));
    let mut out = String::new();
    for &(label, item, width, _) in lines {
        let pages_kb = |pages: u64| pages * (PAGE_SIZE / 1024);
        let value = match item {
            M::MemTotal => pages_kb(totalram),
            M::MemFree => pages_kb(k.buddy.nr_free_pages()),
            M::MemAvailable => pages_kb(mem_available(k)),
            M::Cached | M::Inactive | M::InactiveFile => pages_kb(k.cache.len()),
            M::Anon => pages_kb(k.anon_pages(None)),
            // `vm_commit_limit()`: no hugetlb pages, no swap.
            M::CommitLimit => pages_kb(totalram * OVERCOMMIT_RATIO / 100),
            M::VmallocTotal => (VMALLOC_END.as_u64() - VMALLOC_START.as_u64()) >> 10,
            // 4.19 prints 0 (since 4.4); 6.x `vmalloc_nr_pages()`.
            M::VmallocUsed if layout.vmalloc_used_counted => pages_kb(k.vmap.nr_pages()),
            M::VmallocUsed => 0,
            M::PageTables => pages_kb(accounted_page_tables(k)),
            M::Slab => pages_kb(slab_reclaimable + slab_unreclaimable),
            M::SReclaimable => pages_kb(slab_reclaimable),
            M::SUnreclaim => pages_kb(slab_unreclaimable),
            M::Zero | M::HugePagesCount => 0,
            M::Hugepagesize => 2048,
            M::DirectMap4k => direct_4k,
            M::DirectMap2M => direct_2m,
        };
        let _ = match width {
            Kb8 => writeln!(out, "{label}{value:>8} kB"),
            Kb5 => writeln!(out, "{label}{value:>5} kB"),
            Count5 => writeln!(out, "{label}{value:>5}"),
        };
    }
    out
}

/// The files this module prints, by path.
pub const FILES: [&str; 6] = [
    "/proc/buddyinfo",
    "/proc/pagetypeinfo",
    "/proc/zoneinfo",
    "/proc/meminfo",
    "/proc/slabinfo",
    "/proc/vmallocinfo",
];

/// The contents of `path`, one of [`FILES`].
pub fn read(k: &Kernel, path: &str) -> Option<String> {
    match path {
        "/proc/buddyinfo" => Some(buddyinfo(k)),
        "/proc/pagetypeinfo" => Some(pagetypeinfo(k)),
        "/proc/zoneinfo" => Some(zoneinfo(k)),
        "/proc/meminfo" => Some(meminfo(k)),
        "/proc/slabinfo" => Some(k.slab.slabinfo()),
        "/proc/vmallocinfo" => Some(
            k.vmap
                .vmallocinfo(k.profile(), crate::translate::is_vmalloc),
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
