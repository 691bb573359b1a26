/**
 * Fault injection for rnnkit's file readers: seed inputs, mutations (fast-check arbitraries), and
 * one runner per reader. Shared by the fast property tests (test/reliability/fuzz-readers.test.ts)
 * and the long run (bench/fuzz-readers.ts, 10⁵ cases per reader in watched child processes).
 *
 * A case = a seed input + 1–6 mutations. Its outcome:
 *   ok       the reader accepted the bytes and what it returned passed the sanity checks
 *   typed    the reader threw a RnnkitError (CheckpointError, SafetensorsError, DataFormatError),
 *            whose message names the source — the only acceptable way to refuse input
 *   untyped  anything else thrown (TypeError, "Invalid typed array length", a stack overflow), or
 *            an accepted input giving a non-finite result: a bug
 * Hangs and memory are watched by the caller (the long run kills a child that stops reporting).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { charTokens, resolveTokenizer } from "../../src/data/text/tokenize.js";
import { encodeCorpus } from "../../src/data/corpus/encode.js";
import { loadCorpusSync } from "../../src/data/corpus/load.js";
import { tokenizeAll } from "../../src/data/sentiment/batching.js";
import { encodeLabels } from "../../src/data/sentiment/labels.js";
import { readTabular } from "../../src/data/sentiment/tabular.js";
import { Vocabulary } from "../../src/data/text/vocabulary.js";
import { readEmbeddings } from "../../src/embeddings/read.js";
import { RnnkitError } from "../../src/errors.js";
import { load, save } from "../../src/io/safetensors.js";
import { classifierToBytes, loadClassifierFromBytes, loadLmFromBytes, lmToBytes } from "../../src/io/checkpoint-bytes.js";
import { predictNext } from "../../src/lm/predict.js";
import { LanguageModel } from "../../src/models/language-model.js";
import { SequenceClassifier } from "../../src/models/sequence-classifier.js";
import { classifyTexts } from "../../src/sentiment/classify.js";
import { manualSeed } from "../../src/tensor/random.js";
import { Tensor } from "../../src/tensor/tensor.js";

export type Outcome = "ok" | "typed" | "untyped";

export interface Seed {
  name: string;
  /** File extension the reader sees (format detection). */
  ext: string;
  bytes: Uint8Array;
}

export interface Target {
  name: string;
  /** Whether the runner needs the bytes in a file (path-based readers). */
  seeds: () => Seed[];
  /** Read the bytes (at `path` when the target is path-based) and check the result; throws on rejection. */
  run(bytes: Uint8Array, seed: Seed, path: string): Promise<void> | void;
  /** Mutations that understand the format (JSON header edits, word2vec headers) on top of the byte-level ones. */
  structured?: "safetensors-json" | "vectors-header";
}

/** A failure that is not an exception from the reader: an accepted input with a wrong-looking result. */
export class SanityError extends Error {
  override name = "SanityError";
}

const finite = (xs: ArrayLike<number>, what: string): void => {
  for (let i = 0; i < xs.length; i++) if (!Number.isFinite(xs[i]!)) throw new SanityError(`${what}: non-finite value ${xs[i]} at ${i} from an accepted input`);
};

// ---------------------------------------------------------------------------------------- seeds

function checkpointSeeds(): Seed[] {
  manualSeed(7);
  const lmVocab = Vocabulary.fromStream(charTokens("abcdefgh the cat"), resolveTokenizer({ level: "char" }));
  const lm = lmToBytes(new LanguageModel({ vocabSize: lmVocab.size, embeddingDim: 4, hiddenSize: 3 }), lmVocab, { epoch: 1 });
  const vocab = new Vocabulary(["<pad>", "<unk>", "good", "bad", "film"]);
  const clf = classifierToBytes({
    model: new SequenceClassifier({ vocabSize: vocab.size, embeddingDim: 4, hiddenSize: 3, numClasses: 2 }),
    vocab,
    labels: ["neg", "pos"],
    pipeline: { tokenize: {}, maxLen: 20, truncate: "head+tail" },
  });
  return [
    { name: "lm", ext: ".safetensors", bytes: lm },
    { name: "classifier", ext: ".safetensors", bytes: clf },
  ];
}

