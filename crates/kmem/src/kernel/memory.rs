//! Memory contents through kernel virtual addresses: reads and writes of
//! 1, 2, 4 and 8 bytes, `memset`, `memcpy` and `print_hex_dump`, and the
//! oops a bad address gives.
//!
//! An address reaches memory as the CPU would find it (x86_64, all three
//! releases): the direct map covers every RAM frame; the kernel text
//! mapping covers the kernel image (`__START_KERNEL_map` + physical
//! address); vmalloc addresses go through the kernel page tables. Anything
//! else faults: below `PAGE_SIZE` it is reported as a NULL pointer
//! dereference, a non-canonical address raises a general protection fault
//! (arch/x86/mm/fault.c `show_fault_oops()`, arch/x86/kernel/traps.c).
//! Page-table frames read and write their real entries.

use super::event_text;
use super::{CallValue, EventBuilder, Kernel, Outcome};
use crate::addr::{PhysAddr, VirtAddr, PAGE_SIZE};
use crate::dmesg::Level;
use crate::kernel::Event;
use crate::layout::START_KERNEL_MAP;
use crate::memmap::{FrameUse, KERNEL_LOAD_ADDR};
use crate::report;

/// Largest `memset`/`memcpy` length the simulation accepts in one call
/// (64 MiB), to bound the memory a script makes the simulator hold.
pub const MAX_ACCESS_BYTES: u64 = 64 << 20;
/// Largest `print_hex_dump` length (64 KiB: 4,096 log lines).
pub const MAX_HEX_DUMP_BYTES: u64 = 64 << 10;

/// The size of a load or store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Width {
    /// `u8`.
    U8 = 1,
    /// `u16`.
    U16 = 2,
    /// `u32`.
    U32 = 4,
    /// `u64`.
    U64 = 8,
}

impl Width {
    /// The C type name.
    pub fn name(self) -> &'static str {
        match self {
            Width::U8 => "u8",
            Width::U16 => "u16",
            Width::U32 => "u32",
            Width::U64 => "u64",
        }
    }
}

/// Whether an access reads or writes (the page-fault error code's W bit).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// A load.
    Read,
    /// A store.
    Write,
}

impl Kernel {
    /// The physical address a kernel virtual address reaches, or `None`
    /// where the access would fault.
    pub fn resolve(&self, addr: VirtAddr) -> Option<PhysAddr> {
        let a = addr.as_u64();
        if crate::translate::is_vmalloc(addr) {
            let frame = self.pgtables.lookup(addr).frame?;
            return Some(frame.phys().wrapping_add(addr.page_offset()));
        }
        let image = KERNEL_LOAD_ADDR.as_u64()
            ..KERNEL_LOAD_ADDR.as_u64() + self.config.machine.kernel_image_bytes;
        if a >= START_KERNEL_MAP.as_u64() {
            let phys = a - START_KERNEL_MAP.as_u64();
            return image.contains(&phys).then(|| PhysAddr::new(phys));
        }
        let page_offset = self.layout.page_offset.as_u64();
        if a >= page_offset {
            let phys = PhysAddr::new(a - page_offset);
            let ram = self
                .mem
                .page(phys.pfn())
                .is_some_and(|p| p.used_as != FrameUse::NoRam);
            return ram.then_some(phys);
        }
        None
    }

    /// Reads `buf.len()` bytes from `addr`; the first faulting address on
    /// failure.
    pub(super) fn read_virt(&self, addr: VirtAddr, buf: &mut [u8]) -> Result<(), VirtAddr> {
        let mut done = 0usize;
        while done < buf.len() {
            let at = addr.wrapping_add(done as u64);
            let phys = self.resolve(at).ok_or(at)?;
            let n = ((PAGE_SIZE - at.page_offset()) as usize).min(buf.len() - done);
            self.read_phys(phys, &mut buf[done..done + n]);
            done += n;
        }
        Ok(())
    }

    /// Writes `data` at `addr`; the first faulting address on failure (the
    /// bytes before it are written, as a real `memcpy` would have).
    pub(super) fn write_virt(&mut self, addr: VirtAddr, data: &[u8]) -> Result<(), VirtAddr> {
        let mut done = 0usize;
        while done < data.len() {
            let at = addr.wrapping_add(done as u64);
            let phys = self.resolve(at).ok_or(at)?;
            let n = ((PAGE_SIZE - at.page_offset()) as usize).min(data.len() - done);
            self.write_phys(phys, &data[done..done + n]);
            done += n;
        }
        Ok(())
    }

    fn read_phys(&self, phys: PhysAddr, buf: &mut [u8]) {
        let pfn = phys.pfn();
        let offset = phys.page_offset() as usize;
        if let Some(table) = self.pgtables.table(pfn) {
            for (i, byte) in buf.iter_mut().enumerate() {
                let at = offset + i;
                *byte = table[at / 8].to_le_bytes()[at % 8];
            }
            return;
        }
        self.mem.read(pfn, offset, buf);
    }

