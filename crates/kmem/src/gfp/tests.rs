//! Golden tests: every GFP value and string of kernel-facts §1, the layout
//! boundaries of the other releases, the parser, and round trips.

use super::*;

fn table(text: &str) -> &'static GfpTable {
    GfpTable::for_release(Release::parse(text).unwrap()).unwrap()
}

fn mask(t: &GfpTable, text: &str) -> Gfp {
    t.parse(text)
        .unwrap_or_else(|e| panic!("{text}: {e:?} in {}", t.releases()))
}

use GfpFlag::*;

/// kernel-facts §1.1, one column per release: (flag, 4.19, 6.6, 6.12);
/// `None` means the release has no such flag.
type BitRow = (GfpFlag, Option<u32>, Option<u32>, Option<u32>);

const BITS: &[BitRow] = &[
    (Dma, Some(0x01), Some(0x01), Some(0x01)),
    (Highmem, Some(0x02), Some(0x02), Some(0x02)),
    (Dma32, Some(0x04), Some(0x04), Some(0x04)),
    (Movable, Some(0x08), Some(0x08), Some(0x08)),
    (Reclaimable, Some(0x10), Some(0x10), Some(0x10)),
    (High, Some(0x20), Some(0x20), Some(0x20)),
    (Io, Some(0x40), Some(0x40), Some(0x40)),
    (Fs, Some(0x80), Some(0x80), Some(0x80)),
    (Write, Some(0x100), Some(0x1000), Some(0x1000)),
    (NoWarn, Some(0x200), Some(0x2000), Some(0x2000)),
    (RetryMayfail, Some(0x400), Some(0x4000), Some(0x4000)),
    (NoFail, Some(0x800), Some(0x8000), Some(0x8000)),
    (NoRetry, Some(0x1000), Some(0x10000), Some(0x10000)),
    (Memalloc, Some(0x2000), Some(0x20000), Some(0x20000)),
    (Comp, Some(0x4000), Some(0x40000), Some(0x40000)),
    (Zero, Some(0x8000), Some(0x100), Some(0x100)),
    (NoMemalloc, Some(0x10000), Some(0x80000), Some(0x80000)),
    (Hardwall, Some(0x20000), Some(0x100000), Some(0x100000)),
    (ThisNode, Some(0x40000), Some(0x200000), Some(0x200000)),
    (Atomic, Some(0x80000), None, None),
    (Account, Some(0x100000), Some(0x400000), Some(0x400000)),
    (DirectReclaim, Some(0x200000), Some(0x400), Some(0x400)),
    (KswapdReclaim, Some(0x400000), Some(0x800), Some(0x800)),
    (ZeroTags, None, Some(0x800000), Some(0x800000)),
    (SkipZero, None, Some(0), Some(0)),
    (SkipKasan, None, Some(0), Some(0)),
    (NoLockdep, Some(0), Some(0), Some(0)),
    // CONFIG_MEMCG selects SLAB_OBJ_EXT: bit 24 without LOCKDEP.
    (NoObjExt, None, None, Some(0x1000000)),
    (Cold, None, None, None),
    (Repeat, None, None, None),
    (NoTrack, None, None, None),
    (OtherNode, None, None, None),
    (SkipKasanPoison, None, None, None),
    (SkipKasanUnpoison, None, None, None),
];

#[test]
fn bit_values_of_4_19_6_6_6_12() {
    let tables = [table("4.19"), table("6.6"), table("6.12")];
    for &(flag, a, b, c) in BITS {
        for (t, want) in tables.iter().zip([a, b, c]) {
            assert_eq!(
                t.defines(flag),
                want.is_some(),
                "{flag} in {}",
                t.releases()
            );
            assert_eq!(
                t.bit(flag),
                Gfp(want.unwrap_or(0)),
                "{flag} in {}",
                t.releases()
            );
            if let Some(v) = want {
                assert_eq!(t.lookup(flag.name()), Some(Gfp(v)));
                let raw = format!("_{}", flag.name());
                assert_eq!(t.parse(&raw), Ok(Gfp(v)), "{raw}");
            }
        }
    }
    // Every flag is covered by the table above.
    for flag in GfpFlag::ALL {
        assert!(BITS.iter().any(|row| row.0 == flag), "{flag}");
    }
    assert_eq!(table("4.19").bits_mask(), Gfp(0x7fffff));
    assert_eq!(table("6.6").bits_mask(), Gfp(0x3ffffff));
    assert_eq!(table("6.12").bits_mask(), Gfp(0x1ffffff));
}

#[test]
fn composite_values() {
    let rows: &[(&str, u32, u32, u32)] = &[
        ("GFP_ATOMIC", 0x480020, 0x820, 0x820),
        ("GFP_KERNEL", 0x6000c0, 0xcc0, 0xcc0),
        ("GFP_KERNEL_ACCOUNT", 0x7000c0, 0x400cc0, 0x400cc0),
        ("GFP_NOWAIT", 0x400000, 0x800, 0x2800),
        ("GFP_NOIO", 0x600000, 0xc00, 0xc00),
        ("GFP_NOFS", 0x600040, 0xc40, 0xc40),
        ("GFP_USER", 0x6200c0, 0x100cc0, 0x100cc0),
        ("GFP_DMA", 0x1, 0x1, 0x1),
        ("GFP_DMA32", 0x4, 0x4, 0x4),
        ("GFP_HIGHUSER", 0x6200c2, 0x100cc2, 0x100cc2),
        ("GFP_HIGHUSER_MOVABLE", 0x6200ca, 0x100cca, 0x100cca),
        ("GFP_TRANSHUGE_LIGHT", 0x342ca, 0x1c20ca, 0x1c20ca),
        ("GFP_TRANSHUGE", 0x2342ca, 0x1c24ca, 0x1c24ca),
        ("__GFP_RECLAIM", 0x600000, 0xc00, 0xc00),
    ];
    for &(name, a, b, c) in rows {
        assert_eq!(table("4.19").composite(name), Some(Gfp(a)), "{name} 4.19");
        assert_eq!(table("6.6").composite(name), Some(Gfp(b)), "{name} 6.6");
        assert_eq!(table("6.12").composite(name), Some(Gfp(c)), "{name} 6.12");
        assert_eq!(table("6.12.19").parse(name), Ok(Gfp(c)));
    }
    assert_eq!(table("6.6").composite("GFP_TEMPORARY"), None);
    assert_eq!(table("6.6").composite("GFP_NOPE"), None);
}

