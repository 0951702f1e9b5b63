//! The header: kernel release, machine, debug switches, examples, theme
//! and help.

use kmem::kernel::DebugConfig;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::app::{Action, State};
use crate::displaced::Why;
use crate::session::{presets, releases, Settings};
use kmem::memmap::Uptime;

/// Properties of [`Header`].
#[derive(Properties, PartialEq)]
pub struct HeaderProps {
    /// The current settings.
    pub settings: Settings,
    /// Whether the page is dark.
    pub dark: bool,
    /// Where choices go.
    pub dispatch: UseReducerDispatcher<State>,
    /// Makes and copies a share link.
    pub onshare: Callback<()>,
    /// Downloads the script.
    pub onexport: Callback<()>,
}

/// The header bar.
#[component]
pub fn Header(props: &HeaderProps) -> Html {
    let dispatch = props.dispatch.clone();
    let on_select = |make: fn(String) -> Action| {
        let dispatch = dispatch.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            dispatch.dispatch(make(select.value()));
        })
    };
    let onexample = {
        let dispatch = dispatch.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            if let Some(example) = kmem_script::examples::find(&select.value()) {
                dispatch.dispatch(Action::Load(example.source.to_string(), Why::Example));
            }
            select.set_value("");
        })
    };
    let onimport = {
        let dispatch = dispatch.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let Some(file) = input.files().and_then(|files| files.get(0)) else {
                return;
            };
            input.set_value("");
            if file.size() > crate::share::MAX_STATE as f64 {
                dispatch.dispatch(Action::Notify(Some(crate::app::Notice::error(format!(
                    "{} is larger than the {} KiB a script may have.",
                    file.name(),
                    crate::share::MAX_STATE / 1024
                )))));
                return;
            }
            let dispatch = dispatch.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match wasm_bindgen_futures::JsFuture::from(file.text())
                    .await
                    .ok()
                    .and_then(|t| t.as_string())
                {
                    Some(text) => dispatch.dispatch(Action::Load(text, Why::Import)),
                    None => dispatch.dispatch(Action::Notify(Some(crate::app::Notice::error(
                        format!("{} could not be read as text.", file.name()),
                    )))),
                }
            });
        })
    };
    let debug = props.settings.debug;
    let switch = |label: &'static str,
                  title: &'static str,
                  get: fn(&DebugConfig) -> bool,
                  set: fn(&mut DebugConfig, bool)| {
        let dispatch = dispatch.clone();
        let onchange = Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let mut next = debug;
            set(&mut next, input.checked());
            dispatch.dispatch(Action::Debug(next));
        });
        html! {
            <label class="switch" title={title}>
                <input type="checkbox" checked={get(&debug)} {onchange} />
                { label }
            </label>
        }
    };
    let random_caches = kmem::profile::Profile::parse(&props.settings.release)
        .is_ok_and(|p| p.has(kmem::profile::Change::RandomKmallocCaches));
    html! {
        <header class="app-header">
            <h1>{ "kmem playground" }</h1>
            <div class="controls">
                <label>
                    { "Kernel " }
                    <select aria-label="Kernel version" onchange={on_select(Action::Release)}>
                        { for releases().into_iter().map(|r| {
                            let pinned = kmem::profile::Profile::parse(r)
                                .map(|p| p.pinned().release.to_string())
                                .unwrap_or_default();
                            html! {
                                <option value={r} selected={props.settings.release == r} title={format!("simulates {pinned}: its line numbers, names and behaviour")}>{ format!("{r} ({pinned})") }</option>
                            }
                        }) }
                    </select>
                </label>
                <label>
                    { "Machine " }
                    <select aria-label="Machine" onchange={on_select(Action::Preset)}>
                        { for presets().map(|(name, description)| html! {
                            <option value={name} selected={props.settings.preset == name} title={description}>
                                { format!("{name}: {}", description.split(':').next().unwrap_or(description)) }
                            </option>
                        }) }
                    </select>
                </label>
                <label title="A machine up for a while has a page cache, processes and scattered free memory; a just-booted one hands out consecutive frames">
                    <select aria-label="Machine uptime" onchange={
                        let dispatch = dispatch.clone();
                        Callback::from(move |e: Event| {
                            let select: HtmlSelectElement = e.target_unchecked_into();
                            if let Some(uptime) = Uptime::parse(&select.value()) {
                                dispatch.dispatch(Action::Uptime(uptime));
                            }
                        })
                    }>
                        <option value="running" selected={props.settings.uptime == Uptime::Running}>{ "up for a while" }</option>
                        <option value="booted" selected={props.settings.uptime == Uptime::JustBooted}>{ "just booted" }</option>
                    </select>
                </label>
                <fieldset class="switches">
                    <legend>{ "Debug" }</legend>
                    { switch("slub_debug", "slub_debug on the command line: red zones, poison, tracking", |d| d.slub_debug, |d, on| d.slub_debug = on) }
                    if random_caches {
                        { switch("random kmalloc caches", "CONFIG_RANDOM_KMALLOC_CACHES (6.6+)", |d| d.random_kmalloc_caches, |d, on| d.random_kmalloc_caches = on) }
                    }
                    { switch("might_sleep checks", "CONFIG_DEBUG_ATOMIC_SLEEP", |d| d.debug_atomic_sleep, |d, on| d.debug_atomic_sleep = on) }
                    { switch("hardened freelist", "CONFIG_SLAB_FREELIST_HARDENED", |d| d.freelist_hardened, |d, on| d.freelist_hardened = on) }
                </fieldset>
                <label>
                    { "Examples " }
                    <select aria-label="Examples" onchange={onexample}>
                        <option value="" selected=true>{ "Open an example…" }</option>
                        { for kmem_script::examples::EXAMPLES.iter().map(|e| html! {
                            <option value={e.name}>{ e.title }</option>
                        }) }
                    </select>
                </label>
                <button type="button" onclick={ let f = props.onshare.clone(); move |_| f.emit(()) }>{ "Share" }</button>
                <button type="button" onclick={ let d = dispatch.clone(); move |_| d.dispatch(Action::EmbedDialog(true)) }>{ "Embed" }</button>
                <button type="button" onclick={ let f = props.onexport.clone(); move |_| f.emit(()) }>{ "Export" }</button>
                <label class="import">
                    { "Import" }
                    <input type="file" accept=".kmem,.c,.txt,text/plain" aria-label="Import a script file" onchange={onimport} />
                </label>
                <button type="button" aria-label="Switch between dark and light"
                    onclick={ let d = dispatch.clone(); move |_| d.dispatch(Action::ToggleTheme) }>
                    { if props.dark { "Light" } else { "Dark" } }
                </button>
                <button type="button" aria-label="Help and keyboard shortcuts"
                    onclick={ let d = dispatch.clone(); move |_| d.dispatch(Action::Help(true)) }>
                    { "?" }
                </button>
            </div>
        </header>
    }
}
