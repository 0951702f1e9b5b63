// Embeds on a page of another origin, as a blog post would have them: the
// loader turns code blocks into playgrounds that size themselves; one hides
// its result until clicked, one is read-only; each opens in the full
// playground. Messages from anywhere but the playground are ignored.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { BASE_URL, launch, openPage } from "./browser.mjs";

let browser;
let server;
let blog;
before(async () => {
  browser = await launch();
  const page = readFileSync(new URL("embed-page.html", import.meta.url), "utf8").replace("{{PLAYGROUND}}", BASE_URL);
  server = createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(page);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  // Another origin than the playground's: another port.
  blog = `http://127.0.0.1:${server.address().port}/post.html`;
});
after(async () => {
  await browser?.close();
  server?.close();
});

test("two embeds on a blog page: spoiler, read-only, sized, and opened in the full playground", async () => {
  const { page, problems, close } = await openPage(browser, { viewport: { width: 1000, height: 900 } });
  await page.goto(blog);
  const frames = page.locator("iframe.kmem-playground-frame");
  await page.waitForFunction(() => document.querySelectorAll("iframe.kmem-playground-frame").length === 3);
  assert.equal(await page.locator("pre#spoiler").isHidden(), true, "the code block gives way to the playground");

  // The spoiler hides the result until the reader asks.
  const spoiler = page.frameLocator("iframe.kmem-playground-frame >> nth=0");
  const reveal = spoiler.getByRole("button", { name: "Show the result" });
  await reveal.waitFor({ timeout: 20000 });
  assert.equal(await spoiler.locator(".steps").count(), 0);
  // The frame follows its content's height.
  await page.waitForFunction(() => document.querySelector("iframe.kmem-playground-frame").style.height !== "360px");
  const before = await frames.nth(0).evaluate((f) => f.getBoundingClientRect().height);
  await reveal.click();
  await spoiler.getByText(/vmalloc area of 256 pages/).waitFor();
  await page.waitForFunction((h) => document.querySelector("iframe.kmem-playground-frame").getBoundingClientRect().height > h, before);
  // Only the chosen panes.
  assert.deepEqual(await spoiler.getByRole("tab").allTextContents(), ["Timeline", "Physical memory"]);

  // The read-only embed: 4.19's GFP view, and typing changes nothing.
  const readonly = page.frameLocator("iframe.kmem-playground-frame >> nth=1");
  const editor = readonly.getByRole("textbox", { name: "Playground script" });
  await editor.waitFor();
  assert.notEqual(await editor.getAttribute("readonly"), null);
  await editor.click();
  await page.keyboard.type("junk");
  assert.equal(await editor.inputValue(), "void *p = kmalloc(64, GFP_ATOMIC);");
  assert.equal(await readonly.getByTestId("gfp-mode").textContent(), "0x6000c0(GFP_KERNEL)");

  // A forged size message from the blog page itself is ignored.
  const height = await frames.nth(1).evaluate((f) => f.style.height);
  await page.evaluate(() => window.postMessage({ type: "kmem-playground:size", height: 5 }, "*"));
  await page.waitForTimeout(200);
  assert.equal(await frames.nth(1).evaluate((f) => f.style.height), height);

  // Hostile attributes fall back to defaults, and the text stays text.
  const hostile = page.frameLocator("iframe.kmem-playground-frame >> nth=2");
  await hostile.getByRole("textbox", { name: "Playground script" }).waitFor();
  assert.equal(await hostile.getByRole("textbox", { name: "Playground script" }).inputValue(), '"</textarea><img src=x onerror=window.__xss=3>";');
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  assert.match(await hostile.locator(".embed-bar").textContent(), /Linux 6\.6/);

  // "Open in the full playground" carries the whole state.
  const href = await spoiler.getByRole("link", { name: /Open in the full playground/ }).getAttribute("href");
  assert.ok(href.startsWith(BASE_URL), href);
  const full = await openPage(browser);
  await full.page.goto(href);
  await full.page.getByRole("combobox", { name: "Kernel version" }).waitFor({ timeout: 20000 });
  assert.equal(await full.page.getByRole("combobox", { name: "Kernel version" }).inputValue(), "6.12");
  assert.match(await full.page.getByRole("textbox", { name: "Playground script" }).inputValue(), /^void \*big = vmalloc\(SZ_1M\);/);
  assert.deepEqual([...problems, ...full.problems], []);
  await full.close();
  await close();
});

test("the embed dialog writes an iframe snippet and a loader snippet for the current script", async () => {
  const { page, problems, close } = await openPage(browser);
  await page.goto(BASE_URL);
  await page.getByRole("button", { name: "Embed" }).click();
  const dialog = page.getByRole("dialog", { name: "Embed this script" });
  await dialog.waitFor();
  await dialog.getByRole("checkbox", { name: "read-only editor" }).check();
  const iframe = await dialog.getByRole("textbox", { name: "The iframe snippet" }).inputValue();
  assert.match(iframe, /^<iframe src="http:\/\/127\.0\.0\.1:\d+\/#v1\.[A-Za-z0-9_-]+" title="kmem playground"/);
  const loader = await dialog.getByRole("textbox", { name: "The loader snippet" }).inputValue();
  assert.match(loader, /<script src="http:\/\/127\.0\.0\.1:\d+\/embed\.js" defer><\/script>/);
  assert.match(loader, /<pre class="kmem-playground" data-kernel="6\.6" data-panes="timeline" data-readonly>\/\/ kmalloc/);
  // The iframe snippet's link opens an embed.
  const src = iframe.match(/src="([^"]+)"/)[1];
  const embedded = await openPage(browser);
  await embedded.page.goto(src);
  await embedded.page.getByRole("link", { name: /Open in the full playground/ }).waitFor({ timeout: 20000 });
  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "detached" });
  assert.deepEqual([...problems, ...embedded.problems], []);
  await embedded.close();
  await close();
});