#[test]
fn pgg_worked_examples() {
    // (expression, 4.19 value and string, 6.6, 6.12)
    let rows: &[(&str, [(u32, &str); 3])] = &[
        (
            "GFP_KERNEL|__GFP_ZERO",
            [
                (0x6080c0, "GFP_KERNEL|__GFP_ZERO"),
                (0xdc0, "GFP_KERNEL|__GFP_ZERO"),
                (0xdc0, "GFP_KERNEL|__GFP_ZERO"),
            ],
        ),
        (
            "GFP_ATOMIC|__GFP_NOWARN",
            [
                (0x480220, "GFP_ATOMIC|__GFP_NOWARN"),
                (0x2820, "GFP_ATOMIC|__GFP_NOWARN"),
                (0x2820, "GFP_ATOMIC|__GFP_NOWARN"),
            ],
        ),
        (
            "GFP_KERNEL|__GFP_NOWARN|__GFP_NORETRY",
            [
                (0x6012c0, "GFP_KERNEL|__GFP_NOWARN|__GFP_NORETRY"),
                (0x12cc0, "GFP_KERNEL|__GFP_NOWARN|__GFP_NORETRY"),
                (0x12cc0, "GFP_KERNEL|__GFP_NOWARN|__GFP_NORETRY"),
            ],
        ),
        (
            "GFP_KERNEL|GFP_DMA",
            [
                (0x6000c1, "GFP_KERNEL|GFP_DMA"),
                (0xcc1, "GFP_KERNEL|GFP_DMA"),
                (0xcc1, "GFP_KERNEL|GFP_DMA"),
            ],
        ),
        (
            "GFP_KERNEL & ~__GFP_DIRECT_RECLAIM",
            [
                (0x4000c0, "GFP_NOWAIT|__GFP_IO|__GFP_FS"),
                (0x8c0, "GFP_NOWAIT|__GFP_IO|__GFP_FS"),
                (0x8c0, "__GFP_IO|__GFP_FS|__GFP_KSWAPD_RECLAIM"),
            ],
        ),
        (
            "__GFP_KSWAPD_RECLAIM",
            [
                (0x400000, "GFP_NOWAIT"),
                (0x800, "GFP_NOWAIT"),
                (0x800, "__GFP_KSWAPD_RECLAIM"),
            ],
        ),
        (
            "__GFP_RECLAIM",
            [
                (0x600000, "GFP_NOIO"),
                (0xc00, "GFP_NOIO"),
                (0xc00, "GFP_NOIO"),
            ],
        ),
    ];
    for (expr, cols) in rows {
        for (release, (value, text)) in ["4.19", "6.6", "6.12"].into_iter().zip(cols) {
            let t = table(release);
            let m = mask(t, expr);
            assert_eq!(m, Gfp(*value), "{expr} in {release}");
            assert_eq!(t.format(m), *text, "{expr} in {release}");
        }
    }
    for release in ["4.9", "4.19", "6.6", "6.12"] {
        assert_eq!(table(release).format(Gfp(0)), "");
        assert_eq!(table(release).format_mode(Gfp(0)), "0x0()");
    }
}

#[test]
fn format_mode_of_kernel_zero() {
    let expr = "GFP_KERNEL|__GFP_ZERO";
    let t = table("4.19");
    assert_eq!(
        t.format_mode(mask(t, expr)),
        "0x6080c0(GFP_KERNEL|__GFP_ZERO)"
    );
    let t = table("6.6");
    assert_eq!(t.format_mode(mask(t, expr)), "0xdc0(GFP_KERNEL|__GFP_ZERO)");
    assert_eq!(t.format_mode(mask(t, "GFP_KERNEL")), "0xcc0(GFP_KERNEL)");
}

#[test]
fn leftover_bits_print_as_hex() {
    let t = table("6.6");
    assert_eq!(t.format(Gfp(0x200)), "0x200");
    assert_eq!(t.format(Gfp(0xcc0 | 0x8000_0200)), "GFP_KERNEL|0x80000200");
    assert_eq!(
        t.format(Gfp(u32::MAX)).split('|').next_back(),
        Some("0xff000200")
    );
    // 6.12 has no %pGg name for NO_OBJ_EXT.
    let t = table("6.12");
    assert_eq!(t.format(Gfp(0x1000cc0)), "GFP_KERNEL|0x1000000");
}

#[test]
fn gfp_zone_table() {
    use ZoneType::*;
    let rows: &[(u32, ZoneType, bool)] = &[
        (0x0, Normal, true),
        (0x1, Dma, true),
        (0x2, Normal, true),
        (0x3, Dma, false),
        (0x4, Dma32, true),
        (0x5, Dma, false),
        (0x6, Dma, false),
        (0x7, Dma, false),
        (0x8, Normal, true),
        (0x9, Dma, true),
        (0xa, Movable, true),
        (0xb, Dma, false),
        (0xc, Dma32, true),
        (0xd, Dma, false),
        (0xe, Dma, false),
        (0xf, Dma, false),
    ];
    for t in GfpTable::all() {
        for &(low, zone, valid) in rows {
            // The zone bits are the same in every release; add noise above.
            let choice = t.zone(Gfp(low | t.composite("GFP_KERNEL").unwrap_or_default().0));
            assert_eq!(
                (choice.zone, choice.valid),
                (zone, valid),
                "{low:#x} in {}",
                t.releases()
            );
        }
    }
    let t = table("6.6");
    assert_eq!(
        t.zone(mask(t, "GFP_KERNEL")).fallback,
        vec![Normal, Dma32, Dma]
    );
    assert_eq!(t.zone(mask(t, "GFP_DMA32")).fallback, vec![Dma32, Dma]);
    assert_eq!(t.zone(mask(t, "GFP_DMA | GFP_KERNEL")).fallback, vec![Dma]);
    assert_eq!(
        t.zone(mask(t, "GFP_HIGHUSER_MOVABLE")).fallback,
        vec![Movable, Normal, Dma32, Dma]
    );
}

