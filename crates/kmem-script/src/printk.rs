//! `printk()` for scripts: the format specifiers that matter for memory
//! (lib/vsprintf.c): `%d %i %u %x %X %o %c %s %%` with the `l`, `ll`, `z`
//! and `h` length modifiers, flags, width and precision; `%p` hashed as the
//! kernel hashes it, `%px` raw; `%pa`/`%pad` a physical or DMA address and
//! `%pGg` a GFP mask, each read through a pointer as lib/vsprintf.c does
//! (`printk("%pa\n", &phys)`).
//! A leading `KERN_<LEVEL>` sets the line's level (default KERN_WARNING,
//! the kernel's default message level).
//!
//! Widths and precisions are read as vsprintf's `format_decode()` reads
//! them: `skip_atoi()` into an `int` (wrapping), stored in the 24-bit
//! `field_width` and 16-bit `precision` of `struct printf_spec`. A width
//! that comes out negative pads nothing, a negative precision is 0. (Only
//! `*` widths, which scripts cannot pass, go through `set_field_width()`'s
//! "field width %d too large" WARN and clamp.)

use kmem::dmesg::Level;
use kmem::gfp::Gfp;
use kmem::kernel::Kernel;
use kmem::profile::Change;
use kmem::VirtAddr;
use std::iter::Peekable;
use std::str::Chars;

/// An argument of printk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrintArg {
    /// A number (pointers included).
    Num(u64),
    /// A string literal.
    Str(String),
    /// What a pointer argument of `%pa`, `%pad` or `%pGg` points to, read
    /// by the caller (see [`pointer_reads`]).
    Pointee(u64),
}

/// `KERN_<LEVEL>` as C spells it: `KERN_SOH` ("\001") and the level's
/// digit, which string concatenation puts in front of the format.
pub fn level_prefix(name: &str) -> Option<&'static str> {
    Some(match name {
        "KERN_EMERG" => "\u{1}0",
        "KERN_ALERT" => "\u{1}1",
        "KERN_CRIT" => "\u{1}2",
        "KERN_ERR" => "\u{1}3",
        "KERN_WARNING" => "\u{1}4",
        "KERN_NOTICE" => "\u{1}5",
        "KERN_INFO" => "\u{1}6",
        "KERN_DEBUG" => "\u{1}7",
        _ => return None,
    })
}

/// The level a format's `KERN_SOH` prefix gives, and the rest.
fn split_level(format: &str) -> (Option<Level>, &str) {
    let mut chars = format.chars();
    if chars.next() != Some('\u{1}') {
        return (None, format);
    }
    let level = match chars.next() {
        Some('0') => Level::Emerg,
        Some('1') => Level::Alert,
        Some('2') => Level::Crit,
        Some('3') => Level::Err,
        Some('4') => Level::Warning,
        Some('5') => Level::Notice,
        Some('6') => Level::Info,
        Some('7') => Level::Debug,
        _ => return (None, format),
    };
    (Some(level), &format[2..])
}

/// Why a format was not formatted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormatError {
    /// The format does not match its arguments: what is wrong.
    Mismatch(String),
    /// The text would be longer than the limit given (checked before the
    /// padding is built).
    TooLong,
}

impl From<String> for FormatError {
    fn from(message: String) -> Self {
        FormatError::Mismatch(message)
    }
}

impl From<&str> for FormatError {
    fn from(message: &str) -> Self {
        FormatError::Mismatch(message.into())
    }
}

/// `skip_atoi()`'s digits as an `int`, wrapping as the kernel's does, kept
/// in a signed bit-field of `bits` bits.
fn spec_field(digits: &str, bits: u32) -> i32 {
    let n = digits.bytes().fold(0i32, |n, d| {
        n.wrapping_mul(10).wrapping_add(i32::from(d - b'0'))
    });
    (n << (32 - bits)) >> (32 - bits)
}

/// One `%` specifier, as `format_decode()` reads it.
struct Spec {
    flags: String,
    width: usize,
    precision: Option<usize>,
    length: String,
    conv: char,
    /// What a `%p` prints (the letters after the `p`).
    pointer: Option<PointerKind>,
}

