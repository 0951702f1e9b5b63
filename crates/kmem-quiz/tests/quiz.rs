//! Quizzes end to end: keys computed by the simulator, problems a teacher
//! sees, fix grading, generated questions (golden), exports, and the bank.

use kmem_quiz::{check, grade, parse, Expected, Grade, Kind, Runner};

const SAMPLE: &str = r#"# Sample

kernel: 6.6
machine: small

## Which cache?

kind: predict
ask: cache

```c
void *p = kmalloc(100, GFP_KERNEL);
```

explain: kmalloc_index() rounds 100 up to 128.

## What does kmalloc(0) return?

kind: predict
ask: value

```c
void *p = kmalloc(0, GFP_KERNEL);
```

explain: ZERO_SIZE_PTR.

## Which order?

kind: predict
ask: order
step: 1

```c
void *p = kmalloc(SZ_128K, GFP_KERNEL);
void *q = kmalloc(8, GFP_KERNEL);
```

explain: get_order(128 KiB) is 5.

## Which zone?

kind: choose
ask: zone
- DMA
- DMA32
- Normal

```c
void *p = kmalloc(64, GFP_KERNEL | GFP_DMA);
```

explain: GFP_DMA is ZONE_DMA.

## The 4.19 mask

kind: predict
kernel: 4.19
ask: hex GFP_KERNEL | __GFP_ZERO

explain: 0x6080c0.

## The names

kind: predict
kernel: 4.19
ask: pgg 0x6080c0

explain: %pGg.

## vmalloc in a hardirq

kind: choose
ask: outcome

```c
hardirq { void *p = vmalloc(SZ_4K); }
```

explain: BUG_ON(in_interrupt()).

## Sleeping under a lock

kind: choose
ask: outcome

```c
spinlock_t l;
spin_lock(&l);
void *p = kmalloc(64, GFP_KERNEL);
```

explain: might_sleep.

## Where is it?

kind: predict
ask: phys p + 5

```c
void *p = kmalloc(64, GFP_KERNEL);
```

explain: __pa.

## Allocate under a spinlock

kind: fix
goal: allocate 64 bytes with the lock held, without a sleeping-in-atomic report
expect: no sleep in atomic
expect: kmalloc returns non-null
expect: allocates in atomic

```c
spinlock_t l;
spin_lock(&l);
void *p = kmalloc(64, GFP_KERNEL);
spin_unlock(&l);
```

explain: GFP_ATOMIC.

## A family

kind: generate
family: kmalloc-cache
"#;

#[test]
fn keys_come_from_running_the_scripts() {
    let (quiz, problems) = check(SAMPLE);
    assert_eq!(problems, vec![], "{problems:#?}");
    assert_eq!(quiz.title, "Sample");
    assert_eq!(quiz.questions.len(), 11);
    let mut runner = Runner::new();
    let keys: Vec<String> = quiz.questions[..9]
        .iter()
        .map(|q| runner.key(q).unwrap().shown)
        .collect();
    assert_eq!(keys[0], "kmalloc-128");
    assert_eq!(keys[1], "0x10");
    assert_eq!(keys[2], "5");
    assert_eq!(keys[3], "DMA");
    assert_eq!(keys[4], "0x6080c0");
    assert_eq!(keys[5], "GFP_KERNEL|__GFP_ZERO");
    assert_eq!(keys[6], "kernel BUG");
    assert_eq!(
        keys[7],
        "BUG: sleeping function called from invalid context"
    );
    assert!(
        keys[8].starts_with("0x") && keys[8].ends_with('5'),
        "{}",
        keys[8]
    );
    let zone = runner.key(&quiz.questions[3]).unwrap();
    assert_eq!(zone.correct, Some(0));
    let outcome = runner.key(&quiz.questions[6]).unwrap();
    assert_eq!(outcome.options.len(), 10, "the outcome categories");
    assert_eq!(outcome.options[outcome.correct.unwrap()], "kernel BUG");
    // A physical-address question shows the run, and for a vmalloc
    // address the page-table entries, but not the answer.
    let (vq, _) = parse("# V\n\n## v\n\nkind: predict\nask: phys v + 4100\n\n```c\nvoid *v = vmalloc(SZ_64K);\n```\n\nexplain: walk\n");
    let shown = runner.shown(&vq.questions[0]);
    assert!(
        shown[0].starts_with("vmalloc(65536) = 0xffffc90000000000"),
        "{shown:#?}"
    );
    assert_eq!(shown[1], "v + 4100 = 0xffffc90000001004");
    assert!(
        shown
            .iter()
            .any(|l| l.starts_with("PTE entry [1] = 0x8000000")),
        "{shown:#?}"
    );
    let key = runner.key(&vq.questions[0]).unwrap().shown;
    assert!(
        !shown.iter().any(|l| l.contains(&key[2..])),
        "the answer is not shown"
    );
    // A double free under slub_debug is a report, not a crash.
    let (dq, _) = parse("# D\n\ndebug: slub_debug\n\n## d\n\nkind: choose\nask: outcome\n\n```c\nvoid *p = kmalloc(64, GFP_KERNEL);\nkfree(p);\nkfree(p);\n```\n\nexplain: x\n");
    assert_eq!(
        runner.key(&dq.questions[0]).unwrap().shown,
        "slub_debug report"
    );
    // Answers are read tolerantly.
    let value = runner.key(&quiz.questions[1]).unwrap().expected;
    assert_eq!(grade(&value, " 0X10 "), Grade::Correct);
    assert_eq!(grade(&value, "16"), Grade::Wrong, "addresses are hex");
    assert!(matches!(grade(&value, "zero"), Grade::Malformed(_)));
    assert_eq!(
        grade(
            &Expected::Text("GFP_KERNEL|__GFP_ZERO".into()),
            "gfp_kernel|__gfp_zero"
        ),
        Grade::Correct
    );
}

