//! The simulated machine's physical memory: its e820-like map, the
//! `struct page` array, and page contents.
//!
//! Kernel rules modelled (x86_64):
//! - the firmware map: RAM at 0–0x9fbff, the legacy hole 0x9fc00–0xfffff
//!   reserved, RAM from 1 MiB; on a PC with more than 3.5 GiB, 3 GiB of RAM
//!   below 4 GiB and the rest remapped above 4 GiB, leaving the PCI hole
//!   (QEMU's i440fx layout, the machine most readers test kernels on);
//! - `trim_bios_range()` turns the first page into reserved memory, so the
//!   first usable frame is pfn 1 (which is why a real DMA zone spans 4095
//!   pages);
//! - memblock reservations that never reach the buddy allocator: the low
//!   memory reserve (64 KiB with 4.19's CONFIG_X86_RESERVE_LOW; the whole first
//!   MiB since 5.13, "x86/setup: Always reserve the first 1M of RAM"), the
//!   kernel image at `CONFIG_PHYSICAL_START` = 16 MiB, and the `struct page`
//!   array (64 bytes a frame with SPARSEMEM_VMEMMAP, allocated top-down).
//!
//! Our own metadata is 16 bytes a frame ([`PageMeta`]), so a 64 GiB machine
//! (16.7 M frames) needs 268 MB. Page contents are sparse: bytes exist only
//! for frames that were written.

use crate::addr::{Order, Pfn, PhysAddr, PAGE_SHIFT, PAGE_SIZE};
use crate::zone::{MigrateType, ZoneType};
use std::collections::BTreeMap;
use std::fmt;

const MIB: u64 = 1 << 20;
const GIB: u64 = 1 << 30;

/// Frames of ZONE_DMA end here (`MAX_DMA_PFN`, 16 MiB).
pub const MAX_DMA_PFN: u64 = (16 * MIB) >> PAGE_SHIFT;
/// Frames of ZONE_DMA32 end here (`MAX_DMA32_PFN`, 4 GiB).
pub const MAX_DMA32_PFN: u64 = (4 * GIB) >> PAGE_SHIFT;
/// `pageblock_order` on x86_64: 9 (2 MiB pageblocks).
pub const PAGEBLOCK_ORDER: u8 = 9;
/// Frames in a pageblock.
pub const PAGEBLOCK_PAGES: u64 = 1 << PAGEBLOCK_ORDER;
/// `sizeof(struct page)` in common x86_64 configurations.
pub const STRUCT_PAGE_SIZE: u64 = 64;
/// Where the kernel image is loaded (`CONFIG_PHYSICAL_START`).
pub const KERNEL_LOAD_ADDR: PhysAddr = PhysAddr::new(16 * MIB);

/// Smallest and largest RAM sizes the playground simulates.
pub const MIN_RAM: u64 = 64 * MIB;
/// See [`MIN_RAM`].
pub const MAX_RAM: u64 = 64 * GIB;
/// Largest kernel image: it must end well inside the smallest machine.
pub const MAX_KERNEL_IMAGE: u64 = 40 * MIB;
/// Most CPUs a machine may have.
pub const MAX_CPUS: u32 = 256;

/// The hardware and boot configuration of a simulated machine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MachineConfig {
    /// Installed RAM in bytes, from [`MIN_RAM`] to [`MAX_RAM`].
    pub ram_bytes: u64,
    /// Number of CPUs (it sizes SLUB's slabs and per-CPU reports).
    pub cpus: u32,
    /// Bytes of the kernel image (`_text` to `_end`) reserved at 16 MiB.
    pub kernel_image_bytes: u64,
    /// Seed of the deterministic "stale" contents of never-written memory
    /// (and of the workload of a running machine).
    pub seed: u64,
    /// How long the machine has been up when the script's module loads.
    pub uptime: Uptime,
}

/// How long a machine has been up when the script's module loads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Uptime {
    /// Just booted: the free lists hold the large blocks boot left, and
    /// consecutive requests get consecutive frames.
    #[default]
    JustBooted,
    /// Up for a while: a workload has run and partly ended (see
    /// `kernel/uptime.rs`), so free memory is scattered the way churn
    /// leaves it. The playground's default.
    Running,
}

impl Uptime {
    /// Both, the playground's default first.
    pub const ALL: [Uptime; 2] = [Uptime::Running, Uptime::JustBooted];

