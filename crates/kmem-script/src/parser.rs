//! The parser of the playground language: tokens to a [`Program`], with
//! C's statements and operator precedence.
//!
//! It reports every error in the file: after a malformed statement it skips
//! to the next `;` or `}` and goes on. Nesting deeper than [`MAX_DEPTH`]
//! is an error rather than a stack overflow: the parser's own recursion,
//! and the height of the tree it builds (chains like `a + b + c` are built
//! in a loop), so that whatever walks the tree may recurse too.

use crate::ast::{
    BinaryOp, ContextBlock, Declarator, Expr, ExprKind, Program, Stmt, StmtKind, TypeName, UnaryOp,
};
use crate::diagnostic::Diagnostic;
use crate::lexer::{lex, Punct, Token, TokenKind};
use crate::span::Span;

/// Deepest nesting of statements and expressions the parser follows and
/// builds: a statement, a block or an operand is a level.
pub const MAX_DEPTH: usize = 200;

/// The most errors a parse reports; one more diagnostic counts the rest.
pub const MAX_DIAGNOSTICS: usize = 100;

/// Whether a word starts or continues a type.
pub fn is_type_word(word: &str) -> bool {
    matches!(
        word,
        "void"
            | "char"
            | "short"
            | "int"
            | "long"
            | "unsigned"
            | "signed"
            | "const"
            | "volatile"
            | "bool"
            | "uintptr_t"
            | "size_t"
            | "ssize_t"
            | "u8"
            | "u16"
            | "u32"
            | "u64"
            | "s8"
            | "s16"
            | "s32"
            | "s64"
            | "gfp_t"
            | "phys_addr_t"
            | "dma_addr_t"
            | "pgoff_t"
            | "spinlock_t"
    )
}

/// A parsed script and the errors met on the way.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Parsed {
    /// The statements that parsed.
    pub program: Program,
    /// The lexical and syntax errors in source order: the first
    /// [`MAX_DIAGNOSTICS`], and then one that counts the others.
    pub errors: Vec<Diagnostic>,
}

/// Lexes and parses `source`.
pub fn parse(source: &str) -> Parsed {
    let lexed = lex(source);
    let lex_error_count = lexed.errors.len();
    let line_breaks = lexed
        .tokens
        .iter()
        .scan(0usize, |prev_end, t| {
            let gap = source.get(*prev_end..t.span.start).unwrap_or("");
            *prev_end = t.span.end;
            Some(gap.contains('\n'))
        })
        .collect();
    let mut parser = Parser {
        line_breaks,
        tokens: lexed.tokens,
        pos: 0,
        end: source.len(),
        errors: lexed.errors.into_iter().map(Diagnostic::from).collect(),
        depth: 0,
    };
    let mut stmts = Vec::new();
    while parser.pos < parser.tokens.len() {
        if parser.at(Punct::RBrace) {
            let span = parser.tokens[parser.pos].span;
            parser.error("unmatched `}`", span);
            parser.pos += 1;
            continue;
        }
        match parser.stmt() {
            Ok(stmt) => stmts.push(stmt),
            Err(Failed) => parser.synchronize(),
        }
    }
    // A character the lexer dropped derails its statement: the syntax
    // errors that follow it up to the statement's `;` are its echo. Each
    // lexical error gives the span from the `;` before it to the one after;
    // both ends grow with the error's position, so the last span starting
    // at or before a syntax error is the only one that can hold it.
    let statement_ends: Vec<usize> = parser
        .tokens
        .iter()
        .filter(|t| t.kind == TokenKind::Punct(Punct::Semi))
        .map(|t| t.span.end)
        .collect();
    let derailed: Vec<(usize, usize)> = parser.errors[..lex_error_count]
        .iter()
        .map(|d| {
            let after = statement_ends.partition_point(|&e| e <= d.span.start);
            let start = after.checked_sub(1).map_or(0, |i| statement_ends[i]);
            let end = statement_ends.get(after).copied().unwrap_or(usize::MAX);
            (start, end)
        })
        .collect();
    let echoes = |d: &Diagnostic| {
        let i = derailed.partition_point(|&(start, _)| start <= d.span.start);
        i > 0 && d.span.start <= derailed[i - 1].1
    };
    let mut errors: Vec<Diagnostic> = parser.errors[..lex_error_count].to_vec();
    errors.extend(
        parser.errors[lex_error_count..]
            .iter()
            .filter(|d| !echoes(d))
            .cloned(),
    );
    errors.sort_by_key(|d| d.span.start);
    if errors.len() > MAX_DIAGNOSTICS {
        let more = errors.len() - MAX_DIAGNOSTICS;
        let mut last = Diagnostic::new(
            format!("and {more} more errors"),
            errors[MAX_DIAGNOSTICS].span,
        );
        last.help = Some(format!(
            "the first {MAX_DIAGNOSTICS} errors are shown: fix them and check again"
        ));
        errors.truncate(MAX_DIAGNOSTICS);
        errors.push(last);
    }
    Parsed {
        program: Program { stmts },
        errors,
    }
}

