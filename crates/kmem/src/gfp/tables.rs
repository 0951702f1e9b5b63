//! The GFP layout of every release from 4.9 to 6.12 (x86_64,
//! `CONFIG_LOCKDEP=n`, `CONFIG_KASAN_HW_TAGS=n`, `CONFIG_MEMCG=y`).
//!
//! Each layout lists the `___GFP_*` values in the order the header defines
//! them, the composites that exist, and `__def_gfpflag_names` from
//! include/trace/events/mmflags.h (the `%pGg` order). Sources: the files
//! include/linux/gfp.h (4.9–5.19), include/linux/gfp_types.h (6.0+) and
//! include/trace/events/mmflags.h of public imports of the release trees:
//!
//! | layout | trees read |
//! |---|---|
//! | 4.9 | 4.9.0 |
//! | 4.10–4.11 | 4.10.1, 4.11.0 |
//! | 4.12 | 4.12.0 |
//! | 4.13 | 4.13.4 |
//! | 4.14.0–4.14.8 | 4.14.5 |
//! | 4.14.9–4.14.336 | 4.14.74, 4.14.177 |
//! | 4.15–4.17 | 4.15.0, 4.16.13, 4.17.0 |
//! | 4.18–5.0 | 4.18.0, 4.19.0, 4.20.0, 5.0.1 |
//! | 5.1–5.13 | 5.1.15, 5.2.1, 5.3.1, 5.4.195, 5.5-rc5, 5.6.4, 5.7.14, 5.8.1, 5.9.1, 5.10.0, 5.11.0, 5.12.9 |
//! | 5.14–5.17 | 5.14.2, 5.15.16, 5.15.55, 5.16.10, 5.17-rc5 |
//! | 5.18–6.2 | 5.18.12, 5.19.0, 6.0-rc1, 6.1-rc7, 6.2.12 |
//! | 6.3 | 6.3.8 |
//! | 6.4–6.7 | 6.4.4, 6.5.0, 6.6.0, 6.6.57, 6.7.3 |
//! | 6.8 | 6.8.0 |
//! | 6.9 | 6.9.0, 6.9.3 |
//! | 6.10–6.12 | 6.10-rc5, 6.11.11, 6.12.0, 6.12.19 |
//!
//! Stable and -rc trees stand for their release: GFP numbering is not
//! stable material, with the one exception of 4.14.y (below).
//!
//! Not verified against a tree:
//! - 5.13 (no tree read): assumed to match 5.12, since the 5.14 flags were
//!   queued after v5.13-rc5;
//! - 5.14.0 itself: the ZEROTAGS/SKIP_KASAN_POISON %pGg names are in the
//!   5.14-rc7 shortlog and in 5.14.2 (5.14-rc5 lacked them);
//! - which 4.14 stable release dropped `__GFP_NOTRACK` (with the kmemcheck
//!   removal backport): present in 4.14.5, absent in 4.14.74; we place it
//!   at 4.14.9.
//!
//! In 5.18+ the `__GFP_SKIP_*` names are appended only to the trace
//! output (`show_gfp_flags()`) with KASAN_HW_TAGS, never to the `%pGg`
//! table (mm/debug.c `gfpflag_names[]`).

use super::GfpFlag::{self, *};
use crate::profile::Release;

/// The oldest release series with a table.
pub(super) const OLDEST: Release = Release::series(4, 9);
/// The newest release series with a table.
pub(super) const NEWEST: Release = Release::series(6, 12);

/// Whether `release` names a series after [`NEWEST`].
pub(super) fn is_after_tables(release: Release) -> bool {
    (release.major, release.minor) > (NEWEST.major, NEWEST.minor)
}

/// The index in [`LAYOUTS`] of the layout `release` uses: the last one
/// starting at or before it, among real series only (4.9–4.20, 5.0–5.19,
/// 6.0–6.12). A release without a point release counts as its `.0`; only
/// 4.14 changed within its stable series.
pub(super) fn layout_index(release: Release) -> Option<usize> {
    let (major, minor) = (release.major, release.minor);
    let real = match major {
        4 => (9..=20).contains(&minor),
        5 => minor <= 19,
        6 => minor <= NEWEST.minor,
        _ => false,
    };
    if !real {
        return None;
    }
    let key = (major, minor, release.patch.unwrap_or(0));
    LAYOUTS.iter().rposition(|spec| spec.start <= key)
}

/// A composite mask name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Composite {
    Transhuge,
    TranshugeLight,
    HighuserMovable,
    Highuser,
    User,
    Temporary,
    KernelAccount,
    Kernel,
    Nofs,
    Atomic,
    Noio,
    Nowait,
    Dma,
    Dma32,
    Reclaim,
}

