//! dmesg and the /proc files, as the real files read, at the selected step.

use kmem::kernel::Kernel;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::app::Shared;

/// Properties of [`KernelFiles`].
#[derive(Properties, PartialEq)]
pub struct KernelFilesProps {
    /// The kernel at the selected step.
    pub kernel: Shared<Kernel>,
}

/// The kernel files view.
#[component]
pub fn KernelFiles(props: &KernelFilesProps) -> Html {
    let file = use_state(|| "dmesg".to_string());
    let onchange = {
        let file = file.clone();
        Callback::from(move |e: Event| {
            let s: HtmlSelectElement = e.target_unchecked_into();
            file.set(s.value());
        })
    };
    let kernel = &props.kernel.0;
    let text = if *file == "dmesg" {
        kernel.log.render()
    } else {
        kmem::procfs::read(kernel, &file).unwrap_or_default()
    };
    let choices = std::iter::once("dmesg").chain(kmem::procfs::FILES);
    html! {
        <div class="kernel-files">
            <label>{ "File " }
                <select aria-label="Kernel file" {onchange}>
                    { for choices.map(|f| html! { <option value={f} selected={*file == f}>{ f }</option> }) }
                </select>
            </label>
            <pre class="file" tabindex="0" aria-label={(*file).clone()}>{ text }</pre>
        </div>
    }
}
