//! The virtual address space: x86_64's regions on a readable non-linear
//! scale (each region's height grows with the log of its size), the
//! script's pointers placed in them, and for the selected step's memory,
//! lines from its virtual pages to their physical frames.

use kmem::kernel::Kernel;
use kmem::layout::RegionKind;
use kmem::{VirtAddr, PAGE_SHIFT};
use yew::prelude::*;

use crate::app::Shared;
use crate::session::Run;

/// Properties of [`AddressSpace`].
#[derive(Properties, PartialEq)]
pub struct AddressSpaceProps {
    /// The run (its variables).
    pub run: Shared<Run>,
    /// The kernel at the selected step.
    pub kernel: Shared<Kernel>,
    /// The selected step.
    pub step: Option<usize>,
}

/// `n` bytes in binary units.
fn size_text(n: u64) -> String {
    const UNITS: [(u64, &str); 6] = [
        (1 << 60, "EiB"),
        (1 << 50, "PiB"),
        (1 << 40, "TiB"),
        (1 << 30, "GiB"),
        (1 << 20, "MiB"),
        (1 << 10, "KiB"),
    ];
    UNITS
        .iter()
        .find(|(u, _)| n >= *u)
        .map_or(format!("{n} B"), |(u, name)| {
            format!("{:.0} {name}", n as f64 / *u as f64)
        })
}

/// The pairs (virtual page, physical frame) of the memory at `value`.
fn mapping(kernel: &Kernel, value: u64) -> Vec<(u64, u64)> {
    let addr = VirtAddr::new(value);
    if let Some(area) = kernel.vmap.area_containing(addr) {
        let page_bytes = 1u64 << (PAGE_SHIFT + u32::from(area.page_order));
        return area
            .pages
            .iter()
            .enumerate()
            .map(|(i, pfn)| (area.start.as_u64() + i as u64 * page_bytes, pfn.as_u64()))
            .collect();
    }
    let t = kernel.translator();
    if t.is_vmalloc_addr(addr).value {
        return Vec::new();
    }
    let page_offset = kernel.profile().page_offset().as_u64();
    let pfn = value.wrapping_sub(page_offset) >> PAGE_SHIFT;
    match kernel.mem.head_of(kmem::Pfn::new(pfn)) {
        Some((head, order)) if value >= page_offset => (0..1u64 << order.min(10))
            .map(|i| {
                (
                    page_offset + ((head.as_u64() + i) << PAGE_SHIFT),
                    head.as_u64() + i,
                )
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The virtual-to-physical lines, as SVG.
fn lines_svg(pairs: &[(u64, u64)]) -> Html {
    let shown = &pairs[..pairs.len().min(64)];
    let mut frames: Vec<u64> = shown.iter().map(|(_, p)| *p).collect();
    frames.sort_unstable();
    frames.dedup();
    let row = 18.0;
    let height = row * shown.len().max(frames.len()) as f64 + 10.0;
    let y_frame = |p: u64| frames.iter().position(|f| *f == p).unwrap_or(0) as f64 * row + 14.0;
    html! {
        <svg class="mapping" viewBox={format!("0 0 640 {height}")} role="img"
            aria-label={format!("{} virtual pages and the frames they map to", shown.len())}>
            { for shown.iter().enumerate().map(|(i, (v, p))| {
                let y = i as f64 * row + 14.0;
                html! {
                    <g>
                        <text x="4" y={y.to_string()}>{ format!("{v:#x}") }</text>
                        <line x1="190" y1={(y - 4.0).to_string()} x2="450" y2={(y_frame(*p) - 4.0).to_string()} />
                    </g>
                }
            }) }
            { for frames.iter().map(|p| html! {
                <text x="460" y={y_frame(*p).to_string()}>{ format!("pfn {p:#x}") }</text>
            }) }
        </svg>
    }
}

/// The address space view.
#[component]
pub fn AddressSpace(props: &AddressSpaceProps) -> Html {
    let kernel = &props.kernel.0;
    let trace = &props.run.0.trace;
    let variables = match props.step {
        Some(step) => trace.variables_at(step),
        None => trace.variables.clone(),
    };
    let regions = kernel.layout.regions().iter().filter(|r| {
        !matches!(
            r.kind,
            RegionKind::Hole | RegionKind::NonCanonical | RegionKind::User
        )
    });
    let rows = regions.map(|r| {
        let inside: Vec<&(String, u64)> = variables.iter().filter(|(_, v)| r.contains(VirtAddr::new(*v))).collect();
        let height = (r.size().max(1) as f64).log2().max(12.0) * 0.09;
        html! {
            <li class={classes!("region", (!inside.is_empty()).then_some("used"))} style={format!("min-height: {height:.2}em")}>
                <span class="region-name">{ r.name }</span>
                <code class="region-range">{ format!("{:#x}–{:#x}", r.start.as_u64(), r.end.as_u64()) }</code>
                <span class="region-size">{ size_text(r.size()) }</span>
                if !inside.is_empty() {
                    <ul class="pointers">
                        { for inside.iter().map(|(name, v)| html! {
                            <li><code>{ format!("{name} = {v:#x}") }</code></li>
                        }) }
                    </ul>
                }
            </li>
        }
    });
    let steps = &trace.steps;
    let selected = props.step.unwrap_or(steps.len().saturating_sub(1));
    let value = steps.get(selected).map_or(0, |s| s.value);
    let pairs = mapping(kernel, value);
    html! {
        <div class="address-space">
            <ol class="regions" aria-label="Kernel virtual address space, highest last">{ for rows }</ol>
            <section class="mapping-section">
                <h3>{ format!("The selected step's memory at {value:#x}") }</h3>
                if pairs.is_empty() {
                    <p>{ "The selected step's result is not mapped memory." }</p>
                } else {
                    <p>{ format!("{} page{}{}", pairs.len(), if pairs.len() == 1 { "" } else { "s" },
                        if pairs.len() > 64 { " (the first 64 drawn)" } else { "" }) }</p>
                    { lines_svg(&pairs) }
                }
            </section>
        </div>
    }
}
