//! What the fuzz targets share: the choice of the simulated release, so
//! that every profile the simulator knows is exercised, the choice being
//! part of the fuzz input.

use kmem::kernel::{Kernel, KernelConfig};
use kmem::profile::{Profile, Release, Series};

/// Every profile the simulator knows: each series of [`Series::ALL`] as
/// users name it (`6.6`) and as its `.0` release, which for 4.19 is the
/// older direct-map base. Equal profiles are listed once.
pub fn profiles() -> Vec<Profile> {
    let mut all: Vec<Profile> = Vec::new();
    for series in Series::ALL {
        let named = Profile::parse(series.name()).expect("a series names a profile");
        let first = Profile::for_release(Release {
            patch: Some(0),
            ..named.release()
        })
        .expect("a series' first release is simulated");
        for profile in [named, first] {
            if !all.contains(&profile) {
                all.push(profile);
            }
        }
    }
    all
}

/// The profile `selector` picks among [`profiles`], or `None` (one value in
/// `profiles().len() + 1`) to leave the release to the input itself: a
/// log's `CPU:` line, a quiz's `kernel:` field.
pub fn chosen(selector: u8) -> Option<Profile> {
    let all = profiles();
    let pick = usize::from(selector) % (all.len() + 1);
    all.into_iter().nth(pick)
}

/// `config` booted on every profile, in the order of [`profiles`]; a
/// target picks one with [`booted`].
pub fn boot_each(config: KernelConfig) -> Vec<Kernel> {
    profiles()
        .into_iter()
        .map(|profile| {
            Kernel::boot(KernelConfig {
                profile,
                ..config.clone()
            })
            .expect("the machine boots")
        })
        .collect()
}

/// A copy of the kernel of [`boot_each`] that `selector` picks.
pub fn booted(kernels: &[Kernel], selector: u8) -> Kernel {
    kernels[usize::from(selector) % kernels.len()].clone()
}
