// The JS API in a real browser: the example page works, values are hex
// strings or BigInt (never lossy numbers), and mistakes are Errors.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE_URL, launch, openPage } from "./browser.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test("the JS API example page runs a script, decodes a mask and translates an address", async () => {
  const { page, problems, close } = await openPage(browser);
  await page.goto(new URL("api-example.html", BASE_URL).href);
  await page.waitForFunction(() => !document.getElementById("out").textContent.startsWith("loading"), null, { timeout: 20000 });
  const out = await page.locator("#out").textContent();
  assert.match(out, /^kernel 6\.6\.57: 2 calls$/m);
  assert.match(out, /kmalloc\(100, 0xcc0\(GFP_KERNEL\)\) = 0xffff888[0-9a-f]+ {2}\(128-byte object of kmalloc-128/);
  assert.match(out, /^GFP_KERNEL on 4\.19: 0x6000c0\(GFP_KERNEL\)$/m);
  assert.match(out, /^v \+ 5000 = 0xffffc90000001388 -> 0x[0-9a-f]+388 \(vmalloc: true, \d+ steps\)$/m);
  assert.match(out, /pages=16 vmalloc N0=16/);
  assert.match(out, /an Error: error: expected `;` after the declaration/);
  // No page app was mounted.
  assert.equal(await page.locator(".app").count(), 0);

  const types = await page.evaluate(async () => {
    const { KmemKernel, decodeGfp } = await import("./kmem-api.js");
    const kernel = new KmemKernel({ kernel: "4.19", machine: "tiny" });
    const trace = kernel.run("void *p = kmalloc(8, GFP_KERNEL);\nx = p;\n");
    const step = trace.steps[0];
    const errors = [];
    for (const bad of [() => decodeGfp("GFP_KERNAL"), () => new KmemKernel({ kernel: "2.6" }), () => kernel.translate("nosuch")]) {
      try {
        bad();
        errors.push("no error");
      } catch (e) {
        errors.push(`${e instanceof Error}: ${e.message}`);
      }
    }
    return {
      value: typeof step.value,
      address: typeof step.event.value.Address,
      variables: trace.variables,
      seq: typeof step.event.seq,
      errors,
    };
  });
  assert.equal(types.value, "string");
  assert.equal(types.address, "string");
  assert.equal(types.variables[0][0], "p");
  assert.match(types.variables[0][1], /^0xffff88/);
  assert.equal(types.seq, "number", "small counters stay numbers");
  assert.match(types.errors[0], /^true: unknown GFP flag `GFP_KERNAL` \(did you mean `GFP_KERNEL`\?\)/);
  assert.match(types.errors[1], /^true: kernel 2\.6 is not simulated/);
  assert.equal(types.errors[2], "true: `nosuch` is not defined");
  assert.deepEqual(problems, []);
  await close();
});
