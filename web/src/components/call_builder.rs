//! The call builder: a call assembled with menus and checkboxes, inserted
//! into the script at the cursor.

use kmem::gfp::Gfp;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::app::State;
use crate::components::editor::insert_text;
use crate::components::gfp_inspector::{table_of, FlagChecks};
use crate::session::Settings;

/// The functions offered, and whether each takes GFP flags.
const FUNCTIONS: [(&str, bool); 8] = [
    ("kmalloc", true),
    ("kzalloc", true),
    ("kvmalloc", true),
    ("kvzalloc", true),
    ("vmalloc", false),
    ("vzalloc", false),
    ("alloc_pages", true),
    ("__get_free_pages", true),
];

/// The contexts a call can be made in, as the lines around it.
const CONTEXTS: [(&str, &str, &str); 4] = [
    ("process context", "", ""),
    (
        "under a spinlock",
        "spinlock_t lock;\nspin_lock(&lock);\n",
        "spin_unlock(&lock);\n",
    ),
    ("softirq", "softirq {\n", "}\n"),
    ("hardirq", "hardirq {\n", "}\n"),
];

/// Properties of [`CallBuilder`].
#[derive(Properties, PartialEq)]
pub struct CallBuilderProps {
    /// The settings (the release decides the flags).
    pub settings: Settings,
    /// Unused by the builder itself; kept for a uniform interface.
    pub dispatch: UseReducerDispatcher<State>,
}

/// The call builder, folded under a summary.
#[component]
pub fn CallBuilder(props: &CallBuilderProps) -> Html {
    let table = table_of(&props.settings.release);
    let function = use_state(|| 0usize);
    let size = use_state(|| "100".to_string());
    let unit = use_state(|| "".to_string());
    let context = use_state(|| 0usize);
    let mask = use_state(|| table.parse("GFP_KERNEL").map_or(0, |g| g.0));
    let name = use_state(|| "p".to_string());
    let (fname, takes_flags) = FUNCTIONS[*function];
    let pages = fname == "alloc_pages" || fname == "__get_free_pages";
    let flags = table.format(Gfp(*mask)).replace('|', " | ");
    let amount = format!("{}{}", size.trim(), *unit);
    let call = match (pages, takes_flags) {
        (true, _) => format!("{fname}({flags}, {})", size.trim()),
        (false, true) => format!("{fname}({amount}, {flags})"),
        (false, false) => format!("{fname}({amount})"),
    };
    let (_, before, after) = CONTEXTS[*context];
    let line = format!("{before}void *{} = {call};\n{after}", name.trim());
    let select = |state: UseStateHandle<usize>| {
        Callback::from(move |e: Event| {
            let s: HtmlSelectElement = e.target_unchecked_into();
            state.set(s.value().parse().unwrap_or(0));
        })
    };
    let text = |state: UseStateHandle<String>| {
        Callback::from(move |e: InputEvent| {
            let s: HtmlInputElement = e.target_unchecked_into();
            state.set(s.value());
        })
    };
    let onunit = {
        let unit = unit.clone();
        Callback::from(move |e: Event| {
            let s: HtmlSelectElement = e.target_unchecked_into();
            unit.set(s.value());
        })
    };
    let onflags = {
        let mask = mask.clone();
        Callback::from(move |m: u32| mask.set(m))
    };
    let oninsert = {
        let line = line.clone();
        Callback::from(move |_: MouseEvent| insert_text(&line))
    };
    html! {
        <details class="call-builder">
            <summary>{ "Call builder" }</summary>
            <div class="builder-row">
                <label>{ "Function " }
                    <select aria-label="Function" onchange={select(function.clone())}>
                        { for FUNCTIONS.iter().enumerate().map(|(i, (f, _))| html! {
                            <option value={i.to_string()} selected={i == *function}>{ *f }</option>
                        }) }
                    </select>
                </label>
                <label>{ if pages { "Order " } else { "Size " } }
                    <input type="text" aria-label={if pages { "Order" } else { "Size" }} size="8"
                        value={(*size).clone()} oninput={text(size.clone())} />
                </label>
                if !pages {
                    <select aria-label="Size unit" onchange={onunit}>
                        <option value="" selected={unit.is_empty()}>{ "bytes" }</option>
                        { for ["K", "M"].iter().map(|u| html! {
                            <option value={format!(" * SZ_1{u}")}>{ format!("× SZ_1{u}") }</option>
                        }) }
                    </select>
                }
                <label>{ "Variable " }
                    <input type="text" aria-label="Variable" size="6" value={(*name).clone()} oninput={text(name.clone())} />
                </label>
                <label>{ "Context " }
                    <select aria-label="Context" onchange={select(context.clone())}>
                        { for CONTEXTS.iter().enumerate().map(|(i, (c, _, _))| html! {
                            <option value={i.to_string()} selected={i == *context}>{ *c }</option>
                        }) }
                    </select>
                </label>
            </div>
            if takes_flags {
                <p class="mode"><code>{ table.format_mode(Gfp(*mask)) }</code></p>
                <FlagChecks release={AttrValue::from(props.settings.release.clone())} mask={*mask} onchange={onflags} />
            }
            <pre class="builder-preview" aria-label="The line to insert">{ line }</pre>
            <button type="button" onclick={oninsert}>{ "Insert at the cursor" }</button>
        </details>
    }
}
