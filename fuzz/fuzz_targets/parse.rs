//! The language's lexer and parser on arbitrary bytes (read as text the
//! way a browser would, invalid UTF-8 replaced).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let parsed = kmem_script::parse(&text);
    let index = kmem_script::LineIndex::new(&text);
    for d in &parsed.errors {
        let _ = d.render(&text, &index);
    }
});
