//! Runs the built `kmem` binary as a user would.

use std::io::Write;
use std::process::{Command, Stdio};

fn kmem(args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kmem"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kmem runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("kmem exits");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn clean_script_exits_zero() {
    let (code, out, _) = kmem(&["check", "-"], "void *p = kmalloc(64, GFP_KERNEL);\n");
    assert_eq!(code, 0);
    assert_eq!(out.trim(), "-: no errors");
}

#[test]
fn script_errors_exit_one_with_every_diagnostic() {
    let (code, _, err) = kmem(&["check", "-"], "x = 1 @ 2;\ny = 0x;\n");
    assert_eq!(code, 1);
    assert!(
        err.contains("error: unexpected character '@'\n --> line 1, column 7"),
        "{err}"
    );
    assert!(
        err.contains("error: invalid integer literal `0x`\n --> line 2, column 5"),
        "{err}"
    );
    assert!(err.trim_end().ends_with("-: 2 errors"), "{err}");
}

#[test]
fn usage_errors_exit_two() {
    let (code, _, err) = kmem(&["nonsense"], "");
    assert_eq!(code, 2);
    assert!(err.contains("unknown command `nonsense`"));
    let (code, _, err) = kmem(&["check", "/nonexistent/file.kmem"], "");
    assert_eq!(code, 2);
    assert!(err.contains("cannot read /nonexistent/file.kmem"));
}

#[test]
fn run_prints_each_call_and_its_log() {
    let script =
        "void *p = kmalloc(100, GFP_KERNEL);\nkfree(p);\nprintk(KERN_INFO \"done %d\\n\", 3);\n";
    let (code, out, err) = kmem(
        &[
            "run",
            "--kernel",
            "6.6",
            "--ram",
            "1G",
            "--show",
            "/proc/slabinfo",
            "-",
        ],
        script,
    );
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "# kernel 6.6.57");
    let lines = &lines[1..];
    assert_eq!(lines[0], "   1 | kmalloc(100, GFP_KERNEL)");
    assert!(
        lines[1].starts_with("     = 0xffff888") && lines[1].contains("kmalloc-128"),
        "{out}"
    );
    assert!(out.contains("   3 | printk(KERN_INFO \"done %d\\n\", 3)"));
    assert!(out.contains("] done 3"));
    assert!(out.contains("slabinfo - version: 2.1"));
}

#[test]
fn run_reports_script_errors_with_exit_one() {
    let (code, _, err) = kmem(&["run", "-"], "p = kmalloc(64, GFP_KERNAL);\n");
    assert_eq!(code, 1);
    assert!(
        err.contains("error: unknown GFP flag `GFP_KERNAL`"),
        "{err}"
    );
    assert!(err.contains("help: did you mean `GFP_KERNEL`?"), "{err}");
    let (code, _, err) = kmem(&["run", "--kernel", "5.4", "-"], "");
    assert_eq!(code, 2, "{err}");
}

#[test]
fn gfp_prints_the_kernels_mode_first() {
    let (code, out, _) = kmem(&["gfp", "--kernel", "4.19", "GFP_KERNEL|__GFP_ZERO"], "");
    assert_eq!(code, 0);
    assert_eq!(out.lines().next(), Some("0x6080c0(GFP_KERNEL|__GFP_ZERO)"));
    let (code, out, _) = kmem(&["gfp", "--kernel", "6.6", "0xdc0"], "");
    assert_eq!(code, 0);
    assert_eq!(out.lines().next(), Some("0xdc0(GFP_KERNEL|__GFP_ZERO)"));
    assert!(out.contains("may sleep: yes"));
    assert!(out.contains("[x]") && out.contains("__GFP_ZERO"));
    let (code, out, _) = kmem(&["gfp", "--kernel", "4.9", "GFP_ATOMIC"], "");
    assert_eq!(code, 0, "any release from 4.9 on");
    assert!(out.contains("may sleep: no"));
    let (code, _, err) = kmem(&["gfp", "GFP_KERNAL"], "");
    assert_eq!(code, 1);
    assert!(err.contains("did you mean `GFP_KERNEL`?"), "{err}");
    // Any uname -r; a release after the tables is decoded with the newest
    // one and says so.
    let (code, out, _) = kmem(&["gfp", "--kernel", "5.15.0-91-generic", "GFP_ATOMIC"], "");
    assert_eq!((code, out.lines().next()), (0, Some("0xa20(GFP_ATOMIC)")));
    let (code, out, err) = kmem(&["gfp", "--kernel", "6.18.35", "0xcc0"], "");
    assert_eq!((code, out.lines().next()), (0, Some("0xcc0(GFP_KERNEL)")));
    assert!(
        err.contains(
            "6.18.35 is newer than the flag tables (4.9 to 6.12): decoded with 6.12's flags"
        ),
        "{err}"
    );
    let (code, _, err) = kmem(&["gfp", "--kernel", "4.4", "0xcc0"], "");
    assert_eq!(code, 2);
    assert!(err.contains("no GFP flag table for kernel 4.4"), "{err}");
}

