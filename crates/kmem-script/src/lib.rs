//! The kmem playground language: a small C-like language that kernel people
//! read without a manual. Source text is the single source of truth of the
//! playground; this crate turns it into tokens and a syntax tree, and (as
//! it grows) into a trace of simulated kernel events.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod ast;
pub mod diagnostic;
pub mod escape;
pub mod examples;
pub mod interp;
pub mod lexer;
pub mod parser;
pub mod printk;
pub mod render;
pub mod span;

pub use diagnostic::{check, Diagnostic};

/// The language reference (`kmem help language`, the web help panel).
pub const HELP: &str = include_str!("help.txt");
pub use interp::{evaluate, run, run_on, run_until, Step, Trace};
pub use lexer::{lex, LexError, Lexed, Punct, Token, TokenKind};
pub use parser::{parse, Parsed};
pub use span::{LineCol, LineIndex, Span};
