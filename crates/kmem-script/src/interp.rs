//! The interpreter: runs a parsed script against a simulated kernel and
//! records a [`Trace`], one [`Step`] per executed call.
//!
//! Values are 64-bit, as `unsigned long` is on x86_64; arithmetic wraps as
//! C's unsigned arithmetic does. Variables are declared C-style or on first
//! assignment. Kernel outcomes (NULL, WARN, BUG, oops) are results, carried
//! by the steps' events; only mistakes in the script itself (an undefined
//! name, a wrong number of arguments, a runaway loop) stop the run with a
//! [`Diagnostic`].

use std::collections::HashMap;

use kmem::context::ContextOp;
use kmem::kernel::memory::Width;
use kmem::kernel::{CallValue, Event, Kernel, KernelConfig, KernelState};
use kmem::profile::Series;
use kmem::{VirtAddr, PAGE_SIZE};

use crate::ast::{
    BinaryOp, ContextBlock, Expr, ExprKind, Program, Stmt, StmtKind, TypeName, UnaryOp,
};
use crate::diagnostic::Diagnostic;
use crate::printk::PrintArg;
use crate::span::Span;

/// Operations a script may run before it is stopped.
pub const DEFAULT_STEP_BUDGET: u64 = 1_000_000;
/// The most elements a script array may have.
pub const MAX_ARRAY_LEN: u64 = 1 << 20;

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

/// A variable's contents.
#[derive(Clone, Debug)]
enum Value {
    Scalar(u64),
    Array(Vec<u64>),
}

struct Interp {
    kernel: Kernel,
    vars: HashMap<String, (Value, Option<TypeName>)>,
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
    let mut interp = Interp {
        kernel,
        vars: HashMap::new(),
        order: Vec::new(),
        steps: Vec::new(),
        budget,
        loop_span: None,
        step_limit: steps,
        stmt_start: 0,
        pending: Vec::new(),
    };
    let error = interp.block(&program.stmts).err();
    let variables = interp
        .order
        .iter()
        .filter_map(|name| match interp.vars.get(name) {
            Some((Value::Scalar(v), _)) => Some((name.clone(), *v)),
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

impl Interp {
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
                    let value = match (&d.array_len, &d.init) {
                        (Some(len), _) => {
                            let n = self.eval(len)?;
                            if n > MAX_ARRAY_LEN {
                                return Err(Diagnostic::new(
                                    format!("an array of {n} elements is larger than the playground allows ({MAX_ARRAY_LEN})"),
                                    len.span,
                                ));
                            }
                            Value::Array(vec![0; n as usize])
                        }
                        (None, Some(init)) => Value::Scalar(truncate(self.eval(init)?, &d.ty)),
                        (None, None) => Value::Scalar(0),
                    };
                    self.define(&d.name, value, Some(d.ty.clone()));
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
                self.record(open, ev);
                let flow = self.block(body)?;
                let close = Span::new(stmt.span.end.saturating_sub(1), stmt.span.end);
                let ev = self.kernel.context_op(exit);
                self.record(close, ev);
                Ok(flow)
            }
        }
    }

    /// Whether the run goes on: the kernel runs and the step limit of
    /// [`run_until`] is not reached.
    fn running(&self) -> bool {
        *self.kernel.state() == KernelState::Running && self.steps.len() < self.step_limit
    }

    fn define(&mut self, name: &str, value: Value, ty: Option<TypeName>) {
        if !self.vars.contains_key(name) {
            self.order.push(name.to_string());
        }
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
        self.vars.insert(name.to_string(), (value, ty));
    }

    fn record(&mut self, span: Span, event: Event) -> u64 {
        let value = call_value(&event.value);
        self.push_step(Step {
            span,
            event: Some(event),
            value,
            output: String::new(),
            walk: Vec::new(),
            vars: Vec::new(),
        });
        value
    }

    fn push_step(&mut self, mut step: Step) {
        step.vars = std::mem::take(&mut self.pending);
        self.steps.push(step);
    }

    // ---- expressions ----------------------------------------------------

