//! The playground's top-level component: the state (script, settings,
//! selected step, view) in one reducer, the run computed from it, and the
//! layout.

use std::rc::Rc;

use kmem::kernel::{DebugConfig, Kernel};
use yew::prelude::*;

use crate::components::call_builder::CallBuilder;
use crate::components::diagnostics::Diagnostics;
use crate::components::editor::Editor;
use crate::components::embed::{EmbedDialog, EmbedSize};
use crate::components::header::Header;
use crate::components::help::Help;
use crate::components::notices::Notices;
use crate::components::quiz::{QuizLink, QuizPage};
use crate::components::views::{View, Views};
use crate::session::{Machine, Run, Settings};
use crate::share::{EmbedOptions, SharedState};
use crate::storage;

/// The script a first visit opens with.
pub const DEFAULT_SCRIPT: &str = "\
// kmalloc: physically contiguous, from the direct map.
void *buf = kmalloc(100, GFP_KERNEL);

// vmalloc: virtually contiguous, pages scattered in RAM.
void *big = vmalloc(SZ_1M);

// Select a step (click it, or use the arrow keys) and look at the views.
// When done: kfree(buf); vfree(big);
";

/// Milliseconds of quiet typing before the script re-runs.
const RERUN_AFTER_MS: u32 = 150;
/// Milliseconds of quiet before the work is saved in the browser.
const AUTOSAVE_AFTER_MS: u32 = 400;

/// The page's state.
#[derive(Clone, Debug, PartialEq)]
pub struct State {
    /// The editor's text.
    pub text: AttrValue,
    /// The text last run (the editor's, once typing pauses).
    pub source: AttrValue,
    /// Kernel release, machine and debug options.
    pub settings: Settings,
    /// The selected step; `None` for the end of the run.
    pub step: Option<usize>,
    /// The view shown beside the editor.
    pub view: View,
    /// Whether the help overlay is open.
    pub help: bool,
    /// The colour theme chosen with the toggle; `None` follows the system.
    pub dark: Option<bool>,
    /// The editor's width in percent of the page.
    pub split: u8,
    /// Bumped when the script is replaced from outside the editor.
    pub revision: u32,
    /// A message over the page (a link that did not open, a copied link,
    /// storage trouble).
    pub notice: Option<Notice>,
    /// Local work set aside when a link replaced it, offered back.
    pub stash: Option<SharedState>,
    /// Embed options, when the page is embedded in another.
    pub embed: Option<EmbedOptions>,
    /// Whether an embed's hidden result was asked for.
    pub revealed: bool,
    /// Whether the embed dialog is open.
    pub embed_dialog: bool,
    /// The quiz of a quiz link: the page is the quiz.
    pub quiz: Option<QuizLink>,
}

/// A message shown under the header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// An error (role alert) or information (role status).
    pub error: bool,
    /// The message.
    pub text: String,
    /// A link to show for copying by hand.
    pub link: Option<String>,
}

impl Notice {
    /// An error message.
    pub fn error(text: impl Into<String>) -> Notice {
        Notice {
            error: true,
            text: text.into(),
            link: None,
        }
    }

    /// An informative message.
    pub fn info(text: impl Into<String>) -> Notice {
        Notice {
            error: false,
            text: text.into(),
            link: None,
        }
    }
}

impl State {
    /// The state as a link carries it.
    pub fn shared(&self) -> SharedState {
        SharedState {
            script: self.text.to_string(),
            settings: self.settings.clone(),
            step: self.step,
            view: self.view,
            embed: None,
        }
    }

    /// Takes a shared state: script, settings, step and view.
    fn apply(&mut self, shared: SharedState) {
        self.text = shared.script.clone().into();
        self.source = shared.script.into();
        self.settings = shared.settings;
        self.step = shared.step;
        self.view = shared.view;
        self.embed = shared.embed;
        self.revision += 1;
    }

