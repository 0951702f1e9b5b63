//! Recognising each report in a log and explaining it.

use super::meminfo::{self, Request, Verdict};
use super::{human, Finding, LogLine};
use crate::context::{
    HARDIRQ_MASK, NMI_MASK, PREEMPT_MASK, SOFTIRQ_DISABLE_OFFSET, SOFTIRQ_OFFSET,
};
use crate::gfp::{Gfp, GfpFlag, GfpTable};
use crate::kvmalloc::{self, Fallback};
use crate::layout::{Layout, RegionKind, VMALLOC_END, VMALLOC_START};
use crate::profile::{Change, Profile, Release, Site};
use crate::zone::{MigrateType, ZoneType};
use crate::{Order, VirtAddr, PAGE_SIZE};

/// The kinds of report a log line can start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    PageAllocFailure,
    VmallocFailure,
    SleepingFunction,
    SchedulingWhileAtomic,
    SlabBug,
    KernelBug,
    PageFault,
    GeneralProtection,
    UnexpectedGfp,
    Warning,
}

/// The report a line starts, if any.
fn kind_of(text: &str) -> Option<Kind> {
    let t = text.trim();
    if t.contains(": page allocation failure: order:") {
        Some(Kind::PageAllocFailure)
    } else if t.contains("vmalloc error: size ") || t.contains("vmalloc: allocation failure") {
        Some(Kind::VmallocFailure)
    } else if t.starts_with("BUG: sleeping function called from invalid context") {
        Some(Kind::SleepingFunction)
    } else if t.starts_with("BUG: scheduling while atomic: ") {
        Some(Kind::SchedulingWhileAtomic)
    } else if t.starts_with("BUG: unable to handle ")
        || t.starts_with("BUG: kernel NULL pointer dereference")
    {
        Some(Kind::PageFault)
    } else if t.starts_with("general protection fault") {
        Some(Kind::GeneralProtection)
    } else if t.starts_with("kernel BUG at ") {
        Some(Kind::KernelBug)
    } else if t.starts_with("WARNING: CPU: ") {
        Some(Kind::Warning)
    } else if t.starts_with("Unexpected gfp: ") {
        Some(Kind::UnexpectedGfp)
    } else if slab_bug_head(t).is_some() {
        Some(Kind::SlabBug)
    } else {
        None
    }
}

/// Every report in `lines`, explained. A report's block runs from its
/// first line to the next report's.
pub(super) fn find(lines: &[LogLine], release: Release, table: &GfpTable) -> Vec<Finding> {
    let heads: Vec<(usize, Kind)> = lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| kind_of(l.text).map(|k| (i, k)))
        .collect();
    let d = Decoder {
        release,
        profile: Profile::for_release(release).ok(),
        table,
    };
    heads
        .iter()
        .enumerate()
        .map(|(n, &(start, kind))| {
            let end = heads.get(n + 1).map_or(lines.len(), |h| h.0);
            let block = &lines[start..end];
            let mut finding = match kind {
                Kind::PageAllocFailure => d.page_alloc_failure(block),
                Kind::VmallocFailure => d.vmalloc_failure(block),
                Kind::SleepingFunction => d.sleeping_function(block),
                Kind::SchedulingWhileAtomic => d.scheduling_while_atomic(block),
                Kind::SlabBug => d.slab_bug(block),
                Kind::KernelBug => d.kernel_bug(block),
                Kind::PageFault | Kind::GeneralProtection => d.bad_access(block),
                Kind::UnexpectedGfp => d.unexpected_gfp(block),
                Kind::Warning => d.warning(block),
            };
            finding.line = lines[start].number;
            finding
        })
        .collect()
}

/// The release's facts a decoding needs.
struct Decoder<'t> {
    release: Release,
    /// The profile of the release, when it is a simulated series: some
    /// advice depends on rules only those are modelled with, and report
    /// locations are looked up in its site table.
    profile: Option<Profile>,
    table: &'t GfpTable,
}

/// A finding with a title and nothing else yet.
fn finding(title: String) -> Finding {
    Finding {
        line: 0,
        title,
        facts: Vec::new(),
        advice: Vec::new(),
    }
}

/// The `mode:0x…(names)` of a report line: the mask and the names as
/// printed.
fn parse_mode(text: &str) -> Option<(&str, &str)> {
    let rest = text.split_once("mode:")?.1;
    let hex_len = rest
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_hexdigit() || (i == 1 && c == 'x')))
        .map_or(rest.len(), |(i, _)| i);
    let hex = &rest[..hex_len];
    let names = rest[hex_len..]
        .strip_prefix('(')
        .and_then(|r| r.split_once(')'))
        .map_or("", |(names, _)| names);
    Some((hex, names))
}

/// The number after `key` in `text` ("order:5" → 5).
fn number_after(text: &str, key: &str) -> Option<u64> {
    let rest = text.split_once(key)?.1.trim_start();
    let digits: &str = &rest[..rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len())];
    digits.parse().ok()
}

/// The functions of the block's first call trace, without offsets,
/// modules, `?` (unreliable) entries and `<TASK>`-style markers.
fn call_trace<'a>(block: &[LogLine<'a>]) -> Vec<&'a str> {
    let Some(start) = block.iter().position(|l| l.text.trim() == "Call Trace:") else {
        return Vec::new();
    };
    let mut frames = Vec::new();
    for l in &block[start + 1..] {
        let t = l.text.trim();
        if t.starts_with('<') && t.ends_with('>') {
            continue;
        }
        let mut words = t.split_whitespace();
        let Some(mut word) = words.next() else { break };
        if word.starts_with("[<") {
            match words.next() {
                Some(w) => word = w,
                None => break,
            }
        }
        if word == "?" {
            continue;
        }
        let name = word.split('+').next().unwrap_or(word);
        let symbol = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.');
        if !symbol {
            break;
        }
        frames.push(name);
    }
    frames
}

