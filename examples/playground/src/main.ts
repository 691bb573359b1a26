/**
 * The playground's entry: starts rnnkit's wasm kernels on the page's main thread (single
 * thread; training has its own worker), says plainly when WebAssembly SIMD is missing, and shows
 * one view at a time (#next, #inside, #direction, #train, #gradients), setting each up the first
 * time it is opened. A view's <section> gets data-ready="true" once it shows results (the browser
 * tests wait for that) or data-error with the message.
 */
import { setupDirection } from "./direction.js";
import { $ } from "./dom.js";
import { setupGradients } from "./gradients.js";
import { setupInside } from "./inside.js";
import { setupNextWord } from "./next-word.js";
import * as rk from "./rnnkit.js";
import { setupTrain } from "./train.js";

const VIEWS: Record<string, () => Promise<void>> = {
  next: setupNextWord,
  inside: setupInside,
  direction: setupDirection,
  train: setupTrain,
  gradients: setupGradients,
};
const started = new Map<string, Promise<void>>();

async function main(): Promise<void> {
  const t0 = performance.now();
  const status = $("status");
  const r = await rk.init();
  const tInit = performance.now();
  if (r.backend === "wasm") {
    status.textContent = `Kernels: WebAssembly SIMD${r.flavor === "relaxed" ? " (relaxed)" : ""}. Everything runs in this tab; no server computes anything.`;
    status.className = "notice";
  } else {
    status.textContent = `WebAssembly SIMD is not available in this browser, so rnnkit runs on its TypeScript reference kernels: the same results, several times slower. (${r.warning?.replace(/^rnnkit: /, "") ?? ""})`;
    status.className = "notice warn";
  }
  document.body.dataset["backend"] = r.backend;

  const show = (): void => {
    const name = location.hash.replace(/^#/, "") in VIEWS ? location.hash.slice(1) : "next";
    for (const s of document.querySelectorAll<HTMLElement>("section.view")) s.hidden = s.id !== `view-${name}`;
    for (const a of document.querySelectorAll<HTMLAnchorElement>("nav a")) a.classList.toggle("active", a.getAttribute("href") === `#${name}`);
    if (!started.has(name)) {
      const section = $(`view-${name}`);
      const p = VIEWS[name]!()
        .then(() => {
          section.dataset["ready"] = "true";
        })
        .catch((e: unknown) => {
          const msg = e instanceof Error ? e.message : String(e);
          section.dataset["error"] = msg;
          section.prepend(Object.assign(document.createElement("p"), { className: "notice error", textContent: `This view could not start: ${msg}` }));
          console.error(e);
        });
      started.set(name, p);
      // page-load time for the docs: navigation start → the first view showing results
      if (started.size === 1) void p.then(() => Object.assign(globalThis, { playgroundLoadMs: performance.now(), playgroundInitMs: tInit - t0 }));
    }
  };
  addEventListener("hashchange", show);
  show();
}

main().catch((e: unknown) => {
  const status = document.getElementById("status");
  if (status) {
    status.textContent = `The playground could not start: ${e instanceof Error ? e.message : String(e)}`;
    status.className = "notice error";
  }
  console.error(e);
});
