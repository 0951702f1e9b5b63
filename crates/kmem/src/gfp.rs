//! GFP flags ("get free pages" masks) for every release from 4.9 to 6.12:
//! the bit values of each release, the composite masks (`GFP_KERNEL` …),
//! `%pGg` formatting exactly as the kernel prints it, a parser for masks
//! as users write them, and the helpers the allocator derives from a mask
//! (`gfp_zone()`, `gfp_migratetype()`, `gfpflags_allow_blocking()`, and
//! the reserve access of `gfp_to_alloc_flags()`).
//!
//! Kernel rules (x86_64; gfp/tables.rs names the source of every layout):
//! - `gfp_t` is an `unsigned int`. `___GFP_*` are the raw integers and
//!   `__GFP_*` the same values cast to `gfp_t`; both spellings parse.
//! - The numbering changed several times (4.10, 4.15, 4.18, 5.1, 5.14,
//!   5.18, 6.3, 6.4, 6.10), so a raw mask printed by one kernel must be
//!   decoded with the table of that kernel: `GFP_KERNEL` is `0x24000c0` in
//!   4.9, `0x14000c0` in 4.10–4.17, `0x6000c0` in 4.18–5.0 and `0xcc0` from
//!   5.1 on.
//! - Configuration assumed: x86_64, `CONFIG_LOCKDEP=n` (so
//!   `__GFP_NOLOCKDEP` is 0), `CONFIG_KASAN_HW_TAGS=n` (it cannot be enabled
//!   on x86, so the 5.18+ `__GFP_SKIP_*` flags are 0) and `CONFIG_MEMCG=y`
//!   (so 6.10+'s `__GFP_NO_OBJ_EXT` has a bit).
//! - `%pGg` (lib/vsprintf.c `format_flags()` over `gfpflag_names[]`, built
//!   from include/trace/events/mmflags.h): walk the name table in order;
//!   print every entry whose whole mask is still contained in the remaining
//!   flags, clear those bits, and separate names with `|`; print leftover
//!   bits as `0x%lx`. A zero mask prints nothing.

use crate::buddy::ReserveAccess;
use crate::profile::{Release, VersionError};
use crate::zone::{MigrateType, ZoneType};
use std::fmt;
use std::ops::{BitAnd, BitAndAssign, BitOr, BitOrAssign, Not};
use std::sync::OnceLock;

mod parse;
mod tables;

use tables::{Composite, LayoutSpec, Sym};

/// A GFP mask (gfp_t is an unsigned int).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct Gfp(pub u32);

impl Gfp {
    /// The empty mask.
    pub const NONE: Gfp = Gfp(0);

    /// The raw value.
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// True when no bit is set.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// True when every bit of `other` is set in `self` (an empty `other` is
    /// always contained).
    pub const fn contains(self, other: Gfp) -> bool {
        self.0 & other.0 == other.0
    }

    /// True when `self` and `other` share a bit.
    pub const fn intersects(self, other: Gfp) -> bool {
        self.0 & other.0 != 0
    }

    /// `self & ~other`.
    pub const fn without(self, other: Gfp) -> Gfp {
        Gfp(self.0 & !other.0)
    }
}

impl BitOr for Gfp {
    type Output = Gfp;
    fn bitor(self, rhs: Gfp) -> Gfp {
        Gfp(self.0 | rhs.0)
    }
}

impl BitOrAssign for Gfp {
    fn bitor_assign(&mut self, rhs: Gfp) {
        self.0 |= rhs.0;
    }
}

impl BitAnd for Gfp {
    type Output = Gfp;
    fn bitand(self, rhs: Gfp) -> Gfp {
        Gfp(self.0 & rhs.0)
    }
}

impl BitAndAssign for Gfp {
    fn bitand_assign(&mut self, rhs: Gfp) {
        self.0 &= rhs.0;
    }
}

impl Not for Gfp {
    type Output = Gfp;
    fn not(self) -> Gfp {
        Gfp(!self.0)
    }
}

/// Prints the mask as C's `%#x` does: `0xcc0`, and `0` for an empty mask.
/// A mask prints as `%#x` does: `0x0` for none (lib/vsprintf.c
/// `number()` gives base 16 its prefix even for zero).
impl fmt::Display for Gfp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#x}", self.0)
    }
}

impl fmt::LowerHex for Gfp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::LowerHex::fmt(&self.0, f)
    }
}

