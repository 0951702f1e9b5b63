//! Reading a quiz file: the Markdown dialect of `FORMAT.md`.
//!
//! Every problem is a [`Problem`] with its line, and reading goes on after
//! one, so a teacher sees all of them at once.

use kmem::kernel::DebugConfig;

/// A quiz: a title and its questions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quiz {
    /// The `# Title`.
    pub title: String,
    /// The questions, in order.
    pub questions: Vec<Question>,
}

/// The kernel and machine a question runs on.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Machine {
    /// The release: a series (4.19, 6.1, 6.6, 6.12) or a `uname -r` release of one.
    pub kernel: String,
    /// The machine preset.
    pub machine: String,
    /// The debug options.
    pub debug: DebugConfig,
}

impl Default for Machine {
    fn default() -> Self {
        Machine {
            kernel: "6.6".into(),
            machine: "desktop".into(),
            debug: DebugConfig::default(),
        }
    }
}

/// The kinds of question.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The learner types a value.
    Predict,
    /// The learner picks an option.
    Choose,
    /// The learner edits the script to meet a goal.
    Fix,
    /// A seeded family of questions.
    Generate,
}

/// What a predict or choose question asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ask {
    /// What the call returned.
    Value,
    /// The kmalloc cache of the returned object.
    Cache,
    /// The order of the returned page block.
    Order,
    /// The zone of the returned memory.
    Zone,
    /// The physical address of an expression after the run.
    Phys(String),
    /// The `%pGg` names of a mask.
    Pgg(String),
    /// The value of a mask.
    Hex(String),
    /// A zone's /proc/buddyinfo line after the run.
    Buddyinfo(String),
    /// The call's outcome category.
    Outcome,
}

/// What a fix question's result must show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expect {
    /// The script runs without a mistake.
    NoError,
    /// No BUG or oops.
    NoBug,
    /// No WARN.
    NoWarn,
    /// No "sleeping function called from invalid context".
    NoSleepInAtomic,
    /// The script calls the function.
    Calls(String),
    /// The function's last call returns this kind of value.
    Returns(String, Returned),
    /// Some call returns physically contiguous memory of this many bytes.
    Contiguous(u64),
    /// A call that returns memory runs in this context.
    AllocatesIn(Context),
    /// The log has the text.
    LogContains(String),
    /// The log lacks the text.
    LogLacks(String),
}

/// What a call returned, for `expect: NAME returns …`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Returned {
    /// An address of the direct map.
    DirectMap,
    /// An address of the vmalloc area.
    Vmalloc,
    /// NULL.
    Null,
    /// Not NULL.
    NonNull,
}

/// A context, for `expect: allocates in …`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Context {
    /// Hardirq.
    Hardirq,
    /// Softirq.
    Softirq,
    /// Any atomic context.
    Atomic,
}

/// The generated families.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// Which cache serves kmalloc(N).
    KmallocCache,
    /// The order of a large kmalloc.
    LargeOrder,
    /// The physical address of a kmalloc or vmalloc address.
    Translate,
    /// The `%pGg` of a mask in a release.
    DecodeMask,
    /// Whether kvmalloc falls back to vmalloc.
    KvmallocFallback,
}

impl Family {
    /// Every family.
    pub const ALL: [Family; 5] = [
        Family::KmallocCache,
        Family::LargeOrder,
        Family::Translate,
        Family::DecodeMask,
        Family::KvmallocFallback,
    ];

    /// The family's name in quiz files.
    pub fn name(self) -> &'static str {
        match self {
            Family::KmallocCache => "kmalloc-cache",
            Family::LargeOrder => "large-order",
            Family::Translate => "translate",
            Family::DecodeMask => "decode-mask",
            Family::KvmallocFallback => "kvmalloc-fallback",
        }
    }
}

/// One question as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question {
    /// The line of its `##` heading (1-based).
    pub line: usize,
    /// The heading's text.
    pub prompt: String,
    /// Its kind.
    pub kind: Kind,
    /// Kernel, machine and debug options.
    pub machine: Machine,
    /// The text shown before the script.
    pub body: String,
    /// The script, if any.
    pub script: Option<String>,
    /// A choose question's options.
    pub options: Vec<String>,
    /// What is asked (predict and choose).
    pub ask: Option<Ask>,
    /// Which call (1-based; `None`: the last).
    pub step: Option<usize>,
    /// A fix question's goal.
    pub goal: Option<String>,
    /// A fix question's assertions.
    pub expects: Vec<Expect>,
    /// A generated question's family.
    pub family: Option<Family>,
    /// The explanation.
    pub explain: String,
}

