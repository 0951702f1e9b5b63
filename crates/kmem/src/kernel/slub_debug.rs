//! `slub_debug` on the simulated kernel: poisoned and red-zoned objects,
//! the consistency checks at allocation and free, and their reports in each
//! release's format (mm/slub.c `init_object()`, `check_object()`,
//! `check_bytes_and_report()`, `free_debug_processing()`,
//! `alloc_debug_processing()`, `slab_bug()`, `print_trailer()`,
//! `slab_err()`, `slab_fix()`; kernel-facts §7.6).
//!
//! Booting with a bare `slub_debug` turns on consistency checks, red zones,
//! poisoning and user tracking for every cache. A failed check at free
//! leaves the object allocated ("Object at 0x… not freed"); a failed check
//! at allocation takes the slab out of service ("Marking all objects
//! used") and the allocation goes on in another slab.
//!
//! Page flags in the "Slab" line use the layout of distribution builds
//! (64 nodes bits = NODES_SHIFT 10 from bit 54, the zone from bit 51, an
//! all-ones 21-bit last_cpupid from bit 30), as in the familiar
//! `0x17ffffc0000000(node=0|zone=2|lastcpupid=0x1fffff)`.

use super::{EventBuilder, Kernel, Outcome, Text};
use crate::addr::{Pfn, VirtAddr, PAGE_SIZE};
use crate::dmesg::{Level, Taint};
use crate::memmap::MemMap;
use crate::profile::{Change, Site};
use crate::report;
use crate::slab::{CacheId, ObjectLayout};

/// `POISON_INUSE`: slab padding.
const POISON_INUSE: u8 = 0x5a;
/// `POISON_FREE`: the bytes of a free object.
const POISON_FREE: u8 = 0x6b;
/// `POISON_END`: the last byte of a poisoned object.
const POISON_END: u8 = 0xa5;
/// `SLUB_RED_INACTIVE`: red zones of a free object.
const RED_INACTIVE: u8 = 0xbb;
/// `SLUB_RED_ACTIVE`: red zones of an allocated object.
const RED_ACTIVE: u8 = 0xcc;
/// Jiffies per second (CONFIG_HZ_250 of distribution kernels), for the
/// tracking "age".
const HZ: u64 = 250;
/// The banner lines of `slab_bug()`: 77 `=` and 77 `-`.
const BANNER_EQ: &str =
    "=============================================================================";
const BANNER_DASH: &str =
    "-----------------------------------------------------------------------------";

/// Who allocated or freed an object, and when (`struct track`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Track {
    seq: u32,
    time_ns: u64,
    function: &'static str,
}

/// The tracking data of one object.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct ObjectTracks {
    alloc: Option<Track>,
    free: Option<Track>,
    /// The freelist pointer the object held when it was last free.
    stale_fp: u64,
    /// 6.x kmalloc caches: the size kmalloc was asked for (`orig_size`).
    orig_size: u32,
}

/// slub_debug's bookkeeping: the tracking data of objects (kept beside
/// the memory, which holds the red zones, poison and padding).
#[derive(Clone, Debug, Default)]
pub struct SlubDebug {
    tracks: crate::memmap::FrameMap<(u64, u32), ObjectTracks>,
    lock_debugging_off: bool,
}

/// What `cache_from_obj()` made of a `kmem_cache_free()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum CacheCheck {
    /// The object belongs to the cache passed.
    Same,
    /// Another cache's object, not checked: freed into its own cache.
    Unchecked,
    /// Another cache's object: WARNed, then freed into its own cache (6.x).
    Warned,
    /// Another cache's object, freed into the wrong cache (4.19).
    Corrupting,
}

/// How a check went wrong: what was overwritten, where, and what belongs
/// there.
struct Overwrite {
    what: &'static str,
    from: u64,
    to: u64,
    found: u8,
    expected: u8,
}

impl Kernel {
    /// The slab's first virtual address.
    fn slab_base(&self, pfn: Pfn) -> u64 {
        self.translator().va_value(pfn.phys()).as_u64()
    }

    /// The address of object `index` of the slab at `pfn`.
    fn object_address(&self, id: CacheId, pfn: Pfn, index: u32) -> u64 {
        let l = self.slab.caches[id].layout;
        self.slab_base(pfn) + u64::from(index) * u64::from(l.size) + u64::from(l.red_left_pad)
    }

