//! Physical memory: one cell per page frame on a canvas, coloured by what
//! the frame is used for, zones labelled, the selected step's frames
//! highlighted, and the hovered frame described as text.

use kmem::kernel::Kernel;
use kmem::layout::{VMALLOC_END, VMALLOC_START, VMEMMAP_START};
use kmem::memmap::{FrameUse, MemMap, STRUCT_PAGE_SIZE};
use kmem::zone::ZoneType;
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

/// Draws the map; returns the milliseconds it took.
fn draw(canvas: &HtmlCanvasElement, kernel: &Kernel, highlight: &[(Pfn, u64)]) -> f64 {
    let mem = &kernel.mem;
    let now = || {
        web_sys::window()
            .and_then(|w| w.performance())
            .map_or(0.0, |p| p.now())
    };
    let started = now();
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
        let cell = Cell::of(meta.used_as, meta.order);
        let rgb = match cell {
            // Slabs: a shade per cache.
            Cell::Slab => kernel.slab.cache_of(pfn).map_or(cell.rgb(), slab_shade),
            _ => cell.rgb(),
        };
        paint(pfn.as_u64(), count, rgb);
    }
    for (pfn, count) in highlight {
        paint(pfn.as_u64(), *count, HIGHLIGHT);
    }
    if let Some(context) = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
    {
        if let Ok(image) =
            ImageData::new_with_u8_clamped_array_and_sh(Clamped(&pixels), ROW as u32, rows as u32)
        {
            let _ = context.put_image_data(&image, 0.0, 0.0);
        }
        // A frame is a pixel: ring the selected runs so they show at any
        // zoom.
        context.set_stroke_style_str("rgb(255, 230, 0)");
        context.set_line_width(3.0);
        for (pfn, count) in highlight.iter().take(512) {
            let (x, y) = ((pfn.as_u64() % ROW) as f64, (pfn.as_u64() / ROW) as f64);
            let width = (*count).min(ROW - pfn.as_u64() % ROW) as f64;
            context.stroke_rect(x - 4.0, y - 4.0, width + 8.0, 9.0);
        }
    }
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

