//! `kmalloc` and friends on the simulated kernel: SLUB caches for sizes up to
//! 8 KiB, the page allocator above (`kmalloc_large`), and `kfree`, with the
//! checks and reports of each release (mm/slub.c, mm/slab_common.c).

use super::event_text;
use super::{
    AddressResult, CallValue, Effect, EventBuilder, Kernel, KernelState, Outcome, SummaryResult,
    Text,
};
use crate::addr::{Order, Pfn, VirtAddr, PAGE_SIZE};
use crate::dmesg::{Level, Taint};
use crate::gfp::{Gfp, GfpFlag, GfpTable};
use crate::kernel::Event;
use crate::memmap::{FrameUse, PageMeta};
use crate::profile::names::KmallocCall;
use crate::profile::{Change, Site};
use crate::report;
use crate::slab::{KmallocType, SlabFree, KMALLOC_MAX_CACHE_SIZE, ZERO_SIZE_PTR};

/// The offset of `compound_head` in `struct page`: after the 8-byte
/// `flags` (include/linux/mm_types.h, every modelled release).
const COMPOUND_HEAD_OFFSET: u64 = 8;

/// The flags `allocate_slab()` keeps of the caller's (`GFP_RECLAIM_MASK |
/// GFP_CONSTRAINT_MASK`); zone and mobility bits come from the cache.
const SLAB_KEPT_FLAGS: [GfpFlag; 14] = [
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
    GfpFlag::Atomic,
    GfpFlag::Hardwall,
    GfpFlag::ThisNode,
];

impl Kernel {
    /// `kmalloc(size, flags)`.
    pub fn kmalloc(&mut self, size: u64, gfp: Gfp) -> Event {
        let call = self.size_call("kmalloc", None, size, gfp);
        self.kmalloc_entry(call, Some(size), gfp)
    }

    /// `kzalloc(size, flags)`: `kmalloc(size, flags | __GFP_ZERO)`.
    pub fn kzalloc(&mut self, size: u64, gfp: Gfp) -> Event {
        let call = self.size_call("kzalloc", None, size, gfp);
        let zeroed = gfp | self.gfp.bit(GfpFlag::Zero);
        self.kmalloc_entry(call, Some(size), zeroed)
    }

    /// `kmalloc_array(n, size, flags)`: NULL, silently, when `n * size`
    /// overflows `size_t`.
    pub fn kmalloc_array(&mut self, n: u64, size: u64, gfp: Gfp) -> Event {
        let call = self.size_call("kmalloc_array", Some(n), size, gfp);
        self.kmalloc_entry(call, n.checked_mul(size), gfp)
    }

    /// `kcalloc(n, size, flags)`: `kmalloc_array(n, size, flags | __GFP_ZERO)`.
    pub fn kcalloc(&mut self, n: u64, size: u64, gfp: Gfp) -> Event {
        let call = self.size_call("kcalloc", Some(n), size, gfp);
        let zeroed = gfp | self.gfp.bit(GfpFlag::Zero);
        self.kmalloc_entry(call, n.checked_mul(size), zeroed)
    }

    /// The call text of a kmalloc-family call, written when shown.
    fn size_call(&self, function: &'static str, count: Option<u64>, size: u64, gfp: Gfp) -> Text {
        Text::SizeCall {
            function,
            count,
            size,
            mode: self.mode(gfp),
        }
    }

    fn kmalloc_entry(&mut self, call: Text, size: Option<u64>, gfp: Gfp) -> Event {
        let how = if std::mem::replace(&mut self.constant_size, true) {
            KmallocCall::Constant
        } else {
            KmallocCall::Variable
        };
        let mut ev = match self.begin(call) {
            Ok(ev) => ev,
            Err(refused) => return *refused,
        };
        let Some(size) = size else {
            let summary = "n * size overflows size_t (check_mul_overflow): NULL".to_string();
            return ev.finish(
                self,
                CallValue::Address(VirtAddr::NULL),
                Outcome::Failed,
                summary,
            );
        };
        let result = self.kmalloc_memory(&mut ev, size, gfp, how);
        ev.finish_address(self, result)
    }

