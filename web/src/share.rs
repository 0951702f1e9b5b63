//! The playground's state as text: share links (the URL fragment),
//! autosave, and embeds all carry it.
//!
//! A link's fragment is `v1.` followed by the base64url (no padding) of the
//! raw DEFLATE of the state's text form:
//!
//! ```text
//! kmem-playground 1
//! release 6.6
//! preset desktop
//! uptime running
//! debug slub_debug
//! step 3
//! view memory
//!
//! void *p = kmalloc(100, GFP_KERNEL);
//! ```
//!
//! Header lines are `key value`; the first empty line ends them and the
//! rest is the script, verbatim. Unknown keys are ignored, so a later
//! release may add some within schema 1; a new schema gets a new prefix.
//! A state without `uptime` was written before machines ran a workload:
//! it opens just booted, as it did then.
//! Decoding never trusts the input: the fragment's length, the inflated
//! size and every field are checked, and the script is only ever text.

use std::fmt;

use kmem::kernel::DebugConfig;
use kmem::memmap::Uptime;

use crate::components::views::View;
use crate::session::{presets, releases, Settings};

/// The schema this build writes.
pub const SCHEMA: u32 = 1;
/// The longest fragment read, in bytes.
pub const MAX_FRAGMENT: usize = 512 * 1024;
/// The most bytes a fragment may inflate to (a decompression bomb stops
/// here).
pub const MAX_STATE: usize = 256 * 1024;

/// Embed options (see `embed.rs`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EmbedOptions {
    /// The views shown, by id; empty for the timeline alone.
    pub panes: Vec<View>,
    /// The editor cannot be changed.
    pub readonly: bool,
    /// The results stay hidden until the reader asks.
    pub spoiler: bool,
    /// The author's theme: dark (`Some(true)`), light (`Some(false)`), or
    /// the reader's system's (`None`).
    pub dark: Option<bool>,
}

/// Everything a link carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharedState {
    /// The script.
    pub script: String,
    /// Release, machine and debug options.
    pub settings: Settings,
    /// The selected step (`None`: the end).
    pub step: Option<usize>,
    /// The view shown.
    pub view: View,
    /// Embed options, for an embed's link.
    pub embed: Option<EmbedOptions>,
}

/// Why a fragment could not be opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShareError {
    /// It does not start with `v<number>.`.
    NotALink,
    /// A schema this build does not know.
    UnknownSchema(String),
    /// Longer than [`MAX_FRAGMENT`].
    TooLong(usize),
    /// Not base64url.
    BadBase64,
    /// Not DEFLATE data, or truncated.
    Corrupt,
    /// Inflates to more than [`MAX_STATE`].
    TooLarge,
    /// Not UTF-8 text.
    NotText,
    /// The header is wrong.
    BadHeader(String),
}

impl fmt::Display for ShareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShareError::NotALink => f.write_str("the link's fragment is not a playground state (it should start with v1.)"),
            ShareError::UnknownSchema(v) => write!(f, "the link was made by a newer playground (state format {v}); this one reads format {SCHEMA}"),
            ShareError::TooLong(n) => write!(f, "the link's fragment is {n} bytes, more than the {MAX_FRAGMENT} the playground reads"),
            ShareError::BadBase64 => f.write_str("the link is damaged (its fragment is not base64url): was it cut short or edited?"),
            ShareError::Corrupt => f.write_str("the link is damaged (its compressed state does not unpack): was it cut short?"),
            ShareError::TooLarge => write!(f, "the link's state unpacks to more than {} KiB, which the playground refuses", MAX_STATE / 1024),
            ShareError::NotText => f.write_str("the link's state is not text"),
            ShareError::BadHeader(why) => write!(f, "the link's state is not valid: {why}"),
        }
    }
}

impl SharedState {
    /// The state's text form.
    pub fn to_text(&self) -> String {
        let mut out = format!("kmem-playground {SCHEMA}\n");
        out.push_str(&format!("release {}\n", self.settings.release));
        out.push_str(&format!("preset {}\n", self.settings.preset));
        out.push_str(&format!("uptime {}\n", self.settings.uptime.name()));
        let debug = debug_words(self.settings.debug);
        if !debug.is_empty() {
            out.push_str(&format!("debug {}\n", debug.join(" ")));
        }
        if let Some(step) = self.step {
            out.push_str(&format!("step {step}\n"));
        }
        out.push_str(&format!("view {}\n", self.view.id()));
        if let Some(embed) = &self.embed {
            let mut words = vec![format!(
                "panes={}",
                embed
                    .panes
                    .iter()
                    .map(|v| v.id())
                    .collect::<Vec<_>>()
                    .join(",")
            )];
            if embed.readonly {
                words.push("readonly".into());
            }
            if embed.spoiler {
                words.push("spoiler".into());
            }
            if embed.dark.is_some() {
                words.push(format!("theme={}", theme_name(embed.dark)));
            }
            out.push_str(&format!("embed {}\n", words.join(" ")));
        }
        out.push('\n');
        out.push_str(&self.script);
        out
    }

