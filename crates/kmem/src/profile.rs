//! Kernel releases: parsing a version as users write it, and the profile of
//! every release the playground simulates.
//!
//! Every constant or rule that differs between simulated releases lives in
//! [`Profile`]; the rest of the crate asks the profile instead of comparing
//! version numbers.

use crate::addr::VirtAddr;
use std::fmt;

/// A kernel release number: `major.minor.patch`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Release {
    /// Major version (4, 5, 6).
    pub major: u16,
    /// Minor version.
    pub minor: u16,
    /// Stable patch level; `None` when the user named only the series
    /// (`6.6`), which stands for the series as a whole.
    pub patch: Option<u16>,
}

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

    /// `(major, minor)`, the key most version rules depend on.
    pub const fn major_minor(self) -> (u16, u16) {
        (self.major, self.minor)
    }

    /// True when this release's series is `major.minor` or later.
    pub fn at_least(self, major: u16, minor: u16) -> bool {
        self.major_minor() >= (major, minor)
    }

    /// Parses a version the way users write one: `6.6`, `6.6.0`, `v6.6`,
    /// or a full `uname -r` release such as `5.4.19-100.fc30.x86_64` or
    /// `6.1.0-13-amd64` (everything after the numbers is ignored).
    pub fn parse(text: &str) -> Result<Release, VersionError> {
        let trimmed = text.trim();
        let bare = trimmed.strip_prefix(['v', 'V']).unwrap_or(trimmed);
        let numbers = bare
            .split(|c: char| !(c.is_ascii_digit() || c == '.'))
            .next()
            .unwrap_or("");
        let mut parts = numbers.split('.');
        let mut next = || -> Option<u16> { parts.next().and_then(|p| p.parse().ok()) };
        let malformed = || VersionError::Malformed(trimmed.to_string());
        let major = next().ok_or_else(malformed)?;
        let minor = next().ok_or_else(malformed)?;
        let patch = next();
        // "6.6.x" with a non-numeric third part, or digits glued to letters
        // ("6.6rc1") are not releases.
        let rest = &bare[numbers.len()..];
        if numbers.ends_with('.') || !(rest.is_empty() || rest.starts_with(['-', '+', '_', '~'])) {
            return Err(malformed());
        }
        Ok(Release {
            major,
            minor,
            patch,
        })
    }
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
                "`{text}` is not a kernel version; write it as 6.6, 6.6.0 or a uname -r release such as 6.6.0-1-amd64"
            ),
            VersionError::NotSimulated(release) => write!(
                f,
                "kernel {release} is not simulated; the playground simulates {} (GFP masks can be decoded for every release from 4.9 to 6.12)",
                Series::ALL.map(|s| s.name()).join(", ")
            ),
            VersionError::NoGfpTable(release) => write!(
                f,
                "no GFP flag table for kernel {release}; GFP masks can be decoded for every release from 4.9 to 6.12"
            ),
        }
    }
}

impl std::error::Error for VersionError {}

/// The release series the playground simulates in full.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Series {
    /// The 4.19 LTS line.
    V4_19,
    /// The 6.6 LTS line.
    V6_6,
    /// The 6.12 LTS line.
    V6_12,
}

impl Series {
    /// Every simulated series, oldest first.
    pub const ALL: [Series; 3] = [Series::V4_19, Series::V6_6, Series::V6_12];

    /// The series as users write it.
    pub const fn name(self) -> &'static str {
        match self {
            Series::V4_19 => "4.19",
            Series::V6_6 => "6.6",
            Series::V6_12 => "6.12",
        }
    }
}

/// Where the direct map of all physical memory starts (`PAGE_OFFSET`).
///
/// 4.19.0–4.19.4 used `0xffff880000000000` (PGD slot 272); commit
/// d52888aa2753 ("x86/mm: Move LDT remap out of KASLR region on 5-level
/// paging"), merged for 4.20 and backported to 4.19.5, moved it to
/// `0xffff888000000000` (slot 273), where it stays in 6.6 and 6.12
/// (arch/x86/include/asm/page_64_types.h).
pub const PAGE_OFFSET_4_19_0: VirtAddr = VirtAddr::new(0xffff_8800_0000_0000);
/// `PAGE_OFFSET` from 4.19.5 on, 4.20, 6.6 and 6.12.
pub const PAGE_OFFSET_4_19_5: VirtAddr = VirtAddr::new(0xffff_8880_0000_0000);

