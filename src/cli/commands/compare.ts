import type { Command } from "commander";
import { COMPARE_MODELS, type CompareModelKind, type CompareOptions, type NeuralOverrides, compareModels, formatCompareTable } from "../../sentiment/compare.js";
import { parseLabelMap } from "../../transformers/labels.js";
import { LONG_TEXT_MODES, type LongTextMode } from "../../transformers/windows.js";
import { createProgress, type Progress } from "../progress.js";
import { action, choiceArg, intArg, interruptFlag } from "../common.js";
import { withOptions } from "../options.js";
import { addDataOptions, dataOptions } from "./sentiment.js";

const say = (s: string): void => void process.stdout.write(`${s}\n`);

function modelList(v: string): CompareModelKind[] {
  const aliases: Record<string, CompareModelKind> = { bilstm: "bilstm-emb", w2v: "bilstm-emb", tfidf: "tfidf-lr", lr: "tfidf-lr", hf: "transformer" };
  return v.split(",").map((s) => {
    const m = s.trim().toLowerCase();
    const k = (aliases[m] ?? m) as CompareModelKind;
    if (!COMPARE_MODELS.includes(k)) throw new Error(`--models: unknown model "${s}" (expected a comma list of ${COMPARE_MODELS.join(", ")})`);
    return k;
  });
}

