//! vmalloc on the simulated kernel: `vmalloc`, `vzalloc`, `__vmalloc`,
//! `vmalloc_32`, `vfree`, `vfree_atomic`, `vmalloc_to_page` and
//! `vmalloc_to_pfn`, with each release's checks and messages
//! (mm/vmalloc.c; kernel-facts §4).
//!
//! The steps follow `__vmalloc_node_range()`: the size checks, the
//! `vm_struct` (a kmalloc-64 object), a vmap area with its guard page, the
//! `pages[]` array (kmalloc up to a page, a nested vmalloc above), the
//! order-0 backing pages (one at a time in 4.19, bulk batches of up to 100
//! in 6.x, `__GFP_HIGHMEM` added unless a DMA zone was asked for), and the
//! page-table entries, whose missing tables come from the page allocator.
//! On 6.x, `VM_ALLOW_HUGE_VMAP` areas of 2 MiB or more are mapped with PMD
//! leaves backed by order-9 blocks, falling back to small pages once.
//!
//! Placement is the lowest free address that fits: 6.x searches its
//! augmented free tree for it; 4.19's cached next-fit search finds the same
//! hole, since its cache is reset whenever purging frees a range below it.
//! 6.12's per-node pools of purged areas (machines with more than one CPU)
//! are not modelled.

use super::event_text;
use super::{
    AddressResult, CallValue, Effect, EventBuilder, Kernel, KernelState, Outcome, SummaryResult,
    Text,
};
use crate::addr::{Pfn, VirtAddr, PAGE_SIZE};
use crate::dmesg::Level;
use crate::gfp::{Gfp, GfpFlag};
use crate::kernel::Event;
use crate::layout::{VMALLOC_END, VMALLOC_START};
use crate::memmap::FrameUse;
use crate::pgtable::PAGE_KERNEL;
use crate::profile::names::{KmallocCall, VmallocCall};
use crate::profile::{Change, Name, Site};
use crate::report;
use crate::vmalloc::{VmArea, VM_ALLOC, VM_ALLOW_HUGE_VMAP, VM_NO_GUARD};

/// `vm_area_alloc_pages()`'s bulk batch (6.x).
const BULK_BATCH: usize = 100;
/// `PMD_SIZE`.
const PMD_SIZE: u64 = 2 << 20;
/// The size of a `struct vm_struct` (kzalloc'ed: kmalloc-64).
const VM_STRUCT_SIZE: u64 = 64;
/// `offsetof(struct vmap_area, vm)` in 4.19.0 (include/linux/vmalloc.h):
/// where `find_vmap_area(addr)->vm` reads when no area is found.
const VMAP_AREA_VM_OFFSET: u64 = 0x48;

/// `GFP_RECLAIM_MASK` (mm/internal.h): the flags nested allocations keep;
/// 4.19 also keeps `__GFP_ATOMIC`, 6.x `__GFP_NOLOCKDEP`.
const RECLAIM_MASK: [GfpFlag; 11] = [
    GfpFlag::DirectReclaim,
    GfpFlag::KswapdReclaim,
    GfpFlag::High,
    GfpFlag::Io,
    GfpFlag::Fs,
    GfpFlag::NoWarn,
    GfpFlag::RetryMayfail,
    GfpFlag::NoFail,
    GfpFlag::NoRetry,
    GfpFlag::Memalloc,
    GfpFlag::NoMemalloc,
];

impl Kernel {
    /// `vmalloc(size)`: `GFP_KERNEL`, page-granular, virtually contiguous.
    pub fn vmalloc(&mut self, size: u64) -> Event {
        let gfp = self.gfp_kernel();
        self.vmalloc_entry(format!("vmalloc({size})"), size, gfp, VmallocCall::Vmalloc)
    }

    /// `vzalloc(size)`: `vmalloc` with `__GFP_ZERO`.
    pub fn vzalloc(&mut self, size: u64) -> Event {
        let gfp = self.gfp_kernel() | self.gfp.bit(GfpFlag::Zero);
        self.vmalloc_entry(format!("vzalloc({size})"), size, gfp, VmallocCall::Vzalloc)
    }

