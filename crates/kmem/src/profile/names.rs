//! The name table: what each path's functions are called in a pinned
//! release's call traces (renames such as the `_noprof` suffixes of 6.10
//! and the page allocator's entry point).

use super::Series;

/// A function whose name differs between releases.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Name {
    /// The page allocator's entry point.
    AllocPages,
    /// The loop that allocates a vmalloc area's pages.
    VmallocPages,
    /// `kmem_cache_create()`'s worker that prints its errors.
    KmemCacheCreate,
    /// `kmem_cache_alloc()`.
    KmemCacheAlloc,
    /// The might_sleep check itself.
    MightSleep,
    /// The first frame `dump_stack()` shows.
    DumpStack,
    /// Where `bad_page()` is called from on free.
    FreePageCheck,
}

use Name::*;
use Series::*;

/// Every name of every pinned release (the trees of [`super::PINNED`];
/// 6.1.119's from mm/page_alloc.c:5554, mm/vmalloc.c:2921,
/// mm/slab_common.c:351, mm/slub.c:3420, kernel/sched/core.c:9909,
/// lib/dump_stack.c:97, mm/page_alloc.c:1279).
#[rustfmt::skip]
pub static NAMES: &[(Series, Name, &str)] = &[
    (V4_19, AllocPages, "__alloc_pages_nodemask"),
    (V6_1, AllocPages, "__alloc_pages"),
    (V6_6, AllocPages, "__alloc_pages"),
    (V6_12, AllocPages, "__alloc_pages_noprof"),
    (V4_19, VmallocPages, "__vmalloc_area_node"),
    (V6_1, VmallocPages, "vm_area_alloc_pages"),
    (V6_6, VmallocPages, "vm_area_alloc_pages"),
    (V6_12, VmallocPages, "vm_area_alloc_pages"),
    (V4_19, KmemCacheCreate, "kmem_cache_create"),
    (V6_1, KmemCacheCreate, "kmem_cache_create_usercopy"),
    (V6_6, KmemCacheCreate, "kmem_cache_create_usercopy"),
    (V6_12, KmemCacheCreate, "__kmem_cache_create_args"),
    (V4_19, KmemCacheAlloc, "kmem_cache_alloc"),
    (V6_1, KmemCacheAlloc, "kmem_cache_alloc"),
    (V6_6, KmemCacheAlloc, "kmem_cache_alloc"),
    (V6_12, KmemCacheAlloc, "kmem_cache_alloc_noprof"),
    (V4_19, MightSleep, "___might_sleep"),
    (V6_1, MightSleep, "__might_resched"),
    (V6_6, MightSleep, "__might_resched"),
    (V6_12, MightSleep, "__might_resched"),
    (V4_19, DumpStack, "dump_stack"),
    (V6_1, DumpStack, "dump_stack_lvl"),
    (V6_6, DumpStack, "dump_stack_lvl"),
    (V6_12, DumpStack, "dump_stack_lvl"),
    (V4_19, FreePageCheck, "free_pages_prepare"),
    (V6_1, FreePageCheck, "free_page_is_bad_report"),
    (V6_6, FreePageCheck, "free_page_is_bad_report"),
    (V6_12, FreePageCheck, "free_page_is_bad_report"),
];

/// The name of `name` in `series`' pinned release.
pub fn of(series: Series, name: Name) -> &'static str {
    NAMES
        .iter()
        .find(|(s, n, _)| *s == series && *n == name)
        .map_or("?", |(_, _, text)| text)
}