impl Composite {
    pub(super) const fn name(self) -> &'static str {
        match self {
            Composite::Transhuge => "GFP_TRANSHUGE",
            Composite::TranshugeLight => "GFP_TRANSHUGE_LIGHT",
            Composite::HighuserMovable => "GFP_HIGHUSER_MOVABLE",
            Composite::Highuser => "GFP_HIGHUSER",
            Composite::User => "GFP_USER",
            Composite::Temporary => "GFP_TEMPORARY",
            Composite::KernelAccount => "GFP_KERNEL_ACCOUNT",
            Composite::Kernel => "GFP_KERNEL",
            Composite::Nofs => "GFP_NOFS",
            Composite::Atomic => "GFP_ATOMIC",
            Composite::Noio => "GFP_NOIO",
            Composite::Nowait => "GFP_NOWAIT",
            Composite::Dma => "GFP_DMA",
            Composite::Dma32 => "GFP_DMA32",
            Composite::Reclaim => "__GFP_RECLAIM",
        }
    }
}

/// An entry of the `%pGg` name table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Sym {
    /// A composite.
    C(Composite),
    /// A single flag.
    F(GfpFlag),
}

/// One layout.
#[derive(Debug)]
pub(super) struct LayoutSpec {
    /// The releases, e.g. "5.1–5.13".
    pub releases: &'static str,
    /// The first release, as shown in "it exists in …".
    pub from: &'static str,
    /// The last release.
    pub to: &'static str,
    /// The first release (major, minor, patch) using this layout.
    pub start: (u16, u16, u16),
    /// Every `___GFP_*` name the release defines, in header order, with its
    /// x86_64 value (0 when the assumed configuration compiles it out).
    pub bits: &'static [(GfpFlag, u32)],
    /// `__GFP_BITS_SHIFT` in the assumed configuration.
    pub bits_shift: u32,
    /// The composites the release defines.
    pub composites: &'static [Composite],
    /// `GFP_NOWAIT` includes `__GFP_NOWARN` (6.8+).
    pub nowait_nowarn: bool,
    /// `__def_gfpflag_names` (without the KASAN_HW_TAGS-only tail).
    pub names: &'static [Sym],
    /// Where the layout was read.
    pub source: &'static str,
}

use Composite as K;
use Sym::{C, F};

const COMPOSITES_4_9: &[Composite] = &[
    K::Atomic,
    K::Kernel,
    K::KernelAccount,
    K::Nowait,
    K::Noio,
    K::Nofs,
    K::Temporary,
    K::User,
    K::Dma,
    K::Dma32,
    K::Highuser,
    K::HighuserMovable,
    K::TranshugeLight,
    K::Transhuge,
    K::Reclaim,
];

const COMPOSITES: &[Composite] = &[
    K::Atomic,
    K::Kernel,
    K::KernelAccount,
    K::Nowait,
    K::Noio,
    K::Nofs,
    K::User,
    K::Dma,
    K::Dma32,
    K::Highuser,
    K::HighuserMovable,
    K::TranshugeLight,
    K::Transhuge,
    K::Reclaim,
];

// ---------------------------------------------------------------- 4.9

const BITS_4_9: &[(GfpFlag, u32)] = &[
    (Dma, 0x01),
    (Highmem, 0x02),
    (Dma32, 0x04),
    (Movable, 0x08),
    (Reclaimable, 0x10),
    (High, 0x20),
    (Io, 0x40),
    (Fs, 0x80),
    (Cold, 0x100),
    (NoWarn, 0x200),
    (Repeat, 0x400),
    (NoFail, 0x800),
    (NoRetry, 0x1000),
    (Memalloc, 0x2000),
    (Comp, 0x4000),
    (Zero, 0x8000),
    (NoMemalloc, 0x10000),
    (Hardwall, 0x20000),
    (ThisNode, 0x40000),
    (Atomic, 0x80000),
    (Account, 0x100000),
    (NoTrack, 0x200000),
    (DirectReclaim, 0x400000),
    (OtherNode, 0x800000),
    (Write, 0x1000000),
    (KswapdReclaim, 0x2000000),
];

const NAMES_4_9: &[Sym] = &[
    C(K::Transhuge),
    C(K::TranshugeLight),
    C(K::HighuserMovable),
    C(K::Highuser),
    C(K::User),
    C(K::Temporary),
    C(K::KernelAccount),
    C(K::Kernel),
    C(K::Nofs),
    C(K::Atomic),
    C(K::Noio),
    C(K::Nowait),
    C(K::Dma),
    F(Highmem),
    C(K::Dma32),
    F(High),
    F(Atomic),
    F(Io),
    F(Fs),
    F(Cold),
    F(NoWarn),
    F(Repeat),
    F(NoFail),
    F(NoRetry),
    F(Comp),
    F(Zero),
    F(NoMemalloc),
    F(Memalloc),
    F(Hardwall),
    F(ThisNode),
    F(Reclaimable),
    F(Movable),
    F(Account),
    F(NoTrack),
    F(Write),
    C(K::Reclaim),
    F(DirectReclaim),
    F(KswapdReclaim),
    F(OtherNode),
];

