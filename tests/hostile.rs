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
                kmem::gfp::GfpTable::for_release(Profile::default_profile().release).unwrap();
            match (what, table.parse(input.trim())) {
                ("ok", Ok(_)) => Ok(()),
                ("error", Err(e)) if e.message.contains(value) => Ok(()),
                (_, result) => Err(format!("{result:?}")),
            }
        }
        other => Err(format!("unknown kind `{other}`")),
    }
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
