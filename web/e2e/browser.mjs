// Shared set-up of the browser tests: Debian's Chromium driven by
// playwright-core, and a page that records console errors, HTTP error
// responses and uncaught exceptions so that every test can assert there were none.
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
