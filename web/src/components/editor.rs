//! The script editor: a plain textarea with a line-number gutter.

use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

/// Properties of [`Editor`].
#[derive(Properties, PartialEq)]
pub struct EditorProps {
    /// The script text shown.
    pub source: AttrValue,
    /// Called with the whole new text on every edit.
    pub onedit: Callback<String>,
}

/// The script editor.
#[component]
pub fn Editor(props: &EditorProps) -> Html {
    let line_count = props.source.split('\n').count();
    let gutter: String = (1..=line_count).map(|n| format!("{n}\n")).collect();
    let oninput = {
        let onedit = props.onedit.clone();
        Callback::from(move |event: InputEvent| {
            let area: HtmlTextAreaElement = event.target_unchecked_into();
            onedit.emit(area.value());
        })
    };
    html! {
        <div class="editor">
            <pre class="editor-gutter" aria-hidden="true">{ gutter }</pre>
            <textarea
                id="script"
                class="editor-text"
                aria-label="Playground script"
                spellcheck="false"
                autocapitalize="off"
                autocomplete="off"
                value={props.source.clone()}
                {oninput}
            />
        </div>
    }
}
