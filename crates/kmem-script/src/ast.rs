//! The syntax tree of the playground language: statements and expressions
//! as C writes them, every node with its source span.

use crate::span::Span;

/// A whole script.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Program {
    /// Top-level statements in order.
    pub stmts: Vec<Stmt>,
}

/// A statement and where it stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stmt {
    /// What the statement is.
    pub kind: StmtKind,
    /// Its source span.
    pub span: Span,
}

/// The kinds of statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StmtKind {
    /// `type a = 1, *b, c[8];`
    Decl(Vec<Declarator>),
    /// An expression followed by `;` (calls, assignments).
    Expr(Expr),
    /// `if (cond) then else els`
    If {
        /// The condition.
        cond: Expr,
        /// Taken when the condition is non-zero.
        then: Box<Stmt>,
        /// Taken otherwise.
        els: Option<Box<Stmt>>,
    },
    /// `while (cond) body`
    While {
        /// The condition.
        cond: Expr,
        /// The loop body.
        body: Box<Stmt>,
    },
    /// `for (init; cond; step) body`
    For {
        /// Run once before the loop (a declaration or an expression).
        init: Option<Box<Stmt>>,
        /// Tested before each iteration; absent means always true.
        cond: Option<Expr>,
        /// Run after each iteration.
        step: Option<Expr>,
        /// The loop body.
        body: Box<Stmt>,
    },
    /// `{ … }`
    Block(Vec<Stmt>),
    /// `softirq { … }`, `hardirq { … }`, `nmi { … }`: the body runs in that
    /// interrupt context (entered on `{`, left on `}`).
    Context {
        /// Which context.
        kind: ContextBlock,
        /// The statements run in it.
        body: Vec<Stmt>,
    },
    /// `break;`
    Break,
    /// `continue;`
    Continue,
    /// `;`
    Empty,
}

/// The interrupt contexts a block can run in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ContextBlock {
    /// A softirq handler.
    Softirq,
    /// A hardirq handler.
    Hardirq,
    /// An NMI handler.
    Nmi,
}

impl ContextBlock {
    /// The keyword that opens the block.
    pub const fn keyword(self) -> &'static str {
        match self {
            ContextBlock::Softirq => "softirq",
            ContextBlock::Hardirq => "hardirq",
            ContextBlock::Nmi => "nmi",
        }
    }

    /// The block for a keyword, if it is one.
    pub fn from_keyword(word: &str) -> Option<ContextBlock> {
        match word {
            "softirq" => Some(ContextBlock::Softirq),
            "hardirq" => Some(ContextBlock::Hardirq),
            "nmi" => Some(ContextBlock::Nmi),
            _ => None,
        }
    }
}

/// One declared name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Declarator {
    /// The type written before it, with its own `*`s.
    pub ty: TypeName,
    /// The name.
    pub name: String,
    /// Where the name is.
    pub name_span: Span,
    /// `[len]` of an array.
    pub array_len: Option<Expr>,
    /// `= value`.
    pub init: Option<Expr>,
}

/// A C type as written: a base (`void`, `unsigned long`, `struct page`) and
/// a number of `*`s.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypeName {
    /// The base type's words, joined by a space.
    pub base: String,
    /// Pointer levels.
    pub pointers: u8,
}

impl TypeName {
    /// `sizeof` of the type on x86_64 (LP64); None for `void` and unknown
    /// structs.
    pub fn size(&self) -> Option<u64> {
        if self.pointers > 0 {
            return Some(8);
        }
        let words: Vec<&str> = self
            .base
            .split(' ')
            .filter(|w| !matches!(*w, "const" | "volatile" | "signed" | "unsigned"))
            .collect();
        Some(match words.as_slice() {
            ["char"] | ["u8"] | ["s8"] | ["bool"] => 1,
            ["short"] | ["short", "int"] | ["u16"] | ["s16"] => 2,
            [] | ["int"] | ["u32"] | ["s32"] | ["gfp_t"] => 4,
            ["long"]
            | ["long", "int"]
            | ["long", "long"]
            | ["long", "long", "int"]
            | ["u64"]
            | ["s64"]
            | ["size_t"]
            | ["ssize_t"]
            | ["phys_addr_t"]
            | ["dma_addr_t"]
            | ["pgoff_t"]
            | ["uintptr_t"] => 8,
            ["struct", "page"] => kmem::memmap::STRUCT_PAGE_SIZE,
            _ => return None,
        })
    }
}

impl std::fmt::Display for TypeName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.base)?;
        if self.pointers > 0 {
            write!(f, " {}", "*".repeat(self.pointers as usize))?;
        }
        Ok(())
    }
}

/// A C integer type on x86_64 (LP64): its size and signedness.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IntType {
    /// `sizeof`: 1, 2, 4 or 8.
    pub bytes: u8,
    /// Whether it is signed (`char` is signed on x86).
    pub signed: bool,
}

impl IntType {
    /// `int`.
    pub const INT: IntType = IntType {
        bytes: 4,
        signed: true,
    };
    /// `unsigned int`.
    pub const UINT: IntType = IntType {
        bytes: 4,
        signed: false,
    };
    /// `long`.
    pub const LONG: IntType = IntType {
        bytes: 8,
        signed: true,
    };
    /// `unsigned long`.
    pub const ULONG: IntType = IntType {
        bytes: 8,
        signed: false,
    };