/// Every named GFP bit that existed in any release 4.9..=6.12.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum GfpFlag {
    /// `__GFP_DMA`.
    Dma,
    /// `__GFP_HIGHMEM`.
    Highmem,
    /// `__GFP_DMA32`.
    Dma32,
    /// `__GFP_MOVABLE`.
    Movable,
    /// `__GFP_RECLAIMABLE`.
    Reclaimable,
    /// `__GFP_HIGH`.
    High,
    /// `__GFP_IO`.
    Io,
    /// `__GFP_FS`.
    Fs,
    /// `__GFP_COLD` (4.9–4.14).
    Cold,
    /// `__GFP_NOWARN`.
    NoWarn,
    /// `__GFP_REPEAT` (4.9–4.12): same bit as the later
    /// `__GFP_RETRY_MAYFAIL`, with the older "try harder for costly orders"
    /// meaning.
    Repeat,
    /// `__GFP_RETRY_MAYFAIL` (4.13+).
    RetryMayfail,
    /// `__GFP_NOFAIL`.
    NoFail,
    /// `__GFP_NORETRY`.
    NoRetry,
    /// `__GFP_MEMALLOC`.
    Memalloc,
    /// `__GFP_COMP`.
    Comp,
    /// `__GFP_ZERO`.
    Zero,
    /// `__GFP_NOMEMALLOC`.
    NoMemalloc,
    /// `__GFP_HARDWALL`.
    Hardwall,
    /// `__GFP_THISNODE`.
    ThisNode,
    /// `__GFP_ATOMIC` (4.9–6.2).
    Atomic,
    /// `__GFP_ACCOUNT`.
    Account,
    /// `__GFP_DIRECT_RECLAIM`.
    DirectReclaim,
    /// `__GFP_KSWAPD_RECLAIM`.
    KswapdReclaim,
    /// `__GFP_WRITE`.
    Write,
    /// `__GFP_NOTRACK` (kmemcheck; 4.9 to early 4.14 stable releases).
    NoTrack,
    /// `__GFP_OTHER_NODE` (4.9 only).
    OtherNode,
    /// `__GFP_NOLOCKDEP` (4.12+; 0 without CONFIG_LOCKDEP).
    NoLockdep,
    /// `__GFP_ZEROTAGS` (5.14+).
    ZeroTags,
    /// `__GFP_SKIP_KASAN_POISON` (5.14–6.3; a real bit in 5.14–5.17, 0 on
    /// x86_64 from 5.18).
    SkipKasanPoison,
    /// `__GFP_SKIP_KASAN_UNPOISON` (5.18–6.3; 0 on x86_64).
    SkipKasanUnpoison,
    /// `__GFP_SKIP_ZERO` (5.18+; 0 on x86_64).
    SkipZero,
    /// `__GFP_SKIP_KASAN` (6.4+, replacing the two above; 0 on x86_64).
    SkipKasan,
    /// `__GFP_NO_OBJ_EXT` (6.10+; needs CONFIG_SLAB_OBJ_EXT, which MEMCG
    /// selects).
    NoObjExt,
}

impl GfpFlag {
    /// Every flag, in declaration order.
    pub const ALL: [GfpFlag; 34] = [
        GfpFlag::Dma,
        GfpFlag::Highmem,
        GfpFlag::Dma32,
        GfpFlag::Movable,
        GfpFlag::Reclaimable,
        GfpFlag::High,
        GfpFlag::Io,
        GfpFlag::Fs,
        GfpFlag::Cold,
        GfpFlag::NoWarn,
        GfpFlag::Repeat,
        GfpFlag::RetryMayfail,
        GfpFlag::NoFail,
        GfpFlag::NoRetry,
        GfpFlag::Memalloc,
        GfpFlag::Comp,
        GfpFlag::Zero,
        GfpFlag::NoMemalloc,
        GfpFlag::Hardwall,
        GfpFlag::ThisNode,
        GfpFlag::Atomic,
        GfpFlag::Account,
        GfpFlag::DirectReclaim,
        GfpFlag::KswapdReclaim,
        GfpFlag::Write,
        GfpFlag::NoTrack,
        GfpFlag::OtherNode,
        GfpFlag::NoLockdep,
        GfpFlag::ZeroTags,
        GfpFlag::SkipKasanPoison,
        GfpFlag::SkipKasanUnpoison,
        GfpFlag::SkipZero,
        GfpFlag::SkipKasan,
        GfpFlag::NoObjExt,
    ];

    const fn index(self) -> usize {
        self as usize
    }

