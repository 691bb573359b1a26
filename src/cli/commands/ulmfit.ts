/**
 * `rnnkit ulmfit`: the whole ULMFiT recipe in one command (../../recipes/ulmfit.ts): a language
 * model on the dataset's training reviews, a classifier fine-tuned from it, the test set once.
 *
 *   rnnkit ulmfit --data ../shared/data/aclImdb --budget 4h --out runs/ulmfit
 *   rnnkit ulmfit --data ../shared/data/aclImdb --budget 4h --out runs/ulmfit --resume   # after Ctrl-C / kill
 *   rnnkit ulmfit --data ../shared/data/aclImdb --out runs/ulmfit --resume --stack nbsvm  # + a bag-of-words stack
 */
import { type Command, InvalidArgumentError } from "commander";
import { type UlmfitBudget, ulmfit } from "../../recipes/ulmfit.js";
import { action, choiceArg, everyArg, intArg, numArg } from "../common.js";
import { trainingConsole } from "../training-console.js";

const say = (s: string): void => void process.stdout.write(`${s}\n`);

/** "240m", "4h", "90min" → minutes; "3e", "3 epochs" → epochs per stage. */
export function budgetArg(v: string): UlmfitBudget {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(m|min|minutes?|h|hours?|e|epochs?)\s*$/i.exec(v);
  const n = m ? Number(m[1]) : NaN;
  if (!m || !(n > 0)) throw new InvalidArgumentError(`--budget must be minutes or hours (240m, 4h) or epochs per stage (3e), got "${v}"`);
  const unit = (m[2] ?? "").toLowerCase();
  if (unit.startsWith("e")) {
    if (!Number.isInteger(n)) throw new InvalidArgumentError(`--budget: epochs must be a whole number, got "${v}"`);
    return { epochs: n };
  }
  return { minutes: unit.startsWith("h") ? n * 60 : n };
}

function intList(v: string): number[] {
  const xs = v.split(",").map((x) => Number(x.trim()));
  if (xs.some((x) => !Number.isInteger(x) || x < 1)) throw new InvalidArgumentError(`expected comma-separated positive integers, e.g. 512,512,256; got "${v}"`);
  return xs;
}