    /// The name links, the command line and the page use.
    pub fn name(self) -> &'static str {
        match self {
            Uptime::JustBooted => "booted",
            Uptime::Running => "running",
        }
    }

    /// The uptime called `name`.
    pub fn parse(name: &str) -> Option<Uptime> {
        Uptime::ALL.into_iter().find(|u| u.name() == name)
    }
}

/// A named machine preset, from small to large.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Preset {
    /// Short name, as the UI and the command line spell it.
    pub name: &'static str,
    /// What the preset is like.
    pub description: &'static str,
    /// RAM in bytes.
    pub ram_bytes: u64,
    /// CPUs.
    pub cpus: u32,
}

/// The machine presets. `desktop` is the default: all three zones are
/// populated.
pub const PRESETS: [Preset; 4] = [
    Preset {
        name: "tiny",
        description: "64 MiB, 1 CPU: only DMA and DMA32, memory runs out quickly",
        ram_bytes: 64 * MIB,
        cpus: 1,
    },
    Preset {
        name: "small",
        description: "1 GiB, 2 CPUs: a small VM, no Normal zone",
        ram_bytes: GIB,
        cpus: 2,
    },
    Preset {
        name: "desktop",
        description: "8 GiB, 4 CPUs: DMA, DMA32 and Normal",
        ram_bytes: 8 * GIB,
        cpus: 4,
    },
    Preset {
        name: "server",
        description: "64 GiB, 32 CPUs: a large machine",
        ram_bytes: 64 * GIB,
        cpus: 32,
    },
];

impl MachineConfig {
    /// A machine from a preset, with the default kernel image and seed.
    pub fn from_preset(preset: &Preset) -> Self {
        MachineConfig {
            ram_bytes: preset.ram_bytes,
            cpus: preset.cpus,
            kernel_image_bytes: 28 * MIB,
            seed: 0x6b6d_656d,
            uptime: Uptime::JustBooted,
        }
    }

    /// The preset called `name`.
    pub fn preset(name: &str) -> Option<Self> {
        PRESETS
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
            .map(MachineConfig::from_preset)
    }

    /// Checks the configuration against what the playground simulates.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !(MIN_RAM..=MAX_RAM).contains(&self.ram_bytes) {
            return Err(ConfigError::RamSize(self.ram_bytes));
        }
        if self.ram_bytes % PAGE_SIZE != 0 {
            return Err(ConfigError::RamNotPageAligned(self.ram_bytes));
        }
        if !(1..=MAX_CPUS).contains(&self.cpus) {
            return Err(ConfigError::Cpus(self.cpus));
        }
        if self.kernel_image_bytes == 0 || self.kernel_image_bytes > MAX_KERNEL_IMAGE {
            return Err(ConfigError::KernelImage(self.kernel_image_bytes));
        }
        Ok(())
    }
}

impl Default for MachineConfig {
    fn default() -> Self {
        MachineConfig::from_preset(&PRESETS[2])
    }
}

/// Why a machine configuration was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// RAM outside 64 MiB–64 GiB.
    RamSize(u64),
    /// RAM not a whole number of pages.
    RamNotPageAligned(u64),
    /// CPU count outside 1–256.
    Cpus(u32),
    /// A kernel image of zero bytes or more than 40 MiB.
    KernelImage(u64),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::RamSize(bytes) => write!(
                f,
                "RAM of {bytes} bytes is outside what the playground simulates (64 MiB to 64 GiB)"
            ),
            ConfigError::RamNotPageAligned(bytes) => {
                write!(
                    f,
                    "RAM of {bytes} bytes is not a whole number of 4 KiB pages"
                )
            }
            ConfigError::Cpus(n) => write!(f, "{n} CPUs: a machine has 1 to {MAX_CPUS} CPUs"),
            ConfigError::KernelImage(bytes) => write!(
                f,
                "a kernel image of {bytes} bytes: it must be between 1 byte and 40 MiB"
            ),
        }
    }
}

impl std::error::Error for ConfigError {}

/// The type of an e820 range, as the boot log prints it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum E820Type {
    /// `usable`
    Usable,
    /// `reserved`
    Reserved,
}

/// One range of the firmware memory map.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct E820Entry {
    /// First byte.
    pub start: PhysAddr,
    /// Last byte (inclusive, as the kernel prints it).
    pub end: PhysAddr,
    /// Usable RAM or reserved.
    pub kind: E820Type,
}

impl fmt::Display for E820Entry {
    /// `BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "BIOS-e820: [mem {:#018x}-{:#018x}] {}",
            self.start.as_u64(),
            self.end.as_u64(),
            match self.kind {
                E820Type::Usable => "usable",
                E820Type::Reserved => "reserved",
            }
        )
    }
}