    /// `__kmalloc()`'s work, for the kmalloc family and for the kernel's own
    /// allocations (vm_struct, page arrays): the address and a summary, or
    /// the outcome and why.
    pub(super) fn kmalloc_memory(
        &mut self,
        ev: &mut EventBuilder,
        size: u64,
        gfp: Gfp,
        how: KmallocCall,
    ) -> AddressResult {
        // 4.19's inline kmalloc() leaves a GFP_DMA request to __kmalloc().
        let how = match how {
            KmallocCall::Constant
                if self.gfp.has(gfp, GfpFlag::Dma)
                    && !self.profile().has(Change::KmallocInlineTakesDma) =>
            {
                KmallocCall::Variable
            }
            how => how,
        };
        let frames = self
            .profile()
            .kmalloc_path(how, size > KMALLOC_MAX_CACHE_SIZE);
        self.with_frames(frames, |k| k.kmalloc_in_path(ev, size, gfp))
    }

    fn kmalloc_in_path(&mut self, ev: &mut EventBuilder, size: u64, gfp: Gfp) -> AddressResult {
        if size == 0 {
            let summary = "size 0: ZERO_SIZE_PTR, which faults when used".to_string();
            return Ok((VirtAddr::new(ZERO_SIZE_PTR), Text::from(summary)));
        }
        if size > KMALLOC_MAX_CACHE_SIZE {
            return self.kmalloc_large(ev, size, gfp);
        }
        let t = self.gfp;
        if t.allows_blocking(gfp) {
            self.might_sleep(Site::SlabMightSleep, &[]);
        }
        let kind = KmallocType::choose(
            self.profile(),
            t.has(gfp, GfpFlag::Dma),
            t.has(gfp, GfpFlag::Reclaimable),
            t.has(gfp, GfpFlag::Account),
        );
        let kind = if kind == KmallocType::Normal && self.slab.random_seed != 0 {
            KmallocType::random_copy(report::caller_address(ev.seq), self.slab.random_seed)
        } else {
            kind
        };
        let Some(id) = self.slab.kmalloc_cache(kind, size) else {
            return Err((Outcome::Failed, Text::default()));
        };
        let function = self.api_path.last().copied().unwrap_or("__kmalloc");
        self.slab_alloc_object(ev, id, gfp, size, function)
    }

    /// `slab_alloc()`: an object of cache `id` from its CPU slab, its
    /// partial list, or a new slab; zeroed with `__GFP_ZERO` (6.x kmalloc
    /// under slub_debug zeroes only the `requested` bytes). With slub_debug
    /// a free object that fails its checks takes its slab out of service
    /// and the search goes on.
    pub(super) fn slab_alloc_object(
        &mut self,
        ev: &mut EventBuilder,
        id: usize,
        gfp: Gfp,
        requested: u64,
        function: &'static str,
    ) -> AddressResult {
        let t = self.gfp;
        let (slab_pfn, offset) = loop {
            let object = match self.slab.alloc(id) {
                Some(object) => object,
                None => self.new_slab(ev, id, gfp).map_err(|outcome| {
                    let summary = event_text(format_args!(
                        "no memory for a new slab of {}: NULL",
                        self.slab.caches[id].name
                    ));
                    (outcome, Text::from(summary))
                })?,
            };
            if !self.slab.debug()
                || self.debug_alloc(id, object.0, object.1, requested, function, ev.seq)
            {
                break object;
            }
        };
        let layout = self.slab.caches[id].layout;
        let object_size = layout.object_size;
        if t.has(gfp, GfpFlag::Zero) {
            let zeroed = if layout.orig_size {
                requested.min(u64::from(object_size))
            } else {
                u64::from(object_size)
            };
            self.fill_bytes(slab_pfn, offset, zeroed, 0);
        }
        let addr = self
            .translator()
            .va_value(slab_pfn.phys())
            .wrapping_add(offset);
        let summary = Text::SlabObject {
            object_size,
            cache: self.slab.caches[id].name.clone(),
            offset,
            slab: slab_pfn,
        };
        Ok((addr, summary))
    }

