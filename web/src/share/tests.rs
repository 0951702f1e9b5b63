use super::*;

fn state(script: &str) -> SharedState {
    SharedState {
        script: script.to_string(),
        settings: Settings::default(),
        step: None,
        view: View::Timeline,
        embed: None,
    }
}

#[test]
fn base64url_round_trips_every_length() {
    let bytes: Vec<u8> = (0..=255u8).chain((0..=255u8).rev()).collect();
    for len in 0..100 {
        let encoded = base64url_encode(&bytes[..len]);
        assert!(encoded.bytes().all(|b| ALPHABET.contains(&b)), "{encoded}");
        assert_eq!(
            base64url_decode(&encoded).as_deref(),
            Some(&bytes[..len]),
            "length {len}"
        );
    }
    assert_eq!(base64url_encode(b"kmem"), "a21lbQ");
    assert_eq!(base64url_decode("a21lbQ=="), Some(b"kmem".to_vec()));
    assert_eq!(base64url_decode("a21lb"), None, "an impossible length");
    assert_eq!(base64url_decode("a2+l"), None, "`+` is not base64url");
}

#[test]
fn states_round_trip_through_a_fragment() {
    let mut full = state("void *p = kmalloc(100, GFP_KERNEL);\n// ünïcode ✓ <script>alert(1)</script>\n\n\nq = vmalloc(SZ_1M);\n");
    full.settings.release = "4.19".into();
    full.settings.preset = "small".into();
    full.settings.debug.slub_debug = true;
    full.settings.debug.freelist_hardened = false;
    full.step = Some(1);
    full.view = View::Memory;
    full.embed = Some(EmbedOptions {
        panes: vec![View::Timeline, View::Translate],
        readonly: true,
        spoiler: true,
        dark: Some(true),
    });
    for s in [state(""), state("x = 1;"), full] {
        let fragment = s.to_fragment();
        assert!(fragment.starts_with("v1."));
        assert_eq!(
            SharedState::from_fragment(&format!("#{fragment}")),
            Ok(s.clone())
        );
        assert_eq!(SharedState::from_text(&s.to_text()), Ok(s));
    }
}

