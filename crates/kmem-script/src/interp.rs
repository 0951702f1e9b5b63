//! The interpreter: runs a parsed script against a simulated kernel and
//! records a [`Trace`], one [`Step`] per executed call.
//!
//! Values carry C's types on x86_64 ([`ctype`]): signed types sign-extend,
//! assignments convert, pointer arithmetic scales. Variables are declared
//! C-style or on first assignment (then they are `unsigned long`). What a
//! run may make the simulator hold is bounded ([`MAX_STEPS`],
//! [`MAX_TRACE_BYTES`], [`MAX_WRITTEN_PAGES`], [`MAX_ARRAY_BYTES`]), and
//! its time by the operation budget, which calls are charged by the work
//! they do ([`KERNEL_WORK_PER_OPERATION`], [`TEXT_BYTES_PER_OPERATION`]).
//! Kernel outcomes (NULL, WARN, BUG, oops) are results, carried
//! by the steps' events; only mistakes in the script itself (an undefined
//! name, a wrong number of arguments, a runaway loop) stop the run with a
//! [`Diagnostic`].

use std::collections::HashMap;

use kmem::context::ContextOp;
use kmem::kernel::memory::Width;
use kmem::kernel::{CallValue, Event, Kernel, KernelConfig, KernelState};
use kmem::profile::{Change, Profile};
use kmem::{VirtAddr, PAGE_SIZE};

use crate::ast::{
    BinaryOp, ContextBlock, Expr, ExprKind, IntType, Program, Stmt, StmtKind, UnaryOp,
};
use crate::diagnostic::Diagnostic;
use crate::printk::{FormatError, PointerRead, PrintArg};
use crate::span::Span;

/// Operations a script may run before it is stopped.
pub const DEFAULT_STEP_BUDGET: u64 = 1_000_000;
/// The most elements a script array may have.
pub const MAX_ARRAY_LEN: u64 = 1 << 20;
/// The most bytes a script's arrays may hold at once, all together (each
/// is held at its C size: `u8 a[4096]` is 4 KiB).
pub const MAX_ARRAY_BYTES: u64 = 32 << 20;
/// Units of the simulated kernel's work ([`Kernel::work`]: page-allocator
/// operations, and memory read or written) that cost one operation of the
/// budget.
pub const KERNEL_WORK_PER_OPERATION: u64 = 4;
/// Bytes of trace text (call lines, summaries, log lines, printed output)
/// that cost one operation of the budget, about what making them costs.
pub const TEXT_BYTES_PER_OPERATION: u64 = 64;
/// Bytes of a new (zeroed) array that cost one operation of the budget, as
/// the kernel's writes do.
const ARRAY_BYTES_PER_OPERATION: u64 = kmem::kernel::WORK_BYTES * KERNEL_WORK_PER_OPERATION;
/// The most steps (calls) a trace may hold.
pub const MAX_STEPS: u64 = 200_000;
/// The most text (call lines, summaries, log lines, printed output) a
/// trace may hold.
pub const MAX_TRACE_BYTES: u64 = 32 << 20;
/// The most pages of simulated memory whose bytes a script may make the
/// simulator store (pages it writes; never-written memory costs nothing).
pub const MAX_WRITTEN_PAGES: u64 = 32_768;

/// One executed call.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Step {
    /// Where the call is in the source.
    pub span: Span,
    /// The kernel event, for calls into the simulated kernel.
    pub event: Option<Event>,
    /// The value the call returned.
    #[serde(serialize_with = "hex::value")]
    pub value: u64,
    /// Text the call printed: a /proc file for `cat`, the log line of a
    /// `printk`.
    pub output: String,
    /// The recorded walk of an address translation that is not a kernel
    /// call (`__pa`, `virt_to_page`, …).
    pub walk: Vec<kmem::translate::Step>,
    /// The variables assigned since the previous call's statement, up to
    /// the end of this call's statement, with their new values (see
    /// [`Trace::variables_at`]).
    #[serde(serialize_with = "hex::pairs")]
    pub vars: Vec<(String, u64)>,
}

/// The run of a script. It serializes without the kernel (the /proc files
/// and the memory map are read from it directly).
#[derive(Clone, Debug, serde::Serialize)]
pub struct Trace {
    /// The executed calls in order.
    pub steps: Vec<Step>,
    /// The kernel after the run.
    #[serde(skip)]
    pub kernel: Kernel,
    /// The variables at the end, in order of first assignment.
    #[serde(serialize_with = "hex::pairs")]
    pub variables: Vec<(String, u64)>,
    /// The mistake that stopped the run early, if any.
    pub error: Option<Diagnostic>,
}

impl Trace {
    /// The variables as they stood after step `step` (0-based), in order
    /// of first assignment: time travel without re-running.
    pub fn variables_at(&self, step: usize) -> Vec<(String, u64)> {
        let mut vars: Vec<(String, u64)> = Vec::new();
        let changes = self.steps.iter().take(step + 1).flat_map(|s| s.vars.iter());
        for (name, value) in changes {
            match vars.iter_mut().find(|(n, _)| n == name) {
                Some(slot) => slot.1 = *value,
                None => vars.push((name.clone(), *value)),
            }
        }
        vars
    }
}

/// Script values in JSON: `0x…` strings, as 64-bit values do not fit the
/// numbers of JSON readers such as JavaScript.
/// Variables as `[name, "0x…"]` pairs (a name may change twice in a step).
mod hex {
    use serde::ser::SerializeSeq;

    pub fn value<S: serde::Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&format_args!("{v:#x}"))
    }

    pub fn pairs<S: serde::Serializer>(pairs: &[(String, u64)], s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(pairs.len()))?;
        for (name, v) in pairs {
            seq.serialize_element(&(name, format!("{v:#x}")))?;
        }
        seq.end()
    }
}

/// How control leaves a statement.
enum Flow {
    Next,
    Break,
    Continue,
}

mod ctype;
use ctype::CType;

/// A variable's contents.
#[derive(Clone, Debug)]
enum Value {
    Scalar(u64),
    Array(Array),
}

/// A script array, held at its C size: its elements' bytes,
/// little-endian, `width` (the element type's `sizeof`) each.
#[derive(Clone, Debug)]
struct Array {
    bytes: Vec<u8>,
    width: usize,
}

impl Array {
    /// `len` zeroed elements of type `ty` (`len` is at most
    /// [`MAX_ARRAY_LEN`]).
    fn new(len: u64, ty: CType) -> Array {
        let width = ty.size() as usize;
        Array {
            bytes: vec![0; len as usize * width],
            width,
        }
    }

    fn len(&self) -> u64 {
        (self.bytes.len() / self.width) as u64
    }

    /// Its size in bytes.
    fn size(&self) -> u64 {
        self.bytes.len() as u64
    }

    /// Element `i` (below [`Array::len`]) zero-extended: the caller reads
    /// it in the element type.
    fn get(&self, i: u64) -> u64 {
        let at = i as usize * self.width;
        let mut word = [0u8; 8];
        word[..self.width].copy_from_slice(&self.bytes[at..at + self.width]);
        u64::from_le_bytes(word)
    }

    /// Stores the low bytes of `v` as element `i` (below [`Array::len`]).
    fn set(&mut self, i: u64, v: u64) {
        let at = i as usize * self.width;
        self.bytes[at..at + self.width].copy_from_slice(&v.to_le_bytes()[..self.width]);
    }
}

/// A variable: its contents and type (an array's is its elements' type).
#[derive(Clone, Debug)]
struct Var {
    value: Value,
    ty: CType,
}

struct Interp {
    kernel: Kernel,
    vars: HashMap<String, Var>,
    order: Vec<String>,
    steps: Vec<Step>,
    budget: u64,
    loop_span: Option<Span>,
    step_limit: usize,
    /// Steps recorded when the current statement began.
    stmt_start: usize,
    /// Variables assigned since the last call's statement, for the next
    /// call.
    pending: Vec<(String, u64)>,
    /// Bytes of text the steps hold.
    trace_bytes: u64,
    /// The kernel's work when the last call was charged.
    last_work: u64,
    /// Bytes the arrays of all variables hold.
    array_bytes: u64,
}

