//! Address translation, each function returning its result together with a
//! recorded walk: every step with its input, arithmetic and output.
//!
//! Kernel rules modelled (x86_64, identical in 4.19, 6.6 and 6.12 unless
//! noted; arch/x86/include/asm/page.h, page_64.h, io.h,
//! include/asm-generic/memory_model.h, include/linux/mm.h):
//! - `__pa(x)` without CONFIG_DEBUG_VIRTUAL (`__phys_addr_nodebug`):
//!   `y = x - __START_KERNEL_map`; if `x > y` (no wrap: a kernel-image
//!   address) the result is `y + phys_base`, otherwise `x - PAGE_OFFSET`.
//!   It never checks that `x` is a direct-map address, which is why `__pa`
//!   of a vmalloc address silently computes a wrong physical address;
//! - `__va(p) = p + PAGE_OFFSET`; `virt_to_page(v) = pfn_to_page(__pa(v) >>
//!   PAGE_SHIFT)`; with SPARSEMEM_VMEMMAP `pfn_to_page(pfn) = vmemmap + pfn`
//!   (64-byte `struct page`s) and `page_to_pfn(page) = page - vmemmap`;
//!   `page_to_phys(page) = page_to_pfn(page) << PAGE_SHIFT`;
//!   `page_address(page)` is the direct-map address (no highmem on x86_64);
//! - `is_vmalloc_addr(x)`: `VMALLOC_START <= x < VMALLOC_END`;
//! - the vmalloc-aware translation (`kvm_kaddr_to_phys`, virt/kvm/arm/mmu.c
//!   of 4.19): anything that is not a vmalloc address goes through `__pa`,
//!   vmalloc addresses through `page_to_phys(vmalloc_to_page(addr)) +
//!   offset_in_page(addr)`.
//!
//! `phys_base` is 0: the kernel runs where it was linked (`nokaslr`).

use crate::addr::{Pfn, PhysAddr, VirtAddr, PAGE_SHIFT};
use crate::layout::{START_KERNEL_MAP, VMALLOC_END, VMALLOC_START, VMEMMAP_START};
use crate::memmap::STRUCT_PAGE_SIZE;

/// A page-table level, for walks through the kernel page tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum PtLevel {
    /// Page global directory (bits 47..39).
    Pgd,
    /// P4D: folded into the PGD with 4-level paging.
    P4d,
    /// Page upper directory (bits 38..30).
    Pud,
    /// Page middle directory (bits 29..21).
    Pmd,
    /// Page table (bits 20..12).
    Pte,
}

impl PtLevel {
    /// The level's name as kernel code spells it.
    pub const fn name(self) -> &'static str {
        match self {
            PtLevel::Pgd => "pgd",
            PtLevel::P4d => "p4d",
            PtLevel::Pud => "pud",
            PtLevel::Pmd => "pmd",
            PtLevel::Pte => "pte",
        }
    }
}

/// What a step of a walk looked at.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub enum StepKind {
    /// Arithmetic on the input.
    Arithmetic,
    /// A test; `passed` is its outcome.
    Test {
        /// The outcome.
        passed: bool,
    },
    /// A page-table entry read during a table walk.
    TableEntry {
        /// The level.
        level: PtLevel,
        /// Index into the table.
        index: u16,
        /// Physical address of the table.
        table: PhysAddr,
        /// The entry's raw value.
        entry: u64,
    },
}

/// One step of a translation.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Step {
    /// The kernel function or macro the step belongs to.
    pub function: &'static str,
    /// The value it took.
    pub input: u64,
    /// The computation in C-like notation, with numbers.
    pub arithmetic: String,
    /// The value it produced.
    pub output: u64,
    /// What kind of step.
    pub kind: StepKind,
    /// A remark for the reader (for example, why a result is wrong).
    pub note: Option<String>,
}

/// A result and the walk that produced it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Walk<T> {
    /// The result.
    pub value: T,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

