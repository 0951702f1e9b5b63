//! The vmalloc address space: vmap areas in `[VMALLOC_START, VMALLOC_END)`,
//! their guard pages, lazy freeing, and `/proc/vmallocinfo`.
//!
//! Kernel rules modelled (mm/vmalloc.c of 4.19, 6.6 and 6.12; kernel-facts
//! §4):
//! - an area's size includes one guard page unless `VM_NO_GUARD`
//!   (`__get_vm_area_node`); `get_vm_area_size()` is the size without it;
//! - areas are placed at the lowest free address that fits with the
//!   requested alignment (6.x's augmented free tree finds it; 4.19's cached
//!   next-fit search finds the same hole, as purging a range below the
//!   cache resets it; 6.12's per-node pools are not modelled);
//! - `vfree` finds the area containing the address (`find_vmap_area`);
//! - freed areas are purged lazily: their address range stays reserved
//!   ("unpurged vm_area" in /proc/vmallocinfo) until the lazily freed pages
//!   exceed `lazy_max_pages()` = `fls(num_online_cpus()) * 32 MiB / PAGE_SIZE`,
//!   or until an allocation finds no room and purges before retrying.
//!
//! The simulated machine's vmalloc space starts empty: the areas a booted
//! kernel already holds (vmap stacks, ioremaps, BPF, modules' data) are not
//! modelled, so the first `vmalloc()` lands at `VMALLOC_START`.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::addr::{Pfn, VirtAddr, PAGE_SIZE};
use crate::layout::{VMALLOC_END, VMALLOC_START};
use crate::profile::{Change, Profile};

/// `VM_ALLOC`: an area made by vmalloc.
pub const VM_ALLOC: u32 = 0x2;
/// `VM_NO_GUARD`: no guard page after the area.
pub const VM_NO_GUARD: u32 = 0x40;
/// `VM_ALLOW_HUGE_VMAP` (6.x): the area may be mapped with PMD leaves.
pub const VM_ALLOW_HUGE_VMAP: u32 = 0x400;

/// A busy vmap area with its `vm_struct`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VmArea {
    /// First address.
    pub start: VirtAddr,
    /// Size in bytes, guard page included.
    pub size: u64,
    /// `VM_*` flags.
    pub flags: u32,
    /// The backing frames, one per page of the area.
    pub pages: Vec<Pfn>,
    /// log2 of the mapping size in pages (9 for a PMD-mapped area).
    pub page_order: u8,
    /// Where the `pages[]` array lives.
    pub pages_array: VirtAddr,
    /// Where the `vm_struct` lives (a kmalloc-64 object).
    pub vm_struct: VirtAddr,
    /// `%pS` of the caller.
    pub caller: String,
    /// The event that made the area.
    pub owner: u32,
}

impl VmArea {
    /// `get_vm_area_size()`: the size without the guard page.
    pub fn usable_size(&self) -> u64 {
        if self.flags & VM_NO_GUARD != 0 {
            self.size
        } else {
            self.size - PAGE_SIZE
        }
    }

    /// One past the last byte, guard page included.
    pub fn end(&self) -> VirtAddr {
        self.start.wrapping_add(self.size)
    }
}

/// The vmap areas of a kernel.
#[derive(Clone, Debug, Default)]
pub struct Vmap {
    busy: BTreeMap<u64, VmArea>,
    /// Lazily freed ranges: start → end.
    lazy: BTreeMap<u64, u64>,
    lazy_pages: u64,
    lazy_max_pages: u64,
}

impl Vmap {
    /// An empty vmalloc space for a machine with `cpus` CPUs.
    pub fn new(cpus: u32) -> Vmap {
        let fls = 32 - cpus.max(1).leading_zeros();
        Vmap {
            lazy_max_pages: u64::from(fls) * (32 << 20) / PAGE_SIZE,
            ..Vmap::default()
        }
    }

    /// `lazy_max_pages()`.
    pub fn lazy_max_pages(&self) -> u64 {
        self.lazy_max_pages
    }

    /// The lowest address where `size` bytes fit with `align` (a power of
    /// two, at least a page), skipping busy and unpurged ranges.
    pub fn find_free(&self, size: u64, align: u64) -> Option<VirtAddr> {
        let align = align.max(PAGE_SIZE);
        let mut candidate = align_up(VMALLOC_START.as_u64(), align)?;
        let taken = self
            .busy
            .values()
            .map(|a| (a.start.as_u64(), a.end().as_u64()));
        let lazy = self.lazy.iter().map(|(&s, &e)| (s, e));
        let mut ranges: Vec<(u64, u64)> = taken.chain(lazy).collect();
        ranges.sort_unstable();
        for (start, end) in ranges {
            if candidate.checked_add(size)? <= start {
                break;
            }
            if end > candidate {
                candidate = align_up(end, align)?;
            }
        }
        // VMALLOC_END is the inclusive last byte.
        (candidate.checked_add(size)? <= VMALLOC_END.as_u64() + 1).then(|| VirtAddr::new(candidate))
    }

