// Prints `./x bench`'s one table from the lines the benchmarks printed:
// criterion benches' `RESULT …` lines and the browser suite's `# bench …`
// lines, each beside its reference or target.
//
//   node web/bench-table.mjs FILE
import { readFileSync } from "node:fs";

const text = readFileSync(process.argv[2], "utf8");
const rows = [];
const row = (measure, value, reference, verdict = "") => rows.push([measure, value, reference, verdict]);

for (const line of text.split("\n")) {
  const result = line.match(/RESULT (.*)$/);
  if (result) {
    const r = result[1];
    let m;
    if ((m = r.match(/orders 0-3.*?kmem ([\d.]+) M pairs\/s, buddy_system_allocator ([\d.]+) M pairs\/s/))) {
      const ratio = Number(m[1]) / Number(m[2]);
      row("page allocator, random orders 0–3 (M pairs/s)", m[1], `buddy_system_allocator ${m[2]}`, `${ratio.toFixed(2)}× (target ≥ 2×)`);
    } else if ((m = r.match(/order-0.*?kmem ([\d.]+) M pairs\/s.*?buddy_system_allocator ([\d.]+)/))) {
      row("page allocator, order-0 pairs (M/s)", m[1], `buddy_system_allocator ${m[2]}`, `${(Number(m[1]) / Number(m[2])).toFixed(2)}×`);
    } else if ((m = r.match(/kfree\+kmalloc.*?kmem ([\d.]+) M pairs\/s.*?glibc ([\d.]+)/))) {
      row("kmalloc + kfree (M pairs/s)", m[1], `glibc malloc/free ${m[2]}`, `${(Number(m[1]) / Number(m[2])).toFixed(2)}× (target ≥ 1×)`);
    } else if ((m = r.match(/replay of a (\d+)-call script.*?: ([\d.]+) ms per parse and run/))) {
      row(`replay of ${m[1]} calls (ms)`, m[2], "target ≤ 10", Number(m[2]) <= 10 ? "met" : "missed");
    } else {
      const [measure, value] = r.split(/: (.*)/);
      row(measure, value ?? "", "", "");
    }
  }
  const bench = line.match(/# bench (\S+) (?:(\S+=\S+) )?([\d.-]+)$/);
  if (bench) {
    const [, name, what, value] = bench;
    if (name === "keystroke-to-render-ms") row(`keystroke to render, ${what} (ms)`, value, "target ≤ 16 (1,000 calls)", what === "calls=1000" ? (Number(value) <= 16 ? "met" : "missed") : "");
    else if (name === "map-redraw-ms") row(`memory-map redraw, ${what} (ms)`, value, "target ≤ 8 (2 M frames)", "");
    else if (name === "wasm-memory-mib") row(`wasm memory, ${what} (MiB)`, value, "", "");
    else if (name === "editor-ready-ms") row("navigation to an interactive editor (ms)", value, "", "");
  }
  const total = line.match(/^total\s+(\d+)\s+(\d+)$/);
  if (total) row("app bytes, raw / gzipped", `${total[1]} / ${total[2]}`, "target ≤ 200 KB gzipped", Number(total[2]) <= 200 * 1024 ? "met" : "missed");
}

const widths = [0, 1, 2, 3].map((i) => Math.max(...[["measure", "value", "reference", "verdict"], ...rows].map((r) => String(r[i]).length)));
const fmt = (r) => `| ${r.map((c, i) => String(c).padEnd(widths[i])).join(" | ")} |`;
console.log(fmt(["measure", "value", "reference", "verdict"]));
console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
for (const r of rows) console.log(fmt(r));
