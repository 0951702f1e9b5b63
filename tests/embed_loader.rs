//! The embed loader (`web/embed.js`) checks a block's options against
//! lists of its own, as it runs before the playground's module: they must
//! be the playground's, in its order (the first release is the default).

use kmem_web::components::views::View;
use kmem_web::session::{presets, releases};
use kmem_web::share::debug_option_names;

/// The strings of `const NAME = [...]` in the loader.
fn loader_list(name: &str) -> Vec<String> {
    let loader = include_str!("../web/embed.js");
    let start = loader
        .find(&format!("const {name} = ["))
        .unwrap_or_else(|| panic!("web/embed.js has no list {name}"));
    let body = &loader[start..];
    let body = &body[body.find('[').unwrap() + 1..body.find(']').unwrap()];
    body.split(',')
        .map(|item| item.trim().trim_matches('"').to_string())
        .filter(|item| !item.is_empty())
        .collect()
}

#[test]
fn the_loader_knows_the_playgrounds_releases_machines_panes_and_debug_options() {
    assert_eq!(loader_list("RELEASES"), releases());
    assert_eq!(
        loader_list("MACHINES"),
        presets().map(|(name, _)| name).collect::<Vec<_>>()
    );
    assert_eq!(
        loader_list("PANES"),
        View::ALL.iter().map(|v| v.id()).collect::<Vec<_>>()
    );
    assert_eq!(
        loader_list("DEBUG"),
        debug_option_names().collect::<Vec<_>>()
    );
}
