// Shared set-up of the browser tests: Debian's Chromium driven by
// playwright-core, and a page that records console errors, HTTP error
// responses and uncaught exceptions so that every test can assert there were none.
import { deflateRawSync } from "node:zlib";
import { chromium } from "playwright-core";

export const BASE_URL = process.env.KMEM_BASE_URL ?? "http://127.0.0.1:8080/";

export async function launch() {
  return chromium.launch({
    executablePath: process.env.KMEM_CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}

/** Opens a fresh page whose console errors and page errors are collected. */
export async function openPage(browser, options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const problems = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(`console error: ${msg.text()}`);
  });
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()} for ${response.url()}`);
  });
  page.on("pageerror", (err) => problems.push(`uncaught exception: ${err.message}`));
  return { page, problems, close: () => context.close() };
}

/** A share link's fragment (without `#`) for a state's text form. */
export const fragmentOf = (text) => "v1." + deflateRawSync(Buffer.from(text)).toString("base64url");

/** The playground's script editor. */
export const editorOf = (page) => page.getByRole("textbox", { name: "Playground script" });

/** Replaces the editor's text by typing it, as a person would. */
export async function typeOver(page, text) {
  const editor = editorOf(page);
  await editor.click();
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Delete");
  await editor.pressSequentially(text);
}
