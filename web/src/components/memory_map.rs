//! Physical memory: every page frame coloured by what it is used for, in
//! an overview of the whole machine and a detail view where each frame is
//! a square; the selected step's frames highlighted, and the hovered or
//! keyboard-selected frame described as text.

use kmem::kernel::Kernel;
use kmem::layout::{VMALLOC_END, VMALLOC_START, VMEMMAP_START};
use kmem::memmap::{FrameUse, MemMap, STRUCT_PAGE_SIZE};
use kmem::{Pfn, PAGE_SHIFT};
use kmem_script::LineIndex;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};
use yew::prelude::*;

use crate::app::Shared;
use crate::session::Run;

/// Frames per row: 4 MiB, the largest buddy block.
const ROW: u64 = 1024;

/// What a cell is, for its colour and the legend.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cell {
    Hole,
    Reserved,
    Kernel,
    MemMap,
    Free(u8),
    PerCpu,
    Pages,
    Slab,
    PageTable,
    Vmalloc,
    PageCache,
    Anon,
}

impl Cell {
    fn of(used_as: FrameUse, order: u8) -> Cell {
        match used_as {
            FrameUse::Tail | FrameUse::NoRam => Cell::Hole,
            FrameUse::Reserved => Cell::Reserved,
            FrameUse::KernelImage => Cell::Kernel,
            FrameUse::MemMap => Cell::MemMap,
            FrameUse::Free => Cell::Free(order),
            FrameUse::PerCpu => Cell::PerCpu,
            FrameUse::Allocated => Cell::Pages,
            FrameUse::Slab => Cell::Slab,
            FrameUse::PageTable => Cell::PageTable,
            FrameUse::Vmalloc => Cell::Vmalloc,
            FrameUse::PageCache => Cell::PageCache,
            FrameUse::Anon => Cell::Anon,
        }
    }

    fn rgb(self) -> [u8; 3] {
        match self {
            Cell::Hole => [40, 40, 44],
            Cell::Reserved => [120, 120, 128],
            Cell::Kernel => [78, 84, 96],
            Cell::MemMap => [150, 110, 80],
            // Free: green, darker for larger blocks.
            Cell::Free(order) => [
                150u8.saturating_sub(order * 9),
                215u8.saturating_sub(order * 7),
                150u8.saturating_sub(order * 9),
            ],
            Cell::PerCpu => [120, 200, 200],
            Cell::Pages => [66, 120, 225],
            Cell::Slab => [240, 150, 40],
            Cell::PageTable => [210, 60, 60],
            Cell::Vmalloc => [150, 90, 210],
            Cell::PageCache => [40, 160, 150],
            Cell::Anon => [200, 190, 90],
        }
    }

    fn label(self) -> String {
        match self {
            Cell::Hole => "no RAM".into(),
            Cell::Reserved => "reserved".into(),
            Cell::Kernel => "kernel image".into(),
            Cell::MemMap => "struct page array".into(),
            Cell::Free(order) => format!("free, order {order}"),
            Cell::PerCpu => "free, per-CPU list".into(),
            Cell::Pages => "page allocator block".into(),
            Cell::Slab => "slab (a shade per cache)".into(),
            Cell::PageTable => "page table".into(),
            Cell::Vmalloc => "vmalloc page".into(),
            Cell::PageCache => "page cache".into(),
            Cell::Anon => "anonymous memory of a process".into(),
        }
    }
}

const LEGEND: [Cell; 13] = [
    Cell::Free(0),
    Cell::Free(10),
    Cell::PerCpu,
    Cell::Pages,
    Cell::Slab,
    Cell::Vmalloc,
    Cell::PageTable,
    Cell::PageCache,
    Cell::Anon,
    Cell::Kernel,
    Cell::MemMap,
    Cell::Reserved,
    Cell::Hole,
];

/// The colour of a slab of cache `id`: one of eight shades of orange.
fn slab_shade(id: usize) -> [u8; 3] {
    const SHADES: [[u8; 3]; 8] = [
        [240, 150, 40],
        [215, 120, 30],
        [250, 180, 90],
        [190, 100, 40],
        [245, 165, 120],
        [225, 135, 70],
        [200, 140, 20],
        [255, 200, 130],
    ];
    SHADES[id % SHADES.len()]
}

