//! The quiz page: one question at a time, an answer box (or options, or an
//! editor for fix questions), Check, the explanation, and the score. Every
//! answer is posted to the embedding page as a message with an
//! xAPI-shaped statement, so that a course page can record it.
//!
//! A quiz link is `#quiz=v1&name=NAME&seed=N` for a built-in quiz, or
//! `#quiz=v1&text=PACKED&seed=N` with the quiz text packed like a share
//! link (DEFLATE, base64url).

use kmem_quiz::{grade, Grade, Kind, Question, Runner};
use wasm_bindgen::JsValue;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::share::{base64url_decode, base64url_encode, MAX_STATE};

/// Where a quiz comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QuizSource {
    /// A built-in quiz, by name.
    Builtin(String),
    /// A quiz's text.
    Text(String),
}

/// A quiz link's contents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuizLink {
    /// The quiz.
    pub source: QuizSource,
    /// The seed of generated questions.
    pub seed: u64,
}

impl QuizLink {
    /// Reads `quiz=v1&name=…&seed=…` (the fragment without `#`); `None`
    /// when the fragment is no quiz link, an error when it is a broken one.
    pub fn parse(fragment: &str) -> Option<Result<QuizLink, String>> {
        let rest = fragment.strip_prefix("quiz=")?;
        let mut fields = rest.split('&');
        let version = fields.next().unwrap_or_default();
        if version != "v1" {
            return Some(Err(format!(
                "the quiz link has format `{}`; this playground reads v1",
                version.chars().take(16).collect::<String>()
            )));
        }
        let (mut source, mut seed) = (None, 0);
        for field in fields {
            match field.split_once('=') {
                Some(("name", name)) => match kmem_quiz::bank::find(name) {
                    Some(_) => source = Some(QuizSource::Builtin(name.to_string())),
                    None => {
                        return Some(Err(format!(
                            "there is no built-in quiz `{}`",
                            name.chars().take(40).collect::<String>()
                        )))
                    }
                },
                Some(("text", packed)) => {
                    let text = base64url_decode(packed)
                        .and_then(|bytes| {
                            miniz_oxide::inflate::decompress_to_vec_with_limit(&bytes, MAX_STATE)
                                .ok()
                        })
                        .and_then(|bytes| String::from_utf8(bytes).ok());
                    match text {
                        Some(text) => source = Some(QuizSource::Text(text)),
                        None => {
                            return Some(Err(
                                "the quiz link is damaged (its quiz does not unpack)".into()
                            ))
                        }
                    }
                }
                Some(("seed", n)) => match n.parse() {
                    Ok(n) => seed = n,
                    Err(_) => {
                        return Some(Err(format!(
                            "the seed `{}` is not a number",
                            n.chars().take(20).collect::<String>()
                        )))
                    }
                },
                _ => {}
            }
        }
        Some(
            source
                .map(|source| QuizLink { source, seed })
                .ok_or_else(|| "the quiz link names no quiz".to_string()),
        )
    }

    /// The link's fragment (without `#`).
    pub fn fragment(&self) -> String {
        match &self.source {
            QuizSource::Builtin(name) => format!("quiz=v1&name={name}&seed={}", self.seed),
            QuizSource::Text(text) => format!(
                "quiz=v1&text={}&seed={}",
                base64url_encode(&miniz_oxide::deflate::compress_to_vec(text.as_bytes(), 9)),
                self.seed
            ),
        }
    }

    fn text(&self) -> String {
        match &self.source {
            QuizSource::Builtin(name) => {
                kmem_quiz::bank::find(name).unwrap_or_default().to_string()
            }
            QuizSource::Text(text) => text.clone(),
        }
    }
}

/// The result of one question.
#[derive(Clone, Debug, PartialEq)]
struct Answered {
    /// Points earned (0 to 1; fix questions earn a share per assertion).
    score: f64,
    /// What was said about the answer.
    feedback: Vec<(bool, String)>,
    /// The key as shown (predict, choose).
    key: Option<String>,
}

/// Properties of [`QuizPage`].
#[derive(Properties, PartialEq)]
pub struct QuizPageProps {
    /// The quiz and seed.
    pub link: QuizLink,
}

/// One answer, as reported to the embedding page.
struct Report<'a> {
    link: &'a QuizLink,
    title: &'a str,
    index: usize,
    question: &'a Question,
    answered: &'a Answered,
    response: &'a str,
    total: f64,
    max: usize,
}

