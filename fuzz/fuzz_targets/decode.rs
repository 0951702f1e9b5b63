//! The kernel-log decoder on arbitrary text.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(decoding) = kmem::decode::decode(&text, None) {
        let _ = decoding.render();
    }
});
