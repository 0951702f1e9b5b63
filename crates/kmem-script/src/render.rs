//! A trace as text, the way `kmem run` prints it and the example goldens
//! keep it: each call's line number and source, its result and summary,
//! and the kernel log lines it produced (or the text it printed).

use std::fmt::Write;

use kmem::kernel::Outcome;

use crate::interp::Trace;
use crate::span::LineIndex;

/// Renders the steps of `trace`, the run of `source` (a mistake that
/// stopped the run is the caller's to show, as a diagnostic).
pub fn trace_text(source: &str, trace: &Trace) -> String {
    let index = LineIndex::new(source);
    let mut out = String::new();
    let _ = writeln!(out, "# {}", trace.kernel.profile().describe());
    for step in &trace.steps {
        let at = index.line_col(source, step.span.start);
        let text = source.get(step.span.start..step.span.end).unwrap_or("");
        let _ = writeln!(out, "{:>4} | {text}", at.line);
        match &step.event {
            Some(event) => {
                let result = match &event.outcome {
                    Outcome::Ok => format!("{:#x}", step.value),
                    Outcome::Refused(why) => format!("{:#x} (Refused: {why})", step.value),
                    other => format!("{:#x} ({other:?})", step.value),
                };
                if event.summary.is_empty() {
                    let _ = writeln!(out, "     = {result}");
                } else {
                    let _ = writeln!(out, "     = {result}  {}", event.summary);
                }
                for line in &event.log {
                    let _ = writeln!(out, "     {line}");
                }
            }
            None if !step.walk.is_empty() => {
                let _ = writeln!(out, "     = {:#x}", step.value);
            }
            None => {
                for line in step.output.lines() {
                    let _ = writeln!(out, "     {line}");
                }
            }
        }
    }
    out
}
