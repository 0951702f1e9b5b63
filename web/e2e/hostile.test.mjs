// The hostile-input catalogue (tests/hostile/catalogue.md) in the browser:
// the wasm build has a 1 MB stack, a 32-bit usize and at most 4 GiB, and
// a trap is not a panic, so what holds natively proves nothing here. Every
// case goes through the JS API in one long-lived module (a trap would
// poison every later case), and every script and link case also through
// the page itself, opened from a share link (a script larger than a link
// may carry is refused at the door, with the limit named). Each must have its stated
// outcome, within a time limit, with no trap, no panic and no blank page.
//
// The cases, with generated inputs expanded, come from
// `cargo test --test hostile` (target/hostile-cases.json), so both runs
// feed exactly the same inputs.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { BASE_URL, fragmentOf, launch, openPage } from "./browser.mjs";

const CASES = new URL("../../target/hostile-cases.json", import.meta.url);
// A hang detector, not a benchmark: the scripts' own budget stops them in
// well under 5 s on these machines (the times are printed).
const LIMIT_MS = 30000;
// The largest state a share link carries (web/src/share.rs MAX_STATE).
const MAX_STATE = 256 * 1024;

let browser;
before(async () => {
  browser = await launch();
});

/** The cases, as `cargo test --test hostile` wrote them. */
function catalogue() {
  try {
    return JSON.parse(readFileSync(CASES, "utf8"));
  } catch (e) {
    throw new Error(`cannot read ${CASES.pathname} (cargo test -p kmem-web --test hostile writes it): ${e.message}`);
  }
}
after(async () => {
  await browser?.close();
});

const split = (expect) => {
  const at = expect.indexOf(":");
  return at < 0 ? [expect, ""] : [expect.slice(0, at), expect.slice(at + 1).trim()];
};

/** Runs one case through the JS API, inside the page; what it saw. */
function runInPage(c) {
  const api = window.kmemApi;
  const started = performance.now();
  const seen = { errors: [], outcomes: [], log: "", findings: [], ok: false };
  try {
    if (c.kind === "script") {
      const kernel = new api.KmemKernel({ kernel: c.kernel, machine: "desktop", slubDebug: c.slubDebug });
      try {
        const trace = kernel.run(c.input);
        if (trace.error) seen.errors.push(trace.error.message);
        seen.outcomes = trace.steps.map((s) => JSON.stringify(s.event?.outcome ?? null));
        seen.log = kernel.file("dmesg");
      } catch (e) {
        seen.errors.push(e.message);
      }
      kernel.free();
    } else if (c.kind === "gfp") {
      try {
        api.decodeGfp(c.input.trim(), "6.6");
      } catch (e) {
        seen.errors.push(e.message);
      }
    } else if (c.kind === "decode") {
      try {
        seen.findings = api.decodeLog(c.input).findings;
      } catch (e) {
        seen.errors.push(e.message);
      }
    }
    // The module still works after the case: nothing was left poisoned.
    const probe = new api.KmemKernel({ kernel: "6.6", machine: "tiny" });
    seen.ok = probe.run("void *p = kmalloc(8, GFP_KERNEL);\n").steps.length === 1;
    probe.free();
  } catch (e) {
    seen.errors.push(`thrown: ${e?.name}: ${e?.message}`);
  }
  seen.ms = performance.now() - started;
  return seen;
}

/** Whether what the API saw is what the case expects. */
function apiMatches(c, seen) {
  const [what, value] = split(c.expect);
  switch (what) {
    case "ok":
      return seen.errors.length === 0;
    case "error":
      return seen.errors.some((e) => e.includes(value));
    case "log":
      return seen.log.includes(value);
    case "outcome":
      return seen.outcomes.some((o) => o.startsWith(`"${value}"`) || o.startsWith(`{"${value}"`));
    case "finding":
      return seen.findings.some((f) => f.includes(value));
    case "nothing":
      return seen.errors.length === 0 && seen.findings.length === 0;
    default:
      return false;
  }
}

