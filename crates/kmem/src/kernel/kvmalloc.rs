//! The kvmalloc family on the simulated kernel: `kvmalloc`, `kvmalloc_node`,
//! `kvzalloc`, `kvcalloc`, `kvmalloc_array`, `kvfree`, `krealloc` and
//! (6.x) `kvrealloc`. The decision itself is [`crate::kvmalloc::plan`].

use super::{CallValue, EventBuilder, Kernel, Outcome};
use crate::addr::VirtAddr;
use crate::gfp::{Gfp, GfpFlag};
use crate::kernel::Event;
use crate::kvmalloc::{plan, Fallback};
use crate::profile::Series;
use crate::report;
use crate::slab::ZERO_SIZE_PTR;
use crate::vmalloc::VM_ALLOW_HUGE_VMAP;

impl Kernel {
    /// `kvmalloc(size, flags)`.
    pub fn kvmalloc(&mut self, size: u64, gfp: Gfp) -> Event {
        let call = format!("kvmalloc({size}, {})", self.gfp.format_mode(gfp));
        self.kvmalloc_entry(call, Some(size), gfp)
    }

    /// `kvmalloc_node(size, flags, node)`: node 0 or NUMA_NO_NODE (-1)
    /// are the same on this one-node machine.
    pub fn kvmalloc_node(&mut self, size: u64, gfp: Gfp, node: i32) -> Event {
        let call = format!(
            "kvmalloc_node({size}, {}, {node})",
            self.gfp.format_mode(gfp)
        );
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
        let call = format!("kvzalloc({size}, {})", self.gfp.format_mode(gfp));
        let zeroed = gfp | self.gfp.bit(GfpFlag::Zero);
        self.kvmalloc_entry(call, Some(size), zeroed)
    }

    /// `kvmalloc_array(n, size, flags)`: NULL when `n * size` overflows.
    pub fn kvmalloc_array(&mut self, n: u64, size: u64, gfp: Gfp) -> Event {
        let call = format!("kvmalloc_array({n}, {size}, {})", self.gfp.format_mode(gfp));
        self.kvmalloc_entry(call, n.checked_mul(size), gfp)
    }

    /// `kvcalloc(n, size, flags)`: `kvmalloc_array` with `__GFP_ZERO`.
    pub fn kvcalloc(&mut self, n: u64, size: u64, gfp: Gfp) -> Event {
        let call = format!("kvcalloc({n}, {size}, {})", self.gfp.format_mode(gfp));
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
        match self.kvmalloc_memory(&mut ev, size, gfp) {
            Ok((addr, summary)) => ev.finish(self, CallValue::Address(addr), Outcome::Ok, summary),
            Err((outcome, summary)) => {
                ev.finish(self, CallValue::Address(VirtAddr::NULL), outcome, summary)
            }
        }
    }

    fn kvmalloc_memory(
        &mut self,
        ev: &mut EventBuilder,
        size: u64,
        gfp: Gfp,
    ) -> Result<(VirtAddr, String), (Outcome, String)> {
        let t = self.gfp;
        let decision = plan(self.profile().series, t, size, gfp);
        let adjusted = if decision.kmalloc_gfp == gfp {
            String::new()
        } else {
            format!(" with {}", t.format(decision.kmalloc_gfp))
        };
        let kmalloc_failure = match self.kmalloc_memory(ev, size, decision.kmalloc_gfp) {
            Ok((addr, how)) => return Ok((addr, format!("kmalloc{adjusted} succeeded: {how}"))),
            Err((outcome, why)) => (outcome, why),
        };
        let (outcome, why) = kmalloc_failure;
        match decision.fallback {
            Fallback::None(reason) => Err((
                outcome,
                format!("kmalloc{adjusted} failed ({why}); {}", reason.explain()),
            )),
            Fallback::TooLarge { warn } => {
                let outcome = if warn
                    && self.warn_once(
                        report::KVMALLOC_INT_MAX_WARN,
                        kvmalloc_function(self.profile().series),
                        &["kvmalloc"],
                    ) {
                    Outcome::Warn
                } else {
                    Outcome::Failed
                };
                Err((
                    outcome,
                    format!("kmalloc{adjusted} failed ({why}); {size} bytes is above INT_MAX, so kvmalloc returns NULL without trying vmalloc"),
                ))
            }
            Fallback::Vmalloc { gfp: vgfp, huge } => {
                let vm_flags = if huge { VM_ALLOW_HUGE_VMAP } else { 0 };
                match self.vmalloc_memory(ev, size, vgfp, vm_flags, "kvmalloc") {
                    Ok((addr, how)) => Ok((
                        addr,
                        format!("kmalloc{adjusted} failed ({why}); fell back to vmalloc: {how}"),
                    )),
                    Err((o, vwhy)) => Err((
                        o,
                        format!("kmalloc{adjusted} failed ({why}); the vmalloc fallback failed too: {vwhy}"),
                    )),
                }
            }
        }
    }

    /// `kvfree(addr)`: `vfree` for a vmalloc address, `kfree` otherwise.
    pub fn kvfree(&mut self, addr: VirtAddr) -> Event {
        let vmalloc = self.translator().is_vmalloc_addr(addr).value;
        let mut ev = self.kvfree_inner(format!("kvfree({addr:#x})"), addr);
        let path = if vmalloc {
            "is_vmalloc_addr: vfree"
        } else {
            "not a vmalloc address: kfree"
        };
        ev.summary = if ev.summary.is_empty() {
            path.to_string()
        } else {
            format!("{path}; {}", ev.summary)
        };
        ev
    }

