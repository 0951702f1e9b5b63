//! Showing user text safely: the characters that would act on a terminal
//! or hide and reorder text instead of showing up, written as escapes.
//!
//! Scripts, their output and pasted logs are user text. Printed raw, an
//! ESC sequence from a `printk` retitles or clears the reader's terminal,
//! and a bidi override makes a line read differently from what it holds.

use std::borrow::Cow;

/// Whether `c` is hidden: a control character other than newline and tab
/// (C0, DEL, C1), a bidi control (U+061C, U+200E–U+200F, U+202A–U+202E,
/// U+2066–U+2069), or another invisible format character (soft hyphen,
/// zero-width space and joiners, word joiner and invisible operators,
/// line and paragraph separators, byte order mark, interlinear
/// annotation marks, tag characters).
pub fn is_hidden(c: char) -> bool {
    matches!(c,
        '\0'..='\x08' | '\x0b'..='\x1f' | '\x7f'..='\u{9f}'
        | '\u{ad}' | '\u{61c}' | '\u{180e}' | '\u{200b}'..='\u{200f}'
        | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206f}'
        | '\u{feff}' | '\u{fff9}'..='\u{fffb}' | '\u{e0000}'..='\u{e007f}')
}

/// `text` with every [hidden](is_hidden) character written as an escape:
/// `\x1b` for the ASCII controls and DEL, `\u{202e}` for the others.
/// Everything else, backslashes included, is kept as it is, so ordinary
/// text (and the `\n` written in a script's source) reads unchanged.
pub fn visible(text: &str) -> Cow<'_, str> {
    if !text.contains(is_hidden) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            c if c.is_ascii() && is_hidden(c) => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if is_hidden(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_invisible_characters_are_escaped() {
        assert_eq!(
            visible("\x1b]0;pwned\x07\x1b[2J"),
            "\\x1b]0;pwned\\x07\\x1b[2J"
        );
        assert_eq!(visible("a\rb\0c\x7f"), "a\\x0db\\x00c\\x7f");
        assert_eq!(visible("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(
            visible("if (x) /*\u{202e} } \u{2066}*/"),
            "if (x) /*\\u{202e} } \\u{2066}*/"
        );
        assert_eq!(visible("a\u{200b}b\u{feff}"), "a\\u{200b}b\\u{feff}");
        assert_eq!(visible("tag\u{e0041}"), "tag\\u{e0041}");
    }

    #[test]
    fn ordinary_text_is_kept_as_it_is() {
        let text = "line 1\tcol\n\"%d\\n\" é ü 中文 ‐ 🙂\n";
        assert!(matches!(visible(text), Cow::Borrowed(t) if t == text));
    }
}