type RResult<T> = Result<T, Diagnostic>;

/// Runs `program` on a kernel booted with `config`, with at most `budget`
/// operations. A kernel that cannot boot is reported as the error of an
/// empty trace.
pub fn run(program: &Program, config: KernelConfig, budget: u64) -> Result<Trace, Diagnostic> {
    let kernel = Kernel::boot(config)
        .map_err(|e| Diagnostic::new(format!("the machine cannot boot: {e}"), Span::default()))?;
    Ok(run_on(program, kernel, budget))
}

/// Runs `program` on an already booted `kernel` (a clone of a booted
/// template saves the boot on every re-run).
pub fn run_on(program: &Program, kernel: Kernel, budget: u64) -> Trace {
    run_until(program, kernel, budget, usize::MAX)
}

/// Runs `program` until `steps` calls have been made (the statement of the
/// last one completes): the state at that point in time.
pub fn run_until(program: &Program, kernel: Kernel, budget: u64, steps: usize) -> Trace {
    let mut interp = Interp::new(kernel, budget, steps);
    let error = interp.block(&program.stmts).err();
    let variables = interp
        .order
        .iter()
        .filter_map(|name| match interp.vars.get(name) {
            Some(Var {
                value: Value::Scalar(v),
                ..
            }) => Some((name.clone(), *v)),
            _ => None,
        })
        .collect();
    Trace {
        steps: interp.steps,
        kernel: interp.kernel,
        variables,
        error,
    }
}

/// Evaluates one expression, such as `v + 5000`, with `variables` (a
/// trace's at some step) on `kernel`: the translation view's input. Calls
/// in it run on `kernel`, which the caller gives as a copy.
pub fn evaluate(
    text: &str,
    variables: &[(String, u64)],
    kernel: Kernel,
) -> Result<u64, Diagnostic> {
    let parsed = crate::parser::parse(&format!("{text};"));
    if let Some(first) = parsed.errors.into_iter().next() {
        return Err(first);
    }
    let [Stmt {
        kind: StmtKind::Expr(expr),
        ..
    }] = parsed.program.stmts.as_slice()
    else {
        return Err(Diagnostic::new(
            "enter one expression, such as p + 4096",
            Span::new(0, text.len()),
        ));
    };
    let mut interp = Interp::new(kernel, DEFAULT_STEP_BUDGET, usize::MAX);
    for (name, value) in variables {
        interp.define(name, Value::Scalar(*value), CType::UNTYPED);
    }
    interp.eval(expr)
}

impl Interp {
    fn new(kernel: Kernel, budget: u64, step_limit: usize) -> Interp {
        let kernel_work = kernel.work();
        Interp {
            kernel,
            vars: HashMap::new(),
            order: Vec::new(),
            steps: Vec::new(),
            budget,
            loop_span: None,
            step_limit,
            stmt_start: 0,
            pending: Vec::new(),
            trace_bytes: 0,
            last_work: kernel_work,
            array_bytes: 0,
        }
    }

    fn tick(&mut self, span: Span) -> RResult<()> {
        if self.budget == 0 {
            let at = self.loop_span.unwrap_or(span);
            let mut d = Diagnostic::new(
                "the script ran out of its operation budget: stopped in this loop",
                at,
            );
            d.help = Some("a loop that never ends? the budget is 1,000,000 operations".into());
            return Err(d);
        }
        self.budget -= 1;
        Ok(())
    }

    /// Takes `operations` from the budget; the next [`Interp::tick`] stops
    /// the run if nothing is left.
    fn charge(&mut self, operations: u64) {
        self.budget = self.budget.saturating_sub(operations);
    }

    /// Charges a running total's growth from `before` to `after`, at
    /// `per_operation` units an operation: counted on the totals, so that
    /// no remainder is lost between calls.
    fn charge_growth(&mut self, before: u64, after: u64, per_operation: u64) {
        self.charge((after / per_operation).saturating_sub(before / per_operation));
    }

    /// The bytes the array variable `name` holds (0 for none).
    fn array_size(&self, name: &str) -> u64 {
        match self.vars.get(name) {
            Some(Var {
                value: Value::Array(array),
                ..
            }) => array.size(),
            _ => 0,
        }
    }

    // ---- statements -----------------------------------------------------

    fn block(&mut self, stmts: &[Stmt]) -> RResult<Flow> {
        for stmt in stmts {
            match self.stmt(stmt)? {
                Flow::Next => {}
                other => return Ok(other),
            }
            if !self.running() {
                return Ok(Flow::Next);
            }
        }
        Ok(Flow::Next)
    }

    fn stmt(&mut self, stmt: &Stmt) -> RResult<Flow> {
        self.tick(stmt.span)?;
        self.stmt_start = self.steps.len();
        match &stmt.kind {
            StmtKind::Empty => Ok(Flow::Next),
            StmtKind::Expr(e) => {
                self.eval(e)?;
                Ok(Flow::Next)
            }
            StmtKind::Decl(decls) => {
                for d in decls {
                    if self.is_kernel_name(&d.name) {
                        return Err(Diagnostic::new(
                            format!("`{}` is a kernel constant and cannot be declared", d.name),
                            d.name_span,
                        ));
                    }
                    let ty = CType::of(&d.ty);
                    let value = match (&d.array_len, &d.init) {
                        (Some(_), Some(init)) => {
                            return Err(Diagnostic::new(
                                "array initializers are not supported: assign the elements",
                                init.span,
                            ))
                        }
                        (Some(len), None) => {
                            let n = self.eval(len)?;
                            if n > MAX_ARRAY_LEN {
                                return Err(Diagnostic::new(
                                    format!("an array of {n} elements is larger than the playground allows ({MAX_ARRAY_LEN})"),
                                    len.span,
                                ));
                            }
                            let bytes = n * ty.size();
                            let replaced = self.array_size(&d.name);
                            if self.array_bytes - replaced + bytes > MAX_ARRAY_BYTES {
                                return Err(Diagnostic::new(
                                    format!(
                                        "with `{}`, the script's arrays take more than {} MiB, more than the playground allows",
                                        d.name,
                                        MAX_ARRAY_BYTES >> 20
                                    ),
                                    d.name_span,
                                ));
                            }
                            self.charge(bytes / ARRAY_BYTES_PER_OPERATION);
                            Value::Array(Array::new(n, ty))
                        }
                        (None, Some(init)) => Value::Scalar(ty.convert(self.eval(init)?)),
                        (None, None) => Value::Scalar(0),
                    };
                    self.define(&d.name, value, ty);
                }
                Ok(Flow::Next)
            }
            StmtKind::Block(stmts) => self.block(stmts),
            StmtKind::If { cond, then, els } => {
                if self.eval(cond)? != 0 {
                    self.stmt(then)
                } else if let Some(els) = els {
                    self.stmt(els)
                } else {
                    Ok(Flow::Next)
                }
            }
            StmtKind::While { cond, body } => {
                let outer = self.loop_span.replace(stmt.span);
                let result = (|| {
                    while self.eval(cond)? != 0 {
                        match self.stmt(body)? {
                            Flow::Break => break,
                            Flow::Next | Flow::Continue => {}
                        }
                        if !self.running() {
                            break;
                        }
                    }
                    Ok(Flow::Next)
                })();
                self.loop_span = outer;
                result
            }
            StmtKind::For {
                init,
                cond,
                step,
                body,
            } => {
                if let Some(init) = init {
                    self.stmt(init)?;
                }
                let outer = self.loop_span.replace(stmt.span);
                let result = (|| {
                    loop {
                        if let Some(cond) = cond {
                            if self.eval(cond)? == 0 {
                                break;
                            }
                        }
                        self.tick(stmt.span)?;
                        match self.stmt(body)? {
                            Flow::Break => break,
                            Flow::Next | Flow::Continue => {}
                        }
                        if !self.running() {
                            break;
                        }
                        if let Some(step) = step {
                            self.eval(step)?;
                        }
                    }
                    Ok(Flow::Next)
                })();
                self.loop_span = outer;
                result
            }
            StmtKind::Break => Ok(Flow::Break),
            StmtKind::Continue => Ok(Flow::Continue),
            StmtKind::Context { kind, body } => {
                let (enter, exit) = match kind {
                    ContextBlock::Softirq => (ContextOp::EnterSoftirq, ContextOp::ExitSoftirq),
                    ContextBlock::Hardirq => (ContextOp::EnterHardirq, ContextOp::ExitHardirq),
                    ContextBlock::Nmi => (ContextOp::EnterNmi, ContextOp::ExitNmi),
                };
                let open = Span::new(stmt.span.start, stmt.span.start + kind.keyword().len());
                let ev = self.kernel.context_op(enter);
                self.record(open, ev)?;
                let flow = self.block(body)?;
                // A kernel that crashed in the handler never leaves it.
                if self.running() {
                    let close = Span::new(stmt.span.end.saturating_sub(1), stmt.span.end);
                    let ev = self.kernel.context_op(exit);
                    self.record(close, ev)?;
                }
                Ok(flow)
            }
        }
    }

