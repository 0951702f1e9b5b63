//! The hostile-input catalogue (`tests/hostile/catalogue.md`): every case
//! runs through what reads it in the playground (the script interpreter on
//! a simulated kernel, the share-link decoder, the quiz checker, the log
//! decoder, the GFP parser) and must have its stated outcome, within a
//! time limit, without a panic.

use std::time::{Duration, Instant};

use kmem::kernel::{DebugConfig, Kernel, KernelConfig, Outcome};
use kmem::memmap::MachineConfig;
use kmem::profile::Profile;
use kmem_script::interp::DEFAULT_STEP_BUDGET;
use kmem_web::share::SharedState;

/// The most a case may take, in this (debug) build.
const LIMIT: Duration = Duration::from_secs(30);

struct Case {
    name: String,
    kind: String,
    kernel: String,
    debug: DebugConfig,
    expect: String,
    generate: Option<String>,
    /// For `edit`: the text typed at the `‸` marker; for `browser`: the
    /// test that shows the outcome (`FILE NAME`).
    insert: String,
    test: String,
    input: String,
}

fn cases() -> Vec<Case> {
    let text = include_str!("hostile/catalogue.md");
    let mut cases = Vec::new();
    let mut current: Option<Case> = None;
    let mut in_block = false;
    for line in text.lines() {
        if in_block {
            if line == "```" {
                in_block = false;
            } else if let Some(case) = current.as_mut() {
                case.input.push_str(line);
                case.input.push('\n');
            }
            continue;
        }
        if let Some(name) = line.strip_prefix("## ") {
            cases.extend(current.take());
            current = Some(Case {
                name: name.to_string(),
                kind: String::new(),
                kernel: "6.6".into(),
                debug: DebugConfig::default(),
                expect: String::new(),
                generate: None,
                insert: String::new(),
                test: String::new(),
                input: String::new(),
            });
            continue;
        }
        let Some(case) = current.as_mut() else {
            continue;
        };
        if line.starts_with("```") {
            in_block = true;
        } else if let Some(v) = line.strip_prefix("kind: ") {
            case.kind = v.to_string();
        } else if let Some(v) = line.strip_prefix("kernel: ") {
            case.kernel = v.to_string();
        } else if line == "debug: slub_debug" {
            case.debug.slub_debug = true;
        } else if let Some(v) = line.strip_prefix("expect: ") {
            case.expect = v.to_string();
        } else if let Some(v) = line.strip_prefix("generate: ") {
            case.generate = Some(v.to_string());
        } else if let Some(v) = line.strip_prefix("insert: ") {
            case.insert = v.to_string();
        } else if let Some(v) = line.strip_prefix("test: ") {
            case.test = v.to_string();
        }
    }
    cases.extend(current);
    cases
}

/// The input a `generate:` line describes.
fn generated(spec: &str) -> String {
    let (name, n) = spec
        .split_once(' ')
        .map_or((spec, 0), |(a, b)| (a, b.parse().unwrap_or(0)));
    match name {
        "parens" => format!("x = {}1{};\n", "(".repeat(n), ")".repeat(n)),
        "blocks" => format!("{}x = 1;{}\n", "{".repeat(n), "}".repeat(n)),
        "calls" => (0..n / 2)
            .map(|i| {
                format!(
                    "p{} = kmalloc({}, GFP_KERNEL);\nkfree(p{});\n",
                    i % 7,
                    8 + i % 500,
                    i % 7
                )
            })
            .collect(),
        "bytes" => "x = 1;\n".repeat(n / 7),
        "nul" => "x = 1;\0\ny = \0 2;\n".to_string(),
        "invalid-utf8" => String::from_utf8_lossy(b"x = 1;\n\xff\xfe\xc3\x28 = 2;\n").into_owned(),
        "sum" => format!("x = {};\n", vec!["1"; n].join(" + ")),
        "and" => format!("x = {};\n", vec!["1"; n].join(" && ")),
        "compare" => format!("x = {};\n", vec!["1"; n].join(" < ")),
        "index" => format!("u8 a[1];\nx = a{};\n", "[0]".repeat(n)),
        "sums-in-parens" => {
            let sum = vec!["1"; n].join(" + ");
            format!(
                "x = {}{sum}{};\n",
                "(".repeat(n),
                format!(") + {sum}").repeat(n)
            )
        }
        "prefix" => format!(
            "x = {}1;\n",
            ["-", "!", "~", "(u8)", "*&"].repeat(n / 5).join(" ")
        ),
        "ternary" => format!("x = {}1;\n", "1 ? 1 : ".repeat(n)),
        "assigns" => format!("{}1;\n", "a = ".repeat(n)),
        "widths" => format!(
            "printk(\"{}\\n\"{});\n",
            "%8388607d".repeat(n),
            ", 1".repeat(n)
        ),
        "arrays" => (0..n).map(|i| format!("u8 a{i}[1048576];\n")).collect(),
        "echo" => format!("{}{}", "@;\n".repeat(n), "x x;\n".repeat(n)),
        "ats" => format!("{}\n", "@".repeat(n)),
        "zeros" => "\0".repeat(n),
        "oopses" => {
            let line = "BUG: unable to handle page fault for address: ffffffffffffffff\n";
            line.repeat(n / line.len())
        }
        _ => panic!("unknown generator {name}"),
    }
}

