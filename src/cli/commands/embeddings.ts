/**
 * `rnnkit train-embeddings`: word2vec (skip-gram, negative sampling) on a corpus, saved in
 * word2vec text or binary format; `rnnkit neighbors WORD`: nearest neighbours by cosine.
 *
 *   rnnkit train-embeddings --dataset sst2 --dim 100 --epochs 5 --out runs/embeddings/sst2.txt
 *   rnnkit neighbors good bad --vectors runs/embeddings/sst2.txt -k 8
 *
 * Corpus → sentences: a sentiment dataset contributes its TRAINING texts only (never test), one
 * sentence per text; a plain text file (or a folder of .txt files, or an embedded corpus) one
 * sentence per non-empty line. Tokens: rnnkit's review tokeniser (lower-cased, HTML stripped), the
 * same as train-classifier uses, so the vectors line up with a classifier's vocabulary.
 */
import { existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, extname, join } from "node:path";
import type { Command } from "commander";
import { EMBEDDED_CORPORA, type EmbeddedCorpusName, embeddedCorpus } from "../../data/corpus/embedded.js";
import { readCorpusFile, readCorpusFolder } from "../../data/corpus/text-file.js";
import { tokenize } from "../../data/text/tokenize.js";
import { readEmbeddings } from "../../embeddings/read.js";
import { trainWord2Vec } from "../../embeddings/word2vec.js";
import type { WordVectors } from "../../embeddings/word-vectors.js";
import { writeWord2VecBinary, writeWord2VecText } from "../../embeddings/write.js";
import { SENTIMENT_DATASETS, type SentimentDatasetName, loadSentimentData } from "../../sentiment/datasets.js";
import { textTable } from "../../viz/table.js";
import { createProgress } from "../progress.js";
import { CliError, action, intArg, numArg } from "../common.js";
import { withOptions } from "../options.js";

const say = (s: string): void => void process.stdout.write(`${s}\n`);

/** Where train-embeddings writes by default and neighbors looks by default. */
export const DEFAULT_VECTORS_PATH = join("runs", "embeddings", "vectors.txt");

export interface EmbeddingCorpusOptions {
  /** A text file, a folder (dataset folder or *.txt files), or a CSV/TSV/JSONL file with a text column. */
  data?: string;
  /** A sentiment dataset (training texts) or an embedded corpus (moby-dick, sotu). */
  dataset?: string;
  textColumn?: string;
  labelColumn?: string;
  /** Lower-case tokens (default true). */
  lowercase?: boolean;
}

export interface EmbeddingCorpus {
  sentences: string[][];
  /** What was read, for messages. */
  source: string;
  tokens: number;
  notes: string[];
}

const TABLE_EXT = new Set([".csv", ".tsv", ".jsonl", ".ndjson", ".json"]);
/** Files that mark a folder as one of the sentiment datasets (as loadSentimentData sniffs them). */
const DATASET_MARKERS = ["train.tsv", join("train", "pos"), "rt-polarity.pos", "stsa.binary.train", "Sentences_AllAgree.txt"];

/** Read and tokenise a word2vec training corpus (see the file comment). */
export async function readEmbeddingCorpus(o: EmbeddingCorpusOptions): Promise<EmbeddingCorpus> {
  const tok = (t: string): string[] => tokenize(t, { lowercase: o.lowercase ?? true, stripHtml: true });
  const fromLines = (text: string, source: string): EmbeddingCorpus => {
    const sentences = text
      .split("\n")
      .map(tok)
      .filter((s) => s.length > 0);
    return { sentences, source, tokens: count(sentences), notes: [] };
  };
  const fromDataset = async (opts: Parameters<typeof loadSentimentData>[0], source: string): Promise<EmbeddingCorpus> => {
    const d = await loadSentimentData(opts);
    const sentences = d.train.map((e) => tok(e.text)).filter((s) => s.length > 0);
    const held = (d.test?.length ?? 0) + (d.dev?.length ?? 0);
    return { sentences, source: `${d.name} (${source})`, tokens: count(sentences), notes: [...d.notes, `training texts only: ${d.train.length.toLocaleString()} texts${held ? `; ${held.toLocaleString()} dev/test texts left out` : ""}`] };
  };
  if (o.dataset !== undefined && o.data !== undefined) throw new CliError("give either --data PATH or --dataset NAME, not both");
  if (o.dataset !== undefined) {
    const name = o.dataset.toLowerCase();
    if ((EMBEDDED_CORPORA as readonly string[]).includes(name)) return fromLines(embeddedCorpus(name as EmbeddedCorpusName), `embedded corpus ${name}`);
    if ((SENTIMENT_DATASETS as readonly string[]).includes(name)) return fromDataset({ dataset: name as SentimentDatasetName }, "$RNNKIT_DATA");
    throw new CliError(`--dataset ${o.dataset}: unknown (expected one of ${[...SENTIMENT_DATASETS, ...EMBEDDED_CORPORA].join(", ")}, or use --data PATH)`);
  }
  if (o.data === undefined) throw new CliError("nothing to train on: pass --data PATH (text file, folder, CSV/TSV/JSONL) or --dataset NAME (e.g. --dataset sst2 or --dataset moby-dick)");
  const p = o.data;
  if (!existsSync(p)) throw new CliError(`--data ${p}: no such file or folder`);
  if (statSync(p).isDirectory()) {
    if (DATASET_MARKERS.some((m) => existsSync(join(p, m)))) return fromDataset({ path: p }, p);
    const { text, files } = readCorpusFolder(p);
    const c = fromLines(text, `${files.length} .txt file(s) in ${p}`);
    return c;
  }
  if (TABLE_EXT.has(extname(p).toLowerCase())) return fromDataset({ path: p, table: { textColumn: o.textColumn ?? "text", labelColumn: o.labelColumn ?? "label" } }, p);
  return fromLines(readCorpusFile(p), p);
}

