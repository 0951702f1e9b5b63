//! The kernel's reports, in each release's wording: WARNINGs, the
//! "sleeping function called from invalid context" report, page allocation
//! failures with their Mem-Info, bad page state, `kernel BUG at`, and page
//! fault oopses.
//!
//! Sources (read from the release trees named in kernel-facts §0):
//! `warn_alloc()` and `show_free_areas()` (4.19 mm/page_alloc.c; 6.6/6.12
//! mm/page_alloc.c and mm/show_mem.c), `cpuset_print_current_mems_allowed()`
//! (kernel/cgroup/cpuset.c), `dump_stack_print_info()` (lib/dump_stack.c),
//! `___might_sleep()` (4.19) and `__might_resched()` (6.x)
//! (kernel/sched/core.c), `show_fault_oops()` (arch/x86/mm/fault.c),
//! `__die()` / `__die_header()` (arch/x86/kernel/dumpstack.c),
//! `show_swap_cache_info()`, `hugetlb_show_meminfo*()`, `__show_mem()`.
//!
//! The machine is a distribution build (CONFIG_NUMA, CONFIG_SMP,
//! CONFIG_TRANSPARENT_HUGEPAGE, CONFIG_CMA, CONFIG_MEMORY_FAILURE,
//! CONFIG_ZONE_DEVICE; voluntary preemption in 4.19, PREEMPT_DYNAMIC and
//! PREEMPT_RCU in 6.x) on QEMU's default AMD-vendor CPU, so page-table
//! isolation is off (" NOPTI"). A WARN, BUG or oops prints the trap's
//! registers through `show_regs()` (see [`show_regs`]); `dump_stack()`
//! callers (might_sleep, warn_alloc) print the stack alone. Every trace
//! runs down through the script's init function to insmod's
//! `finit_module()`.

mod show_regs;

pub use show_regs::{Instruction, Regs, Trap};

use crate::addr::{Pfn, VirtAddr};
use crate::gfp::Gfp;
use crate::kernel::{Kernel, COMM, PID};
use crate::memmap::FrameUse;
use crate::profile::{Change, Name, Site};
use crate::translate::PtLevel;
use crate::zone::MigrateType;

/// The hardware line of `dump_stack()` (the SMBIOS strings of QEMU's PC).
pub const HARDWARE_NAME: &str =
    "QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.3-debian-1.16.3-2 04/01/2014";

/// `CUT_HERE` (include/asm-generic/bug.h).
const CUT_HERE: &str = "------------[ cut here ]------------";

/// `%pS` of the call site in the playground's code: the script runs as the
/// init function of a module named `playground`, each call at its own
/// offset.
pub fn caller_symbol(seq: u32) -> String {
    let offset = caller_address(seq) - crate::layout::MODULES_VADDR.as_u64();
    format!("playground_init+{offset:#x}/0x1000 [playground]")
}

/// The address of the call site `caller_symbol` names: `playground_init`
/// starts the module's text, loaded at `MODULES_VADDR` (`_RET_IP_` of the
/// call).
pub fn caller_address(seq: u32) -> u64 {
    crate::layout::MODULES_VADDR.as_u64() + 0x1c + 0x28 * (u64::from(seq) % 0x60)
}

/// `dump_stack_print_info()`: the CPU line (6.12 adds `UID:` and a verbose
/// taint line) and the hardware line.
pub fn cpu_lines(k: &Kernel) -> Vec<String> {
    let p = k.profile();
    let flags = taint_flag_count(p);
    let taint = k.taint.describe(flags);
    let mut lines = Vec::new();
    if p.has(Change::CpuLineUid) {
        lines.push(format!(
            "CPU: 0 UID: 0 PID: {PID} Comm: {COMM} {taint} {} #1",
            p.uname
        ));
        if !k.taint.is_clean() {
            lines.push(k.taint.describe_verbose(flags));
        }
    } else {
        lines.push(format!(
            "CPU: 0 PID: {PID} Comm: {COMM} {taint} {} #1",
            p.uname
        ));
    }
    lines.push(format!("Hardware name: {HARDWARE_NAME}"));
    lines
}

