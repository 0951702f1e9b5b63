//! Diagnostics in the style of rustc: a headline, the position, the source
//! line with a caret under the problem, and an optional help line.

use crate::span::{LineIndex, Span};
use std::fmt::Write;

/// One problem found in a script.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    /// What is wrong, in one line.
    pub message: String,
    /// Where it is.
    pub span: Span,
    /// A suggestion, such as "did you mean GFP_KERNEL?".
    pub help: Option<String>,
}

impl Diagnostic {
    /// A diagnostic without help.
    pub fn new(message: impl Into<String>, span: Span) -> Self {
        Diagnostic {
            message: message.into(),
            span,
            help: None,
        }
    }

    /// The diagnostic with a suggestion.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Renders the diagnostic against the source it was found in:
    ///
    /// ```text
    /// error: unexpected character '@'
    ///  --> line 1, column 5
    ///   |
    /// 1 | x = @;
    ///   |     ^
    /// ```
    ///
    /// A line longer than [`MAX_SHOWN_CHARS`] is shown as a window of that
    /// many characters around the problem, with `…` where it is cut.
    pub fn render(&self, source: &str, index: &LineIndex) -> String {
        let start = index.line_col(source, self.span.start);
        let line_text = index.line_text(source, start.line);
        let number = start.line.to_string();
        let gutter = " ".repeat(number.len());
        let line_chars = line_text.chars().count();
        let column = start.column - 1;
        let width = if self.span.end > self.span.start {
            source
                .get(self.span.start..self.span.end.min(source.len()))
                .map_or(1, |s| {
                    s.chars()
                        .take_while(|c| *c != '\n')
                        .take(MAX_SHOWN_CHARS)
                        .count()
                })
        } else {
            1
        }
        .clamp(1, (line_chars + 1).saturating_sub(column).max(1));
        // The window: from a little before the problem, at most
        // MAX_SHOWN_CHARS characters.
        let from = if line_chars > MAX_SHOWN_CHARS {
            column
                .saturating_sub(MAX_SHOWN_CHARS / 4)
                .min(line_chars - MAX_SHOWN_CHARS)
        } else {
            0
        };
        let shown: String = line_text.chars().skip(from).take(MAX_SHOWN_CHARS).collect();
        let before = if from > 0 { "…" } else { "" };
        let after = if from + MAX_SHOWN_CHARS < line_chars {
            "…"
        } else {
            ""
        };
        let caret_at = column - from + before.chars().count();
        let width = width.min((MAX_SHOWN_CHARS + 1).saturating_sub(column - from).max(1));
        let mut out = String::new();
        let _ = writeln!(out, "error: {}", self.message);
        let _ = writeln!(
            out,
            "{gutter}--> line {}, column {}",
            start.line, start.column
        );
        let _ = writeln!(out, "{gutter} |");
        let _ = writeln!(out, "{number} | {before}{shown}{after}");
        let _ = write!(
            out,
            "{gutter} | {}{}",
            " ".repeat(caret_at),
            "^".repeat(width)
        );
        if let Some(help) = &self.help {
            let _ = write!(out, "\n{gutter} = help: {help}");
        }
        out
    }
}

/// The most characters of a source line a rendered diagnostic shows.
pub const MAX_SHOWN_CHARS: usize = 100;

impl From<crate::lexer::LexError> for Diagnostic {
    fn from(error: crate::lexer::LexError) -> Self {
        Diagnostic::new(error.message, error.span)
    }
}

/// Lexes and parses `source` and returns its diagnostics (empty when it is
/// clean).
pub fn check(source: &str) -> Vec<Diagnostic> {
    crate::parser::parse(source).errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_with_caret_under_the_problem() {
        let src = "p = kmalloc(64, GFP_KERNEL);\nx = 12 @ 3;\n";
        let diags = check(src);
        assert_eq!(diags.len(), 1);
        let text = diags[0].render(src, &LineIndex::new(src));
        assert_eq!(
            text,
            "error: unexpected character '@'\n --> line 2, column 8\n  |\n2 | x = 12 @ 3;\n  |        ^"
        );
    }

    #[test]
    fn multi_character_spans_and_help() {
        let src = "flags = GFP_KERNAL;";
        let mut diag = Diagnostic::new("unknown flag GFP_KERNAL", Span::new(8, 18));
        diag.help = Some("did you mean GFP_KERNEL?".into());
        assert_eq!(
            diag.render(src, &LineIndex::new(src)),
            "error: unknown flag GFP_KERNAL\n --> line 1, column 9\n  |\n1 | flags = GFP_KERNAL;\n  |         ^^^^^^^^^^\n  = help: did you mean GFP_KERNEL?"
        );
    }

    #[test]
    fn long_lines_are_shown_as_a_window_around_the_problem() {
        let src = format!("x = {}@{};", "1 + ".repeat(500), " + 1".repeat(500));
        let diags = check(&src);
        let text = diags[0].render(&src, &LineIndex::new(&src));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[1], " --> line 1, column 2005");
        let shown = lines[3].strip_prefix("1 | ").unwrap();
        assert!(shown.starts_with('…') && shown.ends_with('…'), "{shown}");
        assert_eq!(shown.chars().count(), MAX_SHOWN_CHARS + 2);
        // The caret is under the `@`.
        let caret = lines[4].find('^').unwrap();
        assert_eq!(lines[3].chars().nth(caret), Some('@'));
        // A problem near the start of a long line: no leading `…`.
        let src = format!("@{}", " ".repeat(1000));
        let text = check(&src)[0].render(&src, &LineIndex::new(&src));
        assert!(text.contains("1 | @ ") && text.ends_with("  | ^"), "{text}");
    }

    #[test]
    fn spans_at_the_end_and_across_lines() {
        let src = "s = \"open\nnext";
        let diags = check(src);
        let text = diags[0].render(src, &LineIndex::new(src));
        assert!(text.ends_with("1 | s = \"open\n  |     ^^^^^"), "{text}");
        let eof = Diagnostic::new("expected `;`", Span::new(src.len(), src.len()));
        assert!(eof
            .render(src, &LineIndex::new(src))
            .contains("line 2, column 5"));
    }
}
