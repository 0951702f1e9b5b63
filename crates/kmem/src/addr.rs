//! Typed addresses: kernel virtual addresses, physical addresses, page frame
//! numbers and allocation orders.
//!
//! Kernel rule modelled (x86_64, identical in 4.19, 6.6 and 6.12): pages are
//! `PAGE_SIZE = 1 << PAGE_SHIFT = 4096` bytes (arch/x86/include/asm/page_types.h);
//! `offset_in_page(p) = p & ~PAGE_MASK` (include/linux/mm.h); a frame number is
//! a physical address shifted right by `PAGE_SHIFT`; an order-`n` block is
//! `1 << n` contiguous frames.

use std::fmt;

/// `PAGE_SHIFT` on x86_64 with 4 KiB pages.
pub const PAGE_SHIFT: u32 = 12;
/// `PAGE_SIZE`: 4096 bytes.
pub const PAGE_SIZE: u64 = 1 << PAGE_SHIFT;
/// `PAGE_MASK`: clears the offset within a page.
pub const PAGE_MASK: u64 = !(PAGE_SIZE - 1);

/// A kernel virtual address, as a C pointer holds it.
///
/// Any 64-bit value can be held, because C lets a program compute any
/// pointer; whether it is canonical (bits 63..47 all equal, as 4-level paging
/// requires) is a property checked on use, where a real CPU raises #GP.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct VirtAddr(u64);

impl VirtAddr {
    /// The NULL pointer.
    pub const NULL: VirtAddr = VirtAddr(0);

    /// Wraps a raw pointer value.
    pub const fn new(raw: u64) -> Self {
        VirtAddr(raw)
    }

    /// The raw 64-bit value.
    pub const fn as_u64(self) -> u64 {
        self.0
    }

    /// True when bits 63..47 are all equal: the address can be translated by
    /// 4-level paging (48-bit virtual addresses).
    pub const fn is_canonical(self) -> bool {
        let top = self.0 >> 47;
        top == 0 || top == 0x1_ffff
    }

    /// `offset_in_page(addr)`.
    pub const fn page_offset(self) -> u64 {
        self.0 & !PAGE_MASK
    }

    /// The address rounded down to its page (`addr & PAGE_MASK`).
    pub const fn page_base(self) -> VirtAddr {
        VirtAddr(self.0 & PAGE_MASK)
    }

    /// Pointer arithmetic as C does it on `unsigned long`: wraps on overflow.
    pub const fn wrapping_add(self, bytes: u64) -> VirtAddr {
        VirtAddr(self.0.wrapping_add(bytes))
    }

    /// Pointer difference as C computes it on `unsigned long`: wraps.
    pub const fn wrapping_sub(self, other: VirtAddr) -> u64 {
        self.0.wrapping_sub(other.0)
    }
}

/// A physical address.
///
/// x86_64 physical addresses have at most 52 bits (MAXPHYADDR); the machines
/// we simulate have at most 64 GiB, far below that, so every value the
/// simulator produces fits. Values computed by a mistaken translation (for
/// example `__pa()` of a vmalloc address) may exceed RAM; they are still
/// representable so that the wrong answer can be shown.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct PhysAddr(u64);

impl PhysAddr {
    /// Wraps a raw physical address.
    pub const fn new(raw: u64) -> Self {
        PhysAddr(raw)
    }

    /// The raw 64-bit value.
    pub const fn as_u64(self) -> u64 {
        self.0
    }

    /// The frame holding this address (`addr >> PAGE_SHIFT`, `PHYS_PFN`).
    pub const fn pfn(self) -> Pfn {
        Pfn(self.0 >> PAGE_SHIFT)
    }

    /// `offset_in_page(addr)`.
    pub const fn page_offset(self) -> u64 {
        self.0 & !PAGE_MASK
    }

    /// Address arithmetic; wraps like the kernel's `phys_addr_t`.
    pub const fn wrapping_add(self, bytes: u64) -> PhysAddr {
        PhysAddr(self.0.wrapping_add(bytes))
    }
}

/// A page frame number: the index of a 4 KiB physical frame.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pfn(u64);

impl Pfn {
    /// Wraps a raw frame number.
    pub const fn new(raw: u64) -> Self {
        Pfn(raw)
    }

    /// The raw frame number.
    pub const fn as_u64(self) -> u64 {
        self.0
    }

    /// `PFN_PHYS(pfn)`: the physical address of the frame's first byte.
    pub const fn phys(self) -> PhysAddr {
        PhysAddr(self.0 << PAGE_SHIFT)
    }

    /// The frame `count` frames after this one.
    pub const fn add(self, count: u64) -> Pfn {
        Pfn(self.0 + count)
    }

    /// True when the frame is the first of a naturally aligned order-`order` block.
    pub const fn is_aligned(self, order: Order) -> bool {
        self.0 & (order.pages() - 1) == 0
    }

    /// `__find_buddy_pfn(pfn, order)`: `pfn ^ (1 << order)` (mm/internal.h).
    pub const fn buddy(self, order: Order) -> Pfn {
        Pfn(self.0 ^ order.pages())
    }
}

