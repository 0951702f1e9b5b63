//! kmem playground in the browser: a Yew app that renders what the core
//! crates compute. It only renders and dispatches; it never simulates.

// No unsafe code is written here; the JS API's generated glue (`api`) is
// the one place that allows it.
#![deny(unsafe_code)]

pub mod api;
pub mod app;
pub mod components;
pub mod displaced;
pub mod dom;
pub mod session;
pub mod share;
pub mod storage;

/// Mounts the playground on the document body. A panic is handed to the
/// page's guard (`web/guard.js`), which says so, keeps the script and
/// offers a report and a reload; the hook is Yew's custom one, as
/// `Renderer::render` replaces any other.
pub fn start() {
    yew::set_custom_panic_hook(Box::new(|info| report_internal_error(&info.to_string())));
    // A page that loads the module for its JS API (`<body data-kmem-api>`)
    // gets no playground.
    let api_only = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
        .is_some_and(|b| b.has_attribute("data-kmem-api"));
    if !api_only {
        yew::Renderer::<app::App>::new().render();
    }
}

/// Hands a panic's report to the guard's `window.kmemInternalError`, or
/// to the console where there is no guard (a page of the JS API).
fn report_internal_error(report: &str) {
    use wasm_bindgen::{JsCast, JsValue};
    let message = JsValue::from_str(report);
    let guard = web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &JsValue::from_str("kmemInternalError")).ok())
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    match guard {
        Some(guard) => {
            let _ = guard.call1(&JsValue::NULL, &message);
        }
        None => web_sys::console::error_1(&message),
    }
}
