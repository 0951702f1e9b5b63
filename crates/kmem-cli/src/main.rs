//! The `kmem` command.
//!
//! Exit codes: 0 success, 1 a script error (diagnostics on stderr), 2 a
//! usage error.

use kmem::kernel::KernelConfig;
use kmem::memmap::MachineConfig;
use kmem::profile::Profile;
use kmem_script::interp::DEFAULT_STEP_BUDGET;
use kmem_script::{check, parse, LineIndex};
use std::io::Read;
use std::process::ExitCode;

const USAGE: &str = "\
kmem: the kmem playground on the command line

Usage:
  kmem check [--kernel V] FILE|-
                       check a playground script: every syntax error, or else
                       the first mistake a run stops at (an unknown name, a
                       wrong argument count)
  kmem run [--kernel V] [--ram SIZE] [--cpus N] [--json] [--show PATH]... [OPTION]... FILE|-
                       run a script: each call's line, result and kernel log
                       (--json: the whole trace as JSON, values as 0x…
                       strings); --show prints a /proc file after the run;
                       machine options: --just-booted (the default machine
                       has been up for a while), --slub-debug,
                       --random-kmalloc-caches (6.x), --no-debug-atomic-sleep,
                       --no-freelist-hardened
  kmem gfp [--kernel V] [--json] MASK
                       decode a GFP mask given in hex or by names: the first line
                       is the kernel's %#x(%pGg), then the zone, whether it may
                       sleep, the migratetype and every bit with its meaning
  kmem decode [--kernel V] [--json] [FILE|-]
                       explain kernel log text (standard input by default): page
                       allocation failures with their Mem-Info, vmalloc errors,
                       \"sleeping function called from invalid context\", SLUB
                       reports, kernel BUGs, oopses; the release comes from the
                       log's CPU: line unless --kernel is given; exits 1 when the
                       text holds nothing to decode
  kmem examples [NAME] list the bundled examples, or print one
  kmem quiz check FILE|NAME
                       read a quiz (FORMAT.md), run every question and report
                       unknown fields, failing scripts, ambiguous questions
  kmem quiz show [--seed N] FILE|NAME
                       each question with its computed key
  kmem quiz export --gift|--csv [--seeds N] FILE|NAME
                       Moodle GIFT, or CSV of seed, question, answer
  kmem quiz bank       the built-in quizzes (NAME is one of them)
  kmem help            print this help
  kmem help language   the playground language: statements, types, contexts,
                       every function, limits
  kmem --version       print the version

Exit codes: 0 success, 1 script error, 2 usage error.";

/// The most bytes kmem reads from a file or standard input: as much as the
/// log decoder takes. Scripts and quizzes are far shorter.
const MAX_INPUT: usize = kmem::decode::MAX_LOG_BYTES;

/// Writes `text` to `to` as the reader can see it: every hidden character
/// (controls other than newline and tab, bidi controls, invisible format
/// characters) is escaped by [`kmem_script::escape::visible`], on a
/// terminal and in a pipe alike, so that no script, log or quiz can
/// retitle or clear the terminal or reorder a line. A closed pipe
/// (`kmem gfp … | head`) ends the output quietly instead of panicking.
fn emit(mut to: impl std::io::Write, text: &str) {
    let _ = to.write_all(kmem_script::escape::visible(text).as_bytes());
}

/// Prints text on standard output, escaped by [`emit`].
fn print(text: &str) {
    emit(std::io::stdout(), text);
}

/// Prints a line on standard output, escaped by [`emit`].
macro_rules! out {
    ($($arg:tt)*) => {
        emit(std::io::stdout(), &format!("{}\n", format_args!($($arg)*)))
    };
}

/// Prints a line on standard error, escaped by [`emit`].
macro_rules! err {
    ($($arg:tt)*) => {
        emit(std::io::stderr(), &format!("{}\n", format_args!($($arg)*)))
    };
}

