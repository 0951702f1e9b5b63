//! The kernel log: lines with `[    0.123456]` timestamps from a
//! deterministic simulated clock, and the reports the simulator writes in
//! each release's wording.
//!
//! Kernel rules modelled: `print_time()` (kernel/printk/printk.c) prints
//! `[%5lu.%06lu] `; `print_tainted()` (kernel/panic.c) prints `Not tainted`
//! or `Tainted: ` followed by one character per taint flag (the flag's
//! letter when set, `G` or a space when not), 18 flags in 4.19 and 19 from
//! 5.17 on (TAINT_TEST).

use std::fmt;

/// `KERN_*` log levels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum Level {
    /// KERN_EMERG
    Emerg = 0,
    /// KERN_ALERT
    Alert,
    /// KERN_CRIT
    Crit,
    /// KERN_ERR
    Err,
    /// KERN_WARNING
    Warning,
    /// KERN_NOTICE
    Notice,
    /// KERN_INFO
    Info,
    /// KERN_DEBUG
    Debug,
}

/// One line of the kernel log.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LogLine {
    /// Nanoseconds since boot.
    pub time_ns: u64,
    /// Log level.
    pub level: Level,
    /// The text, without timestamp.
    pub text: String,
}

impl fmt::Display for LogLine {
    /// `[%5lu.%06lu] text`, as dmesg shows it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.time_ns / 1_000_000_000;
        let usecs = (self.time_ns % 1_000_000_000) / 1_000;
        write!(f, "[{secs:5}.{usecs:06}] {}", self.text)
    }
}

/// Taint flags (`enum taint_flags` order, include/linux/panic.h /
/// kernel.h), with the letters `print_tainted()` shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Taint {
    /// TAINT_BAD_PAGE: `B`.
    BadPage = 5,
    /// TAINT_DIE: `D` (an oops happened).
    Die = 7,
    /// TAINT_WARN: `W`.
    Warn = 9,
    /// TAINT_OOT_MODULE: `O`, set when a module built outside the tree
    /// loads (`module_augment_kernel_taints()`, kernel/module/main.c@6.6.57;
    /// `check_modinfo()`, kernel/module.c@4.19.255).
    OotModule = 12,
}

/// `taint_flags[]` (kernel/panic.c@6.12.19:495-513): the letter when set,
/// the letter when not, and the name `print_tainted_verbose()` prints.
const TAINT_FLAGS: [(char, char, &str); 19] = [
    ('P', 'G', "PROPRIETARY_MODULE"),
    ('F', ' ', "FORCED_MODULE"),
    ('S', ' ', "CPU_OUT_OF_SPEC"),
    ('R', ' ', "FORCED_RMMOD"),
    ('M', ' ', "MACHINE_CHECK"),
    ('B', ' ', "BAD_PAGE"),
    ('U', ' ', "USER"),
    ('D', ' ', "DIE"),
    ('A', ' ', "OVERRIDDEN_ACPI_TABLE"),
    ('W', ' ', "WARN"),
    ('C', ' ', "CRAP"),
    ('I', ' ', "FIRMWARE_WORKAROUND"),
    ('O', ' ', "OOT_MODULE"),
    ('E', ' ', "UNSIGNED_MODULE"),
    ('L', ' ', "SOFTLOCKUP"),
    ('K', ' ', "LIVEPATCH"),
    ('X', ' ', "AUX"),
    ('T', ' ', "RANDSTRUCT"),
    ('N', ' ', "TEST"),
];

/// The set of taint flags of a kernel.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TaintSet(u32);

impl TaintSet {
    /// Adds a flag.
    pub fn add(&mut self, taint: Taint) {
        self.0 |= 1 << taint as u32;
    }

    /// True when nothing is set.
    pub fn is_clean(&self) -> bool {
        self.0 == 0
    }

    fn flags(
        &self,
        flag_count: usize,
    ) -> impl Iterator<Item = (bool, &'static (char, char, &'static str))> + '_ {
        TAINT_FLAGS[..flag_count.min(TAINT_FLAGS.len())]
            .iter()
            .enumerate()
            .map(|(i, flag)| (self.0 & (1 << i) != 0, flag))
    }

    /// `print_tainted()` for a release with `flag_count` taint flags.
    pub fn describe(&self, flag_count: usize) -> String {
        if self.0 == 0 {
            return "Not tainted".into();
        }
        let letters: String = self
            .flags(flag_count)
            .map(|(set, &(on, off, _))| if set { on } else { off })
            .collect();
        format!("Tainted: {letters}")
    }

    /// `print_tainted_verbose()` (6.10+): `Tainted: [W]=WARN, [O]=OOT_MODULE`.
    pub fn describe_verbose(&self, flag_count: usize) -> String {
        if self.0 == 0 {
            return "Not tainted".into();
        }
        let names: Vec<String> = self
            .flags(flag_count)
            .filter(|(set, _)| *set)
            .map(|(_, (letter, _, name))| format!("[{letter}]={name}"))
            .collect();
        format!("Tainted: {}", names.join(", "))
    }
}

