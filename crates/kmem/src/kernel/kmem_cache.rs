//! Named slab caches on the simulated kernel: `kmem_cache_create`,
//! `kmem_cache_alloc`, `kmem_cache_zalloc`, `kmem_cache_free` and
//! `kmem_cache_destroy` (mm/slab_common.c, mm/slub.c).

use super::event_text;
use super::slub_debug::CacheCheck;
use super::{CallValue, Kernel, KernelState, Outcome};
use crate::addr::{VirtAddr, PAGE_SIZE};
use crate::dmesg::Level;
use crate::gfp::{Gfp, GfpFlag};
use crate::kernel::Event;
use crate::profile::{Change, Name, Site};
use crate::report;
use crate::slab::SlabFlags;

impl Kernel {
    /// `kmem_cache_create(name, size, align, flags, NULL)`: a cache handle,
    /// an existing cache when SLUB merges the request into it, or NULL with
    /// the release's "failed with error" warning.
    pub fn kmem_cache_create(
        &mut self,
        name: &str,
        size: u32,
        align: u32,
        flags: SlabFlags,
    ) -> Event {
        let call = format!(
            "kmem_cache_create(\"{name}\", {size}, {align}, {}, NULL)",
            describe_flags(flags)
        );
        let mut ev = match self.begin(call) {
            Ok(ev) => ev,
            Err(refused) => return *refused,
        };
        if size == 0 || (align != 0 && !align.is_power_of_two()) || u64::from(align) > PAGE_SIZE {
            let why = "a zero size, or an alignment that is not a power of two or is above PAGE_SIZE, is outside what the simulation models (the kernel only checks them with CONFIG_DEBUG_VM)";
            return ev.finish(
                self,
                CallValue::Null,
                Outcome::Refused(why.into()),
                String::new(),
            );
        }
        match self.slab.kmem_cache_create(name, size, align, flags) {
            Ok((id, merged)) => {
                if !merged {
                    // create_cache(): kmem_cache_zalloc(kmem_cache, GFP_KERNEL)
                    // and the node structure.
                    let gfp = self.gfp_kernel();
                    self.allocate_cache_objects(&mut ev, id, gfp);
                }
                let cache = &self.slab.caches[id];
                let summary = if merged {
                    format!(
                        "merged into {} (object size {}, refcount {}): an alias with no /proc/slabinfo line of its own",
                        cache.name, cache.size, cache.refcount
                    )
                } else {
                    format!(
                        "new cache {}: {}-byte objects, {} per order-{} slab",
                        cache.name, cache.size, cache.objects, cache.order
                    )
                };
                ev.finish(self, CallValue::Cache(id as u32), Outcome::Ok, summary)
            }
            Err(error) => {
                let function = self.profile().name(Name::KmemCacheCreate);
                self.log.push(
                    Level::Warning,
                    format!("{function}({name}) failed with error {}", error.errno()),
                );
                for line in report::dump_stack(self, &[function]) {
                    self.log.push(Level::Warning, line);
                }
                let why = match error {
                    crate::slab::CreateError::TooLarge => "no slab order holds an object that large",
                    crate::slab::CreateError::NameExists => "an unmergeable cache of that name exists, and its sysfs directory cannot be created twice",
                };
                ev.finish(
                    self,
                    CallValue::Null,
                    Outcome::Failed,
                    format!("{why}: NULL"),
                )
            }
        }
    }

    /// The live cache behind a handle.
    fn cache_handle(&self, cache: u32) -> Option<usize> {
        let id = cache as usize;
        self.slab
            .caches
            .get(id)
            .filter(|c| c.refcount > 0)
            .map(|_| id)
    }

    /// `kmem_cache_alloc(cache, flags)`.
    pub fn kmem_cache_alloc(&mut self, cache: u32, gfp: Gfp) -> Event {
        let call = format!(
            "kmem_cache_alloc({}, {})",
            self.cache_label(cache),
            self.mode(gfp)
        );
        self.kmem_cache_alloc_entry(call, cache, gfp)
    }

