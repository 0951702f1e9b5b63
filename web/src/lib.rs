//! kmem playground in the browser: a Yew app that renders what the core
//! crates compute. It only renders and dispatches; it never simulates.

#![forbid(unsafe_code)]

pub mod app;
pub mod components;

/// Mounts the playground on the document body.
pub fn start() {
    yew::Renderer::<app::App>::new().render();
}
