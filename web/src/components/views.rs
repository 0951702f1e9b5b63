//! The views beside the editor, as tabs. Every view is drawn from the run
//! and from the kernel at the selected step.

use std::rc::Rc;

use kmem::kernel::Kernel;
use yew::prelude::*;

use crate::app::{Action, Shared, State};
use crate::components::address_space::AddressSpace;
use crate::components::gfp_inspector::GfpInspector;
use crate::components::kernel_files::KernelFiles;
use crate::components::memory_map::MemoryMap;
use crate::components::timeline::Timeline;
use crate::components::translation::Translation;
use crate::session::{Run, Settings};

/// The views.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    /// One row per call.
    Timeline,
    /// The page frames.
    Memory,
    /// The virtual address space.
    Addresses,
    /// An address's translation.
    Translate,
    /// The GFP inspector.
    Gfp,
    /// dmesg and /proc.
    Kernel,
}

impl View {
    /// Every view, in tab order.
    pub const ALL: [View; 6] = [
        View::Timeline,
        View::Memory,
        View::Addresses,
        View::Translate,
        View::Gfp,
        View::Kernel,
    ];

    /// The view with id `id`.
    pub fn from_id(id: &str) -> Option<View> {
        View::ALL.into_iter().find(|v| v.id() == id)
    }

    fn label(self) -> &'static str {
        match self {
            View::Timeline => "Timeline",
            View::Memory => "Physical memory",
            View::Addresses => "Address space",
            View::Translate => "Translate",
            View::Gfp => "GFP flags",
            View::Kernel => "dmesg & /proc",
        }
    }

    /// The view's short name, in links and element ids.
    pub fn id(self) -> &'static str {
        match self {
            View::Timeline => "timeline",
            View::Memory => "memory",
            View::Addresses => "addresses",
            View::Translate => "translate",
            View::Gfp => "gfp",
            View::Kernel => "kernel",
        }
    }
}

/// Properties of [`Views`].
#[derive(Properties, PartialEq)]
pub struct ViewsProps {
    /// The view shown.
    pub view: View,
    /// The script run.
    pub source: AttrValue,
    /// The settings.
    pub settings: Settings,
    /// The run.
    pub run: Shared<Run>,
    /// The kernel at the selected step.
    pub kernel: Shared<Kernel>,
    /// The selected step.
    pub step: Option<usize>,
    /// Where selections go.
    pub dispatch: UseReducerDispatcher<State>,
    /// The views offered (an embed's choice); empty for all.
    #[prop_or_default]
    pub panes: Vec<View>,
}

/// The tab bar and the view shown.
#[component]
pub fn Views(props: &ViewsProps) -> Html {
    let offered: Vec<View> = if props.panes.is_empty() {
        View::ALL.to_vec()
    } else {
        props.panes.clone()
    };
    let shown = if offered.contains(&props.view) {
        props.view
    } else {
        offered[0]
    };
    let tabs = offered.clone().into_iter().map(|view| {
        let offered = offered.clone();
        let selected = view == shown;
        let dispatch = props.dispatch.clone();
        let onclick = Callback::from(move |_: MouseEvent| dispatch.dispatch(Action::Show(view)));
        let onkeydown = {
            let dispatch = props.dispatch.clone();
            Callback::from(move |e: KeyboardEvent| {
                let at = offered.iter().position(|v| *v == view).unwrap_or(0);
                let next = match e.key().as_str() {
                    "ArrowRight" => (at + 1) % offered.len(),
                    "ArrowLeft" => (at + offered.len() - 1) % offered.len(),
                    _ => return,
                };
                e.prevent_default();
                e.stop_propagation();
                dispatch.dispatch(Action::Show(offered[next]));
                if let Some(tab) = gloo::utils::document()
                    .get_element_by_id(&format!("tab-{}", offered[next].id()))
                {
                    crate::dom::focus(&tab);
                }
            })
        };
        html! {
            <button type="button" role="tab" id={format!("tab-{}", view.id())}
                aria-selected={selected.to_string()} aria-controls="view-panel"
                tabindex={if selected { "0" } else { "-1" }}
                {onclick} {onkeydown}>
                { view.label() }
            </button>
        }
    });
    let run: Rc<Run> = props.run.0.clone();
    let onselect = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |step: Option<usize>| dispatch.dispatch(Action::Select(step)))
    };
    let body = match shown {
        View::Timeline => html! {
            <Timeline source={props.source.clone()} run={props.run.clone()} step={props.step} onselect={onselect} />
        },
        View::Memory => html! {
            <MemoryMap source={props.source.clone()} run={props.run.clone()} kernel={props.kernel.clone()} step={props.step} />
        },
        View::Addresses => html! {
            <AddressSpace run={props.run.clone()} kernel={props.kernel.clone()} step={props.step} />
        },
        View::Translate => html! {
            <Translation run={props.run.clone()} kernel={props.kernel.clone()} step={props.step} />
        },
        View::Gfp => {
            html! { <GfpInspector release={AttrValue::from(props.settings.release.clone())} /> }
        }
        View::Kernel => html! { <KernelFiles kernel={props.kernel.clone()} /> },
    };
    let position = match (props.step, run.trace.steps.len()) {
        (_, 0) => "no calls".to_string(),
        (Some(s), n) => format!("after step {} of {n}", s + 1),
        (None, n) => format!("after all {n} steps"),
    };
    html! {
        <div class="views">
            <div class="tabs" role="tablist" aria-label="Views">{ for tabs }</div>
            <p class="position" aria-live="polite">{ position }</p>
            <div id="view-panel" class="view" role="tabpanel" aria-labelledby={format!("tab-{}", shown.id())}>
                { body }
            </div>
        </div>
    }
}
