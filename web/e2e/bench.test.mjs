// Browser benchmarks (printed, not pass/fail; `./x bench` collects them into
// its table): time to an interactive editor, keystroke-to-render latency
// for 100 / 1,000 / 10,000-call scripts, booting the desktop just booted and
// up for a while, memory-map redraw at each frame size for the desktop (2.4
// M frames) and server (16.8 M frames) machines, the wasm memory each
// machine uses, and an embed's start-up time and memory.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE_URL, fragmentOf, launch, openPage } from "./browser.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/**
 * Milliseconds from the keystroke that runs an edit (Ctrl+Enter, after the
 * edit was typed with the keyboard) to the first frame after the views
 * changed: the keydown is timed in the page, so the test driver's own
 * latency is not counted.
 */
const keystrokeToRender = async (page) => {
  await page.keyboard.type("\nkfree(NULL);");
  await page.evaluate(() => {
    window.__kmemLatency = new Promise((resolve) => {
      const area = document.getElementById("script");
      let pressed = 0;
      area.addEventListener("keydown", () => (pressed = performance.now()), { capture: true, once: true });
      const observer = new MutationObserver(() => {
        observer.disconnect();
        requestAnimationFrame(() => resolve(performance.now() - pressed));
      });
      observer.observe(document.querySelector(".views"), { subtree: true, childList: true, characterData: true });
      setTimeout(() => resolve(-1), 30000);
    });
  });
  await page.keyboard.press("Control+Enter");
  return page.evaluate(() => window.__kmemLatency);
};

const script = (calls) => {
  let text = "";
  for (let i = 0; i < calls / 4; i++) {
    text += `p${i % 20} = kmalloc(${8 + ((i * 37) % 4000)}, GFP_KERNEL);\nq = alloc_page(GFP_KERNEL);\n__free_page(q);\nkfree(p${i % 20});\n`;
  }
  return text;
};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

test("benchmark: editor, keystroke to render, memory map, wasm memory", async () => {
  const { page, problems, close } = await openPage(browser, { viewport: { width: 1400, height: 900 } });
  // Keep the wasm memory reachable: Trunk announces the instance.
  await page.addInitScript(() => {
    addEventListener("TrunkApplicationStarted", (e) => (window.__kmemWasm = e.detail.wasm));
  });
  const started = performance.now();
  await page.goto(BASE_URL);
  await page.getByRole("textbox", { name: "Playground script" }).waitFor({ timeout: 20000 });
  console.log(`# bench editor-ready-ms ${(performance.now() - started).toFixed(0)}`);

  for (const calls of [100, 1000, 10000]) {
    // (Setting the value directly: typing 300 KB through the keyboard
    // would measure the test driver, not the playground.)
    await page.evaluate((text) => {
      const area = document.getElementById("script");
      area.value = text;
      area.dispatchEvent(new InputEvent("input", { bubbles: true }));
      area.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", ctrlKey: true, bubbles: true }));
    }, script(calls));
    await page.getByText(`after all ${calls} steps`).waitFor({ timeout: 60000 });
    await page.getByRole("textbox", { name: "Playground script" }).focus();
    await page.keyboard.press("Control+End");
    const samples = [];
    for (let i = 0; i < 7; i++) samples.push(await keystrokeToRender(page));
    assert.ok(samples.every((s) => s > 0), "every edit rendered");
    console.log(`# bench keystroke-to-render-ms calls=${calls} ${median(samples).toFixed(1)}`);
  }

  // Booting the desktop machine in the page, just booted and up for a
  // while (the uptime workload): from the choice to the run's timeline.
  await page.getByRole("textbox", { name: "Playground script" }).fill("void *p = vmalloc(SZ_1M);\n");
  await page.keyboard.press("Control+Enter");
  await page.getByText("after all 1 steps").waitFor({ timeout: 60000 });
  for (const uptime of ["booted", "running", "booted", "running"]) {
    await page.getByRole("tab", { name: "Physical memory" }).click();
    const before = await page.locator("canvas.map-canvas").getAttribute("data-window");
    const bootStarted = performance.now();
    await page.getByRole("combobox", { name: "Machine uptime" }).selectOption(uptime);
    await page.waitForFunction((w) => document.querySelector("canvas.map-canvas")?.dataset.window !== w, before, { timeout: 60000 });
    console.log(`# bench boot-and-run-ms machine=desktop uptime=${uptime} ${(performance.now() - bootStarted).toFixed(0)}`);
  }
  await page.getByRole("tab", { name: "Timeline" }).click();

  for (const machine of ["desktop", "server"]) {
    await page.getByRole("textbox", { name: "Playground script" }).fill("void *p = vmalloc(SZ_1M);\n");
    await page.keyboard.press("Control+Enter");
    await page.getByRole("combobox", { name: "Machine", exact: true }).selectOption(machine);
    await page.getByRole("tab", { name: "Physical memory" }).click();
    const frames = Number((await page.locator(".draw-time").textContent({ timeout: 60000 })).match(/^(\d+) frames/)[1]);
    // The detail view's redraw at each frame size (moving the view by a
    // row redraws it).
    for (const size of [2, 4, 8, 16]) {
      await page.getByRole("button", { name: `${size} px` }).click();
      await page.getByText(new RegExp(`, ${size} px each`)).waitFor();
      const draws = [];
      for (let i = 0; i < 5; i++) {
        const before = await page.locator("canvas.map-canvas").getAttribute("data-window");
        await page.getByRole("group", { name: /Physical memory map/ }).focus();
        await page.keyboard.press(i % 2 ? "PageUp" : "PageDown");
        await page.waitForFunction((w) => document.querySelector("canvas.map-canvas").dataset.window !== w, before);
        draws.push(Number(await page.locator("canvas.map-canvas").getAttribute("data-draw-ms")));
      }
      console.log(`# bench map-redraw-ms frames=${frames} cell=${size}px ${median(draws).toFixed(1)}`);
    }
    const bytes = await page.evaluate(() => window.__kmemWasm?.memory?.buffer?.byteLength ?? -1);
    console.log(`# bench wasm-memory-mib machine=${machine} ${(bytes / 1048576).toFixed(0)}`);
    await page.getByRole("tab", { name: "Timeline" }).click();
  }
  // An embed as the loader makes it by default: a small machine that has
  // been up for a while.
  const embed = await openPage(browser);
  await embed.page.addInitScript(() => {
    addEventListener("TrunkApplicationStarted", (e) => (window.__kmemWasm = e.detail.wasm));
  });
  const state = "kmem-playground 1\nrelease 6.6\npreset small\nuptime running\nview timeline\nembed panes=timeline,memory\n\nvoid *p = vmalloc(SZ_1M);\n";
  const bootStarted = performance.now();
  await embed.page.goto(`${BASE_URL}#${fragmentOf(state)}`);
  await embed.page.locator(".steps > li").first().waitFor({ timeout: 20000 });
  console.log(`# bench embed-ready-ms machine=small ${(performance.now() - bootStarted).toFixed(0)}`);
  const embedBytes = await embed.page.evaluate(() => window.__kmemWasm?.memory?.buffer?.byteLength ?? -1);
  console.log(`# bench wasm-memory-mib embed(small) ${(embedBytes / 1048576).toFixed(0)}`);
  assert.deepEqual([...problems, ...embed.problems], []);
  await Promise.all([close(), embed.close()]);
});
