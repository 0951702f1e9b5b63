//! Answer keys, computed by running a question's script on the simulated
//! kernel, and the grading of fix questions' assertions.

use std::collections::HashMap;

use kmem::gfp::GfpTable;
use kmem::kernel::{CallValue, Effect, Kernel, KernelConfig, Outcome};
use kmem::layout::{VMALLOC_END, VMALLOC_START, VMEMMAP_START};
use kmem::memmap::{MachineConfig, MemMap, STRUCT_PAGE_SIZE};
use kmem::profile::Profile;
use kmem::{Pfn, VirtAddr, PAGE_SHIFT};
use kmem_script::interp::DEFAULT_STEP_BUDGET;
use kmem_script::Trace;

use crate::answer::Expected;
use crate::format::{Ask, Context, Expect, Kind, Machine, Question, Returned};

/// The outcome categories, in the order `choose` questions list them.
pub const OUTCOMES: [&str; 10] = [
    "returns a direct-map address",
    "returns a vmalloc address",
    "returns a struct page",
    "returns NULL",
    "returns nothing (void)",
    "WARN",
    "BUG: sleeping function called from invalid context",
    "slub_debug report",
    "kernel BUG",
    "oops",
];

/// A question's key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Key {
    /// What a typed answer must equal.
    pub expected: Expected,
    /// The key as shown after an answer.
    pub shown: String,
    /// The options of a choose question, and the correct one's index.
    pub options: Vec<String>,
    /// The correct option (choose questions).
    pub correct: Option<usize>,
}

/// One assertion of a fix question, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    /// The assertion as written.
    pub assertion: String,
    /// Whether it holds.
    pub passed: bool,
    /// Why not, when it does not.
    pub feedback: String,
}

/// Boots kernels once per machine and runs questions on copies.
#[derive(Default)]
pub struct Runner {
    kernels: HashMap<Machine, Kernel>,
}

impl Runner {
    /// A runner with no kernel booted yet.
    pub fn new() -> Runner {
        Runner::default()
    }

    /// A fresh copy of the machine's booted kernel.
    pub fn kernel(&mut self, machine: &Machine) -> Result<Kernel, String> {
        if let Some(k) = self.kernels.get(machine) {
            return Ok(k.clone());
        }
        let config = KernelConfig {
            profile: Profile::parse(&machine.kernel).map_err(|e| e.to_string())?,
            machine: MachineConfig::preset(&machine.machine)
                .ok_or_else(|| format!("no machine `{}`", machine.machine))?,
            debug: machine.debug,
        };
        let kernel = Kernel::boot(config).map_err(|e| e.to_string())?;
        self.kernels.insert(machine.clone(), kernel.clone());
        Ok(kernel)
    }

    /// Runs a script; a syntax error or a mistake in it is an error.
    pub fn run(
        &mut self,
        machine: &Machine,
        script: &str,
    ) -> Result<(kmem_script::Parsed, Trace), String> {
        let parsed = kmem_script::parse(script);
        if let Some(e) = parsed.errors.first() {
            return Err(format!("the script has an error: {}", e.message));
        }
        let trace =
            kmem_script::run_on(&parsed.program, self.kernel(machine)?, DEFAULT_STEP_BUDGET);
        if let Some(e) = &trace.error {
            return Err(format!("the script stops with an error: {}", e.message));
        }
        Ok((parsed, trace))
    }

    /// What the run shows a learner before answering a question that
    /// needs it: for a physical-address question, each call with the value
    /// it returned, and the page-table entries the vmalloc-aware walk reads
    /// (everything but the answer itself). Empty for other questions.
    pub fn shown(&mut self, q: &Question) -> Vec<String> {
        let (Some(Ask::Phys(expr)), Some(script)) = (&q.ask, &q.script) else {
            return Vec::new();
        };
        let Ok((parsed, trace)) = self.run(&q.machine, script) else {
            return Vec::new();
        };
        let _ = parsed;
        let mut lines: Vec<String> = trace
            .steps
            .iter()
            .filter_map(|s| {
                s.event
                    .as_ref()
                    .filter(|e| !is_context_call(&e.call.to_string()))
                    .map(|e| format!("{} = {:#x}", e.call, s.value))
            })
            .collect();
        let kernel = &trace.kernel;
        if let Ok(address) = kmem_script::evaluate(expr, &trace.variables, kernel.clone()) {
            lines.push(format!("{expr} = {address:#x}"));
            let mut k = kernel.clone();
            for step in k.kaddr_to_phys(VirtAddr::new(address)).walk {
                if let kmem::translate::StepKind::TableEntry {
                    level,
                    index,
                    entry,
                    ..
                } = step.kind
                {
                    lines.push(format!(
                        "{} entry [{index}] = {entry:#018x}",
                        level.name().to_uppercase()
                    ));
                }
            }
        }
        lines
    }

