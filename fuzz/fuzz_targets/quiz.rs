//! The quiz parser on arbitrary text, and the key of its first questions
//! on a small machine.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (quiz, _problems) = kmem_quiz::parse(&text);
    let mut runner = kmem_quiz::Runner::new();
    for q in quiz.questions.iter().take(2) {
        let mut q = kmem_quiz::generate::instantiate(q, 0);
        q.machine.machine = "tiny".into();
        if let Some(script) = &q.script {
            if script.len() > 4096 {
                continue;
            }
        }
        let _ = runner.key(&q);
        let _ = runner.check_fix(&q, q.script.as_deref().unwrap_or(""));
    }
});
