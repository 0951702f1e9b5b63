//! x86_64 `show_regs()`: what a WARN, a BUG and an oops print from the
//! trap's registers, and the call trace below them.
//!
//! Kernel rules (arch/x86/kernel/dumpstack.c and process_64.c, the same
//! lines in 4.19.255, 6.1.119, 6.6.57 and 6.12.19 but for the details
//! named): `show_regs()` prints the CPU and hardware lines, `show_ip()`
//! (`RIP: %04x:%pS`), `show_opcodes()` (42 bytes before RIP, the byte at
//! RIP in `<>`, 21 after), `show_iret_regs()` and `__show_regs()` (the
//! general registers; FS/GS/CS/CR lines only in SHOW_REGS_ALL), then the
//! call trace. The simulated CPU is QEMU's default `qemu64` under KVM: DR6
//! and DR7 hold their reset values, so no DR lines, and it has no
//! protection keys, so no PKRU line.
//!
//! Which numbers are simulated: RIP's function, the faulting address in
//! CR2, CR3 (the page-table root the simulation walks), RDI and RSI where
//! the trapping function's first arguments are known, the trace's
//! functions and the script's call site. Registers the simulation does not
//! model (stack pointers, callee-saved registers, the FS base of insmod)
//! print as 0 or as the values of the reference report each constant
//! names; the code bytes around RIP are those of a reference report with
//! the trapping instruction's own bytes at RIP. Offsets and lengths of
//! kernel functions come from the symbol table (`profile::symbols`).

use super::{cpu_lines, end_trace, modules_linked_in};
use crate::kernel::{Kernel, COMM, PID};
use crate::profile::{Change, Name};
use crate::VirtAddr;

/// What trapped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trap {
    /// A WARN's `ud2` (the trap returns and the task goes on).
    Warn,
    /// A BUG's `ud2`: `do_error_trap(…, "invalid opcode", …)`, then `die()`.
    Bug,
    /// A page fault on `addr` in kernel mode.
    PageFault {
        /// CR2.
        addr: VirtAddr,
        /// The instruction at RIP.
        access: Instruction,
    },
    /// A general protection fault (a non-canonical address).
    GeneralProtection {
        /// The instruction at RIP.
        access: Instruction,
    },
}

/// The instruction at RIP of a faulting access, by what it does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Instruction {
    /// A load of `bytes` bytes through RDI (`mov (%rdi),…`, `movzbl`…).
    Load {
        /// 1, 2, 4 or 8.
        bytes: u8,
    },
    /// A store of `bytes` bytes through RDI.
    Store {
        /// 1, 2, 4 or 8.
        bytes: u8,
    },
    /// `mov 0x8(%rdi),%rax`: a read of `page->compound_head` through a
    /// `struct page *` in RDI.
    LoadCompoundHead,
}

impl Instruction {
    /// The instruction's bytes (x86_64 encodings with RDI as the base and
    /// RAX as the register operand).
    fn bytes(self) -> &'static [u8] {
        match self {
            Instruction::Load { bytes: 1 } => &[0x0f, 0xb6, 0x07],
            Instruction::Load { bytes: 2 } => &[0x0f, 0xb7, 0x07],
            Instruction::Load { bytes: 8 } => &[0x48, 0x8b, 0x07],
            Instruction::Load { .. } => &[0x8b, 0x07],
            Instruction::Store { bytes: 1 } => &[0x88, 0x07],
            Instruction::Store { bytes: 2 } => &[0x66, 0x89, 0x07],
            Instruction::Store { bytes: 8 } => &[0x48, 0x89, 0x07],
            Instruction::Store { .. } => &[0x89, 0x07],
            Instruction::LoadCompoundHead => &[0x48, 0x8b, 0x47, 0x08],
        }
    }
}

/// `ud2`, the instruction of BUG() and WARN() on x86 (`ASM_UD2`).
const UD2: [u8; 2] = [0x0f, 0x0b];

/// The 42 code bytes before RIP: those of the Debian 4.19.194 WARN in
/// `nfsd4_open()` (linux-nfs, "nfsd4_process_open2 failed to open
/// newly-created file!"), which the simulation uses for every trap.
const CODE_BEFORE: [u8; 42] = [
    0x80, 0x88, 0xa8, 0x01, 0x00, 0x00, 0x01, 0xe9, 0x52, 0xfe, 0xff, 0xff, 0x80, 0xbb, 0x15, 0x01,
    0x00, 0x00, 0x00, 0x0f, 0x84, 0xef, 0xfe, 0xff, 0xff, 0x44, 0x89, 0xfe, 0x48, 0xc7, 0xc7, 0xf0,
    0x10, 0x58, 0xc0, 0x0f, 0xce, 0xe8, 0x89, 0x70, 0x3a, 0xd0,
];