    /// The key of a predict or choose question.
    pub fn key(&mut self, q: &Question) -> Result<Key, String> {
        let ask = q.ask.as_ref().ok_or("the question asks for nothing")?;
        let table = GfpTable::for_release(
            Profile::parse(&q.machine.kernel)
                .map_err(|e| e.to_string())?
                .release(),
        )
        .map_err(|e| e.to_string())?;
        let (expected, shown) = match ask {
            Ask::Pgg(mask) => {
                let names = table.format(table.parse(mask).map_err(|e| e.message)?);
                (Expected::Text(names.clone()), names)
            }
            Ask::Hex(mask) => {
                let value = u64::from(table.parse(mask).map_err(|e| e.message)?.0);
                (
                    Expected::Number {
                        value,
                        hex_by_default: true,
                    },
                    format!("{value:#x}"),
                )
            }
            _ => {
                let script = q.script.as_deref().ok_or("the question has no script")?;
                let (parsed, trace) = self.run(&q.machine, script)?;
                // The calls a question can ask about: not the context
                // changes (spin_lock, entering a handler).
                let calls: Vec<usize> = (0..trace.steps.len())
                    .filter(|&i| {
                        trace.steps[i]
                            .event
                            .as_ref()
                            .is_some_and(|e| !is_context_call(&e.call.to_string()))
                    })
                    .collect();
                let at = match q.step {
                    Some(n) => *calls.get(n - 1).ok_or_else(|| {
                        format!("step {n}: the script makes {} call(s)", calls.len())
                    })?,
                    None if matches!(ask, Ask::Phys(_) | Ask::Buddyinfo(_)) => {
                        trace.steps.len().saturating_sub(1)
                    }
                    None => *calls.last().ok_or("the script makes no call")?,
                };
                let kernel = if at + 1 >= trace.steps.len() {
                    trace.kernel.clone()
                } else {
                    kmem_script::run_until(
                        &parsed.program,
                        self.kernel(&q.machine)?,
                        DEFAULT_STEP_BUDGET,
                        at + 1,
                    )
                    .kernel
                };
                let value = trace.steps.get(at).map_or(0, |s| s.value);
                computed(ask, &trace, at, value, &kernel)?
            }
        };
        let mut options = q.options.clone();
        if q.kind == Kind::Choose && options.is_empty() {
            options = OUTCOMES.iter().map(|s| s.to_string()).collect();
        }
        let correct = if q.kind == Kind::Choose {
            let matching: Vec<usize> = (0..options.len())
                .filter(|&i| {
                    crate::answer::grade(&expected, &options[i]) == crate::answer::Grade::Correct
                })
                .collect();
            match matching.as_slice() {
                [one] => Some(*one),
                [] => return Err(format!("no option equals the computed answer `{shown}`")),
                _ => {
                    return Err(format!(
                        "{} options equal the computed answer `{shown}`: the question is ambiguous",
                        matching.len()
                    ))
                }
            }
        } else {
            None
        };
        Ok(Key {
            expected,
            shown,
            options,
            correct,
        })
    }

    /// Checks a fix question's assertions on the learner's script.
    pub fn check_fix(&mut self, q: &Question, script: &str) -> Vec<Check> {
        let parsed = kmem_script::parse(script);
        let syntax = parsed.errors.first().map(|e| e.message.clone());
        let trace = match (syntax.is_none(), self.kernel(&q.machine)) {
            (true, Ok(k)) => Some(kmem_script::run_on(&parsed.program, k, DEFAULT_STEP_BUDGET)),
            _ => None,
        };
        q.expects
            .iter()
            .map(|expect| {
                let assertion = describe(expect);
                let Some(trace) = &trace else {
                    return Check {
                        assertion,
                        passed: false,
                        feedback: format!(
                            "the script does not run: {}",
                            syntax.clone().unwrap_or_default()
                        ),
                    };
                };
                let result = self.holds(q, &parsed, trace, expect);
                Check {
                    assertion,
                    passed: result.is_ok(),
                    feedback: result.err().unwrap_or_default(),
                }
            })
            .collect()
    }