/// The kernel page tables, as far as a translation needs them
/// (`vmalloc_to_page`). Implemented by the page-table module; a kernel
/// without vmalloc mappings finds every PGD entry empty.
pub trait PageTableWalk {
    /// Walks the tables for `addr`, recording each level in `steps`;
    /// returns the mapped frame, or `None` where an entry is not present.
    fn walk(&self, addr: VirtAddr, steps: &mut Vec<Step>) -> Option<Pfn>;
}

/// Why the vmalloc-aware translation went wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TranslateFault {
    /// `vmalloc_to_page()` found no mapping and returned NULL;
    /// `page_to_phys(NULL)` then computes a meaningless value, carried here.
    NotMapped(PhysAddr),
}

/// The translation functions of one booted kernel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Translator {
    /// `PAGE_OFFSET`.
    pub page_offset: VirtAddr,
    /// `max_pfn`: frames at or above it are not valid (`pfn_valid`).
    pub max_pfn: Pfn,
}

fn step(function: &'static str, input: u64, arithmetic: String, output: u64) -> Step {
    Step {
        function,
        input,
        arithmetic,
        output,
        kind: StepKind::Arithmetic,
        note: None,
    }
}

/// `is_vmalloc_addr(x)` without the recorded step, for the kernel's own
/// decisions.
pub fn is_vmalloc(addr: VirtAddr) -> bool {
    VMALLOC_START <= addr && addr < VMALLOC_END
}

impl Translator {
    /// `__pa(x)` without the recorded steps, for the kernel's own use.
    pub fn pa_value(&self, addr: VirtAddr) -> PhysAddr {
        let x = addr.as_u64();
        let y = x.wrapping_sub(START_KERNEL_MAP.as_u64());
        if x > y {
            PhysAddr::new(y)
        } else {
            PhysAddr::new(x.wrapping_sub(self.page_offset.as_u64()))
        }
    }

    /// `__va(x)` without the recorded step, for the kernel's own use.
    pub fn va_value(&self, phys: PhysAddr) -> VirtAddr {
        VirtAddr::new(phys.as_u64().wrapping_add(self.page_offset.as_u64()))
    }

    /// `is_vmalloc_addr(x)`.
    pub fn is_vmalloc_addr(&self, addr: VirtAddr) -> Walk<bool> {
        let inside = is_vmalloc(addr);
        Walk {
            value: inside,
            steps: vec![Step {
                function: "is_vmalloc_addr",
                input: addr.as_u64(),
                arithmetic: format!(
                    "{VMALLOC_START:#x} <= {addr:#x} && {addr:#x} < {VMALLOC_END:#x}"
                ),
                output: inside as u64,
                kind: StepKind::Test { passed: inside },
                note: None,
            }],
        }
    }

    /// `offset_in_page(p)`: `p & ~PAGE_MASK`.
    pub fn offset_in_page(&self, addr: VirtAddr) -> Walk<u64> {
        let offset = addr.page_offset();
        Walk {
            value: offset,
            steps: vec![step(
                "offset_in_page",
                addr.as_u64(),
                format!("{addr:#x} & ~PAGE_MASK (0xfff) = {offset:#x}"),
                offset,
            )],
        }
    }

    /// `__pa(x)` / `virt_to_phys(x)`: the arithmetic, right or wrong.
    pub fn pa(&self, addr: VirtAddr) -> Walk<PhysAddr> {
        let x = addr.as_u64();
        let y = x.wrapping_sub(START_KERNEL_MAP.as_u64());
        let mut steps = vec![step(
            "__pa",
            x,
            format!(
                "y = {x:#x} - __START_KERNEL_map ({:#x}) = {y:#x}",
                START_KERNEL_MAP.as_u64()
            ),
            y,
        )];
        let image = x > y;
        steps.push(Step {
            kind: StepKind::Test { passed: image },
            ..step(
                "__pa",
                x,
                format!("x > y: {x:#x} > {y:#x} (a kernel-image address?)"),
                image as u64,
            )
        });
        let phys = if image {
            steps.push(step(
                "__pa",
                y,
                format!("y + phys_base = {y:#x} + 0x0 = {y:#x}"),
                y,
            ));
            y
        } else {
            let p = x.wrapping_sub(self.page_offset.as_u64());
            let mut s = step(
                "__pa",
                x,
                format!(
                    "x - PAGE_OFFSET = {x:#x} - {:#x} = {p:#x}",
                    self.page_offset.as_u64()
                ),
                p,
            );
            if VMALLOC_START <= addr && addr < VMALLOC_END {
                s.note = Some(format!(
                    "wrong: {addr:#x} is a vmalloc address, not in the direct map; __pa assumes a \
                     direct-map address and returns {p:#x}, {} physical memory this machine does not have; \
                     vmalloc memory must be translated through its page tables (vmalloc_to_page)",
                    if p >> PAGE_SHIFT >= self.max_pfn.as_u64() { "beyond" } else { "an unrelated frame of" }
                ));
            } else if addr < self.page_offset {
                s.note = Some(format!(
                    "wrong: {addr:#x} is below PAGE_OFFSET, outside the direct map; the subtraction wraps"
                ));
            }
            steps.push(s);
            p
        };
        Walk {
            value: PhysAddr::new(phys),
            steps,
        }
    }