    /// `__vmalloc(size, gfp)` (4.19 also takes a `pgprot_t`, always
    /// `PAGE_KERNEL` here).
    pub fn vmalloc_gfp(&mut self, size: u64, gfp: Gfp) -> Event {
        let mode = self.mode(gfp);
        let call = if self.profile().has(Change::VmallocNoPgprot) {
            format!("__vmalloc({size}, {mode})")
        } else {
            format!("__vmalloc({size}, {mode}, PAGE_KERNEL)")
        };
        self.vmalloc_entry(call, size, gfp, VmallocCall::VmallocGfp)
    }

    /// `vmalloc_32(size)`: `GFP_VMALLOC32` = `GFP_DMA32 | GFP_KERNEL` on
    /// x86_64, so the pages come from ZONE_DMA32.
    pub fn vmalloc_32(&mut self, size: u64) -> Event {
        let gfp = self.gfp_kernel() | self.gfp.bit(GfpFlag::Dma32);
        self.vmalloc_entry(
            format!("vmalloc_32({size})"),
            size,
            gfp,
            VmallocCall::Vmalloc32,
        )
    }

    pub(super) fn gfp_kernel(&self) -> Gfp {
        self.gfp.composite("GFP_KERNEL").unwrap_or_default()
    }

    fn vmalloc_entry(&mut self, call: String, size: u64, gfp: Gfp, how: VmallocCall) -> Event {
        let mut ev = match self.begin(call) {
            Ok(ev) => ev,
            Err(refused) => return *refused,
        };
        let frames = self.profile().vmalloc_path(how);
        let result = self.with_frames(frames, |k| k.vmalloc_memory(&mut ev, size, gfp, 0));
        ev.finish_address(self, result)
    }

    /// `gfp & GFP_RECLAIM_MASK` (with `__GFP_ATOMIC` while it exists, and
    /// `__GFP_NOLOCKDEP`, 0 without LOCKDEP).
    fn reclaim_flags(&self, gfp: Gfp) -> Gfp {
        let t = self.gfp;
        RECLAIM_MASK
            .iter()
            .chain([&GfpFlag::Atomic, &GfpFlag::NoLockdep])
            .filter(|&&f| t.has(gfp, f))
            .fold(Gfp(0), |acc, &f| acc | t.bit(f))
    }

    /// The vmalloc failure report (`warn_alloc` unless `__GFP_NOWARN`).
    fn vmalloc_warn(&mut self, gfp: Gfp, message: &str) {
        if self.gfp.has(gfp, GfpFlag::NoWarn) {
            return;
        }
        let now = self.log.now_ns();
        if !self.nopage_ratelimit.allow(now).0 {
            return;
        }
        let show_mem = self.show_mem_ratelimit.allow(now).0;
        let lines = report::warn_alloc(self, gfp, message, &["warn_alloc"], show_mem);
        for line in lines {
            self.log.push(Level::Warning, line);
        }
    }

    /// `__vmalloc_node_range()`: returns the area's address or the outcome.
    pub(super) fn vmalloc_memory(
        &mut self,
        ev: &mut EventBuilder,
        size: u64,
        gfp: Gfp,
        vm_flags: u32,
    ) -> AddressResult {
        let p = self.profile();
        let huge_vmap = p.has(Change::HugeVmap);
        let totalram = self.buddy.managed_pages();
        let aligned = size.wrapping_add(PAGE_SIZE - 1) & !(PAGE_SIZE - 1);
        if !p.has(Change::VmallocErrorWording) {
            if aligned == 0 || aligned / PAGE_SIZE > totalram {
                self.vmalloc_warn(gfp, &format!("vmalloc: allocation failure: {size} bytes"));
                return Err((
                    Outcome::Failed,
                    Text::from(format!("{size} bytes rounds to {aligned} bytes: 0 or more than the machine's {totalram} pages of RAM: NULL")),
                ));
            }
        } else {
            if size == 0 {
                let warned = self.warn_once(Site::VmallocZeroSize, &[]);
                let outcome = if warned {
                    Outcome::Warn
                } else {
                    Outcome::Failed
                };
                return Err((outcome, "size 0: WARN_ON_ONCE(!size), NULL".into()));
            }
            if size / PAGE_SIZE > totalram {
                self.vmalloc_warn(
                    gfp,
                    &format!("vmalloc error: size {size}, exceeds total pages"),
                );
                return Err((
                    Outcome::Failed,
                    Text::from(format!(
                        "{size} bytes is more than the machine's {totalram} pages of RAM: NULL"
                    )),
                ));
            }
        }
        let huge = huge_vmap && vm_flags & VM_ALLOW_HUGE_VMAP != 0 && size >= PMD_SIZE;
        if huge {
            match self.vmalloc_area(ev, size, gfp, vm_flags, 9) {
                Ok(done) => return Ok(done),
                Err((Outcome::Bug, why)) => return Err((Outcome::Bug, why)),
                // Retry once with small pages.
                Err(_) => {}
            }
        }
        self.vmalloc_area(ev, size, gfp, vm_flags, 0)
    }

