//! What the page shows, computed from the script and the settings: the run
//! of the script on a booted kernel, and the kernel as it stood after any
//! step. The views render these; nothing here touches the page.

use kmem::kernel::{DebugConfig, Kernel, KernelConfig};
use kmem::memmap::{MachineConfig, Uptime, PRESETS};
use kmem::profile::Profile;
use kmem_script::interp::DEFAULT_STEP_BUDGET;
use kmem_script::parser::Parsed;
use kmem_script::{Diagnostic, Trace};

/// The releases the version menu offers, newest LTS first as the default.
/// The kernels the page offers, as users name their series: the default
/// profile's first, then the others newest first.
pub fn releases() -> Vec<&'static str> {
    kmem::profile::offered()
}

/// Everything besides the script that decides a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// The kernel release, as [`releases`] spells it.
    pub release: String,
    /// The machine preset's name (see [`PRESETS`]).
    pub preset: String,
    /// The machine's debug options.
    pub debug: DebugConfig,
    /// Up for a while (the default) or just booted.
    pub uptime: Uptime,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            release: releases()[0].to_string(),
            preset: "desktop".to_string(),
            debug: DebugConfig::default(),
            uptime: Uptime::Running,
        }
    }
}

impl Settings {
    /// The kernel configuration these settings describe.
    pub fn config(&self) -> Result<KernelConfig, String> {
        let profile = Profile::parse(&self.release).map_err(|e| e.to_string())?;
        let machine = MachineConfig {
            uptime: self.uptime,
            ..MachineConfig::preset(&self.preset)
                .ok_or_else(|| format!("no machine preset `{}`", self.preset))?
        };
        Ok(KernelConfig {
            profile,
            machine,
            debug: self.debug,
        })
    }
}

/// A booted kernel for some settings: every run starts from a copy of it
/// (copying costs microseconds; booting costs milliseconds).
pub struct Machine {
    /// The settings it was booted with.
    pub settings: Settings,
    template: Kernel,
}

impl Machine {
    /// Boots the machine the settings describe.
    pub fn boot(settings: &Settings) -> Result<Machine, String> {
        let template = Kernel::boot(settings.config()?).map_err(|e| e.to_string())?;
        Ok(Machine {
            settings: settings.clone(),
            template,
        })
    }

    /// Parses and runs `source`.
    pub fn run(&self, source: &str) -> Run {
        let parsed = kmem_script::parse(source);
        let trace =
            kmem_script::run_on(&parsed.program, self.template.clone(), DEFAULT_STEP_BUDGET);
        Run { parsed, trace }
    }

    /// The kernel after step `step` of `run` (0-based), or after the whole
    /// run for `None`: the script re-run up to that step.
    pub fn kernel_at(&self, run: &Run, step: Option<usize>) -> Kernel {
        match step {
            Some(step) if step + 1 < run.trace.steps.len() => {
                kmem_script::run_until(
                    &run.parsed.program,
                    self.template.clone(),
                    DEFAULT_STEP_BUDGET,
                    step + 1,
                )
                .kernel
            }
            _ => run.trace.kernel.clone(),
        }
    }
}

/// A script's run: its parse and its trace.
pub struct Run {
    /// The parse (the program and its syntax errors).
    pub parsed: Parsed,
    /// The trace of the program's run.
    pub trace: Trace,
}

impl Run {
    /// Every problem to show: the syntax errors, then the mistake that
    /// stopped the run.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let mut all = self.parsed.errors.clone();
        if all.is_empty() {
            all.extend(self.trace.error.clone());
        }
        all
    }

    /// Where the simulated kernel stopped the run (a BUG or an oops): the
    /// span of the call that stopped it and why. The statements after it
    /// did not run.
    pub fn stopped(&self) -> Option<(kmem_script::Span, String)> {
        let kmem::kernel::KernelState::Stopped(why) = self.trace.kernel.state() else {
            return None;
        };
        let step = self.trace.steps.iter().rev().find(|s| s.event.is_some())?;
        Some((step.span, why.clone()))
    }
}

/// The preset names and descriptions, for the machine menu.
pub fn presets() -> impl Iterator<Item = (&'static str, &'static str)> {
    PRESETS.iter().map(|p| (p.name, p.description))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_and_the_kernel_at_each_step() {
        let machine = Machine::boot(&Settings {
            preset: "small".into(),
            ..Settings::default()
        })
        .unwrap();
        let run =
            machine.run("void *p = kmalloc(100, GFP_KERNEL);\nkfree(p);\nq = vmalloc(SZ_1M);\n");
        assert!(run.diagnostics().is_empty());
        assert_eq!(run.trace.steps.len(), 3);
        let after_first = machine.kernel_at(&run, Some(0));
        let vmallocinfo = kmem::procfs::read(&after_first, "/proc/vmallocinfo").unwrap();
        assert!(
            !vmallocinfo.contains("pages=256"),
            "no vmalloc area yet: {vmallocinfo}"
        );
        let vmallocinfo =
            kmem::procfs::read(&machine.kernel_at(&run, None), "/proc/vmallocinfo").unwrap();
        assert!(vmallocinfo.contains("pages=256"), "{vmallocinfo}");
        let end = machine.kernel_at(&run, None);
        assert_eq!(end.vmap.areas().count(), 1);
        let broken = machine.run("x = ;\ny = kmalloc(8, GFP_KERNAL);\n");
        assert_eq!(broken.diagnostics().len(), 1, "syntax errors first");
    }

    #[test]
    fn settings_name_a_kernel_config() {
        let config = Settings::default().config().unwrap();
        assert_eq!(config.profile.release().to_string(), "6.6.57");
        assert_eq!(config.machine.ram_bytes, 8 << 30);
        assert!(Settings {
            preset: "huge".into(),
            ..Settings::default()
        }
        .config()
        .is_err());
    }
}