    /// `kmem_cache_zalloc(cache, flags)`: with `__GFP_ZERO`.
    pub fn kmem_cache_zalloc(&mut self, cache: u32, gfp: Gfp) -> Event {
        let call = format!(
            "kmem_cache_zalloc({}, {})",
            self.cache_label(cache),
            self.mode(gfp)
        );
        let zeroed = gfp | self.gfp.bit(GfpFlag::Zero);
        self.kmem_cache_alloc_entry(call, cache, zeroed)
    }

    fn cache_label(&self, cache: u32) -> String {
        match self.slab.caches.get(cache as usize) {
            Some(c) => c.name.to_string(),
            None => format!("cache#{cache}"),
        }
    }

    fn kmem_cache_alloc_entry(&mut self, call: String, cache: u32, gfp: Gfp) -> Event {
        let mut ev = match self.begin(call) {
            Ok(ev) => ev,
            Err(refused) => return *refused,
        };
        let Some(id) = self.cache_handle(cache) else {
            return ev.finish(
                self,
                CallValue::Address(VirtAddr::NULL),
                not_live(),
                String::new(),
            );
        };
        let function = self.profile().name(Name::KmemCacheAlloc);
        if self.gfp.allows_blocking(gfp) {
            self.might_sleep(Site::SlabMightSleep, &[function]);
        }
        let requested = u64::from(self.slab.caches[id].object_size);
        match self.slab_alloc_object(&mut ev, id, gfp, requested, function) {
            Ok((addr, summary)) => ev.finish(self, CallValue::Address(addr), Outcome::Ok, summary),
            Err((outcome, summary)) => {
                ev.finish(self, CallValue::Address(VirtAddr::NULL), outcome, summary)
            }
        }
    }

    /// `kmem_cache_free(cache, obj)`: frees like `kfree`, after
    /// `cache_from_obj()`'s check that the object belongs to `cache`.
    pub fn kmem_cache_free(&mut self, cache: u32, addr: VirtAddr) -> Event {
        let call = event_text(format_args!(
            "kmem_cache_free({}, {addr:#x})",
            self.cache_label(cache)
        ));
        let mut ev = match self.begin(call) {
            Ok(ev) => ev,
            Err(refused) => return *refused,
        };
        let Some(id) = self.cache_handle(cache) else {
            return ev.finish(self, CallValue::Void, not_live(), String::new());
        };
        let phys = self.translator().pa_value(addr);
        let object_cache = self
            .mem
            .block_of(phys.pfn())
            .and_then(|(head, _)| self.slab.cache_of(head));
        let check = match object_cache {
            Some(object_cache) => self.cache_from_obj(id, object_cache, addr.as_u64()),
            None => CacheCheck::Same,
        };
        if check == CacheCheck::Corrupting {
            let object_cache = object_cache.unwrap_or(id);
            self.state = KernelState::Stopped("kmem_cache_free() into the wrong cache".into());
            let summary = event_text(format_args!(
                "the object belongs to {}: 4.19 frees it into {} anyway, corrupting that cache, so the simulation stops here",
                self.slab.caches[object_cache].name, self.slab.caches[id].name
            ));
            return ev.finish(self, CallValue::Void, Outcome::Warn, summary);
        }
        let warned = check == CacheCheck::Warned;
        match self.kfree_memory(&mut ev, addr) {
            Ok(summary) if warned => ev.finish(
                self,
                CallValue::Void,
                Outcome::Warn,
                format!("the object belongs to another cache, where it is freed: {summary}"),
            ),
            Ok(summary) => ev.finish(self, CallValue::Void, Outcome::Ok, summary),
            Err((outcome, summary)) => ev.finish(self, CallValue::Void, outcome, summary),
        }
    }

