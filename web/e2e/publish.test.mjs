// The README's "Publish it" steps, followed as a person would: in a clean
// copy of the repository (its files as they are, nothing built), run the
// commands of the block after the `publish-steps` marker, then open the
// address it names. The copy shares this checkout's cargo target folder,
// so only the workspace's own crates are compiled again.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { launch, openPage } from "./browser.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The README's publish commands and the address it says to open. */
function publishSteps() {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const at = readme.indexOf("<!-- publish-steps");
  assert.ok(at >= 0, "README.md has no publish-steps marker");
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(at))[1];
  const open = /^# open (http\S+)$/m.exec(block)?.[1];
  const commands = block
    .split("\n")
    .map((line) => line.replace(/\s+#.*$/, "").trim())
    .filter((line) => line && !line.startsWith("#"));
  return { commands, open };
}

/** A copy of the repository's files (tracked and new, not ignored ones). */
function cleanCopy() {
  const copy = join(ROOT, "target", "publish-check");
  rmSync(copy, { recursive: true, force: true });
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: ROOT })
    .toString()
    .split("\0")
    .filter(Boolean);
  for (const file of files) {
    mkdirSync(join(copy, file, ".."), { recursive: true });
    // Kept times: cargo sees unchanged sources as unchanged.
    cpSync(join(ROOT, file), join(copy, file), { preserveTimestamps: true });
  }
  return copy;
}

test("the README's publish steps, from a clean copy: build, serve under a sub-path, open", async () => {
  const { commands, open } = publishSteps();
  assert.equal(commands.length, 2, commands.join("\n"));
  assert.ok(open, "the steps name the address to open");
  const copy = cleanCopy();
  const env = { ...process.env, CARGO_TARGET_DIR: join(ROOT, "target") };
  execFileSync("bash", ["-c", commands[0]], { cwd: copy, env, stdio: ["ignore", "inherit", "inherit"] });

  // The serve command, on a free port instead of the README's 8080.
  const port = new URL(open).port;
  const server = spawn("bash", ["-c", `exec ${commands[1].replace(` ${port} `, " 0 ")}`], { cwd: copy, stdio: ["ignore", "pipe", "inherit"] });
  const browser = await launch();
  try {
    const served = await new Promise((resolve, reject) => {
      server.stdout.on("data", (chunk) => {
        const url = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(String(chunk));
        if (url) resolve(url[1]);
      });
      server.on("exit", (code) => reject(new Error(`the serve command exited with ${code}`)));
    });
    const url = new URL(open);
    url.port = served;
    const { page, problems, close } = await openPage(browser);
    await page.goto(url.href);
    await page.locator(".steps > li").nth(1).waitFor({ timeout: 30000 });
    assert.match(await page.locator(".steps > li").nth(1).textContent(), /vmalloc\(SZ_1M\)/);
    // The loader next to it.
    const loader = await page.evaluate(async () => (await fetch("embed.js")).status);
    assert.equal(loader, 200);
    assert.deepEqual(problems, []);
    await close();
  } finally {
    await browser.close();
    server.kill();
  }
});
