//! The kernel page tables (`init_mm`, rooted at `swapper_pg_dir`) as real
//! 4-level x86_64 tables: every table is a 4 KiB frame of 512 eight-byte
//! entries, and every table below the PGD is a page the buddy allocator
//! handed out, so it shows in the memory map.
//!
//! Kernel rules modelled (arch/x86/include/asm/pgtable_types.h,
//! pgtable_64_types.h, pgalloc.h; identical in 4.19, 6.6 and 6.12):
//! - 4-level paging: PGD bits 47..39, P4D folded into the PGD
//!   (`PTRS_PER_P4D` = 1), PUD bits 38..30, PMD bits 29..21, PTE bits
//!   20..12; 512 entries per table;
//! - a table entry (`pgd_populate`, `pud_populate`, `pmd_populate_kernel`)
//!   is the next table's physical address with `_PAGE_TABLE` =
//!   PRESENT | RW | USER | ACCESSED | DIRTY (0x67);
//! - a vmalloc leaf is `PAGE_KERNEL`: PRESENT | RW | ACCESSED | DIRTY |
//!   GLOBAL | NX (0x8000000000000163), GLOBAL kept because the machine runs
//!   without page-table isolation; a PMD leaf adds PSE (0x80);
//! - unmapping clears leaf entries only: the kernel never frees the
//!   tables of the vmalloc range (`vunmap_range` leaves them in place).

use crate::addr::{Pfn, PhysAddr, VirtAddr, PAGE_SHIFT};
use crate::memmap::FrameMap;
use crate::translate::{PageTableWalk, PtLevel, Step, StepKind};

/// Entries in one table.
pub const PTRS_PER_TABLE: usize = 512;
/// `_PAGE_PRESENT`.
pub const PAGE_PRESENT: u64 = 1 << 0;
/// `_PAGE_RW`.
pub const PAGE_RW: u64 = 1 << 1;
/// `_PAGE_USER`.
pub const PAGE_USER: u64 = 1 << 2;
/// `_PAGE_ACCESSED`.
pub const PAGE_ACCESSED: u64 = 1 << 5;
/// `_PAGE_DIRTY`.
pub const PAGE_DIRTY: u64 = 1 << 6;
/// `_PAGE_PSE`: a leaf at the PMD or PUD level.
pub const PAGE_PSE: u64 = 1 << 7;
/// `_PAGE_GLOBAL`.
pub const PAGE_GLOBAL: u64 = 1 << 8;
/// `_PAGE_NX`.
pub const PAGE_NX: u64 = 1 << 63;
/// `_PAGE_TABLE`: what a populated PGD, PUD or PMD entry carries.
pub const PAGE_TABLE: u64 = PAGE_PRESENT | PAGE_RW | PAGE_USER | PAGE_ACCESSED | PAGE_DIRTY;
/// `PAGE_KERNEL` without page-table isolation.
pub const PAGE_KERNEL: u64 =
    PAGE_PRESENT | PAGE_RW | PAGE_ACCESSED | PAGE_DIRTY | PAGE_GLOBAL | PAGE_NX;
/// `PTE_PFN_MASK`: the physical-address bits of an entry (52-bit physical
/// addresses).
pub const PTE_PFN_MASK: u64 = 0x000f_ffff_ffff_f000;

/// The shift of each level's index in a virtual address.
const fn level_shift(level: PtLevel) -> u32 {
    match level {
        PtLevel::Pgd | PtLevel::P4d => 39,
        PtLevel::Pud => 30,
        PtLevel::Pmd => 21,
        PtLevel::Pte => PAGE_SHIFT,
    }
}

/// The index of `addr` in a table of `level` (always 0 for the folded P4D).
pub const fn index(addr: VirtAddr, level: PtLevel) -> usize {
    match level {
        PtLevel::P4d => 0,
        _ => ((addr.as_u64() >> level_shift(level)) & 511) as usize,
    }
}

type Table = Box<[u64; PTRS_PER_TABLE]>;

/// Why a mapping could not be made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MapError {
    /// A table page could not be allocated.
    NoTableMemory,
    /// The address is already mapped (the kernel WARNs: `!pte_none`).
    AlreadyMapped,
}

/// The kernel page tables.
#[derive(Clone, Debug)]
pub struct PageTables {
    pgd: Pfn,
    tables: FrameMap<u64, Table>,
    /// Table pages allocated per level: PUD, PMD, PTE.
    counts: [usize; 3],
}

