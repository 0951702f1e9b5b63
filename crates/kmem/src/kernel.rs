//! `Kernel`: the facade of the simulated kernel. It boots a machine and
//! offers one method per kernel API call; every call returns an [`Event`]
//! with the result, the effects and the log lines it produced.
//!
//! Deterministic: the same configuration and the same calls give the same
//! events. Nothing panics: where the real kernel would WARN, BUG or oops,
//! the event says so and the log shows the report.

use crate::addr::{Order, Pfn, PhysAddr, VirtAddr, PAGE_SIZE};
use crate::buddy::{Buddy, BuddyEffect, BuddyRules, PageRequest, ReserveAccess};
use crate::context::{ContextOp, ExecContext};
use crate::dmesg::{Level, Log, LogLine, Ratelimit, Taint, TaintSet};
use crate::gfp::{Gfp, GfpFlag, GfpTable};
use crate::layout::Layout;
use crate::memmap::{
    ConfigError, FrameRange, FrameUse, MachineConfig, MemMap, PageMeta, KERNEL_LOAD_ADDR,
    STRUCT_PAGE_SIZE,
};
use crate::page_alloc::{self, AllocFailure, AllocPath, PageAllocation, PageCache, SlowPathPolicy};
use crate::pgtable::PageTables;
use crate::profile::{Change, Profile, Site};
use crate::report;
use crate::slab::Slub;
use crate::translate::{Step, TranslateFault, Translator, Walk};
use crate::vmalloc::Vmap;
use crate::zone::ZoneType;

mod kmalloc;
mod kmem_cache;
mod kvmalloc;
pub mod memory;
mod slub_debug;
mod text;
mod uptime;
mod vmalloc;

pub use text::Text;

/// Kernel debug options that change what misuse looks like. Defaults are
/// what distribution kernels ship.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DebugConfig {
    /// CONFIG_DEBUG_ATOMIC_SLEEP: `might_sleep()` reports sleeping in
    /// atomic context (on in Debian, Fedora and Ubuntu kernels' debug
    /// checks; the playground defaults it on).
    pub debug_atomic_sleep: bool,
    /// CONFIG_SLAB_FREELIST_HARDENED (on in distribution kernels).
    pub freelist_hardened: bool,
    /// `slub_debug` on the command line (off by default).
    pub slub_debug: bool,
    /// CONFIG_RANDOM_KMALLOC_CACHES (6.x): 15 copies of the kmalloc caches,
    /// one chosen per call site (off by default, as in Debian's kernels).
    pub random_kmalloc_caches: bool,
}

impl Default for DebugConfig {
    fn default() -> Self {
        DebugConfig {
            debug_atomic_sleep: true,
            freelist_hardened: true,
            slub_debug: false,
            random_kmalloc_caches: false,
        }
    }
}

/// Everything that decides a simulated kernel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KernelConfig {
    /// The release.
    pub profile: Profile,
    /// The machine.
    pub machine: MachineConfig,
    /// Debug options.
    pub debug: DebugConfig,
}

impl Default for KernelConfig {
    fn default() -> Self {
        KernelConfig {
            profile: Profile::default_profile(),
            machine: MachineConfig::default(),
            debug: DebugConfig::default(),
        }
    }
}

/// Why a kernel could not boot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BootError {
    /// The machine configuration is outside what we simulate.
    Machine(ConfigError),
    /// The release has no GFP table.
    Version(crate::profile::VersionError),
}

impl std::fmt::Display for BootError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BootError::Machine(e) => e.fmt(f),
            BootError::Version(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for BootError {}

/// Whether the simulated kernel still runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KernelState {
    /// Running normally.
    Running,
    /// Stopped: a BUG or oops killed the calling task, or a request would
    /// never return. Further calls are refused.
    Stopped(String),
}

/// What a call returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum CallValue {
    /// A `struct page *` (its vmemmap address).
    Page(VirtAddr),
    /// A kernel virtual address (`void *`).
    Address(VirtAddr),
    /// A physical address.
    Phys(PhysAddr),
    /// A frame number.
    Pfn(Pfn),
    /// A truth value.
    Bool(bool),
    /// A count.
    Count(u64),
    /// A `struct kmem_cache *` (the cache's index in the slab allocator).
    Cache(u32),
    /// NULL.
    Null,
    /// Nothing (a `void` function).
    Void,
}

/// How the call ended, as the kernel would show it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Outcome {
    /// Normal return.
    Ok,
    /// Returned NULL (or failed) quietly or with an allocation-failure report.
    Failed,
    /// A WARN fired (the call still returned).
    Warn,
    /// `kernel BUG at …` or "Bad page state": the report is in the log.
    Bug,
    /// A page fault oops.
    Oops,
    /// The call would never return (for example `__GFP_NOFAIL` with no
    /// memory left).
    Hang,
    /// Refused before reaching the kernel: the simulated kernel had stopped,
    /// or the arguments are outside what C could express.
    Refused(String),
}

/// A side effect of a call, for the UI.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Effect {
    /// A free-list operation of the buddy allocator.
    Buddy(BuddyEffect),
    /// Page cache freed by direct reclaim.
    DirectReclaim(u64),
    /// Page cache freed by kswapd.
    Kswapd(u64),
    /// Page cache read in.
    PageCacheFilled(u64),
    /// The execution context changed.
    Context(ExecContext),
    /// A new slab was allocated for a cache.
    NewSlab {
        /// The cache's name.
        cache: String,
        /// The slab's first frame.
        pfn: Pfn,
        /// Its order.
        order: u8,
    },
    /// An empty slab went back to the page allocator.
    SlabDiscarded {
        /// The cache's name.
        cache: String,
        /// The slab's first frame.
        pfn: Pfn,
        /// Its order.
        order: u8,
    },
    /// A page-table page was allocated.
    PageTable(Pfn),
    /// A vmap area was created.
    VmapArea {
        /// Its first address.
        start: VirtAddr,
        /// Its size, guard page included.
        size: u64,
        /// Pages mapped in it.
        pages: u64,
    },
    /// Lazily freed vmap ranges were purged (how many).
    VmapPurged(usize),
    /// The way a kvmalloc call went.
    Kvmalloc(crate::kvmalloc::KvmallocPath),
    /// A vfree deferred from interrupt context ran in the workqueue.
    DeferredVfree {
        /// The area's address.
        addr: VirtAddr,
        /// The pages it freed.
        pages: u64,
    },
}