    /// One attempt at an area mapped with pages of `page_order` (0, or 9
    /// for PMD leaves).
    fn vmalloc_area(
        &mut self,
        ev: &mut EventBuilder,
        size: u64,
        gfp: Gfp,
        vm_flags: u32,
        page_order: u8,
    ) -> AddressResult {
        let p = self.profile();
        let error_wording = p.has(Change::VmallocErrorWording);
        let huge_quiet = p.has(Change::VmallocHugeFailureQuiet);
        let range_restricted = p.has(Change::VmallocRangeRestrictedWording);
        let bulk = p.has(Change::VmallocBulkPages);
        let page_entry = p.name(Name::VmallocPages);
        let fail_mask_highmem = p.has(Change::VmallocFailMaskHighmem);
        let array_plain_gfp = p.has(Change::VmallocPagesArrayPlainGfp);
        let area_nowarn = p.has(Change::VmallocAreaNowarn);
        let t = self.gfp;
        let map_size = PAGE_SIZE << page_order;
        let mapped = size.div_ceil(map_size) * map_size;
        let flags = VM_ALLOC | vm_flags;
        let area_size = if flags & VM_NO_GUARD != 0 {
            mapped
        } else {
            mapped + PAGE_SIZE
        };
        // __get_vm_area_node()
        if self.context.in_interrupt() {
            let lines = report::kernel_bug(
                self,
                Site::VmallocInInterrupt,
                "__get_vm_area_node",
                [size, 0],
                &[],
            );
            self.stop_with_oops(
                lines,
                "vmalloc() in interrupt context: BUG_ON(in_interrupt())",
            );
            return Err((
                Outcome::Bug,
                "vmalloc may sleep; in interrupt context __get_vm_area_node() hits BUG_ON(in_interrupt())".into(),
            ));
        }
        // 6.x's __vmalloc_area_node() adds __GFP_HIGHMEM to the mask its
        // messages print; 4.19's print the caller's mask.
        let highmem = if t.has(gfp, GfpFlag::Dma) || t.has(gfp, GfpFlag::Dma32) {
            Gfp(0)
        } else {
            t.bit(GfpFlag::Highmem)
        };
        let mut area_warn_gfp = if fail_mask_highmem {
            gfp | highmem
        } else {
            gfp
        };
        if area_nowarn {
            area_warn_gfp |= t.bit(GfpFlag::NoWarn);
        }
        let vm_struct_failed = if error_wording {
            format!("vmalloc error: size {size}, vm_struct allocation failed")
        } else {
            format!("vmalloc: allocation failure: {size} bytes")
        };
        let nested = self.reclaim_flags(gfp) | t.bit(GfpFlag::Zero);
        let vm_struct = match self.with_frames(&["__get_vm_area_node"], |k| {
            k.kmalloc_memory(ev, VM_STRUCT_SIZE, nested, KmallocCall::ConstantNode)
        }) {
            Ok((a, _)) => a,
            Err((o, _)) => {
                self.vmalloc_warn(gfp, &vm_struct_failed);
                return Err((
                    o,
                    Text::from("no memory for the vm_struct: NULL".to_string()),
                ));
            }
        };
        // alloc_vmap_area()
        self.might_sleep(
            Site::VmapAreaMightSleep,
            &["alloc_vmap_area", "__get_vm_area_node"],
        );
        let align = map_size;
        let start = match self.vmap.find_free(area_size, align) {
            Some(start) => start,
            None => {
                let purged = self.vmap.purge();
                ev.effects.push(Effect::VmapPurged(purged));
                match self.vmap.find_free(area_size, align) {
                    Some(start) => start,
                    None => {
                        self.kfree_internal(ev, vm_struct);
                        if !t.has(gfp, GfpFlag::NoWarn) {
                            let line = if range_restricted {
                                format!(
                                    "vmalloc_node_range for size {area_size} failed: Address range restricted to {:#x} - {:#x}",
                                    VMALLOC_START.as_u64(),
                                    VMALLOC_END.as_u64()
                                )
                            } else {
                                format!("vmap allocation for size {area_size} failed: use vmalloc=<size> to increase size")
                            };
                            self.log.push(Level::Warning, line);
                        }
                        self.vmalloc_warn(gfp, &vm_struct_failed);
                        return Err((Outcome::Failed, "no room in the vmalloc range: NULL".into()));
                    }
                }
            }
        };
        // The area is reserved before anything else is allocated for it.
        self.vmap.insert(VmArea {
            start,
            size: area_size,
            flags,
            pages: Vec::new(),
            page_order,
            pages_array: VirtAddr::NULL,
            vm_struct,
            caller: report::caller_symbol(ev.seq),
            owner: ev.seq,
        });
        // The pages[] array.
        let nr_pages = mapped / PAGE_SIZE;
        let array_size = nr_pages * 8;
        let pages_array = if array_size > PAGE_SIZE {
            let mut array_gfp = nested;
            if !array_plain_gfp {
                array_gfp |= t.bit(GfpFlag::Highmem);
            }
            self.vmalloc_memory(ev, array_size, array_gfp, 0)
        } else {
            self.kmalloc_memory(ev, array_size, nested, KmallocCall::Node)
        };
        let pages_array = match pages_array {
            Ok((a, _)) => a,
            Err((o, _)) => {
                if error_wording {
                    self.vmalloc_warn(area_warn_gfp, &format!("vmalloc error: size {mapped}, failed to allocated page array size {array_size}"));
                }
                self.abandon_area(ev, start, Vec::new());
                return Err((o, "no memory for the pages[] array: NULL".into()));
            }
        };
        if let Some(area) = self.vmap.get_mut(start) {
            area.pages_array = pages_array;
        }
        let mut pages = Vec::with_capacity(nr_pages as usize);
        // The backing pages.
        let mut page_gfp = gfp | highmem | t.bit(GfpFlag::NoWarn);
        if page_order > 0 {
            page_gfp = page_gfp.without(t.bit(GfpFlag::NoFail));
        }
        let blocks = nr_pages >> page_order;
        // The free-list operations of each page are not kept: an area of a
        // million pages would otherwise carry millions of effects. The
        // area's frames are in the vmap area itself.
        let mark = ev.effects.len();
        for _ in 0..blocks {
            drop_buddy_effects(ev, mark);
            match self.allocate(ev, page_gfp, u32::from(page_order), page_entry) {
                Ok((pfn, _)) => {
                    for i in 0..1u64 << page_order {
                        let frame = pfn.add(i);
                        if let Some(p) = self.mem.page_mut(frame) {
                            p.used_as = FrameUse::Vmalloc;
                            p.order = 0;
                            p.owner = ev.seq;
                            p.flags &= !crate::memmap::PageMeta::COMPOUND;
                        }
                        pages.push(frame);
                    }
                }
                Err(Outcome::Hang) => {
                    return Err((
                        Outcome::Hang,
                        "never returns: __GFP_NOFAIL keeps retrying".into(),
                    ))
                }
                Err(_) => break,
            }
        }
        if pages.len() as u64 != nr_pages {
            let got = pages.len() as u64 * PAGE_SIZE;
            match error_wording {
                false => self.vmalloc_warn(
                    gfp,
                    &format!("vmalloc: allocation failure, allocated {got} of {area_size} bytes"),
                ),
                // 6.4+ warns for order 0 only; before, for any order, naming it.
                true if huge_quiet && page_order == 0 => self.vmalloc_warn(
                    area_warn_gfp,
                    &format!("vmalloc error: size {got}, failed to allocate pages"),
                ),
                true if !huge_quiet => self.vmalloc_warn(
                    area_warn_gfp,
                    &format!("vmalloc error: size {got}, page order {page_order}, failed to allocate pages"),
                ),
                _ => {}
            }
            let short = format!(
                "only {} of {nr_pages} pages could be allocated: the area is freed, NULL",
                pages.len()
            );
            self.abandon_area(ev, start, pages);
            return Err((Outcome::Failed, Text::from(short)));
        }
        // Map them.
        if let Err(why) = self.map_area(ev, start, &pages, page_order) {
            let message = if error_wording {
                format!(
                    "vmalloc error: size {}, failed to map pages",
                    pages.len() as u64 * PAGE_SIZE
                )
            } else {
                format!(
                    "vmalloc: allocation failure, allocated {} of {area_size} bytes",
                    pages.len() as u64 * PAGE_SIZE
                )
            };
            self.vmalloc_warn(area_warn_gfp, &message);
            self.abandon_area(ev, start, pages);
            return Err((Outcome::Failed, Text::from(why)));
        }
        if let Some(area) = self.vmap.get_mut(start) {
            area.pages = pages;
        }
        ev.effects.push(Effect::VmapArea {
            start,
            size: area_size,
            pages: nr_pages,
        });
        let how = match (bulk, page_order) {
            (_, 9) => format!("{} order-9 blocks mapped with PMD leaves", blocks),
            (false, _) => "order-0 pages allocated one at a time".to_string(),
            (true, _) => format!(
                "order-0 pages in {} bulk batch{} of up to {BULK_BATCH}",
                (nr_pages as usize).div_ceil(BULK_BATCH),
                if nr_pages as usize > BULK_BATCH {
                    "es"
                } else {
                    ""
                }
            ),
        };
        let guard = if flags & VM_NO_GUARD != 0 {
            ""
        } else {
            " and a guard page"
        };
        let summary = event_text(format_args!(
            "a vmalloc area of {nr_pages} page{} at {start:#x}{guard}: {how}, scattered in physical memory", if nr_pages == 1 { "" } else { "s" }
        ));
        Ok((start, Text::from(summary)))
    }