/// A problem in a quiz file, at a line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The line (1-based).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Reads a quiz; returns it with every problem found (the quiz holds the
/// questions that could be read).
pub fn parse(text: &str) -> (Quiz, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut quiz = Quiz {
        title: String::new(),
        questions: Vec::new(),
    };
    let mut defaults = Machine::default();
    let mut current: Option<Draft> = None;
    let mut in_script = false;
    let mut in_explain = false;
    let mut seen_title = false;
    for (i, raw) in text.lines().enumerate() {
        let number = i + 1;
        let line = raw.trim_end();
        if in_script {
            if is_fence(line) {
                in_script = false;
            } else if let Some(draft) = current.as_mut() {
                let script = draft.question.script.get_or_insert_with(String::new);
                script.push_str(raw);
                script.push('\n');
            }
            continue;
        }
        if let Some(title) = line.strip_prefix("# ") {
            if seen_title {
                problems.push(Problem {
                    line: number,
                    message: "a quiz has one `# Title`".into(),
                });
            }
            seen_title = true;
            quiz.title = title.trim().to_string();
            continue;
        }
        if let Some(prompt) = line.strip_prefix("## ") {
            if let Some(draft) = current.take() {
                finish(draft, &mut quiz, &mut problems);
            }
            if !seen_title {
                problems.push(Problem {
                    line: number,
                    message: "the quiz needs a `# Title` before its questions".into(),
                });
                seen_title = true;
            }
            current = Some(Draft::new(number, prompt.trim(), defaults.clone()));
            in_explain = false;
            continue;
        }
        let Some(draft) = current.as_mut() else {
            // Quiz-level defaults.
            if let Some((key, value)) = field(line) {
                match key {
                    "kernel" | "machine" | "debug" => {
                        if let Err(message) = set_machine(&mut defaults, key, value) {
                            problems.push(Problem { line: number, message });
                        }
                    }
                    _ => problems.push(Problem {
                        line: number,
                        message: format!("unknown quiz field `{key}` (kernel, machine and debug are the quiz's fields)"),
                    }),
                }
            } else if !line.trim().is_empty() && seen_title {
                problems.push(Problem {
                    line: number,
                    message: "text before the first question (`## …`)".into(),
                });
            }
            continue;
        };
        if is_fence(line) {
            if draft.question.script.is_some() {
                problems.push(Problem {
                    line: number,
                    message: "a question has at most one script".into(),
                });
            }
            draft.question.script = Some(String::new());
            draft.body_started = true;
            in_script = true;
            in_explain = false;
            continue;
        }
        if let Some(rest) = line.strip_prefix("explain:") {
            in_explain = true;
            draft.question.explain = rest.trim().to_string();
            continue;
        }
        if in_explain {
            if !line.trim().is_empty() {
                if !draft.question.explain.is_empty() {
                    draft.question.explain.push(' ');
                }
                draft.question.explain.push_str(line.trim());
            }
            continue;
        }
        if !draft.body_started {
            if let Some((key, value)) = field(line) {
                if let Err(message) = draft.set(key, value) {
                    problems.push(Problem {
                        line: number,
                        message,
                    });
                }
                continue;
            }
        }
        if let Some(option) = line.strip_prefix("- ") {
            draft.question.options.push(option.trim().to_string());
            draft.body_started = true;
            continue;
        }
        if !line.trim().is_empty() || draft.body_started {
            draft.body_started = true;
            draft.question.body.push_str(line.trim());
            draft.question.body.push('\n');
        }
    }
    if in_script {
        problems.push(Problem {
            line: text.lines().count(),
            message: "a script's ``` fence is never closed".into(),
        });
    }
    if let Some(draft) = current.take() {
        finish(draft, &mut quiz, &mut problems);
    }
    if !seen_title {
        problems.push(Problem {
            line: 1,
            message: "a quiz starts with `# Title`".into(),
        });
    }
    (quiz, problems)
}