    /// `__va(p)` / `phys_to_virt(p)`.
    pub fn va(&self, phys: PhysAddr) -> Walk<VirtAddr> {
        let v = self.va_value(phys).as_u64();
        Walk {
            value: VirtAddr::new(v),
            steps: vec![step(
                "__va",
                phys.as_u64(),
                format!(
                    "{:#x} + PAGE_OFFSET ({:#x}) = {v:#x}",
                    phys.as_u64(),
                    self.page_offset.as_u64()
                ),
                v,
            )],
        }
    }

    /// `pfn_to_page(pfn)` without the recorded step, for the kernel's own use.
    pub fn pfn_to_page_value(&self, pfn: Pfn) -> VirtAddr {
        VirtAddr::new(
            VMEMMAP_START
                .as_u64()
                .wrapping_add(pfn.as_u64().wrapping_mul(STRUCT_PAGE_SIZE)),
        )
    }

    /// `page_to_pfn(page)` without the recorded step, for the kernel's own use.
    pub fn page_to_pfn_value(&self, page: VirtAddr) -> Pfn {
        Pfn::new(page.as_u64().wrapping_sub(VMEMMAP_START.as_u64()) / STRUCT_PAGE_SIZE)
    }

    /// `pfn_to_page(pfn)`: the address of the frame's `struct page`.
    pub fn pfn_to_page(&self, pfn: Pfn) -> Walk<VirtAddr> {
        let page = self.pfn_to_page_value(pfn).as_u64();
        Walk {
            value: VirtAddr::new(page),
            steps: vec![step(
                "pfn_to_page",
                pfn.as_u64(),
                format!(
                    "vmemmap + pfn = {:#x} + {:#x} * {STRUCT_PAGE_SIZE} = {page:#x}",
                    VMEMMAP_START.as_u64(),
                    pfn.as_u64()
                ),
                page,
            )],
        }
    }

    /// `page_to_pfn(page)`.
    pub fn page_to_pfn(&self, page: VirtAddr) -> Walk<Pfn> {
        let pfn = self.page_to_pfn_value(page).as_u64();
        Walk {
            value: Pfn::new(pfn),
            steps: vec![step(
                "page_to_pfn",
                page.as_u64(),
                format!(
                    "page - vmemmap = ({page:#x} - {:#x}) / {STRUCT_PAGE_SIZE} = {pfn:#x}",
                    VMEMMAP_START.as_u64()
                ),
                pfn,
            )],
        }
    }

    /// `page_to_phys(page)`.
    pub fn page_to_phys(&self, page: VirtAddr) -> Walk<PhysAddr> {
        let mut walk = self.page_to_pfn(page);
        let phys = walk.value.as_u64().wrapping_shl(PAGE_SHIFT);
        walk.steps.push(step(
            "page_to_phys",
            walk.value.as_u64(),
            format!(
                "pfn << PAGE_SHIFT = {:#x} << 12 = {phys:#x}",
                walk.value.as_u64()
            ),
            phys,
        ));
        Walk {
            value: PhysAddr::new(phys),
            steps: walk.steps,
        }
    }

