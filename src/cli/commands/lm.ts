import type { Command } from "commander";
import { CORPUS_DATASETS, type CorpusDatasetName } from "../../data/corpus/load.js";
import { loadAnyLm } from "../../lm/checkpoint.js";
import { evaluateLm } from "../../lm/evaluate.js";
import { generate, predictNext, scoreText } from "../../lm/predict.js";
import { DEFAULT_LM_PATH, trainLanguageModel } from "../../lm/session.js";
import { loadCorpus } from "../../data/corpus/load.js";
import { encodeCorpus } from "../../data/corpus/encode.js";
import { parseCell } from "../../models/cell.js";
import { textTable } from "../../viz/table.js";
import { createProgress } from "../progress.js";
import { action, choiceArg, intArg, interruptFlag, numArg } from "../common.js";

const say = (s: string): void => void process.stdout.write(`${s}\n`);

export function registerLmCommands(program: Command): void {
  program
    .command("train-lm")
    .description("train a word- or character-level language model (default: the embedded Moby Dick corpus)")
    .option("--data <path>", "text file or folder (ptb.{train,valid,test}.txt and train/valid/test.txt are detected)")
    .option("--dataset <name>", `named corpus: ${CORPUS_DATASETS.join(", ")}`, choiceArg("--dataset", CORPUS_DATASETS))
    .option("--level <level>", "word or char", choiceArg("--level", ["word", "char"] as const))
    .option("--word-style <style>", "ptb (whitespace, <eos> per line) or prose (punctuation split)", choiceArg("--word-style", ["ptb", "prose"] as const))
    .option("--max-vocab <n>", "keep the n most frequent tokens", intArg("--max-vocab", 2))
    .option("--min-freq <n>", "drop tokens seen fewer times", intArg("--min-freq", 1))
    .option("--cell <type>", "lstm, gru, rnn (tanh) or rnn_relu", "lstm")
    .option("--emb <n>", "embedding size", intArg("--emb"))
    .option("--hidden <n>", "hidden size", intArg("--hidden"))
    .option("--layers <n>", "recurrent layers", intArg("--layers"))
    .option("--dropout <p>", "dropout probability", numArg("--dropout", 0, 0.99))
    .option("--tie", "tie decoder and embedding weights (needs --emb = --hidden)")
    .option("--init-range <r>", "initialise every weight from U(-r, r) (Zaremba et al.: 0.1); default PyTorch's per-layer init", numArg("--init-range", 1e-6, 10))
    .option("--optimizer <name>", "sgd or adam", choiceArg("--optimizer", ["sgd", "adam"] as const))
    .option("--lr <x>", "learning rate (default 1 for sgd, 0.002 for adam)", numArg("--lr", 0))
    .option("--lr-decay <f>", "multiply lr by f each epoch after --decay-after (default 0.5 for sgd)", numArg("--lr-decay", 0, 1))
    .option("--decay-after <n>", "epochs at full lr before decaying", intArg("--decay-after", 0))
    .option("--weight-decay <x>", "L2 weight decay", numArg("--weight-decay", 0))
    .option("--clip <x>", "clip the global gradient norm (default 5 sgd, 1 adam; 0 = off)", numArg("--clip", 0))
    .option("--batch-size <n>", "parallel streams", intArg("--batch-size"))
    .option("--bptt <n>", "steps per truncated-BPTT window", intArg("--bptt"))
    .option("--epochs <n>", "epochs", intArg("--epochs"))
    .option("--patience <n>", "early stop after n epochs without validation improvement", intArg("--patience", 0))
    .option("--time-limit <s>", "stop after this many seconds (the checkpoint is kept)", numArg("--time-limit", 0))
    .option("--seed <n>", "random seed", intArg("--seed", 0))
    .option("--out <path>", "checkpoint path", DEFAULT_LM_PATH)
    .option("--resume", "continue training the checkpoint at --out")
    .option("--sample-length <n>", "tokens of sample text after each epoch (0 = none)", intArg("--sample-length", 0))
    .option("--sample-every <s>", "also print a sample every s seconds (0 = only after epochs)", numArg("--sample-every", 0), 20)
    .option("--json", "JSON log lines instead of a progress bar")
    .action(
      action(async (opts: Record<string, string | number | boolean | undefined>) => {
        const json = Boolean(opts.json);
        let bar: ReturnType<typeof createProgress> | null = null;
        let base = 0;
        const log = (msg: string): void => (bar ? bar.info(msg) : json ? say(JSON.stringify({ event: "info", message: msg })) : say(msg));
        const intr = interruptFlag(() => log("Ctrl-C: stopping after this step and saving… (press again to quit at once)"));
        try {
          const r = await trainLanguageModel(
            {
              ...(opts.data ? { data: String(opts.data) } : {}),
              ...(opts.dataset ? { dataset: opts.dataset as CorpusDatasetName } : {}),
              ...(opts.level ? { level: opts.level as "word" | "char" } : {}),
              ...(opts.wordStyle ? { wordStyle: opts.wordStyle as "ptb" | "prose" } : {}),
              ...num(opts, { maxVocab: "maxVocab", minFreq: "minFreq", embeddingDim: "emb", hiddenSize: "hidden", numLayers: "layers", dropout: "dropout", initRange: "initRange", lr: "lr", lrDecay: "lrDecay", decayAfter: "decayAfter", weightDecay: "weightDecay", clip: "clip", batchSize: "batchSize", bptt: "bptt", epochs: "epochs", patience: "patience", timeLimit: "timeLimit", seed: "seed", sampleLength: "sampleLength", sampleEvery: "sampleEvery" }),
              cell: parseCell(String(opts.cell)),
              ...(opts.tie ? { tieWeights: true } : {}),
              ...(opts.optimizer ? { optimizer: opts.optimizer as "sgd" | "adam" } : {}),
              out: String(opts.out),
              resume: Boolean(opts.resume),
            },
            {
              info: log,
              onStart: (s) => {
                log(`model: ${s.params.toLocaleString()} parameters; ${s.stepsPerEpoch} steps per epoch, epochs ${s.startEpoch}–${s.epochs}`);
                base = (s.startEpoch - 1) * s.stepsPerEpoch;
                bar = createProgress({ total: (s.epochs - s.startEpoch + 1) * s.stepsPerEpoch, label: "train-lm", json, epochs: s.epochs, jsonEvery: 20 });
              },
              onStep: (s) => bar?.update((s.epoch - 1) * s.steps + s.step - base, { epoch: s.epoch, loss: s.loss, ppl: Math.exp(s.loss), tokPerSec: s.tokensPerSec, lr: s.lr }),
              onEpoch: (e) => {
                bar?.log({ event: "epoch", epoch: e.epoch, trainLoss: e.trainLoss, validLoss: e.validLoss ?? NaN, validPpl: e.validPerplexity ?? NaN, lr: e.lr, seconds: e.seconds });
                if (e.sample === undefined) return;
                if (json) bar?.log({ event: "sample", epoch: e.epoch, text: e.sample });
                else log(`sample: ${e.sample.replace(/\n/g, " / ")}`);
              },
              onSample: (s) => (json ? bar?.log({ event: "sample", epoch: s.epoch, step: s.step, text: s.text }) : log(`sample (epoch ${s.epoch}, step ${s.step}): ${s.text.replace(/\n/g, " / ")}`)),
              shouldStop: () => intr.stop,
            },
          );
          (bar as ReturnType<typeof createProgress> | null)?.stop();
          const lines = [r.message, `checkpoint: ${r.checkpoint}   curve: ${r.curve}`];
          if (r.valid) lines.push(`validation perplexity ${r.valid.perplexity.toFixed(2)} (${r.valid.bitsPerToken.toFixed(3)} bits/token)`);
          if (r.test) lines.push(`test perplexity ${r.test.perplexity.toFixed(2)} (${r.test.bitsPerToken.toFixed(3)} bits/token)`);
          if (r.stoppedBy === "interrupt") lines.push(`training state saved: continue with --resume --out ${r.checkpoint}`);
          if (json) say(JSON.stringify({ event: "result", stoppedBy: r.stoppedBy, message: r.message, checkpoint: r.checkpoint, validPerplexity: r.valid?.perplexity ?? null, testPerplexity: r.test?.perplexity ?? null }));
          else for (const l of lines) say(l);
          if (r.stoppedBy === "nan") process.exitCode = 1;
          if (r.stoppedBy === "interrupt") process.exitCode = 130;
        } finally {
          (bar as ReturnType<typeof createProgress> | null)?.stop();
          intr.dispose();
        }
      }),
    );

  program
    .command("eval-lm")
    .description("perplexity and bits per token of a text file (or the corpus's test split) under a model")
    .argument("[file]", "text file to evaluate (default: the test split of --data/--dataset)")
    .option("--model <path>", "checkpoint", DEFAULT_LM_PATH)
    .option("--data <path>", "corpus folder or file whose test split to use")
    .option("--dataset <name>", "named corpus whose test split to use", choiceArg("--dataset", CORPUS_DATASETS))
    .option("--bptt <n>", "window length", intArg("--bptt"), 35)
    .option("--json", "print JSON")
    .action(
      action(async (file: string | undefined, opts: { model: string; data?: string; dataset?: CorpusDatasetName; bptt: number; json?: boolean }) => {
        const { model, vocab } = loadAnyLm(opts.model);
        const tk = vocab.tokenizer;
        const corpus = await loadCorpus({
          ...(file ? { path: file, split: { valid: 0, test: 0 } } : opts.data ? { path: opts.data } : { dataset: opts.dataset ?? "moby-dick" }),
          level: tk.level,
          wordStyle: tk.wordStyle,
          lower: tk.lower,
          ...(tk.eos ? { eos: tk.eos } : {}),
        });
        const enc = encodeCorpus(corpus, { vocab });
        // a file given explicitly is evaluated whole; a corpus by its test split
        const ids = file ? enc.train : enc.test.length > 2 ? enc.test : enc.valid;
        const r = evaluateLm(model, ids, { batchSize: 10, bptt: opts.bptt });
        const unk = file ? enc.stats.train.unknownRate : enc.stats.test.tokens > 0 ? enc.stats.test.unknownRate : enc.stats.valid.unknownRate;
        if (opts.json) say(JSON.stringify({ ...r, unknownRate: unk }));
        else say(`${corpus.name}: ${r.tokens.toLocaleString()} tokens, loss ${r.loss.toFixed(4)} nats, perplexity ${r.perplexity.toFixed(2)}, ${r.bitsPerToken.toFixed(3)} bits/${tk.level === "char" ? "char" : "token"}, unknown ${(100 * unk).toFixed(1)}%`);
      }),
    );

  program
    .command("predict-next")
    .description('the most likely next words after a prompt, e.g. "I want to be a"')
    .argument("<prompt...>", "the prompt")
    .option("--model <path>", "checkpoint", DEFAULT_LM_PATH)
    .option("-k, --top <k>", "how many", intArg("--top"), 5)
    .option("--json", "print JSON")
    .action(
      action((prompt: string[], opts: { model: string; top: number; json?: boolean }) => {
        const { model, vocab } = loadAnyLm(opts.model);
        const text = prompt.join(" ");
        const r = predictNext(model, vocab, text, { k: opts.top });
        if (opts.json) return say(JSON.stringify(r));
        if (r.unknown.length) say(`(not in the vocabulary, read as <unk>: ${r.unknown.join(", ")})`);
        say(`${text} ___`);
        say(textTable(r.next.map((n, i) => [i + 1, n.token, n.prob.toFixed(4)]), ["#", "next", "P(next | prompt)"]));
      }),
    );

  program
    .command("score")
    .description("log-probability of a sentence as the product of per-token conditionals")
    .argument("<text...>", "the sentence")
    .option("--model <path>", "checkpoint", DEFAULT_LM_PATH)
    .option("--json", "print JSON")
    .action(
      action((text: string[], opts: { model: string; json?: boolean }) => {
        const { model, vocab } = loadAnyLm(opts.model);
        const r = scoreText(model, vocab, text.join(" "));
        if (opts.json) return say(JSON.stringify(r));
        say(textTable(r.tokens.map((t) => [t.token, t.prob.toExponential(3), t.logProb.toFixed(3)]), ["token", "P(token | before)", "log P"]));
        say(`log P(sentence) = ${r.logProb.toFixed(3)}   P = ${Math.exp(r.logProb).toExponential(3)}   perplexity ${r.perplexity.toFixed(2)}`);
      }),
    );

  program
    .command("generate")
    .description("sample text from a language model")
    .argument("[prompt...]", "text to continue")
    .option("--model <path>", "checkpoint", DEFAULT_LM_PATH)
    .option("--length <n>", "tokens to generate", intArg("--length"), 60)
    .option("--temperature <t>", "sampling temperature (0 = greedy)", numArg("--temperature", 0), 0.8)
    .option("--top-k <k>", "sample among the k most likely (0 = all)", intArg("--top-k", 0), 0)
    .option("--top-p <p>", "nucleus sampling mass", numArg("--top-p", 0, 1), 1)
    .option("--seed <n>", "random seed (same seed, same text)", intArg("--seed", 0))
    .option("--json", "print JSON")
    .action(
      action((prompt: string[], opts: { model: string; length: number; temperature: number; topK: number; topP: number; seed?: number; json?: boolean }) => {
        const { model, vocab } = loadAnyLm(opts.model);
        const p = prompt.join(" ") || (vocab.tokenizer.level === "char" ? "\n" : "the");
        const r = generate(model, vocab, p, { length: opts.length, temperature: opts.temperature, topK: opts.topK, topP: opts.topP, ...(opts.seed !== undefined ? { seed: opts.seed } : {}) });
        if (opts.json) return say(JSON.stringify({ prompt: p, ...r }));
        say(`${p}${vocab.tokenizer.level === "char" ? "" : " "}${r.text}`);
      }),
    );
}

/** Copy numeric CLI options (already validated) into an options object under new names. */
function num(opts: Record<string, unknown>, map: Record<string, string>): Record<string, number> {
  const r: Record<string, number> = {};
  for (const [to, from] of Object.entries(map)) if (typeof opts[from] === "number") r[to] = opts[from] as number;
  return r;
}
