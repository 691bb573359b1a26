/**
 * The options that more than one command takes, each declared once: its flag, how its value is
 * parsed and checked, its usual help text, and the name of the library option it sets. A command
 * lists the ones it takes (a help text or default of its own where it means something narrower):
 *
 *   withOptions(program.command("train-lm"), [...MODEL_OPTIONS, ...TRAINING_OPTIONS, ["out", { default: DEFAULT_LM_PATH }]])
 *   const run = optionValues(opts, [...MODEL_OPTIONS, ...TRAINING_OPTIONS]);   // { embeddingDim, lr, epochs, … }
 */
import { type Command, InvalidArgumentError, Option } from "commander";
import { CORPUS_DATASETS } from "../data/corpus/load.js";
import { CELL_TYPES, parseCell } from "../models/cell.js";
import { choiceArg, everyArg, intArg, numArg } from "./common.js";

/** One option: its flag, help, value parser and the library option it sets. */
export interface OptionSpec {
  flags: string;
  help: string;
  parse?: (v: string) => unknown;
  /** The library option it sets (default: the option's own name); null: the CLI's own (--json). */
  key?: string | null;
}

const cellArg = (name: string) => (v: string) => {
  try {
    return parseCell(v);
  } catch (e) {
    throw new InvalidArgumentError(`${name}: ${(e as Error).message}`);
  }
};

export const OPTIONS = {
  json: { flags: "--json", help: "print JSON", key: null },
  seed: { flags: "--seed <n>", help: "random seed", parse: intArg("--seed", 0) },
  model: { flags: "--model <path>", help: "checkpoint" },
  out: { flags: "--out <path>", help: "checkpoint path" },
  // a language-model corpus
  data: { flags: "--data <path>", help: "text file or folder (ptb.{train,valid,test}.txt and train/valid/test.txt are detected)" },
  dataset: { flags: "--dataset <name>", help: `named corpus: ${CORPUS_DATASETS.join(", ")}`, parse: choiceArg("--dataset", CORPUS_DATASETS) },
  // the model
  cell: { flags: "--cell <type>", help: `${CELL_TYPES.join(", ")} (any case; rnn = RNN_TANH; default LSTM)`, parse: cellArg("--cell") },
  emb: { flags: "--emb <n>", help: "embedding size", parse: intArg("--emb"), key: "embeddingDim" },
  hidden: { flags: "--hidden <n>", help: "hidden size", parse: intArg("--hidden"), key: "hiddenSize" },
  layers: { flags: "--layers <n>", help: "recurrent layers", parse: intArg("--layers"), key: "numLayers" },
  dropout: { flags: "--dropout <p>", help: "dropout probability", parse: numArg("--dropout", 0, 0.99) },
  // the vocabulary
  maxVocab: { flags: "--max-vocab <n>", help: "keep the n most frequent tokens", parse: intArg("--max-vocab", 2) },
  minFreq: { flags: "--min-freq <n>", help: "drop tokens seen fewer times", parse: intArg("--min-freq", 1) },
  maxLen: { flags: "--max-len <n>", help: "truncate texts to n tokens", parse: intArg("--max-len") },
  // training
  lr: { flags: "--lr <x>", help: "learning rate", parse: numArg("--lr", 0) },
  epochs: { flags: "--epochs <n>", help: "epochs", parse: intArg("--epochs") },
  batchSize: { flags: "--batch-size <n>", help: "batch size", parse: intArg("--batch-size") },
  patience: { flags: "--patience <n>", help: "early stop after n epochs without validation improvement", parse: intArg("--patience", 0) },
  clip: { flags: "--clip <x>", help: "clip the global gradient norm (0 = off)", parse: numArg("--clip", 0) },
  timeLimit: { flags: "--time-limit <s>", help: "stop after this many seconds (the checkpoint and training state are kept)", parse: numArg("--time-limit", 0) },
  resume: { flags: "--resume", help: "continue the stopped or killed run writing --out, from the exact step where it stopped" },
  checkpointEvery: { flags: "--checkpoint-every <n|time>", help: "also save the training state every n steps or every 10m/90s/2h (default: after each epoch)", parse: everyArg("--checkpoint-every") },
  // analyses
  trainSteps: { flags: "--train-steps <n>", help: "training steps", parse: intArg("--train-steps", 0) },
  batch: { flags: "--batch <n>", help: "sequences per batch", parse: intArg("--batch") },
  cells: { flags: "--cells <list>", help: "comma-separated cells" },
  // data files
  textCol: { flags: "--text-col <name>", help: "text column (field) of a CSV/TSV/JSONL/JSON file" },
  labelCol: { flags: "--label-col <name>", help: "label column (field) of a CSV/TSV/JSONL/JSON file" },
  labelMap: { flags: "--label-map <pairs>", help: "model labels → dataset labels, e.g. neg=0,pos=1" },
  embeddings: { flags: "--embeddings <path>", help: "pretrained vectors: GloVe, word2vec (text/binary) or fastText .vec" },
  folds: { flags: "--folds <n>", help: "cross-validation datasets: run only the first n folds", parse: intArg("--folds") },
  threads: { flags: "--threads <n>", help: "threads", parse: intArg("--threads") },
} satisfies Record<string, OptionSpec>;