    /// Adds a busy area.
    pub fn insert(&mut self, area: VmArea) {
        self.busy.insert(area.start.as_u64(), area);
    }

    /// The busy area starting at `start`, to fill in.
    pub fn get_mut(&mut self, start: VirtAddr) -> Option<&mut VmArea> {
        self.busy.get_mut(&start.as_u64())
    }

    /// The busy area containing `addr` (guard page included), as
    /// `find_vmap_area()` finds it.
    pub fn area_containing(&self, addr: VirtAddr) -> Option<&VmArea> {
        self.busy
            .range(..=addr.as_u64())
            .next_back()
            .map(|(_, a)| a)
            .filter(|a| addr < a.end())
    }

    /// Whether `addr` lies in a lazily freed range awaiting purge.
    pub fn lazily_freed(&self, addr: VirtAddr) -> bool {
        self.lazy
            .range(..=addr.as_u64())
            .next_back()
            .is_some_and(|(_, &end)| addr.as_u64() < end)
    }

    /// Unlinks the busy area starting at `start` and queues its range for
    /// lazy purging. Returns the area and whether the lazy pages now exceed
    /// `lazy_max_pages()`.
    pub fn remove(&mut self, start: VirtAddr) -> Option<(VmArea, bool)> {
        let area = self.busy.remove(&start.as_u64())?;
        self.lazy.insert(area.start.as_u64(), area.end().as_u64());
        self.lazy_pages += area.size / PAGE_SIZE;
        Some((area, self.lazy_pages > self.lazy_max_pages))
    }

    /// `__purge_vmap_area_lazy()`: releases every lazily freed range.
    /// Returns how many there were.
    pub fn purge(&mut self) -> usize {
        let n = self.lazy.len();
        self.lazy.clear();
        self.lazy_pages = 0;
        n
    }

    /// The busy areas in address order.
    pub fn areas(&self) -> impl Iterator<Item = &VmArea> {
        self.busy.values()
    }

    /// The lazily freed ranges awaiting purge, as `(start, end)`.
    pub fn lazy_ranges(&self) -> impl Iterator<Item = (VirtAddr, VirtAddr)> + '_ {
        self.lazy
            .iter()
            .map(|(&s, &e)| (VirtAddr::new(s), VirtAddr::new(e)))
    }

    /// Pages backing busy areas (`nr_vmalloc_pages`).
    pub fn nr_pages(&self) -> u64 {
        self.busy.values().map(|a| a.pages.len() as u64).sum()
    }

    /// `/proc/vmallocinfo`: one line per busy area (`"0x%pK-0x%pK %7ld"`,
    /// the caller, `pages=`, `vmalloc`, `vpages` when the page array is
    /// itself vmalloc'ed, `N0=`) and one "unpurged vm_area" line per lazily
    /// freed range: in address order among the others in 4.19, after them
    /// in 6.x, where 6.6 merges adjacent ranges (`merge_or_add_vmap_area`).
    /// Addresses are shown as a root reader with `kptr_restrict=1` sees
    /// them: unhashed.
    pub fn vmallocinfo(
        &self,
        profile: &Profile,
        is_vmalloc_addr: impl Fn(VirtAddr) -> bool,
    ) -> String {
        let mut busy: Vec<(u64, String)> = Vec::new();
        for a in self.busy.values() {
            let mut line = format!(
                "0x{:016x}-0x{:016x} {:7} {}",
                a.start.as_u64(),
                a.end().as_u64(),
                a.size,
                a.caller
            );
            if !a.pages.is_empty() {
                let _ = write!(line, " pages={}", a.pages.len());
            }
            if a.flags & VM_ALLOC != 0 {
                line.push_str(" vmalloc");
            }
            if is_vmalloc_addr(a.pages_array) {
                line.push_str(" vpages");
            }
            if !a.pages.is_empty() {
                let _ = write!(line, " N0={}", a.pages.len());
            }
            busy.push((a.start.as_u64(), line));
        }
        let mut lazy: Vec<(u64, u64)> = self.lazy.iter().map(|(&s, &e)| (s, e)).collect();
        if profile.has(Change::VmallocinfoMergesLazy) {
            let mut merged: Vec<(u64, u64)> = Vec::new();
            for (start, end) in lazy {
                match merged.last_mut() {
                    Some(last) if last.1 == start => last.1 = end,
                    _ => merged.push((start, end)),
                }
            }
            lazy = merged;
        }
        let unpurged = lazy.into_iter().map(|(start, end)| {
            (
                start,
                format!(
                    "0x{start:016x}-0x{end:016x} {:7} unpurged vm_area",
                    end - start
                ),
            )
        });
        let mut lines = busy;
        lines.extend(unpurged);
        if !profile.has(Change::VmallocinfoLazyLast) {
            lines.sort_by_key(|&(start, _)| start);
        }
        lines.into_iter().map(|(_, l)| l + "\n").collect()
    }
}

