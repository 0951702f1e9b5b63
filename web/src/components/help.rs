//! The help overlay: keyboard shortcuts and the language reference.

use yew::prelude::*;

use crate::app::{Action, State};

/// Properties of [`Help`].
#[derive(Properties, PartialEq)]
pub struct HelpProps {
    /// Where closing goes.
    pub dispatch: UseReducerDispatcher<State>,
}

const SHORTCUTS: [(&str, &str); 9] = [
    (
        "Ctrl+Enter (⌘+Enter)",
        "run the script now (it also runs when typing pauses)",
    ),
    ("Tab", "indent, in the editor"),
    (
        "Escape",
        "leave the editor (then Tab moves on); close this help",
    ),
    ("Ctrl+Z / Ctrl+Shift+Z", "undo / redo in the editor"),
    ("← / →", "previous / next step, outside text fields"),
    ("Home / End", "first step / the end of the run"),
    ("← / → on a tab", "previous / next view"),
    ("← / → on the divider", "resize the editor"),
    ("?", "this help"),
];

/// The help dialog.
#[component]
pub fn Help(props: &HelpProps) -> Html {
    let close = use_node_ref();
    {
        let close = close.clone();
        use_effect_with((), move |_| {
            if let Some(button) = close.cast::<web_sys::Element>() {
                crate::dom::focus(&button);
            }
        });
    }
    let onclose = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.dispatch(Action::Help(false)))
    };
    let onkeydown = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                e.stop_propagation();
                dispatch.dispatch(Action::Help(false));
            }
        })
    };
    html! {
        <div class="overlay" {onkeydown}>
            <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="help-title">
                <h2 id="help-title">{ "Help" }</h2>
                <button type="button" class="close" ref={close} onclick={onclose}>{ "Close" }</button>
                <table class="shortcuts">
                    <caption>{ "Keyboard shortcuts" }</caption>
                    { for SHORTCUTS.iter().map(|(keys, what)| html! {
                        <tr><th scope="row"><kbd>{ *keys }</kbd></th><td>{ *what }</td></tr>
                    }) }
                </table>
                <details>
                    <summary>{ "The playground language" }</summary>
                    <pre class="reference">{ kmem_script::HELP }</pre>
                </details>
            </div>
        </div>
    }
}