/// Prints JSON text on standard output. JSON strings may hold hidden
/// characters raw; they are written as `\uXXXX` escapes instead, which
/// leaves the value the same.
fn print_json(json: &str) {
    let mut text = String::with_capacity(json.len() + 1);
    for c in json.chars() {
        if kmem_script::escape::is_hidden(c) {
            for unit in c.encode_utf16(&mut [0; 2]) {
                text.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            text.push(c);
        }
    }
    text.push('\n');
    print(&text);
}

/// A parsed command line.
#[derive(Debug, PartialEq, Eq)]
enum Command {
    Check {
        kernel: Option<String>,
        path: String,
    },
    HelpLanguage,
    Quiz(Vec<String>),
    Examples {
        name: Option<String>,
    },
    Gfp {
        kernel: Option<String>,
        json: bool,
        mask: String,
    },
    Decode {
        kernel: Option<String>,
        json: bool,
        path: String,
    },
    Run(RunArgs),
    Help,
    Version,
}

/// The options of `kmem run`.
#[derive(Debug, PartialEq, Eq)]
struct RunArgs {
    json: bool,
    kernel: Option<String>,
    ram: Option<u64>,
    cpus: Option<u32>,
    debug: kmem::kernel::DebugConfig,
    uptime: kmem::memmap::Uptime,
    show: Vec<String>,
    path: String,
}

/// A size as people write it: `1073741824`, `512M`, `8G`, `8GiB`.
fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim().trim_end_matches("iB").trim_end_matches('B');
    let (digits, shift) = match t.chars().last() {
        Some('K' | 'k') => (&t[..t.len() - 1], 10),
        Some('M' | 'm') => (&t[..t.len() - 1], 20),
        Some('G' | 'g') => (&t[..t.len() - 1], 30),
        _ => (t, 0),
    };
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(1 << shift))
        .ok_or_else(|| format!("`{text}` is not a size (write it as 512M, 8G or in bytes)"))
}

fn parse_run(args: &[String]) -> Result<RunArgs, String> {
    let mut run = RunArgs {
        json: false,
        kernel: None,
        ram: None,
        cpus: None,
        debug: kmem::kernel::DebugConfig::default(),
        uptime: kmem::memmap::Uptime::Running,
        show: Vec::new(),
        path: String::new(),
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("`{name}` needs a value"))
        };
        match arg.as_str() {
            "--kernel" => run.kernel = Some(value("--kernel")?),
            "--ram" => run.ram = Some(parse_size(&value("--ram")?)?),
            "--cpus" => {
                let v = value("--cpus")?;
                run.cpus = Some(v.parse().map_err(|_| format!("`{v}` is not a CPU count"))?);
            }
            "--show" => run.show.push(value("--show")?),
            "--json" => run.json = true,
            "--just-booted" => run.uptime = kmem::memmap::Uptime::JustBooted,
            "--slub-debug" => run.debug.slub_debug = true,
            "--random-kmalloc-caches" => run.debug.random_kmalloc_caches = true,
            "--no-debug-atomic-sleep" => run.debug.debug_atomic_sleep = false,
            "--no-freelist-hardened" => run.debug.freelist_hardened = false,
            other if other.starts_with("--") => return Err(format!("unknown option `{other}`")),
            path if run.path.is_empty() => run.path = path.to_string(),
            _ => return Err("`run` takes one FILE (or - for stdin)".into()),
        }
    }
    if run.path.is_empty() {
        return Err("`run` needs a FILE (or - for stdin)".into());
    }
    Ok(run)
}

/// `[--kernel V] [--json] [ONE]`, the options of `gfp` and `decode`.
fn parse_kernel_json(
    args: &[String],
    command: &str,
    one: &str,
) -> Result<(Option<String>, bool, Option<String>), String> {
    let (mut kernel, mut json, mut positional) = (None, false, None);
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--kernel" => {
                kernel = Some(it.next().cloned().ok_or("`--kernel` needs a value")?);
            }
            "--json" => json = true,
            other if other.starts_with("--") => return Err(format!("unknown option `{other}`")),
            value if positional.is_none() => positional = Some(value.to_string()),
            _ => return Err(format!("`{command}` takes [--kernel V] [--json] {one}")),
        }
    }
    Ok((kernel, json, positional))
}