/// Posts an answer to the embedding page: the question, whether it was
/// right, the score so far, and an xAPI-shaped statement.
fn post_answer(report: Report) {
    let Report {
        link,
        title,
        index,
        question,
        answered,
        response,
        total,
        max,
    } = report;
    let window = gloo::utils::window();
    let Ok(Some(parent)) = window.parent() else {
        return;
    };
    let object_id = format!(
        "{}#{}/question-{}",
        window
            .location()
            .href()
            .unwrap_or_default()
            .split('#')
            .next()
            .unwrap_or_default(),
        link.fragment(),
        index + 1
    );
    let statement = serde_json_like(&[
        (
            "verb",
            obj(&[
                ("id", s("http://adlnet.gov/expapi/verbs/answered")),
                ("display", obj(&[("en-US", s("answered"))])),
            ]),
        ),
        (
            "object",
            obj(&[
                ("id", s(&object_id)),
                (
                    "definition",
                    obj(&[
                        ("name", obj(&[("en-US", s(&question.prompt))])),
                        ("description", obj(&[("en-US", s(title))])),
                    ]),
                ),
            ]),
        ),
        (
            "result",
            obj(&[
                ("success", JsValue::from(answered.score >= 1.0)),
                ("response", s(response)),
                (
                    "score",
                    obj(&[
                        ("raw", JsValue::from(answered.score)),
                        ("min", JsValue::from(0)),
                        ("max", JsValue::from(1)),
                        ("scaled", JsValue::from(answered.score)),
                    ]),
                ),
            ]),
        ),
    ]);
    let message = serde_json_like(&[
        ("type", s("kmem-quiz:answer")),
        ("quiz", s(title)),
        ("question", JsValue::from(index as u32 + 1)),
        ("seed", JsValue::from(link.seed as f64)),
        ("correct", JsValue::from(answered.score >= 1.0)),
        ("score", JsValue::from(total)),
        ("max", JsValue::from(max as u32)),
        ("statement", statement),
    ]);
    let _ = parent.post_message(&message, "*");
}

fn s(text: &str) -> JsValue {
    JsValue::from_str(text)
}

fn obj(fields: &[(&str, JsValue)]) -> JsValue {
    serde_json_like(fields)
}

/// A plain JS object from fields.
fn serde_json_like(fields: &[(&str, JsValue)]) -> JsValue {
    let object = js_sys::Object::new();
    for (key, value) in fields {
        let _ = js_sys::Reflect::set(&object, &JsValue::from_str(key), value);
    }
    object.into()
}

