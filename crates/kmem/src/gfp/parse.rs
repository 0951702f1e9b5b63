//! The GFP expression parser: C's `|`, `&`, `~` and parentheses over
//! flag names and numbers, plus the `%#x(%pGg)` form copied from a log.

use super::{Gfp, GfpFlag, GfpParseError, GfpTable};

/// Deepest parenthesis nesting accepted (keeps recursion bounded).
const MAX_DEPTH: usize = 64;
/// Longest name we compute suggestions for.
const MAX_SUGGEST_LEN: usize = 64;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok {
    Ident,
    Num(u32),
    Or,
    And,
    Not,
    LParen,
    RParen,
}

#[derive(Clone, Copy, Debug)]
struct Token {
    tok: Tok,
    start: usize,
    end: usize,
}

fn error(message: String, help: Option<String>, start: usize, end: usize) -> GfpParseError {
    GfpParseError {
        message,
        help,
        span: (start, end),
    }
}

/// Parses `text` against `table`.
pub(super) fn parse(table: &GfpTable, text: &str) -> Result<Gfp, GfpParseError> {
    // A prefix copied along with a log field.
    let trimmed = text.trim_start();
    let mut base = text.len() - trimmed.len();
    for prefix in ["mode:", "gfp_mask=", "gfp_flags="] {
        if let Some(rest) = trimmed.strip_prefix(prefix) {
            base += trimmed.len() - rest.len();
            break;
        }
    }
    let tokens = tokenize(text, base)?;
    if tokens.is_empty() {
        return Err(error(
            "empty GFP expression".into(),
            Some("write flags such as `GFP_KERNEL | __GFP_ZERO`, or a mask such as `0xcc0`".into()),
            base.min(text.len()),
            text.len(),
        ));
    }
    if let Some(result) = parse_dump(table, text, &tokens) {
        return result;
    }
    let mut parser = Parser {
        table,
        text,
        tokens: &tokens,
        pos: 0,
        depth: 0,
    };
    let value = parser.expr()?;
    if let Some(tok) = parser.peek() {
        let shown = &text[tok.start..tok.end];
        return Err(match tok.tok {
            Tok::RParen => error("unmatched `)`".into(), None, tok.start, tok.end),
            Tok::Ident | Tok::Num(_) | Tok::LParen | Tok::Not => error(
                format!("missing operator before `{shown}`"),
                Some("join flags with `|`, e.g. `GFP_KERNEL | __GFP_ZERO`".into()),
                tok.start,
                tok.end,
            ),
            Tok::Or | Tok::And => error(format!("unexpected `{shown}`"), None, tok.start, tok.end),
        });
    }
    Ok(value)
}

/// The log form `0xcc0(GFP_KERNEL)`: a number directly followed by a
/// parenthesised expression that is the whole rest of the input.
fn parse_dump(
    table: &GfpTable,
    text: &str,
    tokens: &[Token],
) -> Option<Result<Gfp, GfpParseError>> {
    let (Tok::Num(value), Some(open), Some(close)) =
        (tokens.first()?.tok, tokens.get(1), tokens.last())
    else {
        return None;
    };
    if open.tok != Tok::LParen || close.tok != Tok::RParen || tokens.len() < 3 {
        return None;
    }
    // The closing parenthesis must match the opening one.
    let mut depth = 0usize;
    for (i, t) in tokens.iter().enumerate().skip(1) {
        match t.tok {
            Tok::LParen => depth += 1,
            Tok::RParen => {
                depth = depth.saturating_sub(1);
                if depth == 0 && i != tokens.len() - 1 {
                    return None;
                }
            }
            _ => {}
        }
    }
    let inner = &tokens[2..tokens.len() - 1];
    let names = match eval(table, text, inner) {
        Ok(v) => v,
        Err(e) => return Some(Err(e)),
    };
    if names.0 == value {
        return Some(Ok(names));
    }
    let shown_names = inner
        .first()
        .zip(inner.last())
        .map_or("()", |(a, b)| &text[a.start..b.end]);
    let matching: Vec<&str> = GfpTable::all()
        .iter()
        .filter(|t| eval(t, text, inner).is_ok_and(|v| v.0 == value))
        .map(|t| t.releases())
        .collect();
    let help = if matching.is_empty() {
        "the number and the names disagree in every release from 4.9 to 6.12".to_string()
    } else {
        format!(
            "the line was printed by a kernel with another GFP layout; they agree in {}",
            matching.join(", ")
        )
    };
    Some(Err(error(
        format!(
            "{} is not `{shown_names}` in {}: here the names give {}",
            Gfp(value),
            table.releases(),
            names
        ),
        Some(help),
        tokens[0].start,
        close.end,
    )))
}