    fn eval(&mut self, e: &Expr) -> RResult<u64> {
        self.tick(e.span)?;
        match &e.kind {
            ExprKind::Int(v) => Ok(*v),
            ExprKind::Str(_) => Err(Diagnostic::new(
                "a string can only be an argument of printk or cat",
                e.span,
            )),
            ExprKind::Ident(name) => self.name(name, e.span),
            ExprKind::Unary { op, expr } => match op {
                UnaryOp::Neg => Ok(self.eval(expr)?.wrapping_neg()),
                UnaryOp::Plus => self.eval(expr),
                UnaryOp::Not => Ok(u64::from(self.eval(expr)? == 0)),
                UnaryOp::BitNot => Ok(!self.eval(expr)?),
                // A lock's "address": spin_lock(&lock) only needs the name.
                UnaryOp::AddrOf => match &expr.kind {
                    ExprKind::Ident(name) if self.vars.contains_key(name) => Ok(0),
                    ExprKind::Ident(name) => Err(self.undefined(name, expr.span)),
                    _ => Err(Diagnostic::new(
                        "`&` is only for a lock variable, as in spin_lock(&lock)",
                        e.span,
                    )),
                },
                UnaryOp::Deref => {
                    let (addr, width) = self.pointer(expr)?;
                    self.load(e.span, addr, width)
                }
            },
            ExprKind::Binary { op, lhs, rhs } => {
                let l = self.eval(lhs)?;
                match op {
                    BinaryOp::And if l == 0 => return Ok(0),
                    BinaryOp::Or if l != 0 => return Ok(1),
                    _ => {}
                }
                let r = self.eval(rhs)?;
                binary(*op, l, r).ok_or_else(|| Diagnostic::new("division by zero", rhs.span))
            }
            ExprKind::Assign { op, target, value } => {
                let v = self.eval(value)?;
                let v = match op {
                    Some(op) => {
                        let old = self.eval(target)?;
                        binary(*op, old, v)
                            .ok_or_else(|| Diagnostic::new("division by zero", value.span))?
                    }
                    None => v,
                };
                self.store(target, v)?;
                Ok(v)
            }
            ExprKind::Conditional { cond, then, els } => {
                if self.eval(cond)? != 0 {
                    self.eval(then)
                } else {
                    self.eval(els)
                }
            }
            ExprKind::Call {
                name,
                name_span,
                args,
            } => self.call(name, *name_span, e.span, args),
            ExprKind::Index { base, index } => {
                let i = self.eval(index)?;
                match &base.kind {
                    ExprKind::Ident(name) => match self.vars.get(name) {
                        Some((Value::Array(items), _)) => {
                            items.get(i as usize).copied().ok_or_else(|| {
                                Diagnostic::new(
                                    format!(
                                        "index {i} is outside `{name}`, which has {} elements",
                                        items.len()
                                    ),
                                    index.span,
                                )
                            })
                        }
                        Some((Value::Scalar(_), _)) => {
                            let (addr, width) = self.pointer(base)?;
                            self.load(
                                e.span,
                                addr.wrapping_add(i.wrapping_mul(width as u64)),
                                width,
                            )
                        }
                        None => Err(self.undefined(name, base.span)),
                    },
                    _ => Err(Diagnostic::new(
                        "only a named array or pointer can be indexed",
                        base.span,
                    )),
                }
            }
            ExprKind::Cast { ty, expr } => {
                let v = self.eval(expr)?;
                Ok(truncate(v, ty))
            }
            ExprKind::SizeofType(ty) => ty.size().ok_or_else(|| {
                Diagnostic::new(
                    format!("the playground does not know the size of `{ty}`"),
                    e.span,
                )
            }),
            ExprKind::SizeofExpr(inner) => match &inner.kind {
                ExprKind::Ident(name) => match self.vars.get(name) {
                    Some((Value::Array(items), ty)) => {
                        let element = ty.as_ref().and_then(TypeName::size).unwrap_or(8);
                        Ok(items.len() as u64 * element)
                    }
                    Some((Value::Scalar(_), ty)) => {
                        Ok(ty.as_ref().and_then(TypeName::size).unwrap_or(8))
                    }
                    None => Err(self.undefined(name, inner.span)),
                },
                _ => Ok(8),
            },
            ExprKind::IncDec {
                target,
                increment,
                prefix,
            } => {
                let old = self.eval(target)?;
                let new = if *increment {
                    old.wrapping_add(1)
                } else {
                    old.wrapping_sub(1)
                };
                self.store(target, new)?;
                Ok(if *prefix { new } else { old })
            }
        }
    }

