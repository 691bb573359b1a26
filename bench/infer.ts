#!/usr/bin/env node
/**
 * rnnkit inference benchmark, side by side with PyTorch eager (bench/torch_infer.py):
 *   generation tokens/s with the `rnnkit train-lm` default word model (vocab 5000, emb 128, LSTM 256)
 *   and the char model of ../shared/bench (vocab 65, emb 64, 2-layer LSTM 256), through the public
 *   generate() (temperature 1, no top-k/top-p: what PyTorch's multinomial loop does);
 *   the sentiment classifier of ../shared/bench (vocab 20000, emb 100, BiLSTM 128, last states →
 *   linear → 2 classes): batch-1 latency on a 200-token review (classifierProba; and classifyTexts
 *   on a 200-word text, tokenising included) and batched throughput (64 reviews of 200 tokens);
 *   memory: resident set size every 10⁴ tokens over 10⁵ generated tokens, every 10³ reviews over
 *   10⁴ classified reviews (--mem).
 *
 *   node dist/bench/infer.js [--what gen,cls,mem] [--backends native,wasm] [--threads 1,2]
 *                            [--torch] [--f16] [--tokens 2000] [--quick] [--help]
 *
 * --f16 adds generation rows ("…-f16") for the same models with every weight rounded to half
 * precision, as a model saved with `rnnkit export --format safetensors-f16` loads: the native
 * stepper then reads its half-precision copies (the same numbers as float32 on those weights).
 *
 * Every measurement runs in its own child process (RNNKIT_NATIVE_THREADS / RNNKIT_WASM_THREADS
 * set), so its peak RSS is its own. Times are wall-clock medians of 5 samples after a warm-up;
 * ratios are against PyTorch with 1 thread (OpenBLAS pthreads build, as ../shared/bench/README.md
 * sets it up; 2 threads use the OpenMP build). "Per CPU-s" columns divide by the CPU time the
 * process used (all its threads): on a shared, loaded machine wall time depends on scheduling,
 * CPU time much less so (for 2 threads it also counts the time workers spin waiting for work).
 * Models have random weights (seeded), the same shapes and initialisation families as PyTorch's.
 */
import { spawnSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { benchDir } from "./configs.js";
import { PYTHON, torchEnv, torchUnavailable } from "./torch.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, "..", ".."); // dist/bench → repo root

interface Row {
  impl: string;
  what: string;
  /** Per second of CPU time (every thread of the process): what the run costs on a shared machine. */
  tokensPerCpuS?: number;
  latencyCpuMs?: number;
  reviewsPerCpuS?: number;
  tokensPerS?: number;
  tokensPerSMin?: number;
  tokensPerSMax?: number;
  latencyMs?: number;
  textLatencyMs?: number;
  reviewsPerS?: number;
  rssMiB?: number;
  series?: { at: number; rssMiB: number }[];
  error?: string;
}

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const list = (v: string | undefined, dflt: string): string[] => (v ?? dflt).split(",").map((s) => s.trim()).filter(Boolean);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rss = (): number => process.memoryUsage().rss / 2 ** 20;
const peakRss = (): number => process.resourceUsage().maxRSS / 1024;
/** CPU seconds (user + system, every thread) since c0. */
const cpuSeconds = (c0: NodeJS.CpuUsage): number => {
  const u = process.cpuUsage(c0);
  return (u.user + u.system) / 1e6;
};

// ---------------------------------------------------------------- child side
const GEN_MODELS = { word: { V: 5000, E: 128, H: 256, L: 1 }, char: { V: 65, E: 64, H: 256, L: 2 } } as const;

async function lmFixture(kind: "word" | "char") {
  const { LanguageModel } = await import("../src/models/language-model.js");
  const { Vocabulary } = await import("../src/data/text/vocabulary.js");
  const { resolveTokenizer } = await import("../src/data/text/tokenize.js");
  const { manualSeed } = await import("../src/tensor/random.js");
  const m = GEN_MODELS[kind];
  manualSeed(0);
  const model = new LanguageModel({ vocabSize: m.V, embeddingDim: m.E, hiddenSize: m.H, numLayers: m.L });
  const tokens = kind === "word" ? ["<unk>", "<eos>", ...Array.from({ length: m.V - 2 }, (_, i) => `w${i + 2}`)] : ["\n", ...Array.from({ length: m.V - 1 }, (_, i) => String.fromCharCode(33 + i))];
  const vocab = new Vocabulary(tokens, { pad: null, unk: kind === "word" ? "<unk>" : null, tokenizer: resolveTokenizer({ level: kind }) }) as import("../src/data/text/vocabulary.js").LmVocabulary;
  return { model, vocab, prompt: kind === "word" ? "w5 w6 w7" : "ABC" };
}

async function clsFixture() {
  const { SequenceClassifier } = await import("../src/models/sequence-classifier.js");
  const { Vocabulary } = await import("../src/data/text/vocabulary.js");
  const { manualSeed, randint } = await import("../src/tensor/random.js");
  manualSeed(0);
  const V = 20000, T = 200;
  const model = new SequenceClassifier({ vocabSize: V, embeddingDim: 100, hiddenSize: 128, numClasses: 2, bidirectional: true, pooling: "final" });
  const words = Array.from({ length: V - 2 }, (_, i) => `w${i}`);
  const vocab = new Vocabulary(["<pad>", "<unk>", ...words]);
  const text = (): string => Array.from({ length: T }, () => words[randint(words.length)]).join(" ");
  const bundle = { model, vocab, labels: ["neg", "pos"], pipeline: { tokenize: {}, maxLen: 400, truncate: "head" as const }, info: {} };
  return { model, bundle, text, V, T };
}

async function child(spec: string, tokens: number, quick: boolean): Promise<Row> {
  const [kind, name, what, variant] = spec.split(":") as [string, string, string, string | undefined];
  const { tryBackend } = await import("../src/kernels/select.js");
  const { setBackend } = await import("../src/kernels/registry.js");
  const be = tryBackend(name as "native" | "wasm" | "ref");
  if (be instanceof Error) return { impl: name, what: `${kind} ${what ?? ""}`, error: be.message };
  setBackend(be);
  let impl = be.name;
  const threads = Number((name === "wasm" ? process.env.RNNKIT_WASM_THREADS : process.env.RNNKIT_NATIVE_THREADS) ?? "1");
  if (name === "wasm") {
    const { wasmPool } = await import("../src/kernels/wasm/index.js");
    if (wasmPool) wasmPool.waitReady();
  }
  impl = `${impl}-${threads}t`;
  const samples = quick ? 3 : 5;
  if (kind === "gen") {
    const { generate } = await import("../src/lm/predict.js");
    const f = await lmFixture(what as "word" | "char");
    if (variant === "f16") {
      // as an F16 checkpoint loads: every value rounded to the nearest half, kept as float32
      const { decode, encodeF16 } = await import("../src/io/dtype.js");
      for (const t of Object.values(f.model.stateDict())) t.f32.set(decode("F16", encodeF16(t.f32), t.f32.length));
      impl += "-f16";
    }
    generate(f.model, f.vocab, f.prompt, { length: 200, seed: 1 });
    const rates: number[] = [];
    const cpuRates: number[] = [];
    for (let s = 0; s < samples; s++) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      generate(f.model, f.vocab, f.prompt, { length: tokens, seed: s + 1 });
      rates.push(tokens / ((performance.now() - t0) / 1e3));
      cpuRates.push(tokens / cpuSeconds(c0));
    }
    return { impl, what: `gen ${what}`, tokensPerS: median(rates), tokensPerSMin: Math.min(...rates), tokensPerSMax: Math.max(...rates), tokensPerCpuS: median(cpuRates), rssMiB: peakRss() };
  }
  if (kind === "cls") {
    const { classifierProba } = await import("../src/models/classifier-step.js");
    const { classifyTexts } = await import("../src/sentiment/classify.js");
    const { randint } = await import("../src/tensor/random.js");
    const f = await clsFixture();
    const one = Int32Array.from({ length: f.T }, () => 2 + randint(f.V - 2));
    const B = 64;
    const batch = Int32Array.from({ length: B * f.T }, () => 2 + randint(f.V - 2));
    const len1 = Int32Array.of(f.T), lenB = new Int32Array(B).fill(f.T);
    const reps = 20;
    /** Median wall and CPU milliseconds per call. */
    const time = (fn: () => void, n: number): [number, number] => {
      fn();
      const xs: number[] = [];
      const cs: number[] = [];
      for (let s = 0; s < samples; s++) {
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        for (let i = 0; i < n; i++) fn();
        xs.push((performance.now() - t0) / n);
        cs.push((cpuSeconds(c0) * 1e3) / n);
      }
      return [median(xs), median(cs)];
    };
    const [latencyMs, latencyCpuMs] = time(() => void classifierProba(f.model, one, 1, f.T, len1), reps);
    const text = [f.text()];
    const [textLatencyMs] = time(() => void classifyTexts(f.bundle, text), reps);
    const [batchMs, batchCpuMs] = time(() => void classifierProba(f.model, batch, B, f.T, lenB), 1);
    return { impl, what: "cls", latencyMs, latencyCpuMs, textLatencyMs, reviewsPerS: B / (batchMs / 1e3), reviewsPerCpuS: B / (batchCpuMs / 1e3), rssMiB: peakRss() };
  }
  if (kind === "mem" && what === "gen") {
    const { generate } = await import("../src/lm/predict.js");
    const f = await lmFixture("word");
    const series: { at: number; rssMiB: number }[] = [{ at: 0, rssMiB: rss() }];
    const chunk = quick ? 2000 : 10000;
    for (let i = 1; i <= 10; i++) {
      generate(f.model, f.vocab, f.prompt, { length: chunk, seed: i });
      series.push({ at: i * chunk, rssMiB: rss() });
    }
    return { impl, what: "mem gen", series, rssMiB: peakRss() };
  }
  if (kind === "mem" && what === "cls") {
    const { classifyTexts } = await import("../src/sentiment/classify.js");
    const f = await clsFixture();
    const series: { at: number; rssMiB: number }[] = [{ at: 0, rssMiB: rss() }];
    const per = quick ? 200 : 1000;
    for (let i = 1; i <= 10; i++) {
      for (let k = 0; k < per; k += 100) classifyTexts(f.bundle, Array.from({ length: 100 }, () => f.text()));
      series.push({ at: i * per, rssMiB: rss() });
    }
    return { impl, what: "mem cls", series, rssMiB: peakRss() };
  }
  return { impl, what: spec, error: `unknown measurement ${spec}` };
}