/// A code fence: three backticks or three tildes (CommonMark).
fn is_fence(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with("```") || t.starts_with("~~~")
}

/// `key: value` with a lowercase key.
fn field(line: &str) -> Option<(&str, &str)> {
    let (key, value) = line.split_once(':')?;
    let key = key.trim();
    (!key.is_empty()
        && key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
        && !line.starts_with(' '))
    .then(|| (key, value.trim()))
}

fn set_machine(machine: &mut Machine, key: &str, value: &str) -> Result<(), String> {
    match key {
        "kernel" => {
            if let Err(e) = kmem::profile::Profile::parse(value) {
                return Err(e.to_string());
            }
            machine.kernel = value.to_string();
        }
        "machine" => {
            if kmem::memmap::MachineConfig::preset(value).is_none() {
                return Err(format!(
                    "machine `{value}` is not a preset (tiny, small, desktop, server)"
                ));
            }
            machine.machine = value.to_string();
        }
        _ => {
            let mut debug = DebugConfig::default();
            for word in value.split_whitespace() {
                let (on, name) = word
                    .strip_prefix("no_")
                    .map_or((true, word), |n| (false, n));
                match name {
                    "slub_debug" => debug.slub_debug = on,
                    "random_kmalloc_caches" => debug.random_kmalloc_caches = on,
                    "debug_atomic_sleep" => debug.debug_atomic_sleep = on,
                    "freelist_hardened" => debug.freelist_hardened = on,
                    _ => return Err(format!("unknown debug option `{word}`")),
                }
            }
            machine.debug = debug;
        }
    }
    Ok(())
}

/// A question being read.
struct Draft {
    question: Question,
    kind_given: bool,
    body_started: bool,
}

impl Draft {
    fn new(line: usize, prompt: &str, machine: Machine) -> Draft {
        Draft {
            question: Question {
                line,
                prompt: prompt.to_string(),
                kind: Kind::Predict,
                machine,
                body: String::new(),
                script: None,
                options: Vec::new(),
                ask: None,
                step: None,
                goal: None,
                expects: Vec::new(),
                family: None,
                explain: String::new(),
            },
            kind_given: false,
            body_started: false,
        }
    }

    fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        let q = &mut self.question;
        match key {
            "kind" => {
                q.kind = match value {
                    "predict" => Kind::Predict,
                    "choose" => Kind::Choose,
                    "fix" => Kind::Fix,
                    "generate" => Kind::Generate,
                    _ => {
                        return Err(format!(
                            "unknown kind `{value}` (predict, choose, fix or generate)"
                        ))
                    }
                };
                self.kind_given = true;
            }
            "kernel" | "machine" | "debug" => set_machine(&mut q.machine, key, value)?,
            "ask" => q.ask = Some(parse_ask(value)?),
            "step" => {
                q.step = Some(value.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                    format!("step `{value}` is not a call number (1 is the first)")
                })?)
            }
            "goal" => q.goal = Some(value.to_string()),
            "expect" => q.expects.push(parse_expect(value)?),
            "family" => {
                q.family = Some(
                    Family::ALL
                        .into_iter()
                        .find(|f| f.name() == value)
                        .ok_or_else(|| {
                            format!(
                                "unknown family `{value}` ({})",
                                Family::ALL.map(|f| f.name()).join(", ")
                            )
                        })?,
                )
            }
            _ => return Err(format!("unknown field `{key}`")),
        }
        Ok(())
    }
}

fn parse_ask(value: &str) -> Result<Ask, String> {
    let (word, rest) = value
        .split_once(' ')
        .map_or((value, ""), |(w, r)| (w, r.trim()));
    let needs = |what: &str| {
        if rest.is_empty() {
            Err(format!("`ask: {word}` needs {what}"))
        } else {
            Ok(rest.to_string())
        }
    };
    Ok(match word {
        "value" => Ask::Value,
        "cache" => Ask::Cache,
        "order" => Ask::Order,
        "zone" => Ask::Zone,
        "outcome" => Ask::Outcome,
        "phys" => Ask::Phys(needs("an expression")?),
        "pgg" => Ask::Pgg(needs("a mask")?),
        "hex" => Ask::Hex(needs("a mask")?),
        "buddyinfo" => Ask::Buddyinfo(needs("a zone")?),
        _ => {
            return Err(format!(
            "unknown `ask: {word}` (value, cache, order, zone, phys, pgg, hex, buddyinfo, outcome)"
        ))
        }
    })
}