/// Frames of the allocators and the stack dumper themselves.
fn is_allocator_frame(name: &str) -> bool {
    // `.constprop.0`, `.isra.0`, `.cold`: compiler clones of the function.
    let name = name.split('.').next().unwrap_or(name);
    let name = name.trim_end_matches("_noprof");
    const PREFIXES: [&str; 31] = [
        "dump_stack",
        "__dump_stack",
        "show_stack",
        "warn_alloc",
        "__alloc_pages",
        "alloc_pages",
        "__alloc_frozen_pages",
        "get_page_from_freelist",
        "__get_free_pages",
        "__folio_alloc",
        "folio_alloc",
        "kmalloc",
        "__kmalloc",
        "kmem_cache_alloc",
        "___slab_alloc",
        "__slab_alloc",
        "slab_alloc",
        "new_slab",
        "allocate_slab",
        "alloc_slab_page",
        "__might",
        "___might",
        "___kmalloc",
        "__kmem_cache",
        "kmemdup",
        "kstrdup",
        "krealloc",
        "__get_vm_area",
        "alloc_vmap_area",
        "__dma_direct_alloc",
        "dma_direct_alloc",
    ];
    PREFIXES.iter().any(|p| name.starts_with(p))
        || name.contains("vmalloc")
        || name.starts_with("kvmalloc")
        || name.starts_with("__kvmalloc")
        || name == "might_alloc"
        || name == "might_sleep"
}

/// "called from X" for the first frame outside the allocators.
fn caller_fact(trace: &[&str]) -> Option<String> {
    let caller = trace.iter().find(|f| !is_allocator_frame(f))?;
    let api = trace
        .iter()
        .take_while(|f| *f != caller)
        .filter(|f| !f.starts_with("dump_stack") && !f.starts_with("warn_alloc"))
        .last();
    Some(match api {
        Some(api) => format!("called from {caller} through {api} (the call trace)"),
        None => format!("called from {caller} (the call trace)"),
    })
}

