//! The built-in question bank (`bank/*.md`), by name.

/// A built-in quiz: its name (as links and `kmem quiz` name it) and text.
pub const BANK: [(&str, &str); 4] = [
    ("gfp", include_str!("../bank/gfp.md")),
    ("kmalloc", include_str!("../bank/kmalloc.md")),
    ("vmalloc", include_str!("../bank/vmalloc.md")),
    ("translate", include_str!("../bank/translate.md")),
];

/// The built-in quiz called `name`.
pub fn find(name: &str) -> Option<&'static str> {
    BANK.iter().find(|(n, _)| *n == name).map(|(_, text)| *text)
}
