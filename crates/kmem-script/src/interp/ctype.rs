//! C's types as a script's values carry them (x86_64, LP64, GNU C): the
//! integer promotions, the usual arithmetic conversions, conversion on
//! assignment, and pointer arithmetic scaled by the pointed-to size
//! (`void *` counts bytes, as GNU C does).
//!
//! A value is held in 64 bits in its canonical form: sign-extended for a
//! signed type, zero-extended for an unsigned one. So `int i = -1` holds
//! all ones and compares equal to `-1`, while `unsigned int` holds
//! `0xffffffff`.

use crate::ast::{BinaryOp, IntType, TypeName, UnaryOp};

/// The type of a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CType {
    /// An integer type.
    Int(IntType),
    /// `bool`: converting to it gives 0 or 1.
    Bool,
    /// A pointer. `elem` is the type reads and writes through it have
    /// (None for `void *` and structs, which cannot be read whole);
    /// `stride` is what `p + 1` adds.
    Ptr {
        /// The pointed-to integer type.
        elem: Option<IntType>,
        /// The pointed-to size.
        stride: u64,
    },
}

impl CType {
    /// A variable declared by assignment, and most call results:
    /// `unsigned long`.
    pub const UNTYPED: CType = CType::Int(IntType::ULONG);
    /// `int`.
    pub const INT: CType = CType::Int(IntType::INT);
    /// `void *`.
    pub const VOID_PTR: CType = CType::Ptr {
        elem: None,
        stride: 1,
    };
    /// `struct page *`.
    pub const PAGE_PTR: CType = CType::Ptr {
        elem: None,
        stride: kmem::memmap::STRUCT_PAGE_SIZE,
    };

    /// The type a declaration or cast names. Types without a size
    /// (`spinlock_t`, a struct) hold a 64-bit unsigned value.
    pub fn of(ty: &TypeName) -> CType {
        if ty.pointers > 0 {
            let pointee = TypeName {
                base: ty.base.clone(),
                pointers: ty.pointers - 1,
            };
            let elem = match CType::of(&pointee) {
                _ if pointee.size().is_none() || is_struct(&pointee) => None,
                CType::Int(t) => Some(t),
                CType::Bool => Some(IntType {
                    bytes: 1,
                    signed: false,
                }),
                CType::Ptr { .. } => Some(IntType::ULONG),
            };
            return CType::Ptr {
                elem,
                stride: pointee.size().unwrap_or(1),
            };
        }
        let words: Vec<&str> = ty.base.split(' ').collect();
        if words.contains(&"bool") {
            return CType::Bool;
        }
        match ty.size() {
            Some(bytes @ (1 | 2 | 4 | 8)) if !is_struct(ty) => CType::Int(IntType {
                bytes: bytes as u8,
                signed: is_signed(&words),
            }),
            _ => CType::UNTYPED,
        }
    }

    /// `sizeof` of a value of this type.
    pub fn size(self) -> u64 {
        match self {
            CType::Int(t) => u64::from(t.bytes),
            CType::Bool => 1,
            CType::Ptr { .. } => 8,
        }
    }

    /// `v` converted to this type (C11 6.3.1.3 as GCC does it: modulo
    /// 2^N, then read in the type's signedness).
    pub fn convert(self, v: u64) -> u64 {
        match self {
            CType::Int(t) => convert(t, v),
            CType::Bool => u64::from(v != 0),
            CType::Ptr { .. } => v,
        }
    }

    /// The type arithmetic sees: integers promoted, `bool` as `int`,
    /// pointers as `unsigned long`.
    fn arith(self) -> IntType {
        match self {
            CType::Int(t) => promote(t),
            CType::Bool => IntType::INT,
            CType::Ptr { .. } => IntType::ULONG,
        }
    }
}

/// Whether the type is a struct (which has no integer value).
fn is_struct(ty: &TypeName) -> bool {
    ty.base.starts_with("struct ")
}

/// Signedness of the base type's words: `unsigned`/`u*`/`size_t`… are
/// unsigned; `char` is signed on x86.
fn is_signed(words: &[&str]) -> bool {
    if words.contains(&"unsigned") {
        return false;
    }
    words.iter().any(|w| {
        matches!(
            *w,
            "signed" | "char" | "short" | "int" | "long" | "s8" | "s16" | "s32" | "s64" | "ssize_t"
        )
    })
}

/// `v` modulo 2^(8 × bytes), sign-extended for a signed type.
pub fn convert(t: IntType, v: u64) -> u64 {
    let bits = u32::from(t.bytes) * 8;
    if bits >= 64 {
        return v;
    }
    let mask = (1u64 << bits) - 1;
    let low = v & mask;
    if t.signed && low >> (bits - 1) == 1 {
        low | !mask
    } else {
        low
    }
}