    /// Builds the page-table entries of `area`, taking missing tables from
    /// the page allocator (`GFP_KERNEL | __GFP_ZERO`, whatever the caller's
    /// flags: the reason kvmalloc in 4.19 insists on GFP_KERNEL).
    fn map_area(
        &mut self,
        ev: &mut EventBuilder,
        start: VirtAddr,
        pages: &[Pfn],
        page_order: u8,
    ) -> Result<(), String> {
        let huge = page_order > 0;
        let step = PAGE_SIZE << page_order;
        let needed = self
            .pgtables
            .tables_needed(start, pages.len() as u64 * PAGE_SIZE, huge);
        let mut pool = Vec::with_capacity(needed);
        let table_gfp = self.gfp_kernel() | self.gfp.bit(GfpFlag::Zero);
        for _ in 0..needed {
            match self.allocate(ev, table_gfp, 0, "__pte_alloc_kernel") {
                Ok((pfn, _)) => {
                    if let Some(p) = self.mem.page_mut(pfn) {
                        p.used_as = FrameUse::PageTable;
                        p.owner = ev.seq;
                    }
                    ev.effects.push(Effect::PageTable(pfn));
                    pool.push(pfn);
                }
                Err(_) => {
                    // Unused tables go back.
                    for pfn in pool {
                        self.free_block(ev, pfn, 0);
                    }
                    return Err("no memory for a page table: the area is freed, NULL".into());
                }
            }
        }
        pool.reverse();
        let mut freed_tables = Vec::new();
        let mut failed = None;
        let mut mapped = 0;
        {
            let mut take = || pool.pop();
            for (i, chunk) in pages.chunks(1 << page_order).enumerate() {
                let addr = start.wrapping_add(i as u64 * step);
                let result = if huge {
                    self.pgtables
                        .map_huge_pmd(addr, chunk[0], PAGE_KERNEL, &mut take)
                } else {
                    self.pgtables
                        .map_page(addr, chunk[0], PAGE_KERNEL, &mut take)
                        .map(|()| None)
                };
                match result {
                    Ok(freed) => freed_tables.extend(freed),
                    Err(e) => {
                        failed = Some(e);
                        break;
                    }
                }
                mapped = i + 1;
            }
        }
        for pfn in freed_tables.into_iter().chain(pool) {
            self.free_block(ev, pfn, 0);
        }
        if failed.is_some() {
            for i in 0..mapped {
                self.pgtables.unmap(start.wrapping_add(i as u64 * step));
            }
            return Err("the page tables could not be built: the area is freed, NULL".into());
        }
        Ok(())
    }