test("every hostile case has its stated outcome through the JS API in Chromium", async () => {
  const { page, problems, close } = await openPage(browser);
  await page.goto(new URL("api-example.html", BASE_URL).href);
  await page.evaluate(async () => {
    const api = await import("./kmem-api.js");
    window.kmemWasm = await api.default();
    window.kmemApi = api;
  });
  const failures = [];
  const times = [];
  for (const c of catalogue().filter((c) => ["script", "gfp", "decode"].includes(c.kind))) {
    const started = Date.now();
    const seen = await page.evaluate(runInPage, c);
    const took = Date.now() - started;
    times.push([took, c.name]);
    if (!seen.ok) failures.push(`${c.name}: the module no longer works after it (${seen.errors.join(" | ").slice(0, 300)})`);
    else if (!apiMatches(c, seen))
      failures.push(`${c.name}: expected \`${c.expect}\`, saw errors ${JSON.stringify(seen.errors).slice(0, 300)}, outcomes ${seen.outcomes.slice(0, 4)}, findings ${seen.findings}`);
    if (took > LIMIT_MS) failures.push(`${c.name}: took ${took} ms`);
  }
  times.sort((a, b) => b[0] - a[0]);
  console.log(`slowest cases through the JS API: ${times.slice(0, 5).map(([ms, n]) => `${n} ${ms} ms`).join("; ")}`);
  const memory = await page.evaluate(() => window.kmemWasm?.memory?.buffer.byteLength ?? 0);
  if (memory) console.log(`wasm memory after the catalogue: ${(memory / 2 ** 20).toFixed(0)} MiB`);
  assert.deepEqual(failures, []);
  assert.deepEqual(problems, []);
  await close();
});

const stateOf = (c) =>
  `kmem-playground 1\nrelease ${c.kernel}\npreset desktop\n${c.slubDebug ? "debug slub_debug\n" : ""}\n${c.input}`;

/** Opens a script case in the page; the failure, if any. */
async function throughThePage(page, c) {
  const state = stateOf(c);
  const editor = page.getByRole("textbox", { name: "Playground script" });
  if (Buffer.byteLength(state) > MAX_STATE) {
    // Larger than a link may carry: the page takes it neither from a link
    // nor from a file, and says so with the limit (the JS API ran it).
    await page.goto(BASE_URL);
    await editor.waitFor({ timeout: LIMIT_MS });
    await page.getByLabel("Import a script file").setInputFiles({
      name: "hostile.kmem",
      mimeType: "text/plain",
      buffer: Buffer.from(c.input),
    });
    const refused = page.getByRole("alert").filter({ hasText: "is larger than the 256 KiB a script may have" });
    await refused.waitFor({ timeout: LIMIT_MS });
    return null;
  }
  await page.goto(`${BASE_URL}#${fragmentOf(state)}`);
  await editor.waitFor({ timeout: LIMIT_MS });
  // The run is done when the position line or the error list says so.
  await page.locator(".position, .diagnostics, .status.ok").first().waitFor({ timeout: LIMIT_MS });
  await page.waitForTimeout(200);
  if ((await page.locator(".internal-error").count()) > 0)
    return `the page stopped: ${await page.locator(".internal-error pre").textContent()}`;
  if ((await page.locator(".app").count()) === 0) return "a blank page";
  const [what, value] = split(c.expect);
  const text = async (selector) => (await page.locator(selector).allTextContents()).join("\n");
  switch (what) {
    case "ok":
      return (await page.getByText("No errors.").count()) > 0 ? null : `errors shown: ${(await text(".diagnostics")).slice(0, 300)}`;
    case "error": {
      const shown = await text(".diagnostics, .notice");
      return shown.includes(value) ? null : `expected an error with \`${value}\`, the page shows ${shown.slice(0, 300)}`;
    }
    case "log": {
      await page.getByRole("tab", { name: "dmesg & /proc" }).click();
      const log = await text(".views-pane");
      return log.includes(value) ? null : `dmesg lacks \`${value}\``;
    }
    case "outcome": {
      const classes = { Bug: ".step.bug", Oops: ".step.bug", Warn: ".step.warn", Failed: ".step.failed", Refused: ".step.failed" };
      return (await page.locator(classes[value]).count()) > 0 ? null : `no ${value} step in the timeline`;
    }
    default:
      return `unknown expectation ${c.expect}`;
  }
}