    /// `kmem_cache_destroy(cache)`: drops a reference; the last one frees
    /// the cache's empty slabs and, if objects remain, lists them
    /// (`list_slab_objects()`) and reports the leaked cache (4.19 `pr_err`
    /// + stack, 6.x a WARN).
    pub fn kmem_cache_destroy(&mut self, cache: u32) -> Event {
        let call = event_text(format_args!(
            "kmem_cache_destroy({})",
            self.cache_label(cache)
        ));
        let mut ev = match self.begin(call) {
            Ok(ev) => ev,
            Err(refused) => return *refused,
        };
        let Some(id) = self.cache_handle(cache) else {
            return ev.finish(self, CallValue::Void, not_live(), String::new());
        };
        let name = self.slab.caches[id].name.clone();
        let Some(busy) = self.slab.kmem_cache_destroy(id) else {
            return ev.finish(self, CallValue::Void, Outcome::Ok, String::new());
        };
        if self.slab.caches[id].refcount > 0 {
            let summary = event_text(format_args!(
                "{name} still has other users: only its refcount drops"
            ));
            return ev.finish(self, CallValue::Void, Outcome::Ok, summary);
        }
        for (pfn, order) in self.slab.shrink(id) {
            self.discard_slab(&mut ev, name.to_string(), pfn, order);
        }
        if busy {
            for pfn in self.slab.partial_slabs(id) {
                self.list_slab_objects(id, pfn);
            }
        }
        if !busy {
            self.free_cache_objects(&mut ev, id);
            return ev.finish(
                self,
                CallValue::Void,
                Outcome::Ok,
                format!("{name} destroyed; its empty slabs went back to the page allocator"),
            );
        }
        let outcome = match self.profile().has(Change::KmemCacheDestroyWarns) {
            false => {
                self.log.push(
                    Level::Err,
                    format!("kmem_cache_destroy {name}: Slab cache still has objects"),
                );
                for line in report::dump_stack(self, &["kmem_cache_destroy"]) {
                    self.log.push(Level::Err, line);
                }
                Outcome::Ok
            }
            true => {
                let caller = report::caller_symbol(ev.seq);
                let message = format!("kmem_cache_destroy {name}: Slab cache still has objects when called from {caller}");
                self.warn_message(
                    Site::KmemCacheDestroy,
                    Some(&message),
                    &["kmem_cache_destroy"],
                );
                Outcome::Warn
            }
        };
        ev.finish(
            self,
            CallValue::Void,
            outcome,
            format!("{name} still has objects: the cache is leaked"),
        )
    }
}

impl Kernel {
    /// `kmem_cache_shrink(cache)` (what `echo 1 >
    /// /sys/kernel/slab/<cache>/shrink` does): empty slabs go back to the
    /// page allocator.
    pub fn kmem_cache_shrink(&mut self, cache: u32) -> Event {
        let call = event_text(format_args!(
            "kmem_cache_shrink({})",
            self.cache_label(cache)
        ));
        let mut ev = match self.begin(call) {
            Ok(ev) => ev,
            Err(refused) => return *refused,
        };
        let Some(id) = self.cache_handle(cache) else {
            return ev.finish(self, CallValue::Void, not_live(), String::new());
        };
        let name = self.slab.caches[id].name.clone();
        let freed = self.slab.shrink(id);
        let count = freed.len() as u64;
        for (pfn, order) in freed {
            self.discard_slab(&mut ev, name.to_string(), pfn, order);
        }
        let summary = event_text(format_args!(
            "{count} empty slabs of {name} went back to the page allocator"
        ));
        ev.finish(self, CallValue::Count(count), Outcome::Ok, summary)
    }
}

/// Why a cache handle is refused.
fn not_live() -> Outcome {
    Outcome::Refused(
        "not a live cache: kmem_cache_create() did not return it, or it was destroyed".into(),
    )
}

/// The flags as C would write them.
fn describe_flags(flags: SlabFlags) -> String {
    let names: Vec<&str> = [
        (flags.hwcache_align, "SLAB_HWCACHE_ALIGN"),
        (flags.account, "SLAB_ACCOUNT"),
        (flags.reclaim_account, "SLAB_RECLAIM_ACCOUNT"),
        (flags.cache_dma, "SLAB_CACHE_DMA"),
        (flags.typesafe_by_rcu, "SLAB_TYPESAFE_BY_RCU"),
    ]
    .iter()
    .filter(|(on, _)| *on)
    .map(|&(_, name)| name)
    .collect();
    if names.is_empty() {
        "0".into()
    } else {
        names.join(" | ")
    }
}