// ---------------------------------------------------------- 4.10–4.13

const BITS_4_10: &[(GfpFlag, u32)] = &[
    (Dma, 0x01),
    (Highmem, 0x02),
    (Dma32, 0x04),
    (Movable, 0x08),
    (Reclaimable, 0x10),
    (High, 0x20),
    (Io, 0x40),
    (Fs, 0x80),
    (Cold, 0x100),
    (NoWarn, 0x200),
    (Repeat, 0x400),
    (NoFail, 0x800),
    (NoRetry, 0x1000),
    (Memalloc, 0x2000),
    (Comp, 0x4000),
    (Zero, 0x8000),
    (NoMemalloc, 0x10000),
    (Hardwall, 0x20000),
    (ThisNode, 0x40000),
    (Atomic, 0x80000),
    (Account, 0x100000),
    (NoTrack, 0x200000),
    (DirectReclaim, 0x400000),
    (Write, 0x800000),
    (KswapdReclaim, 0x1000000),
];

const BITS_4_12: &[(GfpFlag, u32)] = &[
    (Dma, 0x01),
    (Highmem, 0x02),
    (Dma32, 0x04),
    (Movable, 0x08),
    (Reclaimable, 0x10),
    (High, 0x20),
    (Io, 0x40),
    (Fs, 0x80),
    (Cold, 0x100),
    (NoWarn, 0x200),
    (Repeat, 0x400),
    (NoFail, 0x800),
    (NoRetry, 0x1000),
    (Memalloc, 0x2000),
    (Comp, 0x4000),
    (Zero, 0x8000),
    (NoMemalloc, 0x10000),
    (Hardwall, 0x20000),
    (ThisNode, 0x40000),
    (Atomic, 0x80000),
    (Account, 0x100000),
    (NoTrack, 0x200000),
    (DirectReclaim, 0x400000),
    (Write, 0x800000),
    (KswapdReclaim, 0x1000000),
    // 0x2000000 with CONFIG_LOCKDEP.
    (NoLockdep, 0),
];

const NAMES_4_10: &[Sym] = &[
    C(K::Transhuge),
    C(K::TranshugeLight),
    C(K::HighuserMovable),
    C(K::Highuser),
    C(K::User),
    C(K::Temporary),
    C(K::KernelAccount),
    C(K::Kernel),
    C(K::Nofs),
    C(K::Atomic),
    C(K::Noio),
    C(K::Nowait),
    C(K::Dma),
    F(Highmem),
    C(K::Dma32),
    F(High),
    F(Atomic),
    F(Io),
    F(Fs),
    F(Cold),
    F(NoWarn),
    F(Repeat),
    F(NoFail),
    F(NoRetry),
    F(Comp),
    F(Zero),
    F(NoMemalloc),
    F(Memalloc),
    F(Hardwall),
    F(ThisNode),
    F(Reclaimable),
    F(Movable),
    F(Account),
    F(NoTrack),
    F(Write),
    C(K::Reclaim),
    F(DirectReclaim),
    F(KswapdReclaim),
];

const BITS_4_13: &[(GfpFlag, u32)] = &[
    (Dma, 0x01),
    (Highmem, 0x02),
    (Dma32, 0x04),
    (Movable, 0x08),
    (Reclaimable, 0x10),
    (High, 0x20),
    (Io, 0x40),
    (Fs, 0x80),
    (Cold, 0x100),
    (NoWarn, 0x200),
    (RetryMayfail, 0x400),
    (NoFail, 0x800),
    (NoRetry, 0x1000),
    (Memalloc, 0x2000),
    (Comp, 0x4000),
    (Zero, 0x8000),
    (NoMemalloc, 0x10000),
    (Hardwall, 0x20000),
    (ThisNode, 0x40000),
    (Atomic, 0x80000),
    (Account, 0x100000),
    (NoTrack, 0x200000),
    (DirectReclaim, 0x400000),
    (Write, 0x800000),
    (KswapdReclaim, 0x1000000),
    (NoLockdep, 0),
];

const NAMES_4_13: &[Sym] = &[
    C(K::Transhuge),
    C(K::TranshugeLight),
    C(K::HighuserMovable),
    C(K::Highuser),
    C(K::User),
    C(K::Temporary),
    C(K::KernelAccount),
    C(K::Kernel),
    C(K::Nofs),
    C(K::Atomic),
    C(K::Noio),
    C(K::Nowait),
    C(K::Dma),
    F(Highmem),
    C(K::Dma32),
    F(High),
    F(Atomic),
    F(Io),
    F(Fs),
    F(Cold),
    F(NoWarn),
    F(RetryMayfail),
    F(NoFail),
    F(NoRetry),
    F(Comp),
    F(Zero),
    F(NoMemalloc),
    F(Memalloc),
    F(Hardwall),
    F(ThisNode),
    F(Reclaimable),
    F(Movable),
    F(Account),
    F(NoTrack),
    F(Write),
    C(K::Reclaim),
    F(DirectReclaim),
    F(KswapdReclaim),
];

