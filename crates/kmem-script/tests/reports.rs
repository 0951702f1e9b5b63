//! The kernel's reports as each pinned release prints them: a WARN, a BUG
//! and an oops through `show_regs()`, a page allocation failure whose
//! Mem-Info agrees with /proc/meminfo, and printk's pointer extensions.
//! The traces are kept in `tests/golden/reports/` (regenerate with
//! `KMEM_UPDATE_GOLDEN=1 cargo test -p kmem-script --test reports` and
//! review the diff); the shape of each report is checked here line by line.

use kmem::kernel::KernelConfig;
use kmem::memmap::MachineConfig;
use kmem::profile::{Profile, Series};
use kmem_script::interp::DEFAULT_STEP_BUDGET;
use kmem_script::render::trace_text;
use kmem_script::{parse, run};
use std::path::PathBuf;

const SCRIPTS: [(&str, &str); 4] = [
    ("warn", include_str!("reports/warn.kmem")),
    ("bug", include_str!("reports/bug.kmem")),
    ("oops", include_str!("reports/oops.kmem")),
    ("warn-alloc", include_str!("reports/warn-alloc.kmem")),
];

/// A 256 MiB machine with 2 CPUs, so that memory runs out quickly.
fn config(series: Series) -> KernelConfig {
    KernelConfig {
        profile: Profile::of_series(series),
        machine: MachineConfig {
            ram_bytes: 256 << 20,
            cpus: 2,
            ..MachineConfig::default()
        },
        ..KernelConfig::default()
    }
}

/// The kernel log of a script's run, without timestamps.
fn log_of(name: &str, series: Series) -> (String, Vec<String>) {
    let source = SCRIPTS.iter().find(|(n, _)| *n == name).unwrap().1;
    let parsed = parse(source);
    assert!(parsed.errors.is_empty(), "{name}: {:?}", parsed.errors);
    let trace = run(&parsed.program, config(series), DEFAULT_STEP_BUDGET).unwrap();
    assert_eq!(trace.error, None, "{name} on {}", series.name());
    let log = trace
        .kernel
        .log
        .lines()
        .iter()
        .map(|l| l.text.clone())
        .collect();
    (trace_text(source, &trace), log)
}

#[test]
fn reports_match_their_golden_traces() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/reports");
    let update = std::env::var_os("KMEM_UPDATE_GOLDEN").is_some();
    let mut mismatches = Vec::new();
    for (name, _) in SCRIPTS {
        for series in Series::ALL {
            let (text, _) = log_of(name, series);
            let path = dir.join(format!("{name}.{}.txt", series.name()));
            if update {
                std::fs::create_dir_all(&dir).unwrap();
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
        "report traces changed (KMEM_UPDATE_GOLDEN=1 rewrites them):\n{}",
        mismatches.join("\n")
    );
}

/// Whether `line` is a call-trace frame as `%pS` prints it:
/// ` [? ]name+0xoff/0xlen[ [module]]`.
fn is_frame(line: &str) -> bool {
    let Some(rest) = line.strip_prefix(' ') else {
        return false;
    };
    let rest = rest.strip_prefix("? ").unwrap_or(rest);
    let (symbol, module) = match rest.split_once(' ') {
        Some((s, m)) => (s, Some(m)),
        None => (rest, None),
    };
    let Some((name, place)) = symbol.split_once('+') else {
        return false;
    };
    let Some((off, len)) = place.split_once('/') else {
        return false;
    };
    let hex = |s: &str| {
        s.strip_prefix("0x")
            .is_some_and(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit()))
    };
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
        && hex(off)
        && hex(len)
        && module.is_none_or(|m| m == "[playground]")
}

/// The lines of each call trace in `log`: from `Call Trace:` to the first
/// line that is neither a frame nor a marker (the user registers follow the
/// syscall entry).
fn traces(log: &[String]) -> Vec<Vec<&str>> {
    let mut all = Vec::new();
    for (i, line) in log.iter().enumerate() {
        if line != "Call Trace:" {
            continue;
        }
        let frames: Vec<&str> = log[i + 1..]
            .iter()
            .map(String::as_str)
            .take_while(|l| !l.starts_with("RIP: 0033:"))
            .filter(|l| *l != " <TASK>")
            .collect();
        all.push(frames);
    }
    all
}