/// A syntax error was recorded; the caller recovers.
#[derive(Debug)]
struct Failed;

type PResult<T> = Result<T, Failed>;

struct Parser {
    tokens: Vec<Token>,
    /// Whether a line break precedes each token.
    line_breaks: Vec<bool>,
    pos: usize,
    end: usize,
    errors: Vec<Diagnostic>,
    depth: usize,
}

impl Parser {
    // ---- tokens -------------------------------------------------------

    fn peek(&self) -> Option<&TokenKind> {
        self.tokens.get(self.pos).map(|t| &t.kind)
    }

    /// Moves the current identifier's text out of its token (the caller
    /// consumes the token).
    fn take_ident(&mut self) -> String {
        match self.tokens.get_mut(self.pos).map(|t| &mut t.kind) {
            Some(TokenKind::Ident(name)) => std::mem::take(name),
            _ => String::new(),
        }
    }

    fn peek_at(&self, ahead: usize) -> Option<&TokenKind> {
        self.tokens.get(self.pos + ahead).map(|t| &t.kind)
    }

    /// The span of the current token, or an empty span at the end.
    fn here(&self) -> Span {
        self.tokens
            .get(self.pos)
            .map_or(Span::new(self.end, self.end), |t| t.span)
    }

    /// The span of the previous token.
    fn last(&self) -> Span {
        self.pos
            .checked_sub(1)
            .and_then(|i| self.tokens.get(i))
            .map_or(Span::new(0, 0), |t| t.span)
    }

    fn at(&self, p: Punct) -> bool {
        self.peek() == Some(&TokenKind::Punct(p))
    }

    fn at_word(&self, word: &str) -> bool {
        matches!(self.peek(), Some(TokenKind::Ident(w)) if w == word)
    }

