#!/usr/bin/env node
/**
 * Serves a folder (default: dist/playground, what `npm install` builds) on 127.0.0.1 as a
 * cross-origin-isolated static site: every response carries
 *   Cross-Origin-Opener-Policy: same-origin, Cross-Origin-Embedder-Policy: require-corp
 * so that SharedArrayBuffer exists and the training worker can use several wasm threads.
 * usage: node examples/playground/serve.mjs [--port 8080] [--dir dist/playground] [--no-isolation]
 *        (npm run playground does the first). --port 0 picks a free port.
 * Also importable: startServer({ dir, port, isolated }) → { url, close() } (the browser tests use it).
 */
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".map": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".safetensors": "application/octet-stream",
};

/** Start serving `dir`; resolves when listening. */
export function startServer({ dir = join(root, "dist", "playground"), port = 0, isolated = true, host = "127.0.0.1" } = {}) {
  const base = resolve(dir);
  if (!existsSync(join(base, "index.html"))) throw new Error(`${base}/index.html not found (hint: npm run build, or node scripts/build-playground.mjs)`);
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    let file = normalize(join(base, path));
    if (file !== base && !file.startsWith(base + sep)) {
      res.writeHead(403).end("forbidden");
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, "index.html");
    if (!existsSync(file)) {
      res.writeHead(404, { "content-type": "text/plain" }).end(`not found: ${path}`);
      return;
    }
    const headers = { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "content-length": String(statSync(file).size), "cache-control": "no-cache" };
    if (isolated) Object.assign(headers, { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp", "cross-origin-resource-policy": "same-origin" });
    res.writeHead(200, headers);
    if (req.method === "HEAD") res.end();
    else createReadStream(file).pipe(res);
  });
  return new Promise((ok, fail) => {
    server.once("error", fail);
    server.listen(port, host, () => {
      const a = server.address();
      ok({ url: `http://${host}:${a.port}/`, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const arg = (name, dflt) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : dflt;
  };
  const s = await startServer({ dir: arg("--dir", undefined), port: Number(arg("--port", "8080")), isolated: !process.argv.includes("--no-isolation") });
  console.log(`rnnkit playground: ${s.url}  (cross-origin isolated: ${!process.argv.includes("--no-isolation")}; Ctrl-C stops)`);
}