    /// The index of the object at address `p` of the slab at `pfn`.
    fn object_index(&self, id: CacheId, pfn: Pfn, p: u64) -> u32 {
        let l = self.slab.caches[id].layout;
        ((p - self.slab_base(pfn) - u64::from(l.red_left_pad)) / u64::from(l.size)) as u32
    }

    /// Whether the release predates "mm/slub: clarify verification
    /// reporting" (5.13, 4.19.196): "Redzone" for both red zones, "Poison"
    /// for the end byte, unpadded hex-dump prefixes.
    fn old_region_names(&self) -> bool {
        !self.profile().has(Change::SlubDebugRegionNames)
    }

    /// `setup_slab_debug()` + `setup_object_debug()`: a new slab is filled
    /// with POISON_INUSE, then every object is poisoned and red-zoned as
    /// free.
    pub(super) fn debug_init_slab(&mut self, id: CacheId, pfn: Pfn, order: u32) {
        let layout = self.slab.caches[id].layout;
        let bytes = PAGE_SIZE << order;
        for frame in 0..1u64 << order {
            self.mem
                .fill(pfn.add(frame), 0, PAGE_SIZE as usize, POISON_INUSE);
        }
        let base = self.slab_base(pfn);
        let objects = bytes / u64::from(layout.size);
        for i in 0..objects {
            // init_tracking(): nothing of an earlier slab on these frames.
            self.slub_debug.tracks.remove(&(pfn.as_u64(), i as u32));
            let p = base + i * u64::from(layout.size) + u64::from(layout.red_left_pad);
            self.init_object(p, &layout, false, layout.object_size);
            // init_tracking(): the free pointer slot and the tracks start zeroed.
            let tracks = u64::from(layout.padding_start - layout.fp_offset);
            self.fill_object(p + u64::from(layout.fp_offset), tracks, 0);
        }
    }

    /// Fills kernel memory of slub_debug's own (always mapped).
    fn fill_object(&mut self, addr: u64, len: u64, value: u8) {
        let _ = self.fill_virt(VirtAddr::new(addr), len, value);
    }

    /// `init_object()`: red zones set to `RED_ACTIVE` or `RED_INACTIVE`;
    /// the object poisoned (6b… a5) over `poison_size` bytes, and 6.x's
    /// kmalloc tail beyond the requested size red-zoned.
    fn init_object(&mut self, p: u64, l: &ObjectLayout, active: bool, poison_size: u32) {
        let red = if active { RED_ACTIVE } else { RED_INACTIVE };
        let rlp = u64::from(l.red_left_pad);
        self.fill_object(p - rlp, rlp, red);
        let poison = u64::from(poison_size.max(1));
        self.fill_object(p, poison - 1, POISON_FREE);
        self.fill_object(p + poison - 1, 1, POISON_END);
        self.fill_object(p + poison, u64::from(l.inuse) - poison, red);
    }

    /// `alloc_debug_processing()`: checks the free object at `offset` of
    /// the slab at `pfn`; on success marks it allocated (red zones active,
    /// 6.x's kmalloc red zone after `orig_size` bytes) and records who took
    /// it. On failure the report is logged and the slab is taken out of
    /// service; the caller allocates again.
    pub(super) fn debug_alloc(
        &mut self,
        id: CacheId,
        pfn: Pfn,
        offset: u64,
        orig_size: u64,
        function: &'static str,
        seq: u32,
    ) -> bool {
        let l = self.slab.caches[id].layout;
        let p = self.slab_base(pfn) + offset;
        if !self.check_object(id, pfn, p, false, function) {
            let name = self.slab.caches[id].name.clone();
            self.log
                .push(Level::Err, format!("FIX {name}: Marking all objects used"));
            self.slab.mark_all_used(pfn);
            return false;
        }
        let poison_size = if l.orig_size && self.profile().has(Change::SlubKmallocRedzone) {
            orig_size.min(u64::from(l.object_size)) as u32
        } else {
            l.object_size
        };
        self.init_object(p, &l, true, poison_size);
        let index = self.object_index(id, pfn, p);
        let next = self
            .slab
            .slab_view(pfn)
            .and_then(|v| v.freelist.first().copied());
        let stale_fp = next.map_or(0, |n| self.object_address(id, pfn, n));
        let now = self.log.now_ns();
        let entry = self
            .slub_debug
            .tracks
            .entry((pfn.as_u64(), index))
            .or_default();
        entry.alloc = Some(Track {
            seq,
            time_ns: now,
            function,
        });
        entry.stale_fp = stale_fp;
        entry.orig_size = poison_size;
        true
    }

