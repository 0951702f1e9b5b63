//! How the `kvmalloc` family decides between kmalloc and vmalloc, per
//! release (mm/util.c `kvmalloc_node()` of 4.19 and 6.6,
//! `__kvmalloc_node_noprof()` and `kmalloc_gfp_adjust()` of 6.12;
//! kernel-facts §3):
//!
//! - 4.19: flags that are not a superset of GFP_KERNEL get kmalloc only
//!   (vmalloc allocates page tables with GFP_KERNEL whatever the caller
//!   asked); above PAGE_SIZE the kmalloc attempt adds `__GFP_NOWARN` and,
//!   unless `__GFP_RETRY_MAYFAIL`, `__GFP_NORETRY`; sub-page sizes never
//!   fall back; the fallback is vmalloc with the caller's flags.
//! - 6.6 and 6.12: no GFP_KERNEL rule; above PAGE_SIZE the kmalloc attempt
//!   also drops `__GFP_NOFAIL` (the fallback implements it); a caller that
//!   may not block gets NULL instead of the fallback; sizes above INT_MAX
//!   WARN (unless `__GFP_NOWARN`) and get NULL; the fallback is vmalloc
//!   with `VM_ALLOW_HUGE_VMAP`.

use crate::addr::PAGE_SIZE;
use crate::gfp::{Gfp, GfpFlag, GfpTable};
use crate::profile::{Change, Profile};

/// `INT_MAX`.
pub const INT_MAX: u64 = i32::MAX as u64;

/// What happens when the kmalloc attempt fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fallback {
    /// vmalloc with these flags (`huge`: with `VM_ALLOW_HUGE_VMAP`).
    Vmalloc {
        /// The flags vmalloc gets.
        gfp: Gfp,
        /// Whether PMD mappings are allowed.
        huge: bool,
    },
    /// No fallback: the kmalloc result is final.
    None(NoFallback),
    /// NULL with `WARN_ON_ONCE` unless `__GFP_NOWARN` (6.x, size above
    /// INT_MAX).
    TooLarge {
        /// Whether the WARN fires.
        warn: bool,
    },
}

/// Why there is no vmalloc fallback.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum NoFallback {
    /// 4.19: the flags are not GFP_KERNEL-compatible.
    NotGfpKernel,
    /// The size fits in a page: kmalloc is the only way.
    SubPage,
    /// 6.x: the caller may not block, and vmalloc may.
    NonBlocking,
}

impl NoFallback {
    /// The reason in words, for the timeline.
    pub fn explain(self) -> &'static str {
        match self {
            NoFallback::NotGfpKernel => {
                "the flags are not GFP_KERNEL-compatible, so 4.19's kvmalloc only tries kmalloc (vmalloc allocates page tables with GFP_KERNEL)"
            }
            NoFallback::SubPage => "the size fits in a page, so there is no vmalloc fallback",
            NoFallback::NonBlocking => {
                "the flags do not allow blocking, and vmalloc may sleep, so kvmalloc returns NULL instead of falling back"
            }
        }
    }
}

/// Which way a `kvmalloc` call went, for the timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum KvmallocPath {
    /// The kmalloc attempt succeeded.
    Kmalloc,
    /// kmalloc failed and there was no fallback.
    NoFallback(NoFallback),
    /// kmalloc failed; vmalloc was tried (`succeeded` says how it went).
    Vmalloc {
        /// Whether vmalloc returned memory.
        succeeded: bool,
    },
    /// kmalloc failed and the size is above INT_MAX (6.x).
    TooLarge,
}

/// The decision for one `kvmalloc(size, flags)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KvmallocPlan {
    /// The flags of the kmalloc attempt.
    pub kmalloc_gfp: Gfp,
    /// What happens when the kmalloc attempt fails.
    pub fallback: Fallback,
}

