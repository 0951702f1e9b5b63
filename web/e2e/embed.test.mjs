// Embeds on a page of another origin, as a blog post would have them: the
// loader turns code blocks into playgrounds that size themselves; one hides
// its result until clicked, one is read-only; each opens in the full
// playground. Messages from anywhere but the playground are ignored.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import MarkdownIt from "markdown-it";
import { BASE_URL, fragmentOf, launch, openPage } from "./browser.mjs";

let browser;
let server;
let blog;
let post;
// The blog's pages, by path: each test puts up its own.
const pages = new Map();
/** Puts up a page on the blog (another origin) and gives its URL. */
const publish = (path, html) => {
  pages.set(path, html);
  return new URL(path, blog).href;
};
before(async () => {
  browser = await launch();
  server = createServer((req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    if (path === "/favicon.ico") return res.writeHead(204).end();
    const page = pages.get(path);
    res.writeHead(page ? 200 : 404, { "content-type": "text/html; charset=utf-8" });
    res.end(page ?? "not found");
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  // Another origin than the playground's: another port.
  blog = `http://127.0.0.1:${server.address().port}/`;
  post = publish("/post.html", readFileSync(new URL("embed-page.html", import.meta.url), "utf8").replace("{{PLAYGROUND}}", BASE_URL));
});
after(async () => {
  await browser?.close();
  server?.close();
});

test("two embeds on a blog page: spoiler, read-only, sized, and opened in the full playground", async () => {
  const { page, problems, close } = await openPage(browser, { viewport: { width: 1000, height: 900 } });
  await page.goto(post);
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
  assert.ok(iframe.startsWith(`<iframe src="${BASE_URL}#v1.`), iframe);
  assert.match(iframe, /title="kmem playground: void \*buf = kmalloc\(100, GFP_KERNEL\);"/);
  const loader = await dialog.getByRole("textbox", { name: "The loader snippet" }).inputValue();
  assert.ok(loader.startsWith(`<script src="${BASE_URL}embed.js" defer></script>`), loader);
  assert.match(loader, /<pre class="kmem-playground" data-kernel="6\.6" data-machine="desktop" data-panes="timeline" data-readonly>\/\/ kmalloc/);
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

/** The calls' results as an embed or the playground shows them. */
const results = (frame) => frame.locator(".steps > li .step-result code").allTextContents();

test("the loader snippet reproduces the author's machine, debug options and theme: readers see the author's addresses", async () => {
  const script = "void *a = kmalloc(100, GFP_KERNEL);\nvoid *b = vmalloc(SZ_64K);\nvoid *c = kmalloc(5000, GFP_KERNEL);\n";
  const state = (preset, debug) => `kmem-playground 1\nrelease 6.12\npreset ${preset}\nuptime running\n${debug}view timeline\n\n${script}`;
  const author = await openPage(browser);
  await author.page.goto(`${BASE_URL}#${fragmentOf(state("small", "debug slub_debug\n"))}`);
  await author.page.locator(".steps > li").nth(2).waitFor({ timeout: 20000 });
  const theirs = await results(author.page);
  // The same script on the default machine lands elsewhere: a snippet
  // that dropped the machine would show other addresses.
  const other = await openPage(browser);
  await other.page.goto(`${BASE_URL}#${fragmentOf(state("desktop", ""))}`);
  await other.page.locator(".steps > li").nth(2).waitFor({ timeout: 20000 });
  assert.notDeepEqual(await results(other.page), theirs);

  await author.page.getByRole("button", { name: "Embed" }).click();
  const dialog = author.page.getByRole("dialog", { name: "Embed this script" });
  await dialog.getByRole("combobox", { name: "Theme of the embed" }).selectOption("dark");
  assert.match(await dialog.locator(".hint").textContent(), /Linux 6\.12 on the small machine with slub_debug/);
  const loader = await dialog.getByRole("textbox", { name: "The loader snippet" }).inputValue();
  assert.match(loader, /data-kernel="6\.12" data-machine="small" data-debug="slub_debug" data-panes="timeline" data-theme="dark">/);

  const reader = await openPage(browser, { colorScheme: "light" });
  await reader.page.goto(publish("/snippet.html", `<!doctype html><html lang="en"><head><title>A post</title></head><body><h1>A post</h1>${loader}</body></html>`));
  const embed = reader.page.frameLocator("iframe.kmem-playground-frame");
  await embed.locator(".steps > li").nth(2).waitFor({ timeout: 20000 });
  assert.deepEqual(await results(embed), theirs);
  assert.match(await embed.locator(".embed-bar").textContent(), /Linux 6\.12/);
  assert.match(await embed.locator(".app").getAttribute("class"), /theme-dark/);
  assert.deepEqual([...author.problems, ...other.problems, ...reader.problems], []);
  await Promise.all([author.close(), other.close(), reader.close()]);
});

// A post as a Markdown renderer writes it: fenced ```kmem blocks (options
// on the first line, in a comment after the block, or none) and
// hand-written blocks, below the fold and far below it.
const paragraphs = (from, n) =>
  Array.from({ length: n }, (_, i) => `Paragraph ${from + i}: the buddy allocator hands out pages in powers of two, and the slab allocator carves them into objects.\n`);
const MARKDOWN = [
  "# kmalloc and vmalloc, side by side\n",
  '<p><label>Search the blog <input id="search"></label></p>\n',
  ...paragraphs(1, 14),
  "```kmem",
  "// kmem: kernel=6.12 panes=timeline,memory",
  "void *a = kmalloc(64, GFP_KERNEL);",
  "void *b = kmalloc(128, GFP_KERNEL);",
  "void *c = vmalloc(SZ_64K);",
  "void *d = kzalloc(256, GFP_KERNEL);",
  "```\n",
  "And the same flags in 4.19:\n",
  "```kmem",
  "void *p = kmalloc(64, GFP_ATOMIC);",
  "```",
  "<!-- kmem: kernel=4.19 panes=gfp readonly -->\n",
  ...paragraphs(15, 70).map((p, i) => (i === 40 ? `<p id="anchor">The anchor paragraph.</p>\n\n${p}` : p)),
  "```kmem",
  "void *q = kzalloc(32, GFP_KERNEL);",
  "```\n",
  '<pre class="kmem-playground" data-machine="small">void *r = kmalloc(8, GFP_KERNEL);</pre>\n',
  // Written by hand with a bare &: the browser reads &para as ¶.
  '<pre class="kmem-playground">void *s = kmalloc(16, GFP_KERNEL); // was kfree(&param)</pre>\n',
  ...paragraphs(85, 5),
].join("\n");

for (const viewport of [{ width: 1000, height: 800 }, { width: 390, height: 844 }]) {
  test(`a Markdown post with five embeds below the fold at ${viewport.width} px: the page never moves`, async () => {
    const html = new MarkdownIt({ html: true }).render(MARKDOWN);
    assert.equal((html.match(/<pre><code class="language-kmem">/g) ?? []).length, 3, "markdown-it writes fenced blocks as <pre><code class=language-kmem>");
    const url = publish(
      `/markdown-${viewport.width}.html`,
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>A Markdown post</title><script src="${BASE_URL}embed.js" defer></script></head><body><main>${html}</main></body></html>`,
    );
    const { page, problems, close } = await openPage(browser, { viewport });
    const warnings = [];
    page.on("console", (msg) => msg.type() === "warning" && warnings.push(msg.text()));
    await page.addInitScript(() => {
      window.__scrolls = [];
      addEventListener("scroll", () => window.__scrolls.push(scrollY), { passive: true });
    });
    await page.goto(url);
    const frames = page.locator("iframe.kmem-playground-frame");
    await page.waitForFunction(() => document.querySelectorAll("iframe.kmem-playground-frame").length === 5);
    // Every block gave way to its playground.
    assert.equal(await page.locator("pre:visible").count(), 0);
    // The two just below the fold load, run, and size themselves.
    const first = page.frameLocator("iframe.kmem-playground-frame >> nth=0");
    const second = page.frameLocator("iframe.kmem-playground-frame >> nth=1");
    await first.locator(".steps > li").nth(3).waitFor({ timeout: 20000 });
    await second.getByTestId("gfp-mode").waitFor({ timeout: 20000 });
    await page.waitForFunction(() => document.querySelector("iframe.kmem-playground-frame").style.height !== "360px");
    // Their options: from the first line (which is not part of the script) and from the comment.
    assert.match(await first.locator(".embed-bar").textContent(), /Linux 6\.12/);
    assert.deepEqual(await first.getByRole("tab").allTextContents(), ["Timeline", "Physical memory"]);
    assert.match(await first.getByRole("textbox", { name: "Playground script" }).inputValue(), /^void \*a = kmalloc/);
    assert.match(await second.locator(".embed-bar").textContent(), /Linux 4\.19/);
    assert.notEqual(await second.getByRole("textbox", { name: "Playground script" }).getAttribute("readonly"), null);
    // Distinct frame titles.
    const titles = await frames.evaluateAll((all) => all.map((f) => f.title));
    assert.equal(new Set(titles).size, 5, titles.join(" | "));

    // Load moved nothing and focused nothing.
    assert.deepEqual(await page.evaluate(() => [scrollY, window.__scrolls.length, document.activeElement === document.body]), [0, 0, true]);
    // Interaction elsewhere on the page moves nothing either.
    await page.locator("#search").click();
    await page.keyboard.type("kmalloc");
    await page.locator("h1").click();
    assert.deepEqual(await page.evaluate(() => [scrollY, window.__scrolls.length]), [0, 0]);

    // The reader scrolls so that only the first embed's top shows, and
    // steps through its calls with the keyboard inside it: the page stays.
    const top = await frames.nth(0).evaluate((f) => f.getBoundingClientRect().top + scrollY);
    await page.evaluate((y) => scrollTo(0, y), Math.round(top - viewport.height + 120));
    const where = await page.evaluate(() => scrollY);
    // A click on the embed's bar (by position: a locator's click would
    // first scroll the page itself).
    const bar = await frames.nth(0).boundingBox();
    await page.mouse.click(bar.x + 20, bar.y + 12);
    for (const key of ["Home", "ArrowRight", "ArrowRight", "End"]) await page.keyboard.press(key);
    await first.locator(".steps > li.selected").filter({ hasText: "kzalloc" }).waitFor();
    await page.keyboard.press("Home");
    await first.locator(".steps > li.selected").filter({ hasText: "kmalloc(64" }).waitFor();
    assert.equal(await page.evaluate(() => scrollY), where);

    // Far below, lazy frames load as the reader reaches them; what the
    // reader looks at stays where it is.
    await page.evaluate(() => document.getElementById("anchor").scrollIntoView());
    const anchor = () => page.evaluate(() => Math.round(document.getElementById("anchor").getBoundingClientRect().top));
    const seen = await anchor();
    await page.frameLocator("iframe.kmem-playground-frame >> nth=2").locator(".steps > li").waitFor({ timeout: 20000 });
    await page.frameLocator("iframe.kmem-playground-frame >> nth=3").locator(".steps > li").waitFor({ timeout: 20000 });
    await page.waitForTimeout(300);
    assert.equal(await anchor(), seen);
    assert.match(await page.frameLocator("iframe.kmem-playground-frame >> nth=3").locator(".embed-bar").textContent(), /Linux 6\.6/);

    // The hand-written block with a bare & is flagged in the console.
    assert.ok(warnings.some((w) => w.includes("“¶m”") && w.includes("“&param”")), warnings.join("\n"));
    assert.deepEqual(problems, []);
    await close();
  });
}

test("the iframe snippet alone, where a blog allows no script: sized for a phone, nothing cut", async () => {
  const author = await openPage(browser);
  await author.page.goto(BASE_URL);
  await author.page.getByRole("button", { name: "Embed" }).click();
  const dialog = author.page.getByRole("dialog", { name: "Embed this script" });
  await dialog.getByRole("checkbox", { name: "gfp" }).check();
  const iframe = await dialog.getByRole("textbox", { name: "The iframe snippet" }).inputValue();
  assert.doesNotMatch(iframe, /height="/);
  const url = publish("/iframe.html", `<!doctype html><html lang="en"><head><meta name="viewport" content="width=device-width, initial-scale=1"><title>No scripts here</title></head><body><h1>A hosted blog</h1>${iframe}</body></html>`);
  for (const viewport of [{ width: 390, height: 844 }, { width: 320, height: 568 }]) {
    const { page, problems, close } = await openPage(browser, { viewport });
    await page.goto(url);
    const frame = page.frameLocator("iframe");
    await frame.locator(".steps > li").first().waitFor({ timeout: 20000 });
    const box = await page.locator("iframe").boundingBox();
    // Most of the screen, never more than the playground needs.
    assert.equal(Math.round(box.height), Math.min(640, Math.round(viewport.height * 0.85)));
    assert.ok(box.width <= viewport.width, `${box.width}`);
    // Inside: the bar is whole and nothing is wider than the frame.
    const [scrollWidth, clientWidth] = await frame.locator("html").evaluate((h) => [h.scrollWidth, h.clientWidth]);
    assert.ok(scrollWidth <= clientWidth, `the embed is ${scrollWidth - clientWidth} px wider than its frame at ${viewport.width} px`);
    const link = await frame.getByRole("link", { name: /Open in the full playground/ }).boundingBox();
    assert.ok(link.x + link.width <= box.x + box.width, "the bar's link is cut");
    for (const tab of ["Timeline", "GFP flags"]) {
      await frame.getByRole("tab", { name: tab }).click();
      const [sw, cw] = await frame.locator("html").evaluate((h) => [h.scrollWidth, h.clientWidth]);
      assert.ok(sw <= cw, `the ${tab} pane is ${sw - cw} px wider than its frame at ${viewport.width} px`);
    }
    assert.deepEqual(problems, []);
    await close();
  }
  await author.close();
});
