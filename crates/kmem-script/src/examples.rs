//! The bundled examples (the repository's `examples/` folder): each script
//! teaches one point of the seed articles or beyond, and its run on each
//! release is kept as a golden trace (`tests/golden/`).

/// An example: its name, a one-line title, and its source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Example {
    /// File-like name, as `kmem examples NAME` takes it.
    pub name: &'static str,
    /// What it shows, in one line.
    pub title: &'static str,
    /// The script.
    pub source: &'static str,
}

macro_rules! example {
    ($name:literal, $title:literal) => {
        Example {
            name: $name,
            title: $title,
            source: include_str!(concat!("../../../examples/", $name, ".kmem")),
        }
    };
}

/// Every example, in teaching order.
pub const EXAMPLES: [Example; 10] = [
    example!(
        "kmalloc-vs-kzalloc",
        "kmalloc returns stale bytes, kzalloc zeroes them"
    ),
    example!(
        "kcalloc-overflow",
        "kcalloc catches n * size overflowing; a hand-made product does not"
    ),
    example!(
        "size-limit",
        "the 128 KB myth and the real kmalloc limit of each release"
    ),
    example!(
        "contiguous-vs-scattered",
        "kmalloc memory is physically contiguous, vmalloc memory is not"
    ),
    example!(
        "kvmalloc-fallback",
        "kvmalloc falls back to vmalloc under fragmentation, but not for GFP_ATOMIC"
    ),
    example!(
        "translation",
        "the vmalloc-aware translation and the __pa pitfall"
    ),
    example!("gfp-contexts", "which GFP flags each context may use"),
    example!("gfp-dma", "GFP_DMA: caches and pages below 16 MiB"),
    example!(
        "double-free",
        "a double kfree and the hardened freelist's BUG"
    ),
    example!(
        "kfree-vmalloc",
        "kfree of vmalloc memory oopses on a struct page that does not exist"
    ),
];

/// The example called `name`.
pub fn find(name: &str) -> Option<&'static Example> {
    EXAMPLES.iter().find(|e| e.name == name)
}
