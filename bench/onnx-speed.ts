#!/usr/bin/env node
/**
 * Inference speed of the same model in rnnkit (native, wasm) and in ONNX Runtime (CPU, the model
 * exported by lmToOnnx / classifierToOnnx), side by side in one run, at 1 and 2 threads.
 *
 *   node dist/bench/onnx-speed.js [--threads 1,2] [--impls ort,native,wasm] [--workloads cls1,cls64,lm1,lm20] [--quick]
 *
 * Workloads (random weights, seeded: every process builds the identical model):
 *   cls1   classifier batch-1 latency: one 200-token review, the sentiment config of ../shared/bench
 *          (vocab 20000, emb 100, BiLSTM 128, final pooling → 2 classes)
 *   cls64  classifier throughput: 64 reviews of 200 tokens per call (reviews/s)
 *   lm1    language-model step latency: one token with carried state, batch 1 (what generation does),
 *          the default train-lm word model (vocab 5000, emb 128, 1-layer LSTM 256)
 *   lm20   language-model throughput: 20 streams × 35 tokens per call (tokens/s), same model
 * rnnkit runs the paths its public functions use: classifierProba (classifyTexts' inference
 * kernels) for the classifier, LmStepper (generate / predictNext) for the one-token LM step, and
 * model.logitsInto for the 35-token LM windows (logits for every position into one reused buffer,
 * like the ONNX graph; --lm-forward times model.forward under noGrad instead, a fresh array per call); ONNX
 * Runtime runs session.run with intraOpNumThreads = threads. Threads: RNNKIT_NATIVE_THREADS /
 * RNNKIT_WASM_THREADS for rnnkit. By default each implementation runs in its own child process
 * per thread count (7 rounds of ≥ 0.25 s samples, median): in one process, ONNX Runtime's
 * intra-op threads keep spinning after a run and take the core rnnkit's worker needs (measured:
 * rnnkit native 2-thread LM windows 16.1k tokens/s beside ORT, 68.7k alone). --interleave puts all
 * implementations in one process timed in interleaved rounds instead, so the load of a shared
 * machine falls on each alike (use it only with 1 thread, or expect that cross-talk).
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

interface Workload {
  name: string;
  what: string;
  unit: string;
  /** Items (reviews or tokens) per call. */
  items: number;
}
const WORKLOADS: Record<string, Workload> = {
  cls1: { name: "cls1", what: "classifier, 1 review × 200 tokens", unit: "ms/call", items: 1 },
  cls64: { name: "cls64", what: "classifier, 64 reviews × 200 tokens", unit: "reviews/s", items: 64 },
  lm1: { name: "lm1", what: "LM step, 1 token, batch 1, carried state", unit: "ms/call", items: 1 },
  lm20: { name: "lm20", what: "LM, 20 streams × 35 tokens", unit: "tokens/s", items: 700 },
};
const CLS = { vocab: 20000, emb: 100, hidden: 128, T: 200 };
const LM = { vocab: 5000, emb: 128, hidden: 256 };

interface Result {
  impl: string;
  threads: number;
  workload: string;
  ms: number;
  error?: string;
}

function ids(n: number, V: number, seed: number): Int32Array {
  let s = seed;
  return Int32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return 2 + (s % (V - 2));
  });
}

/** Per-call seconds of fn: `reps` calls per sample, calibrated so a sample takes ≥ minS. */
async function calibrate(fn: () => unknown, minS: number): Promise<number> {
  await fn();
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) await fn();
    const dt = (performance.now() - t0) / 1e3;
    if (dt >= minS) return reps;
    reps = Math.max(reps * 2, Math.ceil((reps * minS * 1.1) / Math.max(dt, 1e-6)));
  }
}

/**
 * Every implementation in one process, timed in interleaved rounds (ORT, native, wasm, ORT, …) so
 * that the load of a shared machine falls on all of them alike; the median of the rounds is kept.
 */