/// The firmware map of a machine with `ram_bytes` of RAM (QEMU i440fx).
pub fn e820_map(ram_bytes: u64) -> Vec<E820Entry> {
    let low_ram = if ram_bytes >= 3 * GIB + GIB / 2 {
        3 * GIB
    } else {
        ram_bytes
    };
    let entry = |start: u64, end_exclusive: u64, kind| E820Entry {
        start: PhysAddr::new(start),
        end: PhysAddr::new(end_exclusive - 1),
        kind,
    };
    let mut map = vec![
        entry(0, 0x9fc00, E820Type::Usable),
        entry(0x9fc00, 0xa0000, E820Type::Reserved),
        entry(0xf0000, 0x100000, E820Type::Reserved),
        entry(MIB, low_ram, E820Type::Usable),
        entry(0xfeff_c000, 0xff00_0000, E820Type::Reserved),
        entry(0xfffc_0000, 0x1_0000_0000, E820Type::Reserved),
    ];
    if ram_bytes > low_ram {
        map.push(entry(
            4 * GIB,
            4 * GIB + ram_bytes - low_ram,
            E820Type::Usable,
        ));
    }
    map
}

/// What a frame is used for. Free and allocated blocks mark only their
/// first frame; the others stay [`FrameUse::Tail`] (see [`MemMap::block_of`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[repr(u8)]
pub enum FrameUse {
    /// Not the first frame of a block (or never marked).
    #[default]
    Tail = 0,
    /// No RAM at this frame number (a hole in the physical map).
    NoRam,
    /// RAM the firmware or early boot reserved; never in the buddy allocator.
    Reserved,
    /// The kernel image.
    KernelImage,
    /// The `struct page` array.
    MemMap,
    /// The first frame of a free buddy block (`PageBuddy`).
    Free,
    /// The first frame of a free block on a per-CPU list.
    PerCpu,
    /// The first frame of a block handed out by the page allocator.
    Allocated,
    /// The first frame of a slab.
    Slab,
    /// A page-table page.
    PageTable,
    /// A page backing a vmalloc area.
    Vmalloc,
    /// A page-cache page (reclaimable).
    PageCache,
    /// A page of a process's anonymous memory (movable, not reclaimable
    /// without swap).
    Anon,
}

/// Our per-frame metadata: the model of `struct page`, 16 bytes.
///
/// `next`/`prev` link free blocks on their free list (frame numbers, or
/// [`NIL`]); `owner` names the allocation that holds the block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct PageMeta {
    /// Next block on the same free list.
    pub next: u32,
    /// Previous block on the same free list.
    pub prev: u32,
    /// The allocation that owns the block (0 for none).
    pub owner: u32,
    /// What the frame is used for.
    pub used_as: FrameUse,
    /// The block's order (first frame only).
    pub order: u8,
    /// The free list's migrate type (first frame of a free block only).
    pub list_type: u8,
    /// State bits: [`PageMeta::ZEROED`], [`PageMeta::COMPOUND`],
    /// [`PageMeta::LEAKED`].
    pub flags: u8,
}

/// No frame: the end of a free list.
pub const NIL: u32 = u32::MAX;

impl PageMeta {
    /// The frame reads as zeroes (it was cleared and not written since).
    pub const ZEROED: u8 = 1;
    /// The first frame of a compound page (`__GFP_COMP`, `PageHead`).
    pub const COMPOUND: u8 = 2;
    /// Pages left over when only the first pages of a non-compound block
    /// were freed: their reference count is 0 (only the block's first page
    /// had one), so they are lost to the allocator.
    pub const LEAKED: u8 = 4;
}

/// Frames per chunk of the `struct page` array.
const CHUNK_SHIFT: u32 = 12;
const CHUNK_FRAMES: usize = 1 << CHUNK_SHIFT;

/// A chunk of `struct page`s to write: copied first if a clone of the map
/// shares it. (`Rc::make_mut` does the same out of line, and the call cost
/// a sixth of the page allocator's time on every write.)
#[inline]
fn unique_chunk(chunk: &mut std::rc::Rc<[PageMeta]>) -> &mut [PageMeta] {
    if std::rc::Rc::get_mut(chunk).is_none() {
        *chunk = std::rc::Rc::from(&chunk[..]);
    }
    // Unique now, so this is the chunk itself.
    std::rc::Rc::get_mut(chunk).unwrap_or_default()
}