function spawnChild(spec: string, threads: number, tokens: number, quick: boolean): Row {
  const args = [fileURLToPath(import.meta.url), "--child", spec, "--tokens", String(tokens), ...(quick ? ["--quick"] : [])];
  const env = { ...process.env, RNNKIT_NATIVE_THREADS: String(threads), RNNKIT_WASM_THREADS: String(threads) };
  const r = spawnSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1 << 24, env });
  try {
    return JSON.parse(r.stdout.trim().split("\n").pop() ?? "") as Row;
  } catch {
    return { impl: spec, what: spec, error: (r.stderr || r.stdout).trim().split("\n").slice(-3).join(" | ") };
  }
}

function runTorchInfer(what: string, threads: 1 | 2, tokens: number): Row {
  const script = join(REPO, "bench", "torch_infer.py");
  const r = spawnSync(PYTHON, [script, String(threads), what, String(tokens)], { env: torchEnv(threads), encoding: "utf8" });
  if (r.status !== 0) return { impl: `pytorch-${threads}t`, what, error: r.stderr.slice(-300) };
  const o = JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}") as Record<string, number | string>;
  const impl = `pytorch-${threads}t (${String(o.torch)})`;
  if (what === "cls") return { impl, what, latencyMs: Number(o.latency_ms), latencyCpuMs: Number(o.latency_cpu_ms), reviewsPerS: Number(o.reviews_per_s), reviewsPerCpuS: Number(o.reviews_per_cpu_s), rssMiB: Number(o.rss_mib) };
  return { impl, what: `gen ${what.slice(4)}`, tokensPerS: Number(o.tokens_per_s), tokensPerSMin: Number(o.tokens_per_s_min), tokensPerSMax: Number(o.tokens_per_s_max), tokensPerCpuS: Number(o.tokens_per_cpu_s), rssMiB: Number(o.rss_mib) };
}