    fn write_phys(&mut self, phys: PhysAddr, data: &[u8]) {
        let pfn = phys.pfn();
        let offset = phys.page_offset() as usize;
        if let Some(table) = self.pgtables.table_mut(pfn) {
            for (i, &byte) in data.iter().enumerate() {
                let at = offset + i;
                let mut bytes = table[at / 8].to_le_bytes();
                bytes[at % 8] = byte;
                table[at / 8] = u64::from_le_bytes(bytes);
            }
            return;
        }
        self.mem.write(pfn, offset, data);
    }

    /// Fills `len` bytes from `addr` with `value`, a page at a time; the
    /// first faulting address on failure.
    pub(super) fn fill_virt(
        &mut self,
        addr: VirtAddr,
        len: u64,
        value: u8,
    ) -> Result<(), VirtAddr> {
        let chunk = [value; PAGE_SIZE as usize];
        let mut done = 0u64;
        while done < len {
            let at = addr.wrapping_add(done);
            let n = (PAGE_SIZE - at.page_offset()).min(len - done);
            self.write_virt(at, &chunk[..n as usize])?;
            done += n;
        }
        Ok(())
    }

    /// Copies `len` bytes from `src` to `dst`, a page at a time; the first
    /// faulting address and whether it faulted on the read.
    pub(super) fn copy_virt(
        &mut self,
        dst: VirtAddr,
        src: VirtAddr,
        len: u64,
    ) -> Result<(), (VirtAddr, Access)> {
        let mut buf = [0u8; PAGE_SIZE as usize];
        let mut done = 0u64;
        while done < len {
            let (from, to) = (src.wrapping_add(done), dst.wrapping_add(done));
            let n = (PAGE_SIZE - from.page_offset())
                .min(PAGE_SIZE - to.page_offset())
                .min(len - done) as usize;
            self.read_virt(from, &mut buf[..n])
                .map_err(|at| (at, Access::Read))?;
            self.write_virt(to, &buf[..n])
                .map_err(|at| (at, Access::Write))?;
            done += n as u64;
        }
        Ok(())
    }

    /// Stores a kernel-internal 8-byte value (a list node in freed memory);
    /// silently skipped where nothing is mapped.
    pub(super) fn write_kernel_u64(&mut self, addr: VirtAddr, value: u64) {
        let _ = self.write_virt(addr, &value.to_le_bytes());
    }

    /// The oops of an access of `bytes` bytes to `addr` in `function`
    /// (the script's own code, or the kernel's memset, memcpy…), and the
    /// stopped kernel. The instruction's base register, RDI, holds the
    /// address.
    fn access_oops(
        &mut self,
        addr: VirtAddr,
        access: Access,
        bytes: u8,
        function: &str,
    ) -> (Outcome, String) {
        let instruction = match access {
            Access::Read => report::Instruction::Load { bytes },
            Access::Write => report::Instruction::Store { bytes },
        };
        let trap = if addr.is_canonical() {
            report::Trap::PageFault {
                addr,
                access: instruction,
            }
        } else {
            report::Trap::GeneralProtection {
                access: instruction,
            }
        };
        let regs = report::Regs {
            trap,
            function,
            args: [addr.as_u64(), 0],
        };
        let lines = if addr.is_canonical() {
            report::page_fault_oops(self, &regs, &[])
        } else {
            report::general_protection_oops(self, addr, &regs, &[])
        };
        self.stop_with_oops(lines, "the task oopsed on a bad memory access");
        let what = if addr.as_u64() < PAGE_SIZE {
            "a NULL pointer dereference".to_string()
        } else if !addr.is_canonical() {
            "a non-canonical address: general protection fault".to_string()
        } else if crate::translate::is_vmalloc(addr) {
            match self.vmap.area_containing(addr) {
                Some(area) if addr >= area.start.wrapping_add(area.usable_size()) => {
                    "the guard page after a vmalloc area".to_string()
                }
                _ => "an unmapped vmalloc address".to_string(),
            }
        } else {
            "an address nothing maps".to_string()
        };
        (Outcome::Oops, format!("{addr:#x} is {what}: oops"))
    }

    fn access_entry(
        &mut self,
        call: String,
        body: impl FnOnce(
            &mut Kernel,
            &mut EventBuilder,
        ) -> Result<(CallValue, String), (Outcome, String)>,
    ) -> Event {
        let mut ev = match self.begin(call) {
            Ok(ev) => ev,
            Err(refused) => return *refused,
        };
        match body(self, &mut ev) {
            Ok((value, summary)) => ev.finish(self, value, Outcome::Ok, summary),
            Err((outcome, summary)) => ev.finish(self, CallValue::Void, outcome, summary),
        }
    }

