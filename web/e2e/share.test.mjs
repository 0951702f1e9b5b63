// Share links, nothing lost on reload, export and import, and hostile
// links: what a person sees in a real browser.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { deflateRawSync } from "node:zlib";
import { BASE_URL, editorOf, fragmentOf, launch, openPage, typeOver } from "./browser.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});


async function ready(page) {
  await editorOf(page).waitFor({ timeout: 20000 });
  await page.locator(".position").waitFor();
}

async function typeScript(page, text) {
  await typeOver(page, text);
  await page.keyboard.press("Control+Enter");
}

test("a share link reproduces the script, kernel, step and view in a fresh browser", async () => {
  const a = await openPage(browser);
  await a.page.goto(BASE_URL);
  await ready(a.page);
  await typeScript(a.page, "void *v = vmalloc(SZ_64K);\nvoid *k = kmalloc(100, GFP_KERNEL);\n");
  await a.page.getByText("after all 2 steps").waitFor();
  await a.page.getByRole("combobox", { name: "Kernel version" }).selectOption("4.19");
  await a.page.locator(".step-head").first().click();
  await a.page.getByRole("tab", { name: "Translate" }).click();
  await a.page.getByRole("button", { name: "Share" }).click();
  const link = await a.page.getByRole("textbox", { name: "The link" }).inputValue();
  assert.match(link, /#v1\.[A-Za-z0-9_-]+$/);
  assert.equal(new URL(a.page.url()).hash, new URL(link).hash, "the address bar holds the link too");

  const b = await openPage(browser);
  await b.page.goto(link);
  await ready(b.page);
  assert.equal(await editorOf(b.page).inputValue(), "void *v = vmalloc(SZ_64K);\nvoid *k = kmalloc(100, GFP_KERNEL);\n");
  assert.equal(await b.page.getByRole("combobox", { name: "Kernel version" }).inputValue(), "4.19");
  await b.page.getByText("after step 1 of 2").waitFor();
  assert.equal(await b.page.getByRole("tab", { name: "Translate" }).getAttribute("aria-selected"), "true");
  // The link's state came from 4.19: GFP_KERNEL is 4.19's.
  await b.page.getByRole("tab", { name: "GFP flags" }).click();
  assert.equal(await b.page.getByTestId("gfp-mode").textContent(), "0x6000c0(GFP_KERNEL)");
  assert.deepEqual([...a.problems, ...b.problems], []);
  await a.close();
  await b.close();
});

test("work comes back after a reload, and a link keeps it aside and offers it back", async () => {
  const { page, problems, close } = await openPage(browser);
  await page.goto(BASE_URL);
  await ready(page);
  await typeScript(page, "void *mine = kzalloc(42, GFP_KERNEL);\n");
  await page.getByText("after all 1 step").waitFor();
  await page.waitForTimeout(700); // autosave waits for a pause
  await page.reload();
  await ready(page);
  assert.equal(await editorOf(page).inputValue(), "void *mine = kzalloc(42, GFP_KERNEL);\n");

  const theirs = "kmem-playground 1\nrelease 6.12\npreset small\nview timeline\n\nvoid *theirs = vmalloc(SZ_8K);\n";
  await page.goto(`${BASE_URL}#${fragmentOf(theirs)}`);
  await page.reload();
  await ready(page);
  assert.equal(await editorOf(page).inputValue(), "void *theirs = vmalloc(SZ_8K);\n");
  await page.getByText("Your own script from before (1 line) is kept.").waitFor();
  // Still offered after another reload.
  await page.reload();
  await ready(page);
  await page.getByRole("button", { name: "Restore it" }).click();
  await page.waitForFunction(() => document.getElementById("script").value.includes("mine"));
  assert.equal(await page.getByText("Your own script from before").count(), 0);

  // A link pasted into the address bar of the open page keeps the work aside too.
  const other = "kmem-playground 1\n\nvoid *pasted = kmalloc(1, GFP_KERNEL);\n";
  await page.evaluate((f) => (location.hash = f), fragmentOf(other));
  await page.waitForFunction(() => document.getElementById("script").value.includes("pasted"));
  await page.getByText("Your own script from before (1 line) is kept.").waitFor();
  assert.deepEqual(problems, []);
  await close();
});

test("export downloads the script and import opens a file", async () => {
  const { page, problems, close } = await openPage(browser, { acceptDownloads: true });
  await page.goto(BASE_URL);
  await ready(page);
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Export" }).click();
  const file = await (await download).path();
  assert.equal(readFileSync(file, "utf8"), await editorOf(page).inputValue());
  assert.equal((await download).suggestedFilename(), "script.kmem");

  await page.getByLabel("Import a script file").setInputFiles({
    name: "mine.kmem",
    mimeType: "text/plain",
    buffer: Buffer.from("void *imported = kmalloc(7, GFP_ATOMIC);\n"),
  });
  await page.waitForFunction(() => document.getElementById("script").value.includes("imported"));
  await page.getByText("after all 1 step").waitFor();
  assert.deepEqual(problems, []);
  await close();
});

test("hostile links open the default script with a message, and markup stays text", async () => {
  const bomb = "v1." + deflateRawSync(Buffer.alloc(64 << 20, 97)).toString("base64url");
  const cases = [
    ["v1.!!!not-base64!!!", /not base64url/],
    ["v7.abcd", /newer playground/],
    [bomb, /refuses/],
    [`v1.${"A".repeat(600000)}`, /600003 bytes, more than the 524288 the playground reads/],
    ["<img src=x onerror=window.__xss=1>", /not a playground state/],
    [fragmentOf("kmem-playground 1\nrelease 9.9\n\nx"), /unknown kernel release `9.9`/],
    [fragmentOf("kmem-playground 1\nview <b>x</b>\n\n"), /unknown view `<b>x<\/b>`/],
  ];
  for (const [fragment, message] of cases) {
    const { page, problems, close } = await openPage(browser);
    await page.goto(`${BASE_URL}#${fragment}`);
    await ready(page);
    const alert = page.getByRole("alert").filter({ hasText: "This link could not be opened" });
    await alert.waitFor();
    assert.match(await alert.textContent(), message);
    assert.match(await editorOf(page).inputValue(), /kmalloc\(100, GFP_KERNEL\)/, "the default script");
    assert.equal(await page.evaluate(() => window.__xss), undefined);
    assert.deepEqual(problems, []);
    await close();
  }

  // A valid link whose script is full of markup and script: shown as text, never run.
  const payload = '</textarea><script>window.__xss=1</script><img src=x onerror="window.__xss=2">\n"<svg onload=alert(1)>";\n';
  const { page, problems, close } = await openPage(browser);
  await page.goto(`${BASE_URL}#${fragmentOf(`kmem-playground 1\n\n${payload}`)}`);
  await ready(page);
  assert.equal(await editorOf(page).inputValue(), payload);
  await page.locator(".error-message").first().waitFor();
  await page.getByRole("tab", { name: "GFP flags" }).click();
  await page.getByRole("textbox", { name: "GFP mask" }).fill('<img src=x onerror="window.__xss=3">');
  await page.getByRole("alert").first().waitFor();
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  assert.equal(await page.locator("img").count(), 0, "no element came from user text");
  assert.deepEqual(problems, []);
  await close();
});

test("when storage is full or disabled the page says so and keeps working", async () => {
  const context = await browser.newContext();
  await context.addInitScript(() => {
    Storage.prototype.setItem = () => {
      throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
    };
  });
  const page = await context.newPage();
  await page.goto(BASE_URL);
  await ready(page);
  await typeScript(page, "void *p = kmalloc(64, GFP_KERNEL);\n");
  await page.getByRole("alert").filter({ hasText: "does not let the playground save your work" }).waitFor();
  await page.getByText("after all 1 step").waitFor();
  await context.close();
});