/// One kernel API call and everything it did.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Event {
    /// Sequence number of the call (1 for the first).
    pub seq: u32,
    /// The call as C would write it, with its arguments.
    pub call: Text,
    /// The return value.
    pub value: CallValue,
    /// How it ended.
    pub outcome: Outcome,
    /// Where the memory came from or went, in words (for the timeline).
    pub summary: Text,
    /// Side effects in order.
    pub effects: Vec<Effect>,
    /// Log lines the call produced.
    pub log: Vec<LogLine>,
    /// The recorded walk, for translations.
    pub walk: Vec<Step>,
}

/// A call's work: its address and summary, or its outcome and why.
type AddressResult = Result<(VirtAddr, Text), (Outcome, Text)>;
/// A call's work that returns no address: a summary, or the outcome and why.
type SummaryResult = Result<Text, (Outcome, Text)>;

/// Formats an event's text into a buffer sized once: every call builds its
/// text, and `format!`'s growth by reallocation cost a tenth of a
/// kmalloc/kfree pair.
pub(crate) fn event_text(args: std::fmt::Arguments<'_>) -> String {
    let mut text = String::with_capacity(96);
    // Writing into a String cannot fail.
    let _ = std::fmt::Write::write_fmt(&mut text, args);
    text
}

/// Simulated nanoseconds from boot to the first playground call.
pub const SESSION_START_NS: u64 = 2 * SECOND_NS;

/// Bytes of simulated memory read or written that count as one unit of
/// [`Kernel::work`], as a page-allocator operation does: about the time
/// of reading that many never-written bytes.
pub const WORK_BYTES: u64 = 64;
/// One second of the simulated clock.
const SECOND_NS: u64 = 1_000_000_000;
/// Simulated cost of one API call.
const CALL_NS: u64 = 1_000;
/// `might_sleep()` reports at most once a second (HZ).
const MIGHT_SLEEP_INTERVAL_NS: u64 = SECOND_NS;

/// The simulated kernel.
#[derive(Clone, Debug)]
pub struct Kernel {
    config: KernelConfig,
    /// The release's GFP layout.
    pub gfp: &'static GfpTable,
    /// Physical memory.
    pub mem: MemMap,
    /// The page allocator.
    pub buddy: Buddy,
    /// Reclaimable page cache.
    pub cache: PageCache,
    /// The virtual layout.
    pub layout: Layout,
    /// The slab allocator.
    pub slab: Slub,
    /// The kernel page tables.
    pub pgtables: PageTables,
    /// The vmalloc address space.
    pub vmap: Vmap,
    /// vfrees queued from interrupt context, newest last.
    deferred_vfree: Vec<VirtAddr>,
    /// slub_debug's tracking data.
    slub_debug: slub_debug::SlubDebug,
    /// `%#x(%pGg)` of the masks calls used, formatted once each.
    modes: std::cell::RefCell<Vec<(u32, std::rc::Rc<str>)>>,
    /// The current context.
    pub context: ExecContext,
    /// The kernel log.
    pub log: Log,
    /// Taint flags.
    pub taint: TaintSet,
    /// Pages of large kmallocs counted in NR_SLAB_UNRECLAIMABLE_B (6.x),
    /// signed as the kernel's counter is: a kfree of a compound page that
    /// kmalloc did not hand out subtracts too.
    large_kmalloc_pages: i64,
    /// The frames of the API function the current call entered, innermost
    /// first (`__kmalloc_large_node`, `kmalloc_large`), below the script.
    api_path: Vec<&'static str>,
    /// See [`Kernel::next_size_is_constant`].
    constant_size: bool,
    state: KernelState,
    seq: u32,
    last_might_sleep_ns: Option<u64>,
    warned_once: Vec<Site>,
    boot_free_pages: Vec<u64>,
    /// `warn_alloc()`'s `nopage_rs`: 4.19 DEFAULT_RATELIMIT (10 per 5 s),
    /// 6.x 1 per 10 s.
    nopage_ratelimit: Ratelimit,
    /// `warn_alloc_show_mem()`'s `show_mem_rs`: one Mem-Info a second.
    show_mem_ratelimit: Ratelimit,
    /// Each cache's descriptor and node structure, by cache.
    cache_objects: Vec<Vec<VirtAddr>>,
    /// Pages of anonymous memory the processes of a running machine hold,
    /// by zone (`NR_ZONE_ACTIVE_ANON`; see `kernel/uptime.rs`).
    anon_pages: [u64; 4],
}

/// The calling task, as reports name it.
pub const COMM: &str = "insmod";
/// Its pid.
pub const PID: u32 = 1000;

impl Kernel {
    /// Boots a machine: lays out memory, makes the boot-time reservations,
    /// frees the rest into the buddy allocator, and logs the firmware map.
    pub fn boot(config: KernelConfig) -> Result<Kernel, BootError> {
        config.machine.validate().map_err(BootError::Machine)?;
        let profile = &config.profile;
        let gfp = GfpTable::for_release(profile.release()).map_err(BootError::Version)?;
        let mut mem = MemMap::new(&config.machine);
        reserve_boot_memory(&mut mem, &config);
        let mut buddy = Buddy::boot(&mut mem, BuddyRules::of(profile), config.machine.cpus);
        let pgtables = boot_page_tables(&mut mem, &mut buddy, &config);
        let mut log = Log::starting_at(0);
        log.push(
            Level::Notice,
            format!(
                "Linux version {} (kmem playground simulation)",
                profile.uname
            ),
        );
        log.push(Level::Info, "BIOS-provided physical RAM map:");
        for entry in mem.e820() {
            log.push(Level::Info, entry.to_string());
        }
        log.set_now(SESSION_START_NS);
        // insmod of the script's module: it is built out of tree.
        log.push(
            Level::Warning,
            "playground: loading out-of-tree module taints kernel.",
        );
        let mut taint = TaintSet::default();
        taint.add(Taint::OotModule);
        let mut kernel = Kernel {
            layout: Layout::new(profile),
            gfp,
            mem,
            buddy,
            cache: PageCache::default(),
            slab: {
                let mut slab = Slub::boot(
                    profile,
                    config.machine.cpus,
                    config.machine.seed,
                    crate::slab::SlubOptions {
                        freelist_random: true,
                        debug: config.debug.slub_debug,
                        random_caches: config.debug.random_kmalloc_caches,
                    },
                );
                slab.freelist_hardened = config.debug.freelist_hardened;
                slab
            },
            pgtables,
            vmap: Vmap::new(config.machine.cpus),
            deferred_vfree: Vec::new(),
            slub_debug: slub_debug::SlubDebug::default(),
            modes: Default::default(),
            context: ExecContext::PROCESS,
            log,
            taint,
            large_kmalloc_pages: 0,
            api_path: Vec::new(),
            constant_size: true,
            state: KernelState::Running,
            seq: 0,
            last_might_sleep_ns: None,
            warned_once: Vec::new(),
            boot_free_pages: Vec::new(),
            nopage_ratelimit: if config.profile.has(Change::NopageRatelimitTenSeconds) {
                Ratelimit::new(10 * SECOND_NS, 1)
            } else {
                Ratelimit::new(5 * SECOND_NS, 10)
            },
            show_mem_ratelimit: Ratelimit::new(SECOND_NS, 1),
            cache_objects: Vec::new(),
            anon_pages: [0; 4],
            config,
        };
        kernel.allocate_boot_cache_objects();
        kernel.run_uptime_workload();
        kernel.boot_free_pages = kernel
            .buddy
            .zones
            .iter()
            .map(|z| z.free_pages + z.pcp.count)
            .collect();
        Ok(kernel)
    }