    /// `kmalloc_large()`: whole pages, `__GFP_COMP`, order `get_order(size)`.
    fn kmalloc_large(&mut self, ev: &mut EventBuilder, size: u64, gfp: Gfp) -> AddressResult {
        let mut gfp = gfp;
        if self.profile().has(Change::LargeKmallocFixesFlags) {
            gfp = self.fix_slab_flags(gfp);
        }
        let order = u32::from(Order::for_size(size).as_u8());
        let comp = gfp | self.gfp.bit(GfpFlag::Comp);
        let entry = self.api_path.first().copied().unwrap_or("kmalloc_large");
        match self.allocate(ev, comp, order, entry) {
            Ok((pfn, _)) => {
                if self.profile().has(Change::LargeKmallocCountsSlab) {
                    self.large_kmalloc_pages += 1 << order;
                }
                let addr = self.translator().va_value(pfn.phys());
                let summary = event_text(format_args!(
                    "{size} bytes above KMALLOC_MAX_CACHE_SIZE: an order-{order} compound page from the page allocator at pfn {pfn:#x}"
                ));
                Ok((addr, Text::from(summary)))
            }
            Err(outcome) => {
                let summary = if order > u32::from(Order::MAX.as_u8()) {
                    format!("{size} bytes needs order {order}, above the largest order (10): kmalloc's limit is KMALLOC_MAX_SIZE, 4 MiB, in every simulated release (the 128 KB of older texts was the largest cache SLAB guaranteed before 2012): NULL")
                } else {
                    format!("no order-{order} block for {size} bytes: NULL")
                };
                Err((outcome, Text::from(summary)))
            }
        }
    }

    /// `GFP_SLAB_BUG_MASK` (`__GFP_DMA32 | __GFP_HIGHMEM` and bits beyond
    /// the layout): removed with the "Unexpected gfp" warning and a stack
    /// dump (`kmalloc_fix_flags()`, or inline in 4.19's `new_slab()`).
    fn fix_slab_flags(&mut self, gfp: Gfp) -> Gfp {
        let t = self.gfp;
        let bug_mask = t.bit(GfpFlag::Dma32) | t.bit(GfpFlag::Highmem) | !t.bits_mask();
        let invalid = gfp & bug_mask;
        if invalid.is_empty() {
            return gfp;
        }
        let fixed = gfp.without(bug_mask);
        self.log.push(
            Level::Warning,
            format!(
                "Unexpected gfp: {:#x} ({}). Fixing up to gfp: {:#x} ({}). Fix your code!",
                invalid.bits(),
                t.format(invalid),
                fixed.bits(),
                t.format(fixed)
            ),
        );
        for line in report::dump_stack(self, &[]) {
            self.log.push(Level::Warning, line);
        }
        fixed
    }

    /// `new_slab()` → `allocate_slab()`: the cache's order first, without
    /// retrying or warning, then the smallest order that holds one object.
    fn new_slab(
        &mut self,
        ev: &mut EventBuilder,
        id: usize,
        gfp: Gfp,
    ) -> Result<(Pfn, u64), Outcome> {
        let gfp = self.fix_slab_flags(gfp);
        let t = self.gfp;
        let mut flags = Gfp(0);
        for flag in SLAB_KEPT_FLAGS {
            if t.has(gfp, flag) {
                flags |= t.bit(flag);
            }
        }
        let (order, size, cache_flags) = {
            let cache = &self.slab.caches[id];
            (cache.order, cache.size, cache.flags)
        };
        // s->allocflags (calculate_sizes()): __GFP_COMP for a cache of
        // order > 0, from 6.12 for every cache (mm/slub.c@6.6.57:4488-4489,
        // @6.12.19:5425).
        if cache_flags.cache_dma {
            flags |= t.bit(GfpFlag::Dma);
        }
        if cache_flags.reclaim_account {
            flags |= t.bit(GfpFlag::Reclaimable);
        }
        if order > 0 || self.profile().has(Change::SlabAlwaysComp) {
            flags |= t.bit(GfpFlag::Comp);
        }
        // allocate_slab(): the cache's order may fail under pressure. When
        // it is above the minimum and the caller may reclaim, it also goes
        // without reclaim or reserves (mm/slub.c@4.19.255:1606-1608,
        // @6.6.57:2013-2015); only the minimum order gets the caller's
        // flags.
        let min_order = u32::from(Order::for_size(u64::from(size)).as_u8());
        let first = first_slab_attempt(t, flags, order, min_order);
        let (pfn, got_order) = match self.allocate(ev, first, order, "allocate_slab") {
            Ok((pfn, _)) => (pfn, order),
            Err(_) if min_order < order => {
                let (pfn, _) = self.allocate(ev, flags, min_order, "allocate_slab")?;
                (pfn, min_order)
            }
            Err(outcome) => return Err(outcome),
        };
        if let Some(page) = self.mem.page_mut(pfn) {
            page.used_as = FrameUse::Slab;
            page.owner = 0;
        }
        self.slab.add_slab(id, pfn, got_order);
        if self.slab.debug() {
            self.debug_init_slab(id, pfn, got_order);
        }
        ev.effects.push(Effect::NewSlab {
            cache: self.slab.caches[id].name.to_string(),
            pfn,
            order: got_order as u8,
        });
        self.slab.alloc(id).ok_or(Outcome::Failed)
    }

