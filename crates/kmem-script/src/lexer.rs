//! The lexer of the playground language: C's tokens, as kernel code writes
//! them.
//!
//! It never stops at the first problem: every malformed piece (an unknown
//! character, an unterminated string or comment, a literal too large for 64
//! bits) becomes a [`LexError`] and lexing resumes after it, so that the
//! editor can report every error in the file at once.

use crate::ast::IntType;
use crate::span::Span;

/// What a token is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// A name: a variable, a function, a flag, a constant, or a keyword.
    Ident(String),
    /// An integer literal (decimal, hex, octal, binary, or a character
    /// constant) and the C type its value and suffix give it.
    Int(u64, IntType),
    /// A string literal with its escapes decoded.
    Str(String),
    /// An operator or punctuation mark.
    Punct(Punct),
}

/// Operators and punctuation, longest match first as C lexes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Punct {
    /// `<<=`
    ShlAssign,
    /// `>>=`
    ShrAssign,
    /// `<<`
    Shl,
    /// `>>`
    Shr,
    /// `<=`
    Le,
    /// `>=`
    Ge,
    /// `==`
    EqEq,
    /// `!=`
    Ne,
    /// `&&`
    AndAnd,
    /// `||`
    OrOr,
    /// `++`
    PlusPlus,
    /// `--`
    MinusMinus,
    /// `+=`
    PlusAssign,
    /// `-=`
    MinusAssign,
    /// `*=`
    StarAssign,
    /// `/=`
    SlashAssign,
    /// `%=`
    PercentAssign,
    /// `&=`
    AndAssign,
    /// `|=`
    OrAssign,
    /// `^=`
    XorAssign,
    /// `->`
    Arrow,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `[`
    LBracket,
    /// `]`
    RBracket,
    /// `{`
    LBrace,
    /// `}`
    RBrace,
    /// `;`
    Semi,
    /// `,`
    Comma,
    /// `.`
    Dot,
    /// `?`
    Question,
    /// `:`
    Colon,
    /// `=`
    Assign,
    /// `<`
    Lt,
    /// `>`
    Gt,
    /// `+`
    Plus,
    /// `-`
    Minus,
    /// `*`
    Star,
    /// `/`
    Slash,
    /// `%`
    Percent,
    /// `&`
    And,
    /// `|`
    Or,
    /// `^`
    Xor,
    /// `~`
    Tilde,
    /// `!`
    Bang,
}

impl Punct {
    /// Every punctuator with its spelling, longest first so that a greedy
    /// prefix match lexes like C.
    const TABLE: [(&'static str, Punct); 45] = [
        ("<<=", Punct::ShlAssign),
        (">>=", Punct::ShrAssign),
        ("<<", Punct::Shl),
        (">>", Punct::Shr),
        ("<=", Punct::Le),
        (">=", Punct::Ge),
        ("==", Punct::EqEq),
        ("!=", Punct::Ne),
        ("&&", Punct::AndAnd),
        ("||", Punct::OrOr),
        ("++", Punct::PlusPlus),
        ("--", Punct::MinusMinus),
        ("+=", Punct::PlusAssign),
        ("-=", Punct::MinusAssign),
        ("*=", Punct::StarAssign),
        ("/=", Punct::SlashAssign),
        ("%=", Punct::PercentAssign),
        ("&=", Punct::AndAssign),
        ("|=", Punct::OrAssign),
        ("^=", Punct::XorAssign),
        ("->", Punct::Arrow),
        ("(", Punct::LParen),
        (")", Punct::RParen),
        ("[", Punct::LBracket),
        ("]", Punct::RBracket),
        ("{", Punct::LBrace),
        ("}", Punct::RBrace),
        (";", Punct::Semi),
        (",", Punct::Comma),
        (".", Punct::Dot),
        ("?", Punct::Question),
        (":", Punct::Colon),
        ("=", Punct::Assign),
        ("<", Punct::Lt),
        (">", Punct::Gt),
        ("+", Punct::Plus),
        ("-", Punct::Minus),
        ("*", Punct::Star),
        ("/", Punct::Slash),
        ("%", Punct::Percent),
        ("&", Punct::And),
        ("|", Punct::Or),
        ("^", Punct::Xor),
        ("~", Punct::Tilde),
        ("!", Punct::Bang),
    ];

    /// The punctuator's spelling in source.
    pub fn as_str(self) -> &'static str {
        Self::TABLE
            .iter()
            .find(|(_, p)| *p == self)
            .map_or("?", |(s, _)| s)
    }
}