    fn holds(
        &mut self,
        q: &Question,
        parsed: &kmem_script::Parsed,
        trace: &Trace,
        expect: &Expect,
    ) -> Result<(), String> {
        let log: Vec<&str> = trace
            .kernel
            .log
            .lines()
            .iter()
            .map(|l| l.text.as_str())
            .collect();
        let events = || {
            trace
                .steps
                .iter()
                .filter_map(|s| s.event.as_ref().map(|e| (s, e)))
        };
        match expect {
            Expect::NoError => match &trace.error {
                None => Ok(()),
                Some(e) => Err(format!("the script stops with an error: {}", e.message)),
            },
            Expect::NoBug => match events().find(|(_, e)| matches!(e.outcome, Outcome::Bug | Outcome::Oops)) {
                None => Ok(()),
                Some((_, e)) => Err(format!("{} ends in a kernel BUG or oops", e.call)),
            },
            Expect::NoWarn => match events().find(|(_, e)| e.outcome == Outcome::Warn) {
                None => Ok(()),
                Some((_, e)) => Err(format!("{} WARNs", e.call)),
            },
            Expect::NoSleepInAtomic => match log.iter().find(|l| l.starts_with("BUG: sleeping function called from invalid context")) {
                None => Ok(()),
                Some(_) => Err("a call may sleep where sleeping is forbidden (the log has \"BUG: sleeping function called from invalid context\")".into()),
            },
            Expect::Calls(name) => {
                if events().any(|(_, e)| call_name(&e.call.to_string()) == name) {
                    Ok(())
                } else {
                    Err(format!("the script never calls {name}"))
                }
            }
            Expect::Returns(name, what) => {
                let (_, last) = events().rfind(|(_, e)| call_name(&e.call.to_string()) == name)
                    .ok_or_else(|| format!("the script never calls {name}"))?;
                let value = match last.value {
                    CallValue::Address(a) | CallValue::Page(a) => a.as_u64(),
                    _ => 0,
                };
                let class = address_class(&trace.kernel, value);
                let ok = match what {
                    Returned::DirectMap => class == AddressClass::DirectMap,
                    Returned::Vmalloc => class == AddressClass::Vmalloc,
                    Returned::Null => value == 0,
                    Returned::NonNull => value != 0,
                };
                if ok {
                    Ok(())
                } else {
                    Err(format!("{name}'s last call returns {}", class.words(value)))
                }
            }
            Expect::Contiguous(bytes) => {
                for (i, step) in trace.steps.iter().enumerate() {
                    if step.event.is_none() || step.value == 0 {
                        continue;
                    }
                    let kernel = kmem_script::run_until(&parsed.program, self.kernel(&q.machine)?, DEFAULT_STEP_BUDGET, i + 1).kernel;
                    if contiguous_bytes(&kernel, step.value) >= *bytes {
                        return Ok(());
                    }
                }
                Err(format!("no call returns {bytes} bytes of physically contiguous memory"))
            }
            Expect::AllocatesIn(ctx) => {
                let mut context = kmem::context::ExecContext::PROCESS;
                for (_, e) in events() {
                    for effect in &e.effects {
                        if let Effect::Context(c) = effect {
                            context = *c;
                        }
                    }
                    let returns_memory = matches!(e.value, CallValue::Address(a) | CallValue::Page(a) if a.as_u64() != 0);
                    let matches = match ctx {
                        Context::Hardirq => context.in_hardirq(),
                        Context::Softirq => context.in_serving_softirq(),
                        Context::Atomic => context.in_atomic() || context.sleep_forbidden(),
                    };
                    if returns_memory && matches {
                        return Ok(());
                    }
                }
                Err(format!("no call returns memory in {} context", match ctx {
                    Context::Hardirq => "hardirq",
                    Context::Softirq => "softirq",
                    Context::Atomic => "atomic",
                }))
            }
            Expect::LogContains(text) => {
                if log.iter().any(|l| l.contains(text.as_str())) {
                    Ok(())
                } else {
                    Err(format!("the kernel log has no \"{text}\""))
                }
            }
            Expect::LogLacks(text) => match log.iter().find(|l| l.contains(text.as_str())) {
                None => Ok(()),
                Some(line) => Err(format!("the kernel log has \"{line}\"")),
            },
        }
    }
}