#[test]
fn hostile_fragments_are_refused_with_a_reason() {
    let good = state("void *p = kmalloc(8, GFP_KERNEL);\n").to_fragment();
    assert_eq!(SharedState::from_fragment(""), Err(ShareError::NotALink));
    assert_eq!(
        SharedState::from_fragment("#hello"),
        Err(ShareError::NotALink)
    );
    assert_eq!(
        SharedState::from_fragment("v.abc"),
        Err(ShareError::NotALink)
    );
    assert_eq!(
        SharedState::from_fragment("v2.abcd"),
        Err(ShareError::UnknownSchema("2".into()))
    );
    assert_eq!(
        SharedState::from_fragment("v1.a!b"),
        Err(ShareError::BadBase64)
    );
    assert_eq!(
        // Cut short at a whole base64 quantum: valid base64, truncated DEFLATE.
        SharedState::from_fragment(&good[..3 + (good.len() - 3) / 8 * 4]),
        Err(ShareError::Corrupt)
    );
    let huge = format!("v1.{}", "A".repeat(MAX_FRAGMENT));
    assert!(matches!(
        SharedState::from_fragment(&huge),
        Err(ShareError::TooLong(_))
    ));
    // A decompression bomb: 64 MiB of zeroes packs into a few dozen KiB.
    let bomb = miniz_oxide::deflate::compress_to_vec(&vec![b'a'; 64 << 20], 9);
    let bomb = format!("v1.{}", base64url_encode(&bomb));
    assert!(bomb.len() < MAX_FRAGMENT);
    assert_eq!(SharedState::from_fragment(&bomb), Err(ShareError::TooLarge));
    let not_text = format!(
        "v1.{}",
        base64url_encode(&miniz_oxide::deflate::compress_to_vec(
            &[0xff, 0xfe, 0x80],
            9
        ))
    );
    assert_eq!(
        SharedState::from_fragment(&not_text),
        Err(ShareError::NotText)
    );
    let pack = |text: &str| {
        format!(
            "v1.{}",
            base64url_encode(&miniz_oxide::deflate::compress_to_vec(text.as_bytes(), 9))
        )
    };
    for (text, why) in [
        (
            "kmem-playground 1\nrelease 2.6\n\nx;",
            "unknown kernel release `2.6`",
        ),
        (
            "kmem-playground 1\npreset <img src=x onerror=alert(1)>\n\n",
            "unknown machine `<img src=x onerror=alert(1)>`",
        ),
        (
            "kmem-playground 1\nstep -1\n\n",
            "`-1` is not a step number",
        ),
        ("kmem-playground 1\nview evil\n\n", "unknown view `evil`"),
        (
            "kmem-playground 1\ndebug rm_rf\n\n",
            "unknown debug option `rm_rf`",
        ),
        ("hello\n\n", "it does not start with `kmem-playground 1`"),
    ] {
        assert_eq!(
            SharedState::from_fragment(&pack(text)),
            Err(ShareError::BadHeader(why.into())),
            "{text}"
        );
    }
    // Keys a later release may add are ignored.
    let later =
        SharedState::from_fragment(&pack("kmem-playground 1\ncolour blue\n\nx = 1;")).unwrap();
    assert_eq!(later.script, "x = 1;");
    // An embed's theme: dark, light, or the reader's (auto, or none given).
    for (words, dark) in [
        ("theme=dark", Some(true)),
        ("theme=light", Some(false)),
        ("theme=auto", None),
        ("readonly", None),
    ] {
        let text = format!("kmem-playground 1\nembed {words}\n\nx = 1;");
        assert_eq!(
            SharedState::from_text(&text).unwrap().embed.unwrap().dark,
            Some(dark).flatten(),
            "{words}"
        );
    }
    assert_eq!(
        SharedState::from_text("kmem-playground 1\nembed theme=sepia\n\n"),
        Err(ShareError::BadHeader(
            "unknown theme `sepia` (dark, light or auto)".into()
        ))
    );
    // A state from before machines ran a workload opens just booted, as it
    // did then; new states say which.
    use kmem::memmap::Uptime;
    let old = SharedState::from_text("kmem-playground 1\nrelease 6.6\n\nx = 1;").unwrap();
    assert_eq!(old.settings.uptime, Uptime::JustBooted);
    assert_eq!(Settings::default().uptime, Uptime::Running);
    let new = state("x = 1;");
    assert!(new.to_text().contains("\nuptime running\n"));
    assert_eq!(SharedState::from_text(&new.to_text()), Ok(new));
    assert_eq!(
        SharedState::from_text("kmem-playground 1\nuptime forever\n\n"),
        Err(ShareError::BadHeader(
            "unknown uptime `forever` (running or booted)".into()
        ))
    );
    // Every error reads as a sentence for the banner.
    assert!(ShareError::Corrupt.to_string().contains("cut short"));
}

/// Links made by earlier releases must open forever: one per schema, with
/// the state each must give.
#[test]
fn the_corpus_of_links_still_opens() {
    let corpus = include_str!("../../share-corpus/v1.txt");
    let (link, expected) = corpus
        .split_once("\n---\n")
        .expect("link, ---, then the state");
    let fragment = link.trim().rsplit('#').next().unwrap();
    let state = SharedState::from_fragment(fragment).expect("the v1 link opens");
    assert_eq!(state.to_text(), expected);
}

#[test]
fn a_state_with_windows_line_endings_opens() {
    let text = "kmem-playground 1\r\nrelease 4.19\r\nview memory\r\n\r\nvoid *p = kmalloc(8, GFP_KERNEL);\r\n";
    let opened = SharedState::from_text(text).expect("a CRLF state opens");
    assert_eq!(opened.settings.release, "4.19");
    assert_eq!(opened.view, View::Memory);
    assert_eq!(opened.script, "void *p = kmalloc(8, GFP_KERNEL);\r\n");
    let packed = miniz_oxide::deflate::compress_to_vec(text.as_bytes(), 9);
    let fragment = format!("v1.{}", base64url_encode(&packed));
    assert_eq!(SharedState::from_fragment(&fragment), Ok(opened));
}

#[test]
fn share_refuses_a_state_that_its_link_could_not_open() {
    // 293 KB of script: the link would inflate past MAX_STATE.
    let big = state(&"void *p = kmalloc(100, GFP_KERNEL); kfree(p);\n".repeat(6400));
    assert!(big.script.len() > 290_000);
    assert_eq!(big.to_checked_fragment(), Err(ShareError::TooLarge));
    assert_eq!(
        SharedState::from_fragment(&big.to_fragment()),
        Err(ShareError::TooLarge),
        "what the link would have said on opening"
    );
    let small = state("x = 1;\n");
    let fragment = small
        .to_checked_fragment()
        .expect("a small state is shared");
    assert_eq!(SharedState::from_fragment(&fragment), Ok(small));
}
