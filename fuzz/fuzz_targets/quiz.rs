//! The quiz parser on arbitrary text, and the key of its first questions
//! on a small machine running the release the first byte picks (or the
//! one the question names).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, quiz)) = data.split_first() else {
        return;
    };
    let profile = kmem_fuzz::chosen(selector);
    let text = String::from_utf8_lossy(quiz);
    let (quiz, _problems) = kmem_quiz::parse(&text);
    let mut runner = kmem_quiz::Runner::new();
    for q in quiz.questions.iter().take(2) {
        let mut q = kmem_quiz::generate::instantiate(q, 0);
        q.machine.machine = "tiny".into();
        if let Some(profile) = &profile {
            q.machine.kernel = profile.release().to_string();
        }
        if let Some(script) = &q.script {
            if script.len() > 4096 {
                continue;
            }
        }
        let _ = runner.key(&q);
        let _ = runner.check_fix(&q, q.script.as_deref().unwrap_or(""));
    }
});