fn kernel(case: &Case) -> Kernel {
    Kernel::boot(KernelConfig {
        profile: Profile::parse(&case.kernel).unwrap(),
        machine: MachineConfig::preset("desktop").unwrap(),
        debug: case.debug,
    })
    .unwrap()
}

/// Runs a case; the failure message, if any.
fn run(case: &Case) -> Result<(), String> {
    let input = case
        .generate
        .as_deref()
        .map(generated)
        .unwrap_or_else(|| case.input.clone());
    let (what, value) = case
        .expect
        .split_once(':')
        .map_or((case.expect.as_str(), ""), |(a, b)| (a, b.trim()));
    match case.kind.as_str() {
        "script" => {
            let parsed = kmem_script::parse(&input);
            let trace = kmem_script::run_on(&parsed.program, kernel(case), DEFAULT_STEP_BUDGET);
            let errors: Vec<String> = parsed
                .errors
                .iter()
                .map(|d| d.message.clone())
                .chain(trace.error.iter().map(|d| d.message.clone()))
                .collect();
            let outcomes: Vec<&Outcome> = trace
                .steps
                .iter()
                .filter_map(|s| s.event.as_ref().map(|e| &e.outcome))
                .collect();
            let log: Vec<&str> = trace
                .kernel
                .log
                .lines()
                .iter()
                .map(|l| l.text.as_str())
                .collect();
            let ok = match what {
                "ok" => errors.is_empty(),
                "error" => errors.iter().any(|e| e.contains(value)),
                "log" => log.iter().any(|l| l.contains(value)),
                "outcome" => outcomes.iter().any(|o| match value {
                    "Bug" => **o == Outcome::Bug,
                    "Oops" => **o == Outcome::Oops,
                    "Warn" => **o == Outcome::Warn,
                    "Failed" => **o == Outcome::Failed,
                    "Refused" => matches!(o, Outcome::Refused(_)),
                    _ => false,
                }),
                _ => return Err(format!("unknown expectation `{}`", case.expect)),
            };
            ok.then_some(()).ok_or_else(|| {
                format!(
                    "errors {errors:?}, first outcomes {:?}, last log lines {:?}",
                    outcomes.iter().take(6).collect::<Vec<_>>(),
                    log.iter().rev().take(3).collect::<Vec<_>>()
                )
            })
        }
        "link" => match (what, SharedState::from_fragment(input.trim())) {
            ("ok", Ok(_)) => Ok(()),
            ("error", Err(e)) if e.to_string().contains(value) => Ok(()),
            (_, result) => Err(format!("{result:?}")),
        },
        "quiz" => {
            let (_, problems) = kmem_quiz::check(&input);
            match what {
                "ok" if problems.is_empty() => Ok(()),
                "problem" if problems.iter().any(|p| p.message.contains(value)) => Ok(()),
                _ => Err(format!("{problems:?}")),
            }
        }
        "decode" => {
            let decoding = kmem::decode::decode(&input, None).map_err(|e| e.to_string())?;
            let _ = decoding.render();
            match what {
                "nothing" if decoding.findings.is_empty() => Ok(()),
                "finding" if decoding.findings.iter().any(|f| f.title.contains(value)) => Ok(()),
                _ => Err(format!(
                    "{:?}",
                    decoding
                        .findings
                        .iter()
                        .map(|f| &f.title)
                        .collect::<Vec<_>>()
                )),
            }
        }
        "gfp" => {
            let table =
                kmem::gfp::GfpTable::for_release(Profile::default_profile().release()).unwrap();
            match (what, table.parse(input.trim())) {
                ("ok", Ok(_)) => Ok(()),
                ("error", Err(e)) if e.message.contains(value) => Ok(()),
                (_, result) => Err(format!("{result:?}")),
            }
        }
        "edit" => edit(&input, &case.insert, what, value),
        "browser" => {
            let (file, name) = case.test.split_once(' ').unwrap_or((&case.test, ""));
            let path = format!("{}/web/e2e/{file}", env!("CARGO_MANIFEST_DIR"));
            let tests = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
            tests
                .contains(&format!("test({name:?}"))
                .then_some(())
                .ok_or_else(|| format!("{file} has no test named {name:?}"))
        }
        other => Err(format!("unknown kind `{other}`")),
    }
}

