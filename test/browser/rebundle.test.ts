/**
 * `rnnkit/browser` re-bundled by a user's bundler — here esbuild, as a classic-script IIFE, the
 * format where `import.meta` is empty. The page then says where rnnkit.wasm is (`init({ wasm })`),
 * and everything must work from there: the bundle must not fail on `import.meta.url` at load or in
 * `init` before it looks at `wasm`.
 *
 * The IIFE runs in this Node process like a <script> would run in a page (vm.runInThisContext),
 * and is checked against the reference backend on the shipped IMDB model.
 * Needs esbuild (a devDependency) and the browser build: skipped without them, failing under CI=true.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runInThisContext } from "node:vm";
import type * as Browser from "../../src/browser.js";
import { REPO_ROOT } from "../helpers/shared.js";

const bundlePath = join(REPO_ROOT, "dist", "browser", "rnnkit.js");
const modelPath = join(REPO_ROOT, "models", "imdb-bilstm", "model.safetensors");

interface Esbuild {
  build(o: Record<string, unknown>): Promise<{ outputFiles?: Array<{ text: string }> }>;
}
let esbuild: Esbuild | null = null;
try {
  esbuild = createRequire(import.meta.url)("esbuild") as Esbuild;
} catch {
  esbuild = null;
}
const missing = esbuild === null ? "esbuild is not installed (a devDependency)" : !existsSync(bundlePath) ? `${bundlePath} not built (run npm install)` : null;
if (missing && process.env.CI === "true") test("re-bundle prerequisites (CI)", () => assert.fail(missing));

/** `rnnkit/browser`, resolved through node_modules like in a user's project, bundled by esbuild as an IIFE. */
async function iife(): Promise<typeof Browser> {
  const project = mkdtempSync(join(tmpdir(), "rnnkit-rebundle-"));
  try {
    mkdirSync(join(project, "node_modules"));
    symlinkSync(REPO_ROOT, join(project, "node_modules", "rnnkit"), "dir");
    const out = await esbuild!.build({
      stdin: { contents: 'export * from "rnnkit/browser";', resolveDir: project, loader: "js" },
      bundle: true,
      format: "iife",
      globalName: "rnnkitIife",
      platform: "browser",
      write: false,
      logLevel: "silent",
    });
    const code = out.outputFiles?.[0]?.text;
    assert.ok(code, "esbuild wrote no output");
    runInThisContext(code, { filename: "rnnkit-iife.js" });
    return (globalThis as unknown as { rnnkitIife: typeof Browser }).rnnkitIife;
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}

test("rnnkit/browser bundled as an IIFE: init({ wasm: bytes }) runs the wasm kernels; init() without a location says what to pass", { skip: missing ?? false }, async (t) => {
  const rk = await iife();
  const wasmBytes = readFileSync(join(REPO_ROOT, "dist", "browser", "rnnkit.wasm"));
  const r = await rk.init({ wasm: wasmBytes, backend: "wasm" });
  assert.equal(r.backend, "wasm");
  assert.equal(rk.backendName(), "wasm");

  const texts = ["The movie was terribly exciting!", "A gorgeous, witty, moving film."];
  const clf = rk.loadClassifierFromBytes(new Uint8Array(readFileSync(modelPath)));
  const got = rk.classifyTexts(clf, texts);
  const wasm = rk.backend();
  rk.setBackend(rk.refBackend);
  const want = rk.classifyTexts(clf, texts);
  rk.setBackend(wasm);
  for (let i = 0; i < texts.length; i++) {
    assert.equal(got[i]!.label, want[i]!.label);
    assert.ok(Math.abs(got[i]!.prob - want[i]!.prob) <= 1e-5, `${texts[i]}: wasm ${got[i]!.prob}, ref ${want[i]!.prob}`);
  }

  // no import.meta.url and no `wasm`: a clear rejection (backend "wasm"), or ref with that warning
  await assert.rejects(rk.init({ backend: "wasm" }), /cannot tell where rnnkit\.wasm is .*init\(\{ wasm \}\)/);
  const warn = t.mock.method(console, "warn", () => undefined);
  const auto = await rk.init();
  assert.equal(auto.backend, "ref");
  assert.match(auto.warning ?? "", /init\(\{ wasm \}\)/);
  assert.equal(warn.mock.callCount(), 1);
});