/// One level of a walk: the table read, the index and the entry found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LevelEntry {
    /// The level.
    pub level: PtLevel,
    /// The table's physical address.
    pub table: PhysAddr,
    /// The index in it.
    pub index: usize,
    /// The entry's value.
    pub entry: u64,
}

/// What a walk found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lookup {
    /// The levels read, top down (at most five).
    pub levels: [Option<LevelEntry>; 5],
    /// The mapped frame of the address, if every level was present.
    pub frame: Option<Pfn>,
}

impl Lookup {
    /// The levels actually read.
    pub fn entries(&self) -> impl Iterator<Item = &LevelEntry> {
        self.levels.iter().flatten()
    }
}

impl PageTables {
    /// Tables with an empty PGD at frame `pgd` (in the kernel image).
    pub fn new(pgd: Pfn) -> PageTables {
        let mut tables = FrameMap::default();
        tables.insert(pgd.as_u64(), Box::new([0u64; PTRS_PER_TABLE]));
        PageTables {
            pgd,
            tables,
            counts: [0; 3],
        }
    }

    /// The PGD's frame (`__pa(swapper_pg_dir)`, what CR3 holds).
    pub fn pgd(&self) -> Pfn {
        self.pgd
    }

    /// The 512 entries of the table at `pfn`, for reads of its bytes.
    pub fn table(&self, pfn: Pfn) -> Option<&[u64; PTRS_PER_TABLE]> {
        self.tables.get(&pfn.as_u64()).map(|t| &**t)
    }

    /// The table at `pfn`, for writes through the direct map.
    pub fn table_mut(&mut self, pfn: Pfn) -> Option<&mut [u64; PTRS_PER_TABLE]> {
        self.tables.get_mut(&pfn.as_u64()).map(|t| &mut **t)
    }

    /// Number of table pages below the PGD.
    pub fn table_pages(&self) -> usize {
        self.tables.len() - 1
    }

    /// Number of table pages of `level` (PUD, PMD or PTE; 0 for the others).
    pub fn table_pages_at(&self, level: PtLevel) -> usize {
        match level {
            PtLevel::Pud => self.counts[0],
            PtLevel::Pmd => self.counts[1],
            PtLevel::Pte => self.counts[2],
            _ => 0,
        }
    }

    /// The table one level down from `entry`, allocating and linking it
    /// when the entry is empty.
    fn next_table(
        &mut self,
        table: Pfn,
        index: usize,
        child: PtLevel,
        alloc_table: &mut dyn FnMut() -> Option<Pfn>,
    ) -> Result<Pfn, MapError> {
        let entry = self.tables.get(&table.as_u64()).map_or(0, |t| t[index]);
        if entry & PAGE_PRESENT != 0 {
            if entry & PAGE_PSE != 0 {
                return Err(MapError::AlreadyMapped);
            }
            return Ok(PhysAddr::new(entry & PTE_PFN_MASK).pfn());
        }
        let new = alloc_table().ok_or(MapError::NoTableMemory)?;
        self.tables
            .insert(new.as_u64(), Box::new([0u64; PTRS_PER_TABLE]));
        if let Some(t) = self.tables.get_mut(&table.as_u64()) {
            t[index] = new.phys().as_u64() | PAGE_TABLE;
        }
        match child {
            PtLevel::Pud => self.counts[0] += 1,
            PtLevel::Pmd => self.counts[1] += 1,
            _ => self.counts[2] += 1,
        }
        Ok(new)
    }

    /// Makes sure the PUD table for `addr` exists (6.x's
    /// `preallocate_vmalloc_pages()` does this at boot for the whole
    /// vmalloc range).
    pub fn ensure_pud(
        &mut self,
        addr: VirtAddr,
        alloc_table: &mut dyn FnMut() -> Option<Pfn>,
    ) -> Result<Pfn, MapError> {
        self.next_table(
            self.pgd,
            index(addr, PtLevel::Pgd),
            PtLevel::Pud,
            alloc_table,
        )
    }

