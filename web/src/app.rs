//! The playground's top-level component.

use crate::components::diagnostics::Diagnostics;
use crate::components::editor::Editor;
use yew::prelude::*;

/// The script a first visit opens with.
pub const DEFAULT_SCRIPT: &str = "\
// kmalloc: physically contiguous, from the direct map.
void *buf = kmalloc(100, GFP_KERNEL);

// vmalloc: virtually contiguous, pages scattered in RAM.
void *big = vmalloc(SZ_1M);

kfree(buf);
vfree(big);
";

/// The whole playground.
#[component]
pub fn App() -> Html {
    let source = use_state(|| AttrValue::from(DEFAULT_SCRIPT));
    let diagnostics = use_memo((*source).clone(), |text| kmem_script::check(text));
    let onedit = {
        let source = source.clone();
        Callback::from(move |text: String| source.set(AttrValue::from(text)))
    };
    html! {
        <div class="app">
            <header class="app-header">
                <h1>{ "kmem playground" }</h1>
                <p class="tagline">
                    { "The Linux kernel's memory allocation API, simulated in your browser." }
                </p>
            </header>
            <main class="app-main">
                <Editor source={(*source).clone()} {onedit} />
                <Diagnostics source={(*source).clone()} diagnostics={(*diagnostics).clone()} />
            </main>
        </div>
    }
}