    /// The address and access width of a dereferenced expression: the width
    /// is the pointed-to type's size (`*(u32 *)p`, or a variable declared
    /// `u16 *q`).
    fn pointer(&mut self, expr: &Expr) -> RResult<(u64, u8)> {
        let ty = match &expr.kind {
            ExprKind::Cast { ty, .. } => Some(ty.clone()),
            ExprKind::Ident(name) => self.vars.get(name).and_then(|(_, t)| t.clone()),
            _ => None,
        };
        let addr = self.eval(expr)?;
        let width = ty
            .filter(|t| t.pointers > 0)
            .and_then(|t| {
                TypeName {
                    base: t.base,
                    pointers: t.pointers - 1,
                }
                .size()
            })
            .ok_or_else(|| {
                let mut d = Diagnostic::new("this pointer has no size to read or write", expr.span);
                d.help = Some("cast it to a sized pointer, as in *(u32 *)p".into());
                d
            })?;
        Ok((addr, width as u8))
    }

    fn load(&mut self, span: Span, addr: u64, width: u8) -> RResult<u64> {
        let ev = self.kernel.read(VirtAddr::new(addr), width_of(width));
        Ok(self.record(span, ev))
    }

    /// Assigns to a variable, an array element, or memory.
    fn store(&mut self, target: &Expr, value: u64) -> RResult<()> {
        match &target.kind {
            ExprKind::Ident(name) => {
                let ty = self.vars.get(name).and_then(|(_, t)| t.clone());
                if matches!(self.vars.get(name), Some((Value::Array(_), _))) {
                    return Err(Diagnostic::new(
                        format!("`{name}` is an array: assign to its elements"),
                        target.span,
                    ));
                }
                if is_constant(name) || name.starts_with("GFP_") || name.starts_with("__GFP_") {
                    return Err(Diagnostic::new(
                        format!("`{name}` is a kernel constant and cannot be assigned"),
                        target.span,
                    ));
                }
                let value = ty.as_ref().map_or(value, |t| truncate(value, t));
                self.define(name, Value::Scalar(value), ty);
                Ok(())
            }
            ExprKind::Index { base, index } => {
                let i = self.eval(index)?;
                let ExprKind::Ident(name) = &base.kind else {
                    return Err(Diagnostic::new(
                        "only a named array or pointer can be indexed",
                        base.span,
                    ));
                };
                match self.vars.get_mut(name) {
                    Some((Value::Array(items), _)) => {
                        let len = items.len();
                        match items.get_mut(i as usize) {
                            Some(slot) => {
                                *slot = value;
                                Ok(())
                            }
                            None => Err(Diagnostic::new(
                                format!("index {i} is outside `{name}`, which has {len} elements"),
                                index.span,
                            )),
                        }
                    }
                    Some((Value::Scalar(_), _)) => {
                        let (addr, width) = self.pointer(base)?;
                        let at = addr.wrapping_add(i.wrapping_mul(width as u64));
                        let ev = self.kernel.write(VirtAddr::new(at), width_of(width), value);
                        self.record(target.span, ev);
                        Ok(())
                    }
                    None => Err(self.undefined(name, base.span)),
                }
            }
            ExprKind::Unary {
                op: UnaryOp::Deref,
                expr,
            } => {
                let (addr, width) = self.pointer(expr)?;
                let ev = self
                    .kernel
                    .write(VirtAddr::new(addr), width_of(width), value);
                self.record(target.span, ev);
                Ok(())
            }
            _ => Err(Diagnostic::new("this cannot be assigned to", target.span)),
        }
    }

    /// A name's value: a variable, a kernel constant, or a GFP mask.
    fn name(&mut self, name: &str, span: Span) -> RResult<u64> {
        if let Some((value, _)) = self.vars.get(name) {
            return match value {
                Value::Scalar(v) => Ok(*v),
                Value::Array(_) => Err(Diagnostic::new(
                    format!("`{name}` is an array: use one of its elements"),
                    span,
                )),
            };
        }
        if let Some(v) = constant(&self.kernel, name) {
            return Ok(v);
        }
        if name.starts_with("GFP_") || name.starts_with("__GFP_") {
            return match self.kernel.gfp.parse(name) {
                Ok(g) => Ok(u64::from(g.0)),
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
        let series = self.kernel.profile().series;
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
        if name == "kvrealloc" && series == Series::V4_19 {
            return Err(Diagnostic::new(
                "`kvrealloc` does not exist in 4.19 (it exists in 6.6 and 6.12)",
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
            });
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
            for a in args {
                if !matches!(&a.kind, ExprKind::Ident(_)) {
                    self.eval(a)?;
                }
            }
            let ev = self.kernel.context_op(op);
            return Ok(self.record(span, ev));
        }
        arity(kernel_arity(name, series))?;
        let mut v = Vec::with_capacity(args.len());
        for a in args {
            v.push(self.eval(a)?);
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
            "kvrealloc" if series == Series::V6_6 => {
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
        Ok(self.record(span, ev))
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
        Ok(self.record(span, ev))
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
        let mut values = Vec::new();
        for a in &args[1..] {
            values.push(match &a.kind {
                ExprKind::Str(s) => PrintArg::Str(s.clone()),
                _ => PrintArg::Num(self.eval(a)?),
            });
        }
        let (level, text) = crate::printk::format(&self.kernel, format, &values)
            .map_err(|message| Diagnostic::new(message, first.span))?;
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
        });
        Ok(0)
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
        });
        Ok(0)
    }
}

