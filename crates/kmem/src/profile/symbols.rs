//! The symbol table: the offset and length `%pS` prints for each kernel
//! function a simulated call trace shows (`kfree+0x1dc/0x390`).
//!
//! Offsets and lengths belong to one build: no two distributions' kernels
//! agree, and the pinned trees were read, not built. So each row gives the
//! frame as a real report printed it, from the build closest to the series
//! that could be found, and names that report; a row for particular series
//! overrides the general one. A frame prints the same offset wherever the
//! function is in the trace.

use super::Series;
use super::Series::*;

/// One function's frame.
#[derive(Debug)]
pub struct Row {
    /// The series the row is for; empty for every series without a row of
    /// its own.
    pub series: &'static [Series],
    /// The function.
    pub name: &'static str,
    /// The offset of the return address (or RIP) in it.
    pub offset: u32,
    /// Its length.
    pub len: u32,
    /// The report the frame was copied from.
    pub source: &'static str,
}

const fn row(
    series: &'static [Series],
    name: &'static str,
    offset: u32,
    len: u32,
    source: &'static str,
) -> Row {
    Row {
        series,
        name,
        offset,
        len,
        source,
    }
}

const ALL: &[Series] = &[];

/// Every frame, by function. "Unsampled" rows have no real frame of that
/// name: they borrow a sibling's (the same code before a rename, or the
/// nearest function of the path) and say which.
#[rustfmt::skip]
pub static SYMBOLS: &[Row] = &[
    // The module loader and the system call.
    row(&[V4_19], "do_one_initcall", 0x46, 0x1c3, "4.19.37 (Debian config), linux-media, dvb-usb module init"),
    row(ALL, "do_one_initcall", 0x5e, 0x340, "Ubuntu 6.8.0-83-generic, oops in a module's init"),
    row(&[V4_19], "do_init_module", 0x5a, 0x210, "4.19.37, linux-media"),
    row(ALL, "do_init_module", 0x97, 0x290, "Ubuntu 6.8.0-83-generic"),
    row(&[V4_19], "load_module", 0x211b, 0x2390, "4.19.37, linux-media"),
    row(&[V6_1], "load_module", 0x1a78, 0x1c50, "6.1/6.2-era build, hid_mcp2221 module init"),
    row(ALL, "load_module", 0xb85, 0xcd0, "Ubuntu 6.8.0-83-generic"),
    row(&[V4_19], "__do_sys_finit_module", 0xad, 0x110, "4.19.37, linux-media"),
    row(ALL, "__do_sys_finit_module", 0xbb, 0x110, "6.1/6.2-era build, hid_mcp2221"),
    row(&[V6_1], "__x64_sys_finit_module", 0x18, 0x20, "6.1/6.2-era build, hid_mcp2221"),
    row(ALL, "__x64_sys_finit_module", 0x64, 0xd0, "Ubuntu 6.8.0-83-generic"),
    row(ALL, "init_module_from_file", 0x96, 0x100, "Ubuntu 6.8.0-83-generic"),
    row(ALL, "idempotent_init_module", 0x11c, 0x310, "Ubuntu 6.8.0-83-generic"),
    row(ALL, "x64_sys_call", 0x15ed, 0x2480, "Ubuntu 6.8.0-83-generic"),
    row(&[V4_19], "do_syscall_64", 0x43, 0x100, "4.19.310 on QEMU, drm/vkms oops (4.19.y backport thread)"),
    row(&[V6_1], "do_syscall_64", 0x55, 0xb0, "Debian 6.1.94-1 (6.1.0-22-amd64), hung task trace"),
    row(ALL, "do_syscall_64", 0x81, 0x170, "Ubuntu 6.8.0-83-generic"),
    row(&[V4_19], "entry_SYSCALL_64_after_hwframe", 0x5c, 0xc1, "4.19.310 on QEMU"),
    row(ALL, "entry_SYSCALL_64_after_hwframe", 0x78, 0x80, "Ubuntu 6.8.0-83-generic"),
    // Stack dumps and the exception paths.
    row(&[V4_19], "dump_stack", 0x5c, 0x80, "Debian 4.19.67-2+deb10u2 (4.19.0-6-amd64)"),
    row(ALL, "dump_stack_lvl", 0x76, 0xa0, "Ubuntu 6.8.0-83-generic"),
    row(ALL, "show_regs", 0x6d, 0x80, "Ubuntu 6.5.0-9-generic and 6.8.0-83-generic page-fault oopses"),
    row(&[V4_19], "__die", 0x7d, 0xc0, "4.19.310 on QEMU"),
    row(ALL, "__die", 0x24, 0x80, "Ubuntu 6.8.0-83-generic"),
    row(ALL, "no_context", 0x152, 0x3b0, "4.19.310 on QEMU"),
    row(ALL, "__do_page_fault", 0x342, 0x4b0, "4.19.310 on QEMU"),
    row(ALL, "page_fault", 0x1e, 0x30, "4.19.310 on QEMU (and 4.19.315-rt, 5.1.7)"),
    row(ALL, "page_fault_oops", 0x99, 0x1b0, "Ubuntu 6.8.0-83-generic"),
    row(ALL, "do_user_addr_fault", 0x2f5, 0x680, "Ubuntu 6.8.0-83-generic"),
    row(ALL, "kernelmode_fixup_or_oops", 0xb2, 0x140, "Ubuntu 6.5.0-9-generic, tcp_mtu_probe oops"),
    row(ALL, "__bad_area_nosemaphore", 0x1a5, 0x2c0, "Ubuntu 6.5.0-9-generic"),
    row(ALL, "bad_area_nosemaphore", 0x16, 0x30, "Ubuntu 6.5.0-9-generic"),
    row(ALL, "do_kern_addr_fault", 0x7b, 0xa0, "Ubuntu 6.5.0-9-generic"),
    row(ALL, "exc_page_fault", 0x83, 0x1b0, "Ubuntu 6.8.0-83-generic"),
    row(ALL, "asm_exc_page_fault", 0x27, 0x30, "Ubuntu 6.8.0-83-generic"),
    row(ALL, "__warn", 0x81, 0x130, "6.6.33+, mm/gup try_grab_folio WARN"),
    row(ALL, "report_bug", 0x171, 0x1a0, "6.6.33+"),
    row(ALL, "handle_bug", 0x3c, 0x70, "6.6.33+"),
    row(ALL, "exc_invalid_op", 0x17, 0x70, "6.6.33+"),
    row(ALL, "asm_exc_invalid_op", 0x1a, 0x20, "6.6.33+ and 6.10.0-rc5"),
    row(ALL, "__die_body", 0x6a, 0xb0, "6.11.0-rc6, NFS LOCALIO oops"),
    row(ALL, "die", 0x2e, 0x50, "6.10.0-rc5 on QEMU, libata double-free BUG"),
    row(ALL, "do_trap", 0xca, 0x110, "6.10.0-rc5 on QEMU"),
    row(ALL, "do_error_trap", 0x6a, 0x90, "6.10.0-rc5 on QEMU"),
    row(ALL, "die_addr", 0x38, 0x60, "6.12.0-rc3, cxl oops"),
    row(ALL, "exc_general_protection", 0x1f5, 0x4b0, "6.12.0-rc3"),
    row(ALL, "asm_exc_general_protection", 0x22, 0x30, "6.12.0-rc3"),
    // The page allocator.
    row(&[V4_19], "warn_alloc", 0xff, 0x170, "a 5.4 Hyper-V vendor kernel (no 4.19 sample)"),
    row(ALL, "warn_alloc", 0x155, 0x180, "6.0/6.1-era production kernel, ipset allocation failure"),
    row(&[V4_19], "__alloc_pages_slowpath", 0x92c, 0xb2b, "a 5.4 Hyper-V vendor kernel (no 4.19 sample)"),
    row(ALL, "__alloc_pages_slowpath", 0xd3e, 0xda0, "openSUSE Tumbleweed 6.8.0-rc3"),
    row(ALL, "__alloc_pages_nodemask", 0x2f9, 0x320, "a 5.4 Hyper-V vendor kernel (no 4.19 sample)"),
    row(ALL, "__alloc_pages", 0x32d, 0x350, "openSUSE Tumbleweed 6.8.0-rc3"),
    row(ALL, "__alloc_pages_noprof", 0x188, 0x350, "a 6.12+ xfs krealloc trace"),
    row(ALL, "__get_free_pages", 0xe, 0x40, "unsampled: __x64_sys_finit_module's frame of 6.1 (a wrapper of the same size class)"),
    row(ALL, "__free_pages", 0x25, 0x30, "a 4.6-4.8 memory hot-remove trace"),
    row(ALL, "bad_page", 0x69, 0xf0, "6.2.0+, skb coalesce refcount report"),
    row(ALL, "free_pages_prepare", 0x2f9, 0x320, "4.2.0-rc5-mm1"),
    row(ALL, "free_page_is_bad_report", 0x69, 0xf0, "unsampled: bad_page's frame (its only caller's callee)"),
    // Sleeping checks.
    row(&[V4_19], "___might_sleep", 0x17d, 0x250, "a 4.10-era vmwgfx vfree-under-spinlock report"),
    row(&[V4_19], "__might_sleep", 0x4a, 0x80, "a 4.10-era vmwgfx report"),
    row(ALL, "__might_sleep", 0x48, 0x70, "6.16 development kernel"),
    row(ALL, "__might_resched", 0x1ae, 0x2d0, "6.16 development kernel"),
    // The slab allocator.
    row(ALL, "kmem_cache_alloc_trace", 0x155, 0x1d0, "Debian 4.19.37-5 (4.19.0-5-amd64)"),
    row(&[V6_1], "kmalloc_trace", 0x27, 0xa0, "6.1.0-rc6, virtio_input fault injection"),
    row(ALL, "kmalloc_trace", 0x2a, 0xa0, "6.6-rc build, amdgpu module init"),
    row(ALL, "__kmem_cache_alloc_node", 0x22e, 0x2b0, "a 6.3 distribution build"),
    row(ALL, "__kmalloc", 0x37c, 0x480, "openSUSE Tumbleweed 6.8.0-rc3"),
    row(ALL, "__kmalloc_node", 0xbd, 0x270, "4.14.0-rc8"),
    row(ALL, "kmalloc_order", 0x1e, 0x70, "a 5.4 Hyper-V vendor kernel"),
    row(ALL, "kmalloc_order_trace", 0x26, 0xb0, "a 5.4 Hyper-V vendor kernel"),
    row(ALL, "kmalloc_large_node", 0x26, 0xb0, "unsampled: kmalloc_order_trace's frame (4.19's other large-kmalloc wrapper)"),
    row(ALL, "kmalloc_large", 0x4a, 0x90, "unsampled: __kmalloc_large_node's frame (the function it calls)"),
    row(ALL, "__kmalloc_large_node", 0x4a, 0x90, "6.0/6.1-era production kernel"),
    row(ALL, "__kmalloc_large_noprof", 0x1d, 0xa0, "unsampled: __kmalloc_large_node_noprof's frame (its twin)"),
    row(ALL, "__kmalloc_large_node_noprof", 0x1d, 0xa0, "a 6.12+ xfs krealloc trace"),
    row(ALL, "__kmalloc_cache_noprof", 0xe7, 0x270, "6.12.0-rc3-master+, cxl report"),
    row(ALL, "__kmalloc_noprof", 0x13f, 0x4e0, "6.10+ PREEMPT_RT report"),
    row(ALL, "__kmalloc_node_noprof", 0x13f, 0x4e0, "unsampled: __kmalloc_noprof's frame (the same __do_kmalloc_node inlined)"),
    row(ALL, "__kmalloc_cache_node_noprof", 0xe7, 0x270, "unsampled: __kmalloc_cache_noprof's frame (its node twin)"),
    row(ALL, "kmalloc_node_trace", 0x27, 0xa0, "unsampled: kmalloc_trace's frame (its node twin)"),
    row(ALL, "kmem_cache_alloc_node_trace", 0x155, 0x1d0, "unsampled: kmem_cache_alloc_trace's frame (its node twin)"),
    row(ALL, "kmem_cache_alloc", 0x1b9, 0x3c0, "a 5.0-rc kmemleak report (KASAN build)"),
    row(ALL, "kmem_cache_alloc_noprof", 0x1b2, 0x410, "Arch linux-zen 6.16.4"),
    row(ALL, "kmem_cache_free", 0x15d, 0x2a0, "a 4.19-era OOM test (debug_objects on)"),
    row(ALL, "allocate_slab", 0x28e, 0x380, "a syzbot report (KASAN build)"),
    row(ALL, "kfree", 0x2cf, 0x2f0, "6.10.0-rc5 on QEMU, libata double-free BUG"),
    row(&[V4_19], "kfree", 0x4e, 0x1a0, "Arch 5.2.9-arch1-1-ARCH (no 4.19 sample)"),
    row(ALL, "free_large_kmalloc", 0x4d, 0x80, "6.11.0-rc6+ on an HP DL360 Gen9"),
    row(ALL, "kmem_cache_destroy", 0x4d, 0x80, "unsampled: free_large_kmalloc's frame"),
    row(ALL, "kmem_cache_create", 0x16, 0x20, "unsampled: a short exported wrapper (kmem_cache_create_usercopy does the work)"),
    row(ALL, "kmem_cache_create_usercopy", 0x14c, 0x2b0, "unsampled: __kmem_cache_create_args's frame"),
    row(ALL, "__kmem_cache_create_args", 0x14c, 0x2b0, "unsampled: the size of 6.12's create path"),
    // vmalloc and kvmalloc.
    row(ALL, "vmalloc", 0x21, 0x30, "a 5.15 distribution build, ghes vmalloc failure"),
    row(ALL, "vzalloc", 0x21, 0x30, "unsampled: vmalloc's frame (the same wrapper)"),
    row(ALL, "vmalloc_noprof", 0x21, 0x30, "unsampled: vmalloc's frame (renamed in 6.10)"),
    row(ALL, "vzalloc_noprof", 0x21, 0x30, "unsampled: vmalloc's frame"),
    row(ALL, "vmalloc_32", 0x21, 0x30, "unsampled: vmalloc's frame"),
    row(ALL, "vmalloc_32_noprof", 0x21, 0x30, "unsampled: vmalloc's frame"),
    row(ALL, "__vmalloc", 0x21, 0x30, "unsampled: vmalloc's frame"),
    row(ALL, "__vmalloc_noprof", 0x21, 0x30, "unsampled: vmalloc's frame"),
    row(ALL, "__vmalloc_node_flags_caller", 0x21, 0x30, "unsampled: vmalloc's frame (4.19's kvmalloc wrapper)"),
    row(ALL, "__vmalloc_node", 0x49, 0x50, "a 5.15 distribution build"),
    row(ALL, "__vmalloc_node_noprof", 0x49, 0x50, "unsampled: __vmalloc_node's frame (renamed in 6.10)"),
    row(ALL, "__vmalloc_node_range", 0x72a, 0x760, "6.0/6.1-era production kernel"),
    row(ALL, "__vmalloc_node_range_noprof", 0x72a, 0x760, "unsampled: __vmalloc_node_range's frame (renamed in 6.10)"),
    row(ALL, "__vmalloc_area_node", 0x1c4, 0x2a0, "unsampled: part of __vmalloc_node_range before 5.13"),
    row(ALL, "vm_area_alloc_pages", 0x1c4, 0x2a0, "unsampled: part of __vmalloc_node_range (inlined in many builds)"),
    row(ALL, "__get_vm_area_node", 0x9a, 0x140, "unsampled: no real frame found"),
    row(ALL, "alloc_vmap_area", 0x1ab, 0x8d0, "unsampled: no real frame found"),
    row(ALL, "kvmalloc_node", 0xa6, 0xd0, "6.0/6.1-era production kernel"),
    row(ALL, "__kvmalloc_node_noprof", 0xa6, 0xd0, "unsampled: kvmalloc_node's frame (renamed in 6.10)"),
    row(ALL, "kvrealloc", 0x3b, 0xa0, "unsampled: kvfree's path"),
    row(ALL, "kvrealloc_noprof", 0x3b, 0xa0, "unsampled: kvfree's path"),
    row(ALL, "kvfree", 0x2c, 0x40, "a 4.10-era vmwgfx report"),
    row(ALL, "vrealloc_noprof", 0x3b, 0xa0, "unsampled: kvrealloc's frame"),
    row(ALL, "vfree", 0x47, 0x80, "a KCSAN build's vfree"),
    row(ALL, "vfree_atomic", 0x2c, 0x40, "unsampled: kvfree's frame (a wrapper of the same size)"),
    row(ALL, "remove_vm_area", 0x80, 0x90, "a ~5.19-6.1 distribution build, drm vunmap"),
    row(ALL, "__vunmap", 0x5e, 0x260, "the same ~5.19-6.1 build"),
    // Memory accessors.
    row(ALL, "memset", 0x16, 0x30, "unsampled: memset_orig's size class on CPUs without ERMS"),
    row(ALL, "memcpy", 0x16, 0x30, "unsampled: memcpy_orig's size class on CPUs without ERMS"),
    row(ALL, "print_hex_dump", 0xcf, 0x1a0, "unsampled: no real frame found"),
];

/// The row of `function` for `series`: its own, else the general one.
pub fn find(series: Series, function: &str) -> Option<&'static Row> {
    let rows = || SYMBOLS.iter().filter(move |r| r.name == function);
    rows()
        .find(|r| r.series.contains(&series))
        .or_else(|| rows().find(|r| r.series.is_empty()))
}

/// `%pS` of `function` in `series`: `name+0xoff/0xlen`, or the bare name
/// of a function the table lacks (a test keeps every traced function in
/// it).
pub fn format(series: Series, function: &str) -> String {
    match find(series, function) {
        Some(r) => format!("{function}+{:#x}/{:#x}", r.offset, r.len),
        None => function.to_string(),
    }
}