fn parse_expect(value: &str) -> Result<Expect, String> {
    let words: Vec<&str> = value.split_whitespace().collect();
    Ok(match words.as_slice() {
        ["no", "error"] => Expect::NoError,
        ["no", "bug"] => Expect::NoBug,
        ["no", "warn"] => Expect::NoWarn,
        ["no", "sleep", "in", "atomic"] => Expect::NoSleepInAtomic,
        ["calls", name] => Expect::Calls(name.to_string()),
        [name, "returns", what] => Expect::Returns(
            name.to_string(),
            match *what {
                "direct-map" => Returned::DirectMap,
                "vmalloc" => Returned::Vmalloc,
                "null" => Returned::Null,
                "non-null" => Returned::NonNull,
                _ => {
                    return Err(format!(
                        "`{what}`: a call returns direct-map, vmalloc, null or non-null"
                    ))
                }
            },
        ),
        ["contiguous", bytes] => Expect::Contiguous(
            kmem_quiz_number(bytes).ok_or_else(|| format!("`{bytes}` is not a number of bytes"))?,
        ),
        ["allocates", "in", ctx] => Expect::AllocatesIn(match *ctx {
            "hardirq" => Context::Hardirq,
            "softirq" => Context::Softirq,
            "atomic" => Context::Atomic,
            _ => {
                return Err(format!(
                    "`{ctx}`: the contexts are hardirq, softirq and atomic"
                ))
            }
        }),
        ["log", "contains", ..] => {
            Expect::LogContains(value["log contains".len()..].trim().to_string())
        }
        ["log", "lacks", ..] => Expect::LogLacks(value["log lacks".len()..].trim().to_string()),
        _ => {
            return Err(format!(
                "unknown `expect: {value}` (see FORMAT.md for the assertions)"
            ))
        }
    })
}

/// A byte count: decimal, hex, or an `SZ_` name.
fn kmem_quiz_number(text: &str) -> Option<u64> {
    if let Some(size) = text.strip_prefix("SZ_") {
        let (digits, unit) = size.split_at(
            size.find(|c: char| !c.is_ascii_digit())
                .unwrap_or(size.len()),
        );
        let n: u64 = digits.parse().ok()?;
        let shift = match unit {
            "" => 0,
            "K" => 10,
            "M" => 20,
            "G" => 30,
            _ => return None,
        };
        return n.checked_mul(1 << shift);
    }
    crate::answer::parse_number(text, false)
}

/// Checks a finished question's fields against its kind.
fn finish(draft: Draft, quiz: &mut Quiz, problems: &mut Vec<Problem>) {
    let q = draft.question;
    let mut problem = |message: String| {
        problems.push(Problem {
            line: q.line,
            message,
        })
    };
    if !draft.kind_given {
        problem("the question has no `kind:` (predict, choose, fix or generate)".into());
    }
    match q.kind {
        Kind::Predict | Kind::Choose => {
            if q.ask.is_none() {
                problem("a predict or choose question needs `ask:`".into());
            }
            let needs_script = !matches!(q.ask, Some(Ask::Pgg(_)) | Some(Ask::Hex(_)));
            if needs_script && q.script.is_none() {
                problem("the question asks about a run but has no script".into());
            }
            if q.kind == Kind::Choose && q.options.is_empty() && q.ask != Some(Ask::Outcome) {
                problem(
                    "a choose question needs options (`- …` lines), unless it asks for the outcome"
                        .into(),
                );
            }
        }
        Kind::Fix => {
            if q.expects.is_empty() {
                problem("a fix question needs at least one `expect:`".into());
            }
            if q.goal.is_none() {
                problem("a fix question needs a `goal:`".into());
            }
        }
        Kind::Generate => {
            if q.family.is_none() {
                problem("a generated question needs a `family:`".into());
            }
        }
    }
    if q.explain.is_empty() && q.kind != Kind::Generate {
        problem("the question has no `explain:`".into());
    }
    quiz.questions.push(q);
}