export type OptionName = keyof typeof OPTIONS;
/**
 * An option by name (a shared one, or one of the command's own `local` specs), or with a help
 * text / default of the command's own.
 */
export type OptionUse = OptionName | (string & {}) | [OptionName | (string & {}), { help?: string; default?: unknown }];

/** The model-architecture options of the training commands. */
export const MODEL_OPTIONS: readonly OptionUse[] = ["cell", "emb", "hidden", "layers", "dropout"];
/** The options of every training run (the shared loop): optimisation, stopping, snapshots, output. */
export const TRAINING_OPTIONS: readonly OptionUse[] = ["lr", "epochs", "batchSize", "patience", "clip", "timeLimit", "seed", "resume", "checkpointEvery", ["json", { help: "JSON log lines instead of a progress bar" }]];

const nameOf = (u: OptionUse): string => (typeof u === "string" ? u : u[0]);
function specOf(name: string, local: Readonly<Record<string, OptionSpec>>): OptionSpec {
  const spec = local[name] ?? (OPTIONS as Record<string, OptionSpec>)[name];
  if (!spec) throw new Error(`cli: no option named ${name}`);
  return spec;
}

/** Replace the help text or default of one shared option in a list. */
export function overriding(uses: readonly OptionUse[], name: OptionName, own: { help?: string; default?: unknown }): OptionUse[] {
  return uses.map((u) => (nameOf(u) === name ? [name, { ...(typeof u === "string" ? {} : u[1]), ...own }] : u));
}

/** Add the listed options to a command; `local` declares options only this command takes. */
export function withOptions(cmd: Command, uses: readonly OptionUse[], local: Readonly<Record<string, OptionSpec>> = {}): Command {
  for (const u of uses) {
    const spec = specOf(nameOf(u), local);
    const own = typeof u === "string" ? {} : u[1];
    const o = new Option(spec.flags, own.help ?? spec.help);
    if (spec.parse) o.argParser(spec.parse);
    if (own.default !== undefined) o.default(own.default);
    cmd.addOption(o);
  }
  return cmd;
}

/**
 * The values the user gave (or defaulted) for the listed options, under their library names
 * (`--emb` → embeddingDim, `--checkpoint-every` → checkpointEvery); options left unset are absent.
 */
export function optionValues(opts: Record<string, unknown>, uses: readonly OptionUse[], local: Readonly<Record<string, OptionSpec>> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const u of uses) {
    const name = nameOf(u);
    const v = opts[name];
    if (v === undefined) continue;
    const spec = specOf(name, local);
    if (spec.key !== null) out[spec.key ?? name] = v;
  }
  return out;
}
