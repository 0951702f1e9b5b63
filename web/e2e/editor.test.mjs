// The editor as a person uses it with the keyboard: typing re-runs the
// script once typing pauses, Tab indents, undo and redo work, Escape
// leaves the editor, and the call builder inserts a line at the cursor.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE_URL, launch, openPage } from "./browser.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test("the editor: re-run on pause, Tab, undo and redo, Escape, and the call builder", async () => {
  const { page, problems, close } = await openPage(browser, { viewport: { width: 1300, height: 900 } });
  await page.goto(BASE_URL);
  const editor = page.getByRole("textbox", { name: "Playground script" });
  await editor.waitFor({ timeout: 20000 });
  await page.getByText("after all 2 steps").waitFor();

  // Typing alone (no Ctrl+Enter) re-runs once typing pauses.
  await editor.click();
  await page.keyboard.press("Control+End");
  await page.keyboard.type("void *c = kzalloc(32, GFP_KERNEL);\n");
  await page.getByText("after all 3 steps").waitFor();

  // Tab indents with spaces; undo takes the typing back, redo restores it.
  await page.keyboard.press("Tab");
  await page.keyboard.type("kfree(c);");
  assert.match(await editor.inputValue(), /\n {4}kfree\(c\);$/);
  await page.keyboard.press("Control+Z");
  await page.waitForFunction(() => !document.getElementById("script").value.includes("kfree(c);"));
  await page.keyboard.press("Control+Shift+Z");
  await page.waitForFunction(() => document.getElementById("script").value.includes("kfree(c);"));
  await page.keyboard.press("Control+Enter");
  await page.getByText("after all 4 steps").waitFor();

  // Escape leaves the editor: Tab then moves focus on, out of it.
  await page.keyboard.press("Escape");
  await page.keyboard.press("Tab");
  assert.notEqual(await page.evaluate(() => document.activeElement?.id), "script");

  // The call builder: vmalloc of 2 × SZ_1M under a spinlock, inserted at the cursor.
  await page.getByText("Call builder").click();
  await page.getByRole("combobox", { name: "Function" }).selectOption({ label: "kmalloc" });
  await page.getByRole("checkbox", { name: /^__GFP_ZERO ?0x100/ }).first().check();
  await page.getByRole("combobox", { name: "Context" }).selectOption({ label: "under a spinlock" });
  await page.getByRole("textbox", { name: "Variable" }).fill("z");
  const preview = page.getByLabel("The line to insert");
  assert.equal(
    await preview.textContent(),
    "spinlock_t lock;\nspin_lock(&lock);\nvoid *z = kmalloc(100, GFP_KERNEL | __GFP_ZERO);\nspin_unlock(&lock);\n",
  );
  await editor.click();
  await page.keyboard.press("Control+End");
  await page.keyboard.press("Enter");
  await page.getByRole("button", { name: "Insert at the cursor" }).click();
  await page.keyboard.press("Control+Enter");
  await page.getByText("after all 7 steps").waitFor();
  assert.match(await editor.inputValue(), /void \*z = kmalloc\(100, GFP_KERNEL \| __GFP_ZERO\);\nspin_unlock\(&lock\);\n$/);
  // The insert is one undoable edit.
  await page.keyboard.press("Control+Z");
  await page.waitForFunction(() => !document.getElementById("script").value.includes("void *z"));

  // Switching to the dark theme and back.
  await page.getByRole("button", { name: "Switch between dark and light" }).click();
  const dark = await page.evaluate(() => getComputedStyle(document.querySelector(".app")).backgroundColor);
  await page.getByRole("button", { name: "Switch between dark and light" }).click();
  const light = await page.evaluate(() => getComputedStyle(document.querySelector(".app")).backgroundColor);
  assert.notEqual(dark, light);
  assert.deepEqual(problems, []);
  await close();
});