/// Evaluates a token slice as one whole expression (empty means 0).
fn eval(table: &GfpTable, text: &str, tokens: &[Token]) -> Result<Gfp, GfpParseError> {
    if tokens.is_empty() {
        return Ok(Gfp(0));
    }
    let mut parser = Parser {
        table,
        text,
        tokens,
        pos: 0,
        depth: 0,
    };
    let value = parser.expr()?;
    match parser.peek() {
        None => Ok(value),
        Some(tok) => Err(error(
            format!("unexpected `{}`", &text[tok.start..tok.end]),
            None,
            tok.start,
            tok.end,
        )),
    }
}

fn tokenize(text: &str, base: usize) -> Result<Vec<Token>, GfpParseError> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut i = base;
    while i < bytes.len() {
        let c = bytes[i];
        let single = |tok| Token {
            tok,
            start: i,
            end: i + 1,
        };
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'|' | b'&' => {
                if bytes.get(i + 1) == Some(&c) {
                    let op = if c == b'|' { "||" } else { "&&" };
                    let want = if c == b'|' { "|" } else { "&" };
                    return Err(error(
                        format!("`{op}` is a logical operator"),
                        Some(format!("combine GFP bits with a single `{want}`")),
                        i,
                        i + 2,
                    ));
                }
                tokens.push(single(if c == b'|' { Tok::Or } else { Tok::And }));
                i += 1;
            }
            b'~' => {
                tokens.push(single(Tok::Not));
                i += 1;
            }
            b'(' => {
                tokens.push(single(Tok::LParen));
                i += 1;
            }
            b')' => {
                tokens.push(single(Tok::RParen));
                i += 1;
            }
            b'0'..=b'9' => {
                let (tok, end) = number(text, i)?;
                tokens.push(Token { tok, start: i, end });
                i = end;
            }
            b'_' | b'a'..=b'z' | b'A'..=b'Z' => {
                let end = scan(bytes, i, |b| b == b'_' || b.is_ascii_alphanumeric());
                tokens.push(Token {
                    tok: Tok::Ident,
                    start: i,
                    end,
                });
                i = end;
            }
            _ => {
                let ch = text[i..].chars().next().unwrap_or('?');
                let end = i + ch.len_utf8();
                let help = match ch {
                    '+' | ',' => Some("combine GFP flags with `|`".to_string()),
                    '!' => Some("clear bits with `& ~`, e.g. `GFP_KERNEL & ~__GFP_IO`".to_string()),
                    '^' | '-' => {
                        Some("only `|`, `&`, `~` and parentheses are supported".to_string())
                    }
                    _ => None,
                };
                return Err(error(format!("unexpected character `{ch}`"), help, i, end));
            }
        }
    }
    Ok(tokens)
}

fn scan(bytes: &[u8], start: usize, keep: impl Fn(u8) -> bool) -> usize {
    let mut end = start;
    while end < bytes.len() && keep(bytes[end]) {
        end += 1;
    }
    end
}

