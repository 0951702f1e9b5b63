// A person's flow through each view, in real Chromium: type a script and
// see the timeline; click a step and see the memory map highlight it;
// translate an address; toggle a GFP bit; switch the kernel; use it at
// phone width. Screenshots of every view go to docs/screenshots/. (The
// measurements are in bench.test.mjs.)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { BASE_URL, fragmentOf, launch, openPage } from "./browser.mjs";

const SCREENSHOTS = new URL("../../docs/screenshots/", import.meta.url);
let browser;

before(async () => {
  browser = await launch();
  mkdirSync(SCREENSHOTS, { recursive: true });
});
after(async () => {
  await browser?.close();
});

async function open(viewport = { width: 1400, height: 900 }) {
  const session = await openPage(browser, { viewport });
  await session.page.goto(BASE_URL);
  await session.page.getByRole("textbox", { name: "Playground script" }).waitFor({ timeout: 20000 });
  await session.page.locator(".position").waitFor();
  return session;
}

/** Replaces the script by typing it, then runs it with Ctrl+Enter. */
async function typeScript(page, text) {
  const editor = page.getByRole("textbox", { name: "Playground script" });
  await editor.click();
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Delete");
  await editor.pressSequentially(text);
  await page.keyboard.press("Control+Enter");
}

const shot = (page, name) => page.screenshot({ path: new URL(`${name}.png`, SCREENSHOTS).pathname });

test("typing a script shows its calls in the timeline, and the arrow keys step through them", async () => {
  const { page, problems, close } = await open();
  await typeScript(page, "void *p = kmalloc(64, GFP_ATOMIC);\nvoid *q = vzalloc(SZ_64K);\n");
  const steps = page.locator(".steps > li");
  await page.getByText("after all 2 steps").waitFor();
  assert.equal(await steps.count(), 2);
  assert.match(await steps.nth(0).textContent(), /kmalloc\(64, GFP_ATOMIC\).*kmalloc-64/s);
  assert.match(await steps.nth(1).textContent(), /vzalloc\(SZ_64K\).*vmalloc area of 16 pages/s);

  // Outside the editor, ← selects the previous step.
  await page.locator(".position").click();
  await page.keyboard.press("ArrowLeft");
  await page.getByText("after step 1 of 2").waitFor();
  assert.match(await page.locator(".step.selected").textContent(), /kmalloc/);
  await page.keyboard.press("End");
  await page.getByText("after all 2 steps").waitFor();

  // A mistake is underlined at its line, with the list below.
  await page.getByRole("textbox", { name: "Playground script" }).press("End");
  await page.keyboard.type("kfree(r);");
  await page.keyboard.press("Control+Enter");
  await page.locator(".error-message").waitFor();
  assert.match(await page.locator(".error-message").textContent(), /`r` is not defined/);
  assert.equal(await page.locator(".editor-gutter .line.error").textContent(), "3\n");
  await shot(page, "timeline");
  assert.deepEqual(problems, []);
  await close();
});

