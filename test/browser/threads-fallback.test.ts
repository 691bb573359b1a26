/**
 * init({ threads }) of the browser bundle off a Web Worker: it must not start threads (the
 * browser's main thread may not block in Atomics.wait), run on one thread and say why. The
 * threaded path itself runs in Chromium (playground.test.ts, "train in the page": 2 threads).
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import type * as Browser from "../../src/browser.js";
import { REPO_ROOT } from "../helpers/shared.js";

const dir = join(REPO_ROOT, "dist", "browser");
const absent = !existsSync(join(dir, "rnnkit.js"));
if (absent && process.env.CI === "true") test("browser bundle exists (CI)", () => assert.fail("dist/browser/rnnkit.js missing under CI=true"));

test("bundle: init({ threads: 2 }) outside a Web Worker runs one thread and says why; the threaded files ship beside the bundle", { skip: absent ? "dist/browser/rnnkit.js not built" : false }, async (t) => {
  for (const f of ["rnnkit-relaxed-mt.wasm", "rnnkit-pool-worker.js"]) assert.ok(existsSync(join(dir, f)), `${f} missing next to rnnkit.js`);
  const rk = (await import(pathToFileURL(join(dir, "rnnkit.js")).href)) as typeof Browser;
  const before = rk.backend();
  const warn = t.mock.method(console, "warn", () => undefined);
  try {
    assert.match(rk.threadsUnavailable() ?? "", /only inside a Web Worker/);
    // Node's fetch cannot read file: URLs, so the wasm comes as bytes: threads need the default files, and say so
    const r = await rk.init({ wasm: readFileSync(join(dir, "rnnkit.wasm")), threads: 2 });
    assert.equal(r.backend, "wasm");
    assert.equal(r.threads, 1);
    assert.match(r.threadsWarning ?? "", /one thread/);
    assert.equal(warn.mock.callCount(), 1);
    await assert.rejects(rk.init({ wasm: readFileSync(join(dir, "rnnkit.wasm")), threads: 0 }), /threads must be an integer 1…64/);
    // with the default files (base): the reason is that this is not a Web Worker (then Node cannot fetch file: URLs: ref)
    const fromBase = await rk.init({ base: pathToFileURL(`${dir}/`), threads: 2 });
    assert.equal(fromBase.threads, 1);
    assert.match(fromBase.threadsWarning ?? "", /one thread: threads run only inside a Web Worker/);
  } finally {
    rk.setBackend(before);
  }
});
