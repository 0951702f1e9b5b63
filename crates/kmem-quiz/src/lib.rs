//! Quizzes for kmem playground: questions whose keys are computed by running
//! the simulator, and the grading of learners' answers.
//!
//! A quiz is a Markdown file (`FORMAT.md`): predict a value, choose an
//! option, fix a script until assertions hold, or a seeded family of
//! generated questions. [`check`] reads a quiz and runs every question, so
//! that a teacher sees unknown fields, failing scripts and ambiguous
//! questions before learners do.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod answer;
pub mod bank;
pub mod export;
pub mod format;
pub mod generate;
pub mod key;

pub use answer::{grade, parse_number, Expected, Grade};
pub use format::{parse, Kind, Problem, Question, Quiz};
pub use key::{Check, Key, Runner};

/// Reads a quiz and computes every key (generated questions for seeds 0 to
/// 9): the quiz, and every problem found.
pub fn check(text: &str) -> (Quiz, Vec<Problem>) {
    let (quiz, mut problems) = parse(text);
    let mut runner = Runner::new();
    for q in &quiz.questions {
        let seeds: Vec<u64> = if q.kind == Kind::Generate && q.family.is_some() {
            (0..10).collect()
        } else {
            vec![0]
        };
        for seed in seeds {
            let q = generate::instantiate(q, seed);
            let result = match q.kind {
                Kind::Predict | Kind::Choose if q.ask.is_some() => runner.key(&q).map(|_| ()),
                Kind::Fix => match &q.script {
                    Some(script) => runner.run(&q.machine, script).map(|_| ()),
                    None => Ok(()),
                },
                _ => Ok(()),
            };
            if let Err(message) = result {
                let message = if q.family.is_some() {
                    format!("seed {seed}: {message}")
                } else {
                    message
                };
                problems.push(Problem {
                    line: q.line,
                    message,
                });
            }
        }
    }
    problems.sort_by_key(|p| p.line);
    (quiz, problems)
}
