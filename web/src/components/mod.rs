//! The playground's UI components, one file each.

pub mod address_space;
pub mod call_builder;
pub mod diagnostics;
pub mod editor;
pub mod embed;
pub mod gfp_inspector;
pub mod header;
pub mod help;
pub mod kernel_files;
pub mod memory_map;
pub mod notices;
pub mod quiz;
pub mod timeline;
pub mod translation;
pub mod views;
