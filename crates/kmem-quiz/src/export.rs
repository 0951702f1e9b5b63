//! Exporting a quiz: Moodle GIFT and CSV (seed, question, answer). Keys
//! are computed, never copied from the file.

use crate::format::{Kind, Quiz};
use crate::generate::variants;
use crate::key::Runner;

/// GIFT escapes `~ = # { } :` and backslashes.
fn gift_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '~' | '=' | '#' | '{' | '}' | ':' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The question's text with its script, as plain text.
fn question_text(prompt: &str, body: &str, script: Option<&str>) -> String {
    let mut text = prompt.to_string();
    if !body.trim().is_empty() {
        text.push_str("\n\n");
        text.push_str(body.trim());
    }
    if let Some(script) = script {
        text.push_str("\n\n");
        text.push_str(script.trim_end());
    }
    text
}

/// The quiz as Moodle GIFT: predict questions as short answers, choose
/// questions as multiple choice, with the explanation as general
/// feedback. Fix questions need the playground and are left out (a
/// comment says so). Generated questions are exported for `seeds`.
pub fn gift(quiz: &Quiz, seeds: std::ops::Range<u64>) -> Result<String, String> {
    let mut runner = Runner::new();
    let mut out = format!(
        "// {}\n// exported by kmem quiz export; keys computed by the simulator\n\n",
        quiz.title
    );
    for (n, q) in quiz.questions.iter().enumerate() {
        for (seed, q) in variants(q, seeds.clone()) {
            if q.kind == Kind::Fix {
                out.push_str(&format!(
                    "// question {}: \"{}\" is a fix question, answered in the playground\n\n",
                    n + 1,
                    q.prompt
                ));
                continue;
            }
            let key = runner
                .key(&q)
                .map_err(|e| format!("question {} (line {}): {e}", n + 1, q.line))?;
            let title = match seed {
                Some(s) => format!("{} (seed {s})", q.prompt),
                None => q.prompt.clone(),
            };
            let text = gift_escape(&question_text(&title, &q.body, q.script.as_deref()))
                .replace('\n', "\\n");
            let answers = match key.correct {
                Some(correct) => key
                    .options
                    .iter()
                    .enumerate()
                    .map(|(i, o)| {
                        format!("{}{}", if i == correct { "=" } else { "~" }, gift_escape(o))
                    })
                    .collect::<Vec<_>>()
                    .join(" "),
                None => format!("={}", gift_escape(&key.shown)),
            };
            out.push_str(&format!(
                "::{}::[markdown]{} {{\n\t{}\n\t####{}\n}}\n\n",
                gift_escape(&title),
                text,
                answers,
                gift_escape(&q.explain)
            ));
        }
    }
    Ok(out)
}

/// A CSV field, quoted as RFC 4180 asks and safe to open in a
/// spreadsheet. A cell that a spreadsheet could read as a formula (its
/// first character after any spaces is `=`, `+`, `-`, `@`, their
/// full-width forms, a tab, a carriage return or a newline) gets a leading
/// `'` and is quoted, as OWASP's page on CSV injection advises. A plain
/// decimal number (`-1`, `4096`) is a value, not a formula, and is kept.
fn csv_field(text: &str) -> String {
    let formula = text
        .trim_start_matches(' ')
        .starts_with(['=', '+', '-', '@', '\t', '\r', '\n', '＝', '＋', '－', '＠']);
    let number = text
        .strip_prefix('-')
        .is_some_and(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()));
    if formula && !number {
        format!("\"'{}\"", text.replace('"', "\"\""))
    } else if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// The quiz as CSV: `seed,question,answer`, a row per question (per seed
/// for generated ones; the seed is empty otherwise). Fix questions have
/// their assertions as the answer.
pub fn csv(quiz: &Quiz, seeds: std::ops::Range<u64>) -> Result<String, String> {
    let mut runner = Runner::new();
    let mut out = String::from("seed,question,answer\n");
    for (n, q) in quiz.questions.iter().enumerate() {
        for (seed, q) in variants(q, seeds.clone()) {
            let answer = if q.kind == Kind::Fix {
                format!("goal: {}", q.goal.clone().unwrap_or_default())
            } else {
                runner
                    .key(&q)
                    .map_err(|e| format!("question {} (line {}): {e}", n + 1, q.line))?
                    .shown
            };
            out.push_str(&format!(
                "{},{},{}\n",
                seed.map(|s| s.to_string()).unwrap_or_default(),
                csv_field(&question_text(&q.prompt, &q.body, q.script.as_deref())),
                csv_field(&answer)
            ));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn csv_cells_that_a_spreadsheet_would_evaluate_are_neutralised() {
        assert_eq!(csv_field("=1+1"), "\"'=1+1\"");
        assert_eq!(
            csv_field("=HYPERLINK(\"http://x\",\"y\")"),
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""
        );
        for cell in [
            "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1", "\n=1", "  =1", "＝1", "＋1", "－1", "＠x",
            "-0x10",
        ] {
            assert_eq!(csv_field(cell), format!("\"'{cell}\""), "{cell:?}");
        }
    }

    #[test]
    fn csv_keeps_numbers_and_plain_text() {
        assert_eq!(csv_field("-1"), "-1");
        assert_eq!(csv_field("-4096"), "-4096");
        assert_eq!(csv_field("4096"), "4096");
        assert_eq!(csv_field("kmalloc-128"), "kmalloc-128");
        assert_eq!(csv_field("0xffff888000000000"), "0xffff888000000000");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("-"), "\"'-\"");
        assert_eq!(csv_field("a=b"), "a=b");
    }
}
