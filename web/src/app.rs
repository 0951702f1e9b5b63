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
use crate::displaced::{script_of, Displaced, Why};
use crate::session::{Machine, Run, Settings};
use crate::share::{EmbedOptions, ShareError, SharedState};
use crate::storage;

/// The script a first visit opens with.
pub const DEFAULT_SCRIPT: &str = include_str!("../default-script.kmem");

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
    /// Work the page replaced (links, examples, imports, other tabs),
    /// newest first; the newest may be offered back.
    pub displaced: Displaced,
    /// The script is shown but not run until the person asks (a script
    /// kept after an internal error, which may be what caused it).
    pub held: bool,
    /// Another tab saved different work: this tab no longer autosaves
    /// over it until the person chooses.
    pub other_tab: bool,
    /// Storage could not keep displaced work: this tab no longer
    /// autosaves (the autosave holds the displaced script).
    pub storage_full: bool,
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
        let script = editor_text(&shared.script);
        self.text = script.clone().into();
        self.source = script.into();
        self.settings = shared.settings;
        self.step = shared.step;
        self.view = shared.view;
        if let Some(embed) = &shared.embed {
            self.dark = embed.dark;
        }
        self.embed = shared.embed;
        self.revision += 1;
    }

    /// Keeps the current work in the displaced list (and in storage)
    /// before something replaces it. When storage cannot take the list,
    /// the autosave (which still holds the displaced script) is no longer
    /// written, and the page says so.
    fn displace(&mut self, why: Why) {
        if self.embed.is_none()
            && self.quiz.is_none()
            && self
                .displaced
                .keep(&self.shared(), why, storage::now_ms(), DEFAULT_SCRIPT)
        {
            self.keep_displaced();
        }
    }

    /// Stores the displaced list; see [`State::displace`] for a failure.
    fn keep_displaced(&mut self) {
        if !storage::save_displaced(&self.displaced) && !self.storage_full {
            self.storage_full = true;
            self.notice = Some(Notice::error(
                "The browser's storage is full: your previous script could not be kept there. It is under Earlier work in this tab, and this tab stops autosaving so that the saved copy of it is not overwritten. Use Export to keep what you need.",
            ));
        }
    }

    /// The state a visit opens with: the link in the fragment, else the
    /// script kept after an internal error, else the autosaved work, else
    /// the default script. Whatever a link or a kept script replaces goes
    /// to the displaced list; a link or a saved state that cannot be read
    /// says why, and a saved state is kept even then.
    pub fn initial() -> State {
        let mut state = State::default();
        let fragment = storage::fragment();
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
        let link = (!fragment.is_empty()).then(|| SharedState::from_fragment(&fragment));
        // An embed shows its own script and leaves the reader's work alone.
        if let Some(Ok(shared)) = &link {
            if shared.embed.is_some() {
                state.apply(shared.clone());
                return state;
            }
        }
        state.displaced = storage::load_displaced();
        let loaded = state.displaced.clone();
        let now = storage::now_ms();
        // The autosave: the state to open, or kept as it is when this
        // build cannot read it.
        let saved = storage::load_text(storage::AUTOSAVE).and_then(|text| {
            SharedState::from_text(&text)
                .map_err(|e| {
                    state.displaced.keep_text(text.clone(), Why::Unreadable, now);
                    state.notice = Some(Notice::error(format!(
                        "Your saved work could not be read by this playground ({}). Its script is shown with this playground's defaults; the saved copy is kept under Earlier work.",
                        unreadable_reason(&e)
                    )));
                    SharedState {
                        script: script_of(&text).to_string(),
                        ..SharedState::default()
                    }
                })
                .ok()
                .or_else(|| state.displaced.entries.first().map(|e| e.state()))
        });
        let rescued = storage::load_text(storage::RESCUE);
        match link {
            Some(Ok(shared)) => {
                for mine in saved.iter().chain(&rescued_state(&rescued, &saved)) {
                    if mine.script != shared.script {
                        state.displaced.keep(mine, Why::Link, now, DEFAULT_SCRIPT);
                    }
                }
                state.apply(shared);
            }
            Some(Err(e)) => {
                state.notice = Some(Notice::error(format!(
                    "This link could not be opened: {e}. The default script is shown instead."
                )));
                for mine in saved.iter().chain(&rescued_state(&rescued, &saved)) {
                    state.displaced.keep(mine, Why::Link, now, DEFAULT_SCRIPT);
                }
            }
            None => {
                if let Some(saved) = saved.clone() {
                    state.apply(saved);
                }
                if let Some(rescued) = rescued_state(&rescued, &saved) {
                    state.displace(Why::Rescue);
                    state.apply(rescued);
                    state.source = AttrValue::default();
                    state.held = true;
                    state.notice = Some(Notice::info(
                        "The playground stopped on an internal error last time. Your script is back, not run yet: edit it, or press Ctrl+Enter to run it.",
                    ));
                    storage::save(storage::AUTOSAVE, &state.shared());
                }
            }
        }
        if rescued.is_some() {
            storage::save_text(storage::RESCUE, None);
        }
        if state.displaced != loaded {
            state.keep_displaced();
        }
        state
    }
}