    /// `kfree()` of the kernel's own objects (the vm_struct, the page
    /// array), which are always valid.
    fn kfree_internal(&mut self, ev: &mut EventBuilder, addr: VirtAddr) {
        let _ = self.kfree_memory(ev, addr);
    }

    /// Gives up on a half-built area: the `vfree(area->addr)` of the
    /// failure paths, with the pages allocated so far (not yet mapped).
    fn abandon_area(&mut self, ev: &mut EventBuilder, start: VirtAddr, pages: Vec<Pfn>) {
        if let Some((mut area, purge)) = self.vmap.remove(start) {
            area.pages = pages;
            self.release_area(ev, area, false);
            if purge {
                let purged = self.vmap.purge();
                ev.effects.push(Effect::VmapPurged(purged));
            }
        }
    }

    /// Unmaps an area's pages, frees them, its `pages[]` array and its
    /// `vm_struct`, and queues its range for lazy purging (`__vunmap` /
    /// `vfree`). `mapped` says whether its page-table entries exist.
    fn release_area(&mut self, ev: &mut EventBuilder, area: VmArea, mapped: bool) {
        if mapped {
            let step = PAGE_SIZE << area.page_order;
            for i in 0..(area.pages.len() as u64 >> area.page_order) {
                self.pgtables.unmap(area.start.wrapping_add(i * step));
            }
        }
        let mark = ev.effects.len();
        for &pfn in &area.pages {
            self.free_block(ev, pfn, 0);
            drop_buddy_effects(ev, mark);
        }
        if crate::translate::is_vmalloc(area.pages_array) {
            if let Some(inner) = self.vmap.area_containing(area.pages_array).cloned() {
                self.unlink_area(ev, inner);
            }
        } else {
            self.kfree_internal(ev, area.pages_array);
        }
        self.kfree_internal(ev, area.vm_struct);
    }

