//! Explaining pasted kernel log text (`kmem decode`).
//!
//! Recognised reports, in the wording of every release from 4.9 to 6.12
//! (the formats are those [`crate::report`] and [`crate::kernel`] print,
//! which were read from the release trees):
//! - `warn_alloc()`'s "page allocation failure: order:N, mode:…" with the
//!   Mem-Info that follows it (mm/page_alloc.c, mm/show_mem.c);
//! - vmalloc failures: 4.19's "vmalloc: allocation failure…" and 5.x/6.x's
//!   "vmalloc error: size N, …" (mm/vmalloc.c);
//! - "BUG: sleeping function called from invalid context" and "BUG:
//!   scheduling while atomic" (kernel/sched/core.c);
//! - SLUB's `slab_bug()` reports, "BUG <cache> (…): <what>" (mm/slub.c);
//! - `kernel BUG at file:line!`, page-fault oopses and general protection
//!   faults (arch/x86/mm/fault.c, arch/x86/kernel/traps.c);
//! - kmalloc's "Unexpected gfp: … Fix your code!".
//!
//! The release comes from the `CPU: … Not tainted <release>` or
//! `Tainted: … <release>` line unless the caller names one. Lines may carry
//! printk timestamps, caller ids, `<N>` levels or a syslog/journal prefix,
//! and a report quoted in a mail (`> `, quoted-printable, lines wrapped by
//! the mail client) reads as the original (see [`mail`]).

mod mail;
mod meminfo;
mod reports;

use crate::gfp::GfpTable;
use crate::profile::{Release, VersionError};

/// What a pasted log says, explained.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Decoding {
    /// The release the text was decoded for.
    pub release: Release,
    /// Where that release came from.
    pub release_source: ReleaseSource,
    /// One entry per recognised report, in log order.
    pub findings: Vec<Finding>,
}

/// Where the release of a decoding came from.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub enum ReleaseSource {
    /// The caller named it (`--kernel`).
    Given,
    /// A `CPU: …` line of the log, at this 1-based line.
    Detected {
        /// The line.
        line: usize,
    },
    /// The log names a release newer than the flag tables; the newest
    /// table (this release) was used instead.
    Newer {
        /// The line naming it.
        line: usize,
        /// What it named.
        named: Release,
    },
    /// The caller named a release newer than the flag tables; the newest
    /// table (this release) was used instead.
    GivenNewer {
        /// What the caller named.
        named: Release,
    },
    /// No line names one: the playground's default release.
    Assumed,
}

/// One recognised report, explained.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// The 1-based line where the report starts.
    pub line: usize,
    /// What it is, in one line.
    pub title: String,
    /// What the report says, decoded: one statement per entry.
    pub facts: Vec<String>,
    /// What the caller could do instead.
    pub advice: Vec<String>,
}

/// The longest log text [`decode`] reads, in bytes: 4 MiB, sixteen times
/// the printk ring buffer of a distribution kernel (`CONFIG_LOG_BUF_SHIFT`
/// 17 or 18, 128 or 256 KiB), so a whole dmesg fits, while the decoder's
/// memory stays bounded. Callers that read a file or a stream read at most
/// one byte more, to know the text was longer.
pub const MAX_LOG_BYTES: usize = 4 << 20;

/// Why a log was not decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// The text is longer than [`MAX_LOG_BYTES`].
    TooLong,
    /// The release (given, or named by the log) has no flag table.
    Version(VersionError),
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::TooLong => write!(
                f,
                "the log is longer than {}, the most the decoder reads; keep the part around the report",
                human(MAX_LOG_BYTES as u64)
            ),
            DecodeError::Version(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for DecodeError {}

/// Decodes `log` for `given`, or for the release its `CPU:` line names.
/// A release older than the flag tables (4.9) and a text longer than
/// [`MAX_LOG_BYTES`] are refused.
pub fn decode(log: &str, given: Option<Release>) -> Result<Decoding, DecodeError> {
    if log.len() > MAX_LOG_BYTES {
        return Err(DecodeError::TooLong);
    }
    let unwrapped = mail::unwrap(log);
    let lines: Vec<LogLine> = unwrapped
        .iter()
        .map(|(number, raw)| LogLine {
            number: *number,
            text: strip_prefixes(raw),
        })
        .collect();
    let (release, release_source) = match given {
        Some(named) if GfpTable::is_after_tables(named) => {
            (GfpTable::newest(), ReleaseSource::GivenNewer { named })
        }
        Some(release) => (release, ReleaseSource::Given),
        None => match detect_release(&lines) {
            Some((line, named)) if GfpTable::is_after_tables(named) => {
                (GfpTable::newest(), ReleaseSource::Newer { line, named })
            }
            Some((line, release)) => (release, ReleaseSource::Detected { line }),
            None => (
                crate::profile::Profile::default_profile().release(),
                ReleaseSource::Assumed,
            ),
        },
    };
    let table = GfpTable::for_release(release).map_err(DecodeError::Version)?;
    let findings = reports::find(&lines, release, table);
    Ok(Decoding {
        release,
        release_source,
        findings,
    })
}

impl Decoding {
    /// The decoding as text: the release line, then each finding with its
    /// facts and advice; or why there was nothing to decode.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let source = match &self.release_source {
            ReleaseSource::Given => "as given".to_string(),
            ReleaseSource::Detected { line } => format!("from line {line}"),
            ReleaseSource::Newer { line, named } => format!(
                "line {line} names {named}, newer than the flag tables: decoded with {}'s flags, which may differ",
                self.release
            ),
            ReleaseSource::GivenNewer { named } => format!(
                "{named} is newer than the flag tables: decoded with {}'s flags, which may differ",
                self.release
            ),
            ReleaseSource::Assumed => {
                "assumed: no `CPU: … Not tainted <release>` line; give --kernel V".to_string()
            }
        };
        out.push_str(&format!("kernel {} ({source})\n", self.release));
        if self.findings.is_empty() {
            out.push_str(NOTHING_TO_DECODE);
            out.push('\n');
        }
        for f in &self.findings {
            out.push_str(&format!("\nline {}: {}\n", f.line, f.title));
            for fact in &f.facts {
                out.push_str(&format!("  {fact}\n"));
            }
            if !f.advice.is_empty() {
                out.push_str("  what to do instead:\n");
                for a in &f.advice {
                    out.push_str(&format!("  - {a}\n"));
                }
            }
        }
        out
    }
}

