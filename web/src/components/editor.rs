//! The script editor: a textarea over a highlighted copy of its text, with
//! a gutter of line numbers, errors underlined where they are and their
//! message at the end of the line.
//!
//! The textarea stays the browser's own (its undo and redo, selection,
//! input methods); its text is transparent and the layers behind it show
//! the colours. Tab indents, Ctrl/Cmd-Enter runs, Esc leaves the editor.

use kmem_script::{lex, Diagnostic, LineIndex, TokenKind};
use wasm_bindgen::JsCast;
use web_sys::{HtmlDocument, HtmlTextAreaElement};
use yew::prelude::*;

use crate::app::{Action, State};

/// The textarea's id (the call builder inserts into it).
pub const EDITOR_ID: &str = "script";

/// Lines highlighted beyond the visible ones, above and below together.
const WINDOW_LINES: usize = 40;
/// The editor's line height (14 px at line-height 1.5, as the CSS sets).
const LINE_HEIGHT_PX: f64 = 21.0;

/// Properties of [`Editor`].
#[derive(Properties, PartialEq)]
pub struct EditorProps {
    /// The text.
    pub text: AttrValue,
    /// Bumped when the text is replaced from outside (an example): the
    /// textarea then takes `text`.
    pub revision: u32,
    /// The problems to mark.
    pub diagnostics: Vec<Diagnostic>,
    /// Where edits go.
    pub dispatch: UseReducerDispatcher<State>,
    /// The text cannot be changed (an embed's choice).
    #[prop_or_default]
    pub readonly: bool,
}

/// The script editor.
#[component]
pub fn Editor(props: &EditorProps) -> Html {
    let area = use_node_ref();
    let layers = use_node_ref();
    // The lines shown, so that only they are highlighted token by token
    // (a long script stays cheap to re-render on every keystroke).
    let window = use_state(|| (0usize, WINDOW_LINES));
    // The textarea is uncontrolled (so its undo history survives): it takes
    // the text on mount and when the script is replaced.
    {
        let area = area.clone();
        let text = props.text.clone();
        use_effect_with(props.revision, move |_| {
            if let Some(area) = area.cast::<HtmlTextAreaElement>() {
                area.set_value(&text);
            }
        });
    }
    let oninput = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |event: InputEvent| {
            let area: HtmlTextAreaElement = event.target_unchecked_into();
            dispatch.dispatch(Action::Edit(area.value()));
        })
    };
    let onkeydown = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |event: KeyboardEvent| match event.key().as_str() {
            "Enter" if event.ctrl_key() || event.meta_key() => {
                event.prevent_default();
                dispatch.dispatch(Action::Run);
            }
            "Tab" if !event.shift_key() && !event.ctrl_key() && !event.alt_key() => {
                event.prevent_default();
                insert_text("    ");
            }
            "Escape" => {
                let area: HtmlTextAreaElement = event.target_unchecked_into();
                let _ = area.blur();
            }
            _ => {}
        })
    };
    let onscroll = {
        let layers = layers.clone();
        let window = window.clone();
        Callback::from(move |event: Event| {
            let area: HtmlTextAreaElement = event.target_unchecked_into();
            if let Some(layers) = layers.cast::<web_sys::HtmlElement>() {
                layers.set_scroll_top(area.scroll_top());
                layers.set_scroll_left(area.scroll_left());
            }
            let first = (f64::from(area.scroll_top().max(0)) / LINE_HEIGHT_PX) as usize;
            let visible = (f64::from(area.client_height().max(0)) / LINE_HEIGHT_PX) as usize + 1;
            let (from, to) = *window;
            if first < from || first + visible > to {
                let from = first.saturating_sub(WINDOW_LINES / 2);
                window.set((from, first + visible + WINDOW_LINES / 2));
            }
        })
    };
    let text = props.text.as_str();
    let index = LineIndex::new(text);
    let line_count = text.split('\n').count();
    let error_lines: Vec<usize> = props
        .diagnostics
        .iter()
        .map(|d| index.line_col(text, d.span.start).line)
        .collect();
    // One text node for the numbers, with a span only for error lines.
    let mut gutter: Vec<Html> = Vec::new();
    let mut plain = String::new();
    for n in 1..=line_count {
        if error_lines.contains(&n) {
            gutter.push(html! { { std::mem::take(&mut plain) } });
            gutter.push(html! { <span class="line error">{ n }{ "\n" }</span> });
        } else {
            plain.push_str(&format!("{n}\n"));
        }
    }
    gutter.push(html! { { plain } });
    html! {
        <div class="editor">
            <pre class="editor-gutter" aria-hidden="true">{ for gutter.into_iter() }</pre>
            <div class="editor-body">
                <div class="editor-layers" ref={layers} aria-hidden="true">
                    <pre class="editor-highlight">{ highlight(text, *window) }</pre>
                    <pre class="editor-errors">{ error_layer(text, &index, &props.diagnostics) }</pre>
                </div>
                <textarea
                    id={EDITOR_ID}
                    ref={area}
                    class="editor-text"
                    aria-label="Playground script"
                    aria-describedby="editor-keys"
                    spellcheck="false"
                    autocapitalize="off"
                    autocomplete="off"
                    readonly={props.readonly}
                    {oninput}
                    {onkeydown}
                    {onscroll}
                />
            </div>
            <p id="editor-keys" class="visually-hidden">
                { "Ctrl+Enter runs the script; Tab indents; Escape leaves the editor." }
            </p>
        </div>
    }
}