#[test]
fn fix_questions_get_partial_credit_and_feedback() {
    let (quiz, _) = parse(SAMPLE);
    let fix = &quiz.questions[9];
    assert_eq!(fix.kind, Kind::Fix);
    let mut runner = Runner::new();
    let start = runner.check_fix(fix, fix.script.as_deref().unwrap());
    let passed: Vec<bool> = start.iter().map(|c| c.passed).collect();
    assert_eq!(passed, [false, true, true]);
    assert!(
        start[0]
            .feedback
            .contains("sleeping function called from invalid context"),
        "{}",
        start[0].feedback
    );
    let fixed = runner.check_fix(
        fix,
        "spinlock_t l;\nspin_lock(&l);\nvoid *p = kmalloc(64, GFP_ATOMIC);\nspin_unlock(&l);\n",
    );
    assert!(fixed.iter().all(|c| c.passed), "{fixed:#?}");
    let moved = runner.check_fix(fix, "void *p = kmalloc(64, GFP_KERNEL);\n");
    assert_eq!(
        moved.iter().map(|c| c.passed).collect::<Vec<_>>(),
        [true, true, false]
    );
    assert_eq!(
        moved[2].feedback,
        "no call returns memory in atomic context"
    );
    let broken = runner.check_fix(fix, "void *p = kmalloc(64, GFP_ATOMIC)\n x = ;");
    assert!(broken
        .iter()
        .all(|c| !c.passed && c.feedback.starts_with("the script does not run")));
}

#[test]
fn problems_a_teacher_sees() {
    let bad = r#"# Bad
colour: blue

## No kind

ask: value

```c
void *p = kmalloc(8, GFP_KERNEL);
```

explain: x

## Ambiguous

kind: choose
ask: zone
- Normal
- normal

```c
void *p = kmalloc(8, GFP_KERNEL);
```

explain: x

## Wrong options

kind: choose
ask: cache
- kmalloc-8k

```c
void *p = kmalloc(8, GFP_KERNEL);
```

explain: x

## Failing script

kind: predict
ask: value
frobnicate: yes

```c
void *p = kmalloc(8, GFP_KERNAL);
```

explain: x

## Too far

kind: predict
ask: value
step: 3

```c
void *p = kmalloc(8, GFP_KERNEL);
```

## No goal

kind: fix
expect: no bug
explain: x
"#;
    let (_, problems) = check(bad);
    let messages: Vec<String> = problems
        .iter()
        .map(|p| format!("{}: {}", p.line, p.message))
        .collect();
    let expected = [
        "2: unknown quiz field `colour` (kernel, machine and debug are the quiz's fields)",
        "4: the question has no `kind:` (predict, choose, fix or generate)",
        "14: 2 options equal the computed answer `Normal`: the question is ambiguous",
        "27: no option equals the computed answer `kmalloc-8`",
        "39: the script stops with an error: unknown GFP flag `GFP_KERNAL`",
        "43: unknown field `frobnicate`",
        "51: the question has no `explain:`",
        "51: step 3: the script makes 1 call(s)",
    ];
    for e in expected {
        assert!(
            messages.iter().any(|m| m == e),
            "missing {e:?} in {messages:#?}"
        );
    }
}

