import type { Command } from "commander";
import { exportOnnxFile } from "../../export/onnx/file.js";
import { action, choiceArg } from "../common.js";

const say = (s: string): void => void process.stdout.write(`${s}\n`);

export function registerExportCommands(program: Command): void {
  program
    .command("export")
    .description("write a trained model in another format: ONNX (runs in ONNX Runtime, in any language)")
    .requiredOption("--model <path>", "rnnkit checkpoint (.safetensors): a language model or a classifier")
    .requiredOption("--out <path>", "output file (e.g. model.onnx)")
    .option("--format <name>", "onnx", choiceArg("--format", ["onnx"] as const), "onnx")
    .option("--json", "print the result as one JSON object")
    .addHelpText(
      "after",
      `
The .onnx file (opset 17) holds the vocabulary, labels and tokenizer settings in its metadata_props.
  language model: tokens int64 [T, B], h0 (and c0) [layers, B, hidden] → logits [T, B, V], h_n (and c_n)
  classifier:     ids int64 [B, T] (right-padded), lengths int64 [B] → logits, probs [B, classes]
Example: rnnkit export --format onnx --model runs/lm/model.safetensors --out lm.onnx`,
    )
    .action(
      action((opts: { model: string; out: string; json?: boolean }) => {
        const r = exportOnnxFile({ model: opts.model, out: opts.out });
        if (opts.json) say(JSON.stringify({ event: "export", format: "onnx", ...r }));
        else say(`wrote ${r.out} (${r.kind}, ${(r.bytes / 1024).toFixed(0)} KiB, ONNX opset 17)`);
      }),
    );
}