export function registerCompareCommand(program: Command): void {
  withOptions(
    addDataOptions(
      program
        .command("compare")
        .description("one table for a dataset: LSTM, BiLSTM + embeddings, TF-IDF + LR, NBSVM and a pretrained transformer (--model hf:…) — accuracy, macro-F1, training time, ms per review"),
    ).option("--models <list>", `rows to run, comma-separated: ${COMPARE_MODELS.join(", ")} (default: all; transformer with --model)`),
    [
      ["folds", { help: "cross-validation datasets: run only the first n folds (same folds for every model)" }],
      ["seed", { help: "seed of the folds and the models" }],
      ["model", { help: "pretrained transformer row (hf:<hub id or folder>), e.g. hf:test/fixtures/tiny-bert or hf:Xenova/distilbert-base-uncased-finetuned-sst-2-english" }],
      ["labelMap", { help: "transformer labels → dataset labels, e.g. POSITIVE=pos,NEGATIVE=neg (MODEL=- ignores one)" }],
      ["threads", { help: "transformer: ONNX Runtime threads" }],
      ["embeddings", { help: "BiLSTM row: pretrained vectors (GloVe, word2vec text/binary, fastText .vec) instead of word2vec on the training texts" }],
      ["epochs", { help: "recurrent rows: maximum epochs" }],
      ["timeLimit", { help: "recurrent rows: stop training each model after s seconds" }],
      ["maxLen", { help: "recurrent rows: truncate texts to n tokens (default from the data)" }],
      ["emb", { help: "recurrent rows: embedding size" }],
      ["hidden", { help: "recurrent rows: hidden size" }],
      ["batchSize", { help: "recurrent rows: batch size" }],
      ["lr", { help: "recurrent rows: Adam learning rate" }],
      ["minFreq", { help: "recurrent rows: minimum word count" }],
      ["patience", { help: "recurrent rows: early stopping patience" }],
      ["json", { help: "JSON lines (progress, rows, result) instead of the table" }],
    ],
  )
    .option("--long-text <mode>", "transformer: chunk (windows, averaged probabilities) or truncate", choiceArg("--long-text", LONG_TEXT_MODES))
    .option("--max-length <n>", "transformer: tokens per window incl. special tokens (default: the model's limit)", intArg("--max-length", 3))
    .option("--stride <n>", "transformer: tokens shared by consecutive windows (default: a quarter)", intArg("--stride", 0))
    .option("--markdown", "print the table as GitHub markdown")
    .action(
      action(async (opts: Record<string, unknown>) => {
        const json = Boolean(opts.json);
        const n = (k: string): number | undefined => (typeof opts[k] === "number" ? (opts[k] as number) : undefined);
        let bar: Progress | null = null;
        const log = (m: string): void => {
          if (bar) bar.info(m);
          else if (json) say(JSON.stringify({ event: "info", message: m }));
          else process.stderr.write(`${m}\n`);
        };
        const intr = interruptFlag((sig) => log(`${sig}: stopping the current model after this batch… (again to quit at once)`));
        const neural: NeuralOverrides = {};
        const set = <K extends keyof NeuralOverrides>(k: K, v: NeuralOverrides[K] | undefined): void => {
          if (v !== undefined) neural[k] = v;
        };
        set("epochs", n("epochs"));
        set("timeLimit", n("timeLimit"));
        set("maxLen", n("maxLen"));
        set("embeddingDim", n("emb"));
        set("hiddenSize", n("hidden"));
        set("batchSize", n("batchSize"));
        set("lr", n("lr"));
        set("minFreq", n("minFreq"));
        set("patience", n("patience"));
        const o: CompareOptions = {
          ...dataOptions(opts),
          neural,
          ...(opts.models ? { models: modelList(String(opts.models)) } : {}),
          ...(n("folds") !== undefined ? { folds: n("folds") } : {}),
          ...(n("seed") !== undefined ? { seed: n("seed") } : {}),
          ...(opts.embeddings ? { embeddings: String(opts.embeddings) } : {}),
          ...(opts.model ? { transformer: String(opts.model) } : {}),
          transformerOptions: {
            ...(opts.longText ? { longText: opts.longText as LongTextMode } : {}),
            ...(n("maxLength") !== undefined ? { maxLength: n("maxLength") } : {}),
            ...(n("stride") !== undefined ? { stride: n("stride") } : {}),
            ...(n("threads") !== undefined ? { threads: n("threads") } : {}),
            ...(opts.labelMap ? { labelMap: parseLabelMap(String(opts.labelMap)) } : {}),
          },
        };
        if (o.transformer && !o.transformer.startsWith("hf:")) throw new Error(`--model ${o.transformer}: compare takes a pretrained transformer as hf:<hub id or folder> (rnnkit's own models are trained by the run)`);
        const showBar = json || process.stdout.isTTY === true;
        try {
          const r = await compareModels(o, {
            info: log,
            onRowStart: (_k, name) => log(`— ${name}`),
            onRow: (row) => {
              bar?.stop();
              bar = null;
              if (json) say(JSON.stringify({ event: "row", ...row }));
              else log(`${row.model}: accuracy ${(100 * row.accuracy).toFixed(2)}%, macro-F1 ${(100 * row.macroF1).toFixed(2)}%`);
            },
            neural: {
              onStart: (s) => {
                bar?.stop();
                bar = showBar ? createProgress({ total: s.epochs * s.steps, label: "train", json, epochs: s.epochs, jsonEvery: 50 }) : null;
              },
              onStep: (s) => bar?.update((s.epoch - 1) * s.steps + s.step, { epoch: s.epoch, loss: s.loss, acc: s.acc, exPerSec: s.examplesPerSec }),
              onEpoch: (e) => (bar ? bar.log({ event: "epoch", epoch: e.epoch, trainAcc: e.trainAcc, validAcc: e.validAcc ?? NaN, seconds: e.seconds }) : log(`epoch ${e.epoch}: train acc ${(100 * e.trainAcc).toFixed(1)}%, valid acc ${e.validAcc === null ? "-" : (100 * e.validAcc).toFixed(1)}% (${e.seconds.toFixed(0)}s)`)),
              shouldStop: () => intr.stop,
            },
          });
          (bar as Progress | null)?.stop();
          bar = null;
          if (json) return say(JSON.stringify({ event: "result", ...r }));
          say(formatCompareTable(r, { markdown: Boolean(opts.markdown) }));
        } finally {
          (bar as Progress | null)?.stop();
          intr.dispose();
        }
      }),
    );
}
