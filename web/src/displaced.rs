//! Work the page replaced: every path that puts other text in the editor
//! (a link, an example, an import, a quiz, another tab's newer work, a
//! restore) first keeps what it displaces here, newest first, so that a
//! person's script is never lost to a click. The list is small (the
//! newest [`MAX_ENTRIES`]) and lives in localStorage beside the autosave.
//!
//! Its text form, for storage:
//!
//! ```text
//! kmem-displaced 1
//! <ms since 1970> <why> <offered 0|1> <bytes>
//! <exactly that many bytes: the state's text form, or text this build cannot read>
//! ```
//!
//! Each entry keeps the state's text as it was, even one written by a newer
//! playground this build cannot read: it is restored as its script alone.

use std::fmt;

use crate::share::SharedState;

/// How many displaced scripts are kept.
pub const MAX_ENTRIES: usize = 12;

/// The first line of the text form.
const HEADER: &str = "kmem-displaced 1";

/// Why a script was set aside.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Why {
    /// A link opened over it.
    Link,
    /// An example replaced it.
    Example,
    /// An imported file replaced it.
    Import,
    /// Another tab saved newer work, which this tab opened.
    OtherTab,
    /// Earlier work was restored over it.
    Restore,
    /// A saved state this build cannot read (a newer playground's).
    Unreadable,
    /// The script kept after an internal error was opened over it.
    Rescue,
}

impl Why {
    const ALL: [(Why, &'static str); 7] = [
        (Why::Link, "link"),
        (Why::Example, "example"),
        (Why::Import, "import"),
        (Why::OtherTab, "other-tab"),
        (Why::Restore, "restore"),
        (Why::Unreadable, "unreadable"),
        (Why::Rescue, "rescue"),
    ];

    fn word(self) -> &'static str {
        Why::ALL
            .iter()
            .find(|(w, _)| *w == self)
            .map_or("", |(_, s)| s)
    }

    fn from_word(word: &str) -> Option<Why> {
        Why::ALL.iter().find(|(_, s)| *s == word).map(|(w, _)| *w)
    }
}

impl fmt::Display for Why {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Why::Link => "replaced by a link",
            Why::Example => "replaced by an example",
            Why::Import => "replaced by an imported file",
            Why::OtherTab => "replaced by another tab's work",
            Why::Restore => "replaced by earlier work",
            Why::Unreadable => "saved in a form this playground cannot read",
            Why::Rescue => "replaced by the script kept after an internal error",
        })
    }
}

/// One displaced script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// When it was set aside, in milliseconds since 1970 (`Date.now()`).
    pub at_ms: u64,
    /// Why.
    pub why: Why,
    /// Whether the page still offers it back under the header.
    pub offered: bool,
    /// The state's text form, as it was stored.
    pub text: String,
}

impl Entry {
    /// The state to restore: the text form read, or (for text this build
    /// cannot read) its script with the default settings.
    pub fn state(&self) -> SharedState {
        SharedState::from_text(&self.text).unwrap_or_else(|_| SharedState {
            script: script_of(&self.text).to_string(),
            ..SharedState::default()
        })
    }

    /// The script it holds.
    pub fn script(&self) -> &str {
        script_of(&self.text)
    }
}

/// The script of a state's text form, read as leniently as possible: what
/// follows the first empty line (either line ending), or the whole text
/// when it has no header.
pub fn script_of(text: &str) -> &str {
    if !text.starts_with("kmem-playground ") {
        return text;
    }
    crate::share::split_header(text).1
}

/// The displaced scripts, newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Displaced {
    /// The entries, newest first.
    pub entries: Vec<Entry>,
}

impl Displaced {
    /// Keeps `state` (offered back), unless its script is empty, is the
    /// one the page opened with, or is already the newest entry's.
    /// Returns whether it was kept.
    pub fn keep(
        &mut self,
        state: &SharedState,
        why: Why,
        at_ms: u64,
        default_script: &str,
    ) -> bool {
        let script = state.script.as_str();
        if script.trim().is_empty()
            || script == default_script
            || self.entries.first().is_some_and(|e| e.script() == script)
        {
            return false;
        }
        self.keep_text(state.to_text(), why, at_ms);
        true
    }

    /// Keeps a state's text as it is (one this build may not read).
    pub fn keep_text(&mut self, text: String, why: Why, at_ms: u64) {
        for entry in &mut self.entries {
            entry.offered = false;
        }
        self.entries.insert(
            0,
            Entry {
                at_ms,
                why,
                offered: true,
                text,
            },
        );
        self.entries.truncate(MAX_ENTRIES);
    }

    /// The entry offered back under the header, if any (the newest).
    pub fn offered(&self) -> Option<&Entry> {
        self.entries.first().filter(|e| e.offered)
    }