    /// The state a visit opens with: the link in the fragment, else the
    /// autosaved work, else the default script. Local work a link replaces
    /// is kept aside and offered back; a link that cannot be opened says
    /// why.
    pub fn initial() -> State {
        let mut state = State::default();
        let saved = storage::load(storage::AUTOSAVE);
        let fragment = storage::fragment();
        if fragment.is_empty() {
            if let Some(saved) = saved {
                state.apply(saved);
            }
            state.stash = storage::load(storage::STASH);
            return state;
        }
        match QuizLink::parse(&fragment) {
            Some(Ok(link)) => {
                state.quiz = Some(link);
                return state;
            }
            Some(Err(e)) => {
                state.notice = Some(Notice::error(format!(
                    "This quiz link could not be opened: {e}."
                )));
                return state;
            }
            None => {}
        }
        match SharedState::from_fragment(&fragment) {
            // An embed shows its own script and leaves the reader's work
            // alone.
            Ok(shared) if shared.embed.is_some() => {
                state.apply(shared);
                return state;
            }
            Ok(shared) => state.apply(shared),
            Err(e) => {
                state.notice = Some(Notice::error(format!(
                    "This link could not be opened: {e}. The default script is shown instead."
                )))
            }
        }
        state.stash = storage::load(storage::STASH).or_else(|| {
            saved.filter(|s| s.script != state.text.as_str() && s.script != DEFAULT_SCRIPT)
        });
        if let Some(stash) = &state.stash {
            storage::save(storage::STASH, Some(stash));
        }
        state
    }
}

impl Default for State {
    fn default() -> Self {
        State {
            text: DEFAULT_SCRIPT.into(),
            source: DEFAULT_SCRIPT.into(),
            settings: Settings::default(),
            step: None,
            view: View::Timeline,
            help: false,
            dark: None,
            split: 42,
            revision: 0,
            notice: None,
            stash: None,
            embed: None,
            revealed: false,
            embed_dialog: false,
            quiz: None,
        }
    }
}

/// What a user can do.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// The editor's text changed.
    Edit(String),
    /// Run the editor's text now (Ctrl-Enter, or typing paused).
    Run,
    /// Replace the script (an example).
    Load(String),
    /// Choose a kernel release.
    Release(String),
    /// Choose a machine preset.
    Preset(String),
    /// Set the debug options.
    Debug(DebugConfig),
    /// Select a step, or the end.
    Select(Option<usize>),
    /// Show a view.
    Show(View),
    /// Open or close the help.
    Help(bool),
    /// Switch between dark and light.
    ToggleTheme,
    /// Resize the editor pane (percent).
    Split(u8),
    /// Open a shared state (a link, an imported file's script).
    Apply(SharedState),
    /// Show or clear the notice.
    Notify(Option<Notice>),
    /// Take back the work a link set aside.
    Restore,
    /// Forget the work a link set aside.
    DropStash,
    /// Show an embed's hidden result.
    Reveal,
    /// Open or close the embed dialog.
    EmbedDialog(bool),
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::Edit(text) => s.text = text.into(),
            Action::Run => {
                if s.source != s.text {
                    s.source = s.text.clone();
                    s.step = None;
                }
            }
            Action::Load(text) => {
                s.revision += 1;
                s.text = text.clone().into();
                s.source = text.into();
                s.step = None;
            }
            Action::Release(release) => s.settings.release = release,
            Action::Preset(preset) => s.settings.preset = preset,
            Action::Debug(debug) => s.settings.debug = debug,
            Action::Select(step) => s.step = step,
            Action::Show(view) => s.view = view,
            Action::Help(open) => s.help = open,
            Action::ToggleTheme => s.dark = Some(!s.dark.unwrap_or_else(system_dark)),
            Action::Split(split) => s.split = split.clamp(20, 80),
            Action::Apply(shared) => {
                // A link opened over the reader's own work keeps it aside.
                let mine = s.shared();
                if mine.script != shared.script
                    && mine.script != DEFAULT_SCRIPT
                    && s.embed.is_none()
                {
                    storage::save(storage::STASH, Some(&mine));
                    s.stash = Some(mine);
                }
                s.apply(shared);
            }
            Action::Notify(notice) => s.notice = notice,
            Action::Restore => {
                if let Some(stash) = s.stash.take() {
                    s.apply(stash);
                    storage::save(storage::STASH, None);
                }
            }
            Action::Reveal => s.revealed = true,
            Action::EmbedDialog(open) => s.embed_dialog = open,
            Action::DropStash => {
                s.stash = None;
                storage::save(storage::STASH, None);
            }
        }
        Rc::new(s)
    }
}

