//! Zone types and migrate types, the two classifications of free memory.
//!
//! Kernel rules (x86_64, 4.19 / 6.6 / 6.12, include/linux/mmzone.h):
//! `enum zone_type` is ZONE_DMA (the first 16 MiB), ZONE_DMA32 (below
//! 4 GiB), ZONE_NORMAL and ZONE_MOVABLE, plus ZONE_DEVICE when
//! CONFIG_ZONE_DEVICE is set; x86_64 has no ZONE_HIGHMEM.
//! `enum migratetype` is UNMOVABLE, MOVABLE, RECLAIMABLE, HIGHATOMIC (then
//! CMA and ISOLATE, which we do not model).

use std::fmt;

/// A zone of physical memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum ZoneType {
    /// ZONE_DMA: frames below 16 MiB (`MAX_DMA_PFN`), for ISA-era devices.
    Dma = 0,
    /// ZONE_DMA32: frames below 4 GiB (`MAX_DMA32_PFN`).
    Dma32 = 1,
    /// ZONE_NORMAL: everything else.
    Normal = 2,
    /// ZONE_MOVABLE: only populated with `movablecore=`/`kernelcore=`; empty
    /// on the machines we simulate.
    Movable = 3,
}

impl ZoneType {
    /// The populated-or-not zones in index order.
    pub const ALL: [ZoneType; 4] = [
        ZoneType::Dma,
        ZoneType::Dma32,
        ZoneType::Normal,
        ZoneType::Movable,
    ];

    /// The zone's index (`zone_idx`).
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The zone for an index, if there is one.
    pub fn from_index(index: usize) -> Option<ZoneType> {
        ZoneType::ALL.get(index).copied()
    }

    /// The zone's name as /proc and the kernel log print it (`zone_names[]`).
    pub const fn name(self) -> &'static str {
        match self {
            ZoneType::Dma => "DMA",
            ZoneType::Dma32 => "DMA32",
            ZoneType::Normal => "Normal",
            ZoneType::Movable => "Movable",
        }
    }
}

impl fmt::Display for ZoneType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The mobility of an allocation, which decides the free list it is served
/// from (`gfp_migratetype()`, include/linux/gfp.h).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum MigrateType {
    /// MIGRATE_UNMOVABLE: kernel allocations that never move.
    Unmovable = 0,
    /// MIGRATE_MOVABLE: pages migration or compaction can move.
    Movable = 1,
    /// MIGRATE_RECLAIMABLE: slab pages a shrinker can free.
    Reclaimable = 2,
    /// MIGRATE_HIGHATOMIC: blocks reserved for high-order atomic requests.
    HighAtomic = 3,
}

impl MigrateType {
    /// The migrate types with free lists in our zones, in index order.
    pub const ALL: [MigrateType; 4] = [
        MigrateType::Unmovable,
        MigrateType::Movable,
        MigrateType::Reclaimable,
        MigrateType::HighAtomic,
    ];

    /// The type's index.
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The name /proc/pagetypeinfo prints (`migratetype_names[]`).
    pub const fn name(self) -> &'static str {
        match self {
            MigrateType::Unmovable => "Unmovable",
            MigrateType::Movable => "Movable",
            MigrateType::Reclaimable => "Reclaimable",
            MigrateType::HighAtomic => "HighAtomic",
        }
    }

    /// The letter `show_migration_types()` prints in a Mem-Info line.
    pub const fn letter(self) -> char {
        match self {
            MigrateType::Unmovable => 'U',
            MigrateType::Movable => 'M',
            MigrateType::Reclaimable => 'E',
            MigrateType::HighAtomic => 'H',
        }
    }

    /// The types a request of this type may steal from when its own lists
    /// are empty, in the kernel's order (`fallbacks[]`, mm/page_alloc.c,
    /// the same in 4.19, 6.6 and 6.12).
    pub const fn fallbacks(self) -> &'static [MigrateType] {
        match self {
            MigrateType::Unmovable => &[MigrateType::Reclaimable, MigrateType::Movable],
            MigrateType::Movable => &[MigrateType::Reclaimable, MigrateType::Unmovable],
            MigrateType::Reclaimable => &[MigrateType::Unmovable, MigrateType::Movable],
            MigrateType::HighAtomic => &[],
        }
    }
}

impl fmt::Display for MigrateType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