/// Audit D7, D22: every frame of every report has its offset and length,
/// and the trace runs through the script's init function down to the
/// `finit_module` system call, then insmod's registers.
#[test]
fn every_trace_runs_from_the_reporter_to_the_syscall() {
    for (name, _) in SCRIPTS {
        for series in Series::ALL {
            let (_, log) = log_of(name, series);
            let traces = traces(&log);
            assert!(!traces.is_empty(), "{name} on {}", series.name());
            for frames in traces {
                for f in &frames {
                    assert!(
                        is_frame(f),
                        "{name} on {}: {f:?} in {frames:#?}",
                        series.name()
                    );
                }
                assert!(
                    frames.iter().any(|f| f.contains("[playground]")),
                    "{frames:#?}"
                );
                assert!(
                    frames
                        .last()
                        .unwrap()
                        .starts_with(" entry_SYSCALL_64_after_hwframe+"),
                    "{frames:#?}"
                );
            }
            // No dump_stack frame in a show_regs() trace.
            let regs_at = log.iter().position(|l| l.starts_with("RIP: 0010:"));
            if let Some(at) = regs_at {
                let trace = &log[at..];
                let next = trace.iter().position(|l| l == "Call Trace:").unwrap();
                assert!(
                    !trace[next + 1].contains("dump_stack"),
                    "{name}: {:?}",
                    &trace[next..next + 3]
                );
            }
        }
    }
}

