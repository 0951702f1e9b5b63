//! The kvmalloc family on the simulated kernel: `kvmalloc`, `kvmalloc_node`,
//! `kvzalloc`, `kvcalloc`, `kvmalloc_array`, `kvfree`, `krealloc` and
//! (6.x) `kvrealloc`. The decision itself is [`crate::kvmalloc::plan`].

use super::event_text;
use super::{AddressResult, CallValue, Effect, EventBuilder, Kernel, Outcome, SummaryResult, Text};
use crate::addr::VirtAddr;
use crate::gfp::{Gfp, GfpFlag};
use crate::kernel::Event;
use crate::kvmalloc::{plan, Fallback, KvmallocPath};
use crate::profile::names::{KmallocCall, VmallocCall};
use crate::profile::{Change, Site};
use crate::report;
use crate::slab::ZERO_SIZE_PTR;
use crate::vmalloc::VM_ALLOW_HUGE_VMAP;

impl Kernel {
    /// `kvmalloc(size, flags)`.
    pub fn kvmalloc(&mut self, size: u64, gfp: Gfp) -> Event {
        let call = event_text(format_args!("kvmalloc({size}, {})", self.mode(gfp)));
        self.kvmalloc_entry(call, Some(size), gfp)
    }

    /// `kvmalloc_node(size, flags, node)`: node 0 or NUMA_NO_NODE (-1)
    /// are the same on this one-node machine.
    pub fn kvmalloc_node(&mut self, size: u64, gfp: Gfp, node: i32) -> Event {
        let call = event_text(format_args!(
            "kvmalloc_node({size}, {}, {node})",
            self.mode(gfp)
        ));
        if node != 0 && node != -1 {
            let ev = match self.begin(call) {
                Ok(ev) => ev,
                Err(refused) => return *refused,
            };
            let why = format!("node {node} does not exist: the machine has one node, 0");
            return ev.finish(self, CallValue::Void, Outcome::Refused(why), String::new());
        }
        self.kvmalloc_entry(call, Some(size), gfp)
    }

    /// `kvzalloc(size, flags)`: with `__GFP_ZERO`.
    pub fn kvzalloc(&mut self, size: u64, gfp: Gfp) -> Event {
        let call = event_text(format_args!("kvzalloc({size}, {})", self.mode(gfp)));
        let zeroed = gfp | self.gfp.bit(GfpFlag::Zero);
        self.kvmalloc_entry(call, Some(size), zeroed)
    }

    /// `kvmalloc_array(n, size, flags)`: NULL when `n * size` overflows.
    pub fn kvmalloc_array(&mut self, n: u64, size: u64, gfp: Gfp) -> Event {
        let call = event_text(format_args!(
            "kvmalloc_array({n}, {size}, {})",
            self.mode(gfp)
        ));
        self.kvmalloc_entry(call, n.checked_mul(size), gfp)
    }

    /// `kvcalloc(n, size, flags)`: `kvmalloc_array` with `__GFP_ZERO`.
    pub fn kvcalloc(&mut self, n: u64, size: u64, gfp: Gfp) -> Event {
        let call = event_text(format_args!("kvcalloc({n}, {size}, {})", self.mode(gfp)));
        let zeroed = gfp | self.gfp.bit(GfpFlag::Zero);
        self.kvmalloc_entry(call, n.checked_mul(size), zeroed)
    }

    fn kvmalloc_entry(&mut self, call: String, size: Option<u64>, gfp: Gfp) -> Event {
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
        let result = self.kvmalloc_memory(&mut ev, size, gfp);
        ev.finish_address(self, result)
    }

    fn kvmalloc_memory(&mut self, ev: &mut EventBuilder, size: u64, gfp: Gfp) -> AddressResult {
        // kvmalloc_node() itself, the last frame of its vmalloc path.
        let path = self.profile().vmalloc_path(VmallocCall::Kvmalloc);
        let kvmalloc = &path[path.len() - 1..];
        self.with_frames(kvmalloc, |k| k.kvmalloc_in_path(ev, size, gfp))
    }