/// Highlight colour of the selected step's frames.
const HIGHLIGHT: [u8; 3] = [255, 230, 0];

/// The frames the selected step's result lives in: the block of a
/// direct-map address or of a `struct page *`, or the pages of a vmalloc
/// area.
fn selected_frames(kernel: &Kernel, value: u64) -> Vec<(Pfn, u64)> {
    let mem = &kernel.mem;
    let block = |pfn: u64| -> Vec<(Pfn, u64)> {
        mem.head_of(Pfn::new(pfn))
            .map(|(head, order)| vec![(head, 1u64 << order.min(10))])
            .unwrap_or_default()
    };
    let page_offset = kernel.profile().page_offset().as_u64();
    if (VMALLOC_START.as_u64()..=VMALLOC_END.as_u64()).contains(&value) {
        kernel
            .vmap
            .area_containing(kmem::VirtAddr::new(value))
            .map(|area| {
                area.pages
                    .iter()
                    .map(|p| (*p, 1 << area.page_order))
                    .collect()
            })
            .unwrap_or_default()
    } else if value >= VMEMMAP_START.as_u64() && value < VMEMMAP_START.as_u64() + (1 << 40) {
        block((value - VMEMMAP_START.as_u64()) / STRUCT_PAGE_SIZE)
    } else if value >= page_offset && value < page_offset + (mem.max_pfn().as_u64() << PAGE_SHIFT) {
        block((value - page_offset) >> PAGE_SHIFT)
    } else {
        Vec::new()
    }
}

/// Milliseconds since the page loaded.
fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// A frame's colour on the map.
fn colour(kernel: &Kernel, pfn: Pfn, meta: &kmem::memmap::PageMeta) -> [u8; 3] {
    let cell = Cell::of(meta.used_as, meta.order);
    match cell {
        // Slabs: a shade per cache.
        Cell::Slab => kernel.slab.cache_of(pfn).map_or(cell.rgb(), slab_shade),
        _ => cell.rgb(),
    }
}

/// Puts `pixels` (RGBA, `width` × `height`) on `canvas`.
fn put(canvas: &HtmlCanvasElement, pixels: &[u8], width: u32, height: u32) {
    if let Some(context) = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
    {
        if let Ok(image) =
            ImageData::new_with_u8_clamped_array_and_sh(Clamped(pixels), width, height)
        {
            let _ = context.put_image_data(&image, 0.0, 0.0);
        }
    }
}

/// The overview: the whole machine, a pixel per frame, [`ROW`] frames a
/// row, the selected step's frames in the highlight colour.
fn draw_overview(canvas: &HtmlCanvasElement, kernel: &Kernel, highlight: &[(Pfn, u64)]) {
    let mem = &kernel.mem;
    let frames = mem.max_pfn().as_u64();
    let rows = frames.div_ceil(ROW);
    canvas.set_width(ROW as u32);
    canvas.set_height(rows as u32);
    let mut pixels = vec![0u8; (ROW * rows * 4) as usize];
    // A run is filled by writing one pixel and doubling the filled part
    // with copy_within: memcpy speed, not a loop per pixel.
    let mut paint = |start: u64, count: u64, rgb: [u8; 3]| {
        let from = (start * 4) as usize;
        let to = ((start + count).min(frames) * 4) as usize;
        if let Some(run) = pixels.get_mut(from..to) {
            if run.len() < 4 {
                return;
            }
            run[..4].copy_from_slice(&[rgb[0], rgb[1], rgb[2], 255]);
            let mut filled = 4;
            while filled < run.len() {
                let n = filled.min(run.len() - filled);
                run.copy_within(..n, filled);
                filled += n;
            }
        }
    };
    for (pfn, count, meta) in mem.blocks() {
        paint(pfn.as_u64(), count, colour(kernel, pfn, &meta));
    }
    for (pfn, count) in highlight {
        paint(pfn.as_u64(), *count, HIGHLIGHT);
    }
    put(canvas, &pixels, ROW as u32, rows as u32);
}

/// What the detail view shows: `rows` rows of `per_row` frames from
/// `start`, each frame a square of `cell` CSS pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Window {
    start: u64,
    per_row: u64,
    rows: u64,
    cell: u32,
}

