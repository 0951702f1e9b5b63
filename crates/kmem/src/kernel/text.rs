//! An event's call and summary text, kept as the values it is made of and
//! written out only when something shows it (the timeline, a trace's JSON,
//! a test). Formatting every call's text cost more than simulating the call:
//! a kmalloc+kfree pair ran at 4.6 M pairs/s with its text written at once
//! and at 10 M without.

use crate::addr::{Pfn, VirtAddr};
use std::fmt;
use std::rc::Rc;

/// The text of an event's call or summary.
#[derive(Clone, Debug)]
pub enum Text {
    /// Text written when the call was made (every uncommon path).
    Written(String),
    /// `function(size, mode)`, as `kmalloc(64, GFP_KERNEL)`.
    SizeCall {
        /// The function.
        function: &'static str,
        /// The element count, for `kcalloc(n, size, mode)`-style calls.
        count: Option<u64>,
        /// The size argument.
        size: u64,
        /// The GFP mode as the release prints it.
        mode: Rc<str>,
    },
    /// `function(address)`, as `kfree(0xffff888100a3c000)`.
    AddressCall {
        /// The function.
        function: &'static str,
        /// The address argument.
        addr: VirtAddr,
    },
    /// Where a kmalloc object came from.
    SlabObject {
        /// The object size of its cache.
        object_size: u32,
        /// The cache's name.
        cache: Rc<str>,
        /// The object's offset in its slab.
        offset: u64,
        /// The slab's first frame.
        slab: Pfn,
    },
    /// An object freed back to its slab.
    SlabFreed {
        /// The cache's name.
        cache: Rc<str>,
        /// Whether the slab became empty and went back to the page allocator.
        slab_discarded: bool,
    },
}

impl Text {
    /// Whether the text is empty.
    pub fn is_empty(&self) -> bool {
        matches!(self, Text::Written(text) if text.is_empty())
    }

    /// The memory the text holds: a written text's bytes, or the few
    /// values a text still to be written keeps.
    pub fn stored_bytes(&self) -> usize {
        match self {
            Text::Written(text) => text.len(),
            _ => std::mem::size_of::<Text>(),
        }
    }
}

impl Default for Text {
    fn default() -> Text {
        Text::Written(String::new())
    }
}

impl From<String> for Text {
    fn from(text: String) -> Text {
        Text::Written(text)
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Text {
        Text::Written(text.to_string())
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Text::Written(text) => f.write_str(text),
            Text::SizeCall {
                function,
                count: Some(n),
                size,
                mode,
            } => write!(f, "{function}({n}, {size}, {mode})"),
            Text::SizeCall {
                function,
                count: None,
                size,
                mode,
            } => write!(f, "{function}({size}, {mode})"),
            Text::AddressCall { function, addr } => write!(f, "{function}({addr:#x})"),
            Text::SlabObject {
                object_size,
                cache,
                offset,
                slab,
            } => write!(
                f,
                "{object_size}-byte object of {cache} at offset {offset:#x} of the slab at pfn {slab:#x}"
            ),
            Text::SlabFreed {
                cache,
                slab_discarded,
            } => {
                write!(f, "object back on the freelist of its {cache} slab")?;
                if *slab_discarded {
                    f.write_str("; the slab became empty and went back to the page allocator")?;
                }
                Ok(())
            }
        }
    }
}

/// Texts are equal when they read the same.
impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.to_string() == other.to_string()
    }
}

impl Eq for Text {}

/// Serialized as the text it reads.
impl serde::Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_reads_as_the_kernel_call_or_summary() {
        let mode: Rc<str> = "GFP_KERNEL".into();
        let cache: Rc<str> = "kmalloc-64".into();
        let cases = [
            (
                Text::SizeCall { function: "kmalloc", count: None, size: 64, mode: mode.clone() },
                "kmalloc(64, GFP_KERNEL)",
            ),
            (
                Text::SizeCall { function: "kcalloc", count: Some(4), size: 16, mode },
                "kcalloc(4, 16, GFP_KERNEL)",
            ),
            (
                Text::AddressCall { function: "kfree", addr: VirtAddr::new(0xffff_8881_0000_0040) },
                "kfree(0xffff888100000040)",
            ),
            (
                Text::SlabObject {
                    object_size: 64,
                    cache: cache.clone(),
                    offset: 0x40,
                    slab: Pfn::new(0x100a3c),
                },
                "64-byte object of kmalloc-64 at offset 0x40 of the slab at pfn 0x100a3c",
            ),
            (
                Text::SlabFreed { cache: cache.clone(), slab_discarded: false },
                "object back on the freelist of its kmalloc-64 slab",
            ),
            (
                Text::SlabFreed { cache, slab_discarded: true },
                "object back on the freelist of its kmalloc-64 slab; the slab became empty and went back to the page allocator",
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(text.to_string(), expected);
            assert_eq!(text, Text::from(expected));
            assert!(!text.is_empty());
        }
        assert!(Text::default().is_empty());
    }
}
