// Trunk post-build hook:
// - puts the hash of the one inline script Trunk writes (the module that
//   loads the wasm) into the page's Content-Security-Policy, so that no
//   other inline script can run;
// - writes kmem-api.js, a stable name for this build's hashed JS module,
//   for pages that use the JS API;
// - puts the default script (web/default-script.kmem, the one the app
//   opens with) into the page drawn before the module runs.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error("csp.mjs: TRUNK_STAGING_DIR is not set (run by trunk build)");
  process.exit(1);
}
const file = join(dir, "index.html");
const html = readFileSync(file, "utf8");
const scripts = [...html.matchAll(/<script type="module">([\s\S]*?)<\/script>/g)];
if (scripts.length !== 1) {
  console.error(`csp.mjs: expected one inline module script, found ${scripts.length}`);
  process.exit(1);
}
const hash = createHash("sha256").update(scripts[0][1], "utf8").digest("base64");
if (!html.includes("'sha256-TRUNK_LOADER'")) {
  console.error("csp.mjs: the CSP placeholder 'sha256-TRUNK_LOADER' is missing from index.html");
  process.exit(1);
}
if (!html.includes(">BOOT_SCRIPT</pre>")) {
  console.error("postbuild.mjs: the boot script placeholder BOOT_SCRIPT is missing from index.html");
  process.exit(1);
}
const defaultScript = readFileSync(new URL("default-script.kmem", import.meta.url), "utf8")
  .replace(/&/g, "&amp;")
  .replace(/</g, "&lt;")
  .replace(/>/g, "&gt;");
writeFileSync(
  file,
  html
    .replace("'sha256-TRUNK_LOADER'", `'sha256-${hash}'`)
    .replace(">BOOT_SCRIPT</pre>", () => `>${defaultScript}</pre>`),
);

const glue = readdirSync(dir).find((name) => /^kmem-web-[0-9a-f]+\.js$/.test(name));
if (!glue) {
  console.error("postbuild.mjs: no kmem-web-<hash>.js in the build");
  process.exit(1);
}
const wasm = glue.replace(/\.js$/, "_bg.wasm");
writeFileSync(
  join(dir, "kmem-api.js"),
  [
    "// The kmem playground JS API: a stable name for this build's module.",
    "// Call the default export once (it loads the wasm), then use the API.",
    `import init from "./${glue}";`,
    `export * from "./${glue}";`,
    `export default (options) => init(options ?? { module_or_path: new URL("./${wasm}", import.meta.url) });`,
    "",
  ].join("\n"),
);
