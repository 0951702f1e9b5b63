//! The JavaScript API, for people building their own widgets on the same
//! simulator. Load `kmem-api.js` (a stable name for this build's module),
//! call its default export once, then:
//!
//! ```js
//! import init, { KmemKernel, decodeGfp } from "./kmem-api.js";
//! await init();
//! const kernel = new KmemKernel({ kernel: "6.6", machine: "small" });
//! const trace = kernel.run("void *p = kmalloc(100, GFP_KERNEL);");
//! trace.steps[0].value;            // "0xffff888…" (a hex string)
//! kernel.translate("p + 5000");    // { address, physical, vmalloc, steps }
//! decodeGfp("GFP_KERNEL", "4.19"); // { mode: "0x6000c0(GFP_KERNEL)", … }
//! ```
//!
//! Addresses and 64-bit values are hex strings or BigInt, never lossy
//! numbers. Mistakes in a script or a mask become JS `Error`s carrying the
//! diagnostic text.

// wasm-bindgen's generated glue needs unsafe code; none is written here.
#![allow(unsafe_code)]

use kmem::gfp::GfpTable;
use kmem::kernel::{CallValue, DebugConfig};
use kmem::profile::Release;
use kmem::VirtAddr;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::session::{Machine, Run, Settings};

/// Options of `new KmemKernel(options)`, all optional.
#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Options {
    kernel: Option<String>,
    machine: Option<String>,
    slub_debug: bool,
    random_kmalloc_caches: bool,
    uptime: Option<String>,
}

/// Values as JS gets them: 64-bit numbers as BigInt.
fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    let serializer =
        serde_wasm_bindgen::Serializer::new().serialize_large_number_types_as_bigints(true);
    value
        .serialize(&serializer)
        .map_err(|e| JsError::new(&e.to_string()))
}

/// A simulated machine: a kernel release booted on a machine preset.
#[wasm_bindgen]
pub struct KmemKernel {
    machine: Machine,
    last: Option<Run>,
}

#[wasm_bindgen]
impl KmemKernel {
    /// Boots a kernel. `options`: `{ kernel: "6.6" | "6.12" | "6.1" |
    /// "4.19", machine: "tiny" | "small" | "desktop" | "server", uptime:
    /// "running" (the default: up for a while) | "booted", slubDebug,
    /// randomKmallocCaches }`.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<KmemKernel, JsError> {
        let options: Options = if options.is_undefined() || options.is_null() {
            Options::default()
        } else {
            serde_wasm_bindgen::from_value(options)
                .map_err(|e| JsError::new(&format!("bad options: {e}")))?
        };
        let defaults = Settings::default();
        let uptime = match options.uptime.as_deref() {
            None => defaults.uptime,
            Some(name) => kmem::memmap::Uptime::parse(name).ok_or_else(|| {
                JsError::new(&format!(
                    "bad options: unknown uptime `{name}` (running or booted)"
                ))
            })?,
        };
        let settings = Settings {
            uptime,
            release: options.kernel.unwrap_or(defaults.release),
            preset: options.machine.unwrap_or(defaults.preset),
            debug: DebugConfig {
                slub_debug: options.slub_debug,
                random_kmalloc_caches: options.random_kmalloc_caches,
                ..DebugConfig::default()
            },
        };
        let machine = Machine::boot(&settings).map_err(|e| JsError::new(&e))?;
        Ok(KmemKernel {
            machine,
            last: None,
        })
    }

    /// The release the kernel shows, such as `"6.6.0"`.
    #[wasm_bindgen(getter)]
    pub fn release(&self) -> String {
        self.machine
            .settings
            .config()
            .map(|c| c.profile.release().to_string())
            .unwrap_or_default()
    }

    /// Runs a script on a fresh copy of the booted kernel and returns its
    /// trace: `{ steps: [{ span, event, value, output, walk, vars }],
    /// variables: [[name, "0x…"]], error }`. Syntax errors throw, every
    /// one rendered in the message (the parser caps their number).
    pub fn run(&mut self, script: &str) -> Result<JsValue, JsError> {
        let run = self.machine.run(script);
        if !run.parsed.errors.is_empty() {
            let index = kmem_script::LineIndex::new(script);
            let rendered: Vec<String> = run
                .parsed
                .errors
                .iter()
                .map(|d| d.render(script, &index))
                .collect();
            return Err(JsError::new(&rendered.join("\n")));
        }
        let value = to_js(&run.trace)?;
        self.last = Some(run);
        Ok(value)
    }

    /// A /proc file (or `"dmesg"`) after the last run.
    pub fn file(&self, path: &str) -> Result<String, JsError> {
        let kernel = self.kernel();
        if path == "dmesg" {
            return Ok(kernel.log.render());
        }
        kmem::procfs::read(&kernel, path).ok_or_else(|| {
            JsError::new(&format!(
                "no file {path}; there are {}",
                kmem::procfs::FILES.join(", ")
            ))
        })
    }

    /// Translates an address or expression (with the last run's
    /// variables) through the vmalloc-aware path: `{ address, physical,
    /// vmalloc, steps: [{ function, computation, value }] }`.
    pub fn translate(&self, expression: &str) -> Result<JsValue, JsError> {
        let kernel = self.kernel();
        let variables = self
            .last
            .as_ref()
            .map(|r| r.trace.variables.clone())
            .unwrap_or_default();
        let address = kmem_script::evaluate(expression, &variables, kernel.clone())
            .map_err(|d| JsError::new(&d.message))?;
        let mut k = kernel.clone();
        let event = k.kaddr_to_phys(VirtAddr::new(address));
        #[derive(Serialize)]
        struct Step {
            function: &'static str,
            computation: String,
            value: String,
        }
        #[derive(Serialize)]
        struct Translation {
            address: String,
            physical: Option<String>,
            vmalloc: bool,
            steps: Vec<Step>,
        }
        let translation = Translation {
            address: format!("{address:#x}"),
            physical: match event.value {
                CallValue::Phys(p) => Some(format!("{:#x}", p.as_u64())),
                _ => None,
            },
            vmalloc: kernel
                .translator()
                .is_vmalloc_addr(VirtAddr::new(address))
                .value,
            steps: event
                .walk
                .iter()
                .map(|s| Step {
                    function: s.function,
                    computation: s.arithmetic.clone(),
                    value: format!("{:#x}", s.output),
                })
                .collect(),
        };
        to_js(&translation)
    }
}