/** An `edit` case: the script opens, the person types at the `‸` marker
 * before it runs again, then it runs; the failure, if any. */
async function editInThePage(page, c) {
  const at = c.input.indexOf("‸");
  const script = c.input.replace("‸", "");
  await page.goto(`${BASE_URL}#${fragmentOf(stateOf({ ...c, input: script }))}`);
  const editor = page.getByRole("textbox", { name: "Playground script" });
  await editor.waitFor({ timeout: LIMIT_MS });
  await editor.focus();
  // The marker's offset in UTF-16 code units, as the textarea counts.
  await editor.evaluate((area, at) => area.setSelectionRange(at, at), at);
  await page.keyboard.insertText(c.insert);
  await editor.press("Control+Enter");
  await page.waitForTimeout(300);
  if ((await page.locator(".internal-error").count()) > 0)
    return `the page stopped: ${await page.locator(".internal-error pre").textContent()}`;
  const [what, value] = split(c.expect);
  const shown = (await page.locator(".diagnostics, .status").allTextContents()).join("\n");
  if (what === "ok") return shown.includes("No errors.") ? null : `errors shown: ${shown.slice(0, 300)}`;
  return shown.includes(value) ? null : `expected an error with \`${value}\`, the page shows ${shown.slice(0, 300)}`;
}

test("every hostile script and link opens in the page with its stated outcome", async () => {
  const { page, problems, close } = await openPage(browser);
  const failures = [];
  const times = [];
  for (const c of catalogue().filter((c) => ["script", "link", "edit"].includes(c.kind))) {
    // Each case opens as a first visit: storage is cleared from a page of
    // the same origin that does not run the app (the app saves on leaving).
    await page.goto(new URL("api-example.html", BASE_URL).href);
    await page.evaluate(() => localStorage.clear());
    const started = Date.now();
    let failure;
    try {
      if (c.kind === "link" && c.input.trim() === "") {
        // An empty fragment is no link: the page opens as a first visit.
        await page.goto(BASE_URL);
        await page.getByText("No errors.").waitFor({ timeout: LIMIT_MS });
      } else if (c.kind === "link") {
        await page.goto(`${BASE_URL}#${c.input.trim()}`);
        await page.getByRole("textbox", { name: "Playground script" }).waitFor({ timeout: LIMIT_MS });
        const [what, value] = split(c.expect);
        const notice = (await page.locator(".notice").allTextContents()).join("\n");
        if (what === "error" && !notice.includes(value)) failure = `expected a notice with \`${value}\`, saw ${notice}`;
        if (what === "ok" && notice.includes("could not be opened")) failure = notice;
      } else if (c.kind === "edit") {
        failure = await editInThePage(page, c);
      } else {
        failure = await throughThePage(page, c);
      }
    } catch (e) {
      failure = `${e.message.split("\n")[0]}`;
    }
    const took = Date.now() - started;
    times.push([took, c.name]);
    if (process.env.KMEM_VERBOSE) console.log(`${took} ms ${c.name}${failure ? ` FAILED ${failure.slice(0, 200)}` : ""}`);
    if (failure) failures.push(`${c.name}: ${failure}`);
  }
  times.sort((a, b) => b[0] - a[0]);
  console.log(`slowest cases in the page: ${times.slice(0, 5).map(([ms, n]) => `${n} ${ms} ms`).join("; ")}`);
  assert.deepEqual(failures, []);
  assert.deepEqual(problems, []);
  await close();
});
