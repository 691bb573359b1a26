/**
 * Fault injection, the long run: ≥ 10⁵ seeded mutations per reader (safetensors, checkpoint,
 * CSV/TSV/JSONL/JSON, word vectors, corpus), each reader in child processes under a watchdog.
 *
 *   node dist/bench/fuzz-readers.js                                  # every reader, 100,000 cases each
 *   node dist/bench/fuzz-readers.js --readers vectors --cases 20000 --seed 3
 *
 * Cases are drawn by fast-check from (seed, chunk): chunk i of a reader is `fc.sample(caseArb,
 * { seed: seed·1000 + i, numRuns: chunk })`, so any case can be replayed by its chunk and index
 * (`--replay reader:chunk:index` prints its outcome and writes its bytes to fuzz-case.bin).
 * A child runs chunks and reports after every case; the parent counts:
 *   ok / typed     accepted, or refused with a RnnkitError (fine)
 *   untyped        any other exception, or an accepted input with a non-finite result (a bug)
 *   hang           no report for --timeout ms: the child is killed, the case counted, the run goes on
 *   crash          the child died (e.g. out of memory) in a case
 *   memory         the child's resident memory grew past --max-rss-mb (checked after every case)
 * and exits 1 unless untyped, hang, crash and memory are all 0.
 */
import { type ChildProcess, fork } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { type Case, TARGETS, caseArb, caseBytes, runCase } from "./fuzz/targets.js";

interface Opts {
  readers: string[];
  cases: number;
  seed: number;
  chunk: number;
  timeout: number;
  maxRssMb: number;
}

type ToParent =
  | { kind: "case"; chunk: number; index: number }
  | { kind: "result"; chunk: number; index: number; outcome: "ok" | "typed" | "untyped"; error?: string; rssMb: number }
  | { kind: "done"; maxRssMb: number; kinds: Record<string, number> };

const chunkCases = (reader: string, seed: number, chunk: number, size: number): Case[] => fc.sample(caseArb(TARGETS[reader]!), { seed: seed * 1000 + chunk, numRuns: size });

