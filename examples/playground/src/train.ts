/**
 * View 4, "Train in the page": starts ./train-worker.ts, shows its loss and perplexity as they
 * fall (live charts), tokens per second, a sample every few seconds, and offers the checkpoint
 * as a download — a safetensors file that `npx rnnkit predict-next --model FILE "the white"`
 * loads. The probe line shows the page's own next-word probabilities for the same weights, so
 * the two can be compared.
 */
import { $, el, pct } from "./dom.js";
import { modelsConfig } from "./models.js";
import * as rk from "./rnnkit.js";
import { DEFAULT_TRAIN, type FromWorker, type ToWorker, type TrainConfig } from "./train-protocol.js";

export async function setupTrain(): Promise<void> {
  const cfg = await modelsConfig();
  const startBtn = $<HTMLButtonElement>("tr-start");
  const pauseBtn = $<HTMLButtonElement>("tr-pause");
  const dlBtn = $<HTMLButtonElement>("tr-download");
  const threadsSel = $<HTMLSelectElement>("tr-threads");
  const cores = Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1));
  threadsSel.replaceChildren(...[1, 2, 4].map((n) => el("option", { text: `${n} thread${n > 1 ? "s" : ""}`, attrs: { value: String(n), ...(n === Math.min(2, cores) ? { selected: "" } : {}) } })));
  const isolation = $("tr-isolation");
  const why = globalThis.crossOriginIsolated ? null : "this page is not cross-origin isolated (serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp, as `npm run playground` does), so SharedArrayBuffer is unavailable";
  isolation.textContent = why ? `Threads unavailable: ${why}. Training runs on one thread.` : `Cross-origin isolated: the worker can run the wasm kernels on ${threadsSel.value} threads.`;
  isolation.className = why ? "notice warn" : "notice";

  let worker: Worker | null = null;
  let paused = false;
  const losses: rk.Point[] = [];
  const valid: rk.Point[] = [];
  let lastDraw = 0;

  const draw = (force = false): void => {
    const now = performance.now();
    // at most every 500 ms, except until the training curve has a line (two points): a fast machine
    // makes dozens of steps in 500 ms, and the chart would show a single dot until the next draw
    if (!force && losses.length > 2 && now - lastDraw < 500) return;
    lastDraw = now;
    const series = (name: string, pts: rk.Point[], f: (y: number) => number, color: string): rk.LineSeries => ({ name, points: pts.map((p) => ({ x: p.x, y: f(p.y) })), color, marker: "none" });
    const common = { xLabel: "training step", markers: false as const, width: 520, height: 300 };
    $("tr-chart-loss").innerHTML = rk.lineChart({ ...common, title: "Loss (nats per token)", yLabel: "cross-entropy", series: [series("training", losses, (y) => y, "#1f77b4"), series("validation", valid, (y) => y, "#d62728")] });
    $("tr-chart-ppl").innerHTML = rk.lineChart({ ...common, title: "Perplexity = e^loss", yLabel: "perplexity (log scale)", yScale: "log", series: [series("training", losses, Math.exp, "#1f77b4"), series("validation", valid, Math.exp, "#d62728")] });
  };

  const onMessage = (m: FromWorker): void => {
    const stats = $("tr-stats");
    if (m.type === "ready") {
      const kernels = m.backend === "wasm" ? `WebAssembly${m.flavor ? ` (${m.flavor})` : ""} on ${m.threads} thread${m.threads > 1 ? "s" : ""}` : "the TypeScript reference kernels (WebAssembly SIMD unavailable)";
      $("tr-backend").textContent = `${m.corpus}; ${m.params.toLocaleString()} parameters; kernels: ${kernels}.`;
      $("tr-backend").dataset["threads"] = String(m.threads);
      const warnings = [m.warning, m.threadsWarning].filter((w): w is string => !!w);
      if (warnings.length) {
        isolation.textContent = warnings.map((w) => w.replace(/^rnnkit: /, "")).join(" ");
        isolation.className = "notice warn";
      }
      pauseBtn.disabled = false;
      dlBtn.disabled = false;
    } else if (m.type === "progress") {
      losses.push({ x: m.step, y: m.loss });
      stats.dataset["step"] = String(m.step);
      stats.dataset["loss"] = String(m.loss);
      stats.dataset["firstLoss"] = String(m.firstLoss);
      stats.replaceChildren(
        el("span", { text: `step ${m.step} (epoch ${m.epoch})` }),
        el("span", { text: `loss ${m.loss.toFixed(3)} (first step ${m.firstLoss.toFixed(3)})` }),
        el("span", { text: `perplexity ${Math.exp(m.loss).toFixed(1)}` }),
        el("span", { text: `${Math.round(m.tokensPerSec).toLocaleString()} tokens/s` }),
        el("span", { text: `${m.seconds.toFixed(0)} s` }),
      );
      draw();
    } else if (m.type === "valid") {
      valid.push({ x: m.step, y: m.loss });
      $("tr-valid").textContent = `validation (first 6,000 held-out tokens) at step ${m.step}: loss ${m.loss.toFixed(3)}, perplexity ${Math.exp(m.loss).toFixed(1)}`;
      draw(true);
    } else if (m.type === "sample") {
      const list = $("tr-samples");
      list.prepend(el("li", {}, [el("span", { class: "muted", text: `step ${m.step}: ` }), el("strong", { text: DEFAULT_TRAIN.prompt }), ` ${m.text}`]));
      while (list.children.length > 6) list.lastElementChild?.remove();
    } else if (m.type === "state") {
      paused = m.paused;
      pauseBtn.textContent = paused ? "Resume" : "Pause";
      $("tr-stats").dataset["paused"] = String(paused);
      if (!paused) draw(true);
    } else if (m.type === "checkpoint") {
      const blob = new Blob([m.bytes], { type: "application/octet-stream" });
      const a = el("a", { attrs: { href: URL.createObjectURL(blob), download: `moby-lm-step${m.step}.safetensors` } });
      document.body.append(a);
      a.click();
      a.remove();
      const probe = $("tr-probe");
      probe.replaceChildren(
        el("span", { text: `Saved step ${m.step} (${(m.bytes.byteLength / 1e6).toFixed(2)} MB). Its next words after “${m.prompt}”: ` }),
        ...m.next.slice(0, 5).map((n) => el("span", { class: "cand", text: `${n.token} ${pct(n.prob)}`, attrs: { "data-token": n.token, "data-prob": String(n.prob) } })),
        el("span", { class: "muted", text: ` — the same as \`npx rnnkit predict-next --model moby-lm-step${m.step}.safetensors "${m.prompt}"\`.` }),
      );
      probe.dataset["step"] = String(m.step);
      probe.dataset["next"] = JSON.stringify(m.next);
    } else if (m.type === "error") {
      isolation.textContent = `Training stopped: ${m.message}`;
      isolation.className = "notice error";
    }
  };

  startBtn.addEventListener("click", () => {
    if (worker) worker.terminate();
    losses.length = 0;
    valid.length = 0;
    $("tr-samples").replaceChildren();
    worker = new Worker(new URL("./train-worker.js", import.meta.url), { type: "module", name: "rnnkit-train" });
    worker.onmessage = (e: MessageEvent<FromWorker>) => onMessage(e.data);
    worker.onerror = (e) => onMessage({ type: "error", message: e.message || "the training worker failed to start" });
    const config: TrainConfig = { ...DEFAULT_TRAIN, level: $<HTMLSelectElement>("tr-level").value === "char" ? "char" : "word", hidden: Number($<HTMLSelectElement>("tr-hidden").value), threads: Number(threadsSel.value) };
    const msg: ToWorker = { type: "start", config, corpusUrl: new URL(cfg.corpus, location.href).href };
    worker.postMessage(msg);
    startBtn.textContent = "Restart";
    pauseBtn.textContent = "Pause";
    $("tr-stats").replaceChildren(el("span", { text: "reading Moby-Dick and building the model…" }));
  });
  pauseBtn.addEventListener("click", () => worker?.postMessage({ type: paused ? "resume" : "pause" } satisfies ToWorker));
  dlBtn.addEventListener("click", () => worker?.postMessage({ type: "checkpoint" } satisfies ToWorker));
}