/// The frames below a module's init function in each pinned release,
/// innermost first: `do_one_initcall()` and the loader down to the
/// `finit_module` system call (kernel/module.c@4.19.255:3532-3969,
/// kernel/module/main.c@6.1.119:2469-2978, @6.6.57:2535-3197 and
/// @6.12.19:2543-3221 with `idempotent_init_module()` and
/// `init_module_from_file()`; the 6.x syscall goes through
/// `x64_sys_call()`, arch/x86/entry/common.c@6.1.119:51, @6.6.57:51,
/// @6.12.19:52; 4.19 calls `sys_call_table[nr]`, common.c@4.19.255:293).
pub fn module_init_path(series: Series) -> &'static [&'static str] {
    match series {
        V4_19 => &[
            "do_one_initcall",
            "do_init_module",
            "load_module",
            "__do_sys_finit_module",
            "do_syscall_64",
            "entry_SYSCALL_64_after_hwframe",
        ],
        V6_1 => &[
            "do_one_initcall",
            "do_init_module",
            "load_module",
            "__do_sys_finit_module",
            "__x64_sys_finit_module",
            "x64_sys_call",
            "do_syscall_64",
            "entry_SYSCALL_64_after_hwframe",
        ],
        V6_6 | V6_12 => &[
            "do_one_initcall",
            "do_init_module",
            "load_module",
            "init_module_from_file",
            "idempotent_init_module",
            "__x64_sys_finit_module",
            "x64_sys_call",
            "do_syscall_64",
            "entry_SYSCALL_64_after_hwframe",
        ],
    }
}

/// How the script's code reaches the slab allocator: the inline
/// `kmalloc()` of include/linux/slab.h takes a different function when
/// the compiler knows the size (`__builtin_constant_p`), and
/// `kmalloc_node()` has its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KmallocCall {
    /// `kmalloc(100, …)`: the size is a constant.
    Constant,
    /// `kmalloc(n, …)`: the size is known only at run time.
    Variable,
    /// `kzalloc_node(sizeof(*area), …)`: a constant size on a node.
    ConstantNode,
    /// `kmalloc_node(size, …)` from kvmalloc: a run-time size on a node.
    Node,
}

/// The frames of a kmalloc in `series`, innermost first: the slab or
/// page-allocator caller, then the API function the code calls
/// (include/linux/slab.h `kmalloc()`/`kmalloc_node()` and
/// mm/slab_common.c or mm/slub.c of each pinned tree: 4.19.255
/// `kmem_cache_alloc_trace()`, `kmalloc_order_trace()`,
/// `kmalloc_large_node()`; 6.1.119 and 6.6.57 `kmalloc_trace()`,
/// `__kmem_cache_alloc_node()`, `__kmalloc_large_node()`; 6.12.19
/// `__kmalloc_cache_noprof()`, `__kmalloc_large_noprof()`,
/// `__kmalloc_large_node_noprof()`). `large` is above
/// KMALLOC_MAX_CACHE_SIZE.
pub fn kmalloc_path(series: Series, call: KmallocCall, large: bool) -> &'static [&'static str] {
    use KmallocCall::*;
    match (series, call, large) {
        (V4_19, Constant, false) => &["kmem_cache_alloc_trace"],
        (V4_19, Constant, true) => &["kmalloc_order", "kmalloc_order_trace"],
        (V4_19, Variable, false) => &["__kmalloc"],
        (V4_19, Variable, true) => &["kmalloc_order", "kmalloc_order_trace", "__kmalloc"],
        (V4_19, ConstantNode, false) => &["kmem_cache_alloc_node_trace"],
        (V4_19, Node | ConstantNode, _) => &["kmalloc_large_node", "__kmalloc_node"],
        (V6_1 | V6_6, Constant, false) => &["__kmem_cache_alloc_node", "kmalloc_trace"],
        (V6_1 | V6_6, Constant, true) => &["__kmalloc_large_node", "kmalloc_large"],
        (V6_1 | V6_6, Variable, false) => &["__kmem_cache_alloc_node", "__kmalloc"],
        (V6_1 | V6_6, Variable, true) => &["__kmalloc_large_node", "__kmalloc"],
        (V6_1 | V6_6, ConstantNode, false) => &["__kmem_cache_alloc_node", "kmalloc_node_trace"],
        (V6_1 | V6_6, Node, false) => &["__kmem_cache_alloc_node", "__kmalloc_node"],
        (V6_1 | V6_6, Node | ConstantNode, true) => &["__kmalloc_large_node", "__kmalloc_node"],
        (V6_12, Constant, false) => &["__kmalloc_cache_noprof"],
        (V6_12, Constant, true) => &["__kmalloc_large_noprof"],
        (V6_12, Variable, false) => &["__kmalloc_noprof"],
        (V6_12, Variable, true) => &["__kmalloc_large_node_noprof", "__kmalloc_noprof"],
        (V6_12, ConstantNode, false) => &["__kmalloc_cache_node_noprof"],
        (V6_12, Node, false) => &["__kmalloc_node_noprof"],
        (V6_12, Node | ConstantNode, true) => {
            &["__kmalloc_large_node_noprof", "__kmalloc_node_noprof"]
        }
    }
}

