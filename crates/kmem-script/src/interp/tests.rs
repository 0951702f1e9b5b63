use super::*;
use crate::parser::parse;
use kmem::kernel::Outcome;
use kmem::memmap::MachineConfig;
use kmem::profile::Profile;

fn config(version: &str) -> KernelConfig {
    KernelConfig {
        profile: Profile::parse(version).unwrap(),
        machine: MachineConfig {
            ram_bytes: 1 << 30,
            cpus: 4,
            ..MachineConfig::default()
        },
        ..KernelConfig::default()
    }
}

fn trace(version: &str, source: &str) -> Trace {
    let parsed = parse(source);
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    run(&parsed.program, config(version), DEFAULT_STEP_BUDGET).unwrap()
}

fn var(t: &Trace, name: &str) -> u64 {
    t.variables
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| *v)
        .unwrap_or_else(|| panic!("no variable {name}: {:?}", t.variables))
}

fn log(t: &Trace) -> Vec<String> {
    t.kernel
        .log
        .lines()
        .iter()
        .map(|l| l.text.clone())
        .collect()
}

#[test]
fn calls_become_steps_with_events_and_values() {
    let t = trace(
        "6.6",
        "void *p = kmalloc(100, GFP_KERNEL);\nkfree(p);\nq = kmalloc(100, GFP_KERNEL);\n",
    );
    assert_eq!(t.error, None);
    assert_eq!(t.steps.len(), 3);
    assert_eq!(
        var(&t, "p"),
        var(&t, "q"),
        "LIFO: the same object comes back"
    );
    assert_eq!(t.steps[0].span, Span::new(10, 34));
    let ev = t.steps[0].event.as_ref().unwrap();
    assert_eq!(ev.call.to_string(), "kmalloc(100, 0xcc0(GFP_KERNEL))");
    assert!(
        ev.summary.to_string().contains("kmalloc-128"),
        "{}",
        ev.summary
    );
}

#[test]
fn c_arithmetic_constants_and_control_flow() {
    let t = trace(
        "4.19",
        "unsigned long total = 0;\n\
         for (int i = 0; i < 10; i++) { if (i % 2) continue; total += i; }\n\
         int n = 0; while (1) { if (++n == 5) break; }\n\
         x = SZ_4K * 2 + PAGE_SIZE; y = -1; u32 z = 0x1ffffffff; m = GFP_KERNEL | __GFP_ZERO;\n\
         s = sizeof(struct page *) + sizeof(u16); c = 3 > 2 ? 7 : 8;\n",
    );
    assert_eq!(t.error, None);
    assert_eq!(var(&t, "total"), 20);
    assert_eq!(var(&t, "n"), 5);
    assert_eq!(var(&t, "x"), 12288);
    assert_eq!(var(&t, "y"), u64::MAX);
    assert_eq!(var(&t, "z"), 0xffff_ffff, "u32 truncates");
    assert_eq!(var(&t, "m"), 0x6080c0, "4.19 GFP_KERNEL|__GFP_ZERO");
    assert_eq!(var(&t, "s"), 10);
    assert_eq!(var(&t, "c"), 7);
}

#[test]
fn fragmenting_memory_takes_three_lines() {
    let t = trace(
        "6.6",
        "void *pages[512];\n\
         for (int i = 0; i < 512; i++) pages[i] = alloc_page(GFP_KERNEL);\n\
         for (int i = 0; i < 512; i += 2) __free_page(pages[i]);\n",
    );
    assert_eq!(t.error, None);
    assert_eq!(t.steps.len(), 512 + 256);
    assert!(t
        .steps
        .iter()
        .all(|s| s.event.as_ref().unwrap().outcome == Outcome::Ok));
}

#[test]
fn memory_through_casts_and_typed_pointers() {
    let t = trace(
        "6.12",
        "void *p = kzalloc(64, GFP_KERNEL);\n\
         *(u32 *)p = 0xdeadbeef;\n\
         u16 *h = p;\n\
         lo = *h; hi = h[1]; whole = *(u64 *)p;\n\
         hexdump(p, 16);\n",
    );
    assert_eq!(t.error, None);
    assert_eq!(var(&t, "lo"), 0xbeef);
    assert_eq!(var(&t, "hi"), 0xdead);
    assert_eq!(var(&t, "whole"), 0xdeadbeef);
    assert!(log(&t)
        .iter()
        .any(|l| l.starts_with("00000000: ef be ad de 00")));
}