/// The physical memory view.
#[component]
pub fn MemoryMap(props: &MemoryMapProps) -> Html {
    let canvas = use_node_ref();
    let scroller = use_node_ref();
    let zoom = use_state(|| 0u8);
    let hovered = use_state(|| None::<u64>);
    let draw_ms = use_state(|| 0.0f64);
    let steps = &props.run.0.trace.steps;
    let selected = props.step.unwrap_or(steps.len().saturating_sub(1));
    let value = steps.get(selected).map_or(0, |s| s.value);
    let kernel = props.kernel.0.clone();
    let highlight = selected_frames(&kernel, value);
    {
        let canvas = canvas.clone();
        let kernel = props.kernel.clone();
        let highlight = highlight.clone();
        let draw_ms = draw_ms.clone();
        let scroller = scroller.clone();
        use_effect_with((kernel, value), move |(kernel, _)| {
            if let Some(canvas) = canvas.cast::<HtmlCanvasElement>() {
                draw_ms.set(draw(&canvas, &kernel.0, &highlight));
                // Bring the selected step's first frame into view.
                if let (Some((pfn, _)), Some(scroller)) =
                    (highlight.first(), scroller.cast::<web_sys::Element>())
                {
                    let rows = f64::from(canvas.height().max(1));
                    let y = (pfn.as_u64() / ROW) as f64 / rows * f64::from(canvas.client_height());
                    scroller.set_scroll_top(
                        (y - f64::from(scroller.client_height()) / 2.0).max(0.0) as i32,
                    );
                }
            }
        });
    }
    let frames = kernel.mem.max_pfn().as_u64();
    let rows = frames.div_ceil(ROW);
    let onmousemove = {
        let hovered = hovered.clone();
        Callback::from(move |e: MouseEvent| {
            let Some(canvas) = e.target_dyn_into::<HtmlCanvasElement>() else {
                return;
            };
            let scale = f64::from(canvas.width()) / f64::from(canvas.client_width().max(1));
            let x = (f64::from(e.offset_x()) * scale) as u64;
            let y = (f64::from(e.offset_y()) * scale) as u64;
            let pfn = y * ROW + x.min(ROW - 1);
            hovered.set((pfn < frames).then_some(pfn));
        })
    };
    // The keyboard's frame cursor: the arrow keys move it by a frame or a
    // row, Page Up/Down by 32 rows, Home to the selected step's first frame;
    // its frame is described below like a hovered one, and kept in view.
    let onkeydown = {
        let hovered = hovered.clone();
        let scroller = scroller.clone();
        let canvas = canvas.clone();
        let first = highlight.first().map_or(0, |(pfn, _)| pfn.as_u64());
        Callback::from(move |e: KeyboardEvent| {
            let at = hovered.unwrap_or(first) as i64;
            let next = match e.key().as_str() {
                "ArrowLeft" => at - 1,
                "ArrowRight" => at + 1,
                "ArrowUp" => at - ROW as i64,
                "ArrowDown" => at + ROW as i64,
                "PageUp" => at - 32 * ROW as i64,
                "PageDown" => at + 32 * ROW as i64,
                "Home" => first as i64,
                "End" => frames as i64 - 1,
                _ => return,
            };
            e.prevent_default();
            e.stop_propagation();
            let next = next.clamp(0, frames as i64 - 1) as u64;
            hovered.set(Some(next));
            if let (Some(scroller), Some(canvas)) = (
                scroller.cast::<web_sys::Element>(),
                canvas.cast::<HtmlCanvasElement>(),
            ) {
                let row_height = f64::from(canvas.client_height()) / rows.max(1) as f64;
                let y = (next / ROW) as f64 * row_height;
                let top = f64::from(scroller.scroll_top());
                let height = f64::from(scroller.client_height());
                if y < top || y + row_height > top + height {
                    scroller.set_scroll_top((y - height / 2.0).max(0.0) as i32);
                }
            }
        })
    };
    let cursor = hovered.map(|pfn| {
        let left = (pfn % ROW) as f64 / ROW as f64 * 100.0;
        let top = (pfn / ROW) as f64 / rows.max(1) as f64 * 100.0;
        html! { <span class="frame-cursor" aria-hidden="true" style={format!("left: {left:.4}%; top: {top:.4}%")} /> }
    });
    let width = match *zoom {
        0 => "100%".to_string(),
        z => format!("{}px", ROW << (z - 1)),
    };
    let zones = [ZoneType::Dma, ZoneType::Dma32, ZoneType::Normal].map(|z| {
        let start = match z {
            ZoneType::Dma => 0,
            ZoneType::Dma32 => 4096,
            _ => 1 << 20,
        };
        (z, start)
    });
    // Labels at their zone's first row, nudged apart when zones are close
    // (DMA is 4 rows).
    let mut last_top = f64::NEG_INFINITY;
    let zone_labels: Vec<Html> = zones
        .iter()
        .filter(|(_, start)| *start < frames)
        .map(|(z, start)| {
            let top = (*start as f64 / ROW as f64 / rows as f64 * 100.0).max(last_top + 3.0);
            last_top = top;
            html! { <span class="zone-label" style={format!("top: {top:.3}%")}>{ z.name() }</span> }
        })
        .collect();
    let selected_text = if highlight.is_empty() {
        "The selected step holds no frames.".to_string()
    } else {
        let count: u64 = highlight.iter().map(|(_, n)| n).sum();
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
            "The selected step's memory: {count} frame{} at pfn {}{}",
            if count == 1 { "" } else { "s" },
            runs.join(", "),
            if highlight.len() > 8 { ", …" } else { "" }
        )
    };
    let zoom_button = |z: u8, label: &'static str| {
        let zoom = zoom.clone();
        let pressed = *zoom == z;
        html! {
            <button type="button" aria-pressed={pressed.to_string()} onclick={move |_| zoom.set(z)}>{ label }</button>
        }
    };
    html! {
        <div class="memory-map">
            <div class="map-tools">
                <span>{ "Zoom " }</span>
                { zoom_button(0, "fit") }{ zoom_button(1, "1×") }{ zoom_button(2, "2×") }{ zoom_button(3, "4×") }
                <span class="draw-time">{ format!("{} frames, {} per row; drawn in {:.1} ms", frames, ROW, *draw_ms) }</span>
            </div>
            <div class="map-scroll" ref={scroller} tabindex="0" role="group"
                aria-label="Physical memory map: the arrow keys move between frames, Home goes to the selected step's memory"
                aria-describedby="frame-details" {onkeydown}>
                <div class="map-inner" style={format!("width: {width}")}>
                    <canvas ref={canvas} class="map-canvas" role="img"
                        aria-label="Physical memory, one cell per page frame; details of the hovered frame and the selected step are below"
                        data-draw-ms={format!("{:.2}", *draw_ms)}
                        onmousemove={onmousemove} />
                    { for zone_labels.into_iter() }
                    { for cursor }
                </div>
            </div>
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
