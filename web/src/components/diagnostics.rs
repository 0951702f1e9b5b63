//! The list of problems found in the script.

use kmem_script::{Diagnostic, LineIndex};
use yew::prelude::*;

/// Properties of [`Diagnostics`].
#[derive(Properties, PartialEq)]
pub struct DiagnosticsProps {
    /// The script the diagnostics were found in.
    pub source: AttrValue,
    /// The diagnostics, in source order.
    pub diagnostics: Vec<Diagnostic>,
    /// The editor's script is held, not run (see `State::held`).
    #[prop_or_default]
    pub held: bool,
    /// Where the simulated kernel stopped the run, and why (see
    /// `Run::stopped`).
    #[prop_or_default]
    pub stopped: Option<(kmem_script::Span, String)>,
}

/// Shows every diagnostic of the script, rendered as the `kmem` command
/// prints them, or a line saying the script is clean.
#[component]
pub fn Diagnostics(props: &DiagnosticsProps) -> Html {
    if props.held {
        return html! {
            <p class="status" role="status">{ "Not run yet: press Ctrl+Enter to run the script." }</p>
        };
    }
    if props.diagnostics.is_empty() {
        if let Some((span, why)) = &props.stopped {
            let line = LineIndex::new(&props.source)
                .line_col(&props.source, span.start)
                .line;
            // The lines after the one the call ends on.
            let after = props
                .source
                .get(span.end..)
                .and_then(|rest| rest.split_once('\n'))
                .map_or("", |(_, later)| later);
            let rest = if !after.trim().is_empty() {
                " The script is fine, but the lines after it did not run."
            } else {
                ""
            };
            return html! {
                <p class="status stopped" role="status">
                    { format!("The simulated kernel stopped at line {line}: {why}.{rest}") }
                </p>
            };
        }
        return html! { <p class="status ok" role="status">{ "No errors." }</p> };
    }
    let index = LineIndex::new(&props.source);
    let count = props.diagnostics.len();
    html! {
        <section class="diagnostics" aria-label="Errors">
            <p class="status error" role="status">
                { format!("{count} error{}", if count == 1 { "" } else { "s" }) }
            </p>
            { for props.diagnostics.iter().map(|d| html! {
                <pre class="diagnostic">{ d.render(&props.source, &index) }</pre>
            }) }
        </section>
    }
}
