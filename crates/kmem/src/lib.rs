//! A deterministic simulation of the Linux kernel's memory allocation API on
//! x86_64: GFP flags, the page allocator, the slab allocator, vmalloc and
//! kvmalloc, address translation, contexts, and the log and /proc views they
//! produce.
//!
//! The crate has no web dependencies, does no I/O and never panics on any
//! input: a kernel BUG, oops or WARN is an outcome recorded in an event.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod addr;
pub mod buddy;
pub mod context;
pub mod decode;
pub mod dmesg;
pub mod gfp;
pub mod kernel;
pub mod kvmalloc;
pub mod layout;
pub mod memmap;
pub mod page_alloc;
pub mod pcp;
pub mod pgtable;
pub mod procfs;
pub mod profile;
pub mod report;
pub mod slab;
pub mod translate;
pub mod vmalloc;
pub mod zone;

pub use addr::{Order, Pfn, PhysAddr, VirtAddr, PAGE_SHIFT, PAGE_SIZE};
