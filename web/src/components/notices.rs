//! The messages under the header: a notice, the offer to take back work
//! the page displaced, the choice when another tab saved other work, and
//! the list of earlier work (every displaced script, restorable).

use yew::prelude::*;

use crate::app::{Action, Notice, State};
use crate::displaced::{Displaced, Entry};

/// Properties of [`Notices`].
#[derive(Properties, PartialEq)]
pub struct NoticesProps {
    /// The message, if any.
    pub notice: Option<Notice>,
    /// The work the page displaced.
    pub displaced: Displaced,
    /// Another tab saved other work.
    pub other_tab: bool,
    /// Where answers go.
    pub dispatch: UseReducerDispatcher<State>,
}

/// The notices.
#[component]
pub fn Notices(props: &NoticesProps) -> Html {
    let dispatch = props.dispatch.clone();
    let on = |action: Action| {
        let dispatch = dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.dispatch(action.clone()))
    };
    let notice = props.notice.as_ref().map(|n| {
        html! {
            <div class={classes!("notice", n.error.then_some("error"))} role={if n.error { "alert" } else { "status" }}>
                <span>{ &n.text }</span>
                if let Some(link) = &n.link {
                    <input type="text" readonly=true aria-label="The link" value={link.clone()} class="link-field" />
                }
                <button type="button" onclick={on(Action::Notify(None))}>{ "Dismiss" }</button>
            </div>
        }
    });
    let other_tab = props.other_tab.then(|| {
        html! {
            <div class="notice error" role="alert">
                <span>{ "Another tab of the playground saved different work. This tab no longer saves, so that it cannot overwrite it." }</span>
                <button type="button" onclick={on(Action::UseOtherTab)}>{ "Open the other tab's work" }</button>
                <button type="button" onclick={on(Action::KeepThisTab)}>{ "Keep this tab's work" }</button>
            </div>
        }
    });
    let offer = props.displaced.offered().map(|entry| {
        let lines = entry.script().lines().count();
        html! {
            <div class="notice" role="status">
                <span>{ format!("Your own script from before ({lines} line{}) is kept.", plural(lines)) }</span>
                <button type="button" onclick={on(Action::Restore(0))}>{ "Restore it" }</button>
                <button type="button" onclick={on(Action::DismissOffer)}>{ "Not now" }</button>
            </div>
        }
    });
    let entries = &props.displaced.entries;
    let earlier = (!entries.is_empty()).then(|| {
        html! {
            <details class="earlier-work">
                <summary>{ format!("Earlier work ({})", entries.len()) }</summary>
                <ol>
                    { for entries.iter().enumerate().map(|(i, entry)| html! {
                        <li>
                            <span class="earlier-what">{ describe(entry) }</span>
                            <button type="button" onclick={on(Action::Restore(i))}
                                aria-label={format!("Restore earlier work {}", i + 1)}>{ "Restore" }</button>
                            <button type="button" onclick={on(Action::Forget(i))}
                                aria-label={format!("Forget earlier work {}", i + 1)}>{ "Forget" }</button>
                        </li>
                    }) }
                </ol>
            </details>
        }
    });
    html! { <>{ for notice }{ for other_tab }{ for offer }{ for earlier }</> }
}

/// One line about a displaced script: when, why, how long, how it starts.
fn describe(entry: &Entry) -> String {
    let when = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(entry.at_ms as f64))
        .to_locale_string("default", &wasm_bindgen::JsValue::UNDEFINED);
    let script = entry.script();
    let lines = script.lines().count();
    let first: String = script
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("//"))
        .unwrap_or("")
        .chars()
        .take(60)
        .collect();
    format!(
        "{}, {} · {lines} line{} · {first}",
        String::from(when),
        entry.why,
        plural(lines)
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