    fn kvmalloc_in_path(&mut self, ev: &mut EventBuilder, size: u64, gfp: Gfp) -> AddressResult {
        let t = self.gfp;
        let decision = plan(self.profile(), t, size, gfp);
        let adjusted = if decision.kmalloc_gfp == gfp {
            String::new()
        } else {
            format!(" with {}", t.format(decision.kmalloc_gfp))
        };
        let kmalloc_failure =
            match self.kmalloc_memory(ev, size, decision.kmalloc_gfp, KmallocCall::Node) {
                Ok((addr, how)) => {
                    ev.effects.push(Effect::Kvmalloc(KvmallocPath::Kmalloc));
                    return Ok((
                        addr,
                        Text::from(format!("kmalloc{adjusted} succeeded: {how}")),
                    ));
                }
                Err((outcome, why)) => (outcome, why),
            };
        let (outcome, why) = kmalloc_failure;
        if *self.state() != super::KernelState::Running {
            return Err((outcome, why));
        }
        let path = match decision.fallback {
            Fallback::None(reason) => KvmallocPath::NoFallback(reason),
            Fallback::TooLarge { .. } => KvmallocPath::TooLarge,
            Fallback::Vmalloc { .. } => KvmallocPath::Vmalloc { succeeded: true },
        };
        let mark = ev.effects.len();
        ev.effects.push(Effect::Kvmalloc(path));
        let result = self.kvmalloc_fallback(ev, size, decision.fallback, adjusted, outcome, why);
        if result.is_err() {
            if let Some(Effect::Kvmalloc(KvmallocPath::Vmalloc { succeeded })) =
                ev.effects.get_mut(mark)
            {
                *succeeded = false;
            }
        }
        result
    }

    /// What follows a failed kmalloc attempt.
    fn kvmalloc_fallback(
        &mut self,
        ev: &mut EventBuilder,
        size: u64,
        fallback: Fallback,
        adjusted: String,
        outcome: Outcome,
        why: Text,
    ) -> AddressResult {
        match fallback {
            Fallback::None(reason) => Err((
                outcome,
                Text::from(format!(
                    "kmalloc{adjusted} failed ({why}); {}",
                    reason.explain()
                )),
            )),
            Fallback::TooLarge { warn } => {
                let outcome = if warn && self.warn_once(Site::KvmallocIntMax, &[]) {
                    Outcome::Warn
                } else {
                    Outcome::Failed
                };
                Err((
                    outcome,
                    Text::from(format!("kmalloc{adjusted} failed ({why}); {size} bytes is above INT_MAX, so kvmalloc returns NULL without trying vmalloc")),
                ))
            }
            Fallback::Vmalloc { gfp: vgfp, huge } => {
                let vm_flags = if huge { VM_ALLOW_HUGE_VMAP } else { 0 };
                let frames = self.profile().vmalloc_path(VmallocCall::Kvmalloc);
                match self.with_frames(frames, |k| k.vmalloc_memory(ev, size, vgfp, vm_flags)) {
                    Ok((addr, how)) => Ok((
                        addr,
                        Text::from(format!("kmalloc{adjusted} failed ({why}); fell back to vmalloc: {how}")),
                    )),
                    Err((o, vwhy)) => Err((
                        o,
                        Text::from(format!("kmalloc{adjusted} failed ({why}); the vmalloc fallback failed too: {vwhy}")),
                    )),
                }
            }
        }
    }

    /// `kvfree(addr)`: `vfree` for a vmalloc address, `kfree` otherwise.
    pub fn kvfree(&mut self, addr: VirtAddr) -> Event {
        let vmalloc = crate::translate::is_vmalloc(addr);
        let mut ev = self.kvfree_inner(format!("kvfree({addr:#x})"), addr);
        let path = if vmalloc {
            "is_vmalloc_addr: vfree"
        } else {
            "not a vmalloc address: kfree"
        };
        ev.summary = if ev.summary.is_empty() {
            Text::from(path.to_string())
        } else {
            Text::from(format!("{path}; {}", ev.summary))
        };
        ev
    }

    fn kvfree_inner(&mut self, call: String, addr: VirtAddr) -> Event {
        let mut ev = match self.begin(call) {
            Ok(ev) => ev,
            Err(refused) => return *refused,
        };
        match self.kvfree_memory(&mut ev, addr) {
            Ok(summary) => ev.finish(self, CallValue::Void, Outcome::Ok, summary),
            Err((outcome, summary)) => ev.finish(self, CallValue::Void, outcome, summary),
        }
    }

    /// `krealloc(p, new_size, flags)`: the same object while it still fits
    /// (`ksize(p) >= new_size`; from 6.11, and in 6.1.119 and 6.6.57 as a
    /// backport, the spare bytes are zeroed with `__GFP_ZERO`), otherwise a new kmalloc object with the old contents
    /// and `kfree(p)`; `new_size` 0 frees `p` and returns ZERO_SIZE_PTR.
    pub fn krealloc(&mut self, addr: VirtAddr, new_size: u64, gfp: Gfp) -> Event {
        let call = event_text(format_args!(
            "krealloc({addr:#x}, {new_size}, {})",
            self.mode(gfp)
        ));
        let mut ev = match self.begin(call) {
            Ok(ev) => ev,
            Err(refused) => return *refused,
        };
        let result = self.krealloc_memory(&mut ev, addr, new_size, gfp);
        ev.finish_address(self, result)
    }