#[test]
fn contexts_locks_and_interrupt_blocks() {
    let t = trace(
        "6.6",
        "spinlock_t lock;\nspin_lock(&lock);\np = kmalloc(64, GFP_KERNEL);\nspin_unlock(&lock);\n\
         hardirq { q = vmalloc(4096); }\n",
    );
    let l = log(&t);
    assert!(l
        .iter()
        .any(|x| x.starts_with("BUG: sleeping function called from invalid context")));
    assert!(l
        .iter()
        .any(|x| x.starts_with("kernel BUG at mm/vmalloc.c:2596!")));
    // The kernel stopped: the run ends without a script error.
    assert_eq!(t.error, None);
    assert!(matches!(t.kernel.state(), KernelState::Stopped(_)));
}

/// Audit D1: `%pa`, `%pad` and `%pGg` read through a pointer
/// (lib/vsprintf.c `address_val()`, `flags_string()`), so the value form
/// is an error that names the call a module must make.
#[test]
fn printk_pointer_extensions_take_a_pointer() {
    let t = trace(
        "6.6",
        "phys_addr_t *pp = kmalloc(8, GFP_KERNEL);\n\
         *pp = 0x1234000;\n\
         gfp_t g = GFP_ATOMIC | __GFP_ZERO;\n\
         dma_addr_t d = 0xfee00000;\n\
         printk(\"%pa %pad %pGg\\n\", pp, &d, &g);\n",
    );
    assert_eq!(t.error, None);
    assert_eq!(
        t.kernel.log.lines().last().unwrap().text,
        "0x0000000001234000 0x00000000fee00000 GFP_ATOMIC|__GFP_ZERO"
    );
    for (script, help) in [
        (
            "phys_addr_t phys = 4096; printk(\"%pa\\n\", phys);",
            "&phys",
        ),
        ("printk(\"%pGg\\n\", GFP_KERNEL);", "gfp_t v"),
    ] {
        let t = trace("6.6", script);
        let e = t.error.expect(script);
        assert!(e.message.contains("takes a pointer"), "{}", e.message);
        assert!(e.help.as_deref().unwrap_or("").contains(help), "{e:?}");
    }
    // A pointee of the wrong size is named.
    let t = trace("6.6", "int x = 1; printk(\"%pa\\n\", &x);");
    let e = t.error.unwrap();
    assert!(e.message.contains("8 bytes"), "{}", e.message);
    // A bad pointer oopses as the kernel's read does.
    let t = trace("6.6", "phys_addr_t *pp = 0; printk(\"%pa\\n\", pp);");
    assert_eq!(t.error, None);
    assert!(matches!(t.kernel.state(), KernelState::Stopped(_)));
    // `&` anywhere else says what it is for.
    let t = trace("6.6", "int x = 1; void *p = &x;");
    assert!(t.error.unwrap().message.contains("printk"));
}

#[test]
fn printk_formats_as_the_kernel_does() {
    let t = trace(
        "6.6",
        "p = kmalloc(8, GFP_KERNEL);\n\
         gfp_t gfp = GFP_KERNEL; phys_addr_t pa = 0x1000;\n\
         printk(KERN_INFO \"size %zu, mask %#x (%pGg), pa %pa, x=%08lx, %s!\\n\", 8UL, GFP_KERNEL, &gfp, &pa, 255, \"done\");\n\
         printk(\"%p %px\", 0, p);\n",
    );
    assert_eq!(t.error, None);
    let lines = t.kernel.log.lines();
    let info = lines.iter().rev().nth(1).unwrap();
    assert_eq!(info.level, kmem::dmesg::Level::Info);
    assert_eq!(
        info.text,
        "size 8, mask 0xcc0 (GFP_KERNEL), pa 0x0000000000001000, x=000000ff, done!"
    );
    // Audit D11: 6.x prints NULL and error pointers as they are.
    let last = &lines.last().unwrap().text;
    assert!(last.starts_with("0000000000000000 ffff888"), "{last}");
    let old = trace("4.19", "printk(\"%p|%p\", 0, -12);\n");
    let last = &old.kernel.log.lines().last().unwrap().text;
    assert!(last.starts_with("          (null)|"), "{last}");
    assert!(
        !last.ends_with("fffffffffffffff4"),
        "4.19 hashes error pointers: {last}"
    );
    let new = trace("6.12", "printk(\"%p\", -12);\n");
    assert_eq!(
        new.kernel.log.lines().last().unwrap().text,
        "fffffffffffffff4"
    );
}