    fn kvfree_inner(&mut self, call: String, addr: VirtAddr) -> Event {
        if self.translator().is_vmalloc_addr(addr).value {
            let mut ev = match self.begin(call) {
                Ok(ev) => ev,
                Err(refused) => return *refused,
            };
            match self.vfree_memory(&mut ev, addr, false) {
                Ok(summary) => ev.finish(self, CallValue::Void, Outcome::Ok, summary),
                Err((outcome, summary)) => ev.finish(self, CallValue::Void, outcome, summary),
            }
        } else {
            self.kfree_with_call(call, addr)
        }
    }

    /// `krealloc(p, new_size, flags)`: the same object while it still fits
    /// (`ksize(p) >= new_size`; 6.12 zeroes the spare bytes with
    /// `__GFP_ZERO`), otherwise a new kmalloc object with the old contents
    /// and `kfree(p)`; `new_size` 0 frees `p` and returns ZERO_SIZE_PTR.
    pub fn krealloc(&mut self, addr: VirtAddr, new_size: u64, gfp: Gfp) -> Event {
        let call = format!(
            "krealloc({addr:#x}, {new_size}, {})",
            self.gfp.format_mode(gfp)
        );
        let mut ev = match self.begin(call) {
            Ok(ev) => ev,
            Err(refused) => return *refused,
        };
        if new_size == 0 {
            let summary = self.kfree_memory(&mut ev, addr);
            return match summary {
                Ok(s) => ev.finish(
                    self,
                    CallValue::Address(VirtAddr::new(ZERO_SIZE_PTR)),
                    Outcome::Ok,
                    format!("new size 0: kfree and ZERO_SIZE_PTR; {s}"),
                ),
                Err((o, s)) => ev.finish(self, CallValue::Void, o, s),
            };
        }
        let old_size = if addr.as_u64() <= ZERO_SIZE_PTR {
            0
        } else {
            self.usable_size(addr).unwrap_or(0)
        };
        if old_size >= new_size {
            if self.profile().series == Series::V6_12 && self.gfp.has(gfp, GfpFlag::Zero) {
                let _ = self.write_virt(
                    addr.wrapping_add(new_size),
                    &vec![0; (old_size - new_size) as usize],
                );
            }
            let summary =
                format!("ksize is {old_size} bytes, enough for {new_size}: the same object");
            return ev.finish(self, CallValue::Address(addr), Outcome::Ok, summary);
        }
        match self.kmalloc_memory(&mut ev, new_size, gfp) {
            Ok((new, how)) => {
                if old_size > 0 {
                    let mut data = vec![0u8; old_size as usize];
                    if self.read_virt(addr, &mut data).is_ok() {
                        let _ = self.write_virt(new, &data);
                    }
                    if let Err((o, s)) = self.kfree_memory(&mut ev, addr) {
                        return ev.finish(self, CallValue::Address(new), o, s);
                    }
                }
                let summary =
                    format!("{old_size} bytes copied to a new object: {how}; the old one is freed");
                ev.finish(self, CallValue::Address(new), Outcome::Ok, summary)
            }
            Err((o, why)) => ev.finish(
                self,
                CallValue::Address(VirtAddr::NULL),
                o,
                format!("{why}; the old object is left as it was"),
            ),
        }
    }

    /// `kvrealloc` as each 6.x release has it: 6.6's `kvrealloc(p,
    /// oldsize, newsize, flags)` keeps `p` when `oldsize >= newsize`,
    /// otherwise kvmalloc + memcpy(oldsize) + kvfree. 4.19 has no kvrealloc.
    pub fn kvrealloc(&mut self, addr: VirtAddr, old_size: u64, new_size: u64, gfp: Gfp) -> Event {
        let call = format!(
            "kvrealloc({addr:#x}, {old_size}, {new_size}, {})",
            self.gfp.format_mode(gfp)
        );
        let mut ev = match self.begin(call) {
            Ok(ev) => ev,
            Err(refused) => return *refused,
        };
        if self.profile().series == Series::V4_19 {
            return ev.finish(
                self,
                CallValue::Void,
                Outcome::Refused("4.19 has no kvrealloc()".into()),
                String::new(),
            );
        }
        if old_size >= new_size {
            return ev.finish(
                self,
                CallValue::Address(addr),
                Outcome::Ok,
                format!("old size {old_size} >= new size {new_size}: the same memory"),
            );
        }
        match self.kvmalloc_memory(&mut ev, new_size, gfp) {
            Ok((new, how)) => {
                let mut data =
                    vec![0u8; old_size.min(crate::kernel::memory::MAX_ACCESS_BYTES) as usize];
                if self.read_virt(addr, &mut data).is_ok() {
                    let _ = self.write_virt(new, &data);
                }
                let freed = if self.translator().is_vmalloc_addr(addr).value {
                    self.vfree_memory(&mut ev, addr, false)
                } else {
                    self.kfree_memory(&mut ev, addr)
                };
                match freed {
                    Ok(_) => ev.finish(
                        self,
                        CallValue::Address(new),
                        Outcome::Ok,
                        format!("{how}; {old_size} bytes copied, the old memory freed"),
                    ),
                    Err((o, s)) => ev.finish(self, CallValue::Address(new), o, s),
                }
            }
            Err((o, why)) => ev.finish(self, CallValue::Address(VirtAddr::NULL), o, why),
        }
    }
}

/// kvmalloc's function name in WARN lines.
fn kvmalloc_function(series: Series) -> &'static str {
    match series {
        Series::V6_12 => "__kvmalloc_node_noprof",
        _ => "kvmalloc_node",
    }
}