    /// How many table pages mapping `len` bytes from `addr` would add: a
    /// PUD table per missing PGD entry, a PMD table per missing PUD entry,
    /// and (unless `huge`) a PTE table per missing PMD entry.
    pub fn tables_needed(&self, addr: VirtAddr, len: u64, huge: bool) -> usize {
        let start = addr.as_u64();
        let end = start.saturating_add(len);
        let mut needed = 0;
        for (level, span) in [
            (PtLevel::Pgd, 1u64 << 39),
            (PtLevel::Pud, 1 << 30),
            (PtLevel::Pmd, 1 << 21),
        ] {
            if huge && level == PtLevel::Pmd {
                break;
            }
            let mut at = start & !(span - 1);
            while at < end {
                let lookup = self.lookup(VirtAddr::new(at));
                let present = lookup
                    .entries()
                    .find(|e| e.level == level)
                    .is_some_and(|e| e.entry & PAGE_PRESENT != 0);
                if !present {
                    needed += 1;
                }
                at = match at.checked_add(span) {
                    Some(next) => next,
                    None => break,
                };
            }
        }
        needed
    }

    /// Maps the 4 KiB page at `addr` to `frame` with `flags`, allocating
    /// missing tables with `alloc_table` (which returns a zeroed frame).
    pub fn map_page(
        &mut self,
        addr: VirtAddr,
        frame: Pfn,
        flags: u64,
        alloc_table: &mut dyn FnMut() -> Option<Pfn>,
    ) -> Result<(), MapError> {
        let pmd_table = self.pmd_table(addr, alloc_table)?;
        let pte_table = self.next_table(
            pmd_table,
            index(addr, PtLevel::Pmd),
            PtLevel::Pte,
            alloc_table,
        )?;
        let slot = self
            .tables
            .get_mut(&pte_table.as_u64())
            .map(|t| &mut t[index(addr, PtLevel::Pte)]);
        match slot {
            Some(e) if *e & PAGE_PRESENT != 0 => Err(MapError::AlreadyMapped),
            Some(e) => {
                *e = frame.phys().as_u64() | flags;
                Ok(())
            }
            None => Err(MapError::NoTableMemory),
        }
    }

    /// Maps the 2 MiB at `addr` (aligned) to the 512 frames from `frame`
    /// with one PMD leaf (`vmap_try_huge_pmd`). A PTE table left there by
    /// earlier small mappings, now empty, is unlinked first
    /// (`pmd_free_pte_page`); its frame is returned for the caller to free.
    pub fn map_huge_pmd(
        &mut self,
        addr: VirtAddr,
        frame: Pfn,
        flags: u64,
        alloc_table: &mut dyn FnMut() -> Option<Pfn>,
    ) -> Result<Option<Pfn>, MapError> {
        let pmd_table = self.pmd_table(addr, alloc_table)?;
        let i = index(addr, PtLevel::Pmd);
        let entry = self.tables.get(&pmd_table.as_u64()).map_or(0, |t| t[i]);
        let mut freed = None;
        if entry & PAGE_PRESENT != 0 {
            let pte_table = PhysAddr::new(entry & PTE_PFN_MASK).pfn();
            let empty = entry & PAGE_PSE == 0
                && self
                    .tables
                    .get(&pte_table.as_u64())
                    .is_some_and(|t| t.iter().all(|&e| e == 0));
            if !empty {
                return Err(MapError::AlreadyMapped);
            }
            self.tables.remove(&pte_table.as_u64());
            self.counts[2] -= 1;
            freed = Some(pte_table);
        }
        match self.tables.get_mut(&pmd_table.as_u64()) {
            Some(t) => {
                t[i] = frame.phys().as_u64() | flags | PAGE_PSE;
                Ok(freed)
            }
            None => Err(MapError::NoTableMemory),
        }
    }

    fn pmd_table(
        &mut self,
        addr: VirtAddr,
        alloc_table: &mut dyn FnMut() -> Option<Pfn>,
    ) -> Result<Pfn, MapError> {
        let pud_table = self.ensure_pud(addr, alloc_table)?;
        self.next_table(
            pud_table,
            index(addr, PtLevel::Pud),
            PtLevel::Pmd,
            alloc_table,
        )
    }

    /// Clears the leaf entry mapping `addr` (a PTE, or a PMD leaf); returns
    /// the frame it mapped. Tables stay.
    pub fn unmap(&mut self, addr: VirtAddr) -> Option<Pfn> {
        let lookup = self.lookup(addr);
        let leaf = lookup.entries().last().copied()?;
        if leaf.entry & PAGE_PRESENT == 0 {
            return None;
        }
        let table = self.tables.get_mut(&leaf.table.pfn().as_u64())?;
        table[leaf.index] = 0;
        lookup.frame
    }