// ---------------------------------------------------------------- 4.14

const NAMES_4_14: &[Sym] = &[
    C(K::Transhuge),
    C(K::TranshugeLight),
    C(K::HighuserMovable),
    C(K::Highuser),
    C(K::User),
    C(K::KernelAccount),
    C(K::Kernel),
    C(K::Nofs),
    C(K::Atomic),
    C(K::Noio),
    C(K::Nowait),
    C(K::Dma),
    F(Highmem),
    C(K::Dma32),
    F(High),
    F(Atomic),
    F(Io),
    F(Fs),
    F(Cold),
    F(NoWarn),
    F(RetryMayfail),
    F(NoFail),
    F(NoRetry),
    F(Comp),
    F(Zero),
    F(NoMemalloc),
    F(Memalloc),
    F(Hardwall),
    F(ThisNode),
    F(Reclaimable),
    F(Movable),
    F(Account),
    F(NoTrack),
    F(Write),
    C(K::Reclaim),
    F(DirectReclaim),
    F(KswapdReclaim),
];

/// 4.14 stable after the kmemcheck removal: NOTRACK gone, its bit a hole.
const BITS_4_14_9: &[(GfpFlag, u32)] = &[
    (Dma, 0x01),
    (Highmem, 0x02),
    (Dma32, 0x04),
    (Movable, 0x08),
    (Reclaimable, 0x10),
    (High, 0x20),
    (Io, 0x40),
    (Fs, 0x80),
    (Cold, 0x100),
    (NoWarn, 0x200),
    (RetryMayfail, 0x400),
    (NoFail, 0x800),
    (NoRetry, 0x1000),
    (Memalloc, 0x2000),
    (Comp, 0x4000),
    (Zero, 0x8000),
    (NoMemalloc, 0x10000),
    (Hardwall, 0x20000),
    (ThisNode, 0x40000),
    (Atomic, 0x80000),
    (Account, 0x100000),
    (DirectReclaim, 0x400000),
    (Write, 0x800000),
    (KswapdReclaim, 0x1000000),
    (NoLockdep, 0),
];

const NAMES_4_14_9: &[Sym] = &[
    C(K::Transhuge),
    C(K::TranshugeLight),
    C(K::HighuserMovable),
    C(K::Highuser),
    C(K::User),
    C(K::KernelAccount),
    C(K::Kernel),
    C(K::Nofs),
    C(K::Atomic),
    C(K::Noio),
    C(K::Nowait),
    C(K::Dma),
    F(Highmem),
    C(K::Dma32),
    F(High),
    F(Atomic),
    F(Io),
    F(Fs),
    F(Cold),
    F(NoWarn),
    F(RetryMayfail),
    F(NoFail),
    F(NoRetry),
    F(Comp),
    F(Zero),
    F(NoMemalloc),
    F(Memalloc),
    F(Hardwall),
    F(ThisNode),
    F(Reclaimable),
    F(Movable),
    F(Account),
    F(Write),
    C(K::Reclaim),
    F(DirectReclaim),
    F(KswapdReclaim),
];

// ----------------------------------------------------------- 4.15–4.17

const BITS_4_15: &[(GfpFlag, u32)] = &[
    (Dma, 0x01),
    (Highmem, 0x02),
    (Dma32, 0x04),
    (Movable, 0x08),
    (Reclaimable, 0x10),
    (High, 0x20),
    (Io, 0x40),
    (Fs, 0x80),
    (NoWarn, 0x200),
    (RetryMayfail, 0x400),
    (NoFail, 0x800),
    (NoRetry, 0x1000),
    (Memalloc, 0x2000),
    (Comp, 0x4000),
    (Zero, 0x8000),
    (NoMemalloc, 0x10000),
    (Hardwall, 0x20000),
    (ThisNode, 0x40000),
    (Atomic, 0x80000),
    (Account, 0x100000),
    (DirectReclaim, 0x400000),
    (Write, 0x800000),
    (KswapdReclaim, 0x1000000),
    (NoLockdep, 0),
];

