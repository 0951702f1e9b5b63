//! Every bundled example runs cleanly on each simulated release, and its
//! trace matches the golden file kept in `tests/golden/`. A change to a
//! golden file must be deliberate: regenerate them with
//! `KMEM_UPDATE_GOLDEN=1 cargo test -p kmem-script --test examples` and
//! review the diff.

use kmem::kernel::KernelConfig;
use kmem::memmap::MachineConfig;
use kmem::profile::Profile;
use kmem_script::examples::EXAMPLES;
use kmem_script::interp::DEFAULT_STEP_BUDGET;
use kmem_script::render::trace_text;
use kmem_script::{parse, run};
use std::path::PathBuf;

/// The machine of the goldens: 1 GiB, 4 CPUs (`kmem run --ram 1G --cpus 4`).
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

#[test]
fn examples_match_their_golden_traces() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let update = std::env::var_os("KMEM_UPDATE_GOLDEN").is_some();
    let mut mismatches = Vec::new();
    for example in EXAMPLES {
        let parsed = parse(example.source);
        assert!(
            parsed.errors.is_empty(),
            "{}: {:?}",
            example.name,
            parsed.errors
        );
        for version in kmem::profile::Series::ALL.map(|s| s.name()) {
            let trace = run(&parsed.program, config(version), DEFAULT_STEP_BUDGET).unwrap();
            assert_eq!(trace.error, None, "{} on {version}", example.name);
            let text = trace_text(example.source, &trace);
            let path = dir.join(format!("{}.{version}.txt", example.name));
            if update {
                std::fs::write(&path, &text).unwrap();
                continue;
            }
            match std::fs::read_to_string(&path) {
                Ok(golden) if golden == text => {}
                Ok(_) => mismatches.push(format!("{} differs", path.display())),
                Err(e) => mismatches.push(format!("{}: {e}", path.display())),
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "golden traces changed (KMEM_UPDATE_GOLDEN=1 rewrites them):\n{}",
        mismatches.join("\n")
    );
}

/// What each example is there to show, checked on its trace, on the
/// goldens' machine just booted and on the playground's default machine
/// (the desktop, up for a while).
#[test]
fn examples_show_what_they_teach() {
    for running in [false, true] {
        examples_teach(running);
    }
}

fn examples_teach(running: bool) {
    let text = |name: &str, version: &str| {
        let example = kmem_script::examples::find(name).unwrap();
        let parsed = parse(example.source);
        let config = match running {
            false => config(version),
            true => KernelConfig {
                profile: Profile::parse(version).unwrap(),
                machine: MachineConfig {
                    uptime: kmem::memmap::Uptime::Running,
                    ..MachineConfig::default()
                },
                ..KernelConfig::default()
            },
        };
        let trace = run(&parsed.program, config, DEFAULT_STEP_BUDGET).unwrap();
        trace_text(example.source, &trace)
    };
    let t = text("kvmalloc-fallback", "6.6");
    assert!(t.contains("fell back to vmalloc"), "{t}");
    assert!(t.contains("is_vmalloc_addr(p) = 1"));
    assert!(t.contains("do not allow blocking"));
    assert!(text("kvmalloc-fallback", "4.19").contains("GFP_KERNEL-compatible"));
    let t = text("size-limit", "6.12");
    assert!(t.contains("an order-10 compound page"));
    assert!(t.contains("(Warn)"));
    assert!(text("double-free", "6.6").contains("kernel BUG at mm/slub.c:448!"));
    assert!(text("kfree-vmalloc", "4.19")
        .contains("BUG: unable to handle kernel paging request at ffffeb02"));
    assert!(
        text("gfp-contexts", "6.12").contains("BUG: sleeping function called from invalid context")
    );
    assert!(text("kcalloc-overflow", "6.6").contains("wrapped = 0000000000000010"));
}

/// On the playground's default machine (the desktop, up for a while) the
/// examples' lessons show on every release: kmalloc's pages are
/// neighbours in RAM, vmalloc's are not, kvmalloc falls back.
#[test]
fn on_the_default_running_machine_the_lessons_show() {
    use kmem::memmap::Uptime;
    let frames = |text: &str, what: &str| -> Vec<u64> {
        text.lines()
            .filter(|l| l.contains(&format!("] {what} page ")))
            .map(|l| {
                let hex = l.rsplit(' ').next().unwrap().trim_start_matches("0x");
                u64::from_str_radix(hex, 16).unwrap() >> 12
            })
            .collect()
    };
    let neighbours = |f: &[u64]| f.windows(2).filter(|w| w[1] == w[0] + 1).count();
    for version in kmem::profile::Series::ALL.map(|s| s.name()) {
        let config = KernelConfig {
            profile: Profile::parse(version).unwrap(),
            machine: MachineConfig {
                uptime: Uptime::Running,
                ..MachineConfig::default()
            },
            ..KernelConfig::default()
        };
        let text = |name: &str| {
            let example = kmem_script::examples::find(name).unwrap();
            let trace = run(
                &parse(example.source).program,
                config.clone(),
                DEFAULT_STEP_BUDGET,
            )
            .unwrap();
            assert_eq!(trace.error, None, "{name} on {version}");
            trace_text(example.source, &trace)
        };
        for example in EXAMPLES {
            text(example.name);
        }
        let t = text("contiguous-vs-scattered");
        let (k, v) = (frames(&t, "kmalloc"), frames(&t, "vmalloc"));
        assert_eq!((k.len(), v.len()), (4, 4), "{version}:\n{t}");
        assert_eq!(
            neighbours(&k),
            3,
            "{version}: kmalloc's pages are contiguous\n{t}"
        );
        assert!(
            neighbours(&v) < 2,
            "{version}: vmalloc's pages are scattered\n{t}"
        );
        assert!(
            text("kvmalloc-fallback").contains("fell back to vmalloc"),
            "{version}"
        );
    }
}