#[test]
fn cat_shows_proc_files() {
    let t = trace("4.19", "p = vmalloc(8192);\ncat(\"/proc/vmallocinfo\");\n");
    assert!(t.steps[1]
        .output
        .starts_with("0xffffc90000000000-0xffffc90000003000   12288 "));
}

#[test]
fn named_caches() {
    let t = trace(
        "6.6",
        "struct kmem_cache *c = kmem_cache_create(\"foo\", 100, 0, SLAB_HWCACHE_ALIGN, NULL);\n\
         void *o = kmem_cache_alloc(c, GFP_KERNEL);\nkmem_cache_free(c, o);\nkmem_cache_destroy(c);\n",
    );
    assert_eq!(t.error, None);
    assert!(t.steps[0]
        .event
        .as_ref()
        .unwrap()
        .summary
        .to_string()
        .starts_with("new cache foo: 128-byte objects"));
    assert!(t
        .steps
        .iter()
        .all(|s| s.event.as_ref().unwrap().outcome == Outcome::Ok));
}

#[test]
fn script_mistakes_stop_the_run_with_a_diagnostic() {
    let cases = [
        (
            "p = kmalloc(64, GFP_KERNAL);",
            "unknown GFP flag `GFP_KERNAL`",
            Some("did you mean `GFP_KERNEL`?"),
        ),
        (
            "p = kmallco(64, GFP_KERNEL);",
            "unknown function `kmallco`",
            Some("did you mean `kmalloc`?"),
        ),
        ("kfree(q);", "`q` is not defined", None),
        (
            "p = kmalloc(64);",
            "`kmalloc` takes 2 arguments, but 1 was given",
            None,
        ),
        ("x = 1 / 0;", "division by zero", None),
        (
            "void *a[4]; x = a[4];",
            "index 4 is outside `a`, which has 4 elements",
            None,
        ),
        (
            "PAGE_SIZE = 1;",
            "`PAGE_SIZE` is a kernel constant and cannot be assigned",
            None,
        ),
        (
            "p = kvrealloc(0, 8, GFP_KERNEL);",
            "`kvrealloc` does not exist in 4.19.255 (it arrived in 5.15)",
            None,
        ),
        (
            "void *p = 0; x = *p;",
            "this pointer has no size to read or write",
            Some("cast it to a sized pointer, as in *(u32 *)p"),
        ),
        ("assert(1 == 2);", "assertion failed", None),
        (
            "cat(\"/proc/vmstat\");",
            "the playground has no file /proc/vmstat",
            None,
        ),
        (
            "printk(\"%d %d\", 1);",
            "more `%` specifiers than arguments (at `%d`)",
            None,
        ),
    ];
    for (source, message, help) in cases {
        let t = trace("4.19", source);
        let error = t.error.unwrap_or_else(|| panic!("{source}: no error"));
        assert_eq!(error.message, message, "{source}");
        if help.is_some() {
            assert_eq!(error.help.as_deref(), help, "{source}");
        }
    }
}

#[test]
fn runaway_loops_stop_at_the_loop() {
    let source = "x = 0;\nwhile (1) { x++; }\n";
    let parsed = parse(source);
    let t = run(&parsed.program, config("6.6"), 10_000).unwrap();
    let error = t.error.unwrap();
    assert!(error
        .message
        .starts_with("the script ran out of its operation budget"));
    assert_eq!(error.span.start, 7, "points at the loop");
}