// ---------------------------------------------------------------- parent side
const fmt = (x: number | undefined, d = 0): string => (x === undefined || !Number.isFinite(x) ? "-" : x >= 1e4 ? `${(x / 1e3).toFixed(1)}k` : x.toFixed(d));
const ratio = (a: number | undefined, b: number | undefined, inverse = false): string => (a && b ? `${(inverse ? b / a : a / b).toFixed(2)}×` : "-");

async function main(): Promise<void> {
  if (process.argv.includes("--help") || process.argv.includes("-h")) {
    const doc = /\/\*\*([\s\S]*?)\*\//.exec((await import("node:fs")).readFileSync(fileURLToPath(import.meta.url), "utf8"))?.[1] ?? "";
    console.log(doc.split("\n").map((l) => l.replace(/^\s*\* ?/, "")).join("\n").trim());
    return;
  }
  const quick = process.argv.includes("--quick");
  const f16 = process.argv.includes("--f16");
  const tokens = Number(arg("--tokens") ?? (quick ? 500 : 2000));
  const childSpec = arg("--child");
  if (childSpec) {
    process.stdout.write(JSON.stringify(await child(childSpec, tokens, quick)) + "\n");
    return;
  }
  const what = list(arg("--what"), "gen,cls,mem");
  const backends = list(arg("--backends"), "native,wasm");
  const threads = list(arg("--threads"), "1,2").map(Number);
  const torchWhy = process.argv.includes("--torch") ? torchUnavailable(benchDir(REPO)) : "not requested (--torch)";
  const torchThreads: (1 | 2)[] = torchWhy ? [] : [1, 2];
  console.log(`rnnkit inference bench — node ${process.version}; backends ${backends.join(", ")}; threads ${threads.join(", ")}; PyTorch: ${torchWhy ?? "threads 1, 2"}; ONNX Runtime: see bench/onnx-speed.ts (the same models exported); ${tokens} tokens per generation sample`);

  if (what.includes("gen")) {
    const rows = new Map<string, Record<string, Row>>();
    const add = (r: Row, m: string): void => {
      const k = r.impl;
      rows.set(k, { ...(rows.get(k) ?? {}), [m]: r });
    };
    for (const m of ["word", "char"]) {
      for (const b of backends) for (const t of threads) add(spawnChild(`gen:${b}:${m}`, t, tokens, quick), m);
      if (f16) for (const b of backends) for (const t of threads) add(spawnChild(`gen:${b}:${m}:f16`, t, tokens, quick), m);
      for (const t of torchThreads) add(runTorchInfer(`gen-${m}`, t, tokens), m);
    }
    const torch1 = [...rows.entries()].find(([k]) => k.startsWith("pytorch-1t"))?.[1];
    console.log(`\n## Generation, tokens/s (generate(), ${tokens} tokens per sample, median of ${quick ? 3 : 5}; min–max)`);
    console.log("| impl | word model (5000 × 128 → LSTM 256) | vs PyTorch 1t | per CPU-s (vs) | char model (65 × 64 → 2 × LSTM 256) | vs PyTorch 1t | per CPU-s (vs) | peak RSS MiB (word / char) |");
    console.log("|---|---|---|---|---|---|---|---|");
    for (const [impl, r] of rows) {
      const cell = (x: Row | undefined): string => (x?.error ? `unavailable: ${x.error.slice(0, 80)}` : `${fmt(x?.tokensPerS)} (${fmt(x?.tokensPerSMin)}–${fmt(x?.tokensPerSMax)})`);
      const cpu = (x: Row | undefined, t: Row | undefined): string => `${fmt(x?.tokensPerCpuS)} (${ratio(x?.tokensPerCpuS, t?.tokensPerCpuS)})`;
      console.log(`| ${impl} | ${cell(r.word)} | ${ratio(r.word?.tokensPerS, torch1?.word?.tokensPerS)} | ${cpu(r.word, torch1?.word)} | ${cell(r.char)} | ${ratio(r.char?.tokensPerS, torch1?.char?.tokensPerS)} | ${cpu(r.char, torch1?.char)} | ${fmt(r.word?.rssMiB)} / ${fmt(r.char?.rssMiB)} |`);
    }
  }
  if (what.includes("cls")) {
    const rows: Row[] = [];
    for (const b of backends) for (const t of threads) rows.push(spawnChild(`cls:${b}:x`, t, tokens, quick));
    for (const t of torchThreads) rows.push(runTorchInfer("cls", t, tokens));
    const t1 = rows.find((r) => r.impl.startsWith("pytorch-1t"));
    const best = Math.max(...rows.filter((r) => r.impl.startsWith("pytorch") && r.reviewsPerS).map((r) => r.reviewsPerS!));
    console.log("\n## Sentiment classifier (20000 × 100 → BiLSTM 128 → 2), inference");
    console.log("| impl | batch-1 latency, 200 tokens (ms) | vs PyTorch 1t | CPU ms (vs) | classifyTexts, one 200-word text (ms) | batch of 64 × 200 tokens (reviews/s) | vs best PyTorch | per CPU-s (vs PyTorch 1t) | peak RSS MiB |");
    console.log("|---|---|---|---|---|---|---|---|---|");
    for (const r of rows) {
      if (r.error) console.log(`| ${r.impl} | unavailable: ${r.error.slice(0, 120)} |`);
      else console.log(`| ${r.impl} | ${fmt(r.latencyMs, 2)} | ${ratio(r.latencyMs, t1?.latencyMs, true)} | ${fmt(r.latencyCpuMs, 2)} (${ratio(r.latencyCpuMs, t1?.latencyCpuMs, true)}) | ${fmt(r.textLatencyMs, 2)} | ${fmt(r.reviewsPerS)} | ${ratio(r.reviewsPerS, Number.isFinite(best) ? best : undefined)} | ${fmt(r.reviewsPerCpuS)} (${ratio(r.reviewsPerCpuS, t1?.reviewsPerCpuS)}) | ${fmt(r.rssMiB)} |`);
    }
  }
  if (what.includes("mem")) {
    console.log(`\n## Memory: resident set size (MiB) while generating ${quick ? "2·10⁴" : "10⁵"} tokens (10 generate() calls) and classifying ${quick ? "2·10³" : "10⁴"} reviews (classifyTexts, 100 per call)`);
    for (const b of backends) {
      for (const m of ["gen", "cls"]) {
        const r = spawnChild(`mem:${b}:${m}`, 1, tokens, quick);
        if (r.error || !r.series) {
          console.log(`${r.impl} ${m}: unavailable: ${r.error ?? "?"}`);
          continue;
        }
        const s = r.series;
        const after1 = s[1]!.rssMiB;
        const last = s[s.length - 1]!.rssMiB;
        console.log(`${r.impl} ${m === "gen" ? "tokens" : "reviews"}: ${s.map((p) => `${p.at}: ${p.rssMiB.toFixed(0)}`).join(", ")} — after the first tenth ${after1.toFixed(0)} MiB, at the end ${last.toFixed(0)} MiB (${last - after1 >= 0 ? "+" : ""}${(last - after1).toFixed(1)}); peak ${r.rssMiB?.toFixed(0)} MiB`);
      }
    }
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