    /// Reads the text form.
    pub fn from_text(text: &str) -> Result<SharedState, ShareError> {
        let bad = |why: String| ShareError::BadHeader(why);
        let (header, script) = split_header(text);
        let mut lines = header.lines();
        match lines
            .next()
            .and_then(|l| l.strip_prefix("kmem-playground "))
        {
            Some(v) if v.trim() == SCHEMA.to_string() => {}
            Some(v) => {
                return Err(ShareError::UnknownSchema(
                    v.trim().chars().take(16).collect(),
                ))
            }
            None => return Err(bad("it does not start with `kmem-playground 1`".into())),
        }
        let mut state = SharedState {
            script: script.to_string(),
            settings: Settings {
                uptime: Uptime::JustBooted,
                ..Settings::default()
            },
            step: None,
            view: View::Timeline,
            embed: None,
        };
        for line in lines {
            let (key, value) = line.split_once(' ').unwrap_or((line, ""));
            let shown: String = value.chars().take(40).collect();
            match key {
                "release" => {
                    if !releases().contains(&value) {
                        return Err(bad(format!("unknown kernel release `{shown}`")));
                    }
                    state.settings.release = value.to_string();
                }
                "preset" => {
                    if !presets().any(|(name, _)| name == value) {
                        return Err(bad(format!("unknown machine `{shown}`")));
                    }
                    state.settings.preset = value.to_string();
                }
                "uptime" => {
                    state.settings.uptime = Uptime::parse(value).ok_or_else(|| {
                        bad(format!("unknown uptime `{shown}` (running or booted)"))
                    })?
                }
                "debug" => state.settings.debug = parse_debug(value).map_err(bad)?,
                "step" => {
                    state.step = Some(
                        value
                            .parse()
                            .map_err(|_| bad(format!("`{shown}` is not a step number")))?,
                    )
                }
                "view" => {
                    state.view = View::from_id(value)
                        .ok_or_else(|| bad(format!("unknown view `{shown}`")))?
                }
                "embed" => state.embed = Some(parse_embed(value).map_err(bad)?),
                // Written by a later release of schema 1: ignored.
                _ => {}
            }
        }
        Ok(state)
    }

    /// The URL fragment (without `#`), refused when the playground would
    /// refuse to open it: a state over [`MAX_STATE`] bytes, or a fragment
    /// over [`MAX_FRAGMENT`].
    pub fn to_checked_fragment(&self) -> Result<String, ShareError> {
        if self.to_text().len() > MAX_STATE {
            return Err(ShareError::TooLarge);
        }
        let fragment = self.to_fragment();
        if fragment.len() > MAX_FRAGMENT {
            return Err(ShareError::TooLong(fragment.len()));
        }
        Ok(fragment)
    }

    /// The URL fragment (without `#`).
    pub fn to_fragment(&self) -> String {
        let packed = miniz_oxide::deflate::compress_to_vec(self.to_text().as_bytes(), 9);
        format!("v{SCHEMA}.{}", base64url_encode(&packed))
    }

    /// Reads a URL fragment (with or without `#`).
    pub fn from_fragment(fragment: &str) -> Result<SharedState, ShareError> {
        let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
        if fragment.len() > MAX_FRAGMENT {
            return Err(ShareError::TooLong(fragment.len()));
        }
        let (version, payload) = fragment.split_once('.').ok_or(ShareError::NotALink)?;
        let number = version.strip_prefix('v').ok_or(ShareError::NotALink)?;
        if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ShareError::NotALink);
        }
        if number != SCHEMA.to_string() {
            return Err(ShareError::UnknownSchema(number.chars().take(16).collect()));
        }
        let packed = base64url_decode(payload).ok_or(ShareError::BadBase64)?;
        let text = miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_STATE).map_err(
            |e| {
                if e.status == miniz_oxide::inflate::TINFLStatus::HasMoreOutput {
                    ShareError::TooLarge
                } else {
                    ShareError::Corrupt
                }
            },
        )?;
        let text = String::from_utf8(text).map_err(|_| ShareError::NotText)?;
        SharedState::from_text(&text)
    }
}