    /// A load of `width` bytes from `addr` (`*(u32 *)addr`), little-endian.
    pub fn read(&mut self, addr: VirtAddr, width: Width) -> Event {
        let call = event_text(format_args!("*({} *){addr:#x}", width.name()));
        self.access_entry(call, |k, _| {
            let mut bytes = [0u8; 8];
            match k.read_virt(addr, &mut bytes[..width as usize]) {
                Ok(()) => {
                    let value = u64::from_le_bytes(bytes);
                    Ok((CallValue::Count(value), format!("read {value:#x}")))
                }
                Err(at) => Err(k.access_oops(at, Access::Read, width as u8, "playground_init")),
            }
        })
    }

    /// A store of the low `width` bytes of `value` at `addr`.
    pub fn write(&mut self, addr: VirtAddr, width: Width, value: u64) -> Event {
        let call = event_text(format_args!("*({} *){addr:#x} = {value:#x}", width.name()));
        self.access_entry(call, |k, _| {
            match k.write_virt(addr, &value.to_le_bytes()[..width as usize]) {
                Ok(()) => Ok((CallValue::Void, String::new())),
                Err(at) => Err(k.access_oops(at, Access::Write, width as u8, "playground_init")),
            }
        })
    }

    /// `memset(s, c, n)`: returns `s`.
    pub fn memset(&mut self, dst: VirtAddr, value: u8, len: u64) -> Event {
        let call = event_text(format_args!("memset({dst:#x}, {value:#x}, {len})"));
        self.access_entry(call, |k, _| {
            check_length(len, MAX_ACCESS_BYTES)?;
            match k.fill_virt(dst, len, value) {
                Ok(()) => Ok((
                    CallValue::Address(dst),
                    format!("{len} bytes set to {value:#04x}"),
                )),
                Err(at) => Err(k.access_oops(at, Access::Write, 8, "memset")),
            }
        })
    }

    /// `memcpy(dst, src, n)`: returns `dst`.
    pub fn memcpy(&mut self, dst: VirtAddr, src: VirtAddr, len: u64) -> Event {
        let call = event_text(format_args!("memcpy({dst:#x}, {src:#x}, {len})"));
        self.access_entry(call, |k, _| {
            check_length(len, MAX_ACCESS_BYTES)?;
            match k.copy_virt(dst, src, len) {
                Ok(()) => Ok((CallValue::Address(dst), format!("{len} bytes copied"))),
                Err((at, access)) => Err(k.access_oops(at, access, 8, "memcpy")),
            }
        })
    }

    /// `print_hex_dump(KERN_INFO, "", DUMP_PREFIX_OFFSET, 16, 1, addr, len,
    /// true)`: 16 bytes a line with the offset, hex bytes and ASCII.
    pub fn print_hex_dump(&mut self, addr: VirtAddr, len: u64) -> Event {
        let call = format!(
            "print_hex_dump(KERN_INFO, \"\", DUMP_PREFIX_OFFSET, 16, 1, {addr:#x}, {len}, true)"
        );
        self.access_entry(call, |k, _| {
            check_length(len, MAX_HEX_DUMP_BYTES)?;
            let mut data = vec![0u8; len as usize];
            if let Err(at) = k.read_virt(addr, &mut data) {
                return Err(k.access_oops(at, Access::Read, 1, "print_hex_dump"));
            }
            for (i, chunk) in data.chunks(16).enumerate() {
                let line = hex_dump_line(i as u64 * 16, chunk);
                k.log.push(Level::Info, line);
            }
            Ok((CallValue::Void, format!("{len} bytes dumped")))
        })
    }
}

fn check_length(len: u64, max: u64) -> Result<(), (Outcome, String)> {
    if len > max {
        return Err((
            Outcome::Refused(format!(
                "{len} bytes is more than the playground handles in one call ({max} bytes)"
            )),
            String::new(),
        ));
    }
    Ok(())
}

/// One line of `print_hex_dump()` with DUMP_PREFIX_OFFSET (`"%.8x: "`).
pub fn hex_dump_line(offset: u64, bytes: &[u8]) -> String {
    format!("{offset:08x}: {}", hex_dump_body(bytes))
}

/// `hex_dump_to_buffer()` of up to 16 bytes with groupsize 1 and ASCII:
/// the bytes in hex, padded to the ASCII column (`rowsize * 2 + rowsize /
/// groupsize + 1` = 49), then the bytes as text, `.` for those that are not
/// printable ASCII (lib/hexdump.c).
pub fn hex_dump_body(bytes: &[u8]) -> String {
    let hex: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let ascii: String = bytes
        .iter()
        .map(|&b| {
            if b.is_ascii_graphic() || b == b' ' {
                b as char
            } else {
                '.'
            }
        })
        .collect();
    format!("{:<48} {ascii}", hex.join(" "))
}