fn parse_args(args: &[String]) -> Result<Command, String> {
    match args {
        [cmd, rest @ ..] if cmd == "run" => parse_run(rest).map(Command::Run),
        [cmd] if cmd == "examples" => Ok(Command::Examples { name: None }),
        [cmd, name] if cmd == "examples" => Ok(Command::Examples {
            name: Some(name.clone()),
        }),
        [cmd, rest @ ..] if cmd == "gfp" => {
            let (kernel, json, mask) = parse_kernel_json(rest, "gfp", "MASK")?;
            let mask = mask.ok_or("`gfp` needs a MASK, in hex or by names")?;
            Ok(Command::Gfp { kernel, json, mask })
        }
        [cmd, rest @ ..] if cmd == "quiz" => Ok(Command::Quiz(rest.to_vec())),
        [cmd, rest @ ..] if cmd == "decode" => {
            let (kernel, json, path) = parse_kernel_json(rest, "decode", "FILE")?;
            let path = path.unwrap_or_else(|| "-".into());
            Ok(Command::Decode { kernel, json, path })
        }
        [] => Err("no command given".into()),
        [cmd] if cmd == "help" || cmd == "--help" || cmd == "-h" => Ok(Command::Help),
        [cmd] if cmd == "--version" || cmd == "-V" => Ok(Command::Version),
        [cmd, rest @ ..] if cmd == "check" => match parse_kernel_json(rest, "check", "FILE")? {
            (kernel, false, Some(path)) => Ok(Command::Check { kernel, path }),
            _ => Err("`check` takes [--kernel V] FILE (or - for stdin)".into()),
        },
        [cmd, topic] if cmd == "help" && topic == "language" => Ok(Command::HelpLanguage),
        [cmd, ..] => Err(format!("unknown command `{cmd}`")),
    }
}

