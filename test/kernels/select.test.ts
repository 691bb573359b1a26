/** Backend selection: RNNKIT_BACKEND is honoured in a fresh process; the default is not ref. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { REPO_ROOT } from "../helpers/shared.js";

const select = pathToFileURL(join(REPO_ROOT, "dist", "src", "kernels", "select.js")).href;
const registry = pathToFileURL(join(REPO_ROOT, "dist", "src", "kernels", "registry.js")).href;

/** Name of the backend a child process ends up with, and its stderr. */
function childBackend(env: Record<string, string | undefined>): { name: string; stderr: string } {
  const code = `import ${JSON.stringify(select)}; const { backend } = await import(${JSON.stringify(registry)}); process.stdout.write(backend().name);`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", code], { env: { ...process.env, ...env }, encoding: "utf8" });
  assert.equal(r.status, 0, `child failed: ${r.stderr}`);
  return { name: r.stdout, stderr: r.stderr };
}

test("RNNKIT_BACKEND=ref is honoured, silently", () => {
  const { name, stderr } = childBackend({ RNNKIT_BACKEND: "ref" });
  assert.equal(name, "ref");
  assert.equal(stderr, "");
});

test("RNNKIT_BACKEND=wasm gives the wasm backend", () => {
  assert.equal(childBackend({ RNNKIT_BACKEND: "wasm" }).name, "wasm");
});

test("RNNKIT_BACKEND=native gives native when it loads, else falls back to wasm and says so", () => {
  const { name, stderr } = childBackend({ RNNKIT_BACKEND: "native" });
  if (name.startsWith("native")) assert.equal(stderr, "");
  else {
    assert.equal(name, "wasm");
    assert.match(stderr, /using the wasm backend/);
  }
});

test("default picks native or wasm, never ref, and says at most one line on stderr", () => {
  const { name, stderr } = childBackend({ RNNKIT_BACKEND: undefined });
  assert.match(name, /^(native|wasm)/);
  assert.ok(stderr.trim().split("\n").length <= 1, stderr);
});

test("an unknown RNNKIT_BACKEND value warns and chooses automatically", () => {
  const { name, stderr } = childBackend({ RNNKIT_BACKEND: "gpu" });
  assert.ok(name !== "ref", `got ${name}`);
  assert.match(stderr, /RNNKIT_BACKEND=gpu/);
});

test("ready() resolves to the installed backend; loadWasmBackend accepts the module bytes", async () => {
  const { ready, availableBackends } = await import("../../src/kernels/select.js");
  const { backend } = await import("../../src/kernels/registry.js");
  const { loadWasmBackend } = await import("../../src/kernels/wasm/index.js");
  assert.equal(await ready(), backend());
  const avail = availableBackends();
  assert.equal(avail.ref instanceof Error, false);
  const bytes = readFileSync(join(REPO_ROOT, "build", "rnnkit.wasm"));
  const be = await loadWasmBackend({ source: bytes, smallWork: 0 });
  const c = new Float32Array(4);
  be.gemm(false, false, 2, 2, 2, 1, Float32Array.from([1, 2, 3, 4]), Float32Array.from([5, 6, 7, 8]), 0, c);
  assert.deepEqual([...c], [19, 22, 43, 50]);
  await assert.rejects(loadWasmBackend({ source: new Uint8Array([0, 97, 115, 109]) }), /SIMD/);
});