/// `print_modules()` while the script's init function runs: the module,
/// out of tree (`O`) and still coming (`+`).
pub fn modules_linked_in() -> String {
    "Modules linked in: playground(O+)".to_string()
}

/// `dump_stack()`: CPU lines and the call trace from `dump_stack` itself
/// (6.x `dump_stack_lvl`) through `trace` and the calling API's frames to
/// the script.
pub fn dump_stack(k: &Kernel, trace: &[&str]) -> Vec<String> {
    let mut lines = cpu_lines(k);
    let head = vec![format!(" {}", show_regs::dump_stack_frame(k))];
    lines.extend(show_regs::stack_trace(
        k,
        head,
        &k.trace_with_api(trace),
        true,
    ));
    lines
}

/// A `WARN_ON` report (`__warn()`), or with `message` a `WARN(cond, fmt,
/// ...)` report: on x86 `__warn_printk()` prints the
/// message right after the "cut here" line, before the `WARNING:` line.
pub fn warning_with_message(
    k: &Kernel,
    site: Site,
    message: Option<&str>,
    trace: &[&str],
) -> Vec<String> {
    let at = k.profile().site(site);
    let mut lines = Vec::new();
    // Every plain warning modelled is a WARN_ON_ONCE, which 4.19 traps
    // without "cut here"; a WARN with a message prints it from
    // `__warn_printk()`, and 5.x's report_bug() prints it for all.
    if message.is_some() || k.profile().has(Change::WarnOnCutHere) {
        lines.push(CUT_HERE.to_string());
    }
    lines.extend(message.map(str::to_string));
    lines.push(format!(
        "WARNING: CPU: 0 PID: {PID} at {} {}",
        at.location(),
        k.profile().symbol(at.function)
    ));
    lines.push(modules_linked_in());
    let regs = Regs {
        trap: Trap::Warn,
        function: at.function,
        args: [0, 0],
    };
    lines.extend(show_regs::show_regs(k, &regs, &k.trace_with_api(trace)));
    lines.push(end_trace(k));
    lines
}

fn end_trace(k: &Kernel) -> String {
    // 4.19 prints a random oops id; 6.x prints zeroes.
    let id = if k.profile().has(Change::EndTraceZeroId) {
        0
    } else {
        crate::memmap::splitmix64(k.config().machine.seed)
    };
    format!("---[ end trace {id:016x} ]---")
}

/// The "sleeping function called from invalid context" report.
pub fn might_sleep(k: &Kernel, site: Site, trace: &[&str]) -> Vec<String> {
    let p = k.profile();
    let c = k.context;
    let mut lines = vec![format!(
        "BUG: sleeping function called from invalid context at {}",
        p.site(site).location()
    )];
    let non_block = if p.has(Change::MightSleepNonBlock) {
        "non_block: 0, "
    } else {
        ""
    };
    lines.push(format!(
        "in_atomic(): {}, irqs_disabled(): {}, {non_block}pid: {PID}, name: {COMM}",
        c.in_atomic() as u8,
        c.irqs_disabled as u8
    ));
    if p.has(Change::MightSleepPreemptCount) {
        lines.push(format!("preempt_count: {:x}, expected: 0", c.preempt_count));
        lines.push("RCU nest depth: 0, expected: 0".into());
    }
    // might_sleep() calls __might_sleep(), which calls the check.
    let mut full: Vec<&str> = vec![p.name(Name::MightSleep), "__might_sleep"];
    if site == Site::AllocPagesMightSleep {
        full.push(p.name(Name::AllocPages));
    }
    full.extend(trace);
    lines.extend(dump_stack(k, &full));
    lines
}