const count = (s: readonly (readonly string[])[]): number => s.reduce((a, x) => a + x.length, 0);

/**
 * Optimal-string-alignment edit distance (insert, delete, substitute, swap two neighbours), or
 * max + 1 as soon as it must exceed `max`.
 */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const n = b.length;
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let cur = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      cur[j] = d;
      rowMin = Math.min(rowMin, d);
    }
    if (rowMin > max) return max + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[n]!;
}

/**
 * Words of the vocabulary spelled like `word`: edit distance ≤ 2 (≤ 1 for words of ≤ 4
 * characters), closest first, then in file order (= by frequency for word2vec output).
 */
export function suggestSimilarWords(word: string, words: readonly string[], max = 5): string[] {
  const w = word.toLowerCase();
  const limit = w.length <= 4 ? 1 : 2;
  const hits: { word: string; d: number; i: number }[] = [];
  words.forEach((c, i) => {
    const d = editDistance(w, c.toLowerCase(), limit);
    if (d <= limit && c !== word) hits.push({ word: c, d, i });
  });
  hits.sort((x, y) => x.d - y.d || x.i - y.i);
  return hits.slice(0, max).map((h) => h.word);
}

/** The row of a word: exact, else its lower-case form; otherwise an error with spelling suggestions. */
export function lookupWord(wv: WordVectors, word: string, source: string): string {
  if (wv.has(word)) return word;
  if (wv.has(word.toLowerCase())) return word.toLowerCase();
  const s = suggestSimilarWords(word, wv.words);
  throw new CliError(`"${word}" is not among the ${wv.size.toLocaleString()} words of ${source}${s.length ? `; did you mean: ${s.join(", ")}?` : " (no word is spelled similarly)"}`);
}

