//! The interpreter on valid programs: a grammar-aware generator builds
//! scripts from the calls, contexts, loops and memory accesses of the
//! language, which run on a small machine with a small budget, on the
//! release the input's first byte picks.
#![no_main]
use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use std::fmt::Write;

#[derive(Arbitrary, Debug)]
enum Stmt {
    Kmalloc { var: u8, size: u32, flags: u8 },
    Kzalloc { var: u8, size: u16 },
    Kcalloc { var: u8, n: u64, size: u64 },
    Kfree { var: u8 },
    Vmalloc { var: u8, size: u32 },
    Vfree { var: u8 },
    Kvmalloc { var: u8, size: u32, flags: u8 },
    Kvfree { var: u8 },
    AllocPages { var: u8, order: u8, flags: u8 },
    FreePages { var: u8, order: u8 },
    Write { var: u8, offset: i32, value: u64, width: u8 },
    Read { var: u8, offset: i32, width: u8 },
    Memset { var: u8, len: u32 },
    Translate { var: u8, offset: u16 },
    Printk { var: u8 },
    Cat { file: u8 },
    Locked(Vec<Stmt>),
    Softirq(Vec<Stmt>),
    Hardirq(Vec<Stmt>),
    Nmi(Vec<Stmt>),
    Loop { times: u8, body: Vec<Stmt> },
    Fragment { order: u8 },
}

const FLAGS: [&str; 8] = [
    "GFP_KERNEL", "GFP_ATOMIC", "GFP_NOWAIT", "GFP_KERNEL | __GFP_ZERO",
    "GFP_DMA | GFP_KERNEL", "GFP_KERNEL | __GFP_NOWARN", "GFP_ATOMIC | __GFP_NOFAIL", "GFP_KERNEL | __GFP_DMA32",
];
const FILES: [&str; 6] = ["/proc/buddyinfo", "/proc/pagetypeinfo", "/proc/zoneinfo", "/proc/meminfo", "/proc/slabinfo", "/proc/vmallocinfo"];
const WIDTHS: [&str; 4] = ["u8", "u16", "u32", "u64"];

fn emit(out: &mut String, stmts: &[Stmt], depth: usize) {
    for s in stmts.iter().take(40) {
        let v = |var: &u8| format!("v{}", var % 8);
        let flags = |f: &u8| FLAGS[*f as usize % FLAGS.len()];
        let _ = match s {
            Stmt::Kmalloc { var, size, flags: f } => writeln!(out, "{} = kmalloc({size}, {});", v(var), flags(f)),
            Stmt::Kzalloc { var, size } => writeln!(out, "{} = kzalloc({size}, GFP_KERNEL);", v(var)),
            Stmt::Kcalloc { var, n, size } => writeln!(out, "{} = kcalloc({n:#x}, {size:#x}, GFP_KERNEL);", v(var)),
            Stmt::Kfree { var } => writeln!(out, "kfree({});", v(var)),
            Stmt::Vmalloc { var, size } => writeln!(out, "{} = vmalloc({});", v(var), size % (64 << 20)),
            Stmt::Vfree { var } => writeln!(out, "vfree({});", v(var)),
            Stmt::Kvmalloc { var, size, flags: f } => writeln!(out, "{} = kvmalloc({}, {});", v(var), size % (16 << 20), flags(f)),
            Stmt::Kvfree { var } => writeln!(out, "kvfree({});", v(var)),
            Stmt::AllocPages { var, order, flags: f } => writeln!(out, "{} = alloc_pages({}, {});", v(var), flags(f), order % 12),
            Stmt::FreePages { var, order } => writeln!(out, "__free_pages({}, {});", v(var), order % 12),
            Stmt::Write { var, offset, value, width } => writeln!(out, "*({} *)({} + {offset}) = {value:#x};", WIDTHS[*width as usize % 4], v(var)),
            Stmt::Read { var, offset, width } => writeln!(out, "x = *({} *)({} + {offset});", WIDTHS[*width as usize % 4], v(var)),
            Stmt::Memset { var, len } => writeln!(out, "memset({}, 0x5a, {});", v(var), len % (1 << 20)),
            Stmt::Translate { var, offset } => writeln!(out, "x = translate({} + {offset});", v(var)),
            Stmt::Printk { var } => writeln!(out, "printk(\"%px %p %lx\\n\", {0}, {0}, {0});", v(var)),
            Stmt::Cat { file } => writeln!(out, "cat(\"{}\");", FILES[*file as usize % FILES.len()]),
            Stmt::Locked(body) if depth < 4 => {
                let _ = writeln!(out, "spin_lock(&lock);");
                emit(out, body, depth + 1);
                writeln!(out, "spin_unlock(&lock);")
            }
            Stmt::Softirq(body) | Stmt::Hardirq(body) | Stmt::Nmi(body) if depth < 4 => {
                let keyword = match s {
                    Stmt::Softirq(_) => "softirq",
                    Stmt::Hardirq(_) => "hardirq",
                    _ => "nmi",
                };
                let _ = writeln!(out, "{keyword} {{");
                emit(out, body, depth + 1);
                writeln!(out, "}}")
            }
            Stmt::Loop { times, body } if depth < 4 => {
                let _ = writeln!(out, "for (int i{depth} = 0; i{depth} < {}; i{depth}++) {{", times % 16);
                emit(out, body, depth + 1);
                writeln!(out, "}}")
            }
            Stmt::Fragment { order } => writeln!(out, "fragment({});", order % 11),
            _ => Ok(()),
        };
    }
}

thread_local! {
    static KERNELS: Vec<kmem::kernel::Kernel> = kmem_fuzz::boot_each(kmem::kernel::KernelConfig {
        machine: kmem::memmap::MachineConfig::preset("tiny").unwrap(),
        debug: kmem::kernel::DebugConfig { slub_debug: true, ..Default::default() },
        ..Default::default()
    });
}

fuzz_target!(|input: (u8, Vec<Stmt>)| {
    let (selector, program) = input;
    let mut script = String::from("spinlock_t lock;\nvoid *v0, *v1, *v2, *v3, *v4, *v5, *v6, *v7;\n");
    emit(&mut script, &program, 0);
    let parsed = kmem_script::parse(&script);
    assert!(parsed.errors.is_empty(), "the generator writes valid scripts: {:?}\n{script}", parsed.errors);
    KERNELS.with(|kernels| {
        let trace = kmem_script::run_on(&parsed.program, kmem_fuzz::booted(kernels, selector), 50_000);
        for path in kmem::procfs::FILES {
            let _ = kmem::procfs::read(&trace.kernel, path);
        }
    });
});