/// The answer for text with no report in it.
pub const NOTHING_TO_DECODE: &str = "nothing to decode: no page allocation failure, vmalloc failure, \"sleeping function called from invalid context\", \"scheduling while atomic\", SLUB report (BUG <cache> …), kernel BUG, oops or \"Unexpected gfp\" line in the text";

/// A log line without its prefixes, and where it was.
#[derive(Clone, Copy, Debug)]
struct LogLine<'a> {
    number: usize,
    text: &'a str,
}

/// Strips a syslog/journal prefix (`… kernel: `), a `<N>` level, and
/// printk's `[ seconds]` timestamp and `[ T123]`/`[ C1]` caller id.
fn strip_prefixes(raw: &str) -> &str {
    let mut s = raw.trim_end();
    if let Some(i) = s.find("kernel: ") {
        if i < 80 {
            s = &s[i + "kernel: ".len()..];
        }
    }
    if let Some(rest) = s.strip_prefix('<') {
        if let Some(end) = rest.find('>') {
            if (1..=2).contains(&end) && rest[..end].bytes().all(|b| b.is_ascii_digit()) {
                s = &rest[end + 1..];
            }
        }
    }
    loop {
        let t = s.trim_start();
        let Some(rest) = t.strip_prefix('[') else {
            break;
        };
        let Some(end) = rest.find(']') else {
            break;
        };
        let inner = rest[..end].trim();
        let stamp = !inner.is_empty()
            && inner.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            && inner.contains('.');
        let caller = inner.len() > 1
            && inner.starts_with(['T', 'C'])
            && inner[1..].bytes().all(|b| b.is_ascii_digit());
        if !(stamp || caller) {
            break;
        }
        let after = &rest[end + 1..];
        s = after.strip_prefix(' ').unwrap_or(after);
    }
    s
}

/// Whether `raw` starts with a prefix a log line carries (`… kernel: `,
/// `<N>`, `[ seconds]`, `[ T123]`).
fn has_log_prefix(raw: &str) -> bool {
    strip_prefixes(raw).as_ptr() != raw.as_ptr()
}

/// The release a `CPU: 0 PID: 1 Comm: x Not tainted 6.6.0 #1` (or
/// `Tainted: G W 6.6.0 #1`) line names, and the line.
fn detect_release(lines: &[LogLine]) -> Option<(usize, Release)> {
    lines.iter().find_map(|l| {
        let t = l.text.trim();
        if !t.contains("Comm: ") {
            return None;
        }
        let after = t
            .split_once("Not tainted ")
            .or_else(|| t.split_once("Tainted: "))?
            .1;
        after
            .split_whitespace()
            .filter(|w| w.starts_with(|c: char| c.is_ascii_digit()) && w.contains('.'))
            .find_map(|w| Release::parse(w).ok())
            .map(|r| (l.number, r))
    })
}

/// `n` bytes in the largest binary unit it reaches (`128 KiB`, `4 MiB`,
/// `1.5 GiB`, `100 bytes`).
fn human(n: u64) -> String {
    const UNITS: [(u64, &str); 5] = [
        (1 << 50, "PiB"),
        (1 << 40, "TiB"),
        (1 << 30, "GiB"),
        (1 << 20, "MiB"),
        (1 << 10, "KiB"),
    ];
    match UNITS.into_iter().find(|&(unit, _)| n >= unit) {
        Some((unit, name)) if n % unit == 0 => format!("{} {name}", n / unit),
        Some((unit, name)) => format!("{:.1} {name}", n as f64 / unit as f64),
        None => format!("{n} bytes"),
    }
}

#[cfg(test)]
mod tests;