    /// Whether the run goes on: the kernel runs and the step limit of
    /// [`run_until`] is not reached.
    fn running(&self) -> bool {
        *self.kernel.state() == KernelState::Running && self.steps.len() < self.step_limit
    }

    fn define(&mut self, name: &str, value: Value, ty: CType) {
        if let Value::Scalar(v) = value {
            let change = (name.to_string(), v);
            // A call made in this statement owns the change; otherwise the
            // next call does.
            let in_this_statement = self.steps.len() > self.stmt_start;
            match self.steps.last_mut() {
                Some(step) if in_this_statement => step.vars.push(change),
                _ => self.pending.push(change),
            }
        }
        if let Value::Array(array) = &value {
            self.array_bytes += array.size();
        }
        self.array_bytes -= self.array_size(name);
        // Assigning to a known variable allocates nothing.
        match self.vars.get_mut(name) {
            Some(var) => *var = Var { value, ty },
            None => {
                self.order.push(name.to_string());
                self.vars.insert(name.to_string(), Var { value, ty });
            }
        }
    }

    fn record(&mut self, span: Span, event: Event) -> RResult<u64> {
        let work = self.kernel.work();
        self.charge_growth(self.last_work, work, KERNEL_WORK_PER_OPERATION);
        self.last_work = work;
        let value = call_value(&event.value);
        self.push_step(Step {
            span,
            event: Some(event),
            value,
            output: String::new(),
            walk: Vec::new(),
            vars: Vec::new(),
        })?;
        Ok(value)
    }

    /// Records a step, and stops the run when the trace or the simulated
    /// memory's stored contents pass the playground's bounds.
    fn push_step(&mut self, mut step: Step) -> RResult<()> {
        step.vars = std::mem::take(&mut self.pending);
        let before = self.trace_bytes;
        self.trace_bytes += step.output.len() as u64
            + step.event.as_ref().map_or(0, |e| {
                (e.call.stored_bytes()
                    + e.summary.stored_bytes()
                    + e.log.iter().map(|l| l.text.len()).sum::<usize>()) as u64
            });
        self.charge_growth(before, self.trace_bytes, TEXT_BYTES_PER_OPERATION);
        let span = step.span;
        self.steps.push(step);
        let limit = if self.steps.len() as u64 > MAX_STEPS {
            format!("the script made more than {MAX_STEPS} calls")
        } else if self.trace_bytes > MAX_TRACE_BYTES {
            text_bound()
        } else if self.kernel.mem.stored_frames() as u64 > MAX_WRITTEN_PAGES {
            format!(
                "the script wrote into more than {MAX_WRITTEN_PAGES} pages ({} MiB) of simulated memory",
                (MAX_WRITTEN_PAGES * PAGE_SIZE) >> 20
            )
        } else {
            return Ok(());
        };
        Err(self.bound_error(limit, span))
    }

    /// The error of a run that passed one of the playground's bounds
    /// (`limit` says which), at the loop it is in or else at `span`.
    fn bound_error(&self, limit: String, span: Span) -> Diagnostic {
        let mut d = Diagnostic::new(
            format!("{limit}: the playground stops here"),
            self.loop_span.unwrap_or(span),
        );
        d.help = Some("the playground bounds what a script may make it hold; see `kmem help language`, Limits".into());
        d
    }

    // ---- expressions ----------------------------------------------------

    fn eval(&mut self, e: &Expr) -> RResult<u64> {
        Ok(self.typed(e)?.0)
    }

    /// Evaluates `e` to its value and C type (see [`ctype`]).
    fn typed(&mut self, e: &Expr) -> RResult<(u64, CType)> {
        self.tick(e.span)?;
        match &e.kind {
            ExprKind::Int(v, ty) => Ok((*v, CType::Int(*ty))),
            ExprKind::Str(_) => Err(Diagnostic::new(
                "a string can only be an argument of printk or cat",
                e.span,
            )),
            ExprKind::Ident(name) => self.name(name, e.span),
            ExprKind::Unary { op, expr } => match op {
                UnaryOp::Neg | UnaryOp::Plus | UnaryOp::BitNot => {
                    let (v, t) = self.typed(expr)?;
                    Ok(ctype::unary(*op, v, t))
                }
                UnaryOp::Not => Ok((u64::from(self.eval(expr)? == 0), CType::INT)),
                UnaryOp::AddrOf => Err(Diagnostic::new(
                    "a script's variables have no address: `&` is for a lock (spin_lock(&lock)) and for what printk reads through a pointer (printk(\"%pa\\n\", &phys), %pad, %pGg)",
                    e.span,
                )),
                UnaryOp::Deref => {
                    let (addr, elem) = self.pointer(expr)?;
                    self.load(e.span, addr, elem)
                }
            },
            ExprKind::Binary { op, lhs, rhs } => {
                let l = self.typed(lhs)?;
                match op {
                    BinaryOp::And if l.0 == 0 => return Ok((0, CType::INT)),
                    BinaryOp::Or if l.0 != 0 => return Ok((1, CType::INT)),
                    _ => {}
                }
                let r = self.typed(rhs)?;
                ctype::binary(*op, l, r)
                    .ok_or_else(|| Diagnostic::new("division by zero", rhs.span))
            }
            ExprKind::Assign { op, target, value } => {
                let v = self.typed(value)?;
                let v = match op {
                    Some(op) => {
                        let old = self.typed(target)?;
                        ctype::binary(*op, old, v)
                            .ok_or_else(|| Diagnostic::new("division by zero", value.span))?
                    }
                    None => v,
                };
                self.store(target, v.0)
            }
            ExprKind::Conditional { cond, then, els } => {
                if self.eval(cond)? != 0 {
                    self.typed(then)
                } else {
                    self.typed(els)
                }
            }
            ExprKind::Call {
                name,
                name_span,
                args,
            } => Ok((
                self.call(name, *name_span, e.span, args)?,
                return_type(name),
            )),
            ExprKind::Index { base, index } => {
                let i = self.eval(index)?;
                match self.element(base, index, i)? {
                    Element::Array(name, ty) => Ok((ty.convert(self.array(&name)?.get(i)), ty)),
                    Element::Memory(addr, elem) => self.load(e.span, addr, elem),
                }
            }
            ExprKind::Cast { ty, expr } => {
                let v = self.eval(expr)?;
                let t = CType::of(ty);
                Ok((t.convert(v), t))
            }
            ExprKind::SizeofType(ty) => ty.size().map(|n| (n, CType::UNTYPED)).ok_or_else(|| {
                Diagnostic::new(
                    format!("the playground does not know the size of `{ty}`"),
                    e.span,
                )
            }),
            ExprKind::SizeofExpr(inner) => {
                let size = match &inner.kind {
                    ExprKind::Ident(name) => match self.vars.get(name) {
                        Some(Var {
                            value: Value::Array(items),
                            ..
                        }) => items.size(),
                        _ => self.static_type(inner)?.size(),
                    },
                    _ => self.static_type(inner)?.size(),
                };
                Ok((size, CType::UNTYPED))
            }
            ExprKind::IncDec {
                target,
                increment,
                prefix,
            } => {
                let old = self.typed(target)?;
                let op = if *increment {
                    BinaryOp::Add
                } else {
                    BinaryOp::Sub
                };
                let one = (1, CType::INT);
                let new = ctype::binary(op, old, one).unwrap_or(old);
                let stored = self.store(target, new.0)?;
                Ok(if *prefix { stored } else { old })
            }
        }
    }