/// The run header says which profile simulates a release string.
#[test]
fn run_names_the_profile_of_a_release_string() {
    let script = "void *p = kmalloc(8, GFP_KERNEL);\n";
    let (code, out, _) = kmem(&["run", "--kernel", "4.19.0-27-amd64", "-"], script);
    assert_eq!(code, 0);
    assert_eq!(
        out.lines().next(),
        Some("# kernel 4.19.0-27-amd64, simulated as 4.19.255 (its point release is unknown)")
    );
    let (code, _, err) = kmem(&["run", "--kernel", "6.3.0.net0", "-"], script);
    assert_eq!(code, 2);
    assert!(
        err.contains(
            "kernel 6.3.0 is not simulated; the nearest simulated kernels are 6.1 and 6.6"
        ),
        "{err}"
    );
}

#[test]
fn examples_are_listed_and_printed() {
    let (code, out, _) = kmem(&["examples"], "");
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), 10);
    assert!(out.starts_with("kmalloc-vs-kzalloc"));
    let (code, out, _) = kmem(&["examples", "double-free"], "");
    assert_eq!(code, 0);
    assert!(out.contains("kfree(p);\nkfree(p);"));
    let (code, _, _) = kmem(&["examples", "nonsense"], "");
    assert_eq!(code, 2);
}

#[test]
fn run_json_is_the_trace_with_hex_strings() {
    let (code, out, err) = kmem(
        &["run", "--json", "-"],
        "void *p = kmalloc(64, GFP_KERNEL);\n",
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"steps\""), "{out}");
    assert!(out.contains("\"value\": \"0xffff888"), "{out}");
    assert!(
        out.contains("\"call\": \"kmalloc(64, 0xcc0(GFP_KERNEL))\""),
        "{out}"
    );
    assert!(out.contains("\"variables\""));
}

#[test]
fn gfp_json_carries_the_mode_and_every_bit() {
    let (code, out, err) = kmem(&["gfp", "--json", "--kernel", "6.6", "GFP_ATOMIC"], "");
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["mode"], "0x820(GFP_ATOMIC)");
    assert_eq!(v["may_sleep"], false);
    assert_eq!(v["zone"], "Normal");
    let high = v["bits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["name"] == "__GFP_HIGH")
        .unwrap();
    assert_eq!(high["set"], true);
    assert_eq!(high["value"], "0x20");
}

/// A script's own log, piped into decode, is explained; text without a
/// report exits 1.
#[test]
fn decode_explains_a_log_and_refuses_plain_text() {
    let script = "spinlock_t l;\nspin_lock(&l);\nvoid *p = kmalloc(64, GFP_KERNEL);\n";
    let (_, log, _) = kmem(&["run", "--kernel", "6.12", "-"], script);
    let (code, out, err) = kmem(&["decode"], &log);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("kernel 6.12.19 (from line "), "{out}");
    assert!(
        out.contains("a function that may sleep was called"),
        "{out}"
    );
    assert!(out.contains("preemption disabled 1 time(s)"), "{out}");
    let (code, out, _) = kmem(&["decode", "--json"], &log);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["release"], "6.12.19");
    let (code, out, _) = kmem(&["decode"], "all quiet\n");
    assert_eq!(code, 1);
    assert!(out.contains("nothing to decode"), "{out}");
    let (code, _, err) = kmem(&["decode", "--kernel", "2.6"], "x\n");
    assert_eq!(code, 2);
    assert!(err.contains("4.9 to 6.12"), "{err}");
}