async function child(impls: string[], threads: number, names: string[], quick: boolean): Promise<Result[]> {
  const rounds = quick ? 3 : 7;
  const minS = quick ? 0.1 : 0.25;
  const { manualSeed } = await import("../src/tensor/random.js");
  const { Tensor, noGrad } = await import("../src/tensor/tensor.js");
  const { SequenceClassifier, LanguageModel } = await import("../src/models/index.js");
  const { Vocabulary } = await import("../src/data/text/vocabulary.js");
  const { lmVocab } = await import("../test/helpers/lm-vocab.js");
  const { resolveTokenizer } = await import("../src/data/text/tokenize.js");
  const { tryBackend } = await import("../src/kernels/select.js");
  const { classifierProba } = await import("../src/models/classifier-step.js");
  const { LmStepper } = await import("../src/lm/step.js");
  const { setBackend } = await import("../src/kernels/registry.js");
  manualSeed(1);
  const cls = new SequenceClassifier({ vocabSize: CLS.vocab, embeddingDim: CLS.emb, hiddenSize: CLS.hidden, numClasses: 2, bidirectional: true, pooling: "final" });
  const lm = new LanguageModel({ vocabSize: LM.vocab, embeddingDim: LM.emb, hiddenSize: LM.hidden, numLayers: 1, cell: "LSTM" });
  cls.eval();
  lm.eval();
  const inputs = (w: string): { B: number; T: number; tok: Int32Array } => {
    if (w === "cls1") return { B: 1, T: CLS.T, tok: ids(CLS.T, CLS.vocab, 1) };
    if (w === "cls64") return { B: 64, T: CLS.T, tok: ids(64 * CLS.T, CLS.vocab, 2) };
    if (w === "lm1") return { B: 1, T: 1, tok: ids(1, LM.vocab, 3) };
    return { B: 20, T: 35, tok: ids(700, LM.vocab, 4) };
  };
  /** impl → workload → one call */
  const calls = new Map<string, Map<string, () => unknown>>();
  const label = new Map<string, string>();
  for (const impl of impls) {
    const m = new Map<string, () => unknown>();
    if (impl === "ort") {
      const { loadOrt, session, i64, f32 } = await import("../test/export/onnx-helpers.js");
      const { classifierToOnnx, lmToOnnx } = await import("../src/export/onnx/index.js");
      const ort = loadOrt();
      const vocab = new Vocabulary(["<pad>", "<unk>", ...Array.from({ length: CLS.vocab - 2 }, (_, i) => `w${i}`)]);
      const lmVocabulary = lmVocab(["<unk>", "<eos>", ...Array.from({ length: LM.vocab - 2 }, (_, i) => `w${i}`)], resolveTokenizer({ level: "word" }), "<unk>");
      const clsSession = await session(ort, classifierToOnnx({ model: cls, vocab, labels: ["neg", "pos"], pipeline: { tokenize: {}, maxLen: CLS.T, truncate: "head" } }), threads);
      const lmSession = await session(ort, lmToOnnx({ model: lm, vocab: lmVocabulary }), threads);
      for (const w of names) {
        const { B, T, tok } = inputs(w);
        if (w.startsWith("cls")) {
          const feeds = { ids: i64(ort, tok, [B, T]), lengths: i64(ort, new Array<number>(B).fill(T), [B]) };
          m.set(w, () => clsSession.run(feeds));
        } else {
          let h = f32(ort, new Float32Array(B * LM.hidden), [1, B, LM.hidden]);
          let c = f32(ort, new Float32Array(B * LM.hidden), [1, B, LM.hidden]);
          const tokens = i64(ort, tok, [T, B]);
          m.set(w, async () => {
            const r = await lmSession.run({ tokens, h0: h, c0: c });
            h = r.h_n;
            c = r.c_n;
          });
        }
      }
      label.set(impl, "onnxruntime");
    } else {
      const be = tryBackend(impl as "native" | "wasm");
      if (be instanceof Error) {
        process.stderr.write(`${impl}: ${be.message}\n`);
        continue;
      }
      setBackend(be);
      if (impl === "wasm") {
        const { wasmPool } = await import("../src/kernels/wasm/index.js");
        if (wasmPool) wasmPool.waitReady();
      }
      // a copy of each model whose parameters live on this backend, same weights
      const c2 = new SequenceClassifier(cls.config);
      c2.loadStateDict(cls.stateDict());
      c2.eval();
      const l2 = new LanguageModel(lm.config);
      l2.loadStateDict(lm.stateDict());
      l2.eval();
      for (const w of names) {
        const { B, T, tok } = inputs(w);
        if (w.startsWith("cls")) {
          // classifyTexts' path: classifierProba (inference kernels), model.forward when it declines
          const x = new Tensor(tok, [B, T]);
          const lens = new Int32Array(B).fill(T);
          m.set(w, () => (setBackend(be), classifierProba(c2, tok, B, T, lens) ?? noGrad(() => c2.forward(x, lens).softmax(-1).f32)));
        } else if (w === "lm1" && LmStepper.create(l2)) {
          // generate / predictNext's path: the stepper, one token with carried state, logits out
          const st = LmStepper.create(l2)!;
          const logits = new Float32Array(LM.vocab);
          m.set(w, () => (setBackend(be), st.step(tok[0]!, "logits", logits)));
        } else if (!process.argv.includes("--lm-forward")) {
          // whole windows: LanguageModel.logitsInto, the logits [T, B, V] into one buffer kept across calls
          let state = l2.initState(B);
          const x = new Tensor(tok, [T, B]);
          const logits = new Float32Array(T * B * LM.vocab);
          m.set(w, () => {
            setBackend(be);
            state = l2.logitsInto(x, logits, state);
          });
        } else {
          let state = l2.initState(B);
          const x = new Tensor(tok, [T, B]);
          m.set(w, () => {
            setBackend(be);
            noGrad(() => {
              const r = l2.forward(x, state);
              void r.logits.f32;
              state = r.state;
            });
          });
        }
      }
      label.set(impl, `rnnkit-${be.name}`);
    }
    calls.set(impl, m);
  }
  const out: Result[] = [];
  for (const w of names) {
    const reps = new Map<string, number>();
    for (const [impl, m] of calls) reps.set(impl, await calibrate(m.get(w)!, minS));
    const samples = new Map<string, number[]>([...calls.keys()].map((k) => [k, []]));
    for (let r = 0; r < rounds; r++)
      for (const [impl, m] of calls) {
        const fn = m.get(w)!;
        const n = reps.get(impl)!;
        const t0 = performance.now();
        for (let i = 0; i < n; i++) await fn();
        samples.get(impl)!.push((performance.now() - t0) / n);
      }
    for (const [impl, xs] of samples) {
      xs.sort((a, b) => a - b);
      out.push({ impl: label.get(impl)!, threads, workload: w, ms: xs[Math.floor(xs.length / 2)]! });
    }
  }
  return out;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const list = (v: string | undefined, d: string): string[] => (v ?? d).split(",").map((s) => s.trim()).filter(Boolean);

async function main(): Promise<void> {
  const quick = process.argv.includes("--quick");
  if (process.argv.includes("--child")) {
    const r = await child(list(arg("--impls"), "ort,native,wasm"), Number(arg("--t")), list(arg("--workloads"), "cls1,cls64,lm1,lm20"), quick);
    process.stdout.write(`${JSON.stringify(r)}\n`);
    process.exit(0);
  }
  if (process.argv.includes("--help")) {
    process.stdout.write("node dist/bench/onnx-speed.js [--threads 1,2] [--impls ort,native,wasm] [--workloads cls1,cls64,lm1,lm20] [--interleave] [--quick]\n");
    return;
  }
  const threads = list(arg("--threads"), "1,2").map(Number);
  const impls = list(arg("--impls"), "ort,native,wasm");
  const workloads = list(arg("--workloads"), "cls1,cls64,lm1,lm20");
  const results: Result[] = [];
  const groups = process.argv.includes("--interleave") ? [impls] : impls.map((i) => [i]);
  for (const t of threads)
    for (const group of groups) {
      const env = { ...process.env, RNNKIT_NATIVE_THREADS: String(t), RNNKIT_WASM_THREADS: String(t) };
      const args = [fileURLToPath(import.meta.url), "--child", "--impls", group.join(","), "--t", String(t), "--workloads", workloads.join(","), ...(quick ? ["--quick"] : []), ...(process.argv.includes("--lm-forward") ? ["--lm-forward"] : [])];
      const r = spawnSync(process.execPath, args, { encoding: "utf8", env, maxBuffer: 1 << 24 });
      try {
        results.push(...(JSON.parse(r.stdout.trim().split("\n").pop() ?? "") as Result[]));
      } catch {
        process.stderr.write(`${group.join("+")}, ${t} thread(s) failed: ${(r.stderr || r.stdout).trim().split("\n").slice(-3).join(" | ")}\n`);
      }
      process.stderr.write(`done: ${group.join("+")}, ${t} thread(s)\n`);
    }
  // table: one row per workload × threads, one column per implementation, ratios against ONNX Runtime
  const implNames = [...new Set(results.map((r) => r.impl))];
  const rnnkits = implNames.filter((n) => n !== "onnxruntime");
  const head = ["workload", "threads", ...implNames.map((n) => `${n}`), ...rnnkits.map((n) => `${n} / ORT`)];
  const rows: string[][] = [];
  for (const w of workloads)
    for (const t of threads) {
      const W = WORKLOADS[w]!;
      const get = (n: string): Result | undefined => results.find((r) => r.impl === n && r.threads === t && r.workload === w);
      const fmt = (r: Result | undefined): string => (!r || !Number.isFinite(r.ms) ? "-" : W.unit === "ms/call" ? `${r.ms.toFixed(3)} ms` : `${((W.items * 1e3) / r.ms).toFixed(0)} ${W.unit}`);
      const ort = get("onnxruntime");
      const ratio = (n: string): string => {
        const r = get(n);
        return r && ort && Number.isFinite(r.ms) ? `${(ort.ms / r.ms).toFixed(2)}×` : "-";
      };
      rows.push([W.what, String(t), ...implNames.map((n) => fmt(get(n))), ...rnnkits.map(ratio)]);
    }
  process.stdout.write(`| ${head.join(" | ")} |\n|${head.map(() => "---").join("|")}|\n${rows.map((r) => `| ${r.join(" | ")} |`).join("\n")}\n`);
  process.stdout.write(`\nratio = ONNX Runtime time / rnnkit time (> 1: rnnkit is faster). ${quick ? "--quick timing. " : ""}Node ${process.version}.\n`);
  process.stdout.write(`${JSON.stringify({ results })}\n`);
}

await main();