/// A page allocation failure: `warn_alloc()` and, when `with_mem_info`, the
/// Mem-Info of `show_mem()`. `oom` adds the OOM killer's verdict on the
/// caller.
pub fn page_allocation_failure(
    k: &Kernel,
    gfp: Gfp,
    order: u8,
    oom: bool,
    with_mem_info: bool,
) -> Vec<String> {
    let entry = k.profile().name(Name::AllocPages);
    let mut lines = warn_alloc(
        k,
        gfp,
        &format!("page allocation failure: order:{order}"),
        &["warn_alloc", "__alloc_pages_slowpath", entry],
        with_mem_info,
    );
    if oom {
        lines.push(format!(
            "Out of memory: the OOM killer chooses {COMM} (pid {PID}), the task that asked; its allocation fails"
        ));
    }
    lines
}

/// `warn_alloc(gfp, NULL, fmt, ...)`: `"%s: %pV, mode:%#x(%pGg),
/// nodemask=%*pbl"` (6.x appends the cpuset on the same line), the stack
/// and, when `with_mem_info`, the Mem-Info.
pub fn warn_alloc(
    k: &Kernel,
    gfp: Gfp,
    message: &str,
    trace: &[&str],
    with_mem_info: bool,
) -> Vec<String> {
    let p = k.profile();
    let mode = k.gfp.format_mode(gfp);
    let mut lines = Vec::new();
    let head = format!("{COMM}: {message}, mode:{mode}, nodemask=(null)");
    if p.has(Change::WarnAllocCpusetInline) {
        lines.push(format!("{head},cpuset=/,mems_allowed=0"));
    } else {
        lines.push(head);
        lines.push(format!("{COMM} cpuset=/ mems_allowed=0"));
    }
    lines.extend(dump_stack(k, trace));
    // 6.x shows only zones up to gfp_zone(gfp_mask).
    let max_zone = if p.has(Change::ShowMemUpToGfpZone) {
        k.gfp.zone(gfp).zone.index()
    } else {
        usize::MAX
    };
    if with_mem_info {
        lines.extend(show_mem(k, max_zone));
    }
    lines
}

/// `print_tainted()` prints one letter per taint flag: 18 before
/// TAINT_TEST, 19 with it.
pub fn taint_flag_count(profile: &crate::profile::Profile) -> usize {
    if profile.has(Change::TaintTest) {
        19
    } else {
        18
    }
}

/// `%p` of a pointer: `ptr_to_id()` hashes it with SipHash-2-4
/// (`siphash_1u64`) under a key drawn at boot (here from the machine seed)
/// and prints the low 32 bits, zero-padded to 16 hex digits. On 6.x,
/// booting with slub_debug turns hashing off (`no_hash_pointers`), and
/// `%p` prints the address itself.
pub fn hashed_pointer(k: &Kernel, addr: VirtAddr) -> String {
    if k.profile().has(Change::SlubDebugNoHashPointers) && k.config().debug.slub_debug {
        return format!("{:016x}", addr.as_u64());
    }
    let seed = k.config().machine.seed;
    let key0 = crate::memmap::splitmix64(seed ^ 0x7074_725f_6b65_7930);
    let key1 = crate::memmap::splitmix64(key0);
    #[allow(deprecated)] // std's SipHasher is SipHash-2-4, the kernel's siphash.
    let mut hasher = std::hash::SipHasher::new_with_keys(key0, key1);
    std::hash::Hasher::write_u64(&mut hasher, addr.as_u64());
    let hash = std::hash::Hasher::finish(&hasher) & 0xffff_ffff;
    format!("{hash:016x}")
}

fn kb(pages: u64) -> u64 {
    pages * 4
}

