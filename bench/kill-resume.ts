#!/usr/bin/env node
/**
 * Interrupted training, at random points, resumed: does the run end exactly where an uninterrupted
 * run ends? For each trial this script picks (seeded) a model kind (language model on a slice of
 * Penn Treebank, classifier on a slice of sentence polarity), dropout on or off, a snapshot interval
 * (`--checkpoint-every 1..8` steps, or only at epoch ends), and one or two interruptions — Ctrl-C
 * (SIGINT) or `kill -9` (SIGKILL) at a random moment of the run. After each interruption it runs
 * `--resume` (or, when the kill came before the first snapshot, the same command again from scratch,
 * which must take over the dead run's lock). The final checkpoint must equal the uninterrupted run's
 * byte for byte.
 *
 *   node dist/bench/kill-resume.js [--trials 40] [--seed 1] [--kinds lm,classifier]
 *
 * Counts go to stdout; a failing trial prints its recipe and the script exits 1. The fast version of
 * this check is in the test suite (test/cli/commands/train-runs.test.ts).
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Generator } from "../src/tensor/random.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, "..", ".."); // dist/bench → repo root
const CLI = join(REPO, "dist", "src", "cli", "main.js");
const DATA = resolve(REPO, "..", "shared", "data");

type Kind = "lm" | "classifier";
type Sig = "SIGINT" | "SIGKILL";

function args(argv: string[]): { trials: number; seed: number; kinds: Kind[] } {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  if (argv.includes("--help")) {
    console.log("node dist/bench/kill-resume.js [--trials 40] [--seed 1] [--kinds lm,classifier]");
    process.exit(0);
  }
  const kinds = (get("--kinds") ?? "lm,classifier").split(",") as Kind[];
  for (const k of kinds) if (k !== "lm" && k !== "classifier") throw new Error(`kill-resume: --kinds takes lm and/or classifier, got "${k}"`);
  return { trials: Number(get("--trials") ?? 40), seed: Number(get("--seed") ?? 1), kinds };
}

/** Real data, small: 2,500 lines of PTB's training text; 1,000 + 200 sentences of rt-polarity. */
function makeData(dir: string): { corpus: string; train: string; test: string } {
  const ptb = join(DATA, "ptb", "ptb.train.txt");
  const pos = join(DATA, "rt-polarity", "rt-polarity.pos");
  const neg = join(DATA, "rt-polarity", "rt-polarity.neg");
  for (const f of [ptb, pos, neg]) if (!existsSync(f)) throw new Error(`kill-resume: ${f} is missing (hint: the datasets live in ../shared/data beside the repository)`);
  const corpus = join(dir, "ptb-slice.txt");
  writeFileSync(corpus, readFileSync(ptb, "utf8").split("\n").slice(0, 2500).join("\n"));
  // rt-polarity is cp1252 text, one sentence per line; interleave so both splits hold both labels.
  const p = readFileSync(pos, "latin1").split("\n").filter((l) => l.trim() !== "");
  const n = readFileSync(neg, "latin1").split("\n").filter((l) => l.trim() !== "");
  const rows: string[] = [];
  for (let i = 0; i < 600; i++) rows.push(JSON.stringify({ text: p[i]!, label: "pos" }), JSON.stringify({ text: n[i]!, label: "neg" }));
  const train = join(dir, "polarity-train.jsonl");
  const test = join(dir, "polarity-test.jsonl");
  writeFileSync(train, rows.slice(0, 1000).join("\n") + "\n");
  writeFileSync(test, rows.slice(1000).join("\n") + "\n");
  return { corpus, train, test };
}

function command(kind: Kind, data: ReturnType<typeof makeData>, dropout: number, out: string, every: number): string[] {
  const snap = every > 0 ? ["--checkpoint-every", String(every)] : [];
  if (kind === "lm")
    return ["train-lm", "--data", data.corpus, "--level", "word", "--word-style", "ptb", "--emb", "32", "--hidden", "48", "--layers", "2",
      "--dropout", String(dropout), "--batch-size", "16", "--bptt", "20", "--epochs", "2", "--seed", "7", "--sample-every", "0", "--json", "--out", out, ...snap];
  return ["train-classifier", "--data", data.train, "--test-data", data.test, "--emb", "24", "--hidden", "24", "--dropout", String(dropout),
    "--batch-size", "16", "--epochs", "3", "--patience", "0", "--seed", "7", "--json", "--out", out, ...snap];
}

function runToEnd(argv: string[]): { code: number; ms: number; stderr: string } {
  const t = Date.now();
  const r = spawnSync(process.execPath, [CLI, ...argv], { encoding: "utf8", timeout: 600_000 });
  return { code: r.status ?? -1, ms: Date.now() - t, stderr: r.stderr };
}

/** Run, send `sig` after `ms` milliseconds (if still running); resolves with the exit code or signal. */
function runAndInterrupt(argv: string[], sig: Sig, ms: number): Promise<{ code: number | null; signal: string | null; interrupted: boolean; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...argv], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    let interrupted = false;
    const timer = setTimeout(() => {
      interrupted = true;
      child.kill(sig);
    }, ms);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, interrupted, stderr });
    });
  });
}

