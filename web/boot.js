// The page before the playground's module runs: plain JS over the plain
// HTML of index.html's #boot, so that a visit shows its script at once
// (the link's, the saved one, or the default) and the module only adds
// the rest. The app removes #boot when it draws. If the module cannot
// load (a file missing from the host, a blocked .wasm), it says so here.
(() => {
  "use strict";
  const boot = document.getElementById("boot");
  if (!boot) return;
  const status = boot.querySelector(".boot-status");
  const scriptBox = document.getElementById("boot-script");
  const AUTOSAVE = "kmem-playground.autosave";
  // As share.rs reads links: at most this many bytes of state.
  const MAX_STATE = 256 * 1024;
  const framed = window.parent !== window;

  // An embed's frame follows its content's height (web/embed.js).
  function reportSize() {
    if (!framed || !document.getElementById("boot")) return;
    const height = Math.ceil(document.body.getBoundingClientRect().height);
    window.parent.postMessage({ type: "kmem-playground:size", height }, "*");
  }

  // A state's text form: its header lines and its script.
  function split(text) {
    const end = /\r?\n\r?\n/.exec(text);
    return end ? [text.slice(0, end.index), text.slice(end.index + end[0].length)] : [text, ""];
  }

  async function inflate(payload) {
    const base64 = payload.replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const reader = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw")).getReader();
    const parts = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > MAX_STATE) {
        reader.cancel();
        throw new Error("too large");
      }
      parts.push(value);
    }
    return new TextDecoder("utf-8", { fatal: true }).decode(await new Blob(parts).arrayBuffer());
  }

  function show(state) {
    const [header, script] = split(state);
    const lines = header.split(/\r?\n/);
    if (!lines[0]?.startsWith("kmem-playground ")) return;
    scriptBox.textContent = script;
    const release = lines.find((l) => l.startsWith("release "))?.slice(8);
    const embed = lines.find((l) => l.startsWith("embed "));
    if (embed) {
      boot.classList.add("embed");
      // The author's theme, as the app will draw it.
      const theme = /\btheme=(dark|light)\b/.exec(embed)?.[1];
      if (theme) boot.classList.add(`theme-${theme}`);
      boot.querySelector(".boot-title").textContent = `kmem playground · Linux ${release ?? ""}`.trim();
    }
    reportSize();
  }

  async function start() {
    const fragment = location.hash.slice(1);
    if (fragment.startsWith("quiz=")) {
      scriptBox.hidden = true;
      status.textContent = "Loading the quiz…";
      return;
    }
    if (fragment.startsWith("v1.")) {
      try {
        show(await inflate(fragment.slice(3)));
      } catch {
        // The playground says what is wrong with the link.
      }
      return;
    }
    try {
      const saved = localStorage.getItem(AUTOSAVE);
      if (saved) show(saved);
    } catch {
      // No storage: the default script stays.
    }
  }

  // A module or wasm that does not arrive leaves the page saying so.
  function failed(what) {
    if (!document.getElementById("boot")) return;
    boot.classList.add("failed");
    status.setAttribute("role", "alert");
    status.textContent =
      `The playground could not start: ${what}. ` +
      "If you host it, serve every file of the built folder from one directory (the .wasm as application/wasm).";
  }
  const loadError = (error) => {
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    if (/fetch|import|WebAssembly|wasm|MIME/i.test(text)) failed(text);
  };
  window.addEventListener(
    "error",
    (e) => {
      const element = e.target;
      if (element instanceof HTMLScriptElement || (element instanceof HTMLLinkElement && element.rel === "modulepreload")) {
        failed(`${element.src || element.href || "its loader script"} did not load`);
      } else if (e instanceof ErrorEvent) {
        // The loader's top-level await: a wasm that did not arrive.
        loadError(e.error ?? e.message);
      }
    },
    true,
  );
  window.addEventListener("unhandledrejection", (e) => loadError(e.reason));

  reportSize();
  start();
})();
