//! Kernel releases: a release string as `uname -r` prints it, the profile of
//! every release series the playground simulates, and the three tables that
//! are the only places in the crate that know how releases differ:
//!
//! - [`changes`]: behaviour changes, each with the release it arrived in
//!   (and the stable point releases that backported it), asked as
//!   [`Profile::has`];
//! - [`sites`]: the file, line and function of every WARN, BUG and
//!   might_sleep the simulator prints, per pinned release, asked as
//!   [`Profile::site`];
//! - [`names`]: the function names each path shows in call traces, asked as
//!   [`Profile::name`].
//!
//! Each simulated series is pinned to one point release whose tree was read
//! ([`PINNED`]); its line numbers and names come from that tree. A release
//! string naming another point release of the series (`4.19.3`, `6.12.10`)
//! is simulated by the series' profile with the change table evaluated at
//! that point release, and printed as given.

pub mod boot_caches;
pub mod changes;
pub mod names;
pub mod sites;
pub mod symbols;

pub use changes::Change;
pub use names::Name;
pub use sites::{Site, SiteLine};

use crate::addr::VirtAddr;
use std::fmt;

/// A kernel release number: `major.minor.patch`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Release {
    /// Major version (4, 5, 6).
    pub major: u16,
    /// Minor version.
    pub minor: u16,
    /// Stable patch level; `None` when the point release is unknown: the
    /// user named only the series (`6.6`), or a distribution ABI name
    /// (`4.19.0-27-amd64`, `5.15.0-91-generic`) whose `.0` is not the
    /// point release the kernel was built from.
    pub patch: Option<u16>,
}

/// The longest release string the kernel keeps (`__NEW_UTS_LEN`).
pub const MAX_RELEASE_LEN: usize = 64;

impl Release {
    /// A release with a patch level.
    pub const fn new(major: u16, minor: u16, patch: u16) -> Self {
        Release {
            major,
            minor,
            patch: Some(patch),
        }
    }

    /// A series, such as `6.6`.
    pub const fn series(major: u16, minor: u16) -> Self {
        Release {
            major,
            minor,
            patch: None,
        }
    }

    /// The series of this release (`6.6.57` → `6.6`).
    pub const fn series_only(self) -> Release {
        Release::series(self.major, self.minor)
    }

    /// Parses a version the way users write one: a series (`6.6`, `v6.6`)
    /// or any `uname -r` release: `6.6.57`, `5.15.0-91-generic`,
    /// `6.3.0.net0`, `4.18.0-513.el8.x86_64`, `6.11.3-200.fc40.x86_64`.
    /// After `major.minor.patch` any LOCALVERSION may follow (printable, no
    /// spaces, 64 bytes in all). A patch level of 0 followed by `-` and a
    /// digit is a distribution ABI name: the point release is unknown;
    /// except `git describe`'s `-N-g<hash>`, which is the `.0` tag plus
    /// commits.
    pub fn parse(text: &str) -> Result<Release, VersionError> {
        let trimmed = text.trim();
        let malformed = || VersionError::Malformed(trimmed.to_string());
        if trimmed.len() > MAX_RELEASE_LEN || !trimmed.chars().all(|c| c.is_ascii_graphic()) {
            return Err(malformed());
        }
        let bare = trimmed.strip_prefix(['v', 'V']).unwrap_or(trimmed);
        let mut numbers = [0u16; 3];
        let mut count = 0;
        let mut rest = bare;
        while count < 3 {
            let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            if digits == 0 {
                break;
            }
            numbers[count] = rest[..digits].parse().map_err(|_| malformed())?;
            count += 1;
            rest = &rest[digits..];
            match rest.strip_prefix('.') {
                Some(after) if count < 3 && after.starts_with(|c: char| c.is_ascii_digit()) => {
                    rest = after
                }
                _ => break,
            }
        }
        let [major, minor, patch] = numbers;
        match count {
            // A series: nothing may follow (`6.6rc1`, `6.6.x` are not releases).
            2 if rest.is_empty() => Ok(Release::series(major, minor)),
            3 if !rest.starts_with(|c: char| c.is_ascii_digit()) => {
                let abi_name = patch == 0
                    && rest
                        .strip_prefix('-')
                        .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()))
                    && !is_git_describe(rest);
                Ok(Release {
                    major,
                    minor,
                    patch: (!abi_name).then_some(patch),
                })
            }
            _ => Err(malformed()),
        }
    }
}

