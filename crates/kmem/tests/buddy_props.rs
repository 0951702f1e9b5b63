//! Property test of the page allocator: random sequences of allocations
//! and frees (through the per-CPU lists, as the kernel frees) on a small
//! machine, with every invariant checked after each step.

use kmem::addr::{Order, Pfn};
use kmem::buddy::{Buddy, BuddyRules, PageRequest, ReserveAccess, WatermarkLevel};
use kmem::memmap::SplitMix64;
use kmem::memmap::{FrameUse, MachineConfig, MemMap};
use kmem::profile::Profile;
use kmem::zone::{MigrateType, ZoneType};

/// Sequences in the normal run.
const SEQUENCES: u64 = 10_000;
/// Operations per sequence.
const STEPS: usize = 40;

fn check_live(mem: &MemMap, live: &[(Pfn, u8)]) {
    for &(pfn, order) in live {
        let head = mem.page(pfn).unwrap();
        assert_eq!(head.used_as, FrameUse::Allocated, "live block {pfn:?}");
        assert_eq!(head.order, order);
        assert!(
            pfn.is_aligned(Order::new(order)),
            "{pfn:?} not aligned to {order}"
        );
        // No frame of a live block is the head of a free block.
        for i in 1..(1u64 << order) {
            let frame = mem.page(pfn.add(i)).unwrap();
            assert_eq!(
                frame.used_as,
                FrameUse::Tail,
                "frame {:?} inside live block {pfn:?}",
                pfn.add(i)
            );
        }
    }
}

#[test]
fn random_alloc_free_sequences_keep_every_invariant() {
    let config = MachineConfig {
        ram_bytes: 64 << 20,
        ..MachineConfig::default()
    };
    let templates: Vec<(MemMap, Buddy)> = ["4.19", "6.6"]
        .into_iter()
        .map(|version| {
            let mut mem = MemMap::new(&config);
            let rules = BuddyRules::of(&Profile::parse(version).unwrap());
            let buddy = Buddy::boot(&mut mem, rules, 2);
            (mem, buddy)
        })
        .collect();
    let mut rng = SplitMix64(0x5eed);
    let mut effects = Vec::new();
    let mut served = 0u64;
    for seq in 0..SEQUENCES {
        let (mut mem, mut buddy) = templates[(seq % 2) as usize].clone();
        let boot_free = buddy.nr_free_pages();
        let mut live: Vec<(Pfn, u8)> = Vec::new();
        for _ in 0..STEPS {
            if live.is_empty() || rng.below(3) != 0 {
                let order = [0, 0, 0, 1, 2, 3, 4, 9, 10][rng.below(9) as usize];
                let request = PageRequest {
                    order: Order::new(order),
                    highest_zone: [ZoneType::Dma, ZoneType::Dma32, ZoneType::Normal]
                        [rng.below(3) as usize],
                    migratetype: MigrateType::ALL[rng.below(3) as usize],
                    wakes_kswapd: true,
                };
                let reserves = (rng.below(4) == 0).then_some(ReserveAccess {
                    min_half: true,
                    min_quarter: true,
                    highatomic_counts_as_free: true,
                    highatomic_first: order > 0,
                    highatomic_last: true,
                    no_watermarks: false,
                });
                effects.clear();
                let level = if reserves.is_some() {
                    WatermarkLevel::Min
                } else {
                    WatermarkLevel::Low
                };
                if let Some((pfn, _)) =
                    buddy.get_page_from_freelist(&mut mem, &request, level, reserves, &mut effects)
                {
                    live.push((pfn, order));
                    served += 1;
                }
            } else {
                let (pfn, order) = live.swap_remove(rng.below(live.len() as u64) as usize);
                effects.clear();
                buddy.free_pages(&mut mem, pfn, order, &mut effects);
            }
            if let Err(problem) = buddy.check(&mem) {
                panic!("sequence {seq}: {problem}");
            }
            check_live(&mem, &live);
        }
        for (pfn, order) in live.drain(..) {
            buddy.free_pages(&mut mem, pfn, order, &mut effects);
        }
        buddy.check(&mem).unwrap();
        buddy.drain_pages(&mut mem, &mut effects);
        buddy.check(&mem).unwrap();
        assert_eq!(buddy.pcp_pages(), 0);
        assert_eq!(
            buddy.nr_free_pages(),
            boot_free,
            "sequence {seq}: freeing everything restores the free count"
        );
    }
    assert!(
        served > SEQUENCES * 10,
        "the sequences exercise the allocator ({served} allocations)"
    );
}
