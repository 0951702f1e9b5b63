// Hosting: the rest of the suite opens the playground under a sub-path
// (`./x` serves dist/ under /~learner/tools/kmem/ and answers 404 for
// everything else, so an absolute asset URL fails a test). Here the same
// folder is served at a root too, and the page before the module runs is
// checked: it shows the script at once, and says so when the module
// cannot load.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { BASE_URL, fragmentOf, launch, openPage } from "./browser.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
let browser;
let server;
let atRoot;

before(async () => {
  browser = await launch();
  server = spawn("node", ["web/serve.mjs", "dist", "0", "127.0.0.1"], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
  atRoot = await new Promise((resolve, reject) => {
    server.stdout.on("data", (chunk) => {
      const url = /http:\/\/127\.0\.0\.1:\d+\//.exec(String(chunk));
      if (url) resolve(url[0]);
    });
    server.on("exit", (code) => reject(new Error(`serve.mjs exited with ${code}`)));
  });
});
after(async () => {
  await browser?.close();
  server?.kill();
});

test("the suite's playground is under a sub-path, and the same folder works at a root: playground, embed, quiz, JS API", async () => {
  assert.notEqual(new URL(BASE_URL).pathname, "/", "the browser tests run the playground under a sub-path");
  const { page, problems, close } = await openPage(browser);
  const script = "void *p = kmalloc(100, GFP_KERNEL);\n";
  await page.goto(`${atRoot}#${fragmentOf(`kmem-playground 1\nrelease 6.6\npreset desktop\nview timeline\nembed panes=timeline\n\n${script}`)}`);
  await page.locator(".steps > li").first().waitFor({ timeout: 20000 });
  assert.match(await page.locator(".steps > li").first().textContent(), /kmalloc-128/);
  // A new page for each (a fragment-only change is no new visit).
  const quiz = await openPage(browser);
  await quiz.page.goto(`${atRoot}#quiz=v1&name=kmalloc&seed=0`);
  await quiz.page.locator(".quiz h1").waitFor({ timeout: 20000 });
  await quiz.page.getByRole("button", { name: "Check" }).waitFor();
  await page.goto(new URL("api-example.html", atRoot).href);
  await page.waitForFunction(() => !document.getElementById("out").textContent.startsWith("loading"), null, { timeout: 20000 });
  assert.match(await page.locator("#out").textContent(), /^kernel 6\.6\.\d+: 2 calls$/m);
  await page.goto(atRoot);
  await page.getByRole("textbox", { name: "Playground script" }).waitFor({ timeout: 20000 });
  assert.deepEqual([...problems, ...quiz.problems], []);
  await Promise.all([close(), quiz.close()]);
});

test("before the module runs, the page shows the link's script; the app then takes over", async () => {
  const { page, problems, close } = await openPage(browser);
  let release;
  const held = new Promise((resolve) => (release = resolve));
  await page.route("**/*_bg.wasm", async (route) => {
    await held;
    await route.continue();
  });
  const script = "// Shown before the module runs.\nvoid *big = vmalloc(SZ_1M);\n";
  await page.goto(`${BASE_URL}#${fragmentOf(`kmem-playground 1\nrelease 6.12\npreset desktop\nview timeline\n\n${script}`)}`);
  const boot = page.locator("#boot-script");
  await page.waitForFunction((text) => document.getElementById("boot-script")?.textContent === text, script);
  assert.match(await page.getByRole("status").first().textContent(), /Starting the simulated kernel/);
  assert.equal(await page.getByRole("textbox", { name: "Playground script" }).count(), 0);
  release();
  const editor = page.getByRole("textbox", { name: "Playground script" });
  await editor.waitFor({ timeout: 20000 });
  assert.equal(await editor.inputValue(), script);
  assert.equal(await boot.count(), 0, "the app removes the page it replaces");
  assert.deepEqual(problems, []);
  await close();
});

test("a first visit shows the default script at once; a module that cannot load says so", async () => {
  const { page, close } = await openPage(browser);
  await page.route("**/*_bg.wasm", (route) => route.abort());
  await page.goto(BASE_URL);
  assert.match(await page.locator("#boot-script").textContent(), /^\/\/ kmalloc: physically contiguous/);
  const alert = page.getByRole("alert");
  await alert.waitFor({ timeout: 20000 });
  assert.match(await alert.textContent(), /The playground could not start: .*serve every file of the built folder/);
  await close();
});