/// The vmalloc entry points the script calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VmallocCall {
    /// `vmalloc()`.
    Vmalloc,
    /// `vzalloc()`.
    Vzalloc,
    /// `vmalloc_32()`.
    Vmalloc32,
    /// `__vmalloc(size, gfp)`.
    VmallocGfp,
    /// `kvmalloc_node()`'s fallback.
    Kvmalloc,
    /// 6.12's `vrealloc()` growing an area.
    Vrealloc,
}

/// The frames from `__vmalloc_node_range()` up to the function the code
/// calls, innermost first (mm/vmalloc.c and mm/util.c of each pinned
/// tree: 4.19.255's `__vmalloc_node()` and `__vmalloc_node_flags_caller()`,
/// the `_noprof` names of 6.12.19).
pub fn vmalloc_path(series: Series, call: VmallocCall) -> &'static [&'static str] {
    use VmallocCall::*;
    match (series, call) {
        (V4_19, Vmalloc) => &["__vmalloc_node_range", "__vmalloc_node", "vmalloc"],
        (V4_19, Vzalloc) => &["__vmalloc_node_range", "__vmalloc_node", "vzalloc"],
        (V4_19, Vmalloc32) => &["__vmalloc_node_range", "__vmalloc_node", "vmalloc_32"],
        (V4_19, VmallocGfp) => &["__vmalloc_node_range", "__vmalloc_node", "__vmalloc"],
        (V4_19, Kvmalloc) => &[
            "__vmalloc_node_range",
            "__vmalloc_node",
            "__vmalloc_node_flags_caller",
            "kvmalloc_node",
        ],
        (V6_1 | V6_6, Vmalloc) => &["__vmalloc_node_range", "__vmalloc_node", "vmalloc"],
        (V6_1 | V6_6, Vzalloc) => &["__vmalloc_node_range", "__vmalloc_node", "vzalloc"],
        (V6_1 | V6_6, Vmalloc32) => &["__vmalloc_node_range", "__vmalloc_node", "vmalloc_32"],
        (V6_1 | V6_6, VmallocGfp) => &["__vmalloc_node_range", "__vmalloc_node", "__vmalloc"],
        (V6_1 | V6_6, Kvmalloc) => &["__vmalloc_node_range", "kvmalloc_node"],
        (V6_12, Vmalloc) => &[
            "__vmalloc_node_range_noprof",
            "__vmalloc_node_noprof",
            "vmalloc_noprof",
        ],
        (V6_12, Vzalloc) => &[
            "__vmalloc_node_range_noprof",
            "__vmalloc_node_noprof",
            "vzalloc_noprof",
        ],
        (V6_12, Vmalloc32) => &[
            "__vmalloc_node_range_noprof",
            "__vmalloc_node_noprof",
            "vmalloc_32_noprof",
        ],
        (V6_12, VmallocGfp) => &[
            "__vmalloc_node_range_noprof",
            "__vmalloc_node_noprof",
            "__vmalloc_noprof",
        ],
        (V6_12, Kvmalloc) => &["__vmalloc_node_range_noprof", "__kvmalloc_node_noprof"],
        (V6_12, Vrealloc) => &[
            "__vmalloc_node_range_noprof",
            "__vmalloc_node_noprof",
            "__vmalloc_noprof",
            "vrealloc_noprof",
        ],
        (_, Vrealloc) => vmalloc_path(series, VmallocGfp),
    }
}