/// The `%p` extensions the playground knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PointerKind {
    /// `%p`: the hashed pointer.
    Hashed,
    /// `%px`: the address itself.
    Raw,
    /// `%pa`, `%pap`: `*(phys_addr_t *)ptr`.
    PhysAddr,
    /// `%pad`: `*(dma_addr_t *)ptr`.
    DmaAddr,
    /// `%pGg`: `*(gfp_t *)ptr`.
    Gfp,
}

/// What a `%p` extension reads through its pointer argument
/// (lib/vsprintf.c@6.6.57 `address_val()`, `flags_string()`; the same in
/// 4.19.255): the C type and its size in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PointerRead {
    /// The specifier as written (`%pa`).
    pub spec: &'static str,
    /// The type read (`phys_addr_t`).
    pub type_name: &'static str,
    /// Its size.
    pub bytes: u8,
}

impl PointerKind {
    fn read(self) -> Option<PointerRead> {
        let (spec, type_name, bytes) = match self {
            PointerKind::PhysAddr => ("%pa", "phys_addr_t", 8),
            PointerKind::DmaAddr => ("%pad", "dma_addr_t", 8),
            PointerKind::Gfp => ("%pGg", "gfp_t", 4),
            PointerKind::Hashed | PointerKind::Raw => return None,
        };
        Some(PointerRead {
            spec,
            type_name,
            bytes,
        })
    }
}

/// Reads the specifier after a `%` (not `%%`).
fn parse_spec(chars: &mut Peekable<Chars<'_>>) -> Result<Spec, String> {
    let take_while = |chars: &mut Peekable<Chars<'_>>, keep: &dyn Fn(char) -> bool| {
        let mut taken = String::new();
        while let Some(&c) = chars.peek().filter(|&&c| keep(c)) {
            taken.push(c);
            chars.next();
        }
        taken
    };
    let flags = take_while(chars, &|c| "-+ #0".contains(c));
    let width = spec_field(&take_while(chars, &|c| c.is_ascii_digit()), 24).max(0) as usize;
    let mut precision = None;
    if chars.peek() == Some(&'.') {
        chars.next();
        let digits = take_while(chars, &|c| c.is_ascii_digit());
        precision = Some(spec_field(&digits, 16).max(0) as usize);
    }
    let length = take_while(chars, &|c| "lhzt".contains(c));
    let Some(conv) = chars.next() else {
        return Err("the format ends in the middle of a `%` specifier".into());
    };
    let pointer = if conv == 'p' {
        Some(pointer_kind(chars)?)
    } else {
        None
    };
    Ok(Spec {
        flags,
        width,
        precision,
        length,
        conv,
        pointer,
    })
}

/// The `%p` extension after the `p`.
fn pointer_kind(chars: &mut Peekable<Chars<'_>>) -> Result<PointerKind, String> {
    Ok(match chars.peek().copied() {
        Some('x') => {
            chars.next();
            PointerKind::Raw
        }
        Some('a') => {
            chars.next();
            match chars.peek() {
                Some('d') => {
                    chars.next();
                    PointerKind::DmaAddr
                }
                Some('p') => {
                    chars.next();
                    PointerKind::PhysAddr
                }
                _ => PointerKind::PhysAddr,
            }
        }
        Some('G') => {
            chars.next();
            match chars.next() {
                Some('g') => PointerKind::Gfp,
                other => {
                    return Err(format!(
                        "the playground only knows `%pGg`, not `%pG{}`",
                        other.map(String::from).unwrap_or_default()
                    ))
                }
            }
        }
        Some(c) if c.is_ascii_alphanumeric() => {
            return Err(format!("the playground does not know `%p{c}`"))
        }
        _ => PointerKind::Hashed,
    })
}