/// The text of a file, or of standard input for `-`: at most
/// [`MAX_INPUT`] bytes (a longer input, such as `/dev/zero`, is refused
/// after reading one byte more), in UTF-8.
fn read_source(path: &str) -> Result<String, String> {
    let (name, input): (&str, Box<dyn Read>) = if path == "-" {
        ("standard input", Box::new(std::io::stdin()))
    } else {
        let file = std::fs::File::open(path).map_err(|e| format!("cannot read {path}: {e}"))?;
        (path, Box::new(file))
    };
    let mut bytes = Vec::new();
    input
        .take(MAX_INPUT as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {name}: {e}"))?;
    if bytes.len() > MAX_INPUT {
        return Err(format!(
            "{name} is longer than {} MiB, the most kmem reads",
            MAX_INPUT >> 20
        ));
    }
    String::from_utf8(bytes).map_err(|_| format!("cannot read {name}: it is not UTF-8 text"))
}

/// `kmem check`: every syntax error, then (when there are none) the
/// mistake a run on the given release stops at, such as an unknown name.
fn run_check(kernel: Option<&str>, path: &str) -> ExitCode {
    let source = match read_source(path) {
        Ok(source) => source,
        Err(message) => {
            err!("kmem: {message}");
            return ExitCode::from(2);
        }
    };
    let profile = match kernel.map(Profile::parse) {
        None => Profile::default_profile(),
        Some(Ok(profile)) => profile,
        Some(Err(e)) => {
            err!("kmem: {e}");
            return ExitCode::from(2);
        }
    };
    let mut diagnostics = check(&source);
    if diagnostics.is_empty() {
        let config = KernelConfig {
            profile,
            ..KernelConfig::default()
        };
        match kmem_script::run(&parse(&source).program, config, DEFAULT_STEP_BUDGET) {
            Ok(trace) => diagnostics.extend(trace.error),
            Err(diagnostic) => diagnostics.push(diagnostic),
        }
    }
    if diagnostics.is_empty() {
        out!("{path}: no errors");
        return ExitCode::SUCCESS;
    }
    let index = LineIndex::new(&source);
    for diagnostic in &diagnostics {
        err!("{}\n", diagnostic.render(&source, &index));
    }
    let count = diagnostics.len();
    err!("{path}: {count} error{}", if count == 1 { "" } else { "s" });
    ExitCode::from(1)
}

fn run_script(args: &RunArgs) -> ExitCode {
    let source = match read_source(&args.path) {
        Ok(source) => source,
        Err(message) => {
            err!("kmem: {message}");
            return ExitCode::from(2);
        }
    };
    let profile = match args.kernel.as_deref().map(Profile::parse) {
        None => Profile::default_profile(),
        Some(Ok(profile)) => profile,
        Some(Err(e)) => {
            err!("kmem: {e}");
            return ExitCode::from(2);
        }
    };
    let mut machine = MachineConfig {
        uptime: args.uptime,
        ..MachineConfig::default()
    };
    if let Some(ram) = args.ram {
        machine.ram_bytes = ram;
    }
    if let Some(cpus) = args.cpus {
        machine.cpus = cpus;
    }
    let index = LineIndex::new(&source);
    let parsed = parse(&source);
    if !parsed.errors.is_empty() {
        for diagnostic in &parsed.errors {
            err!("{}\n", diagnostic.render(&source, &index));
        }
        return ExitCode::from(1);
    }
    let config = KernelConfig {
        profile,
        machine,
        debug: args.debug,
    };
    let trace = match kmem_script::run(&parsed.program, config, DEFAULT_STEP_BUDGET) {
        Ok(trace) => trace,
        Err(diagnostic) => {
            err!("kmem: {}", diagnostic.message);
            return ExitCode::from(2);
        }
    };
    if args.json {
        print_json(&serde_json::to_string_pretty(&trace).unwrap_or_default());
    } else {
        print(&kmem_script::render::trace_text(&source, &trace));
    }
    for path in &args.show {
        match kmem::procfs::read(&trace.kernel, path) {
            Some(text) => print(&text),
            None => {
                err!(
                    "kmem: no file {path}; the playground has {}",
                    kmem::procfs::FILES.join(", ")
                );
                return ExitCode::from(2);
            }
        }
    }
    if let Some(error) = &trace.error {
        err!("{}", error.render(&source, &index));
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}

/// The release of `--kernel V`; `None` when not given. An unknown version
/// is a usage error.
fn release_arg(kernel: Option<&str>) -> Result<Option<kmem::profile::Release>, ExitCode> {
    match kernel.map(kmem::profile::Release::parse) {
        None => Ok(None),
        Some(Ok(release)) => Ok(Some(release)),
        Some(Err(e)) => {
            err!("kmem: {e}");
            Err(ExitCode::from(2))
        }
    }
}

/// `kmem gfp`: the mask as the kernel prints it, then what it means.
fn decode_gfp(kernel: Option<&str>, json: bool, mask: &str) -> ExitCode {
    use kmem::gfp::GfpTable;
    let release = match release_arg(kernel) {
        Ok(release) => release.unwrap_or(Profile::default_profile().release()),
        Err(code) => return code,
    };
    // A release after the tables is decoded with the newest one, and says
    // so, as `kmem decode` does.
    let (table, note) = match GfpTable::for_decoding(release) {
        Ok(found) => found,
        Err(e) => {
            err!("kmem: {e}");
            return ExitCode::from(2);
        }
    };
    if let (Some(note), false) = (&note, json) {
        err!("note: {note}");
    }
    let gfp = match table.parse(mask) {
        Ok(gfp) => gfp,
        Err(e) => {
            err!("error: {}", e.message);
            if let Some(help) = e.help {
                err!("  = help: {help}");
            }
            return ExitCode::from(1);
        }
    };
    let zone = table.zone(gfp);
    let zones: Vec<&str> = zone.fallback.iter().map(|z| z.name()).collect();
    let may_sleep = table.allows_blocking(gfp);
    let bits = table.meanings(gfp);
    if json {
        let bits: Vec<serde_json::Value> = bits
            .iter()
            .map(|b| {
                serde_json::json!({
                    "name": b.name,
                    "value": format!("{:#x}", b.value.0),
                    "group": b.group.name(),
                    "set": b.set,
                    "meaning": b.meaning,
                })
            })
            .collect();
        let value = serde_json::json!({
            "release": release.to_string(),
            "note": note,
            "mode": table.format_mode(gfp),
            "mask": format!("{:#x}", gfp.0),
            "zone": zone.valid.then(|| zone.zone.name()),
            "zones": zones,
            "may_sleep": may_sleep,
            "migratetype": table.migratetype(gfp).to_string(),
            "bits": bits,
        });
        print_json(&serde_json::to_string_pretty(&value).unwrap_or_default());
        return ExitCode::SUCCESS;
    }
    out!("{}", table.format_mode(gfp));
    if zone.valid {
        out!(
            "zone: {} (may fall back to {})",
            zone.zone,
            zones.join(", ")
        );
    } else {
        out!("zone: invalid combination of zone modifiers (GFP_ZONE_BAD)");
    }
    out!(
        "may sleep: {}",
        if may_sleep {
            "yes (__GFP_DIRECT_RECLAIM)"
        } else {
            "no"
        }
    );
    out!("migratetype: {}", table.migratetype(gfp));
    out!("bits ({}):", table.releases());
    for bit in bits {
        let mark = if bit.set { "x" } else { " " };
        out!(
            "  [{mark}] {:#09x} {:<26} {:<18} {}",
            bit.value.0,
            bit.name,
            bit.group.name(),
            bit.meaning
        );
    }
    ExitCode::SUCCESS
}

/// `kmem decode`: explains the reports in pasted kernel log text. Exits 1
/// when the text holds none.
fn run_decode(kernel: Option<&str>, json: bool, path: &str) -> ExitCode {
    let release = match release_arg(kernel) {
        Ok(release) => release,
        Err(code) => return code,
    };
    let text = match read_source(path) {
        Ok(text) => text,
        Err(message) => {
            err!("kmem: {message}");
            return ExitCode::from(2);
        }
    };
    let decoding = match kmem::decode::decode(&text, release) {
        Ok(decoding) => decoding,
        Err(e @ kmem::decode::DecodeError::Version(_)) => {
            err!("kmem: {e}; give --kernel V to decode it as a release the playground knows");
            return ExitCode::from(2);
        }
        Err(e) => {
            err!("kmem: {e}");
            return ExitCode::from(2);
        }
    };
    if json {
        print_json(&serde_json::to_string_pretty(&decoding).unwrap_or_default());
    } else {
        print(&decoding.render());
    }
    if decoding.findings.is_empty() {
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}

/// A quiz's text: a built-in quiz's name, a file, or `-`.
fn quiz_text(name: &str) -> Result<String, String> {
    match kmem_quiz::bank::find(name) {
        Some(text) => Ok(text.to_string()),
        None => read_source(name),
    }
}

/// `kmem quiz …`.
fn run_quiz(args: &[String]) -> ExitCode {
    let usage = || {
        err!("kmem: `quiz` takes check FILE, show [--seed N] FILE, export --gift|--csv [--seeds N] FILE, or bank");
        ExitCode::from(2)
    };
    let mut seed = 0u64;
    let mut seeds = 1u64;
    let mut format = None;
    let mut positional = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--seed" | "--seeds" => {
                let Some(n) = it.next().and_then(|v| v.parse::<u64>().ok()) else {
                    return usage();
                };
                if arg == "--seed" {
                    seed = n;
                } else {
                    seeds = n.clamp(1, 1000);
                }
            }
            "--gift" | "--csv" => format = Some(arg.clone()),
            other if other.starts_with("--") => return usage(),
            other => positional.push(other.to_string()),
        }
    }
    let [command, rest @ ..] = positional.as_slice() else {
        return usage();
    };
    if command == "bank" {
        for (name, text) in kmem_quiz::bank::BANK {
            let (quiz, _) = kmem_quiz::parse(text);
            out!(
                "{name:<10} {} ({} questions)",
                quiz.title,
                quiz.questions.len()
            );
        }
        return ExitCode::SUCCESS;
    }
    let [file] = rest else {
        return usage();
    };
    let text = match quiz_text(file) {
        Ok(text) => text,
        Err(message) => {
            err!("kmem: {message}");
            return ExitCode::from(2);
        }
    };
    match command.as_str() {
        "check" => {
            let (quiz, problems) = kmem_quiz::check(&text);
            for p in &problems {
                err!("{file}:{}: {}", p.line, p.message);
            }
            if problems.is_empty() {
                out!("{file}: {} questions, no problems", quiz.questions.len());
                ExitCode::SUCCESS
            } else {
                err!(
                    "{file}: {} problem{}",
                    problems.len(),
                    if problems.len() == 1 { "" } else { "s" }
                );
                ExitCode::from(1)
            }
        }
        "show" => {
            let (quiz, problems) = kmem_quiz::parse(&text);
            let mut runner = kmem_quiz::Runner::new();
            out!("{}\n", quiz.title);
            for (n, q) in quiz.questions.iter().enumerate() {
                let q = kmem_quiz::generate::instantiate(q, seed);
                out!(
                    "{}. {} [{:?}, Linux {}]",
                    n + 1,
                    q.prompt,
                    q.kind,
                    q.machine.kernel
                );
                if !q.body.trim().is_empty() {
                    out!("   {}", q.body.trim().replace('\n', "\n   "));
                }
                if let Some(script) = &q.script {
                    for line in script.lines() {
                        out!("   | {line}");
                    }
                }
                for line in runner.shown(&q) {
                    out!("   > {line}");
                }
                match q.kind {
                    kmem_quiz::Kind::Fix => {
                        out!("   goal: {}", q.goal.clone().unwrap_or_default());
                        let checks = runner.check_fix(&q, q.script.as_deref().unwrap_or(""));
                        for c in checks {
                            out!(
                                "   [{}] {}{}",
                                if c.passed { "x" } else { " " },
                                c.assertion,
                                if c.passed {
                                    String::new()
                                } else {
                                    format!(": {}", c.feedback)
                                }
                            );
                        }
                    }
                    _ => match runner.key(&q) {
                        Ok(key) => {
                            for (i, o) in key.options.iter().enumerate() {
                                out!("   {} {o}", if Some(i) == key.correct { "*" } else { "-" });
                            }
                            out!("   key: {}", key.shown);
                        }
                        Err(e) => out!("   no key: {e}"),
                    },
                }
                out!("");
            }
            if problems.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        "export" => {
            let (quiz, problems) = kmem_quiz::parse(&text);
            if let Some(p) = problems.first() {
                err!(
                    "{file}:{}: {} (`kmem quiz check` lists every problem)",
                    p.line,
                    p.message
                );
                return ExitCode::from(1);
            }
            let result = match format.as_deref() {
                Some("--gift") => kmem_quiz::export::gift(&quiz, 0..seeds),
                Some("--csv") => kmem_quiz::export::csv(&quiz, 0..seeds),
                _ => return usage(),
            };
            match result {
                Ok(text) => {
                    print(&text);
                    ExitCode::SUCCESS
                }
                Err(message) => {
                    err!("{file}: {message}");
                    ExitCode::from(1)
                }
            }
        }
        _ => usage(),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match parse_args(&args) {
        Ok(Command::Help) => {
            out!("{USAGE}");
            ExitCode::SUCCESS
        }
        Ok(Command::Version) => {
            out!("kmem {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Ok(Command::Check { kernel, path }) => run_check(kernel.as_deref(), &path),
        Ok(Command::Quiz(args)) => run_quiz(&args),
        Ok(Command::HelpLanguage) => {
            print(kmem_script::HELP);
            ExitCode::SUCCESS
        }
        Ok(Command::Run(args)) => run_script(&args),
        Ok(Command::Examples { name: None }) => {
            for e in kmem_script::examples::EXAMPLES {
                out!("{:<26} {}", e.name, e.title);
            }
            ExitCode::SUCCESS
        }
        Ok(Command::Examples { name: Some(name) }) => match kmem_script::examples::find(&name) {
            Some(e) => {
                print(e.source);
                ExitCode::SUCCESS
            }
            None => {
                err!("kmem: no example `{name}`; `kmem examples` lists them");
                ExitCode::from(2)
            }
        },
        Ok(Command::Gfp { kernel, json, mask }) => decode_gfp(kernel.as_deref(), json, &mask),
        Ok(Command::Decode { kernel, json, path }) => run_decode(kernel.as_deref(), json, &path),
        Err(message) => {
            err!("kmem: {message}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parses_commands() {
        assert_eq!(parse_args(&args(&["help"])), Ok(Command::Help));
        assert_eq!(parse_args(&args(&["--version"])), Ok(Command::Version));
        assert_eq!(
            parse_args(&args(&["check", "a.kmem"])),
            Ok(Command::Check {
                kernel: None,
                path: "a.kmem".into()
            })
        );
        assert!(parse_args(&args(&[])).is_err());
        assert_eq!(
            parse_args(&args(&[
                "run",
                "--kernel",
                "4.19",
                "--ram",
                "2G",
                "--show",
                "/proc/meminfo",
                "-"
            ])),
            Ok(Command::Run(RunArgs {
                json: false,
                kernel: Some("4.19".into()),
                ram: Some(2 << 30),
                cpus: None,
                debug: kmem::kernel::DebugConfig::default(),
                uptime: kmem::memmap::Uptime::Running,
                show: vec!["/proc/meminfo".into()],
                path: "-".into(),
            }))
        );
        assert_eq!(parse_size("512M"), Ok(512 << 20));
        assert_eq!(parse_size("8GiB"), Ok(8 << 30));
        assert!(parse_size("lots").is_err());
        assert!(parse_args(&args(&["run", "--ram"])).is_err());
        assert!(parse_args(&args(&["check"])).is_err());
        assert_eq!(
            parse_args(&args(&["frobnicate"])),
            Err("unknown command `frobnicate`".into())
        );
    }
}
