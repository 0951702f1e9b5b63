//! Tolerant reading of a learner's answer.
//!
//! Numbers may be typed in hex or decimal, with or without `0x`, in any case,
//! with spaces around them or `_` between digits; text answers ignore case
//! and runs of whitespace. An answer that cannot be read at all is
//! [`Grade::Malformed`], with a hint on the expected form; it costs the
//! learner no attempt.

/// The key of a question, as computed from a simulator run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expected {
    /// A number. `hex_by_default` says how digits without a prefix are read:
    /// addresses and masks are read as hex, sizes and counts as decimal.
    Number {
        /// The correct value.
        value: u64,
        /// Read unprefixed digits as hex.
        hex_by_default: bool,
    },
    /// A word or line of text, such as a cache name or a `%pGg` string.
    Text(String),
}

/// The outcome of checking one answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Grade {
    /// The answer equals the key.
    Correct,
    /// The answer was read, and differs from the key.
    Wrong,
    /// The answer could not be read; the hint says what form is expected.
    Malformed(String),
}

/// Reads a number as a learner types it. Unprefixed digits are hex when
/// `hex_by_default` is set or when they contain a hex letter.
pub fn parse_number(input: &str, hex_by_default: bool) -> Option<u64> {
    let cleaned: String = input
        .trim()
        .chars()
        .filter(|c| *c != '_' && !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    let (digits, radix) = match cleaned.strip_prefix("0x") {
        Some(hex) => (hex, 16),
        None if hex_by_default
            || cleaned
                .chars()
                .any(|c| c.is_ascii_hexdigit() && c.is_ascii_alphabetic()) =>
        {
            (cleaned.as_str(), 16)
        }
        None => (cleaned.as_str(), 10),
    };
    if digits.is_empty() {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

fn normalize_text(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Grades `input` against `expected`.
pub fn grade(expected: &Expected, input: &str) -> Grade {
    match expected {
        Expected::Number {
            value,
            hex_by_default,
        } => match parse_number(input, *hex_by_default) {
            Some(given) if given == *value => Grade::Correct,
            Some(_) => Grade::Wrong,
            None if *hex_by_default => {
                Grade::Malformed("expected a hexadecimal number, such as 0xffff888000001000".into())
            }
            None => Grade::Malformed("expected a number, such as 4096 or 0x1000".into()),
        },
        Expected::Text(key) => {
            let given = normalize_text(input);
            if given.is_empty() {
                Grade::Malformed("expected an answer; the box is empty".into())
            } else if given == normalize_text(key) {
                Grade::Correct
            } else {
                Grade::Wrong
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADDRESS: Expected = Expected::Number {
        value: 0xffff_8880_0000_1000,
        hex_by_default: true,
    };

    #[test]
    fn addresses_in_any_form() {
        for typed in [
            "0xffff888000001000",
            "0XFFFF888000001000",
            "  ffff888000001000 ",
            "ffff_8880_0000_1000",
        ] {
            assert_eq!(grade(&ADDRESS, typed), Grade::Correct, "{typed:?}");
        }
        assert_eq!(grade(&ADDRESS, "0xffff888000002000"), Grade::Wrong);
        assert!(matches!(grade(&ADDRESS, "0xzz"), Grade::Malformed(_)));
        assert!(matches!(grade(&ADDRESS, ""), Grade::Malformed(_)));
    }

    #[test]
    fn sizes_are_decimal_unless_marked() {
        let size = Expected::Number {
            value: 4096,
            hex_by_default: false,
        };
        assert_eq!(grade(&size, "4096"), Grade::Correct);
        assert_eq!(grade(&size, "0x1000"), Grade::Correct);
        assert_eq!(grade(&size, "1000"), Grade::Wrong);
        // A hex letter makes the intent unambiguous.
        assert_eq!(parse_number("1f", false), Some(0x1f));
        assert_eq!(parse_number("99999999999999999999", false), None);
    }

    #[test]
    fn text_ignores_case_and_spacing() {
        let cache = Expected::Text("kmalloc-128".into());
        assert_eq!(grade(&cache, " KMALLOC-128 "), Grade::Correct);
        assert_eq!(grade(&cache, "kmalloc-96"), Grade::Wrong);
        assert!(matches!(grade(&cache, "   "), Grade::Malformed(_)));
    }
}