async function main(): Promise<void> {
  const o = args(process.argv.slice(2));
  const dir = mkdtempSync(join(tmpdir(), "rnnkit-kill-resume-"));
  const data = makeData(dir);
  const g = new Generator(o.seed);
  const refs = new Map<string, { bytes: Buffer; ms: number }>();
  const counts = { trials: 0, identical: 0, different: 0, failed: 0, sigint: 0, sigkill: 0, beforeFirstSnapshot: 0, finishedFirst: 0, interruptions: 0 };
  const t0 = Date.now();
  for (let trial = 0; trial < o.trials; trial++) {
    const kind = o.kinds[g.randint(o.kinds.length)]!;
    const dropout = g.random() < 0.5 ? 0 : 0.3;
    const every = g.random() < 0.25 ? 0 : 1 + g.randint(8);
    const key = `${kind}:${dropout}`;
    if (!refs.has(key)) {
      const out = join(dir, `ref-${kind}-${dropout}`, "model.safetensors");
      const r = runToEnd(command(kind, data, dropout, out, 0));
      if (r.code !== 0) throw new Error(`kill-resume: the reference ${key} run failed (exit ${r.code}):\n${r.stderr}`);
      refs.set(key, { bytes: readFileSync(out), ms: r.ms });
    }
    const ref = refs.get(key)!;
    const out = join(dir, `trial-${trial}`, "model.safetensors");
    const kills = 1 + (g.random() < 0.3 ? 1 : 0);
    const recipe: string[] = [`trial ${trial}: ${kind}, dropout ${dropout}, ${every > 0 ? `--checkpoint-every ${every}` : "epoch-end snapshots"}`];
    let resume = false;
    let finished = false;
    let failed = "";
    for (let k = 0; k < kills && failed === ""; k++) {
      const sig: Sig = g.random() < 0.5 ? "SIGINT" : "SIGKILL";
      const at = Math.round(ref.ms * (0.15 + 0.8 * g.random()));
      const argv = resume ? [kind === "lm" ? "train-lm" : "train-classifier", "--resume", "--json", "--out", out] : command(kind, data, dropout, out, every);
      const r = await runAndInterrupt(argv, sig, at);
      recipe.push(`${resume ? "--resume" : "start"}, ${sig} at ${at} ms → ${r.interrupted ? (r.signal ?? `exit ${r.code}`) : `finished (exit ${r.code})`}`);
      if (!r.interrupted) {
        counts.finishedFirst++;
        finished = true;
        if (r.code !== 0) failed = `exit ${r.code}: ${r.stderr.slice(-400)}`;
        break;
      }
      counts.interruptions++;
      counts[sig === "SIGINT" ? "sigint" : "sigkill"]++;
      if (sig === "SIGINT" && r.code !== 130 && r.code !== 0) failed = `Ctrl-C exited ${r.code} (expected 130):\n${r.stderr.slice(-400)}`;
      resume = existsSync(out.replace(/\.safetensors$/, ".train.safetensors"));
      if (!resume) {
        counts.beforeFirstSnapshot++;
        recipe.push("no snapshot yet: start again from scratch");
      }
    }
    if (failed === "" && !finished) {
      const argv = resume ? [kind === "lm" ? "train-lm" : "train-classifier", "--resume", "--json", "--out", out] : command(kind, data, dropout, out, every);
      const last = runToEnd(argv);
      recipe.push(`${resume ? "--resume" : "start"} to the end → exit ${last.code}`);
      if (last.code !== 0) failed = `exit ${last.code}: ${last.stderr.slice(-400)}`;
    }
    counts.trials++;
    if (failed !== "") {
      counts.failed++;
      console.log(`FAILED ${recipe.join("; ")}\n  ${failed}`);
    } else if (existsSync(out) && readFileSync(out).equals(ref.bytes)) {
      counts.identical++;
    } else {
      counts.different++;
      console.log(`DIFFERENT ${recipe.join("; ")}: the final checkpoint differs from the uninterrupted run's`);
    }
    rmSync(dirname(out), { recursive: true, force: true });
  }
  const s = ((Date.now() - t0) / 1000).toFixed(0);
  console.log(
    `kill-resume (seed ${o.seed}, ${o.kinds.join("+")}): ${counts.trials} trials, ${counts.interruptions} interruptions (${counts.sigint} SIGINT, ${counts.sigkill} SIGKILL; ` +
      `${counts.beforeFirstSnapshot} before the first snapshot, restarted), ${counts.finishedFirst} runs finished before their signal; ` +
      `final checkpoint byte-identical to the uninterrupted run: ${counts.identical}, different: ${counts.different}, failed: ${counts.failed}; ${s} s`,
  );
  rmSync(dir, { recursive: true, force: true });
  if (counts.different + counts.failed > 0) process.exit(1);
}

await main();