    /// Removes a busy area from the vmap tree and releases it; purges when
    /// the lazily freed pages pass `lazy_max_pages()`.
    fn unlink_area(&mut self, ev: &mut EventBuilder, area: VmArea) {
        let start = area.start;
        let Some((area, purge)) = self.vmap.remove(start) else {
            return;
        };
        self.release_area(ev, area, true);
        if purge {
            let purged = self.vmap.purge();
            ev.effects.push(Effect::VmapPurged(purged));
        }
    }

    /// `vfree(addr)`.
    pub fn vfree(&mut self, addr: VirtAddr) -> Event {
        self.vfree_entry(format!("vfree({addr:#x})"), addr, false)
    }

    /// `vfree_atomic(addr)`: always deferred to a workqueue.
    pub fn vfree_atomic(&mut self, addr: VirtAddr) -> Event {
        self.vfree_entry(format!("vfree_atomic({addr:#x})"), addr, true)
    }

    fn vfree_entry(&mut self, call: String, addr: VirtAddr, atomic: bool) -> Event {
        let mut ev = match self.begin(call) {
            Ok(ev) => ev,
            Err(refused) => return *refused,
        };
        match self.vfree_memory(&mut ev, addr, atomic) {
            Ok(summary) => ev.finish(self, CallValue::Void, Outcome::Ok, summary),
            Err((outcome, summary)) => ev.finish(self, CallValue::Void, outcome, summary),
        }
    }