impl Default for SharedState {
    /// The default settings, step and view, with no script.
    fn default() -> Self {
        SharedState {
            script: String::new(),
            settings: Settings::default(),
            step: None,
            view: View::Timeline,
            embed: None,
        }
    }
}

/// A state's text form cut at its first empty line: the header and the
/// script. Either line ending ends the header (a state copied through a
/// Windows tool has CRLF); the script is kept verbatim.
pub fn split_header(text: &str) -> (&str, &str) {
    let lf = text.find("\n\n").map(|i| (i, 2));
    let crlf = text.find("\r\n\r\n").map(|i| (i, 4));
    match [lf, crlf].into_iter().flatten().min() {
        Some((at, len)) => (&text[..at], &text[at + len..]),
        None => (text, ""),
    }
}

/// Where a debug option is kept.
type DebugField = fn(&mut DebugConfig) -> &mut bool;

/// The debug options a link names, each with its field.
const DEBUG_OPTIONS: [(&str, DebugField); 4] = [
    ("slub_debug", |d| &mut d.slub_debug),
    ("random_kmalloc_caches", |d| &mut d.random_kmalloc_caches),
    ("debug_atomic_sleep", |d| &mut d.debug_atomic_sleep),
    ("freelist_hardened", |d| &mut d.freelist_hardened),
];

/// The names of the debug options a link may carry.
pub fn debug_option_names() -> impl Iterator<Item = &'static str> {
    DEBUG_OPTIONS.iter().map(|(name, _)| *name)
}

/// The debug options that differ from the defaults, as words (`name`
/// for on, `no_name` for off), as a link's `debug` line has them.
pub fn debug_words(mut debug: DebugConfig) -> Vec<String> {
    let mut defaults = DebugConfig::default();
    DEBUG_OPTIONS
        .iter()
        .filter_map(|&(name, field)| {
            let on = *field(&mut debug);
            (on != *field(&mut defaults)).then(|| {
                if on {
                    name.to_string()
                } else {
                    format!("no_{name}")
                }
            })
        })
        .collect()
}

fn parse_debug(value: &str) -> Result<DebugConfig, String> {
    let mut debug = DebugConfig::default();
    for word in value.split_whitespace() {
        let (on, name) = match word.strip_prefix("no_") {
            Some(name) => (false, name),
            None => (true, word),
        };
        let Some(&(_, field)) = DEBUG_OPTIONS.iter().find(|(known, _)| *known == name) else {
            return Err(format!(
                "unknown debug option `{}`",
                word.chars().take(40).collect::<String>()
            ));
        };
        *field(&mut debug) = on;
    }
    Ok(debug)
}

/// An embed's theme as links and the loader name it: `dark`, `light`, or
/// `auto` (the reader's).
pub fn theme_name(dark: Option<bool>) -> &'static str {
    match dark {
        Some(true) => "dark",
        Some(false) => "light",
        None => "auto",
    }
}

/// The theme [`theme_name`] names, or `None` for another word.
pub fn parse_theme(name: &str) -> Option<Option<bool>> {
    [Some(true), Some(false), None]
        .into_iter()
        .find(|&dark| theme_name(dark) == name)
}

fn parse_embed(value: &str) -> Result<EmbedOptions, String> {
    let mut embed = EmbedOptions::default();
    for word in value.split_whitespace() {
        match word.split_once('=') {
            Some(("panes", list)) => {
                for id in list.split(',').filter(|s| !s.is_empty()) {
                    let view = View::from_id(id).ok_or_else(|| {
                        format!("unknown pane `{}`", id.chars().take(40).collect::<String>())
                    })?;
                    if !embed.panes.contains(&view) {
                        embed.panes.push(view);
                    }
                }
            }
            Some(("theme", theme)) => {
                embed.dark = parse_theme(theme).ok_or_else(|| {
                    format!(
                        "unknown theme `{}` (dark, light or auto)",
                        theme.chars().take(40).collect::<String>()
                    )
                })?
            }
            None if word == "readonly" => embed.readonly = true,
            None if word == "spoiler" => embed.spoiler = true,
            _ => {}
        }
    }
    Ok(embed)
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// RFC 4648 §5 base64url, without padding.
pub fn base64url_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
        }
    }
    out
}

/// Reads base64url without padding (padding `=` is accepted too); `None`
/// for any other character or an impossible length.
pub fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    if text.len() % 4 == 1 {
        return None;
    }
    let value = |c: u8| ALPHABET.iter().position(|a| *a == c).map(|v| v as u32);
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    for chunk in text.as_bytes().chunks(4) {
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            n |= value(*c)? << (18 - 6 * i);
        }
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests;