#[test]
fn address_macros_are_steps_with_walks() {
    let t = trace(
        "6.6",
        "void *p = kmalloc(64, GFP_KERNEL);\n\
         phys = __pa(p); back = __va(phys); pg = virt_to_page(p); pfn = page_to_pfn(pg);\n\
         v = vmalloc(8192); wrong = virt_to_phys(v); right = translate(v); vm = is_vmalloc_addr(v);\n\
         off = offset_in_page(v + 5000);\n",
    );
    assert_eq!(t.error, None);
    assert_eq!(var(&t, "back"), var(&t, "p"));
    assert_eq!(var(&t, "pfn"), var(&t, "phys") >> 12);
    assert_eq!(var(&t, "pg"), 0xffff_ea00_0000_0000 + 64 * var(&t, "pfn"));
    assert_ne!(
        var(&t, "wrong"),
        var(&t, "right"),
        "__pa of a vmalloc address is wrong"
    );
    assert_eq!(var(&t, "vm"), 1);
    assert_eq!(var(&t, "off"), 5000 - 4096);
    let pa_step = t
        .steps
        .iter()
        .find(|s| s.walk.iter().any(|w| w.note.is_some()))
        .unwrap();
    assert!(pa_step
        .walk
        .last()
        .unwrap()
        .note
        .as_deref()
        .unwrap()
        .starts_with("wrong:"));
}

#[test]
fn time_travel_by_steps_and_variables() {
    let source = "x = 1;\np = kmalloc(64, GFP_KERNEL);\nx = 2;\nkfree(p);\nq = kmalloc(64, GFP_KERNEL);\nx = 3;\n";
    let full = trace("6.6", source);
    assert_eq!(full.steps.len(), 3);
    // Variables after each step, from the recorded changes.
    assert_eq!(
        full.variables_at(0),
        [("x".to_string(), 1), ("p".to_string(), var(&full, "p"))]
    );
    assert_eq!(full.variables_at(1)[0], ("x".to_string(), 2));
    assert_eq!(full.variables_at(2).len(), 3);
    assert_eq!(
        full.variables_at(2)[0],
        ("x".to_string(), 2),
        "x = 3 comes after the last call"
    );
    assert_eq!(var(&full, "x"), 3);
    // run_until: the kernel as it stood after two calls.
    let parsed = parse(source);
    let kernel = Kernel::boot(config("6.6")).unwrap();
    let early = run_until(&parsed.program, kernel, DEFAULT_STEP_BUDGET, 2);
    assert_eq!(early.steps.len(), 2);
    assert_eq!(early.steps, full.steps[..2]);
    assert_eq!(
        var(&early, "x"),
        2,
        "the statement of the last call completes, not the next ones"
    );
    let slabinfo = kmem::procfs::read(&early.kernel, "/proc/slabinfo").unwrap();
    assert!(slabinfo.contains("kmalloc-64"));
}

fn error(version: &str, source: &str) -> String {
    let t = trace(version, source);
    t.error.map(|d| d.message).unwrap_or_default()
}

/// Values follow C's types: signed types sign-extend, conversions on
/// assignment, the usual arithmetic conversions, pointer arithmetic
/// scaled by the pointed-to size.
#[test]
fn values_follow_c_types() {
    let t = trace(
        "6.6",
        "int i = -1;\n\
         a = i == -1;\n\
         b = -1 < 0;\n\
         c = -1 < 0UL;\n\
         unsigned int u = 0xffffffff;\n\
         d = u + 1;\n\
         u8 arr[4];\n\
         arr[0] = 0x1ff;\n\
         e = arr[0];\n\
         u8 v;\n\
         f = (v = 0x1ff);\n\
         bool flag = 2;\n\
         g = -7 / 2;\n\
         h = (u8)-1;\n\
         s8 sc = 0x80;\n\
         k = sc;\n\
         m = 1 << 31;\n\
         n = SZ_512 + SZ_2G;\n",
    );
    assert_eq!(t.error, None, "{:?}", t.error);
    assert_eq!(var(&t, "a"), 1);
    assert_eq!(var(&t, "b"), 1);
    assert_eq!(
        var(&t, "c"),
        0,
        "-1 becomes ULONG_MAX against an unsigned long"
    );
    assert_eq!(var(&t, "d"), 0, "unsigned int wraps at 32 bits");
    assert_eq!(var(&t, "e"), 0xff, "array elements keep their type");
    assert_eq!(
        var(&t, "f"),
        0xff,
        "an assignment's value is the stored value"
    );
    assert_eq!(var(&t, "flag"), 1);
    assert_eq!(var(&t, "g"), (-3i64) as u64);
    assert_eq!(var(&t, "h"), 0xff);
    assert_eq!(var(&t, "k"), (-128i64) as u64);
    assert_eq!(var(&t, "m"), i32::MIN as i64 as u64);
    assert_eq!(var(&t, "n"), 512 + (2 << 30));
}

