//! The kernel facade on arbitrary sequences of calls, with invariants
//! checked after each: the memory map's blocks cover every frame exactly
//! once, free memory never exceeds the total, and every /proc file renders;
//! on the release the input's first byte picks.
#![no_main]
use arbitrary::Arbitrary;
use kmem::context::ContextOp;
use kmem::kernel::{CallValue, Kernel, KernelConfig};
use kmem::memmap::MachineConfig;
use kmem::VirtAddr;
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
enum Op {
    Kmalloc(u32, u8),
    Kfree(u8),
    Vmalloc(u32),
    Vfree(u8),
    Kvmalloc(u32, u8),
    Kvfree(u8),
    AllocPages(u8, u8),
    FreePages(u8, u8),
    Write(u8, u16, u64),
    Read(u8, u16),
    Context(u8),
}

fn mem_kb(text: &str, key: &str) -> u64 {
    text.lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

thread_local! {
    static KERNELS: Vec<Kernel> = kmem_fuzz::boot_each(KernelConfig {
        machine: MachineConfig::preset("tiny").unwrap(),
        ..KernelConfig::default()
    });
}

fuzz_target!(|input: (u8, Vec<Op>)| {
    let (selector, ops) = input;
    let mut k = KERNELS.with(|kernels| kmem_fuzz::booted(kernels, selector));
    let gfp = |k: &Kernel, i: u8| {
        let names = ["GFP_KERNEL", "GFP_ATOMIC", "GFP_NOWAIT", "GFP_DMA", "GFP_KERNEL | __GFP_ZERO"];
        k.gfp.parse(names[i as usize % names.len()]).unwrap()
    };
    let mut held: Vec<VirtAddr> = Vec::new();
    for op in ops.iter().take(200) {
        let pick = |held: &Vec<VirtAddr>, i: u8| held.get(i as usize % held.len().max(1)).copied().unwrap_or(VirtAddr::NULL);
        let ev = match op {
            Op::Kmalloc(size, f) => k.kmalloc(u64::from(*size % (8 << 20)), gfp(&k, *f)),
            Op::Kfree(i) => k.kfree(pick(&held, *i)),
            Op::Vmalloc(size) => k.vmalloc(u64::from(*size % (8 << 20))),
            Op::Vfree(i) => k.vfree(pick(&held, *i)),
            Op::Kvmalloc(size, f) => k.kvmalloc(u64::from(*size % (8 << 20)), gfp(&k, *f)),
            Op::Kvfree(i) => k.kvfree(pick(&held, *i)),
            Op::AllocPages(order, f) => k.alloc_pages(gfp(&k, *f), u32::from(order % 12)),
            Op::FreePages(i, order) => k.free_pages_page(pick(&held, *i), u32::from(order % 12)),
            Op::Write(i, off, v) => k.write(pick(&held, *i).wrapping_add(u64::from(*off)), kmem::kernel::memory::Width::U64, *v),
            Op::Read(i, off) => k.read(pick(&held, *i).wrapping_add(u64::from(*off)), kmem::kernel::memory::Width::U8),
            Op::Context(c) => k.context_op(ContextOp::ALL[*c as usize % ContextOp::ALL.len()]),
        };
        if let CallValue::Address(a) | CallValue::Page(a) = ev.value {
            if a != VirtAddr::NULL {
                held.push(a);
            }
        }
        // Invariants.
        let mut next = 0;
        for (pfn, frames, _) in k.mem.blocks() {
            assert_eq!(pfn.as_u64(), next, "blocks are contiguous");
            next += frames;
        }
        assert_eq!(next, k.mem.max_pfn().as_u64(), "blocks cover every frame");
        let meminfo = kmem::procfs::read(&k, "/proc/meminfo").unwrap();
        assert!(mem_kb(&meminfo, "MemFree:") <= mem_kb(&meminfo, "MemTotal:"));
        for path in kmem::procfs::FILES {
            assert!(kmem::procfs::read(&k, path).is_some());
        }
    }
});