/// The bytes after RIP's instruction, from the same report (after its
/// `ud2`).
const CODE_AFTER: [u8; 20] = [
    0xe9, 0xd7, 0xfe, 0xff, 0xff, 0x48, 0x8b, 0x83, 0x18, 0x01, 0x00, 0x00, 0x8b, 0x55, 0x00, 0x48,
    0x8d, 0x75, 0x04, 0x89,
];

/// `RSP` in kernel mode: an address in insmod's kernel stack, which the
/// simulation does not place (with CONFIG_VMAP_STACK it is a vmalloc
/// area of a real machine, among the boot-time ones the playground leaves
/// out).
const KERNEL_RSP: u64 = 0xffff_c900_00bc_7c38;

/// FS base of insmod (its glibc thread pointer), from the Ubuntu
/// 6.8.0-83-generic oops of a module's init (a tutorial's `oops_test`).
const INSMOD_FS: u64 = 0x0000_78ad_087d_4c40;

/// CR2 at a WARN or BUG: the last fault insmod took in user space, from
/// the Debian 4.19.194 report.
const LAST_USER_FAULT: u64 = 0x0000_7f83_d25a_68a0;

/// CR0 of a running x86_64 kernel: PG, AM, WP, NE, ET, MP, PE.
const CR0: u64 = 0x8005_0033;

/// CR4 of the `qemu64` CPU: OSXMMEXCPT, OSFXSR, PGE, MCE, PAE, PSE.
const CR4: u64 = 0x6f0;

/// The registers of a trap, as the simulation knows them.
#[derive(Clone, Copy, Debug)]
pub struct Regs<'a> {
    /// What trapped.
    pub trap: Trap,
    /// The function at RIP: a kernel function, or `playground_init` for
    /// the script's own code.
    pub function: &'a str,
    /// RDI and RSI: the first two arguments of the function, where known.
    pub args: [u64; 2],
}

/// `%pS` of a kernel function (`name+0xoff/0xlen`), or of the script's
/// code at call `seq`.
fn symbol(k: &Kernel, function: &str, seq: u32) -> String {
    if function == "playground_init" {
        super::caller_symbol(seq)
    } else {
        k.profile().symbol(function)
    }
}