/// The name table from 4.15 to 5.13.
const NAMES_4_15: &[Sym] = &[
    C(K::Transhuge),
    C(K::TranshugeLight),
    C(K::HighuserMovable),
    C(K::Highuser),
    C(K::User),
    C(K::KernelAccount),
    C(K::Kernel),
    C(K::Nofs),
    C(K::Atomic),
    C(K::Noio),
    C(K::Nowait),
    C(K::Dma),
    F(Highmem),
    C(K::Dma32),
    F(High),
    F(Atomic),
    F(Io),
    F(Fs),
    F(NoWarn),
    F(RetryMayfail),
    F(NoFail),
    F(NoRetry),
    F(Comp),
    F(Zero),
    F(NoMemalloc),
    F(Memalloc),
    F(Hardwall),
    F(ThisNode),
    F(Reclaimable),
    F(Movable),
    F(Account),
    F(Write),
    C(K::Reclaim),
    F(DirectReclaim),
    F(KswapdReclaim),
];

// ------------------------------------------------------------ 4.18–5.0

const BITS_4_18: &[(GfpFlag, u32)] = &[
    (Dma, 0x01),
    (Highmem, 0x02),
    (Dma32, 0x04),
    (Movable, 0x08),
    (Reclaimable, 0x10),
    (High, 0x20),
    (Io, 0x40),
    (Fs, 0x80),
    (Write, 0x100),
    (NoWarn, 0x200),
    (RetryMayfail, 0x400),
    (NoFail, 0x800),
    (NoRetry, 0x1000),
    (Memalloc, 0x2000),
    (Comp, 0x4000),
    (Zero, 0x8000),
    (NoMemalloc, 0x10000),
    (Hardwall, 0x20000),
    (ThisNode, 0x40000),
    (Atomic, 0x80000),
    (Account, 0x100000),
    (DirectReclaim, 0x200000),
    (KswapdReclaim, 0x400000),
    // 0x800000 with CONFIG_LOCKDEP.
    (NoLockdep, 0),
];

// ------------------------------------------------------------ 5.1–5.13

const BITS_5_1: &[(GfpFlag, u32)] = &[
    (Dma, 0x01),
    (Highmem, 0x02),
    (Dma32, 0x04),
    (Movable, 0x08),
    (Reclaimable, 0x10),
    (High, 0x20),
    (Io, 0x40),
    (Fs, 0x80),
    (Zero, 0x100),
    (Atomic, 0x200),
    (DirectReclaim, 0x400),
    (KswapdReclaim, 0x800),
    (Write, 0x1000),
    (NoWarn, 0x2000),
    (RetryMayfail, 0x4000),
    (NoFail, 0x8000),
    (NoRetry, 0x10000),
    (Memalloc, 0x20000),
    (Comp, 0x40000),
    (NoMemalloc, 0x80000),
    (Hardwall, 0x100000),
    (ThisNode, 0x200000),
    (Account, 0x400000),
    // 0x800000 with CONFIG_LOCKDEP.
    (NoLockdep, 0),
];

// ---------------------------------------------------------- 5.14–5.17

/// `__GFP_SKIP_KASAN_POISON` is unconditional here, so it is a real bit on
/// x86_64 and part of `GFP_HIGHUSER_MOVABLE` (0x1100cca).
const BITS_5_14: &[(GfpFlag, u32)] = &[
    (Dma, 0x01),
    (Highmem, 0x02),
    (Dma32, 0x04),
    (Movable, 0x08),
    (Reclaimable, 0x10),
    (High, 0x20),
    (Io, 0x40),
    (Fs, 0x80),
    (Zero, 0x100),
    (Atomic, 0x200),
    (DirectReclaim, 0x400),
    (KswapdReclaim, 0x800),
    (Write, 0x1000),
    (NoWarn, 0x2000),
    (RetryMayfail, 0x4000),
    (NoFail, 0x8000),
    (NoRetry, 0x10000),
    (Memalloc, 0x20000),
    (Comp, 0x40000),
    (NoMemalloc, 0x80000),
    (Hardwall, 0x100000),
    (ThisNode, 0x200000),
    (Account, 0x400000),
    (ZeroTags, 0x800000),
    (SkipKasanPoison, 0x1000000),
    // 0x2000000 with CONFIG_LOCKDEP.
    (NoLockdep, 0),
];

const NAMES_5_14: &[Sym] = &[
    C(K::Transhuge),
    C(K::TranshugeLight),
    C(K::HighuserMovable),
    C(K::Highuser),
    C(K::User),
    C(K::KernelAccount),
    C(K::Kernel),
    C(K::Nofs),
    C(K::Atomic),
    C(K::Noio),
    C(K::Nowait),
    C(K::Dma),
    F(Highmem),
    C(K::Dma32),
    F(High),
    F(Atomic),
    F(Io),
    F(Fs),
    F(NoWarn),
    F(RetryMayfail),
    F(NoFail),
    F(NoRetry),
    F(Comp),
    F(Zero),
    F(NoMemalloc),
    F(Memalloc),
    F(Hardwall),
    F(ThisNode),
    F(Reclaimable),
    F(Movable),
    F(Account),
    F(Write),
    C(K::Reclaim),
    F(DirectReclaim),
    F(KswapdReclaim),
    F(ZeroTags),
    F(SkipKasanPoison),
];

