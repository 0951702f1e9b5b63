//! Execution contexts: the preempt count and the interrupt flag, nested the
//! way the kernel nests them, and the `might_sleep()` rule.
//!
//! Kernel rules modelled (include/linux/preempt.h, 4.19 / 6.6 / 6.12):
//! `preempt_count` holds the preemption depth in bits 0–7, the softirq
//! count in bits 8–15 (`local_bh_disable` adds `SOFTIRQ_DISABLE_OFFSET` =
//! 0x200, serving a softirq adds `SOFTIRQ_OFFSET` = 0x100), the hardirq
//! count from bit 16 (`HARDIRQ_OFFSET` = 0x10000) and NMI from bit 20
//! (`nmi_enter` adds `NMI_OFFSET + HARDIRQ_OFFSET`). `in_atomic()` is a
//! non-zero count; `in_interrupt()` any hardirq, softirq (including a
//! BH-disabled section) or NMI bits. `spin_lock` disables preemption (the
//! count exists because CONFIG_DEBUG_ATOMIC_SLEEP selects PREEMPT_COUNT);
//! `local_irq_disable` does not nest. `might_sleep()` complains when the
//! count is non-zero or interrupts are off.

use std::fmt;

/// Bits of the preemption depth.
pub const PREEMPT_MASK: u32 = 0x0000_00ff;
/// Bits of the softirq count.
pub const SOFTIRQ_MASK: u32 = 0x0000_ff00;
/// Bits of the hardirq count.
pub const HARDIRQ_MASK: u32 = 0x000f_0000;
/// Bits of the NMI count.
pub const NMI_MASK: u32 = 0x00f0_0000;
/// `SOFTIRQ_OFFSET`: serving a softirq.
pub const SOFTIRQ_OFFSET: u32 = 0x100;
/// `SOFTIRQ_DISABLE_OFFSET`: `local_bh_disable()`.
pub const SOFTIRQ_DISABLE_OFFSET: u32 = 0x200;
/// `HARDIRQ_OFFSET`.
pub const HARDIRQ_OFFSET: u32 = 0x1_0000;
/// `NMI_OFFSET`.
pub const NMI_OFFSET: u32 = 0x10_0000;

/// A context change a script can make.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ContextOp {
    /// `spin_lock()` / `preempt_disable()`.
    SpinLock,
    /// `spin_unlock()` / `preempt_enable()`.
    SpinUnlock,
    /// `spin_lock_irqsave()`: interrupts off, then the lock.
    SpinLockIrqsave,
    /// `spin_unlock_irqrestore()`.
    SpinUnlockIrqrestore,
    /// `local_irq_disable()`.
    IrqDisable,
    /// `local_irq_enable()`.
    IrqEnable,
    /// `local_bh_disable()`.
    BhDisable,
    /// `local_bh_enable()`.
    BhEnable,
    /// Entering a softirq handler (`__do_softirq`).
    EnterSoftirq,
    /// Leaving it.
    ExitSoftirq,
    /// Entering a hardirq handler (`irq_enter`, interrupts off).
    EnterHardirq,
    /// Leaving it (`irq_exit`).
    ExitHardirq,
    /// Entering an NMI handler (`nmi_enter`).
    EnterNmi,
    /// Leaving it (`nmi_exit`).
    ExitNmi,
}

impl ContextOp {
    /// Every context change.
    pub const ALL: [ContextOp; 14] = [
        ContextOp::SpinLock,
        ContextOp::SpinUnlock,
        ContextOp::SpinLockIrqsave,
        ContextOp::SpinUnlockIrqrestore,
        ContextOp::IrqDisable,
        ContextOp::IrqEnable,
        ContextOp::BhDisable,
        ContextOp::BhEnable,
        ContextOp::EnterSoftirq,
        ContextOp::ExitSoftirq,
        ContextOp::EnterHardirq,
        ContextOp::ExitHardirq,
        ContextOp::EnterNmi,
        ContextOp::ExitNmi,
    ];
}

/// A context change that does not match what is open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unbalanced {
    /// The change.
    pub op: ContextOp,
}

impl fmt::Display for Unbalanced {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.op {
            ContextOp::SpinUnlock => "spin_unlock() without a held lock",
            ContextOp::SpinUnlockIrqrestore => {
                "spin_unlock_irqrestore() without a matching spin_lock_irqsave()"
            }
            ContextOp::BhEnable => "local_bh_enable() without local_bh_disable()",
            ContextOp::ExitSoftirq => "leaving a softirq handler that was not entered",
            ContextOp::ExitHardirq => "leaving a hardirq handler that was not entered",
            ContextOp::ExitNmi => "leaving an NMI handler that was not entered",
            ContextOp::IrqEnable => "local_irq_enable() inside a hardirq or NMI handler",
            _ => "a context change that overflows its counter",
        };
        f.write_str(what)
    }
}

