//! The kernel-log decoder on arbitrary text, for the release the first
//! byte picks (or the one the text names).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, log)) = data.split_first() else {
        return;
    };
    let release = kmem_fuzz::chosen(selector).map(|profile| profile.release());
    let text = String::from_utf8_lossy(log);
    if let Ok(decoding) = kmem::decode::decode(&text, release) {
        let _ = decoding.render();
    }
});