    /// The kernel's name, `__GFP_…`.
    pub const fn name(self) -> &'static str {
        self.info().0
    }

    /// The group the kernel documentation puts the flag in.
    pub const fn group(self) -> FlagGroup {
        self.info().1
    }

    /// What the flag asks for, in one line.
    pub const fn meaning(self) -> &'static str {
        self.info().2
    }

    const fn info(self) -> (&'static str, FlagGroup, &'static str) {
        use FlagGroup as G;
        match self {
            GfpFlag::Dma => ("__GFP_DMA", G::ZoneModifier,
                "Allocate from ZONE_DMA (the first 16 MiB), for devices with ISA-era addressing limits."),
            GfpFlag::Highmem => ("__GFP_HIGHMEM", G::ZoneModifier,
                "High memory is acceptable; x86_64 has none, so this means ZONE_NORMAL (ZONE_MOVABLE with __GFP_MOVABLE)."),
            GfpFlag::Dma32 => ("__GFP_DMA32", G::ZoneModifier,
                "Allocate below 4 GiB (ZONE_DMA32), for devices that can only address 32 bits."),
            GfpFlag::Movable => ("__GFP_MOVABLE", G::Mobility,
                "The page can be migrated or reclaimed: use the movable free lists, and ZONE_MOVABLE together with __GFP_HIGHMEM."),
            GfpFlag::Reclaimable => ("__GFP_RECLAIMABLE", G::Mobility,
                "A slab page whose objects a shrinker can free: use the reclaimable free lists."),
            GfpFlag::High => ("__GFP_HIGH", G::Watermark,
                "High priority: the request may go below the min watermark, using half of the emergency reserve."),
            GfpFlag::Io => ("__GFP_IO", G::Reclaim,
                "Reclaim done for this request may start disk I/O."),
            GfpFlag::Fs => ("__GFP_FS", G::Reclaim,
                "Reclaim done for this request may call into filesystems."),
            GfpFlag::Cold => ("__GFP_COLD", G::Action,
                "The page will not be touched soon: take a cache-cold page from the per-CPU list tail."),
            GfpFlag::NoWarn => ("__GFP_NOWARN", G::Action,
                "Do not log an allocation-failure report if the request fails."),
            GfpFlag::Repeat => ("__GFP_REPEAT", G::Reclaim,
                "Try harder before failing a costly (order > 3) request; it may still fail."),
            GfpFlag::RetryMayfail => ("__GFP_RETRY_MAYFAIL", G::Reclaim,
                "Keep reclaiming and compacting while that makes progress, then fail instead of calling the OOM killer."),
            GfpFlag::NoFail => ("__GFP_NOFAIL", G::Reclaim,
                "Never return failure: retry forever (only together with direct reclaim; discouraged)."),
            GfpFlag::NoRetry => ("__GFP_NORETRY", G::Reclaim,
                "Make one light reclaim attempt, then fail; never calls the OOM killer."),
            GfpFlag::Memalloc => ("__GFP_MEMALLOC", G::Watermark,
                "Ignore the watermarks and use every reserve; only for callers that are about to free memory."),
            GfpFlag::Comp => ("__GFP_COMP", G::Action,
                "Set up a compound page: a multi-page block the kernel handles as one unit."),
            GfpFlag::Zero => ("__GFP_ZERO", G::Action,
                "Fill the memory with zeroes before returning it."),
            GfpFlag::NoMemalloc => ("__GFP_NOMEMALLOC", G::Watermark,
                "Never use the emergency reserves; wins over __GFP_MEMALLOC."),
            GfpFlag::Hardwall => ("__GFP_HARDWALL", G::Placement,
                "Stay strictly within the memory nodes of the task's cpuset."),
            GfpFlag::ThisNode => ("__GFP_THISNODE", G::Placement,
                "Use only the requested NUMA node: no fallback to other nodes, no memory policy."),
            GfpFlag::Atomic => ("__GFP_ATOMIC", G::Watermark,
                "The caller cannot sleep or reclaim and is important: it may use more of the reserves than __GFP_HIGH alone."),
            GfpFlag::Account => ("__GFP_ACCOUNT", G::Placement,
                "Charge the memory to the current task's memory cgroup."),
            GfpFlag::DirectReclaim => ("__GFP_DIRECT_RECLAIM", G::Reclaim,
                "The caller may reclaim memory itself, so the allocation may sleep."),
            GfpFlag::KswapdReclaim => ("__GFP_KSWAPD_RECLAIM", G::Reclaim,
                "Wake kswapd when a zone drops below its low watermark, to reclaim in the background."),
            GfpFlag::Write => ("__GFP_WRITE", G::Placement,
                "The caller will dirty the page: spread such pages over the zones to balance dirty memory."),
            GfpFlag::NoTrack => ("__GFP_NOTRACK", G::Action,
                "kmemcheck: do not track reads of uninitialised bytes in this allocation."),
            GfpFlag::OtherNode => ("__GFP_OTHER_NODE", G::Action,
                "Count the allocation in the NUMA statistics as made on behalf of another node."),
            GfpFlag::NoLockdep => ("__GFP_NOLOCKDEP", G::Debug,
                "Leave this allocation out of lockdep's reclaim-context checking."),
            GfpFlag::ZeroTags => ("__GFP_ZEROTAGS", G::Action,
                "Zero the memory tags (Arm MTE) while zeroing the memory."),
            GfpFlag::SkipKasanPoison => ("__GFP_SKIP_KASAN_POISON", G::Action,
                "KASAN: do not poison the page when it is freed."),
            GfpFlag::SkipKasanUnpoison => ("__GFP_SKIP_KASAN_UNPOISON", G::Action,
                "KASAN: do not unpoison the page when it is allocated."),
            GfpFlag::SkipZero => ("__GFP_SKIP_ZERO", G::Action,
                "KASAN hardware tags: skip the zeroing that init-on-alloc would do."),
            GfpFlag::SkipKasan => ("__GFP_SKIP_KASAN", G::Action,
                "KASAN: skip unpoisoning the memory on allocation."),
            GfpFlag::NoObjExt => ("__GFP_NO_OBJ_EXT", G::Placement,
                "Slab: do not attach an object-extension vector (memcg and allocation-profiling data)."),
        }
    }

    /// The flag whose `__GFP_` or `___GFP_` name is `name`.
    pub fn from_name(name: &str) -> Option<GfpFlag> {
        let core = name
            .strip_prefix("___GFP_")
            .or_else(|| name.strip_prefix("__GFP_"))?;
        GfpFlag::ALL
            .into_iter()
            .find(|flag| flag.name().strip_prefix("__GFP_") == Some(core))
    }
}