/// The kernel log and its clock.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Log {
    lines: Vec<LogLine>,
    now_ns: u64,
}

impl Log {
    /// An empty log whose clock reads `start_ns`.
    pub fn starting_at(start_ns: u64) -> Log {
        Log {
            lines: Vec::new(),
            now_ns: start_ns,
        }
    }

    /// The clock, in nanoseconds since boot.
    pub fn now_ns(&self) -> u64 {
        self.now_ns
    }

    /// Advances the clock.
    pub fn advance(&mut self, ns: u64) {
        self.now_ns = self.now_ns.saturating_add(ns);
    }

    /// Sets the clock (boot messages are printed at their own times).
    pub fn set_now(&mut self, ns: u64) {
        self.now_ns = ns;
    }

    /// Appends a line at the current time.
    pub fn push(&mut self, level: Level, text: impl Into<String>) {
        self.lines.push(LogLine {
            time_ns: self.now_ns,
            level,
            text: text.into(),
        });
    }

    /// Every line so far.
    pub fn lines(&self) -> &[LogLine] {
        &self.lines
    }

    /// Number of lines so far (an event's lines are those after a mark).
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// True when nothing was logged.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// The whole log as `dmesg` prints it.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for line in &self.lines {
            out.push_str(&line.to_string());
            out.push('\n');
        }
        out
    }
}

/// `struct ratelimit_state` and `___ratelimit()` (lib/ratelimit.c): at most
/// `burst` messages per `interval_ns`; when a new interval starts after
/// suppressions, the kernel logs "`<func>`: N callbacks suppressed".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ratelimit {
    interval_ns: u64,
    burst: u32,
    begin_ns: Option<u64>,
    printed: u32,
    missed: u32,
}

impl Ratelimit {
    /// A ratelimit of `burst` messages per `interval_ns`.
    pub const fn new(interval_ns: u64, burst: u32) -> Self {
        Ratelimit {
            interval_ns,
            burst,
            begin_ns: None,
            printed: 0,
            missed: 0,
        }
    }

    /// Whether a message may be printed at `now_ns`, and the number of
    /// suppressed messages to report first (non-zero only when a new
    /// interval starts after suppressions).
    pub fn allow(&mut self, now_ns: u64) -> (bool, u32) {
        let begin = *self.begin_ns.get_or_insert(now_ns);
        let mut suppressed = 0;
        if now_ns >= begin + self.interval_ns {
            suppressed = self.missed;
            self.missed = 0;
            self.begin_ns = Some(now_ns);
            self.printed = 0;
        }
        if self.printed < self.burst {
            self.printed += 1;
            (true, suppressed)
        } else {
            self.missed += 1;
            (false, suppressed)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratelimit_allows_a_burst_per_interval() {
        let mut rl = Ratelimit::new(1_000, 2);
        assert_eq!(rl.allow(0), (true, 0));
        assert_eq!(rl.allow(10), (true, 0));
        assert_eq!(rl.allow(20), (false, 0));
        assert_eq!(rl.allow(30), (false, 0));
        assert_eq!(rl.allow(1_000), (true, 2));
    }

    #[test]
    fn timestamps_like_dmesg() {
        let mut log = Log::starting_at(0);
        log.push(Level::Info, "Linux version 6.6.0");
        log.advance(2_345_678_912);
        log.push(Level::Warning, "x");
        log.set_now(123_456 * 1_000_000_000 + 7_000);
        log.push(Level::Warning, "y");
        assert_eq!(
            log.render(),
            "[    0.000000] Linux version 6.6.0\n[    2.345678] x\n[123456.000007] y\n"
        );
    }

    #[test]
    fn taint_strings() {
        let mut t = TaintSet::default();
        assert_eq!(t.describe(18), "Not tainted");
        t.add(Taint::Warn);
        assert_eq!(t.describe(18), "Tainted: G        W        ");
        assert_eq!(t.describe(19), "Tainted: G        W         ");
        t.add(Taint::Die);
        assert_eq!(t.describe(18), "Tainted: G      D W        ");
        t.add(Taint::OotModule);
        // A 4.19 oops after a WARN in an out-of-tree module's init.
        assert_eq!(t.describe(18), "Tainted: G      D W  O     ");
        assert_eq!(
            t.describe_verbose(19),
            "Tainted: [D]=DIE, [W]=WARN, [O]=OOT_MODULE"
        );
    }
}