    /// `free_debug_processing()`: the checks before an object at `offset`
    /// of the slab at `pfn` may be freed. On success the object is poisoned
    /// and red-zoned as free and the caller frees it; on failure the report
    /// is logged and the object stays allocated.
    pub(super) fn debug_free(
        &mut self,
        ev: &EventBuilder,
        pfn: Pfn,
        offset: u64,
    ) -> Result<(), (Outcome, Text)> {
        let Some(view) = self.slab.slab_view(pfn) else {
            return Ok(());
        };
        let id = view.cache;
        let l = self.slab.caches[id].layout;
        let name = self.slab.caches[id].name.clone();
        let p = self.slab_base(pfn) + offset;
        let not_freed = |k: &mut Kernel, why: String| {
            let fix = format!("FIX {name}: Object at 0x{} not freed", k.slab_pointer(p));
            k.log.push(Level::Err, fix);
            Err((Outcome::Bug, Text::from(why)))
        };
        if self.profile().has(Change::SlubDebugInuseCheck) && view.inuse < 1 {
            self.slab_err(
                id,
                pfn,
                &format!(
                    "Slab has {} allocated objects but 1 are to be freed\n",
                    view.inuse
                ),
                "kfree",
            );
            return not_freed(self, format!("slub_debug: the {name} slab has no allocated object left, so this free is a double free"));
        }
        let Some(index) = self.slab.object_at(pfn, offset) else {
            let message = format!("Invalid object pointer 0x{}", self.slab_pointer(p));
            self.slab_err(id, pfn, &message, "kfree");
            return not_freed(
                self,
                format!("slub_debug: {p:#x} is not the start of a {name} object"),
            );
        };
        if view.freelist.contains(&index) {
            self.object_err(id, pfn, p, "Object already free");
            return not_freed(self, format!("slub_debug: double free of a {name} object"));
        }
        if !self.check_object(id, pfn, p, true, "kfree") {
            return not_freed(
                self,
                format!("slub_debug: the {name} object's red zone was overwritten"),
            );
        }
        let now = self.log.now_ns();
        let entry = self
            .slub_debug
            .tracks
            .entry((pfn.as_u64(), index))
            .or_default();
        entry.free = Some(Track {
            seq: ev.seq,
            time_ns: now,
            function: "kfree",
        });
        self.init_object(p, &l, false, l.object_size);
        Ok(())
    }

    /// `check_object()`: the red zones against `RED_ACTIVE` or
    /// `RED_INACTIVE`, 6.x's kmalloc red zone, for free objects the poison,
    /// and the padding. 4.19 and 6.6 stop at the first problem; 6.12
    /// checks everything and prints one trailer at the end.
    fn check_object(
        &mut self,
        id: CacheId,
        pfn: Pfn,
        p: u64,
        active: bool,
        function: &'static str,
    ) -> bool {
        let checks_all = self.profile().has(Change::SlubDebugChecksAll);
        let padding_fails = self.profile().has(Change::SlubDebugPaddingFails);
        let l = self.slab.caches[id].layout;
        let old_names = self.old_region_names();
        let red = if active { RED_ACTIVE } else { RED_INACTIVE };
        let object_size = u64::from(l.object_size);
        let mut regions: Vec<(&'static str, u64, u64, u8)> = vec![
            (
                if old_names { "Redzone" } else { "Left Redzone" },
                p - u64::from(l.red_left_pad),
                u64::from(l.red_left_pad),
                red,
            ),
            (
                if old_names {
                    "Redzone"
                } else {
                    "Right Redzone"
                },
                p + object_size,
                u64::from(l.inuse) - object_size,
                red,
            ),
        ];
        if active && l.orig_size && self.profile().has(Change::SlubKmallocRedzone) {
            if let Some(orig) = self.orig_size_of(id, pfn, p) {
                if orig < object_size {
                    regions.push(("kmalloc Redzone", p + orig, object_size - orig, RED_ACTIVE));
                }
            }
        }
        if !active {
            regions.push(("Poison", p, object_size - 1, POISON_FREE));
            regions.push((
                if old_names { "Poison" } else { "End Poison" },
                p + object_size - 1,
                1,
                POISON_END,
            ));
        }
        // check_pad_bytes() runs for every object; before 6.12 its result
        // is reported and restored but does not fail the check.
        regions.push((
            "Object padding",
            p + u64::from(l.padding_start),
            u64::from(l.padding_len()),
            POISON_INUSE,
        ));
        let mut ok = true;
        for (what, start, len, value) in regions {
            let Some(bad) = self.find_overwrite(what, start, len, value) else {
                continue;
            };
            self.report_overwrite(id, pfn, p, &bad, function);
            if what == "Object padding" && !padding_fails {
                continue;
            }
            ok = false;
            if !checks_all {
                return false;
            }
        }
        if !ok {
            // 6.12: one trailer after every check.
            self.print_trailer(id, pfn, p, function);
            self.taint_bad_page();
        }
        ok
    }