/// The integer promotions: anything narrower than `int` becomes `int`.
fn promote(t: IntType) -> IntType {
    if t.bytes < 4 {
        IntType::INT
    } else {
        t
    }
}

/// The usual arithmetic conversions of two promoted types (C11 6.3.1.8,
/// LP64): the wider wins; at equal width unsigned wins; a signed type
/// wider than the unsigned one holds all its values and wins.
fn common(a: IntType, b: IntType) -> IntType {
    let (a, b) = (promote(a), promote(b));
    if a.signed == b.signed {
        return if a.bytes >= b.bytes { a } else { b };
    }
    let (signed, unsigned) = if a.signed { (a, b) } else { (b, a) };
    if unsigned.bytes >= signed.bytes {
        unsigned
    } else {
        signed
    }
}

/// The type of `l op r`.
pub fn binary_type(op: BinaryOp, l: CType, r: CType) -> CType {
    use BinaryOp::*;
    match (op, l, r) {
        (Lt | Le | Gt | Ge | Eq | Ne | And | Or, _, _) => CType::INT,
        (Add, CType::Ptr { .. }, CType::Int(_) | CType::Bool) => l,
        (Add, CType::Int(_) | CType::Bool, CType::Ptr { .. }) => r,
        // ptrdiff_t.
        (Sub, CType::Ptr { .. }, CType::Ptr { .. }) => CType::Int(IntType::LONG),
        (Sub, CType::Ptr { .. }, _) => l,
        (Shl | Shr, _, _) => CType::Int(l.arith()),
        _ => CType::Int(common(l.arith(), r.arith())),
    }
}

/// `l op r` on typed values; None for a division by zero. (`&&` and `||`
/// short-circuit in the caller, which evaluates `r` only when needed.)
pub fn binary(op: BinaryOp, (l, lt): (u64, CType), (r, rt): (u64, CType)) -> Option<(u64, CType)> {
    use BinaryOp::*;
    let ty = binary_type(op, lt, rt);
    match (op, lt, rt) {
        (Add, CType::Ptr { stride, .. }, _) if ty == lt => {
            return Some((l.wrapping_add(r.wrapping_mul(stride)), ty));
        }
        (Add, _, CType::Ptr { stride, .. }) if ty == rt => {
            return Some((r.wrapping_add(l.wrapping_mul(stride)), ty));
        }
        (Sub, CType::Ptr { stride, .. }, CType::Ptr { .. }) => {
            let bytes = l.wrapping_sub(r) as i64;
            return Some(((bytes / stride.max(1) as i64) as u64, ty));
        }
        (Sub, CType::Ptr { stride, .. }, _) => {
            return Some((l.wrapping_sub(r.wrapping_mul(stride)), ty));
        }
        _ => {}
    }
    // The operands in the type the operation is done in.
    let t = match op {
        Shl | Shr => lt.arith(),
        _ => common(lt.arith(), rt.arith()),
    };
    let a = convert(t, l);
    let b = if matches!(op, Shl | Shr) {
        r
    } else {
        convert(t, r)
    };
    let bits = u64::from(t.bytes) * 8;
    let ordering = if t.signed {
        (a as i64).cmp(&(b as i64))
    } else {
        a.cmp(&b)
    };
    let value = match op {
        Mul => a.wrapping_mul(b),
        Div if b == 0 => return None,
        Rem if b == 0 => return None,
        Div if t.signed => (a as i64).wrapping_div(b as i64) as u64,
        Rem if t.signed => (a as i64).wrapping_rem(b as i64) as u64,
        Div => a / b,
        Rem => a % b,
        Add => a.wrapping_add(b),
        Sub => a.wrapping_sub(b),
        // Shifting by the width or more is undefined in C; the playground
        // gives 0 (or all ones for a negative signed value shifted right).
        Shl if b >= bits => 0,
        Shl => a << b,
        Shr if b >= bits => {
            if t.signed && (a as i64) < 0 {
                u64::MAX
            } else {
                0
            }
        }
        Shr if t.signed => ((a as i64) >> b) as u64,
        Shr => a >> b,
        Lt => u64::from(ordering.is_lt()),
        Le => u64::from(ordering.is_le()),
        Gt => u64::from(ordering.is_gt()),
        Ge => u64::from(ordering.is_ge()),
        Eq => u64::from(a == b),
        Ne => u64::from(a != b),
        BitAnd => a & b,
        BitXor => a ^ b,
        BitOr => a | b,
        And => u64::from(l != 0 && r != 0),
        Or => u64::from(l != 0 || r != 0),
    };
    Some((ty.convert(value), ty))
}

