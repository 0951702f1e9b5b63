//! DOM helpers that never move the page around the playground: an embed
//! lives in a host page (a blog post), and a host page that scrolls
//! because of something inside a frame loses its reader.
//!
//! `Element::scrollIntoView` and a plain `focus()` scroll every scrollable
//! ancestor, the frame's host page included. These scroll only this
//! document's own scroll areas and its own viewport, which inside a frame
//! is the frame's.

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

/// Scrolls `element` into view, by as little as it takes, within each of
/// its scrollable ancestors and this document's viewport.
pub fn reveal(element: &Element) {
    let window = gloo::utils::window();
    let mut ancestor = element.parent_element();
    while let Some(area) = ancestor {
        let scrolls = area.scroll_height() > area.client_height()
            && window
                .get_computed_style(&area)
                .ok()
                .flatten()
                .and_then(|style| style.get_property_value("overflow-y").ok())
                .is_some_and(|overflow| overflow == "auto" || overflow == "scroll");
        if scrolls {
            let inner = element.get_bounding_client_rect();
            let outer = area.get_bounding_client_rect();
            let by = nearest_scroll(inner.top(), inner.bottom(), outer.top(), outer.bottom());
            area.set_scroll_top(area.scroll_top() + by as i32);
        }
        ancestor = area.parent_element();
    }
    let height = window
        .inner_height()
        .ok()
        .and_then(|h| h.as_f64())
        .unwrap_or(0.0);
    let rect = element.get_bounding_client_rect();
    let by = nearest_scroll(rect.top(), rect.bottom(), 0.0, height);
    if by != 0.0 {
        window.scroll_by_with_x_and_y(0.0, by);
    }
}

/// How far to scroll a view spanning `top..bottom` so that an item
/// spanning `item_top..item_bottom` shows, by as little as it takes (the
/// item's top wins when it is taller than the view).
fn nearest_scroll(item_top: f64, item_bottom: f64, top: f64, bottom: f64) -> f64 {
    if item_top < top {
        item_top - top
    } else if item_bottom > bottom {
        (item_bottom - bottom).min(item_top - top)
    } else {
        0.0
    }
}

/// Focuses `element` without scrolling anything, then reveals it within
/// this document (see [`reveal`]).
pub fn focus(element: &Element) {
    if let Some(element) = element.dyn_ref::<HtmlElement>() {
        let options = web_sys::FocusOptions::new();
        options.set_prevent_scroll(true);
        let _ = element.focus_with_options(&options);
    }
    reveal(element);
}

#[cfg(test)]
mod tests {
    use super::nearest_scroll;

    #[test]
    fn scrolls_by_as_little_as_it_takes() {
        assert_eq!(nearest_scroll(10.0, 20.0, 0.0, 100.0), 0.0);
        assert_eq!(nearest_scroll(-30.0, -10.0, 0.0, 100.0), -30.0);
        assert_eq!(nearest_scroll(90.0, 120.0, 0.0, 100.0), 20.0);
        // Taller than the view: its top comes to the view's top.
        assert_eq!(nearest_scroll(50.0, 300.0, 0.0, 100.0), 50.0);
    }
}