impl Window {
    /// The window `width` CSS pixels wide with cells of `cell` pixels,
    /// with frame `centre` in its middle row. Rows hold a power of two of
    /// frames, so that an aligned buddy block is a rectangle.
    fn around(centre: u64, frames: u64, width: u32, cell: u32) -> Window {
        let fit = u64::from((width / cell).max(16));
        let per_row = 1u64 << (63 - fit.leading_zeros());
        let rows = u64::from(DETAIL_HEIGHT / cell);
        let last_row = frames.div_ceil(per_row).saturating_sub(rows);
        let row = (centre / per_row).saturating_sub(rows / 2).min(last_row);
        Window {
            start: row * per_row,
            per_row,
            rows,
            cell,
        }
    }

    /// This window's size, centred on frame `centre`.
    fn recentred(self, centre: u64, frames: u64) -> Window {
        Window::around(centre, frames, self.per_row as u32 * self.cell, self.cell)
    }

    /// The first frame after the window.
    fn end(self) -> u64 {
        self.start + self.per_row * self.rows
    }

    /// Whether frame `pfn` is in the window.
    fn contains(self, pfn: u64) -> bool {
        (self.start..self.end()).contains(&pfn)
    }
}

/// The detail view's height in CSS pixels.
const DETAIL_HEIGHT: u32 = 384;
/// The cell sizes the zoom offers, in CSS pixels per frame.
const CELLS: [u32; 4] = [2, 4, 8, 16];

/// Draws the detail view at device pixels: every frame of the window a
/// square, with a gap between squares when they are large enough to
/// spare one; the selected step's frames exactly in the highlight colour.
/// Returns the milliseconds it took.
fn draw_detail(
    canvas: &HtmlCanvasElement,
    kernel: &Kernel,
    highlight: &[(Pfn, u64)],
    window: Window,
) -> f64 {
    let started = now();
    let ratio = web_sys::window()
        .map_or(1.0, |w| w.device_pixel_ratio())
        .clamp(1.0, 4.0);
    let css_width = window.per_row as u32 * window.cell;
    let css_height = window.rows as u32 * window.cell;
    let size = (f64::from(window.cell) * ratio).round().max(1.0) as u32;
    let (width, height) = (window.per_row as u32 * size, window.rows as u32 * size);
    canvas.set_width(width);
    canvas.set_height(height);
    let _ = canvas.set_attribute(
        "style",
        &format!("width: {css_width}px; height: {css_height}px"),
    );
    let gap = u32::from(size >= 6);
    let mut pixels = vec![0u8; (width * height * 4) as usize];
    let mut square = |frame: u64, rgb: [u8; 3]| {
        let offset = frame - window.start;
        let (col, row) = (
            (offset % window.per_row) as u32,
            (offset / window.per_row) as u32,
        );
        for y in row * size..(row + 1) * size - gap {
            let line = ((y * width + col * size) * 4) as usize;
            for x in 0..(size - gap) as usize {
                pixels[line + x * 4..line + x * 4 + 4]
                    .copy_from_slice(&[rgb[0], rgb[1], rgb[2], 255]);
            }
        }
    };
    let frames = kernel.mem.max_pfn().as_u64();
    let end = window.end().min(frames);
    for (pfn, count, meta) in kernel.mem.blocks_from(Pfn::new(window.start)) {
        if pfn.as_u64() >= end {
            break;
        }
        let rgb = colour(kernel, pfn, &meta);
        for frame in pfn.as_u64().max(window.start)..(pfn.as_u64() + count).min(end) {
            square(frame, rgb);
        }
    }
    for (pfn, count) in highlight {
        for frame in pfn.as_u64()..pfn.as_u64() + count {
            if window.contains(frame) && frame < frames {
                square(frame, HIGHLIGHT);
            }
        }
    }
    put(canvas, &pixels, width, height);
    now() - started
}