    /// Writes `len` bytes of `value` from byte `offset` of the block at
    /// `pfn`, across frames.
    fn fill_bytes(&mut self, pfn: Pfn, offset: u64, len: u64, value: u8) {
        let mut at = offset;
        let end = offset + len;
        while at < end {
            let frame = pfn.add(at / PAGE_SIZE);
            let in_page = at % PAGE_SIZE;
            let n = (PAGE_SIZE - in_page).min(end - at);
            self.mem.fill(frame, in_page as usize, n as usize, value);
            at += n;
        }
    }

    /// `kfree(objp)`.
    pub fn kfree(&mut self, addr: VirtAddr) -> Event {
        let call = Text::AddressCall {
            function: "kfree",
            addr,
        };
        let mut ev = match self.begin(call) {
            Ok(ev) => ev,
            Err(refused) => return *refused,
        };
        match self.kfree_memory(&mut ev, addr) {
            Ok(summary) => ev.finish(self, CallValue::Void, Outcome::Ok, summary),
            Err((outcome, summary)) => ev.finish(self, CallValue::Void, outcome, summary),
        }
    }

    /// `kfree()`'s work: a summary, or the outcome of a misuse.
    pub(super) fn kfree_memory(&mut self, ev: &mut EventBuilder, addr: VirtAddr) -> SummaryResult {
        if addr.as_u64() <= ZERO_SIZE_PTR {
            return Ok(Text::from("ZERO_OR_NULL_PTR: nothing to free".to_string()));
        }
        let phys = self.translator().pa_value(addr);
        let pfn = phys.pfn();
        let Some((head, _)) = self.mem.block_of(pfn) else {
            // virt_to_head_page() (4.19) / virt_to_folio() (6.x) first reads
            // `page->compound_head`, which follows `flags` in struct page
            // (include/linux/page-flags.h@4.19.255 compound_head(),
            // @6.12.19 _compound_head()), of a struct page that does not
            // exist; the recorded __pa shows why.
            ev.walk = self.translator().pa(addr).steps;
            let page = self.translator().pfn_to_page_value(pfn);
            let compound_head = VirtAddr::new(page.as_u64().wrapping_add(COMPOUND_HEAD_OFFSET));
            let regs = report::Regs {
                trap: report::Trap::PageFault {
                    addr: compound_head,
                    access: report::Instruction::LoadCompoundHead,
                },
                function: "kfree",
                args: [page.as_u64(), 0],
            };
            let lines = report::page_fault_oops(self, &regs, &[]);
            self.stop_with_oops(lines, "kfree() of an address with no struct page");
            let summary =
                format!("{addr:#x} is not in the direct map: its struct page does not exist, oops");
            return Err((Outcome::Oops, Text::from(summary)));
        };
        let meta = self.mem.page(head).copied().unwrap_or_default();
        let offset = phys.as_u64() - head.phys().as_u64();
        match meta.used_as {
            FrameUse::Slab => self.slab_free(ev, head, offset),
            FrameUse::Allocated if meta.flags & PageMeta::COMPOUND != 0 => {
                // free_large_kmalloc(), mm/slab_common.c@6.1.119:911.
                if self.profile().has(Change::LargeKmallocCountsSlab) {
                    self.large_kmalloc_pages -= 1 << meta.order;
                }
                let mut effects = Vec::new();
                self.buddy
                    .free_pages(&mut self.mem, head, meta.order, &mut effects);
                ev.effects.extend(effects.into_iter().map(Effect::Buddy));
                Ok(Text::from(format!(
                    "not a slab page: the order-{} compound page at pfn {head:#x} goes back to the page allocator",
                    meta.order
                )))
            }
            _ => self.kfree_non_slab(ev, addr, head, meta),
        }
    }