/// What zeroing a frame without storing its bytes costs, in bytes touched:
/// a map removal and a flag, about what touching a few hundred bytes costs.
const CLEARED_FRAME_COST: usize = 256;

/// The physical memory of a booted machine.
///
/// The `struct page` array is kept in shared chunks of 4,096 frames that
/// are copied on first write, so cloning a booted machine (as a playground
/// does before every re-run of a script) costs a few pointers per chunk,
/// not the whole array.
#[derive(Clone, Debug)]
pub struct MemMap {
    pages: Vec<std::rc::Rc<[PageMeta]>>,
    max_pfn: u64,
    pageblock_types: Vec<MigrateType>,
    contents: BTreeMap<u64, Box<[u8]>>,
    seed: u64,
    e820: Vec<E820Entry>,
    /// Bytes of frames read, written or filled since boot (work a script
    /// is charged for); reads count through a shared reference.
    bytes_touched: std::cell::Cell<u64>,
}

/// A run of frames `[start, end)` with a zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameRange {
    /// First frame.
    pub start: Pfn,
    /// One past the last frame.
    pub end: Pfn,
}

impl FrameRange {
    /// Number of frames.
    pub fn len(self) -> u64 {
        self.end.as_u64().saturating_sub(self.start.as_u64())
    }

    /// True when the range holds no frame.
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }
}

impl MemMap {
    /// Lays out a machine's frames from its firmware map: holes become
    /// [`FrameUse::NoRam`], pfn 0 reserved (`trim_bios_range`), and every
    /// pageblock starts MIGRATE_MOVABLE, as `memmap_init_zone()` marks them.
    pub fn new(config: &MachineConfig) -> MemMap {
        let e820 = e820_map(config.ram_bytes);
        let max_pfn = e820
            .iter()
            .filter(|e| e.kind == E820Type::Usable)
            .map(|e| (e.end.as_u64() + 1) >> PAGE_SHIFT)
            .max()
            .unwrap_or(0);
        // Frames outside the usable ranges are holes.
        let usable = usable_ranges(&e820);
        let frame = |pfn: u64| PageMeta {
            used_as: if usable
                .iter()
                .any(|r| r.start.as_u64() <= pfn && pfn < r.end.as_u64())
            {
                FrameUse::Tail
            } else {
                FrameUse::NoRam
            },
            ..PageMeta::default()
        };
        let chunks = max_pfn.div_ceil(CHUNK_FRAMES as u64);
        let blocks = max_pfn.div_ceil(PAGEBLOCK_PAGES) as usize;
        MemMap {
            pages: (0..chunks)
                .map(|c| {
                    let start = c << CHUNK_SHIFT;
                    let end = (start + CHUNK_FRAMES as u64).min(max_pfn);
                    (start..end).map(frame).collect()
                })
                .collect(),
            max_pfn,
            pageblock_types: vec![MigrateType::Movable; blocks],
            contents: BTreeMap::new(),
            bytes_touched: std::cell::Cell::new(0),
            seed: config.seed,
            e820,
        }
    }

    /// The firmware map.
    pub fn e820(&self) -> &[E820Entry] {
        &self.e820
    }

    /// One past the highest frame (`max_pfn`).
    pub fn max_pfn(&self) -> Pfn {
        Pfn::new(self.max_pfn)
    }

    /// The usable RAM ranges in frames, ascending (memblock.memory).
    pub fn ram_ranges(&self) -> Vec<FrameRange> {
        usable_ranges(&self.e820)
    }

    /// Metadata of a frame, if it exists.
    pub fn page(&self, pfn: Pfn) -> Option<&PageMeta> {
        let pfn = pfn.as_u64();
        if pfn >= self.max_pfn {
            return None;
        }
        self.pages
            .get((pfn >> CHUNK_SHIFT) as usize)
            .and_then(|chunk| chunk.get(pfn as usize & (CHUNK_FRAMES - 1)))
    }

    /// Mutable metadata of a frame, if it exists (its chunk is copied if
    /// another clone shares it).
    pub fn page_mut(&mut self, pfn: Pfn) -> Option<&mut PageMeta> {
        let pfn = pfn.as_u64();
        if pfn >= self.max_pfn {
            return None;
        }
        self.pages
            .get_mut((pfn >> CHUNK_SHIFT) as usize)
            .and_then(|chunk| unique_chunk(chunk).get_mut(pfn as usize & (CHUNK_FRAMES - 1)))
    }