    /// `skip_orig_size_check()`: `ksize()` hands the caller the whole
    /// object, so 6.x stops red-zoning its tail.
    pub(super) fn skip_orig_size_check(&mut self, addr: VirtAddr) {
        if !self.slab.debug() {
            return;
        }
        let phys = self.translator().pa_value(addr);
        let Some((head, _)) = self.mem.block_of(phys.pfn()) else {
            return;
        };
        let offset = phys.as_u64() - head.phys().as_u64();
        let (Some(index), Some(view)) =
            (self.slab.object_at(head, offset), self.slab.slab_view(head))
        else {
            return;
        };
        let object_size = self.slab.caches[view.cache].object_size;
        if let Some(t) = self.slub_debug.tracks.get_mut(&(head.as_u64(), index)) {
            t.orig_size = object_size;
        }
    }

    /// The size 6.x's `orig_size` recorded for the object at `p`.
    fn orig_size_of(&self, id: CacheId, pfn: Pfn, p: u64) -> Option<u64> {
        let index = self.object_index(id, pfn, p);
        self.slub_debug
            .tracks
            .get(&(pfn.as_u64(), index))
            .map(|t| u64::from(t.orig_size))
    }

    /// `check_bytes_and_report()`'s search: the first and last byte of
    /// `[start, start + len)` that differ from `value`.
    fn find_overwrite(
        &self,
        what: &'static str,
        start: u64,
        len: u64,
        value: u8,
    ) -> Option<Overwrite> {
        let mut bytes = vec![0u8; len as usize];
        self.read_virt(VirtAddr::new(start), &mut bytes).ok()?;
        let first = bytes.iter().position(|&b| b != value)?;
        let last = bytes.iter().rposition(|&b| b != value)?;
        Some(Overwrite {
            what,
            from: start + first as u64,
            to: start + last as u64,
            found: bytes[first],
            expected: value,
        })
    }

    /// The report of one overwritten region, and the restoring FIX line.
    fn report_overwrite(
        &mut self,
        id: CacheId,
        pfn: Pfn,
        p: u64,
        bad: &Overwrite,
        function: &'static str,
    ) {
        let new_format = self.profile().has(Change::SlubDebugReportFormat);
        let checks_all = self.profile().has(Change::SlubDebugChecksAll);
        let name = self.slab.caches[id].name.clone();
        self.slab_bug(id, &format!("{} overwritten", bad.what));
        let (from, to) = (self.slab_pointer(bad.from), self.slab_pointer(bad.to));
        let first = match new_format {
            false => format!(
                "INFO: 0x{from}-0x{to}. First byte {:#x} instead of {:#x}",
                bad.found, bad.expected
            ),
            true => format!(
                "0x{from}-0x{to} @offset={}. First byte {:#x} instead of {:#x}",
                bad.from - self.slab_base(pfn),
                bad.found,
                bad.expected
            ),
        };
        self.log.push(Level::Err, first);
        if !checks_all {
            self.print_trailer(id, pfn, p, function);
        }
        if new_format && !checks_all {
            self.taint_bad_page();
        }
        self.fill_object(bad.from, bad.to - bad.from + 1, bad.expected);
        match new_format {
            false => {
                self.log.push(
                    Level::Err,
                    format!("FIX {name}: Restoring 0x{from}-0x{to}={:#x}", bad.expected),
                );
                self.log.push(Level::Err, "");
            }
            true => self.log.push(
                Level::Err,
                format!(
                    "FIX {name}: Restoring {} 0x{from}-0x{to}={:#x}",
                    bad.what, bad.expected
                ),
            ),
        }
    }