impl std::error::Error for Unbalanced {}

/// The context the simulated code runs in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ExecContext {
    /// `preempt_count()`.
    pub preempt_count: u32,
    /// `irqs_disabled()`.
    pub irqs_disabled: bool,
    /// Interrupt states saved by `spin_lock_irqsave`, innermost last (a
    /// bit stack of up to 32 levels) and their number.
    saved_irq_flags: u32,
    saved_depth: u8,
}

impl ExecContext {
    /// Process context: preemptible, interrupts on.
    pub const PROCESS: ExecContext = ExecContext {
        preempt_count: 0,
        irqs_disabled: false,
        saved_irq_flags: 0,
        saved_depth: 0,
    };

    /// `in_atomic()`.
    pub fn in_atomic(&self) -> bool {
        self.preempt_count != 0
    }

    /// `in_interrupt()`: hardirq, softirq (serving or BH-disabled) or NMI.
    pub fn in_interrupt(&self) -> bool {
        self.preempt_count & (HARDIRQ_MASK | SOFTIRQ_MASK | NMI_MASK) != 0
    }

    /// `in_nmi()`.
    pub fn in_nmi(&self) -> bool {
        self.preempt_count & NMI_MASK != 0
    }

    /// `in_irq()` / `in_hardirq()`.
    pub fn in_hardirq(&self) -> bool {
        self.preempt_count & HARDIRQ_MASK != 0
    }

    /// `in_serving_softirq()`.
    pub fn in_serving_softirq(&self) -> bool {
        self.preempt_count & SOFTIRQ_OFFSET != 0
    }

    /// `in_task()`: no NMI, no hardirq, not serving a softirq.
    pub fn in_task(&self) -> bool {
        self.preempt_count & (NMI_MASK | HARDIRQ_MASK | SOFTIRQ_OFFSET) == 0
    }

    /// True when `might_sleep()` would complain: the count is not zero or
    /// interrupts are off (`___might_sleep` / `__might_resched`).
    pub fn sleep_forbidden(&self) -> bool {
        self.preempt_count != 0 || self.irqs_disabled
    }