/// The quiz page.
#[component]
pub fn QuizPage(props: &QuizPageProps) -> Html {
    let seed = use_state(|| props.link.seed);
    let text = props.link.text();
    let (quiz, problems) = use_memo(text.clone(), |text| kmem_quiz::parse(text))
        .as_ref()
        .clone();
    let index = use_state(|| 0usize);
    let answers = use_state(|| vec![None::<Answered>; quiz.questions.len()]);
    let response = use_state(String::new);
    let runner = use_mut_ref(Runner::new);
    if quiz.questions.is_empty() {
        return html! {
            <main class="quiz">
                <p class="status error" role="alert">{ "This quiz has no questions." }</p>
                { for problems.iter().map(|p| html! { <p>{ format!("line {}: {}", p.line, p.message) }</p> }) }
            </main>
        };
    }
    let problem_list = (!problems.is_empty()).then(|| html! {
        <details class="notice error">
            <summary>{ format!("This quiz has {} problem{} (kmem quiz check lists the same)", problems.len(), if problems.len() == 1 { "" } else { "s" }) }</summary>
            <ul>{ for problems.iter().map(|p| html! { <li>{ format!("line {}: {}", p.line, p.message) }</li> }) }</ul>
        </details>
    });
    let i = (*index).min(quiz.questions.len() - 1);
    let question = kmem_quiz::generate::instantiate(&quiz.questions[i], *seed);
    let generated = quiz.questions[i].kind == Kind::Generate;
    let key = match question.kind {
        Kind::Fix => None,
        _ => Some(runner.borrow_mut().key(&question)),
    };
    let shown = runner.borrow_mut().shown(&question);
    let answered = answers[i].clone();
    let total: f64 = answers.iter().flatten().fold(0.0, |sum, a| sum + a.score);
    let max = quiz.questions.len();
    let link = QuizLink {
        seed: *seed,
        ..props.link.clone()
    };

    let submit = {
        let answers = answers.clone();
        let response = response.clone();
        let runner = runner.clone();
        let question = question.clone();
        let key = key.clone();
        let title = quiz.title.clone();
        let link = link.clone();
        Callback::from(move |_: ()| {
            let given = match (&question.kind, response.is_empty()) {
                (Kind::Fix, true) => question.script.clone().unwrap_or_default(),
                _ => (*response).clone(),
            };
            let result = match (&question.kind, &key) {
                (Kind::Fix, _) => {
                    let checks = runner.borrow_mut().check_fix(&question, &given);
                    let passed = checks.iter().filter(|c| c.passed).count();
                    Answered {
                        score: passed as f64 / checks.len().max(1) as f64,
                        feedback: checks
                            .into_iter()
                            .map(|c| {
                                (
                                    c.passed,
                                    if c.passed {
                                        c.assertion
                                    } else {
                                        format!("{}: {}", c.assertion, c.feedback)
                                    },
                                )
                            })
                            .collect(),
                        key: None,
                    }
                }
                (_, Some(Ok(key))) => {
                    let grade = match key.correct {
                        Some(correct) => match given.parse::<usize>() {
                            Ok(choice) if choice == correct => Grade::Correct,
                            Ok(_) => Grade::Wrong,
                            Err(_) => Grade::Malformed("choose one of the options".into()),
                        },
                        None => grade(&key.expected, &given),
                    };
                    match grade {
                        Grade::Malformed(hint) => {
                            // A malformed answer costs no attempt.
                            let mut all = (*answers).clone();
                            all[i] = Some(Answered {
                                score: 0.0,
                                feedback: vec![(false, format!("Not read: {hint}."))],
                                key: None,
                            });
                            answers.set(all);
                            return;
                        }
                        Grade::Correct => Answered {
                            score: 1.0,
                            feedback: vec![(true, "Correct.".into())],
                            key: Some(key.shown.clone()),
                        },
                        Grade::Wrong => Answered {
                            score: 0.0,
                            feedback: vec![(false, "Not quite.".into())],
                            key: Some(key.shown.clone()),
                        },
                    }
                }
                _ => return,
            };
            let mut all = (*answers).clone();
            all[i] = Some(result.clone());
            let total: f64 = all.iter().flatten().fold(0.0, |sum, a| sum + a.score);
            post_answer(Report {
                link: &link,
                title: &title,
                index: i,
                question: &question,
                answered: &result,
                response: &given,
                total,
                max: all.len(),
            });
            answers.set(all);
        })
    };
    let go = |to: usize| {
        let index = index.clone();
        let response = response.clone();
        Callback::from(move |_: MouseEvent| {
            index.set(to);
            response.set(String::new());
        })
    };
    let oninput = {
        let response = response.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            response.set(input.value());
        })
    };
    let onfix = {
        let response = response.clone();
        Callback::from(move |e: InputEvent| {
            let area: HtmlTextAreaElement = e.target_unchecked_into();
            response.set(area.value());
        })
    };
    let onkeydown = {
        let submit = submit.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" && !e.shift_key() {
                e.prevent_default();
                submit.emit(());
            }
        })
    };
    let check = {
        let submit = submit.clone();
        Callback::from(move |_: MouseEvent| submit.emit(()))
    };
    let answer_area = match (&question.kind, &key) {
        (_, Some(Err(e))) => {
            html! { <p class="status error" role="alert">{ format!("This question cannot be graded: {e}") }</p> }
        }
        (Kind::Fix, _) => {
            let start = question.script.clone().unwrap_or_default();
            let value = if response.is_empty() {
                start
            } else {
                (*response).clone()
            };
            html! {
                <>
                    <p class="goal"><strong>{ "Goal: " }</strong>{ question.goal.clone().unwrap_or_default() }</p>
                    <textarea class="fix-editor" aria-label="Your script" spellcheck="false" value={value} oninput={onfix} rows="8" />
                    <button type="button" onclick={check.clone()}>{ "Check" }</button>
                </>
            }
        }
        (_, Some(Ok(key))) if key.correct.is_some() => html! {
            <fieldset class="options">
                <legend>{ "Choose one" }</legend>
                { for key.options.iter().enumerate().map(|(n, option)| {
                    let checked = *response == n.to_string();
                    let response = response.clone();
                    let onchange = Callback::from(move |_: Event| response.set(n.to_string()));
                    html! {
                        <label class="option">
                            <input type="radio" name={format!("q{i}")} {checked} {onchange} />
                            { option }
                        </label>
                    }
                }) }
                <button type="button" onclick={check.clone()}>{ "Check" }</button>
            </fieldset>
        },
        _ => html! {
            <div class="answer">
                <label>{ "Your answer " }
                    <input type="text" aria-label="Your answer" value={(*response).clone()} {oninput} {onkeydown} spellcheck="false" autocomplete="off" />
                </label>
                <button type="button" onclick={check.clone()}>{ "Check" }</button>
            </div>
        },
    };
    let feedback = answered.as_ref().map(|a| {
        let graded = a.key.is_some() || question.kind == Kind::Fix;
        html! {
            <section class="feedback" aria-live="polite">
                <ul>
                    { for a.feedback.iter().map(|(ok, text)| html! {
                        <li class={if *ok { "pass" } else { "fail" }}>{ if *ok { "✓ " } else { "✗ " } }{ text }</li>
                    }) }
                </ul>
                if let Some(key) = &a.key {
                    <p>{ "The simulator's answer: " }<code data-testid="quiz-key">{ key }</code></p>
                }
                if graded {
                    <p class="explain">{ &question.explain }</p>
                }
            </section>
        }
    });
    html! {
        <main class="quiz" aria-labelledby="quiz-title">
            <h1 id="quiz-title">{ &quiz.title }</h1>
            { for problem_list }
            <p class="score" aria-live="polite" data-testid="quiz-score">
                { format!("Question {} of {} · score {} / {}", i + 1, max, trim_float(total), max) }
            </p>
            <article class="question">
                <h2>{ &question.prompt }</h2>
                <p class="machine">{ format!("Linux {}, {} machine", question.machine.kernel, question.machine.machine) }</p>
                if !question.body.trim().is_empty() { <p class="body">{ question.body.trim() }</p> }
                if question.kind != Kind::Fix {
                    if let Some(script) = &question.script { <pre class="script"><code>{ script }</code></pre> }
                }
                if !shown.is_empty() {
                    <p>{ "The run shows:" }</p>
                    <pre class="script" data-testid="quiz-shown">{ shown.join("\n") }</pre>
                }
                { answer_area }
                { for feedback }
            </article>
            if generated {
                <nav class="variants" aria-label="Variants">
                    { format!("Variant (seed) {} ", *seed) }
                    <button type="button" disabled={*seed == 0} onclick={let s = seed.clone(); let a = answers.clone(); let r = response.clone(); move |_| { s.set(s.saturating_sub(1)); let mut all = (*a).clone(); all[i] = None; a.set(all); r.set(String::new()); }}>{ "Previous variant" }</button>
                    <button type="button" onclick={let s = seed.clone(); let a = answers.clone(); let r = response.clone(); move |_| { s.set(*s + 1); let mut all = (*a).clone(); all[i] = None; a.set(all); r.set(String::new()); }}>{ "Next variant" }</button>
                    <label>{ " Go to seed " }
                        <input type="number" min="0" aria-label="Seed" value={seed.to_string()}
                            onchange={let s = seed.clone(); let a = answers.clone(); let r = response.clone(); move |e: Event| {
                                let input: HtmlInputElement = e.target_unchecked_into();
                                if let Ok(n) = input.value().parse::<u64>() { s.set(n); let mut all = (*a).clone(); all[i] = None; a.set(all); r.set(String::new()); }
                            }} />
                    </label>
                </nav>
            }
            <nav class="pager" aria-label="Questions">
                <button type="button" disabled={i == 0} onclick={go(i.saturating_sub(1))}>{ "Previous question" }</button>
                <button type="button" disabled={i + 1 >= max} onclick={go(i + 1)}>{ "Next question" }</button>
            </nav>
        </main>
    }
}

/// `1`, `2.5`: a score without trailing zeros.
fn trim_float(x: f64) -> String {
    let text = format!("{x:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}
