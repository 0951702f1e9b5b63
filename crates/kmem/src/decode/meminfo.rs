//! The Mem-Info lines of an allocation failure (`show_free_areas()` in
//! 4.19 mm/page_alloc.c, `__show_mem()` in 6.x mm/show_mem.c): each zone's
//! free memory, watermarks and `lowmem_reserve[]`, and its buddy line of
//! free blocks per order, judged against a request the way
//! `__zone_watermark_ok()` judges it.

use super::{human, LogLine};
use crate::buddy::ReserveAccess;
use crate::zone::ZoneType;
use crate::Order;

/// Orders a buddy line lists (0 to `MAX_ORDER` on x86_64).
const ORDERS: usize = Order::MAX.as_u8() as usize + 1;

/// One zone of one node, as Mem-Info shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct ZoneInfo {
    node: u32,
    zone: Option<ZoneType>,
    name: String,
    /// `free:` in kB.
    free_kb: Option<u64>,
    /// `min:` in kB.
    min_kb: Option<u64>,
    /// `reserved_highatomic:` in kB (6.x).
    highatomic_kb: u64,
    /// `lowmem_reserve[]`, in pages, by the requester's highest zone.
    lowmem_reserve: Vec<u64>,
    /// Free blocks per order, from the buddy line.
    blocks: Option<[u64; ORDERS]>,
    /// The migratetype letters after each order's count (`UME`, `H`, …).
    types: [String; ORDERS],
}

/// The zones of a Mem-Info block, in the order printed.
pub(super) fn parse(block: &[LogLine]) -> Vec<ZoneInfo> {
    let mut zones: Vec<ZoneInfo> = Vec::new();
    let mut last_zone_line: Option<usize> = None;
    for line in block {
        let text = line.text.trim();
        if let Some(rest) = text.strip_prefix("lowmem_reserve[]:") {
            if let Some(i) = last_zone_line.take() {
                zones[i].lowmem_reserve = rest
                    .split_whitespace()
                    .filter_map(|w| w.parse().ok())
                    .collect();
            }
            continue;
        }
        let (node, rest) = strip_node(text);
        let mut words = rest.split_whitespace();
        let Some(first) = words.next() else { continue };
        if let Some(name) = first.strip_suffix(':') {
            // The buddy line: "Normal: 1*4kB (U) 0*8kB … = 5111300kB".
            if let Some(blocks) = parse_buddy(rest[first.len()..].trim()) {
                let zone = entry(&mut zones, node, name);
                zone.blocks = Some(blocks.0);
                zone.types = blocks.1;
            }
            continue;
        }
        let mut fields = words.filter_map(|w| w.split_once(':'));
        let Some(("free", free)) = fields.next() else {
            continue;
        };
        let free_kb = kb(free);
        let i = index_of(&mut zones, node, first);
        let zone = &mut zones[i];
        zone.free_kb = free_kb;
        for (key, value) in fields {
            match key {
                "min" => zone.min_kb = kb(value),
                "reserved_highatomic" => zone.highatomic_kb = kb(value).unwrap_or(0),
                _ => {}
            }
        }
        last_zone_line = Some(i);
    }
    zones
}

/// "Node 0 Normal …" → (0, "Normal …"); older kernels print no node.
fn strip_node(text: &str) -> (u32, &str) {
    if let Some(rest) = text.strip_prefix("Node ") {
        if let Some((n, rest)) = rest.split_once(' ') {
            if let Ok(node) = n.parse() {
                return (node, rest);
            }
        }
    }
    (0, text)
}

/// "20kB" / "0KB" → 20 / 0.
fn kb(value: &str) -> Option<u64> {
    let digits = value.trim_end_matches(|c: char| !c.is_ascii_digit());
    digits.parse().ok()
}

fn index_of(zones: &mut Vec<ZoneInfo>, node: u32, name: &str) -> usize {
    if let Some(i) = zones.iter().position(|z| z.node == node && z.name == name) {
        return i;
    }
    zones.push(ZoneInfo {
        node,
        zone: zone_type(name),
        name: name.to_string(),
        ..ZoneInfo::default()
    });
    zones.len() - 1
}

fn entry<'a>(zones: &'a mut Vec<ZoneInfo>, node: u32, name: &str) -> &'a mut ZoneInfo {
    let i = index_of(zones, node, name);
    &mut zones[i]
}

fn zone_type(name: &str) -> Option<ZoneType> {
    ZoneType::ALL.into_iter().find(|z| z.name() == name)
}

/// A buddy line's counts and migratetype letters per order.
type BuddyLine = ([u64; ORDERS], [String; ORDERS]);