/// A token and where it stands in the source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// What the token is.
    pub kind: TokenKind,
    /// Its byte range in the source.
    pub span: Span,
}

/// A piece of source the lexer could not read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LexError {
    /// What was wrong, in one line.
    pub message: String,
    /// Where.
    pub span: Span,
}

/// The result of lexing a whole source: every token it could read and every
/// error it met. Comments and whitespace produce no token.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lexed {
    /// Tokens in source order.
    pub tokens: Vec<Token>,
    /// Errors in source order.
    pub errors: Vec<LexError>,
}

/// Lexes `source` completely, recovering after each error.
pub fn lex(source: &str) -> Lexed {
    let mut lexer = Lexer {
        src: source,
        pos: 0,
        // About one token per four bytes of typical scripts: one
        // allocation instead of a dozen doublings on long ones.
        out: Lexed {
            tokens: Vec::with_capacity(source.len() / 4),
            errors: Vec::new(),
        },
    };
    lexer.run();
    lexer.out
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    out: Lexed,
}

impl Lexer<'_> {
    fn rest(&self) -> &str {
        &self.src[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn error(&mut self, start: usize, message: impl Into<String>) {
        self.out.errors.push(LexError {
            message: message.into(),
            span: Span::new(start, self.pos),
        });
    }

    fn push(&mut self, start: usize, kind: TokenKind) {
        self.out.tokens.push(Token {
            kind,
            span: Span::new(start, self.pos),
        });
    }

    fn run(&mut self) {
        while let Some(c) = self.peek() {
            let start = self.pos;
            if c.is_whitespace() {
                self.pos += c.len_utf8();
            } else if self.rest().starts_with("//") {
                self.pos += self.rest().find('\n').unwrap_or(self.rest().len());
                self.direction_controls(start, "comment");
            } else if self.rest().starts_with("/*") {
                match self.rest()[2..].find("*/") {
                    Some(end) => self.pos += 2 + end + 2,
                    None => {
                        self.pos = self.src.len();
                        self.error(start, "unterminated comment: `/*` has no closing `*/`");
                    }
                }
                self.direction_controls(start, "comment");
            } else if c.is_ascii_alphabetic() || c == '_' {
                let len = self
                    .rest()
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(self.rest().len());
                self.pos += len;
                let name = self.src[start..self.pos].to_string();
                self.push(start, TokenKind::Ident(name));
            } else if c.is_ascii_digit() {
                self.number(start);
            } else if c == '"' {
                self.string(start);
                self.direction_controls(start, "string");
            } else if c == '\'' {
                self.char_constant(start);
            } else if let Some((text, punct)) = Punct::TABLE
                .iter()
                // The first byte first: most entries differ there.
                .find(|(s, _)| s.as_bytes()[0] == c as u8 && self.rest().starts_with(s))
            {
                self.pos += text.len();
                self.push(start, TokenKind::Punct(*punct));
            } else {
                self.pos += c.len_utf8();
                self.error(start, format!("unexpected character {c:?}"));
            }
        }
    }

    /// An error at each character of `start..pos` (a comment or a string)
    /// that changes the visible direction of the text around it, as rustc's
    /// `text_direction_codepoint_in_comment` and `…_in_literal` lints deny:
    /// such a character makes the code read otherwise than it runs (the
    /// "Trojan Source" attack). Elsewhere it is an unexpected character.
    fn direction_controls(&mut self, start: usize, place: &str) {
        const NAMES: [(char, &str); 9] = [
            ('\u{202a}', "LEFT-TO-RIGHT EMBEDDING"),
            ('\u{202b}', "RIGHT-TO-LEFT EMBEDDING"),
            ('\u{202c}', "POP DIRECTIONAL FORMATTING"),
            ('\u{202d}', "LEFT-TO-RIGHT OVERRIDE"),
            ('\u{202e}', "RIGHT-TO-LEFT OVERRIDE"),
            ('\u{2066}', "LEFT-TO-RIGHT ISOLATE"),
            ('\u{2067}', "RIGHT-TO-LEFT ISOLATE"),
            ('\u{2068}', "FIRST STRONG ISOLATE"),
            ('\u{2069}', "POP DIRECTIONAL ISOLATE"),
        ];
        let end = self.pos;
        for (i, c) in self.src[start..end].char_indices() {
            if let Some((_, name)) = NAMES.iter().find(|(n, _)| *n == c) {
                self.out.errors.push(LexError {
                    message: format!(
                        "unicode codepoint changing visible direction of text present in {place}: `\\u{{{:x}}}` ({name})",
                        c as u32
                    ),
                    span: Span::new(start + i, start + i + c.len_utf8()),
                });
            }
        }
    }

    /// C integer literals: `0x`/`0X` hex, `0b`/`0B` binary (a GNU extension
    /// the kernel uses), a leading `0` for octal, otherwise decimal; followed
    /// by any mix of `u`/`U`/`l`/`L` suffixes.
    fn number(&mut self, start: usize) {
        let len = self
            .rest()
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(self.rest().len());
        self.pos += len;
        let text = &self.src[start..self.pos];
        let body = text.trim_end_matches(['u', 'U', 'l', 'L']);
        let (digits, radix) =
            if let Some(hex) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
                (hex, 16)
            } else if let Some(bin) = body.strip_prefix("0b").or_else(|| body.strip_prefix("0B")) {
                (bin, 2)
            } else if body.len() > 1 && body.starts_with('0') {
                (&body[1..], 8)
            } else {
                (body, 10)
            };
        let suffix = &text[body.len()..];
        let suffix_ok = suffix.len() <= 3
            && suffix
                .chars()
                .filter(|c| c.eq_ignore_ascii_case(&'u'))
                .count()
                <= 1;
        if digits.is_empty() || !suffix_ok || !digits.chars().all(|c| c.is_digit(radix)) {
            self.error(start, format!("invalid integer literal `{text}`"));
            return;
        }
        match u64::from_str_radix(digits, radix) {
            Ok(value) => {
                let unsigned = suffix.contains(['u', 'U']);
                let long = suffix.contains(['l', 'L']);
                let ty = IntType::of_literal(value, radix == 10, unsigned, long);
                self.push(start, TokenKind::Int(value, ty))
            }
            Err(_) => self.error(
                start,
                format!("integer literal `{text}` does not fit in 64 bits"),
            ),
        }
    }

    /// Reads one escape sequence after a backslash; `None` when the sequence
    /// is not one C knows.
    fn escape(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(match c {
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            '0' => '\0',
            '\\' => '\\',
            '\'' => '\'',
            '"' => '"',
            'x' => {
                let len = self
                    .rest()
                    .find(|c: char| !c.is_ascii_hexdigit())
                    .unwrap_or(self.rest().len())
                    .min(2);
                let value = u8::from_str_radix(&self.rest()[..len], 16).ok()?;
                self.pos += len;
                char::from(value)
            }
            _ => return None,
        })
    }

    fn string(&mut self, start: usize) {
        self.pos += 1;
        let mut value = String::new();
        let mut bad_escape = false;
        loop {
            match self.peek() {
                None | Some('\n') => {
                    self.error(start, "unterminated string: missing closing `\"`");
                    return;
                }
                Some('"') => {
                    self.pos += 1;
                    break;
                }
                Some('\\') => {
                    self.pos += 1;
                    match self.escape() {
                        Some(c) => value.push(c),
                        None => bad_escape = true,
                    }
                }
                Some(c) => {
                    self.pos += c.len_utf8();
                    value.push(c);
                }
            }
        }
        if bad_escape {
            self.error(start, "unknown escape sequence in string");
        } else {
            self.push(start, TokenKind::Str(value));
        }
    }

    fn char_constant(&mut self, start: usize) {
        self.pos += 1;
        let value = match self.peek() {
            Some('\\') => {
                self.pos += 1;
                self.escape()
            }
            Some(c) if c != '\'' && c != '\n' => {
                self.pos += c.len_utf8();
                Some(c)
            }
            _ => None,
        };
        if self.peek() == Some('\'') {
            self.pos += 1;
            if let Some(c) = value {
                self.push(start, TokenKind::Int(u64::from(c), IntType::INT));
                return;
            }
        }
        self.error(start, "malformed character constant");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<TokenKind> {
        let lexed = lex(src);
        assert!(lexed.errors.is_empty(), "{:?}", lexed.errors);
        lexed.tokens.into_iter().map(|t| t.kind).collect()
    }

    fn ident(s: &str) -> TokenKind {
        TokenKind::Ident(s.to_string())
    }

    #[test]
    fn lexes_a_kernel_call() {
        use Punct::*;
        assert_eq!(
            kinds("void *p = kmalloc(100, GFP_KERNEL | __GFP_ZERO);"),
            vec![
                ident("void"),
                TokenKind::Punct(Star),
                ident("p"),
                TokenKind::Punct(Assign),
                ident("kmalloc"),
                TokenKind::Punct(LParen),
                TokenKind::Int(100, IntType::INT),
                TokenKind::Punct(Comma),
                ident("GFP_KERNEL"),
                TokenKind::Punct(Or),
                ident("__GFP_ZERO"),
                TokenKind::Punct(RParen),
                TokenKind::Punct(Semi),
            ]
        );
    }

    #[test]
    fn integer_literals_in_every_base() {
        assert_eq!(
            kinds("42 0x2A 0X2a 052 0b101010 42UL 0xffffffffffffffffull 0 '*' '\\n'"),
            [42, 42, 42, 42, 42, 42, u64::MAX, 0, 42, 10]
                .into_iter()
                .enumerate()
                .map(|(i, v)| {
                    let ty = if i == 5 || i == 6 {
                        IntType::ULONG
                    } else {
                        IntType::INT
                    };
                    TokenKind::Int(v, ty)
                })
                .collect::<Vec<_>>()
        );
        // C11 6.4.4.1: the first type of the list that holds the value.
        let types: Vec<IntType> = kinds("2147483647 2147483648 0x80000000 0xffffffff 0x100000000 1u 1l 4294967296u 0x8000000000000000")
            .into_iter()
            .map(|k| match k {
                TokenKind::Int(_, t) => t,
                other => panic!("{other:?}"),
            })
            .collect();
        use IntType as T;
        assert_eq!(
            types,
            [
                T::INT,
                T::LONG,
                T::UINT,
                T::UINT,
                T::LONG,
                T::UINT,
                T::LONG,
                T::ULONG,
                T::ULONG
            ]
        );
    }

    #[test]
    fn longest_punctuator_wins() {
        use Punct::*;
        assert_eq!(
            kinds("a<<=b>>c->d&&e"),
            vec![
                ident("a"),
                TokenKind::Punct(ShlAssign),
                ident("b"),
                TokenKind::Punct(Shr),
                ident("c"),
                TokenKind::Punct(Arrow),
                ident("d"),
                TokenKind::Punct(AndAnd),
                ident("e"),
            ]
        );
        assert_eq!(Punct::ShlAssign.as_str(), "<<=");
    }

    #[test]
    fn direction_controls_in_comments_and_strings_are_errors() {
        let lexed = lex("x = 1; /* \u{202e} } \u{2066} */\nprintk(\"\u{202b}\");\n// ok\n");
        let messages: Vec<&str> = lexed.errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "unicode codepoint changing visible direction of text present in comment: `\\u{202e}` (RIGHT-TO-LEFT OVERRIDE)",
                "unicode codepoint changing visible direction of text present in comment: `\\u{2066}` (LEFT-TO-RIGHT ISOLATE)",
                "unicode codepoint changing visible direction of text present in string: `\\u{202b}` (RIGHT-TO-LEFT EMBEDDING)",
            ]
        );
        assert_eq!(lexed.errors[0].span, Span::new(10, 13));
        assert_eq!(
            lexed.tokens.len(),
            9,
            "the tokens around them are read as usual"
        );
    }

    #[test]
    fn comments_and_strings() {
        assert_eq!(
            kinds("/* a */ printk(\"%px\\n\", p); // trailing"),
            vec![
                ident("printk"),
                TokenKind::Punct(Punct::LParen),
                TokenKind::Str("%px\n".into()),
                TokenKind::Punct(Punct::Comma),
                ident("p"),
                TokenKind::Punct(Punct::RParen),
                TokenKind::Punct(Punct::Semi),
            ]
        );
    }

    #[test]
    fn reports_every_error_and_recovers() {
        let lexed = lex("x = 0x; y = 99999999999999999999 @ z; \"open\n/* never closed");
        let messages: Vec<_> = lexed.errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(
            messages,
            vec![
                "invalid integer literal `0x`",
                "integer literal `99999999999999999999` does not fit in 64 bits",
                "unexpected character '@'",
                "unterminated string: missing closing `\"`",
                "unterminated comment: `/*` has no closing `*/`",
            ]
        );
        assert_eq!(lexed.errors[2].span, Span::new(33, 34));
        // Tokens after each error are still produced.
        assert!(lexed.tokens.iter().any(|t| t.kind == ident("z")));
    }

    #[test]
    fn never_panics_on_odd_input() {
        for src in [
            "'",
            "'\\",
            "\"\\x",
            "0b",
            "09",
            "1uu",
            "é\u{0}ß",
            "'ab'",
            "\"\\q\"",
        ] {
            let lexed = lex(src);
            assert!(!lexed.errors.is_empty(), "{src:?} should not lex cleanly");
        }
    }
}
