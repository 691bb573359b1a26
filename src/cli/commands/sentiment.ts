import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { loadClassifier } from "../../sentiment/checkpoint.js";
import { classifyTexts } from "../../sentiment/classify.js";
import { SENTIMENT_DATASETS, type SentimentDatasetName, loadSentimentData } from "../../sentiment/datasets.js";
import { type SentimentRunOptions, trainSentimentModel } from "../../sentiment/session.js";
import { evaluateExamples } from "../../sentiment/evaluate-examples.js";
import { parseLabelMap } from "../../transformers/labels.js";
import { formatReport } from "../../eval/metrics.js";
import { formatCoverage } from "../../embeddings/matrix.js";
import { parseCell } from "../../models/cell.js";
import { textTable } from "../../viz/table.js";
import { textLines } from "../../data/sentiment/read-file.js";
import { createProgress, type Progress } from "../progress.js";
import { action, choiceArg, intArg, interruptFlag, numArg } from "../common.js";
import { DEFAULT_CLASSIFIER_PATH, shippedModelPath } from "../../sentiment/shipped.js";
import { HfTextClassifier } from "../../transformers/classifier.js";
import { isHfSpec } from "../../transformers/resolve.js";

const say = (s: string): void => void process.stdout.write(`${s}\n`);

/** The options shared by train-classifier and compare. */
export function addDataOptions(cmd: Command): Command {
  return cmd
    .option("--dataset <name>", `${SENTIMENT_DATASETS.join(", ")} (looked up under $RNNKIT_DATA; imdb downloads)`, choiceArg("--dataset", SENTIMENT_DATASETS))
    .option("--data <path>", "dataset folder in its original layout, or a CSV/TSV/JSONL file or JSON array of objects")
    .option("--test-data <path>", "separate test file for --data (CSV/TSV/JSONL/JSON)")
    .option("--text-col <name>", "text column (field) of a CSV/TSV/JSONL/JSON file", "text")
    .option("--label-col <name>", "label column (field) of a CSV/TSV/JSONL/JSON file", "label")
    .option("--agreement <level>", "Financial PhraseBank subset: 50Agree, 66Agree, 75Agree, AllAgree", "AllAgree");
}

export function dataOptions(opts: Record<string, unknown>): SentimentRunOptions {
  return {
    ...(opts.dataset ? { dataset: opts.dataset as SentimentDatasetName } : {}),
    ...(opts.data ? { path: String(opts.data) } : {}),
    ...(opts.testData ? { testPath: String(opts.testData) } : {}),
    table: { textColumn: String(opts.textCol ?? "text"), labelColumn: String(opts.labelCol ?? "label") },
    agreement: String(opts.agreement ?? "AllAgree") as SentimentRunOptions["agreement"] & string,
  };
}