/// Decides `kvmalloc_node(size, flags)` for a release.
pub fn plan(profile: &Profile, t: &GfpTable, size: u64, flags: Gfp) -> KvmallocPlan {
    let gfp_kernel = t.composite("GFP_KERNEL").unwrap_or_default();
    let mut kmalloc_gfp = flags;
    let modern = profile.has(Change::KvmallocModern);
    if !profile.has(Change::KvmallocAnyGfp) && flags & gfp_kernel != gfp_kernel {
        return KvmallocPlan {
            kmalloc_gfp,
            fallback: Fallback::None(NoFallback::NotGfpKernel),
        };
    }
    if size > PAGE_SIZE {
        kmalloc_gfp |= t.bit(GfpFlag::NoWarn);
        if !t.has(flags, GfpFlag::RetryMayfail) {
            kmalloc_gfp |= t.bit(GfpFlag::NoRetry);
        }
        if modern {
            kmalloc_gfp = kmalloc_gfp.without(t.bit(GfpFlag::NoFail));
        }
    } else {
        return KvmallocPlan {
            kmalloc_gfp,
            fallback: Fallback::None(NoFallback::SubPage),
        };
    }
    let fallback = if !modern {
        Fallback::Vmalloc {
            gfp: flags,
            huge: false,
        }
    } else if !t.allows_blocking(flags) {
        Fallback::None(NoFallback::NonBlocking)
    } else if size > INT_MAX {
        Fallback::TooLarge {
            warn: !t.has(flags, GfpFlag::NoWarn),
        }
    } else {
        Fallback::Vmalloc {
            gfp: flags,
            huge: true,
        }
    };
    KvmallocPlan {
        kmalloc_gfp,
        fallback,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Series;

    fn table(series: Series) -> &'static GfpTable {
        GfpTable::for_release(Profile::of_series(series).release()).unwrap()
    }

    #[test]
    fn branches_per_release() {
        for series in [Series::V4_19, Series::V6_6, Series::V6_12] {
            let t = table(series);
            let profile = &Profile::of_series(series);
            let kernel = t.parse("GFP_KERNEL").unwrap();
            let atomic = t.parse("GFP_ATOMIC").unwrap();
            let nofs = t.parse("GFP_NOFS").unwrap();
            // Sub-page: kmalloc only, flags untouched.
            let p = plan(profile, t, 4096, kernel);
            assert_eq!(p.kmalloc_gfp, kernel);
            assert_eq!(p.fallback, Fallback::None(NoFallback::SubPage));
            // Above a page: NOWARN | NORETRY for the attempt.
            let p = plan(profile, t, 4097, kernel);
            assert_eq!(
                p.kmalloc_gfp,
                t.parse("GFP_KERNEL|__GFP_NOWARN|__GFP_NORETRY").unwrap()
            );
            let huge = series != Series::V4_19;
            assert_eq!(p.fallback, Fallback::Vmalloc { gfp: kernel, huge });
            // RETRY_MAYFAIL keeps retrying kmalloc.
            let mayfail = t.parse("GFP_KERNEL|__GFP_RETRY_MAYFAIL").unwrap();
            assert!(!t.has(
                plan(profile, t, 1 << 20, mayfail).kmalloc_gfp,
                GfpFlag::NoRetry
            ));
            let p_atomic = plan(profile, t, 1 << 20, atomic);
            let p_nofs = plan(profile, t, 1 << 20, nofs);
            if series == Series::V4_19 {
                assert_eq!(p_atomic.fallback, Fallback::None(NoFallback::NotGfpKernel));
                assert_eq!(p_atomic.kmalloc_gfp, atomic, "no adjustment either");
                assert_eq!(p_nofs.fallback, Fallback::None(NoFallback::NotGfpKernel));
            } else {
                assert_eq!(p_atomic.fallback, Fallback::None(NoFallback::NonBlocking));
                assert_eq!(
                    p_nofs.fallback,
                    Fallback::Vmalloc {
                        gfp: nofs,
                        huge: true
                    }
                );
                assert_eq!(
                    plan(profile, t, INT_MAX + 1, kernel).fallback,
                    Fallback::TooLarge { warn: true }
                );
            }
            // NOFAIL: 6.x drops it from the kmalloc attempt only.
            let nofail = t.parse("GFP_KERNEL|__GFP_NOFAIL").unwrap();
            let p = plan(profile, t, 1 << 20, nofail);
            assert_eq!(
                t.has(p.kmalloc_gfp, GfpFlag::NoFail),
                series == Series::V4_19
            );
        }
    }
}