/// For each argument after the format, what its specifier reads through
/// it, if it is a `%pa`, `%pad` or `%pGg`: the caller reads the pointee
/// and passes it as [`PrintArg::Pointee`]. A format error shows up here as
/// the end of the list; [`format`] reports it.
pub fn pointer_reads(format: &str) -> Vec<Option<PointerRead>> {
    let mut reads = Vec::new();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            continue;
        }
        if chars.peek() == Some(&'%') {
            chars.next();
            continue;
        }
        match parse_spec(&mut chars) {
            Ok(spec) => reads.push(spec.pointer.and_then(PointerKind::read)),
            Err(_) => break,
        }
    }
    reads
}

/// Formats `format` with `args` as printk would, into at most `limit`
/// bytes; the level and the text.
pub fn format(
    k: &Kernel,
    format: &str,
    args: &[PrintArg],
    limit: usize,
) -> Result<(Level, String), FormatError> {
    let (level, format) = split_level(format);
    let mut out = String::new();
    let mut next = args.iter();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        if chars.peek() == Some(&'%') {
            chars.next();
            out.push('%');
            continue;
        }
        let spec = parse_spec(&mut chars)?;
        let Spec {
            ref flags,
            width,
            precision,
            conv,
            ..
        } = spec;
        let arg = next
            .next()
            .ok_or_else(|| format!("more `%` specifiers than arguments (at `%{conv}`)"))?;
        let number = |arg: &PrintArg| match arg {
            PrintArg::Num(n) => Ok(*n),
            PrintArg::Str(_) => Err(format!("`%{conv}` needs a number, not a string")),
            PrintArg::Pointee(_) => Err(format!("`%{conv}` takes the value, not a pointer to it")),
        };
        let bits = match spec.length.as_str() {
            "l" | "ll" | "z" | "t" => 64,
            "h" => 16,
            "hh" => 8,
            _ => 32,
        };
        let text = match conv {
            'd' | 'i' => {
                let n = number(arg)?;
                let signed = match bits {
                    64 => n as i64,
                    16 => i64::from(n as i16),
                    8 => i64::from(n as i8),
                    _ => i64::from(n as i32),
                };
                signed.to_string()
            }
            'u' => mask(number(arg)?, bits).to_string(),
            'x' | 'X' => {
                let n = mask(number(arg)?, bits);
                let s = if conv == 'x' {
                    format!("{n:x}")
                } else {
                    format!("{n:X}")
                };
                // number(): SPECIAL with base 16 prefixes "0x" ("0X" for
                // %X) even to 0 (lib/vsprintf.c@6.6.57:532-540, the same
                // @4.19.255:516).
                match (flags.contains('#'), conv) {
                    (true, 'x') => format!("0x{s}"),
                    (true, _) => format!("0X{s}"),
                    (false, _) => s,
                }
            }
            'o' => {
                // Base 8 prefixes "0" only to a non-zero number.
                let n = mask(number(arg)?, bits);
                if flags.contains('#') && n != 0 {
                    format!("0{n:o}")
                } else {
                    format!("{n:o}")
                }
            }
            'c' => char::from(number(arg)? as u8).to_string(),
            's' => match arg {
                PrintArg::Str(s) => match precision {
                    Some(p) => s.chars().take(p).collect(),
                    None => s.clone(),
                },
                _ => return Err("`%s` needs a string".into()),
            },
            'p' => pointer(k, spec.pointer.unwrap_or(PointerKind::Hashed), arg)?,
            other => return Err(format!("printk has no `%{other}` specifier").into()),
        };
        let pad = width.saturating_sub(text.chars().count());
        if out.len() + text.len() + pad > limit {
            return Err(FormatError::TooLong);
        }
        if flags.contains('-') {
            out.push_str(&text);
            out.push_str(&" ".repeat(pad));
        } else if flags.contains('0') && conv != 's' && conv != 'p' {
            // Zeros go after the sign and after a "0x" prefix.
            let prefix_len = if text.starts_with('-') {
                1
            } else if flags.contains('#') && matches!(conv, 'x' | 'X') {
                2
            } else {
                0
            };
            let (sign, digits) = text.split_at(prefix_len);
            out.push_str(sign);
            out.push_str(&"0".repeat(pad));
            out.push_str(digits);
        } else {
            out.push_str(&" ".repeat(pad));
            out.push_str(&text);
        }
    }
    if next.next().is_some() {
        return Err("more arguments than `%` specifiers".into());
    }
    Ok((level.unwrap_or(Level::Warning), out))
}