    /// `slab_bug()`: the banner (4.19 taints right after it).
    fn slab_bug(&mut self, id: CacheId, reason: &str) {
        let name = self.slab.caches[id].name.clone();
        let tainted = self
            .taint
            .describe(report::taint_flag_count(self.profile()));
        self.log.push(Level::Err, BANNER_EQ);
        for line in format!("BUG {name} ({tainted}): {reason}").split('\n') {
            self.log.push(Level::Err, line);
        }
        self.log.push(Level::Err, BANNER_DASH);
        self.log.push(Level::Err, "");
        if !self.profile().has(Change::SlubDebugReportFormat) {
            self.taint_bad_page();
        }
    }

    /// `add_taint(TAINT_BAD_PAGE, LOCKDEP_NOW_UNRELIABLE)`: the first such
    /// taint turns lock debugging off, and says so.
    fn taint_bad_page(&mut self) {
        if !self.slub_debug.lock_debugging_off {
            self.slub_debug.lock_debugging_off = true;
            self.log.push(
                Level::Warning,
                "Disabling lock debugging due to kernel taint",
            );
        }
        self.taint.add(Taint::BadPage);
    }

    /// `object_err()`: the banner and the object's trailer.
    fn object_err(&mut self, id: CacheId, pfn: Pfn, p: u64, reason: &str) {
        self.slab_bug(id, reason);
        self.print_trailer(id, pfn, p, "kfree");
        if self.profile().has(Change::SlubDebugReportFormat) {
            self.taint_bad_page();
        }
    }

    /// `slab_err()`: the banner, the slab line and the stack.
    fn slab_err(&mut self, id: CacheId, pfn: Pfn, message: &str, function: &str) {
        self.slab_bug(id, message);
        let line = self.slab_info_line(pfn);
        self.log.push(Level::Err, line);
        for line in report::dump_stack(self, &[function]) {
            self.log.push(Level::Err, line);
        }
        if self.profile().has(Change::SlubDebugReportFormat) {
            self.taint_bad_page();
        }
    }

    /// `%p` as slub_debug's reports print it: hashed in 4.19; raw in 6.x,
    /// where slub_debug turns pointer hashing off (`no_hash_pointers`).
    fn slab_pointer(&self, addr: u64) -> String {
        report::hashed_pointer(self, VirtAddr::new(addr))
    }

    /// `print_page_info()` / `print_slab_info()`.
    fn slab_info_line(&self, pfn: Pfn) -> String {
        let p = self.profile();
        let new_format = p.has(Change::SlubDebugReportFormat);
        let view = self.slab.slab_view(pfn);
        let (objects, inuse, free_head, cache) = match &view {
            Some(v) => (v.objects, v.inuse, v.freelist.first().copied(), v.cache),
            None => (0, 0, None, 0),
        };
        let fp = match free_head {
            Some(i) if view.is_some() => self.object_address(cache, pfn, i),
            _ => 0,
        };
        let page = self.translator().pfn_to_page_value(pfn).as_u64();
        let order = self.mem.page(pfn).map_or(0, |m| m.order);
        let zone = MemMap::zone_of(pfn).index() as u64;
        let fields = (zone << 51) | (0x1f_ffff << 30);
        // enum pageflags: PG_slab 8 and PG_head 15 in 4.19, 9 and 16 in
        // 6.1; PG_head 6 and PG_slab 11 after the reordering; PG_slab gone
        // once slab is a page type.
        let (slab_bit, head_bit) = if p.has(Change::SlabIsPageType) {
            (0, 1 << 6)
        } else if p.has(Change::PageFlagsHeadAtBit6) {
            (1 << 11, 1 << 6)
        } else if p.has(Change::PageFlagsSlab9Head16) {
            (1 << 9, 1 << 16)
        } else {
            (1 << 8, 1 << 15)
        };
        let head = if order > 0 { head_bit } else { 0 };
        let flags = fields | slab_bit | head;
        let fp_text = self.slab_null_pointer(fp);
        match new_format {
            false => format!(
                "INFO: Slab 0x{} objects={objects} used={inuse} fp=0x{fp_text} flags={flags:#06x}",
                self.slab_pointer(page)
            ),
            true => {
                // pageflag_names order: slab before head.
                let mut names = Vec::new();
                if slab_bit != 0 {
                    names.push("slab");
                }
                if head != 0 {
                    names.push("head");
                }
                let mut described = names.join("|");
                if !described.is_empty() {
                    described.push('|');
                }
                format!(
                    "Slab 0x{} objects={objects} used={inuse} fp=0x{fp_text} flags={flags:#x}({described}node=0|zone={zone}|lastcpupid=0x1fffff)",
                    self.slab_pointer(page)
                )
            }
        }
    }

