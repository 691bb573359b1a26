#!/usr/bin/env node
/**
 * Bundles the browser build with esbuild:
 *   dist/src/browser.js (tsc output)  →  dist/browser/rnnkit.js (+ .map), one ES module
 *   build/rnnkit.wasm, build/rnnkit-relaxed.wasm, build/rnnkit-relaxed-mt.wasm  →  copied beside it (init() fetches them there)
 *   dist/src/kernels/wasm/web-worker.js  →  dist/browser/rnnkit-pool-worker.js (the threads of init({ threads }))
 * usage: node scripts/build-browser.mjs            (run after tsc and scripts/build-wasm.mjs)
 *
 * The build FAILS when anything reachable from src/browser.ts imports a Node builtin (node:fs,
 * fs, path, …), the native addon or a Node-only part of rnnkit (CLI, downloads, native kernels):
 * such an import would bundle here and then break at run time in every browser, so it is caught
 * at build time instead. The output is also scanned for `node:` and `require(` as a last check.
 *
 * esbuild is a devDependency. Without it (an install without dev dependencies) this prints one
 * line and exits 0, so `npm install` still works; the browser bundle is then simply absent.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { builtinModules, createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const entry = join(root, "dist", "src", "browser.js");
const outDir = join(root, "dist", "browser");
const outFile = join(outDir, "rnnkit.js");
const wasmFiles = ["rnnkit.wasm", "rnnkit-relaxed.wasm", "rnnkit-relaxed-mt.wasm"];
// The Web Worker that runs wasm kernels on shared memory (init({ threads }) starts it next to rnnkit.js).
const poolWorker = { entry: join(root, "dist", "src", "kernels", "wasm", "web-worker.js"), out: join(outDir, "rnnkit-pool-worker.js") };

let esbuild;
try {
  esbuild = createRequire(import.meta.url)("esbuild");
} catch {
  console.log("rnnkit: browser bundle not built (esbuild is not installed: it is a devDependency; `npm install --include=dev` brings it)");
  process.exit(0);
}

function fail(msg) {
  console.error(`rnnkit: browser build failed: ${msg}`);
  process.exit(1);
}

if (!existsSync(entry)) fail(`${relative(root, entry)} not found (hint: compile first: npx tsc -p tsconfig.json)`);
for (const f of wasmFiles) if (!existsSync(join(root, "build", f))) fail(`build/${f} not found (hint: node scripts/build-wasm.mjs)`);

// Node builtins, with and without the node: prefix (esbuild resolves `fs` like `node:fs`).
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const isBuiltin = (p) => p.startsWith("node:") || builtins.has(p) || builtins.has(p.split("/")[0]);

// Folders of rnnkit's own tree that are Node-only by design; reaching one is a mistake even if it
// happened not to import a builtin directly.
const nodeOnly = ["dist/src/cli/", "dist/src/kernels/native/", "dist/src/data/download/", "dist/src/kernels/select.js", "dist/src/kernels/wasm/node-host.js"];

/** Turns every forbidden import into a build error that names the importer. */
const guard = {
  name: "rnnkit-browser-guard",
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === "entry-point") return undefined;
      const why = isBuiltin(args.path) ? "a Node.js builtin" : /\.node$/.test(args.path) ? "a native addon" : null;
      if (why) return { errors: [{ text: `"${args.path}" is ${why}; the browser bundle must not import it` }] };
      return undefined;
    });
  },
};

let result;
try {
  const common = { bundle: true, platform: "browser", format: "esm", target: ["es2022"], minify: true, legalComments: "none", logLevel: "silent", plugins: [guard] };
  await esbuild.build({ ...common, entryPoints: [poolWorker.entry], outfile: poolWorker.out });
  result = await esbuild.build({
    entryPoints: [entry],
    outfile: outFile,
    bundle: true,
    platform: "browser",
    format: "esm",
    target: ["es2022"],
    minify: true,
    sourcemap: "linked",
    legalComments: "none",
    metafile: true,
    logLevel: "silent",
    plugins: [guard],
    // csv-parse's Node build uses the Buffer global; its browser build brings its own
    alias: { "csv-parse/sync": "csv-parse/browser/esm/sync" },
  });
} catch (e) {
  const errors = e?.errors ?? [];
  const lines = errors.map((m) => `  ${m.text}${m.location ? ` (${m.location.file}:${m.location.line})` : ""}`);
  fail(lines.length ? `\n${lines.join("\n")}` : String(e?.message ?? e));
}
if (result.warnings.length) console.warn(result.warnings.map((w) => `rnnkit: esbuild warning: ${w.text}`).join("\n"));

const inputs = Object.keys(result.metafile.inputs);
const bad = inputs.filter((p) => nodeOnly.some((n) => p.replaceAll("\\", "/").includes(n)));
if (bad.length) fail(`the bundle reaches Node-only modules:\n  ${bad.join("\n  ")}`);

const code = readFileSync(outFile, "utf8");
for (const needle of ["node:", "require("]) if (code.includes(needle)) fail(`dist/browser/rnnkit.js contains "${needle}" (a Node-only import slipped through)`);

for (const f of wasmFiles) copyFileSync(join(root, "build", f), join(outDir, f));

const kb = (n) => `${(n / 1024).toFixed(0)} KB`;
const wasmSizes = wasmFiles.map((f) => `${f} ${kb(statSync(join(outDir, f)).size)}`).join(", ");
console.log(`rnnkit: browser bundle dist/browser/rnnkit.js ${kb(code.length)} (${kb(gzipSync(code).length)} gzipped, ${inputs.length} modules); ${wasmSizes}`);