/// `show_mem()`: the Mem-Info block.
pub fn show_mem(k: &Kernel, max_zone: usize) -> Vec<String> {
    let layout6 = k.profile().has(Change::ShowMemLayout6);
    let cache = k.cache.len();
    let free = k.buddy.nr_free_pages();
    let pcp = k.buddy.pcp_pages();
    // The same counters /proc/meminfo reads (NR_SLAB_*, NR_PAGETABLE).
    let (slab_reclaimable, slab_unreclaimable) = k.slab_pages();
    let pagetables = crate::procfs::accounted_page_tables(k);
    let mut lines = vec!["Mem-Info:".to_string()];
    if layout6 {
        lines.push("active_anon:0 inactive_anon:0 isolated_anon:0".into());
        lines.push(format!(
            " active_file:0 inactive_file:{cache} isolated_file:0"
        ));
        lines.push(" unevictable:0 dirty:0 writeback:0".into());
        lines.push(format!(
            " slab_reclaimable:{slab_reclaimable} slab_unreclaimable:{slab_unreclaimable}"
        ));
        lines.push(format!(" mapped:0 shmem:0 pagetables:{pagetables}"));
        lines.push(" sec_pagetables:0 bounce:0".into());
        lines.push(" kernel_misc_reclaimable:0".into());
        lines.push(format!(" free:{free} free_pcp:{pcp} free_cma:0"));
        // The THP fields lost the space after their colon in 6.6.
        let sp = if k.profile().has(Change::MemInfoThpNoSpace) {
            ""
        } else {
            " "
        };
        lines.push(format!(
            "Node 0 active_anon:0kB inactive_anon:0kB active_file:0kB inactive_file:{}kB unevictable:0kB isolated(anon):0kB isolated(file):0kB mapped:0kB dirty:0kB writeback:0kB shmem:0kB shmem_thp:{sp}0kB shmem_pmdmapped:{sp}0kB anon_thp:{sp}0kB writeback_tmp:0kB kernel_stack:0kB pagetables:{}kB sec_pagetables:0kB all_unreclaimable? no",
            kb(cache),
            kb(pagetables)
        ));
    } else {
        lines.push("active_anon:0 inactive_anon:0 isolated_anon:0".into());
        lines.push(format!(
            " active_file:0 inactive_file:{cache} isolated_file:0"
        ));
        lines.push(" unevictable:0 dirty:0 writeback:0 unstable:0".into());
        lines.push(format!(
            " slab_reclaimable:{slab_reclaimable} slab_unreclaimable:{slab_unreclaimable}"
        ));
        lines.push(format!(
            " mapped:0 shmem:0 pagetables:{pagetables} bounce:0"
        ));
        lines.push(format!(" free:{free} free_pcp:{pcp} free_cma:0"));
        lines.push(format!(
            "Node 0 active_anon:0kB inactive_anon:0kB active_file:0kB inactive_file:{}kB unevictable:0kB isolated(anon):0kB isolated(file):0kB mapped:0kB dirty:0kB writeback:0kB shmem:0kB shmem_thp: 0kB shmem_pmdmapped: 0kB anon_thp: 0kB writeback_tmp:0kB unstable:0kB all_unreclaimable? no",
            kb(cache)
        ));
    }
    let shown = || {
        k.buddy
            .zones
            .iter()
            .filter(|z| z.is_populated() && z.zone_type.index() <= max_zone)
    };
    for z in shown() {
        let file = kb(k.cache.pages_in(z.zone_type));
        // The simulated code runs on CPU 0: its lists are the local ones.
        let pcp = kb(z.pcp.count);
        let w = z.watermarks;
        if layout6 {
            lines.push(format!(
                "Node 0 {} free:{}kB boost:{}kB min:{}kB low:{}kB high:{}kB reserved_highatomic:{}KB active_anon:0kB inactive_anon:0kB active_file:0kB inactive_file:{file}kB unevictable:0kB writepending:0kB present:{}kB managed:{}kB mlocked:0kB bounce:0kB free_pcp:{pcp}kB local_pcp:{pcp}kB free_cma:0kB",
                z.zone_type, kb(z.free_pages), kb(z.watermark_boost), kb(w.min), kb(w.low), kb(w.high), kb(z.reserved_highatomic), kb(z.present), kb(z.managed)
            ));
        } else {
            lines.push(format!(
                "Node 0 {} free:{}kB min:{}kB low:{}kB high:{}kB active_anon:0kB inactive_anon:0kB active_file:0kB inactive_file:{file}kB unevictable:0kB writepending:0kB present:{}kB managed:{}kB mlocked:0kB kernel_stack:0kB pagetables:0kB bounce:0kB free_pcp:{pcp}kB local_pcp:{pcp}kB free_cma:0kB",
                z.zone_type, kb(z.free_pages), kb(w.min), kb(w.low), kb(w.high), kb(z.present), kb(z.managed)
            ));
        }
        let reserves: String = z.lowmem_reserve.iter().map(|r| format!(" {r}")).collect();
        lines.push(format!("lowmem_reserve[]:{reserves}"));
    }
    for z in shown() {
        let mut line = format!("Node 0 {}: ", z.zone_type);
        let mut total = 0;
        for (order, area) in z.free_area.iter().enumerate() {
            line.push_str(&format!("{}*{}kB ", area.nr_free, 4u64 << order));
            total += area.nr_free << order;
            if area.nr_free > 0 {
                let letters: String = MigrateType::ALL
                    .iter()
                    .filter(|mt| area.lists[mt.index()].len > 0)
                    .map(|mt| mt.letter())
                    .collect();
                line.push_str(&format!("({letters}) "));
            }
        }
        line.push_str(&format!("= {}kB", kb(total)));
        lines.push(line);
    }
    // The 1 GiB hstate exists only with X86_FEATURE_GBPAGES
    // (gigantic_pages_init(), arch/x86/mm/hugetlbpage.c@6.6.57), which the simulated CPU
    // lacks (no DirectMap1G either): only the 2 MiB size.
    lines.push(
        "Node 0 hugepages_total=0 hugepages_free=0 hugepages_surp=0 hugepages_size=2048kB".into(),
    );
    lines.push(format!("{cache} total pagecache pages"));
    lines.push("0 pages in swap cache".into());
    if !layout6 {
        lines.push("Swap cache stats: add 0, delete 0, find 0/0".into());
    }
    lines.push("Free swap  = 0kB".into());
    lines.push("Total swap = 0kB".into());
    let present: u64 = k.buddy.zones.iter().map(|z| z.present).sum();
    let managed: u64 = k.buddy.managed_pages();
    lines.push(format!("{present} pages RAM"));
    lines.push("0 pages HighMem/MovableOnly".into());
    lines.push(format!("{} pages reserved", present - managed));
    lines.push("0 pages cma reserved".into());
    lines.push("0 pages hwpoisoned".into());
    lines
}