/** Child: run chunks [from, to) of one reader from case `start` of the first, reporting each case. */
async function child(reader: string, seed: number, size: number, from: number, to: number, start: number): Promise<void> {
  const t = TARGETS[reader]!;
  const seeds = t.seeds();
  const dir = mkdtempSync(join(tmpdir(), `rnnkit-fuzz-${reader}-`));
  // not awaited: a pipe write of a few bytes completes at once, and the order is kept
  const send = (m: ToParent): void => void process.send!(m);
  let maxRss = 0;
  const kinds: Record<string, number> = {};
  try {
    for (let ch = from; ch < to; ch++) {
      const cases = chunkCases(reader, seed, ch, size);
      for (let i = ch === from ? start : 0; i < cases.length; i++) {
        send({ kind: "case", chunk: ch, index: i });
        const r = await runCase(t, cases[i]!, dir, seeds);
        const rss = process.memoryUsage.rss() / 2 ** 20;
        maxRss = Math.max(maxRss, rss);
        if (r.kind) kinds[r.kind] = (kinds[r.kind] ?? 0) + 1;
        send({ kind: "result", chunk: ch, index: i, outcome: r.outcome, ...(r.error ? { error: r.error } : {}), rssMb: rss });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  await new Promise<void>((res) => process.send!({ kind: "done", maxRssMb: maxRss, kinds } satisfies ToParent, () => res()));
}

interface Tally {
  ok: number;
  typed: number;
  untyped: number;
  hang: number;
  crash: number;
  memory: number;
  maxRssMb: number;
  examples: string[];
  /** How often each check refused a case (errorKind): how deep the mutations reach. */
  kinds: Record<string, number>;
}

/** Parent: run one reader's cases in children, restarting after a hang or a crash. */
async function runReader(reader: string, o: Opts): Promise<Tally> {
  const tally: Tally = { ok: 0, typed: 0, untyped: 0, hang: 0, crash: 0, memory: 0, maxRssMb: 0, examples: [], kinds: {} };
  const chunks = Math.ceil(o.cases / o.chunk);
  let next = { chunk: 0, index: 0 };
  const script = fileURLToPath(import.meta.url);
  const noted: Record<string, number> = {};
  const note = (what: string, at: { chunk: number; index: number }, detail = ""): void => {
    noted[what] = (noted[what] ?? 0) + 1;
    if (noted[what]! <= 8) tally.examples.push(`${what} at ${reader}:${at.chunk}:${at.index}${detail ? `: ${detail}` : ""}`);
  };
  while (next.chunk < chunks) {
    const c: ChildProcess = fork(script, ["--child", reader, String(o.seed), String(o.chunk), String(next.chunk), String(chunks), String(next.index)], { stdio: ["ignore", "ignore", "pipe", "ipc"] });
    let current = { ...next };
    let started = false;
    let stderrTail = "";
    let exitNote = "";
    let timer: NodeJS.Timeout | null = null;
    const end = await new Promise<"done" | "hang" | "crash">((resolve) => {
      // until the child's first report it is starting up (loading the library), which on a busy
      // machine can take longer than any case: that wait is not a case's and gets a minute
      const arm = (): void => {
        if (timer) clearTimeout(timer);
        timer = setTimeout(
          () => {
            c.kill("SIGKILL");
            resolve(started ? "hang" : "crash");
          },
          started ? o.timeout : Math.max(60_000, o.timeout),
        );
      };
      arm();
      let done = false;
      c.on("message", (m: ToParent) => {
        arm();
        if (m.kind === "case") {
          started = true;
          current = { chunk: m.chunk, index: m.index };
        } else if (m.kind === "result") {
          tally[m.outcome]++;
          tally.maxRssMb = Math.max(tally.maxRssMb, m.rssMb);
          if (m.outcome === "untyped") note("untyped", current, m.error);
          if (m.rssMb > o.maxRssMb) {
            tally.memory++;
            note("memory", current, `${m.rssMb.toFixed(0)} MB resident`);
          }
          next = m.index + 1 >= o.chunk ? { chunk: m.chunk + 1, index: 0 } : { chunk: m.chunk, index: m.index + 1 };
        } else if (m.kind === "done") {
          done = true;
          tally.maxRssMb = Math.max(tally.maxRssMb, m.maxRssMb);
          for (const [k, n] of Object.entries(m.kinds)) tally.kinds[k] = (tally.kinds[k] ?? 0) + n;
        }
      });
      c.stderr!.on("data", (d: Buffer) => {
        stderrTail = (stderrTail + d.toString()).slice(-400);
      });
      c.on("exit", (code, signal) => {
        if (timer) clearTimeout(timer);
        exitNote = `exit ${code ?? signal}`;
        resolve(done ? "done" : "crash");
      });
    });
    if (end === "hang" || end === "crash") {
      tally[end]++;
      note(end, current, end === "crash" ? `${exitNote}${started ? "" : " before the first case"}; ${stderrTail.trim().split("\n").slice(-3).join(" / ")}` : "");
      next = current.index + 1 >= o.chunk ? { chunk: current.chunk + 1, index: 0 } : { chunk: current.chunk, index: current.index + 1 };
    } else break;
  }
  return tally;
}

async function replay(spec: string, o: Opts): Promise<void> {
  const [reader, chunk, index] = spec.split(":");
  const t = TARGETS[reader!]!;
  const c = chunkCases(reader!, o.seed, Number(chunk), o.chunk)[Number(index)]!;
  const dir = mkdtempSync(join(tmpdir(), "rnnkit-replay-"));
  writeFileSync("fuzz-case.bin", caseBytes(t, c).bytes);
  console.log(JSON.stringify(c));
  console.log(await runCase(t, c, dir));
  rmSync(dir, { recursive: true, force: true });
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === "--child") {
    const [reader, seed, size, from, to, start] = argv.slice(1);
    return child(reader!, Number(seed), Number(size), Number(from), Number(to), Number(start));
  }
  const o: Opts = { readers: Object.keys(TARGETS), cases: 100_000, seed: 1, chunk: 5000, timeout: 10_000, maxRssMb: 512 };
  let replaySpec = "";
  let verbose = false;
  for (let i = 0; i < argv.length; i += 2) {
    const k = argv[i]!;
    const v = argv[i + 1] ?? "";
    if (k === "--readers") o.readers = v.split(",");
    else if (k === "--cases") o.cases = Number(v);
    else if (k === "--seed") o.seed = Number(v);
    else if (k === "--chunk") o.chunk = Number(v);
    else if (k === "--timeout") o.timeout = Number(v);
    else if (k === "--max-rss-mb") o.maxRssMb = Number(v);
    else if (k === "--replay") replaySpec = v;
    else if (k === "--verbose") {
      verbose = true;
      i--;
    }
    else throw new Error(`fuzz-readers: unknown option ${k} (--readers, --cases, --seed, --chunk, --timeout, --max-rss-mb, --replay reader:chunk:index)`);
  }
  for (const r of o.readers) if (!TARGETS[r]) throw new Error(`fuzz-readers: unknown reader ${r} (known: ${Object.keys(TARGETS).join(", ")})`);
  if (replaySpec) return replay(replaySpec, o);
  let bad = 0;
  console.log(`reader        cases      ok   typed  untyped  hang  crash  memory  peak RSS   seconds   (seed ${o.seed}, watchdog ${o.timeout} ms, RSS bound ${o.maxRssMb} MB)`);
  for (const r of o.readers) {
    const t0 = Date.now();
    const t = await runReader(r, o);
    const n = t.ok + t.typed + t.untyped + t.hang + t.crash;
    bad += t.untyped + t.hang + t.crash + t.memory;
    console.log(
      `${r.padEnd(12)} ${String(n).padStart(6)} ${String(t.ok).padStart(7)} ${String(t.typed).padStart(7)} ${String(t.untyped).padStart(8)} ${String(t.hang).padStart(5)} ${String(t.crash).padStart(6)} ${String(t.memory).padStart(7)} ${`${t.maxRssMb.toFixed(0)} MB`.padStart(9)} ${((Date.now() - t0) / 1000).toFixed(0).padStart(9)}`,
    );
    for (const e of t.examples) console.log(`    ${e}`);
    const kinds = Object.entries(t.kinds).sort((a, b) => b[1] - a[1]);
    console.log(`    ${kinds.length} distinct refusals; most frequent: ${kinds.slice(0, 6).map(([k, n]) => `${n}× ${k}`).join(" | ")}`);
    if (verbose) for (const [k, n] of kinds) console.log(`      ${String(n).padStart(7)}  ${k}`);
  }
  process.exitCode = bad > 0 ? 1 : 0;
}

void main();