    /// Walks the tables for `addr` as `vmalloc_to_page()` does, following a
    /// PMD leaf to the sub-page of `addr`.
    pub fn lookup(&self, addr: VirtAddr) -> Lookup {
        let mut levels = [None; 5];
        let mut table = self.pgd;
        let order = [
            PtLevel::Pgd,
            PtLevel::P4d,
            PtLevel::Pud,
            PtLevel::Pmd,
            PtLevel::Pte,
        ];
        for (slot, level) in order.into_iter().enumerate() {
            let i = index(addr, level);
            let entry = match level {
                // The folded P4D is the PGD entry itself.
                PtLevel::P4d => levels[0].map_or(0, |l: LevelEntry| l.entry),
                _ => self.tables.get(&table.as_u64()).map_or(0, |t| t[i]),
            };
            let table_phys = match level {
                PtLevel::P4d => levels[0].map_or(PhysAddr::new(0), |l: LevelEntry| l.table),
                _ => table.phys(),
            };
            levels[slot] = Some(LevelEntry {
                level,
                table: table_phys,
                index: if level == PtLevel::P4d {
                    index(addr, PtLevel::Pgd)
                } else {
                    i
                },
                entry,
            });
            // With 4-level paging the P4D is folded into the PGD: the PGD
            // level always reads as present and the P4D level is checked.
            if level == PtLevel::Pgd {
                continue;
            }
            if entry & PAGE_PRESENT == 0 {
                return Lookup {
                    levels,
                    frame: None,
                };
            }
            let next = PhysAddr::new(entry & PTE_PFN_MASK).pfn();
            let leaf = level == PtLevel::Pte || (level == PtLevel::Pmd && entry & PAGE_PSE != 0);
            if leaf {
                let sub = if level == PtLevel::Pmd {
                    (addr.as_u64() >> PAGE_SHIFT) & 511
                } else {
                    0
                };
                return Lookup {
                    levels,
                    frame: Some(next.add(sub)),
                };
            }
            table = next;
        }
        Lookup {
            levels,
            frame: None,
        }
    }
}