/// A script as the editor holds it: a textarea has only LF line breaks,
/// so CRLF and CR ones (a file or state from a Windows tool) become LF.
fn editor_text(script: &str) -> String {
    script.replace("\r\n", "\n").replace('\r', "\n")
}

/// The state of a script kept after an internal error: the script, with
/// the autosaved settings.
fn rescued_state(script: &Option<String>, saved: &Option<SharedState>) -> Option<SharedState> {
    let script = script.as_ref()?;
    Some(SharedState {
        script: script.clone(),
        step: None,
        ..saved.clone().unwrap_or_default()
    })
}

/// Why Share refuses a state, with the limit it is over.
fn unshareable_reason(error: &ShareError, state: &SharedState) -> String {
    match error {
        ShareError::TooLarge => format!(
            "its state is {} KiB, more than the {} KiB a link may carry",
            state.to_text().len().div_ceil(1024),
            crate::share::MAX_STATE / 1024
        ),
        ShareError::TooLong(n) => format!(
            "its link would be {n} bytes, more than the {} a link may have",
            crate::share::MAX_FRAGMENT
        ),
        other => other.to_string(),
    }
}

/// Why a saved state cannot be read, said of saved work (not of a link).
fn unreadable_reason(error: &ShareError) -> String {
    match error {
        ShareError::UnknownSchema(v) => {
            format!("it was saved by a newer playground, in state format {v}")
        }
        ShareError::BadHeader(why) => why.clone(),
        other => other.to_string(),
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
            displaced: Displaced::default(),
            held: false,
            other_tab: false,
            storage_full: false,
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
    /// Typing paused: run the editor's text, unless the script is held.
    Run,
    /// Run the editor's text now (Ctrl-Enter), held or not.
    RunNow,
    /// Replace the script (an example, an imported file); the current one
    /// is displaced.
    Load(String, Why),
    /// Choose a kernel release.
    Release(String),
    /// Choose a machine preset.
    Preset(String),
    /// Choose the machine's uptime.
    Uptime(kmem::memmap::Uptime),
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
    /// Open a shared state (a link pasted into the address bar).
    Apply(SharedState),
    /// Show or clear the notice.
    Notify(Option<Notice>),
    /// Take back entry N of the displaced work (the current work is
    /// displaced in turn).
    Restore(usize),
    /// Stop offering the newest displaced work (it stays in the list).
    DismissOffer,
    /// Remove entry N of the displaced work.
    Forget(usize),
    /// Another tab changed the displaced list (its text form).
    DisplacedChanged(String),
    /// Another tab saved this state's text form.
    OtherTabSaved(String),
    /// Open the other tab's saved work (this tab's is displaced).
    UseOtherTab,
    /// Keep this tab's work: the other tab's saved work is displaced and
    /// this tab saves again.
    KeepThisTab,
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
            Action::Edit(text) => {
                s.text = text.into();
                s.held = false;
                // A link in the address bar (Share puts one there) no
                // longer describes the work once it is edited.
                if s.embed.is_none() && !storage::fragment().is_empty() {
                    storage::clear_fragment();
                }
            }
            Action::Run | Action::RunNow => {
                if action == Action::RunNow {
                    s.held = false;
                }
                if !s.held && s.source != s.text {
                    s.source = s.text.clone();
                    s.step = None;
                }
            }
            Action::Load(text, why) => {
                s.displace(why);
                s.revision += 1;
                let text = editor_text(&text);
                s.text = text.clone().into();
                s.source = text.into();
                s.step = None;
                s.held = false;
            }
            Action::Release(release) => s.settings.release = release,
            Action::Preset(preset) => s.settings.preset = preset,
            Action::Uptime(uptime) => s.settings.uptime = uptime,
            Action::Debug(debug) => s.settings.debug = debug,
            Action::Select(step) => s.step = step,
            Action::Show(view) => s.view = view,
            Action::Help(open) => s.help = open,
            Action::ToggleTheme => s.dark = Some(!s.dark.unwrap_or_else(system_dark)),
            Action::Split(split) => s.split = split.clamp(20, 80),
            Action::Apply(shared) => {
                if shared.script != s.text.as_str() {
                    s.displace(Why::Link);
                }
                s.apply(shared);
            }
            Action::Notify(notice) => s.notice = notice,
            Action::Restore(index) => {
                if let Some(entry) = s.displaced.take(index) {
                    s.displace(Why::Restore);
                    s.displaced.dismiss();
                    s.apply(entry.state());
                    s.keep_displaced();
                }
            }
            Action::DismissOffer => {
                s.displaced.dismiss();
                s.keep_displaced();
            }
            Action::Forget(index) => {
                s.displaced.take(index);
                s.keep_displaced();
            }
            Action::DisplacedChanged(text) => s.displaced = Displaced::from_text(&text),
            Action::OtherTabSaved(text) => {
                let theirs = SharedState::from_text(&text).map(|t| t.script);
                s.other_tab = theirs.as_deref().unwrap_or(script_of(&text)) != s.text.as_str();
            }
            Action::UseOtherTab => {
                s.other_tab = false;
                let theirs = storage::load_text(storage::AUTOSAVE).map(|text| {
                    SharedState::from_text(&text).unwrap_or_else(|_| SharedState {
                        script: script_of(&text).to_string(),
                        ..SharedState::default()
                    })
                });
                if let Some(theirs) = theirs {
                    s.displace(Why::OtherTab);
                    s.apply(theirs);
                }
            }
            Action::KeepThisTab => {
                s.other_tab = false;
                if let Some(text) = storage::load_text(storage::AUTOSAVE) {
                    s.displaced
                        .keep_text(text, Why::OtherTab, storage::now_ms());
                    s.displaced.dismiss();
                    s.keep_displaced();
                }
                storage::save(storage::AUTOSAVE, &s.shared());
            }
            Action::Reveal => s.revealed = true,
            Action::EmbedDialog(open) => s.embed_dialog = open,
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

    // The page's kind, for the guard (`web/guard.js`): only the full
    // playground's script is the reader's own to keep.
    {
        let mode = match (&state.quiz, &state.embed) {
            (Some(_), _) => "quiz",
            (None, Some(_)) => "embed",
            (None, None) => "playground",
        };
        use_effect_with(mode, |mode| {
            let document = gloo::utils::document();
            if let Some(body) = document.body() {
                let _ = body.set_attribute("data-kmem-mode", mode);
            }
            // The plain-HTML page shown while the module loaded (web/boot.js).
            if let Some(boot) = document.get_element_by_id("boot") {
                boot.remove();
            }
        });
    }

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

    // Autosave once edits pause; a failure is said once. An embed or a
    // quiz never saves over the reader's own work, nor does a tab whose
    // saved work another tab replaced (until the person chooses).
    let saves =
        state.embed.is_none() && state.quiz.is_none() && !state.other_tab && !state.storage_full;
    {
        let dispatch = state.dispatcher();
        let shared = state.shared();
        let warned = use_mut_ref(|| false);
        // The state the page opened with is saved only when a link brought
        // it: saving an untouched default or the work storage already holds
        // would tell another open tab that different work was saved while
        // its person is typing.
        let opened = use_mut_ref(|| true);
        use_effect_with((shared, saves), move |(shared, saves)| {
            let (shared, saves) = (shared.clone(), *saves);
            let as_opened = std::mem::replace(&mut *opened.borrow_mut(), false);
            let timeout = gloo::timers::callback::Timeout::new(AUTOSAVE_AFTER_MS, move || {
                if !saves || (as_opened && storage::fragment().is_empty()) {
                    return;
                }
                let text = shared.to_text();
                let unchanged =
                    storage::load_text(storage::AUTOSAVE).as_deref() == Some(text.as_str());
                if unchanged || storage::save_text(storage::AUTOSAVE, Some(&text)) {
                    // The link in the address bar is now the saved work: a
                    // reload opens that, not the link again.
                    if !storage::fragment().is_empty() {
                        storage::clear_fragment();
                    }
                } else if !*warned.borrow() {
                    *warned.borrow_mut() = true;
                    dispatch.dispatch(Action::Notify(Some(Notice::error(
                        "This browser does not let the playground save your work (storage is full or disabled). Use Export to keep a copy.",
                    ))));
                }
            });
            move || drop(timeout)
        });
    }

    // Leaving the page (a reload, a closed tab, a hidden one) saves at
    // once what the pause above would have saved: the last keystrokes
    // are not lost. A tab that no longer autosaves keeps its work among
    // the displaced instead.
    {
        // The handle (an `Rc`): the state is copied only when it is flushed.
        let latest = use_mut_ref(|| None::<UseReducerHandle<State>>);
        *latest.borrow_mut() = Some(state.clone());
        use_effect_with((), move |_| {
            let flush = move || {
                let Some(mut state) = latest.borrow().as_deref().cloned() else {
                    return;
                };
                if let Some(area) = gloo::utils::document()
                    .get_element_by_id(crate::components::editor::EDITOR_ID)
                    .and_then(|e| e.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
                {
                    state.text = area.value().into();
                }
                if state.embed.is_some() || state.quiz.is_some() {
                    return;
                }
                if state.other_tab || state.storage_full {
                    state.displace(Why::OtherTab);
                } else {
                    storage::save(storage::AUTOSAVE, &state.shared());
                }
            };
            let flush = std::rc::Rc::new(flush);
            let on_hide = {
                let flush = flush.clone();
                gloo::events::EventListener::new(&gloo::utils::window(), "pagehide", move |_| {
                    flush()
                })
            };
            let on_hidden = gloo::events::EventListener::new(
                &gloo::utils::document(),
                "visibilitychange",
                move |_| {
                    if gloo::utils::document().hidden() {
                        flush();
                    }
                },
            );
            move || drop((on_hide, on_hidden))
        });
    }

    // Another tab's saves: its displaced list is taken as it is, and its
    // autosave, when it differs from this tab's work, stops this tab's
    // autosave until the person chooses.
    {
        let dispatch = state.dispatcher();
        use_effect_with((), move |_| {
            let listener =
                gloo::events::EventListener::new(&gloo::utils::window(), "storage", move |e| {
                    let Some(e) = e.dyn_ref::<web_sys::StorageEvent>() else {
                        return;
                    };
                    let (key, value) = (e.key(), e.new_value());
                    match (key.as_deref(), value) {
                        (Some(storage::DISPLACED), Some(text)) => {
                            dispatch.dispatch(Action::DisplacedChanged(text))
                        }
                        (Some(storage::AUTOSAVE), Some(text)) => {
                            dispatch.dispatch(Action::OtherTabSaved(text))
                        }
                        _ => {}
                    }
                });
            move || drop(listener)
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
            let fragment = match shared.to_checked_fragment() {
                Ok(fragment) => fragment,
                Err(e) => {
                    dispatch.dispatch(Action::Notify(Some(Notice::error(format!(
                        "This script cannot be shared as a link: {}. Use Export to share it as a file.",
                        unshareable_reason(&e, &shared)
                    )))));
                    return;
                }
            };
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
    let stopped = run.as_ref().and_then(|r| r.0.stopped());
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
                    diagnostics_source={state.source.clone()}
                    dispatch={dispatch.clone()}
                    readonly={options.readonly}
                />
                <Diagnostics source={state.source.clone()} diagnostics={diagnostics.clone()} held={state.held} stopped={stopped.clone()} />
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
            <Notices
                notice={state.notice.clone()}
                displaced={state.displaced.clone()}
                other_tab={state.other_tab}
                dispatch={dispatch.clone()}
            />
            if let Some(error) = boot_error {
                <p class="status error" role="alert">{ format!("The machine cannot boot: {error}") }</p>
            }
            <main class="panes">
                <section class="pane editor-pane" aria-label="Script">
                    <Editor
                        text={state.text.clone()}
                        revision={state.revision}
                        diagnostics={diagnostics.clone()}
                        diagnostics_source={state.source.clone()}
                        dispatch={dispatch.clone()}
                    />
                    <Diagnostics source={state.source.clone()} diagnostics={diagnostics.clone()} held={state.held} stopped={stopped.clone()} />
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
                <EmbedDialog state={state.shared()} dark={state.dark} dispatch={dispatch} />
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