    /// Stops offering the newest entry (it stays in the list).
    pub fn dismiss(&mut self) {
        for entry in &mut self.entries {
            entry.offered = false;
        }
    }

    /// Takes entry `index` out of the list.
    pub fn take(&mut self, index: usize) -> Option<Entry> {
        (index < self.entries.len()).then(|| self.entries.remove(index))
    }

    /// The text form.
    pub fn to_text(&self) -> String {
        let mut out = format!("{HEADER}\n");
        for e in &self.entries {
            out.push_str(&format!(
                "{} {} {} {}\n",
                e.at_ms,
                e.why.word(),
                u8::from(e.offered),
                e.text.len()
            ));
            out.push_str(&e.text);
            out.push('\n');
        }
        out
    }

    /// Reads the text form; what cannot be read ends the list there, so a
    /// damaged tail loses no entry before it.
    pub fn from_text(text: &str) -> Displaced {
        let mut list = Displaced::default();
        let Some(mut rest) = text.strip_prefix(HEADER).and_then(|r| r.strip_prefix('\n')) else {
            return list;
        };
        while let Some((line, after)) = rest.split_once('\n') {
            let words: Vec<&str> = line.split(' ').collect();
            let [at, why, offered, len] = words[..] else {
                break;
            };
            let (Ok(at_ms), Some(why), Ok(len)) = (at.parse(), Why::from_word(why), len.parse())
            else {
                break;
            };
            let Some(body) = after.get(..len) else {
                break;
            };
            list.entries.push(Entry {
                at_ms,
                why,
                offered: offered == "1",
                text: body.to_string(),
            });
            rest = after[len..].strip_prefix('\n').unwrap_or("");
            if list.entries.len() == MAX_ENTRIES {
                break;
            }
        }
        list
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(script: &str) -> SharedState {
        SharedState {
            script: script.into(),
            ..SharedState::default()
        }
    }

    #[test]
    fn entries_survive_their_text_form_with_any_script() {
        let mut list = Displaced::default();
        assert!(list.keep(
            &state("a\n\nkmem-displaced 1\n9 link 1 3\n"),
            Why::Link,
            1,
            "d"
        ));
        assert!(list.keep(&state("é\r\n€ 🦀"), Why::Example, 2, "d"));
        list.keep_text(
            "kmem-playground 2\nrelease 6.18\n\nnewer();\n".into(),
            Why::Unreadable,
            3,
        );
        let read = Displaced::from_text(&list.to_text());
        assert_eq!(read, list);
        assert_eq!(read.entries[0].script(), "newer();\n");
        assert_eq!(read.entries[0].state().script, "newer();\n");
        assert_eq!(
            read.entries[2].state().script,
            "a\n\nkmem-displaced 1\n9 link 1 3\n"
        );
        assert!(read.offered().is_some_and(|e| e.why == Why::Unreadable));
        assert!(!read.entries[1].offered && !read.entries[2].offered);
    }

    #[test]
    fn empty_default_and_repeated_scripts_are_not_kept() {
        let mut list = Displaced::default();
        assert!(!list.keep(&state("  \n"), Why::Link, 1, "default"));
        assert!(!list.keep(&state("default"), Why::Link, 1, "default"));
        assert!(list.keep(&state("mine"), Why::Link, 1, "default"));
        assert!(!list.keep(&state("mine"), Why::Example, 2, "default"));
        assert_eq!(list.entries.len(), 1);
    }

    #[test]
    fn the_list_is_bounded_and_a_damaged_tail_keeps_the_head() {
        let mut list = Displaced::default();
        for i in 0..MAX_ENTRIES + 5 {
            list.keep(&state(&format!("s{i}")), Why::Import, i as u64, "d");
        }
        assert_eq!(list.entries.len(), MAX_ENTRIES);
        assert_eq!(list.entries[0].script(), format!("s{}", MAX_ENTRIES + 4));
        let text = list.to_text();
        let cut = Displaced::from_text(&text[..text.len() - 10]);
        assert_eq!(cut.entries.len(), MAX_ENTRIES - 1);
        assert_eq!(Displaced::from_text("garbage").entries.len(), 0);
        assert_eq!(
            Displaced::from_text("kmem-displaced 1\n1 link 1 99999999999\nx")
                .entries
                .len(),
            0
        );
    }

    #[test]
    fn dismissing_keeps_the_entry_and_taking_removes_it() {
        let mut list = Displaced::default();
        list.keep(&state("one"), Why::Link, 1, "d");
        list.dismiss();
        assert!(list.offered().is_none());
        assert_eq!(list.entries.len(), 1);
        assert_eq!(
            list.take(0).map(|e| e.script().to_string()).as_deref(),
            Some("one")
        );
        assert_eq!(list.take(0), None);
    }
}