    /// The type of `e` without evaluating it, for `sizeof` (C does not
    /// evaluate its operand).
    fn static_type(&self, e: &Expr) -> RResult<CType> {
        Ok(match &e.kind {
            ExprKind::Int(_, ty) => CType::Int(*ty),
            ExprKind::Str(_) => {
                return Err(Diagnostic::new(
                    "a string can only be an argument of printk or cat",
                    e.span,
                ))
            }
            ExprKind::Ident(name) => match self.vars.get(name) {
                Some(var) => var.ty,
                None if self.is_kernel_name(name) => constant_type(name),
                None => return Err(self.undefined(name, e.span)),
            },
            ExprKind::Unary { op, expr } => match op {
                UnaryOp::Not => CType::INT,
                UnaryOp::AddrOf => CType::VOID_PTR,
                UnaryOp::Deref => match self.static_type(expr)? {
                    CType::Ptr { elem: Some(t), .. } => CType::Int(t),
                    _ => return Err(no_size(expr)),
                },
                _ => ctype::unary(*op, 0, self.static_type(expr)?).1,
            },
            ExprKind::Binary { op, lhs, rhs } => {
                ctype::binary_type(*op, self.static_type(lhs)?, self.static_type(rhs)?)
            }
            ExprKind::Assign { target, .. } | ExprKind::IncDec { target, .. } => {
                self.static_type(target)?
            }
            ExprKind::Conditional { then, .. } => self.static_type(then)?,
            ExprKind::Call { name, .. } => return_type(name),
            ExprKind::Index { base, .. } => match (&base.kind, self.static_type(base)) {
                (ExprKind::Ident(name), _) if self.array(name).is_ok() => {
                    self.vars.get(name).map_or(CType::UNTYPED, |v| v.ty)
                }
                (_, Ok(CType::Ptr { elem: Some(t), .. })) => CType::Int(t),
                _ => return Err(no_size(base)),
            },
            ExprKind::Cast { ty, .. } => CType::of(ty),
            ExprKind::SizeofType(_) | ExprKind::SizeofExpr(_) => CType::UNTYPED,
        })
    }

    /// What `base[i]` designates: an element of a script array, or memory
    /// through a pointer (`p[i]` is `*(p + i)`).
    fn element(&mut self, base: &Expr, index: &Expr, i: u64) -> RResult<Element> {
        if let ExprKind::Ident(name) = &base.kind {
            if let Some(Var {
                value: Value::Array(items),
                ty,
            }) = self.vars.get(name)
            {
                if i >= items.len() {
                    return Err(Diagnostic::new(
                        format!(
                            "index {i} is outside `{name}`, which has {} elements",
                            items.len()
                        ),
                        index.span,
                    ));
                }
                return Ok(Element::Array(name.clone(), *ty));
            }
        }
        let (addr, elem) = self.pointer(base)?;
        Ok(Element::Memory(
            addr.wrapping_add(i.wrapping_mul(u64::from(elem.bytes))),
            elem,
        ))
    }

    /// The elements of the array `name`.
    fn array(&self, name: &str) -> RResult<&Array> {
        match self.vars.get(name) {
            Some(Var {
                value: Value::Array(items),
                ..
            }) => Ok(items),
            _ => Err(Diagnostic::new(
                format!("`{name}` is not an array"),
                Span::default(),
            )),
        }
    }

    /// The address and element type of a dereferenced pointer: `*(u32 *)p`,
    /// or a variable declared `u16 *q`, or `q + 1`.
    fn pointer(&mut self, expr: &Expr) -> RResult<(u64, IntType)> {
        match self.typed(expr)? {
            (
                addr,
                CType::Ptr {
                    elem: Some(elem), ..
                },
            ) => Ok((addr, elem)),
            _ => Err(no_size(expr)),
        }
    }

    fn load(&mut self, span: Span, addr: u64, elem: IntType) -> RResult<(u64, CType)> {
        let ev = self.kernel.read(VirtAddr::new(addr), width_of(elem.bytes));
        let value = ctype::convert(elem, self.record(span, ev)?);
        Ok((value, CType::Int(elem)))
    }

    /// Assigns to a variable, an array element, or memory; the value stored
    /// (converted to the target's type) is the assignment's value.
    fn store(&mut self, target: &Expr, value: u64) -> RResult<(u64, CType)> {
        match &target.kind {
            ExprKind::Ident(name) => {
                let ty = match self.vars.get(name) {
                    Some(Var {
                        value: Value::Array(_),
                        ..
                    }) => {
                        return Err(Diagnostic::new(
                            format!("`{name}` is an array: assign to its elements"),
                            target.span,
                        ))
                    }
                    Some(var) => var.ty,
                    None if self.is_kernel_name(name) => {
                        return Err(Diagnostic::new(
                            format!("`{name}` is a kernel constant and cannot be assigned"),
                            target.span,
                        ))
                    }
                    None => CType::UNTYPED,
                };
                let value = ty.convert(value);
                self.define(name, Value::Scalar(value), ty);
                Ok((value, ty))
            }
            ExprKind::Index { base, index } => {
                let i = self.eval(index)?;
                match self.element(base, index, i)? {
                    Element::Array(name, ty) => {
                        let value = ty.convert(value);
                        if let Some(Var {
                            value: Value::Array(items),
                            ..
                        }) = self.vars.get_mut(&name)
                        {
                            items.set(i, value);
                        }
                        Ok((value, ty))
                    }
                    Element::Memory(addr, elem) => self.write(target.span, addr, elem, value),
                }
            }
            ExprKind::Unary {
                op: UnaryOp::Deref,
                expr,
            } => {
                let (addr, elem) = self.pointer(expr)?;
                self.write(target.span, addr, elem, value)
            }
            _ => Err(Diagnostic::new("this cannot be assigned to", target.span)),
        }
    }

    /// A write through a pointer, as a step; the value as stored.
    fn write(&mut self, span: Span, addr: u64, elem: IntType, value: u64) -> RResult<(u64, CType)> {
        let value = ctype::convert(elem, value);
        let ev = self
            .kernel
            .write(VirtAddr::new(addr), width_of(elem.bytes), value);
        self.record(span, ev)?;
        Ok((value, CType::Int(elem)))
    }

    /// Whether `name` is a kernel constant or a GFP flag of this release
    /// (which scripts may not declare or assign).
    fn is_kernel_name(&self, name: &str) -> bool {
        constant(&self.kernel, name).is_some()
            || ((name.starts_with("GFP_") || name.starts_with("__GFP_"))
                && self.kernel.gfp.parse(name).is_ok())
    }

