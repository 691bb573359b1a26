// Serve the repository root (python3 -m http.server) and open /examples/browser/.
// Paths are relative to this page; dist/browser/ is made by `npm install` (or node scripts/build-browser.mjs).
import * as rnnkit from "../../dist/browser/rnnkit.js";

const MODEL_URL = new URL("../../models/imdb-bilstm/model.safetensors", import.meta.url);
const $ = (id) => document.getElementById(id);
const status = $("status");

async function main() {
  // Fetches rnnkit-relaxed.wasm or rnnkit.wasm from next to rnnkit.js; falls back to ref (with a warning) without SIMD.
  const started = await rnnkit.init();
  const backend = started.backend === "wasm" ? `wasm (${started.flavor === "relaxed" ? "relaxed SIMD" : "SIMD128"})` : "ref (TypeScript; WebAssembly SIMD unavailable)";
  status.textContent = `Backend: ${backend}. Fetching the model…`;

  const res = await fetch(MODEL_URL);
  if (!res.ok) throw new Error(`could not fetch ${MODEL_URL.href}: HTTP ${res.status}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  const clf = rnnkit.loadClassifierFromBytes(bytes, "models/imdb-bilstm/model.safetensors");
  status.textContent = `Backend: ${backend}. Model: ${(bytes.length / 1e6).toFixed(1)} MB, labels ${clf.labels.join(" / ")}, ${clf.vocab.size.toLocaleString()} words.`;

  const text = $("text");
  const classify = () => {
    if (!text.value.trim()) {
      $("result").textContent = "";
      $("details").textContent = "";
      return;
    }
    const t0 = performance.now();
    const [p] = rnnkit.classifyTexts(clf, [text.value]);
    const ms = performance.now() - t0;
    const pct = (x) => `${(100 * x).toFixed(1)} %`;
    const result = $("result");
    result.className = p.label;
    result.innerHTML = "";
    const head = document.createElement("div");
    head.textContent = `${p.label === "pos" ? "positive" : p.label === "neg" ? "negative" : p.label} — ${pct(p.prob)}`;
    const bar = document.createElement("div");
    bar.className = "bar";
    const fill = document.createElement("div");
    fill.style.width = pct(p.prob).replace(" ", "");
    bar.append(fill);
    result.append(head, bar);
    const probs = Object.entries(p.probs).map(([l, v]) => `P(${l}) = ${v.toFixed(4)}`).join(", ");
    $("details").textContent = `${probs}; ${pct(p.known)} of the words are in the vocabulary; ${ms.toFixed(1)} ms on the ${rnnkit.backendName()} backend.`;
  };

  let timer = 0;
  text.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(classify, 150);
  });
  for (const b of document.querySelectorAll("button[data-text]")) {
    b.addEventListener("click", () => {
      text.value = b.dataset.text;
      classify();
    });
  }
  text.disabled = false;
  classify();
}

main().catch((e) => {
  status.textContent = `Error: ${e instanceof Error ? e.message : String(e)}`;
  console.error(e);
});