/// A frame described in words.
fn describe(kernel: &Kernel, run: &Run, source: &str, pfn: u64) -> String {
    let mem = &kernel.mem;
    let Some((head, order)) = mem.head_of(Pfn::new(pfn)) else {
        return format!("pfn {pfn:#x}: no RAM");
    };
    let Some(meta) = mem.page(head) else {
        return format!("pfn {pfn:#x}: no RAM");
    };
    let cell = Cell::of(meta.used_as, meta.order);
    let mut text = format!(
        "pfn {pfn:#x}, physical {:#x}, zone {}: {}",
        pfn << PAGE_SHIFT,
        MemMap::zone_of(Pfn::new(pfn)),
        cell.label()
    );
    if matches!(
        cell,
        Cell::Pages
            | Cell::Slab
            | Cell::Vmalloc
            | Cell::PageCache
            | Cell::Anon
            | Cell::PageTable
            | Cell::Free(_)
    ) {
        text.push_str(&format!(
            " (block of {} frame{} at pfn {:#x})",
            1u64 << order,
            if order == 0 { "" } else { "s" },
            head.as_u64()
        ));
    }
    if cell == Cell::Slab {
        if let Some(cache) = kernel
            .slab
            .cache_of(head)
            .and_then(|id| kernel.slab.caches.get(id))
        {
            text.push_str(&format!(", cache {}", cache.name));
        }
    }
    if meta.owner != 0 {
        let index = LineIndex::new(source);
        if let Some(step) = run
            .trace
            .steps
            .iter()
            .find(|s| s.event.as_ref().is_some_and(|e| e.seq == meta.owner))
        {
            let line = index.line_col(source, step.span.start).line;
            let call = source.get(step.span.start..step.span.end).unwrap_or("");
            text.push_str(&format!(", allocated by line {line}: {call}"));
        }
    }
    text
}

/// Properties of [`MemoryMap`].
#[derive(Properties, PartialEq)]
pub struct MemoryMapProps {
    /// The script run.
    pub source: AttrValue,
    /// The run.
    pub run: Shared<Run>,
    /// The kernel at the selected step.
    pub kernel: Shared<Kernel>,
    /// The selected step.
    pub step: Option<usize>,
}

