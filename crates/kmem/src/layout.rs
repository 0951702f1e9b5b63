//! The x86_64 kernel virtual address layout with 4-level paging.
//!
//! Kernel rules modelled (Documentation/x86/x86_64/mm.txt of 4.19.0,
//! Documentation/arch/x86/x86_64/mm.rst of 6.6/6.12,
//! arch/x86/include/asm/pgtable_64_types.h, page_64_types.h): the direct
//! map at `PAGE_OFFSET` (0xffff880000000000 before 4.19.5,
//! 0xffff888000000000 after), vmalloc at 0xffffc90000000000 (32 TiB),
//! vmemmap at 0xffffea0000000000, the kernel image at
//! `__START_KERNEL_map` = 0xffffffff80000000 and modules after it. We model
//! a distribution build (CONFIG_RANDOMIZE_BASE=y, so `KERNEL_IMAGE_SIZE` is
//! 1 GiB and modules start at 0xffffffffc0000000) booted with `nokaslr`, so
//! every base keeps its compile-time value.

use crate::addr::VirtAddr;
use crate::profile::{Profile, PAGE_OFFSET_4_19_0};

/// `VMALLOC_START`.
pub const VMALLOC_START: VirtAddr = VirtAddr::new(0xffff_c900_0000_0000);
/// `VMALLOC_END`: the last byte of the vmalloc area (inclusive, as the
/// kernel defines it; `is_vmalloc_addr` tests `< VMALLOC_END`).
pub const VMALLOC_END: VirtAddr = VirtAddr::new(0xffff_e8ff_ffff_ffff);
/// `VMEMMAP_START`: the `struct page` array.
pub const VMEMMAP_START: VirtAddr = VirtAddr::new(0xffff_ea00_0000_0000);
/// `__START_KERNEL_map`: the kernel image mapping, physical address 0.
pub const START_KERNEL_MAP: VirtAddr = VirtAddr::new(0xffff_ffff_8000_0000);
/// `KERNEL_IMAGE_SIZE` with CONFIG_RANDOMIZE_BASE: 1 GiB.
pub const KERNEL_IMAGE_SIZE: u64 = 1 << 30;
/// `MODULES_VADDR` = `__START_KERNEL_map + KERNEL_IMAGE_SIZE`.
pub const MODULES_VADDR: VirtAddr = VirtAddr::new(0xffff_ffff_c000_0000);
/// `MODULES_END` (exclusive).
pub const MODULES_END: VirtAddr = VirtAddr::new(0xffff_ffff_ff00_0000);
/// Size of the direct map: 64 TiB.
pub const DIRECT_MAP_SIZE: u64 = 64 << 40;

/// What a region of the address space is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RegionKind {
    /// User space.
    User,
    /// Not canonical: any access faults (#GP).
    NonCanonical,
    /// Unused or guard space: mapped by nothing.
    Hole,
    /// The direct mapping of all physical memory (`PAGE_OFFSET`).
    DirectMap,
    /// The vmalloc/ioremap area.
    Vmalloc,
    /// The `struct page` array.
    Vmemmap,
    /// The LDT remap for PTI.
    LdtRemap,
    /// KASAN shadow memory.
    KasanShadow,
    /// The cpu_entry_area mapping.
    CpuEntryArea,
    /// %esp fixup stacks.
    EspFixup,
    /// EFI runtime services.
    Efi,
    /// The kernel image (text, data, bss).
    KernelText,
    /// The module mapping space.
    Modules,
    /// Fixed mappings (fixmap).
    Fixmap,
    /// The legacy vsyscall page.
    Vsyscall,
}

/// One region of the virtual address space.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    /// What it is.
    pub kind: RegionKind,
    /// The kernel's name for it.
    pub name: &'static str,
    /// First address.
    pub start: VirtAddr,
    /// Last address (inclusive).
    pub end: VirtAddr,
}

impl Region {
    /// True when `addr` lies in the region.
    pub fn contains(&self, addr: VirtAddr) -> bool {
        self.start <= addr && addr <= self.end
    }

    /// Size in bytes (saturating for the whole-space regions).
    pub fn size(&self) -> u64 {
        (self.end.as_u64() - self.start.as_u64()).saturating_add(1)
    }
}