impl fmt::Display for GfpFlag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The groups of GFP flags, as the kernel documentation sorts them.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum FlagGroup {
    /// Which zones may be used (the low four bits).
    ZoneModifier,
    /// Which free lists (migrate type) the page comes from.
    Mobility,
    /// Where the memory may come from and who pays for it.
    Placement,
    /// Access to the reserves below the watermarks.
    Watermark,
    /// What the allocator may do to free memory, and how hard it retries.
    Reclaim,
    /// What is done to the memory or the report.
    Action,
    /// Debugging aids.
    Debug,
}

impl FlagGroup {
    /// The group's name in the kernel documentation's words.
    pub const fn name(self) -> &'static str {
        match self {
            FlagGroup::ZoneModifier => "zone modifier",
            FlagGroup::Mobility => "mobility",
            FlagGroup::Placement => "placement",
            FlagGroup::Watermark => "watermark modifier",
            FlagGroup::Reclaim => "reclaim modifier",
            FlagGroup::Action => "action modifier",
            FlagGroup::Debug => "debug",
        }
    }
}

/// What `gfp_zone()` chose.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZoneChoice {
    /// The highest zone the request may use.
    pub zone: ZoneType,
    /// False for the `GFP_ZONE_BAD` combinations (more than one of DMA,
    /// DMA32 and HIGHMEM); the table entry is then 0 (ZONE_DMA) and
    /// CONFIG_DEBUG_VM kernels hit a VM_BUG_ON.
    pub valid: bool,
    /// The zones the request may use, highest first (the zonelist order).
    pub fallback: Vec<ZoneType>,
}

/// One named flag of a release, decoded against a mask.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BitMeaning {
    /// The flag's kernel name.
    pub name: &'static str,
    /// Its value in this release (0 when the x86_64 configuration compiles
    /// it out).
    pub value: Gfp,
    /// Its group.
    pub group: FlagGroup,
    /// Whether the mask has it (never for a zero-valued flag).
    pub set: bool,
    /// What it means, in one line.
    pub meaning: &'static str,
}

/// Why a GFP expression was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GfpParseError {
    /// What is wrong.
    pub message: String,
    /// How to fix it, when we can tell.
    pub help: Option<String>,
    /// The byte range of the offending token in the input.
    pub span: (usize, usize),
}

impl fmt::Display for GfpParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(help) = &self.help {
            write!(f, " (help: {help})")?;
        }
        Ok(())
    }
}

impl std::error::Error for GfpParseError {}