impl Decoder<'_> {
    /// The mask of a `mode:` field, and facts: how this release prints
    /// it (and whether that matches the log), its flags, zones and sleep.
    fn mode_facts(&self, line: &str, facts: &mut Vec<String>) -> Option<Gfp> {
        let (hex, printed) = parse_mode(line)?;
        let gfp = self.table.parse(hex).ok()?;
        let ours = self.table.format_mode(gfp);
        let theirs = format!("{hex}({printed})");
        let names = |text: &str| {
            let mut v: Vec<String> = text.split('|').map(str::to_string).collect();
            v.sort();
            v
        };
        if ours == theirs {
            facts.push(format!("mode {ours}: {}", self.flag_list(gfp)));
        } else if names(printed) == names(&self.table.format(gfp)) {
            facts.push(format!(
                "mode {theirs}: the names {} prints, in another order (newer kernels print the single flags in bit order): {}",
                self.release,
                self.flag_list(gfp)
            ));
        } else {
            facts.push(format!(
                "mode {theirs}: {} prints this mask as {ours}, so the log may come from another release (give --kernel): {}",
                self.release,
                self.flag_list(gfp)
            ));
        }
        let zone = self.table.zone(gfp);
        if zone.valid {
            let zones: Vec<&str> = zone.fallback.iter().map(|z| z.name()).collect();
            facts.push(format!(
                "zones it may use: {} (highest first)",
                zones.join(", ")
            ));
        } else {
            facts.push("zone modifiers: an invalid combination (GFP_ZONE_BAD)".into());
        }
        facts.push(if self.table.allows_blocking(gfp) {
            "may sleep (__GFP_DIRECT_RECLAIM): the kernel reclaimed and compacted before giving up".into()
        } else {
            "may not sleep (no __GFP_DIRECT_RECLAIM): no reclaim or compaction was possible for this request; at most kswapd was woken".into()
        });
        Some(gfp)
    }

    /// The set flags of a mask with their meanings.
    fn flag_list(&self, gfp: Gfp) -> String {
        let set: Vec<String> = self
            .table
            .meanings(gfp)
            .into_iter()
            .filter(|b| b.set)
            .map(|b| format!("{} ({})", b.name, b.meaning.trim_end_matches('.')))
            .collect();
        if set.is_empty() {
            "no flags set".into()
        } else {
            set.join("; ")
        }
    }

    /// Whether the log's kernel has `change`: its profile's answer when the
    /// release is simulated (the pinned release for an unknown point
    /// release), else the change table at the release itself.
    fn has(&self, change: Change) -> bool {
        self.profile.as_ref().map_or_else(
            || crate::profile::changes::applies(change, self.release),
            |p| p.has(change),
        )
    }

    /// Whether kvmalloc would fall back to vmalloc for `size` with `gfp`
    /// in this release.
    fn kvmalloc_advice(&self, size: u64, gfp: Gfp) -> Option<String> {
        if size <= PAGE_SIZE {
            return None;
        }
        if !self.has(Change::Kvmalloc) {
            return Some(format!(
                "if the memory need not be physically contiguous (not for DMA), fall back to vmalloc() when this fails ({} has no kvmalloc(); it arrived in 4.12)",
                self.release
            ));
        }
        let Some(profile) = &self.profile else {
            return Some(
                "if the memory need not be physically contiguous (not for DMA), use kvmalloc(size, GFP_KERNEL): it falls back to vmalloc() when contiguous pages run out".into(),
            );
        };
        let mode = self.table.format(gfp);
        Some(match kvmalloc::plan(profile, self.table, size, gfp).fallback {
            Fallback::Vmalloc { .. } => format!(
                "if the memory need not be physically contiguous (not for DMA), use kvmalloc({size}, {mode}): in {} it falls back to vmalloc() when contiguous pages run out",
                self.release
            ),
            Fallback::None(why) => format!(
                "kvmalloc() would not help with this mask in {}: {}; with GFP_KERNEL it falls back to vmalloc()",
                self.release,
                why.explain()
            ),
            Fallback::TooLarge { .. } => format!(
                "the size is above INT_MAX, which {}'s kvmalloc() refuses too",
                self.release
            ),
        })
    }

    /// `warn_alloc()`'s "page allocation failure" with its Mem-Info.
    fn page_alloc_failure(&self, block: &[LogLine]) -> Finding {
        let head = block[0].text;
        let raw_order = number_after(head, "order:").unwrap_or(0);
        if raw_order > 63 {
            let mut f = finding(format!(
                "page allocation failure: order {raw_order} is impossible"
            ));
            f.facts.push(format!(
                "{raw_order} is {} as a 32-bit signed number: no request of that order reaches warn_alloc() (the page allocator refuses any order above MAX_ORDER before trying, with a WARN, not this report), so the line is corrupt or was edited",
                raw_order as u32 as i32
            ));
            f.advice.push(
                "look at the original log: this field did not come from the kernel as printed"
                    .into(),
            );
            return f;
        }
        let order = raw_order as u8;
        let bytes = 4096u64 << order.min(52);
        let mut f = finding(format!(
            "page allocation failure: order {order}, {} pages, {} contiguous",
            1u64 << order.min(63),
            human(bytes)
        ));
        let comm = head
            .split(": page allocation failure")
            .next()
            .unwrap_or("")
            .trim();
        if !comm.is_empty() {
            f.facts.push(format!("task: {comm}"));
        }
        if order > 0 {
            f.facts.push(format!(
                "a request of more than {} and up to {} rounds up to order {order} (get_order)",
                human(bytes / 2),
                human(bytes)
            ));
        }
        if order > 3 {
            f.facts.push(format!(
                "order {order} is costly (above PAGE_ALLOC_COSTLY_ORDER = 3): the kernel retries less for it and never invokes the OOM killer"
            ));
        }
        let gfp = self.mode_facts(head, &mut f.facts);
        if let Some(c) = caller_fact(&call_trace(block)) {
            f.facts.push(c);
        }
        let Some(gfp) = gfp else {
            f.facts
                .push("the mode is missing or unreadable, so the zones cannot be judged".into());
            return f;
        };
        let zone = self.table.zone(gfp);
        if order > Order::MAX.as_u8() {
            f.facts.push(format!(
                "order {order} is above the largest order the buddy allocator has ({}, {} blocks): no amount of free memory serves it",
                Order::MAX.as_u8(),
                human(4096 << Order::MAX.as_u8())
            ));
        } else {
            let zones = meminfo::parse(block);
            let req = Request {
                order,
                highest: zone.zone,
                reserves: self.table.reserve_access(
                    gfp,
                    order,
                    self.has(Change::ReservesByBlocking),
                ),
                movable: self.table.migratetype(gfp) == MigrateType::Movable,
            };
            let (lines, verdict) = meminfo::judge(&zones, &zone.fallback, req);
            f.facts.extend(lines);
            f.facts.push(match verdict {
                Verdict::Unknown => "why: the text has no Mem-Info lines for those zones, so the free blocks per order are unknown".into(),
                Verdict::Fragmented { free_kb, largest: Some(l) } if l < order as usize => format!(
                    "why: no zone it may use had a free block of order {order} or more; {free_kb} kB were free there, but in pieces of at most order {l} ({}): the free memory is fragmented",
                    human(4096 << l)
                ),
                Verdict::Fragmented { free_kb, .. } => format!(
                    "why: none of the free blocks in the zones it may use ({free_kb} kB free) was of a migratetype this request may take"
                ),
                Verdict::BelowWatermark => format!(
                    "why: blocks of order {order} or more were free, but every zone holding one was at or below its min watermark for this mask: that memory is kept for reclaim and for callers with reserve access"
                ),
                Verdict::Servable(z) => format!(
                    "why: when Mem-Info was printed, {z} could have served it: memory was freed in the meantime, the request was limited to other nodes (nodemask, cpuset, __GFP_THISNODE), or it gave up early (__GFP_NORETRY, deferred compaction)"
                ),
            });
        }
        let blocking = self.table.allows_blocking(gfp);
        if !blocking {
            f.advice.push("if the caller can sleep, use GFP_KERNEL; if it cannot, allocate in advance in process context (or from a mempool) and keep the memory".into());
        }
        if order > 0 {
            if let Some(a) = self.kvmalloc_advice(bytes, gfp) {
                f.advice.push(a);
            }
        }
        if order > 3 {
            f.advice.push("ask for less contiguous memory: several order-0 pages (an array of pages, a scatterlist) or pieces of order 3 or less are far easier to find".into());
        }
        if zone.zone == ZoneType::Dma {
            f.advice.push("GFP_DMA limits the request to ZONE_DMA, the first 16 MiB; unless the device is an ISA-era 24-bit one, use the DMA API (dma_alloc_coherent, dma_map_single) with the device's DMA mask, or GFP_DMA32 for a 32-bit limit".into());
        }
        f.advice.push("if the caller handles NULL and the failure is expected, add __GFP_NOWARN to silence this report".into());
        f
    }

    /// vmalloc's failure messages (mm/vmalloc.c): 4.19's "vmalloc:
    /// allocation failure…", 5.x/6.x's "vmalloc error: size N, …". In the
    /// page and mapping failures the size is what the area had obtained
    /// (`area->nr_pages * PAGE_SIZE`); from 5.13 to 6.3 the page failure
    /// names the page order, and a huge-page attempt (order 9) that fails
    /// is retried with order-0 pages.
    fn vmalloc_failure(&self, block: &[LogLine]) -> Finding {
        let head = block[0].text;
        let size = number_after(head, "size ")
            .or_else(|| number_after(head, "allocation failure: "))
            .or_else(|| number_after(head, " of "));
        let obtained_pages =
            head.contains("failed to allocate pages") || head.contains("failed to map pages");
        let page_order = number_after(head, "page order ");
        let mut f = finding(match (size, obtained_pages) {
            (Some(s), true) => format!(
                "vmalloc failure: the area's pages could not all be had ({} obtained before it gave up)",
                human(s)
            ),
            (Some(s), false) if s >= 1 << 63 => format!(
                "vmalloc failure: an impossible size, {s} bytes ({} as a signed number)",
                s as i64
            ),
            (Some(s), false) => format!("vmalloc failure: {s} bytes ({})", human(s)),
            (None, _) => "vmalloc failure".into(),
        });
        if let (Some(s), true) = (size, obtained_pages) {
            f.facts.push(format!(
                "size {s} is not the size asked for: it is area->nr_pages * PAGE_SIZE, what was obtained when the allocation stopped{}",
                if s == 0 { " (0: not even the first page came)" } else { "" }
            ));
        }
        let reason = if head.contains("exceeds total pages")
            || (head.contains("allocation failure: ") && !head.contains("allocated"))
        {
            if size == Some(0) {
                "size 0: vmalloc(0) returns NULL".to_string()
            } else {
                "the size is larger than all RAM (totalram_pages), so vmalloc refuses before trying"
                    .to_string()
            }
        } else if head.contains("vm_struct allocation failed") {
            format!(
                "no free range of that size plus a guard page in the vmalloc area [{:#x}, {:#x}] (32 TiB), or the small kmalloc of its vm_struct/vmap_area failed",
                VMALLOC_START.as_u64(),
                VMALLOC_END.as_u64()
            )
        } else if head.contains("page array") {
            "the pages[] array (8 bytes per page) could not be allocated".to_string()
        } else if let Some(order) = page_order.filter(|&o| o > 0) {
            format!(
                "page order {order}: this was the huge-page attempt of an area that may be mapped with {} pages (VM_ALLOW_HUGE_VMAP: kvmalloc, vmalloc_huge), which needs free blocks of order {order}: the memory is too fragmented for it, however much is free; the kernel then retries the whole area with order-0 pages (__vmalloc_node_range's fallback)",
                human(PAGE_SIZE << order.min(20))
            )
        } else if head.contains("failed to allocate pages") || head.contains("allocated ") {
            "order-0 pages ran out while filling the area: memory is exhausted (vmalloc takes single pages, so fragmentation does not matter)".to_string()
        } else if head.contains("failed to map pages") {
            "a page table for the mapping could not be allocated".to_string()
        } else {
            "the message is not one this decoder knows".to_string()
        };
        if let (Some(done), true) = (
            number_after(head, "allocated "),
            head.contains("allocated "),
        ) {
            f.facts.push(format!(
                "{done} bytes ({}) were allocated before it failed",
                human(done)
            ));
        }
        f.facts.push(format!("why: {reason}"));
        let huge_attempt = page_order.is_some_and(|o| o > 0);
        if huge_attempt {
            f.facts.push(if self.has(Change::VmallocHugeFailureQuiet) {
                format!(
                    "{} no longer prints this for a huge-page attempt (only for order 0), so the log may come from an older release (give --kernel)",
                    self.release
                )
            } else {
                "before 6.4 this warning is printed even when the order-0 retry then succeeds (6.3 stopped hiding it with __GFP_NOWARN; 6.4's \"do not output a spurious warning when huge vmalloc() fails\" stopped it): unless an order-0 failure follows, or the caller reported one, the memory was allocated".to_string()
            });
        } else if page_order.is_none()
            && head.contains("failed to allocate pages")
            && self.has(Change::VmallocHugeFailureQuiet)
        {
            f.facts.push(format!(
                "{} prints this only for order-0 pages (the message has no page order from 6.4), so the small pages ran out",
                self.release
            ));
        }
        let gfp = self.mode_facts(head, &mut f.facts);
        if let Some(c) = caller_fact(&call_trace(block)) {
            f.facts.push(c);
        }
        match size {
            _ if huge_attempt => f.advice.push("nothing to fix when the caller got its memory (the retry with small pages); if order-0 failures follow, free memory first; a caller that must not see this can pass __GFP_NOWARN".into()),
            Some(s) if s > 1 << 62 => {
                f.facts.push(format!(
                    "{s} is {} as a signed number: a negative value converted to a size",
                    s as i64
                ));
                f.advice.push("check the size computation: validate lengths from users or devices, and use array_size()/kvcalloc() for n * size".into());
            }
            Some(0) if !obtained_pages => {
                f.advice.push("check why the size is 0 before calling vmalloc".into())
            }
            _ if head.contains("exceeds total pages") => {
                f.advice.push("check the size computation: validate lengths from users or devices, and use array_size()/kvcalloc() for n * size".into())
            }
            _ if head.contains("vm_struct") => f.advice.push(
                "look for vmalloc memory that is never freed in /proc/vmallocinfo; a fragmented vmalloc area needs smaller areas".into(),
            ),
            _ => f.advice.push("allocate less, or free memory first: this is a shortage of memory, not of contiguity".into()),
        }
        if !huge_attempt && gfp.is_some_and(|g| !self.table.has(g, GfpFlag::NoWarn)) {
            f.advice.push("if the caller handles NULL and the failure is expected, add __GFP_NOWARN to silence this report".into());
        }
        f
    }

    /// `___might_sleep()` / `__might_resched()`.
    fn sleeping_function(&self, block: &[LogLine]) -> Finding {
        let head = block[0].text.trim();
        let at = head.rsplit(" at ").next().unwrap_or("").trim();
        let mut f = finding(format!(
            "a function that may sleep was called where sleeping is forbidden ({at})"
        ));
        if let Some(what) = self.might_sleep_site(at) {
            f.facts.push(format!("{at} is {what}"));
        }
        let field = |key: &str| block.iter().find_map(|l| number_after(l.text, key));
        let in_atomic = field("in_atomic(): ");
        let irqs_disabled = field("irqs_disabled(): ");
        if let Some(a) = in_atomic {
            f.facts.push(format!(
                "in_atomic(): {a} (preempt_count is {}zero)",
                if a == 0 { "" } else { "not " }
            ));
        }
        let preempt = block.iter().find_map(|l| {
            let rest = l.text.trim().strip_prefix("preempt_count: ")?;
            u32::from_str_radix(rest.split(',').next()?.trim(), 16).ok()
        });
        let mut causes = preempt.map(preempt_parts).unwrap_or_default();
        if preempt.is_none() && in_atomic == Some(1) {
            causes.push(format!(
                "preemption is off: a spinlock held, preempt_disable(), or interrupt or softirq context ({} does not print preempt_count; the Preemption disabled at line, when present, says where)",
                self.release
            ));
        }
        if irqs_disabled == Some(1) {
            causes.push(
                "interrupts are disabled (local_irq_disable, spin_lock_irq or spin_lock_irqsave)"
                    .into(),
            );
        }
        if let Some(rcu) = field("RCU nest depth: ").filter(|&d| d > 0) {
            causes.push(format!("inside {rcu} rcu_read_lock() section(s)"));
        }
        if let Some(p) = preempt {
            f.facts.push(format!("preempt_count {p:#x}"));
        }
        for c in &causes {
            f.facts.push(format!("- {c}"));
        }
        if let Some(i) = block
            .iter()
            .position(|l| l.text.trim() == "Preemption disabled at:")
        {
            if let Some(next) = block.get(i + 1) {
                f.facts
                    .push(format!("preemption was disabled at {}", next.text.trim()));
            }
        }
        let trace = call_trace(block);
        let vmalloc = trace
            .iter()
            .any(|t| t.contains("vmalloc") || t.contains("vmap"))
            || at.starts_with("mm/vmalloc.c");
        if let Some(c) = caller_fact(&trace) {
            f.facts.push(c);
        }
        f.facts.push("the kernel printed a warning and went on (CONFIG_DEBUG_ATOMIC_SLEEP); had it slept, it would have been \"scheduling while atomic\" or a deadlock".into());
        let interrupt =
            preempt.is_some_and(|p| p & (HARDIRQ_MASK | NMI_MASK | SOFTIRQ_OFFSET) != 0);
        if field("RCU nest depth: ").is_some() {
            f.facts.push("the RCU nest depth line exists only in kernels built with CONFIG_PREEMPT_RCU (a preemptible kernel)".into());
        } else if preempt.is_some() {
            f.facts.push(format!(
                "no RCU nest depth line: {} was built without CONFIG_PREEMPT_RCU, where an rcu_read_lock() section counts as preemption disabled",
                self.release
            ));
        }
        if let Some(sleeper) = Sleeper::of(at, &trace) {
            f.facts.push(format!("what sleeps: {}", sleeper.what()));
            f.advice.push(sleeper.advice(interrupt).into());
        } else if vmalloc {
            f.advice.push("vmalloc() and vfree() may always sleep (page tables are allocated with GFP_KERNEL) and no flag changes that: allocate beforehand in process context, and free with vfree_atomic() or from a work item".into());
        } else if interrupt {
            f.advice.push("in interrupt context use GFP_ATOMIC (or GFP_NOWAIT when failure is acceptable), or move the work to a workqueue, where GFP_KERNEL is allowed".into());
        } else {
            f.advice.push("allocate before taking the lock (or disabling interrupts/preemption), or use GFP_ATOMIC / GFP_NOWAIT inside the section".into());
        }
        f
    }

    /// What a might-sleep location of this release is.
    fn might_sleep_site(&self, at: &str) -> Option<&'static str> {
        let profile = self.profile.as_ref()?;
        let shared = profile.site(Site::SlabMightSleep) == profile.site(Site::AllocPagesMightSleep);
        Some(match profile.find_site(at)? {
            Site::SlabMightSleep | Site::AllocPagesMightSleep if shared => "might_alloc(): the might_sleep check of every allocator (kmalloc, kmem_cache_alloc, alloc_pages) with a blocking mask",
            Site::SlabMightSleep => "the slab allocator's might_sleep check (kmalloc, kmem_cache_alloc with a blocking mask)",
            Site::AllocPagesMightSleep => "the page allocator's might_sleep check (alloc_pages with a blocking mask)",
            Site::VmapAreaMightSleep => "alloc_vmap_area()'s might_sleep(): every vmalloc",
            Site::VfreeMightSleep => "vfree()'s might_sleep()",
            _ => return None,
        })
    }

    /// `__schedule_bug()`: "BUG: scheduling while atomic: comm/pid/0x…".
    fn scheduling_while_atomic(&self, block: &[LogLine]) -> Finding {
        let head = block[0].text.trim();
        let rest = head.trim_start_matches("BUG: scheduling while atomic: ");
        let count = rest
            .rsplit('/')
            .next()
            .and_then(|h| u32::from_str_radix(h.trim().trim_start_matches("0x"), 16).ok());
        let mut f = finding("the task slept (called schedule) in atomic context".into());
        if let Some(c) = count {
            f.facts.push(format!("preempt_count {c:#x}"));
            f.facts
                .extend(preempt_parts(c).into_iter().map(|p| format!("- {p}")));
        }
        if let Some(c) = caller_fact(&call_trace(block)) {
            f.facts.push(c);
        }
        f.advice.push("find what slept (a GFP_KERNEL allocation, mutex_lock, msleep, copy_from_user) in the trace and move it out of the atomic section, or use its non-sleeping form (GFP_ATOMIC)".into());
        f
    }

    /// SLUB's `slab_bug()`: "BUG <cache> (<taint>): <what>".
    fn slab_bug(&self, block: &[LogLine]) -> Finding {
        let (cache, what) = slab_bug_head(block[0].text.trim()).unwrap_or(("?", "?"));
        let mut f = finding(format!("SLUB found corruption in {cache}: {what}"));
        let object_size = kmalloc_size(cache);
        if let Some(s) = object_size {
            f.facts.push(format!("{cache} holds objects of {s} bytes"));
        }
        let info = |l: &LogLine<'_>| {
            let t = l.text.trim();
            t.strip_prefix("INFO: ").unwrap_or(t).to_string()
        };
        for l in block.iter().skip(1) {
            let t = info(l);
            if t.starts_with("Allocated in ") || t.starts_with("Freed in ") {
                let site = t.split(" age=").next().unwrap_or(&t);
                f.facts.push(site.to_string());
            }
        }
        let object_offset = block.iter().find_map(|l| {
            let t = info(l);
            t.starts_with("Object 0x")
                .then(|| number_after(&t, "@offset="))
                .flatten()
        });
        let fault = block.iter().find_map(|l| {
            let t = info(l);
            if !t.contains("First byte") {
                return None;
            }
            let first = t.split("First byte ").nth(1)?.to_string();
            Some((number_after(&t, "@offset="), first))
        });
        if let Some((offset, first)) = &fault {
            f.facts.push(format!("first wrong byte: {first}"));
            if let (Some(at), Some(obj)) = (offset, object_offset) {
                let delta = *at as i64 - obj as i64;
                f.facts.push(match object_size {
                    Some(size) if delta >= size as i64 => format!(
                        "it is {} byte(s) past the end of the {size}-byte object",
                        delta - size as i64 + 1
                    ),
                    _ if delta < 0 => format!("it is {} byte(s) before the object", -delta),
                    Some(size) => format!("it is at byte {delta} of the {size}-byte object"),
                    None => format!("it is at byte {delta} of the object"),
                });
                if what.starts_with("kmalloc Redzone") && delta >= 0 {
                    f.facts.push(format!(
                        "the kmalloc red zone starts at the size asked for, so the kmalloc request was at most {delta} bytes"
                    ));
                }
            }
        }
        let (cause, advice) = slab_bug_cause(what);
        f.facts.push(format!("what happened: {cause}"));
        f.advice.push(advice.into());
        f.advice.push("KASAN (CONFIG_KASAN) catches such bugs at the faulting access instead of at the next check".into());
        f
    }

    /// `kernel BUG at file:line!`.
    fn kernel_bug(&self, block: &[LogLine]) -> Finding {
        let at = block[0]
            .text
            .trim()
            .trim_start_matches("kernel BUG at ")
            .trim_end_matches('!');
        let mut f = finding(format!(
            "BUG_ON fired at {at}: the kernel oopsed and killed the task"
        ));
        let site = self.profile.as_ref().and_then(|p| p.find_site(at));
        let known = site.and_then(|site| match site {
            Site::VmallocInInterrupt => Some((
                "BUG_ON(in_interrupt()) in __vmalloc_node_range: vmalloc was called from interrupt context (a hardirq, a softirq, or with bottom halves disabled)",
                "allocate in process context beforehand, or use kmalloc with GFP_ATOMIC for small buffers in the interrupt",
            )),
            Site::VfreeInNmi | Site::VfreeAtomicInNmi => {
                Some((
                    "BUG_ON(in_nmi()): vfree was called from NMI context",
                    "never free (or allocate) memory in an NMI handler; hand the pointer to irq_work or a workqueue",
                ))
            }
            Site::DoubleFree => Some((
                "BUG_ON(object == fp) in set_freepointer (CONFIG_SLAB_FREELIST_HARDENED): an object was freed twice in a row, so it would point to itself on the free list",
                "free each object once: set the pointer to NULL after kfree, and check every path that frees it; slub_debug or KASAN name both frees",
            )),
            Site::KfreeNotCompound => Some((
                "BUG_ON(!PageCompound(page)) in kfree: the pointer is not slab memory and not a large kmalloc, e.g. a page from alloc_page()",
                "free memory with the function that matches its allocator: __free_pages/free_page for alloc_pages, vfree for vmalloc, kvfree for kvmalloc",
            )),
            _ => None,
        });
        match known {
            Some((what, advice)) => {
                f.facts.push(what.into());
                f.advice.push(advice.into());
            }
            None => f.facts.push(format!(
                "read the BUG_ON at {at} in the {} source: its condition is what went wrong",
                self.release
            )),
        }
        if let Some(c) = caller_fact(&call_trace(block)) {
            f.facts.push(c);
        }
        f
    }

    /// Page-fault oopses and general protection faults: what the address
    /// is.
    fn bad_access(&self, block: &[LogLine]) -> Finding {
        let head = block[0].text.trim();
        // "… address: 0000000000000010", "… non-canonical address 0x6b6b…:
        // 0000 [#1] …", 4.19's "… paging request at ffff…".
        let addr = ["address: ", "address ", " at "].iter().find_map(|key| {
            let word = head.split_once(key)?.1.split_whitespace().next()?;
            let hex = word.trim_end_matches(':').trim_start_matches("0x");
            u64::from_str_radix(hex, 16).ok()
        });
        let gp = head.starts_with("general protection fault");
        let mut f = finding(match addr {
            Some(a) if gp => format!("general protection fault at {a:#x}"),
            Some(a) => format!("kernel page fault at {a:#018x}"),
            None => "general protection fault (4.19 does not print the address)".into(),
        });
        for l in block {
            if let Some(access) = l.text.trim().strip_prefix("#PF: ") {
                f.facts.push(access.to_string());
            }
        }
        if let Some(a) = addr {
            let (what, advice) = self.classify(a);
            f.facts.push(format!("the address: {what}"));
            f.advice.push(advice);
        } else {
            f.facts.push("an access to a non-canonical address (bits 63..47 not all equal): a corrupted or poisoned pointer".into());
            f.advice.push("look at the registers in the oops for a value like 0x6b6b6b6b6b6b6b6b (freed slab memory) or 0xdead000000000100 (a list_del'd entry)".into());
        }
        if let Some(c) = caller_fact(&call_trace(block)) {
            f.facts.push(c);
        }
        f
    }

    /// What an address is, and what to look for.
    fn classify(&self, a: u64) -> (String, String) {
        const POISON_POINTER_DELTA: u64 = 0xdead_0000_0000_0000;
        if a == 16 {
            return (
                "0x10 is ZERO_SIZE_PTR, what kmalloc(0) returns; it must not be dereferenced".into(),
                "check for a zero size before kmalloc, or treat ZERO_OR_NULL_PTR() results as empty".into(),
            );
        }
        if a < 4096 {
            return (
                format!("a NULL pointer plus {a:#x}: a field at offset {a:#x} of a structure whose pointer is NULL"),
                "check the allocation (or lookup) that produced the pointer for NULL before using it".into(),
            );
        }
        if a >> 32 == 0x6b6b_6b6b {
            return (
                "made of 0x6b, slub_debug's poison for freed objects: a pointer read from memory after kfree".into(),
                "a use after free: find who still holds the object after kfree (set pointers to NULL, use reference counts)".into(),
            );
        }
        if a == POISON_POINTER_DELTA + 0x100 || a == POISON_POINTER_DELTA + 0x122 {
            return (
                format!("LIST_POISON{}: the next/prev pointer of a list entry after list_del()", if a & 0x22 != 0 { 2 } else { 1 }),
                "an entry was used (or deleted again) after list_del(): use list_del_init() or check list membership".into(),
            );
        }
        let profile =
            Profile::for_release(self.release).unwrap_or_else(|_| Profile::default_profile());
        let layout = Layout::new(&profile);
        let region = layout.region_of(VirtAddr::new(a));
        let text = match region.kind {
            RegionKind::NonCanonical => (
                "not canonical (bits 63..47 not all equal): a corrupted pointer".to_string(),
                "look for memory corruption: an overflow into the structure holding the pointer, or a use after free".to_string(),
            ),
            RegionKind::User => (
                "a user-space address: the kernel dereferenced a user pointer directly".into(),
                "use copy_from_user()/copy_to_user() (or get_user/put_user) for user pointers".into(),
            ),
            RegionKind::DirectMap => (
                "in the direct map, but with no page mapped: past the end of RAM, or a page unmapped by DEBUG_PAGEALLOC after it was freed".into(),
                "check the pointer arithmetic, and whether the page was already freed".into(),
            ),
            RegionKind::Vmalloc => (
                "in the vmalloc area, but not mapped: a vfree'd area (use after vfree) or the guard page after an area (an overflow of a vmalloc buffer)".into(),
                "check that the buffer is still allocated and that the access stays inside its size".into(),
            ),
            RegionKind::Vmemmap | RegionKind::Hole if a >= crate::layout::VMEMMAP_START.as_u64() && a < crate::layout::START_KERNEL_MAP.as_u64() => (
                "a struct page address outside the memory map: virt_to_page() (or kfree) of an address that is not in the direct map, such as a vmalloc pointer".into(),
                "use vmalloc_to_page() for vmalloc addresses, kvfree() for kvmalloc memory, and is_vmalloc_addr() to tell them apart".into(),
            ),
            _ => (
                format!("in {} ({}), which has nothing mapped there", region.name, self.release),
                "check where the pointer came from".into(),
            ),
        };
        text
    }

    /// `WARNING: CPU: 0 PID: 1 at file:line function`: the memory API's
    /// WARNs this release has at that location.
    fn warning(&self, block: &[LogLine]) -> Finding {
        let head = block[0].text.trim();
        let at = head.split(" at ").nth(1).unwrap_or("").trim();
        let location = at.split_whitespace().next().unwrap_or("");
        let mut f = finding(format!(
            "a WARN fired at {at}: the kernel printed a stack and went on"
        ));
        let site = self.profile.as_ref().and_then(|p| p.find_site(location));
        let known = site.and_then(|site| WARNINGS.iter().find(|(key, _, _)| *key == site));
        match known {
            Some((_, what, advice)) => {
                f.facts.push((*what).into());
                f.advice.push((*advice).into());
            }
            None => f.facts.push(format!(
                "read the WARN_ON at {location} in the {} source: its condition is what went wrong",
                self.release
            )),
        }
        if let Some(c) = caller_fact(&call_trace(block)) {
            f.facts.push(c);
        }
        f
    }

    /// kmalloc's "Unexpected gfp: … Fix your code!".
    fn unexpected_gfp(&self, block: &[LogLine]) -> Finding {
        let head = block[0].text.trim();
        let mut f = finding("kmalloc got zone modifiers that slab memory cannot honour".into());
        f.facts.push(head.to_string());
        f.facts.push("GFP_SLAB_BUG_MASK (__GFP_DMA32, __GFP_HIGHMEM and bits outside __GFP_BITS_MASK) is stripped, and the slab is allocated anyway: the caller gets memory that is not in the zone it asked for".into());
        f.advice.push("drop __GFP_DMA32/__GFP_HIGHMEM from kmalloc masks: use GFP_DMA for the dma-kmalloc caches, alloc_pages(GFP_DMA32, …) for pages below 4 GiB, or the DMA API".into());
        f
    }
}

