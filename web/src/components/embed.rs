//! Embeds: the size an embedded playground reports to its page, and the
//! dialog that writes the snippets for embedding the current state.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::app::{Action, State};
use crate::components::views::View;
use crate::share::{debug_words, parse_theme, theme_name, EmbedOptions, SharedState};
use crate::storage;
use kmem::memmap::Uptime;

/// The message type an embed posts to its page with its height.
pub const SIZE_MESSAGE: &str = "kmem-playground:size";

/// Reports the page's height to the embedding page whenever it changes
/// (`postMessage`; the loader checks the sender's origin).
#[component]
pub fn EmbedSize() -> Html {
    use_effect_with((), |_| {
        let window = gloo::utils::window();
        let report = Closure::<dyn Fn()>::new(move || {
            let window = gloo::utils::window();
            // The body's own height: the document's would never be less
            // than the frame's.
            let Some(body) = window.document().and_then(|d| d.body()) else {
                return;
            };
            let height = body.get_bounding_client_rect().height().ceil();
            let message = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&message, &"type".into(), &SIZE_MESSAGE.into());
            let _ = js_sys::Reflect::set(&message, &"height".into(), &JsValue::from(height));
            if let Ok(Some(parent)) = window.parent() {
                let _ = parent.post_message(&message, "*");
            }
        });
        let observer = web_sys::ResizeObserver::new(report.as_ref().unchecked_ref()).ok();
        if let (Some(observer), Some(body)) = (&observer, window.document().and_then(|d| d.body()))
        {
            observer.observe(&body);
        }
        move || {
            if let Some(observer) = observer {
                observer.disconnect();
            }
            drop(report);
        }
    });
    Html::default()
}

/// Properties of [`EmbedDialog`].
#[derive(Properties, PartialEq)]
pub struct EmbedDialogProps {
    /// The state to embed.
    pub state: SharedState,
    /// The author's theme (`None`: the system's), the dialog's first choice.
    pub dark: Option<bool>,
    /// Where closing goes.
    pub dispatch: UseReducerDispatcher<State>,
}

/// Escapes text for an HTML snippet.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The frame's height in the iframe snippet, which cannot follow its
/// content: the embed bar, the editor and a view fit, and on a phone the
/// frame takes most of the screen rather than cutting the playground.
const FRAME_HEIGHT: &str = "height:min(640px,85vh)";

/// The loader snippet's code block for `state`: every setting that
/// changes what a reader sees, as `data-` attributes, and the script.
fn loader_block(state: &SharedState, options: &EmbedOptions) -> String {
    let mut attributes = vec![
        format!("data-kernel=\"{}\"", escape(&state.settings.release)),
        format!("data-machine=\"{}\"", escape(&state.settings.preset)),
    ];
    if state.settings.uptime != Uptime::Running {
        attributes.push(format!("data-uptime=\"{}\"", state.settings.uptime.name()));
    }
    let debug = debug_words(state.settings.debug);
    if !debug.is_empty() {
        attributes.push(format!("data-debug=\"{}\"", debug.join(" ")));
    }
    let panes: Vec<&str> = options.panes.iter().map(|v| v.id()).collect();
    if !panes.is_empty() {
        attributes.push(format!("data-panes=\"{}\"", panes.join(",")));
    }
    if options.panes.contains(&state.view) && options.panes.first() != Some(&state.view) {
        attributes.push(format!("data-view=\"{}\"", state.view.id()));
    }
    if let Some(step) = state.step {
        attributes.push(format!("data-step=\"{step}\""));
    }
    if options.dark.is_some() {
        attributes.push(format!("data-theme=\"{}\"", theme_name(options.dark)));
    }
    if options.readonly {
        attributes.push("data-readonly".into());
    }
    if options.spoiler {
        attributes.push("data-spoiler".into());
    }
    format!(
        "<pre class=\"kmem-playground\" {}>{}</pre>",
        attributes.join(" "),
        escape(&state.script)
    )
}

