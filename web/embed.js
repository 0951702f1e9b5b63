// kmem playground embed loader. Include it once on a page:
//
//   <script src="https://…/embed.js" defer></script>
//   <pre class="kmem-playground" data-kernel="6.6" data-panes="timeline,memory"
//        data-readonly data-spoiler>void *p = kmalloc(100, GFP_KERNEL);</pre>
//
// Each such code block gets an embedded playground after it (the block is
// hidden; without JavaScript it simply stays a code block). The playground
// reports its height and the frame follows it; messages from any other
// origin or window are ignored.
(() => {
  "use strict";
  const script = document.currentScript;
  if (!script || !window.CompressionStream) return;
  const base = new URL(".", script.src);
  const RELEASES = ["6.6", "6.12", "4.19"];
  const MACHINES = ["tiny", "small", "desktop", "server"];
  const PANES = ["timeline", "memory", "addresses", "translate", "gfp", "kernel"];
  const frames = new Set();

  const pick = (value, allowed, fallback) => (allowed.includes(value) ? value : fallback);

  async function fragmentOf(text) {
    const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("deflate-raw"));
    const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
    let binary = "";
    for (const b of bytes) binary += String.fromCharCode(b);
    return "v1." + btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  async function embed(pre) {
    const data = pre.dataset;
    const panes = (data.panes || "timeline")
      .split(",")
      .map((p) => p.trim())
      .filter((p) => PANES.includes(p));
    const words = [`panes=${panes.join(",") || "timeline"}`];
    if ("readonly" in data) words.push("readonly");
    if ("spoiler" in data) words.push("spoiler");
    const state =
      "kmem-playground 1\n" +
      `release ${pick(data.kernel, RELEASES, "6.6")}\n` +
      `preset ${pick(data.machine, MACHINES, "desktop")}\n` +
      `view ${panes[0] || "timeline"}\n` +
      `embed ${words.join(" ")}\n\n` +
      pre.textContent;
    const frame = document.createElement("iframe");
    frame.src = new URL(`#${await fragmentOf(state)}`, base).href;
    frame.title = "kmem playground";
    frame.loading = "lazy";
    frame.className = "kmem-playground-frame";
    frame.style.cssText = "display:block;width:100%;height:360px;border:1px solid #ccc;border-radius:6px";
    frame.setAttribute("sandbox", "allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox");
    frames.add(frame);
    pre.hidden = true;
    pre.after(frame);
  }

  window.addEventListener("message", (event) => {
    if (event.origin !== base.origin) return;
    const message = event.data;
    if (!message || message.type !== "kmem-playground:size" || !Number.isFinite(message.height)) return;
    for (const frame of frames) {
      if (frame.contentWindow === event.source) {
        frame.style.height = `${Math.min(4000, Math.max(120, Math.ceil(message.height)))}px`;
      }
    }
  });

  const start = () => document.querySelectorAll("pre.kmem-playground").forEach((pre) => embed(pre));
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