fn hex_bytes(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `show_opcodes()`: `Code: %42ph <%02x> %21ph`.
fn code_line(at_rip: &[u8]) -> String {
    let (first, rest) = at_rip.split_first().unwrap_or((&0x90, &[]));
    let mut after: Vec<u8> = rest.to_vec();
    after.extend_from_slice(&CODE_AFTER);
    after.truncate(21);
    format!(
        "Code: {} <{first:02x}> {}",
        hex_bytes(&CODE_BEFORE),
        hex_bytes(&after)
    )
}

/// `__show_regs(regs, SHOW_REGS_ALL)` of a kernel-mode trap: RIP through
/// CR4.
fn kernel_regs(k: &Kernel, regs: &Regs) -> Vec<String> {
    let seq = k.call_seq();
    let (cr2, at_rip) = match regs.trap {
        Trap::Warn | Trap::Bug => (LAST_USER_FAULT, &UD2[..]),
        Trap::PageFault { addr, access } => (addr.as_u64(), access.bytes()),
        Trap::GeneralProtection { access } => (LAST_USER_FAULT, access.bytes()),
    };
    let [rdi, rsi] = regs.args;
    let cr3 = k.pgtables.pgd().phys().as_u64();
    vec![
        format!("RIP: 0010:{}", symbol(k, regs.function, seq)),
        code_line(at_rip),
        format!("RSP: 0018:{KERNEL_RSP:016x} EFLAGS: 00010246"),
        format!("RAX: {:016x} RBX: {:016x} RCX: {:016x}", 0, 0, 0),
        format!("RDX: {:016x} RSI: {rsi:016x} RDI: {rdi:016x}", 0),
        format!("RBP: {:016x} R08: {:016x} R09: {:016x}", 0, 0, 0),
        format!("R10: {:016x} R11: {:016x} R12: {:016x}", 0, 0, 0),
        format!("R13: {:016x} R14: {:016x} R15: {:016x}", 0, 0, 0),
        format!(
            "FS:  {INSMOD_FS:016x}(0000) GS:{:016x}(0000) knlGS:0000000000000000",
            percpu_base(k)
        ),
        format!("CS:  0010 DS: 0000 ES: 0000 CR0: {CR0:016x}"),
        format!("CR2: {cr2:016x} CR3: {cr3:016x} CR4: {CR4:016x}"),
    ]
}

/// GS base in kernel mode: CPU 0's per-CPU area, which
/// `pcpu_embed_first_chunk()` takes from the end of node 0's memory (2 MiB
/// per CPU below the last 2 MiB boundary; not a simulated allocation).
fn percpu_base(k: &Kernel) -> u64 {
    let end = k.mem.max_pfn().phys().as_u64() & !0x1f_ffff;
    let cpus = u64::from(k.config().machine.cpus);
    k.profile()
        .page_offset()
        .as_u64()
        .wrapping_add(end.saturating_sub(cpus * 0x20_0000))
}

/// The user registers at the bottom of the trace: insmod in `syscall()`
/// of glibc for `finit_module(fd, "", 0)` (SHOW_REGS_SHORT). The values
/// other than the syscall's own are those of the 4.19.37 module-init
/// trace of linux-media ("dvb-usb" on systemd-udevd), whose code bytes are
/// glibc's syscall stub.
fn user_regs() -> Vec<String> {
    vec![
        "RIP: 0033:0x7f63cb867f59".into(),
        "Code: 00 c3 66 2e 0f 1f 84 00 00 00 00 00 0f 1f 44 00 00 48 89 f8 48 89 f7 48 89 d6 48 89 ca 4d 89 c2 4d 89 c8 4c 8b 4c 24 08 0f 05 <48> 3d 01 f0 ff ff 73 01 c3 48 8b 0d 07 6f 0c 00 f7 d8 64 89 01 48".into(),
        "RSP: 002b:00007fff2d68dbb8 EFLAGS: 00000246 ORIG_RAX: 0000000000000139".into(),
        "RAX: ffffffffffffffda RBX: 000055d88500f880 RCX: 00007f63cb867f59".into(),
        "RDX: 0000000000000000 RSI: 000055d8838b8c5b RDI: 0000000000000003".into(),
        "RBP: 000055d8838b8c5b R08: 0000000000000000 R09: 0000000000000000".into(),
        "R10: 0000000000000003 R11: 0000000000000246 R12: 0000000000000000".into(),
        "R13: 000055d885047a80 R14: 0000000000020000 R15: 000055d88500f880".into(),
    ]
}

/// The frames `show_trace_log_lvl()` prints as unreliable (`? `) before
/// the real ones: from 5.x it scans from its own frame, so the exception
/// path shows (the lists of the real reports the symbol table cites); 4.19
/// starts at the trap's stack pointer, where only a page fault's handler
/// frames are left (4.19.310's `? __die`, `? no_context`, `? __do_page_fault`,
/// `? page_fault`).
fn exception_frames(k: &Kernel, regs: &Regs) -> &'static [&'static str] {
    let scans_exception_path = k.profile().has(Change::TraceShowsExceptionPath);
    match (regs.trap, scans_exception_path) {
        (Trap::PageFault { .. }, false) => {
            &["__die", "no_context", "__do_page_fault", "page_fault"]
        }
        (_, false) => &[],
        (Trap::Warn, true) => &[
            "__warn",
            "report_bug",
            "handle_bug",
            "exc_invalid_op",
            "asm_exc_invalid_op",
        ],
        (Trap::Bug, true) => &[
            "__die_body",
            "die",
            "do_trap",
            "do_error_trap",
            "exc_invalid_op",
            "asm_exc_invalid_op",
        ],
        (Trap::PageFault { addr, .. }, true) if addr.as_u64() < USER_SPACE_END => &[
            "show_regs",
            "__die",
            "page_fault_oops",
            "do_user_addr_fault",
            "exc_page_fault",
            "asm_exc_page_fault",
        ],
        (Trap::PageFault { .. }, true) => &[
            "show_regs",
            "__die",
            "page_fault_oops",
            "kernelmode_fixup_or_oops",
            "__bad_area_nosemaphore",
            "bad_area_nosemaphore",
            "do_kern_addr_fault",
            "exc_page_fault",
            "asm_exc_page_fault",
        ],
        (Trap::GeneralProtection { .. }, true) => &[
            "__die_body",
            "die_addr",
            "exc_general_protection",
            "asm_exc_general_protection",
        ],
    }
}