/// `bad_page()`: freeing a frame that is not an allocated page.
pub fn bad_page_state(k: &Kernel, pfn: Pfn, used_as: FrameUse) -> Vec<String> {
    let reason = match used_as {
        FrameUse::Slab => "PAGE_FLAGS_CHECK_AT_FREE flag(s) set",
        FrameUse::PageCache | FrameUse::Anon => "non-NULL mapping",
        _ => "PAGE_FLAGS_CHECK_AT_FREE flag(s) set",
    };
    let mut lines = vec![
        format!(
            "BUG: Bad page state in process {COMM}  pfn:{:05x}",
            pfn.as_u64()
        ),
        format!("page dumped because: {reason}"),
        modules_linked_in(),
    ];
    let free_fn = k.profile().name(Name::FreePageCheck);
    lines.extend(dump_stack(k, &["bad_page", free_fn, "__free_pages"]));
    lines.push("Disabling lock debugging due to kernel taint".into());
    lines
}

/// The oops header of `__die()`: `Oops: 0000 [#1] SMP NOPTI` (4.19),
/// `… PREEMPT SMP NOPTI` (6.6), with the doubled `Oops: Oops:` of 6.12's
/// `__die_header()`.
fn oops_header(k: &Kernel, str_: &str, err: u16) -> String {
    let p = k.profile();
    let prefix = if p.has(Change::OopsPrefixDoubled) {
        "Oops: "
    } else {
        ""
    };
    let preempt = if p.has(Change::OopsHeaderPreempt) {
        "PREEMPT "
    } else {
        ""
    };
    format!("{prefix}{str_}: {err:04x} [#1] {preempt}SMP NOPTI")
}