    /// The slab objects of the caches boot made: each cache's descriptor
    /// (an object of `kmem_cache`) and its node structure (of
    /// `kmem_cache_node`), in creation order, and one `kmalloc_buckets`
    /// object per bucket user (mm/slub.c `bootstrap()`,
    /// `create_kmalloc_cache()`, `kmem_buckets_create()`), all GFP_NOWAIT.
    fn allocate_boot_cache_objects(&mut self) {
        let nowait = self.gfp.composite("GFP_NOWAIT").unwrap_or_default();
        let mut ev = EventBuilder::new(0, Text::default(), self.log.len());
        for id in 0..self.slab.caches.len() {
            self.allocate_cache_objects(&mut ev, id, nowait);
        }
        if let Some(buckets) = self.slab.buckets_cache() {
            for _ in self.profile().boot_caches().2 {
                let size = u64::from(self.slab.caches[buckets].object_size);
                let _ = self.slab_alloc_object(&mut ev, buckets, nowait, size, "kmem_cache_alloc");
            }
        }
    }

    /// Allocates cache `id`'s descriptor and node structure (one node).
    fn allocate_cache_objects(&mut self, ev: &mut EventBuilder, id: usize, gfp: Gfp) {
        let mut objects = Vec::with_capacity(2);
        for meta in [Slub::KMEM_CACHE, Slub::KMEM_CACHE_NODE] {
            let size = u64::from(self.slab.caches[meta].object_size);
            if let Ok((addr, _)) = self.slab_alloc_object(ev, meta, gfp, size, "kmem_cache_alloc") {
                objects.push(addr);
            }
        }
        if self.cache_objects.len() <= id {
            self.cache_objects.resize(id + 1, Vec::new());
        }
        self.cache_objects[id] = objects;
    }

    /// Frees cache `id`'s descriptor and node structure
    /// (`kmem_cache_release()`).
    fn free_cache_objects(&mut self, ev: &mut EventBuilder, id: usize) {
        let objects = self
            .cache_objects
            .get_mut(id)
            .map(std::mem::take)
            .unwrap_or_default();
        for addr in objects {
            let _ = self.kfree_memory(ev, addr);
        }
    }

    /// Pages of anonymous memory held by processes in zone `zone`, or in
    /// all zones (`AnonPages`, on the active anon LRU).
    pub fn anon_pages(&self, zone: Option<ZoneType>) -> u64 {
        match zone {
            Some(zone) => self.anon_pages[zone.index()],
            None => self.anon_pages.iter().sum(),
        }
    }

    /// The configuration the kernel was booted with.
    pub fn config(&self) -> &KernelConfig {
        &self.config
    }

    /// The release profile.
    pub fn profile(&self) -> &Profile {
        &self.config.profile
    }

    /// Whether the kernel still runs.
    pub fn state(&self) -> &KernelState {
        &self.state
    }

    /// Free pages per zone right after boot, on the buddy lists and the
    /// per-CPU lists (boot already took slab pages for its caches).
    pub fn boot_free_pages(&self) -> &[u64] {
        &self.boot_free_pages
    }

    /// The number of the call under way (1 for the first): where in the
    /// script's init function the call is made.
    pub fn call_seq(&self) -> u32 {
        self.seq
    }