#[test]
fn migratetype_and_blocking() {
    for release in ["4.9", "4.19", "6.6", "6.12"] {
        let t = table(release);
        assert_eq!(t.migratetype(mask(t, "GFP_KERNEL")), MigrateType::Unmovable);
        assert_eq!(
            t.migratetype(mask(t, "GFP_HIGHUSER_MOVABLE")),
            MigrateType::Movable
        );
        assert_eq!(
            t.migratetype(mask(t, "GFP_KERNEL | __GFP_RECLAIMABLE")),
            MigrateType::Reclaimable
        );
        assert_eq!(
            t.migratetype(mask(t, "__GFP_MOVABLE | __GFP_RECLAIMABLE")),
            MigrateType::HighAtomic
        );
        assert!(t.allows_blocking(mask(t, "GFP_KERNEL")));
        assert!(t.allows_blocking(mask(t, "GFP_NOIO")));
        assert!(!t.allows_blocking(mask(t, "GFP_ATOMIC")));
        assert!(!t.allows_blocking(mask(t, "GFP_NOWAIT")));
    }
}

#[test]
fn reserve_access_before_and_after_6_3() {
    let by_blocking = |release: &str| {
        let release = crate::profile::Release::parse(release).unwrap();
        crate::profile::changes::applies(crate::profile::Change::ReservesByBlocking, release)
    };
    let ra = |release: &str, expr: &str, order: u8| {
        let t = table(release);
        t.reserve_access(mask(t, expr), order, by_blocking(release))
    };
    let none = ReserveAccess::default();
    let harder = ReserveAccess {
        min_half: true,
        min_quarter: true,
        highatomic_counts_as_free: true,
        highatomic_first: true,
        highatomic_last: false,
        no_watermarks: false,
    };
    for release in ["4.9", "4.19", "5.4", "6.1", "6.2"] {
        assert!(!by_blocking(release), "{release}");
        assert_eq!(ra(release, "GFP_ATOMIC", 0), harder, "{release}");
        assert_eq!(ra(release, "GFP_KERNEL", 0), none);
        assert_eq!(ra(release, "GFP_NOWAIT", 3), none);
        assert_eq!(
            ra(release, "GFP_ATOMIC | __GFP_NOMEMALLOC", 0),
            ReserveAccess {
                min_half: true,
                ..none
            }
        );
        assert_eq!(
            ra(release, "GFP_KERNEL | __GFP_MEMALLOC", 0),
            ReserveAccess {
                no_watermarks: true,
                ..none
            }
        );
        assert_eq!(ra(release, "__GFP_MEMALLOC | __GFP_NOMEMALLOC", 0), none);
    }
    // 6.1.119 took the 6.3 rules while keeping __GFP_ATOMIC.
    for release in ["6.3", "6.6", "6.12", "6.1.119"] {
        assert!(by_blocking(release), "{release}");
        let atomic0 = ReserveAccess {
            min_half: true,
            min_quarter: true,
            highatomic_counts_as_free: true,
            highatomic_first: false,
            highatomic_last: true,
            no_watermarks: false,
        };
        assert_eq!(ra(release, "GFP_ATOMIC", 0), atomic0);
        assert_eq!(
            ra(release, "GFP_ATOMIC", 2),
            ReserveAccess {
                highatomic_first: true,
                ..atomic0
            }
        );
        // GFP_NOWAIT: no watermark reduction, but the highatomic reserve.
        assert_eq!(
            ra(release, "GFP_NOWAIT", 0),
            ReserveAccess {
                highatomic_counts_as_free: true,
                highatomic_last: true,
                ..none
            }
        );
        assert_eq!(ra(release, "GFP_KERNEL", 5), none);
        assert_eq!(
            ra(release, "GFP_KERNEL | __GFP_HIGH", 0),
            ReserveAccess {
                min_half: true,
                highatomic_counts_as_free: true,
                ..none
            }
        );
        assert_eq!(
            ra(release, "GFP_ATOMIC | __GFP_NOMEMALLOC", 1),
            ReserveAccess {
                min_half: true,
                highatomic_counts_as_free: true,
                ..none
            }
        );
        assert_eq!(
            ra(release, "GFP_KERNEL | __GFP_MEMALLOC", 0),
            ReserveAccess {
                no_watermarks: true,
                ..none
            }
        );
    }
}

