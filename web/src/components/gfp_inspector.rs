//! The GFP inspector: a mask typed by names or in hex (or a pasted log
//! line with `mode:0x…`), every bit of the release with its meaning and a
//! checkbox, the `%pGg` string and hex of each release side by side, the
//! zone, whether it may sleep, the migratetype and the contexts that may
//! use it.

use kmem::gfp::{FlagGroup, Gfp, GfpTable};
use kmem::profile::Release;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::session::releases;

/// The groups in the order the kernel's gfp_types.h documents them.
const GROUPS: [FlagGroup; 7] = [
    FlagGroup::ZoneModifier,
    FlagGroup::Mobility,
    FlagGroup::Placement,
    FlagGroup::Watermark,
    FlagGroup::Reclaim,
    FlagGroup::Action,
    FlagGroup::Debug,
];

/// The flag table of a release the menu offers.
pub fn table_of(release: &str) -> &'static GfpTable {
    Release::parse(release)
        .ok()
        .and_then(|r| GfpTable::for_release(r).ok())
        .unwrap_or_else(|| &GfpTable::all()[GfpTable::all().len() - 1])
}

/// Properties of [`FlagChecks`].
#[derive(Properties, PartialEq)]
pub struct FlagChecksProps {
    /// The release's table.
    pub release: AttrValue,
    /// The mask.
    pub mask: u32,
    /// Called with the new mask when a box is toggled.
    pub onchange: Callback<u32>,
    /// Whether each flag's meaning is written out (else it is a tooltip).
    #[prop_or_default]
    pub meanings: bool,
}

/// A checkbox per flag of the release, grouped as the kernel groups them.
#[component]
pub fn FlagChecks(props: &FlagChecksProps) -> Html {
    let table = table_of(&props.release);
    let meanings = table.meanings(Gfp(props.mask));
    html! {
        <div class="flag-groups">
            { for GROUPS.iter().map(|group| {
                let flags: Vec<_> = meanings.iter().filter(|b| b.group == *group && b.value.0 != 0).collect();
                if flags.is_empty() {
                    return Html::default();
                }
                html! {
                    <fieldset class="flag-group">
                        <legend>{ group.name() }</legend>
                        { for flags.into_iter().map(|bit| {
                            let value = bit.value.0;
                            let mask = props.mask;
                            let onchange = props.onchange.clone();
                            let toggle = Callback::from(move |_: Event| onchange.emit(mask ^ value));
                            html! {
                                <label class="flag" title={bit.meaning}>
                                    <input type="checkbox" checked={bit.set} onchange={toggle} />
                                    <code>{ bit.name }</code>
                                    <span class="hex">{ format!("{value:#x}") }</span>
                                    if props.meanings { <span class="meaning">{ bit.meaning }</span> }
                                </label>
                            }
                        }) }
                    </fieldset>
                }
            }) }
        </div>
    }
}

/// Properties of [`GfpInspector`].
#[derive(Properties, PartialEq)]
pub struct GfpInspectorProps {
    /// The release chosen in the header.
    pub release: AttrValue,
}

/// The mask in the text, for a release: names or hex, or the `mode:0x…`
/// of a pasted log line.
fn parse_input(table: &GfpTable, text: &str) -> Result<Gfp, String> {
    let text = text.trim();
    let mask = match text.split_once("mode:") {
        Some((_, rest)) => rest
            .split(|c: char| !(c.is_ascii_hexdigit() || c == 'x'))
            .next()
            .unwrap_or(""),
        None => text,
    };
    table.parse(mask).map_err(|e| match e.help {
        Some(help) => format!("{} ({help})", e.message),
        None => e.message,
    })
}

/// The GFP inspector view.
#[component]
pub fn GfpInspector(props: &GfpInspectorProps) -> Html {
    let text = use_state(|| "GFP_KERNEL".to_string());
    let table = table_of(&props.release);
    let parsed = parse_input(table, &text);
    let oninput = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            text.set(input.value());
        })
    };
    let onchange = {
        let text = text.clone();
        Callback::from(move |mask: u32| text.set(table.format(Gfp(mask))))
    };
    let body = match parsed {
        Err(message) => html! { <p class="status error" role="alert">{ message }</p> },
        Ok(gfp) => {
            let zone = table.zone(gfp);
            let names = table.format(gfp);
            let across = releases().into_iter().map(|r| {
                let other = table_of(r);
                let shown = match other.parse(&names) {
                    Ok(g) => other.format_mode(g),
                    Err(e) => format!("not expressible: {}", e.message),
                };
                html! { <tr><th scope="row">{ r }</th><td><code>{ shown }</code></td></tr> }
            });
            let contexts = [
                ("process context", true),
                ("under a spinlock", false),
                ("softirq or tasklet", false),
                ("hardirq", false),
            ];
            let sleeps = table.allows_blocking(gfp);
            html! {
                <>
                    <p class="mode" aria-live="polite"><code data-testid="gfp-mode">{ table.format_mode(gfp) }</code></p>
                    <table class="across">
                        <caption>{ "The same flags in each release (%#x(%pGg))" }</caption>
                        { for across }
                    </table>
                    <dl class="facts">
                        <dt>{ "zones" }</dt>
                        <dd>{ if zone.valid {
                            format!("{}, highest first (gfp_zone: {})", zone.fallback.iter().map(|z| z.name()).collect::<Vec<_>>().join(", "), zone.zone)
                        } else {
                            "invalid combination of zone modifiers (GFP_ZONE_BAD)".to_string()
                        } }</dd>
                        <dt>{ "may sleep" }</dt>
                        <dd>{ if sleeps { "yes (__GFP_DIRECT_RECLAIM)" } else { "no" } }</dd>
                        <dt>{ "migratetype" }</dt>
                        <dd>{ table.migratetype(gfp).to_string() }</dd>
                        <dt>{ "usable in" }</dt>
                        <dd>{ contexts.iter().filter(|(_, needs_sleep)| *needs_sleep || !sleeps).map(|(c, _)| *c).collect::<Vec<_>>().join(", ") }
                            { " (never in NMI context)" }</dd>
                    </dl>
                    <FlagChecks release={props.release.clone()} mask={gfp.0} {onchange} meanings=true />
                </>
            }
        }
    };
    html! {
        <div class="gfp-inspector">
            <label class="wide">
                { "GFP mask: names, hex, or a pasted log line with mode:0x…" }
                <input type="text" aria-label="GFP mask" value={(*text).clone()} {oninput} spellcheck="false" />
            </label>
            { body }
        </div>
    }
}