    /// A name's value and type: a variable, a kernel constant, or a GFP
    /// mask.
    fn name(&mut self, name: &str, span: Span) -> RResult<(u64, CType)> {
        if let Some(var) = self.vars.get(name) {
            return match var.value {
                Value::Scalar(v) => Ok((v, var.ty)),
                Value::Array(_) => Err(Diagnostic::new(
                    format!("`{name}` is an array: use one of its elements"),
                    span,
                )),
            };
        }
        if let Some(v) = constant(&self.kernel, name) {
            return Ok((v, constant_type(name)));
        }
        if name.starts_with("GFP_") || name.starts_with("__GFP_") {
            return match self.kernel.gfp.parse(name) {
                // gfp_t is an unsigned int.
                Ok(g) => Ok((u64::from(g.0), CType::Int(IntType::UINT))),
                Err(e) => {
                    let mut d = Diagnostic::new(e.message, span);
                    d.help = e.help;
                    Err(d)
                }
            };
        }
        Err(self.undefined(name, span))
    }

    fn undefined(&self, name: &str, span: Span) -> Diagnostic {
        let mut d = Diagnostic::new(format!("`{name}` is not defined"), span);
        let closest = self
            .vars
            .keys()
            .map(String::as_str)
            .chain(FUNCTIONS.iter().copied())
            .chain(CONSTANTS.iter().copied())
            .filter(|c| close(c, name))
            .min_by_key(|c| distance(c, name));
        d.help = closest.map(|c| format!("did you mean `{c}`?"));
        d
    }

    // ---- calls ----------------------------------------------------------

    fn call(&mut self, name: &str, name_span: Span, span: Span, args: &[Expr]) -> RResult<u64> {
        let arity = |n: usize| -> RResult<()> {
            if args.len() == n {
                Ok(())
            } else {
                Err(Diagnostic::new(
                    format!(
                        "`{name}` takes {n} argument{}, but {} {} given",
                        if n == 1 { "" } else { "s" },
                        args.len(),
                        if args.len() == 1 { "was" } else { "were" }
                    ),
                    span,
                ))
            }
        };
        let profile = self.kernel.profile().clone();
        // Functions of the language, not the kernel.
        match name {
            "printk" => return self.printk(span, args),
            "cat" => return self.cat(span, args),
            "assert" => {
                arity(1)?;
                if self.eval(&args[0])? == 0 {
                    return Err(Diagnostic::new("assertion failed", args[0].span));
                }
                return Ok(1);
            }
            _ => {}
        }
        if !is_function(name) {
            let mut d = Diagnostic::new(format!("unknown function `{name}`"), name_span);
            d.help = FUNCTIONS
                .iter()
                .filter(|c| close(c, name))
                .min_by_key(|c| distance(c, name))
                .map(|c| format!("did you mean `{c}`?"));
            return Err(d);
        }
        if name == "kvrealloc"
            && !profile.has(Change::KvreallocWithOldSize)
            && !profile.has(Change::KvreallocVrealloc)
        {
            return Err(Diagnostic::new(
                format!(
                    "`kvrealloc` does not exist in {} (it arrived in 5.15)",
                    profile.uname
                ),
                name_span,
            ));
        }
        if name == "kmem_cache_create" {
            return self.kmem_cache_create(span, args);
        }
        if is_translation(name) {
            arity(1)?;
            let x = self.eval(&args[0])?;
            let t = self.kernel.translator();
            let (value, walk) = translation(&t, name, x);
            self.push_step(Step {
                span,
                event: None,
                value,
                output: String::new(),
                walk,
                vars: Vec::new(),
            })?;
            return Ok(value);
        }
        // Context changes take a lock argument or none.
        if let Some(op) = context_op(name) {
            let takes_lock = matches!(
                op,
                ContextOp::SpinLock
                    | ContextOp::SpinUnlock
                    | ContextOp::SpinLockIrqsave
                    | ContextOp::SpinUnlockIrqrestore
            );
            let wanted = match op {
                ContextOp::SpinLockIrqsave | ContextOp::SpinUnlockIrqrestore => 2,
                _ if takes_lock => 1,
                _ => 0,
            };
            arity(wanted)?;
            if takes_lock {
                self.lock_argument(name, &args[0])?;
            }
            // spin_lock_irqsave's flags: a variable, as the macro assigns it.
            if let Some(flags) = args.get(1) {
                match &flags.kind {
                    ExprKind::Ident(var) if self.vars.contains_key(var) => {}
                    ExprKind::Ident(var) => return Err(self.undefined(var, flags.span)),
                    _ => {
                        return Err(Diagnostic::new(
                            "the flags are a variable, as in spin_lock_irqsave(&lock, flags)",
                            flags.span,
                        ))
                    }
                }
            }
            let ev = self.kernel.context_op(op);
            return self.record(span, ev);
        }
        arity(kernel_arity(name, &profile))?;
        let mut v = Vec::with_capacity(args.len());
        for a in args {
            v.push(self.eval(a)?);
        }
        if matches!(name, "kmalloc" | "kzalloc" | "kcalloc" | "kmalloc_array") {
            let sizes = &args[..args.len() - 1];
            let constant = sizes.iter().all(|a| self.is_constant(a));
            self.kernel.next_size_is_constant(constant);
        }
        let k = &mut self.kernel;
        let gfp = |x: u64| kmem::gfp::Gfp(x as u32);
        let addr = VirtAddr::new;
        let ev = match name {
            "kmalloc" => k.kmalloc(v[0], gfp(v[1])),
            "kzalloc" => k.kzalloc(v[0], gfp(v[1])),
            "kcalloc" => k.kcalloc(v[0], v[1], gfp(v[2])),
            "kmalloc_array" => k.kmalloc_array(v[0], v[1], gfp(v[2])),
            "krealloc" => k.krealloc(addr(v[0]), v[1], gfp(v[2])),
            "kfree" => k.kfree(addr(v[0])),
            "ksize" => k.ksize(addr(v[0])),
            "vmalloc" => k.vmalloc(v[0]),
            "vzalloc" => k.vzalloc(v[0]),
            "vmalloc_32" => k.vmalloc_32(v[0]),
            // 4.19's third argument is the protection, PAGE_KERNEL.
            "__vmalloc" => k.vmalloc_gfp(v[0], gfp(v[1])),
            "vfree" => k.vfree(addr(v[0])),
            "vfree_atomic" => k.vfree_atomic(addr(v[0])),
            "vmalloc_to_page" => k.vmalloc_to_page(addr(v[0])),
            "vmalloc_to_pfn" => k.vmalloc_to_pfn(addr(v[0])),
            "kvmalloc" => k.kvmalloc(v[0], gfp(v[1])),
            "kvzalloc" => k.kvzalloc(v[0], gfp(v[1])),
            "kvmalloc_node" => k.kvmalloc_node(v[0], gfp(v[1]), v[2] as i32),
            "kvcalloc" => k.kvcalloc(v[0], v[1], gfp(v[2])),
            "kvmalloc_array" => k.kvmalloc_array(v[0], v[1], gfp(v[2])),
            "kvfree" => k.kvfree(addr(v[0])),
            "kvrealloc" if profile.has(Change::KvreallocWithOldSize) => {
                k.kvrealloc(addr(v[0]), Some(v[1]), v[2], gfp(v[3]))
            }
            "kvrealloc" => k.kvrealloc(addr(v[0]), None, v[1], gfp(v[2])),
            "alloc_pages" => k.alloc_pages(gfp(v[0]), v[1] as u32),
            "alloc_page" => k.alloc_page(gfp(v[0])),
            "__get_free_pages" => k.get_free_pages(gfp(v[0]), v[1] as u32),
            "get_zeroed_page" => k.get_zeroed_page(gfp(v[0])),
            "__free_pages" => k.free_pages_page(addr(v[0]), v[1] as u32),
            "free_pages" => k.free_pages(addr(v[0]), v[1] as u32),
            "__free_page" => k.free_pages_page(addr(v[0]), 0),
            "free_page" => k.free_pages(addr(v[0]), 0),
            "page_address" => k.page_address(addr(v[0])),
            "translate" | "kvm_kaddr_to_phys" => k.kaddr_to_phys(addr(v[0])),
            "memset" => k.memset(addr(v[0]), v[1] as u8, v[2]),
            "memcpy" => k.memcpy(addr(v[0]), addr(v[1]), v[2]),
            "hexdump" | "print_hex_dump" => k.print_hex_dump(addr(v[0]), v[1]),
            "fill_page_cache" => k.fill_page_cache(v[0]),
            "drop_caches" => k.drop_caches(),
            "fragment" => k.fragment(v[0] as u32),
            "kmem_cache_alloc" => k.kmem_cache_alloc(cache_handle(v[0]), gfp(v[1])),
            "kmem_cache_zalloc" => k.kmem_cache_zalloc(cache_handle(v[0]), gfp(v[1])),
            "kmem_cache_free" => k.kmem_cache_free(cache_handle(v[0]), addr(v[1])),
            "kmem_cache_destroy" => k.kmem_cache_destroy(cache_handle(v[0])),
            "kmem_cache_shrink" => k.kmem_cache_shrink(cache_handle(v[0])),
            _ => {
                return Err(Diagnostic::new(
                    format!("`{name}` is not available in this script"),
                    name_span,
                ))
            }
        };
        self.record(span, ev)
    }

