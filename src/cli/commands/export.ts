import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { exportOnnxFile } from "../../export/onnx/file.js";
import { exportHalfFile } from "../../export/half/index.js";
import { encodeDataFile } from "../../export/torch-data.js";
import { parseLabelMap } from "../../transformers/labels.js";
import { action, choiceArg, intArg, numArg } from "../common.js";

const say = (s: string): void => void process.stdout.write(`${s}\n`);

export function registerExportCommands(program: Command): void {
  program
    .command("export")
    .description("write a trained model in another format: ONNX (runs in ONNX Runtime, in any language) or a half-precision safetensors copy (half the size)")
    .requiredOption("--model <path>", "rnnkit checkpoint (.safetensors): a language model or a classifier")
    .requiredOption("--out <path>", "output file (e.g. model.onnx, model-f16.safetensors)")
    .option("--format <name>", "onnx, or safetensors-f16 (every float tensor as IEEE half; loads wherever the original loads)", choiceArg("--format", ["onnx", "safetensors-f16"] as const), "onnx")
    .option("--json", "print the result as one JSON object")
    .addHelpText(
      "after",
      `
The .onnx file (opset 17) holds the vocabulary, labels and tokenizer settings in its metadata_props.
  language model: tokens int64 [T, B], h0 (and c0) [layers, B, hidden] → logits [T, B, V], h_n (and c_n)
  classifier:     ids int64 [B, T] (right-padded), lengths int64 [B] → logits, probs [B, classes]
Example: rnnkit export --format onnx --model runs/lm/model.safetensors --out lm.onnx
         rnnkit export --format safetensors-f16 --model runs/ulmfit/classifier.safetensors --out model.safetensors`,
    )
    .action(
      action((opts: { model: string; out: string; format: "onnx" | "safetensors-f16"; json?: boolean }) => {
        if (opts.format === "safetensors-f16") {
          const h = exportHalfFile({ model: opts.model, out: opts.out });
          if (opts.json) say(JSON.stringify({ event: "export", format: opts.format, ...h }));
          else say(`wrote ${h.out} (${h.kind}, ${(h.bytes / 2 ** 20).toFixed(1)} MiB in F16, from ${(h.inputBytes / 2 ** 20).toFixed(1)} MiB)`);
          return;
        }
        const r = exportOnnxFile({ model: opts.model, out: opts.out });
        if (opts.json) say(JSON.stringify({ event: "export", format: "onnx", ...r }));
        else say(`wrote ${r.out} (${r.kind}, ${(r.bytes / 1024).toFixed(0)} KiB, ONNX opset 17)`);
      }),
    );

  program
    .command("encode-data")
    .description("tokenize and encode a dataset with a model's own tokenizer and vocabulary, for python/train_ddp.py (PyTorch DDP)")
    .requiredOption("--model <path>", "rnnkit checkpoint (.safetensors) whose tokenizer and vocabulary to use")
    .requiredOption("--out <path>", "output data file (.safetensors)")
    .option("--data <path>", "text file/folder (language model) or dataset folder/CSV/TSV/JSON (classifier), as train-lm / train-classifier read them")
    .option("--dataset <name>", "a named dataset instead (moby-dick, ptb, … or imdb, sst2, …)")
    .option("--test-data <path>", "classifier: separate test file")
    .option("--text-col <name>", "classifier CSV/TSV/JSON: text column", "text")
    .option("--label-col <name>", "classifier CSV/TSV/JSON: label column", "label")
    .option("--agreement <level>", "Financial PhraseBank subset", "AllAgree")
    .option("--label-map <pairs>", "model label → dataset label, e.g. neg=0,pos=1")
    .option("--seed <n>", "classifier validation split seed (as train-classifier)", intArg("--seed", 0), 1)
    .option("--valid-fraction <x>", "classifier validation share of the training data", numArg("--valid-fraction", 0, 0.9), 0.1)
    .option("--json", "print the result as one JSON object")
    .action(
      action(async (o: Record<string, unknown>) => {
        const r = await encodeDataFile({
          model: String(o.model),
          out: String(o.out),
          ...(o.data ? { path: String(o.data) } : {}),
          ...(o.dataset ? { dataset: String(o.dataset) } : {}),
          ...(o.testData ? { testPath: String(o.testData) } : {}),
          table: { textColumn: String(o.textCol), labelColumn: String(o.labelCol) },
          agreement: String(o.agreement),
          ...(o.labelMap ? { labelMap: parseLabelMap(String(o.labelMap)) } : {}),
          seed: Number(o.seed),
          validFraction: Number(o.validFraction),
        });
        if (o.json) say(JSON.stringify({ event: "encode-data", ...r }));
        else {
          say(`wrote ${r.out} (${r.kind} data from ${r.source})`);
          for (const [k, v] of Object.entries(r.splits)) say(`  ${k}: ${v.examples !== undefined ? `${v.examples.toLocaleString()} examples, ` : ""}${v.tokens.toLocaleString()} tokens, ${(100 * v.unknownRate).toFixed(1)} % unknown`);
          const script = relative(process.cwd(), fileURLToPath(new URL("../../../../python/train_ddp.py", import.meta.url)));
          say(`next: torchrun --nproc_per_node 2 ${script} --model ${String(o.model)} --data ${r.out} --out OUT.safetensors`);
        }
      }),
    );
}