// ------------------------------------------------------------ 5.18–6.3

const BITS_5_18: &[(GfpFlag, u32)] = &[
    (Dma, 0x01),
    (Highmem, 0x02),
    (Dma32, 0x04),
    (Movable, 0x08),
    (Reclaimable, 0x10),
    (High, 0x20),
    (Io, 0x40),
    (Fs, 0x80),
    (Zero, 0x100),
    (Atomic, 0x200),
    (DirectReclaim, 0x400),
    (KswapdReclaim, 0x800),
    (Write, 0x1000),
    (NoWarn, 0x2000),
    (RetryMayfail, 0x4000),
    (NoFail, 0x8000),
    (NoRetry, 0x10000),
    (Memalloc, 0x20000),
    (Comp, 0x40000),
    (NoMemalloc, 0x80000),
    (Hardwall, 0x100000),
    (ThisNode, 0x200000),
    (Account, 0x400000),
    (ZeroTags, 0x800000),
    // 0x1000000, 0x2000000, 0x4000000 with CONFIG_KASAN_HW_TAGS.
    (SkipZero, 0),
    (SkipKasanUnpoison, 0),
    (SkipKasanPoison, 0),
    // 0x8000000 with CONFIG_LOCKDEP.
    (NoLockdep, 0),
];

/// Same as 5.18 without `__GFP_ATOMIC` (0x200 becomes unused).
const BITS_6_3: &[(GfpFlag, u32)] = &[
    (Dma, 0x01),
    (Highmem, 0x02),
    (Dma32, 0x04),
    (Movable, 0x08),
    (Reclaimable, 0x10),
    (High, 0x20),
    (Io, 0x40),
    (Fs, 0x80),
    (Zero, 0x100),
    (DirectReclaim, 0x400),
    (KswapdReclaim, 0x800),
    (Write, 0x1000),
    (NoWarn, 0x2000),
    (RetryMayfail, 0x4000),
    (NoFail, 0x8000),
    (NoRetry, 0x10000),
    (Memalloc, 0x20000),
    (Comp, 0x40000),
    (NoMemalloc, 0x80000),
    (Hardwall, 0x100000),
    (ThisNode, 0x200000),
    (Account, 0x400000),
    (ZeroTags, 0x800000),
    (SkipZero, 0),
    (SkipKasanUnpoison, 0),
    (SkipKasanPoison, 0),
    (NoLockdep, 0),
];

/// The 5.18–6.2 table; the KASAN names follow only with KASAN_HW_TAGS.
const NAMES_5_18: &[Sym] = &[
    C(K::Transhuge),
    C(K::TranshugeLight),
    C(K::HighuserMovable),
    C(K::Highuser),
    C(K::User),
    C(K::KernelAccount),
    C(K::Kernel),
    C(K::Nofs),
    C(K::Atomic),
    C(K::Noio),
    C(K::Nowait),
    C(K::Dma),
    F(Highmem),
    C(K::Dma32),
    F(High),
    F(Atomic),
    F(Io),
    F(Fs),
    F(NoWarn),
    F(RetryMayfail),
    F(NoFail),
    F(NoRetry),
    F(Comp),
    F(Zero),
    F(NoMemalloc),
    F(Memalloc),
    F(Hardwall),
    F(ThisNode),
    F(Reclaimable),
    F(Movable),
    F(Account),
    F(Write),
    C(K::Reclaim),
    F(DirectReclaim),
    F(KswapdReclaim),
    F(ZeroTags),
];

/// 6.3 and later: no `__GFP_ATOMIC`.
const NAMES_6_3: &[Sym] = &[
    C(K::Transhuge),
    C(K::TranshugeLight),
    C(K::HighuserMovable),
    C(K::Highuser),
    C(K::User),
    C(K::KernelAccount),
    C(K::Kernel),
    C(K::Nofs),
    C(K::Atomic),
    C(K::Noio),
    C(K::Nowait),
    C(K::Dma),
    F(Highmem),
    C(K::Dma32),
    F(High),
    F(Io),
    F(Fs),
    F(NoWarn),
    F(RetryMayfail),
    F(NoFail),
    F(NoRetry),
    F(Comp),
    F(Zero),
    F(NoMemalloc),
    F(Memalloc),
    F(Hardwall),
    F(ThisNode),
    F(Reclaimable),
    F(Movable),
    F(Account),
    F(Write),
    C(K::Reclaim),
    F(DirectReclaim),
    F(KswapdReclaim),
    F(ZeroTags),
];

// ------------------------------------------------------------ 6.4–6.12