impl PageTableWalk for PageTables {
    fn walk(&self, addr: VirtAddr, steps: &mut Vec<Step>) -> Option<Pfn> {
        let lookup = self.lookup(addr);
        for e in lookup.entries() {
            let present = e.entry & PAGE_PRESENT != 0;
            let leaf = present
                && (e.level == PtLevel::Pte
                    || (e.level == PtLevel::Pmd && e.entry & PAGE_PSE != 0));
            let next = e.entry & PTE_PFN_MASK;
            let arithmetic = match (e.level, present, leaf) {
                (PtLevel::Pgd, _, _) => format!(
                    "pgd_index = {} in the table at {:#x}: entry {:#x} (pgd_none is always false: the p4d level is folded into it)",
                    e.index,
                    e.table.as_u64(),
                    e.entry
                ),
                (PtLevel::P4d, true, _) => format!(
                    "p4d_offset: folded, the pgd entry itself = {:#x}",
                    e.entry
                ),
                (_, false, _) => format!(
                    "{}_index = {} in the table at {:#x}: entry 0, {}_none: returns NULL",
                    e.level.name(),
                    e.index,
                    e.table.as_u64(),
                    e.level.name()
                ),
                (PtLevel::Pmd, true, true) => format!(
                    "pmd_index = {} in the table at {:#x}: entry {:#x}, a 2 MiB leaf (_PAGE_PSE): frame {:#x} + {}",
                    e.index,
                    e.table.as_u64(),
                    e.entry,
                    next >> PAGE_SHIFT,
                    (addr.as_u64() >> PAGE_SHIFT) & 511
                ),
                (_, true, true) => format!(
                    "pte_index = {} in the table at {:#x}: entry {:#x}, pte_page: frame {:#x}",
                    e.index,
                    e.table.as_u64(),
                    e.entry,
                    next >> PAGE_SHIFT
                ),
                (_, true, false) => format!(
                    "{}_index = {} in the table at {:#x}: entry {:#x}, next table at {next:#x}",
                    e.level.name(),
                    e.index,
                    e.table.as_u64(),
                    e.entry
                ),
            };
            steps.push(Step {
                function: "vmalloc_to_page",
                input: addr.as_u64(),
                arithmetic,
                output: e.entry,
                kind: StepKind::TableEntry {
                    level: e.level,
                    index: e.index as u16,
                    table: e.table,
                    entry: e.entry,
                },
                note: None,
            });
        }
        lookup.frame
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allocator(start: u64) -> impl FnMut() -> Option<Pfn> {
        let mut next = start;
        move || {
            next += 1;
            Some(Pfn::new(next))
        }
    }

    #[test]
    fn indices_match_kernel_facts() {
        // kernel-facts §5.2: VMALLOC_START → pgd 402; __START_KERNEL_map → pgd 511, pud 510.
        let vmalloc = VirtAddr::new(0xffff_c900_0000_0000);
        assert_eq!(index(vmalloc, PtLevel::Pgd), 402);
        let text = VirtAddr::new(0xffff_ffff_8000_0000);
        assert_eq!(index(text, PtLevel::Pgd), 511);
        assert_eq!(index(text, PtLevel::Pud), 510);
        let modules = VirtAddr::new(0xffff_ffff_a000_0000);
        assert_eq!(index(modules, PtLevel::Pmd), 256);
    }

    #[test]
    fn map_walk_unmap() {
        let mut pt = PageTables::new(Pfn::new(0x2000));
        let mut alloc = allocator(0x5000);
        let a = VirtAddr::new(0xffff_c900_0000_3000);
        pt.map_page(a, Pfn::new(0x12345), PAGE_KERNEL, &mut alloc)
            .unwrap();
        // PUD, PMD and PTE tables.
        assert_eq!(pt.table_pages(), 3);
        assert_eq!(pt.table_pages_at(PtLevel::Pmd), 1);
        let lookup = pt.lookup(a.wrapping_add(0x123));
        assert_eq!(lookup.frame, Some(Pfn::new(0x12345)));
        let entries: Vec<_> = lookup.entries().copied().collect();
        assert_eq!(entries.len(), 5);
        assert_eq!(entries[0].entry, 0x0500_1000 | 0x67);
        assert_eq!(entries[1].entry, entries[0].entry, "P4D is folded");
        assert_eq!(entries[4].entry, 0x8000_0000_1234_5163);
        assert_eq!(entries[4].index, 3);
        // A second page in the same 2 MiB needs no new table.
        pt.map_page(a.wrapping_add(0x1000), Pfn::new(9), PAGE_KERNEL, &mut alloc)
            .unwrap();
        assert_eq!(pt.table_pages(), 3);
        assert_eq!(
            pt.map_page(a, Pfn::new(1), PAGE_KERNEL, &mut alloc),
            Err(MapError::AlreadyMapped)
        );
        assert_eq!(pt.unmap(a), Some(Pfn::new(0x12345)));
        assert_eq!(pt.lookup(a).frame, None);
        assert_eq!(pt.table_pages(), 3, "tables stay after unmapping");
        let mut steps = Vec::new();
        assert_eq!(pt.walk(a, &mut steps), None);
        assert!(steps.last().unwrap().arithmetic.contains("pte_none"));
    }

    #[test]
    fn huge_pmd_leaf_resolves_sub_pages() {
        let mut pt = PageTables::new(Pfn::new(0x2000));
        let mut alloc = allocator(0x5000);
        let a = VirtAddr::new(0xffff_c900_0020_0000);
        assert_eq!(
            pt.map_huge_pmd(a, Pfn::new(0x40000), PAGE_KERNEL, &mut alloc),
            Ok(None)
        );
        assert_eq!(pt.table_pages(), 2, "no PTE table under a PMD leaf");
        let lookup = pt.lookup(a.wrapping_add(5 * 4096 + 7));
        assert_eq!(lookup.frame, Some(Pfn::new(0x40005)));
        assert_eq!(lookup.entries().count(), 4);
    }

    #[test]
    fn failed_table_allocation_is_reported() {
        let mut pt = PageTables::new(Pfn::new(0x2000));
        let mut none = || None;
        assert_eq!(
            pt.map_page(
                VirtAddr::new(0xffff_c900_0000_0000),
                Pfn::new(1),
                PAGE_KERNEL,
                &mut none
            ),
            Err(MapError::NoTableMemory)
        );
    }
}