    /// A lock argument: `&lock` of a declared variable, or a pointer
    /// variable (a `spinlock_t *`).
    fn lock_argument(&self, function: &str, arg: &Expr) -> RResult<()> {
        let name = match &arg.kind {
            ExprKind::Unary {
                op: UnaryOp::AddrOf,
                expr,
            } => match &expr.kind {
                ExprKind::Ident(name) => name,
                _ => return Err(Diagnostic::new("a lock is a variable", expr.span)),
            },
            ExprKind::Ident(name) if matches!(self.vars.get(name), Some(v) if matches!(v.ty, CType::Ptr { .. })) => {
                return Ok(())
            }
            _ => {
                return Err(Diagnostic::new(
                    format!("`{function}` takes a pointer to a lock, as in {function}(&lock)"),
                    arg.span,
                ))
            }
        };
        if self.vars.contains_key(name) {
            Ok(())
        } else {
            let mut d = self.undefined(name, arg.span);
            d.help
                .get_or_insert_with(|| format!("declare it first: spinlock_t {name};"));
            Err(d)
        }
    }

    /// `kmem_cache_create("name", size, align, flags, NULL)`: the flags are
    /// an `|` of `SLAB_*` names (or 0); constructors are not modelled.
    fn kmem_cache_create(&mut self, span: Span, args: &[Expr]) -> RResult<u64> {
        let [name, size, align, flags, ctor] = args else {
            return Err(Diagnostic::new(
                format!("`kmem_cache_create` takes 5 arguments (name, size, align, flags, ctor), but {} were given", args.len()),
                span,
            ));
        };
        let ExprKind::Str(name) = &name.kind else {
            return Err(Diagnostic::new("the cache's name is a string", name.span));
        };
        let size = self.eval(size)?;
        let align = self.eval(align)?;
        let mut slab_flags = kmem::slab::SlabFlags::default();
        slab_flag_names(flags, &mut slab_flags)?;
        if self.eval(ctor)? != 0 {
            return Err(Diagnostic::new(
                "constructors are not modelled: pass NULL",
                ctor.span,
            ));
        }
        let too_big = |what: &str, e: &Expr| {
            Diagnostic::new(format!("{what} does not fit in 32 bits"), e.span)
        };
        let size = u32::try_from(size).map_err(|_| too_big("the size", &args[1]))?;
        let align = u32::try_from(align).map_err(|_| too_big("the alignment", &args[2]))?;
        let ev = self.kernel.kmem_cache_create(name, size, align, slab_flags);
        self.record(span, ev)
    }

    /// `printk(fmt, …)`: the formatted line goes to the kernel log.
    fn printk(&mut self, span: Span, args: &[Expr]) -> RResult<u64> {
        let Some(first) = args.first() else {
            return Err(Diagnostic::new("printk needs a format string", span));
        };
        let ExprKind::Str(format) = &first.kind else {
            return Err(Diagnostic::new(
                "printk's first argument is a format string",
                first.span,
            ));
        };
        let reads = crate::printk::pointer_reads(format);
        let mut values = Vec::new();
        for (i, a) in args[1..].iter().enumerate() {
            values.push(match (&a.kind, reads.get(i).copied().flatten()) {
                (ExprKind::Str(s), _) => PrintArg::Str(s.clone()),
                (_, Some(read)) => PrintArg::Pointee(self.pointee(a, read)?),
                _ => PrintArg::Num(self.eval(a)?),
            });
        }
        // The padding of a wide field is charged before it is built.
        let room = MAX_TRACE_BYTES.saturating_sub(self.trace_bytes);
        let limit = usize::try_from(room).unwrap_or(usize::MAX);
        let (level, text) =
            crate::printk::format(&self.kernel, format, &values, limit).map_err(|e| match e {
                FormatError::Mismatch(message) => Diagnostic::new(message, first.span),
                FormatError::TooLong => self.bound_error(text_bound(), span),
            })?;
        // The log keeps lines without their final newline.
        let text = text.strip_suffix('\n').unwrap_or(&text).to_string();
        self.kernel.log.push(level, text);
        let line = self
            .kernel
            .log
            .lines()
            .last()
            .map(|l| format!("{l}\n"))
            .unwrap_or_default();
        self.push_step(Step {
            span,
            event: None,
            value: 0,
            output: line,
            walk: Vec::new(),
            vars: Vec::new(),
        })?;
        Ok(0)
    }

