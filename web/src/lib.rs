//! kmem playground in the browser: a Yew app that renders what the core
//! crates compute. It only renders and dispatches; it never simulates.

// No unsafe code is written here; the JS API's generated glue (`api`) is
// the one place that allows it.
#![deny(unsafe_code)]

pub mod api;
pub mod app;
pub mod components;
pub mod session;
pub mod share;
pub mod storage;

/// Mounts the playground on the document body, with a panic hook that
/// shows an internal error as a message (with its report to copy) instead
/// of a page that silently stops.
pub fn start() {
    std::panic::set_hook(Box::new(|info| show_internal_error(&info.to_string())));
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

/// Puts a message over the page: what happened, and a button that copies
/// the report. Uses the DOM directly, as the app may be gone.
fn show_internal_error(report: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(panel) = document.create_element("div") else {
        return;
    };
    panel.set_class_name("internal-error");
    let _ = panel.set_attribute("role", "alert");
    panel.set_inner_html(
        "<h2>The playground hit an internal error</h2>\
         <p>This is a bug in the playground, not in your script. Reload the page to go on; \
         the report below helps fix it.</p><pre></pre>\
         <button type=\"button\">Copy the report</button>",
    );
    if let Ok(Some(pre)) = panel.query_selector("pre") {
        pre.set_text_content(Some(report));
    }
    if let Ok(Some(button)) = panel.query_selector("button") {
        let report = report.to_string();
        let copy = wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || {
            if let Some(window) = web_sys::window() {
                let _ = window.navigator().clipboard().write_text(&report);
            }
        });
        use wasm_bindgen::JsCast;
        let _ = button.add_event_listener_with_callback("click", copy.as_ref().unchecked_ref());
        copy.forget();
    }
    if let Some(body) = document.body() {
        let _ = body.append_child(&panel);
    }
}