function safetensorsSeeds(): Seed[] {
  const f = new Tensor(Float32Array.from([1, -2.5, 3e-8, 4, 5, 6]), [2, 3]);
  const i = new Tensor(Int32Array.from([7, -8, 9]), [3]);
  const plain = save({ "a.weight": f, "b.ids": i, scalar: new Tensor(Float32Array.from([0.5]), []) }, { format: "pt", note: "x" });
  // a hand-made file with the other readable dtypes (F16, BF16, F64, I64, U8, BOOL)
  const entries: Array<[string, string, number[], number[]]> = [
    ["h", "F16", [2], [0x00, 0x3c, 0x00, 0xc0]],
    ["bf", "BF16", [2], [0x80, 0x3f, 0x00, 0x40]],
    ["d", "F64", [1], [0, 0, 0, 0, 0, 0, 0xf0, 0x3f]],
    ["l", "I64", [1], [5, 0, 0, 0, 0, 0, 0, 0]],
    ["u", "U8", [3], [1, 2, 255]],
    ["t", "BOOL", [2], [0, 1]],
  ];
  let off = 0;
  const header: Record<string, unknown> = {};
  for (const [name, dtype, shape, data] of entries) {
    header[name] = { dtype, shape, data_offsets: [off, off + data.length] };
    off += data.length;
  }
  const h = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + off);
  new DataView(out.buffer).setUint32(0, h.length, true);
  out.set(h, 8);
  out.set(entries.flatMap((e) => e[3]), 8 + h.length);
  return [
    { name: "f32-i32", ext: ".safetensors", bytes: plain },
    { name: "dtypes", ext: ".safetensors", bytes: out },
  ];
}

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

function tabularSeeds(): Seed[] {
  return [
    { name: "csv", ext: ".csv", bytes: enc('text,label\n"A ""great"" film, really",pos\nawful plot,neg\n"line\nbreak",pos\nmeh,neg\n') },
    { name: "tsv", ext: ".tsv", bytes: enc("label\ttext\npos\tgood\tfun\nneg\tdull film\n1\tok\n") },
    { name: "jsonl", ext: ".jsonl", bytes: enc('{"text":"good film","label":"pos"}\n{"text":"bad","label":1}\n{"text":"x","label":true}\n') },
    { name: "json", ext: ".json", bytes: enc('[{"text":"fine","label":"pos"},{"text":"poor","label":"neg"},{"text":"","label":null}]') },
  ];
}

function vectorSeeds(): Seed[] {
  const bin: number[] = [...enc("3 2\n")];
  const f = new Float32Array(1);
  const b = new Uint8Array(f.buffer);
  for (const [w, a, c] of [["the", 0.5, -1], ["cat", 2, 3.25], ["naïve", -0.125, 1e-3]] as const) {
    bin.push(...enc(`${w} `));
    for (const v of [a, c]) {
      f[0] = v;
      bin.push(...b);
    }
    bin.push(10);
  }
  return [
    { name: "glove", ext: ".txt", bytes: enc("the 0.1 -0.2 0.3\ncat 1 2 3\nnew york 0.5 0.5 0.5\n") },
    { name: "word2vec-text", ext: ".vec", bytes: enc("3 3\nthe 0.1 -0.2 0.3 \ncat 1e-3 2 3 \ndog 4 5 6\n") },
    { name: "word2vec-binary", ext: ".bin", bytes: Uint8Array.from(bin) },
  ];
}

function corpusSeeds(): Seed[] {
  return [
    { name: "prose", ext: ".txt", bytes: enc("Call me Ishmael. Some years ago, never mind how long.\n\nIt was a dark night; the sea was calm.\r\nThe end!\n") },
    { name: "ptb", ext: ".txt", bytes: enc(" the cat sat on the mat \n the dog <unk> N \n a b c d e f g \n") },
  ];
}

// -------------------------------------------------------------------------------------- targets