/// One release's GFP layout: bit values, composites and the %pGg name table.
#[derive(Debug)]
pub struct GfpTable {
    spec: &'static LayoutSpec,
    /// Value of every flag (0 when absent or compiled out).
    bits: [u32; GfpFlag::ALL.len()],
    /// Whether the release defines the flag's name.
    defined: [bool; GfpFlag::ALL.len()],
    composites: Vec<(&'static str, Gfp)>,
    names: Vec<(&'static str, Gfp)>,
}

fn tables() -> &'static [GfpTable] {
    static TABLES: OnceLock<Vec<GfpTable>> = OnceLock::new();
    TABLES.get_or_init(|| tables::LAYOUTS.iter().map(GfpTable::build).collect())
}

impl GfpTable {
    fn build(spec: &'static LayoutSpec) -> GfpTable {
        let mut bits = [0u32; GfpFlag::ALL.len()];
        let mut defined = [false; GfpFlag::ALL.len()];
        for &(flag, value) in spec.bits {
            bits[flag.index()] = value;
            defined[flag.index()] = true;
        }
        let mut table = GfpTable {
            spec,
            bits,
            defined,
            composites: Vec::new(),
            names: Vec::new(),
        };
        table.composites = spec
            .composites
            .iter()
            .map(|&c| (c.name(), table.composite_value(c)))
            .collect();
        table.names = spec
            .names
            .iter()
            .map(|&sym| match sym {
                Sym::F(flag) => (flag.name(), table.bit(flag)),
                Sym::C(c) => (c.name(), table.composite_value(c)),
            })
            .collect();
        table
    }

    /// The value of a composite, from the definitions in gfp.h /
    /// gfp_types.h (identical in every release apart from the parts noted).
    fn composite_value(&self, c: Composite) -> Gfp {
        let b = |f: GfpFlag| self.bit(f);
        use GfpFlag::*;
        let reclaim = b(DirectReclaim) | b(KswapdReclaim);
        let user = reclaim | b(Io) | b(Fs) | b(Hardwall);
        let highuser = user | b(Highmem);
        // 5.14–5.17 add __GFP_SKIP_KASAN_POISON (a real bit there), 5.18–6.2
        // the same name compiled to 0, 6.3+ __GFP_SKIP_KASAN (0 on x86).
        let highuser_movable = highuser | b(Movable) | b(SkipKasanPoison) | b(SkipKasan);
        let transhuge_light =
            (highuser_movable | b(Comp) | b(NoMemalloc) | b(NoWarn)).without(reclaim);
        match c {
            Composite::Reclaim => reclaim,
            Composite::Atomic => b(High) | b(Atomic) | b(KswapdReclaim),
            Composite::Kernel => reclaim | b(Io) | b(Fs),
            Composite::KernelAccount => reclaim | b(Io) | b(Fs) | b(Account),
            Composite::Nowait => {
                if self.spec.nowait_nowarn {
                    b(KswapdReclaim) | b(NoWarn)
                } else {
                    b(KswapdReclaim)
                }
            }
            Composite::Noio => reclaim,
            Composite::Nofs => reclaim | b(Io),
            Composite::Temporary => reclaim | b(Io) | b(Fs) | b(Reclaimable),
            Composite::User => user,
            Composite::Dma => b(Dma),
            Composite::Dma32 => b(Dma32),
            Composite::Highuser => highuser,
            Composite::HighuserMovable => highuser_movable,
            Composite::TranshugeLight => transhuge_light,
            Composite::Transhuge => transhuge_light | b(DirectReclaim),
        }
    }

    /// The table for a release. A bare series (`6.6`) works; a patch level
    /// matters only in 4.14, whose stable releases dropped
    /// `__GFP_NOTRACK`.
    pub fn for_release(release: Release) -> Result<&'static GfpTable, VersionError> {
        let index = tables::layout_index(release).ok_or(VersionError::NoGfpTable(release))?;
        tables().get(index).ok_or(VersionError::NoGfpTable(release))
    }

    /// The newest release series the tables cover.
    pub fn newest() -> Release {
        tables::NEWEST
    }

    /// Whether `release` is a series after every table (decoded with the
    /// newest table, which may differ).
    pub fn is_after_tables(release: Release) -> bool {
        tables::is_after_tables(release)
    }

    /// The table to decode a mask of `release` with: its own, or for a
    /// release after the tables the newest one and a note saying so.
    pub fn for_decoding(
        release: Release,
    ) -> Result<(&'static GfpTable, Option<String>), VersionError> {
        if !GfpTable::is_after_tables(release) {
            return Ok((GfpTable::for_release(release)?, None));
        }
        let newest = GfpTable::newest();
        let note = format!(
            "{release} is newer than the flag tables ({}): decoded with {newest}'s flags, which may differ",
            GfpTable::range_text()
        );
        Ok((GfpTable::for_release(newest)?, Some(note)))
    }

    /// The releases the tables cover, as "4.9 to 6.12".
    pub fn range_text() -> String {
        format!("{} to {}", tables::OLDEST, tables::NEWEST)
    }