    /// `%p` of a pointer that may be NULL: 4.19 prints `(null)` padded to
    /// 16 columns.
    fn slab_null_pointer(&self, addr: u64) -> String {
        if addr == 0 && !self.profile().has(Change::PointerNullAsZeros) {
            format!("{:>16}", "(null)")
        } else {
            self.slab_pointer(addr)
        }
    }

    /// `print_tracking()`: who allocated and who freed object `index` of the
    /// slab at `pfn` (only with slub_debug's user tracking); returns the
    /// tracking data.
    fn print_tracking(&mut self, pfn: Pfn, index: u32) -> ObjectTracks {
        let new_format = self.profile().has(Change::SlubDebugReportFormat);
        let tracks = self
            .slub_debug
            .tracks
            .get(&(pfn.as_u64(), index))
            .copied()
            .unwrap_or_default();
        let now = self.log.now_ns();
        let info = if new_format { "" } else { "INFO: " };
        for (label, track) in [("Allocated", tracks.alloc), ("Freed", tracks.free)] {
            let Some(t) = track else {
                continue;
            };
            let age = now.saturating_sub(t.time_ns) * HZ / 1_000_000_000;
            self.log.push(
                Level::Err,
                format!(
                    "{info}{label} in {} age={age} cpu=0 pid={}",
                    report::caller_symbol(t.seq),
                    super::PID
                ),
            );
            let frame = if new_format {
                format!(" {}", t.function)
            } else {
                format!("\t{}", t.function)
            };
            self.log.push(Level::Err, frame);
        }
        tracks
    }

    /// `list_slab_objects()` (CONFIG_SLUB_DEBUG, built into distribution
    /// kernels whether or not slub_debug is on): when a cache is destroyed
    /// with objects left, each partial slab holding some is reported with
    /// the objects still allocated.
    pub(super) fn list_slab_objects(&mut self, id: CacheId, pfn: Pfn) {
        let name = self.slab.caches[id].name.clone();
        let message = format!("Objects remaining in {name} on __kmem_cache_shutdown()");
        self.slab_err(id, pfn, &message, "kmem_cache_destroy");
        let Some(view) = self.slab.slab_view(pfn) else {
            return;
        };
        let info = if self.profile().has(Change::SlubDebugReportFormat) {
            ""
        } else {
            "INFO: "
        };
        for index in (0..view.objects).filter(|i| !view.freelist.contains(i)) {
            let p = self.object_address(id, pfn, index);
            let line = format!(
                "{info}Object 0x{} @offset={}",
                self.slab_pointer(p),
                p - self.slab_base(pfn)
            );
            self.log.push(Level::Err, line);
            self.print_tracking(pfn, index);
        }
    }