/// The layout of one profile: every region, ascending, covering the whole
/// 64-bit space.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    /// `PAGE_OFFSET`.
    pub page_offset: VirtAddr,
    regions: Vec<Region>,
}

impl Layout {
    /// The layout of `profile`.
    pub fn new(profile: &Profile) -> Layout {
        let page_offset = profile.page_offset();
        let old = page_offset == PAGE_OFFSET_4_19_0;
        let r = |kind, name, start: u64, end: u64| Region {
            kind,
            name,
            start: VirtAddr::new(start),
            end: VirtAddr::new(end),
        };
        use RegionKind::*;
        let mut regions = vec![
            r(User, "user space", 0, 0x0000_7fff_ffff_ffff),
            r(
                NonCanonical,
                "non-canonical hole",
                0x0000_8000_0000_0000,
                0xffff_7fff_ffff_ffff,
            ),
            r(
                Hole,
                "guard hole (reserved for hypervisor)",
                0xffff_8000_0000_0000,
                0xffff_87ff_ffff_ffff,
            ),
        ];
        if old {
            regions.push(r(
                DirectMap,
                "direct mapping of all physical memory (page_offset_base)",
                0xffff_8800_0000_0000,
                0xffff_c7ff_ffff_ffff,
            ));
            regions.push(r(
                Hole,
                "unused hole",
                0xffff_c800_0000_0000,
                0xffff_c8ff_ffff_ffff,
            ));
        } else {
            regions.push(r(
                LdtRemap,
                "LDT remap for PTI",
                0xffff_8800_0000_0000,
                0xffff_887f_ffff_ffff,
            ));
            regions.push(r(
                DirectMap,
                "direct mapping of all physical memory (page_offset_base)",
                0xffff_8880_0000_0000,
                0xffff_c87f_ffff_ffff,
            ));
            regions.push(r(
                Hole,
                "unused hole",
                0xffff_c880_0000_0000,
                0xffff_c8ff_ffff_ffff,
            ));
        }
        regions.extend([
            r(
                Vmalloc,
                "vmalloc/ioremap space (vmalloc_base)",
                VMALLOC_START.as_u64(),
                VMALLOC_END.as_u64(),
            ),
            r(
                Hole,
                "unused hole",
                0xffff_e900_0000_0000,
                0xffff_e9ff_ffff_ffff,
            ),
            r(
                Vmemmap,
                "virtual memory map (vmemmap_base)",
                VMEMMAP_START.as_u64(),
                0xffff_eaff_ffff_ffff,
            ),
            r(
                Hole,
                "unused hole",
                0xffff_eb00_0000_0000,
                0xffff_ebff_ffff_ffff,
            ),
            r(
                KasanShadow,
                "KASAN shadow memory",
                0xffff_ec00_0000_0000,
                0xffff_fbff_ffff_ffff,
            ),
            r(
                Hole,
                "unused hole",
                0xffff_fc00_0000_0000,
                0xffff_fdff_ffff_ffff,
            ),
            r(
                CpuEntryArea,
                "cpu_entry_area mapping",
                0xffff_fe00_0000_0000,
                0xffff_fe7f_ffff_ffff,
            ),
        ]);
        if old {
            regions.push(r(
                LdtRemap,
                "LDT remap for PTI",
                0xffff_fe80_0000_0000,
                0xffff_feff_ffff_ffff,
            ));
        } else {
            regions.push(r(
                Hole,
                "unused hole",
                0xffff_fe80_0000_0000,
                0xffff_feff_ffff_ffff,
            ));
        }
        regions.extend([
            r(
                EspFixup,
                "%esp fixup stacks",
                0xffff_ff00_0000_0000,
                0xffff_ff7f_ffff_ffff,
            ),
            r(
                Hole,
                "unused hole",
                0xffff_ff80_0000_0000,
                0xffff_ffee_ffff_ffff,
            ),
            r(
                Efi,
                "EFI region mapping space",
                0xffff_ffef_0000_0000,
                0xffff_fffe_ffff_ffff,
            ),
            r(
                Hole,
                "unused hole",
                0xffff_ffff_0000_0000,
                0xffff_ffff_7fff_ffff,
            ),
            r(
                KernelText,
                "kernel text mapping, mapped to physical address 0",
                START_KERNEL_MAP.as_u64(),
                MODULES_VADDR.as_u64() - 1,
            ),
            r(
                Modules,
                "module mapping space",
                MODULES_VADDR.as_u64(),
                MODULES_END.as_u64() - 1,
            ),
            r(
                Fixmap,
                "fixmap (fixed-addr start, variable end)",
                0xffff_ffff_ff00_0000,
                0xffff_ffff_ff5f_ffff,
            ),
            r(
                Vsyscall,
                "legacy vsyscall ABI",
                0xffff_ffff_ff60_0000,
                0xffff_ffff_ff60_0fff,
            ),
            r(
                Hole,
                "unused hole",
                0xffff_ffff_ff60_1000,
                0xffff_ffff_ffff_ffff,
            ),
        ]);
        Layout {
            page_offset,
            regions,
        }
    }