    /// A short description of the context, as the playground names it.
    pub fn describe(&self) -> &'static str {
        if self.in_nmi() {
            "NMI"
        } else if self.in_hardirq() {
            "hardirq"
        } else if self.in_serving_softirq() {
            "softirq"
        } else if self.preempt_count & SOFTIRQ_MASK != 0 {
            "BH disabled"
        } else if self.preempt_count & PREEMPT_MASK != 0 {
            "spinlock held (preemption disabled)"
        } else if self.irqs_disabled {
            "interrupts disabled"
        } else {
            "process context"
        }
    }

    /// Applies a context change, or reports it as unbalanced (the context
    /// is then unchanged).
    pub fn apply(&mut self, op: ContextOp) -> Result<(), Unbalanced> {
        let err = Err(Unbalanced { op });
        let count = self.preempt_count;
        match op {
            ContextOp::SpinLock => {
                if count & PREEMPT_MASK == PREEMPT_MASK {
                    return err;
                }
                self.preempt_count += 1;
            }
            ContextOp::SpinUnlock => {
                if count & PREEMPT_MASK == 0 {
                    return err;
                }
                self.preempt_count -= 1;
            }
            ContextOp::SpinLockIrqsave => {
                if count & PREEMPT_MASK == PREEMPT_MASK || self.saved_depth >= 32 {
                    return err;
                }
                self.saved_irq_flags = (self.saved_irq_flags << 1) | self.irqs_disabled as u32;
                self.saved_depth += 1;
                self.irqs_disabled = true;
                self.preempt_count += 1;
            }
            ContextOp::SpinUnlockIrqrestore => {
                if count & PREEMPT_MASK == 0 || self.saved_depth == 0 {
                    return err;
                }
                self.preempt_count -= 1;
                self.irqs_disabled = self.saved_irq_flags & 1 != 0;
                self.saved_irq_flags >>= 1;
                self.saved_depth -= 1;
            }
            ContextOp::IrqDisable => self.irqs_disabled = true,
            ContextOp::IrqEnable => {
                if self.in_hardirq() || self.in_nmi() {
                    return err;
                }
                self.irqs_disabled = false;
            }
            ContextOp::BhDisable => {
                if count & SOFTIRQ_MASK >= SOFTIRQ_MASK - SOFTIRQ_DISABLE_OFFSET {
                    return err;
                }
                self.preempt_count += SOFTIRQ_DISABLE_OFFSET;
            }
            ContextOp::BhEnable => {
                if (count & SOFTIRQ_MASK) < SOFTIRQ_DISABLE_OFFSET {
                    return err;
                }
                self.preempt_count -= SOFTIRQ_DISABLE_OFFSET;
            }
            ContextOp::EnterSoftirq => {
                if count & SOFTIRQ_OFFSET != 0 {
                    return err;
                }
                self.preempt_count += SOFTIRQ_OFFSET;
            }
            ContextOp::ExitSoftirq => {
                if count & SOFTIRQ_OFFSET == 0 {
                    return err;
                }
                self.preempt_count -= SOFTIRQ_OFFSET;
            }
            ContextOp::EnterHardirq => {
                if count & HARDIRQ_MASK == HARDIRQ_MASK || self.saved_depth >= 32 {
                    return err;
                }
                self.saved_irq_flags = (self.saved_irq_flags << 1) | self.irqs_disabled as u32;
                self.saved_depth += 1;
                self.preempt_count += HARDIRQ_OFFSET;
                self.irqs_disabled = true;
            }
            ContextOp::ExitHardirq | ContextOp::ExitNmi => {
                let offset = if op == ContextOp::ExitNmi {
                    NMI_OFFSET + HARDIRQ_OFFSET
                } else {
                    HARDIRQ_OFFSET
                };
                let present = if op == ContextOp::ExitNmi {
                    count & NMI_MASK != 0
                } else {
                    count & HARDIRQ_MASK != 0
                };
                if !present || self.saved_depth == 0 {
                    return err;
                }
                self.preempt_count -= offset;
                self.irqs_disabled = self.saved_irq_flags & 1 != 0;
                self.saved_irq_flags >>= 1;
                self.saved_depth -= 1;
            }
            ContextOp::EnterNmi => {
                if count & NMI_MASK == NMI_MASK
                    || count & HARDIRQ_MASK == HARDIRQ_MASK
                    || self.saved_depth >= 32
                {
                    return err;
                }
                self.saved_irq_flags = (self.saved_irq_flags << 1) | self.irqs_disabled as u32;
                self.saved_depth += 1;
                self.preempt_count += NMI_OFFSET + HARDIRQ_OFFSET;
                self.irqs_disabled = true;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_like_the_kernel() {
        let mut c = ExecContext::PROCESS;
        assert!(!c.sleep_forbidden());
        assert_eq!(c.describe(), "process context");
        c.apply(ContextOp::SpinLock).unwrap();
        assert!(c.in_atomic() && !c.in_interrupt());
        assert_eq!(c.preempt_count, 1);
        c.apply(ContextOp::BhDisable).unwrap();
        assert!(
            c.in_interrupt(),
            "a BH-disabled section counts as in_interrupt()"
        );
        assert_eq!(c.preempt_count, 0x201);
        c.apply(ContextOp::BhEnable).unwrap();
        c.apply(ContextOp::SpinUnlock).unwrap();
        assert_eq!(c, ExecContext::PROCESS);

        c.apply(ContextOp::EnterHardirq).unwrap();
        assert!(c.in_hardirq() && c.irqs_disabled && !c.in_task());
        c.apply(ContextOp::EnterNmi).unwrap();
        assert_eq!(c.preempt_count, 0x12_0000);
        assert_eq!(c.describe(), "NMI");
        c.apply(ContextOp::ExitNmi).unwrap();
        c.apply(ContextOp::ExitHardirq).unwrap();
        assert_eq!(c, ExecContext::PROCESS);
    }

    #[test]
    fn irqsave_restores_the_previous_state() {
        let mut c = ExecContext::PROCESS;
        c.apply(ContextOp::IrqDisable).unwrap();
        c.apply(ContextOp::SpinLockIrqsave).unwrap();
        c.apply(ContextOp::SpinUnlockIrqrestore).unwrap();
        assert!(c.irqs_disabled, "interrupts stay off: they were off before");
        assert!(c.sleep_forbidden());
        c.apply(ContextOp::IrqEnable).unwrap();
        assert!(!c.sleep_forbidden());
    }

    #[test]
    fn unbalanced_changes_are_refused() {
        let mut c = ExecContext::PROCESS;
        for op in [
            ContextOp::SpinUnlock,
            ContextOp::SpinUnlockIrqrestore,
            ContextOp::BhEnable,
            ContextOp::ExitSoftirq,
            ContextOp::ExitHardirq,
            ContextOp::ExitNmi,
        ] {
            assert_eq!(c.apply(op), Err(Unbalanced { op }));
            assert_eq!(c, ExecContext::PROCESS);
        }
        c.apply(ContextOp::EnterHardirq).unwrap();
        assert!(c.apply(ContextOp::IrqEnable).is_err());
        for _ in 0..300 {
            let _ = c.apply(ContextOp::SpinLock);
        }
        assert_eq!(
            c.preempt_count & PREEMPT_MASK,
            0xff,
            "the counter saturates instead of overflowing"
        );
    }
}