    /// Runs `body` with `frames` (innermost first) as the innermost frames
    /// of the API path, so that reports inside name them.
    pub(crate) fn with_frames<T>(
        &mut self,
        frames: &'static [&'static str],
        body: impl FnOnce(&mut Kernel) -> T,
    ) -> T {
        let outer = std::mem::take(&mut self.api_path);
        self.api_path = frames
            .iter()
            .copied()
            .chain(outer.iter().copied())
            .collect();
        let result = body(self);
        self.api_path = outer;
        result
    }

    /// Whether the size of the next kmalloc-family call is a compile-time
    /// constant in the caller's code (`__builtin_constant_p(size)`), which
    /// picks the inline path of `kmalloc()`: the script interpreter says so
    /// before each call; other callers pass literal sizes.
    pub fn next_size_is_constant(&mut self, constant: bool) {
        self.constant_size = constant;
    }

    /// A call trace's frames: `trace` (innermost first, from the reporting
    /// function's caller) and then the frames of the API the script
    /// called that it does not already name.
    pub(crate) fn trace_with_api<'a>(&self, trace: &[&'a str]) -> Vec<&'a str> {
        let mut frames = trace.to_vec();
        for f in &self.api_path {
            if !frames.contains(f) {
                frames.push(*f);
            }
        }
        frames
    }

    /// NR_SLAB_RECLAIMABLE and NR_SLAB_UNRECLAIMABLE in pages, as
    /// /proc/meminfo, zoneinfo and Mem-Info read them: slab frames by their
    /// cache's kind, and from 5.x the pages of large kmallocs too
    /// (`__kmalloc_large_node()`, mm/slab_common.c@6.1.119:1080; 4.19's
    /// `kmalloc_order()` does not count them). A node counter read below 0
    /// reads 0 (`global_node_page_state_pages()`).
    pub fn slab_pages(&self) -> (u64, u64) {
        let (reclaimable, unreclaimable) = self.slab.slab_pages();
        let large = u64::try_from(self.large_kmalloc_pages).unwrap_or(0);
        (reclaimable, unreclaimable + large)
    }

    /// The simulation's work since boot: page-allocator operations, and
    /// the bytes of memory it read or wrote in units of [`WORK_BYTES`]
    /// (memset, memcpy, a hex dump, slub_debug's poisoning and checks). A
    /// script's budget is charged for it, so that a few calls that each
    /// touch millions of pages or bytes cannot run for minutes.
    pub fn work(&self) -> u64 {
        self.buddy.operations + self.mem.bytes_touched() / WORK_BYTES
    }

    /// A mask as `"%#x(%pGg)"` prints it, for the calls' text; formatted
    /// once per mask (a script repeats the same few masks).
    pub fn mode(&self, gfp: Gfp) -> std::rc::Rc<str> {
        let mut modes = self.modes.borrow_mut();
        if let Some((_, text)) = modes.iter().find(|(m, _)| *m == gfp.0) {
            return text.clone();
        }
        let text: std::rc::Rc<str> = self.gfp.format_mode(gfp).into();
        if modes.len() < 64 {
            modes.push((gfp.0, text.clone()));
        }
        text
    }

    /// The translation functions of this kernel.
    pub fn translator(&self) -> Translator {
        Translator {
            page_offset: self.layout.page_offset,
            max_pfn: self.mem.max_pfn(),
        }
    }

    // ---- events -----------------------------------------------------

    fn begin(&mut self, call: impl Into<Text>) -> Result<EventBuilder, Box<Event>> {
        self.seq += 1;
        self.api_path.clear();
        self.log.advance(CALL_NS);
        let mut builder = EventBuilder::new(self.seq, call.into(), self.log.len());
        if self.state == KernelState::Running {
            self.run_deferred_vfrees(&mut builder);
        }
        if let KernelState::Stopped(why) = &self.state {
            let why = why.clone();
            return Err(Box::new(builder.finish(
                self,
                CallValue::Void,
                Outcome::Refused(format!("the simulated kernel has stopped: {why}")),
                String::new(),
            )));
        }
        Ok(builder)
    }

    /// Taints with TAINT_WARN and logs a `WARNING:` report with the
    /// function's location and a call trace.
    fn warn(&mut self, site: Site, trace: &[&str]) {
        self.warn_message(site, None, trace);
    }

    /// `WARN_ON_ONCE`: only the first time for this location.
    fn warn_once(&mut self, site: Site, trace: &[&str]) -> bool {
        if self.warned_once.contains(&site) {
            return false;
        }
        self.warned_once.push(site);
        self.warn(site, trace);
        true
    }

    /// `might_sleep()`: the "sleeping function called from invalid context"
    /// report when the context forbids sleeping (CONFIG_DEBUG_ATOMIC_SLEEP),
    /// at most once a second. Returns true when the context was invalid.
    fn might_sleep(&mut self, site: Site, trace: &[&str]) -> bool {
        if !self.context.sleep_forbidden() {
            return false;
        }
        let now = self.log.now_ns();
        let recent = self
            .last_might_sleep_ns
            .is_some_and(|t| now < t + MIGHT_SLEEP_INTERVAL_NS);
        if self.config.debug.debug_atomic_sleep && !recent {
            self.last_might_sleep_ns = Some(now);
            let lines = report::might_sleep(self, site, trace);
            for line in lines {
                self.log.push(Level::Err, line);
            }
            self.taint.add(Taint::Warn);
        }
        true
    }

    // ---- contexts ---------------------------------------------------

    /// Enters or leaves a context (`spin_lock`, `local_irq_disable`,
    /// entering a hardirq handler, ...).
    pub fn context_op(&mut self, op: ContextOp) -> Event {
        let call = event_text(format_args!("{}()", context_op_name(op)));
        let mut ev = match self.begin(call) {
            Ok(ev) => ev,
            Err(refused) => return *refused,
        };
        match self.context.apply(op) {
            Ok(()) => {
                ev.effects.push(Effect::Context(self.context));
                let summary = event_text(format_args!("now in {}", self.context.describe()));
                ev.finish(self, CallValue::Void, Outcome::Ok, summary)
            }
            Err(unbalanced) => ev.finish(
                self,
                CallValue::Void,
                Outcome::Refused(unbalanced.to_string()),
                String::new(),
            ),
        }
    }

    // ---- the page allocator -----------------------------------------

    /// The `PageRequest` and slow-path policy a mask and order stand for.
    fn page_request(&self, gfp: Gfp, order: u8) -> (PageRequest, SlowPathPolicy) {
        let t = self.gfp;
        let zone = t.zone(gfp);
        let request = PageRequest {
            order: Order::new(order),
            highest_zone: zone.zone,
            migratetype: t.migratetype(gfp),
            wakes_kswapd: t.has(gfp, GfpFlag::KswapdReclaim),
        };
        let policy = SlowPathPolicy {
            reserves: t.reserve_access(gfp, order, self.profile().has(Change::ReservesByBlocking)),
            direct_reclaim: t.has(gfp, GfpFlag::DirectReclaim),
            noretry: t.has(gfp, GfpFlag::NoRetry),
            retry_mayfail: t.has(gfp, GfpFlag::RetryMayfail),
            nofail: t.has(gfp, GfpFlag::NoFail),
            nofail_reserves: if self.profile().has(Change::NofailMinReserve) {
                // ALLOC_MIN_RESERVE: half of min.
                ReserveAccess {
                    min_half: true,
                    highatomic_counts_as_free: true,
                    ..ReserveAccess::default()
                }
            } else {
                // ALLOC_HARDER: a further quarter off min.
                ReserveAccess {
                    min_quarter: true,
                    highatomic_counts_as_free: true,
                    highatomic_first: true,
                    ..ReserveAccess::default()
                }
            },
        };
        (request, policy)
    }

    /// The core of every page-allocator entry point: checks, allocation,
    /// owner marking, zeroing, and failure reports. Returns the block or
    /// the outcome to report.
    fn allocate(
        &mut self,
        ev: &mut EventBuilder,
        gfp: Gfp,
        order: u32,
        entry: &'static str,
    ) -> Result<(Pfn, ZoneType), Outcome> {
        let t = self.gfp;
        if t.allows_blocking(gfp) {
            self.might_sleep(Site::AllocPagesMightSleep, &[entry]);
        }
        let max = Order::MAX.as_u8() as u32;
        if order > max {
            // WARN_ON_ONCE(order > MAX_ORDER) unless __GFP_NOWARN.
            if !t.has(gfp, GfpFlag::NoWarn) && self.warn_once(Site::OrderTooLarge, &[entry]) {
                return Err(Outcome::Warn);
            }
            return Err(Outcome::Failed);
        }
        let order = order as u8;
        let (request, policy) = self.page_request(gfp, order);
        let PageAllocation {
            result,
            path,
            direct_reclaimed,
            kswapd_reclaimed,
            nofail_retry,
            effects,
        } = page_alloc::alloc_pages(
            &mut self.mem,
            &mut self.buddy,
            &mut self.cache,
            &request,
            &policy,
        );
        ev.effects.extend(effects.into_iter().map(Effect::Buddy));
        if policy.nofail {
            self.nofail_warnings(gfp, order, path, result.is_err(), nofail_retry, entry);
        }
        if direct_reclaimed > 0 {
            ev.effects.push(Effect::DirectReclaim(direct_reclaimed));
        }
        if kswapd_reclaimed > 0 {
            ev.effects.push(Effect::Kswapd(kswapd_reclaimed));
        }
        match result {
            Ok((pfn, zone)) => {
                let compound = order > 0 && t.has(gfp, GfpFlag::Comp);
                if let Some(page) = self.mem.page_mut(pfn) {
                    page.owner = ev.seq;
                    if compound {
                        page.flags |= PageMeta::COMPOUND;
                    }
                }
                if t.has(gfp, GfpFlag::Zero) {
                    for i in 0..(1u64 << order) {
                        self.mem.clear(pfn.add(i));
                    }
                }
                Ok((pfn, zone))
            }
            Err(AllocFailure::RetriesForever) => {
                self.state = KernelState::Stopped(format!(
                    "{entry} with __GFP_NOFAIL found no memory and retries forever"
                ));
                Err(Outcome::Hang)
            }
            Err(failure) => {
                if !t.has(gfp, GfpFlag::NoWarn) {
                    self.warn_alloc(gfp, order, failure == AllocFailure::OutOfMemory);
                }
                Err(Outcome::Failed)
            }
        }
    }

    /// `warn_alloc()`: the failure report, rate-limited as the release does,
    /// with the Mem-Info at most once a second.
    fn warn_alloc(&mut self, gfp: Gfp, order: u8, oom: bool) {
        let now = self.log.now_ns();
        let (allowed, suppressed) = self.nopage_ratelimit.allow(now);
        if suppressed > 0 {
            self.log.push(
                Level::Warning,
                format!("warn_alloc: {suppressed} callbacks suppressed"),
            );
        }
        if !allowed {
            return;
        }
        let show_mem = self.show_mem_ratelimit.allow(now).0;
        for line in report::page_allocation_failure(self, gfp, order, oom, show_mem) {
            self.log.push(Level::Warning, line);
        }
    }

    /// The `__GFP_NOFAIL` sanity WARNs of the slow path. 6.12 checks on
    /// entering the slow path (order above 1, no direct reclaim); 4.19 and
    /// 6.6 only where a NOFAIL request would fail: without direct reclaim
    /// it fails with a WARN, a costly order warns before retrying forever.
    /// 6.6's WARN_ON_ONCE_GFP stays silent with `__GFP_NOWARN`.
    fn nofail_warnings(
        &mut self,
        gfp: Gfp,
        order: u8,
        path: AllocPath,
        failed: bool,
        retried: bool,
        entry: &'static str,
    ) {
        let p = self.profile();
        let direct = self.gfp.has(gfp, GfpFlag::DirectReclaim);
        let slow = matches!(path, AllocPath::MinWatermark | AllocPath::AfterReclaim);
        let checks_at_top = p.has(Change::NofailOrderWarn);
        if p.has(Change::NofailWarnHonoursNowarn) && self.gfp.has(gfp, GfpFlag::NoWarn) {
            return;
        }
        let trace = [entry];
        if checks_at_top {
            if slow && order > 1 {
                self.warn_once(Site::NofailOrder, &trace);
            }
            if slow && !direct {
                self.warn_once(Site::NofailNoReclaim, &trace);
            }
        } else if failed && !direct {
            self.warn_once(Site::NofailNoReclaim, &trace);
        } else if retried && order > crate::buddy::COSTLY_ORDER {
            self.warn_once(Site::NofailCostly, &trace);
        }
    }

    /// `alloc_pages(gfp, order)`: a `struct page *` or NULL.
    pub fn alloc_pages(&mut self, gfp: Gfp, order: u32) -> Event {
        let call = event_text(format_args!("alloc_pages({}, {order})", self.mode(gfp)));
        self.page_entry(call, gfp, order, "alloc_pages", false)
    }

    /// `alloc_page(gfp)`: `alloc_pages(gfp, 0)`.
    pub fn alloc_page(&mut self, gfp: Gfp) -> Event {
        let call = event_text(format_args!("alloc_page({})", self.mode(gfp)));
        self.page_entry(call, gfp, 0, "alloc_pages", false)
    }

    /// `__get_free_pages(gfp, order)`: the block's direct-map address, or 0.
    pub fn get_free_pages(&mut self, gfp: Gfp, order: u32) -> Event {
        let call = event_text(format_args!(
            "__get_free_pages({}, {order})",
            self.mode(gfp)
        ));
        self.page_entry(call, gfp, order, "__get_free_pages", true)
    }

    /// `get_zeroed_page(gfp)`: `__get_free_pages(gfp | __GFP_ZERO, 0)`.
    pub fn get_zeroed_page(&mut self, gfp: Gfp) -> Event {
        let call = event_text(format_args!("get_zeroed_page({})", self.mode(gfp)));
        let zeroed = Gfp(gfp.0 | self.gfp.bit(GfpFlag::Zero).0);
        self.page_entry(call, zeroed, 0, "get_zeroed_page", true)
    }

    fn page_entry(
        &mut self,
        call: String,
        gfp: Gfp,
        order: u32,
        entry: &'static str,
        want_address: bool,
    ) -> Event {
        let mut ev = match self.begin(call) {
            Ok(ev) => ev,
            Err(refused) => return *refused,
        };
        match self.allocate(&mut ev, gfp, order, entry) {
            Ok((pfn, zone)) => {
                let value = if want_address {
                    CallValue::Address(self.translator().va_value(pfn.phys()))
                } else {
                    CallValue::Page(self.translator().pfn_to_page_value(pfn))
                };
                let source = if ev
                    .effects
                    .iter()
                    .any(|e| matches!(e, Effect::Buddy(BuddyEffect::TakenFromPcp { .. })))
                {
                    format!("CPU 0's per-CPU list of zone {zone}")
                } else {
                    format!("zone {zone}")
                };
                let summary = event_text(format_args!(
                    "order-{order} block at pfn {pfn:#x} ({} KiB) from {source}",
                    (PAGE_SIZE << order) / 1024
                ));
                ev.finish(self, value, Outcome::Ok, summary)
            }
            Err(outcome) => {
                let summary = match outcome {
                    Outcome::Hang => "never returns: __GFP_NOFAIL keeps retrying".to_string(),
                    _ if order > Order::MAX.as_u8() as u32 => {
                        format!("order {order} is above the largest order (10): NULL")
                    }
                    _ => format!("no order-{order} block could be found: NULL"),
                };
                ev.finish(
                    self,
                    if want_address {
                        CallValue::Address(VirtAddr::NULL)
                    } else {
                        CallValue::Null
                    },
                    outcome,
                    summary,
                )
            }
        }
    }

    /// `__free_pages(page, order)`.
    pub fn free_pages_page(&mut self, page: VirtAddr, order: u32) -> Event {
        let call = event_text(format_args!("__free_pages({page:#x}, {order})"));
        let pfn = self.translator().page_to_pfn_value(page);
        let misaligned = page
            .as_u64()
            .wrapping_sub(crate::layout::VMEMMAP_START.as_u64())
            % STRUCT_PAGE_SIZE
            != 0;
        self.free_entry(call, pfn, order, misaligned)
    }

    /// `free_pages(addr, order)`: frees by direct-map address (0 is ignored).
    pub fn free_pages(&mut self, addr: VirtAddr, order: u32) -> Event {
        let call = event_text(format_args!("free_pages({addr:#x}, {order})"));
        if addr == VirtAddr::NULL {
            let ev = match self.begin(call) {
                Ok(ev) => ev,
                Err(refused) => return *refused,
            };
            return ev.finish(
                self,
                CallValue::Void,
                Outcome::Ok,
                Text::from("free_pages(0) does nothing"),
            );
        }
        let Walk { value: phys, steps } = self.translator().pa(addr);
        let mut ev = self.free_entry(call, phys.pfn(), order, false);
        ev.walk = steps;
        ev
    }

    fn free_entry(&mut self, call: String, pfn: Pfn, order: u32, misaligned: bool) -> Event {
        let mut ev = match self.begin(call) {
            Ok(ev) => ev,
            Err(refused) => return *refused,
        };
        let meta = self.mem.page(pfn).copied();
        let Some(meta) = meta.filter(|_| !misaligned) else {
            // Not a struct page of this machine: dereferencing it faults.
            let page = self.translator().pfn_to_page_value(pfn);
            let regs = report::Regs {
                trap: report::Trap::PageFault {
                    addr: page,
                    access: report::Instruction::Load { bytes: 8 },
                },
                function: "__free_pages",
                args: [page.as_u64(), 0],
            };
            let lines = report::page_fault_oops(self, &regs, &[]);
            self.stop_with_oops(
                lines,
                "__free_pages() on a pointer that is not a struct page",
            );
            return ev.finish(
                self,
                CallValue::Void,
                Outcome::Oops,
                format!("pfn {pfn:#x} has no struct page: oops"),
            );
        };
        let leaked = meta.flags & PageMeta::LEAKED != 0;
        match meta.used_as {
            FrameUse::Allocated if leaked => {
                let summary = event_text(format_args!(
                    "pfn {pfn:#x} is a leaked page of a partly freed block: its reference count is 0, drops below zero and nothing is freed (the kernel only notices with CONFIG_DEBUG_VM)"
                ));
                ev.finish(self, CallValue::Void, Outcome::Ok, summary)
            }
            FrameUse::Allocated if order == meta.order as u32 => {
                let mut effects = Vec::new();
                self.buddy
                    .free_pages(&mut self.mem, pfn, meta.order, &mut effects);
                ev.effects.extend(effects.into_iter().map(Effect::Buddy));
                let summary = event_text(format_args!(
                    "order-{order} block at pfn {pfn:#x} back to the free lists"
                ));
                ev.finish(self, CallValue::Void, Outcome::Ok, summary)
            }
            FrameUse::Allocated if order < meta.order as u32 => {
                // The kernel frees what it is told: the first 2^order pages
                // go back, the rest of the block is leaked.
                let freed = order as u8;
                let mut effects = Vec::new();
                self.buddy
                    .free_pages(&mut self.mem, pfn, freed, &mut effects);
                ev.effects.extend(effects.into_iter().map(Effect::Buddy));
                let leaked = (1u64 << meta.order) - (1u64 << freed);
                let mut cursor = pfn.as_u64() + (1 << freed);
                let end = pfn.as_u64() + (1 << meta.order);
                while cursor < end {
                    let o = (cursor.trailing_zeros() as u8).min(meta.order);
                    if let Some(p) = self.mem.page_mut(Pfn::new(cursor)) {
                        p.used_as = FrameUse::Allocated;
                        p.order = o;
                        p.owner = 0;
                        p.flags |= PageMeta::LEAKED;
                    }
                    cursor += 1 << o;
                }
                let summary = event_text(format_args!(
                    "freed order {order} of an order-{} block: {leaked} pages leaked",
                    meta.order
                ));
                ev.finish(self, CallValue::Void, Outcome::Ok, summary)
            }
            FrameUse::Allocated => {
                self.state = KernelState::Stopped(format!("__free_pages() with order {order} of an order-{} block corrupts the free lists", meta.order));
                ev.finish(self, CallValue::Void, Outcome::Refused("freeing more pages than were allocated puts other memory on the free lists; the real kernel does not check and corrupts itself, so the simulation stops here".into()), String::new())
            }
            FrameUse::Free | FrameUse::PerCpu | FrameUse::Tail => {
                let summary = event_text(format_args!(
                    "pfn {pfn:#x} is not an allocated block: its reference count drops below zero and nothing is freed (the kernel only notices with CONFIG_DEBUG_VM)"
                ));
                ev.finish(self, CallValue::Void, Outcome::Ok, summary)
            }
            other => {
                let lines = report::bad_page_state(self, pfn, other);
                for line in lines {
                    self.log.push(Level::Alert, line);
                }
                self.taint.add(Taint::BadPage);
                ev.finish(
                    self,
                    CallValue::Void,
                    Outcome::Bug,
                    format!("pfn {pfn:#x} is {other:?}: Bad page state, not freed"),
                )
            }
        }
    }

    /// Gives a block of the kernel's own (a slab, a vmalloc page, a page
    /// table) back to the page allocator.
    fn free_block(&mut self, ev: &mut EventBuilder, pfn: Pfn, order: u8) {
        if let Some(p) = self.mem.page_mut(pfn) {
            p.used_as = FrameUse::Allocated;
            p.order = order;
        }
        let mut effects = Vec::new();
        self.buddy
            .free_pages(&mut self.mem, pfn, order, &mut effects);
        ev.effects.extend(effects.into_iter().map(Effect::Buddy));
    }

    fn stop_with_oops(&mut self, lines: Vec<String>, why: &str) {
        for line in lines {
            self.log.push(Level::Alert, line);
        }
        self.taint.add(Taint::Die);
        self.state = KernelState::Stopped(why.to_string());
    }

    /// `page_address(page)`.
    pub fn page_address(&mut self, page: VirtAddr) -> Event {
        let call = event_text(format_args!("page_address({page:#x})"));
        let mut ev = match self.begin(call) {
            Ok(ev) => ev,
            Err(refused) => return *refused,
        };
        let Walk { value, steps } = self.translator().page_address(page);
        ev.walk = steps;
        ev.finish(self, CallValue::Address(value), Outcome::Ok, String::new())
    }

    /// The vmalloc-aware translation of `addr` (`kvm_kaddr_to_phys`), with
    /// its walk.
    pub fn kaddr_to_phys(&mut self, addr: VirtAddr) -> Event {
        let call = event_text(format_args!("kvm_kaddr_to_phys({addr:#x})"));
        let mut ev = match self.begin(call) {
            Ok(ev) => ev,
            Err(refused) => return *refused,
        };
        let Walk { value, steps } = self.translator().kaddr_to_phys(addr, &self.pgtables);
        ev.walk = steps;
        match value {
            Ok(phys) => ev.finish(self, CallValue::Phys(phys), Outcome::Ok, String::new()),
            Err(TranslateFault::NotMapped(garbage)) => ev.finish(
                self,
                CallValue::Phys(garbage),
                Outcome::Ok,
                Text::from("vmalloc_to_page() returned NULL: the result is meaningless"),
            ),
        }
    }

    // ---- memory pressure helpers --------------------------------------

    /// Reads `pages` pages of files into the page cache (reclaimable,
    /// movable), as a workload that fills memory with cache would.
    pub fn fill_page_cache(&mut self, pages: u64) -> Event {
        let call = event_text(format_args!("fill_page_cache({pages})"));
        let mut ev = match self.begin(call) {
            Ok(ev) => ev,
            Err(refused) => return *refused,
        };
        let added = self.cache.fill(&mut self.mem, &mut self.buddy, pages);
        ev.effects.push(Effect::PageCacheFilled(added));
        let summary = event_text(format_args!(
            "{added} pages of page cache ({} MiB)",
            (added * PAGE_SIZE) >> 20
        ));
        ev.finish(self, CallValue::Count(added), Outcome::Ok, summary)
    }

    /// `echo 1 > /proc/sys/vm/drop_caches`: frees all page cache.
    pub fn drop_caches(&mut self) -> Event {
        let mut ev = match self.begin("drop_caches()") {
            Ok(ev) => ev,
            Err(refused) => return *refused,
        };
        let freed = self
            .cache
            .reclaim(&mut self.mem, &mut self.buddy, ZoneType::Movable, u64::MAX);
        ev.effects.push(Effect::DirectReclaim(freed));
        ev.finish(
            self,
            CallValue::Count(freed),
            Outcome::Ok,
            format!("{freed} page-cache pages freed"),
        )
    }

    /// Fragments free memory: takes every free page, then gives back all
    /// but the first page of each aligned group of `1 << order` pages, so
    /// that no free block of `order` or more remains (unmovable pins, as
    /// long-lived kernel allocations scattered through memory make).
    pub fn fragment(&mut self, order: u32) -> Event {
        let call = event_text(format_args!("fragment({order})"));
        let mut ev = match self.begin(call) {
            Ok(ev) => ev,
            Err(refused) => return *refused,
        };
        let order = order.clamp(1, Order::MAX.as_u8() as u32 + 1) as u8;
        let request = PageRequest {
            order: Order::ZERO,
            highest_zone: ZoneType::Normal,
            migratetype: crate::zone::MigrateType::Unmovable,
            wakes_kswapd: false,
        };
        let no_limits = crate::buddy::ReserveAccess {
            no_watermarks: true,
            ..Default::default()
        };
        let mut taken = Vec::new();
        let mut sink = Vec::new();
        // Every free page: those on the per-CPU lists too (a running
        // machine's last frees wait there).
        self.buddy.drain_pages(&mut self.mem, &mut sink);
        sink.clear();
        while let Some((pfn, _)) = self.buddy.get_page_from_freelist(
            &mut self.mem,
            &request,
            crate::buddy::WatermarkLevel::Min,
            Some(no_limits),
            &mut sink,
        ) {
            sink.clear();
            taken.push(pfn);
        }
        taken.sort();
        let mut pinned = 0;
        for pfn in taken {
            if pfn.as_u64() % (1 << order) == 0 {
                if let Some(p) = self.mem.page_mut(pfn) {
                    p.owner = ev.seq;
                }
                pinned += 1;
            } else {
                self.buddy.free_pages(&mut self.mem, pfn, 0, &mut sink);
                sink.clear();
            }
        }
        ev.effects.clear();
        let summary =
            format!("{pinned} pages pinned; no free block of order {order} or more remains");
        ev.finish(self, CallValue::Count(pinned), Outcome::Ok, summary)
    }
}