/// Whether the system prefers a dark scheme.
fn system_dark() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .is_some_and(|m| m.matches())
}

/// A shared value compared by identity, so that memos re-run only when the
/// value is replaced.
pub struct Shared<T>(pub Rc<T>);

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(self.0.clone())
    }
}

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// The whole playground.
#[component]
pub fn App() -> Html {
    let state = use_reducer(State::initial);
    let machine = use_memo(state.settings.clone(), |settings| {
        Machine::boot(settings).map(Rc::new)
    });
    let run: Option<Shared<Run>> = use_memo(
        (state.source.clone(), state.settings.clone()),
        |(source, _)| match &*machine {
            Ok(machine) => Some(Shared(Rc::new(machine.run(source)))),
            Err(_) => None,
        },
    )
    .as_ref()
    .clone();
    let kernel: Option<Shared<Kernel>> = {
        let machine = machine.clone();
        use_memo((run.clone(), state.step), move |(run, step)| {
            match (&*machine, run) {
                (Ok(machine), Some(run)) => Some(Shared(Rc::new(machine.kernel_at(&run.0, *step)))),
                _ => None,
            }
        })
        .as_ref()
        .clone()
    };

    // Re-run once typing pauses.
    {
        let dispatch = state.dispatcher();
        use_effect_with(state.text.clone(), move |_| {
            let timeout = gloo::timers::callback::Timeout::new(RERUN_AFTER_MS, move || {
                dispatch.dispatch(Action::Run)
            });
            move || drop(timeout)
        });
    }

    // Autosave once edits pause; a failure is said once.
    {
        let dispatch = state.dispatcher();
        let shared = state.shared();
        // An embed or a quiz never saves over the reader's own work.
        let embedded = state.embed.is_some() || state.quiz.is_some();
        let warned = use_mut_ref(|| false);
        use_effect_with(shared, move |shared| {
            let shared = shared.clone();
            let embedded = embedded;
            let timeout = gloo::timers::callback::Timeout::new(AUTOSAVE_AFTER_MS, move || {
                if embedded {
                    return;
                }
                if !storage::save(storage::AUTOSAVE, Some(&shared)) && !*warned.borrow() {
                    *warned.borrow_mut() = true;
                    dispatch.dispatch(Action::Notify(Some(Notice::error(
                        "This browser does not let the playground save your work (storage is full or disabled). Use Export to keep a copy.",
                    ))));
                }
            });
            move || drop(timeout)
        });
    }

    // A link pasted into the address bar of an open playground.
    {
        let dispatch = state.dispatcher();
        use_effect_with((), move |_| {
            let listener =
                gloo::events::EventListener::new(&gloo::utils::window(), "hashchange", move |_| {
                    let fragment = storage::fragment();
                    if fragment.is_empty() {
                        return;
                    }
                    match SharedState::from_fragment(&fragment) {
                        Ok(shared) => dispatch.dispatch(Action::Apply(shared)),
                        Err(e) => dispatch.dispatch(Action::Notify(Some(Notice::error(format!(
                            "This link could not be opened: {e}."
                        ))))),
                    }
                });
            move || drop(listener)
        });
    }

    // Keys that work anywhere outside a text field: ? for help, ←/→ and
    // Home/End for steps.
    {
        let dispatch = state.dispatcher();
        let steps = run.as_ref().map_or(0, |r| r.0.trace.steps.len());
        let step = state.step;
        let help = state.help;
        use_effect_with((steps, step, help), move |_| {
            let listener = gloo::events::EventListener::new_with_options(
                &gloo::utils::document(),
                "keydown",
                gloo::events::EventListenerOptions::enable_prevent_default(),
                move |event| {
                    let Some(event) = event.dyn_ref::<web_sys::KeyboardEvent>() else {
                        return;
                    };
                    if event.ctrl_key()
                        || event.meta_key()
                        || event.alt_key()
                        || in_text_field(event)
                    {
                        return;
                    }
                    let last = steps.checked_sub(1);
                    let current = step.or(last);
                    let select = match event.key().as_str() {
                        "?" => {
                            dispatch.dispatch(Action::Help(true));
                            None
                        }
                        "Escape" if help => {
                            dispatch.dispatch(Action::Help(false));
                            None
                        }
                        "ArrowLeft" => Some(current.map(|s| s.saturating_sub(1))),
                        "ArrowRight" => Some(current.map(|s| (s + 1).min(last.unwrap_or(0)))),
                        "Home" => Some(last.map(|_| 0)),
                        "End" => Some(None),
                        _ => return,
                    };
                    event.prevent_default();
                    if let Some(step) = select {
                        dispatch.dispatch(Action::Select(step.filter(|s| Some(*s) != last)));
                    }
                },
            );
            move || drop(listener)
        });
    }

    let dispatch = state.dispatcher();
    let onshare = {
        let dispatch = dispatch.clone();
        let shared = state.shared();
        Callback::from(move |_: ()| {
            let fragment = shared.to_fragment();
            storage::set_fragment(&fragment);
            let link = storage::link(&fragment);
            storage::copy(&link);
            dispatch.dispatch(Action::Notify(Some(Notice {
                error: false,
                text:
                    "A link to this script, its settings, step and view is copied to the clipboard:"
                        .into(),
                link: Some(link),
            })));
        })
    };
    let onexport = {
        let dispatch = dispatch.clone();
        let text = state.text.clone();
        Callback::from(move |_: ()| {
            if !storage::download("script.kmem", &text) {
                dispatch.dispatch(Action::Notify(Some(Notice::error(
                    "The browser refused the download.",
                ))));
            }
        })
    };
    let theme = match state.dark {
        None => "app",
        Some(true) => "app theme-dark",
        Some(false) => "app theme-light",
    };
    let diagnostics = run.as_ref().map(|r| r.0.diagnostics()).unwrap_or_default();
    let boot_error = machine.as_ref().as_ref().err().cloned();
    if let Some(link) = &state.quiz {
        let framed = gloo::utils::window()
            .parent()
            .ok()
            .flatten()
            .is_some_and(|p| p != gloo::utils::window());
        return html! {
            <div class={classes!(theme, "quiz-page")}>
                if framed { <EmbedSize /> }
                <QuizPage link={link.clone()} />
            </div>
        };
    }
    if let Some(options) = &state.embed {
        let full = storage::link(
            &SharedState {
                embed: None,
                ..state.shared()
            }
            .to_fragment(),
        );
        let hidden = options.spoiler && !state.revealed;
        let reveal = {
            let dispatch = dispatch.clone();
            Callback::from(move |_: MouseEvent| dispatch.dispatch(Action::Reveal))
        };
        return html! {
            <div class={classes!(theme, "embed")}>
                <EmbedSize />
                <div class="embed-bar">
                    <span>{ format!("kmem playground · Linux {}", state.settings.release) }</span>
                    <a href={full} target="_blank" rel="noopener noreferrer">{ "Open in the full playground ↗" }</a>
                </div>
                <Editor
                    text={state.text.clone()}
                    revision={state.revision}
                    diagnostics={diagnostics.clone()}
                    dispatch={dispatch.clone()}
                    readonly={options.readonly}
                />
                <Diagnostics source={state.source.clone()} diagnostics={diagnostics} />
                if hidden {
                    <button type="button" class="reveal" onclick={reveal}>{ "Show the result" }</button>
                } else if let (Some(run), Some(kernel)) = (run, kernel) {
                    <Views
                        view={state.view}
                        source={state.source.clone()}
                        settings={state.settings.clone()}
                        run={run}
                        kernel={kernel}
                        step={state.step}
                        dispatch={dispatch.clone()}
                        panes={options.panes.clone()}
                    />
                }
            </div>
        };
    }
    html! {
        <div class={theme} style={format!("--split: {}%", state.split)}>
            <Header
                settings={state.settings.clone()}
                dark={state.dark.unwrap_or_else(system_dark)}
                dispatch={dispatch.clone()}
                onshare={onshare}
                onexport={onexport}
            />
            <Notices notice={state.notice.clone()} stash={state.stash.clone()} dispatch={dispatch.clone()} />
            if let Some(error) = boot_error {
                <p class="status error" role="alert">{ format!("The machine cannot boot: {error}") }</p>
            }
            <main class="panes">
                <section class="pane editor-pane" aria-label="Script">
                    <Editor
                        text={state.text.clone()}
                        revision={state.revision}
                        diagnostics={diagnostics.clone()}
                        dispatch={dispatch.clone()}
                    />
                    <Diagnostics source={state.source.clone()} diagnostics={diagnostics} />
                    <CallBuilder settings={state.settings.clone()} dispatch={dispatch.clone()} />
                </section>
                <Splitter split={state.split} dispatch={dispatch.clone()} />
                <section class="pane views-pane" aria-label="Views">
                    if let (Some(run), Some(kernel)) = (run, kernel) {
                        <Views
                            view={state.view}
                            source={state.source.clone()}
                            settings={state.settings.clone()}
                            run={run}
                            kernel={kernel}
                            step={state.step}
                            dispatch={dispatch.clone()}
                        />
                    }
                </section>
            </main>
            if state.help {
                <Help dispatch={dispatch.clone()} />
            }
            if state.embed_dialog {
                <EmbedDialog state={state.shared()} dispatch={dispatch} />
            }
        </div>
    }
}