/// An assertion in words.
fn describe(expect: &Expect) -> String {
    match expect {
        Expect::NoError => "the script runs without a mistake".into(),
        Expect::NoBug => "no kernel BUG or oops".into(),
        Expect::NoWarn => "no WARN".into(),
        Expect::NoSleepInAtomic => "no sleeping in atomic context".into(),
        Expect::Calls(name) => format!("calls {name}"),
        Expect::Returns(name, what) => format!(
            "{name} returns {}",
            match what {
                Returned::DirectMap => "a direct-map address",
                Returned::Vmalloc => "a vmalloc address",
                Returned::Null => "NULL",
                Returned::NonNull => "memory (not NULL)",
            }
        ),
        Expect::Contiguous(bytes) => format!("{bytes} bytes of physically contiguous memory"),
        Expect::AllocatesIn(ctx) => format!(
            "allocates in {} context",
            match ctx {
                Context::Hardirq => "hardirq",
                Context::Softirq => "softirq",
                Context::Atomic => "atomic",
            }
        ),
        Expect::LogContains(text) => format!("the log contains \"{text}\""),
        Expect::LogLacks(text) => format!("the log does not contain \"{text}\""),
    }
}

/// Whether a call line is a context change.
fn is_context_call(call: &str) -> bool {
    kmem::context::ContextOp::ALL
        .into_iter()
        .any(|op| call_name(call) == kmem::kernel::context_op_name(op))
}