/// Collects an event while a call runs.
struct EventBuilder {
    seq: u32,
    call: Text,
    log_mark: usize,
    effects: Vec<Effect>,
    walk: Vec<Step>,
}

impl EventBuilder {
    /// An event of call `seq` whose log starts at line `log_mark`.
    fn new(seq: u32, call: Text, log_mark: usize) -> Self {
        EventBuilder {
            seq,
            call,
            log_mark,
            effects: Vec::new(),
            walk: Vec::new(),
        }
    }

    /// Finishes an event whose call returns an address: the address, or
    /// NULL with the outcome.
    fn finish_address(self, kernel: &Kernel, result: AddressResult) -> Event {
        match result {
            Ok((addr, summary)) => {
                self.finish(kernel, CallValue::Address(addr), Outcome::Ok, summary)
            }
            Err((outcome, summary)) => {
                self.finish(kernel, CallValue::Address(VirtAddr::NULL), outcome, summary)
            }
        }
    }

    fn finish(
        self,
        kernel: &Kernel,
        value: CallValue,
        outcome: Outcome,
        summary: impl Into<Text>,
    ) -> Event {
        Event {
            seq: self.seq,
            call: self.call,
            value,
            outcome,
            summary: summary.into(),
            effects: self.effects,
            log: kernel.log.lines()[self.log_mark..].to_vec(),
            walk: self.walk,
        }
    }
}