    fn slab_free(&mut self, ev: &mut EventBuilder, head: Pfn, offset: u64) -> SummaryResult {
        let object = self.translator().va_value(head.phys()).wrapping_add(offset);
        if self.slab.debug() {
            self.debug_free(ev, head, offset)?;
        }
        match self.slab.free(head, offset) {
            SlabFree::Freed { cache, discard } => {
                let name = self.slab.caches[cache].name.clone();
                if let Some((pfn, order)) = discard {
                    self.discard_slab(ev, name.to_string(), pfn, order);
                }
                Ok(Text::SlabFreed {
                    cache: name,
                    slab_discarded: discard.is_some(),
                })
            }
            SlabFree::DoubleFreeDetected { cache } => {
                let lines =
                    report::kernel_bug(self, Site::DoubleFree, "kfree", [object.as_u64(), 0], &[]);
                self.stop_with_oops(
                    lines,
                    "kfree() of an object already at the head of its freelist",
                );
                Err((Outcome::Bug, Text::from(format!(
                    "double free: the object is already the first free object of its {} slab; CONFIG_SLAB_FREELIST_HARDENED's naive check BUGs",
                    self.slab.caches[cache].name
                ))))
            }
            SlabFree::NotAnObject { cache } => {
                let name = self.slab.caches[cache].name.clone();
                self.state = KernelState::Stopped(format!(
                    "kfree() of a pointer inside a {name} slab that is not an object"
                ));
                Err((Outcome::Refused(format!("the pointer is inside a {name} slab but not at the start of an object; without slub_debug the kernel links it into the freelist and corrupts the slab, so the simulation stops here")), Text::default()))
            }
            SlabFree::NotASlab => Ok(Text::default()),
        }
    }

    /// `discard_slab()`: an empty slab's pages go back to the page allocator.
    pub(super) fn discard_slab(
        &mut self,
        ev: &mut EventBuilder,
        cache: String,
        pfn: Pfn,
        order: u32,
    ) {
        ev.effects.push(Effect::SlabDiscarded {
            cache,
            pfn,
            order: order as u8,
        });
        self.free_block(ev, pfn, order as u8);
    }

    /// `kfree()` of memory that is neither a slab object nor a compound
    /// page: 4.19 BUGs on `!PageCompound`; 6.x warns in
    /// `free_large_kmalloc()` and frees the order-0 page anyway.
    fn kfree_non_slab(
        &mut self,
        ev: &mut EventBuilder,
        addr: VirtAddr,
        head: Pfn,
        meta: PageMeta,
    ) -> SummaryResult {
        if !self.profile().has(Change::FreeLargeKmallocWarns) {
            let lines = report::kernel_bug(
                self,
                Site::KfreeNotCompound,
                "kfree",
                [addr.as_u64(), 0],
                &[],
            );
            self.stop_with_oops(lines, "kfree() of a page that is neither slab nor compound");
            return Err((
                Outcome::Bug,
                Text::from(format!(
                "{addr:#x} is not slab memory and not a compound page: BUG_ON(!PageCompound(page))"
            )),
            ));
        }
        let warned = self.warn_once(Site::FreeLargeKmalloc, &["kfree"]);
        if warned {
            let hashed = report::hashed_pointer(self, addr);
            self.log
                .push(Level::Warning, format!("object pointer: 0x{hashed}"));
        }
        self.taint.add(Taint::Warn);
        let summary = match meta.used_as {
            FrameUse::Allocated => {
                let mut effects = Vec::new();
                self.buddy.free_pages(&mut self.mem, head, 0, &mut effects);
                ev.effects.extend(effects.into_iter().map(Effect::Buddy));
                format!("{addr:#x} is a plain page, not slab memory: free_large_kmalloc() warns and frees one page")
            }
            other => format!("{addr:#x} is {other:?} memory, not slab: free_large_kmalloc() warns; the page's reference count underflows"),
        };
        Err((Outcome::Warn, Text::from(summary)))
    }