test("selecting a step highlights its frames on the memory map", async () => {
  const { page, problems, close } = await open();
  await page.getByRole("tab", { name: "Physical memory" }).click();
  const selected = page.getByTestId("selected-frames");
  // The default script's last step is vmalloc(SZ_1M): 256 frames,
  // scattered on the default machine (up for a while); just booted, the
  // free lists hand out consecutive frames.
  await page.getByText(/256 frames at pfn/).waitFor();
  const listed = async () => [...(await selected.textContent()).matchAll(/0x([0-9a-f]+)/g)].map((m) => parseInt(m[1], 16));
  const neighbours = (f) => f.slice(1).filter((p, i) => p === f[i] + 1).length;
  const running = await listed();
  assert.equal(running.length, 8);
  assert.ok(neighbours(running) < 4, `scattered: ${running.map((p) => p.toString(16))}`);
  await page.getByRole("combobox", { name: "Machine uptime" }).selectOption("booted");
  await page.waitForFunction((first) => !document.querySelector("[data-testid=selected-frames]").textContent.includes(first), `0x${running[0].toString(16)}`);
  assert.equal(neighbours(await listed()), 7, await selected.textContent());
  await page.getByRole("combobox", { name: "Machine uptime" }).selectOption("running");
  await page.getByText(new RegExp(`256 frames at pfn 0x${running[0].toString(16)},`)).waitFor();

  // The detail view is centred on the step's memory, a square per frame:
  // the squares drawn in the highlight colour are exactly the step's
  // frames in view, and they are scattered, not one block.
  const inView = async () => Number(/; (\d+) of the selected step's 256 frames/.exec(await page.getByTestId("map-in-view").textContent())[1]);
  const drawn = () =>
    page.locator("canvas.map-canvas").evaluate((c) => {
      const [start] = c.dataset.window.split("-").map((h) => parseInt(h, 16));
      const cssCell = Number(document.querySelector(".map-tools [aria-pressed=true]").textContent.split(" ")[0]);
      const perRow = Math.round(parseFloat(c.style.width) / cssCell);
      const size = c.width / perRow;
      const data = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      const lit = [];
      for (let row = 0; row * size < c.height; row++) {
        for (let col = 0; col < perRow; col++) {
          const at = (Math.floor(row * size) * c.width + Math.floor(col * size)) * 4;
          if (data[at] === 255 && data[at + 1] === 230 && data[at + 2] === 0) lit.push(start + row * perRow + col);
        }
      }
      return { lit };
    });
  const before = await drawn();
  assert.ok(before.lit.length > 0, "the step's frames are on screen");
  assert.equal(before.lit.length, await inView());
  assert.ok(neighbours(before.lit) < before.lit.length / 2, `scattered: ${before.lit.length} squares, ${neighbours(before.lit)} neighbours`);
  assert.ok(before.lit.includes(running[0]), "the view holds the step's first frame");
  // A larger zoom keeps the step's first frame in view.
  await page.getByRole("button", { name: "16 px" }).click();
  await page.waitForFunction(() => /16 px each/.test(document.querySelector("[data-testid=map-in-view]").textContent));
  const zoomed = await drawn();
  assert.ok(zoomed.lit.includes(running[0]), "zoom keeps the selection in view");
  await page.getByRole("button", { name: "4 px" }).click();

  await page.getByRole("tab", { name: "Timeline" }).click();
  await page.locator(".step-head").first().click();
  await page.getByRole("tab", { name: "Physical memory" }).click();
  await page.getByText("after step 1 of 2").waitFor();
  assert.match(await selected.textContent(), /1 frame at pfn 0x/);

  // Hovering a frame describes it in words.
  // A point in the detail view (it centres on the selection).
  const box = await page.locator("canvas.map-canvas").boundingBox();
  await page.mouse.move(box.x + box.width / 3, box.y + box.height / 3);
  await page.getByText(/^pfn 0x[0-9a-f]+, physical 0x/).waitFor();
  assert.match(await page.getByTestId("frame-details").textContent(), /zone (DMA32|Normal)/);
  // Hovering keeps the drawing (the view is not drawn anew, blank).
  assert.equal(await page.locator("canvas.map-canvas").evaluate((c) => c.style.width !== "" && c.getContext("2d").getImageData(c.width / 2, c.height / 2, 1, 1).data[3]), 255);
  await shot(page, "memory");

  // From the keyboard: the map takes focus, Home goes to the selected
  // step's first frame, the arrows move by a frame and by a row, and the
  // details say which frame and what it holds.
  const map = page.getByRole("group", { name: /Physical memory map/ });
  await map.focus();
  await page.keyboard.press("Home");
  const details = page.getByTestId("frame-details");
  await page.waitForFunction(() => /slab .*cache kmalloc-128/.test(document.querySelector("[data-testid=frame-details]").textContent));
  const pfnOf = async () => parseInt(/^pfn 0x([0-9a-f]+)/.exec(await details.textContent())[1], 16);
  const home = await pfnOf();
  await page.keyboard.press("ArrowRight");
  await page.waitForFunction((p) => document.querySelector("[data-testid=frame-details]").textContent.startsWith(`pfn 0x${p.toString(16)},`), home + 1);
  const perRow = Number(/, (\d+) frames a row/.exec(await page.getByTestId("map-in-view").textContent())[1]);
  await page.keyboard.press("ArrowDown");
  await page.waitForFunction((p) => document.querySelector("[data-testid=frame-details]").textContent.startsWith(`pfn 0x${p.toString(16)},`), home + 1 + perRow);
  // The step stayed selected: the arrows moved the cursor, not the step.
  await page.getByText("after step 1 of 2").waitFor();

  await page.getByRole("tab", { name: "Address space" }).click();
  await page.getByText(/buf = 0xffff888/).waitFor();
  await page.getByRole("img", { name: /virtual pages and the frames they map to/ }).waitFor();
  await shot(page, "address-space");
  assert.deepEqual(problems, []);
  await close();
});

test("an address's translation shows the page-table walk and the __pa pitfall", async () => {
  const { page, problems, close } = await open();
  await page.getByRole("tab", { name: "Translate" }).click();
  const input = page.getByRole("textbox", { name: "Address to translate" });
  await input.fill("big + 5000");
  const result = page.getByTestId("translation-result");
  await result.waitFor();
  assert.match(await result.textContent(), /^0x[0-9a-f]+388$/, "offset_in_page(5000) is 0x388");
  for (const level of ["PGD", "P4D", "PUD", "PMD", "PTE"]) {
    await page.getByRole("cell", { name: new RegExp(`^${level} table at 0x`) }).waitFor();
  }
  await page.getByRole("heading", { name: "What a plain __pa would have returned" }).waitFor();
  await shot(page, "translate");

  // A direct-map address goes through __pa arithmetic, with no pitfall.
  await input.fill("buf");
  await page.getByText("(not vmalloc: __pa arithmetic)").waitFor();
  assert.equal(await page.getByRole("heading", { name: /plain __pa/ }).count(), 0);
  await input.fill("nosuch + 1");
  await page.getByRole("alert").filter({ hasText: "`nosuch` is not defined" }).waitFor();
  assert.deepEqual(problems, []);
  await close();
});

test("toggling a GFP bit changes the mask and its %pGg in every release", async () => {
  const { page, problems, close } = await open();
  await page.getByRole("tab", { name: "GFP flags" }).click();
  const mode = page.getByTestId("gfp-mode");
  assert.equal(await mode.textContent(), "0xcc0(GFP_KERNEL)");
  await page.getByRole("checkbox", { name: /^__GFP_ZERO ?0x100/ }).check();
  await page.getByText("0xdc0(GFP_KERNEL|__GFP_ZERO)").first().waitFor();
  assert.equal(await mode.textContent(), "0xdc0(GFP_KERNEL|__GFP_ZERO)");
  await page.getByRole("row", { name: /4\.19 0x6080c0\(GFP_KERNEL\|__GFP_ZERO\)/ }).waitFor();
  // A pasted log line works too.
  const input = page.getByRole("textbox", { name: "GFP mask" });
  await input.fill("insmod: page allocation failure: order:5, mode:0x40820(GFP_ATOMIC|__GFP_COMP), nodemask=(null)");
  await page.getByText("0x40820(GFP_ATOMIC|__GFP_COMP)").first().waitFor();
  assert.match(await page.locator(".facts").textContent(), /may sleepno/);
  await shot(page, "gfp");
  assert.deepEqual(problems, []);
  await close();
});

test("switching the kernel version changes what the views show", async () => {
  const { page, problems, close } = await open();
  await page.getByRole("tab", { name: "dmesg & /proc" }).click();
  await page.getByRole("combobox", { name: "Kernel file" }).selectOption("/proc/meminfo");
  const file = page.locator("pre.file");
  await page.getByText(/KReclaimable:/).waitFor();
  await page.getByRole("combobox", { name: "Kernel version" }).selectOption("4.19");
  // 4.19's meminfo has no KReclaimable line (it arrived in 4.20).
  await page.waitForFunction(() => !document.querySelector("pre.file").textContent.includes("KReclaimable"));
  assert.match(await file.textContent(), /^MemTotal:/);
  await page.getByRole("combobox", { name: "Kernel file" }).selectOption("dmesg");
  await shot(page, "kernel-files");
  await page.getByRole("tab", { name: "GFP flags" }).click();
  assert.equal(await page.getByTestId("gfp-mode").textContent(), "0x6000c0(GFP_KERNEL)");
  assert.deepEqual(problems, []);
  await close();
});

test("at phone width the panes stack and stay usable", async () => {
  const { page, problems, close } = await open({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `no sideways scrolling (overflow ${overflow}px)`);
  const editorBox = await page.getByRole("textbox", { name: "Playground script" }).boundingBox();
  const tabsBox = await page.getByRole("tablist", { name: "Views" }).boundingBox();
  assert.ok(tabsBox.y > editorBox.y + editorBox.height, "the views come below the editor");
  await page.getByRole("tab", { name: "GFP flags" }).click();
  await page.getByRole("checkbox", { name: /__GFP_NOWARN/ }).check();
  await page.getByText("0x2cc0(GFP_KERNEL|__GFP_NOWARN)").first().waitFor();
  await shot(page, "phone");
  // The help opens with ? and closes with Escape.
  await page.locator(".position").click();
  await page.keyboard.press("?");
  await page.getByRole("dialog", { name: "Help" }).waitFor();
  await page.keyboard.press("Escape");
  await page.getByRole("dialog").waitFor({ state: "detached" });
  assert.deepEqual(problems, []);
  await close();
});

test("every pane fits a phone from 320 to 390 px, in the page and in an embed, and the timeline's calls wrap", async () => {
  const script = "void *buf = kmalloc(100, GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN);\nvoid *big = vmalloc(SZ_1M);\nunsigned long pa = kvm_kaddr_to_phys(big + 5000);\n";
  const tabs = ["Timeline", "Physical memory", "Address space", "Translate", "GFP flags", "dmesg & /proc"];
  for (const embed of [false, true]) {
    const state = `kmem-playground 1\nrelease 6.12\npreset desktop\nview timeline\n${embed ? "embed panes=timeline,memory,addresses,translate,gfp,kernel\n" : ""}\n${script}`;
    for (const width of [320, 390]) {
      const { page, problems, close } = await openPage(browser, { viewport: { width, height: 740 } });
      await page.goto(`${BASE_URL}#${fragmentOf(state)}`);
      await page.locator(".steps > li").nth(2).waitFor({ timeout: 20000 });
      // The whole call shows, wrapped, not cut at the screen's edge.
      const call = page.locator(".steps > li .step-call").first();
      assert.equal(await call.evaluate((c) => c.scrollWidth <= c.clientWidth), true, `the call is cut at ${width} px`);
      for (const tab of tabs) {
        await page.getByRole("tab", { name: tab }).click();
        await page.locator("#view-panel").waitFor();
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 0, `${embed ? "the embed's" : "the page's"} ${tab} pane is ${overflow} px wider than a ${width} px screen`);
      }
      if (width === 320) await shot(page, embed ? "phone-320-embed" : "phone-320");
      assert.deepEqual(problems, []);
      await close();
    }
  }
});