fn index_of(log: &[String], prefix: &str) -> usize {
    log.iter()
        .position(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no {prefix:?} in {log:#?}"))
}

/// Audit D5, D7, D12: the WARN's lines in order, with the module that
/// taints `O` while its init runs.
#[test]
fn a_warn_prints_the_registers_of_its_ud2() {
    for series in Series::ALL {
        let (_, log) = log_of("warn", series);
        let warning = index_of(&log, "WARNING: CPU: 0 PID: 1000 at mm/page_alloc.c:");
        // 4.19's WARN_ON_ONCE prints no "cut here"; 5.x's report_bug() does.
        let cut_here = log[warning - 1] == "------------[ cut here ]------------";
        assert_eq!(cut_here, series != Series::V4_19, "{}", series.name());
        assert_eq!(log[warning + 1], "Modules linked in: playground(O+)");
        assert!(
            log[warning + 2].starts_with("CPU: 0 "),
            "{}",
            log[warning + 2]
        );
        assert!(
            log[warning + 2].contains(" Tainted: G           O "),
            "{}",
            log[warning + 2]
        );
        let rip = index_of(&log, "RIP: 0010:");
        assert!(log[rip].contains("__alloc_pages"), "{}", log[rip]);
        assert!(log[rip + 1].starts_with("Code: ") && log[rip + 1].contains(" <0f> 0b "));
        for (offset, prefix) in [
            (2, "RSP: 0018:"),
            (3, "RAX: "),
            (4, "RDX: "),
            (5, "RBP: "),
            (6, "R10: "),
            (7, "R13: "),
            (8, "FS:  "),
            (9, "CS:  0010 DS: 0000 ES: 0000 CR0: "),
            (10, "CR2: "),
            (11, "Call Trace:"),
        ] {
            assert!(
                log[rip + offset].starts_with(prefix),
                "{:?}",
                log[rip + offset]
            );
        }
        let end = index_of(&log, "---[ end trace ");
        assert!(end > rip);
        // printk's %pa, %pGg of a pointer, %#x of 0, %p of NULL (D1, D11, D19).
        let null = if series == Series::V4_19 {
            "          (null)"
        } else {
            "0000000000000000"
        };
        assert_eq!(
            log.last().unwrap(),
            &format!("0x0000000000001000 |GFP_KERNEL 0x0 [{null}]")
        );
    }
}

/// A BUG: `kernel BUG at`, the invalid-opcode header, the registers at the
/// ud2, the modules after the trace, and the registers again after the end
/// marker.
#[test]
fn a_bug_is_an_invalid_opcode_oops() {
    for series in Series::ALL {
        let (_, log) = log_of("bug", series);
        let bug = index_of(&log, "kernel BUG at mm/slub.c:");
        assert_eq!(log[bug - 1], "------------[ cut here ]------------");
        let header = if series == Series::V6_12 {
            "Oops: invalid opcode: 0000 [#1] PREEMPT SMP NOPTI"
        } else if series == Series::V4_19 {
            "invalid opcode: 0000 [#1] SMP NOPTI"
        } else {
            "invalid opcode: 0000 [#1] PREEMPT SMP NOPTI"
        };
        assert_eq!(log[bug + 1], header);
        let rip = index_of(&log, "RIP: 0010:kfree+");
        assert!(log[rip + 1].contains(" <0f> 0b "));
        let modules = index_of(&log, "Modules linked in: playground(O+)");
        let end = index_of(&log, "---[ end trace ");
        assert!(modules > rip && end == modules + 1, "{log:#?}");
        assert!(
            log[end + 1].starts_with("RIP: 0010:kfree+"),
            "{:?}",
            log[end + 1]
        );
        assert!(log
            .iter()
            .all(|l| !l.starts_with("CR2: ") || l.contains("CR3:")));
    }
}

/// A page-fault oops: the fault address in CR2, both in the registers and
/// on its own line after the modules, as `page_fault_oops()` prints it.
#[test]
fn an_oops_names_the_address_in_cr2() {
    for series in Series::ALL {
        let (_, log) = log_of("oops", series);
        let rip = index_of(&log, "RIP: 0010:kfree+");
        // virt_to_head_page() reads page->compound_head, 8 bytes into the
        // struct page of the vmalloc address (D16).
        assert!(log[rip + 1].contains(" <48> 8b 47 08 "), "{}", log[rip + 1]);
        let cr2 = log[rip + 10].clone();
        assert!(
            cr2.starts_with("CR2: ffffea") || cr2.starts_with("CR2: ffffeb"),
            "{cr2}"
        );
        let address = &cr2[5..21];
        assert!(address.ends_with('8'), "{address}");
        let modules = index_of(&log, "Modules linked in: playground(O+)");
        assert_eq!(log[modules + 1], format!("CR2: {address}"));
        assert!(log[modules + 2].starts_with("---[ end trace "));
        assert!(log[modules + 3].starts_with("RIP: 0010:kfree+"));
        let irq_note = log
            .iter()
            .any(|l| l == "note: insmod[1000] exited with irqs disabled");
        assert_eq!(irq_note, series != Series::V4_19, "{}", series.name());
    }
}

/// The number after `key` in `line`.
fn number(line: &str, key: &str) -> u64 {
    let rest = line.split_once(key).unwrap().1.trim_start();
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().unwrap()
}

/// Audit D8, D9: Mem-Info's slab and page-table counters are the ones
/// /proc/meminfo prints in the same run; 6.x counts the large kmallocs as
/// unreclaimable slab, 4.19 does not.
#[test]
fn mem_info_counters_equal_proc_meminfo() {
    for series in Series::ALL {
        let (text, log) = log_of("warn-alloc", series);
        let slab = log
            .iter()
            .find(|l| l.starts_with(" slab_reclaimable:"))
            .unwrap_or_else(|| panic!("{}: no Mem-Info in {text}", series.name()));
        let unreclaimable = number(slab, "slab_unreclaimable:");
        let tables = log.iter().find(|l| l.contains(" pagetables:")).unwrap();
        let pagetables = number(tables, " pagetables:");
        let meminfo = |key: &str| {
            text.lines()
                .find_map(|l| l.trim().strip_prefix(key))
                .map(|v| {
                    v.trim()
                        .trim_end_matches(" kB")
                        .trim()
                        .parse::<u64>()
                        .unwrap()
                })
                .unwrap_or_else(|| panic!("no {key}"))
        };
        assert_eq!(
            unreclaimable * 4,
            meminfo("SUnreclaim:"),
            "{}",
            series.name()
        );
        assert_eq!(pagetables * 4, meminfo("PageTables:"), "{}", series.name());
        // 64 objects of 512 bytes are 8 pages of kmalloc-512 at most; the
        // 4 MiB kmallocs are 1024 pages each.
        if series == Series::V4_19 {
            assert!(unreclaimable < 64, "{unreclaimable}");
        } else {
            assert!(unreclaimable > 1024, "{unreclaimable}");
        }
    }
}