#[test]
fn layout_boundaries() {
    let kernel = |r: &str| table(r).composite("GFP_KERNEL").unwrap().0;
    assert_eq!(kernel("4.9"), 0x24000c0);
    assert_eq!(kernel("4.9.337"), 0x24000c0);
    assert_eq!(kernel("4.10"), 0x14000c0);
    assert_eq!(kernel("4.17"), 0x14000c0);
    assert_eq!(kernel("4.18"), 0x6000c0);
    assert_eq!(kernel("5.0"), 0x6000c0);
    assert_eq!(kernel("5.1"), 0xcc0);
    assert_eq!(kernel("6.12"), 0xcc0);

    // 4.9: __GFP_OTHER_NODE, GFP_TEMPORARY, and its %pGg names.
    let t = table("4.9");
    assert_eq!(t.bit(OtherNode), Gfp(0x800000));
    assert_eq!(t.bit(Write), Gfp(0x1000000));
    assert_eq!(t.bit(KswapdReclaim), Gfp(0x2000000));
    assert_eq!(t.composite("GFP_TEMPORARY"), Some(Gfp(0x24000d0)));
    assert_eq!(t.format(Gfp(0x24000d0)), "GFP_TEMPORARY");
    assert_eq!(t.format(Gfp(0x24000c0)), "GFP_KERNEL");
    assert_eq!(t.format(Gfp(0x2080020)), "GFP_ATOMIC");
    assert_eq!(
        t.format(Gfp(0x800000 | 0x100)),
        "__GFP_COLD|__GFP_OTHER_NODE"
    );
    assert_eq!(t.bits_mask(), Gfp(0x3ffffff));
    assert!(!t.defines(NoLockdep));
    // 4.10: OTHER_NODE gone.
    let t = table("4.10");
    assert!(!t.defines(OtherNode));
    assert_eq!(t.bit(Write), Gfp(0x800000));
    assert_eq!(t.format(Gfp(0x800000)), "__GFP_WRITE");
    assert_eq!(t.bit(Repeat), Gfp(0x400));
    assert!(!t.defines(RetryMayfail));
    // 4.12: NOLOCKDEP appears (0).
    assert!(table("4.12").defines(NoLockdep));
    assert!(!table("4.11").defines(NoLockdep));
    // 4.13: REPEAT renamed.
    let t = table("4.13");
    assert_eq!(t.bit(RetryMayfail), Gfp(0x400));
    assert!(!t.defines(Repeat));
    assert_eq!(t.format(Gfp(0x400)), "__GFP_RETRY_MAYFAIL");
    assert_eq!(table("4.12").format(Gfp(0x400)), "__GFP_REPEAT");
    assert!(t.composite("GFP_TEMPORARY").is_some());
    // 4.14: GFP_TEMPORARY gone; NOTRACK gone in later stable releases.
    let t = table("4.14");
    assert_eq!(t.composite("GFP_TEMPORARY"), None);
    assert_eq!(t.bit(NoTrack), Gfp(0x200000));
    assert_eq!(t.format(Gfp(0x200000)), "__GFP_NOTRACK");
    let t = table("4.14.5");
    assert!(t.defines(NoTrack));
    let t = table("4.14.74");
    assert!(!t.defines(NoTrack));
    assert_eq!(t.bit(Cold), Gfp(0x100));
    assert_eq!(t.format(Gfp(0x200000)), "0x200000");
    assert_eq!(t.composite("GFP_KERNEL"), Some(Gfp(0x14000c0)));
    // 4.15: COLD gone.
    let t = table("4.15");
    assert!(!t.defines(Cold) && !t.defines(NoTrack));
    assert_eq!(t.format(Gfp(0x100)), "0x100");
    // 4.18–5.0 equals 4.19.
    assert_eq!(table("4.18").releases(), "4.18–5.0");
    assert!(std::ptr::eq(table("4.18"), table("5.0.21")));
    // 5.1: the 0xcc0 layout with __GFP_ATOMIC at 0x200.
    let t = table("5.4");
    assert_eq!(t.releases(), "5.1–5.13");
    assert_eq!(t.composite("GFP_ATOMIC"), Some(Gfp(0xa20)));
    assert_eq!(t.format_mode(Gfp(0xa20)), "0xa20(GFP_ATOMIC)");
    assert_eq!(t.bits_mask(), Gfp(0x7fffff));
    // 5.14: SKIP_KASAN_POISON is a real bit inside GFP_HIGHUSER_MOVABLE.
    let t = table("5.14");
    assert_eq!(t.releases(), "5.14–5.17");
    assert_eq!(table("5.13").format(Gfp(0x1800000)), "0x1800000");
    assert_eq!(t.bit(ZeroTags), Gfp(0x800000));
    assert_eq!(t.bit(SkipKasanPoison), Gfp(0x1000000));
    assert_eq!(t.composite("GFP_HIGHUSER_MOVABLE"), Some(Gfp(0x1100cca)));
    assert_eq!(t.format(Gfp(0x1100cca)), "GFP_HIGHUSER_MOVABLE");
    assert_eq!(t.format(Gfp(0x100cca)), "GFP_HIGHUSER|__GFP_MOVABLE");
    let t = table("5.15");
    assert_eq!(
        t.format(Gfp(0x1800000)),
        "__GFP_ZEROTAGS|__GFP_SKIP_KASAN_POISON"
    );
    assert_eq!(
        t.format_mode(Gfp(0x1100cca)),
        "0x1100cca(GFP_HIGHUSER_MOVABLE)"
    );
    assert_eq!(
        table("5.17").composite("GFP_TRANSHUGE"),
        Some(Gfp(0x11c24ca))
    );
    // 5.18: the KASAN flags are 0 on x86.
    let t = table("5.18");
    assert_eq!(t.composite("GFP_HIGHUSER_MOVABLE"), Some(Gfp(0x100cca)));
    assert!(t.defines(SkipZero) && t.defines(SkipKasanUnpoison));
    assert_eq!(t.bit(SkipKasanPoison), Gfp(0));
    assert_eq!(t.format(Gfp(0x1000000)), "0x1000000");
    assert_eq!(t.bits_mask(), Gfp(0x7ffffff));
    // 6.2 still has __GFP_ATOMIC; 6.3 does not.
    assert_eq!(table("6.2").composite("GFP_ATOMIC"), Some(Gfp(0xa20)));
    assert_eq!(table("6.2").format(Gfp(0x200)), "__GFP_ATOMIC");
    let t = table("6.3");
    assert_eq!(t.composite("GFP_ATOMIC"), Some(Gfp(0x820)));
    assert_eq!(t.format(Gfp(0xa20)), "GFP_ATOMIC|0x200");
    assert!(t.defines(SkipKasanPoison) && !t.defines(SkipKasan));
    // 6.4: SKIP_KASAN replaces the pair.
    let t = table("6.4");
    assert!(t.defines(SkipKasan) && !t.defines(SkipKasanPoison));
    assert_eq!(t.bits_mask(), Gfp(0x3ffffff));
    // 6.8: GFP_NOWAIT gains NOWARN.
    assert_eq!(table("6.7").composite("GFP_NOWAIT"), Some(Gfp(0x800)));
    assert_eq!(table("6.8").composite("GFP_NOWAIT"), Some(Gfp(0x2800)));
    assert_eq!(table("6.8").format(Gfp(0x2800)), "GFP_NOWAIT");
    // 6.9: the enum makes __GFP_BITS_SHIFT 24.
    assert_eq!(table("6.9").bits_shift(), 24);
    assert!(!table("6.9").defines(NoObjExt));
    // 6.10: NO_OBJ_EXT.
    assert_eq!(table("6.10").bit(NoObjExt), Gfp(0x1000000));
    assert_eq!(table("6.10").bits_shift(), 25);
}