    /// Metadata by raw index, for the allocator's hot paths (the caller
    /// holds a frame number it took from this map).
    #[inline]
    pub(crate) fn meta(&self, pfn: u32) -> &PageMeta {
        &self.pages[(pfn >> CHUNK_SHIFT) as usize][pfn as usize & (CHUNK_FRAMES - 1)]
    }

    /// Mutable metadata by raw index; see [`MemMap::meta`].
    #[inline]
    pub(crate) fn meta_mut(&mut self, pfn: u32) -> &mut PageMeta {
        let chunk = &mut self.pages[(pfn >> CHUNK_SHIFT) as usize];
        &mut unique_chunk(chunk)[pfn as usize & (CHUNK_FRAMES - 1)]
    }

    /// The migrate type of the pageblock holding `pfn`
    /// (`get_pageblock_migratetype`).
    pub fn pageblock_type(&self, pfn: Pfn) -> MigrateType {
        self.pageblock_types
            .get((pfn.as_u64() / PAGEBLOCK_PAGES) as usize)
            .copied()
            .unwrap_or(MigrateType::Movable)
    }

    /// Sets the migrate type of the pageblock holding `pfn`.
    pub fn set_pageblock_type(&mut self, pfn: Pfn, migratetype: MigrateType) {
        if let Some(t) = self
            .pageblock_types
            .get_mut((pfn.as_u64() / PAGEBLOCK_PAGES) as usize)
        {
            *t = migratetype;
        }
    }

    /// Marks the frames of `range` individually, each an order-0 page used
    /// as `used_as` (reservations at boot; `split_page()` of an allocated
    /// block). Holes stay holes.
    pub fn mark_range(&mut self, range: FrameRange, used_as: FrameUse) {
        let end = range.end.as_u64().min(self.max_pfn);
        let mut pfn = range.start.as_u64();
        while pfn < end {
            let chunk_end = ((pfn >> CHUNK_SHIFT) + 1) << CHUNK_SHIFT;
            let stop = chunk_end.min(end);
            let chunk = unique_chunk(&mut self.pages[(pfn >> CHUNK_SHIFT) as usize]);
            let first = pfn as usize & (CHUNK_FRAMES - 1);
            for page in &mut chunk[first..first + (stop - pfn) as usize] {
                if page.used_as != FrameUse::NoRam {
                    page.used_as = used_as;
                    page.order = 0;
                }
            }
            pfn = stop;
        }
    }

    /// The block that holds `pfn`: the first frame and order of the free or
    /// allocated block it belongs to, found as the kernel finds a buddy
    /// head, by alignment; for a frame marked on its own, itself at order 0.
    pub fn block_of(&self, pfn: Pfn) -> Option<(Pfn, u8)> {
        let raw = pfn.as_u64();
        let own = self.page(pfn)?;
        if own.used_as != FrameUse::Tail {
            return Some((pfn, own.order));
        }
        (1..=Order::MAX.as_u8()).find_map(|order| {
            let head = raw & !((1u64 << order) - 1);
            let meta = self.meta(head as u32);
            (meta.used_as != FrameUse::Tail && meta.order >= order)
                .then_some((Pfn::new(head), meta.order))
        })
    }

    /// The zone a frame lies in, by the x86_64 zone boundaries.
    pub fn zone_of(pfn: Pfn) -> ZoneType {
        match pfn.as_u64() {
            p if p < MAX_DMA_PFN => ZoneType::Dma,
            p if p < MAX_DMA32_PFN => ZoneType::Dma32,
            _ => ZoneType::Normal,
        }
    }

    /// Reads `buf.len()` bytes of frame `pfn` at `offset`. Never-written
    /// frames read as their deterministic stale bytes, or zeroes if they
    /// were cleared. Reads past the frame's end are cut short.
    pub fn read(&self, pfn: Pfn, offset: usize, buf: &mut [u8]) {
        let offset = offset.min(PAGE_SIZE as usize);
        let len = buf.len().min(PAGE_SIZE as usize - offset);
        self.touch(len);
        let buf = &mut buf[..len];
        if let Some(bytes) = self.contents.get(&pfn.as_u64()) {
            buf.copy_from_slice(&bytes[offset..offset + len]);
        } else if self
            .page(pfn)
            .is_some_and(|p| p.flags & PageMeta::ZEROED != 0)
        {
            buf.fill(0);
        } else {
            for (i, byte) in buf.iter_mut().enumerate() {
                *byte = self.stale_byte(pfn, offset + i);
            }
        }
    }

