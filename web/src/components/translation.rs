//! Address translation: an address or expression (`v + 5000`) translated
//! by the vmalloc-aware path (`kvm_kaddr_to_phys`): `is_vmalloc_addr`, then
//! `__pa`'s arithmetic or the page-table walk, then `page_to_phys` +
//! `offset_in_page`; for a vmalloc address, also what a plain `__pa` gives
//! and why it is wrong.

use kmem::kernel::{CallValue, Kernel};
use kmem::translate::{Step, StepKind};
use kmem::VirtAddr;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::app::Shared;
use crate::session::Run;

/// Properties of [`Translation`].
#[derive(Properties, PartialEq)]
pub struct TranslationProps {
    /// The run (its variables).
    pub run: Shared<Run>,
    /// The kernel at the selected step.
    pub kernel: Shared<Kernel>,
    /// The selected step.
    pub step: Option<usize>,
}

/// One recorded step as a table row.
fn step_row(step: &Step) -> Html {
    let detail = match &step.kind {
        StepKind::Arithmetic => String::new(),
        StepKind::Test { passed } => (if *passed { "true" } else { "false" }).to_string(),
        StepKind::TableEntry {
            level,
            index,
            table,
            entry,
        } => format!(
            "{} table at {:#x}, index {index}: entry {entry:#018x}",
            level.name().to_uppercase(),
            table.as_u64()
        ),
    };
    let note = step.note.clone().unwrap_or_default();
    // Each cell names its column: at phone width the rows stack (main.css).
    let blank = |text: &str| text.is_empty().then_some("blank");
    html! {
        <tr>
            <td data-label="function"><code>{ step.function }</code></td>
            <td data-label="computation"><code>{ &step.arithmetic }</code></td>
            <td data-label="detail" class={classes!(blank(&detail))}>{ &detail }</td>
            <td data-label="value"><code>{ format!("{:#x}", step.output) }</code></td>
            <td data-label="note" class={classes!(blank(&note))}>{ &note }</td>
        </tr>
    }
}

fn walk_table(caption: &str, steps: &[Step]) -> Html {
    html! {
        <table class="walk">
            <caption>{ caption }</caption>
            <thead><tr>
                <th scope="col">{ "function" }</th><th scope="col">{ "computation" }</th>
                <th scope="col">{ "detail" }</th><th scope="col">{ "value" }</th><th scope="col">{ "note" }</th>
            </tr></thead>
            <tbody>{ for steps.iter().map(step_row) }</tbody>
        </table>
    }
}

/// The translation view.
#[component]
pub fn Translation(props: &TranslationProps) -> Html {
    let trace = &props.run.0.trace;
    let variables = match props.step {
        Some(step) => trace.variables_at(step),
        None => trace.variables.clone(),
    };
    let default = variables
        .iter()
        .rev()
        .find(|(_, v)| *v >= 0xffff_8000_0000_0000)
        .map(|(name, _)| format!("{name} + 5000"))
        .unwrap_or_else(|| "PAGE_OFFSET + 0x1000".to_string());
    let text = use_state(|| None::<String>);
    let shown = (*text).clone().unwrap_or(default);
    let oninput = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            text.set(Some(input.value()));
        })
    };
    let kernel = &props.kernel.0;
    let body = match kmem_script::evaluate(&shown, &variables, Kernel::clone(kernel)) {
        Err(d) => html! { <p class="status error" role="alert">{ d.message }</p> },
        Ok(addr) => {
            let addr = VirtAddr::new(addr);
            let mut k = Kernel::clone(kernel);
            let event = k.kaddr_to_phys(addr);
            let result = match event.value {
                CallValue::Phys(p) => format!("{:#x}", p.as_u64()),
                _ => "no physical address".to_string(),
            };
            let translator = kernel.translator();
            let vmalloc = translator.is_vmalloc_addr(addr).value;
            let plain = vmalloc.then(|| translator.pa(addr));
            html! {
                <>
                    <p class="mode" aria-live="polite">
                        { format!("{:#x} → ", addr.as_u64()) }
                        <code data-testid="translation-result">{ result }</code>
                        { if vmalloc { " (vmalloc address: page-table walk)" } else { " (not vmalloc: __pa arithmetic)" } }
                    </p>
                    { walk_table("kvm_kaddr_to_phys, step by step", &event.walk) }
                    if !event.log.is_empty() {
                        <pre class="step-log">{ event.log.iter().map(|l| l.to_string()).collect::<Vec<_>>().join("\n") }</pre>
                    }
                    if let Some(plain) = plain {
                        <section class="pitfall">
                            <h3>{ "What a plain __pa would have returned" }</h3>
                            <p>
                                { format!("__pa({:#x}) = {:#x}: ", addr.as_u64(), plain.value.as_u64()) }
                                { "__pa subtracts PAGE_OFFSET, which is only right for the direct map. A vmalloc address is mapped page by page through the page tables, so that number is not where the data lives (it may not even be RAM)." }
                            </p>
                            { walk_table("__pa", &plain.steps) }
                        </section>
                    }
                </>
            }
        }
    };
    html! {
        <div class="translation">
            <label class="wide">{ "Address or expression (variables of the selected step)" }
                <input type="text" aria-label="Address to translate" value={shown} {oninput} spellcheck="false" />
            </label>
            { body }
        </div>
    }
}
