use kmem::memmap::SplitMix64;

use super::*;

/// Characters a person can type or paste: ASCII the language knows, and
/// multi-byte ones (accents, a no-break space, CJK, an emoji, a combining
/// mark, direction controls, a BOM) that byte offsets can land inside.
const PALETTE: &[char] = &[
    'x', '=', ';', ' ', '\n', '\r', '\t', '(', ')', '{', '}', '"', '\'', '/', '*', '@', '#', '0',
    'é', '\u{a0}', '中', '🦀', '\u{301}', '\u{202e}', '\u{2066}', '\u{feff}', 'ß', '\\',
];

fn check_pieces(text: &str, window: (usize, usize)) {
    let range = window_range(text, window);
    let pieces = highlight_pieces(text, range.clone());
    let mut at = range.start;
    for (range, class) in &pieces {
        assert_eq!(range.start, at, "pieces of {text:?} leave a gap or overlap");
        assert!(
            text.get(range.clone()).is_some(),
            "{range:?} splits a character of {text:?}"
        );
        if *class == Some("hidden-char") {
            assert!(text[range.clone()].chars().all(is_badged));
        }
        at = range.end;
    }
    assert_eq!(
        at, range.end,
        "the pieces of {text:?} do not reach the window's end"
    );
}

fn check_marks(text: &str, diagnostics: &[Diagnostic]) {
    let marks = error_marks(text, diagnostics);
    let mut at = 0;
    for mark in &marks {
        let range = mark.underline.clone();
        assert!(range.start >= at, "marks overlap in {text:?}");
        assert!(
            text.get(range.clone()).is_some(),
            "{range:?} splits a character of {text:?}"
        );
        assert!(text.get(range.end..mark.line_end).is_some());
        assert!(!range.is_empty() || text[range.start..].is_empty());
        at = mark.line_end;
    }
}

#[test]
fn typing_a_multibyte_character_where_a_stale_error_points_does_not_panic() {
    // `x = ;` has an error at the `;`; the person types `é` after `x =`
    // before the script re-runs.
    let before = "x = ;";
    let diagnostics = kmem_script::parse(before).errors;
    assert!(!diagnostics.is_empty());
    let after = "x =é ;";
    check_marks(after, &diagnostics);
    // A no-break space where a `;` is missing: the empty span's one
    // character is the two-byte space, not its first byte.
    let text = "x = 1\u{a0}\ny = 2;";
    let diagnostics = kmem_script::parse(text).errors;
    check_marks(text, &diagnostics);
    check_pieces(text, (0, 40));
}

#[test]
fn direction_controls_are_pieces_of_their_own() {
    let text = "x = 1; // \u{202e}evil\u{2066} \n";
    let pieces = highlight_pieces(text, window_range(text, (0, 40)));
    let bidi: Vec<&str> = pieces
        .iter()
        .filter(|(_, class)| *class == Some("hidden-char"))
        .map(|(range, _)| &text[range.clone()])
        .collect();
    assert_eq!(bidi, ["\u{202e}", "\u{2066}"]);
    check_pieces(text, (0, 40));
}

#[test]
fn random_unicode_edits_never_break_the_editor() {
    let mut rng = SplitMix64(0x6b6d_656d_6564_6974);
    for _ in 0..300 {
        let mut text = String::from("void *p = kmalloc(100, GFP_KERNEL);\nx = ;\n/* c */ y = 2;\n");
        let mut stale = kmem_script::parse(&text).errors;
        for _ in 0..40 {
            let starts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
            let pick = rng.below(starts.len() as u64 + 1) as usize;
            let at = starts.get(pick).copied().unwrap_or(text.len());
            if rng.below(3) == 0 && at < text.len() {
                let end = text[at..]
                    .char_indices()
                    .nth(1 + rng.below(4) as usize)
                    .map_or(text.len(), |(i, _)| at + i);
                text.replace_range(at..end, "");
            } else {
                let inserted: String = (0..1 + rng.below(3))
                    .map(|_| PALETTE[rng.below(PALETTE.len() as u64) as usize])
                    .collect();
                text.insert_str(at, &inserted);
            }
            let lines = text.lines().count() + 2;
            let from = rng.below(lines as u64) as usize;
            check_pieces(&text, (from, from + rng.below(50) as usize));
            // Offsets from the text before the edit, then fresh ones.
            check_marks(&text, &stale);
            stale = kmem_script::parse(&text).errors;
            check_marks(&text, &stale);
            // Random offsets, some far past the end.
            let random: Vec<Diagnostic> = (0..3)
                .map(|_| {
                    let a = rng.below(text.len() as u64 + 8) as usize;
                    let b = rng.below(text.len() as u64 + 8) as usize;
                    Diagnostic::new("random", kmem_script::Span::new(a, b))
                })
                .collect();
            check_marks(&text, &random);
        }
    }
}

#[test]
fn the_window_is_whole_lines() {
    let text = "a\nbé\n\nc";
    assert_eq!(window_range(text, (0, 1)), 0..2);
    assert_eq!(&text[window_range(text, (1, 3))], "bé\n\n");
    assert_eq!(&text[window_range(text, (3, 99))], "c");
    assert_eq!(window_range(text, (9, 99)), text.len()..text.len());
    assert_eq!(window_range(text, (2, 1)), window_range(text, (2, 2)));
}

#[test]
fn an_enormous_line_is_drawn_plain() {
    let text = format!("x = {}1{};\n", "(".repeat(50_000), ")".repeat(50_000));
    let pieces = highlight_pieces(&text, window_range(&text, (0, 40)));
    assert_eq!(pieces, [(0..text.len(), None)]);
    check_pieces(&text, (0, 40));
}