export function registerEmbeddingCommands(program: Command): void {
  withOptions(program.command("train-embeddings"), [
    ["textCol", { help: "text column of a CSV/TSV/JSONL file", default: "text" }],
    ["labelCol", { help: "label column of a CSV/TSV/JSONL file", default: "label" }],
    ["maxVocab", { help: "keep only the n most frequent words" }],
    ["epochs", { help: "passes over the corpus", default: 5 }],
    ["seed", { default: 1 }],
    ["out", { help: "output file: .bin = word2vec binary, anything else word2vec text", default: DEFAULT_VECTORS_PATH }],
    ["json", { help: "JSON lines instead of a progress bar" }],
  ])
    .description("train word2vec (skip-gram, negative sampling) on a corpus and save it in word2vec text (.txt) or binary (.bin) format")
    .option("--data <path>", "text file (one sentence per line), folder of .txt files or a dataset folder, or CSV/TSV/JSONL with a text column")
    .option("--dataset <name>", `${SENTIMENT_DATASETS.join(", ")} (training texts only) or ${EMBEDDED_CORPORA.join(", ")}`)
    .option("--keep-case", "do not lower-case")
    .option("--dim <n>", "vector size", intArg("--dim"), 100)
    .option("--window <n>", "maximum context distance", intArg("--window"), 5)
    .option("--negative <n>", "negative samples per positive pair", intArg("--negative"), 5)
    .option("--min-count <n>", "ignore words seen fewer times", intArg("--min-count"), 5)
    .option("--sample <s>", "subsampling threshold of frequent words (0 = off)", numArg("--sample", 0, 1), 1e-3)
    .option("--alpha <x>", "starting learning rate", numArg("--alpha", 0), 0.025)
    .action(
      action(async (opts: Record<string, unknown>) => {
        const json = Boolean(opts.json);
        const log = (m: string): void => say(json ? JSON.stringify({ event: "info", message: m }) : m);
        const corpus = await readEmbeddingCorpus({
          ...(opts.data !== undefined ? { data: String(opts.data) } : {}),
          ...(opts.dataset !== undefined ? { dataset: String(opts.dataset) } : {}),
          textColumn: String(opts.textCol),
          labelColumn: String(opts.labelCol),
          lowercase: !opts.keepCase,
        });
        for (const n of corpus.notes) log(n);
        log(`corpus: ${corpus.source}: ${corpus.sentences.length.toLocaleString()} sentences, ${corpus.tokens.toLocaleString()} tokens`);
        const out = String(opts.out);
        const binary = extname(out).toLowerCase() === ".bin";
        const bar = createProgress({ total: 100, label: "word2vec", json, jsonEvery: 10 });
        const t0 = Date.now();
        let result: ReturnType<typeof trainWord2Vec>;
        try {
          result = trainWord2Vec(corpus.sentences, {
            dim: opts.dim as number,
            window: opts.window as number,
            negative: opts.negative as number,
            minCount: opts.minCount as number,
            epochs: opts.epochs as number,
            sample: opts.sample as number,
            alpha: opts.alpha as number,
            seed: opts.seed as number,
            ...(typeof opts.maxVocab === "number" ? { maxVocab: opts.maxVocab } : {}),
            onProgress: (p, alpha) => bar.update(Math.min(99, Math.floor(100 * p)), { alpha }),
          });
          bar.update(100);
        } catch (e) {
          throw new CliError(`train-embeddings: ${(e as Error).message}`);
        } finally {
          bar.stop();
        }
        const secs = (Date.now() - t0) / 1000;
        mkdirSync(dirname(out) || ".", { recursive: true });
        await (binary ? writeWord2VecBinary(out, result.vectors) : writeWord2VecText(out, result.vectors));
        const wv = result.vectors;
        const summary = {
          event: "result",
          words: wv.size,
          dim: wv.dim,
          trainWords: result.trainWords,
          seconds: secs,
          wordsPerSec: (result.wordsProcessed / Math.max(secs, 1e-3)) | 0,
          out,
          format: binary ? "word2vec-binary" : "word2vec-text",
        };
        if (json) return say(JSON.stringify(summary));
        say(`trained ${wv.size.toLocaleString()} words × ${wv.dim} on ${result.trainWords.toLocaleString()} tokens in ${secs.toFixed(1)}s (${summary.wordsPerSec.toLocaleString()} words/s)`);
        const example = wv.words.find((w, i) => i >= Math.min(100, wv.size >> 2) && w.length >= 5 && /^\p{L}+$/u.test(w)) ?? wv.words[0] ?? "WORD";
        say(`saved ${out} (${summary.format}); try: rnnkit neighbors ${example} --vectors ${out}`);
      }),
    );

  withOptions(
    program
      .command("neighbors")
      .alias("neighbours")
      .description("nearest neighbours of words by cosine similarity in a word-vector file (word2vec text/binary, GloVe, fastText .vec)")
      .argument("<words...>", "one or more words"),
    [["json", { help: "JSON lines" }]],
  )
    .option("--vectors <path>", "vector file", DEFAULT_VECTORS_PATH)
    .option("-k, --k <n>", "neighbours per word", intArg("-k"), 10)

    .action(
      action(async (words: string[], opts: { vectors: string; k: number; json?: boolean }) => {
        if (!existsSync(opts.vectors)) {
          throw new CliError(`no vector file at ${opts.vectors} (hint: train one with rnnkit train-embeddings --dataset sst2${opts.vectors === DEFAULT_VECTORS_PATH ? "" : ` --out ${opts.vectors}`}, or pass --vectors PATH)`);
        }
        const { vectors: wv } = await readEmbeddings(opts.vectors);
        const missing: string[] = [];
        for (const w of words) {
          let word: string;
          try {
            word = lookupWord(wv, w, opts.vectors);
          } catch (e) {
            if (words.length === 1) throw e;
            missing.push((e as Error).message);
            continue;
          }
          const nn = wv.nearestNeighbors(word, opts.k);
          if (opts.json) {
            say(JSON.stringify({ word, neighbors: nn }));
            continue;
          }
          if (words.length > 1 || word !== w) say(`${word}${word !== w ? ` (for "${w}")` : ""}:`);
          say(textTable(nn.map((n, i) => [i + 1, n.word, n.similarity.toFixed(4)]), ["#", "word", "cosine"]));
          if (words.length > 1) say("");
        }
        if (missing.length > 0) throw new CliError(missing.join("\nrnnkit: "));
      }),
    );
}