/// One row per layout (research table of composites, x86_64, LOCKDEP=n,
/// MEMCG=y): release, __GFP_RECLAIM, GFP_ATOMIC, GFP_KERNEL, GFP_NOWAIT,
/// GFP_HIGHUSER_MOVABLE, GFP_TRANSHUGE_LIGHT, GFP_TRANSHUGE,
/// __GFP_BITS_MASK.
const LAYOUT_ROWS: &[(&str, [u32; 8])] = &[
    (
        "4.9",
        [
            0x2400000, 0x2080020, 0x24000c0, 0x2000000, 0x24200ca, 0x342ca, 0x4342ca, 0x3ffffff,
        ],
    ),
    (
        "4.10",
        [
            0x1400000, 0x1080020, 0x14000c0, 0x1000000, 0x14200ca, 0x342ca, 0x4342ca, 0x1ffffff,
        ],
    ),
    (
        "4.12",
        [
            0x1400000, 0x1080020, 0x14000c0, 0x1000000, 0x14200ca, 0x342ca, 0x4342ca, 0x1ffffff,
        ],
    ),
    (
        "4.13",
        [
            0x1400000, 0x1080020, 0x14000c0, 0x1000000, 0x14200ca, 0x342ca, 0x4342ca, 0x1ffffff,
        ],
    ),
    (
        "4.14",
        [
            0x1400000, 0x1080020, 0x14000c0, 0x1000000, 0x14200ca, 0x342ca, 0x4342ca, 0x1ffffff,
        ],
    ),
    (
        "4.14.177",
        [
            0x1400000, 0x1080020, 0x14000c0, 0x1000000, 0x14200ca, 0x342ca, 0x4342ca, 0x1ffffff,
        ],
    ),
    (
        "4.15",
        [
            0x1400000, 0x1080020, 0x14000c0, 0x1000000, 0x14200ca, 0x342ca, 0x4342ca, 0x1ffffff,
        ],
    ),
    (
        "4.19",
        [
            0x600000, 0x480020, 0x6000c0, 0x400000, 0x6200ca, 0x342ca, 0x2342ca, 0x7fffff,
        ],
    ),
    (
        "5.1",
        [
            0xc00, 0xa20, 0xcc0, 0x800, 0x100cca, 0x1c20ca, 0x1c24ca, 0x7fffff,
        ],
    ),
    (
        "5.14",
        [
            0xc00, 0xa20, 0xcc0, 0x800, 0x1100cca, 0x11c20ca, 0x11c24ca, 0x1ffffff,
        ],
    ),
    (
        "5.18",
        [
            0xc00, 0xa20, 0xcc0, 0x800, 0x100cca, 0x1c20ca, 0x1c24ca, 0x7ffffff,
        ],
    ),
    (
        "6.0",
        [
            0xc00, 0xa20, 0xcc0, 0x800, 0x100cca, 0x1c20ca, 0x1c24ca, 0x7ffffff,
        ],
    ),
    (
        "6.3",
        [
            0xc00, 0x820, 0xcc0, 0x800, 0x100cca, 0x1c20ca, 0x1c24ca, 0x7ffffff,
        ],
    ),
    (
        "6.4",
        [
            0xc00, 0x820, 0xcc0, 0x800, 0x100cca, 0x1c20ca, 0x1c24ca, 0x3ffffff,
        ],
    ),
    (
        "6.8",
        [
            0xc00, 0x820, 0xcc0, 0x2800, 0x100cca, 0x1c20ca, 0x1c24ca, 0x3ffffff,
        ],
    ),
    (
        "6.9",
        [
            0xc00, 0x820, 0xcc0, 0x2800, 0x100cca, 0x1c20ca, 0x1c24ca, 0xffffff,
        ],
    ),
    (
        "6.10",
        [
            0xc00, 0x820, 0xcc0, 0x2800, 0x100cca, 0x1c20ca, 0x1c24ca, 0x1ffffff,
        ],
    ),
];

#[test]
fn composites_of_every_layout() {
    let names = [
        "__GFP_RECLAIM",
        "GFP_ATOMIC",
        "GFP_KERNEL",
        "GFP_NOWAIT",
        "GFP_HIGHUSER_MOVABLE",
        "GFP_TRANSHUGE_LIGHT",
        "GFP_TRANSHUGE",
    ];
    for (release, values) in LAYOUT_ROWS {
        let t = table(release);
        for (name, want) in names.iter().zip(values) {
            assert_eq!(t.composite(name), Some(Gfp(*want)), "{name} in {release}");
        }
        assert_eq!(t.bits_mask(), Gfp(values[7]), "mask in {release}");
    }
    // Every layout is covered by a row.
    for t in GfpTable::all() {
        assert!(
            LAYOUT_ROWS.iter().any(|(r, _)| std::ptr::eq(table(r), t)),
            "{}",
            t.releases()
        );
    }
}

#[test]
fn pgg_in_every_layout() {
    // (expression, expected %pGg) per release; values come from parsing.
    let rows: &[(&str, &str, &str)] = &[
        (
            "4.9",
            "GFP_KERNEL_ACCOUNT|__GFP_ZERO",
            "0x25080c0(GFP_KERNEL_ACCOUNT|__GFP_ZERO)",
        ),
        (
            "4.9",
            "GFP_NOWAIT|__GFP_NOWARN",
            "0x2000200(GFP_NOWAIT|__GFP_NOWARN)",
        ),
        (
            "4.9",
            "GFP_KERNEL|__GFP_RECLAIMABLE",
            "0x24000d0(GFP_TEMPORARY)",
        ),
        (
            "4.11",
            "GFP_HIGHUSER_MOVABLE|__GFP_ZERO",
            "0x14280ca(GFP_HIGHUSER_MOVABLE|__GFP_ZERO)",
        ),
        ("4.13", "GFP_TEMPORARY", "0x14000d0(GFP_TEMPORARY)"),
        (
            "4.14",
            "GFP_KERNEL|__GFP_RECLAIMABLE",
            "0x14000d0(GFP_KERNEL|__GFP_RECLAIMABLE)",
        ),
        (
            "4.17",
            "GFP_KERNEL|__GFP_NOWARN|__GFP_NORETRY|__GFP_COMP",
            "0x14052c0(GFP_KERNEL|__GFP_NOWARN|__GFP_NORETRY|__GFP_COMP)",
        ),
        (
            "4.20",
            "GFP_KERNEL & ~__GFP_DIRECT_RECLAIM",
            "0x4000c0(GFP_NOWAIT|__GFP_IO|__GFP_FS)",
        ),
        (
            "5.4",
            "GFP_ATOMIC|__GFP_NOWARN",
            "0x2a20(GFP_ATOMIC|__GFP_NOWARN)",
        ),
        (
            "5.10",
            "GFP_KERNEL_ACCOUNT|__GFP_ZERO",
            "0x400dc0(GFP_KERNEL_ACCOUNT|__GFP_ZERO)",
        ),
        (
            "5.15",
            "GFP_HIGHUSER_MOVABLE|__GFP_ZERO",
            "0x1100dca(GFP_HIGHUSER_MOVABLE|__GFP_ZERO)",
        ),
        (
            "5.19",
            "GFP_HIGHUSER_MOVABLE|__GFP_ZERO",
            "0x100dca(GFP_HIGHUSER_MOVABLE|__GFP_ZERO)",
        ),
        (
            "6.1",
            "GFP_ATOMIC|__GFP_NOWARN",
            "0x2a20(GFP_ATOMIC|__GFP_NOWARN)",
        ),
        (
            "6.3",
            "GFP_ATOMIC|__GFP_NOWARN",
            "0x2820(GFP_ATOMIC|__GFP_NOWARN)",
        ),
        (
            "6.7",
            "GFP_NOWAIT|__GFP_NOWARN",
            "0x2800(GFP_NOWAIT|__GFP_NOWARN)",
        ),
        ("6.8", "GFP_NOWAIT|__GFP_NOWARN", "0x2800(GFP_NOWAIT)"),
        (
            "6.9",
            "GFP_KERNEL & ~__GFP_DIRECT_RECLAIM",
            "0x8c0(__GFP_IO|__GFP_FS|__GFP_KSWAPD_RECLAIM)",
        ),
        (
            "6.11",
            "GFP_KERNEL|__GFP_NO_OBJ_EXT",
            "0x1000cc0(GFP_KERNEL|0x1000000)",
        ),
    ];
    for &(release, expr, want) in rows {
        let t = table(release);
        assert_eq!(t.format_mode(mask(t, expr)), want, "{expr} in {release}");
    }
}

