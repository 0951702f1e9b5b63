//! The share-link decoder on arbitrary fragments, and the round trip of
//! whatever state it accepts.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(state) = kmem_web::share::SharedState::from_fragment(&text) {
        let again = kmem_web::share::SharedState::from_fragment(&state.to_fragment());
        assert_eq!(again.as_ref(), Ok(&state), "a decoded state survives a round trip");
    }
    // The text form directly too.
    let _ = kmem_web::share::SharedState::from_text(&text);
});