    /// Every layout, oldest first.
    pub fn all() -> &'static [GfpTable] {
        tables()
    }

    /// The releases using this layout, e.g. "5.1–5.13".
    pub fn releases(&self) -> &'static str {
        self.spec.releases
    }

    /// Where the layout was read and what is not verified.
    pub fn source(&self) -> &'static str {
        self.spec.source
    }

    /// The flag's value in this release: `Gfp(0)` when the release does not
    /// define it or the x86_64 configuration compiles it to 0.
    pub fn bit(&self, flag: GfpFlag) -> Gfp {
        Gfp(self.bits[flag.index()])
    }

    /// Whether this release defines the flag's name at all (it may still
    /// be 0, like `__GFP_NOLOCKDEP` without CONFIG_LOCKDEP).
    pub fn defines(&self, flag: GfpFlag) -> bool {
        self.defined[flag.index()]
    }

    /// Whether the flag has a bit in this release and `mask` has it.
    pub fn has(&self, mask: Gfp, flag: GfpFlag) -> bool {
        let bit = self.bit(flag);
        !bit.is_empty() && mask.contains(bit)
    }

    /// The flags this release defines, with their values.
    pub fn flags(&self) -> impl Iterator<Item = (GfpFlag, Gfp)> + '_ {
        self.spec
            .bits
            .iter()
            .map(|&(flag, value)| (flag, Gfp(value)))
    }

    /// A composite mask (`GFP_KERNEL`, `__GFP_RECLAIM` …) of this release.
    pub fn composite(&self, name: &str) -> Option<Gfp> {
        self.composites
            .iter()
            .find(|(n, _)| *n == name)
            .map(|&(_, v)| v)
    }

    /// The composites of this release with their values.
    pub fn composites(&self) -> &[(&'static str, Gfp)] {
        &self.composites
    }

    /// The `%pGg` name table (`gfpflag_names[]`) in order, with values.
    pub fn name_table(&self) -> &[(&'static str, Gfp)] {
        &self.names
    }

    /// `__GFP_BITS_MASK` for the assumed configuration.
    pub fn bits_mask(&self) -> Gfp {
        Gfp(1u32
            .checked_shl(self.spec.bits_shift)
            .map_or(u32::MAX, |p| p.wrapping_sub(1)))
    }

    /// `__GFP_BITS_SHIFT` for the assumed configuration.
    pub fn bits_shift(&self) -> u32 {
        self.spec.bits_shift
    }

    /// The value of a name as C would evaluate it in this release:
    /// `__GFP_X`, `___GFP_X` or a composite.
    pub fn lookup(&self, name: &str) -> Option<Gfp> {
        if let Some(v) = self.composite(name) {
            return Some(v);
        }
        let flag = GfpFlag::from_name(name)?;
        self.defines(flag).then(|| self.bit(flag))
    }

    /// Parses a mask as users write it: names joined by `|` (with or
    /// without spaces), hex (`0xcc0`) or decimal numbers, `~`, `&`, `|` and
    /// parentheses, e.g. `GFP_KERNEL & ~__GFP_DIRECT_RECLAIM`. A mask copied
    /// from a log line (`mode:0xcc0(GFP_KERNEL)`) is accepted when both
    /// halves agree in this release.
    pub fn parse(&self, text: &str) -> Result<Gfp, GfpParseError> {
        parse::parse(self, text)
    }

    /// The mask as `%pGg` prints it.
    pub fn format(&self, mask: Gfp) -> String {
        // lib/vsprintf.c format_flags().
        let mut out = String::new();
        let mut flags = mask.0;
        for &(name, value) in &self.names {
            if flags == 0 {
                break;
            }
            if flags & value.0 != value.0 {
                continue;
            }
            out.push_str(name);
            flags &= !value.0;
            if flags != 0 {
                out.push('|');
            }
        }
        if flags != 0 {
            out.push_str(&format!("{flags:#x}"));
        }
        out
    }

    /// The mask as `"%#x(%pGg)"` prints it, e.g. `0xcc0(GFP_KERNEL)`;
    /// `%#x` of 0 is `0`.
    pub fn format_mode(&self, mask: Gfp) -> String {
        format!("{mask}({})", self.format(mask))
    }

    /// `gfp_zone()`: the highest zone the mask allows (x86_64, where
    /// `GFP_ZONE_TABLE` is 0x1320122 and `GFP_ZONE_BAD` 0xe8e8 in every
    /// release 4.9–6.12).
    pub fn zone(&self, mask: Gfp) -> ZoneChoice {
        // The zone modifiers keep their low bits in every release, but read
        // them through the table anyway.
        let mut bit = 0u32;
        for (i, flag) in [
            GfpFlag::Dma,
            GfpFlag::Highmem,
            GfpFlag::Dma32,
            GfpFlag::Movable,
        ]
        .into_iter()
        .enumerate()
        {
            if self.has(mask, flag) {
                bit |= 1 << i;
            }
        }
        const GFP_ZONE_TABLE: u32 = 0x0132_0122;
        const GFP_ZONE_BAD: u32 = 0xe8e8;
        let index = (GFP_ZONE_TABLE >> (bit * 2)) & 3;
        let zone = ZoneType::from_index(index as usize).unwrap_or(ZoneType::Dma);
        let fallback = ZoneType::ALL
            .iter()
            .rev()
            .copied()
            .filter(|z| *z <= zone)
            .collect();
        ZoneChoice {
            zone,
            valid: (GFP_ZONE_BAD >> bit) & 1 == 0,
            fallback,
        }
    }

    /// `gfp_migratetype()` (`gfpflags_to_migratetype()` before 5.x):
    /// RECLAIMABLE and MOVABLE shifted down by 3; both together give
    /// MIGRATE_HIGHATOMIC (a VM_WARN in the kernel). Grouping by mobility
    /// is assumed enabled.
    pub fn migratetype(&self, mask: Gfp) -> MigrateType {
        match (
            self.has(mask, GfpFlag::Movable),
            self.has(mask, GfpFlag::Reclaimable),
        ) {
            (false, false) => MigrateType::Unmovable,
            (true, false) => MigrateType::Movable,
            (false, true) => MigrateType::Reclaimable,
            (true, true) => MigrateType::HighAtomic,
        }
    }

    /// `gfpflags_allow_blocking()`: the mask has `__GFP_DIRECT_RECLAIM`.
    pub fn allows_blocking(&self, mask: Gfp) -> bool {
        self.has(mask, GfpFlag::DirectReclaim)
    }

    /// The reserve access `gfp_to_alloc_flags()` derives from the mask for
    /// the slow path (real-time tasks and OOM victims, which also get
    /// access, are not modelled): ALLOC_HARDER for `__GFP_ATOMIC`, or, with
    /// `by_blocking` (the 6.3 rules, `Change::ReservesByBlocking`, also in
    /// 6.1.y while `__GFP_ATOMIC` still exists), ALLOC_NON_BLOCK for a mask
    /// without direct reclaim and ALLOC_MIN_RESERVE for `__GFP_HIGH`.
    pub fn reserve_access(&self, mask: Gfp, order: u8, by_blocking: bool) -> ReserveAccess {
        let has = |f| self.has(mask, f);
        let no_watermarks = has(GfpFlag::Memalloc) && !has(GfpFlag::NoMemalloc);
        let min_half = has(GfpFlag::High);
        if !by_blocking {
            // ALLOC_HIGH = __GFP_HIGH; ALLOC_HARDER for __GFP_ATOMIC unless
            // __GFP_NOMEMALLOC.
            let harder = has(GfpFlag::Atomic) && !has(GfpFlag::NoMemalloc);
            ReserveAccess {
                min_half,
                min_quarter: harder,
                highatomic_counts_as_free: harder,
                highatomic_first: harder,
                highatomic_last: false,
                no_watermarks,
            }
        } else {
            // ALLOC_MIN_RESERVE = __GFP_HIGH; ALLOC_NON_BLOCK without direct
            // reclaim unless __GFP_NOMEMALLOC, plus ALLOC_HIGHATOMIC for
            // order > 0.
            let non_block = !has(GfpFlag::DirectReclaim) && !has(GfpFlag::NoMemalloc);
            let highatomic = non_block && order > 0;
            ReserveAccess {
                min_half,
                min_quarter: min_half && non_block,
                highatomic_counts_as_free: min_half || non_block || highatomic,
                highatomic_first: highatomic,
                highatomic_last: non_block,
                no_watermarks,
            }
        }
    }

    /// One entry per flag this release defines, set or not, in bit order
    /// (flags compiled to 0 on x86_64 come last).
    pub fn meanings(&self, mask: Gfp) -> Vec<BitMeaning> {
        let mut flags: Vec<(GfpFlag, Gfp)> = self.flags().collect();
        flags.sort_by_key(|&(_, value)| (value.0 == 0, value.0));
        flags
            .into_iter()
            .map(|(flag, value)| BitMeaning {
                name: flag.name(),
                value,
                group: flag.group(),
                set: self.has(mask, flag),
                meaning: flag.meaning(),
            })
            .collect()
    }

    /// The layouts (as release ranges) that define `name`, merged into
    /// contiguous runs, e.g. `["4.9–6.2"]`.
    fn where_defined(name: &str) -> Vec<String> {
        let mut runs: Vec<(&'static str, &'static str)> = Vec::new();
        let mut open = false;
        for table in tables() {
            if table.lookup(name).is_some() {
                match (open, runs.last_mut()) {
                    (true, Some(last)) => last.1 = table.spec.to,
                    _ => runs.push((table.spec.from, table.spec.to)),
                }
                open = true;
            } else {
                open = false;
            }
        }
        runs.into_iter()
            .map(|(from, to)| {
                if from == to {
                    from.to_string()
                } else {
                    format!("{from}–{to}")
                }
            })
            .collect()
    }

    /// Every name this release accepts in an expression.
    fn known_names(&self) -> Vec<&'static str> {
        let mut names: Vec<&'static str> = self.composites.iter().map(|(n, _)| *n).collect();
        names.extend(self.spec.bits.iter().map(|(f, _)| f.name()));
        names
    }
}