#[test]
fn run_takes_the_machine_debug_options() {
    let script = "char *p = kmalloc(100, GFP_KERNEL);\np[100] = 1;\nkfree(p);\n";
    let (code, out, err) = kmem(&["run", "--slub-debug", "--kernel", "6.6", "-"], script);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("BUG kmalloc-128 (Tainted: G           O      ): kmalloc Redzone overwritten"),
        "{out}"
    );
    let (_, out, _) = kmem(&["run", "--kernel", "6.6", "-"], script);
    assert!(!out.contains("Redzone"), "{out}");
}

#[test]
fn help_documents_the_language_and_check_runs_the_script() {
    let (code, out, _) = kmem(&["help", "language"], "");
    assert_eq!(code, 0);
    assert!(out.starts_with("The kmem playground language"), "{out}");
    assert!(out.contains("spin_lock_irqsave"));
    // The help's first example runs cleanly.
    let example: String = out
        .lines()
        .skip_while(|l| !l.starts_with("    void *p"))
        .take_while(|l| l.starts_with("    "))
        .map(|l| format!("{}\n", l.trim_start()))
        .collect();
    assert!(example.contains("kfree(p);"), "{example}");
    let (code, _, err) = kmem(&["check", "-"], &example);
    assert_eq!(code, 0, "{err}");
    // check reports the mistakes a run stops at, not only syntax.
    let (code, _, err) = kmem(
        &["check", "--kernel", "4.19", "-"],
        "p = kvrealloc(NULL, 0, 8, GFP_KERNEL);\n",
    );
    assert_eq!(code, 1);
    assert!(err.contains("`kvrealloc` does not exist in 4.19"), "{err}");
}

/// An endless input is refused after the limit, quickly and in little
/// memory, whichever command reads it.
#[test]
fn inputs_over_the_limit_are_refused() {
    for args in [
        &["decode", "/dev/zero"][..],
        &["run", "/dev/zero"],
        &["check", "/dev/zero"],
        &["quiz", "show", "/dev/zero"],
    ] {
        let started = std::time::Instant::now();
        let (code, out, err) = kmem(args, "");
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?}: {out}");
        assert!(
            err.contains("kmem: /dev/zero is longer than 4 MiB, the most kmem reads"),
            "{args:?}: {err}"
        );
        assert!(
            started.elapsed().as_secs() < 10,
            "{args:?} took {:?}",
            started.elapsed()
        );
    }
}

/// Terminal escapes and bidi controls in a script, its output, its log
/// or a pasted log are shown escaped, never written raw.
#[test]
fn control_characters_are_shown_escaped() {
    // A zero-width space in the string: a bidi control there is an error
    // of its own (the `check` case below shows one escaped).
    let script = "printk(\"\\x1b]0;pwned\\x07\\x1b[2J\u{200b}done\\n\");\n";
    let (code, out, err) = kmem(&["run", "-"], script);
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains(['\x1b', '\x07', '\u{200b}']), "{out:?}");
    assert!(
        out.contains("\\x1b]0;pwned\\x07\\x1b[2J\\u{200b}done"),
        "{out}"
    );

    let (_, out, _) = kmem(&["run", "--json", "-"], script);
    assert!(!out.contains(['\x1b', '\u{200b}']), "{out:?}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert!(v["steps"][0]["output"]
        .as_str()
        .is_some_and(|o| o.contains("\x1b[2J\u{200b}done")));

    let (code, _, err) = kmem(&["check", "-"], "x = 1 @ \"\x1b[2J\u{2066}\";\n");
    assert_eq!(code, 1);
    assert!(!err.contains(['\x1b', '\u{2066}']), "{err:?}");
    assert!(err.contains("x = 1 @ \"\\x1b[2J\\u{2066}\";"), "{err}");

    let (_, out, _) = kmem(
        &["decode"],
        "CPU: 0 PID: 1 Comm: \x1b]0;x\x07 Not tainted 6.6.57 #1\nBUG: scheduling while atomic: \x1b[2J/1/0x00000002\n",
    );
    assert!(!out.contains(['\x1b', '\x07']), "{out:?}");

    let (_, _, err) = kmem(&["gfp", "GFP_\x1b[2JKERNEL"], "");
    assert!(!err.contains('\x1b') && err.contains("\\x1b"), "{err:?}");
}