export const TARGETS: Record<string, Target> = {
  safetensors: {
    name: "safetensors",
    seeds: safetensorsSeeds,
    structured: "safetensors-json",
    run(bytes) {
      const { tensors } = load(bytes);
      for (const t of Object.values(tensors)) if (t.size !== t.shape.reduce((a, b) => a * b, 1)) throw new SanityError("tensor size does not match its shape");
    },
  },
  checkpoint: {
    name: "checkpoint",
    seeds: checkpointSeeds,
    structured: "safetensors-json",
    run(bytes, seed) {
      if (seed.name === "lm") {
        const { model, vocab } = loadLmFromBytes(bytes, "fuzz.safetensors");
        // a loaded model must predict finite probabilities (NaN/Inf weights are refused at load)
        const p = predictNext(model, vocab, "the cat", { k: 3 });
        finite(p.next.map((n) => n.prob), "predictNext");
      } else {
        const b = loadClassifierFromBytes(bytes, "fuzz.safetensors");
        const p = classifyTexts(b, ["good film", "bad"]);
        finite(p.flatMap((x) => Object.values(x.probs)), "classify");
      }
    },
  },
  tabular: {
    name: "tabular",
    seeds: tabularSeeds,
    run(_bytes, _seed, path) {
      const d = readTabular(path, { textColumn: "text", labelColumn: "label" });
      if (d.examples.length === 0) throw new SanityError("an accepted file with no examples");
      if (d.labels.some((l) => l.trim() === "") || new Set(d.labels).size !== d.labels.length) throw new SanityError(`bad label set ${JSON.stringify(d.labels)}`);
      if (d.examples.every((e) => e.text.trim() === "")) throw new SanityError("every text is empty");
      const toks = tokenizeAll(d.examples);
      Vocabulary.build(toks);
      encodeLabels(d.examples, d.labels);
    },
  },
  vectors: {
    name: "vectors",
    seeds: vectorSeeds,
    structured: "vectors-header",
    async run(_bytes, _seed, path) {
      const r = await readEmbeddings(path);
      finite(r.vectors.vectors, "readEmbeddings");
      if (r.vectors.vectors.length !== r.vectors.size * r.vectors.dim) throw new SanityError("vector storage does not match size × dim");
    },
  },
  corpus: {
    name: "corpus",
    seeds: corpusSeeds,
    run(_bytes, seed, path) {
      const c = loadCorpusSync({ path, level: seed.name === "ptb" ? "word" : "char", wordStyle: seed.name === "ptb" ? "ptb" : "prose" });
      const e = encodeCorpus(c);
      if (e.train.length === 0) throw new SanityError("an accepted corpus with no training tokens");
    },
  },
};

// ------------------------------------------------------------------------------------ mutations

/** Tokens that break parsers: separators, quotes, brackets, number edge cases, odd bytes. */
const TOKENS = [",", '"', "\t", "\n", "\r", "\r\n", " ", "{", "}", "[", "]", ":", "\\", "\u0000", "\uffff", "\u00ff", "é", "💥",
  "NaN", "nan", "inf", "-Infinity", "1e39", "1e308", "-1", "0", "-0", "4294967296", "9007199254740993", "1e-45", "0x10", "", "null", "true"];

/** JSON values for structure-aware edits of a safetensors header or an rnnkit metadata object. */
const JSON_VALUES: unknown[] = [0, -1, 1, 2, 3, 7, 20000, 1e5, 1e7, 1e300, -1e300, 2 ** 31, 2 ** 53, 0.5, null, true, false, "", "x", "LSTM", "GRU", "F16", "I64", "BOOL", [], [0], [1, 2], [0, 1e12], {}, { a: 1 }];

/**
 * Byte-level mutations of a safetensors file apply to a region: 0 the raw file, 1 the header JSON
 * text (the length prefix is then fixed, so the edit reaches the JSON checks instead of failing on
 * the length), 2 the tensor data. Other formats ignore it (always the raw file).
 */
export type Region = 0 | 1 | 2;

export type Mutation = (
  | { op: "flip"; at: number; bit: number }
  | { op: "set"; at: number; byte: number }
  | { op: "insert"; at: number; token: number }
  | { op: "randomBytes"; at: number; bytes: number[] }
  | { op: "delete"; at: number; len: number }
  | { op: "truncate"; at: number }
  | { op: "duplicate"; at: number; len: number; to: number }
  | { op: "json"; path: number; value: number; del: boolean }
  | { op: "header"; a: number; b: number }
) & { region?: Region };

/**
 * Position arbitraries are fractions of the length, so one mutation list applies to any seed;
 * unbiased (fast-check favours bounds, which would put most edits at byte 0).
 */
const frac = fc.noBias(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }));