/// An `edit` case: the editor draws the script with its errors, the
/// person types `insert` at the `‸` marker, and the editor draws the new
/// text with the old errors (as it would until the next run; it must not
/// slice inside a character) and then with the new run's.
fn edit(input: &str, insert: &str, what: &str, value: &str) -> Result<(), String> {
    use kmem_web::components::editor::{error_marks, highlight_pieces, window_range};
    let at = input.find('‸').ok_or("an edit case needs a `‸` marker")?;
    let before = input.replace('‸', "");
    let after = format!("{}{insert}{}", &before[..at], &before[at..]);
    let stale = kmem_script::parse(&before).errors;
    let fresh = kmem_script::parse(&after).errors;
    for (text, errors) in [(&before, &stale), (&after, &stale), (&after, &fresh)] {
        let _ = error_marks(text, errors);
        let _ = highlight_pieces(text, window_range(text, (0, 40)));
    }
    let ok = match what {
        "ok" => fresh.is_empty(),
        "error" => fresh.iter().any(|d| d.message.contains(value)),
        _ => return Err(format!("unknown expectation `{what}` for an edit")),
    };
    ok.then_some(())
        .ok_or_else(|| format!("the edited script's errors: {fresh:?}"))
}

#[test]
fn every_hostile_input_has_its_stated_outcome() {
    let cases = cases();
    assert!(cases.len() >= 50, "the catalogue has {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let started = Instant::now();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(case)));
        let took = started.elapsed();
        match result {
            Err(_) => failures.push(format!("{}: panicked", case.name)),
            Ok(Err(why)) => failures.push(format!(
                "{}: expected `{}`, got {why}",
                case.name, case.expect
            )),
            Ok(Ok(())) if took > LIMIT => failures.push(format!("{}: took {took:?}", case.name)),
            Ok(Ok(())) => {}
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// Where [`the_catalogue_is_written_out_for_the_browser_tests`] writes the
/// cases: `web/e2e/hostile.test.mjs` feeds each through the real wasm
/// build in Chromium.
const BROWSER_CASES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/target/hostile-cases.json");

/// Writes every case with its input built (generators expanded), so that
/// the browser runs exactly the inputs this test runs natively.
#[test]
fn the_catalogue_is_written_out_for_the_browser_tests() {
    let cases: Vec<serde_json::Value> = cases()
        .iter()
        .map(|case| {
            let input = case
                .generate
                .as_deref()
                .map(generated)
                .unwrap_or_else(|| case.input.clone());
            serde_json::json!({
                "name": case.name,
                "kind": case.kind,
                "kernel": case.kernel,
                "slubDebug": case.debug.slub_debug,
                "expect": case.expect,
                "insert": case.insert,
                "input": input,
            })
        })
        .collect();
    let text = serde_json::to_string(&cases).expect("cases are JSON");
    std::fs::create_dir_all(concat!(env!("CARGO_MANIFEST_DIR"), "/target")).expect("target/");
    std::fs::write(BROWSER_CASES, text).expect("the browser cases are written");
}