    /// `vfree()`'s work, in each release's order of checks:
    /// - 4.19: `BUG_ON(in_nmi())`; NULL returns; in interrupt context the
    ///   free is deferred; `__vunmap()` WARNs on an unaligned pointer, looks
    ///   the area up (before 4.19.126 `find_vmap_area(addr)->vm`
    ///   dereferences NULL for an address no area contains; later releases
    ///   WARN "nonexistent vm area"), and `remove_vm_area()` calls
    ///   `might_sleep()`;
    /// - 6.1: as 4.19, but `vfree()` itself calls `might_sleep_if(!in_interrupt())`
    ///   before its NULL check;
    /// - 6.6+: interrupt context goes to `vfree_atomic()` (which BUGs in
    ///   NMI); then `might_sleep()`, even for NULL; `remove_vm_area()` WARNs
    ///   on an unaligned pointer and returns NULL, and `vfree()` then WARNs
    ///   "nonexistent vm area" too.
    pub(super) fn vfree_memory(
        &mut self,
        ev: &mut EventBuilder,
        addr: VirtAddr,
        atomic: bool,
    ) -> SummaryResult {
        let vunmap = !self.profile().has(Change::VfreeRemoveVmArea);
        let deferred = atomic || self.context.in_interrupt();
        if self.context.in_nmi() {
            let (site, function) = if atomic || !vunmap {
                (Site::VfreeAtomicInNmi, "vfree_atomic")
            } else {
                (Site::VfreeInNmi, "vfree")
            };
            let lines = report::kernel_bug(self, site, function, [addr.as_u64(), 0], &[]);
            self.stop_with_oops(lines, "vfree() in NMI context: BUG_ON(in_nmi())");
            return Err((
                Outcome::Bug,
                "vfree() from NMI context: BUG_ON(in_nmi())".into(),
            ));
        }
        if self.profile().has(Change::VfreeMightSleepFirst) && !deferred {
            self.might_sleep(Site::VfreeMightSleep, &["vfree"]);
        }
        if addr == VirtAddr::NULL {
            return Ok("vfree(NULL) does nothing".into());
        }
        if deferred {
            // llist_add(): the freed memory itself holds the list node.
            let previous = self.deferred_vfree.last().map_or(0, |a| a.as_u64());
            self.write_kernel_u64(addr, previous);
            self.deferred_vfree.push(addr);
            let why = if atomic {
                "vfree_atomic()"
            } else {
                "in interrupt context, vfree()"
            };
            return Ok(Text::from(format!(
                "{why} defers the free: {addr:#x} is queued on a per-CPU list and a workqueue frees it later"
            )));
        }
        self.vunmap_area(ev, addr)
    }

    /// The process-context part of vfree (4.19 `__vunmap()`, 6.x
    /// `remove_vm_area()` and the rest of `vfree()`), also what the
    /// workqueue runs for deferred frees: the checks, then the release.
    fn vunmap_area(&mut self, ev: &mut EventBuilder, addr: VirtAddr) -> SummaryResult {
        let vunmap = !self.profile().has(Change::VfreeRemoveVmArea);
        let hashed = report::hashed_pointer(self, addr);
        if addr.page_offset() != 0 {
            let message = format!("Trying to vfree() bad address ({hashed})");
            self.warn_message(Site::VfreeBadAddress, Some(&message), &["vfree"]);
            if vunmap {
                return Err((
                    Outcome::Warn,
                    Text::from(format!(
                        "{addr:#x} is not page aligned: WARN, nothing freed"
                    )),
                ));
            }
        }
        let area = self
            .vmap
            .area_containing(addr)
            .filter(|_| addr.page_offset() == 0)
            .cloned();
        let Some(area) = area else {
            let lazily_freed = self.vmap.lazily_freed(addr);
            if !self.profile().has(Change::VunmapChecksMissingArea) && !lazily_freed {
                let regs = report::Regs {
                    trap: report::Trap::PageFault {
                        addr: VirtAddr::new(VMAP_AREA_VM_OFFSET),
                        access: report::Instruction::Load { bytes: 8 },
                    },
                    function: "__vunmap",
                    args: [VMAP_AREA_VM_OFFSET, 0],
                };
                let lines = report::page_fault_oops(self, &regs, &["vfree"]);
                self.stop_with_oops(lines, "vfree() of an address no vmap area contains");
                return Err((
                    Outcome::Oops,
                    Text::from(format!("no vmap area contains {addr:#x}: 4.19.0's __vunmap() reads find_vmap_area()->vm through NULL, oops")),
                ));
            }
            let message = format!("Trying to vfree() nonexistent vm area ({hashed})");
            self.warn_message(Site::VfreeNonexistent, Some(&message), &["vfree"]);
            let why = if lazily_freed {
                "was already freed (its range awaits purging)"
            } else if addr.page_offset() != 0 && self.vmap.area_containing(addr).is_some() {
                "is inside a vmalloc area but not page aligned"
            } else {
                "is not inside any vmalloc area"
            };
            return Err((
                Outcome::Warn,
                Text::from(format!("{addr:#x} {why}: WARN, nothing freed")),
            ));
        };
        if vunmap && !self.profile().has(Change::VfreeMightSleepFirst) {
            self.might_sleep(
                Site::VfreeMightSleep,
                &["remove_vm_area", "__vunmap", "vfree"],
            );
        }
        let pages = area.pages.len();
        let start = area.start;
        self.unlink_area(ev, area);
        Ok(Text::from(format!("{pages} page{} of the area at {start:#x} back to the page allocator; its address range is freed lazily", if pages == 1 { "" } else { "s" })))
    }