    /// Writes `data` into frame `pfn` at `offset` (cut at the frame's end).
    pub fn write(&mut self, pfn: Pfn, offset: usize, data: &[u8]) {
        let offset = offset.min(PAGE_SIZE as usize);
        let len = data.len().min(PAGE_SIZE as usize - offset);
        self.touch(len);
        let bytes = self.materialize(pfn);
        bytes[offset..offset + len].copy_from_slice(&data[..len]);
    }

    /// Fills `len` bytes of frame `pfn` from `offset` with `value`.
    pub fn fill(&mut self, pfn: Pfn, offset: usize, len: usize, value: u8) {
        let offset = offset.min(PAGE_SIZE as usize);
        let len = len.min(PAGE_SIZE as usize - offset);
        if offset == 0 && len == PAGE_SIZE as usize && value == 0 {
            self.clear(pfn);
            return;
        }
        self.touch(len);
        self.materialize(pfn)[offset..offset + len].fill(value);
    }

    /// Zeroes a whole frame without storing its bytes (`clear_page`).
    pub fn clear(&mut self, pfn: Pfn) {
        self.touch(CLEARED_FRAME_COST);
        self.contents.remove(&pfn.as_u64());
        if let Some(page) = self.page_mut(pfn) {
            page.flags |= PageMeta::ZEROED;
        }
    }

    /// Every block from pfn 0 to `max_pfn` in order: its first frame, its
    /// length in frames and its head's metadata. A marked frame starts a
    /// block of `1 << order` frames; frames boot marks one by one (holes,
    /// reserved memory, the kernel image, the memory map) come as one run
    /// per range; an unmarked frame outside any block is a block of one. This is what a memory map draws: a booted 8 GiB
    /// machine has a few thousand blocks, not two million frames.
    pub fn blocks(&self) -> impl Iterator<Item = (Pfn, u64, PageMeta)> + '_ {
        self.blocks_from(Pfn::new(0))
    }

    /// [`MemMap::blocks`] from the block that holds `from` on.
    pub fn blocks_from(&self, from: Pfn) -> impl Iterator<Item = (Pfn, u64, PageMeta)> + '_ {
        let mut next = self
            .head_of(from)
            .map_or(from.as_u64(), |(head, _)| head.as_u64());
        std::iter::from_fn(move || {
            let pfn = Pfn::new(next);
            let meta = *self.page(pfn)?;
            let frames = match meta.used_as {
                FrameUse::Tail => 1,
                // Marked frame by frame at boot: one run per range.
                FrameUse::NoRam | FrameUse::Reserved | FrameUse::KernelImage | FrameUse::MemMap => {
                    let same = |p: u64| {
                        self.page(Pfn::new(p))
                            .is_some_and(|m| m.used_as == meta.used_as && m.order == 0)
                    };
                    (next + 1..self.max_pfn)
                        .find(|&p| !same(p))
                        .unwrap_or(self.max_pfn)
                        - next
                }
                _ => (1u64 << meta.order.min(Order::MAX.as_u8())).min(self.max_pfn - next),
            };
            next += frames;
            Some((pfn, frames, meta))
        })
    }

    /// The first frame and order of the block `pfn` belongs to: the frame
    /// itself when it is marked, else the nearest marked frame below whose
    /// block covers it.
    pub fn head_of(&self, pfn: Pfn) -> Option<(Pfn, u8)> {
        let p = pfn.as_u64();
        for back in 0..=p.min(1 << Order::MAX.as_u8()) {
            let head = Pfn::new(p - back);
            let page = self.page(head)?;
            if page.used_as != FrameUse::Tail {
                let covers = back < 1u64 << page.order.min(Order::MAX.as_u8());
                return covers.then_some((head, page.order));
            }
        }
        None
    }

    /// Bytes of frames read, written or filled since boot.
    pub fn bytes_touched(&self) -> u64 {
        self.bytes_touched.get()
    }

    fn touch(&self, len: usize) {
        self.bytes_touched
            .set(self.bytes_touched.get().saturating_add(len as u64));
    }

    /// Number of frames whose bytes are stored.
    pub fn stored_frames(&self) -> usize {
        self.contents.len()
    }

    fn materialize(&mut self, pfn: Pfn) -> &mut [u8] {
        if !self.contents.contains_key(&pfn.as_u64()) {
            let mut bytes = vec![0u8; PAGE_SIZE as usize].into_boxed_slice();
            self.read(pfn, 0, &mut bytes);
            if let Some(page) = self.page_mut(pfn) {
                page.flags &= !PageMeta::ZEROED;
            }
            self.contents.insert(pfn.as_u64(), bytes);
        }
        self.contents
            .get_mut(&pfn.as_u64())
            .map(|b| &mut b[..])
            .unwrap_or_default()
    }

    /// The byte a never-written frame holds at `offset`: a hash of the
    /// machine seed, the frame and the offset (splitmix64), so every run
    /// shows the same "leftover" data.
    fn stale_byte(&self, pfn: Pfn, offset: usize) -> u8 {
        let word = splitmix64(self.seed ^ (pfn.as_u64() << 9) ^ (offset as u64 >> 3));
        (word >> ((offset & 7) * 8)) as u8
    }
}