/// The physical memory view: an overview of the whole machine beside a
/// detail view, where each frame is a square of 2 to 16 pixels drawn at
/// device pixels. Selecting a step centres the detail view on the step's
/// first frame; changing the zoom keeps it centred there; a click on the
/// overview moves the view, and so does the keyboard cursor.
#[component]
pub fn MemoryMap(props: &MemoryMapProps) -> Html {
    let overview = use_node_ref();
    let detail = use_node_ref();
    let holder = use_node_ref();
    let cell = use_state(|| CELLS[1]);
    let hovered = use_state(|| None::<u64>);
    let window = use_state(|| None::<Window>);
    let draw_ms = use_state(|| 0.0f64);
    let steps = &props.run.0.trace.steps;
    let selected = props.step.unwrap_or(steps.len().saturating_sub(1));
    let value = steps.get(selected).map_or(0, |s| s.value);
    let kernel = props.kernel.0.clone();
    let highlight = selected_frames(&kernel, value);
    let frames = kernel.mem.max_pfn().as_u64();
    let first = highlight.first().map_or(0, |(pfn, _)| pfn.as_u64());
    // The detail view's width in CSS pixels (a guess before it is drawn).
    let width = |holder: &NodeRef| {
        holder
            .cast::<web_sys::Element>()
            .map_or(512, |h| h.client_width().max(64) as u32)
    };
    // A new step or zoom: the view centres on the step's memory.
    {
        let window = window.clone();
        let holder = holder.clone();
        use_effect_with((props.kernel.clone(), value, *cell), move |(_, _, cell)| {
            window.set(Some(Window::around(first, frames, width(&holder), *cell)));
        });
    }
    {
        let overview = overview.clone();
        let kernel = props.kernel.clone();
        let highlight = highlight.clone();
        use_effect_with((kernel, value), move |(kernel, _)| {
            if let Some(canvas) = overview.cast::<HtmlCanvasElement>() {
                draw_overview(&canvas, &kernel.0, &highlight);
            }
        });
    }
    {
        let detail = detail.clone();
        let kernel = props.kernel.clone();
        let highlight = highlight.clone();
        let draw_ms = draw_ms.clone();
        use_effect_with((kernel, value, *window), move |(kernel, _, window)| {
            if let (Some(canvas), Some(window)) = (detail.cast::<HtmlCanvasElement>(), window) {
                draw_ms.set(draw_detail(&canvas, &kernel.0, &highlight, *window));
            }
        });
    }
    let shown = (*window).unwrap_or_else(|| Window::around(first, frames, width(&holder), *cell));
    let onmousemove = {
        let hovered = hovered.clone();
        Callback::from(move |e: MouseEvent| {
            let col = u64::from(e.offset_x().max(0) as u32 / shown.cell);
            let row = u64::from(e.offset_y().max(0) as u32 / shown.cell);
            let pfn = shown.start + row * shown.per_row + col.min(shown.per_row - 1);
            hovered.set((pfn < frames).then_some(pfn));
        })
    };
    let onoverview = {
        let window = window.clone();
        Callback::from(move |e: MouseEvent| {
            let Some(canvas) = e.target_dyn_into::<HtmlCanvasElement>() else {
                return;
            };
            let scale = f64::from(canvas.width()) / f64::from(canvas.client_width().max(1));
            let x = (f64::from(e.offset_x()) * scale) as u64;
            let y = (f64::from(e.offset_y()) * scale) as u64;
            let pfn = (y * ROW + x.min(ROW - 1)).min(frames.saturating_sub(1));
            window.set(Some(shown.recentred(pfn, frames)));
        })
    };
    // The keyboard's frame cursor: the arrow keys move it by a frame or a
    // row, Page Up/Down by a view, Home to the selected step's first frame,
    // End to the last frame; the view follows it, and its frame is
    // described below like a hovered one.
    let onkeydown = {
        let hovered = hovered.clone();
        let window = window.clone();
        Callback::from(move |e: KeyboardEvent| {
            let at = hovered.unwrap_or(first) as i64;
            let row = shown.per_row as i64;
            let page = row * shown.rows as i64;
            let next = match e.key().as_str() {
                "ArrowLeft" => at - 1,
                "ArrowRight" => at + 1,
                "ArrowUp" => at - row,
                "ArrowDown" => at + row,
                "PageUp" => at - page,
                "PageDown" => at + page,
                "Home" => first as i64,
                "End" => frames as i64 - 1,
                _ => return,
            };
            e.prevent_default();
            e.stop_propagation();
            let next = next.clamp(0, frames as i64 - 1) as u64;
            hovered.set(Some(next));
            if !shown.contains(next) {
                window.set(Some(shown.recentred(next, frames)));
            }
        })
    };
    // Always in the tree (hidden when off the view): a changing child list
    // would make the canvas be drawn anew, blank.
    let cursor_style = match hovered.filter(|pfn| shown.contains(*pfn)) {
        Some(pfn) => {
            let offset = pfn - shown.start;
            let x = (offset % shown.per_row) as u32 * shown.cell;
            let y = (offset / shown.per_row) as u32 * shown.cell;
            format!(
                "left: {x}px; top: {y}px; width: {0}px; height: {0}px",
                shown.cell
            )
        }
        None => "display: none".to_string(),
    };
    let rows = frames.div_ceil(ROW).max(1);
    let overview_window = format!(
        "top: {:.3}%; height: {:.3}%",
        shown.start as f64 / ROW as f64 / rows as f64 * 100.0,
        ((shown.end() - shown.start) as f64 / ROW as f64 / rows as f64 * 100.0).max(0.4)
    );
    let in_view = highlight
        .iter()
        .flat_map(|(pfn, n)| pfn.as_u64()..pfn.as_u64() + n)
        .filter(|f| shown.contains(*f))
        .count();
    let total: u64 = highlight.iter().map(|(_, n)| n).sum();
    let view_text = format!(
        "In view: pfn {:#x} to {:#x}, zone {}, {} frames a row, {} px each{}",
        shown.start,
        shown.end().min(frames).saturating_sub(1),
        MemMap::zone_of(Pfn::new(shown.start)),
        shown.per_row,
        shown.cell,
        if total > 0 {
            format!(
                "; {in_view} of the selected step's {total} frame{}",
                if total == 1 { "" } else { "s" }
            )
        } else {
            String::new()
        }
    );
    let selected_text = if highlight.is_empty() {
        "The selected step holds no frames.".to_string()
    } else {
        let runs: Vec<String> = highlight
            .iter()
            .take(8)
            .map(|(p, n)| {
                format!(
                    "{:#x}{}",
                    p.as_u64(),
                    if *n > 1 {
                        format!("+{n}")
                    } else {
                        String::new()
                    }
                )
            })
            .collect();
        format!(
            "The selected step's memory: {total} frame{} at pfn {}{}",
            if total == 1 { "" } else { "s" },
            runs.join(", "),
            if highlight.len() > 8 { ", …" } else { "" }
        )
    };
    let zoom_button = |size: u32| {
        let cell = cell.clone();
        let pressed = *cell == size;
        html! {
            <button type="button" aria-pressed={pressed.to_string()} onclick={move |_| cell.set(size)}>{ format!("{size} px") }</button>
        }
    };
    html! {
        <div class="memory-map">
            <div class="map-tools">
                <span>{ "Frame size " }</span>
                { for CELLS.iter().map(|&c| zoom_button(c)) }
                <span class="draw-time">{ format!("{frames} frames; view drawn in {:.1} ms", *draw_ms) }</span>
            </div>
            <div class="map-views">
                <div class="map-overview" title="The whole machine, 1024 frames a row; click to move the view">
                    <canvas ref={overview} class="overview-canvas" role="img"
                        aria-label="The whole machine, one pixel per frame, the selected step in yellow; the outlined band is the view beside it"
                        onclick={onoverview} />
                    <span class="overview-window" style={overview_window} aria-hidden="true" />
                </div>
                <div class="map-detail" ref={holder} tabindex="0" role="group"
                    aria-label="Physical memory map: the arrow keys move between frames, Home goes to the selected step's memory"
                    aria-describedby="frame-details" {onkeydown}>
                    <canvas ref={detail} class="map-canvas" role="img"
                        aria-label="The frames in view, one square per page frame"
                        data-draw-ms={format!("{:.2}", *draw_ms)}
                        data-window={format!("{:#x}-{:#x}", shown.start, shown.end())}
                        onmousemove={onmousemove} />
                    <span class="frame-cursor" aria-hidden="true" style={cursor_style} />
                </div>
            </div>
            <p class="map-in-view" data-testid="map-in-view">{ view_text }</p>
            <p class="frame-details" id="frame-details" aria-live="polite" data-testid="frame-details">
                { hovered.map(|pfn| describe(&kernel, &props.run.0, &props.source, pfn)).unwrap_or_else(|| "Point at a frame, or focus the map and use the arrow keys, for its details.".into()) }
            </p>
            <p class="selected-frames" data-testid="selected-frames">{ selected_text }</p>
            <ul class="legend">
                { for LEGEND.iter().map(|cell| {
                    let [r, g, b] = cell.rgb();
                    html! { <li><span class="swatch" style={format!("background: rgb({r},{g},{b})")} />{ cell.label() }</li> }
                }) }
                <li><span class="swatch" style={format!("background: rgb({},{},{})", HIGHLIGHT[0], HIGHLIGHT[1], HIGHLIGHT[2])} />{ "the selected step" }</li>
            </ul>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::{Window, DETAIL_HEIGHT};

    #[test]
    fn the_view_centres_on_a_frame_in_rows_of_a_power_of_two() {
        let frames = 2_359_296;
        let w = Window::around(0x12cf97, frames, 771, 4);
        assert_eq!(
            (w.per_row, w.rows, w.cell),
            (128, u64::from(DETAIL_HEIGHT / 4), 4)
        );
        assert!(w.contains(0x12cf97));
        assert_eq!(w.start % w.per_row, 0);
        let row = (0x12cf97 - w.start) / w.per_row;
        assert_eq!(row, w.rows / 2);
        // At the ends of memory the view stays inside it.
        assert_eq!(Window::around(3, frames, 771, 4).start, 0);
        let last = Window::around(frames - 1, frames, 771, 4);
        assert_eq!(last.end(), frames);
        // A narrow holder still gets 16 frames a row.
        assert_eq!(Window::around(0, frames, 40, 16).per_row, 16);
    }
}