/// The memory API's WARNs: the site (its location comes from the site
/// table of the log's release), what it means, what to do.
const WARNINGS: [(Site, &str, &str); 9] = [
    (
        Site::OrderTooLarge,
        "WARN_ON_ONCE(order > MAX_ORDER) in the page allocator: a request above 4 MiB (order 10), e.g. kmalloc of more than KMALLOC_MAX_SIZE; it returned NULL",
        "use vmalloc/kvmalloc for large buffers, or add __GFP_NOWARN where a too-large size is an expected, handled input",
    ),
    (
        Site::VmallocZeroSize,
        "WARN_ON_ONCE(!size) in __vmalloc_node_range: vmalloc(0); it returned NULL",
        "check the size before calling vmalloc",
    ),
    (
        Site::KvmallocIntMax,
        "kvmalloc refuses sizes above INT_MAX (WARN_ON_ONCE unless __GFP_NOWARN) and returned NULL",
        "validate the size: buffers above 2 GiB usually come from an overflowed or unchecked length",
    ),
    (
        Site::FreeLargeKmalloc,
        "free_large_kmalloc: kfree of a page that is not slab memory and has order 0, i.e. not from kmalloc (an alloc_page() page)",
        "free pages from alloc_pages with __free_pages/free_page, and kmalloc memory with kfree",
    ),
    (
        Site::KmemCacheDestroy,
        "kmem_cache_destroy of a cache that still has objects allocated: the cache is leaked",
        "free every object of the cache (kmem_cache_free) before destroying it",
    ),
    (
        Site::VfreeBadAddress,
        "vfree of an address that is not the start of a vmalloc area (not page-aligned)",
        "pass vfree exactly the pointer vmalloc returned",
    ),
    (
        Site::VfreeNonexistent,
        "vfree of an address with no vmalloc area: already freed, or never from vmalloc",
        "free each vmalloc area once, and use kvfree when the memory may come from kmalloc or vmalloc",
    ),
    (
        Site::WrongSlabCache,
        "kmem_cache_free into a cache the object does not belong to",
        "free an object into the cache it was allocated from",
    ),
    (
        Site::NofailNoReclaim,
        "__GFP_NOFAIL without __GFP_DIRECT_RECLAIM: the allocator cannot keep its promise never to fail",
        "__GFP_NOFAIL needs a blocking mask (GFP_KERNEL | __GFP_NOFAIL); in atomic context handle failure instead",
    ),
];