    /// The workqueue item of deferred vfrees (`delayed_vfree_work` /
    /// `free_work`): runs once the caller is back in process context.
    pub(super) fn run_deferred_vfrees(&mut self, ev: &mut EventBuilder) {
        if self.deferred_vfree.is_empty() || self.context.in_interrupt() {
            return;
        }
        // The list is taken newest first (llist_del_all), as the kernel
        // walks it.
        for addr in std::mem::take(&mut self.deferred_vfree).into_iter().rev() {
            let pages = self
                .vmap
                .area_containing(addr)
                .filter(|_| addr.page_offset() == 0)
                .map_or(0, |a| a.pages.len() as u64);
            if self.vunmap_area(ev, addr).is_ok() {
                ev.effects.push(Effect::DeferredVfree { addr, pages });
            }
            if *self.state() != KernelState::Running {
                break;
            }
        }
    }

    /// `vmalloc_to_page(addr)`: the page-table walk.
    pub fn vmalloc_to_page(&mut self, addr: VirtAddr) -> Event {
        self.vmalloc_lookup(format!("vmalloc_to_page({addr:#x})"), addr, false)
    }

    /// `vmalloc_to_pfn(addr)`: `page_to_pfn(vmalloc_to_page(addr))`.
    pub fn vmalloc_to_pfn(&mut self, addr: VirtAddr) -> Event {
        self.vmalloc_lookup(format!("vmalloc_to_pfn({addr:#x})"), addr, true)
    }

    fn vmalloc_lookup(&mut self, call: String, addr: VirtAddr, pfn: bool) -> Event {
        let mut ev = match self.begin(call) {
            Ok(ev) => ev,
            Err(refused) => return *refused,
        };
        let mut steps = Vec::new();
        let found = crate::translate::PageTableWalk::walk(&self.pgtables, addr, &mut steps);
        ev.walk = steps;
        let value = match (found, pfn) {
            (Some(frame), true) => CallValue::Pfn(frame),
            (Some(frame), false) => CallValue::Page(self.translator().pfn_to_page_value(frame)),
            // page_to_pfn(NULL)
            (None, true) => CallValue::Pfn(self.translator().page_to_pfn_value(VirtAddr::NULL)),
            (None, false) => CallValue::Null,
        };
        let summary = match found {
            Some(frame) => format!("{addr:#x} is mapped to pfn {frame:#x}"),
            None => format!("{addr:#x} is not mapped: NULL"),
        };
        ev.finish(self, value, Outcome::Ok, summary)
    }

    /// A `WARN(…)` with its message, tainting.
    pub(super) fn warn_message(&mut self, site: Site, message: Option<&str>, trace: &[&str]) {
        let lines = report::warning_with_message(self, site, message, trace);
        self.taint.add(crate::dmesg::Taint::Warn);
        for line in lines {
            self.log.push(Level::Warning, line);
        }
    }
}

/// Drops the free-list operations recorded after `mark`, keeping the rest
/// (reclaim, page tables).
fn drop_buddy_effects(ev: &mut EventBuilder, mark: usize) {
    let mut kept = mark;
    for i in mark..ev.effects.len() {
        if !matches!(ev.effects[i], Effect::Buddy(_)) {
            ev.effects.swap(kept, i);
            kept += 1;
        }
    }
    ev.effects.truncate(kept);
}
