/**
 * The browser bundle (dist/browser/rnnkit.js, made by scripts/build-browser.mjs) is what pages
 * load, so it is tested as shipped: imported in Node like a browser would import it, initialised
 * from wasm bytes (Node's fetch cannot read file: URLs), and checked against the reference
 * backend and against the Node library on the shipped IMDB model.
 *
 * Without the bundle (no esbuild: an install without dev dependencies) these tests skip with a
 * message; under CI=true they fail, so a broken browser build cannot pass as "skipped".
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import type * as Browser from "../../src/browser.js";
import { assertClose } from "../helpers/close.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const bundleDir = join(root, "dist", "browser");
const bundlePath = join(bundleDir, "rnnkit.js");
const modelPath = join(root, "models", "imdb-bilstm", "model.safetensors");
const texts = [
  "The movie was terribly exciting!",
  "A dreadful, boring mess. The acting was awful, the plot made no sense and I walked out after an hour. Worst film of the year.",
];

const absent = !existsSync(bundlePath);
if (absent && process.env.CI === "true") {
  test("browser bundle exists (CI)", () => {
    assert.fail(`${bundlePath} is missing under CI=true (hint: npm install builds it; node scripts/build-browser.mjs after tsc)`);
  });
}
const skip = absent ? `${bundlePath} not built (esbuild missing? run \`node scripts/build-browser.mjs\` after tsc)` : false;

let loaded: Promise<typeof Browser> | null = null;
/** The bundle, imported once and initialised with the plain SIMD build's bytes. */
function bundle(): Promise<typeof Browser> {
  loaded ??= (async () => {
    const rk = (await import(pathToFileURL(bundlePath).href)) as typeof Browser;
    const r = await rk.init({ wasm: readFileSync(join(bundleDir, "rnnkit.wasm")), backend: "wasm" });
    assert.equal(r.backend, "wasm");
    return rk;
  })();
  return loaded;
}

test("bundle: exists, imports nothing from Node, wasm files beside it", { skip }, () => {
  const code = readFileSync(bundlePath, "utf8");
  assert.ok(!code.includes("node:"), "the bundle mentions node:");
  assert.ok(!code.includes("require("), "the bundle calls require(");
  for (const f of ["rnnkit.wasm", "rnnkit-relaxed.wasm"]) assert.ok(existsSync(join(bundleDir, f)), `${f} missing next to the bundle`);
});

test("bundle: LSTM forward and backward on wasm match the reference backend within 1e-5", { skip }, async () => {
  const rk = await bundle();
  const wasm = rk.backend();
  assert.equal(rk.backendName(), "wasm");
  // Big enough that every GEMM and recurrent kernel runs in wasm, not the small-call ref path.
  const T = 9, B = 5, I = 24, H = 40;
  const run = (): { out: number[]; hN: number[]; cN: number[]; dx: number[]; dW: number[] } => {
    rk.manualSeed(7);
    const lstm = new rk.nn.LSTM({ inputSize: I, hiddenSize: H, numLayers: 2, bidirectional: true });
    const x = rk.randn([T, B, I], { requiresGrad: true });
    const r = lstm.forward(x, { lengths: [9, 3, 7, 1, 9] });
    r.output.sum().add(r.hN.mul(r.hN).sum()).backward();
    const w = lstm.parameters()[0]!;
    return { out: r.output.toArray(), hN: r.hN.toArray(), cN: r.cN.toArray(), dx: x.grad!.toArray(), dW: w.grad!.toArray() };
  };
  const got = run();
  rk.setBackend(rk.refBackend);
  const want = run();
  rk.setBackend(wasm);
  assertClose(got.out, want.out, "output", 1e-5, 0);
  assertClose(got.hN, want.hN, "hN", 1e-5, 0);
  assertClose(got.cN, want.cN, "cN", 1e-5, 0);
  assertClose(got.dx, want.dx, "dL/dx", 1e-5, 1e-4);
  assertClose(got.dW, want.dW, "dL/dW_ih_l0", 1e-5, 1e-4);
});

test("bundle: the shipped IMDB BiLSTM from bytes classifies like the Node library", { skip }, async () => {
  const rk = await bundle();
  const bytes = new Uint8Array(readFileSync(modelPath));
  const clf = rk.loadClassifierFromBytes(bytes, "models/imdb-bilstm/model.safetensors");
  const got = rk.classifyTexts(clf, texts);
  assert.equal(rk.backendName(), "wasm");

  const node = (await import(pathToFileURL(join(root, "dist", "src", "index.js")).href)) as typeof import("../../src/index.js");
  const want = node.classifyTexts(node.loadClassifier(modelPath), texts);
  assert.equal(got.length, 2);
  for (let i = 0; i < texts.length; i++) {
    const g = got[i]!, w = want[i]!;
    assert.equal(g.label, w.label, `label of ${JSON.stringify(texts[i])}`);
    assert.ok(Math.abs(g.prob - w.prob) <= 1e-5, `prob of ${JSON.stringify(texts[i])}: bundle ${g.prob}, Node ${w.prob} (Node backend ${node.backend().name})`);
    for (const l of clf.labels) assert.ok(Math.abs(g.probs[l]! - w.probs[l]!) <= 1e-5, `P(${l})`);
    assert.equal(g.known, w.known);
  }
  // The model card's point: "terribly exciting" is positive (booster swapping); the review is clearly negative.
  assert.equal(got[0]!.label, clf.labels.find((l) => /pos/i.test(l)));
  assert.equal(got[1]!.label, clf.labels.find((l) => /neg/i.test(l)));
});

test("bundle: init falls back to ref with a warning on bytes that are not a SIMD module; backend 'wasm' rejects instead", { skip }, async (t) => {
  const rk = await bundle();
  const wasm = rk.backend();
  const warn = t.mock.method(console, "warn", () => undefined);
  try {
    const notWasm = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 0x0a, 0x01]); // a truncated module
    const r = await rk.init({ wasm: notWasm });
    assert.equal(r.backend, "ref");
    assert.equal(rk.backendName(), "ref");
    assert.match(r.warning ?? "", /reference backend/);
    assert.equal(warn.mock.callCount(), 1);
    await assert.rejects(rk.init({ wasm: notWasm, backend: "wasm" }), /does not validate/);
    assert.equal((await rk.init({ backend: "ref" })).backend, "ref");
  } finally {
    rk.setBackend(wasm);
  }
});

test("bundle: checkpoints round-trip through bytes (save in the page, load again)", { skip }, async () => {
  const rk = await bundle();
  const clf = rk.loadClassifierFromBytes(new Uint8Array(readFileSync(modelPath)));
  const again = rk.loadClassifierFromBytes(rk.classifierToBytes(clf));
  assert.deepEqual(rk.classifyTexts(again, texts), rk.classifyTexts(clf, texts));
  assert.throws(() => rk.loadLmFromBytes(new Uint8Array(readFileSync(modelPath))), /holds a sequence-classifier, expected a language-model/);
});