    /// The usable size of the kmalloc memory at `addr` (what `ksize`
    /// returns), if it is kmalloc memory.
    pub(super) fn usable_size(&self, addr: VirtAddr) -> Option<u64> {
        let pfn = self.translator().pa_value(addr).pfn();
        let (head, order) = self.mem.block_of(pfn)?;
        let meta = self.mem.page(head)?;
        match meta.used_as {
            FrameUse::Slab => self
                .slab
                .cache_of(head)
                .map(|id| u64::from(self.slab.caches[id].object_size)),
            FrameUse::Allocated => Some(PAGE_SIZE << order),
            _ => None,
        }
    }

    /// `ksize(objp)`: the usable size of a kmalloc object.
    pub fn ksize(&mut self, addr: VirtAddr) -> Event {
        let call = event_text(format_args!("ksize({addr:#x})"));
        let ev = match self.begin(call) {
            Ok(ev) => ev,
            Err(refused) => return *refused,
        };
        if addr.as_u64() <= ZERO_SIZE_PTR {
            return ev.finish(
                self,
                CallValue::Count(0),
                Outcome::Ok,
                Text::from("ZERO_OR_NULL_PTR: 0"),
            );
        }
        self.skip_orig_size_check(addr);
        let value = self.usable_size(addr);
        match value {
            Some(size) => ev.finish(self, CallValue::Count(size), Outcome::Ok, String::new()),
            None => ev.finish(
                self,
                CallValue::Count(0),
                Outcome::Ok,
                format!("{addr:#x} is not kmalloc memory"),
            ),
        }
    }
}

/// The mask of `allocate_slab()`'s first attempt, at the cache's `order`:
/// the slab's flags without retrying, warning or `__GFP_NOFAIL`, and, when
/// the order is above the one-object minimum and the caller may reclaim,
/// without reclaim and with `__GFP_NOMEMALLOC`, so that it fails fast and
/// the minimum order gets the caller's flags (mm/slub.c@4.19.255:1606-1608,
/// @6.6.57:2013-2015).
fn first_slab_attempt(t: &GfpTable, flags: Gfp, order: u32, min_order: u32) -> Gfp {
    let mut first =
        (flags | t.bit(GfpFlag::NoWarn) | t.bit(GfpFlag::NoRetry)).without(t.bit(GfpFlag::NoFail));
    if t.has(first, GfpFlag::DirectReclaim) && order > min_order {
        let reclaim = t.bit(GfpFlag::DirectReclaim) | t.bit(GfpFlag::KswapdReclaim);
        first = (first | t.bit(GfpFlag::NoMemalloc)).without(reclaim);
    }
    first
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Release;

    /// Audit D17: the first, higher-order attempt of a new slab neither
    /// reclaims nor wakes kswapd and takes no reserves.
    #[test]
    fn the_first_slab_attempt_goes_without_reclaim() {
        for version in ["4.19", "6.6", "6.12"] {
            let t = GfpTable::for_release(Release::parse(version).unwrap()).unwrap();
            let kernel = t.composite("GFP_KERNEL").unwrap();
            let first = first_slab_attempt(t, kernel | t.bit(GfpFlag::Comp), 3, 0);
            assert_eq!(
                t.format(first),
                "__GFP_IO|__GFP_FS|__GFP_NOWARN|__GFP_NORETRY|__GFP_COMP|__GFP_NOMEMALLOC",
                "{version}"
            );
            assert!(!t.allows_blocking(first));
            // At the minimum order the caller's flags stand (with the
            // retry and warning bits of the first attempt).
            let min = first_slab_attempt(t, kernel, 0, 0);
            assert!(t.allows_blocking(min) && !t.has(min, GfpFlag::NoMemalloc));
            // A caller that may not reclaim keeps its mask.
            let atomic = t.composite("GFP_ATOMIC").unwrap();
            assert!(!t.has(first_slab_attempt(t, atomic, 3, 0), GfpFlag::NoMemalloc));
        }
    }
}