    fn eat(&mut self, p: Punct) -> bool {
        if self.at(p) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn error(&mut self, message: impl Into<String>, span: Span) {
        self.errors.push(Diagnostic::new(message, span));
    }

    /// Consumes `p` or records "expected `p` …".
    fn expect(&mut self, p: Punct, context: &str) -> PResult<Span> {
        if self.at(p) {
            self.pos += 1;
            return Ok(self.last());
        }
        let found = match self.peek() {
            Some(kind) => describe(kind),
            None => "the end of the script".to_string(),
        };
        // A missing `;` is reported right after the previous token.
        let span = if p == Punct::Semi && self.pos > 0 {
            let l = self.last();
            Span::new(l.end, l.end)
        } else {
            self.here()
        };
        let mut d = Diagnostic::new(
            format!("expected `{}` {context}, found {found}", p.as_str()),
            span,
        );
        if p == Punct::Semi {
            d.help = Some("statements end with `;`".into());
            self.errors.push(d);
            // A `;` missing at the end of a line: the statement ends there
            // and parsing goes on with the next line.
            if self.line_breaks.get(self.pos).copied().unwrap_or(true) {
                return Ok(self.last());
            }
            return Err(Failed);
        }
        self.errors.push(d);
        Err(Failed)
    }

    /// After an error: skips to just past the next `;` of this level, or
    /// to the `}` that closes it.
    fn synchronize(&mut self) {
        let mut depth = 0usize;
        while let Some(kind) = self.peek() {
            match kind {
                TokenKind::Punct(Punct::Semi) if depth == 0 => {
                    self.pos += 1;
                    return;
                }
                TokenKind::Punct(Punct::LBrace | Punct::LParen | Punct::LBracket) => depth += 1,
                TokenKind::Punct(Punct::RBrace) if depth == 0 => return,
                TokenKind::Punct(Punct::RBrace | Punct::RParen | Punct::RBracket) if depth > 0 => {
                    depth -= 1;
                    if depth == 0 && self.at(Punct::RBrace) {
                        self.pos += 1;
                        return;
                    }
                }
                _ => {}
            }
            self.pos += 1;
        }
    }

    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let span = self.here();
            self.error(format!("nesting deeper than {MAX_DEPTH} levels"), span);
            // Skip the rest: recovering inside such nesting only repeats the error.
            self.pos = self.tokens.len();
            return Err(Failed);
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    // ---- statements ---------------------------------------------------

    fn stmt(&mut self) -> PResult<Stmt> {
        self.enter()?;
        let result = self.stmt_inner();
        self.leave();
        result
    }

    fn stmt_inner(&mut self) -> PResult<Stmt> {
        let start = self.here();
        let kind = match self.peek() {
            None => return Err(Failed),
            Some(TokenKind::Punct(Punct::LBrace)) => StmtKind::Block(self.block()?),
            Some(TokenKind::Punct(Punct::Semi)) => {
                self.pos += 1;
                StmtKind::Empty
            }
            Some(TokenKind::Ident(word)) => match word.as_str() {
                "if" => self.if_stmt()?,
                "while" => {
                    self.pos += 1;
                    let cond = self.paren_expr("after `while`")?;
                    let body = Box::new(self.stmt()?);
                    StmtKind::While { cond, body }
                }
                "for" => self.for_stmt()?,
                "break" | "continue" => {
                    let kind = if word == "break" {
                        StmtKind::Break
                    } else {
                        StmtKind::Continue
                    };
                    self.pos += 1;
                    self.expect(Punct::Semi, "after the statement")?;
                    kind
                }
                "else" => {
                    self.error("`else` without an `if`", start);
                    self.pos += 1;
                    return Err(Failed);
                }
                w if ContextBlock::from_keyword(w).is_some()
                    && self.peek_at(1) == Some(&TokenKind::Punct(Punct::LBrace)) =>
                {
                    let kind = ContextBlock::from_keyword(w).unwrap_or(ContextBlock::Softirq);
                    self.pos += 1;
                    StmtKind::Context {
                        kind,
                        body: self.block()?,
                    }
                }
                _ if self.starts_type() => {
                    let decls = self.declaration()?;
                    self.expect(Punct::Semi, "after the declaration")?;
                    StmtKind::Decl(decls)
                }
                _ => self.expr_stmt()?,
            },
            Some(_) => self.expr_stmt()?,
        };
        Ok(Stmt {
            kind,
            span: Span::new(start.start, self.last().end),
        })
    }

    fn expr_stmt(&mut self) -> PResult<StmtKind> {
        let expr = self.expr()?;
        self.expect(Punct::Semi, "after the expression")?;
        Ok(StmtKind::Expr(expr))
    }

    /// `{ stmt* }`, recovering inside.
    fn block(&mut self) -> PResult<Vec<Stmt>> {
        let open = self.expect(Punct::LBrace, "to open the block")?;
        let mut stmts = Vec::new();
        loop {
            if self.eat(Punct::RBrace) {
                return Ok(stmts);
            }
            if self.peek().is_none() {
                self.error("this `{` is never closed", open);
                return Err(Failed);
            }
            match self.stmt() {
                Ok(stmt) => stmts.push(stmt),
                Err(Failed) => {
                    if self.pos >= self.tokens.len() {
                        return Err(Failed);
                    }
                    self.synchronize();
                }
            }
        }
    }

    fn if_stmt(&mut self) -> PResult<StmtKind> {
        self.pos += 1;
        let cond = self.paren_expr("after `if`")?;
        let then = Box::new(self.stmt()?);
        let els = if self.at_word("else") {
            self.pos += 1;
            Some(Box::new(self.stmt()?))
        } else {
            None
        };
        Ok(StmtKind::If { cond, then, els })
    }

    fn for_stmt(&mut self) -> PResult<StmtKind> {
        self.pos += 1;
        self.expect(Punct::LParen, "after `for`")?;
        let init = if self.eat(Punct::Semi) {
            None
        } else {
            let start = self.here();
            let kind = if self.starts_type() {
                StmtKind::Decl(self.declaration()?)
            } else {
                StmtKind::Expr(self.expr()?)
            };
            let span = Span::new(start.start, self.last().end);
            self.expect(Punct::Semi, "after the loop's first clause")?;
            Some(Box::new(Stmt { kind, span }))
        };
        let cond = if self.at(Punct::Semi) {
            None
        } else {
            Some(self.expr()?)
        };
        self.expect(Punct::Semi, "after the loop's condition")?;
        let step = if self.at(Punct::RParen) {
            None
        } else {
            Some(self.expr()?)
        };
        self.expect(Punct::RParen, "to close the `for` clauses")?;
        let body = Box::new(self.stmt()?);
        Ok(StmtKind::For {
            init,
            cond,
            step,
            body,
        })
    }

    fn paren_expr(&mut self, context: &str) -> PResult<Expr> {
        self.expect(Punct::LParen, context)?;
        let expr = self.expr()?;
        self.expect(Punct::RParen, "to close the condition")?;
        Ok(expr)
    }

    // ---- types and declarations ---------------------------------------

    fn starts_type(&self) -> bool {
        match self.peek() {
            Some(TokenKind::Ident(w)) => is_type_word(w) || w == "struct",
            _ => false,
        }
    }

    /// The base of a type: type words, or `struct name`.
    fn base_type(&mut self) -> PResult<String> {
        let mut words: Vec<String> = Vec::new();
        loop {
            match self.peek() {
                Some(TokenKind::Ident(w)) if is_type_word(w) => {
                    words.push(w.clone());
                    self.pos += 1;
                }
                Some(TokenKind::Ident(w)) if w == "struct" => {
                    self.pos += 1;
                    match self.peek() {
                        Some(TokenKind::Ident(name)) => {
                            words.push(format!("struct {name}"));
                            self.pos += 1;
                        }
                        _ => {
                            let span = self.here();
                            self.error("expected a struct name after `struct`", span);
                            return Err(Failed);
                        }
                    }
                }
                _ => break,
            }
        }
        Ok(words.join(" "))
    }

    fn pointers(&mut self) -> u8 {
        let mut n = 0u8;
        while self.eat(Punct::Star) {
            n = n.saturating_add(1);
        }
        n
    }

    /// A type in a cast or `sizeof`: base and `*`s.
    fn type_name(&mut self) -> PResult<TypeName> {
        let base = self.base_type()?;
        let pointers = self.pointers();
        Ok(TypeName { base, pointers })
    }

    fn declaration(&mut self) -> PResult<Vec<Declarator>> {
        let base = self.base_type()?;
        let mut decls = Vec::new();
        loop {
            let pointers = self.pointers();
            let (name, name_span) = match self.peek() {
                Some(TokenKind::Ident(name)) if !is_keyword(name) => {
                    let name = name.clone();
                    self.pos += 1;
                    (name, self.last())
                }
                _ => {
                    let span = self.here();
                    self.error(format!("expected a name to declare after `{base}`"), span);
                    return Err(Failed);
                }
            };
            let array_len = if self.eat(Punct::LBracket) {
                let len = self.expr()?;
                self.expect(Punct::RBracket, "to close the array length")?;
                Some(len)
            } else {
                None
            };
            let init = if self.eat(Punct::Assign) {
                Some(self.assignment()?)
            } else {
                None
            };
            decls.push(Declarator {
                ty: TypeName {
                    base: base.clone(),
                    pointers,
                },
                name,
                name_span,
                array_len,
                init,
            });
            if !self.eat(Punct::Comma) {
                return Ok(decls);
            }
        }
    }

    // ---- expressions --------------------------------------------------

    fn expr(&mut self) -> PResult<Expr> {
        self.enter()?;
        let result = self.assignment();
        self.leave();
        result
    }

    fn assignment(&mut self) -> PResult<Expr> {
        let target = self.conditional()?;
        let op = match self.peek() {
            Some(TokenKind::Punct(p)) => match p {
                Punct::Assign => Some(None),
                Punct::PlusAssign => Some(Some(BinaryOp::Add)),
                Punct::MinusAssign => Some(Some(BinaryOp::Sub)),
                Punct::StarAssign => Some(Some(BinaryOp::Mul)),
                Punct::SlashAssign => Some(Some(BinaryOp::Div)),
                Punct::PercentAssign => Some(Some(BinaryOp::Rem)),
                Punct::AndAssign => Some(Some(BinaryOp::BitAnd)),
                Punct::OrAssign => Some(Some(BinaryOp::BitOr)),
                Punct::XorAssign => Some(Some(BinaryOp::BitXor)),
                Punct::ShlAssign => Some(Some(BinaryOp::Shl)),
                Punct::ShrAssign => Some(Some(BinaryOp::Shr)),
                _ => None,
            },
            _ => None,
        };
        let Some(op) = op else {
            return Ok(target);
        };
        if !is_lvalue(&target) {
            self.error("this cannot be assigned to", target.span);
        }
        self.pos += 1;
        self.enter()?;
        let value = self.assignment();
        self.leave();
        let value = value?;
        let span = Span::new(target.span.start, value.span.end);
        self.node(
            ExprKind::Assign {
                op,
                target: Box::new(target),
                value: Box::new(value),
            },
            span,
        )
    }

    fn conditional(&mut self) -> PResult<Expr> {
        let cond = self.binary(1)?;
        if !self.eat(Punct::Question) {
            return Ok(cond);
        }
        let then = self.expr()?;
        self.expect(Punct::Colon, "in the conditional expression")?;
        self.enter()?;
        let els = self.conditional();
        self.leave();
        let els = els?;
        let span = Span::new(cond.span.start, els.span.end);
        self.node(
            ExprKind::Conditional {
                cond: Box::new(cond),
                then: Box::new(then),
                els: Box::new(els),
            },
            span,
        )
    }

    fn binary(&mut self, min_prec: u8) -> PResult<Expr> {
        let mut lhs = self.unary()?;
        while let Some(op) = self.peek().and_then(binary_op) {
            if op.precedence() < min_prec {
                break;
            }
            self.pos += 1;
            self.enter()?;
            let rhs = self.binary(op.precedence() + 1);
            self.leave();
            let rhs = rhs?;
            let span = Span::new(lhs.span.start, rhs.span.end);
            lhs = self.node(
                ExprKind::Binary {
                    op,
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                },
                span,
            )?;
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> PResult<Expr> {
        self.enter()?;
        let result = self.unary_inner();
        self.leave();
        result
    }

    fn unary_inner(&mut self) -> PResult<Expr> {
        let start = self.here();
        let op = match self.peek() {
            Some(TokenKind::Punct(Punct::Minus)) => Some(UnaryOp::Neg),
            Some(TokenKind::Punct(Punct::Plus)) => Some(UnaryOp::Plus),
            Some(TokenKind::Punct(Punct::Bang)) => Some(UnaryOp::Not),
            Some(TokenKind::Punct(Punct::Tilde)) => Some(UnaryOp::BitNot),
            Some(TokenKind::Punct(Punct::And)) => Some(UnaryOp::AddrOf),
            Some(TokenKind::Punct(Punct::Star)) => Some(UnaryOp::Deref),
            _ => None,
        };
        if let Some(op) = op {
            self.pos += 1;
            let expr = self.unary()?;
            let span = Span::new(start.start, expr.span.end);
            return self.node(
                ExprKind::Unary {
                    op,
                    expr: Box::new(expr),
                },
                span,
            );
        }
        if self.at(Punct::PlusPlus) || self.at(Punct::MinusMinus) {
            let increment = self.at(Punct::PlusPlus);
            self.pos += 1;
            let target = self.unary()?;
            if !is_lvalue(&target) {
                self.error("`++` and `--` need a variable", target.span);
            }
            let span = Span::new(start.start, target.span.end);
            return self.node(
                ExprKind::IncDec {
                    target: Box::new(target),
                    increment,
                    prefix: true,
                },
                span,
            );
        }
        if self.at_word("sizeof") {
            self.pos += 1;
            let is_type = self.at(Punct::LParen)
                && matches!(self.peek_at(1), Some(TokenKind::Ident(w)) if is_type_word(w) || w == "struct");
            if is_type {
                self.pos += 1;
                let ty = self.type_name()?;
                self.expect(Punct::RParen, "after the type")?;
                let span = Span::new(start.start, self.last().end);
                return self.node(ExprKind::SizeofType(ty), span);
            }
            let expr = self.unary()?;
            let span = Span::new(start.start, expr.span.end);
            return self.node(ExprKind::SizeofExpr(Box::new(expr)), span);
        }
        let is_cast = self.at(Punct::LParen)
            && matches!(self.peek_at(1), Some(TokenKind::Ident(w)) if is_type_word(w) || w == "struct");
        if is_cast {
            self.pos += 1;
            let ty = self.type_name()?;
            self.expect(Punct::RParen, "to close the cast")?;
            let expr = self.unary()?;
            let span = Span::new(start.start, expr.span.end);
            return self.node(
                ExprKind::Cast {
                    ty,
                    expr: Box::new(expr),
                },
                span,
            );
        }
        self.postfix()
    }

    fn postfix(&mut self) -> PResult<Expr> {
        let mut expr = self.primary()?;
        loop {
            if self.at(Punct::LParen) {
                let name_span = expr.span;
                let ExprKind::Ident(name) = expr.kind else {
                    let span = self.here();
                    self.error("only a function's name can be called", span);
                    return Err(Failed);
                };
                self.pos += 1;
                let mut args = Vec::new();
                if !self.at(Punct::RParen) {
                    loop {
                        args.push(self.expr()?);
                        if !self.eat(Punct::Comma) {
                            break;
                        }
                    }
                }
                self.expect(Punct::RParen, "to close the argument list")?;
                expr = self.node(
                    ExprKind::Call {
                        name,
                        name_span,
                        args,
                    },
                    Span::new(name_span.start, self.last().end),
                )?;
            } else if self.eat(Punct::LBracket) {
                let index = self.expr()?;
                self.expect(Punct::RBracket, "to close the index")?;
                let span = Span::new(expr.span.start, self.last().end);
                expr = self.node(
                    ExprKind::Index {
                        base: Box::new(expr),
                        index: Box::new(index),
                    },
                    span,
                )?;
            } else if self.at(Punct::PlusPlus) || self.at(Punct::MinusMinus) {
                let increment = self.at(Punct::PlusPlus);
                self.pos += 1;
                if !is_lvalue(&expr) {
                    self.error("`++` and `--` need a variable", expr.span);
                }
                let span = Span::new(expr.span.start, self.last().end);
                expr = self.node(
                    ExprKind::IncDec {
                        target: Box::new(expr),
                        increment,
                        prefix: false,
                    },
                    span,
                )?;
            } else {
                return Ok(expr);
            }
        }
    }

    fn primary(&mut self) -> PResult<Expr> {
        let span = self.here();
        let kind = match self.peek() {
            Some(TokenKind::Int(v, ty)) => ExprKind::Int(*v, *ty),
            Some(TokenKind::Str(_)) => return Ok(self.strings(String::new(), span)),
            Some(TokenKind::Ident(name))
                if crate::printk::level_prefix(name).is_some()
                    && matches!(self.peek_at(1), Some(TokenKind::Str(_))) =>
            {
                let prefix = crate::printk::level_prefix(name).unwrap_or_default();
                self.pos += 1;
                return Ok(self.strings(prefix.to_string(), span));
            }
            Some(TokenKind::Ident(name)) if !is_keyword(name) => {
                // The parser never reads a consumed token's text again.
                ExprKind::Ident(self.take_ident())
            }
            Some(TokenKind::Punct(Punct::LParen)) => {
                self.pos += 1;
                let inner = self.expr()?;
                self.expect(Punct::RParen, "to close the parenthesis")?;
                return Ok(Expr {
                    span: Span::new(span.start, self.last().end),
                    ..inner
                });
            }
            Some(kind) => {
                let found = describe(kind);
                self.error(format!("expected an expression, found {found}"), span);
                return Err(Failed);
            }
            None => {
                self.error("expected an expression, found the end of the script", span);
                return Err(Failed);
            }
        };
        self.pos += 1;
        self.node(kind, span)
    }

    /// A new node of the tree. Chains such as `a + b + c` and `a[0][0]`
    /// are built in a loop rather than by recursion, so the parser's depth
    /// does not count their levels: the node's height does, and a node
    /// that would nest deeper than [`MAX_DEPTH`] with what is around it is
    /// an error at that expression.
    fn node(&mut self, kind: ExprKind, span: Span) -> PResult<Expr> {
        let height = kind.operand_height() + 1;
        // Its deepest operand sits `height - 1` levels below it.
        if self.depth + height - 1 > MAX_DEPTH {
            let mut d = Diagnostic::new(
                format!("expression nesting deeper than {MAX_DEPTH} levels"),
                span,
            );
            d.help = Some(
                "each operator of a chain such as `a + b + c` or `a[0][0]` is a level: split it with variables"
                    .into(),
            );
            self.errors.push(d);
            return Err(Failed);
        }
        Ok(Expr { kind, span, height })
    }
}

impl Parser {
    /// Adjacent string literals, concatenated as C does, after `prefix`
    /// (a `KERN_<LEVEL>` already read).
    fn strings(&mut self, prefix: String, start: Span) -> Expr {
        let mut text = prefix;
        while let Some(TokenKind::Str(s)) = self.peek() {
            text.push_str(s);
            self.pos += 1;
        }
        Expr {
            kind: ExprKind::Str(text),
            span: Span::new(start.start, self.last().end),
            height: 1,
        }
    }
}

/// The binary operator a token stands for.
fn binary_op(kind: &TokenKind) -> Option<BinaryOp> {
    let TokenKind::Punct(p) = kind else {
        return None;
    };
    Some(match p {
        Punct::Star => BinaryOp::Mul,
        Punct::Slash => BinaryOp::Div,
        Punct::Percent => BinaryOp::Rem,
        Punct::Plus => BinaryOp::Add,
        Punct::Minus => BinaryOp::Sub,
        Punct::Shl => BinaryOp::Shl,
        Punct::Shr => BinaryOp::Shr,
        Punct::Lt => BinaryOp::Lt,
        Punct::Le => BinaryOp::Le,
        Punct::Gt => BinaryOp::Gt,
        Punct::Ge => BinaryOp::Ge,
        Punct::EqEq => BinaryOp::Eq,
        Punct::Ne => BinaryOp::Ne,
        Punct::And => BinaryOp::BitAnd,
        Punct::Xor => BinaryOp::BitXor,
        Punct::Or => BinaryOp::BitOr,
        Punct::AndAnd => BinaryOp::And,
        Punct::OrOr => BinaryOp::Or,
        _ => return None,
    })
}

/// Words that cannot name a variable.
fn is_keyword(word: &str) -> bool {
    matches!(
        word,
        "if" | "else" | "while" | "for" | "break" | "continue" | "sizeof" | "struct" | "return"
    ) || is_type_word(word)
}

/// Whether an expression can be assigned to: a variable, an element, or a
/// dereference.
fn is_lvalue(expr: &Expr) -> bool {
    matches!(
        expr.kind,
        ExprKind::Ident(_)
            | ExprKind::Index { .. }
            | ExprKind::Unary {
                op: UnaryOp::Deref,
                ..
            }
    )
}

/// A token as an error message names it.
fn describe(kind: &TokenKind) -> String {
    match kind {
        TokenKind::Ident(w) => format!("`{w}`"),
        TokenKind::Int(v, _) => format!("the number {v}"),
        TokenKind::Str(_) => "a string".into(),
        TokenKind::Punct(p) => format!("`{}`", p.as_str()),
    }
}

#[cfg(test)]
mod tests;