    /// Every region, ascending.
    pub fn regions(&self) -> &[Region] {
        &self.regions
    }

    /// The region holding `addr` (every address has one).
    pub fn region_of(&self, addr: VirtAddr) -> &Region {
        let i = self.regions.partition_point(|r| r.end < addr);
        &self.regions[i.min(self.regions.len() - 1)]
    }

    /// The region of the given kind (the first, for holes).
    pub fn region(&self, kind: RegionKind) -> Option<&Region> {
        self.regions.iter().find(|r| r.kind == kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(version: &str) -> Layout {
        Layout::new(&Profile::parse(version).unwrap())
    }

    #[test]
    fn regions_tile_the_whole_space() {
        for version in ["4.19.0", "4.19", "6.6", "6.12"] {
            let l = layout(version);
            assert_eq!(l.regions()[0].start, VirtAddr::new(0));
            assert_eq!(l.regions().last().unwrap().end, VirtAddr::new(u64::MAX));
            for pair in l.regions().windows(2) {
                assert_eq!(
                    pair[0].end.as_u64() + 1,
                    pair[1].start.as_u64(),
                    "{version}: {pair:?}"
                );
            }
        }
    }

    #[test]
    fn lookups_and_pgd_slots() {
        let l = layout("6.6");
        assert_eq!(
            l.region_of(VirtAddr::new(0xffff_8880_0000_1000)).kind,
            RegionKind::DirectMap
        );
        assert_eq!(
            l.region_of(VirtAddr::new(0xffff_8800_0000_1000)).kind,
            RegionKind::LdtRemap
        );
        assert_eq!(l.region_of(VMALLOC_START).kind, RegionKind::Vmalloc);
        assert_eq!(
            l.region_of(VirtAddr::new(0xffff_ffff_8100_0000)).kind,
            RegionKind::KernelText
        );
        assert_eq!(
            l.region_of(VirtAddr::new(0xffff_ffff_c000_0000)).kind,
            RegionKind::Modules
        );
        assert_eq!(
            l.region_of(VirtAddr::new(0xdead_beef)).kind,
            RegionKind::User
        );
        assert_eq!(
            l.region_of(VirtAddr::new(0x8000_0000_0000)).kind,
            RegionKind::NonCanonical
        );
        assert_eq!(
            l.region(RegionKind::DirectMap).unwrap().size(),
            DIRECT_MAP_SIZE
        );
        assert_eq!(l.region(RegionKind::Vmalloc).unwrap().size(), 32 << 40);
        // kernel-facts §5.2: PAGE_OFFSET in pgd slot 273, VMALLOC_START 402, VMEMMAP 468.
        let slot = |a: VirtAddr| (a.as_u64() >> 39) & 511;
        assert_eq!(slot(l.page_offset), 273);
        assert_eq!(slot(VMALLOC_START), 402);
        assert_eq!(slot(VMEMMAP_START), 468);
        assert_eq!(slot(START_KERNEL_MAP), 511);
        let old = layout("4.19.3");
        assert_eq!(slot(old.page_offset), 272);
        assert_eq!(
            old.region_of(VirtAddr::new(0xffff_8800_0000_1000)).kind,
            RegionKind::DirectMap
        );
        assert_eq!(
            old.region_of(VirtAddr::new(0xffff_fe80_0000_0000)).kind,
            RegionKind::LdtRemap
        );
    }
}