    /// Whether `e` is an integer constant expression, as GCC's
    /// `__builtin_constant_p` sees a size: literals, kernel constants and
    /// `sizeof`, combined by operators; a variable makes it run-time.
    fn is_constant(&self, e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Int(..) | ExprKind::SizeofType(_) | ExprKind::SizeofExpr(_) => true,
            ExprKind::Ident(name) => !self.vars.contains_key(name) && self.is_kernel_name(name),
            ExprKind::Unary { op, expr } => {
                !matches!(op, UnaryOp::Deref | UnaryOp::AddrOf) && self.is_constant(expr)
            }
            ExprKind::Binary { lhs, rhs, .. } => self.is_constant(lhs) && self.is_constant(rhs),
            ExprKind::Conditional { cond, then, els } => {
                self.is_constant(cond) && self.is_constant(then) && self.is_constant(els)
            }
            ExprKind::Cast { expr, .. } => self.is_constant(expr),
            _ => false,
        }
    }

    /// What a `%pa`, `%pad` or `%pGg` argument points to: a variable whose
    /// address the script passes (`&phys`), or memory a pointer holds (read
    /// as the kernel reads it, so a bad pointer oopses). A value where the
    /// pointer belongs is an error that shows the call lib/vsprintf.c
    /// expects.
    fn pointee(&mut self, arg: &Expr, read: PointerRead) -> RResult<u64> {
        let PointerRead {
            spec,
            type_name,
            bytes,
        } = read;
        if let ExprKind::Unary {
            op: UnaryOp::AddrOf,
            expr,
        } = &arg.kind
        {
            let ExprKind::Ident(name) = &expr.kind else {
                return Err(Diagnostic::new(
                    format!("`{spec}` needs the address of a variable here"),
                    expr.span,
                ));
            };
            return match self.vars.get(name) {
                Some(Var {
                    value: Value::Scalar(v),
                    ty,
                }) if ty.size() == u64::from(bytes) => Ok(*v),
                Some(Var {
                    value: Value::Scalar(_),
                    ty,
                }) => Err(Diagnostic::new(
                    format!(
                        "`{spec}` reads a {type_name} ({bytes} bytes) through the pointer, but `{name}` is {} bytes",
                        ty.size()
                    ),
                    expr.span,
                )
                .with_help(format!("declare it as {type_name} {name}"))),
                Some(_) => Err(Diagnostic::new(
                    format!("`{name}` is an array: `{spec}` reads one {type_name}"),
                    expr.span,
                )),
                None => Err(self.undefined(name, expr.span)),
            };
        }
        match self.static_type(arg)? {
            CType::Ptr { .. } => {
                let addr = self.eval(arg)?;
                let elem = IntType {
                    bytes,
                    signed: false,
                };
                Ok(self.load(arg.span, addr, elem)?.0)
            }
            _ => {
                let help = match &arg.kind {
                    ExprKind::Ident(name) if self.vars.contains_key(name) => {
                        format!("pass its address: &{name}")
                    }
                    _ => format!(
                        "keep it in a variable and pass its address: {type_name} v = …; printk(\"{spec}\\n\", &v);"
                    ),
                };
                Err(Diagnostic::new(
                    format!(
                        "`{spec}` takes a pointer to a {type_name} (lib/vsprintf.c reads the value through it), not the value"
                    ),
                    arg.span,
                )
                .with_help(help))
            }
        }
    }

    /// `cat("/proc/…")`: the file's contents as output.
    fn cat(&mut self, span: Span, args: &[Expr]) -> RResult<u64> {
        let [arg] = args else {
            return Err(Diagnostic::new(
                "cat takes one path, as in cat(\"/proc/meminfo\")",
                span,
            ));
        };
        let ExprKind::Str(path) = &arg.kind else {
            return Err(Diagnostic::new("cat takes a path string", arg.span));
        };
        let Some(text) = kmem::procfs::read(&self.kernel, path) else {
            let mut d = Diagnostic::new(format!("the playground has no file {path}"), arg.span);
            d.help = Some(format!("it has {}", kmem::procfs::FILES.join(", ")));
            return Err(d);
        };
        self.push_step(Step {
            span,
            event: None,
            value: 0,
            output: text,
            walk: Vec::new(),
            vars: Vec::new(),
        })?;
        Ok(0)
    }
}

/// What passing [`MAX_TRACE_BYTES`] means.
fn text_bound() -> String {
    format!(
        "the script's calls produced more than {} MiB of log and output",
        MAX_TRACE_BYTES >> 20
    )
}

/// Reads an `|` of `SLAB_*` names (or 0) into `flags`.
fn slab_flag_names(e: &Expr, flags: &mut kmem::slab::SlabFlags) -> RResult<()> {
    match &e.kind {
        ExprKind::Int(0, _) => Ok(()),
        ExprKind::Binary {
            op: BinaryOp::BitOr,
            lhs,
            rhs,
        } => {
            slab_flag_names(lhs, flags)?;
            slab_flag_names(rhs, flags)
        }
        ExprKind::Ident(name) => {
            match name.as_str() {
                "SLAB_HWCACHE_ALIGN" => flags.hwcache_align = true,
                "SLAB_ACCOUNT" => flags.account = true,
                "SLAB_RECLAIM_ACCOUNT" => flags.reclaim_account = true,
                "SLAB_CACHE_DMA" => flags.cache_dma = true,
                "SLAB_TYPESAFE_BY_RCU" => flags.typesafe_by_rcu = true,
                _ => {
                    let mut d = Diagnostic::new(
                        format!("unknown or unmodelled slab flag `{name}`"),
                        e.span,
                    );
                    d.help = Some("the playground models SLAB_HWCACHE_ALIGN, SLAB_ACCOUNT, SLAB_RECLAIM_ACCOUNT, SLAB_CACHE_DMA and SLAB_TYPESAFE_BY_RCU".into());
                    return Err(d);
                }
            }
            Ok(())
        }
        _ => Err(Diagnostic::new(
            "slab flags are written as SLAB_* names joined by `|`, or 0",
            e.span,
        )),
    }
}

/// Every kernel function a script can call.
pub const FUNCTIONS: [&str; 68] = [
    "kvm_kaddr_to_phys",
    "__pa",
    "virt_to_phys",
    "__va",
    "phys_to_virt",
    "virt_to_page",
    "pfn_to_page",
    "page_to_pfn",
    "page_to_phys",
    "offset_in_page",
    "is_vmalloc_addr",
    "virt_addr_valid",
    "kmalloc",
    "kzalloc",
    "kcalloc",
    "kmalloc_array",
    "krealloc",
    "kfree",
    "ksize",
    "vmalloc",
    "vzalloc",
    "vmalloc_32",
    "__vmalloc",
    "vfree",
    "vfree_atomic",
    "vmalloc_to_page",
    "vmalloc_to_pfn",
    "kvmalloc",
    "kvzalloc",
    "kvmalloc_node",
    "kvcalloc",
    "kvmalloc_array",
    "kvfree",
    "kvrealloc",
    "alloc_pages",
    "alloc_page",
    "__get_free_pages",
    "get_zeroed_page",
    "__free_pages",
    "free_pages",
    "__free_page",
    "free_page",
    "page_address",
    "translate",
    "memset",
    "memcpy",
    "hexdump",
    "print_hex_dump",
    "fill_page_cache",
    "drop_caches",
    "fragment",
    "kmem_cache_alloc",
    "kmem_cache_zalloc",
    "kmem_cache_free",
    "kmem_cache_destroy",
    "kmem_cache_shrink",
    "spin_lock",
    "spin_unlock",
    "spin_lock_irqsave",
    "spin_unlock_irqrestore",
    "local_irq_disable",
    "local_irq_enable",
    "local_bh_disable",
    "local_bh_enable",
    "printk",
    "cat",
    "assert",
    "kmem_cache_create",
];

/// Whether `name` is one of the address macros of arch/x86/include/asm/page.h
/// and friends, computed without a kernel event (they read no kernel state
/// but `max_pfn`).
fn is_translation(name: &str) -> bool {
    matches!(
        name,
        "__pa"
            | "virt_to_phys"
            | "__va"
            | "phys_to_virt"
            | "virt_to_page"
            | "pfn_to_page"
            | "page_to_pfn"
            | "page_to_phys"
            | "offset_in_page"
            | "is_vmalloc_addr"
            | "virt_addr_valid"
    )
}

/// Whether `name` is one of [`FUNCTIONS`] (a hash lookup: every call asks).
fn is_function(name: &str) -> bool {
    static SET: std::sync::OnceLock<std::collections::HashSet<&'static str>> =
        std::sync::OnceLock::new();
    SET.get_or_init(|| FUNCTIONS.iter().copied().collect())
        .contains(name)
}

/// A translation's value and recorded walk.
fn translation(
    t: &kmem::translate::Translator,
    name: &str,
    x: u64,
) -> (u64, Vec<kmem::translate::Step>) {
    let v = VirtAddr::new(x);
    match name {
        "__pa" | "virt_to_phys" => {
            let w = t.pa(v);
            (w.value.as_u64(), w.steps)
        }
        "__va" | "phys_to_virt" => {
            let w = t.va(kmem::PhysAddr::new(x));
            (w.value.as_u64(), w.steps)
        }
        "virt_to_page" => {
            let w = t.virt_to_page(v);
            (w.value.as_u64(), w.steps)
        }
        "pfn_to_page" => {
            let w = t.pfn_to_page(kmem::Pfn::new(x));
            (w.value.as_u64(), w.steps)
        }
        "page_to_pfn" => {
            let w = t.page_to_pfn(v);
            (w.value.as_u64(), w.steps)
        }
        "page_to_phys" => {
            let w = t.page_to_phys(v);
            (w.value.as_u64(), w.steps)
        }
        "offset_in_page" => {
            let w = t.offset_in_page(v);
            (w.value, w.steps)
        }
        "is_vmalloc_addr" => {
            let w = t.is_vmalloc_addr(v);
            (u64::from(w.value), w.steps)
        }
        _ => {
            let w = t.virt_addr_valid(v);
            (u64::from(w.value), w.steps)
        }
    }
}

