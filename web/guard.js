// The playground's last line of defence, loaded before its WebAssembly.
//
// A Rust panic (reported here by the panic hook through
// window.kmemInternalError) and a WebAssembly trap (a stack overflow, a
// failed allocation: no Rust code sees those) both leave a page that looks
// alive but no longer runs or saves anything. This script, plain JS that
// needs nothing from the module, then says so, keeps the person's script
// (also what they type afterwards) in localStorage, and offers to copy the
// report and to reload with the script, which the playground then opens
// without running it.
(() => {
  "use strict";
  const RESCUE = "kmem-playground.rescue";
  const AUTOSAVE = "kmem-playground.autosave";
  const reports = [];
  let panel = null;

  // The page's kind, set by the app once it has drawn; before that, a
  // framed page is taken for an embed. Only the full playground keeps a
  // script (an embed or a quiz is the author's text, not the reader's).
  const mode = () => document.body?.dataset.kmemMode ?? (window.parent !== window ? "embed" : "playground");
  const editor = () => document.getElementById("script");

  // The editor's script; before the editor was drawn (the stop came while
  // opening the saved work, which may be what stops it), the autosave's.
  function script() {
    const area = editor();
    if (area) return area.value;
    const saved = localStorage.getItem(AUTOSAVE);
    const end = saved && /\r?\n\r?\n/.exec(saved);
    return end ? saved.slice(end.index + end[0].length) : null;
  }

  function keepScript() {
    if (mode() !== "playground") return false;
    try {
      const text = script();
      if (text === null) return false;
      localStorage.setItem(RESCUE, text);
      return true;
    } catch {
      return false;
    }
  }

  function describe(error, fallback) {
    if (error instanceof Error) return `${error.name}: ${error.message}\n${error.stack ?? ""}`.trim();
    return String(error ?? fallback ?? "unknown error");
  }

  function button(text, onclick) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    b.addEventListener("click", onclick);
    return b;
  }

  function report() {
    return [
      ...reports,
      `page: ${location.origin}${location.pathname} (${mode()})`,
      `browser: ${navigator.userAgent}`,
    ].join("\n\n");
  }

  function show(text) {
    reports.push(text);
    const kept = keepScript();
    if (panel) {
      panel.querySelector("pre").textContent = report();
      return;
    }
    document.body?.setAttribute("data-kmem-crashed", "");
    // The page shown while the module loaded, if the stop came first.
    const waiting = document.querySelector("#boot .boot-status");
    if (waiting) waiting.textContent = "The playground stopped before it could start.";
    panel = document.createElement("section");
    panel.className = "internal-error";
    panel.setAttribute("role", "alert");
    panel.setAttribute("aria-label", "Internal error");
    const title = document.createElement("h2");
    title.textContent = "The playground stopped: an internal error";
    const what = document.createElement("p");
    what.textContent =
      "This is a bug in the playground, not in your script. The page no longer runs scripts or saves work. " +
      (kept
        ? "Your script is kept: “Reload with my script” opens it again without running it."
        : "Reload the page to go on.") +
      " The report below helps fix the bug.";
    const pre = document.createElement("pre");
    pre.textContent = report();
    const copy = button("Copy the report", async () => {
      try {
        await navigator.clipboard.writeText(report());
        copy.textContent = "Report copied";
      } catch {
        getSelection()?.selectAllChildren(pre);
        copy.textContent = "Selected: press Ctrl+C";
      }
    });
    const reload = button(kept ? "Reload with my script" : "Reload", () => {
      if (keepScript()) {
        // Without the fragment: a link that stopped the page is not
        // opened again.
        location.replace(location.pathname + location.search);
      } else {
        location.reload();
      }
    });
    const actions = document.createElement("p");
    actions.append(copy, " ", reload);
    panel.append(title, what, actions, pre);
    document.body?.prepend(panel);
  }

  // What is typed after the stop is kept too.
  document.addEventListener("input", (e) => {
    if (panel && e.target === editor()) keepScript();
  });

  // Only what stops the module counts: a trap, or an error thrown by the
  // page's own scripts (a panic ends in a trap). A refused clipboard write
  // or an extension's error is not a stop.
  // A module that never arrived (a file missing from the host) is not a
  // stop: the page shown while it loads (web/boot.js) says what failed.
  const loading = () => document.getElementById("boot") !== null;
  const fromUs = (error) =>
    error instanceof WebAssembly.RuntimeError ||
    (!loading() && error instanceof Error && String(error.stack ?? "").includes(location.origin));
  window.kmemInternalError = (text) => show(`panic: ${text}`);
  window.addEventListener("error", (e) => {
    const ours = fromUs(e.error) || (!loading() && typeof e.filename === "string" && e.filename.startsWith(location.origin));
    if (ours) show(describe(e.error, e.message));
  });
  window.addEventListener("unhandledrejection", (e) => {
    if (fromUs(e.reason)) show(describe(e.reason));
  });
})();
