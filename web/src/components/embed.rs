//! Embeds: the size an embedded playground reports to its page, and the
//! dialog that writes the snippets for embedding the current state.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::app::{Action, State};
use crate::components::views::View;
use crate::share::{EmbedOptions, SharedState};
use crate::storage;

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

/// The dialog with the iframe snippet and the loader snippet.
#[component]
pub fn EmbedDialog(props: &EmbedDialogProps) -> Html {
    let options = use_state(|| EmbedOptions {
        panes: vec![View::Timeline],
        readonly: false,
        spoiler: false,
    });
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
    let embedded = SharedState {
        embed: Some((*options).clone()),
        ..props.state.clone()
    };
    // A state too large for a link makes an embed that cannot open.
    let too_large = embedded.to_checked_fragment().err();
    let link = storage::link(&embedded.to_fragment());
    let base = link.split('#').next().unwrap_or_default().to_string();
    let iframe = format!(
        "<iframe src=\"{}\" title=\"kmem playground\" width=\"100%\" height=\"420\" style=\"border:1px solid #ccc;border-radius:6px\" loading=\"lazy\"></iframe>",
        escape(&link)
    );
    let mut attributes = format!("data-kernel=\"{}\"", escape(&props.state.settings.release));
    if !options.panes.is_empty() {
        attributes.push_str(&format!(
            " data-panes=\"{}\"",
            options
                .panes
                .iter()
                .map(|v| v.id())
                .collect::<Vec<_>>()
                .join(",")
        ));
    }
    if options.readonly {
        attributes.push_str(" data-readonly");
    }
    if options.spoiler {
        attributes.push_str(" data-spoiler");
    }
    let loader = format!(
        "<script src=\"{}embed.js\" defer></script>\n<pre class=\"kmem-playground\" {attributes}>{}</pre>",
        escape(base.trim_end_matches("index.html")),
        escape(&props.state.script)
    );
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
                <label class="switch"><input type="checkbox" checked={options.readonly} onchange={flag(|o, on| o.readonly = on)} />{ "read-only editor" }</label>
                <label class="switch"><input type="checkbox" checked={options.spoiler} onchange={flag(|o, on| o.spoiler = on)} />{ "hide the result until the reader asks (spoiler)" }</label>
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