/// How many arguments a kernel function takes in `profile`'s release.
fn kernel_arity(name: &str, profile: &Profile) -> usize {
    match name {
        "drop_caches" => 0,
        "kfree" | "ksize" | "vmalloc" | "vzalloc" | "vmalloc_32" | "vfree" | "vfree_atomic"
        | "vmalloc_to_page" | "vmalloc_to_pfn" | "kvfree" | "alloc_page" | "get_zeroed_page"
        | "__free_page" | "free_page" | "page_address" | "translate" | "kvm_kaddr_to_phys"
        | "fill_page_cache" | "fragment" | "kmem_cache_destroy" | "kmem_cache_shrink" => 1,
        "__vmalloc" if !profile.has(Change::VmallocNoPgprot) => 3,
        "kvrealloc" if profile.has(Change::KvreallocWithOldSize) => 4,
        "kcalloc" | "kmalloc_array" | "krealloc" | "kvmalloc_node" | "kvcalloc"
        | "kvmalloc_array" | "kvrealloc" | "memset" | "memcpy" => 3,
        _ => 2,
    }
}

fn context_op(name: &str) -> Option<ContextOp> {
    Some(match name {
        "spin_lock" => ContextOp::SpinLock,
        "spin_unlock" => ContextOp::SpinUnlock,
        "spin_lock_irqsave" => ContextOp::SpinLockIrqsave,
        "spin_unlock_irqrestore" => ContextOp::SpinUnlockIrqrestore,
        "local_irq_disable" => ContextOp::IrqDisable,
        "local_irq_enable" => ContextOp::IrqEnable,
        "local_bh_disable" => ContextOp::BhDisable,
        "local_bh_enable" => ContextOp::BhEnable,
        _ => return None,
    })
}

/// A `struct kmem_cache *` in a script is the handle the kernel returned.
fn cache_handle(v: u64) -> u32 {
    v.checked_sub(1)
        .map_or(u32::MAX, |v| v.min(u64::from(u32::MAX)) as u32)
}

/// The number a call's result stands for in the script.
fn call_value(value: &CallValue) -> u64 {
    match *value {
        CallValue::Page(a) | CallValue::Address(a) => a.as_u64(),
        CallValue::Phys(p) => p.as_u64(),
        CallValue::Pfn(p) => p.as_u64(),
        CallValue::Bool(b) => u64::from(b),
        CallValue::Count(n) => n,
        // Handles count from 1, so that NULL stays "no cache".
        CallValue::Cache(c) => u64::from(c) + 1,
        CallValue::Null | CallValue::Void => 0,
    }
}

fn width_of(bytes: u8) -> Width {
    match bytes {
        1 => Width::U8,
        2 => Width::U16,
        4 => Width::U32,
        _ => Width::U64,
    }
}

/// What an index expression designates.
enum Element {
    /// An element of the named script array, of this type.
    Array(String, CType),
    /// Memory at this address, read or written as this type.
    Memory(u64, IntType),
}

/// The error for a read or write through a pointer without a size.
fn no_size(expr: &Expr) -> Diagnostic {
    let mut d = Diagnostic::new("this pointer has no size to read or write", expr.span);
    d.help = Some("cast it to a sized pointer, as in *(u32 *)p".into());
    d
}

/// The C type a function returns, as the kernel declares it.
fn return_type(name: &str) -> CType {
    match name {
        "kmalloc" | "kzalloc" | "kcalloc" | "kmalloc_array" | "krealloc" | "vmalloc"
        | "vzalloc" | "vmalloc_32" | "__vmalloc" | "kvmalloc" | "kvzalloc" | "kvmalloc_node"
        | "kvcalloc" | "kvmalloc_array" | "kvrealloc" | "page_address" | "kmem_cache_alloc"
        | "kmem_cache_zalloc" | "memset" | "memcpy" | "__va" | "phys_to_virt" => CType::VOID_PTR,
        "alloc_pages" | "alloc_page" | "vmalloc_to_page" | "virt_to_page" | "pfn_to_page" => {
            CType::PAGE_PTR
        }
        "is_vmalloc_addr" | "virt_addr_valid" => CType::Bool,
        "kmem_cache_shrink" | "printk" => CType::INT,
        _ => CType::UNTYPED,
    }
}

/// The C type of a kernel constant: pointers for NULL and ZERO_SIZE_PTR,
/// `unsigned long` for addresses and the `UL` sizes, `int` for the rest
/// (sizes.h's hex literals: `SZ_2G`, 0x80000000, is an `unsigned int`).
fn constant_type(name: &str) -> CType {
    match name {
        "NULL" | "ZERO_SIZE_PTR" => CType::VOID_PTR,
        "PAGE_SIZE"
        | "PAGE_OFFSET"
        | "VMALLOC_START"
        | "VMALLOC_END"
        | "KMALLOC_MAX_SIZE"
        | "KMALLOC_MAX_CACHE_SIZE"
        | "PAGE_KERNEL" => CType::UNTYPED,
        "SZ_2G" => CType::Int(IntType::UINT),
        _ => CType::INT,
    }
}

/// The kernel constants a script can use.
const CONSTANTS: [&str; 14] = [
    "PAGE_KERNEL",
    "NULL",
    "ZERO_SIZE_PTR",
    "PAGE_SIZE",
    "PAGE_SHIFT",
    "PAGE_OFFSET",
    "VMALLOC_START",
    "VMALLOC_END",
    "KMALLOC_MAX_SIZE",
    "KMALLOC_MAX_CACHE_SIZE",
    "INT_MAX",
    "NUMA_NO_NODE",
    "true",
    "false",
];

/// A kernel constant's value in this release.
fn constant(k: &Kernel, name: &str) -> Option<u64> {
    if let Some(size) = name.strip_prefix("SZ_") {
        // include/linux/sizes.h: SZ_1 … SZ_512, SZ_1K … SZ_512K, SZ_1M …
        // SZ_512M, SZ_1G and SZ_2G in every simulated release.
        let split = size
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(size.len());
        let (digits, unit) = size.split_at(split);
        let n: u64 = digits.parse().ok()?;
        let shift = match unit {
            "" => 0,
            "K" => 10,
            "M" => 20,
            "G" if n <= 2 => 30,
            _ => return None,
        };
        return (n.is_power_of_two() && n <= 512 && !digits.starts_with('0')).then(|| n << shift);
    }
    Some(match name {
        "NULL" | "false" => 0,
        "true" => 1,
        "ZERO_SIZE_PTR" => 16,
        "PAGE_SIZE" => PAGE_SIZE,
        "PAGE_SHIFT" => 12,
        "PAGE_OFFSET" => k.profile().page_offset().as_u64(),
        "VMALLOC_START" => kmem::layout::VMALLOC_START.as_u64(),
        "VMALLOC_END" => kmem::layout::VMALLOC_END.as_u64(),
        "KMALLOC_MAX_SIZE" => kmem::slab::KMALLOC_MAX_SIZE,
        "KMALLOC_MAX_CACHE_SIZE" => kmem::slab::KMALLOC_MAX_CACHE_SIZE,
        "INT_MAX" => i32::MAX as u64,
        "NUMA_NO_NODE" => u64::MAX,
        // pgprot_val(PAGE_KERNEL) without page-table isolation.
        "PAGE_KERNEL" => kmem::pgtable::PAGE_KERNEL,
        _ => return None,
    })
}

/// Whether `candidate` is close enough to `name` to suggest.
fn close(candidate: &str, name: &str) -> bool {
    distance(candidate, name) <= (candidate.len() / 3).max(1)
}

fn distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len().abs_diff(b.len()) > 8 {
        return usize::MAX;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, &ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests;