const BITS_6_4: &[(GfpFlag, u32)] = &[
    (Dma, 0x01),
    (Highmem, 0x02),
    (Dma32, 0x04),
    (Movable, 0x08),
    (Reclaimable, 0x10),
    (High, 0x20),
    (Io, 0x40),
    (Fs, 0x80),
    (Zero, 0x100),
    (DirectReclaim, 0x400),
    (KswapdReclaim, 0x800),
    (Write, 0x1000),
    (NoWarn, 0x2000),
    (RetryMayfail, 0x4000),
    (NoFail, 0x8000),
    (NoRetry, 0x10000),
    (Memalloc, 0x20000),
    (Comp, 0x40000),
    (NoMemalloc, 0x80000),
    (Hardwall, 0x100000),
    (ThisNode, 0x200000),
    (Account, 0x400000),
    (ZeroTags, 0x800000),
    // 0x1000000 and 0x2000000 with CONFIG_KASAN_HW_TAGS.
    (SkipZero, 0),
    (SkipKasan, 0),
    // 0x4000000 with CONFIG_LOCKDEP (6.4–6.8); from 6.9 the next free
    // enum slot.
    (NoLockdep, 0),
];

/// 6.10+: the enum gives `__GFP_NO_OBJ_EXT` the first slot after
/// ZEROTAGS (and after the compiled-out KASAN and LOCKDEP slots), bit 24.
const BITS_6_10: &[(GfpFlag, u32)] = &[
    (Dma, 0x01),
    (Highmem, 0x02),
    (Dma32, 0x04),
    (Movable, 0x08),
    (Reclaimable, 0x10),
    (High, 0x20),
    (Io, 0x40),
    (Fs, 0x80),
    (Zero, 0x100),
    (DirectReclaim, 0x400),
    (KswapdReclaim, 0x800),
    (Write, 0x1000),
    (NoWarn, 0x2000),
    (RetryMayfail, 0x4000),
    (NoFail, 0x8000),
    (NoRetry, 0x10000),
    (Memalloc, 0x20000),
    (Comp, 0x40000),
    (NoMemalloc, 0x80000),
    (Hardwall, 0x100000),
    (ThisNode, 0x200000),
    (Account, 0x400000),
    (ZeroTags, 0x800000),
    (SkipZero, 0),
    (SkipKasan, 0),
    (NoLockdep, 0),
    (NoObjExt, 0x1000000),
];