/// The kernel-function name of a context change.
pub fn context_op_name(op: ContextOp) -> &'static str {
    match op {
        ContextOp::SpinLock => "spin_lock",
        ContextOp::SpinUnlock => "spin_unlock",
        ContextOp::SpinLockIrqsave => "spin_lock_irqsave",
        ContextOp::SpinUnlockIrqrestore => "spin_unlock_irqrestore",
        ContextOp::IrqDisable => "local_irq_disable",
        ContextOp::IrqEnable => "local_irq_enable",
        ContextOp::BhDisable => "local_bh_disable",
        ContextOp::BhEnable => "local_bh_enable",
        ContextOp::EnterSoftirq => "softirq_enter",
        ContextOp::ExitSoftirq => "softirq_exit",
        ContextOp::EnterHardirq => "irq_enter",
        ContextOp::ExitHardirq => "irq_exit",
        ContextOp::EnterNmi => "nmi_enter",
        ContextOp::ExitNmi => "nmi_exit",
    }
}

/// The kernel page tables at boot. The PGD (`init_top_pgt`) is part of the
/// kernel image's data; the simulation puts it in the image's last frame
/// (its offset is build-specific). 6.x's `preallocate_vmalloc_pages()`
/// (arch/x86/mm/init_64.c, called from `mem_init()` once the buddy
/// allocator runs) gives every PGD entry of the vmalloc range its PUD table
/// at boot, so that PGD entries never change later; 4.19 allocates them on
/// first use.
fn boot_page_tables(mem: &mut MemMap, buddy: &mut Buddy, config: &KernelConfig) -> PageTables {
    let image_end = KERNEL_LOAD_ADDR.as_u64() + config.machine.kernel_image_bytes;
    let pgd = PhysAddr::new(image_end - PAGE_SIZE).pfn();
    let mut tables = PageTables::new(pgd);
    if !config.profile.has(Change::PreallocatesVmallocPud) {
        return tables;
    }
    let request = PageRequest {
        order: Order::ZERO,
        highest_zone: ZoneType::Normal,
        migratetype: crate::zone::MigrateType::Unmovable,
        wakes_kswapd: false,
    };
    let mut sink = Vec::new();
    let mut alloc = || {
        let (pfn, _) = buddy.get_page_from_freelist(
            mem,
            &request,
            crate::buddy::WatermarkLevel::Min,
            None,
            &mut sink,
        )?;
        if let Some(p) = mem.page_mut(pfn) {
            p.used_as = FrameUse::PageTable;
        }
        mem.clear(pfn);
        Some(pfn)
    };
    let mut addr = crate::layout::VMALLOC_START.as_u64();
    while addr <= crate::layout::VMALLOC_END.as_u64() {
        if tables.ensure_pud(VirtAddr::new(addr), &mut alloc).is_err() {
            break;
        }
        addr += 1 << 39;
    }
    // Boot ends with empty per-CPU lists, as the rest of the model assumes.
    buddy.drain_pages(mem, &mut Vec::new());
    tables
}