    /// The largest value of the type.
    pub const fn max(self) -> u64 {
        let bits = self.bytes as u32 * 8 - self.signed as u32;
        if bits >= 64 {
            u64::MAX
        } else {
            (1 << bits) - 1
        }
    }

    /// The type of an integer literal (C11 6.4.4.1): the first of the
    /// candidate types that holds `value`. A decimal literal without `u`
    /// is never unsigned; GCC makes one too large for `long` an
    /// `unsigned long`, as here.
    pub fn of_literal(value: u64, decimal: bool, unsigned: bool, long: bool) -> IntType {
        let candidates: &[IntType] = match (unsigned, long, decimal) {
            (true, true, _) => &[Self::ULONG],
            (true, false, _) => &[Self::UINT, Self::ULONG],
            (false, true, true) => &[Self::LONG],
            (false, true, false) => &[Self::LONG, Self::ULONG],
            (false, false, true) => &[Self::INT, Self::LONG],
            (false, false, false) => &[Self::INT, Self::UINT, Self::LONG, Self::ULONG],
        };
        candidates
            .iter()
            .copied()
            .find(|t| value <= t.max())
            .unwrap_or(Self::ULONG)
    }
}

/// An expression and where it stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expr {
    /// What the expression is.
    pub kind: ExprKind,
    /// Its source span.
    pub span: Span,
    /// The levels of expression it nests, itself included (1 for a
    /// literal or a name). The parser keeps it, with the statements around,
    /// within [`crate::parser::MAX_DEPTH`], so that every walk of the tree
    /// (evaluation, drop, printing) may recurse.
    pub height: usize,
}

impl ExprKind {
    /// The greatest height of the operands (0 for a leaf).
    pub fn operand_height(&self) -> usize {
        match self {
            ExprKind::Int(..) | ExprKind::Str(_) | ExprKind::Ident(_) | ExprKind::SizeofType(_) => {
                0
            }
            ExprKind::Unary { expr, .. }
            | ExprKind::Cast { expr, .. }
            | ExprKind::SizeofExpr(expr)
            | ExprKind::IncDec { target: expr, .. } => expr.height,
            ExprKind::Binary { lhs: a, rhs: b, .. }
            | ExprKind::Assign {
                target: a,
                value: b,
                ..
            }
            | ExprKind::Index { base: a, index: b } => a.height.max(b.height),
            ExprKind::Conditional { cond, then, els } => {
                cond.height.max(then.height).max(els.height)
            }
            ExprKind::Call { args, .. } => args.iter().map(|a| a.height).max().unwrap_or(0),
        }
    }
}

/// The kinds of expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExprKind {
    /// An integer literal and its C type.
    Int(u64, IntType),
    /// A string literal.
    Str(String),
    /// A name: a variable, a constant or a GFP flag.
    Ident(String),
    /// A prefix operator.
    Unary {
        /// The operator.
        op: UnaryOp,
        /// Its operand.
        expr: Box<Expr>,
    },
    /// A binary operator.
    Binary {
        /// The operator.
        op: BinaryOp,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
    },
    /// `target = value`, or `target op= value`.
    Assign {
        /// The compound operator, if any.
        op: Option<BinaryOp>,
        /// What is assigned to.
        target: Box<Expr>,
        /// The value.
        value: Box<Expr>,
    },
    /// `cond ? then : els`
    Conditional {
        /// The condition.
        cond: Box<Expr>,
        /// The value when non-zero.
        then: Box<Expr>,
        /// The value otherwise.
        els: Box<Expr>,
    },
    /// `name(args)`
    Call {
        /// The function's name.
        name: String,
        /// Where the name is.
        name_span: Span,
        /// The arguments.
        args: Vec<Expr>,
    },
    /// `base[index]`
    Index {
        /// The array or pointer.
        base: Box<Expr>,
        /// The index.
        index: Box<Expr>,
    },
    /// `(type) expr`
    Cast {
        /// The type.
        ty: TypeName,
        /// The operand.
        expr: Box<Expr>,
    },
    /// `sizeof(type)`
    SizeofType(TypeName),
    /// `sizeof expr`
    SizeofExpr(Box<Expr>),
    /// `++x`, `x++`, `--x`, `x--`
    IncDec {
        /// The variable.
        target: Box<Expr>,
        /// `++` rather than `--`.
        increment: bool,
        /// Prefix form (the value is the updated one).
        prefix: bool,
    },
}

/// Prefix operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// `-`
    Neg,
    /// `+`
    Plus,
    /// `!`
    Not,
    /// `~`
    BitNot,
    /// `&`
    AddrOf,
    /// `*`
    Deref,
}

/// Binary operators, in C's meaning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Rem,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `<<`
    Shl,
    /// `>>`
    Shr,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `&`
    BitAnd,
    /// `^`
    BitXor,
    /// `|`
    BitOr,
    /// `&&`
    And,
    /// `||`
    Or,
}

impl BinaryOp {
    /// C's precedence level (higher binds tighter).
    pub const fn precedence(self) -> u8 {
        match self {
            BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem => 10,
            BinaryOp::Add | BinaryOp::Sub => 9,
            BinaryOp::Shl | BinaryOp::Shr => 8,
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => 7,
            BinaryOp::Eq | BinaryOp::Ne => 6,
            BinaryOp::BitAnd => 5,
            BinaryOp::BitXor => 4,
            BinaryOp::BitOr => 3,
            BinaryOp::And => 2,
            BinaryOp::Or => 1,
        }
    }
}
