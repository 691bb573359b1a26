/** Backend selection: RNNKIT_BACKEND is honoured in a fresh process; the default is not ref. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
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

test("default picks native or wasm, never ref, and says at most one line on stderr", () => {
  const { name, stderr } = childBackend({ RNNKIT_BACKEND: undefined });
  assert.ok(name === "native" || name === "wasm", `got ${name}`);
  assert.ok(stderr.trim().split("\n").length <= 1, stderr);
});

test("an unknown RNNKIT_BACKEND value warns and chooses automatically", () => {
  const { name, stderr } = childBackend({ RNNKIT_BACKEND: "gpu" });
  assert.ok(name !== "ref", `got ${name}`);
  assert.match(stderr, /RNNKIT_BACKEND=gpu/);
});