export function mutationArb(structured: Target["structured"]): fc.Arbitrary<Mutation> {
  const byteLevel: Array<fc.Arbitrary<Mutation>> = [
    fc.record({ op: fc.constant("flip" as const), at: frac, bit: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ op: fc.constant("set" as const), at: frac, byte: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ op: fc.constant("insert" as const), at: frac, token: fc.integer({ min: 0, max: TOKENS.length - 1 }) }),
    fc.record({ op: fc.constant("randomBytes" as const), at: frac, bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 16 }) }),
    fc.record({ op: fc.constant("delete" as const), at: frac, len: fc.integer({ min: 1, max: 24 }) }),
    fc.record({ op: fc.constant("truncate" as const), at: frac }),
    fc.record({ op: fc.constant("duplicate" as const), at: frac, len: fc.integer({ min: 1, max: 64 }), to: frac }),
  ];
  const extra: Array<fc.Arbitrary<Mutation>> = [];
  if (structured === "safetensors-json") {
    const region = fc.constantFrom<Region>(0, 1, 1, 2);
    for (let i = 0; i < byteLevel.length; i++) byteLevel[i] = fc.tuple(byteLevel[i]!, region).map(([m, r]) => ({ ...m, region: r }));
    const json = fc.record({ op: fc.constant("json" as const), path: fc.nat(), value: fc.integer({ min: 0, max: JSON_VALUES.length - 1 }), del: fc.boolean() });
    extra.push(json, json, json); // weighted: most of a checkpoint's logic is in its header
  }
  if (structured === "vectors-header") {
    const n = fc.oneof(fc.integer({ min: 0, max: 10 }), fc.constantFrom(2 ** 31, 2 ** 53, 1e9, 1e12, 1e20, 7e8));
    extra.push(fc.record({ op: fc.constant("header" as const), a: n, b: n }));
  }
  return fc.oneof(...byteLevel, ...extra);
}

/** A case: which seed, and the mutations applied to it in order. */
export interface Case {
  seed: number;
  mutations: Mutation[];
}

export function caseArb(t: Target): fc.Arbitrary<Case> {
  return fc.record({ seed: fc.nat({ max: t.seeds().length - 1 }), mutations: fc.array(mutationArb(t.structured), { minLength: 1, maxLength: 6 }) });
}

/** All leaf and container paths of a JSON value (for structure-aware edits). */
function paths(v: unknown, prefix: Array<string | number>, out: Array<Array<string | number>>): void {
  out.push(prefix);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...prefix, i], out));
  else if (v !== null && typeof v === "object") for (const [k, x] of Object.entries(v)) paths(x, [...prefix, k], out);
}

function setPath(root: unknown, path: ReadonlyArray<string | number>, value: unknown, del: boolean): unknown {
  if (path.length === 0) return del ? {} : value; // paths() only lists paths that exist, so every step below is an object or array
  let o = root as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (del && !Array.isArray(o)) delete o[last];
  else if (del) (o as unknown as unknown[]).splice(last as number, 1);
  else o[last] = value;
  return root;
}

/** Edit the safetensors header JSON (or the rnnkit metadata JSON inside it); bytes unchanged when the header does not parse. */
function jsonEdit(bytes: Uint8Array, m: Extract<Mutation, { op: "json" }>): Uint8Array {
  if (bytes.length < 8) return bytes;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = dv.getUint32(0, true);
  if (dv.getUint32(4, true) !== 0 || 8 + n > bytes.length) return bytes;
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  } catch {
    return bytes;
  }
  // the rnnkit metadata is JSON inside a string: edit inside it as often as the header itself
  const isObj = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);
  const meta = isObj(header) && isObj(header.__metadata__) ? header.__metadata__ : undefined;
  let inner: unknown = undefined;
  if (meta && typeof meta.rnnkit === "string") {
    try {
      inner = JSON.parse(meta.rnnkit);
    } catch {
      inner = undefined;
    }
  }
  const value = structuredClone(JSON_VALUES[m.value]);
  if (inner !== undefined && m.path % 2 === 0) {
    const ps: Array<Array<string | number>> = [];
    paths(inner, [], ps);
    const p = ps[(m.path >> 1) % ps.length]!;
    meta!.rnnkit = JSON.stringify(setPath(inner, p, value, m.del));
  } else {
    const ps: Array<Array<string | number>> = [];
    paths(header, [], ps);
    header = setPath(header, ps[m.path % ps.length]!, value, m.del);
  }
  const h = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + bytes.length - 8 - n);
  new DataView(out.buffer).setUint32(0, h.length, true);
  out.set(h, 8);
  out.set(bytes.subarray(8 + n), 8 + h.length);
  return out;
}

/** Replace the first line with "<a> <b>" (a word2vec header promising a rows of dimension b). */
function headerEdit(bytes: Uint8Array, m: Extract<Mutation, { op: "header" }>): Uint8Array {
  const nl = bytes.indexOf(10);
  const rest = nl < 0 ? new Uint8Array(0) : bytes.subarray(nl);
  const head = enc(`${m.a} ${m.b}`);
  const out = new Uint8Array(head.length + rest.length);
  out.set(head);
  out.set(rest, head.length);
  return out;
}

