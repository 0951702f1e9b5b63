// kmem playground embed loader. Include it once on a page, from wherever
// the playground is hosted (it finds the playground next to itself):
//
//   <script src="https://example.org/tools/kmem/embed.js" defer></script>
//
// It turns code blocks into embedded playgrounds:
//
// - a hand-written block:
//     <pre class="kmem-playground" data-kernel="6.6" data-panes="timeline,memory"
//          data-readonly data-spoiler>void *p = kmalloc(100, GFP_KERNEL);</pre>
// - a fenced Markdown block, as markdown-it, marked, Hugo, Jekyll and
//   Pandoc write it (<pre><code class="language-kmem">, or a wrapper with
//   class language-kmem), with its options on the block's first line
//     ```kmem
//     // kmem: kernel=6.12 panes=timeline,memory spoiler
//     void *p = kmalloc(100, GFP_KERNEL);
//     ```
//   or in an HTML comment right after the block: <!-- kmem: kernel=6.12 -->.
//
// Options: kernel, machine, uptime (running, booted), debug (slub_debug,
// no_freelist_hardened, ...),
// panes, view, step, theme (light, dark, auto), readonly, spoiler; as data-
// attributes (data-debug takes a space- or comma-separated list) or as
// name=value words (debug=slub_debug,no_freelist_hardened).
//
// The block is hidden and a playground frame follows it (without
// JavaScript it simply stays a code block). The playground reports its
// height and the frame follows it; messages from any other origin or
// window are ignored. Nothing here scrolls or focuses the page.
(() => {
  "use strict";
  const script = document.currentScript;
  if (!script || !window.CompressionStream) return;
  const base = new URL(".", script.src);
  // The playground's own lists (a test checks them against its build).
  const RELEASES = ["6.6", "6.12", "6.1", "4.19"];
  const MACHINES = ["tiny", "small", "desktop", "server"];
  const PANES = ["timeline", "memory", "addresses", "translate", "gfp", "kernel"];
  const DEBUG = ["slub_debug", "random_kmalloc_caches", "debug_atomic_sleep", "freelist_hardened"];
  const THEMES = ["auto", "light", "dark"];
  const UPTIMES = ["running", "booted"];
  const frames = new Set();
  const warn = (block, text) => console.warn(`kmem playground: ${text} (in the block starting “${block.slice(0, 40)}”)`);

  // What a browser makes of `&name` with no `;` in text: the legacy
  // entities whose names start C identifiers (&param, &notifier, &copy_to).
  const LEGACY = {
    "¶": "para", "¬": "not", "©": "copy", "®": "reg", "×": "times", "÷": "divide", "§": "sect",
    "°": "deg", "µ": "micro", "¢": "cent", "£": "pound", "¥": "yen", "¤": "curren", "±": "plusmn",
    "ð": "eth", "þ": "thorn", "ß": "szlig", "ª": "ordf", "º": "ordm", "¦": "brvbar", "¯": "macr",
    "·": "middot", "¸": "cedil", "¨": "uml", "«": "laquo", "»": "raquo", "¡": "iexcl", "¿": "iquest",
  };

  // Warns when a hand-written block's text looks mangled by the HTML parser.
  function checkHtml(pre, text) {
    const entity = new RegExp(`(^|[^\\p{L}\\p{N}_])([${Object.keys(LEGACY).join("")}])([A-Za-z0-9_]*)`, "u").exec(text);
    if (entity) {
      const [, , char, rest] = entity;
      warn(text, `the text looks mangled by HTML: “${char}${rest}” is what a browser makes of “&${LEGACY[char]}${rest}”; in hand-written HTML write & as &amp;`);
    }
    const tag = pre.querySelector("*");
    if (tag && pre.classList.contains("kmem-playground")) {
      warn(text, `the block holds an HTML element <${tag.localName}>: a < in hand-written HTML must be written &lt; (an #include <linux/${tag.localName}...> is read as a tag)`);
    }
  }

  // The code blocks to embed, each once.
  function blocks() {
    const found = new Set(document.querySelectorAll("pre.kmem-playground"));
    for (const code of document.querySelectorAll("pre > code.language-kmem, pre > code.lang-kmem, .language-kmem pre > code, pre.kmem > code")) {
      found.add(code.closest("pre"));
    }
    return [...found].filter((pre) => !pre.hasAttribute("data-kmem-embedded"));
  }

  // The element a fenced block's renderer wrapped around the <pre> (Hugo's
  // div.highlight, Jekyll's div.language-kmem): hidden with it.
  function outer(pre) {
    let box = pre;
    while (
      box.parentElement?.localName === "div" &&
      box.parentElement.children.length === 1 &&
      /\b(highlight|highlighter-rouge|language-kmem|sourceCode)\b/.test(box.parentElement.className)
    ) {
      box = box.parentElement;
    }
    return box;
  }

  // `name=value` and bare words into an options object.
  function words(text, into) {
    for (const word of text.trim().split(/\s+/).filter(Boolean)) {
      const at = word.indexOf("=");
      if (at < 0) into[word] = "";
      else into[word.slice(0, at)] = word.slice(at + 1).replace(/^["']|["']$/g, "");
    }
    return into;
  }

  const OPTION = /^\s*(?:\/\/|\/\*)\s*kmem:\s*(.*?)\s*(?:\*\/)?\s*$/;

  // The options of a block and its script: data attributes, then the
  // first-line comment, then a comment after the block.
  function read(pre, box) {
    const options = {};
    for (const element of [pre, pre.querySelector("code")].filter(Boolean)) {
      for (const [name, value] of Object.entries(element.dataset)) options[name] = value;
    }
    let text = pre.textContent;
    const first = text.split("\n", 1)[0];
    const line = OPTION.exec(first);
    if (line) {
      words(line[1], options);
      text = text.slice(first.length + 1);
    }
    let next = box.nextSibling;
    while (next && next.nodeType === Node.TEXT_NODE && !next.textContent.trim()) next = next.nextSibling;
    const comment = next?.nodeType === Node.COMMENT_NODE && /^\s*kmem:?\s([\s\S]*)$/.exec(next.textContent);
    if (comment) words(comment[1], options);
    return { options, text };
  }

  // One option, checked against what the playground knows.
  function choose(options, name, allowed, fallback, text) {
    const value = options[name];
    if (value === undefined || allowed.includes(value)) return value ?? fallback;
    warn(text, `unknown ${name} “${String(value).slice(0, 40)}” (one of ${allowed.join(", ")}); ${fallback} is used`);
    return fallback;
  }

  function list(options, name, allowed, text) {
    const items = (options[name] ?? "").split(/[\s,]+/).filter(Boolean);
    for (const item of items.filter((i) => !allowed(i))) warn(text, `unknown ${name} “${item.slice(0, 40)}”, left out`);
    return items.filter(allowed);
  }

  // The playground's state (share.rs's text form) for a block.
  function stateOf(options, text) {
    const panes = list(options, "panes", (p) => PANES.includes(p), text);
    if (!panes.length) panes.push("timeline");
    const debug = list(options, "debug", (d) => DEBUG.includes(d.replace(/^no_/, "")), text);
    const view = choose(options, "view", panes, panes[0], text);
    const theme = choose(options, "theme", THEMES, "auto", text);
    const embed = [`panes=${panes.join(",")}`];
    if ("readonly" in options) embed.push("readonly");
    if ("spoiler" in options) embed.push("spoiler");
    if (theme !== "auto") embed.push(`theme=${theme}`);
    const header = [
      "kmem-playground 1",
      `release ${choose(options, "kernel", RELEASES, RELEASES[0], text)}`,
      // A small machine unless the block names one: a post with several
      // embeds stays light (a 1 GiB machine's memory map is 4.5 MiB, the
      // desktop's 36 MiB).
      `preset ${choose(options, "machine", MACHINES, "small", text)}`,
      `uptime ${choose(options, "uptime", UPTIMES, UPTIMES[0], text)}`,
    ];
    if (debug.length) header.push(`debug ${debug.join(" ")}`);
    if (/^\d{1,6}$/.test(options.step ?? "")) header.push(`step ${options.step}`);
    else if (options.step !== undefined) warn(text, `step “${String(options.step).slice(0, 40)}” is not a step number, left out`);
    header.push(`view ${view}`, `embed ${embed.join(" ")}`);
    return header.join("\n") + "\n\n" + text;
  }

  async function fragmentOf(text) {
    const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("deflate-raw"));
    const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
    let binary = "";
    for (const b of bytes) binary += String.fromCharCode(b);
    return "v1." + btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  async function embed(pre, index) {
    pre.setAttribute("data-kmem-embedded", "");
    const box = outer(pre);
    const { options, text } = read(pre, box);
    checkHtml(pre, text);
    const frame = document.createElement("iframe");
    frame.src = new URL(`#${await fragmentOf(stateOf(options, text))}`, base).href;
    // Distinct titles: a screen reader's list of frames tells them apart.
    const first = text.split("\n").find((l) => l.trim() && !l.trim().startsWith("//")) ?? "";
    frame.title = `kmem playground ${index + 1}: ${first.trim().slice(0, 60)}`;
    frame.loading = "lazy";
    frame.className = "kmem-playground-frame";
    frame.style.cssText = "display:block;width:100%;max-width:100%;height:360px;border:1px solid #ccc;border-radius:6px";
    frame.setAttribute("sandbox", "allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox");
    frames.add(frame);
    box.hidden = true;
    box.after(frame);
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

  const start = () => blocks().forEach((pre, index) => embed(pre, index));
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