    fn krealloc_memory(
        &mut self,
        ev: &mut EventBuilder,
        addr: VirtAddr,
        new_size: u64,
        gfp: Gfp,
    ) -> AddressResult {
        if new_size == 0 {
            let freed = self.kfree_memory(ev, addr)?;
            let summary = event_text(format_args!("new size 0: kfree and ZERO_SIZE_PTR; {freed}"));
            return Ok((VirtAddr::new(ZERO_SIZE_PTR), Text::from(summary)));
        }
        let old_size = if addr.as_u64() <= ZERO_SIZE_PTR {
            0
        } else {
            self.skip_orig_size_check(addr);
            self.usable_size(addr).unwrap_or(0)
        };
        if old_size >= new_size {
            if self.profile().has(Change::KreallocZeroesSpare) && self.gfp.has(gfp, GfpFlag::Zero) {
                let _ = self.fill_virt(addr.wrapping_add(new_size), old_size - new_size, 0);
            }
            let summary =
                format!("ksize is {old_size} bytes, enough for {new_size}: the same object");
            return Ok((addr, Text::from(summary)));
        }
        let (new, how) = self
            .kmalloc_memory(ev, new_size, gfp, KmallocCall::Variable)
            .map_err(|(o, why)| {
                (
                    o,
                    Text::from(format!("{why}; the old object is left as it was")),
                )
            })?;
        if old_size > 0 {
            self.copy_bytes(addr, new, old_size);
            // krealloc returns the new object whatever kfree made of the old.
            if let Err((_, why)) = self.kfree_memory(ev, addr) {
                let summary = event_text(format_args!("{old_size} bytes copied to a new object: {how}; freeing the old one went wrong: {why}"));
                return Ok((new, Text::from(summary)));
            }
        }
        let summary =
            format!("{old_size} bytes copied to a new object: {how}; the old one is freed");
        Ok((new, Text::from(summary)))
    }

    /// `kvrealloc` as each release has it. 4.19 has none. 6.6's
    /// `kvrealloc(p, oldsize, newsize, flags)` keeps `p` when `oldsize >=
    /// newsize`, otherwise kvmalloc + memcpy(oldsize) + kvfree. 6.12's
    /// `kvrealloc(p, size, flags)` resizes vmalloc memory with `vrealloc()`
    /// and kmalloc memory with `krealloc()` (flags adjusted as kvmalloc
    /// adjusts them), falling back to kvmalloc + memcpy(ksize) + kfree.
    /// `old_size` is 6.6's extra argument and must be absent for 6.12.
    pub fn kvrealloc(
        &mut self,
        addr: VirtAddr,
        old_size: Option<u64>,
        new_size: u64,
        gfp: Gfp,
    ) -> Event {
        let mode = self.mode(gfp);
        let call = match old_size {
            Some(old) => format!("kvrealloc({addr:#x}, {old}, {new_size}, {mode})"),
            None => format!("kvrealloc({addr:#x}, {new_size}, {mode})"),
        };
        let mut ev = match self.begin(call) {
            Ok(ev) => ev,
            Err(refused) => return *refused,
        };
        let p = self.profile();
        let (with_old_size, vrealloc) = (
            p.has(Change::KvreallocWithOldSize),
            p.has(Change::KvreallocVrealloc),
        );
        let release = p.uname.clone();
        let result = match old_size {
            Some(old) if with_old_size => self.kvrealloc_6_6(&mut ev, addr, old, new_size, gfp),
            None if vrealloc => self.kvrealloc_6_12(&mut ev, addr, new_size, gfp),
            _ if with_old_size => Err((
                Outcome::Refused(format!(
                    "{release}'s kvrealloc takes (p, oldsize, newsize, flags)"
                )),
                Text::default(),
            )),
            _ if vrealloc => Err((
                Outcome::Refused(format!("{release}'s kvrealloc takes (p, size, flags)")),
                Text::default(),
            )),
            _ => Err((
                Outcome::Refused(format!("{release} has no kvrealloc()")),
                Text::default(),
            )),
        };
        ev.finish_address(self, result)
    }