export function registerSentimentCommands(program: Command): void {
  addDataOptions(
    program
      .command("train-classifier")
      .alias("train-sentiment")
      .description("train a (Bi)LSTM/GRU/RNN text classifier (sentiment of reviews, financial news …) and report test metrics"),
  )
    .option("--cell <type>", "lstm, gru, rnn", "lstm")
    .option("--unidirectional", "one direction only (default: bidirectional)")
    .option("--pooling <how>", "final (last states of both directions), mean or max", choiceArg("--pooling", ["final", "mean", "max"] as const))
    .option("--emb <n>", "embedding size (ignored with --embeddings)", intArg("--emb"))
    .option("--hidden <n>", "hidden size", intArg("--hidden"))
    .option("--layers <n>", "recurrent layers", intArg("--layers"))
    .option("--dropout <p>", "dropout", numArg("--dropout", 0, 0.99))
    .option("--max-vocab <n>", "vocabulary size", intArg("--max-vocab", 3))
    .option("--min-freq <n>", "minimum word count", intArg("--min-freq", 1))
    .option("--max-len <n>", "truncate texts to n tokens", intArg("--max-len"))
    .option("--truncate <mode>", "head, tail or head+tail", choiceArg("--truncate", ["head", "tail", "head+tail"] as const))
    .option("--embeddings <path>", "pretrained vectors: GloVe, word2vec (text/binary) or fastText .vec")
    .option("--word2vec", "train word2vec on the training texts and start from it")
    .option("--freeze-embeddings", "keep the pretrained embeddings fixed")
    .option("--vocab-from-embeddings <n>", "with --embeddings: add up to n words the vector file has but the training texts lack to the vocabulary (test-only words then keep their vector instead of <unk>)", intArg("--vocab-from-embeddings", 1))
    .option("--init-from <checkpoint>", "start from a trained classifier (e.g. models/imdb-bilstm/model.safetensors): embedding rows by word, recurrent layers, output layer if the labels correspond; --emb/--hidden/--layers default to its")
    .option("--lr <x>", "Adam learning rate", numArg("--lr", 0))
    .option("--batch-size <n>", "batch size", intArg("--batch-size"))
    .option("--epochs <n>", "epochs", intArg("--epochs"))
    .option("--patience <n>", "early stopping patience (epochs)", intArg("--patience", 0))
    .option("--folds <n>", "run only the first n cross-validation folds", intArg("--folds"))
    .option("--ensemble <n>", "train n models per split (seeds seed, seed+1000, …) and average their probabilities", intArg("--ensemble", 1))
    .option("--time-limit <s>", "stop training after s seconds", numArg("--time-limit", 0))
    .option("--seed <n>", "random seed", intArg("--seed", 0))
    .option("--out <path>", "checkpoint path", DEFAULT_CLASSIFIER_PATH)
    .option("--json", "JSON log lines instead of a progress bar")
    .action(
      action(async (opts: Record<string, unknown>) => {
        const json = Boolean(opts.json);
        let bar: Progress | null = null;
        const log = (m: string): void => (bar ? bar.info(m) : say(json ? JSON.stringify({ event: "info", message: m }) : m));
        const intr = interruptFlag(() => log("Ctrl-C: stopping after this batch… (again to quit at once)"));
        const n = (k: string): number | undefined => (typeof opts[k] === "number" ? (opts[k] as number) : undefined);
        const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
        try {
          const r = await trainSentimentModel(
            defined({
              ...dataOptions(opts),
              cell: parseCell(String(opts.cell)),
              bidirectional: !opts.unidirectional,
              pooling: opts.pooling as "final" | "mean" | "max" | undefined,
              embeddingDim: n("emb"),
              hiddenSize: n("hidden"),
              numLayers: n("layers"),
              dropout: n("dropout"),
              maxVocab: n("maxVocab"),
              minFreq: n("minFreq"),
              maxLen: n("maxLen"),
              truncate: opts.truncate as "head" | "tail" | "head+tail" | undefined,
              embeddings: opts.embeddings as string | undefined,
              word2vec: Boolean(opts.word2vec),
              freezeEmbeddings: Boolean(opts.freezeEmbeddings),
              initFrom: opts.initFrom as string | undefined,
              vocabFromEmbeddings: n("vocabFromEmbeddings"),
              lr: n("lr"),
              batchSize: n("batchSize"),
              epochs: n("epochs"),
              patience: n("patience"),
              maxFolds: n("folds"),
              ensemble: n("ensemble"),
              timeLimit: n("timeLimit"),
              seed: n("seed"),
              out: String(opts.out),
            }),
            {
              info: log,
              onStart: (s) => {
                bar?.stop();
                log(`${s.fold !== null ? `fold ${s.fold + 1}/${s.folds}: ` : ""}${s.train} train / ${s.valid} validation / ${s.test} test; vocabulary ${s.vocab}; ${s.params.toLocaleString()} parameters`);
                bar = createProgress({ total: s.epochs * s.steps, label: "train", json, epochs: s.epochs, jsonEvery: 20 });
              },
              onStep: (s) => bar?.update((s.epoch - 1) * s.steps + s.step, { epoch: s.epoch, loss: s.loss, acc: s.acc, exPerSec: s.examplesPerSec }),
              onEpoch: (e) => bar?.log({ event: "epoch", epoch: e.epoch, trainLoss: e.trainLoss, trainAcc: e.trainAcc, validLoss: e.validLoss ?? NaN, validAcc: e.validAcc ?? NaN, seconds: e.seconds }),
              shouldStop: () => intr.stop,
            },
          );
          (bar as Progress | null)?.stop();
          bar = null;
          if (json) return say(JSON.stringify({ event: "result", dataset: r.dataset, accuracy: r.meanAccuracy, macroF1: r.meanMacroF1, validAccuracy: r.meanValidAccuracy, folds: r.folds, rocAuc: r.test?.rocAuc ?? null, trainSeconds: r.trainSeconds, checkpoint: r.checkpoint, members: r.members }));
          if (r.coverage) say(formatCoverage(r.coverage));
          if (r.test) say(formatReport(r.test));
          else say(textTable(r.folds.map((f) => [f.fold + 1, (100 * f.validAccuracy).toFixed(2), (100 * f.accuracy).toFixed(2), (100 * f.macroF1).toFixed(2)]), ["fold", "validation %", "accuracy %", "macro-F1 %"]));
          say(`${r.dataset}: accuracy ${(100 * r.meanAccuracy).toFixed(2)}%, macro-F1 ${(100 * r.meanMacroF1).toFixed(2)}%${r.folds.length ? ` (mean of ${r.folds.length} folds)` : ""}; trained in ${r.trainSeconds.toFixed(0)}s`);
          if (r.checkpoint) say(`checkpoint: ${r.checkpoint}`);
          if (r.members.length) say(`ensemble members: ${r.members.join(", ")}`);
        } finally {
          (bar as Progress | null)?.stop();
          intr.dispose();
        }
      }),
    );

  addDataOptions(program.command("eval-classifier").description("evaluate a classifier checkpoint on a dataset's test split (or on every example of a file without one)"))
    .option("--model <path>", "checkpoint", DEFAULT_CLASSIFIER_PATH)
    .option("--label-map <pairs>", "model labels → dataset labels, e.g. neg=0,pos=1 (default: by name, then by polarity: neg↔0, pos↔1 for 0/1 labels)")
    .option("--json", "print JSON")
    .action(
      action(async (opts: Record<string, unknown>) => {
        const b = loadClassifier(String(opts.model));
        const data = await loadSentimentData(dataOptions(opts));
        for (const n of data.notes) say(n);
        const examples = data.test ?? data.train;
        const r = evaluateExamples(b, examples, opts.labelMap ? { labelMap: parseLabelMap(String(opts.labelMap)) } : {});
        if (opts.json) return say(JSON.stringify({ ...r.report, labels: r.labels, mapping: r.mapping, examples: examples.length }));
        say(`${data.name} (${data.test ? "test split" : "all examples"}, ${examples.length})`);
        if (r.mapping) say(`model labels → dataset labels: ${r.mapping}`);
        for (const n of r.notes) say(n);
        say(formatReport(r.report));
        say(`${r.report.msPerExample.toFixed(3)} ms per example`);
      }),
    );

  program
    .command("classify")
    .description('label + probability for texts: arguments, --file (one per line) or stdin, e.g. classify "The movie was terribly exciting!"')
    .argument("[texts...]", "texts to classify")
    .option("--model <path>", "checkpoint, or hf:<hub id or folder> for a transformer (default: your trained one if present, else the shipped IMDB model)")
    .option("--file <path>", "one text per line")
    .option("--json", "JSON lines")
    .action(
      action(async (texts: string[], opts: { model?: string; file?: string; json?: boolean }) => {
        let inputs = texts;
        if (opts.file) inputs = textLines(readFileSync(opts.file), opts.file);
        else if (inputs.length === 0 && !process.stdin.isTTY) inputs = textLines(await readStdin(), "stdin");
        if (inputs.length === 0) throw new Error('nothing to classify: pass texts as arguments, --file PATH, or pipe lines on stdin (e.g. rnnkit classify "great film")');
        if (opts.model && isHfSpec(opts.model)) {
          // a Hugging Face model (hf:<hub id or folder>) through @huggingface/transformers
          const clf = await HfTextClassifier.load(opts.model);
          const { probs } = await clf.predictProba(inputs);
          const C = clf.labels.length;
          const rows = inputs.map((text, i) => {
            let a = 0;
            for (let c = 1; c < C; c++) if (probs[i * C + c]! > probs[i * C + a]!) a = c;
            return { text, label: clf.labels[a]!, prob: probs[i * C + a]!, probs: Object.fromEntries(clf.labels.map((l, c) => [l, probs[i * C + c]!])) };
          });
          await clf.dispose();
          if (opts.json) return rows.forEach((p) => say(JSON.stringify(p)));
          return say(textTable(rows.map((p) => [p.label, p.prob.toFixed(3), p.text.length > 70 ? `${p.text.slice(0, 67)}…` : p.text]), ["label", "prob", "text"]));
        }
        const b = loadClassifier(opts.model ?? shippedModelPath());
        const preds = classifyTexts(b, inputs);
        if (opts.json) return preds.forEach((p) => say(JSON.stringify(p)));
        say(textTable(preds.map((p) => [p.label, p.prob.toFixed(3), p.known < 0.5 ? `${(100 * p.known).toFixed(0)}% known words` : "", p.text.length > 70 ? `${p.text.slice(0, 67)}…` : p.text]), ["label", "prob", "note", "text"]));
      }),
    );
}

async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