/// Memory that never reaches the buddy allocator: the low reserve, the
/// kernel image at 16 MiB, and the `struct page` array (64 bytes a frame,
/// allocated in 2 MiB pieces per 128 MiB section, top-down).
fn reserve_boot_memory(mem: &mut MemMap, config: &KernelConfig) {
    let low_reserve = if config.profile.has(Change::ReserveFirstMegabyte) {
        1 << 20
    } else {
        // CONFIG_X86_RESERVE_LOW = 64 KiB.
        64 << 10
    };
    let frames = |start: u64, bytes: u64| FrameRange {
        start: Pfn::new(start >> 12),
        end: Pfn::new((start + bytes).div_ceil(PAGE_SIZE)),
    };
    mem.mark_range(frames(0, low_reserve), FrameUse::Reserved);
    mem.mark_range(
        frames(KERNEL_LOAD_ADDR.as_u64(), config.machine.kernel_image_bytes),
        FrameUse::KernelImage,
    );
    let section_frames = (128u64 << 20) / PAGE_SIZE;
    let ranges = mem.ram_ranges();
    let mut sections: Vec<u64> = ranges
        .iter()
        .flat_map(|r| (r.start.as_u64() / section_frames)..r.end.as_u64().div_ceil(section_frames))
        .collect();
    sections.dedup();
    let mut memmap_frames = sections.len() as u64 * section_frames * STRUCT_PAGE_SIZE / PAGE_SIZE;
    // Top-down from the end of RAM.
    for r in ranges.iter().rev() {
        if memmap_frames == 0 {
            break;
        }
        let take = memmap_frames.min(r.len());
        mem.mark_range(
            FrameRange {
                start: Pfn::new(r.end.as_u64() - take),
                end: r.end,
            },
            FrameUse::MemMap,
        );
        memmap_frames -= take;
    }
}