#[test]
fn for_release_range() {
    for bad in ["4.8", "3.10", "6.13", "7.0", "4.21", "5.20", "2.6"] {
        let release = Release::parse(bad).unwrap();
        assert_eq!(
            GfpTable::for_release(release),
            Err(VersionError::NoGfpTable(release)).map(|t: &GfpTable| t),
            "{bad}"
        );
    }
    for major in 4..=6u16 {
        for minor in 0..=20u16 {
            let release = Release::series(major, minor);
            let ok = match major {
                4 => minor >= 9,
                5 => minor <= 19,
                _ => minor <= 12,
            };
            assert_eq!(GfpTable::for_release(release).is_ok(), ok, "{release}");
        }
    }
    assert_eq!(table("6.6.0-1-amd64").releases(), "6.4–6.7");
}

impl PartialEq for GfpTable {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

#[test]
fn every_layout_is_consistent() {
    let all = GfpTable::all();
    assert_eq!(all.len(), tables::LAYOUTS.len());
    for pair in tables::LAYOUTS.windows(2) {
        assert!(pair[0].start < pair[1].start, "{}", pair[1].releases);
    }
    for t in all {
        let mut seen = 0u32;
        for (flag, value) in t.flags() {
            assert!(value.0 == 0 || value.0.is_power_of_two(), "{flag}");
            assert_eq!(seen & value.0, 0, "{flag} overlaps in {}", t.releases());
            seen |= value.0;
            assert!(t.bits_mask().contains(value), "{flag} in {}", t.releases());
        }
        for &(name, value) in t.name_table() {
            assert!(!value.is_empty(), "{name} is 0 in {}", t.releases());
            assert_eq!(t.lookup(name), Some(value), "{name} in {}", t.releases());
        }
        // Composites that exist are in the name table (except none).
        for &(name, _) in t.composites() {
            assert!(
                t.name_table().iter().any(|(n, _)| *n == name),
                "{name} in {}",
                t.releases()
            );
        }
        assert!(!t.source().is_empty());
        // Flags with a bit have a name of their own (GFP_DMA for
        // __GFP_DMA), except NO_OBJ_EXT.
        for (flag, value) in t.flags() {
            if !value.is_empty() && flag != NoObjExt {
                assert!(
                    t.name_table().iter().any(|(_, v)| *v == value),
                    "{flag} in {}",
                    t.releases()
                );
            }
        }
    }
}

#[test]
fn meanings_in_bit_order() {
    let t = table("6.6");
    let m = t.meanings(mask(t, "GFP_KERNEL | __GFP_ZERO"));
    assert_eq!(m.len(), t.flags().count());
    let names: Vec<&str> = m.iter().map(|b| b.name).collect();
    assert_eq!(
        &names[..10],
        &[
            "__GFP_DMA",
            "__GFP_HIGHMEM",
            "__GFP_DMA32",
            "__GFP_MOVABLE",
            "__GFP_RECLAIMABLE",
            "__GFP_HIGH",
            "__GFP_IO",
            "__GFP_FS",
            "__GFP_ZERO",
            "__GFP_DIRECT_RECLAIM",
        ]
    );
    let set: Vec<&str> = m.iter().filter(|b| b.set).map(|b| b.name).collect();
    assert_eq!(
        set,
        [
            "__GFP_IO",
            "__GFP_FS",
            "__GFP_ZERO",
            "__GFP_DIRECT_RECLAIM",
            "__GFP_KSWAPD_RECLAIM"
        ]
    );
    // The compiled-out flags come last, never set.
    let tail: Vec<&str> = m[m.len() - 3..].iter().map(|b| b.name).collect();
    assert_eq!(
        tail,
        ["__GFP_SKIP_ZERO", "__GFP_SKIP_KASAN", "__GFP_NOLOCKDEP"]
    );
    assert!(m.iter().all(|b| !b.meaning.is_empty()));
    let zero = m.iter().find(|b| b.name == "__GFP_ZERO").unwrap();
    assert_eq!((zero.value, zero.group), (Gfp(0x100), FlagGroup::Action));
    let t = table("4.19");
    let atomic = t.meanings(Gfp(0x480020));
    let a = atomic.iter().find(|b| b.name == "__GFP_ATOMIC").unwrap();
    assert!(a.set && a.group == FlagGroup::Watermark);
}

#[test]
fn parser_accepts_what_users_write() {
    let t = table("6.6");
    let cases: &[(&str, u32)] = &[
        ("GFP_KERNEL", 0xcc0),
        ("GFP_KERNEL|__GFP_ZERO", 0xdc0),
        ("GFP_KERNEL | __GFP_ZERO", 0xdc0),
        ("  (GFP_KERNEL | __GFP_ZERO)  ", 0xdc0),
        ("GFP_KERNEL & ~__GFP_DIRECT_RECLAIM", 0x8c0),
        ("(GFP_KERNEL|GFP_DMA)&~(__GFP_IO|__GFP_FS)", 0xc01),
        ("GFP_KERNEL | __GFP_ZERO & __GFP_IO", 0xcc0),
        ("~~GFP_KERNEL", 0xcc0),
        ("~0", 0xffff_ffff),
        ("0xcc0", 0xcc0),
        ("0XCC0u", 0xcc0),
        ("3264", 0xcc0),
        ("0", 0),
        ("0xffffffff", 0xffff_ffff),
        ("4294967295", 0xffff_ffff),
        ("___GFP_ZERO | ___GFP_IO", 0x140),
        ("__GFP_NOLOCKDEP", 0),
        ("GFP_KERNEL|0x1000000", 0x1000cc0),
        ("mode:0xcc0(GFP_KERNEL)", 0xcc0),
        (
            "gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP)",
            0x140cca,
        ),
        ("0xdc0 (GFP_KERNEL|__GFP_ZERO)", 0xdc0),
        ("0()", 0),
        ("0x200(0x200)", 0x200),
        ("0x1000cc0(GFP_KERNEL|0x1000000)", 0x1000cc0),
        ("(0xcc0)", 0xcc0),
    ];
    for &(text, want) in cases {
        assert_eq!(t.parse(text), Ok(Gfp(want)), "{text:?}");
    }
    // The 4.19 spelling of the same line decodes with the 4.19 table.
    assert_eq!(
        table("4.19").parse("mode:0x6000c0(GFP_KERNEL)"),
        Ok(Gfp(0x6000c0))
    );
    assert_eq!(table("4.9").parse("GFP_TEMPORARY"), Ok(Gfp(0x24000d0)));
    assert_eq!(table("4.9").parse("__GFP_REPEAT"), Ok(Gfp(0x400)));
}

fn err(release: &str, text: &str) -> GfpParseError {
    match table(release).parse(text) {
        Ok(v) => panic!("{text:?} parsed as {v}"),
        Err(e) => e,
    }
}

#[test]
fn parser_rejects_with_help() {
    let e = err("6.6", "GFP_KERNAL");
    assert_eq!(e.message, "unknown GFP flag `GFP_KERNAL`");
    assert_eq!(e.help.as_deref(), Some("did you mean `GFP_KERNEL`?"));
    assert_eq!(e.span, (0, 10));

    let e = err("6.6", "GFP_KERNEL | GFP_ZERO");
    assert_eq!(e.message, "unknown GFP flag `GFP_ZERO`");
    assert_eq!(e.help.as_deref(), Some("did you mean `__GFP_ZERO`?"));
    assert_eq!(e.span, (13, 21));

    let e = err("6.6", "gfp_kernel");
    assert_eq!(e.help.as_deref(), Some("did you mean `GFP_KERNEL`?"));
    let e = err("6.6", "__GFP_NOWARM");
    assert_eq!(e.help.as_deref(), Some("did you mean `__GFP_NOWARN`?"));
    let e = err("6.6", "frobnicate");
    assert_eq!(e.message, "unknown GFP flag `frobnicate`");
    assert_eq!(
        e.help.as_deref(),
        Some("GFP names look like `GFP_KERNEL` or `__GFP_ZERO`")
    );

    let e = err("6.6", "GFP_KERNEL | __GFP_ATOMIC");
    assert_eq!(
        e.message,
        "`__GFP_ATOMIC` does not exist in 6.4–6.7 (it exists in 4.9–6.2)"
    );
    assert_eq!(e.span, (13, 25));
    assert!(e.help.unwrap().contains("6.3"));
    let e = err("6.12", "___GFP_ATOMIC");
    assert_eq!(
        e.message,
        "`___GFP_ATOMIC` does not exist in 6.10–6.12 (it exists in 4.9–6.2)"
    );
    let e = err("4.19", "__GFP_REPEAT");
    assert_eq!(
        e.message,
        "`__GFP_REPEAT` does not exist in 4.18–5.0 (it exists in 4.9–4.12)"
    );
    assert_eq!(
        e.help.as_deref(),
        Some("it was renamed `__GFP_RETRY_MAYFAIL` in 4.13")
    );
    let e = err("4.9", "__GFP_RETRY_MAYFAIL");
    assert_eq!(
        e.message,
        "`__GFP_RETRY_MAYFAIL` does not exist in 4.9 (it exists in 4.13–6.12)"
    );
    let e = err("4.19", "GFP_TEMPORARY");
    assert_eq!(
        e.message,
        "`GFP_TEMPORARY` does not exist in 4.18–5.0 (it exists in 4.9–4.13)"
    );
    let e = err("4.19", "__GFP_NOTRACK");
    assert_eq!(
        e.message,
        "`__GFP_NOTRACK` does not exist in 4.18–5.0 (it exists in 4.9–4.14.8)"
    );
    let e = err("4.19", "__GFP_ZEROTAGS");
    assert_eq!(
        e.message,
        "`__GFP_ZEROTAGS` does not exist in 4.18–5.0 (it exists in 5.14–6.12)"
    );
    let e = err("6.6", "__GFP_SKIP_KASAN_POISON");
    assert_eq!(
        e.message,
        "`__GFP_SKIP_KASAN_POISON` does not exist in 6.4–6.7 (it exists in 5.14–6.3)"
    );
    assert!(e.help.unwrap().contains("__GFP_SKIP_KASAN"));

    let e = err("6.6", "0x100000000");
    assert_eq!(e.message, "`0x100000000` does not fit in gfp_t (32 bits)");
    assert_eq!(e.span, (0, 11));
    let e = err("6.6", "GFP_KERNEL | 99999999999999999999999999");
    assert!(e.message.contains("does not fit"));
    assert_eq!(e.span, (13, 39));

    let e = err("6.6", "");
    assert_eq!(e.message, "empty GFP expression");
    let e = err("6.6", "   ");
    assert_eq!(e.message, "empty GFP expression");
    let e = err("6.6", "GFP_KERNEL |");
    assert_eq!(e.message, "expected a flag name or a number after `|`");
    assert_eq!(e.span, (12, 12));
    let e = err("6.6", "(GFP_KERNEL | __GFP_ZERO");
    assert_eq!(e.message, "unclosed `(`");
    assert_eq!(e.span, (0, 1));
    let e = err("6.6", "GFP_KERNEL)");
    assert_eq!(e.message, "unmatched `)`");
    assert_eq!(e.span, (10, 11));
    let e = err("6.6", "GFP_KERNEL __GFP_ZERO");
    assert_eq!(e.message, "missing operator before `__GFP_ZERO`");
    assert_eq!(e.span, (11, 21));
    let e = err("6.6", "GFP_KERNEL + __GFP_ZERO");
    assert_eq!(e.message, "unexpected character `+`");
    assert_eq!(e.span, (11, 12));
    assert_eq!(e.help.as_deref(), Some("combine GFP flags with `|`"));
    let e = err("6.6", "GFP_KERNEL || __GFP_ZERO");
    assert_eq!(e.message, "`||` is a logical operator");
    assert_eq!(e.span, (11, 13));
    let e = err("6.6", "| GFP_KERNEL");
    assert_eq!(e.message, "expected a flag name or a number, found `|`");
    let e = err("6.6", "010");
    assert_eq!(e.message, "`010` would be an octal number in C");
    let e = err("6.6", "0xZZ");
    assert_eq!(e.message, "`0xZZ` is not a number");
    let e = err("6.6", "12abc");
    assert_eq!(e.message, "`12abc` is not a number");
    let e = err("6.6", "GFP_KERNEL | é");
    assert_eq!(e.message, "unexpected character `é`");
    assert_eq!(e.span, (13, 15));
    let e = err("6.6", "()");
    assert_eq!(e.message, "expected a flag name or a number, found `)`");

    // A log line from another kernel: the halves disagree here.
    let e = err("6.6", "mode:0x6000c0(GFP_KERNEL)");
    assert_eq!(
        e.message,
        "0x6000c0 is not `GFP_KERNEL` in 6.4–6.7: here the names give 0xcc0"
    );
    assert_eq!(
        e.help.as_deref(),
        Some("the line was printed by a kernel with another GFP layout; they agree in 4.18–5.0")
    );
    assert_eq!(e.span, (5, 25));
    let e = err("6.6", "0x1(GFP_KERNEL)");
    assert!(e.help.unwrap().contains("every release"));
}

#[test]
fn parser_never_panics() {
    let t = table("6.6");
    // Deep nesting is refused, not a stack overflow.
    let deep = format!("{}GFP_KERNEL{}", "(".repeat(10_000), ")".repeat(10_000));
    assert_eq!(err("6.6", &deep).message, "parentheses nested too deeply");
    let tildes = format!("{}0", "~".repeat(100_001));
    assert_eq!(t.parse(&tildes), Ok(Gfp(u32::MAX)));
    let long = "A".repeat(100_000);
    assert!(t.parse(&long).is_err());
    // Random garbage over the expression alphabet.
    let alphabet: Vec<char> = "()|&~ _GFPKERNLZOxX0123456789abcdefé+,:=!^-\t"
        .chars()
        .collect();
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    for _ in 0..20_000 {
        let len = (rng.next() % 24) as usize;
        let s: String = (0..len)
            .map(|_| alphabet[(rng.next() % alphabet.len() as u64) as usize])
            .collect();
        if let Err(e) = t.parse(&s) {
            assert!(e.span.0 <= e.span.1 && e.span.1 <= s.len(), "{s:?}: {e:?}");
            assert!(s.is_char_boundary(e.span.0) && s.is_char_boundary(e.span.1));
        }
    }
}

/// xorshift64*, enough for test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

#[test]
fn format_then_parse_round_trips() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for t in GfpTable::all() {
        let named = t.flags().fold(0u32, |acc, (_, v)| acc | v.0);
        for i in 0..2_000 {
            let r = rng.next() as u32;
            let m = Gfp(match i % 4 {
                0 => r,
                1 => r & named,
                2 => r & t.bits_mask().0,
                _ => r & (r >> 7) & named,
            });
            assert_eq!(t.parse(&t.format_mode(m)), Ok(m), "{} {m}", t.releases());
            if !m.is_empty() {
                let text = t.format(m);
                assert_eq!(t.parse(&text), Ok(m), "{} {text}", t.releases());
            }
        }
    }
}