/// A page-fault oops in kernel mode (`page_fault_oops()`, 4.19
/// `no_context()`): `show_fault_oops()`'s first lines, `dump_pagetable()`'s
/// entries (the PGD line repeats as P4D, folded under 4-level paging with
/// CONFIG_X86_5LEVEL), the die header, `__die()`'s registers, trace and
/// modules, `CR2:` and `oops_end()`. `regs.trap` is the fault; `trace` the
/// kernel functions above RIP's.
pub fn page_fault_oops(k: &Kernel, regs: &Regs, trace: &[&str]) -> Vec<String> {
    let Trap::PageFault { addr, access } = regs.trap else {
        return Vec::new();
    };
    let write = matches!(access, Instruction::Store { .. });
    let a = addr.as_u64();
    let error_code: u16 = if write { 2 } else { 0 };
    let mut lines = Vec::new();
    if !k.profile().has(Change::PageFaultNewWording) {
        let what = if a < 4096 {
            "NULL pointer dereference"
        } else {
            "paging request"
        };
        lines.push(format!("BUG: unable to handle kernel {what} at {a:016x}"));
    } else {
        if a < 4096 {
            lines.push(format!(
                "BUG: kernel NULL pointer dereference, address: {a:016x}"
            ));
        } else {
            lines.push(format!(
                "BUG: unable to handle page fault for address: {a:016x}"
            ));
        }
        let kind = if write { "write" } else { "read" };
        lines.push(format!("#PF: supervisor {kind} access in kernel mode"));
        lines.push(format!(
            "#PF: error_code({error_code:#06x}) - not-present page"
        ));
    }
    let walk = k.pgtables.lookup(addr);
    let mut tables = String::new();
    for e in walk.entries() {
        let name = e.level.name().to_uppercase();
        if e.level == PtLevel::Pte {
            tables.push_str(&format!("{name} {:x}", e.entry));
        } else {
            tables.push_str(&format!("{name} {:x} ", e.entry));
        }
    }
    lines.push(tables);
    lines.push(oops_header(k, "Oops", error_code));
    lines.extend(show_regs::die_body(k, regs, &k.trace_with_api(trace)));
    lines
}

/// The oops of an access to the non-canonical `addr`: a general
/// protection fault (6.x names the address, `die_addr()`).
pub fn general_protection_oops(
    k: &Kernel,
    addr: VirtAddr,
    regs: &Regs,
    trace: &[&str],
) -> Vec<String> {
    let header = match k.profile().has(Change::GpFaultNamesAddress) {
        false => oops_header(k, "general protection fault", 0),
        true => oops_header(
            k,
            &format!(
                "general protection fault, probably for non-canonical address {:#x}",
                addr.as_u64()
            ),
            0,
        ),
    };
    let mut lines = vec![header];
    lines.extend(show_regs::die_body(k, regs, &k.trace_with_api(trace)));
    lines
}

/// `BUG()` / `BUG_ON()` in `function` (the function the site is compiled
/// into, whose first arguments are `args`): `kernel BUG at file:line!` and
/// the invalid-opcode oops.
pub fn kernel_bug(
    k: &Kernel,
    site: Site,
    function: &str,
    args: [u64; 2],
    trace: &[&str],
) -> Vec<String> {
    let at = k.profile().site(site);
    let mut lines = vec![
        CUT_HERE.to_string(),
        format!("kernel BUG at {}!", at.location()),
        oops_header(k, "invalid opcode", 0),
    ];
    let regs = Regs {
        trap: Trap::Bug,
        function,
        args,
    };
    lines.extend(show_regs::die_body(k, &regs, &k.trace_with_api(trace)));
    lines
}