/// The generated questions and their keys under seeds 0–5: a change must
/// be deliberate (`KMEM_UPDATE_GOLDEN=1` rewrites the file).
#[test]
fn generated_questions_match_their_golden_file() {
    let mut out = String::new();
    let mut runner = Runner::new();
    for family in kmem_quiz::format::Family::ALL {
        let text = format!(
            "# G\n\n## {}\n\nkind: generate\nfamily: {}\n",
            family.name(),
            family.name()
        );
        let (quiz, problems) = parse(&text);
        assert!(problems.is_empty(), "{problems:?}");
        for seed in 0..6 {
            let q = kmem_quiz::generate::instantiate(&quiz.questions[0], seed);
            let key = runner
                .key(&q)
                .unwrap_or_else(|e| panic!("{} seed {seed}: {e}", family.name()));
            out.push_str(&format!(
                "{} seed {seed} (Linux {}): {}\n  script: {}\n  key: {}\n",
                family.name(),
                q.machine.kernel,
                q.body.trim(),
                q.script.as_deref().unwrap_or("-").trim().replace('\n', " "),
                key.shown
            ));
        }
    }
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/generated.txt");
    if std::env::var_os("KMEM_UPDATE_GOLDEN").is_some() {
        std::fs::write(path, &out).unwrap();
    }
    let golden = std::fs::read_to_string(path).unwrap_or_default();
    assert_eq!(
        out, golden,
        "generated questions changed (KMEM_UPDATE_GOLDEN=1 rewrites {path})"
    );
    // The same seed gives the same question.
    let (quiz, _) = parse("# G\n\n## t\n\nkind: generate\nfamily: translate\n");
    assert_eq!(
        kmem_quiz::generate::instantiate(&quiz.questions[0], 7),
        kmem_quiz::generate::instantiate(&quiz.questions[0], 7)
    );
}

#[test]
fn exports_carry_computed_keys() {
    let (quiz, _) = parse(SAMPLE);
    let gift = kmem_quiz::export::gift(&quiz, 0..2).unwrap();
    assert!(
        gift.contains("::Which cache?::[markdown]Which cache?"),
        "{gift}"
    );
    assert!(gift.contains("=kmalloc-128"));
    assert!(gift.contains("=DMA ~DMA32 ~Normal"));
    assert!(gift.contains("is a fix question, answered in the playground"));
    assert!(gift.contains("(seed 1)"));
    let csv = kmem_quiz::export::csv(&quiz, 0..2).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("seed,question,answer"));
    assert!(csv.contains(",kmalloc-128\n"));
    assert!(csv.contains("\n0,"), "generated rows carry their seed");
}

/// A prompt written as a spreadsheet formula is exported as text.
#[test]
fn csv_export_neutralises_formulas() {
    let (quiz, problems) = parse(
        "# Q\n\n## =HYPERLINK(\"http://evil\",\"x\")\n\nkind: predict\nask: cache\n\n```c\nvoid *p = kmalloc(100, GFP_KERNEL);\n```\n\nexplain: kmalloc-128.\n",
    );
    assert!(problems.is_empty(), "{problems:?}");
    let csv = kmem_quiz::export::csv(&quiz, 0..1).unwrap();
    assert!(
        csv.contains("\n,\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\n\n"),
        "{csv}"
    );
    assert!(csv.ends_with(",kmalloc-128\n"), "{csv}");
}

#[test]
fn the_bank_checks_clean_and_covers_the_topics() {
    let mut total = 0;
    for (name, text) in kmem_quiz::bank::BANK {
        let (quiz, problems) = check(text);
        assert_eq!(problems, vec![], "bank quiz {name}");
        assert!(quiz
            .questions
            .iter()
            .all(|q| q.kind == Kind::Generate || !q.explain.is_empty()));
        total += quiz.questions.len();
    }
    assert!(total >= 40, "the bank has {total} questions");
}
