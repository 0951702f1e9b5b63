//! The timeline: one row per executed call, with its result, where the
//! memory came from and its log lines. A slider and ←/→ move through time.

use kmem::kernel::Outcome;
use kmem_script::LineIndex;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::app::Shared;
use crate::session::Run;

/// The most rows drawn at once: about three screens of rows. Each row
/// costs DOM work and layout on every run; at 100 rows a keystroke took
/// 25 ms to render a 1,000-call script's run, at 40 rows 14 ms (`./x bench`).
const SHOWN: usize = 40;

/// Properties of [`Timeline`].
#[derive(Properties, PartialEq)]
pub struct TimelineProps {
    /// The script run.
    pub source: AttrValue,
    /// The run.
    pub run: Shared<Run>,
    /// The selected step.
    pub step: Option<usize>,
    /// Called with a new selection.
    pub onselect: Callback<Option<usize>>,
}

/// The word and class of an outcome.
pub fn outcome_label(outcome: &Outcome) -> (&'static str, &'static str) {
    match outcome {
        Outcome::Ok => ("", "ok"),
        Outcome::Failed => ("failed", "failed"),
        Outcome::Warn => ("WARN", "warn"),
        Outcome::Bug => ("BUG", "bug"),
        Outcome::Oops => ("oops", "bug"),
        Outcome::Hang => ("hang", "bug"),
        Outcome::Refused(_) => ("refused", "failed"),
    }
}

/// The timeline view.
#[component]
pub fn Timeline(props: &TimelineProps) -> Html {
    let steps = &props.run.0.trace.steps;
    let source = props.source.as_str();
    let index = LineIndex::new(source);
    let count = steps.len();
    let selected = props.step.unwrap_or(count.saturating_sub(1));
    let selected_row = use_node_ref();
    {
        let selected_row = selected_row.clone();
        use_effect_with(selected, move |_| {
            if let Some(row) = selected_row.cast::<web_sys::Element>() {
                crate::dom::reveal(&row);
            }
        });
    }
    if count == 0 {
        return html! { <p class="empty">{ "The script made no calls yet." }</p> };
    }
    let onslide = {
        let onselect = props.onselect.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let n: usize = input.value().parse().unwrap_or(count);
            onselect.emit((n < count).then(|| n.saturating_sub(1)));
        })
    };
    // At most SHOWN rows, around the selected step: a long run stays
    // cheap to re-render; the slider and the arrow keys reach the others.
    let from = selected
        .saturating_sub(SHOWN / 2)
        .min(count.saturating_sub(SHOWN));
    let to = (from + SHOWN).min(count);
    let rows = steps.iter().enumerate().skip(from).take(to - from).map(|(i, step)| {
        let at = index.line_col(source, step.span.start);
        let text = source.get(step.span.start..step.span.end).unwrap_or("");
        let onselect = props.onselect.clone();
        let onclick = Callback::from(move |_: MouseEvent| onselect.emit((i + 1 < count).then_some(i)));
        let (word, class) = step.event.as_ref().map_or(("", "ok"), |e| outcome_label(&e.outcome));
        let is_selected = i == selected;
        let result = if step.output.is_empty() || step.event.is_some() {
            format!("{:#x}", step.value)
        } else {
            String::new()
        };
        let summary = step.event.as_ref().map(|e| e.summary.to_string()).unwrap_or_default();
        let log: Vec<String> = match &step.event {
            Some(e) => e.log.iter().map(|l| l.to_string()).collect(),
            None => step.output.lines().map(str::to_string).collect(),
        };
        html! {
            <li key={i} class={classes!("step", class, is_selected.then_some("selected"))}
                ref={if is_selected { selected_row.clone() } else { NodeRef::default() }}>
                <button type="button" class="step-head" aria-pressed={is_selected.to_string()} {onclick}>
                    <span class="step-line">{ format!("{:>3}", at.line) }</span>
                    <code class="step-call">{ text }</code>
                    <span class="step-result">
                        <code>{ result }</code>
                        if !word.is_empty() { <span class={classes!("badge", class)}>{ word }</span> }
                    </span>
                </button>
                if !summary.is_empty() { <p class="step-summary">{ summary }</p> }
                if !log.is_empty() { <pre class="step-log">{ log.join("\n") }</pre> }
            </li>
        }
    });
    html! {
        <div class="timeline">
            <label class="slider">
                { "Time " }
                <input type="range" min="1" max={count.to_string()} value={(selected + 1).to_string()}
                    aria-label="Step" aria-valuetext={format!("step {} of {count}", selected + 1)}
                    oninput={onslide} />
                <span>{ format!("{} / {count}", selected + 1) }</span>
            </label>
            <ol class="steps" start={(from + 1).to_string()}>
                if from > 0 {
                    <li class="more">{ format!("{from} earlier call{} (the slider and ← reach them)", if from == 1 { "" } else { "s" }) }</li>
                }
                { for rows }
                if to < count {
                    <li class="more">{ format!("{} later call{} (the slider and → reach them)", count - to, if count - to == 1 { "" } else { "s" }) }</li>
                }
            </ol>
        </div>
    }
}