impl KmemKernel {
    /// The kernel after the last run (the booted one before any).
    fn kernel(&self) -> kmem::kernel::Kernel {
        match &self.last {
            Some(run) => self.machine.kernel_at(run, None),
            None => self.machine.run("").trace.kernel,
        }
    }
}

/// Decodes a GFP mask given by names or in hex for a release (4.9 to
/// 6.12, newer ones with 6.12's flags and a `note`; the default 6.6):
/// `{ release, note, mode, mask, zones, maySleep, migratetype, flags:
/// [{ name, value, group, set, meaning }] }`.
#[wasm_bindgen(js_name = decodeGfp)]
pub fn decode_gfp(mask: &str, release: Option<String>) -> Result<JsValue, JsError> {
    let release = Release::parse(release.as_deref().unwrap_or("6.6"))
        .map_err(|e| JsError::new(&e.to_string()))?;
    let (table, note) =
        GfpTable::for_decoding(release).map_err(|e| JsError::new(&e.to_string()))?;
    let gfp = table.parse(mask).map_err(|e| match e.help {
        Some(help) => JsError::new(&format!("{} ({help})", e.message)),
        None => JsError::new(&e.message),
    })?;
    #[derive(Serialize)]
    struct Flag {
        name: &'static str,
        value: String,
        group: &'static str,
        set: bool,
        meaning: &'static str,
    }
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Decoded {
        release: String,
        note: Option<String>,
        mode: String,
        mask: String,
        zones: Vec<&'static str>,
        may_sleep: bool,
        migratetype: String,
        flags: Vec<Flag>,
    }
    let zone = table.zone(gfp);
    to_js(&Decoded {
        release: release.to_string(),
        note,
        mode: table.format_mode(gfp),
        mask: format!("{:#x}", gfp.0),
        zones: zone.fallback.iter().map(|z| z.name()).collect(),
        may_sleep: table.allows_blocking(gfp),
        migratetype: table.migratetype(gfp).to_string(),
        flags: table
            .meanings(gfp)
            .into_iter()
            .map(|b| Flag {
                name: b.name,
                value: format!("{:#x}", b.value.0),
                group: b.group.name(),
                set: b.set,
                meaning: b.meaning,
            })
            .collect(),
    })
}

/// Reads kernel log text (dmesg, a report pasted from a bug tracker) as
/// `kmem decode` does: `{ release, findings: [title], text }`, where
/// `text` is the whole explanation. Text over the decoder's bound, or in
/// which no release can be told, throws an `Error` saying so.
#[wasm_bindgen(js_name = decodeLog)]
pub fn decode_log(log: &str) -> Result<JsValue, JsError> {
    let decoding = kmem::decode::decode(log, None).map_err(|e| JsError::new(&e.to_string()))?;
    #[derive(Serialize)]
    struct Decoded {
        release: String,
        findings: Vec<String>,
        text: String,
    }
    to_js(&Decoded {
        release: decoding.release.to_string(),
        findings: decoding.findings.iter().map(|f| f.title.clone()).collect(),
        text: decoding.render(),
    })
}