/// An allocation order: a block of `1 << order` contiguous pages.
///
/// The buddy allocator's orders run from 0 to 10 on x86_64 in every modelled
/// release (4.19: `MAX_ORDER = 11`, exclusive; 6.6: `MAX_ORDER = 10`,
/// inclusive; 6.12: `MAX_PAGE_ORDER = 10`). Requests may name larger orders
/// (the allocator then warns and fails), so the type holds any `u8`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Order(u8);

impl Order {
    /// Order 0: a single page.
    pub const ZERO: Order = Order(0);
    /// The largest order the buddy allocator serves on x86_64 (4 MiB blocks).
    pub const MAX: Order = Order(10);

    /// Wraps an order.
    pub const fn new(order: u8) -> Self {
        Order(order)
    }

    /// The order as a number.
    pub const fn as_u8(self) -> u8 {
        self.0
    }

    /// Pages in a block of this order. Saturates at `u64::MAX` for orders a
    /// caller made up (64 and above), which no allocator serves.
    pub const fn pages(self) -> u64 {
        if self.0 >= 64 {
            u64::MAX
        } else {
            1 << self.0
        }
    }

    /// Bytes in a block of this order, saturating like [`Order::pages`].
    pub const fn bytes(self) -> u64 {
        self.pages().saturating_mul(PAGE_SIZE)
    }

    /// `get_order(size)` (include/asm-generic/getorder.h): the smallest order
    /// whose block holds `size` bytes. For `size == 0` the kernel's result is
    /// undefined by contract and computes to `BITS_PER_LONG - PAGE_SHIFT` (52);
    /// we return the same value.
    pub const fn for_size(size: u64) -> Order {
        if size == 0 {
            return Order((64 - PAGE_SHIFT) as u8);
        }
        let pages_minus_one = (size - 1) >> PAGE_SHIFT;
        Order((64 - pages_minus_one.leading_zeros()) as u8)
    }
}

macro_rules! hex_fmt {
    ($($ty:ident),*) => {$(
        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($ty), "({:#x})"), self.0)
            }
        }
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{:#x}", self.0)
            }
        }
        impl fmt::LowerHex for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::LowerHex::fmt(&self.0, f)
            }
        }
        /// Serialized as a `0x…` string: 64-bit addresses do not fit the
        /// numbers of JSON readers such as JavaScript.
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
    )*};
}
hex_fmt!(VirtAddr, PhysAddr, Pfn);

impl fmt::Debug for Order {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Order({})", self.0)
    }
}

impl fmt::Display for Order {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_order_matches_the_kernel_examples() {
        // kernel-facts §2.5: 8193 B -> order 2, 100 000 B -> order 5, 4 MiB -> order 10.
        assert_eq!(Order::for_size(1), Order::new(0));
        assert_eq!(Order::for_size(4096), Order::new(0));
        assert_eq!(Order::for_size(4097), Order::new(1));
        assert_eq!(Order::for_size(8193), Order::new(2));
        assert_eq!(Order::for_size(100_000), Order::new(5));
        assert_eq!(Order::for_size(4 << 20), Order::new(10));
        assert_eq!(Order::for_size((4 << 20) + 1), Order::new(11));
        assert_eq!(Order::for_size(0), Order::new(52));
        assert_eq!(Order::for_size(u64::MAX), Order::new(52));
    }

    #[test]
    fn buddy_is_pfn_xor_block_size() {
        assert_eq!(Pfn::new(0x1000).buddy(Order::new(0)), Pfn::new(0x1001));
        assert_eq!(Pfn::new(0x1004).buddy(Order::new(2)), Pfn::new(0x1000));
        assert!(Pfn::new(0x1400).is_aligned(Order::MAX));
        assert!(!Pfn::new(0x1401).is_aligned(Order::new(1)));
    }

    #[test]
    fn canonical_addresses() {
        assert!(VirtAddr::new(0xffff_8880_0000_0000).is_canonical());
        assert!(VirtAddr::new(0x0000_7fff_ffff_ffff).is_canonical());
        assert!(!VirtAddr::new(0x0000_8000_0000_0000).is_canonical());
        assert!(!VirtAddr::new(0xdead_0000_0000_0000).is_canonical());
    }

    #[test]
    fn offsets_and_formatting() {
        let v = VirtAddr::new(0xffffc90000005123);
        assert_eq!(v.page_offset(), 0x123);
        assert_eq!(v.page_base(), VirtAddr::new(0xffffc90000005000));
        assert_eq!(v.to_string(), "0xffffc90000005123");
        assert_eq!(format!("{v:?}"), "VirtAddr(0xffffc90000005123)");
        assert_eq!(Pfn::new(0x12345).phys(), PhysAddr::new(0x12345000));
        assert_eq!(PhysAddr::new(0x12345678).pfn(), Pfn::new(0x12345));
        assert_eq!(Order::new(10).bytes(), 4 << 20);
        assert_eq!(Order::new(200).pages(), u64::MAX);
    }
}
