// The first page in a real browser: the app loads, renders its title and an
// editor that accepts typing and reports errors, with no console error.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { BASE_URL, editorOf, launch, openPage, typeOver } from "./browser.mjs";

const SCREENSHOTS = new URL("../../docs/screenshots/", import.meta.url);
let browser;

before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test("the playground loads, and its editor takes a script and reports errors", async () => {
  const { page, problems, close } = await openPage(browser, {
    viewport: { width: 1200, height: 760 },
  });
  await page.goto(BASE_URL);

  const title = page.getByRole("heading", { level: 1 });
  await title.waitFor({ timeout: 15000 });
  assert.equal(await title.textContent(), "kmem playground");
  assert.equal(await page.title(), "kmem playground");

  const editor = page.getByRole("textbox", { name: "Playground script" });
  await editor.waitFor();
  assert.match(await editor.inputValue(), /kmalloc\(100, GFP_KERNEL\)/);
  await page.getByText("No errors.").waitFor();

  // Replace the script by typing, as a person would.
  await editor.click();
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Delete");
  await editor.pressSequentially("void *p = kmalloc(64, GFP_KERNEL);\nx = 1 @ 2;");
  await page.getByText("1 error", { exact: true }).waitFor();
  const diagnostic = await page.locator(".diagnostic").first().textContent();
  assert.match(diagnostic, /error: unexpected character '@'/);
  assert.match(diagnostic, /--> line 2, column 7/);
  // The gutter follows the text.
  assert.equal((await page.locator(".editor-gutter").textContent()).trim(), "1\n2");

  // Fix the error; the report goes away.
  for (let i = 0; i < 4; i++) await page.keyboard.press("Backspace");
  await editor.pressSequentially("+ 2;");
  await page.getByText("No errors.").waitFor();
  assert.match(await editor.inputValue(), /x = 1 \+ 2;$/);

  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Delete");
  await editor.pressSequentially("void *buf = kmalloc(100, GFP_KERNEL);\nvoid *big = vmalloc(SZ_1M) @;\n");
  await page.getByText("1 error", { exact: true }).waitFor();
  await page.screenshot({ path: new URL("playground.png", SCREENSHOTS).pathname });

  assert.deepEqual(problems, []);
  await close();
});

test("after a kernel BUG or oops the status says where the kernel stopped, not \"No errors.\"", async () => {
  const { page, problems, close } = await openPage(browser);
  await page.goto(BASE_URL);
  await editorOf(page).waitFor({ timeout: 15000 });
  await page.getByText("No errors.").waitFor();
  // kfree() of a vmalloc address oopses on line 2; line 3 never runs.
  await typeOver(page, "void *v = vmalloc(SZ_8K);\nkfree(v);\nvoid *p = kmalloc(64, GFP_KERNEL);\n");
  const status = page.getByRole("status").filter({ hasText: "stopped" });
  await status.waitFor();
  assert.match(await status.textContent(), /^The simulated kernel stopped at line 2: .+\. The script is fine, but the lines after it did not run\.$/);
  assert.equal(await page.getByText("No errors.").count(), 0);
  assert.deepEqual(problems, []);
  await close();
});
