//! The playground's UI components, one file each.

pub mod diagnostics;
pub mod editor;