    /// `page_to_virt(page)` and `page_address(page)`: the direct-map address.
    pub fn page_address(&self, page: VirtAddr) -> Walk<VirtAddr> {
        let Walk {
            value: phys,
            mut steps,
        } = self.page_to_phys(page);
        let Walk { value, steps: more } = self.va(phys);
        steps.extend(more);
        Walk { value, steps }
    }

    /// `virt_to_page(kaddr)`: `pfn_to_page(__pa(kaddr) >> PAGE_SHIFT)`.
    pub fn virt_to_page(&self, addr: VirtAddr) -> Walk<VirtAddr> {
        let Walk {
            value: phys,
            mut steps,
        } = self.pa(addr);
        let Walk { value, steps: more } = self.pfn_to_page(phys.pfn());
        steps.extend(more);
        Walk { value, steps }
    }

    /// `virt_addr_valid(kaddr)` (`__virt_addr_valid`, arch/x86/mm/physaddr.c):
    /// a kernel-image address inside the image, or a direct-map address
    /// whose frame is valid.
    pub fn virt_addr_valid(&self, addr: VirtAddr) -> Walk<bool> {
        let x = addr.as_u64();
        let (valid, arithmetic) = if x >= START_KERNEL_MAP.as_u64() {
            let off = x - START_KERNEL_MAP.as_u64();
            (
                off < crate::layout::KERNEL_IMAGE_SIZE,
                format!("x - __START_KERNEL_map = {off:#x} < KERNEL_IMAGE_SIZE"),
            )
        } else {
            let off = x.wrapping_sub(self.page_offset.as_u64());
            let in_map =
                x >= self.page_offset.as_u64() && (off >> PAGE_SHIFT) < self.max_pfn.as_u64();
            (
                in_map,
                format!(
                    "x >= PAGE_OFFSET && pfn_valid(({x:#x} - {:#x}) >> 12 = {:#x}) (max_pfn {:#x})",
                    self.page_offset.as_u64(),
                    off >> PAGE_SHIFT,
                    self.max_pfn.as_u64()
                ),
            )
        };
        Walk {
            value: valid,
            steps: vec![Step {
                kind: StepKind::Test { passed: valid },
                ..step("virt_addr_valid", x, arithmetic, valid as u64)
            }],
        }
    }