/// A C integer literal: hex (`0x…`) or decimal, with optional `u`/`l`
/// suffixes.
fn number(text: &str, start: usize) -> Result<(Tok, usize), GfpParseError> {
    let bytes = text.as_bytes();
    let end = scan(bytes, start, |b| b == b'_' || b.is_ascii_alphanumeric());
    let literal = &text[start..end];
    let invalid = || {
        error(
            format!("`{literal}` is not a number"),
            Some("write masks in hex (`0xcc0`) or decimal".into()),
            start,
            end,
        )
    };
    let (digits, radix) = match literal
        .strip_prefix("0x")
        .or_else(|| literal.strip_prefix("0X"))
    {
        Some(hex) => (hex, 16),
        None => (literal, 10),
    };
    let body_len = digits
        .bytes()
        .take_while(|b| b.is_ascii_digit() || (radix == 16 && b.is_ascii_hexdigit()))
        .count();
    let (body, suffix) = digits.split_at(body_len);
    if body.is_empty()
        || !suffix
            .bytes()
            .all(|b| matches!(b, b'u' | b'U' | b'l' | b'L'))
    {
        return Err(invalid());
    }
    if radix == 10 && body.len() > 1 && body.starts_with('0') {
        return Err(error(
            format!("`{literal}` would be an octal number in C"),
            Some("write it in hex (`0x…`) or without the leading zero".into()),
            start,
            end,
        ));
    }
    let mut value: u64 = 0;
    for b in body.bytes() {
        let digit = (b as char).to_digit(radix).ok_or_else(invalid)?;
        value = match value
            .checked_mul(u64::from(radix))
            .and_then(|v| v.checked_add(u64::from(digit)))
        {
            Some(v) if v <= u64::from(u32::MAX) => v,
            _ => {
                return Err(error(
                    format!("`{literal}` does not fit in gfp_t (32 bits)"),
                    Some("a GFP mask is an unsigned int; the highest value is 0xffffffff".into()),
                    start,
                    end,
                ))
            }
        };
    }
    Ok((Tok::Num(value as u32), end))
}

struct Parser<'a> {
    table: &'a GfpTable,
    text: &'a str,
    tokens: &'a [Token],
    pos: usize,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<Token> {
        self.tokens.get(self.pos).copied()
    }

    fn eat(&mut self, tok: Tok) -> bool {
        if self.peek().is_some_and(|t| t.tok == tok) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// or := and ('|' and)*
    fn expr(&mut self) -> Result<Gfp, GfpParseError> {
        let mut value = self.and()?;
        while self.eat(Tok::Or) {
            value |= self.and()?;
        }
        Ok(value)
    }

    /// and := unary ('&' unary)*
    fn and(&mut self) -> Result<Gfp, GfpParseError> {
        let mut value = self.unary()?;
        while self.eat(Tok::And) {
            value &= self.unary()?;
        }
        Ok(value)
    }

    /// unary := '~'* primary
    fn unary(&mut self) -> Result<Gfp, GfpParseError> {
        let mut invert = false;
        while self.eat(Tok::Not) {
            invert = !invert;
        }
        let value = self.primary()?;
        Ok(if invert { !value } else { value })
    }

    fn primary(&mut self) -> Result<Gfp, GfpParseError> {
        let Some(tok) = self.peek() else {
            let end = self.text.len();
            let after = self
                .pos
                .checked_sub(1)
                .and_then(|i| self.tokens.get(i))
                .map(|t| format!(" after `{}`", &self.text[t.start..t.end]))
                .unwrap_or_default();
            return Err(error(
                format!("expected a flag name or a number{after}"),
                None,
                end,
                end,
            ));
        };
        self.pos += 1;
        let shown = &self.text[tok.start..tok.end];
        match tok.tok {
            Tok::Num(v) => Ok(Gfp(v)),
            Tok::Ident => self
                .table
                .lookup(shown)
                .ok_or_else(|| unknown_name(self.table, shown, tok.start, tok.end)),
            Tok::LParen => {
                if self.depth >= MAX_DEPTH {
                    return Err(error(
                        "parentheses nested too deeply".into(),
                        None,
                        tok.start,
                        tok.end,
                    ));
                }
                self.depth += 1;
                let value = self.expr()?;
                self.depth -= 1;
                if self.eat(Tok::RParen) {
                    Ok(value)
                } else {
                    let (message, help) = match self.peek() {
                        Some(t) if matches!(t.tok, Tok::Ident | Tok::Num(_) | Tok::LParen) => (
                            format!("missing operator before `{}`", &self.text[t.start..t.end]),
                            "join flags with `|`",
                        ),
                        _ => ("unclosed `(`".to_string(), "add the missing `)`"),
                    };
                    let (start, end) = match self.peek() {
                        Some(t) if message.starts_with("missing") => (t.start, t.end),
                        _ => (tok.start, tok.end),
                    };
                    Err(error(message, Some(help.into()), start, end))
                }
            }
            Tok::RParen | Tok::Or | Tok::And | Tok::Not => Err(error(
                format!("expected a flag name or a number, found `{shown}`"),
                None,
                tok.start,
                tok.end,
            )),
        }
    }
}