/// Whether a LOCALVERSION is `git describe`'s `-N-g<hash>` (a kernel built
/// from a tree N commits after a tag): its `.0` is the tag, not an ABI name.
fn is_git_describe(rest: &str) -> bool {
    let mut parts = rest.split('-').skip(1);
    let commits = parts.next().unwrap_or("");
    let hash = parts.next().unwrap_or("");
    !commits.is_empty()
        && commits.bytes().all(|b| b.is_ascii_digit())
        && hash.len() > 1
        && hash.starts_with('g')
        && hash[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

impl fmt::Display for Release {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.patch {
            Some(patch) => write!(f, "{}.{}.{}", self.major, self.minor, patch),
            None => write!(f, "{}.{}", self.major, self.minor),
        }
    }
}

/// A release serializes as it displays (`"6.6.0"`, `"4.19"`).
impl serde::Serialize for Release {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Why a version was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VersionError {
    /// The text is not a kernel version at all.
    Malformed(String),
    /// A real release, but not one the playground simulates.
    NotSimulated(Release),
    /// A real release outside the range whose GFP flags we decode.
    NoGfpTable(Release),
}

impl fmt::Display for VersionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VersionError::Malformed(text) => write!(
                f,
                "`{text}` is not a kernel version; write it as 6.6, 6.6.57 or a uname -r release such as 6.1.0-13-amd64"
            ),
            VersionError::NotSimulated(release) => {
                let nearest = nearest_profiles(*release);
                write!(
                    f,
                    "kernel {release} is not simulated; the nearest simulated kernels are {nearest} (all simulated: {}); GFP masks can be decoded for every release from {}",
                    Series::ALL.map(|s| s.name()).join(", "),
                    crate::gfp::GfpTable::range_text()
                )
            }
            VersionError::NoGfpTable(release) => write!(
                f,
                "no GFP flag table for kernel {release}; GFP masks can be decoded for every release from {}",
                crate::gfp::GfpTable::range_text()
            ),
        }
    }
}

impl std::error::Error for VersionError {}

/// The simulated series closest to `release`: the newest one before it and
/// the oldest one after it.
fn nearest_profiles(release: Release) -> String {
    let key = release.series_only();
    let before = PINNED.iter().rev().find(|p| p.release.series_only() < key);
    let after = PINNED.iter().find(|p| p.release.series_only() > key);
    let names: Vec<&str> = [before, after]
        .into_iter()
        .flatten()
        .map(|p| p.series.name())
        .collect();
    names.join(" and ")
}

/// The release series the playground simulates in full.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Series {
    /// The 4.19 LTS line.
    V4_19,
    /// The 6.1 LTS line (Debian 12, Android 14).
    V6_1,
    /// The 6.6 LTS line.
    V6_6,
    /// The 6.12 LTS line.
    V6_12,
}

impl Series {
    /// Every simulated series, oldest first.
    pub const ALL: [Series; 4] = [Series::V4_19, Series::V6_1, Series::V6_6, Series::V6_12];

    /// The series generated quiz questions draw their kernel from. Fixed,
    /// so that a seed keeps its question when a series is added.
    pub const QUIZ_GENERATOR: [Series; 3] = [Series::V4_19, Series::V6_6, Series::V6_12];

    /// The series as users write it.
    pub fn name(self) -> &'static str {
        self.pinned().name
    }

    /// The point release this series is pinned to.
    pub fn pinned(self) -> &'static Pinned {
        &PINNED[self as usize]
    }
}