/// `-x`, `+x`, `~x` on a typed value (`!x` is always `int`).
pub fn unary(op: UnaryOp, v: u64, t: CType) -> (u64, CType) {
    let p = t.arith();
    let value = match op {
        UnaryOp::Neg => v.wrapping_neg(),
        UnaryOp::BitNot => !v,
        _ => v,
    };
    (convert(p, value), CType::Int(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(v: i64) -> (u64, CType) {
        (v as u64, CType::INT)
    }

    fn ty(base: &str, pointers: u8) -> CType {
        CType::of(&TypeName {
            base: base.into(),
            pointers,
        })
    }

    #[test]
    fn conversions_truncate_and_sign_extend() {
        assert_eq!(ty("int", 0).convert(0xffff_ffff), u64::MAX);
        assert_eq!(ty("unsigned int", 0).convert(u64::MAX), 0xffff_ffff);
        assert_eq!(ty("u8", 0).convert(0x1ff), 0xff);
        assert_eq!(ty("s8", 0).convert(0x80), (-128i64) as u64);
        assert_eq!(ty("char", 0).convert(0xff), u64::MAX);
        assert_eq!(ty("bool", 0).convert(2), 1);
        assert_eq!(ty("long", 0).convert(u64::MAX), u64::MAX);
    }

    #[test]
    fn comparisons_follow_the_usual_arithmetic_conversions() {
        use BinaryOp::*;
        // int against int: signed.
        assert_eq!(binary(Lt, int(-1), int(0)), Some((1, CType::INT)));
        // int against unsigned long: -1 becomes ULONG_MAX.
        let zero_ul = (0, CType::Int(IntType::ULONG));
        assert_eq!(binary(Lt, int(-1), zero_ul), Some((0, CType::INT)));
        // int against unsigned int: unsigned wins at equal width.
        let zero_u = (0, CType::Int(IntType::UINT));
        assert_eq!(binary(Gt, int(-1), zero_u), Some((1, CType::INT)));
        // long against unsigned int: long holds every unsigned int.
        let minus_one_l = ((-1i64) as u64, CType::Int(IntType::LONG));
        assert_eq!(binary(Lt, minus_one_l, zero_u), Some((1, CType::INT)));
        assert_eq!(binary(Eq, int(-1), int(-1)), Some((1, CType::INT)));
    }

    #[test]
    fn arithmetic_wraps_in_the_result_type() {
        use BinaryOp::*;
        let max_u32 = (0xffff_ffff, CType::Int(IntType::UINT));
        assert_eq!(binary(Add, max_u32, int(1)).unwrap().0, 0);
        assert_eq!(binary(Div, int(-7), int(2)).unwrap().0, (-3i64) as u64);
        assert_eq!(binary(Rem, int(-7), int(2)).unwrap().0, (-1i64) as u64);
        assert_eq!(binary(Shr, int(-8), int(1)).unwrap().0, (-4i64) as u64);
        assert_eq!(binary(Div, int(1), int(0)), None);
        assert_eq!(binary(Shl, int(1), int(40)).unwrap().0, 0);
        // 1 << 31 in int is INT_MIN.
        assert_eq!(
            binary(Shl, int(1), int(31)).unwrap().0,
            i32::MIN as i64 as u64
        );
        assert_eq!(
            unary(UnaryOp::Neg, 1, CType::Int(IntType::UINT)).0,
            0xffff_ffff
        );
        assert_eq!(
            unary(UnaryOp::BitNot, 0, ty("u8", 0)),
            (u64::MAX, CType::INT)
        );
    }

    #[test]
    fn pointer_arithmetic_scales_by_the_pointed_to_size() {
        use BinaryOp::*;
        let q = (0x1000, ty("u32", 1));
        assert_eq!(binary(Add, q, int(1)).unwrap().0, 0x1004);
        assert_eq!(binary(Add, int(2), q).unwrap().0, 0x1008);
        assert_eq!(binary(Sub, q, int(1)).unwrap().0, 0xffc);
        let r = (0x1010, ty("u32", 1));
        assert_eq!(binary(Sub, r, q), Some((4, CType::Int(IntType::LONG))));
        assert_eq!(
            binary(Add, (0x1000, CType::VOID_PTR), int(1)).unwrap().0,
            0x1001
        );
        assert_eq!(
            binary(Add, (0x1000, ty("struct page", 1)), int(1))
                .unwrap()
                .0,
            0x1040
        );
        assert_eq!(ty("struct page", 1), CType::PAGE_PTR);
        assert_eq!(
            ty("u64", 2),
            CType::Ptr {
                elem: Some(IntType::ULONG),
                stride: 8
            }
        );
    }
}