/// The profile of one simulated release: every constant and rule that
/// differs between the releases we model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    /// The series.
    pub series: Series,
    /// The release shown in log lines (`CPU: 0 PID: 1 Comm: … <release>`).
    pub release: Release,
    /// `PAGE_OFFSET`, the start of the direct map.
    pub page_offset: VirtAddr,
    /// Upper clamp of the computed `min_free_kbytes`
    /// (`calculate_min_free_kbytes`, mm/page_alloc.c): 65536 in 4.19,
    /// 262144 from 5.7 on (6.6 and 6.12).
    pub min_free_kbytes_max: u64,
    /// Whether zones have the WMARK_PROMO watermark (6.x:
    /// `enum zone_watermarks` gained it in 6.1).
    pub has_wmark_promo: bool,
}

impl Profile {
    /// The profile for a release given as users write it.
    pub fn parse(text: &str) -> Result<Profile, VersionError> {
        Profile::for_release(Release::parse(text)?)
    }

    /// The profile simulating `release`. A bare series (`4.19`, `6.6`)
    /// stands for its first release for 6.x (`6.6.0`, `6.12.0`) and for the
    /// LTS line for 4.19, whose layout is that of 4.19.5 and later; give
    /// `4.19.0`–`4.19.4` explicitly for the older direct-map base.
    pub fn for_release(release: Release) -> Result<Profile, VersionError> {
        let series = match release.major_minor() {
            (4, 19) => Series::V4_19,
            (6, 6) => Series::V6_6,
            (6, 12) => Series::V6_12,
            _ => return Err(VersionError::NotSimulated(release)),
        };
        let shown = match (series, release.patch) {
            (_, Some(_)) => release,
            // The last 4.19 LTS release.
            (Series::V4_19, None) => Release::new(4, 19, 325),
            (_, None) => Release::new(release.major, release.minor, 0),
        };
        Ok(Profile::build(series, shown))
    }

    /// The default profile: 6.6.0, an LTS release many readers run.
    pub fn default_profile() -> Profile {
        Profile::build(Series::V6_6, Release::new(6, 6, 0))
    }

    /// The profile of `series`, shown as `release` (which has a patch level).
    fn build(series: Series, release: Release) -> Profile {
        let page_offset = match release.patch {
            Some(patch) if series == Series::V4_19 && patch < 5 => PAGE_OFFSET_4_19_0,
            _ => PAGE_OFFSET_4_19_5,
        };
        let v6 = series != Series::V4_19;
        Profile {
            series,
            release,
            page_offset,
            min_free_kbytes_max: if v6 { 262_144 } else { 65_536 },
            has_wmark_promo: v6,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form_users_write() {
        assert_eq!(Release::parse("6.6"), Ok(Release::series(6, 6)));
        assert_eq!(Release::parse("6.6.0"), Ok(Release::new(6, 6, 0)));
        assert_eq!(Release::parse(" v6.12.19 "), Ok(Release::new(6, 12, 19)));
        assert_eq!(
            Release::parse("5.4.19-100.fc30.x86_64"),
            Ok(Release::new(5, 4, 19))
        );
        assert_eq!(Release::parse("6.1.0-13-amd64"), Ok(Release::new(6, 1, 0)));
        assert_eq!(Release::parse("4.19.0+"), Ok(Release::new(4, 19, 0)));
        for bad in ["", "six", "6", "6.", "6.6.", "6.6rc1", "x6.6", "99999.1"] {
            assert!(
                matches!(Release::parse(bad), Err(VersionError::Malformed(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn profiles_of_the_simulated_series() {
        let p = Profile::parse("6.6").unwrap();
        assert_eq!(
            (p.series, p.release.to_string()),
            (Series::V6_6, "6.6.0".into())
        );
        assert_eq!(p.page_offset, PAGE_OFFSET_4_19_5);
        let p = Profile::parse("4.19").unwrap();
        assert_eq!(p.page_offset, PAGE_OFFSET_4_19_5);
        assert_eq!(p.min_free_kbytes_max, 65_536);
        assert!(!p.has_wmark_promo);
        let p = Profile::parse("4.19.4").unwrap();
        assert_eq!(p.page_offset, PAGE_OFFSET_4_19_0);
        let p = Profile::parse("4.19.5-1-amd64").unwrap();
        assert_eq!(p.page_offset, PAGE_OFFSET_4_19_5);
        assert_eq!(Profile::parse("6.12.19").unwrap().series, Series::V6_12);
        assert_eq!(Profile::default_profile().series, Series::V6_6);
    }

    #[test]
    fn unsimulated_release_lists_what_is() {
        let err = Profile::parse("5.4.19-100.fc30.x86_64").unwrap_err();
        assert_eq!(
            err.to_string(),
            "kernel 5.4.19 is not simulated; the playground simulates 4.19, 6.6, 6.12 (GFP masks can be decoded for every release from 4.9 to 6.12)"
        );
    }
}