/// The series names a chooser offers: the default profile's first, then
/// the others newest first.
pub fn offered() -> Vec<&'static str> {
    let default = Profile::default_profile().series;
    let mut all = vec![default.name()];
    all.extend(
        PINNED
            .iter()
            .rev()
            .filter(|p| p.series != default)
            .map(|p| p.name),
    );
    all
}

/// A simulated series and the one point release whose tree its line
/// numbers, names and messages were read from.
#[derive(Debug)]
pub struct Pinned {
    /// The series.
    pub series: Series,
    /// The series as users write it.
    pub name: &'static str,
    /// The pinned point release.
    pub release: Release,
    /// The tree read: repository @ commit (Makefile of that release).
    pub tree: &'static str,
}

/// Every simulated series, oldest first, with its pinned release.
pub static PINNED: [Pinned; 4] = [
    Pinned {
        series: Series::V4_19,
        name: "4.19",
        release: Release::new(4, 19, 255),
        tree:
            "whitehax0r/PS4-Kernel-4.19.255-baikal@0f0542cc1 (\"base kernel\", Makefile 4.19.255)",
    },
    Pinned {
        series: Series::V6_1,
        name: "6.1",
        release: Release::new(6, 1, 119),
        tree: "linux6119/linux-6.1.119@09ec286f3 (Makefile 6.1.119)",
    },
    Pinned {
        series: Series::V6_6,
        name: "6.6",
        release: Release::new(6, 6, 57),
        tree: "lxdklp/linux-6.6.y@5aa5a1b8c (Makefile 6.6.57)",
    },
    Pinned {
        series: Series::V6_12,
        name: "6.12",
        release: Release::new(6, 12, 19),
        tree: "wishday/linux-6.12.y@21ae40e85 (Makefile 6.12.19)",
    },
];

/// `PAGE_OFFSET` before the LDT remap moved out of the KASLR region
/// (4.19.0–4.19.4, PGD slot 272).
pub const PAGE_OFFSET_4_19_0: VirtAddr = VirtAddr::new(0xffff_8800_0000_0000);
/// `PAGE_OFFSET` from 4.19.5 and 4.20 on (PGD slot 273).
pub const PAGE_OFFSET_4_19_5: VirtAddr = VirtAddr::new(0xffff_8880_0000_0000);

/// The profile of one simulated kernel: its series, the release the rules
/// are evaluated at, and the release string it prints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    series: Series,
    /// The changes the release has, one bit per [`Change`] (the table is
    /// evaluated once, when the profile is made).
    changes: u128,
    /// The release the change table is evaluated at: the point release
    /// given, or the series' pinned release when none was.
    release: Release,
    /// The release string the kernel prints (`init_utsname()->release`):
    /// as given when the user wrote a full release, else the pinned one.
    pub uname: String,
}

impl Profile {
    /// The profile for a release given as users write it.
    pub fn parse(text: &str) -> Result<Profile, VersionError> {
        let release = Release::parse(text)?;
        let mut profile = Profile::for_release(release)?;
        if release.patch.is_some() || text.trim().matches('.').count() >= 2 {
            profile.uname = text.trim().trim_start_matches(['v', 'V']).to_string();
        }
        Ok(profile)
    }

    /// The profile simulating `release`; a release without a point release
    /// is simulated as the series' pinned release.
    pub fn for_release(release: Release) -> Result<Profile, VersionError> {
        let pinned = PINNED
            .iter()
            .find(|p| p.release.series_only() == release.series_only())
            .ok_or(VersionError::NotSimulated(release))?;
        let effective = match release.patch {
            Some(_) => release,
            None => pinned.release,
        };
        Ok(Profile {
            series: pinned.series,
            changes: changes::set_of(effective),
            release: effective,
            uname: effective.to_string(),
        })
    }