/// "BUG kmalloc-128 (Not tainted): Object already free" → (cache, what).
fn slab_bug_head(t: &str) -> Option<(&str, &str)> {
    let rest = t.strip_prefix("BUG ")?;
    let (cache, rest) = rest.split_once(" (")?;
    if cache.contains(' ') || cache.ends_with(':') {
        return None;
    }
    let (taint, what) = rest.split_once("): ")?;
    (taint.starts_with("Not tainted") || taint.starts_with("Tainted"))
        .then_some((cache, what.trim()))
}

/// The object size of a kmalloc cache name (`kmalloc-128`, `kmalloc-8k`,
/// `dma-kmalloc-96`, `kmalloc-cg-64`, `kmalloc-rnd-03-256`).
fn kmalloc_size(cache: &str) -> Option<u64> {
    if !cache.contains("kmalloc-") {
        return None;
    }
    let last = cache.rsplit('-').next()?;
    match last.strip_suffix('k') {
        Some(k) => k.parse::<u64>().ok().map(|k| k * 1024),
        None => last.parse().ok(),
    }
}

/// What a `slab_bug()` message means, and what to do.
fn slab_bug_cause(what: &str) -> (&'static str, &'static str) {
    if what.starts_with("Object already free") || what.contains("allocated objects but") {
        (
            "a double free: the object was freed while already free",
            "free each object once: set the pointer to NULL after kfree, and check every path that frees it (the Freed in line is the first free)",
        )
    } else if what.starts_with("Left Redzone") {
        (
            "a write before the start of the object (a buffer underflow)",
            "check negative indexes and pointer arithmetic that steps back before the buffer",
        )
    } else if what.starts_with("kmalloc Redzone") {
        (
            "a write past the size passed to kmalloc, still inside the cache's larger object (a buffer overflow the rounding up hid)",
            "allocate what is written (check the length computation and off-by-one loops), or bound the write by the size allocated",
        )
    } else if what.contains("Redzone") || what.contains("padding") || what.starts_with("Padding") {
        (
            "a write past the end of the object (a buffer overflow)",
            "bound every write by the size allocated; check off-by-one loops and string terminators",
        )
    } else if what.starts_with("Poison overwritten") {
        (
            "a write into the object after it was freed (a use after free)",
            "find who still holds the pointer after kfree; use reference counts or clear the pointer when freeing",
        )
    } else if what.starts_with("Invalid object pointer") {
        (
            "kfree of a pointer that is not the start of an object of this cache (an interior pointer, or a pointer into another cache)",
            "free exactly the pointer the allocator returned, and into the cache it came from",
        )
    } else if what.starts_with("Freepointer corrupt") || what.contains("Freechain") {
        (
            "the free list pointer inside a free object was overwritten: a write after free or an overflow from the previous object",
            "look for a use after free or an overflow of the neighbouring object",
        )
    } else {
        (
            "the slab's bookkeeping does not add up: memory corruption",
            "run with KASAN to find the bad access",
        )
    }
}

