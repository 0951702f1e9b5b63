//! Quizzes for kmem playground: questions whose keys are computed by running
//! the simulator, and the grading of learners' answers.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod answer;

pub use answer::{grade, parse_number, Expected, Grade};
