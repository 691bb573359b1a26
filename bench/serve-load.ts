#!/usr/bin/env node
/**
 * Load test of `rnnkit serve` with autocannon, over 127.0.0.1 only: throughput and p50/p99 latency
 * at 1, 16 and 256 concurrent connections for /classify (the shipped IMDB BiLSTM, one review per
 * request) and /next (the default train-lm word model shape: vocab 5000, emb 128, LSTM 256, random
 * weights), then the server's resident memory before and after 10^5 requests.
 *
 *   node dist/bench/serve-load.js [--duration 10] [--connections 1,16,256] [--soak 100000] [--routes classify,next]
 *
 * The server runs in a child process (`rnnkit serve --port 0`, default backend and limits); RSS is
 * its /proc/<pid>/status VmRSS (VmHWM = peak). Requests answered 503 (queue full) are counted and
 * reported, not hidden: throughput counts 2xx answers only.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const CLI = join(REPO, "dist", "src", "cli", "main.js");

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number; max: number };
  "2xx": number;
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
  statusCodeStats?: Record<string, { count: number }>;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const list = (v: string | undefined, d: string): string[] => (v ?? d).split(",").map((s) => s.trim()).filter(Boolean);

function rss(pid: number): { rssMiB: number; peakMiB: number } {
  const s = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (k: string): number => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? NaN);
  return { rssMiB: kb("VmRSS") / 1024, peakMiB: kb("VmHWM") / 1024 };
}

const BODIES: Record<string, () => string> = {
  classify: () => JSON.stringify({ text: "The plot was thin and the pacing slow, but the actors were wonderful and the music moved me to tears. I would watch it again." }),
  next: () => JSON.stringify({ text: "the company said it would", k: 5 }),
};

async function main(): Promise<void> {
  const duration = Number(arg("--duration") ?? 10);
  const conns = list(arg("--connections"), "1,16,256").map(Number);
  const soak = Number(arg("--soak") ?? 100_000);
  const routes = list(arg("--routes"), "classify,next");

  // the LM: the default train-lm word model's shape, random weights (speed does not depend on them)
  const { LanguageModel } = await import("../src/models/index.js");
  const { lmVocab } = await import("../test/helpers/lm-vocab.js");
  const { resolveTokenizer } = await import("../src/data/text/tokenize.js");
  const { saveLm } = await import("../src/io/checkpoint.js");
  const { manualSeed } = await import("../src/tensor/random.js");
  manualSeed(1);
  const words = "the company said it would buy shares of stock market".split(" ");
  const vocab = lmVocab(["<unk>", "<eos>", ...words.slice(0, -1).filter((w, i, a) => a.indexOf(w) === i), ...Array.from({ length: 5000 - 2 - 9 }, (_, i) => `w${i}`)], resolveTokenizer({ level: "word" }), "<unk>");
  const dir = mkdtempSync(join(tmpdir(), "rnnkit-serve-bench-"));
  saveLm(join(dir, "lm.safetensors"), new LanguageModel({ vocabSize: vocab.size, embeddingDim: 128, hiddenSize: 256 }), vocab);

  const child = spawn(process.execPath, [CLI, "serve", "--port", "0", "--classifier", join(REPO, "models", "imdb-bilstm", "model.safetensors"), "--lm", join(dir, "lm.safetensors")], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (c: string) => (out += c));
  for (let i = 0; i < 600 && !/listening on (http:\S+)/.test(out); i++) await new Promise((r) => setTimeout(r, 50));
  const url = /listening on (http:\S+)/.exec(out)?.[1];
  if (!url) throw new Error(`serve did not start: ${out}`);
  const pid = child.pid!;
  const headers = { "content-type": "application/json" };
  const say = (s: string): void => void process.stdout.write(`${s}\n`);
  say(`rnnkit serve at ${url} (pid ${pid}); RSS after start ${rss(pid).rssMiB.toFixed(0)} MiB; Node ${process.version}`);

  await autocannon({ url: `${url}/classify`, method: "POST", headers, body: BODIES.classify!(), connections: 4, amount: 500 }); // warm-up
  await autocannon({ url: `${url}/next`, method: "POST", headers, body: BODIES.next!(), connections: 4, amount: 500 });

  say("\n| route | connections | 2xx req/s | p50 ms | p99 ms | 503 (queue full) | errors |\n|---|---:|---:|---:|---:|---:|---:|");
  const rows: unknown[] = [];
  for (const route of routes)
    for (const c of conns) {
      const r = await autocannon({ url: `${url}/${route}`, method: "POST", headers, body: BODIES[route]!(), connections: c, duration });
      const ok = r["2xx"];
      const busy = r.statusCodeStats?.["503"]?.count ?? 0;
      say(`| /${route} | ${c} | ${(ok / r.duration).toFixed(0)} | ${r.latency.p50} | ${r.latency.p99} | ${busy} | ${r.errors + r.timeouts} |`);
      rows.push({ route, connections: c, okPerS: ok / r.duration, p50: r.latency.p50, p99: r.latency.p99, busy, errors: r.errors, timeouts: r.timeouts });
    }

  // soak: 10^5 requests alternating /classify and /next over 16 connections
  const before = rss(pid);
  const t0 = Date.now();
  const s = await autocannon({
    url,
    connections: 16,
    amount: soak,
    requests: [
      { method: "POST", path: "/classify", headers, body: BODIES.classify!() },
      { method: "POST", path: "/next", headers, body: BODIES.next!() },
    ],
  });
  const after = rss(pid);
  say(`\nsoak: ${s.requests.total.toLocaleString()} requests (${s["2xx"].toLocaleString()} 2xx, ${s.non2xx} non-2xx, ${s.errors} errors) in ${((Date.now() - t0) / 1e3).toFixed(0)} s; server RSS ${before.rssMiB.toFixed(0)} MiB before → ${after.rssMiB.toFixed(0)} MiB after (peak ${after.peakMiB.toFixed(0)} MiB)`);
  child.kill("SIGTERM");
  await new Promise((r) => child.on("exit", r));
  say(JSON.stringify({ rows, soak: { requests: s.requests.total, ok: s["2xx"], non2xx: s.non2xx, errors: s.errors, rssBeforeMiB: before.rssMiB, rssAfterMiB: after.rssMiB, peakMiB: after.peakMiB } }));
}

await main();
