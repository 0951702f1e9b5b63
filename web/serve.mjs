// A static file server for the built playground (dist/), used by `./x serve`
// and by the browser tests. Loopback only; no directory listings.
//
//   node web/serve.mjs DIR [PORT] [HOST] [--under /PATH/]
//
// With --under, DIR is served under that path only (as a project page, a
// ~user page or a blog's /tools/kmem/ would be) and everything else is
// 404, so that a page asking for a file at the root shows it.
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, resolve, sep } from "node:path";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
};

const args = process.argv.slice(2);
const underAt = args.indexOf("--under");
const under = underAt < 0 ? "/" : args.splice(underAt, 2)[1];
const [dirArg, portArg = "8080", host = "127.0.0.1"] = args;
if (!dirArg || !under?.startsWith("/") || !under.endsWith("/")) {
  console.error("usage: node web/serve.mjs DIR [PORT] [HOST] [--under /PATH/]");
  process.exit(2);
}
const root = resolve(dirArg);

const server = createServer(async (req, res) => {
  try {
    const url = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (url === under.slice(0, -1)) {
      res.writeHead(301, { Location: under }).end();
      return;
    }
    if (!url.startsWith(under)) {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
      return;
    }
    let file = normalize(join(root, url.slice(under.length)));
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403).end("forbidden");
      return;
    }
    if ((await stat(file).catch(() => null))?.isDirectory()) {
      file = join(file, "index.html");
    }
    const body = await readFile(file);
    res.writeHead(200, {
      "Content-Type": TYPES[extname(file)] ?? "application/octet-stream",
      "Cache-Control": "no-cache",
    });
    res.end(req.method === "HEAD" ? undefined : body);
  } catch {
    res.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
  }
});

server.on("error", (err) => {
  console.error(`serve.mjs: cannot listen on ${host}:${portArg}: ${err.message}`);
  process.exit(1);
});
server.listen(Number(portArg), host, () => {
  const { port } = server.address();
  console.log(`Serving ${root} at http://${host}:${port}${under}`);
});