/// A function that sleeps by design, as a might-sleep report names it by
/// its location or its frames.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sleeper {
    /// `mutex_lock()` and its kin (kernel/locking/mutex.c).
    Mutex,
    /// `down()`, `down_read()`, `down_write()` (semaphore.c, rwsem.c).
    Semaphore,
    /// `msleep()`, `cond_resched()`, `wait_for_completion()`, `schedule()`.
    Wait,
    /// `copy_from_user()` and the others that may fault on user memory.
    UserCopy,
}

impl Sleeper {
    fn of(at: &str, trace: &[&str]) -> Option<Sleeper> {
        let named = |prefixes: &[&str]| {
            trace
                .iter()
                .take(6)
                .any(|f| prefixes.iter().any(|p| f.starts_with(p)))
        };
        if at.starts_with("kernel/locking/mutex.c")
            || named(&["mutex_lock", "__mutex_lock", "mutex_lock_interruptible"])
        {
            Some(Sleeper::Mutex)
        } else if at.starts_with("kernel/locking/semaphore.c")
            || at.starts_with("kernel/locking/rwsem.c")
            || named(&[
                "down_read",
                "down_write",
                "down_interruptible",
                "down_timeout",
            ])
        {
            Some(Sleeper::Semaphore)
        } else if at.starts_with("kernel/sched/completion.c")
            || at.starts_with("kernel/time/")
            || named(&[
                "msleep",
                "__cond_resched",
                "wait_for_completion",
                "schedule_timeout",
                "usleep_range",
            ])
        {
            Some(Sleeper::Wait)
        } else if at.starts_with("include/linux/uaccess.h")
            || named(&["__might_fault", "_copy_from_user", "_copy_to_user"])
        {
            Some(Sleeper::UserCopy)
        } else {
            None
        }
    }