    /// `cache_from_obj()` in `kmem_cache_free()`: the object's own cache,
    /// checked against the one passed. 6.x checks with
    /// CONFIG_SLAB_FREELIST_HARDENED or slub_debug and WARNs every time,
    /// then frees into the object's cache; 4.19 checks when memory-cgroup
    /// accounting is live (always on a distribution's systemd machine),
    /// prints the error with a WARN_ON_ONCE, and frees into the wrong
    /// cache, which corrupts it.
    pub(super) fn cache_from_obj(
        &mut self,
        passed: CacheId,
        object_cache: CacheId,
        p: u64,
    ) -> CacheCheck {
        if passed == object_cache {
            return CacheCheck::Same;
        }
        let (s, cachep) = (
            self.slab.caches[passed].name.clone(),
            self.slab.caches[object_cache].name.clone(),
        );
        let message = format!("cache_from_obj: Wrong slab cache. {s} but object is from {cachep}");
        if !self.profile().has(Change::WrongSlabCacheWarnsAlways) {
            self.log.push(Level::Err, message);
            self.warn_once(Site::WrongSlabCache, &["kmem_cache_free"]);
            return CacheCheck::Corrupting;
        }
        if !self.config().debug.freelist_hardened && !self.slab.debug() {
            return CacheCheck::Unchecked;
        }
        self.warn_message(Site::WrongSlabCache, Some(&message), &["kmem_cache_free"]);
        let phys = self.translator().pa_value(VirtAddr::new(p));
        if let Some((head, _)) = self.mem.block_of(phys.pfn()) {
            let index = self.object_index(object_cache, head, p);
            self.print_tracking(head, index);
        }
        CacheCheck::Warned
    }

    /// `print_trailer()`: tracking, the slab and object lines, hex dumps of
    /// the red zones, object and padding, and the stack.
    fn print_trailer(&mut self, id: CacheId, pfn: Pfn, p: u64, function: &'static str) {
        let new_format = self.profile().has(Change::SlubDebugReportFormat);
        let l = self.slab.caches[id].layout;
        let index = self.object_index(id, pfn, p);
        let tracks = self.print_tracking(pfn, index);
        let info = if new_format { "" } else { "INFO: " };
        let slab_line = self.slab_info_line(pfn);
        self.log.push(Level::Err, slab_line);
        // The free pointer: the next free object for a free object, the
        // stale value otherwise.
        let view = self.slab.slab_view(pfn);
        let fp = match view
            .as_ref()
            .and_then(|v| v.freelist.iter().position(|&i| i == index))
        {
            Some(pos) => view
                .as_ref()
                .and_then(|v| v.freelist.get(pos + 1).copied())
                .map_or(0, |n| self.object_address(id, pfn, n)),
            None => tracks.stale_fp,
        };
        self.log.push(
            Level::Err,
            format!(
                "{info}Object 0x{} @offset={} fp=0x{}",
                self.slab_pointer(p),
                p - self.slab_base(pfn),
                self.slab_null_pointer(fp)
            ),
        );
        self.log.push(Level::Err, "");
        let (redzone, object, padding) = if self.old_region_names() {
            ("Redzone ", "Object ", "Padding ")
        } else {
            ("Redzone  ", "Object   ", "Padding  ")
        };
        let rlp = u64::from(l.red_left_pad);
        let object_size = u64::from(l.object_size);
        let mut sections = vec![
            (redzone, p - rlp, rlp),
            (object, p, object_size.min(PAGE_SIZE)),
            (redzone, p + object_size, u64::from(l.inuse) - object_size),
        ];
        if l.padding_len() > 0 {
            sections.push((
                padding,
                p + u64::from(l.padding_start),
                u64::from(l.padding_len()),
            ));
        }
        for (prefix, start, len) in sections {
            self.print_section(prefix, start, len);
        }
        for line in report::dump_stack(self, &[function]) {
            self.log.push(Level::Err, line);
        }
    }

    /// `print_section()`: `print_hex_dump(KERN_ERR, text,
    /// DUMP_PREFIX_ADDRESS, 16, 1, addr, length, 1)`.
    fn print_section(&mut self, prefix: &str, start: u64, len: u64) {
        let mut bytes = vec![0u8; len as usize];
        if self.read_virt(VirtAddr::new(start), &mut bytes).is_err() {
            return;
        }
        for (i, chunk) in bytes.chunks(16).enumerate() {
            let at = start + i as u64 * 16;
            let line = format!(
                "{prefix}{}: {}",
                self.slab_pointer(at),
                super::memory::hex_dump_body(chunk)
            );
            self.log.push(Level::Err, line);
        }
    }
}
