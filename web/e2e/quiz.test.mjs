// Quizzes in a real browser: answering right, wrong and malformed, a choose
// question, a fix question, generated variants, keyboard only, phone
// width, and a course page that records the answers an embedded quiz posts.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { deflateRawSync } from "node:zlib";
import { BASE_URL, launch, openPage } from "./browser.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const QUIZ = `# A test quiz

kernel: 6.6

## Which cache?

kind: predict
ask: cache

\`\`\`c
void *p = kmalloc(100, GFP_KERNEL);
\`\`\`

explain: kmalloc_index() rounds 100 bytes up to the 128-byte class.

## Which zone?

kind: choose
ask: zone
- DMA
- DMA32
- Normal

\`\`\`c
void *p = kmalloc(64, GFP_KERNEL | GFP_DMA);
\`\`\`

explain: GFP_DMA limits the request to ZONE_DMA.

## Allocate under a spinlock

kind: fix
goal: allocate 64 bytes with the lock held, without a sleeping-in-atomic report
expect: no sleep in atomic
expect: kmalloc returns non-null

\`\`\`c
spinlock_t l;
spin_lock(&l);
void *p = kmalloc(64, GFP_KERNEL);
spin_unlock(&l);
\`\`\`

explain: GFP_ATOMIC does not sleep.

## A family

kind: generate
family: kmalloc-cache
`;

const link = (seed = 0) => `${BASE_URL}#quiz=v1&text=${deflateRawSync(Buffer.from(QUIZ)).toString("base64url")}&seed=${seed}`;

test("answering right, wrong and malformed, then a choice, a fix and a generated variant", async () => {
  const { page, problems, close } = await openPage(browser);
  await page.goto(link());
  await page.getByRole("heading", { name: "A test quiz" }).waitFor({ timeout: 20000 });
  const score = page.getByTestId("quiz-score");
  assert.equal(await score.textContent(), "Question 1 of 4 · score 0 / 4");
  const answer = page.getByRole("textbox", { name: "Your answer" });

  // Malformed: a hint, no attempt used.
  await answer.fill("   ");
  await answer.press("Enter");
  await page.getByText(/Not read: expected an answer/).waitFor();
  // Wrong, then right (any case, extra spaces).
  await answer.fill("kmalloc-96");
  await page.getByRole("button", { name: "Check" }).click();
  await page.getByText("✗ Not quite.").waitFor();
  assert.equal(await page.getByTestId("quiz-key").textContent(), "kmalloc-128");
  await page.getByText(/kmalloc_index\(\) rounds 100 bytes up/).waitFor();
  await answer.fill("  KMALLOC-128 ");
  await answer.press("Enter");
  await page.getByText("✓ Correct.").waitFor();
  assert.equal(await score.textContent(), "Question 1 of 4 · score 1 / 4");

  // A choice.
  await page.getByRole("button", { name: "Next question" }).click();
  await page.getByRole("radio", { name: "DMA32" }).check();
  await page.getByRole("button", { name: "Check" }).click();
  await page.getByText("✗ Not quite.").waitFor();
  await page.getByRole("radio", { name: "DMA", exact: true }).check();
  await page.getByRole("button", { name: "Check" }).click();
  await page.getByText("✓ Correct.").waitFor();

  // A fix: partial credit first, then full.
  await page.getByRole("button", { name: "Next question" }).click();
  await page.getByRole("button", { name: "Check" }).click();
  await page.getByText(/✗ no sleeping in atomic context: a call may sleep/).waitFor();
  assert.equal(await score.textContent(), "Question 3 of 4 · score 2.5 / 4");
  const editor = page.getByRole("textbox", { name: "Your script" });
  await editor.fill((await editor.inputValue()).replace("GFP_KERNEL", "GFP_ATOMIC"));
  await page.getByRole("button", { name: "Check" }).click();
  await page.getByText("✓ no sleeping in atomic context").waitFor();
  assert.equal(await score.textContent(), "Question 3 of 4 · score 3 / 4");

  // A generated question: variants change the question.
  await page.getByRole("button", { name: "Next question" }).click();
  const first = await page.locator(".question .body").textContent();
  await page.getByRole("button", { name: "Next variant" }).click();
  await page.waitForFunction((t) => document.querySelector(".question .body").textContent !== t, first);
  await page.getByRole("spinbutton", { name: "Seed" }).fill("0");
  await page.getByRole("spinbutton", { name: "Seed" }).press("Enter");
  await page.waitForFunction((t) => document.querySelector(".question .body").textContent === t, first);
  assert.deepEqual(problems, []);
  await close();
});