/// Where an allocation is made, for [`advice`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum AllocContext {
    /// Process context that may sleep (no locks held that forbid it).
    ProcessCanSleep,
    /// Process context that must not sleep, e.g. with a spinlock held.
    ProcessAtomic,
    /// A softirq (e.g. network receive).
    SoftIrq,
    /// A hard interrupt handler.
    HardIrq,
    /// A tasklet (runs in softirq context).
    Tasklet,
    /// A non-maskable interrupt handler.
    Nmi,
    /// Memory a legacy (ISA-style) device reaches by DMA; the caller may sleep.
    DmaCanSleep,
    /// Such DMA memory, from a context that must not sleep.
    DmaAtomic,
}

impl AllocContext {
    /// Every context.
    pub const ALL: [AllocContext; 8] = [
        AllocContext::ProcessCanSleep,
        AllocContext::ProcessAtomic,
        AllocContext::SoftIrq,
        AllocContext::HardIrq,
        AllocContext::Tasklet,
        AllocContext::Nmi,
        AllocContext::DmaCanSleep,
        AllocContext::DmaAtomic,
    ];
}

/// The flags to use in a context, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Advice {
    /// The context.
    pub context: AllocContext,
    /// The recommended flags as C code, e.g. `GFP_DMA | GFP_ATOMIC`; `None`
    /// when no allocation is safe there.
    pub flags: Option<&'static str>,
    /// Their value in the release.
    pub mask: Option<Gfp>,
    /// Why, in one line.
    pub reason: String,
    /// For contexts that cannot sleep: when to prefer `GFP_NOWAIT`.
    pub alternative: Option<String>,
}

