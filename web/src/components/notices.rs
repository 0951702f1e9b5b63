//! The message under the header, and the offer to take back local work a
//! link set aside.

use yew::prelude::*;

use crate::app::{Action, Notice, State};
use crate::share::SharedState;

/// Properties of [`Notices`].
#[derive(Properties, PartialEq)]
pub struct NoticesProps {
    /// The message, if any.
    pub notice: Option<Notice>,
    /// Local work set aside by a link, if any.
    pub stash: Option<SharedState>,
    /// Where answers go.
    pub dispatch: UseReducerDispatcher<State>,
}

/// The notices.
#[component]
pub fn Notices(props: &NoticesProps) -> Html {
    let dispatch = props.dispatch.clone();
    let notice = props.notice.as_ref().map(|n| {
        let close = {
            let dispatch = dispatch.clone();
            Callback::from(move |_: MouseEvent| dispatch.dispatch(Action::Notify(None)))
        };
        html! {
            <div class={classes!("notice", n.error.then_some("error"))} role={if n.error { "alert" } else { "status" }}>
                <span>{ &n.text }</span>
                if let Some(link) = &n.link {
                    <input type="text" readonly=true aria-label="The link" value={link.clone()} class="link-field" />
                }
                <button type="button" onclick={close}>{ "Dismiss" }</button>
            </div>
        }
    });
    let stash = props.stash.as_ref().map(|stash| {
        let lines = stash.script.lines().count();
        let restore = {
            let dispatch = dispatch.clone();
            Callback::from(move |_: MouseEvent| dispatch.dispatch(Action::Restore))
        };
        let drop = {
            let dispatch = dispatch.clone();
            Callback::from(move |_: MouseEvent| dispatch.dispatch(Action::DropStash))
        };
        html! {
            <div class="notice" role="status">
                <span>{ format!("Your own script from before ({lines} line{}) is kept.", if lines == 1 { "" } else { "s" }) }</span>
                <button type="button" onclick={restore}>{ "Restore it" }</button>
                <button type="button" onclick={drop}>{ "Discard it" }</button>
            </div>
        }
    });
    html! { <>{ for notice }{ for stash }</> }
}