    fn what(self) -> &'static str {
        match self {
            Sleeper::Mutex => "mutex_lock(): a mutex waits by sleeping when another task holds it",
            Sleeper::Semaphore => "a semaphore or rw-semaphore (down, down_read, down_write) waits by sleeping",
            Sleeper::Wait => "a function that waits by sleeping (msleep, cond_resched, wait_for_completion, schedule_timeout)",
            Sleeper::UserCopy => "a copy from or to user memory, which may fault and sleep while the page is read in",
        }
    }

    fn advice(self, interrupt: bool) -> &'static str {
        match (self, interrupt) {
            (Sleeper::Mutex | Sleeper::Semaphore, true) => "an interrupt handler (or softirq, timer, tasklet) cannot take a mutex or semaphore: protect the data with a spinlock (spin_lock_irqsave), or move the work that needs the mutex to a workqueue or a threaded IRQ handler (request_threaded_irq), where sleeping is allowed",
            (Sleeper::Mutex | Sleeper::Semaphore, false) => "do not take a mutex or semaphore inside a spinlock, an RCU read section or with interrupts off: take it before (mutex outside, spinlock inside), or protect this data with the spinlock only",
            (Sleeper::Wait, true) => "an interrupt handler must not wait: use udelay()/mdelay() for a short busy wait, or defer the work to a workqueue or a threaded IRQ handler",
            (Sleeper::Wait, false) => "release the spinlock (or re-enable preemption) before waiting, or use udelay()/mdelay() for a short busy wait",
            (Sleeper::UserCopy, _) => "copy the user data into a kernel buffer before taking the lock (or entering atomic context), then work on the copy",
        }
    }
}

/// The contexts a `preempt_count` value encodes.
fn preempt_parts(count: u32) -> Vec<String> {
    let mut parts = Vec::new();
    if count & NMI_MASK != 0 {
        parts.push("in an NMI handler".to_string());
    }
    let hardirq = (count & HARDIRQ_MASK) >> HARDIRQ_MASK.trailing_zeros();
    if hardirq > 0 && count & NMI_MASK == 0 {
        parts.push(format!("in a hardirq handler (depth {hardirq})"));
    }
    if count & SOFTIRQ_OFFSET != 0 {
        parts.push("running a softirq (or tasklet, or timer callback)".to_string());
    }
    let bh = (count & 0xfe00) / SOFTIRQ_DISABLE_OFFSET;
    if bh > 0 {
        parts.push(format!(
            "bottom halves disabled {bh} time(s) (local_bh_disable, spin_lock_bh)"
        ));
    }
    let preempt = count & PREEMPT_MASK;
    if preempt > 0 {
        parts.push(format!(
            "preemption disabled {preempt} time(s): a spinlock held (spin_lock), preempt_disable(), get_cpu() or similar"
        ));
    }
    parts
}