    /// The profile of a series at its pinned release.
    pub fn of_series(series: Series) -> Profile {
        let release = series.pinned().release;
        Profile {
            series,
            changes: changes::set_of(release),
            release,
            uname: release.to_string(),
        }
    }

    /// The default profile: the 6.6 LTS line, which many readers run.
    pub fn default_profile() -> Profile {
        Profile::of_series(Series::V6_6)
    }

    /// The release the change table was evaluated at: the point release
    /// given, or the pinned one when none was.
    pub fn release(&self) -> Release {
        self.release
    }

    /// The simulated series.
    pub fn series(&self) -> Series {
        self.series
    }

    /// The pinned release whose tree this profile's lines come from.
    pub fn pinned(&self) -> &'static Pinned {
        self.series.pinned()
    }

    /// Whether the kernel has behaviour change `change`.
    pub fn has(&self, change: Change) -> bool {
        self.changes & changes::bit(change) != 0
    }

    /// The source location of a WARN, BUG or might_sleep in this profile.
    pub fn site(&self, site: Site) -> SiteLine {
        sites::line(self.series, site)
    }

    /// The site printed at `file:line` in this profile, if any.
    pub fn find_site(&self, location: &str) -> Option<Site> {
        sites::find(self.series, location)
    }

    /// The name a function has in this profile's call traces.
    pub fn name(&self, name: Name) -> &'static str {
        names::of(self.series, name)
    }

    /// The slab caches of boot other than the kmalloc caches (see
    /// [`boot_caches`]): those made before the kmalloc caches, the bucket
    /// cache made after them, and the users of buckets.
    pub fn boot_caches(
        &self,
    ) -> (
        [boot_caches::BootCache; 2],
        Option<boot_caches::BootCache>,
        &'static [(&'static str, bool)],
    ) {
        (
            boot_caches::before_kmalloc(self.series),
            boot_caches::buckets(self.series),
            boot_caches::bucket_users(self.series),
        )
    }

    /// `%pS` of a kernel function in a call trace: `name+0xoff/0xlen`
    /// from the symbol table.
    pub fn symbol(&self, function: &str) -> String {
        symbols::format(self.series, function)
    }

    /// The frames of a kmalloc, innermost first (see
    /// [`names::kmalloc_path`]).
    pub fn kmalloc_path(&self, call: names::KmallocCall, large: bool) -> &'static [&'static str] {
        names::kmalloc_path(self.series, call, large)
    }

    /// The frames of a vmalloc, innermost first (see
    /// [`names::vmalloc_path`]).
    pub fn vmalloc_path(&self, call: names::VmallocCall) -> &'static [&'static str] {
        names::vmalloc_path(self.series, call)
    }

    /// The frames below a module's init function, innermost first: the
    /// loader and the `finit_module` system call.
    pub fn module_init_path(&self) -> &'static [&'static str] {
        names::module_init_path(self.series)
    }

    /// What the run header says: the release printed and, when it is not
    /// the pinned release itself, what simulates it.
    pub fn describe(&self) -> String {
        let pinned = self.pinned().release;
        if self.uname == pinned.to_string() {
            format!("kernel {pinned}")
        } else if self.release != pinned {
            format!(
                "kernel {}, simulated by the {pinned} profile with {}'s behaviour changes",
                self.uname, self.release
            )
        } else if self.uname.starts_with(&pinned.to_string()) {
            format!("kernel {}, simulated as {pinned}", self.uname)
        } else {
            format!(
                "kernel {}, simulated as {pinned} (its point release is unknown)",
                self.uname
            )
        }
    }

    /// `PAGE_OFFSET`, the start of the direct map.
    pub fn page_offset(&self) -> VirtAddr {
        if self.has(Change::DirectMapAtSlot273) {
            PAGE_OFFSET_4_19_5
        } else {
            PAGE_OFFSET_4_19_0
        }
    }
}

#[cfg(test)]
mod tests;