#[test]
fn advice_per_context() {
    let t = table("6.6");
    let a = advice(t, AllocContext::ProcessCanSleep);
    assert_eq!((a.flags, a.mask), (Some("GFP_KERNEL"), Some(Gfp(0xcc0))));
    assert!(a.alternative.is_none());
    for ctx in [
        AllocContext::ProcessAtomic,
        AllocContext::SoftIrq,
        AllocContext::HardIrq,
        AllocContext::Tasklet,
    ] {
        let a = advice(t, ctx);
        assert_eq!((a.flags, a.mask), (Some("GFP_ATOMIC"), Some(Gfp(0x820))));
        let alt = a.alternative.unwrap();
        assert!(
            alt.contains("GFP_NOWAIT") && !alt.contains("NOWARN"),
            "{alt}"
        );
    }
    let a = advice(table("6.12"), AllocContext::HardIrq);
    assert!(a.alternative.unwrap().contains("__GFP_NOWARN"));
    let a = advice(t, AllocContext::Nmi);
    assert_eq!((a.flags, a.mask, a.alternative), (None, None, None));
    assert!(a.reason.contains("NMI"));
    let a = advice(t, AllocContext::DmaCanSleep);
    assert_eq!(a.mask, Some(Gfp(0xcc1)));
    let a = advice(table("4.19"), AllocContext::DmaAtomic);
    assert_eq!(
        (a.flags, a.mask),
        (Some("GFP_DMA | GFP_ATOMIC"), Some(Gfp(0x480021)))
    );
    for t in GfpTable::all() {
        for ctx in AllocContext::ALL {
            let a = advice(t, ctx);
            assert_eq!(a.flags.is_some(), a.mask.is_some(), "{ctx:?}");
            assert!(!a.reason.is_empty());
        }
    }
}