/// The function of a call line, `kmalloc` of `kmalloc(100, …)`.
fn call_name(call: &str) -> &str {
    call.split('(').next().unwrap_or(call)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AddressClass {
    Null,
    DirectMap,
    Vmalloc,
    StructPage,
    Other,
}

impl AddressClass {
    fn words(self, value: u64) -> String {
        match self {
            AddressClass::Null => "NULL".into(),
            AddressClass::DirectMap => format!("a direct-map address ({value:#x})"),
            AddressClass::Vmalloc => format!("a vmalloc address ({value:#x})"),
            AddressClass::StructPage => format!("a struct page ({value:#x})"),
            AddressClass::Other => format!("{value:#x}"),
        }
    }
}

fn address_class(kernel: &Kernel, value: u64) -> AddressClass {
    let page_offset = kernel.profile().page_offset().as_u64();
    let ram_end = page_offset + (kernel.mem.max_pfn().as_u64() << PAGE_SHIFT);
    if value == 0 {
        AddressClass::Null
    } else if (page_offset..ram_end).contains(&value) {
        AddressClass::DirectMap
    } else if (VMALLOC_START.as_u64()..=VMALLOC_END.as_u64()).contains(&value) {
        AddressClass::Vmalloc
    } else if (VMEMMAP_START.as_u64()..VMEMMAP_START.as_u64() + (1 << 40)).contains(&value) {
        AddressClass::StructPage
    } else {
        AddressClass::Other
    }
}

/// The frame of a direct-map address or `struct page *`.
fn frame_of(kernel: &Kernel, value: u64) -> Option<Pfn> {
    match address_class(kernel, value) {
        AddressClass::DirectMap => Some(Pfn::new(
            (value - kernel.profile().page_offset().as_u64()) >> PAGE_SHIFT,
        )),
        AddressClass::StructPage => Some(Pfn::new(
            (value - VMEMMAP_START.as_u64()) / STRUCT_PAGE_SIZE,
        )),
        _ => None,
    }
}

/// Bytes of physically contiguous memory at `value`: a kmalloc object's
/// size, or a page block's.
fn contiguous_bytes(kernel: &Kernel, value: u64) -> u64 {
    let Some(pfn) = frame_of(kernel, value) else {
        return 0;
    };
    let Some((head, order)) = kernel.mem.head_of(pfn) else {
        return 0;
    };
    match kernel
        .slab
        .cache_of(head)
        .and_then(|id| kernel.slab.caches.get(id))
    {
        Some(cache) => u64::from(cache.object_size),
        None => 4096 << order,
    }
}

/// The category of a step's call.
fn outcome(trace: &Trace, at: usize, kernel: &Kernel) -> String {
    let step = &trace.steps[at];
    let Some(event) = &step.event else {
        return "no call".into();
    };
    let logged = |prefix: &str| event.log.iter().any(|l| l.text.starts_with(prefix));
    let sleeping = logged("BUG: sleeping function called from invalid context");
    // SLUB's slab_bug() heads its reports "BUG <cache> (…): …" and the
    // kernel goes on; "kernel BUG at" is a BUG_ON that stops it.
    let slub = event
        .log
        .iter()
        .any(|l| l.text.starts_with("BUG ") && l.text.contains("): "));
    let category = match event.outcome {
        Outcome::Oops => "oops",
        _ if logged("kernel BUG at") => "kernel BUG",
        _ if slub => "slub_debug report",
        Outcome::Bug => "kernel BUG",
        _ if sleeping => "BUG: sleeping function called from invalid context",
        Outcome::Warn => "WARN",
        _ if event.value == CallValue::Void => "returns nothing (void)",
        _ => match address_class(kernel, step.value) {
            AddressClass::Null => "returns NULL",
            AddressClass::DirectMap => "returns a direct-map address",
            AddressClass::Vmalloc => "returns a vmalloc address",
            AddressClass::StructPage => "returns a struct page",
            AddressClass::Other => return format!("returns {:#x}", step.value),
        },
    };
    category.to_string()
}

/// The key of `ask` for the step at `at`.
fn computed(
    ask: &Ask,
    trace: &Trace,
    at: usize,
    value: u64,
    kernel: &Kernel,
) -> Result<(Expected, String), String> {
    let text = |t: String| Ok((Expected::Text(t.clone()), t));
    let frame = || {
        frame_of(kernel, value).ok_or_else(|| {
            format!(
                "the call returned {:#x}, which is not memory of the direct map",
                value
            )
        })
    };
    match ask {
        Ask::Value => Ok((
            Expected::Number {
                value,
                hex_by_default: true,
            },
            format!("{value:#x}"),
        )),
        Ask::Cache => {
            let pfn = frame()?;
            // The slab's first frame names its cache.
            let head = kernel.mem.head_of(pfn).map_or(pfn, |(head, _)| head);
            let cache = kernel
                .slab
                .cache_of(head)
                .and_then(|id| kernel.slab.caches.get(id))
                .ok_or_else(|| format!("the memory at {value:#x} is not a slab object"))?;
            text(cache.name.to_string())
        }
        Ask::Order => {
            let (_, order) = kernel
                .mem
                .head_of(frame()?)
                .ok_or("the returned memory is no page block")?;
            Ok((
                Expected::Number {
                    value: u64::from(order),
                    hex_by_default: false,
                },
                order.to_string(),
            ))
        }
        Ask::Zone => text(MemMap::zone_of(frame()?).name().to_string()),
        Ask::Phys(expr) => {
            let address = kmem_script::evaluate(expr, &trace.variables, kernel.clone())
                .map_err(|d| d.message)?;
            let mut k = kernel.clone();
            match k.kaddr_to_phys(VirtAddr::new(address)).value {
                CallValue::Phys(p) => Ok((
                    Expected::Number {
                        value: p.as_u64(),
                        hex_by_default: true,
                    },
                    format!("{:#x}", p.as_u64()),
                )),
                _ => Err(format!("{address:#x} has no physical address")),
            }
        }
        Ask::Buddyinfo(zone) => {
            let info = kmem::procfs::read(kernel, "/proc/buddyinfo").unwrap_or_default();
            let line = info
                .lines()
                .find(|l| l.split_whitespace().nth(3) == Some(zone.as_str()))
                .ok_or_else(|| format!("/proc/buddyinfo has no zone {zone} on this machine"))?;
            text(line.to_string())
        }
        Ask::Outcome => text(outcome(trace, at, kernel)),
        Ask::Pgg(_) | Ask::Hex(_) => unreachable_mask(),
    }
}

/// Masks are decoded before any run.
fn unreachable_mask() -> Result<(Expected, String), String> {
    Err("a mask question needs no run".into())
}