/// The error for a name this release does not know.
fn unknown_name(table: &GfpTable, name: &str, start: usize, end: usize) -> GfpParseError {
    let elsewhere = GfpTable::where_defined(name);
    if !elsewhere.is_empty() {
        return error(
            format!(
                "`{name}` does not exist in {} (it exists in {})",
                table.releases(),
                elsewhere.join(", ")
            ),
            history_hint(table, name).map(str::to_string),
            start,
            end,
        );
    }
    let help = suggest(table, name)
        .map(|s| format!("did you mean `{s}`?"))
        .or_else(|| Some("GFP names look like `GFP_KERNEL` or `__GFP_ZERO`".into()));
    error(format!("unknown GFP flag `{name}`"), help, start, end)
}

/// What happened to a name that exists in other releases.
fn history_hint(table: &GfpTable, name: &str) -> Option<&'static str> {
    use GfpFlag::*;
    let flag = GfpFlag::from_name(name);
    Some(match (name, flag) {
        ("GFP_TEMPORARY", _) => "GFP_TEMPORARY was removed in 4.14; use GFP_KERNEL",
        (_, Some(Repeat)) => "it was renamed `__GFP_RETRY_MAYFAIL` in 4.13",
        (_, Some(RetryMayfail)) => "before 4.13 this bit was `__GFP_REPEAT`",
        (_, Some(Atomic)) => {
            "removed in 6.3: GFP_ATOMIC remains, and a request without __GFP_DIRECT_RECLAIM now gets the reserve access"
        }
        (_, Some(Cold)) => "the hot/cold page hint was removed in 4.15",
        (_, Some(NoTrack)) => "removed together with kmemcheck (4.15, and 4.14 stable)",
        (_, Some(OtherNode)) => "removed in 4.10",
        (_, Some(SkipKasanPoison | SkipKasanUnpoison)) if table.defines(SkipKasan) => {
            "merged into `__GFP_SKIP_KASAN` (0 on x86_64)"
        }
        (_, Some(SkipKasan)) if table.defines(SkipKasanPoison) => {
            "this release has `__GFP_SKIP_KASAN_POISON` (and, from 5.18, `__GFP_SKIP_KASAN_UNPOISON`) instead"
        }
        _ => return None,
    })
}

/// The known name of this release closest to `name`, if any is close.
fn suggest(table: &GfpTable, name: &str) -> Option<&'static str> {
    if name.len() > MAX_SUGGEST_LEN {
        return None;
    }
    let upper = name.to_ascii_uppercase();
    let core = |s: &str| -> String {
        let s = s.trim_start_matches('_');
        s.strip_prefix("GFP_").unwrap_or(s).to_string()
    };
    let wanted_core = core(&upper);
    let mut best: Option<(usize, &'static str)> = None;
    for candidate in table.known_names() {
        let candidate_core = core(candidate);
        let distance =
            levenshtein(&upper, candidate).min(levenshtein(&wanted_core, &candidate_core));
        let limit = (candidate_core.len() / 3).max(1);
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, name)| name)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let a = a.as_bytes();
    let b = b.as_bytes();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, &ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::levenshtein;

    #[test]
    fn edit_distance() {
        assert_eq!(levenshtein("GFP_KERNAL", "GFP_KERNEL"), 1);
        assert_eq!(levenshtein("", "ABC"), 3);
        assert_eq!(levenshtein("ZERO", "ZERO"), 0);
        assert_eq!(levenshtein("NOWAIT", "NOWARN"), 2);
    }
}