#[test]
fn gfp_display_and_ops() {
    assert_eq!(Gfp(0).to_string(), "0x0");
    assert_eq!(Gfp(0xcc0).to_string(), "0xcc0");
    assert_eq!(format!("{:x}", Gfp(0xcc0)), "cc0");
    assert_eq!(Gfp(0xc00) | Gfp(0xc0), Gfp(0xcc0));
    assert_eq!(Gfp(0xcc0) & !Gfp(0x400), Gfp(0x8c0));
    assert_eq!(Gfp(0xcc0).without(Gfp(0x400)), Gfp(0x8c0));
    assert!(Gfp(0xcc0).contains(Gfp(0xc00)) && Gfp(0xcc0).contains(Gfp(0)));
    assert!(Gfp(0xcc0).intersects(Gfp(0x400)) && !Gfp(0xcc0).intersects(Gfp(1)));
    assert_eq!(GfpFlag::from_name("___GFP_ZERO"), Some(Zero));
    assert_eq!(GfpFlag::from_name("__GFP_NO_OBJ_EXT"), Some(NoObjExt));
    assert_eq!(GfpFlag::from_name("GFP_ZERO"), None);
    for flag in GfpFlag::ALL {
        assert_eq!(GfpFlag::from_name(flag.name()), Some(flag));
        assert_eq!(GfpFlag::ALL[flag.index()], flag);
    }
}