/// The dialog with the iframe snippet and the loader snippet.
#[component]
pub fn EmbedDialog(props: &EmbedDialogProps) -> Html {
    let options = {
        let view = props.state.view;
        let dark = props.dark;
        use_state(move || EmbedOptions {
            panes: vec![view],
            readonly: false,
            spoiler: false,
            dark,
        })
    };
    let toggle_pane = |view: View| {
        let options = options.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let mut next = (*options).clone();
            next.panes.retain(|v| *v != view);
            if input.checked() {
                next.panes.push(view);
                next.panes
                    .sort_by_key(|v| View::ALL.iter().position(|a| a == v));
            }
            options.set(next);
        })
    };
    let flag = |set: fn(&mut EmbedOptions, bool)| {
        let options = options.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let mut next = (*options).clone();
            set(&mut next, input.checked());
            options.set(next);
        })
    };
    let ontheme = {
        let options = options.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            let mut next = (*options).clone();
            next.dark = parse_theme(&select.value()).flatten();
            options.set(next);
        })
    };
    let embedded = SharedState {
        embed: Some((*options).clone()),
        ..props.state.clone()
    };
    // A state too large for a link makes an embed that cannot open.
    let too_large = embedded.to_checked_fragment().err();
    let link = storage::link(&embedded.to_fragment());
    let base = link.split('#').next().unwrap_or_default().to_string();
    let iframe = format!(
        "<iframe src=\"{}\" title=\"kmem playground: {}\" style=\"display:block;box-sizing:border-box;width:100%;{FRAME_HEIGHT};border:1px solid #ccc;border-radius:6px\" loading=\"lazy\"></iframe>",
        escape(&link),
        escape(first_line(&props.state.script)),
    );
    let loader = format!(
        "<script src=\"{}embed.js\" defer></script>\n{}",
        escape(base.trim_end_matches("index.html")),
        loader_block(&props.state, &options)
    );
    let theme = theme_name(options.dark);
    let debug = debug_words(props.state.settings.debug);
    let close = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.dispatch(Action::EmbedDialog(false)))
    };
    let onkeydown = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                e.stop_propagation();
                dispatch.dispatch(Action::EmbedDialog(false));
            }
        })
    };
    html! {
        <div class="overlay" {onkeydown}>
            <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="embed-title">
                <h2 id="embed-title">{ "Embed this script" }</h2>
                <button type="button" class="close" onclick={close}>{ "Close" }</button>
                <fieldset class="switches">
                    <legend>{ "Panes" }</legend>
                    { for View::ALL.iter().map(|v| html! {
                        <label class="switch">
                            <input type="checkbox" checked={options.panes.contains(v)} onchange={toggle_pane(*v)} />
                            { v.id() }
                        </label>
                    }) }
                </fieldset>
                <div class="embed-options">
                    <label class="switch"><input type="checkbox" checked={options.readonly} onchange={flag(|o, on| o.readonly = on)} />{ "read-only editor" }</label>
                    <label class="switch"><input type="checkbox" checked={options.spoiler} onchange={flag(|o, on| o.spoiler = on)} />{ "hide the result until the reader asks (spoiler)" }</label>
                    <label class="switch">{ "Theme " }
                        <select aria-label="Theme of the embed" onchange={ontheme}>
                            { for [("auto", "the reader's (auto)"), ("light", "light"), ("dark", "dark")].into_iter().map(|(value, label)| html! {
                                <option value={value} selected={value == theme}>{ label }</option>
                            }) }
                        </select>
                    </label>
                </div>
                <p class="hint">{ format!("The embed runs Linux {} on the {} machine{}{}, as here: readers see the same addresses.", props.state.settings.release, props.state.settings.preset, if props.state.settings.uptime == Uptime::Running { "" } else { " just booted" }, if debug.is_empty() { String::new() } else { format!(" with {}", debug.join(", ")) }) }</p>
                if let Some(e) = too_large {
                    <p class="status error" role="alert">
                        { format!("This script is too large to embed: {e}. Shorten it first.") }
                    </p>
                }
                <h3>{ "An iframe" }</h3>
                <textarea class="snippet" readonly=true aria-label="The iframe snippet" value={iframe} />
                <h3>{ "Or the loader, once per page, and a code block" }</h3>
                <p>{ "Without JavaScript the code block stays a plain code block." }</p>
                <textarea class="snippet" readonly=true aria-label="The loader snippet" value={loader} />
            </div>
        </div>
    }
}

/// The first line of a script that is not blank or a comment, for a
/// frame's title (screen readers list frames by title).
fn first_line(script: &str) -> &str {
    let line = script
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("//"))
        .unwrap_or("");
    match line.char_indices().nth(60) {
        Some((at, _)) => &line[..at],
        None => line,
    }
}