const splice = (b: Uint8Array, at: number, del: number, ins: ArrayLike<number>): Uint8Array => {
  const out = new Uint8Array(b.length - del + ins.length);
  out.set(b.subarray(0, at));
  out.set(ins, at);
  out.set(b.subarray(at + del), at + ins.length);
  return out;
};

/** Split a safetensors file into [header JSON text, data]; null when the length prefix is unusable. */
function regions(b: Uint8Array): { head: Uint8Array; data: Uint8Array } | null {
  if (b.length < 8) return null;
  const dv = new DataView(b.buffer, b.byteOffset, 8);
  const n = dv.getUint32(0, true);
  if (dv.getUint32(4, true) !== 0 || 8 + n > b.length) return null;
  return { head: b.subarray(8, 8 + n), data: b.subarray(8 + n) };
}

function join3(head: Uint8Array, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + head.length + data.length);
  new DataView(out.buffer).setUint32(0, head.length, true);
  out.set(head, 8);
  out.set(data, 8 + head.length);
  return out;
}

export function applyMutation(b: Uint8Array, m: Mutation): Uint8Array {
  if (m.region && m.op !== "json" && m.op !== "header") {
    const r = regions(b);
    if (r !== null) {
      const raw = { ...m, region: 0 as Region };
      return m.region === 1 ? join3(applyMutation(r.head, raw), r.data) : join3(r.head, applyMutation(r.data, raw));
    }
  }
  const pos = (f: number): number => Math.floor(f * (b.length + 1)) % (b.length + 1);
  switch (m.op) {
    case "flip": {
      if (b.length === 0) return b;
      const out = b.slice();
      out[pos(m.at) % b.length]! ^= 1 << m.bit;
      return out;
    }
    case "set": {
      if (b.length === 0) return Uint8Array.of(m.byte);
      const out = b.slice();
      out[pos(m.at) % b.length] = m.byte;
      return out;
    }
    case "insert":
      return splice(b, pos(m.at), 0, enc(TOKENS[m.token]!));
    case "randomBytes":
      return splice(b, pos(m.at), 0, m.bytes);
    case "delete": {
      const at = pos(m.at);
      return splice(b, at, Math.min(m.len, b.length - at), []);
    }
    case "truncate":
      return b.subarray(0, pos(m.at));
    case "duplicate": {
      const at = pos(m.at);
      return splice(b, pos(m.to), 0, b.slice(at, Math.min(b.length, at + m.len)));
    }
    case "json":
      return jsonEdit(b, m);
    case "header":
      return headerEdit(b, m);
  }
}

export function caseBytes(t: Target, c: Case, seeds: Seed[] = t.seeds()): { seed: Seed; bytes: Uint8Array } {
  const seed = seeds[c.seed % seeds.length]!;
  let bytes = seed.bytes;
  for (const m of c.mutations) bytes = applyMutation(bytes, m);
  return { seed, bytes };
}

/** Run one case; `dir` is a scratch folder for path-based readers. Never throws. */
export async function runCase(t: Target, c: Case, dir: string, seeds?: Seed[]): Promise<{ outcome: Outcome; error?: string; kind?: string }> {
  let made: { seed: Seed; bytes: Uint8Array };
  try {
    made = caseBytes(t, c, seeds);
  } catch (e) {
    // a bug of this harness, not of the reader: reported, never counted as the reader's
    return { outcome: "untyped", error: `harness (mutating the input): ${String(e)}` };
  }
  const { seed, bytes } = made;
  const path = join(dir, `case${seed.ext}`);
  try {
    writeFileSync(path, bytes);
    await t.run(bytes, seed, path);
    return { outcome: "ok" };
  } catch (e) {
    if (e instanceof RnnkitError && !(e instanceof SanityError)) return { outcome: "typed", kind: errorKind(e.message) };
    const err = e as Error;
    return { outcome: "untyped", error: `${err?.name ?? typeof e}: ${String(err?.message ?? e).slice(0, 300)}` };
  }
}

/** An error message with its specifics (numbers, quoted text, the file) removed: which check refused the input. */
export function errorKind(message: string): string {
  return message
    .replace(/^[^:]*\.(safetensors|csv|tsv|jsonl|json|txt|vec|bin)(:\d+)?: /, "")
    .replace(/"(?:[^"\\]|\\.)*"/g, '"…"')
    .replace(/-?\d+(\.\d+)?(e[+-]?\d+)?/gi, "N")
    .replace(/\((?:[^()]|\([^()]*\))*\)/g, "(…)")
    .slice(0, 90);
}