/// Reads an `|` of `SLAB_*` names (or 0) into `flags`.
fn slab_flag_names(e: &Expr, flags: &mut kmem::slab::SlabFlags) -> RResult<()> {
    match &e.kind {
        ExprKind::Int(0) => Ok(()),
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

/// How many arguments a kernel function takes in `series`.
fn kernel_arity(name: &str, series: Series) -> usize {
    match name {
        "drop_caches" => 0,
        "kfree" | "ksize" | "vmalloc" | "vzalloc" | "vmalloc_32" | "vfree" | "vfree_atomic"
        | "vmalloc_to_page" | "vmalloc_to_pfn" | "kvfree" | "alloc_page" | "get_zeroed_page"
        | "__free_page" | "free_page" | "page_address" | "translate" | "kvm_kaddr_to_phys"
        | "fill_page_cache" | "fragment" | "kmem_cache_destroy" | "kmem_cache_shrink" => 1,
        "__vmalloc" if series == Series::V4_19 => 3,
        "kvrealloc" if series == Series::V6_6 => 4,
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

/// C's conversion of a value to `ty`.
fn truncate(v: u64, ty: &TypeName) -> u64 {
    match ty.size() {
        Some(1) => v & 0xff,
        Some(2) => v & 0xffff,
        Some(4) => v & 0xffff_ffff,
        _ => v,
    }
}

/// A binary operator on unsigned 64-bit values; None for a division by
/// zero.
fn binary(op: BinaryOp, l: u64, r: u64) -> Option<u64> {
    Some(match op {
        BinaryOp::Mul => l.wrapping_mul(r),
        BinaryOp::Div => l.checked_div(r)?,
        BinaryOp::Rem => l.checked_rem(r)?,
        BinaryOp::Add => l.wrapping_add(r),
        BinaryOp::Sub => l.wrapping_sub(r),
        BinaryOp::Shl => l.checked_shl(r as u32).unwrap_or(0),
        BinaryOp::Shr => l.checked_shr(r as u32).unwrap_or(0),
        BinaryOp::Lt => u64::from(l < r),
        BinaryOp::Le => u64::from(l <= r),
        BinaryOp::Gt => u64::from(l > r),
        BinaryOp::Ge => u64::from(l >= r),
        BinaryOp::Eq => u64::from(l == r),
        BinaryOp::Ne => u64::from(l != r),
        BinaryOp::BitAnd => l & r,
        BinaryOp::BitXor => l ^ r,
        BinaryOp::BitOr => l | r,
        BinaryOp::And => u64::from(l != 0 && r != 0),
        BinaryOp::Or => u64::from(l != 0 || r != 0),
    })
}

/// Whether `name` is one of the kernel constants.
fn is_constant(name: &str) -> bool {
    CONSTANTS.contains(&name) || name.starts_with("SZ_")
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
        let (digits, unit) = size.split_at(size.find(|c: char| !c.is_ascii_digit())?);
        let n: u64 = digits.parse().ok()?;
        let shift = match unit {
            "" => 0,
            "K" => 10,
            "M" => 20,
            "G" => 30,
            _ => return None,
        };
        return (n.is_power_of_two() && (shift > 0 || n >= 1)).then(|| n << shift);
    }
    Some(match name {
        "NULL" | "false" => 0,
        "true" => 1,
        "ZERO_SIZE_PTR" => 16,
        "PAGE_SIZE" => PAGE_SIZE,
        "PAGE_SHIFT" => 12,
        "PAGE_OFFSET" => k.profile().page_offset.as_u64(),
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