/// A hasher for maps keyed by frame numbers or small tuples of integers:
/// the keys are already well spread, so a multiply is enough, and lookups
/// on hot paths (page-table walks, slab lookups, the kmalloc cache table)
/// stay cheap.
#[derive(Default)]
pub(crate) struct FrameHasher(u64);

impl std::hash::Hasher for FrameHasher {
    fn finish(&self) -> u64 {
        self.0.wrapping_mul(0x9e37_79b9_7f4a_7c15)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = self.0.rotate_left(29) ^ n;
    }
}

/// A hash map keyed by frame numbers.
pub(crate) type FrameMap<K, V> =
    std::collections::HashMap<K, V, std::hash::BuildHasherDefault<FrameHasher>>;

/// splitmix64's increment (2^64 divided by the golden ratio).
const GOLDEN_GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

/// One step of the splitmix64 generator: a fast, well-mixed hash of `x`.
pub fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(GOLDEN_GAMMA);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The splitmix64 generator: a fixed sequence of well-mixed numbers for
/// each starting state (the simulator's own choices, generated quiz
/// questions, property tests).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        let out = splitmix64(self.0);
        self.0 = self.0.wrapping_add(GOLDEN_GAMMA);
        out
    }

    /// The next number reduced below `n` (which must not be 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}

