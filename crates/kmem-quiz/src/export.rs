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

/// RFC 4180 field quoting.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
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