    /// The vmalloc-aware translation of the seed article
    /// (`kvm_kaddr_to_phys`): `is_vmalloc_addr`, then either `__pa`, or
    /// `page_to_phys(vmalloc_to_page(addr)) + offset_in_page(addr)`.
    pub fn kaddr_to_phys(
        &self,
        addr: VirtAddr,
        tables: &dyn PageTableWalk,
    ) -> Walk<Result<PhysAddr, TranslateFault>> {
        let Walk {
            value: vmalloc,
            mut steps,
        } = self.is_vmalloc_addr(addr);
        if !vmalloc {
            let Walk { value, steps: more } = self.pa(addr);
            steps.extend(more);
            return Walk {
                value: Ok(value),
                steps,
            };
        }
        let found = tables.walk(addr, &mut steps);
        let page = match found {
            Some(pfn) => self.pfn_to_page(pfn),
            None => Walk {
                value: VirtAddr::NULL,
                steps: vec![step(
                    "vmalloc_to_page",
                    addr.as_u64(),
                    "no mapping: returns NULL".into(),
                    0,
                )],
            },
        };
        steps.extend(page.steps);
        let Walk {
            value: base,
            steps: more,
        } = self.page_to_phys(page.value);
        steps.extend(more);
        let Walk {
            value: offset,
            steps: more,
        } = self.offset_in_page(addr);
        steps.extend(more);
        let phys = base.wrapping_add(offset);
        steps.push(step(
            "kvm_kaddr_to_phys",
            base.as_u64(),
            format!(
                "page_to_phys + offset_in_page = {:#x} + {offset:#x} = {:#x}",
                base.as_u64(),
                phys.as_u64()
            ),
            phys.as_u64(),
        ));
        Walk {
            value: if found.is_some() {
                Ok(phys)
            } else {
                Err(TranslateFault::NotMapped(phys))
            },
            steps,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pgtable::PageTables;
    use crate::profile::PAGE_OFFSET_4_19_5;

    fn no_mappings() -> PageTables {
        PageTables::new(Pfn::new(0x2000))
    }

    fn translator() -> Translator {
        Translator {
            page_offset: PAGE_OFFSET_4_19_5,
            max_pfn: Pfn::new(0x340000),
        }
    }

    #[test]
    fn direct_map_round_trip() {
        let t = translator();
        let v = VirtAddr::new(0xffff_8881_2345_6789);
        assert_eq!(t.pa(v).value, PhysAddr::new(0x1_2345_6789));
        assert_eq!(t.va(PhysAddr::new(0x1_2345_6789)).value, v);
        let page = t.virt_to_page(v).value;
        // kernel-facts §5.3: the struct page of pfn N is at 0xffffea0000000000 + 64 * N.
        assert_eq!(page, VirtAddr::new(0xffff_ea00_0000_0000 + 64 * 0x123456));
        assert_eq!(t.page_to_pfn(page).value, Pfn::new(0x123456));
        assert_eq!(t.page_to_phys(page).value, PhysAddr::new(0x1_2345_6000));
        assert_eq!(
            t.page_address(page).value,
            VirtAddr::new(0xffff_8881_2345_6000)
        );
        assert_eq!(
            t.kaddr_to_phys(v, &no_mappings()).value,
            Ok(PhysAddr::new(0x1_2345_6789))
        );
    }

    #[test]
    fn kernel_image_addresses_use_start_kernel_map() {
        let t = translator();
        let walk = t.pa(VirtAddr::new(0xffff_ffff_8100_0000));
        assert_eq!(walk.value, PhysAddr::new(0x100_0000));
        assert_eq!(walk.steps[1].kind, StepKind::Test { passed: true });
        assert!(
            t.virt_addr_valid(VirtAddr::new(0xffff_ffff_8100_0000))
                .value
        );
    }

    #[test]
    fn pa_of_vmalloc_is_wrong_and_says_why() {
        let t = translator();
        let v = VirtAddr::new(0xffff_c900_0000_5123);
        let walk = t.pa(v);
        // kernel-facts §7.5: the offset from PAGE_OFFSET is 0x408000000000 (about 64.5 TiB).
        assert_eq!(walk.value, PhysAddr::new(0x4080_0000_5123));
        let note = walk.steps.last().unwrap().note.as_deref().unwrap();
        assert!(
            note.starts_with("wrong: 0xffffc90000005123 is a vmalloc address"),
            "{note}"
        );
        // Its struct page lies in the hole after vmemmap, as kernel-facts §7.5 derives.
        assert_eq!(t.virt_to_page(v).value.as_u64() >> 32, 0xffff_eb02);
        assert!(t.is_vmalloc_addr(v).value);
        assert!(
            !t.is_vmalloc_addr(VMALLOC_END).value,
            "VMALLOC_END itself tests false"
        );
        assert!(!t.virt_addr_valid(v).value);
    }

    #[test]
    fn unmapped_vmalloc_address_yields_page_to_phys_of_null() {
        let t = translator();
        let walk = t.kaddr_to_phys(VirtAddr::new(0xffff_c900_0000_0010), &no_mappings());
        let Err(TranslateFault::NotMapped(garbage)) = walk.value else {
            panic!("{:?}", walk.value)
        };
        // page_to_pfn(NULL) = (0 - vmemmap) / 64.
        assert_eq!(
            garbage,
            PhysAddr::new(((0u64.wrapping_sub(0xffff_ea00_0000_0000) / 64) << 12) + 0x10)
        );
        // Not vmalloc: straight to __pa, however wrong.
        assert_eq!(
            t.kaddr_to_phys(VirtAddr::new(0x1000), &no_mappings()).value,
            Ok(PhysAddr::new(
                0x1000u64.wrapping_sub(PAGE_OFFSET_4_19_5.as_u64())
            ))
        );
    }
}