    fn kvrealloc_6_6(
        &mut self,
        ev: &mut EventBuilder,
        addr: VirtAddr,
        old_size: u64,
        new_size: u64,
        gfp: Gfp,
    ) -> AddressResult {
        if old_size >= new_size {
            return Ok((
                addr,
                Text::from(format!(
                    "old size {old_size} >= new size {new_size}: the same memory"
                )),
            ));
        }
        let (new, how) = self.kvmalloc_memory(ev, new_size, gfp)?;
        self.copy_bytes(addr, new, old_size);
        let freed = self.kvfree_memory(ev, addr);
        Ok((new, copied_summary(&how, old_size, freed)))
    }

    fn kvrealloc_6_12(
        &mut self,
        ev: &mut EventBuilder,
        addr: VirtAddr,
        size: u64,
        gfp: Gfp,
    ) -> AddressResult {
        if crate::translate::is_vmalloc(addr) {
            return self.vrealloc_memory(ev, addr, size, gfp);
        }
        let adjusted = plan(self.profile(), self.gfp, size, gfp).kmalloc_gfp;
        if let Ok(done) = self.krealloc_memory(ev, addr, size, adjusted) {
            return Ok(done);
        }
        let old_size = if addr.as_u64() <= ZERO_SIZE_PTR {
            0
        } else {
            self.usable_size(addr).unwrap_or(0)
        };
        let (new, how) = self.kvmalloc_memory(ev, size, gfp)?;
        let mut freed = Ok(Text::default());
        if addr.as_u64() > ZERO_SIZE_PTR {
            self.copy_bytes(addr, new, old_size);
            freed = self.kfree_memory(ev, addr);
        }
        let how = format_args!("krealloc failed, so kvmalloc: {how}");
        Ok((new, copied_summary(how, old_size, freed)))
    }

    /// 6.12's `vrealloc()`: size 0 frees; a size that fits the area's pages
    /// keeps it (zeroing the spare bytes with `__GFP_ZERO`); otherwise a new
    /// vmalloc area, the old bytes copied, the old area freed.
    fn vrealloc_memory(
        &mut self,
        ev: &mut EventBuilder,
        addr: VirtAddr,
        size: u64,
        gfp: Gfp,
    ) -> AddressResult {
        if size == 0 {
            self.vfree_memory(ev, addr, false)?;
            return Ok((VirtAddr::NULL, "size 0: vfree, NULL".into()));
        }
        let Some(area) = self.vmap.area_containing(addr).cloned() else {
            let hashed = report::hashed_pointer(self, addr);
            let message = format!("Trying to vrealloc() nonexistent vm area ({hashed})");
            self.warn_message(
                Site::VreallocNonexistent,
                Some(&message),
                &["kvrealloc_noprof"],
            );
            return Err((
                Outcome::Warn,
                Text::from(format!("{addr:#x} is not a vmalloc area: WARN, NULL")),
            ));
        };
        let old_size = area.usable_size();
        if size <= old_size {
            if self.gfp.has(gfp, GfpFlag::Zero) {
                let _ = self.fill_virt(addr.wrapping_add(size), old_size - size, 0);
            }
            return Ok((
                addr,
                Text::from(format!(
                    "the area's {old_size} bytes hold {size}: the same memory"
                )),
            ));
        }
        let frames = self.profile().vmalloc_path(VmallocCall::Vrealloc);
        let (new, how) = self.with_frames(frames, |k| k.vmalloc_memory(ev, size, gfp, 0))?;
        self.copy_bytes(addr, new, old_size);
        let freed = self.vfree_memory(ev, addr, false);
        Ok((
            new,
            copied_summary(format_args!("a new area: {how}"), old_size, freed),
        ))
    }

    /// `kvfree()`'s work.
    fn kvfree_memory(&mut self, ev: &mut EventBuilder, addr: VirtAddr) -> SummaryResult {
        if crate::translate::is_vmalloc(addr) {
            self.vfree_memory(ev, addr, false)
        } else {
            self.kfree_memory(ev, addr)
        }
    }

    /// `memcpy(dst, src, len)` of the kernel's own (no event; it only
    /// copies between live allocations).
    fn copy_bytes(&mut self, src: VirtAddr, dst: VirtAddr, len: u64) {
        let _ = self.copy_virt(dst, src, len);
    }
}

/// The summary of a resize that moved the memory: the new memory is
/// returned whatever freeing the old one did.
fn copied_summary(how: impl std::fmt::Display, copied: u64, freed: SummaryResult) -> Text {
    Text::from(match freed {
        Ok(_) => format!("{how}; {copied} bytes copied, the old memory freed"),
        Err((_, why)) => {
            format!("{how}; {copied} bytes copied; freeing the old memory went wrong: {why}")
        }
    })
}