test("the quiz works with the keyboard alone and at phone width", async () => {
  const { page, problems, close } = await openPage(browser, { viewport: { width: 390, height: 844 } });
  await page.goto(link());
  await page.getByRole("heading", { name: "A test quiz" }).waitFor({ timeout: 20000 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `no sideways scrolling (overflow ${overflow}px)`);
  // Tab to the answer box, type, Enter.
  for (let i = 0; i < 10; i++) {
    await page.keyboard.press("Tab");
    if ((await page.evaluate(() => document.activeElement?.getAttribute("aria-label"))) === "Your answer") break;
  }
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("aria-label")), "Your answer");
  await page.keyboard.type("kmalloc-128");
  await page.keyboard.press("Enter");
  await page.getByText("✓ Correct.").waitFor();
  assert.deepEqual(problems, []);
  await close();
});

test("a course page records the answers of an embedded quiz: malformed, wrong, then right", async () => {
  const { page, problems, close } = await openPage(browser, { viewport: { width: 1100, height: 1000 } });
  await page.goto(new URL("quiz-host-example.html", BASE_URL).href);
  // The example embeds the built-in kmalloc quiz.
  let quiz = page.frameLocator("#quiz");
  await quiz.getByRole("heading", { level: 1 }).waitFor({ timeout: 20000 });
  // Point it at the test quiz, whose first question is known.
  // (A new query string makes it a new document, not a fragment change.)
  await page.evaluate((src) => (document.getElementById("quiz").src = src), link().replace("/#", "/?test#"));
  quiz = page.frameLocator("#quiz");
  await quiz.getByRole("heading", { name: "A test quiz" }).waitFor({ timeout: 20000 });
  const answer = quiz.getByRole("textbox", { name: "Your answer" });
  await answer.fill("");
  await answer.press("Enter");
  await quiz.getByText(/Not read/).waitFor();
  assert.equal(await page.locator("#log li").count(), 0, "a malformed answer is not recorded");
  await answer.fill("kmalloc-64");
  await answer.press("Enter");
  await page.getByText("question 1: not correct (http://adlnet.gov/expapi/verbs/answered)").waitFor();
  await answer.fill("kmalloc-128");
  await answer.press("Enter");
  await page.getByText("question 1: correct (http://adlnet.gov/expapi/verbs/answered)").waitFor();
  await page.getByText("Score: 1 / 4").waitFor();
  assert.deepEqual(problems, []);
  await close();
});

test("a built-in quiz opens by name, and a generated translate question shows the page-table entries", async () => {
  const { page, problems, close } = await openPage(browser);
  await page.goto(`${BASE_URL}#quiz=v1&name=translate&seed=4`);
  await page.getByRole("heading", { level: 1 }).waitFor({ timeout: 20000 });
  // Find the generated translate question.
  for (let i = 0; i < 20; i++) {
    if ((await page.locator(".question .body").textContent().catch(() => "")).includes("page-table entries the walk reads")) break;
    await page.getByRole("button", { name: "Next question" }).click();
  }
  const shown = await page.getByTestId("quiz-shown").textContent();
  assert.match(shown, /^(kmalloc|vmalloc)\(/);
  assert.match(shown, /p \+ \d+ = 0xffff/);
  assert.deepEqual(problems, []);
  await close();
});

test("a broken quiz link says why", async () => {
  const { page, problems, close } = await openPage(browser);
  await page.goto(`${BASE_URL}#quiz=v1&name=nosuch`);
  await page.getByRole("alert").filter({ hasText: "there is no built-in quiz `nosuch`" }).waitFor({ timeout: 20000 });
  assert.deepEqual(problems, []);
  await close();
});