/// Which GFP flags to use in a context (the classic rule: `GFP_KERNEL`
/// where you may sleep, `GFP_ATOMIC` where you may not, plus `GFP_DMA` for
/// ISA-style DMA memory), with the newer `GFP_NOWAIT` advice for callers
/// that can cope with failure.
pub fn advice(table: &GfpTable, context: AllocContext) -> Advice {
    use AllocContext as C;
    let (flags, reason): (Option<&'static str>, &str) = match context {
        C::ProcessCanSleep => (
            Some("GFP_KERNEL"),
            "Process context may sleep, so the allocator may reclaim, do I/O and call filesystems.",
        ),
        C::ProcessAtomic => (
            Some("GFP_ATOMIC"),
            "Holding a spinlock forbids sleeping, so the request must not enter direct reclaim.",
        ),
        C::SoftIrq | C::Tasklet => (
            Some("GFP_ATOMIC"),
            "Softirqs and tasklets run in interrupt context and must not sleep.",
        ),
        C::HardIrq => (
            Some("GFP_ATOMIC"),
            "An interrupt handler must not sleep; GFP_ATOMIC may also use part of the reserves.",
        ),
        C::Nmi => (
            None,
            "No allocation is safe in NMI context: the allocator takes locks an NMI may interrupt; preallocate instead.",
        ),
        C::DmaCanSleep => (
            Some("GFP_DMA | GFP_KERNEL"),
            "GFP_DMA restricts the request to ZONE_DMA (first 16 MiB) for ISA-style devices; most drivers should use the DMA API instead.",
        ),
        C::DmaAtomic => (
            Some("GFP_DMA | GFP_ATOMIC"),
            "ZONE_DMA memory without sleeping; ZONE_DMA is tiny, so expect failures and prefer the DMA API.",
        ),
    };
    let mask = flags.and_then(|f| table.parse(f).ok());
    let atomic = matches!(
        context,
        C::ProcessAtomic | C::SoftIrq | C::HardIrq | C::Tasklet | C::DmaAtomic
    );
    let alternative = atomic.then(|| {
        let nowarn = if table.composite("GFP_NOWAIT").is_some_and(|m| table.has(m, GfpFlag::NoWarn)) {
            " In this release GFP_NOWAIT includes __GFP_NOWARN, so failures are silent."
        } else {
            ""
        };
        format!(
            "If failure is acceptable and you have a fallback, use GFP_NOWAIT: it does not sleep either, but leaves the reserves to callers that need them.{nowarn}"
        )
    });
    Advice {
        context,
        flags,
        mask,
        reason: reason.to_string(),
        alternative,
    }
}

#[cfg(test)]
mod tests;