export function registerUlmfitCommand(program: Command): void {
  program
    .command("ulmfit")
    .description("ULMFiT in one command: a language model on the training reviews, a classifier fine-tuned from it, the test set once at the end")
    .requiredOption("--data <folder>", "review dataset folder: IMDB's aclImdb (original layout or train.tsv/test.tsv)")
    .option("--out <folder>", "recipe folder (lm.safetensors, classifier.safetensors, recipe.json)", "runs/ulmfit")
    .option("--budget <time|epochs>", "whole recipe: 240m / 4h (stages stop at their share and keep their best checkpoint) or 3e (epochs per stage); default 3 LM epochs + 4 classifier epochs", budgetArg)
    .option("--lm-share <f>", "with a time budget: the language model's share", numArg("--lm-share", 0.01, 0.99), 0.55)
    .option("--emb <n>", "language model: embedding size (default 256)", intArg("--emb"))
    .option("--hidden-sizes <list>", "language model: LSTM sizes, bottom to top (default 512,512,256)", intList)
    .option("--max-vocab <n>", "language model vocabulary (default 30000)", intArg("--max-vocab"))
    .option("--no-adaptive-softmax", "full softmax output layer (default: adaptive softmax, cutoffs 2000,10000)")
    .option("--max-len <n>", "classifier: tokens read per review (default 1500)", intArg("--max-len"))
    .option("--batch-size <n>", "classifier: reviews per batch", intArg("--batch-size"))
    .option("--lr <x>", "classifier: head learning rate of the last stage (default 0.001)", numArg("--lr", 0))
    .option("--seed <n>", "random seed", intArg("--seed", 0), 1)
    .option("--stack <kind>", "also stack the classifier with a bag-of-words baseline (nbsvm or tfidf-lr): baseline fit on the training reviews, stacker on the validation reviews, test once; with --resume on a finished recipe only the stack runs", choiceArg("--stack", ["nbsvm", "tfidf-lr"] as const))
    .option("--resume", "continue the recipe in --out")
    .option("--checkpoint-every <n|time>", "also save each stage's training state every n steps or 10m/90s", everyArg("--checkpoint-every"))
    .option("--json", "JSON log lines instead of progress bars")
    .action(
      action(async (opts: { data: string; out: string; budget?: UlmfitBudget; lmShare: number; emb?: number; hiddenSizes?: number[]; maxVocab?: number; adaptiveSoftmax: boolean; maxLen?: number; batchSize?: number; lr?: number; seed: number; stack?: "nbsvm" | "tfidf-lr"; resume?: boolean; checkpointEvery?: { steps: number } | { seconds: number }; json?: boolean }) => {
        const con = trainingConsole(Boolean(opts.json));
        try {
          const lm = {
            ...(opts.emb !== undefined ? { embeddingDim: opts.emb } : {}),
            ...(opts.hiddenSizes ? { hiddenSizes: opts.hiddenSizes } : {}),
            ...(opts.maxVocab !== undefined ? { maxVocab: opts.maxVocab } : {}),
            ...(opts.adaptiveSoftmax ? {} : { adaptiveSoftmax: [] }),
          };
          const classifier = {
            ...(opts.maxLen !== undefined ? { maxLen: opts.maxLen } : {}),
            ...(opts.batchSize !== undefined ? { batchSize: opts.batchSize } : {}),
            ...(opts.lr !== undefined ? { lr: opts.lr } : {}),
          };
          const r = await ulmfit(
            { data: opts.data, out: opts.out, ...(opts.budget ? { budget: opts.budget } : {}), lmShare: opts.lmShare, lm, classifier, seed: opts.seed, ...(opts.stack ? { stack: opts.stack } : {}), ...(opts.resume ? { resume: true } : {}), ...(opts.checkpointEvery ? { checkpointEvery: opts.checkpointEvery } : {}) },
            {
              info: con.log,
              lm: {
                info: con.log,
                onStart: (s) => {
                  con.log(`language model: ${s.params.toLocaleString()} parameters, vocabulary ${s.vocabSize.toLocaleString()}, ${s.trainTokens.toLocaleString()} training tokens; ${s.stepsPerEpoch} steps per epoch`);
                  con.start({ label: "language model", epochs: s.epochs, stepsPerEpoch: s.stepsPerEpoch, startStep: s.startStep });
                },
                onStep: (s) => con.step(s.globalStep, { epoch: s.epoch, loss: s.loss, ppl: Math.exp(s.loss), tokPerSec: s.tokensPerSec, lr: s.lr }),
                onEpoch: (e) => con.event({ event: "epoch", stage: "lm", epoch: e.epoch, trainLoss: e.trainLoss, validPpl: e.validPerplexity ?? NaN, seconds: e.seconds }),
                shouldStop: () => con.stopRequested,
              },
              classifier: {
                info: con.log,
                onStart: (s) => {
                  con.stop();
                  con.log(`classifier: ${s.train} train / ${s.valid} validation / ${s.test} test reviews; ${s.params.toLocaleString()} parameters`);
                  con.start({ label: "classifier", epochs: s.epochs, stepsPerEpoch: s.steps, startStep: s.startStep });
                },
                onStep: (s) => con.step(s.globalStep, { epoch: s.epoch, loss: s.loss, acc: s.acc, exPerSec: s.examplesPerSec }),
                onEpoch: (e) => con.event({ event: "epoch", stage: "classifier", epoch: e.epoch, trainLoss: e.trainLoss, validAcc: e.validAcc ?? NaN, seconds: e.seconds }),
                shouldStop: () => con.stopRequested,
              },
            },
          );
          con.stop();
          const s = r.state;
          const mins = (x: number): string => `${(x / 60).toFixed(1)} min`;
          if (r.stoppedBy === "interrupt") process.exitCode = con.interruptExitCode;
          if (con.json) return say(JSON.stringify({ event: "result", stoppedBy: r.stoppedBy, lm: r.lmCheckpoint, classifier: r.classifierCheckpoint, lmValidPerplexity: s.lmValidPerplexity, ...s.result, ...(s.stack ? { stack: s.stack } : {}), seconds: s.seconds }));
          if (r.stoppedBy === "interrupt") return say(`stopped; the recipe continues with: rnnkit ulmfit --data ${opts.data} --out ${opts.out}${opts.budget ? ` --budget ${"minutes" in opts.budget ? `${opts.budget.minutes}m` : `${opts.budget.epochs}e`}` : ""}${opts.stack ? ` --stack ${opts.stack}` : ""} --resume`);
          say(`language model: ${r.lmCheckpoint}${s.lmValidPerplexity !== null ? ` (validation perplexity ${s.lmValidPerplexity.toFixed(1)})` : ""}, ${mins(s.seconds.lm)}`);
          say(`classifier: ${r.classifierCheckpoint}, ${mins(s.seconds.classifier)}`);
          if (s.result) say(`test accuracy ${(100 * s.result.accuracy).toFixed(2)}%, macro-F1 ${(100 * s.result.macroF1).toFixed(2)}% on ${s.result.testExamples} reviews (validation ${(100 * s.result.validAccuracy).toFixed(2)}%)`);
          const st = s.stack;
          if (st) {
            const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;
            say(`stacked with ${st.baseline}: test accuracy ${pct(st.test.stack)} (validation ${pct(st.valid.stack)}); ${st.baseline} alone ${pct(st.test.baseline)}, the classifier alone ${pct(st.test.model)}`);
          }
        } finally {
          con.dispose();
        }
      }),
    );
}
