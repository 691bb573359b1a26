/**
 * What the load-time checks cost: loading the shipped IMDB BiLSTM (models/imdb-bilstm) with the
 * checks (loadClassifierFromBytes: metadata against tensor shapes, finite weights, pipeline,
 * labels) against the same steps without them (decode, build the model from the metadata, load
 * the state dict), interleaved in one process; and the memory a load takes, in a fresh child
 * process per path, against the file's size.
 *
 *   node dist/bench/checkpoint-load.js [--model path] [--runs 40]
 */
import { execFileSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Vocabulary } from "../src/data/text/vocabulary.js";
import { decodeCheckpoint } from "../src/io/checkpoint-bytes.js";
import { checkClassifierCheckpoint } from "../src/models/checkpoint-config.js";
import { SequenceClassifier, type SequenceClassifierConfig } from "../src/models/sequence-classifier.js";
import { CLASSIFIER_KIND, loadClassifierFromBytes } from "../src/io/checkpoint-bytes.js";
import { shippedModelPath } from "../src/sentiment/shipped.js";

/** The load path before the checks: trust the metadata. */
function loadUnchecked(bytes: Uint8Array): SequenceClassifier {
  const { tensors, meta } = decodeCheckpoint(bytes, "model", CLASSIFIER_KIND);
  const cfg = meta.config as { model: SequenceClassifierConfig };
  Vocabulary.fromJSON(meta.vocab);
  const m = new SequenceClassifier(cfg.model);
  m.loadStateDict(tensors);
  return m.eval();
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function child(path: string, how: string): void {
  const bytes = readFileSync(path);
  const before = process.memoryUsage.rss();
  const keep = how === "checked" ? loadClassifierFromBytes(bytes, path).model : loadUnchecked(bytes);
  const after = process.memoryUsage.rss();
  // maxRSS (KiB) is the process's peak: the load is the only big thing this process does
  process.stdout.write(JSON.stringify({ before, after, peak: process.resourceUsage().maxRSS * 1024, params: keep.numParameters() }));
}

function main(): void {
  const argv = process.argv.slice(2);
  if (argv[0] === "--child") return child(argv[1]!, argv[2]!);
  const get = (k: string, d: string): string => {
    const i = argv.indexOf(k);
    return i >= 0 ? argv[i + 1]! : d;
  };
  const path = get("--model", shippedModelPath());
  const runs = Number(get("--runs", "40"));
  const bytes = readFileSync(path);
  const size = statSync(path).size;
  const t = { checked: [] as number[], unchecked: [] as number[], checksOnly: [] as number[] };
  const { tensors, meta } = decodeCheckpoint(bytes, path, CLASSIFIER_KIND);
  // ABBA order, so neither path always runs right after the other's garbage
  const loads: Array<[keyof typeof t, () => unknown]> = [
    ["checked", () => loadClassifierFromBytes(bytes, path)],
    ["unchecked", () => loadUnchecked(bytes)],
    ["checksOnly", () => checkClassifierCheckpoint((meta.config as { model: unknown }).model, tensors, path)],
  ];
  for (let r = 0; r < runs + 2; r++) {
    for (const [name, fn] of r % 2 === 0 ? loads : [...loads].reverse()) {
      const t0 = performance.now();
      fn();
      if (r >= 2) t[name].push(performance.now() - t0);
    }
  }
  const [c, u, k] = [median(t.checked), median(t.unchecked), median(t.checksOnly)];
  console.log(`${path}: ${(size / 2 ** 20).toFixed(2)} MiB, ${runs} interleaved loads each (medians)`);
  console.log(`  with the checks     ${c.toFixed(2)} ms`);
  console.log(`  without the checks  ${u.toFixed(2)} ms   → the checks add ${(((c - u) / u) * 100).toFixed(1)} % (${(c - u).toFixed(2)} ms)`);
  console.log(`  the checks alone    ${k.toFixed(2)} ms (shapes + finite scan of ${(size / 4 / 1e6).toFixed(2)} M floats)`);
  const script = fileURLToPath(import.meta.url);
  for (const how of ["checked", "unchecked"]) {
    const m = JSON.parse(execFileSync(process.execPath, [script, "--child", path, how], { encoding: "utf8" })) as { before: number; after: number; peak: number };
    console.log(`  memory (${how.padEnd(9)}): resident +${((m.after - m.before) / 2 ** 20).toFixed(1)} MiB after the load, peak ${((m.peak - m.before) / 2 ** 20).toFixed(1)} MiB above the start = ${((m.peak - m.before) / size).toFixed(1)}× the file`);
  }
}

main();