/// `TASK_SIZE_MAX` with 4-level paging: a fault below it is on a user
/// address (`do_user_addr_fault()`).
const USER_SPACE_END: u64 = 0x0000_7fff_ffff_f000;

/// `show_trace_log_lvl()`: `head` (the first lines, already formatted),
/// the `callers` (innermost first), the script's init function when the
/// code above was called from it, and the module-loading path down to the
/// syscall with insmod's registers; 5.x wraps it in `<TASK>`.
pub(super) fn stack_trace(
    k: &Kernel,
    head: Vec<String>,
    callers: &[&str],
    called_by_script: bool,
) -> Vec<String> {
    let p = k.profile();
    let seq = k.call_seq();
    let mut lines = vec!["Call Trace:".to_string()];
    let markers = p.has(Change::TaskMarkers);
    if markers {
        lines.push(" <TASK>".into());
    }
    lines.extend(head);
    lines.extend(callers.iter().map(|f| format!(" {}", symbol(k, f, seq))));
    if called_by_script {
        lines.push(format!(" {}", super::caller_symbol(seq)));
    }
    lines.extend(
        p.module_init_path()
            .iter()
            .map(|f| format!(" {}", p.symbol(f))),
    );
    lines.extend(user_regs());
    if markers {
        lines.push(" </TASK>".into());
    }
    lines
}

/// The call trace of a trap: the exception path as unreliable frames
/// (5.x+) with RIP's function, then its callers.
fn trap_trace(k: &Kernel, regs: &Regs, callers: &[&str]) -> Vec<String> {
    let seq = k.call_seq();
    let unreliable = exception_frames(k, regs);
    let mut head: Vec<String> = unreliable
        .iter()
        .map(|f| format!(" ? {}", symbol(k, f, seq)))
        .collect();
    if !unreliable.is_empty() {
        head.push(format!(" ? {}", symbol(k, regs.function, seq)));
    }
    let callers: Vec<&str> = callers
        .iter()
        .copied()
        .filter(|f| *f != regs.function)
        .collect();
    stack_trace(k, head, &callers, regs.function != "playground_init")
}

/// `show_regs()` of a kernel-mode trap: the CPU lines, the registers and
/// the call trace.
pub fn show_regs(k: &Kernel, regs: &Regs, callers: &[&str]) -> Vec<String> {
    let mut lines = cpu_lines(k);
    lines.extend(kernel_regs(k, regs));
    lines.extend(trap_trace(k, regs, callers));
    lines
}

/// `__die()` and `oops_end()` after the die header: `show_regs()`, the
/// modules, CR2 for a page fault, the end marker, the registers again
/// (the "executive summary" of the first oops), then what becomes of the
/// task: 5.x+ notes the interrupts it left disabled, any release a
/// preempt count; in interrupt context the kernel panics.
pub fn die_body(k: &Kernel, regs: &Regs, callers: &[&str]) -> Vec<String> {
    let mut lines = show_regs(k, regs, callers);
    lines.push(modules_linked_in());
    if let Trap::PageFault { addr, .. } = regs.trap {
        lines.push(format!("CR2: {:016x}", addr.as_u64()));
    }
    lines.push(end_trace(k));
    lines.extend(kernel_regs(k, regs));
    let context = k.context;
    if context.in_interrupt() {
        let why = "Fatal exception in interrupt";
        lines.push(format!("Kernel panic - not syncing: {why}"));
        lines.push("Kernel Offset: disabled".into());
        lines.push(format!("---[ end Kernel panic - not syncing: {why} ]---"));
        return lines;
    }
    if k.profile().has(Change::MakeTaskDeadIrqNote) {
        lines.push(format!("note: {COMM}[{PID}] exited with irqs disabled"));
    }
    if context.preempt_count != 0 {
        lines.push(format!(
            "note: {COMM}[{PID}] exited with preempt_count {}",
            context.preempt_count
        ));
    }
    lines
}

/// The frame of `dump_stack()` itself at the top of its trace.
pub(super) fn dump_stack_frame(k: &Kernel) -> String {
    k.profile().symbol(k.profile().name(Name::DumpStack))
}