fn mask(n: u64, bits: u32) -> u64 {
    if bits >= 64 {
        n
    } else {
        n & ((1u64 << bits) - 1)
    }
}

/// `MAX_ERRNO`: the top 4095 addresses are error pointers (`IS_ERR()`).
const MAX_ERRNO: u64 = 4095;

/// `%p` and its extensions: `%pa`, `%pad` and `%pGg` print what their
/// pointer points to, the others the pointer.
fn pointer(k: &Kernel, kind: PointerKind, arg: &PrintArg) -> Result<String, String> {
    if let Some(read) = kind.read() {
        let PrintArg::Pointee(n) = *arg else {
            return Err(format!(
                "`{}` takes a pointer to a {}",
                read.spec, read.type_name
            ));
        };
        return Ok(match kind {
            // A phys_addr_t or dma_addr_t: 0x and all 16 digits.
            PointerKind::Gfp => k.gfp.format(Gfp(n as u32)),
            _ => format!("0x{n:016x}"),
        });
    }
    let n = match *arg {
        PrintArg::Num(n) => n,
        _ => return Err("`%p` needs a pointer".into()),
    };
    Ok(match kind {
        PointerKind::Raw => format!("{n:016x}"),
        // ptr_to_id(): from 5.x NULL and error pointers print as they are
        // (lib/vsprintf.c@6.6.0:814-818); 4.19 prints NULL as "(null)"
        // and hashes error pointers.
        _ if k.profile().has(Change::PointerNullAsZeros)
            && (n == 0 || n >= MAX_ERRNO.wrapping_neg()) =>
        {
            format!("{n:016x}")
        }
        _ if n == 0 => format!("{:>16}", "(null)"),
        _ => kmem::report::hashed_pointer(k, VirtAddr::new(n)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn printk(text: &str, args: &[u64]) -> String {
        let k = kmem::kernel::Kernel::boot(kmem::kernel::KernelConfig {
            machine: kmem::memmap::MachineConfig::preset("tiny").unwrap(),
            ..kmem::kernel::KernelConfig::default()
        })
        .unwrap();
        let args: Vec<PrintArg> = args.iter().map(|&n| PrintArg::Num(n)).collect();
        format(&k, text, &args, 1 << 16).unwrap().1
    }

    /// Audit D19: `%#x` of 0 is `0x0`; `%#X` prefixes `0X`; zeros pad
    /// after the prefix (lib/vsprintf.c `number()`).
    #[test]
    fn the_alternate_form_prefixes_as_number_does() {
        assert_eq!(printk("%#x %#x", &[0, 255]), "0x0 0xff");
        assert_eq!(printk("%#X", &[255]), "0XFF");
        assert_eq!(printk("%#o %#o", &[0, 8]), "0 010");
        assert_eq!(
            printk("%#010x|%08x|%#6x", &[0x1f, 0x1f, 0x1f]),
            "0x0000001f|0000001f|  0x1f"
        );
        assert_eq!(printk("%05d", &[(-42i64) as u64]), "-0042");
    }

    #[test]
    fn widths_and_precisions_wrap_as_vsprintf_stores_them() {
        // `int` arithmetic wraps, then the bit-field keeps the low bits.
        assert_eq!(spec_field("18446744073709551615", 24), -1);
        assert_eq!(spec_field("4294967295", 24), -1);
        assert_eq!(
            spec_field("999999999", 24),
            999_999_999 % (1 << 24) - (1 << 24)
        );
        assert_eq!(spec_field("8388607", 24), 8_388_607);
        assert_eq!(spec_field("8388608", 24), -8_388_608);
        assert_eq!(spec_field("4294967297", 16), 1);
        assert_eq!(spec_field("40000", 16), 40_000 - (1 << 16));
    }
}