fn align_up(x: u64, align: u64) -> Option<u64> {
    Some(x.checked_add(align - 1)? & !(align - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn area(start: u64, size: u64) -> VmArea {
        VmArea {
            start: VirtAddr::new(start),
            size,
            flags: VM_ALLOC,
            pages: (0..size / PAGE_SIZE - 1)
                .map(|i| Pfn::new(0x100 + i))
                .collect(),
            page_order: 0,
            pages_array: VirtAddr::new(0xffff_8880_0100_0000),
            vm_struct: VirtAddr::new(0xffff_8880_0100_0040),
            caller: "f+0x10/0x20 [m]".into(),
            owner: 1,
        }
    }

    #[test]
    fn lowest_fit_with_guard_pages_and_lazy_ranges() {
        let mut v = Vmap::new(4);
        // fls(4) = 3: 96 MiB of lazy pages.
        assert_eq!(v.lazy_max_pages(), 3 * 8192);
        let s = VMALLOC_START.as_u64();
        assert_eq!(v.find_free(0x3000, PAGE_SIZE), Some(VMALLOC_START));
        v.insert(area(s, 0x3000));
        assert_eq!(v.find_free(0x2000, PAGE_SIZE).unwrap().as_u64(), s + 0x3000);
        v.insert(area(s + 0x3000, 0x2000));
        // Freed but not purged: the range stays taken.
        let (freed, purge) = v.remove(VirtAddr::new(s)).unwrap();
        assert!(!purge);
        assert_eq!(freed.usable_size(), 0x2000);
        assert_eq!(v.find_free(0x2000, PAGE_SIZE).unwrap().as_u64(), s + 0x5000);
        assert_eq!(v.purge(), 1);
        assert_eq!(v.find_free(0x2000, PAGE_SIZE), Some(VMALLOC_START));
        // A 2 MiB-aligned request skips to the next 2 MiB boundary.
        assert_eq!(
            v.find_free(0x201000, 0x20_0000).unwrap().as_u64(),
            s + 0x20_0000
        );
        assert_eq!(v.find_free(1 << 50, PAGE_SIZE), None);
    }

    #[test]
    fn containing_area_and_info_lines() {
        let mut v = Vmap::new(1);
        let s = VMALLOC_START.as_u64();
        v.insert(area(s, 0x3000));
        assert!(v.area_containing(VirtAddr::new(s + 0x2fff)).is_some());
        assert!(v.area_containing(VirtAddr::new(s + 0x3000)).is_none());
        assert_eq!(
            v.vmallocinfo(&Profile::of_series(crate::profile::Series::V4_19), |_| {
                false
            }),
            "0xffffc90000000000-0xffffc90000003000   12288 f+0x10/0x20 [m] pages=2 vmalloc N0=2\n"
        );
        v.insert(area(s + 0x3000, 0x2000));
        v.insert(area(s + 0x5000, 0x2000));
        v.remove(VirtAddr::new(s));
        v.remove(VirtAddr::new(s + 0x3000));
        // 4.19: in address order; 6.6: last, adjacent ranges merged; 6.12: last.
        assert_eq!(
            v.vmallocinfo(&Profile::of_series(crate::profile::Series::V4_19), |_| {
                false
            }),
            "0xffffc90000000000-0xffffc90000003000   12288 unpurged vm_area\n\
             0xffffc90000003000-0xffffc90000005000    8192 unpurged vm_area\n\
             0xffffc90000005000-0xffffc90000007000    8192 f+0x10/0x20 [m] pages=1 vmalloc N0=1\n"
        );
        assert_eq!(
            v.vmallocinfo(&Profile::of_series(crate::profile::Series::V6_6), |_| false),
            "0xffffc90000005000-0xffffc90000007000    8192 f+0x10/0x20 [m] pages=1 vmalloc N0=1\n\
             0xffffc90000000000-0xffffc90000005000   20480 unpurged vm_area\n"
        );
        assert_eq!(
            v.vmallocinfo(&Profile::of_series(crate::profile::Series::V6_12), |_| {
                false
            })
            .lines()
            .count(),
            3
        );
    }
}