/// Inserts `text` at the editor's cursor the way typing does, so that undo
/// takes it back.
pub fn insert_text(text: &str) {
    let document = gloo::utils::document();
    if let Some(area) = document
        .get_element_by_id(EDITOR_ID)
        .and_then(|e| e.dyn_into::<HtmlTextAreaElement>().ok())
    {
        let _ = area.focus();
    }
    if let Ok(html) = document.dyn_into::<HtmlDocument>() {
        let _ = html.exec_command_with_show_ui_and_value("insertText", false, text);
    }
}

/// The text with each token of the lines in `window` coloured by kind
/// (comments are the gaps that hold `//` or `/*`); other lines are plain
/// text, as they are not on screen.
fn highlight(text: &str, (from_line, to_line): (usize, usize)) -> Html {
    let line_start = |line: usize| {
        if line == 0 {
            return 0;
        }
        text.match_indices('\n')
            .nth(line - 1)
            .map_or(text.len(), |(i, _)| i + 1)
    };
    let (mut from, to) = (line_start(from_line), line_start(to_line));
    let mut parts = Vec::with_capacity(256);
    parts.push(html! { { &text[..from] } });
    // A block comment open across the window's start: its rest is comment.
    let before = &text[..from];
    if before
        .rfind("/*")
        .is_some_and(|open| !before[open..].contains("*/"))
    {
        let end = text[from..]
            .find("*/")
            .map_or(text.len(), |i| from + i + 2)
            .min(to.max(from));
        parts.push(html! { <span class="tok-comment">{ &text[from..end] }</span> });
        from = end;
    }
    // Only the window is lexed: a keystroke in a long script costs what
    // the screen shows.
    let mut lexed = lex(&text[from..to.max(from)]);
    for token in &mut lexed.tokens {
        token.span = kmem_script::Span::new(token.span.start + from, token.span.end + from);
    }
    let mut at = from;
    let gap = |from: usize, to: usize| {
        let piece = &text[from..to];
        if piece.contains("//") || piece.contains("/*") {
            html! { <span class="tok-comment">{ piece }</span> }
        } else {
            html! { { piece } }
        }
    };
    for token in &lexed.tokens {
        let (start, end) = (
            token.span.start.min(text.len()),
            token.span.end.min(text.len()),
        );
        if start < at {
            continue;
        }
        if end > to {
            break;
        }
        parts.push(gap(at, start));
        let piece = &text[start..end];
        let class = match &token.kind {
            TokenKind::Int(..) => "tok-number",
            TokenKind::Str(_) => "tok-string",
            TokenKind::Punct(_) => "tok-punct",
            TokenKind::Ident(name) => ident_class(name),
        };
        parts.push(html! { <span class={class}>{ piece }</span> });
        at = end;
    }
    parts.push(gap(at, to.max(at)));
    parts.push(html! { { &text[to.max(at)..] } });
    // A final newline needs a character after it to take up a line.
    parts.push(html! { { " " } });
    parts.into_iter().collect()
}

/// The colour class of a name.
fn ident_class(name: &str) -> &'static str {
    if name.starts_with("GFP_") || name.starts_with("__GFP_") {
        "tok-gfp"
    } else if kmem_script::interp::FUNCTIONS.contains(&name) || name == "printk" {
        "tok-function"
    } else if matches!(
        name,
        "if" | "else"
            | "for"
            | "while"
            | "break"
            | "continue"
            | "sizeof"
            | "struct"
            | "softirq"
            | "hardirq"
            | "nmi"
    ) {
        "tok-keyword"
    } else if kmem_script::parser::is_type_word(name) {
        "tok-type"
    } else if name
        .chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
    {
        "tok-constant"
    } else {
        "tok-name"
    }
}

/// The text, transparent, with each error's span underlined and its
/// message after the end of its line.
fn error_layer(text: &str, index: &LineIndex, diagnostics: &[Diagnostic]) -> Html {
    if diagnostics.is_empty() {
        return Html::default();
    }
    let mut spans: Vec<(usize, usize, &Diagnostic)> = diagnostics
        .iter()
        .map(|d| {
            let start = d.span.start.min(text.len());
            let end = d.span.end.clamp(start, text.len());
            // An empty span (a missing `;`) marks one column.
            (start, end.max((start + 1).min(text.len())), d)
        })
        .collect();
    spans.sort_by_key(|s| s.0);
    let mut parts = Vec::new();
    let mut at = 0;
    for (start, end, d) in spans {
        if start < at {
            continue;
        }
        let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
        parts.push(html! { { &text[at..start] } });
        parts.push(html! { <mark class="error-span">{ &text[start..end] }</mark> });
        parts.push(html! { { &text[end..line_end] } });
        let line = index.line_col(text, start).line;
        parts.push(html! {
            <span class="error-message" data-line={line.to_string()}>{ format!("  ← {}", d.message) }</span>
        });
        at = line_end;
    }
    parts.push(html! { { &text[at..] } });
    parts.into_iter().collect()
}
