// Nothing a person typed is lost: not to a quick reload, a second tab, two
// links in a row, a saved state from a newer playground, a link too large
// to open, or the module stopping on an internal error.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE_URL, editorOf, fragmentOf, launch, openPage, typeOver } from "./browser.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const AUTOSAVE = "kmem-playground.autosave";

async function ready(page) {
  await editorOf(page).waitFor({ timeout: 20000 });
  await page.locator(".position, .diagnostics, .status").first().waitFor();
}


test("a reload right after typing keeps the last keystrokes", async () => {
  const { page, problems, close } = await openPage(browser);
  await page.goto(BASE_URL);
  await ready(page);
  await typeOver(page, "void *quick = kmalloc(9, GFP_KERNEL);\n");
  // No pause for the autosave: reload at once.
  await page.reload();
  await ready(page);
  assert.equal(await editorOf(page).inputValue(), "void *quick = kmalloc(9, GFP_KERNEL);\n");
  assert.deepEqual(problems, []);
  await close();
});

test("a second tab never overwrites the first tab's newer work without saying so", async () => {
  const context = await browser.newContext();
  const a = await context.newPage();
  const b = await context.newPage();
  await a.goto(BASE_URL);
  await ready(a);
  await b.goto(BASE_URL);
  await ready(b);
  await typeOver(a, "void *from_a = kmalloc(1, GFP_KERNEL);\n");
  await a.waitForFunction((key) => localStorage.getItem(key)?.includes("from_a"), AUTOSAVE);
  const warning = b.getByRole("alert").filter({ hasText: "Another tab of the playground saved different work" });
  await warning.waitFor();
  // B's edits are not saved over A's.
  await typeOver(b, "void *from_b = kmalloc(2, GFP_KERNEL);\n");
  await b.waitForTimeout(800);
  assert.match(await a.evaluate((key) => localStorage.getItem(key), AUTOSAVE), /from_a/);
  // Taking the other tab's work keeps this tab's among the earlier work.
  await b.getByRole("button", { name: "Open the other tab's work" }).click();
  assert.equal(await editorOf(b).inputValue(), "void *from_a = kmalloc(1, GFP_KERNEL);\n");
  await b.getByText(/^Earlier work \(\d+\)$/).click();
  await b.getByText(/replaced by another tab's work · 1 line · void \*from_b/).waitFor();
  await context.close();
});

test("two links in a row and an example keep every script they replace", async () => {
  const { page, problems, close } = await openPage(browser);
  await page.goto(BASE_URL);
  await ready(page);
  await typeOver(page, "void *mine = kzalloc(42, GFP_KERNEL);\n");
  await page.waitForTimeout(700);
  const first = fragmentOf("kmem-playground 1\n\nvoid *first = vmalloc(SZ_8K);\n");
  const second = fragmentOf("kmem-playground 1\n\nvoid *second = vmalloc(SZ_16K);\n");
  await page.goto(`${BASE_URL}#${first}`);
  await page.waitForFunction(() => document.getElementById("script").value.includes("first"));
  await page.goto("about:blank");
  await page.goto(`${BASE_URL}#${second}`);
  await ready(page);
  assert.match(await editorOf(page).inputValue(), /second/);
  await page.getByText(/^Earlier work \(\d+\)$/).click();
  const list = await page.locator(".earlier-work li").allTextContents();
  assert.ok(list.some((l) => l.includes("void *mine")), `my own script is kept: ${list}`);
  assert.ok(list.some((l) => l.includes("void *first")), `the first link's script is kept: ${list}`);
  // Restore my own work from the list; the second link's script is kept in turn.
  const mine = list.findIndex((l) => l.includes("void *mine"));
  await page.getByRole("button", { name: `Restore earlier work ${mine + 1}` }).click();
  assert.equal(await editorOf(page).inputValue(), "void *mine = kzalloc(42, GFP_KERNEL);\n");
  assert.ok((await page.locator(".earlier-work li").allTextContents()).some((l) => l.includes("void *second")));
  // An example keeps what it replaces too.
  const examples = page.getByRole("combobox", { name: "Examples" });
  await examples.selectOption({ index: 1 });
  assert.notEqual(await editorOf(page).inputValue(), "void *mine = kzalloc(42, GFP_KERNEL);\n");
  await page.getByText("Your own script from before (1 line) is kept.").waitFor();
  const after = await page.locator(".earlier-work li").allTextContents();
  assert.ok(after[0].includes("replaced by an example") && after[0].includes("void *mine"), after[0]);
  assert.deepEqual(problems, []);
  await close();
});

test("a saved state from a newer playground is kept, said and shown", async () => {
  const { page, problems, close } = await openPage(browser);
  // Written from a page of the same origin that does not run the app
  // (leaving the app would save its own state over this one).
  await page.goto(new URL("api-example.html", BASE_URL).href);
  const newer = "kmem-playground 1\nrelease 6.18\npreset desktop\n\nvoid *from_the_future = kmalloc(64, GFP_KERNEL);\n";
  await page.evaluate(([key, text]) => localStorage.setItem(key, text), [AUTOSAVE, newer]);
  await page.goto(BASE_URL);
  await ready(page);
  await page.getByRole("alert").filter({ hasText: "Your saved work could not be read by this playground (unknown kernel release `6.18`)" }).waitFor();
  assert.equal(await editorOf(page).inputValue(), "void *from_the_future = kmalloc(64, GFP_KERNEL);\n");
  await page.getByText(/^Earlier work \(\d+\)$/).click();
  await page.getByText(/saved in a form this playground cannot read · 1 line/).waitFor();
  const kept = await page.evaluate(() => localStorage.getItem("kmem-playground.displaced"));
  assert.ok(kept.includes("release 6.18"), "the saved state is kept as it was");
  assert.deepEqual(problems, []);
  await close();
});

test("Share refuses a script its link could not carry, and a CRLF state opens", async () => {
  const { page, problems, close } = await openPage(browser);
  await page.goto(BASE_URL);
  await ready(page);
  // Set as a paste would leave it (Chromium's own insertion of 6,400 lines
  // at once is quadratic and takes minutes).
  const big = "void *p = kmalloc(100, GFP_KERNEL); kfree(p);\n".repeat(6400);
  await editorOf(page).evaluate((area, text) => {
    area.value = text;
    area.dispatchEvent(new InputEvent("input", { bubbles: true }));
  }, big);
  await page.getByRole("button", { name: "Share" }).click();
  await page.getByRole("alert").filter({ hasText: /cannot be shared as a link: its state is \d+ KiB, more than the 256 KiB a link may carry/ }).waitFor();
  assert.equal(new URL(page.url()).hash, "", "no link was put in the address bar");

  await page.goto("about:blank");
  await page.goto(`${BASE_URL}#${fragmentOf("kmem-playground 1\r\nrelease 4.19\r\n\r\nvoid *crlf = kmalloc(8, GFP_KERNEL);\r\n")}`);
  await ready(page);
  assert.equal(await editorOf(page).inputValue(), "void *crlf = kmalloc(8, GFP_KERNEL);\n");
  assert.equal(await page.getByRole("combobox", { name: "Kernel version" }).inputValue(), "4.19");
  assert.deepEqual(problems, []);
  await close();
});

test("after an internal error the page says so, keeps the script and reloads with it, not run", async () => {
  const { page, close } = await openPage(browser);
  await page.goto(BASE_URL);
  await ready(page);
  await typeOver(page, "void *before_the_stop = kmalloc(5, GFP_KERNEL);\n");
  // What a Rust panic hands the guard, then the trap that follows it.
  await page.evaluate(() => {
    window.kmemInternalError("panicked at web/src/example.rs:1:1:\nan example");
    setTimeout(() => {
      throw new WebAssembly.RuntimeError("unreachable");
    });
  });
  const panel = page.getByRole("alert", { name: "Internal error" });
  await panel.waitFor();
  assert.match(await panel.textContent(), /panicked at web\/src\/example\.rs:1:1/);
  assert.match(await panel.locator("pre").textContent(), /RuntimeError: unreachable/);
  // What is typed after the stop is kept as well.
  await editorOf(page).press("End");
  await editorOf(page).pressSequentially("// typed after\n");
  await page.getByRole("button", { name: "Reload with my script" }).click();
  await ready(page);
  assert.equal(await editorOf(page).inputValue(), "void *before_the_stop = kmalloc(5, GFP_KERNEL);\n// typed after\n");
  await page.getByText("Not run yet: press Ctrl+Enter to run the script.").waitFor();
  await page.getByText(/stopped on an internal error last time/).waitFor();
  assert.equal(await page.locator(".internal-error").count(), 0);
  await editorOf(page).press("Control+Enter");
  await page.getByText("after all 1 step").waitFor();
  await close();
});
