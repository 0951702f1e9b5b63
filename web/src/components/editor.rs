//! The script editor: a textarea over a highlighted copy of its text, with
//! a gutter of line numbers, errors underlined where they are and their
//! message at the end of the line.
//!
//! The textarea stays the browser's own (its undo and redo, selection,
//! input methods); its text is transparent and the layers behind it show
//! the colours. Tab indents, Ctrl/Cmd-Enter runs, Esc leaves the editor.

use std::ops::Range;

use kmem_script::{lex, Diagnostic, LineIndex, TokenKind};
use wasm_bindgen::JsCast;
use web_sys::{HtmlDocument, HtmlTextAreaElement};
use yew::prelude::*;

use crate::app::{Action, State};

/// The textarea's id (the call builder inserts into it).
pub const EDITOR_ID: &str = "script";

/// Lines highlighted beyond the visible ones, above and below together.
const WINDOW_LINES: usize = 40;
/// The most bytes of visible lines coloured token by token.
const MAX_HIGHLIGHT_BYTES: usize = 16 * 1024;
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
    /// The text the diagnostics were found in (the last run's): they are
    /// marked only while the editor shows that text.
    pub diagnostics_source: AttrValue,
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
    let gutter_ref = use_node_ref();
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
                dispatch.dispatch(Action::RunNow);
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
        let gutter_ref = gutter_ref.clone();
        let window = window.clone();
        Callback::from(move |event: Event| {
            let area: HtmlTextAreaElement = event.target_unchecked_into();
            if let Some(layers) = layers.cast::<web_sys::HtmlElement>() {
                layers.set_scroll_top(area.scroll_top());
                layers.set_scroll_left(area.scroll_left());
            }
            if let Some(gutter) = gutter_ref.cast::<web_sys::HtmlElement>() {
                gutter.set_scroll_top(area.scroll_top());
            }
            if let Some(next) = visible_window(&area, *window) {
                window.set(next);
            }
        })
    };
    // A textarea made taller (resized, or an embed's) shows more lines.
    {
        let area = area.clone();
        let window = window.clone();
        use_effect(move || {
            if let Some(next) = area
                .cast::<HtmlTextAreaElement>()
                .and_then(|area| visible_window(&area, *window))
            {
                window.set(next);
            }
        });
    }
    let text = props.text.as_str();
    let line_count = text.split('\n').count();
    // Only the lines in the window are drawn; spacers stand for the rest,
    // so that a long script costs the browser's layout what the screen
    // shows (the textarea above them holds the whole text).
    let (from_line, to_line) = (window.0.min(line_count), window.1.min(line_count));
    let range = window_range(text, (from_line, to_line));
    let spacer = |lines: usize| {
        let style = format!("height: {}px", lines as f64 * LINE_HEIGHT_PX);
        html! { <span class="editor-spacer" {style}></span> }
    };
    let (above, below) = (spacer(from_line), spacer(line_count - to_line));
    // Diagnostics of another text (the last run, while typing goes on)
    // would mark the wrong places: they wait for the next run.
    let marks = if props.diagnostics_source == props.text {
        error_marks(text, &props.diagnostics)
    } else {
        Vec::new()
    };
    let error_lines: Vec<usize> = marks.iter().map(|m| m.line).collect();
    // One text node for the numbers, with a span only for error lines.
    let mut gutter: Vec<Html> = Vec::new();
    let mut plain = String::new();
    for n in from_line + 1..=to_line {
        if error_lines.contains(&n) {
            gutter.push(html! { { std::mem::take(&mut plain) } });
            gutter.push(html! { <span class="line error">{ n }{ "\n" }</span> });
        } else {
            plain.push_str(&format!("{n}\n"));
        }
    }
    gutter.push(html! { { plain } });
    let digits = line_count.to_string().len().max(2);
    html! {
        <div class="editor">
            <div class="editor-gutter" style={format!("width: calc({digits}ch + 1rem)")} aria-hidden="true">
                <pre ref={gutter_ref}>{ above.clone() }{ for gutter.into_iter() }{ below.clone() }</pre>
            </div>
            <div class="editor-body">
                <div class="editor-layers" ref={layers} aria-hidden="true">
                    <pre class="editor-highlight">{ above.clone() }{ highlight(text, range.clone()) }{ below.clone() }</pre>
                    <pre class="editor-errors">{ above }{ error_layer(text, range, &marks) }{ below }</pre>
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

/// The lines to draw for the textarea as it is scrolled and sized, when
/// they are no longer within `(from, to)`.
fn visible_window(
    area: &HtmlTextAreaElement,
    (from, to): (usize, usize),
) -> Option<(usize, usize)> {
    let first = (f64::from(area.scroll_top().max(0)) / LINE_HEIGHT_PX) as usize;
    let visible = (f64::from(area.client_height().max(0)) / LINE_HEIGHT_PX) as usize + 1;
    (first < from || first + visible > to).then(|| {
        (
            first.saturating_sub(WINDOW_LINES / 2),
            first + visible + WINDOW_LINES / 2,
        )
    })
}

/// Inserts `text` at the editor's cursor the way typing does, so that undo
/// takes it back.
pub fn insert_text(text: &str) {
    let document = gloo::utils::document();
    if let Some(area) = document.get_element_by_id(EDITOR_ID) {
        crate::dom::focus(&area);
    }
    if let Ok(html) = document.dyn_into::<HtmlDocument>() {
        let _ = html.exec_command_with_show_ui_and_value("insertText", false, text);
    }
}

/// A piece of the editor's text, as the highlight layer draws it: a byte
/// range of the text and its colour class (`None` for plain text).
pub type Piece = (Range<usize>, Option<&'static str>);

/// The byte range of lines `from_line..to_line` (0-based; the last
/// without its newline when it ends the text).
pub fn window_range(text: &str, (from_line, to_line): (usize, usize)) -> Range<usize> {
    let line_start = |line: usize| {
        if line == 0 {
            return 0;
        }
        text.match_indices('\n')
            .nth(line - 1)
            .map_or(text.len(), |(i, _)| i + 1)
    };
    let from = line_start(from_line);
    from..line_start(to_line).max(from)
}

/// The text of `window` (a [`window_range`]) cut into pieces that cover
/// it exactly, in order: each token coloured by kind (comments are the
/// gaps that hold `//` or `/*`), and every invisible character that acts
/// on the text (see [`is_badged`]) a piece of its own, so that it can be
/// shown.
pub fn highlight_pieces(text: &str, window: Range<usize>) -> Vec<Piece> {
    // A window this large is a few enormous lines (100,000 parentheses on
    // one): a span per token would be a DOM node per token, so it is
    // drawn plain.
    if window.len() > MAX_HIGHLIGHT_BYTES {
        return split_badged(text, vec![(window, None)]);
    }
    let Range {
        start: mut from,
        end: to,
    } = window;
    let mut pieces: Vec<Piece> = Vec::with_capacity(256);
    // A block comment open across the window's start: its rest is comment.
    let before = &text[..from];
    if before
        .rfind("/*")
        .is_some_and(|open| !before[open..].contains("*/"))
    {
        let end = text[from..]
            .find("*/")
            .map_or(text.len(), |i| from + i + 2)
            .min(to);
        pieces.push((from..end, Some("tok-comment")));
        from = end;
    }
    let gap = |from: usize, to: usize| -> Piece {
        let piece = &text[from..to];
        let comment = piece.contains("//") || piece.contains("/*");
        (from..to, comment.then_some("tok-comment"))
    };
    // Only the window is lexed: a keystroke in a long script costs what
    // the screen shows.
    let lexed = lex(&text[from..to]);
    let mut at = from;
    for token in &lexed.tokens {
        let (start, end) = (token.span.start + from, token.span.end + from);
        if start < at || !text.is_char_boundary(start) || !text.is_char_boundary(end) {
            continue;
        }
        if end > to {
            break;
        }
        pieces.push(gap(at, start));
        let class = match &token.kind {
            TokenKind::Int(..) => "tok-number",
            TokenKind::Str(_) => "tok-string",
            TokenKind::Punct(_) => "tok-punct",
            TokenKind::Ident(name) => ident_class(name),
        };
        pieces.push((start..end, Some(class)));
        at = end;
    }
    pieces.push(gap(at, to));
    pieces.retain(|(range, _)| !range.is_empty());
    split_badged(text, pieces)
}

/// The pieces with every [badged](is_badged) character cut out into a
/// piece of class `hidden-char`.
fn split_badged(text: &str, pieces: Vec<Piece>) -> Vec<Piece> {
    if !text.chars().any(is_badged) {
        return pieces;
    }
    let mut out = Vec::with_capacity(pieces.len());
    for (range, class) in pieces {
        let mut at = range.start;
        for (i, c) in text[range.clone()].char_indices() {
            if is_badged(c) {
                let start = range.start + i;
                if at < start {
                    out.push((at..start, class));
                }
                out.push((start..start + c.len_utf8(), Some("hidden-char")));
                at = start + c.len_utf8();
            }
        }
        if at < range.end {
            out.push((at..range.end, class));
        }
    }
    out
}

/// Whether the editor badges `c`: a character that shows nothing yet acts
/// on the text, such as the direction controls of a "Trojan Source" script
/// (U+202A to U+202E, U+2066 to U+2069, which rustc's
/// `text_direction_codepoint_in_literal` lint names), zero-width ones and
/// other controls ([`kmem_script::escape::is_hidden`]); line breaks and
/// tabs show themselves.
pub fn is_badged(c: char) -> bool {
    !matches!(c, '\n' | '\t' | '\r') && kmem_script::escape::is_hidden(c)
}

/// The highlight layer: the pieces as HTML, each badged character drawn
/// with a visible badge naming its code point.
fn highlight(text: &str, window: Range<usize>) -> Html {
    let mut parts: Vec<Html> = highlight_pieces(text, window)
        .into_iter()
        .map(|(range, class)| {
            let piece = &text[range];
            match class {
                None => html! { { piece } },
                Some("hidden-char") => {
                    let code = piece.chars().next().map_or(0, u32::from);
                    html! {
                        <span class="hidden-char" data-code={format!("U+{code:04X}")}>{ piece }</span>
                    }
                }
                Some(class) => html! { <span class={class}>{ piece }</span> },
            }
        })
        .collect();
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

/// An error as the error layer draws it: the byte range underlined, the
/// end of its line (where the message goes), its 1-based line and the
/// message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorMark<'a> {
    /// The bytes underlined: never empty unless the text is, and always on
    /// character boundaries.
    pub underline: Range<usize>,
    /// Where the line of the error ends.
    pub line_end: usize,
    /// The line of the error, from 1.
    pub line: usize,
    /// What is wrong.
    pub message: &'a str,
}

/// The marks of `diagnostics` in `text`, in order and not overlapping (a
/// later error on a line already marked is left to the list below the
/// editor). The diagnostics must have been found in `text` itself: for any
/// other text their byte offsets mean nothing, so the caller drops them.
/// Offsets are still clamped to the text and moved to character
/// boundaries, so that no input can make the editor slice inside a
/// character.
pub fn error_marks<'a>(text: &str, diagnostics: &'a [Diagnostic]) -> Vec<ErrorMark<'a>> {
    let index = LineIndex::new(text);
    let floor = |mut i: usize| {
        i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let mut marks: Vec<ErrorMark<'a>> = diagnostics
        .iter()
        .map(|d| {
            let start = floor(d.span.start);
            let end = floor(d.span.end).max(start);
            // An empty span (a missing `;`) marks the character there.
            let end = if end == start {
                text[start..]
                    .chars()
                    .next()
                    .map_or(start, |c| start + c.len_utf8())
            } else {
                end
            };
            let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
            ErrorMark {
                underline: start..end,
                line_end,
                line: index.line_col(text, start).line,
                message: &d.message,
            }
        })
        .collect();
    marks.sort_by_key(|m| m.underline.start);
    let mut at = 0;
    marks.retain(|m| {
        let keep = m.underline.start >= at;
        if keep {
            at = m.line_end;
        }
        keep
    });
    marks
}

/// The text of `window`, transparent, with the span of each error in it
/// underlined and its message after the end of its line.
fn error_layer(text: &str, window: Range<usize>, marks: &[ErrorMark]) -> Html {
    let mut parts = Vec::new();
    let mut at = window.start;
    for mark in marks {
        let Range { start, end } = mark.underline;
        if start < at || mark.line_end > window.end {
            continue;
        }
        parts.push(html! { { &text[at..start] } });
        parts.push(html! { <mark class="error-span">{ &text[start..end] }</mark> });
        parts.push(html! { { &text[end..mark.line_end] } });
        parts.push(html! {
            <span class="error-message" data-line={mark.line.to_string()}>{ format!("  ← {}", mark.message) }</span>
        });
        at = mark.line_end;
    }
    parts.push(html! { { &text[at..window.end] } });
    parts.into_iter().collect()
}

#[cfg(test)]
mod tests;