#[test]
fn pointer_arithmetic_scales_and_sizeof_sees_types() {
    let t = trace(
        "6.6",
        "void *p = kzalloc(64, GFP_KERNEL);\n\
         u32 *q = p;\n\
         u32 *r = q + 1;\n\
         a = r - q;\n\
         b = (void *)r - p;\n\
         *(q + 2) = 0xabcd;\n\
         c = q[2];\n\
         struct page *pg = alloc_pages(GFP_KERNEL, 1);\n\
         d = (pg + 1) - pg;\n\
         e = (unsigned long)(pg + 1) - (unsigned long)pg;\n\
         s1 = sizeof 1;\n\
         s2 = sizeof(1UL);\n\
         s3 = sizeof *q;\n\
         s4 = sizeof(struct page);\n\
         s5 = sizeof(q[1] + 1);\n\
         s6 = sizeof(kmalloc(8, GFP_KERNEL));\n",
    );
    assert_eq!(t.error, None, "{:?}", t.error);
    assert_eq!(var(&t, "a"), 1);
    assert_eq!(var(&t, "b"), 4);
    assert_eq!(var(&t, "c"), 0xabcd);
    assert_eq!(var(&t, "d"), 1);
    assert_eq!(var(&t, "e"), 64);
    assert_eq!(
        [
            var(&t, "s1"),
            var(&t, "s2"),
            var(&t, "s3"),
            var(&t, "s4"),
            var(&t, "s5"),
            var(&t, "s6")
        ],
        [4, 8, 4, 64, 4, 8]
    );
    // sizeof does not evaluate: no second kmalloc step.
    let kmallocs = t
        .steps
        .iter()
        .filter(|s| {
            s.event
                .as_ref()
                .is_some_and(|e| e.call.to_string().starts_with("kmalloc"))
        })
        .count();
    assert_eq!(kmallocs, 0);
}

#[test]
fn kernel_names_and_locks_are_checked() {
    assert_eq!(
        error("6.6", "int GFP_KERNEL = 1;\n"),
        "`GFP_KERNEL` is a kernel constant and cannot be declared"
    );
    assert_eq!(
        error("6.6", "int PAGE_SIZE = 3;\n"),
        "`PAGE_SIZE` is a kernel constant and cannot be declared"
    );
    // Not a kernel name: an ordinary variable.
    assert_eq!(error("6.6", "SZ_FOO = 1;\nint GFP_MINE = 2;\n"), "");
    assert_eq!(
        error("6.6", "spin_lock(undefined_lock);\n"),
        "`spin_lock` takes a pointer to a lock, as in spin_lock(&lock)"
    );
    assert_eq!(
        error("6.6", "spin_lock(&nolock);\n"),
        "`nolock` is not defined"
    );
    assert_eq!(
        error("6.6", "spinlock_t l;\nspin_lock_irqsave(&l, flags);\n"),
        "`flags` is not defined"
    );
    assert_eq!(
        error("6.6", "spinlock_t l;\nunsigned long flags;\nspin_lock_irqsave(&l, flags);\nspin_unlock_irqrestore(&l, flags);\n"),
        ""
    );
    assert_eq!(
        error("6.6", "int a[3] = 5;\n"),
        "array initializers are not supported: assign the elements"
    );
    let t = trace("6.6", "x = PAGE_SIZ;\n");
    assert_eq!(
        t.error.unwrap().help.as_deref(),
        Some("did you mean `PAGE_SIZE`?")
    );
}