/// Every layout, oldest first; `start` increases strictly.
pub(super) static LAYOUTS: &[LayoutSpec] = &[
    LayoutSpec {
        releases: "4.9",
        from: "4.9",
        to: "4.9",
        start: (4, 9, 0),
        bits: BITS_4_9,
        bits_shift: 26,
        composites: COMPOSITES_4_9,
        nowait_nowarn: false,
        names: NAMES_4_9,
        source: "4.9.0 include/linux/gfp.h and include/trace/events/mmflags.h",
    },
    LayoutSpec {
        releases: "4.10–4.11",
        from: "4.10",
        to: "4.11",
        start: (4, 10, 0),
        bits: BITS_4_10,
        bits_shift: 25,
        composites: COMPOSITES_4_9,
        nowait_nowarn: false,
        names: NAMES_4_10,
        source: "4.10.1 and 4.11.0: __GFP_OTHER_NODE removed, WRITE and KSWAPD_RECLAIM moved down",
    },
    LayoutSpec {
        releases: "4.12",
        from: "4.12",
        to: "4.12",
        start: (4, 12, 0),
        bits: BITS_4_12,
        bits_shift: 25,
        composites: COMPOSITES_4_9,
        nowait_nowarn: false,
        names: NAMES_4_10,
        source: "4.12.0: __GFP_NOLOCKDEP added (0 without CONFIG_LOCKDEP)",
    },
    LayoutSpec {
        releases: "4.13",
        from: "4.13",
        to: "4.13",
        start: (4, 13, 0),
        bits: BITS_4_13,
        bits_shift: 25,
        composites: COMPOSITES_4_9,
        nowait_nowarn: false,
        names: NAMES_4_13,
        source: "4.13.4: __GFP_REPEAT renamed __GFP_RETRY_MAYFAIL (same bit)",
    },
    LayoutSpec {
        releases: "4.14.0–4.14.8",
        from: "4.14.0",
        to: "4.14.8",
        start: (4, 14, 0),
        bits: BITS_4_13,
        bits_shift: 25,
        composites: COMPOSITES,
        nowait_nowarn: false,
        names: NAMES_4_14,
        source: "4.14.5: GFP_TEMPORARY removed",
    },
    LayoutSpec {
        releases: "4.14.9–4.14.336",
        from: "4.14.9",
        to: "4.14.336",
        start: (4, 14, 9),
        bits: BITS_4_14_9,
        bits_shift: 25,
        composites: COMPOSITES,
        nowait_nowarn: false,
        names: NAMES_4_14_9,
        source: "4.14.74 and 4.14.177: the stable backport of the kmemcheck removal dropped __GFP_NOTRACK (first stable release not verified: present in 4.14.5, absent in 4.14.74)",
    },
    LayoutSpec {
        releases: "4.15–4.17",
        from: "4.15",
        to: "4.17",
        start: (4, 15, 0),
        bits: BITS_4_15,
        bits_shift: 25,
        composites: COMPOSITES,
        nowait_nowarn: false,
        names: NAMES_4_15,
        source: "4.15.18, 4.16.13, 4.17.0: __GFP_COLD and __GFP_NOTRACK removed, leaving holes",
    },
    LayoutSpec {
        releases: "4.18–5.0",
        from: "4.18",
        to: "5.0",
        start: (4, 18, 0),
        bits: BITS_4_18,
        bits_shift: 23,
        composites: COMPOSITES,
        nowait_nowarn: false,
        names: NAMES_4_15,
        source: "4.18.0, 4.19.0, 4.20.0, 5.0.1: holes closed (WRITE 0x100, reclaim bits 0x200000/0x400000)",
    },
    LayoutSpec {
        releases: "5.1–5.13",
        from: "5.1",
        to: "5.13",
        start: (5, 1, 0),
        bits: BITS_5_1,
        bits_shift: 23,
        composites: COMPOSITES,
        nowait_nowarn: false,
        names: NAMES_4_15,
        source: "5.1.15 … 5.12.9: renumbered (ZERO 0x100, ATOMIC 0x200, reclaim bits 0x400/0x800); 5.13 not read",
    },
    LayoutSpec {
        releases: "5.14–5.17",
        from: "5.14",
        to: "5.17",
        start: (5, 14, 0),
        bits: BITS_5_14,
        bits_shift: 25,
        composites: COMPOSITES,
        nowait_nowarn: false,
        names: NAMES_5_14,
        source: "5.14.2, 5.15.16, 5.15.55, 5.16.10, 5.17-rc5: __GFP_ZEROTAGS and an unconditional __GFP_SKIP_KASAN_POISON (a real bit, inside GFP_HIGHUSER_MOVABLE); their %pGg names arrived in 5.14-rc7",
    },
    LayoutSpec {
        releases: "5.18–6.2",
        from: "5.18",
        to: "6.2",
        start: (5, 18, 0),
        bits: BITS_5_18,
        bits_shift: 27,
        composites: COMPOSITES,
        nowait_nowarn: false,
        names: NAMES_5_18,
        source: "5.18.12, 5.19.0, 6.0-rc1, 6.1-rc7, 6.2.12: KASAN flags only with KASAN_HW_TAGS (0 on x86_64); gfp_types.h from 6.0",
    },
    LayoutSpec {
        releases: "6.3",
        from: "6.3",
        to: "6.3",
        start: (6, 3, 0),
        bits: BITS_6_3,
        bits_shift: 27,
        composites: COMPOSITES,
        nowait_nowarn: false,
        names: NAMES_6_3,
        source: "6.3.8: __GFP_ATOMIC removed (0x200 unused); reserves via ALLOC_NON_BLOCK",
    },
    LayoutSpec {
        releases: "6.4–6.7",
        from: "6.4",
        to: "6.7",
        start: (6, 4, 0),
        bits: BITS_6_4,
        bits_shift: 26,
        composites: COMPOSITES,
        nowait_nowarn: false,
        names: NAMES_6_3,
        source: "6.4.4, 6.5.0, 6.6.0, 6.6.57, 6.7.3: SKIP_KASAN_POISON/UNPOISON merged into __GFP_SKIP_KASAN",
    },
    LayoutSpec {
        releases: "6.8",
        from: "6.8",
        to: "6.8",
        start: (6, 8, 0),
        bits: BITS_6_4,
        bits_shift: 26,
        composites: COMPOSITES,
        nowait_nowarn: true,
        names: NAMES_6_3,
        source: "6.8.0: GFP_NOWAIT includes __GFP_NOWARN",
    },
    LayoutSpec {
        releases: "6.9",
        from: "6.9",
        to: "6.9",
        start: (6, 9, 0),
        bits: BITS_6_4,
        bits_shift: 24,
        composites: COMPOSITES,
        nowait_nowarn: true,
        names: NAMES_6_3,
        source: "6.9.0, 6.9.3: bits defined through an enum (compiled-out flags take no slot)",
    },
    LayoutSpec {
        releases: "6.10–6.12",
        from: "6.10",
        to: "6.12",
        start: (6, 10, 0),
        bits: BITS_6_10,
        bits_shift: 25,
        composites: COMPOSITES,
        nowait_nowarn: true,
        names: NAMES_6_3,
        source: "6.10.0, 6.11.11, 6.12.0, 6.12.19: __GFP_NO_OBJ_EXT added (a bit with CONFIG_SLAB_OBJ_EXT, selected by MEMCG)",
    },
];