/// The usable frames of a firmware map: whole pages inside usable ranges,
/// less pfn 0, which `trim_bios_range()` reserves.
fn usable_ranges(e820: &[E820Entry]) -> Vec<FrameRange> {
    e820.iter()
        .filter(|e| e.kind == E820Type::Usable)
        .filter_map(|e| {
            let start = e.start.as_u64().div_ceil(PAGE_SIZE).max(1);
            let end = (e.end.as_u64() + 1) >> PAGE_SHIFT;
            (end > start).then(|| FrameRange {
                start: Pfn::new(start),
                end: Pfn::new(end),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e820_of_a_machine_with_a_pci_hole() {
        let lines: Vec<String> = e820_map(8 * GIB).iter().map(|e| e.to_string()).collect();
        assert_eq!(
            lines,
            [
                "BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable",
                "BIOS-e820: [mem 0x000000000009fc00-0x000000000009ffff] reserved",
                "BIOS-e820: [mem 0x00000000000f0000-0x00000000000fffff] reserved",
                "BIOS-e820: [mem 0x0000000000100000-0x00000000bfffffff] usable",
                "BIOS-e820: [mem 0x00000000feffc000-0x00000000feffffff] reserved",
                "BIOS-e820: [mem 0x00000000fffc0000-0x00000000ffffffff] reserved",
                "BIOS-e820: [mem 0x0000000100000000-0x000000023fffffff] usable",
            ]
        );
        // A small machine has no RAM above 4 GiB.
        assert_eq!(e820_map(GIB).len(), 6);
    }

    #[test]
    fn dma_zone_spans_4095_frames_with_the_legacy_hole() {
        let map = MemMap::new(&MachineConfig::default());
        let ranges = map.ram_ranges();
        assert_eq!(ranges[0].start, Pfn::new(1));
        assert_eq!(ranges[0].end, Pfn::new(0x9f));
        assert_eq!(ranges[1].start, Pfn::new(0x100));
        let dma_present: u64 = ranges
            .iter()
            .map(|r| {
                r.end
                    .as_u64()
                    .min(MAX_DMA_PFN)
                    .saturating_sub(r.start.as_u64())
            })
            .sum();
        // 4095 spanned frames less the 97 of the legacy hole (0x9f..0x100).
        assert_eq!(dma_present, 3998);
        assert_eq!(map.page(Pfn::new(0)).unwrap().used_as, FrameUse::NoRam);
        assert_eq!(map.page(Pfn::new(0xa0)).unwrap().used_as, FrameUse::NoRam);
        assert_eq!(
            map.page(Pfn::new(0xc0000)).unwrap().used_as,
            FrameUse::NoRam
        );
        assert_eq!(map.max_pfn(), Pfn::new(0x240000));
        assert_eq!(map.pageblock_type(Pfn::new(0x200000)), MigrateType::Movable);
    }

    #[test]
    fn contents_are_sparse_stale_or_zero() {
        let config = MachineConfig::default();
        let mut map = MemMap::new(&config);
        let pfn = Pfn::new(0x1234);
        let mut a = [0u8; 16];
        let mut b = [0u8; 16];
        map.read(pfn, 100, &mut a);
        MemMap::new(&config).read(pfn, 100, &mut b);
        assert_eq!(a, b, "stale bytes are deterministic");
        assert_ne!(a, [0; 16]);
        map.write(pfn, 100, b"hello");
        map.read(pfn, 100, &mut a);
        assert_eq!(&a[..5], b"hello");
        assert_eq!(
            a[5..],
            b[5..],
            "the rest of the frame keeps its stale bytes"
        );
        map.clear(pfn);
        map.read(pfn, 0, &mut a);
        assert_eq!(a, [0; 16]);
        assert_eq!(map.stored_frames(), 0);
        map.fill(pfn, 4090, 100, 0x6b);
        let mut tail = [0u8; 8];
        map.read(pfn, 4088, &mut tail);
        assert_eq!(tail, [0, 0, 0x6b, 0x6b, 0x6b, 0x6b, 0x6b, 0x6b]);
    }

    #[test]
    fn config_limits() {
        assert!(MachineConfig::default().validate().is_ok());
        for preset in PRESETS {
            assert!(MachineConfig::from_preset(&preset).validate().is_ok());
        }
        let mut c = MachineConfig {
            ram_bytes: 65 * GIB,
            ..MachineConfig::default()
        };
        assert_eq!(
            c.validate().unwrap_err().to_string(),
            "RAM of 69793218560 bytes is outside what the playground simulates (64 MiB to 64 GiB)"
        );
        c.ram_bytes = GIB + 1;
        assert!(c.validate().is_err());
        c.ram_bytes = GIB;
        c.cpus = 0;
        assert!(c.validate().is_err());
        assert_eq!(MachineConfig::preset("TINY").unwrap().ram_bytes, 64 * MIB);
        assert!(MachineConfig::preset("huge").is_none());
    }

    #[test]
    fn blocks_cover_every_frame_once() {
        let k = crate::kernel::Kernel::boot(crate::kernel::KernelConfig::default()).unwrap();
        let mut next = 0;
        let mut free_head = None;
        for (pfn, frames, meta) in k.mem.blocks() {
            assert_eq!(pfn.as_u64(), next, "blocks are contiguous");
            assert_ne!(
                meta.used_as,
                FrameUse::Tail,
                "no frame outside a block at {pfn:?}"
            );
            if meta.used_as == FrameUse::Free && meta.order == 10 {
                free_head.get_or_insert(pfn);
            }
            next += frames;
        }
        assert_eq!(next, k.mem.max_pfn().as_u64());
        let mut counts = std::collections::BTreeMap::new();
        for (_, _, m) in k.mem.blocks() {
            *counts.entry(format!("{:?}", m.used_as)).or_insert(0) += 1;
        }
        assert!(
            k.mem.blocks().count() < 10_000,
            "a booted machine is a few thousand blocks: {counts:?}"
        );
        // A free block's tail frames point at its head.
        let head = free_head.unwrap();
        assert_eq!(
            k.mem.head_of(Pfn::new(head.as_u64() + 1000)),
            Some((head, 10))
        );
        assert_eq!(k.mem.head_of(head), Some((head, 10)));
    }

    #[test]
    fn a_clone_writes_its_own_copy_of_a_shared_chunk() {
        let original = MemMap::new(&MachineConfig::default());
        let pfn = Pfn::new(0x12345);
        let before = original.page(pfn).copied();
        let mut clone = original.clone();
        if let Some(page) = clone.page_mut(pfn) {
            page.owner = 77;
        }
        clone.meta_mut(0x12346).owner = 78;
        assert_eq!(clone.page(pfn).map(|p| p.owner), Some(77));
        assert_eq!(clone.meta(0x12346).owner, 78);
        assert_eq!(original.page(pfn).copied(), before);
        assert_ne!(original.meta(0x12346).owner, 78);
        // A second write to the now unshared chunk stays in the clone.
        clone.meta_mut(0x12347).owner = 79;
        assert_ne!(original.meta(0x12347).owner, 79);
    }
}