/// What a script can make the simulator hold is bounded: steps, their
/// text, and the pages whose bytes it wrote. Each bound stops the run
/// with an error at the loop.
#[test]
fn hostile_scripts_hit_the_bounds() {
    let t = trace("6.6", "for (;;) __pa(0);\n");
    let e = t.error.unwrap();
    assert_eq!(
        e.message,
        format!("the script made more than {MAX_STEPS} calls: the playground stops here")
    );
    assert_eq!(e.span, Span::new(0, 17), "at the loop");
    assert_eq!(t.steps.len() as u64, MAX_STEPS + 1);

    let t = trace("6.6", "for (;;) cat(\"/proc/zoneinfo\");\n");
    let e = t.error.unwrap();
    assert!(
        e.message
            .starts_with("the script's calls produced more than 32 MiB"),
        "{}",
        e.message
    );

    let t = trace(
        "6.6",
        "void *p = vmalloc(SZ_256M);\nfor (int i = 0; i < 4; i++)\n    memset(p + i * SZ_64M, 0x41, SZ_64M);\n",
    );
    let e = t.error.unwrap();
    assert!(
        e.message
            .starts_with("the script wrote into more than 32768 pages (128 MiB)"),
        "{}",
        e.message
    );
    assert!(t.kernel.mem.stored_frames() as u64 <= MAX_WRITTEN_PAGES + (64 << 20) / PAGE_SIZE);
}

#[test]
fn expressions_evaluate_with_a_steps_variables() {
    let t = trace("6.6", "void *v = vmalloc(SZ_64K);\n");
    let v = var(&t, "v");
    let kernel = t.kernel.clone();
    assert_eq!(
        evaluate("v + 5000", &t.variables, kernel.clone()),
        Ok(v + 5000)
    );
    assert_eq!(
        evaluate("is_vmalloc_addr(v)", &t.variables, kernel.clone()),
        Ok(1)
    );
    assert_eq!(
        evaluate("w", &t.variables, kernel.clone())
            .unwrap_err()
            .message,
        "`w` is not defined"
    );
    assert!(evaluate("v; v", &t.variables, kernel.clone()).is_err());
    assert!(evaluate("v +", &t.variables, kernel).is_err());
}

/// The deepest script of a shape that still parses: `shape(n)` for the
/// largest `n` the parser accepts.
fn deepest(shape: impl Fn(usize) -> String) -> String {
    let fits = |n: usize| parse(&shape(n)).errors.is_empty();
    let mut n = 1;
    while fits(n + 1) {
        n += 1;
    }
    assert!(n > 20, "{}", shape(n));
    shape(n)
}

#[test]
fn the_deepest_trees_the_parser_builds_run_and_drop_on_a_small_stack() {
    let shapes: [&dyn Fn(usize) -> String; 7] = [
        &|n| format!("x = {};", vec!["1"; n].join(" + ")),
        &|n| format!("u8 a[1]; x = a{};", "[0]".repeat(n)),
        &|n| format!("x = {}1;", "- ".repeat(n)),
        &|n| {
            format!(
                "x = {}1{};",
                "kmalloc(".repeat(n),
                ", GFP_KERNEL)".repeat(n)
            )
        },
        &|n| format!("x = {}0{};", "memset(0, 0, ".repeat(n), ")".repeat(n)),
        &|n| format!("u8 a[1]; a{} = 1;", "[a[0]]".repeat(n)),
        &|n| {
            let sum = vec!["1"; n].join(" + ");
            format!(
                "{}while (x < 1) x = {sum};{}",
                "{ if (1) ".repeat(n / 2),
                "}".repeat(n / 2)
            )
        },
    ];
    let scripts: Vec<String> = shapes.iter().map(deepest).collect();
    // Wasm gives the playground about 1 MiB of stack: an optimised build
    // parses and runs each of these in 320 KiB or less. Unoptimised frames
    // are several times bigger.
    let stack = if cfg!(debug_assertions) {
        4 << 20
    } else {
        512 << 10
    };
    std::thread::Builder::new()
        .stack_size(stack)
        .spawn(move || {
            for script in scripts {
                let parsed = parse(&script);
                let trace = run(&parsed.program, config("6.6"), DEFAULT_STEP_BUDGET).unwrap();
                drop((parsed, trace));
            }
        })
        .unwrap()
        .join()
        .unwrap();
}