/// Whether a key event comes from a text field (where keys type).
fn in_text_field(event: &web_sys::KeyboardEvent) -> bool {
    event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|e| matches!(e.tag_name().as_str(), "TEXTAREA" | "INPUT" | "SELECT"))
}

use wasm_bindgen::JsCast;

/// Properties of [`Splitter`].
#[derive(Properties, PartialEq)]
pub struct SplitterProps {
    /// The editor's width in percent.
    pub split: u8,
    /// Where resizes go.
    pub dispatch: UseReducerDispatcher<State>,
}

/// The handle between the panes: drag it, or focus it and use ←/→.
#[component]
pub fn Splitter(props: &SplitterProps) -> Html {
    let dragging = use_mut_ref(|| false);
    let onpointerdown = {
        let dragging = dragging.clone();
        Callback::from(move |e: PointerEvent| {
            *dragging.borrow_mut() = true;
            if let Some(target) = e.target_dyn_into::<web_sys::Element>() {
                let _ = target.set_pointer_capture(e.pointer_id());
            }
        })
    };
    let onpointermove = {
        let dragging = dragging.clone();
        let dispatch = props.dispatch.clone();
        Callback::from(move |e: PointerEvent| {
            if !*dragging.borrow() {
                return;
            }
            let width = gloo::utils::window()
                .inner_width()
                .ok()
                .and_then(|w| w.as_f64())
                .unwrap_or(1.0);
            dispatch.dispatch(Action::Split(
                (f64::from(e.client_x()) / width * 100.0) as u8,
            ));
        })
    };
    let onpointerup = Callback::from(move |_: PointerEvent| *dragging.borrow_mut() = false);
    let onkeydown = {
        let dispatch = props.dispatch.clone();
        let split = props.split;
        Callback::from(move |e: KeyboardEvent| {
            let next = match e.key().as_str() {
                "ArrowLeft" => split.saturating_sub(5),
                "ArrowRight" => split + 5,
                _ => return,
            };
            e.prevent_default();
            e.stop_propagation();
            dispatch.dispatch(Action::Split(next));
        })
    };
    html! {
        <div
            class="splitter"
            role="separator"
            aria-orientation="vertical"
            aria-label="Resize the editor"
            aria-valuenow={props.split.to_string()}
            aria-valuemin="20"
            aria-valuemax="80"
            tabindex="0"
            {onpointerdown}
            {onpointermove}
            {onpointerup}
            {onkeydown}
        />
    }
}
