//! The browser's places the playground keeps state in: the URL fragment
//! (share links), localStorage (autosave), the clipboard, and files
//! (export and import). Each call reports failure instead of throwing, so
//! the app keeps working when storage is full or disabled.

use wasm_bindgen::JsCast;

use crate::displaced::{Displaced, Why};
use crate::share::SharedState;

/// The localStorage key of the autosaved state (its text form).
pub const AUTOSAVE: &str = "kmem-playground.autosave";
/// The key of the work the page displaced (see `displaced.rs`).
pub const DISPLACED: &str = "kmem-playground.displaced";
/// The key under which earlier builds kept the one script a link replaced:
/// read once into [`DISPLACED`], then removed.
pub const OLD_STASH: &str = "kmem-playground.stash";
/// The key under which `web/guard.js` keeps the script when the module
/// stops (a panic or a trap); the next visit opens it without running it.
pub const RESCUE: &str = "kmem-playground.rescue";

/// The page's fragment, without `#` (empty when there is none).
pub fn fragment() -> String {
    gloo::utils::window()
        .location()
        .hash()
        .unwrap_or_default()
        .trim_start_matches('#')
        .to_string()
}

/// Puts `fragment` in the address bar without a reload or a history entry.
pub fn set_fragment(fragment: &str) {
    let window = gloo::utils::window();
    if let Ok(history) = window.history() {
        let url = format!("#{fragment}");
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

/// Takes the fragment out of the address bar (no reload, no history
/// entry), so that a reload opens the saved work, not the link again.
pub fn clear_fragment() {
    let window = gloo::utils::window();
    let location = window.location();
    let url = format!(
        "{}{}",
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default()
    );
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

/// The page's address with `fragment`.
pub fn link(fragment: &str) -> String {
    let location = gloo::utils::window().location();
    let base = location.href().unwrap_or_default();
    let base = base.split('#').next().unwrap_or_default();
    format!("{base}#{fragment}")
}

/// The text stored under `key`, if any (and storage is readable).
pub fn load_text(key: &str) -> Option<String> {
    let storage = gloo::utils::window().local_storage().ok()??;
    storage.get_item(key).ok()?
}

/// Stores `text` under `key` (`None` removes it); `false` when storage is
/// full or disabled.
pub fn save_text(key: &str, text: Option<&str>) -> bool {
    let Ok(Some(storage)) = gloo::utils::window().local_storage() else {
        return false;
    };
    match text {
        Some(text) => storage.set_item(key, text).is_ok(),
        None => storage.remove_item(key).is_ok(),
    }
}

/// Stores the state under `key`; `false` when storage is full or disabled.
pub fn save(key: &str, state: &SharedState) -> bool {
    save_text(key, Some(&state.to_text()))
}

/// The displaced work kept in storage (with what an earlier build kept
/// under [`OLD_STASH`] moved in).
pub fn load_displaced() -> Displaced {
    let mut list = load_text(DISPLACED)
        .map(|t| Displaced::from_text(&t))
        .unwrap_or_default();
    if let Some(old) = load_text(OLD_STASH) {
        list.keep_text(old, Why::Link, now_ms());
        if save_text(DISPLACED, Some(&list.to_text())) {
            save_text(OLD_STASH, None);
        }
    }
    list
}

/// Stores the displaced work; `false` when storage is full or disabled.
pub fn save_displaced(list: &Displaced) -> bool {
    save_text(DISPLACED, Some(&list.to_text()))
}

/// Milliseconds since 1970, as `Date.now()` says.
pub fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

/// Copies `text` to the clipboard (asynchronously; failures are silent,
/// as the link is also shown for copying by hand).
pub fn copy(text: &str) {
    let written = gloo::utils::window()
        .navigator()
        .clipboard()
        .write_text(text);
    // A refused write (no permission, a frame) rejects its promise: it is
    // awaited here so that it never surfaces as an unhandled rejection.
    wasm_bindgen_futures::spawn_local(async move {
        let _ = wasm_bindgen_futures::JsFuture::from(written).await;
    });
}

/// Offers `text` as a download called `name`.
pub fn download(name: &str, text: &str) -> bool {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/plain");
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return false;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return false;
    };
    let document = gloo::utils::document();
    let done = document
        .create_element("a")
        .ok()
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
        .map(|a| {
            a.set_href(&url);
            a.set_download(name);
            a.click();
        })
        .is_some();
    let _ = web_sys::Url::revoke_object_url(&url);
    done
}