/// "1*4kB (U) 0*8kB … = 5111300kB" → counts and letters per order.
fn parse_buddy(text: &str) -> Option<BuddyLine> {
    let mut counts = [0u64; ORDERS];
    let mut types: [String; ORDERS] = Default::default();
    let mut last: Option<usize> = None;
    let mut seen = false;
    for word in text.split_whitespace() {
        if let Some(letters) = word.strip_prefix('(').and_then(|w| w.strip_suffix(')')) {
            if let Some(o) = last {
                types[o] = letters.to_string();
            }
            continue;
        }
        if word == "=" {
            break;
        }
        let (count, size) = word.split_once('*')?;
        let count: u64 = count.parse().ok()?;
        let size_kb: u64 = size.strip_suffix("kB")?.parse().ok()?;
        if size_kb < 4 || !size_kb.is_power_of_two() {
            return None;
        }
        let order = (size_kb / 4).trailing_zeros() as usize;
        if order >= ORDERS {
            return None;
        }
        counts[order] = count;
        last = Some(order);
        seen = true;
    }
    seen.then_some((counts, types))
}

/// What a request needs, for judging the zones.
#[derive(Clone, Copy, Debug)]
pub(super) struct Request {
    /// Its order.
    pub order: u8,
    /// The highest zone it may use (indexes `lowmem_reserve[]`).
    pub highest: ZoneType,
    /// Its reserve access (`gfp_to_alloc_flags()`).
    pub reserves: ReserveAccess,
    /// Whether it is movable (so CMA blocks count).
    pub movable: bool,
}

/// Why the request found nothing, judged from the zones it may use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Verdict {
    /// No Mem-Info lines for those zones.
    Unknown,
    /// No free block of the order or larger in any of them.
    Fragmented {
        /// kB free in those zones.
        free_kb: u64,
        /// The largest order with a free block.
        largest: Option<usize>,
    },
    /// Blocks existed, but every zone with one was at or below its
    /// watermark for this request.
    BelowWatermark,
    /// This zone could serve it when Mem-Info was printed.
    Servable(String),
}

/// One line per usable zone, and the verdict.
pub(super) fn judge(
    zones: &[ZoneInfo],
    usable: &[ZoneType],
    req: Request,
) -> (Vec<String>, Verdict) {
    let order = req.order as usize;
    let mut lines = Vec::new();
    let mut free_kb = 0;
    let mut largest: Option<usize> = None;
    let mut any_block = false;
    let mut servable = None;
    let mut seen = false;
    for z in zones
        .iter()
        .filter(|z| z.zone.is_some_and(|t| usable.contains(&t)))
    {
        seen = true;
        let usable_at = |o: usize| {
            z.blocks.is_some_and(|b| b[o] > 0) && {
                let t = &z.types[o];
                t.is_empty()
                    || t.contains(['U', 'M', 'E'])
                    || (t.contains('H') && req.reserves.highatomic_first)
                    || (t.contains('C') && req.movable)
            }
        };
        let big: u64 = match z.blocks {
            Some(b) if order < ORDERS => (order..ORDERS)
                .filter(|&o| usable_at(o))
                .map(|o| b[o])
                .sum(),
            _ => 0,
        };
        let z_largest = z.blocks.and_then(|b| (0..ORDERS).rev().find(|&o| b[o] > 0));
        largest = largest.max(z_largest);
        free_kb += z.free_kb.unwrap_or(0);
        any_block |= big > 0;
        let mut line = format!("node {} {}:", z.node, z.name);
        if let Some(f) = z.free_kb {
            line.push_str(&format!(" {f} kB free;"));
        }
        match z_largest {
            Some(o) => line.push_str(&format!(
                " {big} free block(s) of order {order} or more (the largest free block is order {o}, {});",
                human(4096 << o)
            )),
            None if z.blocks.is_some() => line.push_str(" no free block at all;"),
            None => line.push_str(" no buddy line;"),
        }
        let watermark = match (z.free_kb, z.min_kb) {
            (Some(free), Some(min)) => {
                let free_pages = (free / 4) as i64;
                let min_pages = min / 4;
                let adjusted = req.reserves.adjusted_min(min_pages);
                let reserve = z
                    .lowmem_reserve
                    .get(req.highest.index())
                    .copied()
                    .unwrap_or(0);
                let highatomic = if req.reserves.highatomic_counts_as_free {
                    0
                } else {
                    (z.highatomic_kb / 4) as i64
                };
                let left = free_pages - ((1i64 << order.min(62)) - 1) - highatomic;
                let ok = left > (adjusted + reserve) as i64;
                let mut text = format!(" min watermark {min_pages} pages");
                if adjusted != min_pages {
                    text.push_str(&format!(" ({adjusted} for this mask)"));
                }
                text.push_str(&format!(
                    " + lowmem_reserve {reserve} for a request up to {}: {}",
                    req.highest,
                    if ok { "above it" } else { "at or below it" }
                ));
                line.push_str(&text);
                Some(ok)
            }
            _ => None,
        };
        if big > 0 && watermark != Some(false) && servable.is_none() {
            servable = Some(format!("node {} {}", z.node, z.name));
        }
        lines.push(line);
    }
    let verdict = if !seen {
        Verdict::Unknown
    } else if let Some(zone) = servable {
        Verdict::Servable(zone)
    } else if any_block {
        Verdict::BelowWatermark
    } else {
        Verdict::Fragmented { free_kb, largest }
    };
    (lines, verdict)
}
